/*
 * fmt_iso.c - plain 2048-byte-sector images (.iso).
 *
 * ECMA-119 8.1: volume descriptors start at sector 16 (byte 32768); each
 * has a type byte then the standard identifier "CD001" (ISO 9660), or
 * "BEA01"/"NSR02"/"NSR03"/"TEA01" (ECMA-167 volume recognition, UDF).
 * The image is one Mode 1 track of user data starting at LBA 0.
 */
#include "config.h"

#include <string.h>

#include "oi_private.h"

static int
iso_probe(const struct oi_probe *p)
{
	const uint8_t *vd = p->head + 16 * 2048;

	if (p->head_len < 16 * 2048 + 6)
		return 0;
	if (memcmp(vd + 1, "CD001", 5) == 0)
		return 100;
	if (memcmp(vd + 1, "BEA01", 5) == 0 || memcmp(vd + 1, "NSR02", 5) == 0 ||
	    memcmp(vd + 1, "NSR03", 5) == 0)
		return 80;
	return 0;
}

static int
iso_open(struct optimg_image *img, const char *path)
{
	struct oi_fragment frag = { 0 };
	struct optimg_track *t;
	unsigned stream;
	uint64_t size, sectors;

	OI_TRY(oi_image_add_stream(img, path, &stream));
	size = img->streams[stream].size;
	sectors = size / 2048;
	if (sectors > INT32_MAX - 1)
		return oi_set_error(&img->err, OPTIMG_EUNSUPP,
		    "'%s' is too large for a disc image", path);
	if (size % 2048 != 0)
		oi_image_warn(img, "'%s' ends with %u bytes that are not a "
		    "whole sector; they are ignored", path,
		    (unsigned)(size % 2048));
	frag.lba = 0;
	frag.count = (uint32_t)sectors;
	frag.fill = OI_FILL_FILE;
	frag.stream = stream;
	frag.sector_size = 2048;
	frag.mode = OPTIMG_TRACK_MODE1;
	OI_TRY(oi_image_add_fragment(img, &frag));
	OI_TRY(oi_image_add_track(img, &t));
	t->number = 1;
	t->mode = OPTIMG_TRACK_MODE1;
	t->storage = OPTIMG_STORE_PLAIN;
	t->sector_size = 2048;
	t->start = 0;
	t->flags = OPTIMG_FLAG_DATA;
	return oi_image_finish_layout(img);
}

const struct oi_format oi_format_iso = {
	.name = "iso",
	.description = "ISO 9660 / UDF",
	.probe = iso_probe,
	.open = iso_open,
};
