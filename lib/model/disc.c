/*
 * disc.c - the disc model: tracks, sessions, notes, and the derived parts
 * of the layout (pregap, length, sessions) that every format shares.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

static const char *const cdtext_names[OPTIMG_CDTEXT_NFIELDS] = {
	"TITLE", "PERFORMER", "SONGWRITER", "COMPOSER", "ARRANGER",
	"MESSAGE", "DISC_ID", "GENRE", "UPC_EAN",
};

const char *
optimg_cdtext_field_name(enum optimg_cdtext_field field)
{
	if ((unsigned)field >= OPTIMG_CDTEXT_NFIELDS)
		return "?";
	return cdtext_names[field];
}

const char *
optimg_track_mode_name(const struct optimg_track *t)
{
	switch (t->mode) {
	case OPTIMG_TRACK_AUDIO:
		return t->subchannel ? "CDG" : "AUDIO";
	case OPTIMG_TRACK_MODE1:
		return t->sector_size == 2048 ? "MODE1/2048" : "MODE1/2352";
	case OPTIMG_TRACK_MODE2:
		return t->sector_size == 2336 ? "MODE2/2336" :
		    t->sector_size == 2048 ? "MODE2/2048" : "MODE2/2352";
	case OPTIMG_TRACK_CDI:
		return t->sector_size == 2336 ? "CDI/2336" : "CDI/2352";
	}
	return "?";
}

enum optimg_storage
oi_storage_of_size(unsigned sector_size)
{
	switch (sector_size) {
	case OPTIMG_USER_SECTOR:
		return OPTIMG_STORE_USER;
	case OPTIMG_MODE2_SECTOR:
		return OPTIMG_STORE_MODE2;
	default:
		return OPTIMG_STORE_RAW;
	}
}

int
oi_disc_gdrom_hd_track(const struct optimg_disc *disc)
{
	for (unsigned i = 1; i < disc->ntracks; i++)
		if (disc->tracks[i].start == OI_GDROM_HD_LBA &&
		    disc->tracks[i].mode != OPTIMG_TRACK_AUDIO &&
		    disc->tracks[i - 1].postgap_unstored > 0)
			return (int)i;
	return -1;
}

int32_t
optimg_track_first_lba(const struct optimg_track *t)
{
	return t->start - (int32_t)t->pregap;
}

int
oi_note_add(struct optimg_note **notes, unsigned *n, const char *text)
{
	struct optimg_note *p;
	char *copy = strdup(text);

	if (copy == NULL)
		return OPTIMG_ENOMEM;
	p = oi_reallocarray(*notes, *n + 1, sizeof(**notes));
	if (p == NULL) {
		free(copy);
		return OPTIMG_ENOMEM;
	}
	p[*n].text = copy;
	*notes = p;
	(*n)++;
	return OPTIMG_OK;
}

int
oi_image_add_session_gap(struct optimg_image *img, int32_t end, int32_t next)
{
	struct oi_fragment f = { .lba = end, .fill = OI_FILL_LEADOUT };
	int64_t gap = (int64_t)next - end;

	if (gap <= 0)
		return OPTIMG_OK;
	f.count = (uint32_t)(gap > OI_LEADIN ? gap - OI_LEADIN : gap);
	OI_TRY(oi_image_add_fragment(img, &f));
	f.lba += (int32_t)f.count;
	f.count = (uint32_t)(next - f.lba);
	f.fill = OI_FILL_LEADIN;
	return oi_image_add_fragment(img, &f);
}

int
oi_disc_add_blob(struct optimg_disc *d, const char *name,
    const char *summary, const uint8_t *data, size_t len,
    struct optimg_error *err)
{
	struct optimg_blob *b;

	b = oi_reallocarray(d->blobs, d->nblobs + 1, sizeof(*b));
	if (b == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	d->blobs = b;
	b = &d->blobs[d->nblobs];
	b->name = strdup(name);
	b->summary = strdup(summary);
	b->data = malloc(len > 0 ? len : 1);
	b->len = len;
	if (b->name == NULL || b->summary == NULL || b->data == NULL) {
		free(b->name);
		free(b->summary);
		free(b->data);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	memcpy(b->data, data, len);
	d->nblobs++;
	return OPTIMG_OK;
}

static void
notes_free(struct optimg_note *notes, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(notes[i].text);
	free(notes);
}

static void
cdtext_release(struct optimg_cdtext *ct)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++) {
		free(ct->field[i]);
		ct->field[i] = NULL;
	}
}

void
oi_disc_release(struct optimg_disc *disc)
{
	for (unsigned i = 0; i < disc->ntracks; i++) {
		cdtext_release(&disc->tracks[i].cdtext);
		notes_free(disc->tracks[i].notes, disc->tracks[i].nnotes);
	}
	for (unsigned i = 0; i < disc->nblobs; i++) {
		free(disc->blobs[i].name);
		free(disc->blobs[i].summary);
		free(disc->blobs[i].data);
	}
	free(disc->blobs);
	free(disc->tracks);
	free(disc->sessions);
	free(disc->cdtextfile);
	cdtext_release(&disc->cdtext);
	notes_free(disc->notes, disc->nnotes);
	memset(disc, 0, sizeof(*disc));
}

int
oi_image_add_track(struct optimg_image *img, struct optimg_track **out)
{
	struct optimg_disc *d = &img->disc;
	struct optimg_track *t;

	if (d->ntracks >= 99)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "more than 99 tracks");
	t = oi_reallocarray(d->tracks, d->ntracks + 1, sizeof(*t));
	if (t == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	d->tracks = t;
	t = &d->tracks[d->ntracks++];
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < OPTIMG_MAX_INDEX; i++)
		t->index[i] = OPTIMG_NO_INDEX;
	t->session = 1;
	*out = t;
	return OPTIMG_OK;
}

int32_t
oi_image_end_lba(const struct optimg_image *img)
{
	int32_t end = 0;

	for (unsigned i = 0; i < img->nfrags; i++) {
		int32_t e = img->frags[i].lba + (int32_t)img->frags[i].count;
		end = OI_MAX(end, e);
	}
	return end;
}

/* First sector of track t, stored or not: INDEX 00 (or 01) minus PREGAP. */
static int32_t
track_first(const struct optimg_track *t)
{
	int32_t first = t->index[0] != OPTIMG_NO_INDEX ? t->index[0] : t->start;

	return first - (int32_t)t->pregap_unstored;
}

static int
add_session(struct optimg_disc *d, unsigned number, unsigned first)
{
	struct optimg_session *s;

	s = oi_reallocarray(d->sessions, d->nsessions + 1, sizeof(*s));
	if (s == NULL)
		return OPTIMG_ENOMEM;
	d->sessions = s;
	s = &d->sessions[d->nsessions++];
	s->number = number;
	s->first_track = first;
	s->ntracks = 0;
	s->leadout = 0;
	s->leadout_length = 0;
	s->leadin_length = 0;
	return OPTIMG_OK;
}

/* The fragment of kind fill starting at lba, or NULL. */
static const struct oi_fragment *
fragment_at(const struct optimg_image *img, int32_t lba, enum oi_fill fill)
{
	for (unsigned i = 0; i < img->nfrags; i++)
		if (img->frags[i].lba == lba && img->frags[i].fill == fill)
			return &img->frags[i];
	return NULL;
}

static bool
is_session_gap(const struct oi_fragment *f)
{
	return f->fill == OI_FILL_LEADOUT || f->fill == OI_FILL_LEADIN;
}

/*
 * Where the sectors after track i end: the next track's first sector, or
 * the lead-out between them when the next track opens a session.
 */
static int32_t
track_end(const struct optimg_image *img, unsigned i, int32_t end)
{
	const struct optimg_disc *d = &img->disc;
	int32_t next, end_at;

	if (i + 1 >= d->ntracks)
		return end;
	next = track_first(&d->tracks[i + 1]);
	end_at = next;
	if (d->tracks[i + 1].session == d->tracks[i].session)
		return next;
	/* A sheet may give the lead-out no length: then the gap opens
	 * with the lead-in. */
	for (unsigned k = 0; k < img->nfrags; k++)
		if (is_session_gap(&img->frags[k]) &&
		    img->frags[k].lba < next &&
		    img->frags[k].lba >= d->tracks[i].start &&
		    img->frags[k].lba < end_at)
			end_at = img->frags[k].lba;
	return end_at;
}

/* Lead-out and next lead-in lengths of the sessions, from the gaps. */
static void
session_gaps(struct optimg_image *img)
{
	struct optimg_disc *d = &img->disc;

	for (unsigned s = 0; s + 1 < d->nsessions; s++) {
		const struct oi_fragment *out, *in;
		int32_t at = d->sessions[s].leadout;
		out = fragment_at(img, at, OI_FILL_LEADOUT);
		if (out != NULL) {
			d->sessions[s].leadout_length = out->count;
			at += (int32_t)out->count;
		}
		in = fragment_at(img, at, OI_FILL_LEADIN);
		if (in != NULL)
			d->sessions[s + 1].leadin_length = in->count;
	}
}

static int
derive_sessions(struct optimg_image *img, int32_t end)
{
	struct optimg_disc *d = &img->disc;

	free(d->sessions);
	d->sessions = NULL;
	d->nsessions = 0;
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		if (d->nsessions == 0 ||
		    d->sessions[d->nsessions - 1].number != t->session) {
			if (add_session(d, t->session, i) < 0)
				return oi_set_error(&img->err, OPTIMG_ENOMEM,
				    "out of memory");
			if (d->nsessions > 1)
				d->sessions[d->nsessions - 2].leadout =
				    d->tracks[i - 1].start +
				    (int32_t)d->tracks[i - 1].length;
		}
		d->sessions[d->nsessions - 1].ntracks++;
	}
	if (d->nsessions > 0)
		d->sessions[d->nsessions - 1].leadout = end;
	session_gaps(img);
	return OPTIMG_OK;
}

int
oi_image_finish_layout(struct optimg_image *img)
{
	struct optimg_disc *d = &img->disc;
	int32_t end = oi_image_end_lba(img);

	if (d->ntracks == 0)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "the image has no tracks");
	for (unsigned i = 0; i < d->ntracks; i++) {
		struct optimg_track *t = &d->tracks[i];
		int32_t first = track_first(t);

		/* Sectors stored before track 1's first index are its pregap. */
		if (i == 0 && img->nfrags > 0)
			first = OI_MIN(first, img->frags[0].lba);
		int32_t next = track_end(img, i, end);

		if (t->start == OPTIMG_NO_INDEX || first > t->start ||
		    next < t->start)
			return oi_set_error(&img->err, OPTIMG_EFORMAT,
			    "track %u: its indices are out of order",
			    t->number);
		t->index[1] = t->start;
		t->pregap = (uint32_t)(t->start - first);
		t->length = (uint32_t)(next - t->start);
	}
	return derive_sessions(img, end);
}
