/*
 * extract.c - optimg_fs_extract(): copy files out of an image's file
 * system into a directory, keeping modes, times, symbolic links and hard
 * links.  This file holds the walk and its refusals; extract_private.h
 * says where the rest lives.
 *
 * Safety: every name from the image is hostile.  Nothing is ever opened by
 * a path string built from image names.  Each directory is created with
 * mkdirat() and entered with openat(O_DIRECTORY | O_NOFOLLOW) relative to
 * its parent's descriptor; files are created with O_CREAT | O_EXCL |
 * O_NOFOLLOW.  A name that is empty, ".", ".." or holds a '/' is refused,
 * and so is a directory whose place is taken by a symlink; the rest of
 * the extraction goes on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract_private.h"
#include "fs_private.h"

void
oi_ex_lock(struct ex *ex)
{
	if (ex->nworkers > 0)
		pthread_mutex_lock(&ex->mu);
}

void
oi_ex_unlock(struct ex *ex)
{
	if (ex->nworkers > 0)
		pthread_mutex_unlock(&ex->mu);
}

void
oi_ex_add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

bool
oi_ex_canceled(const struct ex *ex)
{
	return __atomic_load_n(&ex->cancel, __ATOMIC_RELAXED) != 0;
}

bool
oi_ex_progress(struct ex *ex)
{
	const struct optimg_extract_opts *o = ex->opts;

	if (oi_ex_canceled(ex))
		return false;
	if (o->progress != NULL && o->progress(o->progress_ctx,
	    __atomic_load_n(&ex->done, __ATOMIC_RELAXED), ex->total) != 0) {
		__atomic_store_n(&ex->cancel, 1, __ATOMIC_RELAXED);
		return false;
	}
	return true;
}

void
oi_ex_report(struct ex *ex, enum optimg_extract_problem what,
    const char *path, const char *detail, int errnum)
{
	struct optimg_extract_report r = {
		.what = what, .path = path, .detail = detail,
		.errnum = errnum,
		.failure = what != OPTIMG_EXTRACT_DEVICE_SKIPPED &&
		    what != OPTIMG_EXTRACT_SHARED &&
		    what != OPTIMG_EXTRACT_LARGE &&
		    what != OPTIMG_EXTRACT_STALE,
	};

	pthread_mutex_lock(&ex->report_mu);
	if (r.failure)
		ex->res.failures++;
	if (ex->opts->report != NULL)
		ex->opts->report(ex->opts->report_ctx, &r);
	pthread_mutex_unlock(&ex->report_mu);
}

void
oi_ex_fail_errno(struct ex *ex, const char *action, const char *path)
{
	oi_ex_report(ex, OPTIMG_EXTRACT_SYSTEM, path, action, errno);
}

/* Why an image name may not be created, or NULL. */
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
	oi_ex_report(ex, OPTIMG_EXTRACT_REFUSED, path, why, 0);
}

/* The walk leaves the top directory: its batches finish it. */
static void
pop_dir(struct ex *ex)
{
	oi_ex_flush_batch(ex);
	oi_ex_dir_release(ex, ex->dirs[--ex->ndirs], 1);
}

static void
pop_all(struct ex *ex)
{
	while (ex->ndirs > 0)
		pop_dir(ex);
}

static int
enter_dir(struct ex *ex, const char *path, const struct optimg_fs_stat *st,
    const char *why)
{
	int fd;

	oi_ex_flush_batch(ex);
	if (strcmp(path, "/") == 0) {
		fd = dup(ex->opts->dirfd);
		return fd < 0 || oi_ex_push_dir(ex, fd, path, NULL) < 0 ?
		    OPTIMG_ENOMEM : 0;
	}
	if (why != NULL)
		refuse(ex, path, why);
	fd = why != NULL ? -1 : oi_ex_make_dir(ex, path, st->name);
	if (oi_ex_push_dir(ex, fd, path, st) < 0)
		return OPTIMG_ENOMEM;
	return fd < 0 ? OPTIMG_FS_SKIP : 0;
}

/* Records where st's data starts; true when another file's did too. */
static bool
seen_before(struct ex *ex, const struct optimg_fs_stat *st)
{
	uint32_t lba1 = st->extents[0].lba + 1;
	size_t i;

	if (lba1 == 0)
		return false;
	if (ex->nseen * 2 >= ex->capseen) {
		size_t cap = ex->capseen ? ex->capseen * 2 : 1024;
		struct ex_seen *n = oi_calloc(cap, sizeof(*n)), *old = ex->seen;

		if (n == NULL)
			return false;
		ex->seen = n;
		for (i = 0; i < ex->capseen; i++)
			if (old[i].lba1 != 0) {
				size_t k = old[i].lba1 * 2654435761u % cap;
				while (n[k].lba1 != 0)
					k = (k + 1) % cap;
				n[k] = old[i];
			}
		free(old);
		ex->capseen = cap;
	}
	for (i = lba1 * 2654435761u % ex->capseen; ex->seen[i].lba1 != 0;
	    i = (i + 1) % ex->capseen)
		if (ex->seen[i].lba1 == lba1)
			return ex->seen[i].ino != st->ino;
	ex->seen[i].lba1 = lba1;
	ex->seen[i].ino = st->ino;
	ex->nseen++;
	return false;
}

/*
 * An extraction bomb (entries sharing one extent, say) turns a small
 * image into a huge tree: warn past 10 times the image's size, stop past
 * 100 times unless no_limits.  Returns < 0 to stop.
 */
static int
check_size(struct ex *ex, const char *path, const struct optimg_fs_stat *st)
{
	char detail[96];

	if (st->size > 0 && st->nextents > 0 && seen_before(ex, st) &&
	    ex->shared_reports++ < 10)
		oi_ex_report(ex, OPTIMG_EXTRACT_SHARED, path, NULL, 0);
	ex->planned += st->size;
	if (ex->image_bytes == 0)
		return 0;
	if (!ex->warned_large && ex->planned / 10 > ex->image_bytes) {
		ex->warned_large = true;
		snprintf(detail, sizeof(detail), "the files pass 10 times the "
		    "image's %llu bytes", (unsigned long long)ex->image_bytes);
		oi_ex_report(ex, OPTIMG_EXTRACT_LARGE, path, detail, 0);
	}
	if (!ex->opts->no_limits && ex->planned / 100 > ex->image_bytes) {
		snprintf(detail, sizeof(detail), "the files pass 100 times "
		    "the image's %llu bytes", (unsigned long long)
		    ex->image_bytes);
		oi_ex_report(ex, OPTIMG_EXTRACT_TOO_LARGE, path, detail, 0);
		return OPTIMG_ERANGE;
	}
	return 0;
}

static int
extract_file(struct ex *ex, const char *path, const struct optimg_fs_stat *st)
{
	bool primary;

	if (oi_ex_try_link(ex, st, path, &primary))
		return 0;
	OI_TRY(check_size(ex, path, st));
	oi_ex_queue_file(ex, path, st, primary);
	return 0;
}

static int
on_entry(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct ex *ex = ctx;
	const char *why;

	if (!oi_ex_progress(ex))
		return OPTIMG_ECANCELED;
	if (visit == OPTIMG_FS_LEAVE) {
		pop_dir(ex);
		return 0;
	}
	why = strcmp(path, "/") == 0 ? NULL : bad_name(st->name);
	if (st->type == OPTIMG_FS_DIR)
		return enter_dir(ex, path, st, why);
	if (why != NULL)
		refuse(ex, path, why);
	else if (oi_ex_top_fd(ex) < 0)
		;	/* its directory was refused */
	else if (st->type == OPTIMG_FS_REG)
		return extract_file(ex, path, st);
	else
		oi_ex_special(ex, path, st);
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
 * Creates the parents of an image path under the target (default modes)
 * and pushes the innermost one, so the walk starts in the right place.
 */
static int
enter_parents(struct ex *ex, const char *ipath)
{
	char *copy = strdup(ipath), *p, *slash;
	int rc = 0, fd;

	if (copy == NULL)
		return -1;
	fd = dup(ex->opts->dirfd);
	if (fd < 0 || oi_ex_push_dir(ex, fd, "", NULL) < 0) {
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
			} else if ((fd = oi_ex_make_dir(ex, copy, p)) < 0 ||
			    oi_ex_push_dir(ex, fd, copy, NULL) < 0)
				rc = -1;
		}
		*slash = '/';
		for (p = slash + 1; *p == '/'; p++)
			;
	}
	free(copy);
	return rc;
}

static bool
has_dotdot(const char *ipath)
{
	return strcmp(ipath, "..") == 0 || strstr(ipath, "/..") != NULL ||
	    strncmp(ipath, "../", 3) == 0;
}

static int
extract_path(struct ex *ex, const char *ipath, struct optimg_error *err)
{
	int rc;

	if (strstr(ipath, "..") != NULL && has_dotdot(ipath)) {
		refuse(ex, ipath, "'..' is not allowed in a path");
		return 0;
	}
	if (enter_parents(ex, ipath) < 0) {
		pop_all(ex);
		return 0;
	}
	rc = optimg_fs_walk(ex->fs, ipath, on_entry, ex);
	pop_all(ex);
	if (rc == OPTIMG_ERANGE)
		oi_set_error(err, rc, "the files would take more than 100 "
		    "times the image's size (entries sharing their data?); "
		    "extraction stopped");
	else if (rc < 0 && rc != OPTIMG_ECANCELED)
		oi_set_error(err, rc, "%s", optimg_fs_errmsg(ex->fs));
	return rc < 0 ? rc : 0;
}

void
optimg_extract_opts_init(struct optimg_extract_opts *opts, int dirfd)
{
	memset(opts, 0, sizeof(*opts));
	opts->dirfd = dirfd;
	opts->threads = -1;
}

static int
run(struct ex *ex, const char *const *paths, unsigned n,
    struct optimg_error *err)
{
	unsigned i;
	int rc = 0;

	for (i = 0; ex->opts->count_total && i < n; i++)
		optimg_fs_walk(ex->fs, paths[i], sum_sizes, ex);
	/* New directories as the umask has them, but always ours to fill. */
	ex->umask = oi_ex_read_umask();
	ex->dirmode = (0755 & ~ex->umask) | 0700;
	oi_ex_sweep(ex, ex->opts->dirfd, "/");
	oi_ex_start_workers(ex);
	for (i = 0; i < n && rc == 0; i++)
		rc = extract_path(ex, paths[i], err);
	oi_ex_stop_workers(ex);
	if (rc == 0 && oi_ex_canceled(ex))
		rc = OPTIMG_ECANCELED;
	if (rc == OPTIMG_ECANCELED)
		oi_set_error(err, rc, "canceled");
	return rc;
}

int
optimg_fs_extract(struct optimg_fs *fs, const struct optimg_extract_opts *opts,
    struct optimg_extract_result *res, struct optimg_error *err)
{
	static const char *const everything[] = { "/" };
	struct ex *ex;
	int rc;

	if (res != NULL)
		memset(res, 0, sizeof(*res));
	if (fs == NULL || opts == NULL || opts->dirfd < 0 ||
	    (opts->npaths > 0 && opts->paths == NULL))
		return oi_set_error(err, OPTIMG_EINVAL, "bad arguments");
	if ((ex = calloc(1, sizeof(*ex))) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	ex->fs = fs;
	ex->opts = opts;
	ex->image_bytes = fs->img != NULL ? optimg_image_size(fs->img) : 0;
	ex->main.ex = ex;
	ex->main.fs = fs;
	pthread_mutex_init(&ex->report_mu, NULL);
	if (opts->npaths == 0)
		rc = run(ex, everything, 1, err);
	else
		rc = run(ex, opts->paths, opts->npaths, err);
	if (res != NULL)
		*res = ex->res;
	pthread_mutex_destroy(&ex->report_mu);
	oi_ex_links_free(ex);
	free(ex->seen);
	free(ex->dirs);
	free(ex);
	return rc;
}
