/*
 * fuzz_cue.c - fuzz target for the CUE sheet module.
 *
 * Any input is parsed.  When it parses, the oracle goes further: lay the
 * sheet out with file sizes that fit it, write the disc back as a sheet
 * (into memory), parse and lay that out again, and check that both discs
 * say the same thing: tracks, indices and gaps relative to the first
 * track, flags, ISRC, CD-TEXT, notes, catalog and sessions.  A broken
 * promise aborts, which libFuzzer and replay_main.c both report.
 *
 * tests/test_cue.c includes this file to run cue_roundtrip() on its own
 * random inputs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oi_private.h"
#include "fuzz.h"

#define FIT_EXTRA	2	/* frames after each file's last index */
#define WHY_MAX		(OPTIMG_ERRMSG_MAX + 128)

struct roundtrip {
	struct oi_cue_sheet	*sheet[2];
	struct optimg_image	 img[2];
	char			*text;		/* the written sheet */
	size_t			 len;
	const char		**names;	/* output file per track */
	char			 why[WHY_MAX];
};

/* Streams that exist only so that fragments may point at them. */
static int
fake_streams(struct optimg_image *img, unsigned n)
{
	img->streams = oi_calloc(n, sizeof(*img->streams));
	if (img->streams == NULL)
		return OPTIMG_ENOMEM;
	for (unsigned i = 0; i < n; i++)
		img->streams[i].fd = -1;
	img->nstreams = n;
	return OPTIMG_OK;
}

static void
fake_release(struct optimg_image *img)
{
	free(img->streams);
	free(img->frags);
	oi_disc_release(&img->disc);
	memset(img, 0, sizeof(*img));
}

/*
 * Sizes that fit sheet s: each file as long as its indices need, with
 * FIT_EXTRA sectors of the track that owns its end.  A frame belongs to
 * the track of the last index before it, as in cue_layout.c.
 */
static void
fit_sizes(const struct oi_cue_sheet *s, uint64_t *size)
{
	const struct oi_cue_track *owner = NULL;
	unsigned file = UINT32_MAX;
	uint64_t pos = 0;

	for (unsigned i = 0; i < s->ntracks; i++) {
		const struct oi_cue_track *t = &s->tracks[i];
		for (unsigned k = 0; k < t->nindex; k++) {
			const struct oi_cue_track *run = owner ? owner : t;
			if (t->index_file[k] != file) {
				if (file != UINT32_MAX)
					size[file] += FIT_EXTRA *
					    (uint64_t)owner->sector_size;
				file = t->index_file[k];
				pos = 0;
			}
			size[file] += (t->index[k].frames - pos) *
			    run->sector_size;
			pos = t->index[k].frames;
			if (k == 0)
				owner = t;
		}
	}
	if (owner != NULL)
		size[file] += FIT_EXTRA * (uint64_t)owner->sector_size;
}

static int
layout_with(struct optimg_image *img, const struct oi_cue_sheet *s,
    const uint64_t *size)
{
	unsigned *streams = oi_calloc(s->nfiles, sizeof(*streams));
	uint64_t *start = oi_calloc(s->nfiles, sizeof(*start));
	int rc = OPTIMG_ENOMEM;

	if (streams != NULL && start != NULL &&
	    (rc = fake_streams(img, s->nfiles)) == OPTIMG_OK) {
		for (unsigned i = 0; i < s->nfiles; i++)
			streams[i] = i;
		rc = oi_cue_layout(s, img, streams, start, size);
	}
	free(streams);
	free(start);
	return rc;
}

static uint64_t
stored_bytes(const struct optimg_track *t)
{
	int64_t first = (int64_t)t->start - t->pregap + t->pregap_unstored;
	int64_t end = (int64_t)t->start + t->length - t->postgap_unstored;

	return (uint64_t)(end - first) * t->sector_size;
}

/* What the bins written for disc d would hold, per file of sheet s. */
static void
written_sizes(const struct optimg_disc *d, const char **names,
    const struct oi_cue_sheet *s, uint64_t *size)
{
	for (unsigned f = 0; f < s->nfiles; f++)
		for (unsigned i = 0; i < d->ntracks; i++)
			if (strcmp(names[i], s->files[f].name) == 0)
				size[f] += stored_bytes(&d->tracks[i]);
}

/* ---- comparing two discs ---------------------------------------------- */

static bool
skipped_note(const char *text)
{
	return strncmp(text, "optimg: ", 8) == 0 ||
	    (strncasecmp(text, "SESSION", 7) == 0 &&
	    (text[7] == '\0' || strchr(" \t\v\f", text[7]) != NULL));
}

/* Notes equal but for the ones the writer adds or makes anew. */
static bool
same_notes(const struct optimg_note *a, unsigned na,
    const struct optimg_note *b, unsigned nb)
{
	unsigned i = 0, j = 0;

	for (;;) {
		while (i < na && skipped_note(a[i].text))
			i++;
		while (j < nb && skipped_note(b[j].text))
			j++;
		if (i == na || j == nb)
			return i == na && j == nb;
		if (strcmp(a[i++].text, b[j++].text) != 0)
			return false;
	}
}

/* b is a as the writer has it: double quotes become '. */
static bool
same_cdtext(const struct optimg_cdtext *a, const struct optimg_cdtext *b)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++) {
		const char *x = a->field[i], *y = b->field[i];
		if (x == NULL || y == NULL) {
			if (x != y)
				return false;
			continue;
		}
		for (; *x != '\0' && *y != '\0'; x++, y++)
			if (*y != (*x == '"' ? '\'' : *x))
				return false;
		if (*x != *y)
			return false;
	}
	return true;
}

static bool
same_index(const struct optimg_track *a, int32_t abase,
    const struct optimg_track *b, int32_t bbase)
{
	for (unsigned n = 0; n < OPTIMG_MAX_INDEX; n++) {
		bool ha = a->index[n] != OPTIMG_NO_INDEX;
		bool hb = b->index[n] != OPTIMG_NO_INDEX;
		if (ha != hb || (ha && a->index[n] - abase !=
		    b->index[n] - bbase))
			return false;
	}
	return true;
}

static const char *
diff_track(const struct optimg_track *a, int32_t abase,
    const struct optimg_track *b, int32_t bbase)
{
	if (a->number != b->number || a->session != b->session)
		return "number or session";
	if (a->mode != b->mode || a->sector_size != b->sector_size ||
	    a->subchannel != b->subchannel)
		return "mode";
	if (a->start - abase != b->start - bbase || a->length != b->length ||
	    a->pregap != b->pregap ||
	    a->pregap_unstored != b->pregap_unstored ||
	    a->postgap_unstored != b->postgap_unstored)
		return "start, length or gaps";
	if (!same_index(a, abase, b, bbase))
		return "indices";
	if (a->flags != b->flags || strcmp(a->isrc, b->isrc) != 0)
		return "flags or ISRC";
	if (!same_cdtext(&a->cdtext, &b->cdtext))
		return "CD-TEXT";
	if (!same_notes(a->notes, a->nnotes, b->notes, b->nnotes))
		return "notes";
	return NULL;
}

static const char *
diff_disc(const struct optimg_disc *a, const struct optimg_disc *b,
    unsigned *track)
{
	int32_t abase, bbase;

	if (a->ntracks != b->ntracks || a->nsessions != b->nsessions)
		return "number of tracks or sessions";
	if (strcmp(a->catalog, b->catalog) != 0)
		return "catalog";
	if ((a->cdtextfile == NULL) != (b->cdtextfile == NULL) ||
	    (a->cdtextfile && strcmp(a->cdtextfile, b->cdtextfile) != 0))
		return "CDTEXTFILE";
	if (!same_cdtext(&a->cdtext, &b->cdtext))
		return "disc CD-TEXT";
	if (!same_notes(a->notes, a->nnotes, b->notes, b->nnotes))
		return "disc notes";
	abase = optimg_track_first_lba(&a->tracks[0]);
	bbase = optimg_track_first_lba(&b->tracks[0]);
	for (*track = 0; *track < a->ntracks; (*track)++) {
		const char *d = diff_track(&a->tracks[*track], abase,
		    &b->tracks[*track], bbase);
		if (d != NULL)
			return d;
	}
	return NULL;
}

/* ---- the round trip ---------------------------------------------------- */

/* One bin for all (split false) or one per track, as convert makes them. */
static int
write_back(struct roundtrip *rt, bool split, struct optimg_error *err)
{
	static const char *const per_track[100] = {
#define N(a)	"t" #a "0.bin", "t" #a "1.bin", "t" #a "2.bin", \
		"t" #a "3.bin", "t" #a "4.bin", "t" #a "5.bin", \
		"t" #a "6.bin", "t" #a "7.bin", "t" #a "8.bin", "t" #a "9.bin"
		N(0), N(1), N(2), N(3), N(4), N(5), N(6), N(7), N(8), N(9)
#undef N
	};
	const struct optimg_disc *d = &rt->img[0].disc;
	FILE *out;
	int rc;

	rt->names = oi_calloc(d->ntracks, sizeof(*rt->names));
	if (rt->names == NULL)
		return OPTIMG_ENOMEM;
	for (unsigned i = 0; i < d->ntracks; i++)
		rt->names[i] = split ? per_track[d->tracks[i].number] :
		    "disc.bin";
	if ((out = open_memstream(&rt->text, &rt->len)) == NULL)
		return OPTIMG_ENOMEM;
	rc = oi_cue_write(out, d, rt->names, err);
	fclose(out);
	return rc;
}

/* Write failures the input may rightly cause. */
static bool
fair_write_failure(int rc, const struct optimg_error *err)
{
	return rc == OPTIMG_ENOMEM || rc == OPTIMG_EUNSUPP ||
	    (rc == OPTIMG_EINVAL &&
	    strncmp(err->message, "CDTEXTFILE", 10) == 0);
}

static const char *
second_pass(struct roundtrip *rt, struct optimg_error *err)
{
	uint64_t *size;
	const char *d;
	unsigned track = 0;
	int rc;

	if (oi_cue_parse(rt->text, rt->len, &rt->sheet[1], err) < 0) {
		snprintf(rt->why, sizeof(rt->why),
		    "the written sheet does not parse: %s", err->message);
		return rt->why;
	}
	size = oi_calloc(rt->sheet[1]->nfiles, sizeof(*size));
	if (size == NULL)
		return NULL;
	written_sizes(&rt->img[0].disc, rt->names, rt->sheet[1], size);
	rc = layout_with(&rt->img[1], rt->sheet[1], size);
	free(size);
	if (rc < 0) {
		snprintf(rt->why, sizeof(rt->why),
		    "the written sheet does not lay out: %s",
		    rt->img[1].err.message);
		return rc == OPTIMG_ENOMEM ? NULL : rt->why;
	}
	d = diff_disc(&rt->img[0].disc, &rt->img[1].disc, &track);
	if (d == NULL)
		return NULL;
	snprintf(rt->why, sizeof(rt->why),
	    "the written sheet differs in %s (track index %u)", d, track);
	return rt->why;
}

static const char *
run(struct roundtrip *rt, const uint8_t *data, size_t size, bool split)
{
	struct optimg_error err = { 0 };
	uint64_t *sizes;
	int rc;

	if (oi_cue_parse((const char *)data, size, &rt->sheet[0], &err) < 0)
		return NULL;
	if ((sizes = oi_calloc(rt->sheet[0]->nfiles, sizeof(*sizes))) == NULL)
		return NULL;
	fit_sizes(rt->sheet[0], sizes);
	rc = layout_with(&rt->img[0], rt->sheet[0], sizes);
	free(sizes);
	if (rc == OPTIMG_EUNSUPP || rc == OPTIMG_ENOMEM ||
	    strstr(rt->img[0].err.message, "longer than") != NULL ||
	    strstr(rt->img[0].err.message, "high-density area") != NULL)
		return NULL;	/* MP3, AIFF; files past 2^31 sectors; a
				   single-density area past LBA 45000 */
	if (rc < 0) {
		snprintf(rt->why, sizeof(rt->why),
		    "a sheet that parses does not lay out with sizes that "
		    "fit: %s", rt->img[0].err.message);
		return rt->why;
	}
	rc = write_back(rt, split, &err);
	if (rc < 0) {
		if (fair_write_failure(rc, &err))
			return NULL;
		snprintf(rt->why, sizeof(rt->why), "write failed: %s",
		    err.message);
		return rt->why;
	}
	return second_pass(rt, &err);
}

/*
 * Runs the oracle on one input; NULL when every promise held, else what
 * broke (in why, WHY_MAX bytes).  split picks one bin per track.
 */
static const char *
cue_roundtrip(const uint8_t *data, size_t size, bool split,
    char why[WHY_MAX])
{
	struct roundtrip rt;
	const char *broke;

	memset(&rt, 0, sizeof(rt));
	broke = run(&rt, data, size, split);
	if (broke != NULL)
		snprintf(why, WHY_MAX, "%s", broke);
	for (unsigned i = 0; i < 2; i++) {
		oi_cue_free(rt.sheet[i]);
		fake_release(&rt.img[i]);
	}
	free(rt.names);
	free(rt.text);
	return broke != NULL ? why : NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char why[WHY_MAX];

	/* Both ways of writing: the input's length picks the first. */
	for (unsigned i = 0; i < 2; i++) {
		bool split = ((size + i) & 1) != 0;
		if (cue_roundtrip(data, size, split, why) != NULL) {
			fprintf(stderr, "fuzz_cue: %s\n", why);
			abort();
		}
	}
	return 0;
}
