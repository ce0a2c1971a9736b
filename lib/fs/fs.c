/*
 * fs.c - the file-system reader's public face: opening over an image or a
 * memory buffer, path lookup, directory iteration, the recursive walk and
 * file reads.  Name-space readers (fs_iso9660*.c, fs_udf.c) only turn a
 * directory into a list of entries; everything that follows links between
 * directories lives here, so loop and depth checks are in one place.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fs_private.h"

/* ---- readers ----------------------------------------------------------- */

static int
image_read(void *ctx, int32_t lba, uint32_t count, void *buf,
    struct optimg_error *err)
{
	struct optimg_image *img = ctx;
	int rc = optimg_image_read(img, lba, count, OI_FS_SECTOR, buf);

	if (rc < 0)
		return oi_set_error(err, rc, "%s", optimg_image_errmsg(img));
	return 0;
}

static int
image_span(void *ctx, int32_t lba, uint32_t count, struct oi_plain_span *out)
{
	return oi_image_plain_span(ctx, lba, count, out);
}

int
oi_fs_mem_check(const struct oi_fs_mem *m, int32_t lba, uint32_t count,
    struct optimg_error *err)
{
	uint64_t off = (uint64_t)lba * m->sector;
	uint64_t n = (uint64_t)count * m->sector;

	if (lba < 0 || off > m->len || n > m->len - off)
		return oi_set_error(err, OPTIMG_ERANGE,
		    "sectors %d..%llu are past the end of the image", lba,
		    (unsigned long long)(lba + (uint64_t)count - 1));
	return 0;
}

static int
mem_read(void *ctx, int32_t lba, uint32_t count, void *buf,
    struct optimg_error *err)
{
	const struct oi_fs_mem *m = ctx;

	OI_TRY(oi_fs_mem_check(m, lba, count, err));
	memcpy(buf, m->data + (size_t)lba * OI_FS_SECTOR,
	    (size_t)count * OI_FS_SECTOR);
	return 0;
}

int
oi_fs_read_sectors(struct optimg_fs *fs, uint32_t lba, uint32_t count,
    void *buf)
{
	if (count == 0)
		return 0;
	if (lba > INT32_MAX || (uint64_t)lba + count > (uint64_t)fs->rd.end)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "sectors %lu..%llu lie past the end of the image "
		    "(%ld sectors)", (unsigned long)lba,
		    (unsigned long long)lba + count - 1, (long)fs->rd.end);
	return fs->rd.read(fs->rd.ctx, (int32_t)lba, count, buf, &fs->err);
}

int
oi_fs_check_extent(struct optimg_fs *fs, uint32_t lba, uint64_t bytes,
    const char *what)
{
	uint64_t sectors = (bytes + OI_FS_SECTOR - 1) / OI_FS_SECTOR;

	if (bytes == 0)
		return 0;
	if ((uint64_t)lba + sectors > (uint64_t)(fs->rd.end < 0 ? 0 :
	    fs->rd.end))
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "%s at LBA %lu (%llu bytes) runs past the end of the "
		    "image (%ld sectors)", what, (unsigned long)lba,
		    (unsigned long long)bytes, (long)fs->rd.end);
	return 0;
}

/* ---- entries ----------------------------------------------------------- */

struct oi_fs_entry *
oi_fs_dirbuf_add(struct oi_fs_dirbuf *d)
{
	if (d->n == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 32;
		struct oi_fs_entry *e = oi_reallocarray(d->e, cap, sizeof(*e));

		if (e == NULL)
			return NULL;
		d->e = e;
		d->cap = cap;
	}
	memset(&d->e[d->n], 0, sizeof(d->e[0]));
	return &d->e[d->n++];
}

void
oi_fs_entry_release(struct oi_fs_entry *e)
{
	free(e->name);
	free(e->symlink);
	free(e->ext);
	memset(e, 0, sizeof(*e));
}

void
oi_fs_dirbuf_release(struct oi_fs_dirbuf *d)
{
	unsigned i;

	for (i = 0; i < d->n; i++)
		oi_fs_entry_release(&d->e[i]);
	free(d->e);
	memset(d, 0, sizeof(*d));
}

/* Points st's borrowed fields at the entry's own storage. */
static void
entry_fix_pointers(struct oi_fs_entry *e)
{
	e->st.name = e->name != NULL ? e->name : "";
	e->st.symlink = e->symlink;
	e->st.extents = e->ext;
}

/* ---- open -------------------------------------------------------------- */

int
oi_fs_open_reader(const struct oi_fs_reader *rd,
    const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err)
{
	struct optimg_fs *fs;
	enum optimg_fs_namespace ns = opts != NULL ? opts->ns : OPTIMG_NS_AUTO;
	int rc;

	*out = NULL;
	fs = calloc(1, sizeof(*fs));
	if (fs == NULL || (fs->bounce = malloc(OI_FS_SECTOR)) == NULL) {
		free(fs);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	fs->rd = *rd;
	if (ns == OPTIMG_NS_UDF)
		rc = oi_udf_open(fs);
	else {
		rc = oi_iso_open(fs, ns);
		if (rc == OPTIMG_EUNSUPP && ns == OPTIMG_NS_AUTO &&
		    oi_udf_probe(fs) > 0) {
			oi_error_clear(&fs->err);
			rc = oi_udf_open(fs);
		}
	}
	if (rc < 0) {
		oi_set_error(err, rc, "%s", fs->err.message);
		optimg_fs_free(fs);
		return rc;
	}
	entry_fix_pointers(&fs->root);
	*out = fs;
	return 0;
}

/*
 * The first data track of the chosen session (0: the last one with data,
 * or a GD-ROM's high-density area); -1 when there is none.  The first, as
 * a session's file system starts there and later tracks hold what it
 * points at (a Video CD's MPEG).
 */
static int
pick_track(const struct optimg_disc *disc, unsigned session)
{
	int found = session == 0 ? oi_disc_gdrom_hd_track(disc) : -1;
	unsigned i;

	if (found >= 0)
		return found;
	for (i = 0; i < disc->ntracks; i++) {
		const struct optimg_track *t = &disc->tracks[i];

		if (t->mode == OPTIMG_TRACK_AUDIO)
			continue;
		if (session != 0 && t->session != session)
			continue;
		if (found < 0 || disc->tracks[found].session != t->session)
			found = (int)i;
	}
	return found;
}

int
optimg_fs_open(struct optimg_image *img, const struct optimg_fs_opts *opts,
    struct optimg_fs **out, struct optimg_error *err)
{
	const struct optimg_disc *disc = optimg_image_disc(img);
	struct oi_fs_reader rd;
	unsigned session = opts != NULL ? opts->session : 0;
	int t;

	*out = NULL;
	if (disc == NULL)
		return oi_set_error(err, OPTIMG_EINVAL, "image is not open");
	if (session > disc->nsessions)
		return oi_set_error(err, OPTIMG_ENOENT,
		    "no session %u (the image has %u)", session,
		    disc->nsessions);
	t = pick_track(disc, session);
	if (t < 0) {
		if (session != 0)
			return oi_set_error(err, OPTIMG_ENOENT,
			    "session %u has no data track", session);
		return oi_set_error(err, OPTIMG_ENOENT,
		    "the image has no data track");
	}
	memset(&rd, 0, sizeof(rd));
	rd.read = image_read;
	rd.span = image_span;
	rd.read_raw = oi_fs_image_read_raw;
	rd.ctx = img;
	rd.start = disc->tracks[t].start;
	rd.end = oi_image_end_lba(img);
	OI_TRY(oi_fs_open_reader(&rd, opts, out, err));
	(*out)->img = img;
	if (opts != NULL)
		(*out)->opts = *opts;
	return 0;
}

int
oi_fs_reopen(const struct optimg_fs *fs, struct optimg_image **img,
    struct optimg_fs **out)
{
	struct optimg_error err;

	*out = NULL;
	*img = NULL;
	if (fs->img == NULL || optimg_image_path(fs->img) == NULL)
		return -1;
	*img = optimg_image_new();
	if (*img == NULL ||
	    optimg_image_open(*img, optimg_image_path(fs->img)) < 0 ||
	    optimg_fs_open(*img, &fs->opts, out, &err) < 0) {
		optimg_image_free(*img);
		*img = NULL;
		return -1;
	}
	return 0;
}

int
oi_fs_open_mem_with(struct oi_fs_reader *rd, const void *data, size_t len,
    size_t sector, const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err)
{
	struct oi_fs_mem *m = malloc(sizeof(*m));
	int rc;

	if (m == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	m->data = data;
	m->len = len;
	m->sector = sector;
	rd->ctx = m;
	rd->end = (int32_t)OI_MIN(len / sector, (size_t)INT32_MAX);
	rc = oi_fs_open_reader(rd, opts, out, err);
	if (rc < 0)
		free(m);
	else
		(*out)->own_ctx = true;
	return rc;
}

int
oi_fs_open_mem(const void *data, size_t len,
    const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err)
{
	struct oi_fs_reader rd;

	memset(&rd, 0, sizeof(rd));
	rd.read = mem_read;
	return oi_fs_open_mem_with(&rd, data, len, OI_FS_SECTOR, opts, out,
	    err);
}

void
optimg_fs_free(struct optimg_fs *fs)
{
	if (fs == NULL)
		return;
	if (fs->ops != NULL && fs->ops->free != NULL)
		fs->ops->free(fs);
	if (fs->own_ctx)
		free(fs->rd.ctx);
	oi_fs_entry_release(&fs->root);
	free(fs->vds);
	oi_boot_catalog_free(fs->boot);
	oi_sysarea_free(fs->sysarea);
	free(fs->bounce);
	free(fs->copybuf);
	free(fs->rawbuf);
	free(fs);
}

const char *
optimg_fs_errmsg(const struct optimg_fs *fs)
{
	return fs->err.message;
}

enum optimg_fs_namespace
optimg_fs_namespace(const struct optimg_fs *fs)
{
	return fs->ns;
}

unsigned
optimg_fs_namespaces(const struct optimg_fs *fs)
{
	return fs->namespaces;
}

static const char *const ns_names[] = {
	[OPTIMG_NS_AUTO] = "auto",
	[OPTIMG_NS_ISO] = "iso",
	[OPTIMG_NS_JOLIET] = "joliet",
	[OPTIMG_NS_RR] = "rr",
	[OPTIMG_NS_UDF] = "udf",
};

const char *
optimg_fs_namespace_name(enum optimg_fs_namespace ns)
{
	if ((unsigned)ns >= OI_ARRAY_SIZE(ns_names))
		return "?";
	return ns_names[ns];
}

int
optimg_fs_namespace_parse(const char *name)
{
	unsigned i;

	for (i = 0; i < OI_ARRAY_SIZE(ns_names); i++)
		if (strcmp(name, ns_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
optimg_fs_type_name(enum optimg_fs_type type)
{
	static const char *const names[] = {
		[OPTIMG_FS_REG] = "file", [OPTIMG_FS_DIR] = "dir",
		[OPTIMG_FS_SYMLINK] = "symlink", [OPTIMG_FS_CHR] = "chr",
		[OPTIMG_FS_BLK] = "blk", [OPTIMG_FS_FIFO] = "fifo",
		[OPTIMG_FS_SOCK] = "sock",
	};

	if ((unsigned)type >= OI_ARRAY_SIZE(names))
		return "?";
	return names[type];
}

const struct optimg_fs_stat *
optimg_fs_root(const struct optimg_fs *fs)
{
	return &fs->root.st;
}

/* ---- directories ------------------------------------------------------- */

struct optimg_fs_dir {
	struct oi_fs_dirbuf	buf;
	unsigned		next;
};

static int
read_dir(struct optimg_fs *fs, const struct optimg_fs_stat *dir,
    struct oi_fs_dirbuf *out)
{
	unsigned i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (dir->type != OPTIMG_FS_DIR)
		return oi_set_error(&fs->err, OPTIMG_EINVAL,
		    "'%s' is not a directory", dir->name);
	rc = fs->ops->read_dir(fs, dir, out);
	if (rc < 0) {
		oi_fs_dirbuf_release(out);
		return rc;
	}
	for (i = 0; i < out->n; i++)
		entry_fix_pointers(&out->e[i]);
	return 0;
}

int
optimg_fs_opendir(struct optimg_fs *fs, const struct optimg_fs_stat *dir,
    struct optimg_fs_dir **out)
{
	struct optimg_fs_dir *d = calloc(1, sizeof(*d));
	int rc;

	*out = NULL;
	if (d == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	rc = read_dir(fs, dir, &d->buf);
	if (rc < 0) {
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

const struct optimg_fs_stat *
optimg_fs_readdir(struct optimg_fs_dir *dir)
{
	while (dir->next < dir->buf.n) {
		const struct oi_fs_entry *e = &dir->buf.e[dir->next++];

		if (!e->hidden)
			return &e->st;
	}
	return NULL;
}

void
optimg_fs_closedir(struct optimg_fs_dir *dir)
{
	if (dir == NULL)
		return;
	oi_fs_dirbuf_release(&dir->buf);
	free(dir);
}

/* ---- stat copies and lookup -------------------------------------------- */

/* One allocation holding the stat, its extents, name and target. */
static struct optimg_fs_stat *
stat_dup(const struct optimg_fs_stat *st)
{
	size_t nlen = strlen(st->name) + 1;
	size_t slen = st->symlink != NULL ? strlen(st->symlink) + 1 : 0;
	size_t elen = (size_t)st->nextents * sizeof(struct optimg_fs_extent);
	struct optimg_fs_stat *c;
	char *p;

	c = malloc(sizeof(*c) + elen + nlen + slen);
	if (c == NULL)
		return NULL;
	*c = *st;
	p = (char *)(c + 1);
	if (elen > 0)
		memcpy(p, st->extents, elen);
	c->extents = elen > 0 ? (const struct optimg_fs_extent *)p : NULL;
	p += elen;
	memcpy(p, st->name, nlen);
	c->name = p;
	p += nlen;
	if (slen > 0) {
		memcpy(p, st->symlink, slen);
		c->symlink = p;
	}
	return c;
}

void
optimg_fs_stat_free(struct optimg_fs_stat *st)
{
	free(st);
}

/* Next component of *path: sets *len, skips slashes; NULL at the end. */
static const char *
next_component(const char **path, size_t *len)
{
	const char *p = *path, *s;

	while (*p == '/')
		p++;
	if (*p == '\0')
		return NULL;
	s = p;
	while (*p != '\0' && *p != '/')
		p++;
	*len = (size_t)(p - s);
	*path = p;
	return s;
}

int
optimg_fs_lookup(struct optimg_fs *fs, const char *path,
    struct optimg_fs_stat **out)
{
	struct optimg_fs_stat *cur;
	const char *comp, *p = path;
	size_t len;

	*out = NULL;
	cur = stat_dup(&fs->root.st);
	if (cur == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	while ((comp = next_component(&p, &len)) != NULL) {
		struct oi_fs_dirbuf d;
		struct optimg_fs_stat *next = NULL;
		unsigned i;
		int rc;

		if (len == 1 && comp[0] == '.')
			continue;
		if (cur->type != OPTIMG_FS_DIR) {
			free(cur);
			return oi_set_error(&fs->err, OPTIMG_ENOENT,
			    "'%.*s' is not a directory",
			    (int)(comp - path), path);
		}
		rc = read_dir(fs, cur, &d);
		free(cur);
		if (rc < 0)
			return rc;
		for (i = 0; i < d.n && next == NULL; i++) {
			const struct oi_fs_entry *e = &d.e[i];

			if (!e->hidden && strlen(e->st.name) == len &&
			    memcmp(e->st.name, comp, len) == 0)
				next = stat_dup(&e->st);
		}
		/* ISO 9660 names are upper case; let "readme" find README. */
		for (i = 0; i < d.n && next == NULL &&
		    fs->ns == OPTIMG_NS_ISO; i++) {
			const struct oi_fs_entry *e = &d.e[i];

			if (!e->hidden && strlen(e->st.name) == len &&
			    strncasecmp(e->st.name, comp, len) == 0)
				next = stat_dup(&e->st);
		}
		oi_fs_dirbuf_release(&d);
		if (next == NULL)
			return oi_set_error(&fs->err, OPTIMG_ENOENT,
			    "'%.*s' does not exist in the image",
			    (int)(comp + len - path), path);
		cur = next;
	}
	*out = cur;
	return 0;
}

/* ---- walk -------------------------------------------------------------- */

/* Open-addressing set of directory LBAs already entered. */
struct lba_set {
	uint32_t	*slot;		/* value + 1; 0 is empty */
	size_t		 cap, n;
};

static int
lba_set_add(struct lba_set *s, uint32_t lba)
{
	size_t i;

	if (s->n * 2 >= s->cap) {
		struct lba_set big = { NULL, s->cap ? s->cap * 2 : 256, 0 };

		big.slot = calloc(big.cap, sizeof(*big.slot));
		if (big.slot == NULL)
			return OPTIMG_ENOMEM;
		for (i = 0; i < s->cap; i++)
			if (s->slot[i] != 0)
				lba_set_add(&big, s->slot[i] - 1);
		free(s->slot);
		*s = big;
	}
	i = (lba * 2654435761u) & (s->cap - 1);
	while (s->slot[i] != 0) {
		if (s->slot[i] == (uint64_t)lba + 1)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = lba + 1;
	s->n++;
	return 0;
}

struct walk {
	struct optimg_fs	*fs;
	optimg_fs_walk_fn	 fn;
	void			*ctx;
	struct lba_set		 seen;
	char			*path;
	size_t			 path_len, path_cap;
};

static int
path_push(struct walk *w, const char *name, size_t *saved)
{
	size_t nlen = strlen(name), need = w->path_len + 1 + nlen + 1;

	if (need > w->path_cap) {
		size_t cap = OI_MAX(need, w->path_cap * 2);
		char *p = realloc(w->path, cap);

		if (p == NULL)
			return oi_set_error(&w->fs->err, OPTIMG_ENOMEM,
			    "out of memory");
		w->path = p;
		w->path_cap = cap;
	}
	*saved = w->path_len;
	if (w->path_len == 0 || w->path[w->path_len - 1] != '/')
		w->path[w->path_len++] = '/';
	memcpy(w->path + w->path_len, name, nlen + 1);
	w->path_len += nlen;
	return 0;
}

static int walk_entry(struct walk *w, const struct optimg_fs_stat *st,
    uint32_t parent_lba, unsigned depth);

static int
walk_children(struct walk *w, const struct optimg_fs_stat *dir,
    unsigned depth)
{
	struct oi_fs_dirbuf d;
	unsigned i;
	int rc;

	rc = read_dir(w->fs, dir, &d);
	if (rc < 0)
		return rc;
	for (i = 0; i < d.n && rc >= 0; i++) {
		size_t saved;

		if (d.e[i].hidden)
			continue;
		rc = path_push(w, d.e[i].st.name, &saved);
		if (rc < 0)
			break;
		rc = walk_entry(w, &d.e[i].st, dir->lba, depth + 1);
		w->path_len = saved;
		w->path[saved] = '\0';
	}
	oi_fs_dirbuf_release(&d);
	return rc < 0 ? rc : 0;
}

static int
walk_entry(struct walk *w, const struct optimg_fs_stat *st,
    uint32_t parent_lba, unsigned depth)
{
	int rc;

	if (st->type == OPTIMG_FS_DIR) {
		if (depth > OI_FS_MAX_DEPTH)
			return oi_set_error(&w->fs->err, OPTIMG_EFORMAT,
			    "directories nest deeper than %u levels at '%s'",
			    OI_FS_MAX_DEPTH, w->path);
		rc = lba_set_add(&w->seen, st->lba);
		if (rc == OPTIMG_ENOMEM)
			return oi_set_error(&w->fs->err, rc, "out of memory");
		if (rc > 0)
			return oi_set_error(&w->fs->err, OPTIMG_EFORMAT,
			    "directory at LBA %lu loops back to LBA %lu",
			    (unsigned long)parent_lba,
			    (unsigned long)st->lba);
	}
	rc = w->fn(w->ctx, w->path, st, OPTIMG_FS_ENTER);
	if (rc < 0)
		return rc;
	if (st->type != OPTIMG_FS_DIR)
		return 0;
	if (rc != OPTIMG_FS_SKIP) {
		rc = walk_children(w, st, depth);
		if (rc < 0)
			return rc;
	}
	rc = w->fn(w->ctx, w->path, st, OPTIMG_FS_LEAVE);
	return rc < 0 ? rc : 0;
}

int
optimg_fs_walk(struct optimg_fs *fs, const char *start, optimg_fs_walk_fn fn,
    void *ctx)
{
	struct walk w;
	struct optimg_fs_stat *st;
	const char *comp, *p = start;
	size_t len, saved;
	int rc;

	memset(&w, 0, sizeof(w));
	w.fs = fs;
	w.fn = fn;
	w.ctx = ctx;
	rc = optimg_fs_lookup(fs, start, &st);
	if (rc < 0)
		return rc;
	/* The path as the image spells it, normalised to "/a/b". */
	rc = path_push(&w, "", &saved);
	while (rc == 0 && (comp = next_component(&p, &len)) != NULL) {
		char *c = strndup(comp, len);

		if (c == NULL)
			rc = oi_set_error(&fs->err, OPTIMG_ENOMEM,
			    "out of memory");
		else if (strcmp(c, ".") != 0)
			rc = path_push(&w, c, &saved);
		free(c);
	}
	if (rc == 0)
		rc = walk_entry(&w, st, st->lba, 0);
	free(st);
	free(w.seen.slot);
	free(w.path);
	return rc;
}

/* ---- file data --------------------------------------------------------- */

int
oi_fs_read_extent(struct optimg_fs *fs, const struct optimg_fs_extent *x,
    uint64_t off, uint8_t *buf, size_t n)
{
	uint64_t pos = off + x->offset;

	if (x->flags & OPTIMG_FS_EXTENT_SPARSE) {
		memset(buf, 0, n);
		return 0;
	}
	while (n > 0) {
		uint32_t lba = x->lba + (uint32_t)(pos / OI_FS_SECTOR);
		size_t in = pos % OI_FS_SECTOR, chunk;

		if (in == 0 && n >= OI_FS_SECTOR) {
			size_t count = OI_MIN(n / OI_FS_SECTOR,
			    (size_t)(64u << 20) / OI_FS_SECTOR);

			chunk = count * OI_FS_SECTOR;
			OI_TRY(oi_fs_read_sectors(fs, lba, (uint32_t)count,
			    buf));
		} else {
			chunk = OI_MIN(n, OI_FS_SECTOR - in);
			OI_TRY(oi_fs_read_sectors(fs, lba, 1, fs->bounce));
			memcpy(buf, fs->bounce + in, chunk);
		}
		buf += chunk;
		pos += chunk;
		n -= chunk;
	}
	return 0;
}

int
optimg_fs_read(struct optimg_fs *fs, const struct optimg_fs_stat *st,
    uint64_t offset, void *buf, size_t len, size_t *got)
{
	uint64_t base = 0;
	size_t done = 0;
	unsigned i;

	*got = 0;
	if (st->type != OPTIMG_FS_REG)
		return oi_set_error(&fs->err, OPTIMG_EINVAL,
		    "'%s' is not a regular file", st->name);
	if (offset >= st->size)
		return 0;
	len = (size_t)OI_MIN((uint64_t)len, st->size - offset);
	for (i = 0; i < st->nextents && done < len; i++) {
		const struct optimg_fs_extent *x = &st->extents[i];
		uint64_t pos = offset + done;

		if (pos < base + x->length) {
			size_t n = (size_t)OI_MIN((uint64_t)(len - done),
			    base + x->length - pos);

			if (x->flags & OPTIMG_FS_EXTENT_FORM2)
				OI_TRY(oi_fs_read_form2(fs, st->name, x,
				    pos - base, (uint8_t *)buf + done, n));
			else
				OI_TRY(oi_fs_read_extent(fs, x, pos - base,
				    (uint8_t *)buf + done, n));
			done += n;
		}
		base += x->length;
	}
	if (done < len)		/* extents shorter than the size: zeros */
		memset((uint8_t *)buf + done, 0, len - done);
	*got = len;
	return 0;
}
