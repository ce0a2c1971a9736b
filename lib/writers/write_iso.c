/*
 * write_iso.c - one data track out to a plain 2048-byte-sector image.
 *
 * An ISO holds a single track of user data, so anything else on the disc
 * (audio, more data tracks, Form 2 sectors) would be lost: that is refused
 * unless the caller names the track to keep.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "convert.h"

static void
describe_tracks(const struct optimg_disc *d, char *buf, size_t len)
{
	size_t off = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < d->ntracks && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%u %s",
		    i ? ", " : "", d->tracks[i].number,
		    optimg_track_mode_name(&d->tracks[i]));
}

static int
pick_track(const struct optimg_disc *d, unsigned wanted,
    const struct optimg_track **out, struct optimg_error *err)
{
	char list[1024];

	if (wanted != 0) {
		for (unsigned i = 0; i < d->ntracks; i++) {
			if (d->tracks[i].number != wanted)
				continue;
			if (d->tracks[i].mode == OPTIMG_TRACK_AUDIO)
				return oi_set_error(err, OPTIMG_EINVAL,
				    "track %u is an audio track; an ISO holds "
				    "a data track", wanted);
			*out = &d->tracks[i];
			return OPTIMG_OK;
		}
		return oi_set_error(err, OPTIMG_EINVAL,
		    "the disc has no track %u", wanted);
	}
	if (d->ntracks == 1 && d->tracks[0].mode != OPTIMG_TRACK_AUDIO) {
		*out = &d->tracks[0];
		return OPTIMG_OK;
	}
	describe_tracks(d, list, sizeof(list));
	if (d->ntracks == 1)
		return oi_set_error(err, OPTIMG_ELOSSY,
		    "track %s has no data for an ISO; convert to .cue instead",
		    list);
	oi_set_error(err, OPTIMG_ELOSSY, "the disc has %u tracks (%s) and an "
	    "ISO holds one data track", d->ntracks, list);
	return oi_error_remedy(err, OPTIMG_OPTION_DATA_TRACK,
	    OPTIMG_OPTION_NONE);
}

static int
copy_track(struct optimg_image *img, const struct optimg_track *t,
    struct oi_outfile *of, struct oi_progress *prog,
    struct optimg_error *err)
{
	uint8_t *bufs[2];
	int rc = OPTIMG_OK;

	bufs[0] = oi_io_alloc((size_t)OI_CONVERT_CHUNK * 2048);
	bufs[1] = oi_io_alloc((size_t)OI_CONVERT_CHUNK * 2048);
	if (bufs[0] == NULL || bufs[1] == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	else
		rc = oi_copy_sectors(img, t->start,
		    t->length - t->postgap_unstored, 2048, of, prog, bufs, err);
	free(bufs[0]);
	free(bufs[1]);
	return rc;
}

static int
write_iso(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	const struct optimg_track *t = NULL;
	struct oi_outfile of;
	struct oi_progress prog = { opts->progress, opts->progress_ctx, 0, 0 };
	int rc;

	OI_TRY(pick_track(&img->disc, opts->data_track, &t, err));
	OI_TRY(oi_check_not_input(img, out, err));
	prog.total = (uint64_t)(t->length - t->postgap_unstored) * 2048;
	OI_TRY(oi_outfile_open(&of, out, opts->force, err));
	rc = oi_outfile_pack(&of, oi_pack_kind_of(out), opts->level, err);
	if (rc == OPTIMG_OK)
		rc = copy_track(img, t, &of, &prog, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_finish(&of, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_commit(&of, err);
	oi_outfile_abort(&of);
	return rc;
}

static int
check_iso(const struct optimg_image *img,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	const struct optimg_track *t;

	if (opts->split) {
		oi_set_error(err, OPTIMG_EINVAL, "one bin per track applies "
		    "to BIN/CUE output, not ISO");
		return oi_error_about(err, OPTIMG_OPTION_SPLIT);
	}
	return pick_track(&img->disc, opts->data_track, &t, err);
}

static const char *const iso_extensions[] = { ".iso", NULL };

const struct oi_writer oi_writer_iso = {
	.name = "iso",
	.description = "an ISO image",
	.extensions = iso_extensions,
	.holds = 0,
	.check = check_iso,
	.write = write_iso,
};
