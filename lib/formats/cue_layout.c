/*
 * cue_layout.c - a parsed CUE sheet onto an image: tracks with absolute
 * LBAs, and fragments that map each LBA range to bytes of a file.
 *
 * The sheet gives every INDEX as a position (mm:ss:ff) inside the FILE it
 * was written under.  Absolute addresses come from laying the files end
 * to end: LBA 0 is frame 0 of the first FILE, and each FILE's frame 0
 * follows the last frame of the one before.  Between them go the gaps no
 * file holds: a track's PREGAP right before its first INDEX (00 or 01), its
 * POSTGAP right after its last stored frame.  Both shift every later
 * address.
 *
 * A frame belongs to the track of the last INDEX at or before it, so the
 * frames of a FILE before its first INDEX still belong to the track
 * before (EAC's "noncompliant" sheets keep track N+1's INDEX 00 in track
 * N's file).  Each frame takes its track's sector size: the byte offset
 * of a position is summed frame run by frame run, which also serves a
 * file that mixes MODE1/2048 and AUDIO tracks.
 *
 * The walk below goes through the indices in sheet order, which is file
 * order and, inside a file, position order (cue_parse.c checks both), and
 * lays down the frames from the previous index to this one.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define NO_FILE UINT32_MAX

struct layout {
	const struct oi_cue_sheet	*sheet;
	struct optimg_image		*img;
	const unsigned			*streams;
	const uint64_t			*data_start;
	const uint64_t			*data_size;
	unsigned			 base;	/* sheet track 0 in the disc */
	int64_t				 lba;	/* next LBA to lay down */
	unsigned			 file;	/* current FILE or NO_FILE */
	uint64_t			 used;	/* its bytes laid down so far */
	const struct oi_cue_track	*owner;	/* track of the next frames */
	struct oi_fragment		 pend;	/* fragment still growing */
};

static int
fail(struct layout *lay, int code, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct layout *lay, int code, unsigned line, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oi_set_error(&lay->img->err, code, "line %u: %s", line, msg);
}

static const char *
file_name(const struct layout *lay, unsigned f)
{
	return lay->sheet->files[f].name;
}

/* ---- fragments --------------------------------------------------------- */

static bool
continues(const struct oi_fragment *a, const struct oi_fragment *b)
{
	if (a->count == 0 || a->fill != b->fill || a->mode != b->mode ||
	    a->lba + (int64_t)a->count != b->lba)
		return false;
	if (a->fill == OI_FILL_ZERO)
		return true;
	return a->stream == b->stream && a->sector_size == b->sector_size &&
	    a->swap16 == b->swap16 &&
	    a->offset + (uint64_t)a->count * a->sector_size == b->offset;
}

static int
flush(struct layout *lay)
{
	int rc = oi_image_add_fragment(lay->img, &lay->pend);

	lay->pend.count = 0;
	return rc;
}

/*
 * Queues count sectors at lay->lba; runs that continue the previous one
 * merge into it.  line names the sheet line in an overflow message.
 */
static int
emit(struct layout *lay, struct oi_fragment *f, uint64_t count,
    unsigned line)
{
	if (count == 0)
		return OPTIMG_OK;
	if (count > (uint64_t)INT32_MAX - (uint64_t)lay->lba)
		return fail(lay, OPTIMG_EFORMAT, line,
		    "the disc would be longer than %ld sectors",
		    (long)INT32_MAX);
	f->lba = (int32_t)lay->lba;
	f->count = (uint32_t)count;
	if (continues(&lay->pend, f))
		lay->pend.count += f->count;
	else {
		OI_TRY(flush(lay));
		lay->pend = *f;
	}
	lay->lba += (int64_t)count;
	return OPTIMG_OK;
}

/*
 * The unstored pregap of t.  A session's first track has 150 sectors of
 * pregap on the disc; when the sheet neither stores them (INDEX 00) nor
 * says how long they are (PREGAP, REM PREGAP), they are unstored.
 */
static uint32_t
pregap_of(const struct oi_cue_track *t)
{
	if (!t->session_start || t->pregap_given)
		return t->pregap;
	if (t->nindex > 0 && t->index[0].number == 0)
		return 0;
	return OI_SESSION_PREGAP;
}

/* The lead-out and lead-in before t, when it opens a session. */
static int
lay_session_gap(struct layout *lay, const struct oi_cue_track *t)
{
	struct oi_fragment f = { .fill = OI_FILL_LEADOUT };

	if (!t->session_start)
		return OPTIMG_OK;
	OI_TRY(emit(lay, &f, t->leadout, t->line));
	f.fill = OI_FILL_LEADIN;
	return emit(lay, &f, t->leadin, t->line);
}

/* An unstored gap of track t: silence or empty sectors of its mode. */
static int
lay_gap(struct layout *lay, const struct oi_cue_track *t, uint32_t frames)
{
	struct oi_fragment f = {
		.fill = OI_FILL_ZERO,
		.sector_size = t->sector_size,
		.mode = t->mode,
	};

	return emit(lay, &f, frames, t->line);
}

/* count frames of the current file, taken as sectors of track t. */
static int
lay_frames(struct layout *lay, const struct oi_cue_track *t, uint64_t count)
{
	const struct oi_cue_file *cf = &lay->sheet->files[lay->file];
	struct oi_fragment f = {
		.fill = OI_FILL_FILE,
		.stream = lay->streams[lay->file],
		.offset = lay->data_start[lay->file] + lay->used,
		.sector_size = t->sector_size,
		.swap16 = cf->type == OI_CUE_MOTOROLA ||
		    cf->type == OI_CUE_AIFF,
		.mode = t->mode,
	};

	OI_TRY(emit(lay, &f, count, cf->line));
	lay->used += count * t->sector_size;
	return OPTIMG_OK;
}

static uint64_t
bytes_left(const struct layout *lay)
{
	return lay->data_size[lay->file] - lay->used;
}

/* The rest of the current file goes to the track that owns its end. */
static int
lay_tail(struct layout *lay)
{
	const struct oi_cue_file *cf;
	const struct oi_cue_track *t = lay->owner;
	uint64_t left;

	if (lay->file == NO_FILE)
		return OPTIMG_OK;
	cf = &lay->sheet->files[lay->file];
	left = bytes_left(lay);
	if (left % t->sector_size != 0) {
		if (lay->used == 0)
			return fail(lay, OPTIMG_EFORMAT, cf->line,
			    "'%s' holds %llu bytes, not a whole number of "
			    "%u-byte sectors", cf->name,
			    (unsigned long long)left, t->sector_size);
		return fail(lay, OPTIMG_EFORMAT, cf->line,
		    "'%s' holds %llu bytes: its last %llu bytes (track %02u) "
		    "are not a whole number of %u-byte sectors", cf->name,
		    (unsigned long long)lay->data_size[lay->file],
		    (unsigned long long)left, t->number, t->sector_size);
	}
	return lay_frames(lay, t, left / t->sector_size);
}

static int
open_file(struct layout *lay, unsigned f)
{
	OI_TRY(lay_tail(lay));
	if (lay->data_start[f] > UINT64_MAX - lay->data_size[f])
		return fail(lay, OPTIMG_EINVAL, lay->sheet->files[f].line,
		    "'%s': data range beyond 2^64 bytes", file_name(lay, f));
	lay->file = f;
	lay->used = 0;
	return OPTIMG_OK;
}

/* ---- the walk over the indices ----------------------------------------- */

static struct optimg_track *
disc_track(const struct layout *lay, const struct oi_cue_track *t)
{
	return &lay->img->disc.tracks[lay->base +
	    (unsigned)(t - lay->sheet->tracks)];
}

/*
 * Redump's GD-ROM sheets say "REM HIGH-DENSITY AREA" before the tracks of
 * the area that starts at LBA 45000: what lies between the end of the
 * single-density area and there is stored nowhere, and becomes the
 * unstored postgap of the track before (as a .gdi's padding does).
 */
static int
lay_high_density(struct layout *lay, const struct oi_cue_track *t)
{
	uint32_t gap;

	if (lay->lba > OI_GDROM_HD_LBA)
		return fail(lay, OPTIMG_EFORMAT, t->line,
		    "the single-density area runs to LBA %lld, past the "
		    "high-density area at %d", (long long)lay->lba,
		    OI_GDROM_HD_LBA);
	gap = (uint32_t)(OI_GDROM_HD_LBA - lay->lba);
	if (lay->owner == NULL) {
		lay->lba = OI_GDROM_HD_LBA;
		return OPTIMG_OK;
	}
	disc_track(lay, lay->owner)->postgap_unstored += gap;
	return lay_gap(lay, lay->owner, gap);
}

/*
 * Lays down the frames from the last index to INDEX k of track t, plus
 * the gaps before t when k is its first index, and records the index.
 */
static int
lay_index(struct layout *lay, const struct oi_cue_track *t, unsigned k,
    uint64_t *file_pos)
{
	const struct oi_cue_index *ix = &t->index[k];
	const struct oi_cue_track *run = lay->owner != NULL ? lay->owner : t;
	struct optimg_track *dt = disc_track(lay, t);
	uint64_t count, need;

	if (t->index_file[k] != lay->file) {
		if (t->index_file[k] >= lay->sheet->nfiles ||
		    (lay->file != NO_FILE && t->index_file[k] < lay->file))
			return fail(lay, OPTIMG_EINVAL, ix->line,
			    "INDEX %02u refers to a FILE out of order",
			    ix->number);
		OI_TRY(open_file(lay, t->index_file[k]));
		*file_pos = 0;
	}
	if (ix->frames < *file_pos)	/* cue_parse.c rules this out */
		return fail(lay, OPTIMG_EINVAL, ix->line,
		    "INDEX %02u lies before the index above it", ix->number);
	count = ix->frames - *file_pos;
	need = count * run->sector_size;
	if (need > bytes_left(lay) ||
	    bytes_left(lay) - need < t->sector_size)
		return fail(lay, OPTIMG_EFORMAT, ix->line,
		    "INDEX %02u at frame %lu is past the end of '%s' "
		    "(%llu bytes)", ix->number, (unsigned long)ix->frames,
		    file_name(lay, lay->file),
		    (unsigned long long)lay->data_size[lay->file]);
	OI_TRY(lay_frames(lay, run, count));
	*file_pos = ix->frames;
	if (k == 0) {
		if (lay->owner != NULL)
			OI_TRY(lay_gap(lay, lay->owner, lay->owner->postgap));
		if (lay->sheet->hd_track == (unsigned)(t - lay->sheet->tracks) + 1)
			OI_TRY(lay_high_density(lay, t));
		OI_TRY(lay_session_gap(lay, t));
		OI_TRY(lay_gap(lay, t, pregap_of(t)));
		lay->owner = t;
	}
	dt->index[ix->number] = (int32_t)lay->lba;
	if (ix->number == 1)
		dt->start = (int32_t)lay->lba;
	return OPTIMG_OK;
}

static int
walk(struct layout *lay)
{
	const struct oi_cue_sheet *s = lay->sheet;
	uint64_t file_pos = 0;

	lay->file = NO_FILE;
	for (unsigned i = 0; i < s->ntracks; i++)
		for (unsigned k = 0; k < s->tracks[i].nindex; k++)
			OI_TRY(lay_index(lay, &s->tracks[i], k, &file_pos));
	OI_TRY(lay_tail(lay));
	if (lay->owner != NULL)
		OI_TRY(lay_gap(lay, lay->owner, lay->owner->postgap));
	return flush(lay);
}

/* ---- tracks and disc metadata ------------------------------------------ */

static int
copy_cdtext(struct optimg_cdtext *dst, const struct optimg_cdtext *src)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++) {
		if (src->field[i] == NULL)
			continue;
		if ((dst->field[i] = strdup(src->field[i])) == NULL)
			return OPTIMG_ENOMEM;
	}
	return OPTIMG_OK;
}

/* One allocation for the array: a sheet may hold 10^5 notes. */
static int
copy_notes(struct optimg_note **dst, unsigned *ndst,
    const struct optimg_note *src, unsigned n)
{
	if (n == 0)
		return OPTIMG_OK;
	if ((*dst = oi_calloc(n, sizeof(**dst))) == NULL)
		return OPTIMG_ENOMEM;
	for (*ndst = 0; *ndst < n; (*ndst)++)
		if (((*dst)[*ndst].text = strdup(src[*ndst].text)) == NULL)
			return OPTIMG_ENOMEM;
	return OPTIMG_OK;
}

static int
add_track(struct layout *lay, unsigned i)
{
	const struct oi_cue_track *ct = &lay->sheet->tracks[i];
	struct optimg_track *t;

	OI_TRY(oi_image_add_track(lay->img, &t));
	t->number = ct->number;
	t->session = lay->sheet->track_session[i];
	t->mode = ct->mode;
	t->sector_size = ct->sector_size;
	t->storage = oi_storage_of_size(ct->sector_size);
	t->subchannel = ct->subchannel;
	t->start = OPTIMG_NO_INDEX;
	t->pregap_unstored = pregap_of(ct);
	t->postgap_unstored = ct->postgap;
	t->flags = ct->flags |
	    (ct->mode != OPTIMG_TRACK_AUDIO ? OPTIMG_FLAG_DATA : 0);
	memcpy(t->isrc, ct->isrc, sizeof(t->isrc));
	if (copy_cdtext(&t->cdtext, &ct->cdtext) < 0 ||
	    copy_notes(&t->notes, &t->nnotes, ct->notes, ct->nnotes) < 0)
		return oi_set_error(&lay->img->err, OPTIMG_ENOMEM,
		    "out of memory");
	return OPTIMG_OK;
}

static int
copy_disc(struct layout *lay)
{
	const struct oi_cue_sheet *s = lay->sheet;
	struct optimg_disc *d = &lay->img->disc;

	memcpy(d->catalog, s->catalog, sizeof(d->catalog));
	if ((s->cdtextfile != NULL &&
	    (d->cdtextfile = strdup(s->cdtextfile)) == NULL) ||
	    copy_cdtext(&d->cdtext, &s->cdtext) < 0 ||
	    copy_notes(&d->notes, &d->nnotes, s->notes, s->nnotes) < 0)
		return oi_set_error(&lay->img->err, OPTIMG_ENOMEM,
		    "out of memory");
	return OPTIMG_OK;
}

/* MP3 is lossy and needs a decoder we do not carry (see cue_audio.c). */
static int
check_file_types(struct layout *lay)
{
	for (unsigned i = 0; i < lay->sheet->nfiles; i++) {
		const struct oi_cue_file *f = &lay->sheet->files[i];
		(void)f;	/* MP3: decoded by cue_audio.c */
	}
	return OPTIMG_OK;
}

int
oi_cue_layout(const struct oi_cue_sheet *sheet, struct optimg_image *img,
    const unsigned *streams, const uint64_t *data_start,
    const uint64_t *data_size)
{
	struct layout lay = {
		.sheet = sheet,
		.img = img,
		.streams = streams,
		.data_start = data_start,
		.data_size = data_size,
		.base = img->disc.ntracks,
	};

	OI_TRY(check_file_types(&lay));
	for (unsigned i = 0; i < sheet->ntracks; i++)
		OI_TRY(add_track(&lay, i));
	OI_TRY(walk(&lay));
	OI_TRY(copy_disc(&lay));
	return oi_image_finish_layout(img);
}
