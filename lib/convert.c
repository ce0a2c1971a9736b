/*
 * convert.c - optimg_convert(): choose the output layout, guard the inputs,
 * hand over to a writer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "convert.h"
#include "chd.h"
#include "place.h"

int
oi_progress_add(struct oi_progress *p, uint64_t bytes,
    struct optimg_error *err)
{
	p->done += bytes;
	if (p->fn != NULL && p->fn(p->ctx, p->done, p->total) != 0)
		return oi_set_error(err, OPTIMG_ECANCELED, "interrupted");
	return OPTIMG_OK;
}

static int
copy_chunks(struct optimg_image *img, int32_t lba, uint32_t left,
    unsigned size, struct oi_outfile *of, struct oi_progress *prog,
    uint8_t *bufs[2], struct optimg_error *err)
{
	unsigned which = 0;

	while (left > 0) {
		uint32_t n = OI_MIN(left, OI_CONVERT_CHUNK);
		size_t bytes = (size_t)n * size;

		if (optimg_image_read(img, lba, n, size, bufs[which]) < 0) {
			*err = img->err;
			return err->code;
		}
		OI_TRY(oi_outfile_write_async(of, bufs[which], bytes, err));
		OI_TRY(oi_progress_add(prog, bytes, err));
		which ^= 1;
		lba += (int32_t)n;
		left -= n;
	}
	return OPTIMG_OK;
}

int
oi_copy_sectors(struct optimg_image *img, int32_t lba, uint32_t count,
    unsigned size, struct oi_outfile *of, struct oi_progress *prog,
    uint8_t *bufs[2], struct optimg_error *err)
{
	struct optimg_error ignored;
	int rc = copy_chunks(img, lba, count, size, of, prog, bufs, err);

	if (rc < 0) {
		(void)oi_outfile_wait(of, &ignored);
		return rc;
	}
	return oi_outfile_wait(of, err);
}

int
oi_check_not_input(const struct optimg_image *img, const char *path,
    struct optimg_error *err)
{
	const char **in = calloc(img->nstreams + 1, sizeof(*in));
	int rc;

	if (in == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	in[0] = img->path;
	for (unsigned i = 0; i < img->nstreams; i++)
		in[i + 1] = img->streams[i].path;
	rc = oi_place_check(path, in, img->nstreams + 1, err);
	free(in);
	return rc;
}

static enum optimg_output
output_from_name(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL || strchr(dot, '/') != NULL)
		return OPTIMG_OUTPUT_AUTO;
	if (strcasecmp(dot, ".iso") == 0)
		return OPTIMG_OUTPUT_ISO;
	if (strcasecmp(dot, ".cue") == 0)
		return OPTIMG_OUTPUT_CUE;
	if (strcasecmp(dot, ".chd") == 0)
		return OPTIMG_OUTPUT_CHD;
	return OPTIMG_OUTPUT_AUTO;
}

int
optimg_convert(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	enum optimg_output to = opts->to;

	oi_error_clear(err);
	if (img->format == NULL)
		return oi_set_error(err, OPTIMG_EINVAL, "the image is not open");
	if (img->lossy != NULL)
		return oi_set_error(err, OPTIMG_ELOSSY, "%s", img->lossy);
	if (to == OPTIMG_OUTPUT_AUTO)
		to = output_from_name(out);
	switch (to) {
	case OPTIMG_OUTPUT_ISO:
		if (opts->split) {
			oi_set_error(err, OPTIMG_EINVAL, "one bin per track "
			    "applies to BIN/CUE output, not ISO");
			return oi_error_about(err, OPTIMG_OPTION_SPLIT);
		}
		return oi_write_iso(img, out, opts, err);
	case OPTIMG_OUTPUT_CUE: {
		/* A CHD of ours gives back the very sheet and files. */
		int rc = oi_chd_write_original(img, out, opts, err);
		if (rc != OPTIMG_ENOENT)
			return rc;
		return oi_write_cue(img, out, opts, err);
	}
	case OPTIMG_OUTPUT_CHD:
		return oi_write_chd(img, out, opts, err);
	default:
		oi_set_error(err, OPTIMG_EINVAL, "cannot tell the output "
		    "format from '%s'; name it .iso or .cue", out);
		return oi_error_remedy(err, OPTIMG_OPTION_OUTPUT_FORMAT,
		    OPTIMG_OPTION_NONE);
	}
}
