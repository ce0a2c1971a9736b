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
 * The XML is read by expat.  The text is hostile: a document that
 * declares an entity is refused (no billion laughs, no external files),
 * and expat's own amplification limits stand behind that.  The text is
 * fed in slices, with a cancel check between them, so a large DAT stops
 * soon after Ctrl-C.  Arrays grow geometrically and bare <rom> elements
 * (optimg's own .hash files) go to one game named "" found by index, so
 * reading is linear in the size of the file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <expat.h>

#include "rip.h"

#define SLICE	(1u << 20)	/* bytes fed to expat between cancel checks */

struct parse {
	XML_Parser		 xp;
	struct optimg_error	*err;
	struct oi_dat		*dat;
	unsigned		 capgames;
	long			 game;	/* open <game>, or -1 */
	long			 bare;	/* the "" game, or -1 */
	int			 rc;	/* first failure */
};

/* Stops the parser with a message "line N: what". */
static void
stop(struct parse *t, int code, const char *what)
{
	if (t->rc == OPTIMG_OK)
		t->rc = oi_set_error(t->err, code, "line %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(t->xp), what);
	XML_StopParser(t->xp, XML_FALSE);
}

static int
fail(struct parse *t, const char *what)
{
	stop(t, OPTIMG_EFORMAT, what);
	return t->rc;
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
rom_attr(struct parse *t, struct oi_dat_rom *r, const char *name,
    const char *value)
{
	uint8_t crc[4];

	if (value[0] == '\0')
		return OPTIMG_OK;	/* an empty hash is no hash */
	if (strcmp(name, "name") == 0) {
		free(r->name);
		if ((r->name = strdup(value)) == NULL) {
			stop(t, OPTIMG_ENOMEM, "out of memory");
			return t->rc;
		}
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

/* Grows *v (of *cap elements of size) to hold n + 1. */
static bool
grow(void **v, unsigned *cap, unsigned n, size_t size)
{
	unsigned c;
	void *p;

	if (n < *cap)
		return true;
	if (n >= (1u << 30))
		return false;
	c = *cap < 8 ? 8 : *cap * 2;
	if ((p = oi_reallocarray(*v, c, size)) == NULL)
		return false;
	*v = p;
	*cap = c;
	return true;
}

static long
add_game(struct parse *t, const char *name)
{
	struct oi_dat *dat = t->dat;
	struct oi_dat_game *g;

	if (!grow((void **)&dat->games, &t->capgames, dat->ngames,
	    sizeof(*g)))
		return -1;
	g = &dat->games[dat->ngames];
	memset(g, 0, sizeof(*g));
	if ((g->name = strdup(name)) == NULL)
		return -1;
	return (long)dat->ngames++;
}

static struct oi_dat_rom *
add_rom(struct parse *t)
{
	struct oi_dat_game *g;
	struct oi_dat_rom *r;

	/* A bare rom (a .hash file) joins the unnamed game. */
	if (t->game < 0 && t->bare < 0 && (t->bare = add_game(t, "")) < 0)
		return NULL;
	g = &t->dat->games[t->game >= 0 ? t->game : t->bare];
	if (!grow((void **)&g->roms, &g->caproms, g->nroms, sizeof(*r)))
		return NULL;
	r = &g->roms[g->nroms++];
	memset(r, 0, sizeof(*r));
	return r;
}

static bool
is_game(const char *name)
{
	return strcmp(name, "game") == 0 || strcmp(name, "machine") == 0;
}

/* Values as long as this are no names or hashes; refuse them. */
#define MAX_VALUE	4096

static bool
values_fit(struct parse *t, const char **atts)
{
	for (unsigned i = 0; atts[i] != NULL; i += 2)
		if (strlen(atts[i + 1]) > MAX_VALUE) {
			fail(t, "attribute value too long");
			return false;
		}
	return true;
}

static void
start_game(struct parse *t, const char **atts)
{
	const char *name = "";

	if (t->game >= 0) {
		fail(t, "a game inside a game");
		return;
	}
	for (unsigned i = 0; atts[i] != NULL; i += 2)
		if (strcmp(atts[i], "name") == 0)
			name = atts[i + 1];
	if ((t->game = add_game(t, name)) < 0)
		stop(t, OPTIMG_ENOMEM, "out of memory");
}

static void
start_rom(struct parse *t, const char **atts)
{
	struct oi_dat_rom *r = add_rom(t);

	if (r == NULL) {
		stop(t, OPTIMG_ENOMEM, "out of memory");
		return;
	}
	for (unsigned i = 0; atts[i] != NULL; i += 2)
		if (rom_attr(t, r, atts[i], atts[i + 1]) < 0)
			return;
	if (r->name == NULL && (r->name = strdup("")) == NULL)
		stop(t, OPTIMG_ENOMEM, "out of memory");
}

static void XMLCALL
on_start(void *ctx, const XML_Char *name, const XML_Char **atts)
{
	struct parse *t = ctx;

	if (t->rc != OPTIMG_OK || !values_fit(t, atts))
		return;
	if (is_game(name))
		start_game(t, atts);
	else if (strcmp(name, "rom") == 0)
		start_rom(t, atts);
}

static void XMLCALL
on_end(void *ctx, const XML_Char *name)
{
	struct parse *t = ctx;
	struct oi_dat_game *g;

	if (!is_game(name) || t->game < 0)
		return;
	/* A game without roms (<game name="x"/>) matches nothing: drop it. */
	g = &t->dat->games[t->game];
	if (g->nroms == 0 && t->game == (long)t->dat->ngames - 1) {
		free(g->name);
		t->dat->ngames--;
	}
	t->game = -1;
}

static void XMLCALL
on_entity(void *ctx, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *system_id, const XML_Char *public_id,
    const XML_Char *notation)
{
	(void)name, (void)is_param, (void)value, (void)value_len, (void)base;
	(void)system_id, (void)public_id, (void)notation;
	fail(ctx, "the DAT declares an entity; DATs have none, so it is "
	    "refused");
}

static int
parse_slice(struct parse *t, const char *p, size_t n, bool last)
{
	if (XML_Parse(t->xp, p, (int)n, last) == XML_STATUS_OK)
		return OPTIMG_OK;
	if (t->rc == OPTIMG_OK)
		t->rc = oi_set_error(t->err, OPTIMG_EFORMAT, "line %lu: %s",
		    (unsigned long)XML_GetCurrentLineNumber(t->xp),
		    XML_ErrorString(XML_GetErrorCode(t->xp)));
	return t->rc;
}

/*
 * A text without an XML declaration or DOCTYPE may hold several top-level
 * elements (optimg's .hash files are a list of <rom>s): it is read inside
 * a root element of our own.
 */
static bool
needs_root(const char *text, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		return false;
	while (i < len && (text[i] == ' ' || text[i] == '\t' ||
	    text[i] == '\r' || text[i] == '\n'))
		i++;
	return !((len - i >= 5 && memcmp(text + i, "<?xml", 5) == 0) ||
	    (len - i >= 9 && memcmp(text + i, "<!DOCTYPE", 9) == 0));
}

static int
feed(struct parse *t, const char *text, size_t len,
    int (*cancel)(void *), void *ctx)
{
	bool root = needs_root(text, len);
	size_t off = 0;

	if (root)
		OI_TRY(parse_slice(t, "<optimg-dat>", 12, false));
	while (off < len) {
		size_t n = OI_MIN(len - off, SLICE);

		OI_TRY(parse_slice(t, text + off, n, false));
		off += n;
		if (off < len && cancel != NULL && cancel(ctx) != 0)
			return oi_set_error(t->err, OPTIMG_ECANCELED,
			    "interrupted");
	}
	if (root)
		OI_TRY(parse_slice(t, "</optimg-dat>", 13, false));
	return parse_slice(t, "", 0, true);
}

int
oi_dat_parse(const char *text, size_t len, struct oi_dat **out,
    int (*cancel)(void *), void *ctx, struct optimg_error *err)
{
	struct parse t = { .err = err, .game = -1, .bare = -1 };
	int rc;

	*out = NULL;
	t.dat = calloc(1, sizeof(*t.dat));
	t.xp = XML_ParserCreate(NULL);
	if (t.dat == NULL || t.xp == NULL) {
		if (t.xp != NULL)
			XML_ParserFree(t.xp);
		free(t.dat);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	XML_SetUserData(t.xp, &t);
	XML_SetElementHandler(t.xp, on_start, on_end);
	XML_SetEntityDeclHandler(t.xp, on_entity);
	XML_SetParamEntityParsing(t.xp, XML_PARAM_ENTITY_PARSING_NEVER);
	rc = feed(&t, text, len, cancel, ctx);
	XML_ParserFree(t.xp);
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
