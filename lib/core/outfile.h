/*
 * outfile.h - output files that appear only when complete.
 *
 * Data goes to a hidden temporary file beside the destination
 * (".NAME.PID.XXXXXX.part", locked with flock(2) while its owner lives;
 * the next run for NAME removes those of dead owners, see
 * oi_sweep_stale()); oi_outfile_finish() flushes and closes it and
 * oi_outfile_commit() renames it into place.  Outputs made of several files
 * (a cue and its bins) finish all of them before committing any, so a
 * failure or Ctrl-C leaves no half-written file under a final name.
 */
#ifndef OI_OUTFILE_H
#define OI_OUTFILE_H

#include "oi_private.h"
#include "worker.h"
#include "pack.h"

/*
 * Buffered bytes are written by the writer thread once a buffer is full,
 * while the caller fills a second one: reading the next input overlaps
 * the kernel's copy into the page cache, which is most of an output's
 * cost.  Each buffer is one huge page (oi_io_alloc).
 */
#define OI_OUTFILE_BUFSIZE (2u << 20)

/*
 * The most one write(2) is handed.  The page cache sizes its folios after
 * the write, and large folios come from the large free blocks that a VM
 * with free-page reporting (this project's) has handed back to its host,
 * so that every page of them faults on the host when first written.
 * 713 MB with dd: bs=2M 0.67-2.33 s, bs=1M 0.30-0.54 s.  3.2 GB in 8 files,
 * read and written on two threads, page cache warmed as the shared
 * harness does, 5 runs each: 1 MiB writes 0.50-4.5 s (mostly > 2.7 s),
 * 256 KiB 0.70-1.78 s, 128 KiB 0.62-0.75 s, 64 KiB 0.72-0.96 s.
 */
#define OI_WRITE_MAX (128u << 10)

struct oi_outfile {
	char		*path;		/* final name */
	char		*tmp_path;	/* NULL once committed or aborted */
	int		 fd;
	uint8_t		*buf;		/* being filled */
	uint8_t		*spare;		/* the other one, once needed */
	size_t		 len;
	uint64_t	 written;	/* bytes handed to write() + buffered */
	struct oi_worker writer;	/* background writes, one at a time */
	const uint8_t	*async_data;
	size_t		 async_len;
	bool		 async_own;	/* async_data is spare, not the caller's */
	int		 async_errno;
	int		 lock_fd;	/* holds the temporary file's lock */
	bool		 locked;	/* lock_fd is open */
	bool		 force;		/* may replace an existing file */
	unsigned	 stale_removed;	/* dead runs' files swept at open */
	struct oi_pack	*pack;		/* compresses what is written */
	struct optimg_error async_err;	/* the background write's failure */
};

/*
 * Creates the temporary file.  Fails with OPTIMG_EEXIST when path exists
 * and force is false, and always when path names a directory or a block
 * device.
 */
int oi_outfile_open(struct oi_outfile *of, const char *path, bool force,
    struct optimg_error *err);
/*
 * From here on, what is written is compressed (pack.h) as kind says;
 * OI_PACK_NONE does nothing; level 0 is the kind's default.  A packed
 * file is written in order only: oi_outfile_pwrite fails.
 */
int oi_outfile_pack(struct oi_outfile *of, enum oi_pack_kind kind,
    unsigned level, struct optimg_error *err);
int oi_outfile_write(struct oi_outfile *of, const void *data, size_t len,
    struct optimg_error *err);
/*
 * Starts writing data in a background thread and returns.  data must stay
 * untouched until the next call on of: callers alternate two buffers, so
 * computing one chunk overlaps writing the previous one.
 */
int oi_outfile_write_async(struct oi_outfile *of, const void *data,
    size_t len, struct optimg_error *err);
/*
 * Waits for the background write, so its buffer may be reused or freed;
 * returns how that write went.
 */
int oi_outfile_wait(struct oi_outfile *of, struct optimg_error *err);
/*
 * Writing in place: *p and *room receive the free part of the buffer
 * (room > 0); the caller puts up to room bytes there (read(2) into it,
 * say) and then calls oi_outfile_advance() with how many it put.
 */
int oi_outfile_space(struct oi_outfile *of, uint8_t **p, size_t *room,
    struct optimg_error *err);
int oi_outfile_advance(struct oi_outfile *of, size_t n,
    struct optimg_error *err);
/*
 * Tells the file system that len more bytes will follow what was written
 * so far (fallocate, the size unchanged), so that it allocates them in one
 * extent now, not block by block as the page cache fills.  Fails only when
 * they do not fit (ENOSPC, EDQUOT): a full disk is then told before the
 * first byte, not after most of them.  Does nothing for a packed file or
 * where the file system cannot do it.
 */
int oi_outfile_reserve(struct oi_outfile *of, uint64_t len,
    struct optimg_error *err);
/*
 * Writes len bytes at off over what was written before (a header whose
 * fields are known only at the end); off + len must not pass the size.
 */
int oi_outfile_pwrite(struct oi_outfile *of, const void *data, size_t len,
    uint64_t off, struct optimg_error *err);
/* Bytes written so far (the file's future size). */
uint64_t oi_outfile_size(const struct oi_outfile *of);
int oi_outfile_finish(struct oi_outfile *of, struct optimg_error *err);
/*
 * Renames the temporary file into place.  Without force, a file that
 * appeared under the name since open is kept and the commit fails with
 * OPTIMG_EEXIST (renameat2 RENAME_NOREPLACE, or link() + unlink()).
 */
int oi_outfile_commit(struct oi_outfile *of, struct optimg_error *err);
/* The rename behind commit, for files made another way (rip's parts). */
int oi_publish(const char *tmp, const char *path, bool force,
    struct optimg_error *err);
/*
 * Commits ofs[0..n) in order (NULL entries skipped); when one fails, the
 * files this call published without force are removed again, so a set
 * (a cue and its bins) appears whole or not at all.  Aborts them all.
 */
int oi_outfile_commit_all(struct oi_outfile *const *ofs, unsigned n,
    struct optimg_error *err);
/* Removes the temporary file, if any; safe to call after commit. */
void oi_outfile_abort(struct oi_outfile *of);

/*
 * Temporary files of runs killed outright (SIGKILL, a crash, a power
 * cut): ".BASE.PID.TAG.part", which oi_part_name() recognises.  Such a
 * file is removed when its pid names no process and no one holds its
 * lock; a live run's file is never touched.
 *
 * oi_sweep_stale_at() sweeps the directory dfd (only names for base when
 * base is not NULL) and returns how many it removed, the first one's name
 * in first.  oi_sweep_stale() sweeps the directory path's entry lives in,
 * as every command does before it writes there, and says what it removed
 * in one warning.
 */
bool oi_part_name(const char *name, long *pid);
unsigned oi_sweep_stale_at(int dfd, const char *base, char *first,
    size_t cap);
void oi_sweep_stale(const char *path, optimg_warning_fn warn, void *ctx);
/* The one line that says what was swept. */
void oi_stale_message(char *out, size_t cap, unsigned n, const char *first);

/* True when a and b name the same existing file (same device and inode). */
bool oi_same_file(const char *a, const char *b);

#endif
