/*
 * fs_iso9660_vd.c - ISO 9660 volume descriptors and the choice of name
 * space.
 *
 * Layout (ECMA-119 4th ed.): the volume descriptor set starts at logical
 * sector 16 of the session and runs to a Volume Descriptor Set
 * Terminator (type 255).  Each descriptor is one 2048-byte sector:
 *   0   type (0 boot record, 1 primary, 2 supplementary/enhanced,
 *       3 partition, 255 terminator)
 *   1   "CD001"
 *   6   version (1; 2 for an enhanced volume descriptor)
 * Primary and supplementary descriptors (8.4, 8.5) then hold
 *   8 system id (32), 40 volume id (32), 80 volume space size (7.3.3),
 *   88 escape sequences (SVD: Joliet's "%/@", "%/C", "%/E" for UCS-2
 *   levels 1-3), 128 logical block size (7.2.3), 156 root directory record
 *   (34 bytes), 190 volume set id (128), 318 publisher (128), 446 data
 *   preparer (128), 574 application (128), 813 creation and 830
 *   modification dates (8.4.26.1, 17 bytes each).
 * A boot record (8.2) whose system id is "EL TORITO SPECIFICATION" keeps
 * the boot catalog's LBA at byte 71 (7.3.1).
 *
 * Rock Ridge is found from the root directory's "." record: its system-use
 * area starts with a SUSP "SP" entry (SUSP 5.3), followed by RRIP entries.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs_private.h"

#define VD_START	16

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* 9.1.5: years since 1900, month, day, hour, minute, second, GMT offset. */
int64_t
oi_iso_time7(const uint8_t *p, bool *valid)
{
	int off = (int8_t)p[6];

	*valid = p[1] >= 1 && p[1] <= 12 && p[2] >= 1 && p[2] <= 31 &&
	    p[3] < 24 && p[4] < 60 && p[5] < 61;
	if (!*valid)
		return 0;
	if (off < -48 || off > 52)
		off = 0;
	return (days_from_civil(1900 + p[0], p[1], p[2]) * 86400 +
	    p[3] * 3600 + p[4] * 60 + p[5]) - (int64_t)off * 15 * 60;
}

static int
digits(const uint8_t *p, unsigned n, bool *ok)
{
	int v = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			*ok = false;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* 8.4.26.1: "YYYYMMDDHHMMSSCC" in digits, then the GMT offset. */
int64_t
oi_iso_time17(const uint8_t *p, uint32_t *nsec, bool *valid)
{
	bool ok = true;
	int y = digits(p, 4, &ok), mo = digits(p + 4, 2, &ok);
	int d = digits(p + 6, 2, &ok), h = digits(p + 8, 2, &ok);
	int mi = digits(p + 10, 2, &ok), s = digits(p + 12, 2, &ok);
	int cs = digits(p + 14, 2, &ok), off = (int8_t)p[16];

	*valid = ok && y > 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 &&
	    h < 24 && mi < 60 && s < 61;
	if (nsec != NULL)
		*nsec = *valid ? (uint32_t)cs * 10000000u : 0;
	if (!*valid)
		return 0;
	if (off < -48 || off > 52)
		off = 0;
	return days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 +
	    h * 3600 + mi * 60 + s - (int64_t)off * 15 * 60;
}

/* An a-/d-character field with trailing blanks removed. */
static void
copy_field(char *dst, const uint8_t *src, size_t len)
{
	size_t i;

	memcpy(dst, src, len);
	dst[len] = '\0';
	while (len > 0 && (dst[len - 1] == ' ' || dst[len - 1] == '\0'))
		dst[--len] = '\0';
	for (i = 0; i < len; i++)
		if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

/* A Joliet field is UCS-2BE: convert, keep what fits. */
static void
copy_joliet_field(char *dst, size_t cap, const uint8_t *src, size_t len)
{
	char *s = oi_ucs2be_to_utf8(src, len & ~(size_t)1);
	size_t n;

	dst[0] = '\0';
	if (s == NULL)
		return;
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		n--;
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	free(s);
}

static unsigned
joliet_level(const uint8_t *vd)
{
	const uint8_t *esc = vd + 88;

	if (esc[0] != '%' || esc[1] != '/')
		return 0;
	switch (esc[2]) {
	case '@': return 1;
	case 'C': return 2;
	case 'E': return 3;
	default: return 0;
	}
}

static void
decode_vd(const uint8_t *s, uint32_t lba, struct optimg_fs_vd *vd)
{
	bool ok;

	memset(vd, 0, sizeof(*vd));
	vd->type = s[0];
	vd->lba = lba;
	switch (s[0]) {
	case 0:
		vd->kind = "boot";
		copy_field(vd->boot_system_id, s + 7, 32);
		return;
	case 1:
		vd->kind = "primary";
		break;
	case 2:
		vd->joliet_level = joliet_level(s);
		vd->kind = vd->joliet_level ? "joliet" :
		    s[6] == 2 ? "enhanced" : "supplementary";
		break;
	case 3:
		vd->kind = "partition";
		return;
	case 255:
		vd->kind = "terminator";
		return;
	default:
		vd->kind = "unknown";
		return;
	}
	if (vd->joliet_level) {
		copy_joliet_field(vd->system_id, 33, s + 8, 32);
		copy_joliet_field(vd->volume_id, 33, s + 40, 32);
		copy_joliet_field(vd->volume_set_id, 129, s + 190, 128);
		copy_joliet_field(vd->publisher, 129, s + 318, 128);
		copy_joliet_field(vd->preparer, 129, s + 446, 128);
		copy_joliet_field(vd->application, 129, s + 574, 128);
	} else {
		copy_field(vd->system_id, s + 8, 32);
		copy_field(vd->volume_id, s + 40, 32);
		copy_field(vd->volume_set_id, s + 190, 128);
		copy_field(vd->publisher, s + 318, 128);
		copy_field(vd->preparer, s + 446, 128);
		copy_field(vd->application, s + 574, 128);
	}
	vd->volume_blocks = oi_le32dec(s + 80);
	vd->block_size = oi_le16dec(s + 128);
	vd->ctime = oi_iso_time17(s + 813, NULL, &ok);
	vd->has_ctime = ok;
	vd->mtime = oi_iso_time17(s + 830, NULL, &ok);
	vd->has_mtime = ok;
}

/* Reads the descriptor set into fs->vds. */
static int
read_vds(struct optimg_fs *fs)
{
	uint8_t *s = fs->bounce;
	uint32_t lba = (uint32_t)fs->rd.start + VD_START;
	unsigned i;

	fs->vds = calloc(OI_FS_MAX_VDS, sizeof(*fs->vds));
	if (fs->vds == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < OI_FS_MAX_VDS; i++, lba++) {
		if ((int64_t)lba >= fs->rd.end)
			break;
		OI_TRY(oi_fs_read_sectors(fs, lba, 1, s));
		if (memcmp(s + 1, "CD001", 5) != 0)
			break;
		decode_vd(s, lba, &fs->vds[fs->nvds++]);
		if (s[0] == 255)
			break;
	}
	if (fs->nvds == 0)
		return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
		    "no ISO 9660 volume descriptor at LBA %ld",
		    (long)fs->rd.start + VD_START);
	return 0;
}

static const struct optimg_fs_vd *
find_vd(const struct optimg_fs *fs, const char *kind)
{
	unsigned i;

	for (i = 0; i < fs->nvds; i++)
		if (strcmp(fs->vds[i].kind, kind) == 0)
			return &fs->vds[i];
	return NULL;
}

/* Takes the root directory record of the descriptor at lba. */
static int
load_root(struct optimg_fs *fs, uint32_t vd_lba)
{
	const uint8_t *r = fs->bounce + 156;
	uint32_t size;

	OI_TRY(oi_fs_read_sectors(fs, vd_lba, 1, fs->bounce));
	if (r[0] < 34 || oi_le32dec(r + 2) != oi_be32dec(r + 6) ||
	    oi_le32dec(r + 10) != oi_be32dec(r + 14) || !(r[25] & 0x02))
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "volume descriptor at LBA %lu has a bad root directory "
		    "record", (unsigned long)vd_lba);
	fs->iso.root_lba = oi_le32dec(r + 2) + r[1];
	fs->iso.root_size = oi_le32dec(r + 10);
	OI_TRY(oi_fs_check_extent(fs, fs->iso.root_lba, fs->iso.root_size,
	    "root directory"));
	/* The "." record carries the root's own attributes (and SP). */
	return oi_iso_read_dot(fs, fs->iso.root_lba, &fs->root, &size);
}

int
oi_iso_open(struct optimg_fs *fs, enum optimg_fs_namespace ns)
{
	const struct optimg_fs_vd *pvd, *svd;
	bool has_rr;

	fs->ops = &oi_fs_iso_ops;
	OI_TRY(read_vds(fs));
	pvd = find_vd(fs, "primary");
	svd = find_vd(fs, "joliet");
	if (pvd == NULL)
		return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
		    "no ISO 9660 primary volume descriptor at LBA %ld",
		    (long)fs->rd.start + VD_START);
	if (pvd->block_size != OI_FS_SECTOR)
		return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
		    "logical block size %u is not supported",
		    pvd->block_size);
	fs->iso.volume_blocks = pvd->volume_blocks;
	fs->namespaces = 1u << OPTIMG_NS_ISO;
	if (svd != NULL)
		fs->namespaces |= 1u << OPTIMG_NS_JOLIET;
	if (oi_udf_probe(fs) > 0)
		fs->namespaces |= 1u << OPTIMG_NS_UDF;
	oi_error_clear(&fs->err);

	/* Rock Ridge lives in the primary tree; look at its root. */
	fs->iso.rr = true;
	OI_TRY(load_root(fs, pvd->lba));
	has_rr = fs->iso.rr;
	if (has_rr)
		fs->namespaces |= 1u << OPTIMG_NS_RR;
	if (ns == OPTIMG_NS_AUTO)
		ns = has_rr ? OPTIMG_NS_RR : svd != NULL ? OPTIMG_NS_JOLIET :
		    OPTIMG_NS_ISO;
	fs->ns = ns;
	if (ns == OPTIMG_NS_RR && !has_rr)
		return oi_set_error(&fs->err, OPTIMG_ENOENT,
		    "the image has no Rock Ridge names");
	if (ns == OPTIMG_NS_JOLIET && svd == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOENT,
		    "the image has no Joliet names");
	if (ns == OPTIMG_NS_RR)
		return 0;
	fs->iso.rr = false;
	oi_fs_entry_release(&fs->root);
	if (ns == OPTIMG_NS_JOLIET) {
		fs->iso.joliet = true;
		return load_root(fs, svd->lba);
	}
	return load_root(fs, pvd->lba);
}

int
optimg_fs_volume_descriptors(const struct optimg_fs *fs,
    const struct optimg_fs_vd **vds, unsigned *n)
{
	*vds = fs->vds;
	*n = fs->nvds;
	return 0;
}

const struct oi_fs_ops oi_fs_iso_ops = {
	.name = "iso9660",
	.read_dir = oi_iso_read_dir,
	.free = NULL,
};
