/*
 * cue_write.c - a CUE sheet for a disc model whose tracks sit in bin
 * files.
 *
 * Lines come out in the order cue_parse.c reads back to the same model:
 *
 *	REM ...			disc notes
 *	CATALOG, CDTEXTFILE, disc CD-TEXT
 *	[REM SESSION nn]	before each session's first track, if several;
 *				later ones between Redump's REM LEAD-OUT
 *				and REM LEAD-IN, REM PREGAP lines
 *	FILE "name" BINARY	when the track's file differs from the last
 *	  TRACK nn MODE
 *	    FLAGS, ISRC, CD-TEXT, REM notes, PREGAP
 *	    INDEX nn mm:ss:ff	positions inside the FILE
 *	    POSTGAP
 *
 * A track's bin data covers its stored sectors: from its first LBA plus
 * the unstored pregap up to its end minus the unstored postgap.  Tracks
 * sharing a file follow each other in it, so a position is the file's
 * running frame count plus the offset into the track's stored part.
 *
 * A CUE sheet has no escape character: a double quote in a CD-TEXT value
 * is written as ' with a REM line saying so, line breaks as blanks.  A
 * file name that cannot be written faithfully is an error instead.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "oi_private.h"

#define MSF_MAX (100 * 60 * OPTIMG_FRAMES_PER_SEC - 1)	/* 99:59:74 */

struct writer {
	FILE			*out;
	const struct optimg_disc *disc;
	const char *const	*files;
	struct optimg_error	*err;
	bool			 sessions;	/* write REM SESSION lines */
	int64_t			 cursor;	/* frames in the current file */
};

static const struct mode_name {
	enum optimg_track_mode	 mode;
	unsigned		 size;
	bool			 sub;
	const char		*name;
} mode_names[] = {
	{ OPTIMG_TRACK_AUDIO,	2352, false,	"AUDIO" },
	{ OPTIMG_TRACK_AUDIO,	2448, true,	"CDG" },
	{ OPTIMG_TRACK_MODE1,	2048, false,	"MODE1/2048" },
	{ OPTIMG_TRACK_MODE1,	2352, false,	"MODE1/2352" },
	{ OPTIMG_TRACK_MODE2,	2336, false,	"MODE2/2336" },
	{ OPTIMG_TRACK_MODE2,	2352, false,	"MODE2/2352" },
	{ OPTIMG_TRACK_CDI,	2336, false,	"CDI/2336" },
	{ OPTIMG_TRACK_CDI,	2352, false,	"CDI/2352" },
};

static const char *
mode_name(const struct optimg_track *t)
{
	for (unsigned i = 0; i < OI_ARRAY_SIZE(mode_names); i++)
		if (mode_names[i].mode == t->mode &&
		    mode_names[i].size == t->sector_size &&
		    mode_names[i].sub == t->subchannel)
			return mode_names[i].name;
	return NULL;
}

static void
put_msf(FILE *out, uint32_t frames)
{
	fprintf(out, "%02u:%02u:%02u",
	    (unsigned)(frames / (60 * OPTIMG_FRAMES_PER_SEC)),
	    (unsigned)(frames / OPTIMG_FRAMES_PER_SEC % 60),
	    (unsigned)(frames % OPTIMG_FRAMES_PER_SEC));
}

/* What a quoted value cannot hold: its closing quote, a line break. */
static bool
needs_fixing(const char *s)
{
	return strpbrk(s, "\"\r\n") != NULL;
}

/* s with double quotes as ' (when quoted) and line breaks as blanks. */
static void
put_fixed(FILE *out, const char *s, bool quoted)
{
	for (; *s != '\0'; s++) {
		char c = *s;
		putc(c == '"' && quoted ? '\'' : c == '\r' || c == '\n' ?
		    ' ' : c, out);
	}
}

/* "SESSION nn" as cue_parse.c splits words: blank, tab, VT or FF. */
static bool
is_session_note(const char *text)
{
	return strncasecmp(text, "SESSION", 7) == 0 &&
	    (text[7] == '\0' || strchr(" \t\v\f", text[7]) != NULL);
}

bool
oi_cue_gap_note(const char *text)
{
	static const char *const words[] = { "LEAD-OUT", "LEAD-IN", "PREGAP" };

	for (unsigned i = 0; i < OI_ARRAY_SIZE(words); i++) {
		size_t n = strlen(words[i]);
		if (strncasecmp(text, words[i], n) == 0 &&
		    strchr(" \t\v\f", text[n]) != NULL && text[n] != '\0')
			return true;
	}
	return false;
}

static void
put_notes(struct writer *w, const char *indent,
    const struct optimg_note *notes, unsigned n, bool gap_notes)
{
	for (unsigned i = 0; i < n; i++) {
		if (is_session_note(notes[i].text) ||
		    (gap_notes && oi_cue_gap_note(notes[i].text)))
			continue;	/* made again from the sessions */
		fprintf(w->out, "%sREM%s", indent,
		    notes[i].text[0] != '\0' ? " " : "");
		put_fixed(w->out, notes[i].text, false);
		putc('\n', w->out);
	}
}

static void
put_cdtext(struct writer *w, const char *indent,
    const struct optimg_cdtext *ct)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++) {
		const char *v = ct->field[i];
		const char *name = optimg_cdtext_field_name(i);

		if (v == NULL)
			continue;
		if (needs_fixing(v))
			fprintf(w->out, "%sREM optimg: %s had double quotes "
			    "(written as ') or line breaks, which a cue "
			    "cannot hold\n", indent, name);
		fprintf(w->out, "%s%s \"", indent, name);
		put_fixed(w->out, v, true);
		fputs("\"\n", w->out);
	}
}

/* ---- checks before writing anything ------------------------------------ */

static bool
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return s[n] == '\0';
}

static bool
valid_isrc(const char *s)
{
	for (unsigned i = 0; i < 5; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= 'a' && s[i] <= 'z')))
			return false;
	return all_digits(s + 5, 7);
}

static int
check_track(struct writer *w, unsigned i)
{
	const struct optimg_track *t = &w->disc->tracks[i];
	const char *f = w->files[i];

	if (t->number < 1 || t->number > 99 ||
	    (i > 0 && t->number <= w->disc->tracks[i - 1].number))
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "track %u: track numbers must rise from 1 to 99",
		    t->number);
	if (mode_name(t) == NULL)
		return oi_set_error(w->err, OPTIMG_EUNSUPP, "track %02u: "
		    "%u-byte sectors of its mode%s have no CUE spelling",
		    t->number, t->sector_size,
		    t->subchannel ? " with subchannel" : "");
	if (t->isrc[0] != '\0' && !valid_isrc(t->isrc))
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "track %02u: ISRC '%.12s' is not 5 letters or digits "
		    "and 7 digits", t->number, t->isrc);
	if (t->session < 1 || t->session > 99 ||
	    (i > 0 && t->session < w->disc->tracks[i - 1].session))
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "track %02u: session numbers must rise from 1 to 99",
		    t->number);
	if (t->pregap_unstored > MSF_MAX || t->postgap_unstored > MSF_MAX)
		return oi_set_error(w->err, OPTIMG_EUNSUPP, "track %02u: a "
		    "PREGAP or POSTGAP past 99:59:74 has no CUE spelling",
		    t->number);
	if (f == NULL || *f == '\0' || needs_fixing(f))
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "track %02u: file name '%s' cannot be written in a cue "
		    "sheet (empty, or has double quotes or line breaks)",
		    t->number, f != NULL ? f : "");
	return OPTIMG_OK;
}

static int
check_disc(struct writer *w)
{
	const struct optimg_disc *d = w->disc;

	if (d->ntracks == 0)
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "the disc has no tracks");
	if (d->catalog[0] != '\0' && !all_digits(d->catalog, 13))
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "catalog '%.13s' is not 13 digits", d->catalog);
	if (d->cdtextfile != NULL && (*d->cdtextfile == '\0' ||
	    needs_fixing(d->cdtextfile)))
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "CDTEXTFILE name '%s' cannot be written in a cue sheet",
		    d->cdtextfile);
	for (unsigned i = 0; i < d->ntracks; i++) {
		OI_TRY(check_track(w, i));
		if (d->tracks[i].session != 1)
			w->sessions = true;	/* 1 is what no REM means */
	}
	return OPTIMG_OK;
}

/* ---- lines -------------------------------------------------------------- */

static void
put_header(struct writer *w)
{
	const struct optimg_disc *d = w->disc;

	put_notes(w, "", d->notes, d->nnotes, false);
	if (d->catalog[0] != '\0')
		fprintf(w->out, "CATALOG %.13s\n", d->catalog);
	if (d->cdtextfile != NULL)
		fprintf(w->out, "CDTEXTFILE \"%s\"\n", d->cdtextfile);
	put_cdtext(w, "", &d->cdtext);
}

static void
put_flags(struct writer *w, const struct optimg_track *t)
{
	static const struct {
		unsigned	 bit;
		const char	*name;
	} names[] = {
		{ OPTIMG_FLAG_DCP, "DCP" }, { OPTIMG_FLAG_4CH, "4CH" },
		{ OPTIMG_FLAG_PRE, "PRE" }, { OPTIMG_FLAG_SCMS, "SCMS" },
		{ OPTIMG_FLAG_DATA, "DATA" },
	};
	unsigned flags = t->flags;

	if (t->mode != OPTIMG_TRACK_AUDIO)
		flags &= ~OPTIMG_FLAG_DATA;	/* the mode says it */
	if (flags == 0)
		return;
	fputs("    FLAGS", w->out);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(names); i++)
		if (flags & names[i].bit)
			fprintf(w->out, " %s", names[i].name);
	putc('\n', w->out);
}

static const struct optimg_session *
session_of(const struct optimg_disc *d, unsigned number)
{
	for (unsigned i = 0; i < d->nsessions; i++)
		if (d->sessions[i].number == number)
			return &d->sessions[i];
	return NULL;
}

/* Whether track i opens a session after the first. */
static bool
opens_session(const struct writer *w, unsigned i)
{
	return i > 0 && w->disc->tracks[i].session !=
	    w->disc->tracks[i - 1].session;
}

static void
put_rem_msf(struct writer *w, const char *what, uint32_t frames)
{
	fprintf(w->out, "REM %s ", what);
	put_msf(w->out, frames);
	putc('\n', w->out);
}

/*
 * Whether the model knows the gap before a later session, so the sheet
 * must say it (a reader would otherwise assume the Orange Book's
 * lengths).  A lead-in is never empty, so a known gap has one; the
 * lead-out before it may have been given as zero.
 */
static bool
gap_is_known(const struct optimg_session *prev,
    const struct optimg_session *cur)
{
	return prev != NULL && cur != NULL &&
	    (prev->leadout_length > 0 || cur->leadin_length > 0);
}

/*
 * REM SESSION, and around it the gap before a later session as Redump
 * writes it: the lead-out before, the lead-in and the unstored pregap of
 * the session's first track after.  true when REM PREGAP was written.
 */
static bool
put_session(struct writer *w, unsigned i)
{
	const struct optimg_track *t = &w->disc->tracks[i];
	const struct optimg_session *prev = NULL, *cur;

	if (!w->sessions || (i > 0 && !opens_session(w, i)))
		return false;
	if (i > 0)
		prev = session_of(w->disc, w->disc->tracks[i - 1].session);
	cur = session_of(w->disc, t->session);
	if (!gap_is_known(prev, cur)) {
		fprintf(w->out, "REM SESSION %02u\n", t->session);
		return false;
	}
	put_rem_msf(w, "LEAD-OUT", prev->leadout_length);
	fprintf(w->out, "REM SESSION %02u\n", t->session);
	put_rem_msf(w, "LEAD-IN", cur->leadin_length);
	put_rem_msf(w, "PREGAP", t->pregap_unstored);
	return true;
}

static void
put_track_head(struct writer *w, unsigned i)
{
	const struct optimg_track *t = &w->disc->tracks[i];
	const char *f = w->files[i];
	bool rem_pregap = put_session(w, i);
	bool gap_notes = w->sessions && i + 1 < w->disc->ntracks &&
	    opens_session(w, i + 1);

	if (i == 0 || (f != w->files[i - 1] && strcmp(f, w->files[i - 1]))) {
		fprintf(w->out, "FILE \"%s\" BINARY\n", f);
		w->cursor = 0;
	}
	fprintf(w->out, "  TRACK %02u %s\n", t->number, mode_name(t));
	put_flags(w, t);
	if (t->isrc[0] != '\0')
		fprintf(w->out, "    ISRC %.12s\n", t->isrc);
	put_cdtext(w, "    ", &t->cdtext);
	put_notes(w, "    ", t->notes, t->nnotes, gap_notes);
	if (t->pregap_unstored > 0 && !rem_pregap) {
		fputs("    PREGAP ", w->out);
		put_msf(w->out, t->pregap_unstored);
		putc('\n', w->out);
	}
}

static int
put_index(struct writer *w, const struct optimg_track *t, unsigned n,
    int64_t off)
{
	int64_t pos = w->cursor + off;

	if (pos > MSF_MAX)
		return oi_set_error(w->err, OPTIMG_EUNSUPP,
		    "track %02u: INDEX %02u would be at frame %lld of its "
		    "file, past 99:59:74, the last a cue sheet can name",
		    t->number, n, (long long)pos);
	fprintf(w->out, "    INDEX %02u ", n);
	put_msf(w->out, (uint32_t)pos);
	putc('\n', w->out);
	return OPTIMG_OK;
}

/*
 * The stored part of a track, [first, end): INDEX 00 (or 01) plus what
 * no file holds before it, up to the next track minus POSTGAP.
 */
static int
stored_range(struct writer *w, const struct optimg_track *t, int64_t *first,
    int64_t *end)
{
	if (t->start == OPTIMG_NO_INDEX || t->pregap < t->pregap_unstored ||
	    t->length <= t->postgap_unstored)
		return oi_set_error(w->err, OPTIMG_EINVAL,
		    "track %02u: its pregap, postgap and length do not fit "
		    "together", t->number);
	*first = (int64_t)t->start - t->pregap + t->pregap_unstored;
	if (*first < 0)		/* as oi_track_stored_first(): from LBA 0 */
		*first = 0;
	*end = (int64_t)t->start + t->length - t->postgap_unstored;
	return OPTIMG_OK;
}

/*
 * INDEX lines.  The stored part must open with an index, or the cue
 * would give its first frames to the track before: a stored pregap is
 * INDEX 00 at its first frame (but for track 1, see below).  An INDEX 00 inside the unstored pregap
 * is left to the PREGAP line.
 */
static int
put_indices(struct writer *w, const struct optimg_track *t)
{
	int64_t first = 0, end = 0, last;

	OI_TRY(stored_range(w, t, &first, &end));
	/* Frames before the disc's first index need no INDEX 00: a reader
	 * gives them to track 1 (disc.c), so the sheet keeps its lines. */
	if (t->index[0] != OPTIMG_NO_INDEX && t->index[0] >= first)
		OI_TRY(put_index(w, t, 0, t->index[0] - first));
	else if (t->start > first && t != &w->disc->tracks[0])
		OI_TRY(put_index(w, t, 0, 0));
	last = t->start;
	OI_TRY(put_index(w, t, 1, t->start - first));
	for (unsigned n = 2; n < OPTIMG_MAX_INDEX; n++) {
		int32_t lba = t->index[n];
		if (lba == OPTIMG_NO_INDEX)
			continue;
		if (lba <= last || lba >= end)
			return oi_set_error(w->err, OPTIMG_EINVAL,
			    "track %02u: INDEX %02u lies outside the track's "
			    "stored sectors or before an earlier index",
			    t->number, n);
		OI_TRY(put_index(w, t, n, lba - first));
		last = lba;
	}
	if (t->postgap_unstored > 0) {
		fputs("    POSTGAP ", w->out);
		put_msf(w->out, t->postgap_unstored);
		putc('\n', w->out);
	}
	w->cursor += end - first;
	return OPTIMG_OK;
}

int
oi_cue_write(FILE *out, const struct optimg_disc *disc,
    const char *const *file_of_track, struct optimg_error *err)
{
	struct writer w = {
		.out = out,
		.disc = disc,
		.files = file_of_track,
		.err = err,
	};

	OI_TRY(check_disc(&w));
	put_header(&w);
	for (unsigned i = 0; i < disc->ntracks; i++) {
		put_track_head(&w, i);
		OI_TRY(put_indices(&w, &disc->tracks[i]));
	}
	if (fflush(out) != 0 || ferror(out))
		return oi_set_errno(err, OPTIMG_EIO,
		    "cannot write the cue sheet");
	return OPTIMG_OK;
}
