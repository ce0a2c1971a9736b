/*
 * extract_private.h - what optimg_fs_extract()'s files share.  Not
 * installed.
 *
 *   extract.c        the public call: options, the walk, refusals
 *   extract_node.c   making one entry: directories, files, specials
 *   extract_link.c   hard links: which file was written first, link()
 *   extract_pool.c   batches of regular files and the worker threads
 *
 * The walk runs on the calling thread, making directories, symbolic
 * links and hard links in order, and hands regular files in batches of
 * one directory to a few workers (creating files is what costs, and the
 * kernel serialises creation inside one directory).  Each worker reads
 * through its own optimg_fs, as the reader is not thread-safe.  A
 * directory's descriptor stays open until the walk has left it and its
 * last batch is written; its mode and times are set then.
 */
#ifndef EXTRACT_PRIVATE_H
#define EXTRACT_PRIVATE_H

#ifndef OPTIMG_BUILD
#error "extract_private.h is internal to liboptimg"
#endif

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "oi_private.h"

#define EX_WORKERS	4		/* at most */
#define EX_BATCH_FILES	256		/* a batch: files of one directory */
#define EX_BATCH_BYTES	(32ull << 20)
#define EX_QUEUE	8		/* batches waiting for a worker */

enum ex_link_state { LINK_PENDING, LINK_DONE, LINK_FAILED };

struct ex_link {
	uint64_t		 ino;
	char			*relpath;	/* from the target directory */
	enum ex_link_state	 state;
};

/* A directory being filled; freed when the walk and all batches are done. */
struct ex_dir {
	int			 fd;
	unsigned		 refs;	/* the walk + batches not yet written */
	bool			 attrs;	/* set mode and times when done */
	uint32_t		 mode;
	struct timespec		 ts[2];
	char			*path;
};

/* A regular file to write: one allocation with its extents and names. */
struct ex_file {
	struct optimg_fs_stat	 st;
	const char		*path;
	bool			 primary;	/* first of its hard links */
};

struct ex_batch {
	struct ex_batch		*next;
	struct ex_dir		*dir;
	struct ex_file		*files[EX_BATCH_FILES];
	unsigned		 n;
	uint64_t		 bytes;
};

/* What reads and writes file data: the calling thread or one worker. */
struct ex_reader {
	struct ex		*ex;
	struct optimg_image	*img;		/* owned by workers */
	struct optimg_fs	*fs;
	pthread_t		 thread;
};

struct ex_seen {
	uint32_t	 lba1;		/* first LBA + 1; 0: a free slot */
	uint64_t	 ino;
};

struct ex {
	struct optimg_fs	*fs;
	const struct optimg_extract_opts *opts;
	struct optimg_extract_result res;	/* counters: atomic */
	mode_t			 umask;		/* the process's, read */
	mode_t			 dirmode;	/* new directories, at first */
	int			 cancel;	/* atomic */
	struct ex_dir		**dirs;		/* the walk's, per depth */
	unsigned		 ndirs, capdirs;
	struct ex_link		*links;		/* open hash on ino, under mu */
	size_t			 nlinks, caplinks;
	struct ex_batch		*cur;		/* being filled by the walk */
	struct ex_reader	 main;
	struct ex_reader	 workers[EX_WORKERS];
	unsigned		 nworkers;
	pthread_mutex_t		 report_mu;	/* one report at a time */
	/* The queue of batches and everything workers share. */
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* workers wait for batches */
	pthread_cond_t		 idle;		/* the walk waits for room */
	struct ex_batch		*head, **tail;
	unsigned		 queued, busy;
	bool			 closing;
	uint64_t		 done, total;	/* done: atomic */
	/* The walk's: bytes queued, against the image's size; first LBAs
	   of file data seen (open hash, 0 free) for shared extents. */
	uint64_t		 planned, image_bytes;
	bool			 warned_large;
	struct ex_seen		*seen;
	size_t			 nseen, capseen;
	unsigned		 shared_reports;
};

/* extract.c */
void oi_ex_lock(struct ex *ex);
void oi_ex_unlock(struct ex *ex);
void oi_ex_report(struct ex *ex, enum optimg_extract_problem what,
    const char *path, const char *detail, int errnum);
/* Reports errno's failure of action ("create") on path. */
void oi_ex_fail_errno(struct ex *ex, const char *action, const char *path);
void oi_ex_add(uint64_t *counter, uint64_t n);
bool oi_ex_canceled(const struct ex *ex);
/* Calls the progress callback (calling thread only); false to stop. */
bool oi_ex_progress(struct ex *ex);

/* extract_node.c */
mode_t oi_ex_read_umask(void);
void oi_ex_times(const struct optimg_fs_stat *st, struct timespec ts[2]);
int oi_ex_top_fd(const struct ex *ex);
struct ex_dir *oi_ex_top_dir(const struct ex *ex);
int oi_ex_push_dir(struct ex *ex, int fd, const char *path,
    const struct optimg_fs_stat *st);
void oi_ex_dir_release(struct ex *ex, struct ex_dir *d, unsigned n);
int oi_ex_clear_place(struct ex *ex, int dfd, const char *name,
    const char *path);
int oi_ex_make_dir(struct ex *ex, const char *path, const char *name);
void oi_ex_sweep(struct ex *ex, int dfd, const char *path);
void oi_ex_write_file(struct ex_reader *r, struct ex_dir *d,
    const struct ex_file *f);
void oi_ex_special(struct ex *ex, const char *path,
    const struct optimg_fs_stat *st);

/* extract_link.c */
int oi_ex_try_link(struct ex *ex, const struct optimg_fs_stat *st,
    const char *path, bool *primary);
void oi_ex_link_settle(struct ex *ex, uint64_t ino, const char *relpath,
    bool ok);
void oi_ex_links_free(struct ex *ex);

/* extract_pool.c */
void oi_ex_start_workers(struct ex *ex);
void oi_ex_stop_workers(struct ex *ex);
void oi_ex_queue_file(struct ex *ex, const char *path,
    const struct optimg_fs_stat *st, bool primary);
void oi_ex_flush_batch(struct ex *ex);
/* With mu held: waits a little for workers, reporting progress. */
void oi_ex_wait_idle_tick(struct ex *ex);

#endif
