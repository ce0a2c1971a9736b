/*
 * fmt_rawbin.c - a raw image without a cue sheet (.bin, .img): 2352-byte
 * data sectors recognised by the ECMA-130 sync pattern at the start of
 * consecutive sectors.  The mode comes from the header of sector 16 (the
 * first volume descriptor), falling back to sector 0.  The image is read
 * as one data track starting at LBA 0.
 */
#include "config.h"

#include <string.h>

#include "oi_private.h"

static const uint8_t sync_pattern[12] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

static bool
has_sync(const uint8_t *head, size_t len, unsigned sector)
{
	size_t off = (size_t)sector * 2352;

	return off + 16 <= len && memcmp(head + off, sync_pattern, 12) == 0;
}

static int
rawbin_probe(const struct oi_probe *p)
{
	if (!has_sync(p->head, p->head_len, 0))
		return 0;
	return has_sync(p->head, p->head_len, 1) ? 90 : 60;
}

static enum optimg_track_mode
mode_from_header(const struct optimg_image *img, unsigned stream)
{
	struct oi_stream *st = &img->streams[stream];
	uint8_t hdr[16];
	struct optimg_error ignored;

	if (st->size >= 17 * 2352 &&
	    oi_stream_pread(st, hdr, 16, 16 * 2352, &ignored) == 0 &&
	    memcmp(hdr, sync_pattern, 12) == 0)
		return hdr[15] == 2 ? OPTIMG_TRACK_MODE2 : OPTIMG_TRACK_MODE1;
	if (oi_stream_pread(st, hdr, 16, 0, &ignored) == 0 && hdr[15] == 2)
		return OPTIMG_TRACK_MODE2;
	return OPTIMG_TRACK_MODE1;
}

static int
rawbin_open(struct optimg_image *img, const char *path)
{
	struct oi_fragment frag = { 0 };
	struct optimg_track *t;
	unsigned stream;
	uint64_t size;

	OI_TRY(oi_image_add_stream(img, path, &stream));
	size = img->streams[stream].size;
	if (size / 2352 > INT32_MAX - 1)
		return oi_set_error(&img->err, OPTIMG_EUNSUPP,
		    "'%s' is too large for a disc image", path);
	if (size % 2352 != 0)
		oi_image_warn(img, "'%s' ends with %u bytes that are not a "
		    "whole 2352-byte sector; they are ignored", path,
		    (unsigned)(size % 2352));
	frag.count = (uint32_t)(size / 2352);
	frag.fill = OI_FILL_FILE;
	frag.stream = stream;
	frag.sector_size = 2352;
	frag.mode = mode_from_header(img, stream);
	OI_TRY(oi_image_add_fragment(img, &frag));
	OI_TRY(oi_image_add_track(img, &t));
	t->number = 1;
	t->mode = frag.mode;
	t->storage = OPTIMG_STORE_RAW;
	t->sector_size = 2352;
	t->start = 0;
	t->flags = OPTIMG_FLAG_DATA;
	return oi_image_finish_layout(img);
}

const struct oi_format oi_format_rawbin = {
	.name = "bin",
	.description = "raw bin",
	.probe = rawbin_probe,
	.open = rawbin_open,
};
