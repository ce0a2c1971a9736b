/*
 * burn_plan.c - what a burn writes, laid out as the drive will place it.
 *
 * An image's tracks become the tracks libburn is given: each track's
 * source is its stored sectors, from its first stored index (INDEX 00
 * when the pregap is in a file, else INDEX 01) to its last stored sector;
 * gaps no file holds (a cue's PREGAP and POSTGAP) become zeros the drive
 * writes itself (libburn's pregap and postgap sizes).  Index positions
 * are counted from the start of the track's source, as
 * burn_track_set_index() takes them.
 *
 * The first track's two-second pregap is the lead-in's (LBA -150..-1) and
 * is always written; only a PREGAP longer than that takes room from LBA
 * 0 on.  So LBA 0 is the first sector of track 1's source unless that
 * PREGAP is longer.
 *
 * libburn writes data only as Mode 1 (2048-byte user data; the drive makes
 * sync, header, EDC and ECC) and audio as 2352 bytes of PCM.  Mode 2, XA
 * and CD-i tracks cannot be written through it, so they are refused here
 * with the track named, before any drive is touched.  Nothing in this file
 * knows libburn's types: burn.c turns a plan into a burn_disc.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "burn_private.h"

#define LEADIN_PREGAP	150

void
optimg_burn_plan_free(struct optimg_burn_plan *plan)
{
	if (plan == NULL)
		return;
	free(plan->tracks);
	free(plan);
}

static bool
cdtext_present(const struct optimg_cdtext *t)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		if (t->field[i] != NULL && t->field[i][0] != '\0')
			return true;
	return false;
}

static int
new_plan(unsigned ntracks, struct optimg_burn_plan **out,
    struct optimg_error *err)
{
	struct optimg_burn_plan *p = calloc(1, sizeof(*p));

	if (p == NULL || (p->tracks = oi_calloc(ntracks,
	    sizeof(*p->tracks))) == NULL) {
		free(p);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	p->ntracks = ntracks;
	*out = p;
	return OPTIMG_OK;
}

/* Refuses tracks libburn cannot write and tracks that make no sense. */
static int
check_track(const struct optimg_track *t, struct optimg_error *err)
{
	if (t->mode != OPTIMG_TRACK_AUDIO && t->mode != OPTIMG_TRACK_MODE1)
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "track %u is %s: libburn writes only Mode 1 data and "
		    "audio tracks", t->number, optimg_track_mode_name(t));
	if (t->start == OPTIMG_NO_INDEX || t->length == 0)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "track %u has no sectors", t->number);
	if (t->pregap_unstored > t->pregap ||
	    t->postgap_unstored > t->length)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "track %u: gaps larger than the track", t->number);
	return OPTIMG_OK;
}

/*
 * Fills one plan track from an image track; *cursor is the disc LBA
 * where this track's first sector (its pregap, if any) goes.
 */
static int
plan_track(struct optimg_burn_track *bt, const struct optimg_track *t,
    unsigned image_track, bool first_track, int64_t *cursor,
    struct optimg_error *err)
{
	int32_t first_lba = optimg_track_first_lba(t);
	int64_t src_end = (int64_t)t->start + t->length - t->postgap_unstored;
	uint32_t zero_on_disc;
	int64_t shift;

	OI_TRY(check_track(t, err));
	bt->number = t->number;
	bt->image_track = image_track;
	bt->mode = t->mode;
	bt->block_size = t->mode == OPTIMG_TRACK_AUDIO ? OPTIMG_RAW_SECTOR :
	    OPTIMG_USER_SECTOR;
	bt->source_mode = optimg_track_mode_name(t);
	bt->src_lba = first_lba + (int32_t)t->pregap_unstored;
	if (src_end <= bt->src_lba)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "track %u has no stored sectors", t->number);
	bt->src_sectors = (uint32_t)(src_end - bt->src_lba);
	bt->pregap_zero = t->pregap_unstored;
	bt->postgap_zero = t->postgap_unstored;
	/* Track 1's first 150 zero sectors are the lead-in pregap. */
	zero_on_disc = bt->pregap_zero;
	if (first_track)
		zero_on_disc = zero_on_disc > LEADIN_PREGAP ?
		    zero_on_disc - LEADIN_PREGAP : 0;
	bt->first = (int32_t)(*cursor + zero_on_disc) -
	    (int32_t)bt->pregap_zero;
	/* Image LBA + shift = disc LBA for this track's sectors. */
	shift = *cursor + zero_on_disc - bt->src_lba;
	bt->start = (int32_t)(t->start + shift);
	bt->length = t->length;
	bt->pregap = t->pregap;
	for (unsigned k = 0; k < OPTIMG_MAX_INDEX; k++)
		bt->index[k] = t->index[k] == OPTIMG_NO_INDEX ?
		    OPTIMG_NO_INDEX : (int32_t)(t->index[k] + shift);
	bt->index[1] = bt->start;
	bt->flags = t->flags;
	memcpy(bt->isrc, t->isrc, sizeof(bt->isrc));
	bt->cdtext = &t->cdtext;
	*cursor += zero_on_disc + bt->src_sectors + bt->postgap_zero;
	return OPTIMG_OK;
}

int
optimg_burn_plan_image(struct optimg_image *img,
    struct optimg_burn_plan **out, struct optimg_error *err)
{
	const struct optimg_disc *d = optimg_image_disc(img);
	struct optimg_burn_plan *p;
	int64_t cursor = 0;
	int rc;

	*out = NULL;
	if (img->lossy != NULL)
		return oi_set_error(err, OPTIMG_ELOSSY, "%s", img->lossy);
	if (d->ntracks == 0)
		return oi_set_error(err, OPTIMG_EFORMAT, "the image has no "
		    "tracks");
	if (d->nsessions > 1)
		return oi_set_error(err, OPTIMG_EUNSUPP, "the image has %u "
		    "sessions; a burn writes one", d->nsessions);
	OI_TRY(new_plan(d->ntracks, &p, err));
	for (unsigned i = 0; i < d->ntracks; i++) {
		struct optimg_burn_track *bt = &p->tracks[i];

		rc = plan_track(bt, &d->tracks[i], i, i == 0, &cursor, err);
		if (rc < 0) {
			optimg_burn_plan_free(p);
			return rc;
		}
		if (bt->mode == OPTIMG_TRACK_AUDIO)
			p->audio = true;
		if (cdtext_present(bt->cdtext))
			p->has_cdtext = true;
		p->bytes += (uint64_t)bt->src_sectors * bt->block_size;
	}
	if (cursor > INT32_MAX) {
		optimg_burn_plan_free(p);
		return oi_set_error(err, OPTIMG_ERANGE, "the image is too "
		    "large for a disc");
	}
	p->sectors = (uint32_t)cursor;
	memcpy(p->catalog, d->catalog, sizeof(p->catalog));
	p->cdtext = &d->cdtext;
	if (cdtext_present(p->cdtext))
		p->has_cdtext = true;
	*out = p;
	return OPTIMG_OK;
}

int
optimg_burn_plan_stream(uint64_t bytes, struct optimg_burn_plan **out,
    struct optimg_error *err)
{
	struct optimg_burn_plan *p;
	struct optimg_burn_track *t;
	uint64_t sectors = (bytes + OPTIMG_USER_SECTOR - 1) /
	    OPTIMG_USER_SECTOR;

	*out = NULL;
	if (sectors == 0 || sectors > INT32_MAX)
		return oi_set_error(err, OPTIMG_ERANGE, "cannot burn %llu "
		    "bytes", (unsigned long long)bytes);
	OI_TRY(new_plan(1, &p, err));
	t = &p->tracks[0];
	t->number = 1;
	t->image_track = 0;
	t->mode = OPTIMG_TRACK_MODE1;
	t->block_size = OPTIMG_USER_SECTOR;
	t->source_mode = "MODE1/2048";
	t->src_sectors = (uint32_t)sectors;
	t->length = (uint32_t)sectors;
	for (unsigned k = 0; k < OPTIMG_MAX_INDEX; k++)
		t->index[k] = OPTIMG_NO_INDEX;
	t->index[1] = 0;
	t->flags = OPTIMG_FLAG_DATA;
	p->sectors = (uint32_t)sectors;
	p->bytes = sectors * OPTIMG_USER_SECTOR;
	*out = p;
	return OPTIMG_OK;
}

/*
 * Index positions relative to the start of the track's source, for
 * burn_track_set_index(): indices in the zero pregap are left out (the
 * drive places INDEX 00 there itself).  Returns the count, 0..100.
 */
unsigned
oi_burn_track_indices(const struct optimg_burn_track *t,
    struct oi_burn_index out[OPTIMG_MAX_INDEX])
{
	int32_t src_first = t->first + (int32_t)t->pregap_zero;
	unsigned n = 0;

	for (unsigned k = 0; k < OPTIMG_MAX_INDEX; k++) {
		if (t->index[k] == OPTIMG_NO_INDEX || t->index[k] < src_first)
			continue;
		out[n].number = k;
		out[n].offset = (uint32_t)(t->index[k] - src_first);
		n++;
	}
	return n;
}

const char *
optimg_media_state_name(enum optimg_media_state state)
{
	static const char *const names[] = {
		"none", "blank", "appendable", "closed", "unsuitable",
	};

	return (unsigned)state < OI_ARRAY_SIZE(names) ? names[state] : "?";
}
