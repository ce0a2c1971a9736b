/*
 * dat.c - Redump/Logiqx DAT files: the <game> (or MAME's <machine>)
 * entries and their <rom name size crc md5 sha1/> elements, which is all
 * verify needs.
 *
 *	<?xml version="1.0"?>
 *	<!DOCTYPE datafile PUBLIC "..." "...">
 *	<datafile>
 *	  <header>...</header>
 *	  <game name="Some Game (Europe)">
 *	    <category>Games</category>
 *	    <rom name="Some Game (Europe) (Track 1).bin" size="1234"
 *	         crc="89abcdef" md5="..." sha1="..."/>
 *	  </game>
 *	</datafile>
 *
 * A small tokenizer instead of an XML library: the text is hostile, and
 * refusing a DTD's entities outright is simpler than configuring a parser
 * not to expand them.  Comments, processing instructions, CDATA and
 * DOCTYPE are skipped; character data and other elements are ignored;
 * the five predefined entities and character references are decoded in
 * attribute values.  <rom> elements outside any game (optimg's own .hash
 * files) go to a game named "".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "rip.h"

#define MAX_NAME	64		/* element and attribute names */
#define MAX_VALUE	4096		/* attribute values */

struct tok {
	const char		*p, *end;
	unsigned		 line;
	struct optimg_error	*err;
	struct oi_dat		*dat;
	struct oi_dat_game	*game;	/* open <game>, or NULL */
};

static int
fail(struct tok *t, const char *what)
{
	return oi_set_error(t->err, OPTIMG_EFORMAT, "line %u: %s", t->line,
	    what);
}

static void
advance(struct tok *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		t->line += t->p[i] == '\n';
	t->p += n;
}

/* Skips to just after the string close; fails when it never comes. */
static int
skip_past(struct tok *t, const char *close, const char *what)
{
	size_t n = strlen(close);

	for (const char *q = t->p; q + n <= t->end; q++)
		if (memcmp(q, close, n) == 0) {
			advance(t, (size_t)(q - t->p) + n);
			return OPTIMG_OK;
		}
	return fail(t, what);
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void
skip_space(struct tok *t)
{
	while (t->p < t->end && is_space(*t->p))
		advance(t, 1);
}

static bool
is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == ':' || c == '-' ||
	    c == '.' || (unsigned char)c >= 0x80;
}

static int
read_name(struct tok *t, char name[MAX_NAME])
{
	size_t n = 0;

	while (t->p < t->end && is_name_char(*t->p)) {
		if (n + 1 == MAX_NAME)
			return fail(t, "name too long");
		name[n++] = *t->p++;
	}
	name[n] = '\0';
	return n > 0 ? OPTIMG_OK : fail(t, "expected a name");
}

static void
put_utf8(char *out, size_t *n, unsigned long c)
{
	if (c < 0x80)
		out[(*n)++] = (char)c;
	else if (c < 0x800) {
		out[(*n)++] = (char)(0xc0 | c >> 6);
		out[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else if (c < 0x10000) {
		out[(*n)++] = (char)(0xe0 | c >> 12);
		out[(*n)++] = (char)(0x80 | (c >> 6 & 0x3f));
		out[(*n)++] = (char)(0x80 | (c & 0x3f));
	} else {
		out[(*n)++] = (char)(0xf0 | c >> 18);
		out[(*n)++] = (char)(0x80 | (c >> 12 & 0x3f));
		out[(*n)++] = (char)(0x80 | (c >> 6 & 0x3f));
		out[(*n)++] = (char)(0x80 | (c & 0x3f));
	}
}

/* One entity at s (after '&'), up to ';' before lim, into out. */
static bool
decode_entity(const char *s, const char *lim, char *out, size_t *n,
    size_t *used)
{
	static const struct {
		const char	*name;
		char		 c;
	} named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
		{ "apos", '\'' },
	};
	const char *semi = memchr(s, ';', (size_t)OI_MIN(lim - s, 12));
	size_t len;
	unsigned long c = 0;

	if (semi == NULL)
		return false;
	len = (size_t)(semi - s);
	*used = len + 1;
	for (unsigned i = 0; i < OI_ARRAY_SIZE(named); i++)
		if (strlen(named[i].name) == len &&
		    memcmp(s, named[i].name, len) == 0) {
			out[(*n)++] = named[i].c;
			return true;
		}
	if (len < 2 || s[0] != '#')
		return false;
	for (size_t i = s[1] == 'x' ? 2 : 1; i < len; i++) {
		int d = s[i] >= '0' && s[i] <= '9' ? s[i] - '0' :
		    s[1] == 'x' && s[i] >= 'a' && s[i] <= 'f' ? s[i] - 'a' + 10 :
		    s[1] == 'x' && s[i] >= 'A' && s[i] <= 'F' ? s[i] - 'A' + 10 :
		    -1;
		if (d < 0 || (s[1] != 'x' && d > 9))
			return false;
		c = c * (s[1] == 'x' ? 16 : 10) + (unsigned long)d;
		if (c > 0x10ffff)
			return false;
	}
	if (c == 0 || (len == 2 && s[1] == 'x') || (c >= 0xd800 && c < 0xe000))
		return false;
	put_utf8(out, n, c);
	return true;
}

/* A quoted attribute value, entities decoded, into out[MAX_VALUE]. */
static int
read_value(struct tok *t, char *out)
{
	char q;
	size_t n = 0;

	if (t->p >= t->end || (*t->p != '"' && *t->p != '\''))
		return fail(t, "expected a quoted attribute value");
	q = *t->p;
	advance(t, 1);
	while (t->p < t->end && *t->p != q) {
		size_t used = 1;
		if (n + 4 >= MAX_VALUE)
			return fail(t, "attribute value too long");
		if (*t->p == '<' || *t->p == '\0')
			return fail(t, "'<' or NUL in an attribute value");
		if (*t->p == '&') {
			if (!decode_entity(t->p + 1, t->end, out, &n, &used))
				return fail(t, "unknown or malformed entity");
			used++;
		} else
			out[n++] = *t->p;
		advance(t, used);
	}
	if (t->p >= t->end)
		return fail(t, "attribute value never closed");
	advance(t, 1);
	out[n] = '\0';
	return OPTIMG_OK;
}

/* ---- values of a rom ------------------------------------------------------ */

static bool
parse_hex(const char *s, uint8_t *out, size_t bytes)
{
	if (strlen(s) != 2 * bytes)
		return false;
	for (size_t i = 0; i < 2 * bytes; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return false;
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(d << 4);
		else
			out[i / 2] |= (uint8_t)d;
	}
	return true;
}

static bool
parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0' || strlen(s) > 19)
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

static int
rom_attr(struct tok *t, struct oi_dat_rom *r, const char *name,
    const char *value)
{
	uint8_t crc[4];

	if (value[0] == '\0')
		return OPTIMG_OK;	/* an empty hash is no hash */
	if (strcmp(name, "name") == 0) {
		free(r->name);
		if ((r->name = strdup(value)) == NULL)
			return oi_set_error(t->err, OPTIMG_ENOMEM,
			    "out of memory");
	} else if (strcmp(name, "size") == 0) {
		if (!(r->has_size = parse_size(value, &r->size)))
			return fail(t, "rom size is not a number");
	} else if (strcmp(name, "crc") == 0) {
		if (!(r->has_crc = parse_hex(value, crc, 4)))
			return fail(t, "rom crc is not 8 hex digits");
		r->crc = oi_be32dec(crc);
	} else if (strcmp(name, "md5") == 0) {
		if (!(r->has_md5 = parse_hex(value, r->md5, 16)))
			return fail(t, "rom md5 is not 32 hex digits");
	} else if (strcmp(name, "sha1") == 0) {
		if (!(r->has_sha1 = parse_hex(value, r->sha1, 20)))
			return fail(t, "rom sha1 is not 40 hex digits");
	}
	return OPTIMG_OK;
}

static struct oi_dat_game *
add_game(struct oi_dat *dat, const char *name)
{
	struct oi_dat_game *g = oi_reallocarray(dat->games, dat->ngames + 1,
	    sizeof(*g));

	if (g == NULL)
		return NULL;
	dat->games = g;
	g = &g[dat->ngames];
	memset(g, 0, sizeof(*g));
	if ((g->name = strdup(name)) == NULL)
		return NULL;
	dat->ngames++;
	return g;
}

static struct oi_dat_rom *
add_rom(struct tok *t)
{
	struct oi_dat_game *g = t->game;
	struct oi_dat_rom *r;

	/* A bare rom (a .hash file) joins the unnamed game. */
	if (g == NULL) {
		for (unsigned i = 0; i < t->dat->ngames && g == NULL; i++)
			if (t->dat->games[i].name[0] == '\0')
				g = &t->dat->games[i];
		if (g == NULL && (g = add_game(t->dat, "")) == NULL)
			return NULL;
	}
	r = oi_reallocarray(g->roms, g->nroms + 1, sizeof(*r));
	if (r == NULL)
		return NULL;
	g->roms = r;
	r = &r[g->nroms++];
	memset(r, 0, sizeof(*r));
	return r;
}

/* ---- elements -------------------------------------------------------------- */

static bool
is_game(const char *name)
{
	return strcmp(name, "game") == 0 || strcmp(name, "machine") == 0;
}

static int
start_tag(struct tok *t)
{
	char name[MAX_NAME], attr[MAX_NAME];
	char *value = malloc(MAX_VALUE), *game_name = NULL;
	struct oi_dat_rom *rom = NULL;
	bool closed = false, game;
	int rc;

	if (value == NULL)
		return oi_set_error(t->err, OPTIMG_ENOMEM, "out of memory");
	if ((rc = read_name(t, name)) < 0)
		goto out;
	game = is_game(name);
	if (game && t->game != NULL) {
		rc = fail(t, "a game inside a game");
		goto out;
	}
	if (strcmp(name, "rom") == 0 && (rom = add_rom(t)) == NULL) {
		rc = oi_set_error(t->err, OPTIMG_ENOMEM, "out of memory");
		goto out;
	}
	for (;;) {
		skip_space(t);
		if (t->p >= t->end) {
			rc = fail(t, "tag never closed");
			goto out;
		}
		if (*t->p == '>' || (*t->p == '/' && t->p + 1 < t->end &&
		    t->p[1] == '>')) {
			closed = *t->p == '/';
			advance(t, closed ? 2 : 1);
			break;
		}
		if ((rc = read_name(t, attr)) < 0)
			goto out;
		skip_space(t);
		if (t->p >= t->end || *t->p != '=') {
			rc = fail(t, "expected '=' after an attribute name");
			goto out;
		}
		advance(t, 1);
		skip_space(t);
		if ((rc = read_value(t, value)) < 0)
			goto out;
		if (rom != NULL && (rc = rom_attr(t, rom, attr, value)) < 0)
			goto out;
		if (game && strcmp(attr, "name") == 0) {
			free(game_name);
			if ((game_name = strdup(value)) == NULL) {
				rc = oi_set_error(t->err, OPTIMG_ENOMEM,
				    "out of memory");
				goto out;
			}
		}
	}
	if (rom != NULL && rom->name == NULL &&
	    (rom->name = strdup("")) == NULL)
		rc = oi_set_error(t->err, OPTIMG_ENOMEM, "out of memory");
	if (game && !closed) {
		t->game = add_game(t->dat, game_name != NULL ? game_name : "");
		if (t->game == NULL)
			rc = oi_set_error(t->err, OPTIMG_ENOMEM,
			    "out of memory");
	}
out:
	free(game_name);
	free(value);
	return rc;
}

static int
end_tag(struct tok *t)
{
	char name[MAX_NAME];

	OI_TRY(read_name(t, name));
	skip_space(t);
	if (t->p >= t->end || *t->p != '>')
		return fail(t, "end tag never closed");
	advance(t, 1);
	if (is_game(name)) {
		if (t->game == NULL)
			return fail(t, "</game> without <game>");
		t->game = NULL;
	}
	return OPTIMG_OK;
}

/* <!DOCTYPE ...> with an optional [internal subset], never expanded. */
static int
skip_doctype(struct tok *t)
{
	for (const char *q = t->p; q < t->end; q++) {
		if (*q == '[') {
			OI_TRY(skip_past(t, "]", "DOCTYPE never closed"));
			return skip_past(t, ">", "DOCTYPE never closed");
		}
		if (*q == '>') {
			advance(t, (size_t)(q - t->p) + 1);
			return OPTIMG_OK;
		}
	}
	return fail(t, "DOCTYPE never closed");
}

static int
markup(struct tok *t)
{
	size_t left = (size_t)(t->end - t->p);

	if (left >= 4 && memcmp(t->p, "<!--", 4) == 0)
		return skip_past(t, "-->", "comment never closed");
	if (left >= 9 && memcmp(t->p, "<![CDATA[", 9) == 0)
		return skip_past(t, "]]>", "CDATA never closed");
	if (left >= 2 && memcmp(t->p, "<?", 2) == 0)
		return skip_past(t, "?>", "processing instruction never "
		    "closed");
	if (left >= 2 && memcmp(t->p, "<!", 2) == 0)
		return skip_doctype(t);
	if (left >= 2 && t->p[1] == '/') {
		advance(t, 2);
		return end_tag(t);
	}
	advance(t, 1);
	return start_tag(t);
}

int
oi_dat_parse(const char *text, size_t len, struct oi_dat **out,
    struct optimg_error *err)
{
	struct tok t = { .p = text, .end = text + len, .line = 1, .err = err };
	int rc = OPTIMG_OK;

	*out = NULL;
	t.dat = calloc(1, sizeof(*t.dat));
	if (t.dat == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	while (t.p < t.end && rc == OPTIMG_OK) {
		const char *lt = memchr(t.p, '<', (size_t)(t.end - t.p));
		if (lt == NULL)
			break;
		advance(&t, (size_t)(lt - t.p));
		rc = markup(&t);
	}
	if (rc == OPTIMG_OK && t.game != NULL)
		rc = fail(&t, "a <game> is never closed");
	if (rc == OPTIMG_OK && t.dat->ngames == 0)
		rc = oi_set_error(err, OPTIMG_EFORMAT,
		    "no <game> or <rom> elements: not a DAT file");
	if (rc < 0) {
		oi_dat_free(t.dat);
		return rc;
	}
	*out = t.dat;
	return OPTIMG_OK;
}

void
oi_dat_free(struct oi_dat *dat)
{
	if (dat == NULL)
		return;
	for (unsigned i = 0; i < dat->ngames; i++) {
		for (unsigned k = 0; k < dat->games[i].nroms; k++)
			free(dat->games[i].roms[k].name);
		free(dat->games[i].roms);
		free(dat->games[i].name);
	}
	free(dat->games);
	free(dat);
}
