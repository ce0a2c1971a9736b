/*
 * fmt_gdi.c - Dreamcast GD-ROM track lists (.gdi), as TOSEC and the
 * dumping tools of the Dreamcast scene write them.
 *
 * There is no specification; the layout is what MAME's chdcd.cpp
 * (chdcd_parse_gdi) reads and chdman writes back:
 *
 *   3
 *   1 0 4 2352 track01.bin 0
 *   2 756 0 2352 track02.raw 0
 *   3 45000 4 2352 "Track 03.bin" 0
 *
 * The first line is the number of tracks; then one line per track: its
 * number, the LBA it starts at, its type (4 data, 0 audio), the bytes a
 * sector takes in its file (2352 raw, or 2048 user data), the file's name
 * (in double quotes when it holds spaces), and a number that is always 0
 * and is not used.  Names are relative to the .gdi's directory; lines may
 * end in CR LF.  A GD-ROM keeps tracks 1 and 2 in its single-density area
 * from LBA 0 and the rest in its high-density area from LBA 45000.
 *
 * Each file holds its track's sectors from the track's start on.  A file
 * shorter than the distance to the next track's start leaves sectors that
 * no file holds (the pregap of the next track, and the space between the
 * two areas): MAME pads the track before with them ("padframes"); here
 * they are the unstored postgap of that track, read as silence or empty
 * data sectors.  Data tracks are Mode 1 (GD-ROM data is), audio is
 * little-endian as in a raw bin.  All tracks are in session 1: the areas
 * are not sessions of an Orange Book disc.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define GDI_MAX_BYTES	(64u * 1024)
#define GDI_TOKENS	6

static int
line_error(struct optimg_error *err, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
line_error(struct optimg_error *err, unsigned line, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oi_set_error(err, OPTIMG_EFORMAT, "line %u: %s", line, msg);
}

/* ---- tokens ------------------------------------------------------------ */

struct gdi_line {
	const char	*tok[GDI_TOKENS];
	size_t		 len[GDI_TOKENS];
	unsigned	 ntok;
	unsigned	 number;
};

/* Splits [p, end) at blanks; "..." is one token without its quotes. */
static int
split(const char *p, const char *end, struct gdi_line *l,
    struct optimg_error *err)
{
	l->ntok = 0;
	for (;;) {
		const char *s;
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p == end)
			return OPTIMG_OK;
		if (l->ntok == GDI_TOKENS)
			return line_error(err, l->number, "more than %u fields",
			    GDI_TOKENS);
		if (*p == '"') {
			s = ++p;
			while (p < end && *p != '"')
				p++;
			if (p == end)
				return line_error(err, l->number,
				    "a quote is not closed");
			l->tok[l->ntok] = s;
			l->len[l->ntok++] = (size_t)(p++ - s);
			continue;
		}
		for (s = p; p < end && *p != ' ' && *p != '\t' && *p != '\r';
		    p++)
			if (*p == '"')
				return line_error(err, l->number,
				    "a quote inside a name");
		l->tok[l->ntok] = s;
		l->len[l->ntok++] = (size_t)(p - s);
	}
}

/* A decimal number of at most 9 digits. */
static bool
number(const char *s, size_t n, uint32_t *v)
{
	*v = 0;
	if (n == 0 || n > 9)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (uint32_t)(s[i] - '0');
	}
	return true;
}

/* ---- parsing -------------------------------------------------------------- */

static int
track_line(struct oi_gdi *g, const struct gdi_line *l,
    struct optimg_error *err)
{
	struct oi_gdi_track *t = &g->tracks[g->ntracks];
	uint32_t num, lba, type, size, unused;

	if (l->ntok != 6)
		return line_error(err, l->number, "%u fields where a track "
		    "has 6 (number, LBA, type, sector size, file, 0)", l->ntok);
	if (!number(l->tok[0], l->len[0], &num) || num != g->ntracks + 1)
		return line_error(err, l->number, "track %u expected",
		    g->ntracks + 1);
	if (!number(l->tok[1], l->len[1], &lba))
		return line_error(err, l->number, "'%.*s' is not an LBA of "
		    "the disc", (int)OI_MIN(l->len[1], (size_t)32), l->tok[1]);
	if (!number(l->tok[2], l->len[2], &type) || (type != 0 && type != 4))
		return line_error(err, l->number, "type '%.*s' is neither 0 "
		    "(audio) nor 4 (data)", (int)OI_MIN(l->len[2], (size_t)32),
		    l->tok[2]);
	if (!number(l->tok[3], l->len[3], &size) ||
	    (size != 2352 && (size != 2048 || type == 0)))
		return line_error(err, l->number, "sector size '%.*s' is not "
		    "2352%s", (int)OI_MIN(l->len[3], (size_t)32), l->tok[3],
		    type == 4 ? " or 2048" : "");
	if (l->len[4] == 0 || memchr(l->tok[4], '\0', l->len[4]) != NULL)
		return line_error(err, l->number, "the file name is empty or "
		    "holds a NUL");
	if (!number(l->tok[5], l->len[5], &unused))
		return line_error(err, l->number, "the last field is not a "
		    "number");
	if (g->ntracks > 0 && (int32_t)lba <= g->tracks[g->ntracks - 1].lba)
		return line_error(err, l->number, "track %u starts at LBA %lu, "
		    "not after track %u", num, (unsigned long)lba, num - 1);
	if ((t->name = strndup(l->tok[4], l->len[4])) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	t->number = num;
	t->lba = (int32_t)lba;
	t->audio = type == 0;
	t->size = size;
	t->line = l->number;
	g->ntracks++;
	return OPTIMG_OK;
}

static int
count_line(struct oi_gdi *g, const struct gdi_line *l,
    struct optimg_error *err)
{
	uint32_t n;

	if (l->ntok != 1 || !number(l->tok[0], l->len[0], &n) || n == 0 ||
	    n > 99)
		return line_error(err, l->number, "the first line is not a "
		    "number of tracks (1-99)");
	g->want = n;
	g->tracks = oi_calloc(n, sizeof(*g->tracks));
	if (g->tracks == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

static int
parse_lines(struct oi_gdi *g, const char *text, size_t len,
    struct optimg_error *err)
{
	const char *p = text, *end = text + len;
	struct gdi_line l = { .number = 0 };

	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		l.number++;
		OI_TRY(split(p, eol, &l, err));
		p = eol + (eol < end);
		if (l.ntok == 0)
			continue;
		if (g->want == 0)
			OI_TRY(count_line(g, &l, err));
		else if (g->ntracks == g->want)
			return line_error(err, l.number, "more tracks than the "
			    "%u the first line gives", g->want);
		else
			OI_TRY(track_line(g, &l, err));
	}
	if (g->want == 0)
		return line_error(err, l.number, "no number of tracks");
	if (g->ntracks < g->want)
		return line_error(err, l.number, "%u tracks where the first "
		    "line gives %u", g->ntracks, g->want);
	return OPTIMG_OK;
}

int
oi_gdi_parse(const char *text, size_t len, struct oi_gdi **out,
    struct optimg_error *err)
{
	struct oi_gdi *g = calloc(1, sizeof(*g));
	int rc;

	*out = NULL;
	if (g == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = parse_lines(g, text, len, err);
	if (rc < 0) {
		oi_gdi_free(g);
		return rc;
	}
	*out = g;
	return OPTIMG_OK;
}

void
oi_gdi_free(struct oi_gdi *g)
{
	if (g == NULL)
		return;
	for (unsigned i = 0; i < g->ntracks; i++)
		free(g->tracks[i].name);
	free(g->tracks);
	free(g);
}

/* ---- layout ------------------------------------------------------------- */

static int
pad(struct optimg_image *img, struct optimg_track *t, int32_t lba,
    uint32_t count)
{
	struct oi_fragment f = {
		.lba = lba,
		.count = count,
		.fill = OI_FILL_ZERO,
		.sector_size = t->sector_size,
		.mode = t->mode,
	};

	t->postgap_unstored = count;
	return oi_image_add_fragment(img, &f);
}

static int
lay_track(struct optimg_image *img, const char *name,
    const struct oi_gdi_track *gt, unsigned stream, uint64_t size,
    int32_t next)
{
	struct oi_fragment f = {
		.lba = gt->lba,
		.fill = OI_FILL_FILE,
		.stream = stream,
		.sector_size = gt->size,
		.mode = gt->audio ? OPTIMG_TRACK_AUDIO : OPTIMG_TRACK_MODE1,
	};
	uint64_t frames = size / gt->size;
	struct optimg_track *t;

	if (size % gt->size != 0)
		oi_image_warn(img, "'%s' line %u: '%s' ends with %u bytes that "
		    "are not a whole sector; they are ignored", name, gt->line,
		    gt->name, (unsigned)(size % gt->size));
	if (next != OPTIMG_NO_INDEX && frames > (uint64_t)(next - gt->lba))
		return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s' line %u: "
		    "'%s' holds %llu sectors, more than the %ld before the next "
		    "track", name, gt->line, gt->name,
		    (unsigned long long)frames, (long)(next - gt->lba));
	if (frames == 0 || frames > (uint64_t)(INT32_MAX - gt->lba))
		return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s' line %u: "
		    "'%s' holds %llu sectors", name, gt->line, gt->name,
		    (unsigned long long)frames);
	f.count = (uint32_t)frames;
	OI_TRY(oi_image_add_fragment(img, &f));
	OI_TRY(oi_image_add_track(img, &t));
	t->number = gt->number;
	t->mode = f.mode;
	t->sector_size = gt->size;
	t->storage = oi_storage_of_size(gt->size);
	t->start = gt->lba;
	t->flags = gt->audio ? 0 : OPTIMG_FLAG_DATA;
	if (next != OPTIMG_NO_INDEX && frames < (uint64_t)(next - gt->lba))
		OI_TRY(pad(img, t, gt->lba + (int32_t)frames,
		    (uint32_t)(next - gt->lba - (int32_t)frames)));
	return OPTIMG_OK;
}

int
oi_gdi_layout(struct optimg_image *img, const char *name,
    const struct oi_gdi *g, const unsigned *streams, const uint64_t *sizes)
{
	for (unsigned i = 0; i < g->ntracks; i++)
		OI_TRY(lay_track(img, name, &g->tracks[i], streams[i], sizes[i],
		    i + 1 < g->ntracks ? g->tracks[i + 1].lba :
		    OPTIMG_NO_INDEX));
	return oi_image_finish_layout(img);
}

/* ---- the format ---------------------------------------------------------- */

/* 90 when the first line is a track count and the second a track 1. */
static int
gdi_probe(const struct oi_probe *pr)
{
	const uint8_t *head = pr->head;
	size_t len = pr->head_len;
	const char *p = (const char *)head, *end = p + OI_MIN(len, (size_t)512);
	struct gdi_line l = { .number = 1 };
	struct optimg_error ignored;
	uint32_t v;

	for (size_t i = 0; i < (size_t)(end - p); i++)
		if (head[i] < 0x20 && head[i] != '\t' && head[i] != '\r' &&
		    head[i] != '\n')
			return 0;
	for (unsigned k = 0; k < 2; k++) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL || split(p, eol, &l, &ignored) < 0)
			return 0;
		if (k == 0 && (l.ntok != 1 || !number(l.tok[0], l.len[0], &v)))
			return 0;
		if (k == 1 && (l.ntok != 6 || l.len[0] != 1 || *l.tok[0] != '1'
		    || !number(l.tok[3], l.len[3], &v) ||
		    (v != 2352 && v != 2048)))
			return 0;
		p = eol + 1;
	}
	return 90;
}

static int
open_tracks(struct optimg_image *img, const char *path, const char *dir,
    const struct oi_gdi *g, unsigned *streams, uint64_t *sizes)
{
	for (unsigned i = 0; i < g->ntracks; i++) {
		char *file = oi_find_file(dir, g->tracks[i].name);
		int rc;

		if (file == NULL)
			return oi_set_error(&img->err, OPTIMG_ENOENT, "'%s' line "
			    "%u: cannot find '%s'", path, g->tracks[i].line,
			    g->tracks[i].name);
		rc = oi_image_add_stream(img, file, &streams[i]);
		free(file);
		OI_TRY(rc);
		sizes[i] = img->streams[streams[i]].size;
	}
	return OPTIMG_OK;
}

static int
gdi_open(struct optimg_image *img, const char *path)
{
	unsigned streams[99];
	uint64_t sizes[99];
	struct oi_gdi *g = NULL;
	char *text = NULL, *dir = NULL, msg[OPTIMG_ERRMSG_MAX];
	size_t len;
	int rc;

	rc = oi_read_small_file(path, GDI_MAX_BYTES, &text, &len, &img->err);
	if (rc == 0 && (rc = oi_gdi_parse(text, len, &g, &img->err)) < 0 &&
	    rc != OPTIMG_ENOMEM) {
		memcpy(msg, img->err.message, sizeof(msg));
		oi_set_error(&img->err, rc, "'%s' %s", path, msg);
	}
	if (rc == 0 && (dir = oi_dir_of(path)) == NULL)
		rc = oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	if (rc == 0)
		rc = open_tracks(img, path, dir, g, streams, sizes);
	if (rc == 0)
		rc = oi_gdi_layout(img, path, g, streams, sizes);
	oi_gdi_free(g);
	free(dir);
	free(text);
	return rc;
}

const struct oi_format oi_format_gdi = {
	.name = "gdi",
	.description = "Dreamcast GDI",
	.probe = gdi_probe,
	.open = gdi_open,
};
