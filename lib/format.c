/*
 * format.c - the format table and content-based detection.  Each format
 * bids 0..100 on the first bytes of the file; the highest bid wins, so a
 * file named .bin that holds an ISO is read as an ISO.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oi_private.h"

/* Enough for a cue's first lines and an ISO's volume descriptor at 32 KiB. */
#define PROBE_BYTES (64u * 1024)

static const struct oi_format *const formats[] = {
	&oi_format_chd,
	&oi_format_cue,
	&oi_format_iso,
	&oi_format_rawbin,
	&oi_format_gdi,
};

static int
read_head(struct optimg_image *img, const char *path, uint8_t *buf,
    size_t *len)
{
	struct oi_stream st = { .fd = -1 };
	size_t want;
	int rc;

	OI_TRY(oi_stream_open(&st, path, &img->err));
	want = (size_t)OI_MIN((uint64_t)PROBE_BYTES, st.size);
	rc = oi_stream_pread(&st, buf, want, 0, &img->err);
	oi_stream_close(&st);
	*len = want;
	return rc;
}

int
optimg_image_open(struct optimg_image *img, const char *path)
{
	const struct oi_format *best = NULL;
	uint8_t *head;
	size_t len = 0;
	int best_bid = 0, rc;

	if (img->format != NULL)
		return oi_set_error(&img->err, OPTIMG_EINVAL,
		    "image object is already open");
	oi_error_clear(&img->err);
	head = malloc(PROBE_BYTES);
	if (head == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	rc = read_head(img, path, head, &len);
	if (rc < 0) {
		free(head);
		return rc;
	}
	for (unsigned i = 0; i < OI_ARRAY_SIZE(formats); i++) {
		int bid = formats[i]->probe(head, len);
		if (bid > best_bid) {
			best_bid = bid;
			best = formats[i];
		}
	}
	free(head);
	if (best == NULL)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s': not a disc image optimg knows (ISO 9660, cue sheet, "
		    "raw bin)", path);
	img->path = strdup(path);
	if (img->path == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	img->format = best;
	rc = best->open(img, path);
	if (rc < 0 && img->err.code == 0)
		oi_set_error(&img->err, rc, "'%s': %s", path,
		    optimg_strerror(rc));
	return rc;
}
