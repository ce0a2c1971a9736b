/*
 * iso_write_tree.c - the first phase of the ISO writer: scan the sources
 * into a tree and name every node in each name space.
 *
 * Sources are read with lstat(2) (fstatat relative to their directory),
 * so symbolic links are recorded, not
 * followed.  Children are kept sorted by their real (byte) names, which
 * makes every later phase deterministic whatever order readdir(3) gives.
 * A source mapped onto a path that already exists merges when both are
 * directories and is an error naming both sources otherwise.
 *
 * Name spaces:
 *  - Rock Ridge NM keeps the real name (up to 255 bytes).
 *  - ISO 9660 identifiers (ECMA-119 7.5, 7.6) use d-characters; level 1
 *    is 8.3, levels 2 and 3 allow 30 characters for files and 31 for
 *    directories.  Files get ";1".  Clashes after mapping get a numeric
 *    tail, which readers never see when Rock Ridge or Joliet is present.
 *  - Joliet identifiers are UCS-2 big-endian, at most 64 characters (103
 *    with joliet_long), without * / : ; ? and backslash.
 *  - Directories deeper than ISO level 8 (ECMA-119 6.8.2.1) are moved to
 *    RR_MOVED in the ISO tree; Rock Ridge CL/PL/RE restore the real tree.
 */
#include "config.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "iso_write.h"
#include "fs_private.h"

void
oi_iso_warn(struct optimg_mkiso *mk, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	if (mk->o.warning == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mk->o.warning(mk->o.warning_ctx, msg);
}

const char *
oi_iso_path(const struct oi_iso_node *n, char *buf, size_t len)
{
	const struct oi_iso_node *p;
	size_t need = 0, pos;

	for (p = n; p->parent != NULL; p = p->parent)
		need += strlen(p->name) + 1;
	if (need == 0 || need + 1 > len) {
		snprintf(buf, len, "%s", need == 0 ? "/" : n->name);
		return buf;
	}
	buf[need] = '\0';
	pos = need;
	for (p = n; p->parent != NULL; p = p->parent) {
		size_t l = strlen(p->name);
		pos -= l;
		memcpy(buf + pos, p->name, l);
		buf[--pos] = '/';
	}
	return buf;
}

/* ---- nodes ---------------------------------------------------------- */

/* Nodes and their names live in mk->arena, freed with the tree. */
static struct oi_iso_node *
node_new(struct optimg_mkiso *mk, const char *name)
{
	struct oi_iso_node *n = oi_arena_alloc(&mk->arena, sizeof(*n));

	if (n == NULL)
		return NULL;
	n->name = oi_arena_strdup(&mk->arena, name);
	if (n->name == NULL)
		return NULL;
	if (mk->nall == mk->capall) {
		size_t cap = mk->capall ? mk->capall * 2 : 256;
		void *p = oi_reallocarray(mk->all, cap, sizeof(*mk->all));
		if (p == NULL)
			return NULL;
		mk->all = p;
		mk->capall = cap;
	}
	mk->all[mk->nall++] = n;
	return n;
}

static void
node_free(struct oi_iso_node *n)
{
	int ns;

	free(n->mem);
	if (n->dir == NULL)
		return;
	free(n->dir->kids);
	for (ns = 0; ns < NS_COUNT; ns++)
		free(n->dir->nskids[ns]);
}

void
oi_iso_tree_free(struct optimg_mkiso *mk)
{
	size_t i;

	for (i = 0; i < mk->nall; i++)
		node_free(mk->all[i]);
	free(mk->all);
	oi_arena_release(&mk->arena);
	mk->all = NULL;
	mk->nall = mk->capall = 0;
	mk->root = mk->rr_moved = mk->catalog = NULL;
}

static int64_t
clamp(const struct optimg_mkiso *mk, int64_t t)
{
	if (mk->reproducible && t > mk->o.date)
		return mk->o.date;
	return t;
}

/* Makes n a directory: gives it the part only directories have. */
static int
make_dir(struct optimg_mkiso *mk, struct oi_iso_node *n)
{
	n->kind = ISO_DIR;
	if (n->dir == NULL &&
	    (n->dir = oi_arena_alloc(&mk->arena, sizeof(*n->dir))) == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

static int
set_implied_dir(struct optimg_mkiso *mk, struct oi_iso_node *n)
{
	n->mode = S_IFDIR | 0755;
	n->mtime = n->atime = n->ctime = mk->now;
	return make_dir(mk, n);
}

static unsigned
nkids(const struct oi_iso_node *n)
{
	return n->dir != NULL ? n->dir->nkids : 0;
}

/* Binary search among a directory's real children. */
static size_t
kid_pos(const struct oi_iso_node *d, const char *name, bool *found)
{
	const struct oi_iso_dir *x = d->dir;
	size_t lo = 0, hi = x->nkids;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(x->kids[mid]->name, name);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static struct oi_iso_node *
kid_find(const struct oi_iso_node *d, const char *name)
{
	bool found;
	size_t pos = kid_pos(d, name, &found);

	return found ? d->dir->kids[pos] : NULL;
}

static int
kid_insert(struct oi_iso_node *d, struct oi_iso_node *n)
{
	struct oi_iso_dir *x = d->dir;
	bool found;
	size_t pos = kid_pos(d, n->name, &found);

	if (found)
		return OPTIMG_EINVAL;
	if (x->nkids == x->capkids) {
		unsigned cap = x->capkids ? x->capkids * 2 : 8;
		void *p = oi_reallocarray(x->kids, cap, sizeof(*x->kids));
		if (p == NULL)
			return OPTIMG_ENOMEM;
		x->kids = p;
		x->capkids = cap;
	}
	memmove(x->kids + pos + 1, x->kids + pos,
	    (x->nkids - pos) * sizeof(*x->kids));
	x->kids[pos] = n;
	x->nkids++;
	n->parent = d;
	return OPTIMG_OK;
}

/* ---- scanning ------------------------------------------------------- */

static bool
excluded(const struct optimg_mkiso *mk, const char *name, const char *path)
{
	unsigned i;

	for (i = 0; i < mk->o.nexclude; i++)
		if (fnmatch(mk->o.exclude[i], name, 0) == 0 ||
		    fnmatch(mk->o.exclude[i], path, 0) == 0)
			return true;
	return false;
}

const char *
oi_iso_src(const struct oi_iso_node *n, char *buf, size_t len)
{
	if (n->src == NULL || !n->src_in_dir)
		return n->src;
	snprintf(buf, len, "%s%s", n->src, n->name);
	return buf;
}

/*
 * The host path is path; srcdir, when not NULL, is the same path less
 * n->name, shared by the directory's children: 50,000 full paths are
 * megabytes that opening a file can rebuild.
 */
static int
fill_from_stat(struct optimg_mkiso *mk, struct oi_iso_node *n,
    const char *path, const char *srcdir, const struct stat *st)
{
	n->src_in_dir = srcdir != NULL;
	n->src = srcdir != NULL ? srcdir : oi_arena_strdup(&mk->arena, path);
	if (n->src == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	n->mode = st->st_mode;
	n->uid = st->st_uid;
	n->gid = st->st_gid;
	n->nlink = st->st_nlink;
	n->rdev = st->st_rdev;
	n->src_dev = st->st_dev;
	n->src_ino = st->st_ino;
	n->mtime = clamp(mk, st->st_mtime);
	n->atime = clamp(mk, st->st_atime);
	n->ctime = clamp(mk, st->st_ctime);
	if (mk->reproducible)	/* reading files moves atime; ctime too */
		n->atime = n->ctime = n->mtime;
	if (S_ISDIR(st->st_mode)) {
		OI_TRY(make_dir(mk, n));
	} else if (S_ISREG(st->st_mode)) {
		n->kind = ISO_FILE;
		n->size = (uint64_t)st->st_size;
	} else if (S_ISLNK(st->st_mode)) {
		char buf[4096];
		ssize_t len = readlink(path, buf, sizeof(buf) - 1);
		if (len < 0)
			return oi_set_errno(&mk->err, OPTIMG_EIO,
			    "cannot read link '%s'", path);
		buf[len] = '\0';
		n->kind = ISO_SYMLINK;
		n->target = oi_arena_strdup(&mk->arena, buf);
		if (n->target == NULL)
			return oi_set_error(&mk->err, OPTIMG_ENOMEM,
			    "out of memory");
	} else {
		n->kind = ISO_SPECIAL;
	}
	return OPTIMG_OK;
}

static int scan_dir(struct optimg_mkiso *mk, struct oi_iso_node *dir,
    const char *path);

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
collision(struct optimg_mkiso *mk, const struct oi_iso_node *old,
    const char *src)
{
	char p[1024], s[PATH_MAX];
	const char *os = oi_iso_src(old, s, sizeof(s));

	return oi_set_error(&mk->err, OPTIMG_EINVAL,
	    "'%s' and '%s' both map to '%s' in the image",
	    os != NULL ? os : "(made-up directory)", src,
	    oi_iso_path(old, p, sizeof(p)));
}

/*
 * Adds the host object at path as dir/name; merges directories.  srcdir
 * is path less name when a directory scan found it, else NULL.
 */
static int
add_path(struct optimg_mkiso *mk, struct oi_iso_node *dir, const char *name,
    const char *path, const char *srcdir, const struct stat *st)
{
	struct oi_iso_node *n = kid_find(dir, name);

	if (n != NULL) {
		if (n->kind == ISO_DIR && S_ISDIR(st->st_mode)) {
			if (n->src == NULL) {	/* a made-up dir takes attrs */
				int rc = fill_from_stat(mk, n, path, srcdir,
				    st);
				if (rc < 0)
					return rc;
			}
			return scan_dir(mk, n, path);
		}
		return collision(mk, n, path);
	}
	n = node_new(mk, name);
	if (n == NULL || kid_insert(dir, n) < 0)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	OI_TRY(fill_from_stat(mk, n, path, srcdir, st));
	if (n->kind == ISO_DIR)
		return scan_dir(mk, n, path);
	return OPTIMG_OK;
}

/* The names in the open directory d, sorted; d stays open. */
static int
read_names(struct optimg_mkiso *mk, DIR *d, char ***out, size_t *nout)
{
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;

	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t c = cap ? cap * 2 : 32;
			void *p = oi_reallocarray(names, c, sizeof(*names));
			if (p == NULL)
				goto nomem;
			names = p;
			cap = c;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	*out = names;
	*nout = n;
	return OPTIMG_OK;
nomem:
	while (n > 0)
		free(names[--n]);
	free(names);
	return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
}

/* Levels below the root, the root being 0. */
static unsigned
depth_of(const struct oi_iso_node *n)
{
	unsigned d = 0;

	for (; n->parent != NULL; n = n->parent)
		d++;
	return d;
}

/*
 * The children of the open directory d, stat'ed relative to it (one path
 * lookup per name, not per component of the full path: most of a large
 * tree's scan), before any is descended into, so that one descriptor is
 * open per level at most while it is read.  names[i] is freed and set to
 * NULL for the children left out.
 */
static int
stat_kids(struct optimg_mkiso *mk, DIR *d, const char *srcdir,
    char **names, size_t n, struct stat *st)
{
	char *child = NULL;
	size_t i;
	int rc = OPTIMG_OK;

	/* The full path only where it is needed: --exclude, messages. */
	for (i = 0; i < n && rc == OPTIMG_OK; i++) {
		bool gone;
		int e;

		free(child);
		child = NULL;
		if (mk->o.nexclude > 0 &&
		    asprintf(&child, "%s%s", srcdir, names[i]) < 0)
			goto nomem;
		if (child != NULL && excluded(mk, names[i], child)) {
			free(names[i]);
			names[i] = NULL;
			continue;
		}
		gone = fstatat(dirfd(d), names[i], &st[i],
		    AT_SYMLINK_NOFOLLOW) < 0;
		e = errno;
		if (!gone && !(mk->have_out && st[i].st_dev == mk->out_dev &&
		    st[i].st_ino == mk->out_ino))
			continue;
		if (child == NULL &&
		    asprintf(&child, "%s%s", srcdir, names[i]) < 0)
			goto nomem;
		if (gone) {
			errno = e;
			rc = oi_set_errno(&mk->err, OPTIMG_EIO,
			    "cannot stat '%s'", child);
		} else {
			oi_iso_warn(mk, "leaving out '%s': it is the output",
			    child);
			free(names[i]);
			names[i] = NULL;
		}
	}
	free(child);
	return rc;
nomem:
	return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
}

static int
scan_dir(struct optimg_mkiso *mk, struct oi_iso_node *dir, const char *path)
{
	char **names = NULL, *child = NULL, *srcdir;
	size_t n = 0, i, plen = strlen(path);
	bool slash = plen > 0 && path[plen - 1] == '/';
	struct stat *st = NULL;
	int rc = OPTIMG_OK;
	DIR *d;

	/* What optimg's own reader (and so ls and extract) refuses to walk
	 * is not written either. */
	if (depth_of(dir) > OI_FS_MAX_DEPTH)
		return oi_set_error(&mk->err, OPTIMG_EINVAL, "'%s': "
		    "directories nest deeper than %u levels, which optimg "
		    "cannot read back", path, OI_FS_MAX_DEPTH);

	/* The children's shared host path prefix (see fill_from_stat). */
	if ((srcdir = oi_arena_alloc(&mk->arena, plen + 2)) == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	memcpy(srcdir, path, plen);
	if (!slash)
		srcdir[plen] = '/';
	if ((d = opendir(path)) == NULL)
		return oi_set_errno(&mk->err, OPTIMG_EIO,
		    "cannot open directory '%s'", path);
	rc = read_names(mk, d, &names, &n);
	if (rc == OPTIMG_OK && n > 0 &&
	    (st = oi_reallocarray(NULL, n, sizeof(*st))) == NULL)
		rc = oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	if (rc == OPTIMG_OK)
		rc = stat_kids(mk, d, srcdir, names, n, st);
	closedir(d);
	for (i = 0; i < n && rc == OPTIMG_OK; i++) {
		size_t len;

		if (names[i] == NULL)
			continue;
		len = plen + strlen(names[i]) + 2;
		free(child);
		if ((child = malloc(len)) == NULL) {
			rc = oi_set_error(&mk->err, OPTIMG_ENOMEM,
			    "out of memory");
			break;
		}
		snprintf(child, len, "%s%s", srcdir, names[i]);
		rc = add_path(mk, dir, names[i], child, srcdir, &st[i]);
	}
	free(child);
	free(st);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

/* Walks (making directories) to the directory an image path names. */
static int
make_dirs(struct optimg_mkiso *mk, const char *path, bool all,
    struct oi_iso_node **dir, char *last, size_t lastlen)
{
	struct oi_iso_node *d = mk->root, *n;
	char comp[256];
	const char *p = path, *e;

	last[0] = '\0';
	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) >= sizeof(comp))
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "name too long in '%s'", path);
		memcpy(comp, p, (size_t)(e - p));
		comp[e - p] = '\0';
		p = e;
		while (*p == '/')
			p++;
		if (!all && *p == '\0') {
			snprintf(last, lastlen, "%s", comp);
			break;
		}
		if (strcmp(comp, ".") == 0 || strcmp(comp, "..") == 0)
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "'%s': '.' and '..' are not allowed in image paths",
			    path);
		n = kid_find(d, comp);
		if (n == NULL) {
			n = node_new(mk, comp);
			if (n == NULL || kid_insert(d, n) < 0)
				return oi_set_error(&mk->err, OPTIMG_ENOMEM,
				    "out of memory");
			OI_TRY(set_implied_dir(mk, n));
		} else if (n->kind != ISO_DIR) {
			char s[PATH_MAX];
			const char *ns = oi_iso_src(n, s, sizeof(s));
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "'%s' maps into '%s', which is not a directory",
			    path, ns != NULL ? ns : comp);
		}
		d = n;
	}
	*dir = d;
	return OPTIMG_OK;
}

static const char *
base_name(const char *path)
{
	const char *e = path + strlen(path), *s;

	while (e > path + 1 && e[-1] == '/')
		e--;
	for (s = e; s > path && s[-1] != '/'; s--)
		;
	return s;
}

static int
add_source(struct optimg_mkiso *mk, const struct optimg_mkiso_source *src)
{
	struct oi_iso_node *dir;
	struct stat st;
	char name[256];
	const char *dest = src->dest;

	if (lstat(src->path, &st) < 0)
		return oi_set_errno(&mk->err, errno == ENOENT ? OPTIMG_ENOENT :
		    OPTIMG_EIO, "cannot stat '%s'", src->path);
	if (S_ISDIR(st.st_mode)) {
		OI_TRY(make_dirs(mk, dest != NULL ? dest : "", true, &dir,
		    name, sizeof(name)));
		/* A made-up directory takes the first source's attributes. */
		if (dir->src == NULL)
			OI_TRY(fill_from_stat(mk, dir, src->path, NULL, &st));
		return scan_dir(mk, dir, src->path);
	}
	if (dest == NULL || dest[0] == '\0' || dest[strlen(dest) - 1] == '/') {
		const char *b = base_name(src->path);
		size_t l = strcspn(b, "/");
		OI_TRY(make_dirs(mk, dest != NULL ? dest : "", true, &dir,
		    name, sizeof(name)));
		if (l >= sizeof(name))
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "name too long: '%s'", src->path);
		memcpy(name, b, l);
		name[l] = '\0';
	} else {
		OI_TRY(make_dirs(mk, dest, false, &dir, name, sizeof(name)));
	}
	if (name[0] == '\0')
		return oi_set_error(&mk->err, OPTIMG_EINVAL,
		    "no name for '%s' in the image", src->path);
	return add_path(mk, dir, name, src->path, NULL, &st);
}

struct oi_iso_node *
oi_iso_lookup(struct optimg_mkiso *mk, const char *path)
{
	struct oi_iso_node *d = mk->root;
	char comp[256];
	const char *p = path, *e;

	for (;;) {
		while (*p == '/')
			p++;
		if (*p == '\0')
			return d;
		e = strchr(p, '/');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) >= sizeof(comp) || d->kind != ISO_DIR)
			return NULL;
		memcpy(comp, p, (size_t)(e - p));
		comp[e - p] = '\0';
		if ((d = kid_find(d, comp)) == NULL)
			return NULL;
		p = e;
	}
}

/* ---- after the scan: order, links, weights, hiding, digest ----------- */

static void
collect(struct oi_iso_node *n, struct oi_iso_node **v, size_t *k)
{
	unsigned i;

	v[(*k)++] = n;
	for (i = 0; i < nkids(n); i++)
		collect(n->dir->kids[i], v, k);
}

/* Re-orders mk->all into depth-first tree order (deterministic). */
static void
tree_order(struct optimg_mkiso *mk)
{
	size_t k = 0;

	collect(mk->root, mk->all, &k);
	assert(k == mk->nall);	/* every node is in the tree */
}

static int
link_cmp(const void *a, const void *b)
{
	const struct oi_iso_node *x = *(struct oi_iso_node *const *)a;
	const struct oi_iso_node *y = *(struct oi_iso_node *const *)b;

	if (x->src_dev != y->src_dev)
		return x->src_dev < y->src_dev ? -1 : 1;
	if (x->src_ino != y->src_ino)
		return x->src_ino < y->src_ino ? -1 : 1;
	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

/* Serial numbers in tree order; hard links share their first's. */
static int
number_nodes(struct optimg_mkiso *mk)
{
	struct oi_iso_node **v;
	size_t i, j, nv = 0;

	for (i = 0; i < mk->nall; i++) {
		struct oi_iso_node *n = mk->all[i];
		n->serial = (uint32_t)i + 1;
		if (n->kind == ISO_DIR) {
			unsigned k, sub = 0;
			for (k = 0; k < n->dir->nkids; k++)
				sub += n->dir->kids[k]->kind == ISO_DIR;
			n->nlink = 2 + sub;
		} else if (n->kind != ISO_DIR && n->src != NULL &&
		    n->nlink > 1) {
			nv++;
		} else {
			n->nlink = 1;
		}
	}
	if (nv == 0)
		return OPTIMG_OK;
	if ((v = oi_calloc(nv, sizeof(*v))) == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0, nv = 0; i < mk->nall; i++) {
		struct oi_iso_node *n = mk->all[i];
		if (n->kind != ISO_DIR && n->src != NULL && n->nlink > 1)
			v[nv++] = n;
	}
	qsort(v, nv, sizeof(*v), link_cmp);
	for (i = 0; i < nv; i = j) {
		for (j = i + 1; j < nv && v[j]->src_dev == v[i]->src_dev &&
		    v[j]->src_ino == v[i]->src_ino; j++) {
			v[j]->link_owner = v[i];
			v[j]->serial = v[i]->serial;
		}
		for (size_t k = i; k < j; k++)
			v[k]->nlink = (uint32_t)(j - i);
	}
	free(v);
	return OPTIMG_OK;
}

static int
read_sort_file(struct optimg_mkiso *mk)
{
	char *text, *line, *save = NULL;
	size_t len, i;
	unsigned lineno = 0;

	if (mk->o.sort_file == NULL)
		return OPTIMG_OK;
	OI_TRY(oi_read_small_file(mk->o.sort_file, 64u << 20, &text, &len,
	    &mk->err));
	for (line = strtok_r(text, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *sp, *end;
		long w;

		lineno++;
		len = strlen(line);
		while (len > 0 && (line[len - 1] == ' ' ||
		    line[len - 1] == '\t' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		sp = strrchr(line, ' ');
		if (sp == NULL)
			sp = strrchr(line, '\t');
		w = sp != NULL ? strtol(sp + 1, &end, 10) : 0;
		if (sp == NULL || *end != '\0') {
			free(text);
			return oi_set_error(&mk->err, OPTIMG_EFORMAT,
			    "'%s' line %u: expected 'PATH WEIGHT'",
			    mk->o.sort_file, lineno);
		}
		while (sp > line && (sp[-1] == ' ' || sp[-1] == '\t'))
			sp--;
		*sp = '\0';
		for (i = 0; i < mk->nall; i++) {
			struct oi_iso_node *n = mk->all[i];
			char p[4096], s[PATH_MAX];
			const char *src;
			if (n->kind != ISO_FILE)
				continue;
			oi_iso_path(n, p, sizeof(p));
			src = oi_iso_src(n, s, sizeof(s));
			if ((src != NULL && fnmatch(line, src, 0) == 0) ||
			    fnmatch(line, n->name, 0) == 0 ||
			    fnmatch(line, p, 0) == 0 ||
			    fnmatch(line, p + 1, 0) == 0)
				n->weight = (int)w;
		}
	}
	free(text);
	return OPTIMG_OK;
}

static bool
matches(const char *const *pat, unsigned npat, const struct oi_iso_node *n,
    const char *path)
{
	char s[PATH_MAX];
	const char *src = npat > 0 ? oi_iso_src(n, s, sizeof(s)) : NULL;
	unsigned i;

	for (i = 0; i < npat; i++)
		if (fnmatch(pat[i], n->name, 0) == 0 ||
		    fnmatch(pat[i], path, 0) == 0 ||
		    fnmatch(pat[i], path + 1, 0) == 0 ||
		    (src != NULL && fnmatch(pat[i], src, 0) == 0))
			return true;
	return false;
}

static void
apply_hiding(struct optimg_mkiso *mk)
{
	size_t i;

	for (i = 1; i < mk->nall; i++) {	/* parents come first */
		struct oi_iso_node *n = mk->all[i];
		char p[4096];

		oi_iso_path(n, p, sizeof(p));
		n->hide[NS_ISO] = n->parent->hide[NS_ISO] ||
		    matches(mk->o.hide, mk->o.nhide, n, p);
		n->hide[NS_JOLIET] = n->parent->hide[NS_JOLIET] ||
		    matches(mk->o.hide_joliet, mk->o.nhide_joliet, n, p);
	}
}

/* SHA-256 of what the tree records: GUIDs and ids derive from it. */
static int
tree_digest(struct optimg_mkiso *mk)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned len = 0;
	size_t i;

	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(ctx);
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "no SHA-256");
	}
	for (i = 0; i < mk->nall; i++) {
		const struct oi_iso_node *n = mk->all[i];
		uint64_t f[5] = { n->mode, n->size, (uint64_t)n->mtime,
		    nkids(n), n->serial };
		EVP_DigestUpdate(ctx, n->name, strlen(n->name) + 1);
		EVP_DigestUpdate(ctx, f, sizeof(f));
		if (n->target != NULL)
			EVP_DigestUpdate(ctx, n->target, strlen(n->target) + 1);
	}
	if (mk->o.volume_id != NULL)
		EVP_DigestUpdate(ctx, mk->o.volume_id, strlen(mk->o.volume_id));
	EVP_DigestUpdate(ctx, &mk->now, sizeof(mk->now));
	EVP_DigestFinal_ex(ctx, mk->digest, &len);
	EVP_MD_CTX_free(ctx);
	return OPTIMG_OK;
}

int
oi_iso_tree_build(struct optimg_mkiso *mk)
{
	unsigned i;

	mk->root = node_new(mk, "");
	if (mk->root == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	OI_TRY(set_implied_dir(mk, mk->root));
	for (i = 0; i < mk->o.nsources; i++)
		OI_TRY(add_source(mk, &mk->o.sources[i]));
	tree_order(mk);
	OI_TRY(number_nodes(mk));
	OI_TRY(read_sort_file(mk));
	apply_hiding(mk);
	return tree_digest(mk);
}


/* ---- names per name space -------------------------------------------- */

/* Open-addressing set of identifiers, one per directory. */
struct idset {
	const struct oi_iso_node	**slot;
	size_t				  mask;
	int				  ns;
};

static uint32_t
id_hash(const uint8_t *p, size_t len)
{
	uint32_t h = 2166136261u;

	while (len-- > 0)
		h = (h ^ *p++) * 16777619u;
	return h;
}

/* ns NS_COUNT: the ISO name as recorded in the ISO parent (RR_MOVED). */
static const uint8_t *
node_id(const struct oi_iso_node *n, int ns, size_t *len)
{
	if (ns == NS_COUNT && !n->relocated)
		ns = NS_ISO;
	if (ns == NS_COUNT) {
		*len = n->dir->reloc_idlen;
		return n->dir->reloc_id;
	}
	*len = n->idlen[ns];
	return n->id[ns];
}

/* Adds n; false when its identifier is taken. */
static bool
idset_add(struct idset *s, const struct oi_iso_node *n)
{
	size_t len, olen;
	const uint8_t *id = node_id(n, s->ns, &len);
	size_t i = id_hash(id, len) & s->mask;

	for (; s->slot[i] != NULL; i = (i + 1) & s->mask) {
		const uint8_t *o = node_id(s->slot[i], s->ns, &olen);
		if (olen == len && memcmp(o, id, len) == 0)
			return false;
	}
	s->slot[i] = n;
	return true;
}

static char
dchar(unsigned char c)
{
	if (c >= 'a' && c <= 'z')
		return (char)(c - 'a' + 'A');
	if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')
		return (char)c;
	return '_';
}

/*
 * ISO identifier (ECMA-119 7.5.1, 7.6.1): d-characters, "NAME.EXT;1" for
 * files, "NAME" for directories; tail replaces the end of NAME.
 */
static size_t
iso_id(const struct oi_iso_node *n, unsigned level, const char *tail,
    uint8_t *out)
{
	bool dir = n->kind == ISO_DIR;
	const char *dot = dir ? NULL : strrchr(n->name, '.');
	size_t maxname, maxext, nl, el, tl = strlen(tail), i;
	char name[64], ext[64], *o = (char *)out;

	if (dot == n->name)
		dot = NULL;	/* ".profile" has no extension */
	nl = dot != NULL ? (size_t)(dot - n->name) : strlen(n->name);
	el = dot != NULL ? strlen(dot + 1) : 0;
	if (level == 1) {
		maxname = 8;
		maxext = dir ? 0 : 3;
	} else {
		maxext = dir ? 0 : OI_MIN(el, 8);
		maxname = (dir ? 31 : 30) - maxext;
	}
	el = OI_MIN(el, maxext);
	nl = OI_MIN(nl, maxname);
	for (i = 0; i < nl; i++)
		name[i] = dchar((unsigned char)n->name[i]);
	for (i = 0; i < el; i++)
		ext[i] = dchar((unsigned char)dot[1 + i]);
	if (tl > 0) {
		if (nl + tl > maxname)
			nl = maxname - tl;
		memcpy(name + nl, tail, tl);
		nl += tl;
	}
	if (nl == 0 && el == 0)
		name[nl++] = '_';
	memcpy(o, name, nl);
	if (dir)
		return nl;
	o[nl] = '.';
	memcpy(o + nl + 1, ext, el);
	memcpy(o + nl + 1 + el, ";1", 2);
	return nl + el + 3;
}

/* Next code point of UTF-8 text; invalid bytes come back as '_'. */
static uint32_t
utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = *p++;
	int more = 0;

	if (c >= 0xF0 && c < 0xF8) {
		c &= 0x07;
		more = 3;
	} else if (c >= 0xE0) {
		c &= 0x0F;
		more = 2;
	} else if (c >= 0xC2 && c < 0xE0) {
		c &= 0x1F;
		more = 1;
	} else if (c >= 0x80) {
		*pp = p;
		return '_';
	}
	while (more-- > 0) {
		if ((*p & 0xC0) != 0x80) {
			*pp = p;
			return '_';
		}
		c = c << 6 | (*p++ & 0x3F);
	}
	*pp = p;
	return c;
}

/* Joliet identifier: UCS-2BE, forbidden characters become '_'. */
static void
joliet_id(struct oi_iso_node *n, unsigned max, const char *tail, uint8_t *o)
{
	const unsigned char *p = (const unsigned char *)n->name;
	uint16_t u[128];
	size_t k = 0, tl = strlen(tail), i;

	while (*p != '\0' && k < max) {
		uint32_t c = utf8_next(&p);
		if (c < 0x20 || c > 0xFFFF || (c >= 0xD800 && c < 0xE000) ||
		    strchr("*/:;?\\", (int)c) != NULL)
			c = '_';
		u[k++] = (uint16_t)c;
	}
	if (tl > 0) {
		if (k + tl > max)
			k = max - tl;
		for (i = 0; i < tl; i++)
			u[k++] = (uint8_t)tail[i];
	}
	if (n->kind != ISO_DIR) {
		u[k++] = ';';
		u[k++] = '1';
	}
	for (i = 0; i < k; i++) {
		o[2 * i] = (uint8_t)(u[i] >> 8);
		o[2 * i + 1] = (uint8_t)u[i];
	}
	n->idlen[NS_JOLIET] = (uint8_t)(2 * k);
}

/*
 * Identifiers are allocated at their length, in the arena: 50,000 files
 * add up.  A clash's earlier tries stay there unused (they are rare).
 */
static int
make_id(struct optimg_mkiso *mk, struct oi_iso_node *n, int ns,
    const char *tail)
{
	uint8_t buf[ISO_ID_MAX];
	void *p;

	if (ns == NS_ISO)
		n->idlen[NS_ISO] = (uint8_t)iso_id(n, mk->iso_level == 1 ?
		    1 : 2, tail, buf);
	else
		joliet_id(n, mk->joliet_max, tail, buf);
	if ((p = oi_arena_alloc(&mk->arena, n->idlen[ns] + 1u)) == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	n->id[ns] = p;
	memcpy(p, buf, n->idlen[ns]);
	return OPTIMG_OK;
}

/* ECMA-119 9.3: by name, then extension, each padded with spaces. */
static int
iso_cmp(const void *a, const void *b)
{
	const struct oi_iso_node *x = *(struct oi_iso_node *const *)a;
	const struct oi_iso_node *y = *(struct oi_iso_node *const *)b;
	size_t xl, yl, i = 0, j = 0;
	const uint8_t *p = node_id(x, NS_COUNT, &xl);
	const uint8_t *q = node_id(y, NS_COUNT, &yl);
	int part;

	for (part = 0; part < 2; part++) {
		for (;;) {
			int c = i < xl && p[i] != '.' &&
			    p[i] != ';' ? p[i] : ' ';
			int d = j < yl && q[j] != '.' &&
			    q[j] != ';' ? q[j] : ' ';
			if (c == ' ' && d == ' ')
				break;
			if (c != d)
				return c - d;
			i += c != ' ';
			j += d != ' ';
		}
		if (i < xl && p[i] == '.')
			i++;
		if (j < yl && q[j] == '.')
			j++;
	}
	return 0;
}

static int
joliet_cmp(const void *a, const void *b)
{
	const struct oi_iso_node *x = *(struct oi_iso_node *const *)a;
	const struct oi_iso_node *y = *(struct oi_iso_node *const *)b;
	size_t l = OI_MIN(x->idlen[NS_JOLIET], y->idlen[NS_JOLIET]);
	int c = memcmp(x->id[NS_JOLIET], y->id[NS_JOLIET], l);

	return c != 0 ? c : (int)x->idlen[NS_JOLIET] - y->idlen[NS_JOLIET];
}

static int
name_dir(struct optimg_mkiso *mk, struct oi_iso_node *d, int ns)
{
	struct idset set;
	struct oi_iso_node **v;
	unsigned i, n = 0, counter = 0;
	size_t cap = 16;

	while (cap < 2 * (size_t)d->dir->nkids + 2)
		cap *= 2;
	v = oi_calloc(d->dir->nkids + 1, sizeof(*v));
	set.slot = oi_calloc(cap, sizeof(*set.slot));
	set.mask = cap - 1;
	set.ns = ns;
	if (v == NULL || set.slot == NULL) {
		free(v);
		free(set.slot);
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	}
	for (i = 0; i < d->dir->nkids; i++) {
		struct oi_iso_node *k = d->dir->kids[i];
		char tail[16] = "";

		if (k->hide[ns])
			continue;
		if (make_id(mk, k, ns, tail) < 0)
			goto nomem;
		while (!idset_add(&set, k)) {
			snprintf(tail, sizeof(tail), "%s%u",
			    ns == NS_JOLIET ? "~" : "", ++counter);
			if (make_id(mk, k, ns, tail) < 0)
				goto nomem;
			if (ns == NS_JOLIET && counter == 1) {
				char p[1024];
				oi_iso_warn(mk, "Joliet name of '%s' shortened "
				    "to keep it unique",
				    oi_iso_path(k, p, sizeof(p)));
			}
		}
		v[n++] = k;
	}
	free(set.slot);
	qsort(v, n, sizeof(*v), ns == NS_ISO ? iso_cmp : joliet_cmp);
	d->dir->nskids[ns] = v;
	d->dir->nnskids[ns] = n;
	return OPTIMG_OK;
nomem:
	free(set.slot);
	free(v);
	return OPTIMG_ENOMEM;
}

static int
add_nskid(struct optimg_mkiso *mk, struct oi_iso_node *d, struct oi_iso_node *k)
{
	struct oi_iso_dir *x = d->dir;
	void *p = oi_reallocarray(x->nskids[NS_ISO], x->nnskids[NS_ISO] + 1,
	    sizeof(*x->nskids[NS_ISO]));

	if (p == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	x->nskids[NS_ISO] = p;
	x->nskids[NS_ISO][x->nnskids[NS_ISO]++] = k;
	return OPTIMG_OK;
}

/* Whether a visible root entry already has r's ISO or Rock Ridge name. */
static bool
root_taken(const struct optimg_mkiso *mk, const struct oi_iso_node *r)
{
	unsigned i;

	for (i = 0; i < mk->root->dir->nnskids[NS_ISO]; i++) {
		const struct oi_iso_node *k = mk->root->dir->nskids[NS_ISO][i];
		if (strcmp(k->name, r->name) == 0 ||
		    (k->idlen[NS_ISO] == r->idlen[NS_ISO] &&
		    memcmp(k->id[NS_ISO], r->id[NS_ISO], r->idlen[NS_ISO]) == 0))
			return true;
	}
	return false;
}

/*
 * The relocation directory, as libisofs makes it (xorriso -rr_reloc_dir
 * rr_moved): a source directory /rr_moved holds the moved directories
 * and stays visible; otherwise a made-up one, ISO "RR_MOVED", Rock Ridge
 * "rr_moved", marked RE so that Rock Ridge readers leave it out.  (Some,
 * libarchive among them, find it by that name.)  If /rr_moved is a file
 * or hidden, the made-up one takes a number.
 */
static int
make_rr_moved(struct optimg_mkiso *mk)
{
	struct oi_iso_node *r = kid_find(mk->root, "rr_moved");
	char name[32];
	unsigned i;

	if (r != NULL && r->kind == ISO_DIR && !r->hide[NS_ISO]) {
		r->is_rr_moved = true;
		mk->rr_moved = r;
		return OPTIMG_OK;
	}
	if ((r = node_new(mk, "rr_moved")) == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	OI_TRY(set_implied_dir(mk, r));
	r->parent = r->dir->iso_parent = mk->root;
	r->is_rr_moved = r->reloc_marked = true;
	r->hide[NS_JOLIET] = true;
	r->serial = (uint32_t)mk->nall + 1;
	r->nlink = 2;
	r->dir->level = 2;
	for (i = 1;; i++) {
		OI_TRY(make_id(mk, r, NS_ISO, ""));
		if (!root_taken(mk, r))
			break;
		snprintf(name, sizeof(name), "rr_moved%u", i);
		if ((r->name = oi_arena_strdup(&mk->arena, name)) == NULL)
			return oi_set_error(&mk->err, OPTIMG_ENOMEM,
			    "out of memory");
	}
	mk->rr_moved = r;
	OI_TRY(add_nskid(mk, mk->root, r));
	qsort(mk->root->dir->nskids[NS_ISO], mk->root->dir->nnskids[NS_ISO],
	    sizeof(*mk->root->dir->nskids[NS_ISO]), iso_cmp);
	return OPTIMG_OK;
}

/*
 * Names inside RR_MOVED: each directory keeps its ISO name, as libisofs
 * and genisoimage do, so plain ISO 9660 readers show RR_MOVED/NAME; two
 * relocated directories of one name get numbered like any other clash.
 */
static int
name_relocated(struct optimg_mkiso *mk)
{
	struct oi_iso_node *r = mk->rr_moved;
	struct idset set;
	unsigned i, counter = 0;
	size_t cap = 16;

	while (cap < 2 * (size_t)r->dir->nnskids[NS_ISO] + 2)
		cap *= 2;
	if ((set.slot = oi_calloc(cap, sizeof(*set.slot))) == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	set.mask = cap - 1;
	set.ns = NS_COUNT;
	for (i = 0; i < r->dir->nnskids[NS_ISO]; i++) {
		struct oi_iso_node *k = r->dir->nskids[NS_ISO][i];
		char tail[16] = "";
		unsigned level = mk->iso_level == 1 ? 1 : 2;

		if (!k->relocated) {	/* a source rr_moved's own */
			if (!idset_add(&set, k))
				goto clash;
			continue;
		}
		k->dir->reloc_idlen = (uint8_t)iso_id(k, level, tail,
		    k->dir->reloc_id);
		while (!idset_add(&set, k)) {
			snprintf(tail, sizeof(tail), "%u", ++counter);
			k->dir->reloc_idlen = (uint8_t)iso_id(k, level, tail,
			    k->dir->reloc_id);
		}
	}
	free(set.slot);
	qsort(r->dir->nskids[NS_ISO], r->dir->nnskids[NS_ISO],
	    sizeof(*r->dir->nskids[NS_ISO]), iso_cmp);
	return OPTIMG_OK;
clash:
	free(set.slot);
	return oi_set_error(&mk->err, OPTIMG_EINVAL,
	    "ISO 9660 names clash in /rr_moved");
}

/*
 * Moves directories below ISO level 8 into RR_MOVED (RRIP 4.1.5): they
 * stay in their parent as an empty file with CL, and appear in RR_MOVED
 * with RE; their ".." carries PL back to the real parent.
 */
static int
relocate(struct optimg_mkiso *mk)
{
	size_t i;

	mk->root->dir->level = 1;
	mk->root->dir->iso_parent = mk->root;
	for (i = 0; i < mk->nall; i++) {	/* parents before children */
		struct oi_iso_node *d = mk->all[i];
		unsigned k;

		if (d->kind != ISO_DIR || d->hide[NS_ISO])
			continue;
		for (k = 0; k < d->dir->nnskids[NS_ISO]; k++) {
			struct oi_iso_node *c = d->dir->nskids[NS_ISO][k];
			/* Skips RR_MOVED and, inside it, the moved ones. */
			if (c->kind != ISO_DIR || c->reloc_marked ||
			    (c->relocated && c->parent != d))
				continue;
			c->dir->iso_parent = d;
			c->dir->level = d->dir->level + 1;
			if (c->dir->level <= ISO_MAX_LEVEL)
				continue;
			if (mk->rr_moved == NULL)
				OI_TRY(make_rr_moved(mk));
			c->relocated = true;
			c->dir->iso_parent = mk->rr_moved;
			c->dir->level = 3;
			OI_TRY(add_nskid(mk, mk->rr_moved, c));
			mk->rr_moved->nlink++;
		}
	}
	return mk->rr_moved != NULL ? name_relocated(mk) : OPTIMG_OK;
}

int
oi_iso_names(struct optimg_mkiso *mk)
{
	size_t i, nall = mk->nall;
	int ns;

	if (mk->root->kind != ISO_DIR)
		return oi_set_error(&mk->err, OPTIMG_EINVAL,
		    "the image root is not a directory");
	for (ns = 0; ns < NS_COUNT; ns++) {
		if (ns == NS_JOLIET && !mk->joliet)
			continue;
		for (i = 0; i < nall; i++)
			if (mk->all[i]->kind == ISO_DIR &&
			    !mk->all[i]->hide[ns])
				OI_TRY(name_dir(mk, mk->all[i], ns));
	}
	return relocate(mk);
}

/* Adds the El Torito catalog as a file at path (made-up directories). */
int
oi_iso_add_catalog(struct optimg_mkiso *mk, const char *path,
    struct oi_iso_node **out)
{
	struct oi_iso_node *dir, *n;
	char name[256];

	OI_TRY(make_dirs(mk, path, false, &dir, name, sizeof(name)));
	if (name[0] == '\0')
		return oi_set_error(&mk->err, OPTIMG_EINVAL,
		    "boot catalog path '%s' has no file name", path);
	if ((n = kid_find(dir, name)) != NULL) {
		char s[PATH_MAX];
		const char *ns = oi_iso_src(n, s, sizeof(s));
		return oi_set_error(&mk->err, OPTIMG_EINVAL,
		    "boot catalog '%s' collides with '%s'", path,
		    ns != NULL ? ns : "a directory");
	}
	n = node_new(mk, name);
	if (n == NULL || kid_insert(dir, n) < 0)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	n->kind = ISO_CATALOG;
	n->mode = S_IFREG | 0444;
	n->nlink = 1;
	n->size = ISO_BLOCK;
	n->mtime = n->atime = n->ctime = mk->now;
	n->serial = (uint32_t)mk->nall + 1;
	*out = n;
	return OPTIMG_OK;
}
