/*
 * fs_sysarea.c - the system area: the first 32 KiB of an ISO 9660 session
 * (ECMA-119 6.2.1 leaves it to the system), where hybrid images put a
 * partition table so the same bytes boot from a USB stick.
 *
 * MBR: 446 four 16-byte entries (0 status, 4 type, 8 first LBA, 12
 *   sectors, little-endian, 512-byte sectors), 510 55 AA.  Boot code in
 *   bytes 0..439 and a partition starting at sector 0 (the ISO itself) is
 *   what isohybrid and xorriso's isohybrid MBR make.
 * GPT (UEFI 2.x 5.3): header in sector 1: "EFI PART", 12 header size,
 *   16 header CRC-32 (over the header with this field zero), 40/48 first
 *   and last usable LBA, 56 disk GUID, 72 entries LBA, 80 entry count,
 *   84 entry size, 88 entries CRC-32.  Entry: 0 type GUID, 16 GUID, 32
 *   first LBA, 40 last LBA, 48 attributes, 56 name (36 UTF-16LE units).
 * Apple partition map: block 0 "ER" with the block size at 2 (BE16);
 *   entries from block 1: "PM", 4 map entry count, 8 start, 12 blocks,
 *   16 name (32), 48 type (32), all big-endian.
 * Everything is checked against the 32 KiB it must fit in.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fs_private.h"

#define SYSAREA		(16 * 2048)
#define GPT_MAX		256

void
oi_sysarea_free(struct optimg_sysarea *sa)
{
	if (sa == NULL)
		return;
	free(sa->gpt_parts);
	free(sa->apm_parts);
	free(sa);
}

static void
guid_string(const uint8_t *g, char out[37])
{
	snprintf(out, 37, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    oi_le32dec(g), oi_le16dec(g + 4), oi_le16dec(g + 6), g[8], g[9],
	    g[10], g[11], g[12], g[13], g[14], g[15]);
}

static bool
zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static void
parse_mbr(const uint8_t *b, struct optimg_sysarea *sa)
{
	unsigned i;
	bool at_zero = false;

	if (b[510] != 0x55 || b[511] != 0xaa)
		return;
	for (i = 0; i < 4; i++) {
		const uint8_t *p = b + 446 + 16 * i;

		if (p[0] != 0 && p[0] != 0x80)
			return;		/* not a partition table */
	}
	sa->mbr = true;
	sa->mbr_boot_code = !zero(b, 440);
	for (i = 0; i < 4; i++) {
		const uint8_t *p = b + 446 + 16 * i;
		struct optimg_mbr_part *m;

		if (p[4] == 0)
			continue;
		m = &sa->mbr_parts[sa->nmbr_parts++];
		m->index = i + 1;
		m->status = p[0];
		m->type = p[4];
		m->start = oi_le32dec(p + 8);
		m->sectors = oi_le32dec(p + 12);
		if (m->start == 0 && m->type != 0xee)
			at_zero = true;
	}
	sa->isohybrid = sa->mbr_boot_code && at_zero;
}

/* UTF-16LE name of n units into UTF-8 (BMP only; others become '?'). */
static void
utf16le_name(const uint8_t *p, unsigned n, char *out, size_t cap)
{
	size_t o = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		unsigned c = oi_le16dec(p + 2 * i);

		if (c == 0)
			break;
		if (c >= 0xd800 && c < 0xe000)
			c = '?';
		if (c < 0x80 && o + 1 < cap)
			out[o++] = (char)c;
		else if (c < 0x800 && o + 2 < cap) {
			out[o++] = (char)(0xc0 | c >> 6);
			out[o++] = (char)(0x80 | (c & 0x3f));
		} else if (c >= 0x800 && o + 3 < cap) {
			out[o++] = (char)(0xe0 | c >> 12);
			out[o++] = (char)(0x80 | (c >> 6 & 0x3f));
			out[o++] = (char)(0x80 | (c & 0x3f));
		}
	}
	out[o] = '\0';
}

static uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)oi_le32dec(p) | (uint64_t)oi_le32dec(p + 4) << 32;
}

static int
parse_gpt(const uint8_t *b, size_t len, struct optimg_sysarea *sa)
{
	const uint8_t *h = b + 512;
	uint8_t hdr[512];
	uint32_t hsize, count, esize;
	uint64_t elba, bytes;
	unsigned i;

	if (len < 1024 || memcmp(h, "EFI PART", 8) != 0)
		return 0;
	sa->gpt = true;
	hsize = oi_le32dec(h + 12);
	if (hsize >= 92 && hsize <= 512) {
		memcpy(hdr, h, hsize);
		memset(hdr + 16, 0, 4);
		sa->gpt_header_crc_ok = crc32(0, hdr, hsize) ==
		    oi_le32dec(h + 16);
	}
	guid_string(h + 56, sa->gpt_disk_guid);
	sa->gpt_first_usable = le64(h + 40);
	sa->gpt_last_usable = le64(h + 48);
	elba = le64(h + 72);
	count = oi_le32dec(h + 80);
	esize = oi_le32dec(h + 84);
	if (esize < 128 || esize > 4096 || esize % 8 != 0 || count == 0 ||
	    elba == 0 || elba > len / 512)
		return 0;
	bytes = (uint64_t)count * esize;
	if (elba * 512 + bytes > len)
		return 0;	/* entries beyond the system area: not read */
	sa->gpt_entries_crc_ok = crc32(0, b + elba * 512, (uInt)bytes) ==
	    oi_le32dec(h + 88);
	sa->gpt_parts = calloc(OI_MIN(count, GPT_MAX),
	    sizeof(*sa->gpt_parts));
	if (sa->gpt_parts == NULL)
		return OPTIMG_ENOMEM;
	for (i = 0; i < count && sa->ngpt_parts < GPT_MAX; i++) {
		const uint8_t *e = b + elba * 512 + (size_t)i * esize;
		struct optimg_gpt_part *g;

		if (zero(e, 16))
			continue;
		g = &sa->gpt_parts[sa->ngpt_parts++];
		g->index = i + 1;
		guid_string(e, g->type_guid);
		guid_string(e + 16, g->guid);
		g->first = le64(e + 32);
		g->last = le64(e + 40);
		g->attributes = le64(e + 48);
		utf16le_name(e + 56, 36, g->name, sizeof(g->name));
	}
	return 0;
}

static int
parse_apm(const uint8_t *b, size_t len, struct optimg_sysarea *sa)
{
	unsigned bs, i, n;

	if (len < 512 || b[0] != 'E' || b[1] != 'R')
		return 0;
	bs = oi_be16dec(b + 2);
	if (bs != 512 && bs != 1024 && bs != 2048 && bs != 4096)
		return 0;
	if ((size_t)bs * 2 > len || b[bs] != 'P' || b[bs + 1] != 'M')
		return 0;
	n = oi_be32dec(b + bs + 4);
	n = OI_MIN(n, (unsigned)(len / bs - 1));
	sa->apm = true;
	sa->apm_block_size = bs;
	sa->apm_parts = calloc(n ? n : 1, sizeof(*sa->apm_parts));
	if (sa->apm_parts == NULL)
		return OPTIMG_ENOMEM;
	for (i = 0; i < n; i++) {
		const uint8_t *e = b + (size_t)bs * (i + 1);
		struct optimg_apm_part *a;

		if (e[0] != 'P' || e[1] != 'M')
			break;
		a = &sa->apm_parts[sa->napm_parts++];
		a->index = i + 1;
		a->start = oi_be32dec(e + 8);
		a->blocks = oi_be32dec(e + 12);
		memcpy(a->name, e + 16, 32);
		memcpy(a->type, e + 48, 32);
		oi_fs_name_fix(a->name, strnlen(a->name, 32));
		oi_fs_name_fix(a->type, strnlen(a->type, 32));
	}
	return 0;
}

int
oi_sysarea_parse(const uint8_t *buf, size_t len, struct optimg_sysarea **out,
    struct optimg_error *err)
{
	struct optimg_sysarea *sa = calloc(1, sizeof(*sa));
	int rc;

	*out = NULL;
	if (sa == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	len = OI_MIN(len, (size_t)SYSAREA);
	sa->zero = zero(buf, len);
	if (len >= 512)
		parse_mbr(buf, sa);
	rc = parse_gpt(buf, len, sa);
	if (rc == 0)
		rc = parse_apm(buf, len, sa);
	if (rc < 0) {
		oi_sysarea_free(sa);
		return oi_set_error(err, rc, "out of memory");
	}
	*out = sa;
	return 0;
}

int
optimg_fs_system_area(struct optimg_fs *fs, const struct optimg_sysarea **out)
{
	uint32_t n;
	uint8_t *buf;
	int rc;

	*out = NULL;
	if (fs->sysarea == NULL) {
		if (fs->rd.end <= fs->rd.start)
			return oi_set_error(&fs->err, OPTIMG_ENOENT,
			    "the image has no system area");
		n = (uint32_t)OI_MIN(fs->rd.end - fs->rd.start, 16);
		buf = calloc(16, OI_FS_SECTOR);
		if (buf == NULL)
			return oi_set_error(&fs->err, OPTIMG_ENOMEM,
			    "out of memory");
		rc = oi_fs_read_sectors(fs, (uint32_t)fs->rd.start, n, buf);
		if (rc == 0)
			rc = oi_sysarea_parse(buf, (size_t)n * OI_FS_SECTOR,
			    &fs->sysarea, &fs->err);
		free(buf);
		if (rc < 0)
			return rc;
	}
	*out = fs->sysarea;
	return 0;
}
