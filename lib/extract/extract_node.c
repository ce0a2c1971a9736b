/*
 * extract_node.c - making one entry of an extraction: directories (the
 * walk's stack of open descriptors), regular files, symbolic links and
 * special files, each relative to its parent's descriptor and never
 * through a symbolic link.
 *
 * Modes: the process umask is read once (from /proc, as umask() cannot be
 * read without setting it, and setting it is process-wide), and fchmod()
 * is called only when the umask would clip a mode or set-id and sticky
 * bits are wanted.  Where the umask cannot be read, every mode is set.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "extract_private.h"
#include "fs_private.h"
#include "outfile.h"

mode_t
oi_ex_read_umask(void)
{
	char line[128];
	unsigned mask;
	mode_t found = 0777;
	FILE *f = fopen("/proc/self/status", "re");

	if (f == NULL)
		return found;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Umask: %o", &mask) == 1) {
			found = (mode_t)(mask & 0777);
			break;
		}
	fclose(f);
	return found;
}

void
oi_ex_times(const struct optimg_fs_stat *st, struct timespec ts[2])
{
	ts[0].tv_sec = (time_t)st->atime.sec;
	ts[0].tv_nsec = st->atime.nsec;
	ts[1].tv_sec = (time_t)st->mtime.sec;
	ts[1].tv_nsec = st->mtime.nsec;
}

/* True when creating with mode & 0777 would not give mode exactly. */
static bool
needs_chmod(const struct ex *ex, uint32_t mode)
{
	return (mode & 07000) != 0 || (mode & 0777 & ex->umask) != 0;
}

/* True when sb is a file of the image being read (its own, or a bin). */
static bool
is_image_file(const struct ex *ex, const struct stat *sb)
{
	const struct optimg_image *img = ex->fs->img;
	struct stat is;

	for (unsigned i = 0; img != NULL && i < img->nstreams; i++)
		if (img->streams[i].fd >= 0 &&
		    fstat(img->streams[i].fd, &is) == 0 &&
		    is.st_dev == sb->st_dev && is.st_ino == sb->st_ino)
			return true;
	return false;
}

/*
 * Called after creating name in dfd failed with EEXIST: makes room for a
 * new non-directory.  The image being read is never replaced, even when
 * overwriting: it may hold a file of its own name.  Returns 0 when the name may be tried again, -1
 * (reported) when it is taken and may not be replaced.
 */
int
oi_ex_clear_place(struct ex *ex, int dfd, const char *name, const char *path)
{
	struct stat sb;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		oi_ex_fail_errno(ex, "create", path);
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		oi_ex_report(ex, OPTIMG_EXTRACT_IS_DIR, path, NULL, 0);
		return -1;
	}
	if (is_image_file(ex, &sb)) {
		oi_ex_report(ex, OPTIMG_EXTRACT_REFUSED, path,
		    "it would replace the image being read", 0);
		return -1;
	}
	if (!ex->opts->overwrite) {
		oi_ex_report(ex, OPTIMG_EXTRACT_EXISTS, path, NULL, 0);
		return -1;
	}
	if (unlinkat(dfd, name, 0) < 0) {
		oi_ex_fail_errno(ex, "remove", path);
		return -1;
	}
	return 0;
}

/* ---- directories -------------------------------------------------------- */

struct ex_dir *
oi_ex_top_dir(const struct ex *ex)
{
	return ex->dirs[ex->ndirs - 1];
}

int
oi_ex_top_fd(const struct ex *ex)
{
	return ex->ndirs > 0 ? oi_ex_top_dir(ex)->fd : ex->opts->dirfd;
}

/* Pushes a directory for the walk; fd < 0 marks one being skipped. */
int
oi_ex_push_dir(struct ex *ex, int fd, const char *path,
    const struct optimg_fs_stat *st)
{
	struct ex_dir *d;

	if (ex->ndirs == ex->capdirs) {
		unsigned cap = ex->capdirs ? ex->capdirs * 2 : 64;
		struct ex_dir **p = oi_reallocarray(ex->dirs, cap, sizeof(*p));

		if (p == NULL)
			goto fail;
		ex->dirs = p;
		ex->capdirs = cap;
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		goto fail;
	d->fd = fd;
	d->refs = 1;
	if (st != NULL && fd >= 0) {
		d->attrs = true;
		d->mode = st->mode & 07777;
		oi_ex_times(st, d->ts);
		if ((d->path = strdup(path)) == NULL) {
			free(d);
			goto fail;
		}
	}
	ex->dirs[ex->ndirs++] = d;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	oi_ex_report(ex, OPTIMG_EXTRACT_NOMEM, path, NULL, 0);
	return -1;
}

/* Sets a finished directory's mode and times, closes and frees it. */
static void
dir_finish(struct ex *ex, struct ex_dir *d)
{
	if (d->fd >= 0) {
		if (d->attrs && (fchmod(d->fd, d->mode) < 0 ||
		    futimens(d->fd, d->ts) < 0))
			oi_ex_fail_errno(ex, "set attributes of", d->path);
		close(d->fd);
	}
	free(d->path);
	free(d);
}

/* Drops n references; the last one finishes the directory. */
void
oi_ex_dir_release(struct ex *ex, struct ex_dir *d, unsigned n)
{
	bool last;

	oi_ex_lock(ex);
	d->refs -= n;
	last = d->refs == 0;
	oi_ex_unlock(ex);
	if (last)
		dir_finish(ex, d);
}

static int
refuse_link_in_place(struct ex *ex, const char *path)
{
	oi_ex_report(ex, OPTIMG_EXTRACT_REFUSED, path,
	    "a symbolic link stands where the directory goes", 0);
	return -1;
}

/* mkdirat() or, when a directory is there already, nothing; 0 or -1. */
static int
place_dir(struct ex *ex, int dfd, const char *path, const char *name,
    bool *made)
{
	struct stat sb;

	*made = mkdirat(dfd, name, ex->dirmode) == 0;
	if (*made)
		return 0;
	if (errno != EEXIST ||
	    fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		oi_ex_fail_errno(ex, "create directory", path);
		return -1;
	}
	if (S_ISLNK(sb.st_mode))
		return refuse_link_in_place(ex, path);
	if (S_ISDIR(sb.st_mode))
		return 0;
	if (!ex->opts->overwrite) {
		oi_ex_report(ex, OPTIMG_EXTRACT_NOT_DIR, path, NULL, 0);
		return -1;
	}
	if (unlinkat(dfd, name, 0) < 0 || mkdirat(dfd, name, ex->dirmode) < 0) {
		oi_ex_fail_errno(ex, "create directory", path);
		return -1;
	}
	*made = true;
	return 0;
}

/* Creates (or reuses) a directory; its descriptor, or -1 (reported). */
int
oi_ex_make_dir(struct ex *ex, const char *path, const char *name)
{
	int dfd = oi_ex_top_fd(ex), fd;
	bool made;

	if (place_dir(ex, dfd, path, name, &made) < 0)
		return -1;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			return refuse_link_in_place(ex, path);
		oi_ex_fail_errno(ex, "open directory", path);
		return -1;
	}
	/* The walk must be able to write into it whatever the umask. */
	if (made && (ex->dirmode & ex->umask) != 0 &&
	    fchmod(fd, ex->dirmode) < 0) {
		oi_ex_fail_errno(ex, "set attributes of", path);
		close(fd);
		return -1;
	}
	if (!made)
		oi_ex_sweep(ex, fd, path);
	oi_ex_add(&ex->res.dirs, 1);
	return fd;
}

/*
 * A directory that was there before this run may hold the temporary
 * files of an extraction that was killed: they are removed (never a live
 * run's, see outfile.h) and reported in one line.
 */
void
oi_ex_sweep(struct ex *ex, int dfd, const char *path)
{
	char first[NAME_MAX + 1], what[NAME_MAX + 128];
	unsigned n = oi_sweep_stale_at(dfd, NULL, first, sizeof(first));

	if (n == 0)
		return;
	oi_stale_message(what, sizeof(what), n, first);
	oi_ex_report(ex, OPTIMG_EXTRACT_STALE, path, what, 0);
}

/* ---- regular files (calling thread or workers) -------------------------- */

static int
copy_progress(void *ctx, uint64_t bytes)
{
	struct ex_reader *r = ctx;

	oi_ex_add(&r->ex->done, bytes);
	if (r == &r->ex->main)
		return !oi_ex_progress(r->ex);
	return oi_ex_canceled(r->ex);
}

static int
copy_data(struct ex_reader *r, const struct optimg_fs_stat *st, int fd,
    const char *path)
{
	int rc = optimg_fs_copy_out(r->fs, st, fd, copy_progress, r);

	if (rc < 0 && rc != OPTIMG_ECANCELED)
		oi_ex_report(r->ex, OPTIMG_EXTRACT_READ, path,
		    optimg_fs_errmsg(r->fs), 0);
	return rc < 0 ? -1 : 0;
}

/* A six-character tag from a counter (outfile.h: ".NAME.PID.TAG.part"). */
static void
tag_of(unsigned n, char tag[7])
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuvwxyz";

	for (int i = 5; i >= 0; i--, n /= 36)
		tag[i] = digits[n % 36];
	tag[6] = '\0';
}

/*
 * Data goes to a hidden ".NAME.PID.TAG.part" beside the final name,
 * locked while it is written, and is renamed when whole: a run killed
 * outright leaves no partial file under a name from the image, and the
 * next run into the directory removes what it left.  The final name is
 * cleared first (or reported), so that no data is copied for nothing.
 */
static int
create_file(struct ex *ex, struct ex_dir *d, const struct ex_file *f,
    char *tmp, size_t cap)
{
	static unsigned counter;
	const struct optimg_fs_stat *st = &f->st;
	int fd = -1, flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC;
	struct stat sb;

	if (fstatat(d->fd, st->name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    oi_ex_clear_place(ex, d->fd, st->name, f->path) < 0)
		return -1;
	for (unsigned tries = 0; fd < 0 && tries < 100; tries++) {
		char tag[7];

		tag_of(__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED), tag);
		snprintf(tmp, cap, ".%.200s.%ld.%s.part", st->name,
		    (long)getpid(), tag);
		fd = openat(d->fd, tmp, flags, st->mode & 0777);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	if (fd < 0)
		oi_ex_fail_errno(ex, "create", f->path);
	else
		(void)flock(fd, LOCK_EX | LOCK_NB);
	return fd;
}

/* Renames the whole file into place; another entry of the same name may
 * have come first (overwrite decides). */
static bool
place_file(struct ex *ex, struct ex_dir *d, const struct ex_file *f,
    const char *tmp)
{
	const char *name = f->st.name;

	if (renameat2(d->fd, tmp, d->fd, name, RENAME_NOREPLACE) == 0)
		return true;
	if (errno == EINVAL || errno == ENOSYS) {	/* no NOREPLACE here */
		if (linkat(d->fd, tmp, d->fd, name, 0) == 0) {
			unlinkat(d->fd, tmp, 0);
			return true;
		}
	}
	if (errno != EEXIST) {
		oi_ex_fail_errno(ex, "create", f->path);
		return false;
	}
	if (oi_ex_clear_place(ex, d->fd, name, f->path) < 0)
		return false;	/* reported */
	if (renameat(d->fd, tmp, d->fd, name) == 0)
		return true;
	oi_ex_fail_errno(ex, "create", f->path);
	return false;
}

void
oi_ex_write_file(struct ex_reader *r, struct ex_dir *d,
    const struct ex_file *f)
{
	struct ex *ex = r->ex;
	const struct optimg_fs_stat *st = &f->st;
	struct timespec ts[2];
	char tmp[256];
	bool ok = false;
	int fd;

	if ((fd = create_file(ex, d, f, tmp, sizeof(tmp))) < 0)
		goto out;
	if (copy_data(r, st, fd, f->path) < 0) {
		;	/* the temporary file goes below */
	} else {
		oi_ex_times(st, ts);
		if ((needs_chmod(ex, st->mode) &&
		    fchmod(fd, st->mode & 07777) < 0) || futimens(fd, ts) < 0)
			oi_ex_fail_errno(ex, "set attributes of", f->path);
		else
			ok = true;
	}
	if (close(fd) < 0) {
		oi_ex_fail_errno(ex, "write", f->path);
		ok = false;
	}
	if (ok)
		ok = place_file(ex, d, f, tmp);
	if (!ok)	/* no half-written file passes for the real one */
		unlinkat(d->fd, tmp, 0);
	if (ok) {
		oi_ex_add(&ex->res.files, 1);
		oi_ex_add(&ex->res.bytes, st->size);
	}
out:
	if (f->primary)
		oi_ex_link_settle(ex, st->ino, f->path + 1, ok);
}

/* ---- symbolic links and special files (calling thread) ------------------ */

static void
make_symlink(struct ex *ex, const char *path, const struct optimg_fs_stat *st)
{
	struct timespec ts[2];
	const char *target = st->symlink != NULL ? st->symlink : "";
	int dfd = oi_ex_top_fd(ex), rc;

	rc = symlinkat(target, dfd, st->name);
	if (rc < 0 && errno == EEXIST) {
		if (oi_ex_clear_place(ex, dfd, st->name, path) < 0)
			return;
		rc = symlinkat(target, dfd, st->name);
	}
	if (rc < 0) {
		oi_ex_fail_errno(ex, "create symbolic link", path);
		return;
	}
	oi_ex_times(st, ts);
	utimensat(dfd, st->name, ts, AT_SYMLINK_NOFOLLOW);
	oi_ex_add(&ex->res.symlinks, 1);
}

static mode_t
node_type(enum optimg_fs_type t)
{
	return t == OPTIMG_FS_CHR ? S_IFCHR : t == OPTIMG_FS_BLK ? S_IFBLK :
	    t == OPTIMG_FS_FIFO ? S_IFIFO : S_IFSOCK;
}

void
oi_ex_special(struct ex *ex, const char *path, const struct optimg_fs_stat *st)
{
	struct timespec ts[2];
	int dfd = oi_ex_top_fd(ex), rc;
	dev_t dev = makedev(st->rdev_major, st->rdev_minor);
	mode_t mode = node_type(st->type) | (st->mode & 0777);

	if (st->type == OPTIMG_FS_SYMLINK) {
		make_symlink(ex, path, st);
		return;
	}
	if ((st->type == OPTIMG_FS_CHR || st->type == OPTIMG_FS_BLK) &&
	    ex->opts->devices == OPTIMG_EXTRACT_DEVICES_SKIP) {
		oi_ex_report(ex, OPTIMG_EXTRACT_DEVICE_SKIPPED, path, NULL, 0);
		return;
	}
	rc = mknodat(dfd, st->name, mode, dev);
	if (rc < 0 && errno == EEXIST) {
		if (oi_ex_clear_place(ex, dfd, st->name, path) < 0)
			return;
		rc = mknodat(dfd, st->name, mode, dev);
	}
	if (rc < 0) {
		oi_ex_fail_errno(ex, "create special file", path);
		return;
	}
	oi_ex_times(st, ts);
	if ((needs_chmod(ex, st->mode) &&
	    fchmodat(dfd, st->name, st->mode & 07777, 0) < 0) ||
	    utimensat(dfd, st->name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		oi_ex_fail_errno(ex, "set attributes of", path);
	else
		oi_ex_add(&ex->res.specials, 1);
}
