/*
 * toc_parse.c - cdrdao's TOC text into struct oi_toc.  The grammar is
 * cdrdao's (trackdb/TocParser.g, and the "TOC FILES" section of
 * cdrdao(1)):
 *
 *   toc    := { CATALOG "13 digits" | CD_DA | CD_ROM | CD_ROM_XA | CD_I }
 *             [ FIRST_TRACK_NO n ] [ CD_TEXT { [LANGUAGE_MAP {..}]
 *             { LANGUAGE n {..} } } ] track { track }
 *   track  := TRACK mode [ RW | RW_RAW ]
 *             { ISRC "s" | [NO] COPY | [NO] PRE_EMPHASIS |
 *               TWO_CHANNEL_AUDIO | FOUR_CHANNEL_AUDIO }
 *             [ CD_TEXT {..} ] [ PREGAP msf ]
 *             part-or-mark { part-or-mark } { INDEX msf }
 *   part   := (FILE | AUDIOFILE) "name" [SWAP] [#offset] start [length]
 *           | DATAFILE "name" [#offset] [length]
 *           | FIFO "name" length | SILENCE length
 *           | ZERO [mode] [RW | RW_RAW] length
 *   mark   := START [msf] | END [msf]
 *
 * Keywords are upper case; comments run from // to the end of the line.
 * A length or position is MM:SS:FF (blocks: 0 <= SS < 60, 0 <= FF < 75,
 * minutes unbounded) or a number: samples (4 bytes) in audio tracks,
 * bytes in data tracks.  Strings take \" \\ and \ooo escapes.
 *
 * Two things cdrdao refuses are read, with a warning, because libcdio
 * and tools after it write them: FILE in a data track (positions are the
 * track's blocks or bytes, as for DATAFILE) and SILENCE in a data track
 * (read as ZERO).  FIFO cannot be part of an image and is refused.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "toc.h"

#define TOC_STR_MAX	4096	/* a string's bytes after escapes */
#define TOC_NUM_MAX	1000000000000ull /* numbers beyond are nonsense */
#define TOC_PARTS_MAX	10000	/* statements in a track */

static const char *const mode_names[] = {
	[OI_TOC_AUDIO] = "AUDIO",
	[OI_TOC_MODE0] = "MODE0",
	[OI_TOC_MODE1] = "MODE1",
	[OI_TOC_MODE1_RAW] = "MODE1_RAW",
	[OI_TOC_MODE2] = "MODE2",
	[OI_TOC_MODE2_FORM1] = "MODE2_FORM1",
	[OI_TOC_MODE2_FORM2] = "MODE2_FORM2",
	[OI_TOC_MODE2_FORM_MIX] = "MODE2_FORM_MIX",
	[OI_TOC_MODE2_RAW] = "MODE2_RAW",
};

const char *
oi_toc_mode_name(enum oi_toc_mode mode)
{
	return mode_names[mode];
}

unsigned
oi_toc_block_size(enum oi_toc_mode mode, enum oi_toc_sub sub)
{
	static const unsigned size[] = {
		[OI_TOC_AUDIO] = 2352, [OI_TOC_MODE0] = 2336,
		[OI_TOC_MODE1] = 2048, [OI_TOC_MODE1_RAW] = 2352,
		[OI_TOC_MODE2] = 2336, [OI_TOC_MODE2_FORM1] = 2048,
		[OI_TOC_MODE2_FORM2] = 2324, [OI_TOC_MODE2_FORM_MIX] = 2336,
		[OI_TOC_MODE2_RAW] = 2352,
	};

	return size[mode] + (sub != OI_TOC_SUB_NONE ? OPTIMG_SUBCHANNEL : 0);
}

/* ---- tokens ---------------------------------------------------------------- */

enum tok { T_EOF, T_WORD, T_INT, T_STR, T_PUNCT };

struct parser {
	const char		*s, *end;
	unsigned		 line;
	struct optimg_error	*err;
	struct oi_toc		*toc;
	/* the current token */
	enum tok		 tok;
	unsigned		 tline;
	char			 text[TOC_STR_MAX + 1];
	size_t			 tlen;
	uint64_t		 num;
	char			 punct;
	bool			 peeked;
};

static int
failv(struct parser *p, unsigned line, const char *fmt, va_list ap)
{
	char msg[OPTIMG_ERRMSG_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	return oi_set_error(p->err, OPTIMG_EFORMAT, "line %u: %s", line, msg);
}

static int __attribute__((format(printf, 3, 4)))
fail(struct parser *p, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = failv(p, line, fmt, ap);
	va_end(ap);
	return rc;
}

static int __attribute__((format(printf, 3, 4)))
warn(struct parser *p, unsigned line, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX], full[OPTIMG_ERRMSG_MAX + 16];
	struct optimg_note *n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(full, sizeof(full), "line %u: %s", line, msg);
	n = oi_reallocarray(p->toc->warnings, p->toc->nwarnings + 1,
	    sizeof(*n));
	if (n == NULL || (n[p->toc->nwarnings].text = strdup(full)) == NULL) {
		if (n != NULL)
			p->toc->warnings = n;
		return oi_set_error(p->err, OPTIMG_ENOMEM, "out of memory");
	}
	p->toc->warnings = n;
	p->toc->nwarnings++;
	return OPTIMG_OK;
}

/* What the current token is, for messages: 'TRACK', "x", 12, end of file. */
static const char *
shown(struct parser *p, char *buf, size_t len)
{
	switch (p->tok) {
	case T_EOF:
		return "the end of the file";
	case T_INT:
		snprintf(buf, len, "%llu", (unsigned long long)p->num);
		return buf;
	case T_PUNCT:
		snprintf(buf, len, "'%c'", p->punct);
		return buf;
	case T_STR:
		snprintf(buf, len, "\"%.40s\"", p->text);
		return buf;
	default:
		snprintf(buf, len, "'%.40s'", p->text);
		return buf;
	}
}

static void
skip_space(struct parser *p)
{
	while (p->s < p->end) {
		if (*p->s == '\n') {
			p->line++;
			p->s++;
		} else if (*p->s == ' ' || *p->s == '\t' || *p->s == '\r')
			p->s++;
		else if (*p->s == '/' && p->s + 1 < p->end && p->s[1] == '/') {
			while (p->s < p->end && *p->s != '\n')
				p->s++;
		} else
			break;
	}
}

static int
lex_string(struct parser *p)
{
	p->s++;
	p->tlen = 0;
	for (;;) {
		char c;

		if (p->s >= p->end || *p->s == '\n')
			return fail(p, p->tline, "a string is not closed "
			    "before the end of the line");
		c = *p->s++;
		if (c == '"')
			break;
		if (c == '\\' && p->s < p->end && (*p->s == '"' ||
		    *p->s == '\\'))
			c = *p->s++;
		else if (c == '\\' && p->end - p->s >= 3 &&
		    p->s[0] >= '0' && p->s[0] <= '3' &&
		    p->s[1] >= '0' && p->s[1] <= '7' &&
		    p->s[2] >= '0' && p->s[2] <= '7') {
			c = (char)((p->s[0] - '0') << 6 | (p->s[1] - '0') << 3 |
			    (p->s[2] - '0'));
			p->s += 3;
		}
		if (c == '\0')
			return fail(p, p->tline, "a string holds a NUL byte");
		if (p->tlen >= TOC_STR_MAX)
			return fail(p, p->tline, "a string is longer than %u "
			    "bytes", TOC_STR_MAX);
		p->text[p->tlen++] = c;
	}
	p->text[p->tlen] = '\0';
	p->tok = T_STR;
	return OPTIMG_OK;
}

static bool
word_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

/* Reads the next token into p. */
static int
next(struct parser *p)
{
	char c;

	if (p->peeked) {
		p->peeked = false;
		return OPTIMG_OK;
	}
	skip_space(p);
	p->tline = p->line;
	if (p->s >= p->end) {
		p->tok = T_EOF;
		return OPTIMG_OK;
	}
	c = *p->s;
	if (c == '"')
		return lex_string(p);
	if (c >= '0' && c <= '9') {
		p->num = 0;
		while (p->s < p->end && *p->s >= '0' && *p->s <= '9') {
			p->num = p->num * 10 + (uint64_t)(*p->s++ - '0');
			if (p->num > TOC_NUM_MAX)
				return fail(p, p->tline, "number too large");
		}
		if (p->s < p->end && word_char(*p->s) && !(*p->s >= '0' &&
		    *p->s <= '9'))
			return fail(p, p->tline, "'%c' in a number", *p->s);
		p->tok = T_INT;
		return OPTIMG_OK;
	}
	if (word_char(c)) {
		p->tlen = 0;
		while (p->s < p->end && word_char(*p->s) && p->tlen < 64)
			p->text[p->tlen++] = *p->s++;
		p->text[p->tlen] = '\0';
		p->tok = T_WORD;
		return OPTIMG_OK;
	}
	if (c == ':' || c == ',' || c == '{' || c == '}' || c == '#') {
		p->punct = c;
		p->s++;
		p->tok = T_PUNCT;
		return OPTIMG_OK;
	}
	if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f)
		return fail(p, p->tline, "byte 0x%02x is not part of a TOC "
		    "file", (unsigned char)c);
	return fail(p, p->tline, "unexpected '%c'", c);
}

/* Looks at the next token without taking it. */
static int
peek(struct parser *p)
{
	if (!p->peeked) {
		OI_TRY(next(p));
		p->peeked = true;
	}
	return OPTIMG_OK;
}

static bool
is_word(const struct parser *p, const char *w)
{
	return p->tok == T_WORD && strcmp(p->text, w) == 0;
}

static bool
is_punct(const struct parser *p, char c)
{
	return p->tok == T_PUNCT && p->punct == c;
}

/* Takes the next token when it is the word w. */
static int
accept(struct parser *p, const char *w, bool *yes)
{
	OI_TRY(peek(p));
	*yes = is_word(p, w);
	if (*yes)
		p->peeked = false;
	return OPTIMG_OK;
}

static int
expect_punct(struct parser *p, char c, const char *after)
{
	char b[64];

	OI_TRY(next(p));
	if (!is_punct(p, c))
		return fail(p, p->tline, "'%c' expected after %s, found %s", c,
		    after, shown(p, b, sizeof(b)));
	return OPTIMG_OK;
}

static int
expect_string(struct parser *p, const char *after)
{
	char b[64];

	OI_TRY(next(p));
	if (p->tok != T_STR)
		return fail(p, p->tline, "%s wants a quoted string, found %s",
		    after, shown(p, b, sizeof(b)));
	return OPTIMG_OK;
}

/* ---- numbers and positions --------------------------------------------- */

/*
 * A position or length at the next token: MM:SS:FF (*blocks set, *msf
 * true) or a plain number (*num, *msf false).
 */
static int
position(struct parser *p, const char *what, uint64_t *value, bool *msf)
{
	uint64_t m, s;
	unsigned line;
	char b[64];

	OI_TRY(next(p));
	line = p->tline;
	if (p->tok != T_INT)
		return fail(p, line, "%s wants MM:SS:FF or a number, found %s",
		    what, shown(p, b, sizeof(b)));
	m = p->num;
	OI_TRY(peek(p));
	if (!is_punct(p, ':')) {
		*value = m;
		*msf = false;
		return OPTIMG_OK;
	}
	p->peeked = false;
	OI_TRY(next(p));
	if (p->tok != T_INT)
		return fail(p, line, "%s: %llu: is not MM:SS:FF", what,
		    (unsigned long long)m);
	s = p->num;
	OI_TRY(expect_punct(p, ':', "MM:SS"));
	OI_TRY(next(p));
	if (p->tok != T_INT)
		return fail(p, line, "%s: %llu:%llu: is not MM:SS:FF", what,
		    (unsigned long long)m, (unsigned long long)s);
	if (s > 59)
		return fail(p, line, "%s %llu:%llu:%llu: seconds must be below "
		    "60", what, (unsigned long long)m, (unsigned long long)s,
		    (unsigned long long)p->num);
	if (p->num > 74)
		return fail(p, line, "%s %llu:%llu:%llu: frames must be below "
		    "75", what, (unsigned long long)m, (unsigned long long)s,
		    (unsigned long long)p->num);
	if (m > 100000)
		return fail(p, line, "%s: %llu minutes is not a disc", what,
		    (unsigned long long)m);
	*value = (m * 60 + s) * OPTIMG_FRAMES_PER_SEC + p->num;
	*msf = true;
	return OPTIMG_OK;
}

/* MM:SS:FF only, in blocks. */
static int
msf_only(struct parser *p, const char *what, uint64_t *blocks)
{
	bool msf;
	unsigned line;

	OI_TRY(peek(p));
	line = p->tline;
	OI_TRY(position(p, what, blocks, &msf));
	if (!msf)
		return fail(p, line, "%s wants MM:SS:FF, not a number", what);
	return OPTIMG_OK;
}

/* Is the next token the start of a position (a number)? */
static int
position_follows(struct parser *p, bool *yes)
{
	OI_TRY(peek(p));
	*yes = p->tok == T_INT;
	return OPTIMG_OK;
}

/*
 * A length or start in bytes of mode: MSF counts blocks; a number counts
 * samples (4 bytes) when samples is set, else bytes.
 */
static int
bytes_of(struct parser *p, const char *what, enum oi_toc_mode mode,
    enum oi_toc_sub sub, bool samples, uint64_t *bytes)
{
	uint64_t v;
	bool msf;

	OI_TRY(position(p, what, &v, &msf));
	*bytes = msf ? v * oi_toc_block_size(mode, sub) : samples ? v * 4 : v;
	return OPTIMG_OK;
}

/* ---- CD-TEXT ------------------------------------------------------------ */

static const struct {
	const char	*word;
	int		 field;		/* -1: kept nowhere */
} cdtext_items[] = {
	{ "TITLE", OPTIMG_CDTEXT_TITLE },
	{ "PERFORMER", OPTIMG_CDTEXT_PERFORMER },
	{ "SONGWRITER", OPTIMG_CDTEXT_SONGWRITER },
	{ "COMPOSER", OPTIMG_CDTEXT_COMPOSER },
	{ "ARRANGER", OPTIMG_CDTEXT_ARRANGER },
	{ "MESSAGE", OPTIMG_CDTEXT_MESSAGE },
	{ "DISC_ID", OPTIMG_CDTEXT_DISC_ID },
	{ "GENRE", OPTIMG_CDTEXT_GENRE },
	{ "UPC_EAN", OPTIMG_CDTEXT_UPC_EAN },
	/* Pack 0x8E: a track's ISRC as CD-TEXT spells it ("US-XX1-98-01234"),
	   the disc's UPC/EAN; the Q channel's ISRC is the ISRC statement. */
	{ "ISRC", OPTIMG_CDTEXT_UPC_EAN },
	{ "TOC_INFO1", -1 }, { "TOC_INFO2", -1 }, { "RESERVED1", -1 },
	{ "RESERVED2", -1 }, { "RESERVED3", -1 }, { "RESERVED4", -1 },
	{ "CLOSED", -1 }, { "SIZE_INFO", -1 },
};

static bool
valid_utf8(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k;

		if (c < 0x80) {
			i++;
			continue;
		}
		k = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 :
		    (c & 0xf8) == 0xf0 ? 3 : 0;
		if (k == 0 || i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++)
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
		i += k + 1;
	}
	return true;
}

/* The string token as UTF-8: kept when it is, else taken as Latin-1. */
static char *
utf8_text(const struct parser *p)
{
	const unsigned char *s = (const unsigned char *)p->text;
	char *out, *o;

	if (valid_utf8(s, p->tlen))
		return strdup(p->text);
	if ((out = malloc(p->tlen * 2 + 1)) == NULL)
		return NULL;
	o = out;
	for (size_t i = 0; i < p->tlen; i++) {
		if (s[i] < 0x80)
			*o++ = (char)s[i];
		else {
			*o++ = (char)(0xc0 | s[i] >> 6);
			*o++ = (char)(0x80 | (s[i] & 0x3f));
		}
	}
	*o = '\0';
	return out;
}

static int
binary_data(struct parser *p)
{
	char b[64];

	/* '{' taken: numbers 0..255 separated by commas, then '}'. */
	OI_TRY(next(p));
	if (is_punct(p, '}'))
		return OPTIMG_OK;
	for (;;) {
		if (p->tok != T_INT || p->num > 255)
			return fail(p, p->tline, "CD-TEXT binary data wants "
			    "numbers 0..255, found %s", shown(p, b, sizeof(b)));
		OI_TRY(next(p));
		if (is_punct(p, '}'))
			return OPTIMG_OK;
		if (!is_punct(p, ','))
			return fail(p, p->tline, "',' or '}' expected in "
			    "CD-TEXT binary data, found %s",
			    shown(p, b, sizeof(b)));
		OI_TRY(next(p));
	}
}

/* The text of one item for language block 0, which the model keeps. */
static int
cdtext_item(struct parser *p, unsigned k, struct optimg_cdtext *ct, bool keep)
{
	int field = cdtext_items[k].field;
	unsigned line = p->tline;
	char b[64];

	OI_TRY(next(p));
	if (is_punct(p, '{')) {
		OI_TRY(binary_data(p));
		if (keep && field >= 0)
			return warn(p, line, "binary CD-TEXT %s is not kept",
			    cdtext_items[k].word);
		return OPTIMG_OK;
	}
	if (p->tok != T_STR)
		return fail(p, line, "CD-TEXT %s wants a string or {binary "
		    "data}, found %s", cdtext_items[k].word,
		    shown(p, b, sizeof(b)));
	if (!keep || field < 0 || p->tlen == 0)
		return OPTIMG_OK;
	free(ct->field[field]);
	if ((ct->field[field] = utf8_text(p)) == NULL)
		return oi_set_error(p->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

static int
cdtext_language(struct parser *p, struct optimg_cdtext *ct)
{
	unsigned line = p->tline;
	uint64_t block;
	char b[64];

	OI_TRY(next(p));
	if (p->tok != T_INT || p->num > 7)
		return fail(p, line, "LANGUAGE wants a block number 0..7");
	block = p->num;
	if (block != 0)
		OI_TRY(warn(p, line, "CD-TEXT of language block %llu is not "
		    "kept (block 0 is)", (unsigned long long)block));
	OI_TRY(expect_punct(p, '{', "LANGUAGE n"));
	for (;;) {
		unsigned k;
		OI_TRY(next(p));
		if (is_punct(p, '}'))
			return OPTIMG_OK;
		if (p->tok == T_WORD && strncmp(p->text, "ENCODING_", 9) == 0)
			continue;
		for (k = 0; k < OI_ARRAY_SIZE(cdtext_items); k++)
			if (is_word(p, cdtext_items[k].word))
				break;
		if (k == OI_ARRAY_SIZE(cdtext_items))
			return fail(p, p->tline, "%s is not a CD-TEXT item",
			    shown(p, b, sizeof(b)));
		OI_TRY(cdtext_item(p, k, ct, block == 0));
	}
}

static int
language_map(struct parser *p)
{
	char b[64];

	OI_TRY(expect_punct(p, '{', "LANGUAGE_MAP"));
	for (unsigned n = 0;; n++) {
		OI_TRY(next(p));
		if (is_punct(p, '}') && n > 0)
			return OPTIMG_OK;
		if (p->tok != T_INT || p->num > 7)
			return fail(p, p->tline, "LANGUAGE_MAP wants 'n : "
			    "code' with n 0..7, found %s",
			    shown(p, b, sizeof(b)));
		OI_TRY(expect_punct(p, ':', "a language number"));
		OI_TRY(next(p));
		if (!(p->tok == T_INT && p->num <= 255) && !is_word(p, "EN"))
			return fail(p, p->tline, "a language code is 0..255 "
			    "or EN, not %s", shown(p, b, sizeof(b)));
	}
}

/* CD_TEXT { ... } for the disc (global) or a track. */
static int
cdtext_block(struct parser *p, bool global, struct optimg_cdtext *ct)
{
	char b[64];
	bool yes;

	OI_TRY(expect_punct(p, '{', "CD_TEXT"));
	if (global) {
		OI_TRY(accept(p, "LANGUAGE_MAP", &yes));
		if (yes)
			OI_TRY(language_map(p));
	}
	for (;;) {
		OI_TRY(next(p));
		if (is_punct(p, '}'))
			return OPTIMG_OK;
		if (!is_word(p, "LANGUAGE"))
			return fail(p, p->tline, "LANGUAGE n { ... } or '}' "
			    "expected in CD_TEXT, found %s",
			    shown(p, b, sizeof(b)));
		OI_TRY(cdtext_language(p, ct));
	}
}

/* ---- tracks ------------------------------------------------------------ */

/* The mode word at the current token, MODE0 only when zero_ok. */
static bool
mode_word(const struct parser *p, bool zero_ok, enum oi_toc_mode *m)
{
	for (unsigned i = 0; i < OI_ARRAY_SIZE(mode_names); i++)
		if (is_word(p, mode_names[i]) && (zero_ok || i != OI_TOC_MODE0)) {
			*m = (enum oi_toc_mode)i;
			return true;
		}
	return false;
}

static int
sub_mode(struct parser *p, enum oi_toc_sub *sub)
{
	bool yes;

	OI_TRY(accept(p, "RW_RAW", &yes));
	if (yes) {
		*sub = OI_TOC_SUB_RW_RAW;
		return OPTIMG_OK;
	}
	OI_TRY(accept(p, "RW", &yes));
	if (yes)
		*sub = OI_TOC_SUB_RW;
	return OPTIMG_OK;
}

static int
add_part(struct parser *p, struct oi_toc_track *t, struct oi_toc_part **out)
{
	struct oi_toc_part *parts;

	if (t->nparts >= TOC_PARTS_MAX)
		return fail(p, p->tline, "more than %u data statements in a "
		    "track", TOC_PARTS_MAX);
	parts = oi_reallocarray(t->parts, t->nparts + 1, sizeof(*parts));
	if (parts == NULL)
		return oi_set_error(p->err, OPTIMG_ENOMEM, "out of memory");
	t->parts = parts;
	*out = &parts[t->nparts++];
	memset(*out, 0, sizeof(**out));
	(*out)->line = p->tline;
	(*out)->mode = t->mode;
	(*out)->sub = t->sub;
	return OPTIMG_OK;
}

static int
file_name(struct parser *p, const char *what, struct oi_toc_part *part)
{
	OI_TRY(expect_string(p, what));
	if (p->tlen == 0)
		return fail(p, p->tline, "%s names no file", what);
	if (strcmp(p->text, "-") == 0)
		return oi_set_error(p->err, OPTIMG_EUNSUPP, "line %u: %s \"-\" "
		    "(standard input) cannot be read as an image", p->tline,
		    what);
	if ((part->name = strdup(p->text)) == NULL)
		return oi_set_error(p->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

/* [#byte-offset] */
static int
byte_offset(struct parser *p, struct oi_toc_part *part)
{
	OI_TRY(peek(p));
	if (!is_punct(p, '#'))
		return OPTIMG_OK;
	p->peeked = false;
	OI_TRY(next(p));
	if (p->tok != T_INT)
		return fail(p, p->tline, "'#' wants a byte offset");
	part->offset = p->num;
	return OPTIMG_OK;
}

static int
part_file(struct parser *p, struct oi_toc_track *t, struct oi_toc_part *part)
{
	bool audio = t->mode == OI_TOC_AUDIO, more, yes;

	part->kind = OI_TOC_FILE;
	OI_TRY(file_name(p, "FILE", part));
	if (audio && t->sub != OI_TOC_SUB_NONE)
		return fail(p, part->line, "FILE is for audio without a "
		    "sub-channel mode; use DATAFILE");
	if (!audio)
		OI_TRY(warn(p, part->line, "FILE in a %s track, which cdrdao "
		    "refuses: read as the track's data",
		    mode_names[t->mode]));
	OI_TRY(accept(p, "SWAP", &yes));
	part->swap = yes;
	OI_TRY(byte_offset(p, part));
	OI_TRY(bytes_of(p, "FILE start", t->mode, t->sub, audio,
	    &part->start));
	OI_TRY(position_follows(p, &more));
	if (more)
		OI_TRY(bytes_of(p, "FILE length", t->mode, t->sub, audio,
		    &part->length));
	return OPTIMG_OK;
}

static int
part_zero(struct parser *p, struct oi_toc_track *t, struct oi_toc_part *part,
    bool silence)
{
	const char *what = silence ? "SILENCE" : "ZERO";

	part->kind = silence ? OI_TOC_SILENCE : OI_TOC_ZERO;
	if (!silence) {
		OI_TRY(peek(p));
		if (mode_word(p, true, &part->mode))
			p->peeked = false;
		OI_TRY(sub_mode(p, &part->sub));
		if (part->mode == OI_TOC_MODE0)
			return oi_set_error(p->err, OPTIMG_EUNSUPP, "line %u: "
			    "ZERO MODE0 (empty Mode 0 sectors) is not read "
			    "yet", part->line);
	} else if (t->mode != OI_TOC_AUDIO) {
		OI_TRY(warn(p, part->line, "SILENCE in a %s track, which "
		    "cdrdao refuses: read as ZERO", mode_names[t->mode]));
		part->kind = OI_TOC_ZERO;
	}
	OI_TRY(bytes_of(p, what, part->mode, part->sub,
	    silence && t->mode == OI_TOC_AUDIO, &part->length));
	if (part->length == 0)
		return fail(p, part->line, "%s of length 0", what);
	return OPTIMG_OK;
}

/* One FILE, DATAFILE, FIFO, SILENCE or ZERO; *found false for none. */
static int
part(struct parser *p, struct oi_toc_track *t, bool *found)
{
	struct oi_toc_part *pt;
	bool more;

	OI_TRY(peek(p));
	*found = is_word(p, "FILE") || is_word(p, "AUDIOFILE") ||
	    is_word(p, "DATAFILE") || is_word(p, "SILENCE") ||
	    is_word(p, "ZERO") || is_word(p, "FIFO");
	if (!*found)
		return OPTIMG_OK;
	p->peeked = false;
	if (is_word(p, "FIFO"))
		return oi_set_error(p->err, OPTIMG_EUNSUPP, "line %u: FIFO: "
		    "data from a FIFO cannot be read as an image", p->tline);
	OI_TRY(add_part(p, t, &pt));
	if (is_word(p, "SILENCE") || is_word(p, "ZERO"))
		return part_zero(p, t, pt, is_word(p, "SILENCE"));
	if (!is_word(p, "DATAFILE"))
		return part_file(p, t, pt);
	pt->kind = OI_TOC_DATAFILE;
	OI_TRY(file_name(p, "DATAFILE", pt));
	OI_TRY(byte_offset(p, pt));
	OI_TRY(position_follows(p, &more));
	if (more)
		OI_TRY(bytes_of(p, "DATAFILE length", t->mode, t->sub, false,
		    &pt->length));
	return OPTIMG_OK;
}

/* START [msf] or END [msf]; *found false for neither. */
static int
mark(struct parser *p, struct oi_toc_track *t, bool *found)
{
	bool start, more;
	unsigned line;
	uint64_t blocks = 0;

	OI_TRY(peek(p));
	start = is_word(p, "START");
	*found = start || is_word(p, "END");
	if (!*found)
		return OPTIMG_OK;
	p->peeked = false;
	line = p->tline;
	OI_TRY(position_follows(p, &more));
	if (more)
		OI_TRY(msf_only(p, start ? "START" : "END", &blocks));
	if (!start)
		return OPTIMG_OK;	/* a post-gap's start: no index */
	if (t->start_given)
		return fail(p, line, "the track's START (end of its pre-gap) "
		    "is already given on line %u", t->start_line);
	t->start_given = true;
	t->start_line = line;
	t->start_at_parts = !more;
	t->start_parts = t->nparts;
	t->start = blocks * oi_toc_block_size(t->mode, t->sub);
	return OPTIMG_OK;
}

static bool
valid_isrc(const char *s, size_t n)
{
	if (n != 12)
		return false;
	for (unsigned i = 0; i < 12; i++) {
		bool digit = s[i] >= '0' && s[i] <= '9';
		bool alnum = digit || (s[i] >= 'A' && s[i] <= 'Z');
		if (i < 5 ? !alnum : !digit)
			return false;
	}
	return true;
}

/* ISRC, [NO] COPY, [NO] PRE_EMPHASIS, TWO/FOUR_CHANNEL_AUDIO. */
static int
track_flags(struct parser *p, struct oi_toc_track *t)
{
	char b[64];

	for (;;) {
		bool no = false;
		unsigned flag;

		OI_TRY(peek(p));
		if (is_word(p, "ISRC")) {
			p->peeked = false;
			OI_TRY(expect_string(p, "ISRC"));
			if (!valid_isrc(p->text, p->tlen))
				return fail(p, p->tline, "ISRC \"%.40s\" is not "
				    "CCOOOYYSSSSS (5 letters or digits, 7 "
				    "digits)", p->text);
			memcpy(t->isrc, p->text, 13);
			continue;
		}
		if (is_word(p, "TWO_CHANNEL_AUDIO") ||
		    is_word(p, "FOUR_CHANNEL_AUDIO")) {
			p->peeked = false;
			t->flags &= ~(unsigned)OPTIMG_FLAG_4CH;
			if (is_word(p, "FOUR_CHANNEL_AUDIO"))
				t->flags |= OPTIMG_FLAG_4CH;
			continue;
		}
		if (is_word(p, "NO")) {
			p->peeked = false;
			no = true;
			OI_TRY(next(p));
		} else if (is_word(p, "COPY") || is_word(p, "PRE_EMPHASIS"))
			p->peeked = false;
		else
			return OPTIMG_OK;
		if (is_word(p, "COPY"))
			flag = OPTIMG_FLAG_DCP;
		else if (is_word(p, "PRE_EMPHASIS"))
			flag = OPTIMG_FLAG_PRE;
		else
			return fail(p, p->tline, "NO wants COPY or "
			    "PRE_EMPHASIS, found %s", shown(p, b, sizeof(b)));
		t->flags = no ? t->flags & ~flag : t->flags | flag;
	}
}

static int
add_track(struct parser *p, struct oi_toc_track **out)
{
	struct oi_toc *toc = p->toc;
	struct oi_toc_track *t;

	if (toc->first_track + toc->ntracks > 99)
		return fail(p, p->tline, "more than 99 tracks");
	t = oi_reallocarray(toc->tracks, toc->ntracks + 1, sizeof(*t));
	if (t == NULL)
		return oi_set_error(p->err, OPTIMG_ENOMEM, "out of memory");
	toc->tracks = t;
	t = &t[toc->ntracks++];
	memset(t, 0, sizeof(*t));
	t->line = p->tline;
	*out = t;
	return OPTIMG_OK;
}

/* PREGAP msf: zero data first, and START after it. */
static int
pregap(struct parser *p, struct oi_toc_track *t)
{
	struct oi_toc_part *pt;
	unsigned line = p->tline;
	uint64_t blocks;

	OI_TRY(msf_only(p, "PREGAP", &blocks));
	if (blocks == 0)
		return fail(p, line, "PREGAP of length 0");
	OI_TRY(add_part(p, t, &pt));
	pt->line = line;
	pt->kind = t->mode == OI_TOC_AUDIO ? OI_TOC_SILENCE : OI_TOC_ZERO;
	pt->length = blocks * oi_toc_block_size(t->mode, t->sub);
	t->start_given = true;
	t->start_line = line;
	t->start = pt->length;
	return OPTIMG_OK;
}

static int
track_data(struct parser *p, struct oi_toc_track *t)
{
	unsigned items = 0;
	bool found, yes;
	char b[64];

	OI_TRY(accept(p, "PREGAP", &yes));
	if (yes)
		OI_TRY(pregap(p, t));
	for (;; items++) {
		OI_TRY(part(p, t, &found));
		if (!found)
			OI_TRY(mark(p, t, &found));
		if (!found)
			break;
	}
	if (t->nparts == 0 || items == 0) {
		OI_TRY(peek(p));
		return fail(p, p->tline, "track %u has no data (FILE, "
		    "DATAFILE, SILENCE or ZERO); found %s",
		    p->toc->first_track + p->toc->ntracks - 1,
		    shown(p, b, sizeof(b)));
	}
	for (;;) {
		uint64_t blocks;
		OI_TRY(accept(p, "INDEX", &yes));
		if (!yes)
			return OPTIMG_OK;
		if (t->nindex >= 98)
			return fail(p, p->tline, "more than 98 INDEX lines");
		t->index_line[t->nindex] = p->tline;
		OI_TRY(msf_only(p, "INDEX", &blocks));
		t->index[t->nindex++] = (uint32_t)blocks;
	}
}

static int
track(struct parser *p)
{
	struct oi_toc_track *t = NULL;
	char b[64];
	bool yes;

	OI_TRY(add_track(p, &t));
	OI_TRY(next(p));
	if (!mode_word(p, false, &t->mode))
		return fail(p, p->tline, "TRACK wants a mode (AUDIO, MODE1, "
		    "MODE1_RAW, MODE2, MODE2_FORM1, MODE2_FORM2, "
		    "MODE2_FORM_MIX, MODE2_RAW), found %s",
		    shown(p, b, sizeof(b)));
	OI_TRY(sub_mode(p, &t->sub));
	OI_TRY(track_flags(p, t));
	OI_TRY(accept(p, "CD_TEXT", &yes));
	if (yes)
		OI_TRY(cdtext_block(p, false, &t->cdtext));
	return track_data(p, t);
}

/* ---- the file ------------------------------------------------------------ */

static int
catalog(struct parser *p)
{
	unsigned line = p->tline;
	char b[64];
	bool digits = true;

	OI_TRY(next(p));
	if (p->tok != T_STR)
		return fail(p, line, "CATALOG wants \"13 digits\", found %s%s",
		    shown(p, b, sizeof(b)), p->tok == T_INT ?
		    " (not in quotes)" : "");
	for (size_t i = 0; i < p->tlen; i++)
		digits = digits && p->text[i] >= '0' && p->text[i] <= '9';
	if (p->tlen != 13 || !digits)
		return fail(p, line, "CATALOG \"%.40s\" is not 13 digits",
		    p->text);
	memcpy(p->toc->catalog, p->text, 14);
	return OPTIMG_OK;
}

static int
header(struct parser *p)
{
	static const char *const types[] = { "CD_DA", "CD_ROM", "CD_ROM_XA",
	    "CD_I" };
	bool yes;

	for (;;) {
		bool type = false;
		OI_TRY(peek(p));
		for (unsigned i = 0; i < OI_ARRAY_SIZE(types); i++)
			if (is_word(p, types[i])) {
				p->toc->type = (int)i;
				type = true;
			}
		if (type)
			p->peeked = false;
		else if (is_word(p, "CATALOG")) {
			p->peeked = false;
			OI_TRY(catalog(p));
		} else
			break;
	}
	OI_TRY(accept(p, "FIRST_TRACK_NO", &yes));
	if (yes) {
		OI_TRY(next(p));
		if (p->tok != T_INT || p->num < 1 || p->num > 99)
			return fail(p, p->tline, "FIRST_TRACK_NO wants 1..99");
		p->toc->first_track = (unsigned)p->num;
	}
	OI_TRY(accept(p, "CD_TEXT", &yes));
	if (yes)
		OI_TRY(cdtext_block(p, true, &p->toc->cdtext));
	return OPTIMG_OK;
}

static int
parse(struct parser *p)
{
	char b[64];
	bool yes;

	OI_TRY(header(p));
	for (;;) {
		OI_TRY(accept(p, "TRACK", &yes));
		if (!yes)
			break;
		OI_TRY(track(p));
	}
	OI_TRY(next(p));
	if (p->tok == T_EOF && p->toc->ntracks > 0)
		return OPTIMG_OK;
	if (p->toc->ntracks == 0)
		return fail(p, p->tline, "TRACK expected, found %s",
		    shown(p, b, sizeof(b)));
	return fail(p, p->tline, "%s is not a statement of track %u here",
	    shown(p, b, sizeof(b)),
	    p->toc->first_track + p->toc->ntracks - 1);
}

int
oi_toc_parse(const char *text, size_t len, struct oi_toc **out,
    struct optimg_error *err)
{
	struct parser *p = calloc(1, sizeof(*p));
	int rc;

	*out = NULL;
	if (p == NULL || (p->toc = calloc(1, sizeof(*p->toc))) == NULL) {
		free(p);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	p->s = text;
	p->end = text + len;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p->s += 3;
	p->line = 1;
	p->err = err;
	p->toc->type = -1;
	p->toc->first_track = 1;
	rc = parse(p);
	if (rc < 0)
		oi_toc_free(p->toc);
	else
		*out = p->toc;
	free(p);
	return rc;
}

static void
cdtext_free(struct optimg_cdtext *ct)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		free(ct->field[i]);
}

void
oi_toc_free(struct oi_toc *toc)
{
	if (toc == NULL)
		return;
	for (unsigned i = 0; i < toc->ntracks; i++) {
		for (unsigned k = 0; k < toc->tracks[i].nparts; k++)
			free(toc->tracks[i].parts[k].name);
		free(toc->tracks[i].parts);
		cdtext_free(&toc->tracks[i].cdtext);
	}
	for (unsigned i = 0; i < toc->nwarnings; i++)
		free(toc->warnings[i].text);
	free(toc->warnings);
	free(toc->tracks);
	cdtext_free(&toc->cdtext);
	free(toc);
}
