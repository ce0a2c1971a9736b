/*
 * write_gdi.c - a GD-ROM out to a .gdi track list and one file a track,
 * as chdman extractcd writes them (the layout fmt_gdi.c reads):
 *
 *   3
 *   1 0 4 2352 NAME01.bin 0
 *   2 450 0 2352 NAME02.raw 0
 *   3 45000 4 2352 NAME03.bin 0
 *
 * Each file holds its track's stored sectors (a stored pregap included,
 * as a .gdi has no INDEX 00), the line gives the LBA of the first; the
 * sectors between one file's end and the next track's LBA (a pregap or
 * postgap no file held, the padding up to the high-density area) stay
 * unstored, as the .gdi leaves them.  Data is raw 2352 (or 2048 where
 * the image keeps only user data), audio little-endian 2352 in a .raw.
 * Only a GD-ROM is written: a .gdi of a CD says what no disc was.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

/* Bytes a sector of t takes in its file: what the .gdi reader takes. */
static unsigned
gdi_size(const struct optimg_track *t)
{
	if (t->mode != OPTIMG_TRACK_AUDIO && t->sector_size == 2048)
		return 2048;
	return OPTIMG_RAW_SECTOR;
}

static int
check_disc(const struct optimg_disc *d, struct optimg_error *err)
{
	if (d->nsessions != 1 || oi_disc_gdrom_hd_track(d) < 0)
		return oi_set_error(err, OPTIMG_EUNSUPP, "a .gdi lists a "
		    "GD-ROM's tracks, and this image has no high-density area "
		    "(a data track at LBA %d after unstored padding)",
		    OI_GDROM_HD_LBA);
	if (d->ntracks > 99)
		return oi_set_error(err, OPTIMG_EUNSUPP, "%u tracks: a .gdi "
		    "names 99", d->ntracks);
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		if (t->mode != OPTIMG_TRACK_AUDIO &&
		    t->mode != OPTIMG_TRACK_MODE1)
			return oi_set_error(err, OPTIMG_EUNSUPP, "track %u is "
			    "Mode 2; a .gdi's data tracks are Mode 1",
			    t->number);
		if (oi_track_stored_count(t) == 0)
			return oi_set_error(err, OPTIMG_EUNSUPP, "track %u "
			    "stores no sector for a .gdi file to hold",
			    t->number);
	}
	return OPTIMG_OK;
}

/* One file a track, named as chdman names them. */
static int
plan(struct oi_sheet_out *so, struct optimg_error *err)
{
	const struct optimg_disc *d = so->disc;

	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		size_t n = strlen(so->base) + 8;

		if ((so->names[i] = malloc(n)) == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		snprintf(so->names[i], n, "%s%02u.%s", so->base, i + 1,
		    t->mode == OPTIMG_TRACK_AUDIO ? "raw" : "bin");
		so->file_of[i] = i;
		so->prog.total += (uint64_t)oi_track_stored_count(t) *
		    gdi_size(t);
	}
	return OPTIMG_OK;
}

static int
sheet_text(const struct oi_sheet_out *so, char **text, size_t *len,
    struct optimg_error *err)
{
	const struct optimg_disc *d = so->disc;
	FILE *f = open_memstream(text, len);

	if (f == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	fprintf(f, "%u\n", d->ntracks);
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		bool quote = strchr(so->names[i], ' ') != NULL;
		fprintf(f, "%u %ld %d %u %s%s%s 0\n", i + 1,
		    (long)oi_track_stored_first(t),
		    t->mode == OPTIMG_TRACK_AUDIO ? 0 : 4, gdi_size(t),
		    quote ? "\"" : "", so->names[i], quote ? "\"" : "");
	}
	if (fclose(f) != 0) {
		free(*text);
		*text = NULL;
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	return OPTIMG_OK;
}

static int
write_gdi(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct oi_sheet_out so;
	char *text = NULL;
	size_t len = 0;
	int rc;

	OI_TRY(check_disc(&img->disc, err));
	rc = oi_sheet_out_init(&so, img, out, ".gdi", img->disc.ntracks, opts,
	    err);
	if (rc == OPTIMG_OK)
		rc = plan(&so, err);
	if (rc == OPTIMG_OK)
		rc = oi_sheet_out_copy(&so, out, opts->force, gdi_size, err);
	if (rc == OPTIMG_OK)
		rc = sheet_text(&so, &text, &len, err);
	if (rc == OPTIMG_OK)
		rc = oi_sheet_out_commit(&so, text, len, err);
	free(text);
	oi_sheet_out_free(&so);
	return rc;
}

static const char *const gdi_extensions[] = { ".gdi", NULL };

/* A .gdi holds tracks and their sectors, nothing of CD-TEXT, codes or
 * subchannel. */
const struct oi_writer oi_writer_gdi = {
	.name = "gdi",
	.description = "a GD-ROM .gdi",
	.extensions = gdi_extensions,
	.holds = OI_HOLDS_TRACKS,
	.write = write_gdi,
};
