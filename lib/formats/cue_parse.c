/*
 * cue_parse.c - CUE sheets (CDRWIN's text format) into struct oi_cue_sheet.
 *
 * A sheet is a list of lines, each a keyword and its arguments:
 *
 *	CATALOG 0000012101954
 *	FILE "Disc (Track 1).bin" BINARY
 *	  TRACK 01 MODE1/2352
 *	    INDEX 01 00:00:00
 *
 * Keywords are case-insensitive; arguments are blank-separated words, a
 * word in double quotes may hold blanks.  There is no escape character, so
 * names and CD-TEXT values take the rest of the line and lose one pair of
 * outer quotes.  Lines end in LF, CRLF or CR; a UTF-8 byte order mark may
 * precede the first line.  Times are mm:ss:ff, 75 frames a second.
 *
 * The text is hostile (CUE parsers have had several CVEs): nothing here
 * assumes a NUL terminator, a newline at the end, a bounded line length or
 * a number that fits.  Each line is cut into words by tokenize(), then the
 * handler named by the keyword table checks and records it.  Every error
 * reads "line N: problem".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define MAX_ARGS	8	/* words after the keyword we look at */
#define SHOW_MAX	40	/* bytes of hostile text quoted in a message */
#define MSF_MAX_MIN	99	/* what a CD's time code holds */
#define MSF_READ_MIN	9999	/* what we read (with a warning) */

struct word {
	const char	*p;
	size_t		 len;
};

struct line {
	struct word	 kw;
	struct word	 arg[MAX_ARGS];
	unsigned	 nargs;
	bool		 more;		/* more than MAX_ARGS words */
	bool		 open_quote;	/* a quote that does not close */
	struct word	 rest;		/* after the keyword, blanks trimmed */
};

struct parser {
	struct oi_cue_sheet	*sheet;
	struct optimg_error	*err;
	unsigned		 line;
	unsigned		 session;	/* REM SESSION, 1 at first */
	unsigned		 notes_cap;	/* of the notes now filled */
	unsigned		 files_cap;
	uint32_t		 file_pos;	/* last INDEX of this FILE */
	bool			 file_has_index;
	bool			 seen_pregap;	/* of the current track */
	bool			 seen_postgap;
	bool			 high_density;	/* REM HIGH-DENSITY AREA seen */
	bool			 warned_long;	/* a time past 99:59:74 */
	/* Redump's REM LEAD-OUT, LEAD-IN, PREGAP, for the next session. */
	uint32_t		 gap[3];
	bool			 have_gap[3];
};

/* ---- small helpers ------------------------------------------------------ */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

static bool
word_is(const struct word *w, const char *s)
{
	size_t n = strlen(s);

	if (w->len != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = w->p[i];
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != s[i])
			return false;
	}
	return true;
}

/*
 * Copies up to SHOW_MAX bytes of hostile text into buf for a message:
 * control bytes become '?', a cut is marked with "...".
 */
static const char *
show(char buf[SHOW_MAX + 4], const char *p, size_t len)
{
	size_t n = len, i;

	if (n > SHOW_MAX) {
		n = SHOW_MAX;
		while (n > 0 && ((unsigned char)p[n] & 0xc0) == 0x80)
			n--;		/* do not cut a UTF-8 sequence */
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];
		buf[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	if (n < len)
		memcpy(buf + i, "...", 3), i += 3;
	buf[i] = '\0';
	return buf;
}

static int
fail(struct parser *p, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct parser *p, int code, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oi_set_error(p->err, code, "line %u: %s", p->line, msg);
}

static int
nomem(struct parser *p)
{
	return fail(p, OPTIMG_ENOMEM, "out of memory");
}

static int
warn(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Keeps a warning on the sheet for the caller to pass on. */
static int
warn(struct parser *p, const char *fmt, ...)
{
	struct oi_cue_sheet *s = p->sheet;
	struct optimg_note *w;
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s->nwarnings >= 64)
		return OPTIMG_OK;	/* enough to tell */
	w = oi_reallocarray(s->warnings, s->nwarnings + 1, sizeof(*w));
	if (w == NULL)
		return nomem(p);
	s->warnings = w;
	if (asprintf(&w[s->nwarnings].text, "line %u: %s", p->line, msg) < 0)
		return nomem(p);
	s->nwarnings++;
	return OPTIMG_OK;
}

static char *
dup_word(const struct word *w)
{
	char *s = malloc(w->len + 1);

	if (s != NULL) {
		memcpy(s, w->p, w->len);
		s[w->len] = '\0';
	}
	return s;
}

/*
 * Decimal digits into *out.  Values that do not fit saturate at
 * UINT32_MAX, which every caller then reports as out of range.
 */
static bool
parse_uint(const struct word *w, uint32_t *out)
{
	uint64_t v = 0;

	if (w->len == 0)
		return false;
	for (size_t i = 0; i < w->len; i++) {
		if (w->p[i] < '0' || w->p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(w->p[i] - '0');
		if (v > UINT32_MAX)
			v = UINT32_MAX;
	}
	*out = (uint32_t)v;
	return true;
}

/* A number in [lo, hi]; what names it in messages ("track number"). */
static int
parse_ranged(struct parser *p, const struct word *w, const char *what,
    uint32_t lo, uint32_t hi, uint32_t *out)
{
	char b[SHOW_MAX + 4];

	if (!parse_uint(w, out))
		return fail(p, OPTIMG_EFORMAT, "bad %s '%s'", what,
		    show(b, w->p, w->len));
	if (*out < lo || *out > hi)
		return fail(p, OPTIMG_EFORMAT, "%s %s is out of range (%u-%u)",
		    what, show(b, w->p, w->len), lo, hi);
	return OPTIMG_OK;
}

/*
 * mm:ss:ff into frames; seconds 0..59, frames 0..74.  Minutes past 99
 * (which a CD's time code cannot hold, but long music sheets write) are
 * read as written, with a warning.
 */
static int
parse_msf(struct parser *p, const struct word *w, uint32_t *frames)
{
	static const char *const what[3] = { "minute", "second", "frame" };
	static const uint32_t max[3] = { MSF_READ_MIN, 59, 74 };
	struct word part[3];
	uint32_t v[3];
	char b[SHOW_MAX + 4];
	const char *s = w->p, *end = w->p + w->len;

	for (unsigned i = 0; i < 3; i++) {
		const char *c = s;
		while (c < end && *c != ':')
			c++;
		part[i].p = s;
		part[i].len = (size_t)(c - s);
		if ((i < 2 && c == end) || (i == 2 && c != end) ||
		    !parse_uint(&part[i], &v[i]))
			return fail(p, OPTIMG_EFORMAT,
			    "bad time '%s', expected mm:ss:ff",
			    show(b, w->p, w->len));
		s = c + 1;
	}
	for (unsigned i = 0; i < 3; i++)
		if (v[i] > max[i])
			return fail(p, OPTIMG_EFORMAT,
			    "%s %s is out of range (0-%u)", what[i],
			    show(b, part[i].p, part[i].len), max[i]);
	*frames = (v[0] * 60 + v[1]) * OPTIMG_FRAMES_PER_SEC + v[2];
	if (v[0] > MSF_MAX_MIN && !p->warned_long) {
		p->warned_long = true;
		return warn(p, "time %s is past 99:59:74, the most a CD's time "
		    "code holds; read as written", show(b, w->p, w->len));
	}
	return OPTIMG_OK;
}

/*
 * The value of a line that takes the rest of it (names, CD-TEXT): one
 * pair of outer quotes removed.
 */
static int
rest_value(struct parser *p, const struct line *l, const char *kw,
    struct word *out)
{
	*out = l->rest;
	if (out->len > 0 && out->p[0] == '"') {
		if (out->len < 2 || out->p[out->len - 1] != '"')
			return fail(p, OPTIMG_EFORMAT,
			    "%s value has no closing quote", kw);
		out->p++;
		out->len -= 2;
	}
	return OPTIMG_OK;
}

static int
want_args(struct parser *p, const struct line *l, unsigned n,
    const char *kw, const char *usage)
{
	char b[SHOW_MAX + 4];

	if (l->open_quote)
		return fail(p, OPTIMG_EFORMAT, "a quote does not close");
	if (l->nargs < n)
		return fail(p, OPTIMG_EFORMAT, "%s", usage);
	if (l->nargs > n)
		return fail(p, OPTIMG_EFORMAT, "unexpected '%s' after %s",
		    show(b, l->arg[n].p, l->arg[n].len), kw);
	return OPTIMG_OK;
}

static struct oi_cue_track *
cur_track(const struct parser *p)
{
	const struct oi_cue_sheet *s = p->sheet;

	return s->ntracks > 0 ? &s->tracks[s->ntracks - 1] : NULL;
}

static int
need_track(struct parser *p, const char *kw, struct oi_cue_track **t)
{
	*t = cur_track(p);
	if (*t == NULL)
		return fail(p, OPTIMG_EFORMAT, "%s before any TRACK", kw);
	return OPTIMG_OK;
}

static int
need_disc_level(struct parser *p, const char *kw)
{
	if (p->sheet->ntracks > 0)
		return fail(p, OPTIMG_EFORMAT,
		    "%s must come before the first TRACK", kw);
	return OPTIMG_OK;
}

/* ---- handlers: one per keyword ----------------------------------------- */

static int
kw_catalog(struct parser *p, const struct line *l, int arg)
{
	struct word v;
	char b[SHOW_MAX + 4];
	bool ok;

	(void)arg;
	OI_TRY(need_disc_level(p, "CATALOG"));
	OI_TRY(rest_value(p, l, "CATALOG", &v));
	ok = v.len == 13;
	for (size_t i = 0; ok && i < v.len; i++)
		ok = v.p[i] >= '0' && v.p[i] <= '9';
	if (!ok) {
		if (v.len == 0)
			return fail(p, OPTIMG_EFORMAT,
			    "CATALOG needs 13 digits, got nothing");
		return fail(p, OPTIMG_EFORMAT,
		    "CATALOG needs 13 digits, got \"%s\"", show(b, v.p, v.len));
	}
	if (p->sheet->catalog[0] != '\0')
		return fail(p, OPTIMG_EFORMAT, "CATALOG given twice");
	memcpy(p->sheet->catalog, v.p, 13);
	p->sheet->catalog[13] = '\0';
	return OPTIMG_OK;
}

static int
kw_cdtextfile(struct parser *p, const struct line *l, int arg)
{
	struct word v;

	(void)arg;
	OI_TRY(need_disc_level(p, "CDTEXTFILE"));
	OI_TRY(rest_value(p, l, "CDTEXTFILE", &v));
	if (v.len == 0)
		return fail(p, OPTIMG_EFORMAT, "CDTEXTFILE needs a file name");
	if (p->sheet->cdtextfile != NULL)
		return fail(p, OPTIMG_EFORMAT, "CDTEXTFILE given twice");
	if ((p->sheet->cdtextfile = dup_word(&v)) == NULL)
		return nomem(p);
	return OPTIMG_OK;
}

/* Disc-level before the first TRACK, the current track's after. */
static int
kw_cdtext(struct parser *p, const struct line *l, int field)
{
	struct oi_cue_track *t = cur_track(p);
	struct optimg_cdtext *ct = t != NULL ? &t->cdtext : &p->sheet->cdtext;
	const char *name = optimg_cdtext_field_name(field);
	struct word v;
	char *s;

	OI_TRY(rest_value(p, l, name, &v));
	if ((s = dup_word(&v)) == NULL)
		return nomem(p);
	free(ct->field[field]);		/* the last one given wins */
	ct->field[field] = s;
	return OPTIMG_OK;
}

static const struct file_type {
	const char		*name;
	enum oi_cue_filetype	 type;
} file_types[] = {
	{ "BINARY",	OI_CUE_BINARY },
	{ "MOTOROLA",	OI_CUE_MOTOROLA },
	{ "WAVE",	OI_CUE_WAVE },
	{ "MP3",	OI_CUE_MP3 },
	{ "AIFF",	OI_CUE_AIFF },
	{ "FLAC",	OI_CUE_FLAC },
};

/*
 * FILE name type.  A quoted name ends at the last quote of the line, so
 * it may hold blanks and even quotes; an unquoted one is all but the
 * last word.
 */
static int
split_file(struct parser *p, const struct line *l, struct word *name,
    struct word *type)
{
	struct word r = l->rest;
	const char *e;

	if (r.len > 0 && r.p[0] == '"') {
		e = r.p + r.len - 1;
		while (e > r.p && *e != '"')
			e--;
		if (e == r.p)
			return fail(p, OPTIMG_EFORMAT,
			    "FILE name has no closing quote");
		name->p = r.p + 1;
		name->len = (size_t)(e - name->p);
		e++;
	} else {
		e = r.p + r.len;
		while (e > r.p && !is_blank(e[-1]))
			e--;
		name->p = r.p;
		name->len = (size_t)(e - r.p);
		while (name->len > 0 && is_blank(name->p[name->len - 1]))
			name->len--;
	}
	while (e < r.p + r.len && is_blank(*e))
		e++;
	type->p = e;
	while (e < r.p + r.len && !is_blank(*e))
		e++;
	type->len = (size_t)(e - type->p);
	if (name->len == 0 || type->len == 0)
		return fail(p, OPTIMG_EFORMAT, "FILE needs a name and a type");
	while (e < r.p + r.len && is_blank(*e))
		e++;
	if (e < r.p + r.len) {
		char b[SHOW_MAX + 4], t[SHOW_MAX + 4];

		return fail(p, OPTIMG_EFORMAT, "unexpected '%s' after the FILE "
		    "type %s", show(b, e, (size_t)(r.p + r.len - e)),
		    show(t, type->p, type->len));
	}
	return OPTIMG_OK;
}

static int
check_file_used(struct parser *p)
{
	const struct oi_cue_sheet *s = p->sheet;
	char b[SHOW_MAX + 4];
	const struct oi_cue_file *f;

	if (s->nfiles == 0 || p->file_has_index)
		return OPTIMG_OK;
	f = &s->files[s->nfiles - 1];
	return oi_set_error(p->err, OPTIMG_EFORMAT,
	    "line %u: FILE '%s' has no INDEX", f->line,
	    show(b, f->name, strlen(f->name)));
}

static int
kw_file(struct parser *p, const struct line *l, int arg)
{
	struct oi_cue_sheet *s = p->sheet;
	struct oi_cue_file *f;
	struct word name = { 0 }, type = { 0 };
	char b[SHOW_MAX + 4];
	unsigned i;

	(void)arg;
	OI_TRY(split_file(p, l, &name, &type));
	for (i = 0; i < OI_ARRAY_SIZE(file_types); i++)
		if (word_is(&type, file_types[i].name))
			break;
	if (i == OI_ARRAY_SIZE(file_types))
		return fail(p, OPTIMG_EFORMAT, "unknown file type '%s'",
		    show(b, type.p, type.len));
	OI_TRY(check_file_used(p));
	if (s->nfiles == p->files_cap) {
		unsigned cap = p->files_cap ? p->files_cap * 2 : 4;
		f = oi_reallocarray(s->files, cap, sizeof(*f));
		if (f == NULL)
			return nomem(p);
		s->files = f;
		p->files_cap = cap;
	}
	f = &s->files[s->nfiles];
	if ((f->name = dup_word(&name)) == NULL)
		return nomem(p);
	f->type = file_types[i].type;
	f->line = p->line;
	s->nfiles++;
	p->file_has_index = false;
	return OPTIMG_OK;
}

static const struct track_mode {
	const char		*name;
	enum optimg_track_mode	 mode;
	unsigned		 size;
	bool			 sub;
} track_modes[] = {
	{ "AUDIO",	OPTIMG_TRACK_AUDIO,	2352, false },
	{ "CDG",	OPTIMG_TRACK_AUDIO,	2448, true },
	{ "MODE1/2048",	OPTIMG_TRACK_MODE1,	2048, false },
	{ "MODE1/2352",	OPTIMG_TRACK_MODE1,	2352, false },
	{ "MODE2/2336",	OPTIMG_TRACK_MODE2,	2336, false },
	{ "MODE2/2352",	OPTIMG_TRACK_MODE2,	2352, false },
	{ "CDI/2336",	OPTIMG_TRACK_CDI,	2336, false },
	{ "CDI/2352",	OPTIMG_TRACK_CDI,	2352, false },
};

/* The track before a new TRACK (or the end) must have its INDEX 01. */
static int
check_track_done(struct parser *p)
{
	const struct oi_cue_track *t = cur_track(p);

	for (unsigned i = 0; t != NULL && i < t->nindex; i++)
		if (t->index[i].number == 1)
			return OPTIMG_OK;
	if (t == NULL)
		return OPTIMG_OK;
	return oi_set_error(p->err, OPTIMG_EFORMAT,
	    "line %u: TRACK %02u has no INDEX 01", t->line, t->number);
}

static int
grow_tracks(struct parser *p)
{
	struct oi_cue_sheet *s = p->sheet;
	struct oi_cue_track *t;
	unsigned *sess;

	/* Track numbers increase from 1..99: never more than 99 tracks. */
	t = oi_reallocarray(s->tracks, s->ntracks + 1, sizeof(*t));
	if (t == NULL)
		return nomem(p);
	s->tracks = t;
	sess = oi_reallocarray(s->track_session, s->ntracks + 1,
	    sizeof(*sess));
	if (sess == NULL)
		return nomem(p);
	s->track_session = sess;
	return OPTIMG_OK;
}

/*
 * t opens a session after the first: the gap before it is what REM
 * LEAD-OUT and REM LEAD-IN said, else the Orange Book's lengths, and REM
 * PREGAP is its unstored pregap (cue_layout.c defaults it).
 */
static void
start_session(struct parser *p, struct oi_cue_track *t)
{
	const struct oi_cue_sheet *s = p->sheet;
	bool first = s->track_session[s->ntracks - 1] == s->track_session[0];
	struct oi_cue_track *prev = &s->tracks[s->ntracks - 1];
	unsigned kept = 0;

	/* The gap lines now live in the model (oi_cue_gap_note). */
	for (unsigned i = 0; i < prev->nnotes; i++) {
		if (oi_cue_gap_note(prev->notes[i].text))
			free(prev->notes[i].text);
		else
			prev->notes[kept++] = prev->notes[i];
	}
	prev->nnotes = kept;

	t->session_start = true;
	t->leadout = p->have_gap[0] ? p->gap[0] : first ? OI_LEADOUT_FIRST :
	    OI_LEADOUT_LATER;
	t->leadin = p->have_gap[1] ? p->gap[1] : OI_LEADIN;
	if (p->have_gap[2]) {
		t->pregap = p->gap[2];
		t->pregap_given = true;
	}
}

static int
kw_track(struct parser *p, const struct line *l, int arg)
{
	struct oi_cue_sheet *s = p->sheet;
	const struct oi_cue_track *prev = cur_track(p);
	struct oi_cue_track *t;
	char b[SHOW_MAX + 4];
	uint32_t num;
	unsigned i;

	(void)arg;
	if (s->nfiles == 0)
		return fail(p, OPTIMG_EFORMAT, "TRACK before any FILE");
	OI_TRY(want_args(p, l, 2, "TRACK",
	    "TRACK needs a number and a mode"));
	OI_TRY(parse_ranged(p, &l->arg[0], "track number", 1, 99, &num));
	if (prev != NULL && num <= prev->number)
		return fail(p, OPTIMG_EFORMAT,
		    "TRACK %02u after TRACK %02u; track numbers must increase",
		    num, prev->number);
	for (i = 0; i < OI_ARRAY_SIZE(track_modes); i++)
		if (word_is(&l->arg[1], track_modes[i].name))
			break;
	if (i == OI_ARRAY_SIZE(track_modes))
		return fail(p, OPTIMG_EFORMAT, "unknown track mode '%s'",
		    show(b, l->arg[1].p, l->arg[1].len));
	OI_TRY(check_track_done(p));
	OI_TRY(grow_tracks(p));
	t = &s->tracks[s->ntracks];
	memset(t, 0, sizeof(*t));
	t->number = num;
	t->mode = track_modes[i].mode;
	t->sector_size = track_modes[i].size;
	t->subchannel = track_modes[i].sub;
	t->file = s->nfiles - 1;
	t->line = p->line;
	s->track_session[s->ntracks] = p->session;
	if (p->high_density && s->hd_track == 0)
		s->hd_track = s->ntracks + 1;
	if (s->ntracks > 0 && s->track_session[s->ntracks - 1] != p->session)
		start_session(p, t);
	p->have_gap[0] = p->have_gap[1] = p->have_gap[2] = false;
	s->ntracks++;
	p->notes_cap = 0;		/* notes now go to the new track */
	p->seen_pregap = p->seen_postgap = false;
	return OPTIMG_OK;
}

static void
format_msf(char buf[16], uint32_t frames)
{
	snprintf(buf, 16, "%02u:%02u:%02u",
	    (unsigned)(frames / (60 * OPTIMG_FRAMES_PER_SEC)),
	    (unsigned)(frames / OPTIMG_FRAMES_PER_SEC % 60),
	    (unsigned)(frames % OPTIMG_FRAMES_PER_SEC));
}

/* Index numbers increase in a track, INDEX 00 first and INDEX 01 next. */
static int
check_index_number(struct parser *p, const struct oi_cue_track *t,
    uint32_t num)
{
	unsigned last;

	if (p->seen_postgap)
		return fail(p, OPTIMG_EFORMAT, "INDEX after POSTGAP");
	if (t->nindex == 0) {
		if (num > 1)
			return fail(p, OPTIMG_EFORMAT,
			    "INDEX %02u before INDEX 01", num);
		return OPTIMG_OK;
	}
	last = t->index[t->nindex - 1].number;
	if (num == last)
		return fail(p, OPTIMG_EFORMAT, "INDEX %02u given twice", num);
	if (num < last)
		return fail(p, OPTIMG_EFORMAT,
		    "INDEX %02u after INDEX %02u; index numbers must increase",
		    num, last);
	if (last == 0 && num != 1)
		return fail(p, OPTIMG_EFORMAT,
		    "INDEX %02u before INDEX 01", num);
	return OPTIMG_OK;
}

static int
kw_index(struct parser *p, const struct line *l, int arg)
{
	struct oi_cue_track *t;
	struct oi_cue_index *ix;
	char was[16], now[16];
	uint32_t num, pos;

	(void)arg;
	OI_TRY(need_track(p, "INDEX", &t));
	OI_TRY(want_args(p, l, 2, "INDEX",
	    "INDEX needs a number and a time mm:ss:ff"));
	OI_TRY(parse_ranged(p, &l->arg[0], "index number", 0, 99, &num));
	OI_TRY(parse_msf(p, &l->arg[1], &pos));
	OI_TRY(check_index_number(p, t, num));
	if (p->file_has_index && pos <= p->file_pos) {
		format_msf(was, p->file_pos);
		format_msf(now, pos);
		return fail(p, OPTIMG_EFORMAT, "INDEX %02u at %s is not after "
		    "the previous INDEX of this FILE at %s", num, now, was);
	}
	ix = &t->index[t->nindex];
	ix->number = num;
	ix->frames = pos;
	ix->line = p->line;
	t->index_file[t->nindex] = p->sheet->nfiles - 1;
	t->nindex++;
	p->file_pos = pos;
	p->file_has_index = true;
	return OPTIMG_OK;
}

/* PREGAP (arg 0) and POSTGAP (arg 1): frames that are in no file. */
static int
kw_gap(struct parser *p, const struct line *l, int post)
{
	const char *kw = post ? "POSTGAP" : "PREGAP";
	bool *seen = post ? &p->seen_postgap : &p->seen_pregap;
	struct oi_cue_track *t;
	uint32_t frames;

	OI_TRY(need_track(p, kw, &t));
	OI_TRY(want_args(p, l, 1, kw, post ? "POSTGAP needs a time mm:ss:ff" :
	    "PREGAP needs a time mm:ss:ff"));
	OI_TRY(parse_msf(p, &l->arg[0], &frames));
	if (*seen)
		return fail(p, OPTIMG_EFORMAT, "%s given twice", kw);
	if (!post && t->nindex > 0)
		return fail(p, OPTIMG_EFORMAT,
		    "PREGAP must come before the track's first INDEX");
	if (post && (t->nindex == 0 ||
	    t->index[t->nindex - 1].number == 0))
		return fail(p, OPTIMG_EFORMAT,
		    "POSTGAP must come after the track's INDEX 01");
	*seen = true;
	if (post)
		t->postgap = frames;
	else {
		t->pregap = frames;
		t->pregap_given = true;
	}
	return OPTIMG_OK;
}

static const struct flag_name {
	const char	*name;
	unsigned	 bit;
} flag_names[] = {
	{ "DCP",	OPTIMG_FLAG_DCP },
	{ "4CH",	OPTIMG_FLAG_4CH },
	{ "PRE",	OPTIMG_FLAG_PRE },
	{ "SCMS",	OPTIMG_FLAG_SCMS },
	{ "DATA",	OPTIMG_FLAG_DATA },
};

static int
kw_flags(struct parser *p, const struct line *l, int arg)
{
	struct oi_cue_track *t;
	char b[SHOW_MAX + 4];
	unsigned i;

	(void)arg;
	OI_TRY(need_track(p, "FLAGS", &t));
	if (l->more || l->open_quote)
		return fail(p, OPTIMG_EFORMAT, "FLAGS takes at most %u flags",
		    MAX_ARGS);
	for (unsigned a = 0; a < l->nargs; a++) {
		for (i = 0; i < OI_ARRAY_SIZE(flag_names); i++)
			if (word_is(&l->arg[a], flag_names[i].name))
				break;
		if (i == OI_ARRAY_SIZE(flag_names))
			return fail(p, OPTIMG_EFORMAT, "unknown flag '%s'",
			    show(b, l->arg[a].p, l->arg[a].len));
		if (flag_names[i].bit == OPTIMG_FLAG_DATA &&
		    t->mode == OPTIMG_TRACK_AUDIO) {
			/* A burner would write an audio track marked data. */
			OI_TRY(warn(p, "FLAGS DATA on AUDIO track %02u dropped",
			    t->number));
			continue;
		}
		t->flags |= flag_names[i].bit;
	}
	return OPTIMG_OK;
}

/*
 * ISRC: 5 letters or digits (country, owner), then 7 digits (year, ID).
 * ISRCs are usually printed with hyphens (AB-CD7-65-43210) and sheets
 * copy them so: hyphens between characters are dropped.
 */
static int
kw_isrc(struct parser *p, const struct line *l, int arg)
{
	struct oi_cue_track *t;
	struct word v;
	char b[SHOW_MAX + 4], isrc[13];
	size_t n = 0;
	bool ok = true;

	(void)arg;
	OI_TRY(need_track(p, "ISRC", &t));
	OI_TRY(rest_value(p, l, "ISRC", &v));
	for (size_t i = 0; ok && i < v.len; i++) {
		char c = v.p[i];

		if (c == '-' && n > 0 && i + 1 < v.len && v.p[i + 1] != '-')
			continue;
		ok = n < 12 && ((c >= '0' && c <= '9') || (n < 5 &&
		    ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))));
		if (ok)
			isrc[n++] = c;
	}
	if (!ok || n != 12)
		return fail(p, OPTIMG_EFORMAT, "ISRC needs 12 characters, 5 "
		    "letters or digits then 7 digits, got \"%s\"",
		    show(b, v.p, v.len));
	memcpy(t->isrc, isrc, 12);
	t->isrc[12] = '\0';
	return OPTIMG_OK;
}

/* Appends a note, doubling the array (a sheet may hold 10^5 REM lines). */
static int
add_note(struct parser *p, struct optimg_note **notes, unsigned *n,
    const struct word *text)
{
	struct optimg_note *np;
	char *s;

	if (*n == p->notes_cap) {
		unsigned cap = p->notes_cap ? p->notes_cap * 2 : 4;
		np = oi_reallocarray(*notes, cap, sizeof(*np));
		if (np == NULL)
			return nomem(p);
		*notes = np;
		p->notes_cap = cap;
	}
	if ((s = dup_word(text)) == NULL)
		return nomem(p);
	(*notes)[(*n)++].text = s;
	return OPTIMG_OK;
}

/* REM SESSION nn: the session of the tracks that follow. */
static int
rem_session(struct parser *p, const struct line *l)
{
	uint32_t n;

	if (l->nargs < 2 || l->nargs > 2 || l->open_quote)
		return fail(p, OPTIMG_EFORMAT,
		    "REM SESSION needs one session number");
	OI_TRY(parse_ranged(p, &l->arg[1], "session number", 1, 99, &n));
	if (n < p->session)
		return fail(p, OPTIMG_EFORMAT,
		    "REM SESSION %02u after session %02u", n, p->session);
	p->session = n;
	return OPTIMG_OK;
}

/* mm:ss:ff of a REM line, quietly: a comment that does not parse is kept
   as a comment only. */
static bool
rem_msf(const struct word *w, uint32_t *frames)
{
	unsigned v[3] = { 0, 0, 0 }, k = 0;
	size_t digits = 0;

	for (size_t i = 0; i < w->len; i++) {
		char c = w->p[i];
		if (c == ':' && digits > 0 && k < 2) {
			k++;
			digits = 0;
		} else if (c >= '0' && c <= '9' && digits < 2) {
			v[k] = v[k] * 10 + (unsigned)(c - '0');
			digits++;
		} else
			return false;
	}
	if (k != 2 || digits == 0 || v[1] > 59 || v[2] > 74)
		return false;
	*frames = (v[0] * 60 + v[1]) * OPTIMG_FRAMES_PER_SEC + v[2];
	return true;
}

/*
 * REM LEAD-OUT / LEAD-IN / PREGAP mm:ss:ff (Redump, between sessions).
 * A session's lead-in is never empty, so a zero LEAD-IN is taken as not
 * said: the model's zero-length lead-in means "not known" to writers.
 */
static void
rem_gap(struct parser *p, const struct line *l)
{
	static const char *const names[3] = { "LEAD-OUT", "LEAD-IN",
	    "PREGAP" };

	uint32_t frames;

	if (l->nargs != 2)
		return;
	/* Parsed aside, so that an ignored zero LEAD-IN does not overwrite
	 * a length an earlier line gave. */
	for (unsigned i = 0; i < 3; i++)
		if (word_is(&l->arg[0], names[i]) &&
		    rem_msf(&l->arg[1], &frames) &&
		    (i != 1 || frames > 0)) {
			p->gap[i] = frames;
			p->have_gap[i] = true;
		}
}

/*
 * REM: a comment, kept as a note of the disc (before the first TRACK) or
 * of the current track, whose text is all after "REM ".
 */
static int
kw_rem(struct parser *p, const struct line *l, int arg)
{
	struct oi_cue_track *t = cur_track(p);

	(void)arg;
	if (l->nargs > 0 && word_is(&l->arg[0], "SESSION"))
		OI_TRY(rem_session(p, l));
	/* Redump's GD-ROM sheets: the tracks after this line are in the
	 * high-density area, which starts at LBA 45000 (cue_layout.c). */
	if (l->nargs == 2 && word_is(&l->arg[0], "HIGH-DENSITY") &&
	    word_is(&l->arg[1], "AREA"))
		p->high_density = true;
	rem_gap(p, l);
	if (t != NULL)
		return add_note(p, &t->notes, &t->nnotes, &l->rest);
	return add_note(p, &p->sheet->notes, &p->sheet->nnotes, &l->rest);
}

typedef int (*keyword_fn)(struct parser *, const struct line *, int);

static const struct keyword {
	const char	*name;
	keyword_fn	 fn;
	int		 arg;
} keywords[] = {
	{ "ARRANGER",	kw_cdtext,	OPTIMG_CDTEXT_ARRANGER },
	{ "CATALOG",	kw_catalog,	0 },
	{ "CDTEXTFILE",	kw_cdtextfile,	0 },
	{ "COMPOSER",	kw_cdtext,	OPTIMG_CDTEXT_COMPOSER },
	{ "DISC_ID",	kw_cdtext,	OPTIMG_CDTEXT_DISC_ID },
	{ "FILE",	kw_file,	0 },
	{ "FLAGS",	kw_flags,	0 },
	{ "GENRE",	kw_cdtext,	OPTIMG_CDTEXT_GENRE },
	{ "INDEX",	kw_index,	0 },
	{ "ISRC",	kw_isrc,	0 },
	{ "MESSAGE",	kw_cdtext,	OPTIMG_CDTEXT_MESSAGE },
	{ "PERFORMER",	kw_cdtext,	OPTIMG_CDTEXT_PERFORMER },
	{ "POSTGAP",	kw_gap,		1 },
	{ "PREGAP",	kw_gap,		0 },
	{ "REM",	kw_rem,		0 },
	{ "SONGWRITER",	kw_cdtext,	OPTIMG_CDTEXT_SONGWRITER },
	{ "TITLE",	kw_cdtext,	OPTIMG_CDTEXT_TITLE },
	{ "TRACK",	kw_track,	0 },
	{ "UPC_EAN",	kw_cdtext,	OPTIMG_CDTEXT_UPC_EAN },
};

/* ---- tokenizer ------------------------------------------------------- */

/* Skips blanks; returns the next word of [s, end), quotes removed. */
static const char *
next_word(const char *s, const char *end, struct word *w, bool *open_quote)
{
	while (s < end && is_blank(*s))
		s++;
	if (s < end && *s == '"') {
		const char *q = memchr(s + 1, '"', (size_t)(end - s - 1));
		w->p = s + 1;
		if (q == NULL) {
			*open_quote = true;
			w->len = (size_t)(end - w->p);
			return end;
		}
		w->len = (size_t)(q - w->p);
		return q + 1;
	}
	w->p = s;
	while (s < end && !is_blank(*s))
		s++;
	w->len = (size_t)(s - w->p);
	return s;
}

/* Cuts [s, end) into keyword, words and the trimmed rest. */
static void
tokenize(const char *s, const char *end, struct line *l)
{
	bool ignored = false;

	l->nargs = 0;
	l->more = l->open_quote = false;
	while (end > s && is_blank(end[-1]))
		end--;
	while (s < end && is_blank(*s))
		s++;
	l->kw.p = s;
	while (s < end && !is_blank(*s))
		s++;
	l->kw.len = (size_t)(s - l->kw.p);
	while (s < end && is_blank(*s))
		s++;
	l->rest.p = s;
	l->rest.len = (size_t)(end - s);
	while (s < end) {
		struct word w;
		/* end is trimmed: each pass finds a word, maybe "" */
		s = next_word(s, end, &w,
		    l->nargs < MAX_ARGS ? &l->open_quote : &ignored);
		if (l->nargs == MAX_ARGS) {
			l->more = true;
			break;
		}
		l->arg[l->nargs++] = w;
	}
}

static int
run_line(struct parser *p, struct line *l)
{
	char b[SHOW_MAX + 4];

	if (l->kw.len == 0)
		return OPTIMG_OK;		/* blank line */
	for (unsigned i = 0; i < OI_ARRAY_SIZE(keywords); i++)
		if (word_is(&l->kw, keywords[i].name))
			return keywords[i].fn(p, l, keywords[i].arg);
	return fail(p, OPTIMG_EFORMAT, "unknown keyword '%s'",
	    show(b, l->kw.p, l->kw.len));
}

/*
 * The end of the line at s: its LF or CR.  One pass, never a search for
 * LF past a CR (a CR-only sheet would make that quadratic).
 */
static const char *
line_end(const char *s, const char *end)
{
	while (s < end && *s != '\n' && *s != '\r')
		s++;
	return s;
}

static int
parse_lines(struct parser *p, const char *s, const char *end)
{
	struct line l;

	while (s < end) {
		const char *e = line_end(s, end);

		p->line++;
		if (memchr(s, '\0', (size_t)(e - s)) != NULL)
			return fail(p, OPTIMG_EFORMAT,
			    "NUL byte: this is not a text file");
		tokenize(s, e, &l);
		OI_TRY(run_line(p, &l));
		if (e == end)
			break;		/* no newline at the end */
		if (*e == '\r' && e + 1 < end && e[1] == '\n')
			e++;
		s = e + 1;
	}
	return OPTIMG_OK;
}

static int
check_end(struct parser *p)
{
	OI_TRY(check_file_used(p));
	OI_TRY(check_track_done(p));
	if (p->sheet->ntracks == 0) {
		p->line = OI_MAX(p->line, 1u);
		return fail(p, OPTIMG_EFORMAT, "the sheet has no TRACK");
	}
	return OPTIMG_OK;
}

int
oi_cue_parse(const char *text, size_t len, struct oi_cue_sheet **out,
    struct optimg_error *err)
{
	struct parser p = { .err = err, .session = 1 };
	const char *s = text, *end = text + len;
	int rc;

	*out = NULL;
	if (len >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') ||
	    (text[0] == '\xfe' && text[1] == '\xff')))
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "line 1: UTF-16 text is not supported; save it as UTF-8");
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		s += 3;
	if ((p.sheet = calloc(1, sizeof(*p.sheet))) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = parse_lines(&p, s, end);
	if (rc == OPTIMG_OK)
		rc = check_end(&p);
	if (rc < 0) {
		oi_cue_free(p.sheet);
		return rc;
	}
	*out = p.sheet;
	return OPTIMG_OK;
}

static void
cdtext_free(struct optimg_cdtext *ct)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		free(ct->field[i]);
}

static void
notes_free(struct optimg_note *notes, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(notes[i].text);
	free(notes);
}

void
oi_cue_free(struct oi_cue_sheet *sheet)
{
	if (sheet == NULL)
		return;
	for (unsigned i = 0; i < sheet->nfiles; i++)
		free(sheet->files[i].name);
	free(sheet->files);
	for (unsigned i = 0; i < sheet->ntracks; i++) {
		cdtext_free(&sheet->tracks[i].cdtext);
		notes_free(sheet->tracks[i].notes, sheet->tracks[i].nnotes);
	}
	free(sheet->tracks);
	free(sheet->track_session);
	free(sheet->cdtextfile);
	cdtext_free(&sheet->cdtext);
	notes_free(sheet->notes, sheet->nnotes);
	notes_free(sheet->warnings, sheet->nwarnings);
	free(sheet);
}
