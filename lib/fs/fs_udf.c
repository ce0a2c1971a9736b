/*
 * fs_udf.c - a small UDF reader (ECMA-167 3rd edition, OSTA UDF 1.02 to
 * 2.01): enough to list and read files on DVD/BD images and on ISO/UDF
 * bridge images.  libudf can open files only by path, so this walks the
 * structures itself.
 *
 * Every descriptor starts with a 16-byte tag (7.2): 0 identifier, 4 tag
 * checksum (bytes 0..15 except 4, mod 256), 12 location.  The chain is
 *   Anchor Volume Descriptor Pointer (tag 2) at sector 256: main Volume
 *     Descriptor Sequence extent at 16 (length, location);
 *   in that sequence: Partition Descriptor (tag 5: 22 number, 188 start,
 *     192 length), Logical Volume Descriptor (tag 6: 212 block size, 248
 *     File Set Descriptor long_ad, 268 map count, 440 maps), Terminating
 *     Descriptor (tag 8);
 *   File Set Descriptor (tag 256): 400 root directory ICB (long_ad);
 *   File Entry (tag 261) / Extended File Entry (tag 266): ICB tag at 16
 *     (27 file type, 34 flags: low 3 bits say short/long/extended/embedded
 *     allocation descriptors), 36 uid, 40 gid, 44 permissions, 48 links,
 *     56 information length, timestamps, then L_EA and L_AD (168/172 in a
 *     FE, 208/212 in an EFE) and the descriptors after the EAs;
 *   a directory's data is File Identifier Descriptors (tag 257): 18
 *     characteristics (2 directory, 4 deleted, 8 parent), 19 L_FI, 20 ICB
 *     long_ad, 36 L_IU, 38 implementation use then the name (a d-string:
 *     compression id 8 = Latin-1, 16 = UCS-2BE), padded to 4 bytes.
 * Only type 1 partition maps are read (no VAT, sparable or metadata
 * partitions); such images get OPTIMG_EUNSUPP.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs_private.h"

#define AVDP_SECTOR	256
#define MAX_VDS		64
#define MAX_ADS		65536

struct udf {
	uint32_t	part_start;	/* physical sector of logical block 0 */
	uint32_t	part_len;
	uint32_t	root_lbn;
};

static bool
tag_ok(const uint8_t *p, unsigned id, uint32_t loc)
{
	unsigned sum = 0, i;

	for (i = 0; i < 16; i++)
		if (i != 4)
			sum += p[i];
	return oi_le16dec(p) == id && (sum & 0xff) == p[4] &&
	    (loc == UINT32_MAX || oi_le32dec(p + 12) == loc);
}

int
oi_udf_probe(struct optimg_fs *fs)
{
	uint32_t lba = (uint32_t)fs->rd.start + AVDP_SECTOR;
	uint8_t *b = fs->bounce;

	if ((int64_t)lba >= fs->rd.end ||
	    oi_fs_read_sectors(fs, lba, 1, b) < 0) {
		oi_error_clear(&fs->err);
		return 0;
	}
	return tag_ok(b, 2, UINT32_MAX) ? 100 : 0;
}

static struct udf *
U(struct optimg_fs *fs)
{
	return fs->udf;
}

/* Logical block of the partition to a physical sector, checked. */
static int
phys(struct optimg_fs *fs, uint32_t lbn, uint32_t *lba)
{
	struct udf *u = U(fs);

	if (lbn >= u->part_len)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "UDF block %lu lies outside its partition (%lu blocks)",
		    (unsigned long)lbn, (unsigned long)u->part_len);
	*lba = u->part_start + lbn;
	return 0;
}

static char *
dstring(const uint8_t *p, size_t len)
{
	char *s;
	size_t i, o = 0;

	if (len == 0)
		return strdup("");
	if (p[0] == 16 || p[0] == 255)
		return oi_ucs2be_decode(p + 1, len - 1);	/* as stored */
	s = malloc(2 * len + 1);
	if (s == NULL)
		return NULL;
	for (i = 1; i < len; i++) {	/* Latin-1 to UTF-8 */
		if (p[i] < 0x80)
			s[o++] = (char)p[i];
		else {
			s[o++] = (char)(0xc0 | p[i] >> 6);
			s[o++] = (char)(0x80 | (p[i] & 0x3f));
		}
	}
	oi_fs_name_fix(s, o);
	return s;
}

/* 1/7.3 timestamp: type/timezone, year, month, day, h, m, s, cs, ... */
static struct optimg_timespec
udf_time(const uint8_t *p)
{
	struct optimg_timespec t = { 0, 0 };
	uint8_t b[7];
	int tz = oi_le16dec(p) & 0xfff;
	unsigned year = oi_le16dec(p + 2);
	bool ok;

	if (tz & 0x800)
		tz -= 0x1000;
	if (year < 1900 || year > 2155)
		return t;
	b[0] = (uint8_t)(year - 1900);
	memcpy(b + 1, p + 4, 5);
	b[6] = 0;
	t.sec = oi_iso_time7(b, &ok);
	if (!ok)
		return (struct optimg_timespec){ 0, 0 };
	if (tz >= -1440 && tz <= 1440)
		t.sec -= (int64_t)tz * 60;
	t.nsec = (uint32_t)p[9] * 10000000u + p[10] * 100000u + p[11] * 1000u;
	return t;
}

static uint32_t
udf_mode(uint32_t perm)
{
	uint32_t m = 0;

	m |= (perm & 0x01) ? 0001 : 0;
	m |= (perm & 0x02) ? 0002 : 0;
	m |= (perm & 0x04) ? 0004 : 0;
	m |= (perm & 0x20) ? 0010 : 0;
	m |= (perm & 0x40) ? 0020 : 0;
	m |= (perm & 0x80) ? 0040 : 0;
	m |= (perm & 0x400) ? 0100 : 0;
	m |= (perm & 0x800) ? 0200 : 0;
	m |= (perm & 0x1000) ? 0400 : 0;
	return m;
}

static int
add_ext(struct optimg_fs *fs, struct oi_fs_entry *e, uint32_t lba,
    uint32_t off, uint64_t len, unsigned flags)
{
	struct optimg_fs_extent *x;

	if (e->st.nextents >= MAX_ADS)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "UDF file with more than %u extents", MAX_ADS);
	if (!(flags & OPTIMG_FS_EXTENT_SPARSE))
		OI_TRY(oi_fs_check_extent(fs, lba, off + len, "UDF data"));
	x = oi_reallocarray(e->ext, e->st.nextents + 1, sizeof(*x));
	if (x == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	e->ext = x;
	x += e->st.nextents++;
	x->lba = lba;
	x->offset = off;
	x->length = len;
	x->flags = flags;
	return 0;
}

/* Reads the (E)FE at logical block lbn into e: attributes and extents. */
static int
read_fe(struct optimg_fs *fs, uint32_t lbn, struct oi_fs_entry *e)
{
	uint8_t fe[OI_FS_SECTOR];
	uint32_t lba = 0, lea, lad, base, pos, n;
	unsigned adtype;
	bool efe;

	OI_TRY(phys(fs, lbn, &lba));
	OI_TRY(oi_fs_read_sectors(fs, lba, 1, fe));
	efe = tag_ok(fe, 266, lbn);
	if (!efe && !tag_ok(fe, 261, lbn))
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "no UDF file entry at block %lu", (unsigned long)lbn);
	switch (fe[27]) {
	case 4: e->st.type = OPTIMG_FS_DIR; break;
	case 12: e->st.type = OPTIMG_FS_SYMLINK; break;
	case 6: e->st.type = OPTIMG_FS_BLK; break;
	case 7: e->st.type = OPTIMG_FS_CHR; break;
	case 9: e->st.type = OPTIMG_FS_FIFO; break;
	case 10: e->st.type = OPTIMG_FS_SOCK; break;
	default: e->st.type = OPTIMG_FS_REG; break;
	}
	e->st.uid = oi_le32dec(fe + 36);
	e->st.gid = oi_le32dec(fe + 40);
	e->st.mode = udf_mode(oi_le32dec(fe + 44));
	e->st.nlink = oi_le16dec(fe + 48);
	e->st.size = (uint64_t)oi_le32dec(fe + 56) |
	    (uint64_t)oi_le32dec(fe + 60) << 32;
	e->st.lba = lba;
	e->st.atime = udf_time(fe + (efe ? 80 : 72));
	e->st.mtime = udf_time(fe + (efe ? 92 : 84));
	e->st.ctime = udf_time(fe + (efe ? 116 : 96));
	lea = oi_le32dec(fe + (efe ? 208 : 168));
	lad = oi_le32dec(fe + (efe ? 212 : 172));
	base = efe ? 216 : 176;
	if (lea > OI_FS_SECTOR || lad > OI_FS_SECTOR ||
	    base + lea + lad > OI_FS_SECTOR)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "UDF file entry at block %lu overruns its sector",
		    (unsigned long)lbn);
	adtype = oi_le16dec(fe + 34) & 7;
	pos = base + lea;
	if (adtype == 3)	/* data embedded in the entry */
		return add_ext(fs, e, lba, pos, OI_MIN((uint64_t)lad,
		    e->st.size), 0);
	n = adtype == 0 ? 8 : adtype == 1 ? 16 : 0;
	if (n == 0)
		return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
		    "UDF allocation descriptors of type %u", adtype);
	for (; pos + n <= base + lea + lad; pos += n) {
		uint32_t len = oi_le32dec(fe + pos) & 0x3fffffff;
		unsigned type = oi_le32dec(fe + pos) >> 30;
		uint32_t blk = oi_le32dec(fe + pos + 4), plba = 0;

		if (len == 0)
			break;
		if (type == 3)
			return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
			    "UDF allocation extent chains are not supported");
		if (type != 0) {
			OI_TRY(add_ext(fs, e, 0, 0, len,
			    OPTIMG_FS_EXTENT_SPARSE));
			continue;
		}
		OI_TRY(phys(fs, blk, &plba));
		OI_TRY(add_ext(fs, e, plba, 0, len, 0));
	}
	return 0;
}

/* Reads a whole small stream (a directory or a symlink) into memory. */
static int
slurp(struct optimg_fs *fs, const struct optimg_fs_stat *st, uint8_t **out)
{
	size_t got;
	int rc;

	*out = NULL;
	if (st->size > OI_FS_MAX_DIR_BYTES)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "UDF directory '%s' claims %llu bytes", st->name,
		    (unsigned long long)st->size);
	*out = malloc(st->size + 1);
	if (*out == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	/* optimg_fs_read wants a regular file; ask with a copy. */
	{
		struct optimg_fs_stat c = *st;

		c.type = OPTIMG_FS_REG;
		rc = optimg_fs_read(fs, &c, 0, *out, st->size, &got);
	}
	if (rc < 0) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

/* ECMA-167 4/14.16 path components into a symlink target. */
static char *
symlink_target(const uint8_t *p, size_t len)
{
	char *t = calloc(1, 2 * len + 2);
	size_t pos = 0, o = 0;

	if (t == NULL)
		return NULL;
	while (pos + 4 <= len) {
		unsigned type = p[pos], l = p[pos + 1];
		char *name = NULL;

		if (pos + 4 + l > len)
			break;
		if (o > 0 && t[o - 1] != '/')
			t[o++] = '/';
		if (type == 1 || type == 2)
			o = 0, t[o++] = '/';
		else if (type == 3)
			memcpy(t + o, "..", 2), o += 2;
		else if (type == 4)
			t[o++] = '.';
		else if (type == 5 && (name = dstring(p + pos + 4, l)) != NULL) {
			size_t n = strlen(name);

			if (o + n < 2 * len) {
				memcpy(t + o, name, n);
				o += n;
			}
			free(name);
		}
		pos += 4 + l;
	}
	t[o] = '\0';
	return t;
}

static int
udf_read_dir(struct optimg_fs *fs, const struct optimg_fs_stat *dir,
    struct oi_fs_dirbuf *out)
{
	uint8_t *d;
	size_t pos = 0;
	int rc;

	OI_TRY(slurp(fs, dir, &d));
	rc = 0;
	while (rc == 0 && pos + 38 <= dir->size) {
		const uint8_t *f = d + pos;
		unsigned chars = f[18], lfi = f[19], liu = oi_le16dec(f + 36);
		size_t total = (38 + (size_t)liu + lfi + 3) & ~(size_t)3;
		struct oi_fs_entry *e;

		if (oi_le16dec(f) != 257 || pos + total > dir->size) {
			rc = oi_set_error(&fs->err, OPTIMG_EFORMAT,
			    "bad UDF file identifier in directory '%s'",
			    dir->name);
			break;
		}
		pos += total;
		if (chars & (4 | 8))	/* deleted or parent */
			continue;
		e = oi_fs_dirbuf_add(out);
		if (e == NULL) {
			rc = oi_set_error(&fs->err, OPTIMG_ENOMEM,
			    "out of memory");
			break;
		}
		e->name = dstring(f + 38 + liu, lfi);
		if (e->name == NULL) {
			rc = oi_set_error(&fs->err, OPTIMG_ENOMEM,
			    "out of memory");
			break;
		}
		rc = read_fe(fs, oi_le32dec(f + 24), e);
		if (rc == 0 && (chars & 2))
			e->st.type = OPTIMG_FS_DIR;
		if (rc == 0 && e->st.type == OPTIMG_FS_SYMLINK) {
			uint8_t *sl;

			e->st.name = e->name;
			e->st.extents = e->ext;
			rc = slurp(fs, &e->st, &sl);
			if (rc == 0) {
				e->symlink = symlink_target(sl, e->st.size);
				free(sl);
			}
		}
	}
	free(d);
	return rc;
}

static void
udf_free(struct optimg_fs *fs)
{
	free(fs->udf);
	fs->udf = NULL;
}

static const struct oi_fs_ops udf_ops = {
	.name = "udf",
	.read_dir = udf_read_dir,
	.free = udf_free,
};

/* Walks the main volume descriptor sequence for partition and LVD. */
static int
read_vds(struct optimg_fs *fs, uint32_t loc, uint32_t len, uint8_t *fsd_ad)
{
	struct udf *u = U(fs);
	uint8_t *b = fs->bounce;
	bool part = false, lvd = false;
	unsigned i, n = OI_MIN(len / OI_FS_SECTOR, (uint32_t)MAX_VDS);

	for (i = 0; i < n; i++) {
		uint32_t lba = (uint32_t)fs->rd.start + loc + i;

		OI_TRY(oi_fs_read_sectors(fs, lba, 1, b));
		if (tag_ok(b, 8, UINT32_MAX))
			break;
		if (tag_ok(b, 5, UINT32_MAX) && !part) {
			u->part_start = (uint32_t)fs->rd.start +
			    oi_le32dec(b + 188);
			u->part_len = oi_le32dec(b + 192);
			part = true;
		} else if (tag_ok(b, 6, UINT32_MAX) && !lvd) {
			if (oi_le32dec(b + 212) != OI_FS_SECTOR)
				return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
				    "UDF block size %lu is not supported",
				    (unsigned long)oi_le32dec(b + 212));
			if (oi_le32dec(b + 268) < 1 || b[440] != 1)
				return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
				    "UDF partition maps other than type 1 "
				    "(VAT, sparable, metadata) are not "
				    "supported");
			memcpy(fsd_ad, b + 248, 16);
			lvd = true;
		}
	}
	if (!part || !lvd)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "UDF volume descriptors lack a %s descriptor",
		    part ? "logical volume" : "partition");
	return 0;
}

int
oi_udf_open(struct optimg_fs *fs)
{
	uint8_t fsd_ad[16], *b = fs->bounce;
	struct udf *u;
	uint32_t fsd, lba = 0, loc, len;

	fs->ops = &udf_ops;
	fs->ns = OPTIMG_NS_UDF;
	fs->namespaces |= 1u << OPTIMG_NS_UDF;
	if (oi_udf_probe(fs) <= 0)
		return oi_set_error(&fs->err, OPTIMG_ENOENT,
		    "the image has no UDF file system");
	u = fs->udf = calloc(1, sizeof(*u));
	if (u == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	OI_TRY(oi_fs_read_sectors(fs, (uint32_t)fs->rd.start + AVDP_SECTOR, 1,
	    b));
	len = oi_le32dec(b + 16);
	loc = oi_le32dec(b + 20);
	OI_TRY(read_vds(fs, loc, len, fsd_ad));
	fsd = oi_le32dec(fsd_ad + 4);
	OI_TRY(phys(fs, fsd, &lba));
	OI_TRY(oi_fs_read_sectors(fs, lba, 1, b));
	if (!tag_ok(b, 256, fsd))
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "no UDF file set descriptor at block %lu",
		    (unsigned long)fsd);
	u->root_lbn = oi_le32dec(b + 400 + 4);
	OI_TRY(read_fe(fs, u->root_lbn, &fs->root));
	fs->root.name = strdup("");
	if (fs->root.name == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	if (fs->root.st.type != OPTIMG_FS_DIR)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "the UDF root is not a directory");
	return 0;
}
