/*
 * view.c - a view's public face: opening over an image, looking a path
 * up, listing a directory and reading a file.  The root holds the virtual
 * files (view_files.c), tracks/ the WAVs and files/ the image's file
 * system, looked up through the same reader `optimg extract` uses.
 *
 * Inode numbers: small fixed ones for the view's own directories and
 * files; a hard link's shared number from the image (bit 61 set, so it
 * meets neither); and a 64-bit hash of the path for every other entry
 * of files/ (bit 62 set), which is stable across lookups and mounts.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "view_private.h"

#define INO_LINK	(1ull << 61)
#define INO_HASHED	(1ull << 62)

static uint64_t
path_hash(const char *path)
{
	uint64_t h = 0xcbf29ce484222325ull;	/* FNV-1a */

	for (; *path != '\0'; path++)
		h = (h ^ (uint8_t)*path) * 0x100000001b3ull;
	return INO_HASHED | (h & (INO_HASHED - 1));
}

static uint64_t
stored_blocks(const struct optimg_fs_stat *fs)
{
	uint64_t bytes = 0;

	if (fs->type != OPTIMG_FS_REG)
		return (fs->size + 511) / 512;
	for (unsigned i = 0; i < fs->nextents; i++)
		if (!(fs->extents[i].flags & OPTIMG_FS_EXTENT_SPARSE))
			bytes += fs->extents[i].length;
	return (OI_MIN(bytes, fs->size) + 511) / 512;
}

void
oi_view_fs_stat(const struct optimg_view *v, const struct optimg_fs_stat *fs,
    const char *path, struct optimg_view_stat *out)
{
	memset(out, 0, sizeof(*out));
	out->type = fs->type;
	out->mode = fs->mode & 07777;
	out->uid = fs->uid;
	out->gid = fs->gid;
	out->nlink = fs->nlink > 0 ? fs->nlink : 1;
	if (fs->type == OPTIMG_FS_REG && fs->ino != 0 && fs->nlink > 1)
		out->ino = INO_LINK | (fs->ino & (INO_LINK - 1));
	else
		out->ino = path_hash(path);
	/* A link's size is its target's length, as lstat(2) says. */
	out->size = fs->symlink != NULL ? strlen(fs->symlink) : fs->size;
	out->blocks = stored_blocks(fs);
	out->mtime = fs->mtime;
	out->atime = fs->atime;
	out->ctime = fs->ctime;
	out->symlink = fs->symlink;
	out->rdev_major = fs->rdev_major;
	out->rdev_minor = fs->rdev_minor;
	(void)v;
}

static void
dir_stat(const struct optimg_view *v, uint64_t ino,
    struct optimg_view_stat *out)
{
	*out = v->base;
	out->type = OPTIMG_FS_DIR;
	out->mode = 0555;
	out->nlink = 2;
	out->ino = ino;
}

static void
file_stat(const struct optimg_view *v, unsigned i,
    struct optimg_view_stat *out)
{
	*out = v->base;
	out->type = OPTIMG_FS_REG;
	out->mode = 0444;
	out->nlink = 1;
	out->ino = VIEW_INO_FILES + i;
	out->size = v->files[i].size;
	out->blocks = (out->size + 511) / 512;
}

/* The owner and times of the image file stand for the view's own. */
static void
base_stat(struct optimg_view *v, const char *path)
{
	struct stat sb;

	memset(&v->base, 0, sizeof(v->base));
	if (path == NULL || stat(path, &sb) != 0)
		return;
	v->base.uid = sb.st_uid;
	v->base.gid = sb.st_gid;
	v->base.mtime.sec = sb.st_mtim.tv_sec;
	v->base.mtime.nsec = (uint32_t)sb.st_mtim.tv_nsec;
	v->base.atime = v->base.ctime = v->base.mtime;
}

int
optimg_view_new(struct optimg_image *img, const struct optimg_view_opts *opts,
    struct optimg_view **out, struct optimg_error *err)
{
	struct optimg_view *v;
	struct optimg_fs_opts fo = { OPTIMG_NS_AUTO, 0 };
	struct optimg_error fe;
	int rc;

	*out = NULL;
	if (optimg_image_disc(img) == NULL)
		return oi_set_error(err, OPTIMG_EINVAL, "image is not open");
	if ((v = calloc(1, sizeof(*v))) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (opts != NULL)
		v->opts = *opts;
	fo.ns = v->opts.ns;
	fo.session = v->opts.session;
	v->maxh = v->opts.handles == 0 ? VIEW_HANDLES :
	    OI_MIN(v->opts.handles, (unsigned)VIEW_HANDLES_MAX);
	v->disc = optimg_image_disc(img);
	pthread_mutex_init(&v->mu, NULL);
	pthread_cond_init(&v->freed, NULL);
	base_stat(v, optimg_image_path(img));
	if ((v->h = calloc(v->maxh, sizeof(*v->h))) == NULL) {
		optimg_view_free(v);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	v->h[0].img = img;
	v->nh = 1;
	rc = oi_view_build_files(v, img, err);
	if (rc < 0) {
		optimg_view_free(v);
		return rc;
	}
	/* No file system (an audio CD) is no failure: there is no files/. */
	if (optimg_fs_open(img, &fo, &v->h[0].fs, &fe) == OPTIMG_OK)
		v->has_fs = true;
	else if (fe.code == OPTIMG_ENOMEM) {
		optimg_view_free(v);
		return oi_set_error(err, fe.code, "%s", fe.message);
	} else
		snprintf(v->fs_problem, sizeof(v->fs_problem), "%s",
		    fe.message);
	*out = v;
	return OPTIMG_OK;
}

void
optimg_view_free(struct optimg_view *v)
{
	if (v == NULL)
		return;
	oi_view_pool_free(v);
	oi_view_release_files(v);
	pthread_mutex_destroy(&v->mu);
	pthread_cond_destroy(&v->freed);
	free(v);
}

const char *
optimg_view_fs_problem(const struct optimg_view *v)
{
	return v->has_fs ? NULL : v->fs_problem;
}

/* ---- lookup ------------------------------------------------------------ */

static struct optimg_view_node *
node_new(enum view_kind kind)
{
	struct optimg_view_node *n = calloc(1, sizeof(*n));

	if (n != NULL)
		n->kind = kind;
	return n;
}

static int
lookup_fs(struct optimg_view *v, const char *rest,
    struct optimg_view_node *n, struct optimg_error *err)
{
	struct view_handle *h;
	size_t len = strlen(rest) + 2;
	int rc;

	if ((n->path = malloc(len)) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	snprintf(n->path, len, "/%s", rest);
	OI_TRY(oi_view_acquire(v, true, &h, err));
	rc = optimg_fs_lookup(h->fs, n->path, &n->fs);
	if (rc < 0)
		oi_set_error(err, rc, "%s", optimg_fs_errmsg(h->fs));
	oi_view_release(v, h);
	if (rc == OPTIMG_OK)
		oi_view_fs_stat(v, n->fs, n->path, &n->st);
	return rc;
}

static int
lookup_file(struct optimg_view *v, const char *path,
    struct optimg_view_node *n, struct optimg_error *err)
{
	enum view_dir dir = VIEW_ROOT;

	if (strncmp(path, "tracks/", 7) == 0) {
		dir = VIEW_TRACKS;
		path += 7;
	}
	for (unsigned i = 0; i < v->nfiles; i++)
		if (v->files[i].dir == dir &&
		    strcmp(v->files[i].name, path) == 0) {
			n->file = i;
			file_stat(v, i, &n->st);
			return OPTIMG_OK;
		}
	return oi_set_error(err, OPTIMG_ENOENT, "'%s' is not in the view",
	    path);
}

int
optimg_view_lookup(struct optimg_view *v, const char *path,
    struct optimg_view_node **out, struct optimg_error *err)
{
	struct optimg_view_node *n;
	int rc = OPTIMG_OK;

	*out = NULL;
	while (*path == '/')
		path++;
	if ((n = node_new(VIEW_N_FILE)) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (*path == '\0') {
		n->kind = VIEW_N_ROOT;
		dir_stat(v, VIEW_INO_ROOT, &n->st);
	} else if (strcmp(path, "tracks") == 0 && v->tracks_dir) {
		n->kind = VIEW_N_TRACKS;
		dir_stat(v, VIEW_INO_TRACKS, &n->st);
	} else if (v->has_fs && (strcmp(path, "files") == 0 ||
	    strncmp(path, "files/", 6) == 0)) {
		n->kind = VIEW_N_FS;
		rc = lookup_fs(v, path[5] == '/' ? path + 6 : "", n, err);
	} else
		rc = lookup_file(v, path, n, err);
	if (rc < 0) {
		optimg_view_node_free(n);
		return rc;
	}
	*out = n;
	return OPTIMG_OK;
}

const struct optimg_view_stat *
optimg_view_node_stat(const struct optimg_view_node *n)
{
	return &n->st;
}

void
optimg_view_node_free(struct optimg_view_node *n)
{
	if (n == NULL)
		return;
	optimg_fs_stat_free(n->fs);
	free(n->path);
	free(n);
}

/* ---- listing ----------------------------------------------------------- */

static int
list_files(struct optimg_view *v, enum view_dir dir, optimg_view_list_fn fn,
    void *ctx)
{
	struct optimg_view_stat st;
	int rc;

	for (unsigned i = 0; i < v->nfiles; i++) {
		if (v->files[i].dir != dir)
			continue;
		file_stat(v, i, &st);
		if ((rc = fn(ctx, v->files[i].name, &st)) != 0)
			return rc;
	}
	return 0;
}

static int
list_root(struct optimg_view *v, optimg_view_list_fn fn, void *ctx)
{
	struct optimg_view_stat st;
	int rc = list_files(v, VIEW_ROOT, fn, ctx);

	if (rc == 0 && v->tracks_dir) {
		dir_stat(v, VIEW_INO_TRACKS, &st);
		rc = fn(ctx, "tracks", &st);
	}
	if (rc == 0 && v->has_fs) {
		oi_view_fs_stat(v, optimg_fs_root(v->h[0].fs), "/", &st);
		rc = fn(ctx, "files", &st);
	}
	return rc;
}

static int
list_fs(struct optimg_view *v, const struct optimg_view_node *dir,
    optimg_view_list_fn fn, void *ctx, struct optimg_error *err)
{
	struct view_handle *h;
	struct optimg_fs_dir *d;
	const struct optimg_fs_stat *e;
	struct optimg_view_stat st;
	char *path = NULL;
	int rc;

	OI_TRY(oi_view_acquire(v, true, &h, err));
	rc = optimg_fs_opendir(h->fs, dir->fs, &d);
	if (rc < 0)
		oi_set_error(err, rc, "%s", optimg_fs_errmsg(h->fs));
	while (rc == 0 && (e = optimg_fs_readdir(d)) != NULL) {
		size_t len = strlen(dir->path) + strlen(e->name) + 2;
		char *p = realloc(path, len);

		if (p == NULL) {
			rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
			break;
		}
		path = p;
		snprintf(path, len, "%s%s%s", dir->path,
		    strcmp(dir->path, "/") == 0 ? "" : "/", e->name);
		oi_view_fs_stat(v, e, path, &st);
		rc = fn(ctx, e->name, &st);
	}
	optimg_fs_closedir(d);
	oi_view_release(v, h);
	free(path);
	return rc;
}

int
optimg_view_list(struct optimg_view *v, const struct optimg_view_node *dir,
    optimg_view_list_fn fn, void *ctx, struct optimg_error *err)
{
	switch (dir->kind) {
	case VIEW_N_ROOT:
		return list_root(v, fn, ctx);
	case VIEW_N_TRACKS:
		return list_files(v, VIEW_TRACKS, fn, ctx);
	case VIEW_N_FS:
		if (dir->fs->type == OPTIMG_FS_DIR)
			return list_fs(v, dir, fn, ctx, err);
		break;
	default:
		break;
	}
	return oi_set_error(err, OPTIMG_EINVAL, "not a directory");
}

/* ---- reading ----------------------------------------------------------- */

int
optimg_view_read(struct optimg_view *v, const struct optimg_view_node *n,
    uint64_t off, void *buf, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err)
{
	*got = 0;
	*bad_lba = OPTIMG_NO_INDEX;
	if (n->kind == VIEW_N_FILE)
		return oi_view_read_file(v, &v->files[n->file], off, buf, len,
		    got, bad_lba, err);
	if (n->kind == VIEW_N_FS)
		return oi_view_read_fs(v, n, off, buf, len, got, bad_lba,
		    err);
	return oi_set_error(err, OPTIMG_EINVAL, "a directory has no data");
}
