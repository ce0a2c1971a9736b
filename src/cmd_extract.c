/*
 * cmd_extract.c - `optimg extract`: copy files out of an image's file
 * system into a directory, keeping modes, times, symlinks and hard links.
 *
 * Safety: every name from the image is hostile.  Nothing is ever opened by
 * a path string built from image names.  Each directory is created with
 * mkdirat() and entered with openat(O_DIRECTORY | O_NOFOLLOW) relative to
 * its parent's descriptor; files are created with O_CREAT | O_EXCL |
 * O_NOFOLLOW.  A name that is empty, ".", ".." or holds a '/' is refused,
 * and so is a directory whose place is taken by a symlink; the rest of
 * the extraction goes on and the exit status is 1.
 *
 * Speed: creating files is what costs (the kernel serialises creation
 * inside one directory), so the walk runs on the main thread, making
 * directories, symlinks and hard links in order, and hands regular files
 * in batches of one directory to a few worker threads; different workers
 * thus mostly create in different directories.  Each worker reads through
 * its own optimg_fs opened on the same image, as the reader is not
 * thread-safe; file data moves through optimg_fs_copy_out(), which lets
 * the kernel copy it where the image stores it plainly.  A directory's
 * descriptor stays open until the walk has left it and its last batch is
 * written; its mode and times are set then.
 * umask is 0 while extracting, so openat() gives each file its exact mode
 * and fchmod() is only needed for set-id and sticky bits.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define EX_WORKERS	4		/* at most */
#define EX_BATCH_FILES	256		/* a batch: files of one directory */
#define EX_BATCH_BYTES	(32ull << 20)
#define EX_QUEUE	8		/* batches waiting for a worker */

enum link_state { LINK_PENDING, LINK_DONE, LINK_FAILED };

struct link {
	uint64_t	 ino;
	char		*relpath;	/* from the -C directory */
	enum link_state	 state;
};

/* A directory being filled; freed when the walk and all batches are done. */
struct xdir {
	int			 fd;
	unsigned		 refs;	/* the walk + batches not yet written */
	bool			 attrs;	/* set mode and times when done */
	uint32_t		 mode;
	struct timespec		 ts[2];
	char			*path;
};

/* A regular file to write: one allocation with its extents and names. */
struct xfile {
	struct optimg_fs_stat	 st;
	const char		*path;
	bool			 primary;	/* first of its hard links */
};

struct batch {
	struct batch		*next;
	struct xdir		*dir;
	struct xfile		*files[EX_BATCH_FILES];
	unsigned		 n;
	uint64_t		 bytes;
};

/* What reads and writes file data: the main thread or one worker. */
struct reader {
	struct ex		*ex;
	struct optimg_image	*img;		/* fs's; owned by workers */
	struct optimg_fs	*fs;
	pthread_t		 thread;
};

struct ex {
	struct optimg_fs	*fs;
	const char		*image;
	const char		*dirname;
	struct optimg_fs_opts	 opts;
	int			 rootfd;
	bool			 force;
	mode_t			 dirmode;	/* new directories, at first */
	unsigned		 failed;	/* under mu */
	struct xdir		**dirs;		/* the walk's, per depth */
	unsigned		 ndirs, capdirs;
	struct link		*links;		/* open hash on ino, under mu */
	size_t			 nlinks, caplinks;
	struct batch		*cur;		/* being filled by the walk */
	struct reader		 main;
	struct reader		 workers[EX_WORKERS];
	unsigned		 nworkers;
	/* The queue of batches and everything workers share. */
	pthread_mutex_t		 mu;
	pthread_cond_t		 work;		/* workers wait for batches */
	pthread_cond_t		 idle;		/* the walk waits for room */
	struct batch		*head, **tail;
	unsigned		 queued, busy;
	bool			 closing;
	struct cli_progress	 progress;
	uint64_t		 done, total;	/* done: atomic */
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: optimg extract [-C DIR] [--force] [--boot-images]\n"
	    "                      [--namespace NS] [--session N] IMAGE [PATH...]\n"
	    "\n"
	    "Copies files and directories out of the ISO 9660 (Rock Ridge,\n"
	    "Joliet) or UDF file system on IMAGE into DIR, without mounting.\n"
	    "Each PATH (default: everything) is recreated under DIR with its\n"
	    "full path in the image, as tar does.  Modes, modification times,\n"
	    "symbolic links and hard links are kept; files of 4 GiB and more\n"
	    "are joined from their extents; runs of zeros become holes.\n"
	    "\n"
	    "Names that would leave DIR ('..', names with '/', a symbolic link\n"
	    "standing where a directory goes) are refused one by one with an\n"
	    "error naming them; everything else is still extracted and the\n"
	    "exit status is 1.\n"
	    "\n"
	    "Options:\n"
	    "  -C, --directory DIR  extract into DIR (default: the current\n"
	    "                       directory); it must exist\n"
	    "  -f, --force          replace files that exist already (never\n"
	    "                       directories)\n"
	    "      --boot-images    also write each El Torito boot image as\n"
	    "                       DIR/boot-N-PLATFORM.img\n"
	    "      --namespace NS   rr, joliet, iso or udf (see 'optimg ls --help')\n"
	    "      --session N      read session N (default: the last)\n"
	    "  -q, --quiet          no progress bar\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "Example:\n"
	    "  mkdir out && optimg extract -C out disc.iso /isolinux\n");
}

/* ---- small helpers ------------------------------------------------------ */

static void
lock(struct ex *ex)
{
	if (ex->nworkers > 0)
		pthread_mutex_lock(&ex->mu);
}

static void
unlock(struct ex *ex)
{
	if (ex->nworkers > 0)
		pthread_mutex_unlock(&ex->mu);
}

static void
count_failure(struct ex *ex)
{
	lock(ex);
	ex->failed++;
	unlock(ex);
}

/* cli_error() in one piece even when several threads report at once. */
#define ex_error(ex, ...) do {						\
	flockfile(stderr);						\
	cli_error(__VA_ARGS__);						\
	funlockfile(stderr);						\
	count_failure(ex);						\
} while (0)

static const char *
bad_name(const char *name)
{
	if (name[0] == '\0')
		return "the name is empty";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "the name would leave its directory";
	if (strchr(name, '/') != NULL)
		return "the name holds a '/' (an absolute or nested path)";
	return NULL;
}

static void
refuse(struct ex *ex, const char *path, const char *why)
{
	ex_error(ex, "refusing '%s': %s", path, why);
}

static void
fail_errno(struct ex *ex, const char *what, const char *path)
{
	int e = errno;

	ex_error(ex, "cannot %s '%s': %s", what, path, strerror(e));
}

static void
times_of(const struct optimg_fs_stat *st, struct timespec ts[2])
{
	ts[0].tv_sec = (time_t)st->atime.sec;
	ts[0].tv_nsec = st->atime.nsec;
	ts[1].tv_sec = (time_t)st->mtime.sec;
	ts[1].tv_nsec = st->mtime.nsec;
}

static void
add_done(struct ex *ex, uint64_t n)
{
	__atomic_fetch_add(&ex->done, n, __ATOMIC_RELAXED);
}

/*
 * Called after creating name in dfd failed with EEXIST: makes room for a
 * new non-directory.  Returns 0 when the name may be tried again, -1
 * (reported) when it is taken and may not be replaced.
 */
static int
clear_place(struct ex *ex, int dfd, const char *name, const char *path)
{
	struct stat sb;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0 : (fail_errno(ex, "create", path),
		    -1);
	if (S_ISDIR(sb.st_mode)) {
		ex_error(ex, "cannot replace directory '%s' with a file", path);
		return -1;
	}
	if (!ex->force) {
		ex_error(ex, "'%s' exists (use --force to replace it)", path);
		return -1;
	}
	if (unlinkat(dfd, name, 0) < 0) {
		fail_errno(ex, "remove", path);
		return -1;
	}
	return 0;
}

/* ---- directories -------------------------------------------------------- */

static struct xdir *
top_dir(const struct ex *ex)
{
	return ex->dirs[ex->ndirs - 1];
}

static int
top_fd(const struct ex *ex)
{
	return ex->ndirs > 0 ? top_dir(ex)->fd : ex->rootfd;
}

/* Pushes a directory for the walk; fd < 0 marks one being skipped. */
static int
push_dir(struct ex *ex, int fd, const char *path,
    const struct optimg_fs_stat *st)
{
	struct xdir *d;

	if (ex->ndirs == ex->capdirs) {
		unsigned cap = ex->capdirs ? ex->capdirs * 2 : 64;
		struct xdir **p = realloc(ex->dirs, cap * sizeof(*p));

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
		times_of(st, d->ts);
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
	ex_error(ex, "out of memory");
	return -1;
}

/* Sets a finished directory's mode and times, closes and frees it. */
static void
dir_finish(struct ex *ex, struct xdir *d)
{
	if (d->fd >= 0) {
		if (d->attrs && (fchmod(d->fd, d->mode) < 0 ||
		    futimens(d->fd, d->ts) < 0))
			fail_errno(ex, "set attributes of", d->path);
		close(d->fd);
	}
	free(d->path);
	free(d);
}

/* Drops n references; the last one finishes the directory. */
static void
dir_release(struct ex *ex, struct xdir *d, unsigned n)
{
	bool last;

	lock(ex);
	d->refs -= n;
	last = d->refs == 0;
	unlock(ex);
	if (last)
		dir_finish(ex, d);
}

/* ---- hard links (the table is under mu) --------------------------------- */

static struct link *
link_slot(struct ex *ex, uint64_t ino)
{
	size_t i = (size_t)(ino * 0x9e3779b97f4a7c15ull) & (ex->caplinks - 1);

	while (ex->links[i].relpath != NULL && ex->links[i].ino != ino)
		i = (i + 1) & (ex->caplinks - 1);
	return &ex->links[i];
}

/* Claims ino for relpath, pending; false when out of memory. */
static bool
link_claim(struct ex *ex, uint64_t ino, const char *relpath)
{
	struct link *l;
	char *copy;

	if (ex->nlinks * 2 >= ex->caplinks) {
		struct link *old = ex->links;
		size_t oldcap = ex->caplinks, i;

		ex->caplinks = oldcap ? oldcap * 2 : 256;
		ex->links = calloc(ex->caplinks, sizeof(*ex->links));
		if (ex->links == NULL) {
			ex->links = old;
			ex->caplinks = oldcap;
			return false;
		}
		for (i = 0; i < oldcap; i++)
			if (old[i].relpath != NULL)
				*link_slot(ex, old[i].ino) = old[i];
		free(old);
	}
	if ((copy = strdup(relpath)) == NULL)
		return false;
	l = link_slot(ex, ino);
	if (l->relpath == NULL)
		ex->nlinks++;
	free(l->relpath);
	l->relpath = copy;
	l->ino = ino;
	l->state = LINK_PENDING;
	return true;
}

/* A worker says how the first of some hard links went. */
static void
link_settle(struct ex *ex, uint64_t ino, const char *relpath, bool ok)
{
	struct link *l;

	lock(ex);
	l = link_slot(ex, ino);
	if (l->relpath != NULL && strcmp(l->relpath, relpath) == 0)
		l->state = ok ? LINK_DONE : LINK_FAILED;
	if (ex->nworkers > 0)
		pthread_cond_broadcast(&ex->idle);
	unlock(ex);
}

/* Opens the directory holding relpath, one O_NOFOLLOW step at a time. */
static int
open_parent(struct ex *ex, const char *relpath, const char **base)
{
	char *copy = strdup(relpath), *p, *slash;
	int fd = dup(ex->rootfd), next;

	if (copy == NULL || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*base = strrchr(relpath, '/') ? strrchr(relpath, '/') + 1 : relpath;
	for (p = copy; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		*slash = '\0';
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (next < 0) {
			free(copy);
			return -1;
		}
		fd = next;
	}
	free(copy);
	return fd;
}

static void flush_batch(struct ex *ex);
static void wait_idle_tick(struct ex *ex);

/*
 * For a file with several links: 1 when it was made (or failed, reported)
 * as a hard link to one extracted before; 0 when it is to be written, as
 * the first of its links when *primary.  Runs on the main thread.
 */
static int
try_link(struct ex *ex, const struct optimg_fs_stat *st, const char *path,
    bool *primary)
{
	struct link *l;
	char *target = NULL;
	const char *base;
	int pfd, rc;

	*primary = false;
	if (st->ino == 0 || st->nlink < 2)
		return 0;
	lock(ex);
	for (;;) {
		l = ex->caplinks > 0 ? link_slot(ex, st->ino) : NULL;
		if (l == NULL || l->relpath == NULL || l->state != LINK_PENDING)
			break;
		/* Its first link is still being written. */
		unlock(ex);
		flush_batch(ex);
		lock(ex);
		wait_idle_tick(ex);
	}
	if (l != NULL && l->relpath != NULL && l->state == LINK_DONE)
		target = strdup(l->relpath);
	else
		*primary = link_claim(ex, st->ino, path + 1);
	unlock(ex);
	if (target == NULL)
		return 0;
	pfd = open_parent(ex, target, &base);
	if (pfd < 0) {
		free(target);
		*primary = false;
		return 0;
	}
	rc = linkat(pfd, base, top_fd(ex), st->name, 0);
	if (rc < 0 && errno == EEXIST) {
		if (clear_place(ex, top_fd(ex), st->name, path) < 0)
			rc = 1;		/* reported */
		else
			rc = linkat(pfd, base, top_fd(ex), st->name, 0);
	}
	close(pfd);
	free(target);
	if (rc < 0)
		return 0;	/* fall back to a copy */
	add_done(ex, st->size);
	return 1;
}

/* ---- data --------------------------------------------------------------- */

static int
copy_progress(void *ctx, uint64_t bytes)
{
	add_done(ctx, bytes);
	return cli_interrupted != 0;
}

static int
copy_data(struct reader *r, const struct optimg_fs_stat *st, int fd,
    const char *path)
{
	int rc = optimg_fs_copy_out(r->fs, st, fd, copy_progress, r->ex);

	if (rc < 0 && rc != OPTIMG_ECANCELED)
		ex_error(r->ex, "'%s': %s: %s", r->ex->image, path,
		    optimg_fs_errmsg(r->fs));
	return rc < 0 ? -1 : 0;
}

/* ---- regular files (main thread or workers) ----------------------------- */

static void
write_file(struct reader *r, struct xdir *d, const struct xfile *f)
{
	struct ex *ex = r->ex;
	const struct optimg_fs_stat *st = &f->st;
	struct timespec ts[2];
	bool ok = false;
	int fd, flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;

	fd = openat(d->fd, st->name, flags, st->mode & 0777);
	if (fd < 0 && errno == EEXIST) {
		if (clear_place(ex, d->fd, st->name, f->path) < 0)
			goto out;
		fd = openat(d->fd, st->name, flags, st->mode & 0777);
	}
	if (fd < 0) {
		fail_errno(ex, "create", f->path);
		goto out;
	}
	if (copy_data(r, st, fd, f->path) < 0) {
		/* No half-written file is left to pass for the real one. */
		unlinkat(d->fd, st->name, 0);
	} else {
		times_of(st, ts);
		/* umask is 0: only set-id and sticky bits need fchmod. */
		if (((st->mode & 07000) != 0 &&
		    fchmod(fd, st->mode & 07777) < 0) || futimens(fd, ts) < 0)
			fail_errno(ex, "set attributes of", f->path);
		else
			ok = true;
	}
	if (close(fd) < 0) {
		fail_errno(ex, "write", f->path);
		ok = false;
	}
out:
	if (f->primary)
		link_settle(ex, st->ino, f->path + 1, ok);
}

static void
run_batch(struct reader *r, struct batch *b)
{
	unsigned i;

	for (i = 0; i < b->n; i++) {
		if (cli_interrupted) {
			if (b->files[i]->primary)
				link_settle(r->ex, b->files[i]->st.ino,
				    b->files[i]->path + 1, false);
		} else
			write_file(r, b->dir, b->files[i]);
		free(b->files[i]);
	}
	dir_release(r->ex, b->dir, 1);
	free(b);
}

static void *
worker_main(void *arg)
{
	struct reader *r = arg;
	struct ex *ex = r->ex;
	struct batch *b;

	for (;;) {
		pthread_mutex_lock(&ex->mu);
		while (ex->head == NULL && !ex->closing)
			pthread_cond_wait(&ex->work, &ex->mu);
		if ((b = ex->head) == NULL) {
			pthread_mutex_unlock(&ex->mu);
			return NULL;
		}
		if ((ex->head = b->next) == NULL)
			ex->tail = &ex->head;
		ex->queued--;
		ex->busy++;
		pthread_mutex_unlock(&ex->mu);

		run_batch(r, b);

		pthread_mutex_lock(&ex->mu);
		ex->busy--;
		pthread_cond_broadcast(&ex->idle);
		pthread_mutex_unlock(&ex->mu);
	}
}

/*
 * With mu held: waits a little for workers, drawing progress meanwhile
 * (only the main thread draws).
 */
static void
wait_idle_tick(struct ex *ex)
{
	struct timespec until;

	if (ex->nworkers == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 200 * 1000 * 1000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&ex->idle, &ex->mu, &until);
	cli_progress_cb(&ex->progress,
	    __atomic_load_n(&ex->done, __ATOMIC_RELAXED), ex->total);
}

/* Hands the batch being filled to a worker, or writes it at once. */
static void
flush_batch(struct ex *ex)
{
	struct batch *b = ex->cur;

	if (b == NULL)
		return;
	ex->cur = NULL;
	if (ex->nworkers == 0) {
		run_batch(&ex->main, b);
		cli_progress_cb(&ex->progress, ex->done, ex->total);
		return;
	}
	pthread_mutex_lock(&ex->mu);
	while (ex->queued >= EX_QUEUE)
		wait_idle_tick(ex);
	b->next = NULL;
	*ex->tail = b;
	ex->tail = &b->next;
	ex->queued++;
	pthread_cond_signal(&ex->work);
	pthread_mutex_unlock(&ex->mu);
	cli_progress_cb(&ex->progress,
	    __atomic_load_n(&ex->done, __ATOMIC_RELAXED), ex->total);
}

/* Waits until every batch is written. */
static void
drain(struct ex *ex)
{
	flush_batch(ex);
	if (ex->nworkers == 0)
		return;
	pthread_mutex_lock(&ex->mu);
	while (ex->queued > 0 || ex->busy > 0)
		wait_idle_tick(ex);
	pthread_mutex_unlock(&ex->mu);
}

/* Queues a regular file of the current directory. */
static void
queue_file(struct ex *ex, const char *path, const struct optimg_fs_stat *st,
    bool primary)
{
	size_t nlen = strlen(st->name) + 1, plen = strlen(path) + 1;
	size_t elen = (size_t)st->nextents * sizeof(*st->extents);
	struct xfile *f;
	struct batch *b = ex->cur;
	char *p;

	if (b == NULL) {
		if ((b = calloc(1, sizeof(*b))) == NULL)
			goto nomem;
		b->dir = top_dir(ex);
		lock(ex);
		b->dir->refs++;
		unlock(ex);
		ex->cur = b;
	}
	if ((f = malloc(sizeof(*f) + elen + nlen + plen)) == NULL)
		goto nomem;
	f->st = *st;
	f->primary = primary;
	p = (char *)(f + 1);
	if (elen > 0)
		memcpy(p, st->extents, elen);
	f->st.extents = elen > 0 ? (const struct optimg_fs_extent *)p : NULL;
	p += elen;
	f->st.name = memcpy(p, st->name, nlen);
	p += nlen;
	f->path = memcpy(p, path, plen);
	f->st.symlink = NULL;
	b->files[b->n++] = f;
	b->bytes += st->size;
	if (b->n == EX_BATCH_FILES || b->bytes >= EX_BATCH_BYTES)
		flush_batch(ex);
	return;
nomem:
	ex_error(ex, "out of memory");
	if (primary)
		link_settle(ex, st->ino, path + 1, false);
}

/* ---- entries on the main thread ----------------------------------------- */

static void
extract_file(struct ex *ex, const char *path, const struct optimg_fs_stat *st)
{
	bool primary;

	if (try_link(ex, st, path, &primary))
		return;
	queue_file(ex, path, st, primary);
}

static void
extract_special(struct ex *ex, const char *path,
    const struct optimg_fs_stat *st)
{
	struct timespec ts[2];
	int dfd = top_fd(ex), rc;
	const char *target = st->symlink != NULL ? st->symlink : "";
	dev_t dev = makedev(st->rdev_major, st->rdev_minor);
	mode_t type;

	times_of(st, ts);
	if (st->type == OPTIMG_FS_SYMLINK) {
		rc = symlinkat(target, dfd, st->name);
		if (rc < 0 && errno == EEXIST) {
			if (clear_place(ex, dfd, st->name, path) < 0)
				return;
			rc = symlinkat(target, dfd, st->name);
		}
		if (rc < 0) {
			fail_errno(ex, "create symbolic link", path);
			return;
		}
		utimensat(dfd, st->name, ts, AT_SYMLINK_NOFOLLOW);
		return;
	}
	type = st->type == OPTIMG_FS_CHR ? S_IFCHR : st->type ==
	    OPTIMG_FS_BLK ? S_IFBLK : st->type == OPTIMG_FS_FIFO ? S_IFIFO :
	    S_IFSOCK;
	rc = mknodat(dfd, st->name, type | (st->mode & 0777), dev);
	if (rc < 0 && errno == EEXIST) {
		if (clear_place(ex, dfd, st->name, path) < 0)
			return;
		rc = mknodat(dfd, st->name, type | (st->mode & 0777), dev);
	}
	if (rc < 0) {
		fail_errno(ex, "create special file", path);
		return;
	}
	if (((st->mode & 07000) != 0 &&
	    fchmodat(dfd, st->name, st->mode & 07777, 0) < 0) ||
	    utimensat(dfd, st->name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		fail_errno(ex, "set attributes of", path);
}

/* Creates (or reuses) a directory; its descriptor, or -1 (reported). */
static int
make_dir(struct ex *ex, const char *path, const char *name)
{
	struct stat sb;
	int dfd = top_fd(ex), fd;

	if (mkdirat(dfd, name, ex->dirmode) < 0) {
		if (errno != EEXIST) {
			fail_errno(ex, "create directory", path);
			return -1;
		}
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			fail_errno(ex, "create directory", path);
			return -1;
		}
		if (S_ISLNK(sb.st_mode)) {
			refuse(ex, path, "a symbolic link stands where the "
			    "directory goes");
			return -1;
		}
		if (!S_ISDIR(sb.st_mode)) {
			if (!ex->force) {
				ex_error(ex, "'%s' exists and is not a "
				    "directory (use --force to replace it)",
				    path);
				return -1;
			}
			if (unlinkat(dfd, name, 0) < 0 ||
			    mkdirat(dfd, name, ex->dirmode) < 0) {
				fail_errno(ex, "create directory", path);
				return -1;
			}
		}
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			refuse(ex, path, "a symbolic link stands where the "
			    "directory goes");
		else
			fail_errno(ex, "open directory", path);
		return -1;
	}
	return fd;
}

/* The walk leaves the top directory: its batches finish it. */
static void
pop_dir(struct ex *ex)
{
	flush_batch(ex);
	dir_release(ex, ex->dirs[--ex->ndirs], 1);
}

static int
on_entry(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct ex *ex = ctx;
	const char *why;
	bool is_root = strcmp(path, "/") == 0;
	int fd;

	if (cli_interrupted)
		return OPTIMG_ECANCELED;
	if (visit == OPTIMG_FS_LEAVE) {
		pop_dir(ex);
		return 0;
	}
	why = is_root ? NULL : bad_name(st->name);
	if (st->type == OPTIMG_FS_DIR) {
		flush_batch(ex);
		if (is_root) {
			fd = dup(ex->rootfd);
			return fd < 0 || push_dir(ex, fd, path, NULL) < 0 ?
			    OPTIMG_ENOMEM : 0;
		}
		if (why != NULL)
			refuse(ex, path, why);
		fd = why != NULL ? -1 : make_dir(ex, path, st->name);
		if (push_dir(ex, fd, path, st) < 0)
			return OPTIMG_ENOMEM;
		return fd < 0 ? OPTIMG_FS_SKIP : 0;
	}
	if (why != NULL)
		refuse(ex, path, why);
	else if (top_fd(ex) < 0)
		;	/* its directory was refused */
	else if (st->type == OPTIMG_FS_REG)
		extract_file(ex, path, st);
	else
		extract_special(ex, path, st);
	return 0;
}

static int
sum_sizes(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct ex *ex = ctx;

	(void)path;
	if (visit == OPTIMG_FS_ENTER && st->type == OPTIMG_FS_REG)
		ex->total += st->size;
	return 0;
}

/*
 * Creates the parents of an image path under DIR (default modes) and
 * pushes the innermost one, so the walk starts in the right place.
 */
static int
enter_parents(struct ex *ex, const char *ipath)
{
	char *copy = strdup(ipath), *p, *slash;
	int rc = 0, fd;

	if (copy == NULL)
		return -1;
	fd = dup(ex->rootfd);
	if (fd < 0 || push_dir(ex, fd, "", NULL) < 0) {
		free(copy);
		return -1;
	}
	for (p = copy; *p == '/'; p++)
		;
	while (rc == 0 && (slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		if (*p != '\0' && strcmp(p, ".") != 0) {
			if (bad_name(p) != NULL) {
				refuse(ex, ipath, bad_name(p));
				rc = -1;
			} else if ((fd = make_dir(ex, copy, p)) < 0 ||
			    push_dir(ex, fd, copy, NULL) < 0)
				rc = -1;
		}
		*slash = '/';
		for (p = slash + 1; *p == '/'; p++)
			;
	}
	free(copy);
	return rc;
}

static void
pop_all(struct ex *ex)
{
	while (ex->ndirs > 0)
		pop_dir(ex);
}

static int
extract_path(struct ex *ex, const char *ipath)
{
	int rc;

	if (strstr(ipath, "..") != NULL && (strcmp(ipath, "..") == 0 ||
	    strstr(ipath, "/..") != NULL || strncmp(ipath, "../", 3) == 0)) {
		refuse(ex, ipath, "'..' is not allowed in a path");
		return 0;
	}
	if (enter_parents(ex, ipath) < 0) {
		pop_all(ex);
		return 0;
	}
	rc = optimg_fs_walk(ex->fs, ipath, on_entry, ex);
	pop_all(ex);
	if (rc < 0 && rc != OPTIMG_ECANCELED) {
		ex_error(ex, "'%s': %s", ex->image, optimg_fs_errmsg(ex->fs));
		return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* ---- workers ------------------------------------------------------------ */

/* How many workers: OPTIMG_EXTRACT_THREADS, else 2-4 by the CPU count. */
static unsigned
want_workers(void)
{
	const char *env = getenv("OPTIMG_EXTRACT_THREADS");
	long n;

	if (env != NULL && *env != '\0')
		n = strtol(env, NULL, 10);
	else
		n = sysconf(_SC_NPROCESSORS_ONLN) * 2;
	return n < 0 ? 0 : n > EX_WORKERS ? EX_WORKERS : (unsigned)n;
}

/* Opens the image once more for a worker, silently; false on failure. */
static bool
reader_open(struct ex *ex, struct reader *r)
{
	struct optimg_error err;

	r->ex = ex;
	r->img = optimg_image_new();
	if (r->img == NULL || optimg_image_open(r->img, ex->image) < 0 ||
	    optimg_fs_open(r->img, &ex->opts, &r->fs, &err) < 0) {
		optimg_fs_free(r->fs);
		optimg_image_free(r->img);
		r->fs = NULL;
		r->img = NULL;
		return false;
	}
	return true;
}

static void
reader_close(struct reader *r)
{
	optimg_fs_free(r->fs);
	optimg_image_free(r->img);
}

static void
start_workers(struct ex *ex)
{
	unsigned want = want_workers(), i;
	sigset_t all, old;

	pthread_mutex_init(&ex->mu, NULL);
	pthread_cond_init(&ex->work, NULL);
	pthread_cond_init(&ex->idle, NULL);
	ex->tail = &ex->head;
	/* Signals (Ctrl-C) go to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (i = 0; i < want; i++) {
		struct reader *r = &ex->workers[ex->nworkers];

		if (!reader_open(ex, r))
			break;
		if (pthread_create(&r->thread, NULL, worker_main, r) != 0) {
			reader_close(r);
			break;
		}
		ex->nworkers++;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

static void
stop_workers(struct ex *ex)
{
	unsigned i;

	drain(ex);
	if (ex->nworkers > 0) {
		pthread_mutex_lock(&ex->mu);
		ex->closing = true;
		pthread_cond_broadcast(&ex->work);
		pthread_mutex_unlock(&ex->mu);
	}
	for (i = 0; i < ex->nworkers; i++) {
		pthread_join(ex->workers[i].thread, NULL);
		reader_close(&ex->workers[i]);
	}
	ex->nworkers = 0;
	pthread_mutex_destroy(&ex->mu);
	pthread_cond_destroy(&ex->work);
	pthread_cond_destroy(&ex->idle);
}

int
cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "force", no_argument, NULL, 'f' },
		{ "boot-images", no_argument, NULL, 'b' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "session", required_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct optimg_image *img;
	struct ex ex;
	bool boot = false;
	int c, i, rc = 0;
	mode_t mask;
	size_t l;

	memset(&ex, 0, sizeof(ex));
	ex.opts.ns = OPTIMG_NS_AUTO;
	ex.dirname = ".";
	while ((c = getopt_long(argc, argv, "C:fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': ex.dirname = optarg; break;
		case 'f': ex.force = true; break;
		case 'b': boot = true; break;
		case 'q': cli_quiet = true; break;
		case 'N':
			if (cli_fs_parse_namespace(optarg, &ex.opts) != 0)
				return EXIT_USAGE;
			break;
		case 'S':
			if (cli_fs_parse_session(optarg, &ex.opts) != 0)
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("expected IMAGE [PATH...]");
	ex.image = argv[optind];
	ex.rootfd = open(ex.dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ex.rootfd < 0) {
		cli_error("cannot open directory '%s': %s", ex.dirname,
		    strerror(errno));
		return 1;
	}
	ex.main.ex = &ex;
	if (cli_fs_open(ex.image, &ex.opts, &img, &ex.fs) != 0) {
		close(ex.rootfd);
		return 1;
	}
	ex.main.fs = ex.fs;
	ex.main.img = img;
	cli_progress_init(&ex.progress, "extract");
	if (ex.progress.enabled && optind + 1 == argc)
		optimg_fs_walk(ex.fs, "/", sum_sizes, &ex);
	for (i = optind + 1; ex.progress.enabled && i < argc; i++)
		optimg_fs_walk(ex.fs, argv[i], sum_sizes, &ex);

	/* Exact modes from openat(); directories as the umask had them. */
	mask = umask(0);
	ex.dirmode = (0755 & ~mask) | 0700;
	start_workers(&ex);
	if (optind + 1 == argc)
		rc = extract_path(&ex, "/");
	for (i = optind + 1; i < argc && rc == 0; i++)
		rc = extract_path(&ex, argv[i]);
	stop_workers(&ex);
	umask(mask);
	if (cli_interrupted) {
		cli_error("interrupted");
		ex.failed++;
		rc = -1;
	}
	cli_progress_done(&ex.progress);

	if (rc == 0 && boot)
		cli_fs_extract_boot_images(ex.fs, ex.image, ex.rootfd,
		    ex.force, &ex.failed);
	for (l = 0; l < ex.caplinks; l++)
		free(ex.links[l].relpath);
	free(ex.links);
	free(ex.dirs);
	close(ex.rootfd);
	optimg_fs_free(ex.fs);
	optimg_image_free(img);
	return rc < 0 || ex.failed > 0 ? 1 : 0;
}
