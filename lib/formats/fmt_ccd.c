/*
 * fmt_ccd.c - CloneCD images: NAME.ccd, an INI text with the full TOC as
 * the drive reported it, beside NAME.img (raw 2352-byte sectors from LBA
 * 0, byte offset = LBA * 2352) and NAME.sub (96 bytes of subchannel a
 * sector, each channel as 12 consecutive bytes, P first).
 *
 * Tracks come from the [Entry n] sections: points 1-99 give each track's
 * start (PLBA) and control nibble, point A2 the lead-out.  [TRACK n]
 * gives the mode (0 audio, 1 Mode 1, 2 Mode 2) and INDEX k=LBA lines;
 * [Disc] CATALOG the media catalog number.  One session is read; several
 * are refused by name for now.  [CDText] holds the lead-in's CD-TEXT as
 * "Entry n=" lines of 16 hex bytes, a pack without its CRC; they are read
 * as packs (cdtext_packs.c, which knows their character code).
 *
 * The parser (ccd_parse) takes (buf, len) and is pure; ccd_open reads the
 * files.  Errors say "'x.ccd' line N: problem".
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "oi_private.h"

#define CCD_MAX_BYTES	(1024u * 1024)
#define CDTEXT_PACKS	(8u * 256)	/* 8 blocks of at most 256 */

struct ccd_track {
	bool		seen;		/* a point entry */
	int32_t		start;
	unsigned	control;
	int		mode;		/* -1 when no [TRACK] says */
	int32_t		index[OPTIMG_MAX_INDEX];
	char		isrc[13];
};

struct ccd {
	struct ccd_track track[100];
	int32_t		 leadout;
	bool		 has_leadout;
	unsigned	 sessions;
	char		 catalog[14];
	bool		 clonecd;	/* a [CloneCD] section */
	uint8_t		 cdtext[CDTEXT_PACKS][18];	/* CRC bytes zero */
	unsigned	 ncdtext;
};

/* Section being read and the entry's fields gathered so far. */
struct ccd_parse {
	struct ccd	*c;
	struct optimg_error *err;
	unsigned	 line;
	enum { SEC_NONE, SEC_CLONECD, SEC_DISC, SEC_ENTRY, SEC_TRACK,
	       SEC_CDTEXT, SEC_OTHER } sec;
	unsigned	 track;		/* [TRACK n] */
	long		 point, control, plba, session;
};

static int
fail(struct ccd_parse *p, const char *what, const char *s, size_t n)
{
	return oi_set_error(p->err, OPTIMG_EFORMAT, "line %u: %s '%.*s'",
	    p->line, what, (int)OI_MIN(n, (size_t)40), s);
}

/* A decimal or 0x number in [s, s+n); false when it is not one. */
static bool
number(const char *s, size_t n, long *v)
{
	char buf[24], *end;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtol(buf, &end, 0);
	return *end == '\0' && *v > -1000000 && *v < 100000000;
}

static void
entry_done(struct ccd_parse *p)
{
	struct ccd *c = p->c;

	if (p->sec != SEC_ENTRY || p->point < 0)
		return;
	if (p->session > 0 && (unsigned)p->session > c->sessions)
		c->sessions = (unsigned)p->session;
	if (p->point >= 1 && p->point <= 99) {
		c->track[p->point].seen = true;
		c->track[p->point].start = (int32_t)p->plba;
		c->track[p->point].control = (unsigned)p->control & 0x0f;
	} else if (p->point == 0xa2 && !c->has_leadout) {
		c->leadout = (int32_t)p->plba;
		c->has_leadout = true;
	}
}

static int
section(struct ccd_parse *p, const char *s, size_t n)
{
	long v;

	entry_done(p);
	p->point = -1;
	p->control = p->plba = p->session = 0;
	if (n == 7 && strncasecmp(s, "CloneCD", 7) == 0) {
		p->sec = SEC_CLONECD;
		p->c->clonecd = true;
	} else if (n == 4 && strncasecmp(s, "Disc", 4) == 0)
		p->sec = SEC_DISC;
	else if (n == 6 && strncasecmp(s, "CDText", 6) == 0)
		p->sec = SEC_CDTEXT;
	else if (n > 6 && strncasecmp(s, "Entry ", 6) == 0 &&
	    number(s + 6, n - 6, &v) && v >= 0)
		p->sec = SEC_ENTRY;
	else if (n > 6 && strncasecmp(s, "TRACK ", 6) == 0) {
		if (!number(s + 6, n - 6, &v) || v < 1 || v > 99)
			return fail(p, "bad track section", s, n);
		p->sec = SEC_TRACK;
		p->track = (unsigned)v;
	} else
		p->sec = SEC_OTHER;
	return OPTIMG_OK;
}

static int
entry_key(struct ccd_parse *p, const char *k, size_t kn, long v)
{
	if (kn == 5 && strncasecmp(k, "Point", 5) == 0)
		p->point = v;
	else if (kn == 7 && strncasecmp(k, "Control", 7) == 0)
		p->control = v;
	else if (kn == 4 && strncasecmp(k, "PLBA", 4) == 0)
		p->plba = v;
	else if (kn == 7 && strncasecmp(k, "Session", 7) == 0)
		p->session = v;
	return OPTIMG_OK;
}

static int
track_key(struct ccd_parse *p, const char *k, size_t kn, const char *val,
    size_t vn)
{
	struct ccd_track *t = &p->c->track[p->track];
	long v;

	if (kn == 4 && strncasecmp(k, "ISRC", 4) == 0) {
		memcpy(t->isrc, val, OI_MIN(vn, (size_t)12));
		return OPTIMG_OK;
	}
	if (!number(val, vn, &v))
		return fail(p, "bad number", val, vn);
	if (kn == 4 && strncasecmp(k, "MODE", 4) == 0) {
		if (v < 0 || v > 2)
			return fail(p, "unknown track mode", val, vn);
		t->mode = (int)v;
	} else if (kn > 6 && strncasecmp(k, "INDEX ", 6) == 0) {
		long ix;
		if (!number(k + 6, kn - 6, &ix) || ix < 0 || ix > 99 || v < 0)
			return fail(p, "bad index", k, kn);
		t->index[ix] = (int32_t)v;
	}
	return OPTIMG_OK;
}

/* Two hex digits; -1 when they are not. */
static int
hex_byte(const char *s)
{
	int v = 0;

	for (int i = 0; i < 2; i++) {
		char c = s[i];
		int d = c >= '0' && c <= '9' ? c - '0' :
		    c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		    c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/*
 * "Entry n=80 00 00 00 41 42 ..." in [CDText]: pack n, 16 hex bytes.
 * Packs are kept in the order of n; "Entries=" is only a count.
 */
static int
cdtext_key(struct ccd_parse *p, const char *k, size_t kn, const char *val,
    size_t vn)
{
	uint8_t pack[18] = { 0 };
	unsigned got = 0;
	size_t i = 0;
	long ix;

	if (kn < 7 || strncasecmp(k, "Entry ", 6) != 0)
		return OPTIMG_OK;	/* Entries= and anything else */
	if (!number(k + 6, kn - 6, &ix) || ix < 0 || ix >= (long)CDTEXT_PACKS)
		return fail(p, "bad CD-TEXT entry", k, kn);
	for (;;) {
		int byte;

		while (i < vn && (val[i] == ' ' || val[i] == '\t'))
			i++;
		if (i == vn)
			break;
		if (vn - i < 2 || (byte = hex_byte(val + i)) < 0 ||
		    (vn - i > 2 && val[i + 2] != ' ' && val[i + 2] != '\t'))
			return fail(p, "CD-TEXT entry is not hex bytes", val,
			    vn);
		if (got == 16)
			return fail(p, "CD-TEXT entry longer than 16 bytes",
			    val, vn);
		pack[got++] = (uint8_t)byte;
		i += 2;
	}
	if (got != 16)
		return fail(p, "CD-TEXT entry shorter than 16 bytes", val, vn);
	memcpy(p->c->cdtext[ix], pack, sizeof(pack));
	if ((unsigned)ix >= p->c->ncdtext)
		p->c->ncdtext = (unsigned)ix + 1;
	return OPTIMG_OK;
}

static int
key_value(struct ccd_parse *p, const char *s, size_t n)
{
	const char *eq = memchr(s, '=', n);
	size_t kn, vn;
	const char *val;
	long v;

	if (eq == NULL)
		return fail(p, "not a key=value line", s, n);
	kn = (size_t)(eq - s);
	while (kn > 0 && (s[kn - 1] == ' ' || s[kn - 1] == '\t'))
		kn--;
	val = eq + 1;
	vn = n - (size_t)(val - s);
	while (vn > 0 && (*val == ' ' || *val == '\t')) {
		val++;
		vn--;
	}
	switch (p->sec) {
	case SEC_ENTRY:
		if (!number(val, vn, &v))
			return fail(p, "bad number", val, vn);
		return entry_key(p, s, kn, v);
	case SEC_TRACK:
		return track_key(p, s, kn, val, vn);
	case SEC_CDTEXT:
		return cdtext_key(p, s, kn, val, vn);
	case SEC_DISC:
		if (kn == 7 && strncasecmp(s, "CATALOG", 7) == 0)
			memcpy(p->c->catalog, val, OI_MIN(vn, (size_t)13));
		return OPTIMG_OK;
	default:
		return OPTIMG_OK;
	}
}

static int
ccd_parse(const char *text, size_t len, struct ccd *c,
    struct optimg_error *err)
{
	struct ccd_parse p = { .c = c, .err = err, .point = -1 };
	const char *s = text, *end = text + len;

	memset(c, 0, sizeof(*c));
	for (unsigned i = 0; i < 100; i++) {
		c->track[i].mode = -1;
		for (unsigned k = 0; k < OPTIMG_MAX_INDEX; k++)
			c->track[i].index[k] = OPTIMG_NO_INDEX;
	}
	while (s < end) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		const char *e = eol != NULL ? eol : end;
		size_t n;

		p.line++;
		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		n = (size_t)(e - s);
		while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' '))
			n--;
		if (n > 0 && *s == '[') {
			if (s[n - 1] != ']')
				return fail(&p, "unclosed section", s, n);
			OI_TRY(section(&p, s + 1, n - 2));
		} else if (n > 0 && *s != ';' && *s != '#')
			OI_TRY(key_value(&p, s, n));
		s = e + (eol != NULL);
	}
	entry_done(&p);
	if (!c->clonecd)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "line 1: no [CloneCD] section");
	return OPTIMG_OK;
}

/* ---- the image ----------------------------------------------------------- */

static int
ccd_probe(const struct oi_probe *p)
{
	static const char sig[] = "[CloneCD]";
	size_t i = 0;

	if (p->head_len >= 3 && memcmp(p->head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < p->head_len && (p->head[i] == '\r' || p->head[i] == '\n' ||
	    p->head[i] == ' '))
		i++;
	return p->head_len - i >= sizeof(sig) - 1 &&
	    strncasecmp((const char *)p->head + i, sig, sizeof(sig) - 1) == 0 ?
	    95 : 0;
}

/* NAME.ext beside the sheet, ext in lower case, then upper. */
static char *
sibling(const char *path, const char *lower, const char *upper)
{
	const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
	size_t n = dot != NULL && (slash == NULL || dot > slash) ?
	    (size_t)(dot - path) : strlen(path);
	char *s = malloc(n + 5);
	FILE *f;

	if (s == NULL)
		return NULL;
	memcpy(s, path, n);
	memcpy(s + n, lower, 5);
	if ((f = fopen(s, "rb")) != NULL) {
		fclose(f);
		return s;
	}
	memcpy(s + n, upper, 5);
	return s;
}

static int
add_tracks(struct optimg_image *img, const struct ccd *c, const char *path)
{
	for (unsigned n = 1; n <= 99; n++) {
		const struct ccd_track *ct = &c->track[n];
		struct optimg_track *t;

		if (!ct->seen)
			continue;
		OI_TRY(oi_image_add_track(img, &t));
		t->number = n;
		t->mode = ct->mode == 0 || (ct->mode < 0 && !(ct->control & 4)) ?
		    OPTIMG_TRACK_AUDIO : ct->mode == 2 ? OPTIMG_TRACK_MODE2 :
		    OPTIMG_TRACK_MODE1;
		t->storage = OPTIMG_STORE_RAW;
		t->sector_size = OPTIMG_RAW_SECTOR;
		t->flags = ct->control;
		t->start = ct->start;
		memcpy(t->isrc, ct->isrc, sizeof(t->isrc));
		for (unsigned k = 2; k < OPTIMG_MAX_INDEX; k++)
			t->index[k] = ct->index[k];
		if (ct->index[0] != OPTIMG_NO_INDEX && ct->index[0] < t->start)
			t->index[0] = ct->index[0];
		if (t->start < 0 || t->start >= c->leadout)
			return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s': "
			    "track %u starts at %ld, outside the disc", path,
			    n, (long)t->start);
	}
	return OPTIMG_OK;
}

static int
add_data(struct optimg_image *img, const struct ccd *c, const char *path)
{
	struct oi_fragment f = { .fill = OI_FILL_FILE,
	    .sector_size = OPTIMG_RAW_SECTOR, .mode = OPTIMG_TRACK_MODE1 };
	char *img_path = sibling(path, ".img", ".IMG");
	char *sub_path = sibling(path, ".sub", ".SUB");
	unsigned ss;
	int rc;

	if (img_path == NULL || sub_path == NULL) {
		free(img_path);
		free(sub_path);
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	}
	rc = oi_image_add_stream(img, img_path, &f.stream);
	if (rc == OPTIMG_OK && img->streams[f.stream].size <
	    (uint64_t)c->leadout * OPTIMG_RAW_SECTOR)
		rc = oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s' holds %llu "
		    "bytes, less than the %ld sectors the TOC gives", img_path,
		    (unsigned long long)img->streams[f.stream].size,
		    (long)c->leadout);
	if (rc == OPTIMG_OK && oi_image_add_stream(img, sub_path, &ss) ==
	    OPTIMG_OK && img->streams[ss].size >=
	    (uint64_t)c->leadout * OPTIMG_SUBCHANNEL) {
		f.sub = OI_SUB_STREAM;
		f.sub_linear = true;
		f.sub_stream = ss;
		for (unsigned i = 0; i < img->disc.ntracks; i++)
			img->disc.tracks[i].subchannel = true;
	}
	oi_error_clear(&img->err);
	free(img_path);
	free(sub_path);
	OI_TRY(rc);
	/* One fragment a track, so each synthesises sectors of its mode. */
	for (unsigned i = 0; i < img->disc.ntracks; i++) {
		int32_t from = i == 0 ? 0 : img->disc.tracks[i].start;
		int32_t to = i + 1 < img->disc.ntracks ?
		    img->disc.tracks[i + 1].start : c->leadout;
		if (i + 1 < img->disc.ntracks &&
		    img->disc.tracks[i + 1].index[0] != OPTIMG_NO_INDEX)
			to = img->disc.tracks[i + 1].index[0];
		if (i > 0 && img->disc.tracks[i].index[0] != OPTIMG_NO_INDEX)
			from = img->disc.tracks[i].index[0];
		f.lba = from;
		f.count = (uint32_t)(to - from);
		f.offset = (uint64_t)from * OPTIMG_RAW_SECTOR;
		f.sub_offset = (uint64_t)from * OPTIMG_SUBCHANNEL;
		f.mode = img->disc.tracks[i].mode;
		if (to < from)
			return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s': "
			    "track %u starts before the track above it", path,
			    img->disc.tracks[i].number);
		OI_TRY(oi_image_add_fragment(img, &f));
	}
	return OPTIMG_OK;
}

static int
ccd_open(struct optimg_image *img, const char *path)
{
	struct ccd *c = malloc(sizeof(*c));
	char *text = NULL, msg[OPTIMG_ERRMSG_MAX];
	size_t len;
	int rc;

	if (c == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_read_small_file(path, CCD_MAX_BYTES, &text, &len, &img->err);
	if (rc == OPTIMG_OK) {
		rc = ccd_parse(text, len, c, &img->err);
		if (rc < 0) {
			memcpy(msg, img->err.message, sizeof(msg));
			oi_set_error(&img->err, rc, "'%s' %s", path, msg);
		}
	}
	if (rc == OPTIMG_OK && (!c->has_leadout || c->leadout <= 0))
		rc = oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s': no lead-out entry (point A2)", path);
	if (rc == OPTIMG_OK && c->sessions > 1)
		rc = oi_set_error(&img->err, OPTIMG_EUNSUPP, "'%s': CloneCD "
		    "images of %u sessions are not read yet", path,
		    c->sessions);
	if (rc == OPTIMG_OK)
		rc = add_tracks(img, c, path);
	if (rc == OPTIMG_OK && img->disc.ntracks == 0)
		rc = oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s': no track entries", path);
	if (rc == OPTIMG_OK)
		memcpy(img->disc.catalog, c->catalog, sizeof(c->catalog));
	if (rc == OPTIMG_OK && c->ncdtext > 0)
		rc = oi_cdtext_from_packs(&img->disc, &c->cdtext[0][0],
		    (size_t)c->ncdtext * 18, &img->err);
	if (rc == OPTIMG_OK)
		rc = add_data(img, c, path);
	if (rc == OPTIMG_OK)
		rc = oi_image_finish_layout(img);
	free(text);
	free(c);
	return rc;
}

const struct oi_format oi_format_ccd = {
	.name = "ccd",
	.description = "CloneCD",
	.probe = ccd_probe,
	.open = ccd_open,
};
