/*
 * fs_eltorito.c - the El Torito boot catalog ("El Torito" Bootable CD-ROM
 * Format Specification 1.0, 1995).
 *
 * A boot record volume descriptor (type 0, boot system id "EL TORITO
 * SPECIFICATION") holds the catalog's LBA at byte 0x47.  The catalog is a
 * run of 32-byte entries:
 *   validation entry (2.1): 0 header id 1, 1 platform, 4..27 id string,
 *     28 checksum (the 16 little-endian words of the entry sum to 0),
 *     30 0x55, 31 0xAA;
 *   initial/default entry (2.2): 0 boot indicator (0x88 bootable, 0 not),
 *     1 boot media type (low nibble: 0 no emulation, 1 1.2M, 2 1.44M,
 *     3 2.88M floppy, 4 hard disk), 2 load segment, 4 system type,
 *     6 sector count (512-byte virtual sectors), 8 image LBA;
 *   section header (2.3): 0 0x90 (more headers follow) or 0x91 (last),
 *     1 platform, 2 number of section entries, 4..31 id string;
 *   section entry (2.4): as the default entry; bit 5 of byte 1 says a
 *     section entry extension (0x44, 2.5) follows.
 * A boot-info table (mkisofs -boot-info-table) sits at bytes 8..63 of a
 * no-emulation image: PVD LBA, image LBA, image length, checksum, then 40
 * reserved bytes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs_private.h"

#define ENT		32
#define MAX_ENTRIES	128

void
oi_boot_catalog_free(struct optimg_boot_catalog *cat)
{
	if (cat == NULL)
		return;
	free(cat->entries);
	free(cat);
}

static void
copy_id(char *dst, const uint8_t *src, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] :
		    src[i] == 0 ? '\0' : '?';
	dst[len] = '\0';
	while (len > 0 && (dst[len - 1] == ' ' || dst[len - 1] == '\0'))
		dst[--len] = '\0';
}

static uint64_t
emulated_bytes(unsigned emulation, uint16_t count)
{
	switch (emulation) {
	case 1: return 1228800;
	case 2: return 1474560;
	case 3: return 2949120;
	default: return (uint64_t)(count ? count : 1) * 512;
	}
}

static void
decode_entry(const uint8_t *p, unsigned section, unsigned platform,
    const char *id, struct optimg_boot_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->section = section;
	e->platform = platform;
	e->bootable = p[0] == 0x88;
	e->emulation = p[1] & 0x0f;
	e->load_segment = oi_le16dec(p + 2);
	e->system_type = p[4];
	e->sector_count = oi_le16dec(p + 6);
	e->lba = oi_le32dec(p + 8);
	e->image_bytes = emulated_bytes(e->emulation, e->sector_count);
	snprintf(e->id, sizeof(e->id), "%s", id);
}

static bool
validation_ok(const uint8_t *p)
{
	uint16_t sum = 0;
	unsigned i;

	if (p[0] != 1 || p[30] != 0x55 || p[31] != 0xaa)
		return false;
	for (i = 0; i < ENT; i += 2)
		sum = (uint16_t)(sum + oi_le16dec(p + i));
	return sum == 0;
}

int
oi_eltorito_parse(const uint8_t *cat, size_t len, uint32_t lba,
    struct optimg_boot_catalog **out, struct optimg_error *err)
{
	struct optimg_boot_catalog *c;
	size_t off;
	unsigned section = 0;

	*out = NULL;
	if (len < 2 * ENT || !validation_ok(cat))
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "boot catalog at LBA %lu has no valid validation entry",
		    (unsigned long)lba);
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->entries = calloc(MAX_ENTRIES,
	    sizeof(*c->entries))) == NULL) {
		free(c);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	c->lba = lba;
	c->platform = cat[1];
	copy_id(c->id, cat + 4, 24);
	decode_entry(cat + ENT, 0, c->platform, c->id, &c->entries[0]);
	c->nentries = 1;
	for (off = 2 * ENT; off + ENT <= len; off += ENT) {
		const uint8_t *h = cat + off;
		unsigned n, platform = h[1];
		char id[29];

		if (h[0] != 0x90 && h[0] != 0x91)
			break;
		n = oi_le16dec(h + 2);
		copy_id(id, h + 4, 28);
		section++;
		while (n > 0 && off + 2 * ENT <= len &&
		    c->nentries < MAX_ENTRIES) {
			off += ENT;
			if (cat[off] == 0x44)	/* extension: not counted */
				continue;
			decode_entry(cat + off, section, platform, id,
			    &c->entries[c->nentries++]);
			n--;
		}
		if (h[0] == 0x91 || c->nentries == MAX_ENTRIES)
			break;
	}
	*out = c;
	return 0;
}

bool
oi_eltorito_has_info_table(const uint8_t *img, size_t len, uint32_t pvd_lba,
    uint32_t image_lba)
{
	if (len < 64)
		return false;
	return oi_le32dec(img + 8) == pvd_lba &&
	    oi_le32dec(img + 12) == image_lba && oi_le32dec(img + 16) > 0;
}

static const struct optimg_fs_vd *
boot_vd(const struct optimg_fs *fs)
{
	unsigned i;

	for (i = 0; i < fs->nvds; i++)
		if (fs->vds[i].type == 0 && strcmp(fs->vds[i].boot_system_id,
		    "EL TORITO SPECIFICATION") == 0)
			return &fs->vds[i];
	return NULL;
}

/* A hard-disk image's size: the end of its first MBR partition. */
static uint64_t
disk_bytes(const uint8_t *mbr)
{
	unsigned i;

	if (mbr[510] != 0x55 || mbr[511] != 0xaa)
		return 0;
	for (i = 0; i < 4; i++) {
		const uint8_t *p = mbr + 446 + 16 * i;

		if (p[4] != 0)
			return ((uint64_t)oi_le32dec(p + 8) +
			    oi_le32dec(p + 12)) * 512;
	}
	return 0;
}

static void
inspect_images(struct optimg_fs *fs, struct optimg_boot_catalog *c)
{
	uint32_t pvd = (uint32_t)fs->rd.start + 16;
	unsigned i;

	for (i = 0; i < c->nentries; i++) {
		struct optimg_boot_entry *e = &c->entries[i];
		uint64_t b;

		if (oi_fs_read_sectors(fs, e->lba, 1, fs->bounce) < 0)
			continue;
		if (e->emulation == 0)
			e->boot_info_table = oi_eltorito_has_info_table(
			    fs->bounce, OI_FS_SECTOR, pvd, e->lba);
		if (e->emulation == 4 && (b = disk_bytes(fs->bounce)) > 0)
			e->image_bytes = b;
	}
	oi_error_clear(&fs->err);
}

int
optimg_fs_boot_catalog(struct optimg_fs *fs,
    const struct optimg_boot_catalog **out)
{
	const struct optimg_fs_vd *vd = boot_vd(fs);
	uint32_t lba, n;
	uint8_t *buf;
	int rc;

	*out = NULL;
	if (fs->boot_read) {
		*out = fs->boot;
		return fs->boot != NULL ? 0 : oi_set_error(&fs->err,
		    OPTIMG_ENOENT, "the image has no El Torito boot record");
	}
	if (vd == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOENT,
		    "the image has no El Torito boot record");
	OI_TRY(oi_fs_read_sectors(fs, vd->lba, 1, fs->bounce));
	lba = oi_le32dec(fs->bounce + 0x47);
	if (lba >= (uint32_t)fs->rd.end)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "boot catalog LBA %lu lies past the end of the image",
		    (unsigned long)lba);
	n = OI_MIN((uint32_t)fs->rd.end - lba, 4u);
	buf = malloc((size_t)n * OI_FS_SECTOR);
	if (buf == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_fs_read_sectors(fs, lba, n, buf);
	if (rc == 0)
		rc = oi_eltorito_parse(buf, (size_t)n * OI_FS_SECTOR, lba,
		    &fs->boot, &fs->err);
	free(buf);
	if (rc < 0)
		return rc;
	fs->boot_read = true;
	inspect_images(fs, fs->boot);
	*out = fs->boot;
	return 0;
}

const char *
optimg_boot_platform_name(unsigned platform, char buf[8])
{
	switch (platform) {
	case 0x00: return "x86";
	case 0x01: return "PowerPC";
	case 0x02: return "Mac";
	case 0xef: return "EFI";
	default:
		snprintf(buf, 8, "0x%02x", platform & 0xff);
		return buf;
	}
}

const char *
optimg_boot_emulation_name(unsigned emulation)
{
	static const char *const names[] = {
		"none", "1.2M floppy", "1.44M floppy", "2.88M floppy",
		"hard disk"
	};

	return emulation < OI_ARRAY_SIZE(names) ? names[emulation] : "unknown";
}
