/*
 * outfile.c - temporary output files renamed into place on success.
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "outfile.h"

/*
 * ".NAME.PID.XXXXXX.part": the owner's pid tells a reader of the
 * directory whose file it is; the lock (see hold_lock) tells a later run
 * whether that owner is still alive.
 */
static char *
temp_name_for(const char *path)
{
	char *dup1 = strdup(path), *dup2 = strdup(path), *out = NULL;

	if (dup1 != NULL && dup2 != NULL) {
		const char *dir = dirname(dup1), *base = basename(dup2);
		size_t n = strlen(dir) + strlen(base) + 48;
		out = malloc(n);
		if (out != NULL)
			snprintf(out, n, "%s/.%s.%ld.XXXXXX.part", dir, base,
			    (long)getpid());
	}
	free(dup1);
	free(dup2);
	return out;
}

/*
 * When name is a temporary file of ours, ".BASE.PID.TAG.part" (TAG six
 * letters or digits: mkstemp's, or extract's counter), *pid gets PID.
 */
bool
oi_part_name(const char *name, long *pid)
{
	size_t nl = strlen(name);
	const char *tag, *p;
	char *end;

	if (name[0] != '.' || nl < 1 + 1 + 1 + 1 + 1 + 6 + 5 ||
	    strcmp(name + nl - 5, ".part") != 0)
		return false;
	tag = name + nl - 5 - 6;
	for (unsigned i = 0; i < 6; i++)
		if (!isalnum((unsigned char)tag[i]))
			return false;
	if (tag[-1] != '.')
		return false;
	for (p = tag - 2; p > name && isdigit((unsigned char)*p); p--)
		;
	if (*p != '.' || p < name + 2 || p[1] < '1' || p[1] > '9')
		return false;
	errno = 0;
	*pid = strtol(p + 1, &end, 10);
	return errno == 0 && end == tag - 1 && *pid > 0;
}

/*
 * A temporary file whose run was killed: its pid names no process, and
 * no one holds its lock (so no run in another pid namespace owns it
 * either).  A live run's file, or one with a pid reused since, is kept.
 */
static bool
remove_if_stale(int dfd, const char *name, long pid)
{
	struct stat st;
	bool gone = false;
	int fd;

	if (pid == (long)getpid() || kill((pid_t)pid, 0) == 0 ||
	    errno != ESRCH)
		return false;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && flock(fd, LOCK_EX | LOCK_NB) == 0)
		gone = unlinkat(dfd, name, 0) == 0;
	close(fd);
	return gone;
}

unsigned
oi_sweep_stale_at(int dfd, const char *base, char *first, size_t cap)
{
	unsigned removed = 0;
	struct dirent *de;
	DIR *d;
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (cap > 0)
		first[0] = '\0';
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t bl = base != NULL ? strlen(base) : 0;
		long pid;

		if (!oi_part_name(de->d_name, &pid) || (base != NULL &&
		    (strncmp(de->d_name + 1, base, bl) != 0 ||
		    de->d_name[bl + 1] != '.' ||
		    !isdigit((unsigned char)de->d_name[bl + 2]))))
			continue;
		if (!remove_if_stale(dirfd(d), de->d_name, pid))
			continue;
		if (removed++ == 0 && cap > 0)
			snprintf(first, cap, "%s", de->d_name);
	}
	closedir(d);
	return removed;
}

/* The directory path's last entry lives in, open; -1 on failure. */
static int
open_dir_of(const char *path)
{
	char *dup = strdup(path);
	int fd = -1;

	if (dup != NULL)
		fd = open(dirname(dup), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dup);
	return fd;
}

void
oi_sweep_stale(const char *path, optimg_warning_fn warn, void *ctx)
{
	char first[NAME_MAX + 1], what[NAME_MAX + 128];
	char *dup = strdup(path), *msg;
	int fd = open_dir_of(path);
	unsigned n;

	if (fd >= 0 && dup != NULL) {
		n = oi_sweep_stale_at(fd, NULL, first, sizeof(first));
		if (n > 0 && warn != NULL) {
			oi_stale_message(what, sizeof(what), n, first);
			if (asprintf(&msg, "in '%s': %s", dirname(dup),
			    what) >= 0) {
				warn(ctx, msg);
				free(msg);
			}
		}
	}
	if (fd >= 0)
		close(fd);
	free(dup);
}

void
oi_stale_message(char *out, size_t cap, unsigned n, const char *first)
{
	if (n > 1)
		snprintf(out, cap, "removed '%s' and %u more: temporary files "
		    "of runs that were killed", first, n - 1);
	else
		snprintf(out, cap, "removed '%s': the temporary file of a run "
		    "that was killed", first);
}

/* Removes dead runs' temporary files for path's own name. */
static unsigned
sweep_stale(const char *path)
{
	char *dup = strdup(path), first[1];
	int fd = open_dir_of(path);
	unsigned removed = 0;

	if (fd >= 0 && dup != NULL)
		removed = oi_sweep_stale_at(fd, basename(dup), first, 0);
	if (fd >= 0)
		close(fd);
	free(dup);
	return removed;
}

/*
 * A second descriptor holds the lock so that closing the data descriptor
 * (which reports write-back errors) does not release it before commit.
 */
static void
hold_lock(struct oi_outfile *of)
{
	of->lock_fd = open(of->tmp_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	of->locked = of->lock_fd >= 0;
	if (of->locked)
		(void)flock(of->lock_fd, LOCK_EX | LOCK_NB);
}

/* mkstemp makes 0600 files; outputs should get the usual 0666 & ~umask. */
static mode_t
current_umask(void)
{
	mode_t m = umask(022);

	umask(m);
	return m;
}

int
oi_outfile_open(struct oi_outfile *of, const char *path, bool force,
    struct optimg_error *err)
{
	struct stat st;

	memset(of, 0, sizeof(*of));
	of->fd = -1;
	of->force = force;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return oi_set_error(err, OPTIMG_EINVAL,
			    "'%s' is a directory", path);
		if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode))
			return oi_set_error(err, OPTIMG_EINVAL,
			    "'%s' is a device; refusing to write to it", path);
		if (!force) {
			oi_set_error(err, OPTIMG_EEXIST,
			    "'%s' already exists", path);
			return oi_error_remedy(err, OPTIMG_OPTION_REPLACE,
			    OPTIMG_OPTION_NONE);
		}
	}
	of->stale_removed = sweep_stale(path);
	of->path = strdup(path);
	of->tmp_path = temp_name_for(path);
	of->buf = oi_io_alloc(OI_OUTFILE_BUFSIZE);
	if (of->path == NULL || of->tmp_path == NULL || of->buf == NULL) {
		oi_outfile_abort(of);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	of->fd = mkostemps(of->tmp_path, 5, O_CLOEXEC);
	if (of->fd < 0) {
		int rc = oi_set_errno(err, OPTIMG_EIO, "cannot create '%s'",
		    of->tmp_path);
		free(of->tmp_path);
		of->tmp_path = NULL;
		oi_outfile_abort(of);
		return rc;
	}
	hold_lock(of);
	(void)fchmod(of->fd, 0666 & ~current_umask());
	return OPTIMG_OK;
}

static int flush_buf(struct oi_outfile *of, struct optimg_error *err);

static int
write_fully(struct oi_outfile *of, const uint8_t *p, size_t len,
    struct optimg_error *err)
{
	if (of->pack != NULL)
		return oi_pack_write(of->pack, of->fd, p, len, err);
	while (len > 0) {
		ssize_t n = write(of->fd, p, OI_MIN(len, OI_WRITE_MAX));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oi_set_errno(err, OPTIMG_EIO, "cannot write '%s'",
			    of->path);
		p += n;
		len -= (size_t)n;
	}
	return OPTIMG_OK;
}

int
oi_outfile_pack(struct oi_outfile *of, enum oi_pack_kind kind, unsigned level,
    struct optimg_error *err)
{
	if (kind == OI_PACK_NONE)
		return OPTIMG_OK;
	OI_TRY(oi_outfile_wait(of, err));
	OI_TRY(flush_buf(of, err));
	return oi_pack_new(&of->pack, kind, of->path, level, err);
}

static int
flush_buf(struct oi_outfile *of, struct optimg_error *err)
{
	int rc = write_fully(of, of->buf, of->len, err);

	of->len = 0;
	return rc;
}

static void
write_job(void *arg)
{
	struct oi_outfile *of = arg;

	of->async_errno = 0;
	if (write_fully(of, of->async_data, of->async_len, &of->async_err) < 0)
		of->async_errno = EIO;
}

/* Reports how the background write, handed over last, went. */
static int
async_status(struct oi_outfile *of, struct optimg_error *err)
{
	if (of->async_errno == 0)
		return OPTIMG_OK;
	of->async_errno = 0;
	*err = of->async_err;
	return err->code;
}

/* Waits for the background write, if any, and reports how it went. */
static int
wait_async(struct oi_outfile *of, struct optimg_error *err)
{
	oi_worker_wait(&of->writer);
	return async_status(of, err);
}

int
oi_outfile_wait(struct oi_outfile *of, struct optimg_error *err)
{
	return wait_async(of, err);
}

int
oi_outfile_write_async(struct oi_outfile *of, const void *data, size_t len,
    struct optimg_error *err)
{
	OI_TRY(wait_async(of, err));
	OI_TRY(flush_buf(of, err));
	of->async_data = data;
	of->async_len = len;
	of->async_own = false;
	of->written += len;
	if (!oi_worker_submit(&of->writer, write_job, of))
		return write_fully(of, data, len, err);
	return OPTIMG_OK;
}

/*
 * The buffer is full: the writer thread writes it while the caller fills
 * the spare one.  Without a spare (no memory) it is written here.
 */
static int
flush_behind(struct oi_outfile *of, struct optimg_error *err)
{
	uint8_t *full = of->buf;

	OI_TRY(wait_async(of, err));
	if (of->spare == NULL &&
	    (of->spare = oi_io_alloc(OI_OUTFILE_BUFSIZE)) == NULL)
		return flush_buf(of, err);
	of->buf = of->spare;
	of->spare = full;
	of->async_data = full;
	of->async_len = of->len;
	of->async_own = true;
	of->len = 0;
	if (!oi_worker_submit(&of->writer, write_job, of))
		return write_fully(of, full, of->async_len, err);
	return OPTIMG_OK;
}

/* A caller's buffer handed to write_async is free again at this call. */
static int
release_callers(struct oi_outfile *of, struct optimg_error *err)
{
	return of->async_own ? OPTIMG_OK : wait_async(of, err);
}

int
oi_outfile_write(struct oi_outfile *of, const void *data, size_t len,
    struct optimg_error *err)
{
	const uint8_t *p = data;

	OI_TRY(release_callers(of, err));

	/* Whole buffers' worth skip the buffer: one copy fewer. */
	if (of->len == 0 && len >= OI_OUTFILE_BUFSIZE) {
		OI_TRY(wait_async(of, err));
		OI_TRY(write_fully(of, p, len, err));
		of->written += len;
		return OPTIMG_OK;
	}
	while (len > 0) {
		size_t n = OI_MIN(len, OI_OUTFILE_BUFSIZE - of->len);
		memcpy(of->buf + of->len, p, n);
		of->len += n;
		of->written += n;
		p += n;
		len -= n;
		if (of->len == OI_OUTFILE_BUFSIZE)
			OI_TRY(flush_behind(of, err));
	}
	return OPTIMG_OK;
}

int
oi_outfile_space(struct oi_outfile *of, uint8_t **p, size_t *room,
    struct optimg_error *err)
{
	OI_TRY(release_callers(of, err));
	*p = of->buf + of->len;
	*room = OI_OUTFILE_BUFSIZE - of->len;
	return OPTIMG_OK;
}

int
oi_outfile_advance(struct oi_outfile *of, size_t n, struct optimg_error *err)
{
	if (n > OI_OUTFILE_BUFSIZE - of->len)
		return oi_set_error(err, OPTIMG_EINVAL, "internal error: "
		    "%zu bytes put in the buffer of '%s' past its end", n,
		    of->path);
	of->len += n;
	of->written += n;
	return of->len == OI_OUTFILE_BUFSIZE ? flush_behind(of, err) :
	    OPTIMG_OK;
}

/*
 * Measured where buffered writes are slow to get pages (a VM whose freed
 * memory goes back to its host): 3.2 GB in 8 files, read and written on
 * two threads, 128 KiB writes, page cache warmed as the shared harness
 * does, 4 runs each: 0.37-0.55 s after fallocate, 0.94-2.5 s without.
 * Writes into a reserved extent skip ext4's per-block delayed allocation.
 */
int
oi_outfile_reserve(struct oi_outfile *of, uint64_t len,
    struct optimg_error *err)
{
#ifdef FALLOC_FL_KEEP_SIZE
	if (of->pack != NULL || len == 0 || len > (uint64_t)INT64_MAX -
	    of->written)
		return OPTIMG_OK;
	if (fallocate(of->fd, FALLOC_FL_KEEP_SIZE, (off_t)of->written,
	    (off_t)len) == 0)
		return OPTIMG_OK;
	if (errno == ENOSPC || errno == EDQUOT)
		return oi_set_errno(err, OPTIMG_EIO, "no room for the %llu "
		    "bytes of '%s'", (unsigned long long)(of->written + len),
		    of->path);
#else
	(void)of;
	(void)len;
	(void)err;
#endif
	return OPTIMG_OK;
}

int
oi_outfile_pwrite(struct oi_outfile *of, const void *data, size_t len,
    uint64_t off, struct optimg_error *err)
{
	const uint8_t *p = data;

	if (of->pack != NULL)
		return oi_set_error(err, OPTIMG_EUNSUPP, "'%s' is compressed "
		    "as it is written and cannot be rewritten in place",
		    of->path);
	OI_TRY(wait_async(of, err));
	OI_TRY(flush_buf(of, err));
	while (len > 0) {
		ssize_t n = pwrite(of->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oi_set_errno(err, OPTIMG_EIO, "cannot write '%s'",
			    of->path);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return OPTIMG_OK;
}

uint64_t
oi_outfile_size(const struct oi_outfile *of)
{
	return of->written;
}

int
oi_outfile_finish(struct oi_outfile *of, struct optimg_error *err)
{
	oi_worker_stop(&of->writer);
	OI_TRY(async_status(of, err));
	OI_TRY(flush_buf(of, err));
	if (of->pack != NULL) {
		OI_TRY(oi_pack_finish(of->pack, of->fd, err));
		oi_pack_free(of->pack);
		of->pack = NULL;
	}
	if (close(of->fd) < 0) {
		of->fd = -1;
		return oi_set_errno(err, OPTIMG_EIO, "cannot write '%s'",
		    of->path);
	}
	of->fd = -1;
	return OPTIMG_OK;
}

/*
 * Puts tmp in place as path.  Without force an existing path is never
 * replaced, even one that appeared after the work began: of two runs
 * writing one name, the second to finish fails instead of silently
 * replacing the first one's file.
 */
static int
publish(const char *tmp, const char *path, bool force)
{
	struct stat st;

	if (force)
		return rename(tmp, path);
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return -1;
	/* No RENAME_NOREPLACE here (older kernels, some file systems). */
	if (link(tmp, path) == 0) {
		(void)unlink(tmp);
		return 0;
	}
	if (errno == EEXIST)
		return -1;
	/* No hard links either (FAT): the small window is all we can do. */
	if (lstat(path, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(tmp, path);
}

int
oi_publish(const char *tmp, const char *path, bool force,
    struct optimg_error *err)
{
	if (publish(tmp, path, force) == 0)
		return OPTIMG_OK;
	if (errno == EEXIST) {
		oi_set_error(err, OPTIMG_EEXIST, "'%s' appeared while it was "
		    "written (another run?); it is left as it is", path);
		return oi_error_remedy(err, OPTIMG_OPTION_REPLACE,
		    OPTIMG_OPTION_NONE);
	}
	return oi_set_errno(err, OPTIMG_EIO, "cannot rename '%s' to '%s'",
	    tmp, path);
}

static int
commit_one(struct oi_outfile *of, struct optimg_error *err)
{
	OI_TRY(oi_publish(of->tmp_path, of->path, of->force, err));
	free(of->tmp_path);
	of->tmp_path = NULL;
	return OPTIMG_OK;
}

int
oi_outfile_commit(struct oi_outfile *of, struct optimg_error *err)
{
	OI_TRY(commit_one(of, err));
	oi_outfile_abort(of);
	return OPTIMG_OK;
}

int
oi_outfile_commit_all(struct oi_outfile *const *ofs, unsigned n,
    struct optimg_error *err)
{
	unsigned i;
	int rc = OPTIMG_OK;

	for (i = 0; i < n && rc == OPTIMG_OK; i++)
		if (ofs[i] != NULL)
			rc = commit_one(ofs[i], err);
	/* Made new by this run (no --force): take them back. */
	for (unsigned j = 0; rc < 0 && j + 1 < i; j++)
		if (ofs[j] != NULL && !ofs[j]->force)
			(void)unlink(ofs[j]->path);
	for (unsigned j = 0; j < n; j++)
		if (ofs[j] != NULL)
			oi_outfile_abort(ofs[j]);
	return rc;
}

void
oi_outfile_abort(struct oi_outfile *of)
{
	struct optimg_error ignored;

	oi_worker_stop(&of->writer);
	(void)async_status(of, &ignored);
	if (of->fd >= 0)
		close(of->fd);
	of->fd = -1;
	if (of->tmp_path != NULL)
		unlink(of->tmp_path);
	if (of->locked)
		close(of->lock_fd);
	of->locked = false;
	free(of->tmp_path);
	of->tmp_path = NULL;
	free(of->buf);
	of->buf = NULL;
	free(of->spare);
	of->spare = NULL;
	free(of->path);
	of->path = NULL;
	oi_pack_free(of->pack);
	of->pack = NULL;
}

bool
oi_same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}
