/*
 * fmt_cue.c - the CUE sheet format: a text sheet (cue_parse.c) naming the
 * files that hold the sectors, laid out by cue_layout.c.
 *
 * FILE names are relative to the sheet's directory.  Sheets made on
 * Windows spell names in another case and separate directories with
 * backslashes, so a name that is not there as written is looked up
 * component by component, ignoring case.  When a sheet names one file
 * and it cannot be found, <sheet name>.bin is used with a warning, as
 * renamed single-bin dumps are common.
 *
 * WAVE files: the sector data is the "data" chunk of a RIFF file whose
 * "fmt " chunk says PCM, 2 channels, 44100 Hz, 16 bits (Red Book audio).
 * BINARY and MOTOROLA files are sector data from their first byte.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "oi_private.h"

#define CUE_MAX_BYTES	(1024u * 1024)
#define PROBE_TEXT	4096	/* bytes checked to look like text */
#define PROBE_LINES	4	/* keywords checked */
#define WAVE_MAX_CHUNKS	4096

/* ---- probe --------------------------------------------------------------- */

static const char *const cue_words[] = {
	"ARRANGER", "CATALOG", "CDTEXTFILE", "COMPOSER", "DISC_ID", "FILE",
	"FLAGS", "GENRE", "INDEX", "ISRC", "MESSAGE", "PERFORMER", "POSTGAP",
	"PREGAP", "REM", "SONGWRITER", "TITLE", "TRACK", "UPC_EAN",
};

static bool
is_cue_word(const uint8_t *w, size_t n)
{
	for (unsigned i = 0; i < OI_ARRAY_SIZE(cue_words); i++)
		if (strlen(cue_words[i]) == n &&
		    strncasecmp((const char *)w, cue_words[i], n) == 0)
			return true;
	return false;
}

static bool
looks_like_text(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < OI_MIN(len, (size_t)PROBE_TEXT); i++)
		if (p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' &&
		    p[i] != '\r')
			return false;
	return true;
}

/*
 * 90 when most of the first lines start with CUE keywords (all of them
 * when there is one or two), else 0.  One stray word among them still
 * makes a sheet, so the parser can name its line instead of the image
 * being "not a disc image".
 */
static int
cue_probe(const struct oi_probe *p)
{
	const uint8_t *head = p->head;
	size_t len = p->head_len, i = 0, w;
	unsigned lines = 0, cue = 0;

	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	if (!looks_like_text(head + i, len - i))
		return 0;
	while (lines < PROBE_LINES) {
		while (i < len && (head[i] == ' ' || head[i] == '\t' ||
		    head[i] == '\r' || head[i] == '\n'))
			i++;
		for (w = i; i < len && head[i] > ' '; i++)
			;
		if (i == len)
			break;		/* cut by the end of head: no verdict */
		if (is_cue_word(head + w, i - w))
			cue++;
		lines++;
		while (i < len && head[i] != '\n' && head[i] != '\r')
			i++;
	}
	if (lines == 0 || cue * 4 < lines * 3 || (lines <= 2 && cue < lines))
		return 0;
	return 90;
}

/* ---- finding the files ------------------------------------------------- */

/* <cue without its extension>.bin, in any case. */
static char *
find_sibling_bin(const char *dir, const char *cue)
{
	const char *base = strrchr(cue, '/');
	const char *dot;
	char *name, *hit;
	size_t n;

	base = base != NULL ? base + 1 : cue;
	dot = strrchr(base, '.');
	n = dot != NULL && dot != base ? (size_t)(dot - base) : strlen(base);
	if ((name = malloc(n + 5)) == NULL)
		return NULL;
	memcpy(name, base, n);
	memcpy(name + n, ".bin", 5);
	hit = oi_find_entry(dir, name, n + 4);
	free(name);
	if (hit != NULL && !oi_path_exists(hit)) {
		free(hit);
		hit = NULL;
	}
	return hit;
}

/* ---- WAVE -------------------------------------------------------------- */

struct cue_open {
	struct optimg_image		*img;
	const char			*cue;	/* the sheet's path */
	char				*dir;
	struct oi_cue_sheet		*sheet;
	unsigned			*streams;
	uint64_t			*start;
	uint64_t			*size;
};

static int
check_wave_fmt(struct cue_open *c, unsigned f, struct oi_stream *st,
    uint64_t off, uint32_t len)
{
	const struct oi_cue_file *cf = &c->sheet->files[f];
	uint8_t b[40];
	unsigned tag;

	if (len < 16)
		return oi_set_error(&c->img->err, OPTIMG_EFORMAT,
		    "'%s' line %u: '%s' has a short fmt chunk", c->cue,
		    cf->line, cf->name);
	OI_TRY(oi_stream_pread(st, b, OI_MIN(len, sizeof(b)), off,
	    &c->img->err));
	tag = oi_le16dec(b);
	if (tag == 0xfffe && len >= 40)	/* WAVE_FORMAT_EXTENSIBLE */
		tag = oi_le16dec(b + 24);
	if (tag != 1 || oi_le16dec(b + 2) != 2 ||
	    oi_le32dec(b + 4) != 44100 || oi_le16dec(b + 14) != 16)
		return oi_set_error(&c->img->err, OPTIMG_EUNSUPP,
		    "'%s' line %u: '%s' is not 16-bit stereo 44100 Hz PCM "
		    "(format %u, %u channels, %lu Hz, %u bits)", c->cue,
		    cf->line, cf->name, tag, oi_le16dec(b + 2),
		    (unsigned long)oi_le32dec(b + 4), oi_le16dec(b + 14));
	return OPTIMG_OK;
}

/* Finds the data chunk of RIFF WAVE file f, after a fitting fmt chunk. */
static int
wave_range(struct cue_open *c, unsigned f)
{
	const struct oi_cue_file *cf = &c->sheet->files[f];
	struct oi_stream *st = &c->img->streams[c->streams[f]];
	uint64_t off = 12;
	uint8_t h[12];
	bool fmt = false;

	if (st->size < 12 || oi_stream_pread(st, h, 12, 0, &c->img->err) < 0 ||
	    memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
		return oi_set_error(&c->img->err, OPTIMG_EFORMAT,
		    "'%s' line %u: '%s' is not a RIFF WAVE file", c->cue,
		    cf->line, cf->name);
	for (unsigned n = 0; n < WAVE_MAX_CHUNKS && off + 8 <= st->size; n++) {
		uint32_t len;
		OI_TRY(oi_stream_pread(st, h, 8, off, &c->img->err));
		len = oi_le32dec(h + 4);
		if (memcmp(h, "fmt ", 4) == 0) {
			OI_TRY(check_wave_fmt(c, f, st, off + 8, len));
			fmt = true;
		} else if (memcmp(h, "data", 4) == 0 && fmt) {
			c->start[f] = off + 8;
			c->size[f] = OI_MIN((uint64_t)len, st->size - off - 8);
			return OPTIMG_OK;
		}
		off += 8 + (uint64_t)len + (len & 1);
	}
	return oi_set_error(&c->img->err, OPTIMG_EFORMAT,
	    "'%s' line %u: '%s' has no fmt chunk followed by a data chunk",
	    c->cue, cf->line, cf->name);
}

/* ---- open ---------------------------------------------------------------- */

static int
check_decodable(struct cue_open *c)
{
	(void)c;	/* every FILE type is read (MP3 marks the image lossy) */
	return OPTIMG_OK;
}

/* The last component of a name with / or \ separators. */
static const char *
last_component(const char *name)
{
	const char *p = name + strlen(name);

	while (p > name && p[-1] != '/' && p[-1] != '\\')
		p--;
	return p;
}

/*
 * As written or in another case; then, with a warning, the name's last
 * component beside the sheet (sheets that name "C:\rips\x.bin"), and
 * <sheet>.bin for a sheet of one file.
 */
static int
resolve(struct cue_open *c, unsigned f, char **path)
{
	const struct oi_cue_file *cf = &c->sheet->files[f];
	const char *base = last_component(cf->name);

	if ((*path = oi_find_file(c->dir, cf->name)) != NULL)
		return OPTIMG_OK;
	if (base != cf->name && *base != '\0')
		*path = oi_find_entry(c->dir, base, strlen(base));
	if (*path != NULL && !oi_path_exists(*path)) {
		free(*path);
		*path = NULL;
	}
	if (*path == NULL && c->sheet->nfiles == 1)
		*path = find_sibling_bin(c->dir, c->cue);
	if (*path == NULL)
		return oi_set_error(&c->img->err, OPTIMG_ENOENT,
		    "'%s' line %u: cannot find '%s'", c->cue, cf->line,
		    cf->name);
	oi_image_warn(c->img, "'%s' line %u: cannot find '%s'; using '%s'",
	    c->cue, cf->line, cf->name, *path);
	return OPTIMG_OK;
}

static int
open_files(struct cue_open *c)
{
	unsigned n = c->sheet->nfiles;

	c->streams = oi_calloc(n, sizeof(*c->streams));
	c->start = oi_calloc(n, sizeof(*c->start));
	c->size = oi_calloc(n, sizeof(*c->size));
	if (c->streams == NULL || c->start == NULL || c->size == NULL)
		return oi_set_error(&c->img->err, OPTIMG_ENOMEM,
		    "out of memory");
	for (unsigned f = 0; f < n; f++) {
		char *path;
		int rc;

		char where[OPTIMG_ERRMSG_MAX / 2];
		enum oi_cue_filetype type = c->sheet->files[f].type;

		snprintf(where, sizeof(where), "'%s' line %u", c->cue,
		    c->sheet->files[f].line);
		OI_TRY(resolve(c, f, &path));
		rc = type == OI_CUE_FLAC ?
		    oi_cue_flac_stream(c->img, path, where, &c->streams[f]) :
		    type == OI_CUE_MP3 ?
		    oi_cue_mp3_stream(c->img, path, where, &c->streams[f]) :
		    oi_image_add_stream(c->img, path, &c->streams[f]);
		free(path);
		OI_TRY(rc);
		c->size[f] = c->img->streams[c->streams[f]].size;
		if (type == OI_CUE_WAVE)
			OI_TRY(wave_range(c, f));
		if (type == OI_CUE_AIFF)
			OI_TRY(oi_cue_aiff_range(
			    &c->img->streams[c->streams[f]], where,
			    &c->start[f], &c->size[f], &c->img->err));
	}
	return OPTIMG_OK;
}

/*
 * CDTEXTFILE names the lead-in's CD-TEXT as packs (cdrdao, cdrecord and
 * EAC write one beside the sheet).  Its text fills what the sheet's own
 * TITLE, PERFORMER... lines leave empty.  A file that is missing or is
 * not CD-TEXT costs the disc its CD-TEXT, not its data: a warning.
 */
#define CDT_MAX_BYTES (64u * 1024)	/* 8 blocks of 256 packs fit */

static int
read_cdtextfile(struct cue_open *c)
{
	const char *name = c->sheet->cdtextfile;
	struct optimg_error e;
	uint8_t *buf = NULL;
	size_t size = 0, off, len;
	struct stat st;
	char *path;
	int rc;

	if (name == NULL)
		return OPTIMG_OK;
	if ((path = oi_find_named(c->dir, name)) == NULL) {
		oi_image_warn(c->img, "'%s': cannot find CDTEXTFILE '%s'; its "
		    "CD-TEXT is left out", c->cue, name);
		return OPTIMG_OK;
	}
	if (stat(path, &st) == 0 && st.st_size > (off_t)CDT_MAX_BYTES)
		rc = oi_set_error(&e, OPTIMG_EFORMAT, "%lld bytes are more "
		    "than CD-TEXT can be", (long long)st.st_size);
	else
		rc = oi_read_small_file(path, CDT_MAX_BYTES, (char **)&buf,
		    &size, &e);
	if (rc == OPTIMG_OK)
		rc = oi_cdtext_file_packs(buf, size, &off, &len, &e);
	if (rc == OPTIMG_OK)
		rc = oi_cdtext_fill_from_packs(&c->img->disc, buf + off, len,
		    &c->img->err);
	else if (rc != OPTIMG_ENOMEM) {
		oi_image_warn(c->img, "'%s': CDTEXTFILE '%s': %s; its CD-TEXT "
		    "is left out", c->cue, path, e.message);
		rc = OPTIMG_OK;
	} else
		rc = oi_set_error(&c->img->err, rc, "%s", e.message);
	free(buf);
	free(path);
	return rc;
}

/* "line N: ..." from the parser or the layout becomes "'x.cue' line N". */
static int
name_sheet(struct optimg_image *img, const char *cue, int rc)
{
	char msg[OPTIMG_ERRMSG_MAX];

	if (strncmp(img->err.message, "line ", 5) != 0)
		return rc;
	memcpy(msg, img->err.message, sizeof(msg));
	return oi_set_error(&img->err, rc, "'%s' %s", cue, msg);
}

static int
cue_open(struct optimg_image *img, const char *path)
{
	struct cue_open c = { .img = img, .cue = path };
	char *text = NULL;
	size_t len;
	int rc;

	rc = oi_read_small_file(path, CUE_MAX_BYTES, &text, &len, &img->err);
	if (rc == OPTIMG_OK)
		rc = oi_cue_parse(text, len, &c.sheet, &img->err);
	for (unsigned i = 0; rc == OPTIMG_OK && i < c.sheet->nwarnings; i++)
		oi_image_warn(img, "'%s' %s", path, c.sheet->warnings[i].text);
	if (rc == OPTIMG_OK && (c.dir = oi_dir_of(path)) == NULL)
		rc = oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	if (rc == OPTIMG_OK)
		rc = check_decodable(&c);
	if (rc == OPTIMG_OK)
		rc = open_files(&c);
	if (rc == OPTIMG_OK)
		rc = oi_cue_layout(c.sheet, img, c.streams, c.start, c.size);
	if (rc == OPTIMG_OK)
		rc = read_cdtextfile(&c);
	if (rc < 0)
		rc = name_sheet(img, path, rc);
	oi_cue_free(c.sheet);
	free(c.streams);
	free(c.start);
	free(c.size);
	free(c.dir);
	free(text);
	return rc;
}

const struct oi_format oi_format_cue = {
	.name = "cue",
	.description = "cue sheet",
	.probe = cue_probe,
	.open = cue_open,
};
