/*
 * fs_xa.c - CD-ROM XA Mode 2 Form 2 files (a Video CD's MPEG streams).
 *
 * An ISO 9660 directory record of a CD-ROM XA disc starts its system-use
 * area with 14 bytes: owner id (2, big-endian), group id (2), attributes
 * (2, big-endian), the signature "XA" at 6, the file number at 8, and 5
 * reserved bytes.  Attribute 0x0800 marks Mode 2 Form 1 sectors, 0x1000
 * Mode 2 Form 2, 0x2000 interleaved, 0x4000 CD-DA, 0x8000 a directory
 * (libcdio's and vcdimager's xa.h).  The record's data length of a Form
 * 2 file counts 2048 bytes a sector, as for any file, but each sector
 * holds 2324 bytes of user data at 24..2347 of its raw form (ECMA-130
 * and the XA specification; EDC at 2348 over 16..2347, 0 when none).
 *
 * A Form 2 file is therefore read as sectors x 2324 bytes, raw bytes
 * 24..2347 of each: what a drive's raw Mode 2 read gives as payload and
 * what vcdxrip writes out of a Video CD.  An XA file may interleave Form
 * 1 sectors (CD-i, PlayStation streams); those give the same 2324 bytes
 * (their 2048 bytes of data, then their EDC and the first 272 bytes of
 * their ECC), so that the size is known from the directory alone and a
 * byte offset maps to a sector without reading subheaders.  Each
 * sector's EDC is checked (Form 1's always, Form 2's unless 0): a
 * mismatch is a read error, never bytes passed on.
 *
 * An image that keeps only 2048 bytes a sector (a cooked .iso, a Mode 1
 * or MODE2/2048 track) does not hold the Form 2 data: such a file is
 * refused by name.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs_private.h"

#define XA_LEN		14
#define XA_ATTR_FORM2	0x1000

#define SUB_FORM2	0x20	/* subheader submode: Form 2 */
#define FORM1_EDC	(2072 - 16)	/* EDC offsets in a raw-less-16 sector */
#define FORM2_EDC	(2348 - 16)
#define FORM2_DATA	(24 - 16)

bool
oi_xa_is_form2(const uint8_t *su, size_t len)
{
	if (len < XA_LEN || su[6] != 'X' || su[7] != 'A' ||
	    (su[0] == 'S' && su[1] == 'P'))
		return false;
	return (oi_be16dec(su + 4) & XA_ATTR_FORM2) != 0;
}

static int
not_kept(struct optimg_fs *fs, const char *name)
{
	return oi_set_error(&fs->err, OPTIMG_ELOSSY,
	    "'%s' is CD-ROM XA Mode 2 Form 2 data (2324 bytes a sector), "
	    "which this image does not hold: it keeps 2048 bytes a sector",
	    name);
}

/* One sector (raw bytes 16..2351) of a Form 2 file: its EDC must hold. */
static int
check_sector(struct optimg_fs *fs, const char *name, uint32_t lba,
    const uint8_t *sec)
{
	bool form2 = (sec[2] & SUB_FORM2) != 0;
	size_t at = form2 ? FORM2_EDC : FORM1_EDC;
	uint32_t stored = oi_le32dec(sec + at), edc;

	if (form2 && stored == 0)
		return 0;
	edc = optimg_edc(0, sec, at);
	if (edc == stored)
		return 0;
	return oi_set_error(&fs->err, OPTIMG_EFORMAT,
	    "'%s': sector %lu (Mode 2 Form %d) fails its EDC check (stored "
	    "%08lx, computed %08lx)", name, (unsigned long)lba, form2 ? 2 : 1,
	    (unsigned long)stored, (unsigned long)edc);
}

int
oi_fs_read_form2(struct optimg_fs *fs, const char *name,
    const struct optimg_fs_extent *x, uint64_t off, uint8_t *buf, size_t n)
{
	if (fs->rd.read_raw == NULL)
		return not_kept(fs, name);
	if (fs->rawbuf == NULL &&
	    (fs->rawbuf = malloc(OI_FS_RAW_RUN * OI_FS_RAW)) == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	while (n > 0) {
		uint64_t lba = x->lba + off / OI_FS_FORM2;
		size_t in = off % OI_FS_FORM2;
		uint32_t count = (uint32_t)OI_MIN((in + n + OI_FS_FORM2 - 1) /
		    OI_FS_FORM2, (size_t)OI_FS_RAW_RUN), i;
		int rc;

		if (lba + count > (uint64_t)(fs->rd.end < 0 ? 0 : fs->rd.end))
			return oi_set_error(&fs->err, OPTIMG_EFORMAT,
			    "'%s': sectors %llu..%llu lie past the end of the "
			    "image (%ld sectors)", name,
			    (unsigned long long)lba,
			    (unsigned long long)lba + count - 1,
			    (long)fs->rd.end);
		rc = fs->rd.read_raw(fs->rd.ctx, (int32_t)lba, count,
		    fs->rawbuf, &fs->err);
		if (rc == OPTIMG_EUNSUPP)
			return not_kept(fs, name);
		if (rc < 0)
			return rc;
		for (i = 0; i < count && n > 0; i++) {
			const uint8_t *sec = fs->rawbuf + (size_t)i * OI_FS_RAW;
			size_t chunk = OI_MIN(n, OI_FS_FORM2 - in);

			OI_TRY(check_sector(fs, name, (uint32_t)lba + i, sec));
			memcpy(buf, sec + FORM2_DATA + in, chunk);
			buf += chunk;
			off += chunk;
			n -= chunk;
			in = 0;
		}
	}
	return 0;
}

/* ---- an image's raw sectors -------------------------------------------- */

/* Whether the track holding lba keeps whole Mode 2 sectors. */
static bool
raw_mode2_at(const struct optimg_disc *disc, int32_t lba)
{
	for (unsigned i = 0; i < disc->ntracks; i++) {
		const struct optimg_track *t = &disc->tracks[i];

		if (lba < t->start - (int64_t)t->pregap ||
		    lba >= t->start + (int64_t)t->length)
			continue;
		/* 2324: a cdrdao MODE2_FORM2 track, read back as Form 2. */
		return (t->mode == OPTIMG_TRACK_MODE2 ||
		    t->mode == OPTIMG_TRACK_CDI) && t->sector_size != 2048;
	}
	return false;
}

int
oi_fs_image_read_raw(void *ctx, int32_t lba, uint32_t count, void *buf,
    struct optimg_error *err)
{
	struct optimg_image *img = ctx;
	const struct optimg_disc *disc = optimg_image_disc(img);
	int rc;

	for (uint32_t i = 0; i < count; i++)
		if (!raw_mode2_at(disc, lba + (int32_t)i))
			return OPTIMG_EUNSUPP;
	rc = optimg_image_read(img, lba, count, OI_FS_RAW, buf);
	if (rc < 0)
		return oi_set_error(err, rc, "%s", optimg_image_errmsg(img));
	return 0;
}

/* ---- raw 2352-byte sectors in memory (tests) --------------------------- */

static int
raw_mem_read(void *ctx, int32_t lba, uint32_t count, void *buf,
    struct optimg_error *err)
{
	const struct oi_fs_mem *m = ctx;

	OI_TRY(oi_fs_mem_check(m, lba, count, err));
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *s = m->data + (size_t)(lba + i) * 2352;
		uint8_t *d = (uint8_t *)buf + (size_t)i * OI_FS_SECTOR;

		if (s[15] == 2 && (s[18] & SUB_FORM2))
			return oi_set_error(err, OPTIMG_ELOSSY,
			    "sector %ld is Mode 2 Form 2: it has no 2048-byte "
			    "user data", (long)(lba + i));
		memcpy(d, s + (s[15] == 2 ? 24 : 16), OI_FS_SECTOR);
	}
	return 0;
}

static int
raw_mem_read_raw(void *ctx, int32_t lba, uint32_t count, void *buf,
    struct optimg_error *err)
{
	const struct oi_fs_mem *m = ctx;

	OI_TRY(oi_fs_mem_check(m, lba, count, err));
	for (uint32_t i = 0; i < count; i++)
		memcpy((uint8_t *)buf + (size_t)i * OI_FS_RAW,
		    m->data + (size_t)(lba + i) * 2352 + 16, OI_FS_RAW);
	return 0;
}

int
oi_fs_open_mem_raw(const void *data, size_t len,
    const struct optimg_fs_opts *opts, struct optimg_fs **out,
    struct optimg_error *err)
{
	struct oi_fs_reader rd;

	memset(&rd, 0, sizeof(rd));
	rd.read = raw_mem_read;
	rd.read_raw = raw_mem_read_raw;
	return oi_fs_open_mem_with(&rd, data, len, 2352, opts, out, err);
}
