/*
 * mklive_fat.c - a small FAT12/FAT16 image writer for EFI system
 * partitions (the El Torito EFI image of a live ISO).
 *
 * On-disk layout (Microsoft FAT specification 1.03, "FAT: General
 * Overview of On-Disk Format"), 512-byte sectors:
 *   sector 0        boot sector with the BIOS parameter block:
 *                   0 jump EB 3C 90, 3 OEM name, 11 bytes per sector,
 *                   13 sectors per cluster, 14 reserved sectors (1),
 *                   16 number of FATs (2), 17 root entries, 19 total
 *                   sectors (16-bit, else 0 and 32 holds them), 21 media
 *                   F8, 22 sectors per FAT, 24 sectors per track, 26
 *                   heads, 28 hidden sectors, 36 drive 0x80, 38 extended
 *                   signature 0x29, 39 serial, 43 label, 54 "FAT12   " or
 *                   "FAT16   ", 510 55 AA
 *   1 ..            two copies of the FAT: 12-bit entries packed two in
 *                   three bytes, or 16-bit little-endian entries; entry 0
 *                   holds the media byte, 1 the end-of-chain mark
 *   then            the fixed root directory (32-byte entries)
 *   then            the data area; cluster 2 is its first
 * FAT12 or FAT16 follows from the cluster count alone (< 4085: FAT12),
 * as the specification says.  Directory entries: 0 name (8+3, space
 * padded, upper case), 11 attributes (0x10 directory, 0x08 volume
 * label), 12 NT case flags (0x08 base, 0x10 extension in lower case),
 * 14/16 creation time/date, 18 access date, 22/24 write time/date, 26
 * first cluster, 28 size.  Subdirectories start with "." and "..".
 * Names must fit 8.3 (what an ESP holds does); lower-case names keep
 * their case through the NT flags, as Windows writes them.
 *
 * Everything is computed from the inputs and the date: the same files
 * give the same bytes.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mklive.h"

#define SECT		512u
#define CLUSTER_SECTS	4u		/* 2 KiB clusters */
#define CLUSTER		(SECT * CLUSTER_SECTS)
#define ROOT_ENTRIES	512u
#define DIRENT		32u

struct fat_node {
	char		 name[13];	/* as given, "BOOTX64.EFI" */
	uint8_t		 short_name[11];
	uint8_t		 case_flags;
	bool		 dir;
	const struct oi_fat_file *file;
	struct fat_node	*parent;
	struct fat_node	**kids;
	unsigned	 nkids;
	uint32_t	 cluster;	/* first; 0 for the root and empty */
	uint32_t	 nclusters;
	uint64_t	 size;
};

struct fat {
	struct fat_node	 root;
	struct fat_node	**all;		/* allocation order */
	unsigned	 nall;
	uint32_t	 clusters;	/* data clusters in use */
	struct optimg_error *err;
};

static int
short_name(struct fat *f, const char *name, struct fat_node *n)
{
	const char *dot = strrchr(name, '.');
	size_t base = dot != NULL ? (size_t)(dot - name) : strlen(name);
	size_t ext = dot != NULL ? strlen(dot + 1) : 0;
	bool lower[2] = { false, false }, upper[2] = { false, false };
	size_t i;

	if (base == 0 || base > 8 || ext > 3 || strlen(name) > 12)
		return oi_set_error(f->err, OPTIMG_EINVAL,
		    "'%s' is not an 8.3 name (the EFI image takes no others)",
		    name);
	memset(n->short_name, ' ', 11);
	for (i = 0; name[i] != '\0'; i++) {
		unsigned char c = (unsigned char)name[i];
		int part = dot != NULL && name + i > dot;
		size_t at = part ? 8 + (size_t)(name + i - dot - 1) : i;

		if (name + i == dot)
			continue;
		if (c <= ' ' || c >= 0x7F || strchr("\"*+,/:;<=>?[\\]|.", c))
			return oi_set_error(f->err, OPTIMG_EINVAL,
			    "'%s' has a character FAT names cannot hold",
			    name);
		if (c >= 'a' && c <= 'z') {
			lower[part] = true;
			c = (unsigned char)(c - 'a' + 'A');
		} else if (c >= 'A' && c <= 'Z')
			upper[part] = true;
		n->short_name[at] = c;
	}
	if ((lower[0] && upper[0]) || (lower[1] && upper[1]))
		return oi_set_error(f->err, OPTIMG_EINVAL,
		    "'%s' mixes cases (FAT short names cannot)", name);
	n->case_flags = (uint8_t)((lower[0] ? 0x08 : 0) | (lower[1] ? 0x10 : 0));
	snprintf(n->name, sizeof(n->name), "%s", name);
	return OPTIMG_OK;
}

static struct fat_node *
find_kid(struct fat_node *d, const uint8_t sn[11])
{
	unsigned i;

	for (i = 0; i < d->nkids; i++)
		if (memcmp(d->kids[i]->short_name, sn, 11) == 0)
			return d->kids[i];
	return NULL;
}

static int
add_kid(struct fat *f, struct fat_node *d, struct fat_node *n)
{
	struct fat_node **k = oi_reallocarray(d->kids, d->nkids + 1,
	    sizeof(*k));
	struct fat_node **a = oi_reallocarray(f->all, f->nall + 1,
	    sizeof(*a));

	if (k != NULL)
		d->kids = k;
	if (a != NULL)
		f->all = a;
	if (k == NULL || a == NULL) {
		free(n);
		return oi_set_error(f->err, OPTIMG_ENOMEM, "out of memory");
	}
	n->parent = d;
	d->kids[d->nkids++] = n;
	f->all[f->nall++] = n;
	return OPTIMG_OK;
}

/* Walks "A/B/C.EFI", making directories on the way. */
static int
add_path(struct fat *f, const struct oi_fat_file *file)
{
	struct fat_node *d = &f->root;
	const char *p = file->path;

	while (*p == '/')
		p++;
	while (*p != '\0') {
		const char *slash = strchr(p, '/');
		size_t len = slash != NULL ? (size_t)(slash - p) : strlen(p);
		struct fat_node *n, *old;
		char part[16];

		if (len == 0 || len >= sizeof(part))
			return oi_set_error(f->err, OPTIMG_EINVAL,
			    "bad path '%s' for the EFI image", file->path);
		memcpy(part, p, len);
		part[len] = '\0';
		if ((n = calloc(1, sizeof(*n))) == NULL)
			return oi_set_error(f->err, OPTIMG_ENOMEM,
			    "out of memory");
		if (short_name(f, part, n) < 0) {
			free(n);
			return f->err->code;
		}
		old = find_kid(d, n->short_name);
		if (old != NULL) {
			free(n);
			if (slash == NULL || !old->dir)
				return oi_set_error(f->err, OPTIMG_EINVAL,
				    "'%s' is in the EFI image twice",
				    file->path);
			d = old;
		} else {
			n->dir = slash != NULL;
			if (!n->dir)
				n->file = file;
			OI_TRY(add_kid(f, d, n));
			d = n;
		}
		p += len;
		while (*p == '/')
			p++;
	}
	return OPTIMG_OK;
}

static int
sizes(struct fat *f)
{
	unsigned i;

	for (i = 0; i < f->nall; i++) {
		struct fat_node *n = f->all[i];
		if (n->dir) {
			n->size = (uint64_t)(n->nkids + 2) * DIRENT;
		} else if (n->file->src != NULL) {
			struct stat st;
			if (stat(n->file->src, &st) < 0 || !S_ISREG(st.st_mode))
				return oi_set_errno(f->err, OPTIMG_ENOENT,
				    "cannot use '%s' in the EFI image",
				    n->file->src);
			n->size = (uint64_t)st.st_size;
		} else {
			n->size = n->file->len;
		}
		if (n->size > UINT32_MAX)
			return oi_set_error(f->err, OPTIMG_EINVAL,
			    "'%s' is too large for FAT", n->name);
		n->nclusters = (uint32_t)((n->size + CLUSTER - 1) / CLUSTER);
		if (n->dir && n->nclusters == 0)
			n->nclusters = 1;
		n->cluster = n->nclusters > 0 ? 2 + f->clusters : 0;
		f->clusters += n->nclusters;
	}
	if (f->root.nkids + 1 > ROOT_ENTRIES)
		return oi_set_error(f->err, OPTIMG_EINVAL,
		    "too many files in the EFI image's root");
	return OPTIMG_OK;
}

/* FAT date and time (local time is UTC here: reproducible). */
static void
fat_time(int64_t t, uint16_t *date, uint16_t *tm)
{
	time_t tt = (time_t)t;
	struct tm g;

	if (t < 315532800)	/* 1980-01-01, FAT's epoch */
		tt = 315532800;
	gmtime_r(&tt, &g);
	if (g.tm_year > 207) {
		g.tm_year = 207;
		g.tm_mon = 11;
		g.tm_mday = 31;
	}
	*date = (uint16_t)(((g.tm_year - 80) << 9) | ((g.tm_mon + 1) << 5) |
	    g.tm_mday);
	*tm = (uint16_t)((g.tm_hour << 11) | (g.tm_min << 5) | (g.tm_sec / 2));
}

static void
le16enc(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void
dirent(uint8_t *e, const uint8_t name[11], uint8_t attr, uint8_t nt,
    uint32_t cluster, uint32_t size, int64_t date)
{
	uint16_t d, t;

	fat_time(date, &d, &t);
	memcpy(e, name, 11);
	e[11] = attr;
	e[12] = nt;
	le16enc(e + 14, t);
	le16enc(e + 16, d);
	le16enc(e + 18, d);
	le16enc(e + 22, t);
	le16enc(e + 24, d);
	le16enc(e + 26, (uint16_t)cluster);
	oi_le32enc(e + 28, size);
}

/* A directory's entries, "." and ".." first (not for the root). */
static void
dir_bytes(const struct fat_node *d, uint8_t *out, int64_t date)
{
	static const uint8_t dot[11] = ".          ", dotdot[11] = "..         ";
	unsigned i;

	if (d->parent != NULL) {
		dirent(out, dot, 0x10, 0, d->cluster, 0, date);
		dirent(out + DIRENT, dotdot, 0x10, 0, d->parent->parent ==
		    NULL ? 0 : d->parent->cluster, 0, date);
		out += 2 * DIRENT;
	}
	for (i = 0; i < d->nkids; i++) {
		const struct fat_node *k = d->kids[i];
		dirent(out + i * DIRENT, k->short_name, k->dir ? 0x10 : 0x20,
		    k->case_flags, k->cluster, k->dir ? 0 : (uint32_t)k->size,
		    date);
	}
}

static void
fat_set(uint8_t *fat, bool fat12, uint32_t i, uint32_t v)
{
	if (!fat12) {
		le16enc(fat + 2 * i, (uint16_t)v);
		return;
	}
	uint8_t *p = fat + i * 3 / 2;
	if (i & 1) {
		p[0] = (uint8_t)((p[0] & 0x0F) | (v << 4 & 0xF0));
		p[1] = (uint8_t)(v >> 4);
	} else {
		p[0] = (uint8_t)v;
		p[1] = (uint8_t)((p[1] & 0xF0) | (v >> 8 & 0x0F));
	}
}

struct geometry {
	uint32_t total, fat_sects, root_sects, data_start, nclusters;
	bool fat12;
};

/*
 * Sizes the volume for clusters of data plus some room, so that a user
 * can add a file later.  The cluster count alone makes the type (< 4085
 * is FAT12), and rounding the total up to whole 2 KiB blocks (so the
 * image is a whole ISO file) adds less than a cluster, so it stays.
 */
static void
geometry(uint32_t clusters, struct geometry *g)
{
	uint32_t want = clusters + clusters / 8 + 16;
	uint64_t need;

	g->fat12 = want < 4085;
	need = g->fat12 ? ((uint64_t)want + 2) * 3 / 2 :
	    ((uint64_t)want + 2) * 2;
	g->fat_sects = (uint32_t)((need + SECT - 1) / SECT);
	g->root_sects = ROOT_ENTRIES * DIRENT / SECT;
	g->data_start = 1 + 2 * g->fat_sects + g->root_sects;
	g->total = g->data_start + want * CLUSTER_SECTS;
	g->total = (g->total + 3) / 4 * 4;
	g->nclusters = (g->total - g->data_start) / CLUSTER_SECTS;
	assert(g->fat12 == (g->nclusters < 4085));
}

static void
boot_sector(uint8_t *b, const struct geometry *g, const char *label,
    uint32_t serial)
{
	size_t i;

	memset(b, 0, SECT);
	b[0] = 0xEB;
	b[1] = 0x3C;
	b[2] = 0x90;
	memcpy(b + 3, "OPTIMG  ", 8);
	le16enc(b + 11, SECT);
	b[13] = CLUSTER_SECTS;
	le16enc(b + 14, 1);
	b[16] = 2;
	le16enc(b + 17, ROOT_ENTRIES);
	if (g->total < 65536)
		le16enc(b + 19, (uint16_t)g->total);
	else
		oi_le32enc(b + 32, g->total);
	b[21] = 0xF8;
	le16enc(b + 22, (uint16_t)g->fat_sects);
	le16enc(b + 24, 32);
	le16enc(b + 26, 64);
	b[36] = 0x80;
	b[38] = 0x29;
	oi_le32enc(b + 39, serial);
	memset(b + 43, ' ', 11);
	for (i = 0; i < 11 && label[i] != '\0'; i++)
		b[43 + i] = (uint8_t)label[i];
	memcpy(b + 54, g->fat12 ? "FAT12   " : "FAT16   ", 8);
	b[62] = 0xF4;		/* hlt: this image boots nothing by BIOS */
	b[63] = 0xEB;
	b[64] = 0xFD;
	b[510] = 0x55;
	b[511] = 0xAA;
}

static int
put_file_data(struct fat *f, uint8_t *img, const struct fat_node *n,
    uint64_t off)
{
	int fd;
	uint64_t got = 0;

	if (n->file->src == NULL) {
		memcpy(img + off, n->file->data, n->file->len);
		return OPTIMG_OK;
	}
	if ((fd = open(n->file->src, O_RDONLY | O_CLOEXEC)) < 0)
		return oi_set_errno(f->err, OPTIMG_EIO, "cannot open '%s'",
		    n->file->src);
	while (got < n->size) {
		ssize_t r = read(fd, img + off + got, n->size - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return oi_set_errno(f->err, OPTIMG_EIO,
			    "cannot read '%s'", n->file->src);
		}
		got += (uint64_t)r;
	}
	close(fd);
	return OPTIMG_OK;
}

static int
build(struct fat *f, uint8_t *img, const struct geometry *g,
    const char *label, uint32_t serial, int64_t date)
{
	uint8_t *fat = img + SECT, *root = img + (1 + 2 * g->fat_sects) * SECT;
	uint8_t vol[11];
	unsigned i;
	size_t k;

	boot_sector(img, g, label, serial);
	fat_set(fat, g->fat12, 0, g->fat12 ? 0xFF8 : 0xFFF8);
	fat_set(fat, g->fat12, 1, g->fat12 ? 0xFFF : 0xFFFF);
	memset(vol, ' ', 11);
	for (k = 0; k < 11 && label[k] != '\0'; k++)
		vol[k] = (uint8_t)label[k];
	dirent(root, vol, 0x08, 0, 0, 0, date);
	dir_bytes(&f->root, root + DIRENT, date);
	for (i = 0; i < f->nall; i++) {
		const struct fat_node *n = f->all[i];
		uint64_t off = ((uint64_t)g->data_start +
		    (uint64_t)(n->cluster - 2) * CLUSTER_SECTS) * SECT;
		uint32_t c;

		for (c = 0; c < n->nclusters; c++)
			fat_set(fat, g->fat12, n->cluster + c,
			    c + 1 < n->nclusters ? n->cluster + c + 1 :
			    g->fat12 ? 0xFFF : 0xFFFF);
		if (n->dir)
			dir_bytes(n, img + off, date);
		else if (n->size > 0)
			OI_TRY(put_file_data(f, img, n, off));
	}
	memcpy(fat + g->fat_sects * SECT, fat, g->fat_sects * SECT);
	return OPTIMG_OK;
}

static int
write_out(struct fat *f, const char *out, const uint8_t *img, size_t len)
{
	int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t done = 0;

	if (fd < 0)
		return oi_set_errno(f->err, OPTIMG_EIO, "cannot create '%s'",
		    out);
	while (done < len) {
		ssize_t w = write(fd, img + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return oi_set_errno(f->err, OPTIMG_EIO,
			    "cannot write '%s'", out);
		}
		done += (size_t)w;
	}
	if (close(fd) < 0)
		return oi_set_errno(f->err, OPTIMG_EIO, "cannot write '%s'",
		    out);
	return OPTIMG_OK;
}

static void
free_nodes(struct fat *f)
{
	unsigned i;

	for (i = 0; i < f->nall; i++) {
		free(f->all[i]->kids);
		free(f->all[i]);
	}
	free(f->all);
	free(f->root.kids);
}

int
oi_fat_write(const char *out, const struct oi_fat_file *files, unsigned n,
    const char *label, uint32_t serial, int64_t date, uint64_t *size,
    struct optimg_error *err)
{
	struct fat f;
	struct geometry g;
	uint8_t *img = NULL;
	unsigned i;
	int rc = OPTIMG_OK;

	memset(&f, 0, sizeof(f));
	f.err = err;
	for (i = 0; i < n && rc == 0; i++)
		rc = add_path(&f, &files[i]);
	if (rc == 0)
		rc = sizes(&f);
	if (rc == 0) {
		geometry(f.clusters, &g);
		if (g.nclusters >= 65525)
			rc = oi_set_error(err, OPTIMG_EINVAL, "the EFI image "
			    "would be too large for FAT16");
	}
	if (rc == 0 && (img = calloc(g.total, SECT)) == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (rc == 0)
		rc = build(&f, img, &g, label, serial, date);
	if (rc == 0)
		rc = write_out(&f, out, img, (size_t)g.total * SECT);
	if (rc == 0 && size != NULL)
		*size = (uint64_t)g.total * SECT;
	free(img);
	free_nodes(&f);
	return rc;
}
