/*
 * fmt_toc.c - cdrdao's TOC files: the text (toc_parse.c) names the files
 * that hold each track's data; this file opens them and lays the tracks
 * out on the disc model, one fragment per FILE, DATAFILE, SILENCE or ZERO
 * statement, track 1 from LBA 0 and each track right after the one before
 * (cdrdao's Toc::update).
 *
 * File names are relative to the TOC's directory.  Audio in a raw file
 * is big-endian (cdrdao(1): "MSBLeft LSBLeft ..."), in a .wav file
 * little-endian after its header; SWAP turns either round.  Audio with a
 * sub-channel mode is taken as it is, as cdrdao does.  RW_RAW is the raw
 * interleaved P-W a drive returns, 96 bytes after each 2352-byte block;
 * cdrdao takes only R-W from it when writing, the P and Q kept here are
 * what the file holds.
 *
 * What a TOC can say that optimg does not read yet is refused by name:
 * packed R-W (RW), RW_RAW after a cooked block, a file whose data is not
 * a whole number of blocks (cdrdao pads it with zeros).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "toc.h"

#define TOC_MAX_BYTES	(1024u * 1024)
#define PROBE_WORDS	64

/* ---- probe --------------------------------------------------------------- */

/* The next word of head from *i on, past blanks, comments and strings. */
static size_t
probe_word(const uint8_t *h, size_t len, size_t *i, bool *comment)
{
	size_t w;

	for (;;) {
		while (*i < len && (h[*i] == ' ' || h[*i] == '\t' ||
		    h[*i] == '\r' || h[*i] == '\n' || h[*i] == ':' ||
		    h[*i] == '{' || h[*i] == '}' || h[*i] == ','))
			(*i)++;
		if (*i + 1 < len && h[*i] == '/' && h[*i + 1] == '/') {
			*comment = true;
			while (*i < len && h[*i] != '\n')
				(*i)++;
		} else if (*i < len && h[*i] == '"') {
			for ((*i)++; *i < len && h[*i] != '"' && h[*i] != '\n';)
				(*i)++;
			(*i)++;
		} else
			break;
	}
	for (w = *i; *i < len && h[*i] > ' ' && h[*i] != '"' && h[*i] < 0x7f;)
		(*i)++;
	return *i - w;
}

static bool
word_is(const uint8_t *w, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(w, s, n) == 0;
}

/*
 * 95 when the text starts as a TOC does and has "TRACK <mode>" or a TOC
 * type (a cue sheet's TRACK takes a number first), else 0.
 */
static int
toc_probe(const struct oi_probe *p)
{
	static const char *const first[] = { "CATALOG", "CD_DA", "CD_ROM",
	    "CD_ROM_XA", "CD_I", "FIRST_TRACK_NO", "CD_TEXT", "TRACK" };
	static const char *const modes[] = { "AUDIO", "MODE1", "MODE1_RAW",
	    "MODE2", "MODE2_FORM1", "MODE2_FORM2", "MODE2_FORM_MIX",
	    "MODE2_RAW" };
	const uint8_t *h = p->head;
	size_t len = OI_MIN(p->head_len, (size_t)4096), i = 0, n;
	bool comment = false, ok = false, track = false;

	if (len >= 3 && memcmp(h, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	for (size_t k = i; k < len; k++)
		if (h[k] < 0x20 && h[k] != '\t' && h[k] != '\n' && h[k] != '\r')
			return 0;
	n = probe_word(h, len, &i, &comment);
	for (unsigned k = 0; k < OI_ARRAY_SIZE(first); k++)
		ok = ok || word_is(h + i - n, n, first[k]);
	if (!ok)
		return 0;
	for (unsigned w = 0; w < PROBE_WORDS && n > 0; w++) {
		for (unsigned k = 0; k < OI_ARRAY_SIZE(modes); k++)
			if (track && word_is(h + i - n, n, modes[k]))
				return 95;
		for (unsigned k = 1; k < 5; k++)
			if (word_is(h + i - n, n, first[k]))
				return 95;
		track = word_is(h + i - n, n, "TRACK");
		n = probe_word(h, len, &i, &comment);
	}
	return 0;
}

/* ---- open ------------------------------------------------------------------ */

struct toc_open {
	struct optimg_image	*img;
	const char		*path;		/* the TOC, for messages */
	char			*dir;
	struct oi_toc		*toc;
	int32_t			 lba;		/* next sector to lay */
};

static int
fail(struct toc_open *o, int code, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(struct toc_open *o, int code, unsigned line, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oi_set_error(&o->img->err, code, "'%s' line %u: %s", o->path,
	    line, msg);
}

static bool
is_wave(const char *name)
{
	size_t n = strlen(name);

	return n >= 4 && strcasecmp(name + n - 4, ".wav") == 0;
}

/* The data chunk of a RIFF WAVE stream: *start, *size. */
static int
wave_data(struct toc_open *o, const struct oi_toc_part *pt, unsigned s,
    uint64_t *start, uint64_t *size)
{
	struct oi_stream *st = &o->img->streams[s];
	uint64_t off = 12;
	uint8_t h[24];

	if (st->size < 12 || oi_stream_pread(st, h, 12, 0, &o->img->err) < 0 ||
	    memcmp(h, "RIFF", 4) != 0 || memcmp(h + 8, "WAVE", 4) != 0)
		return fail(o, OPTIMG_EFORMAT, pt->line, "'%s' is not a RIFF "
		    "WAVE file", pt->name);
	for (unsigned n = 0; n < 4096 && off + 8 <= st->size; n++) {
		uint32_t len;
		OI_TRY(oi_stream_pread(st, h, 8, off, &o->img->err));
		len = oi_le32dec(h + 4);
		if (memcmp(h, "fmt ", 4) == 0 && len >= 16 &&
		    off + 8 + 16 <= st->size) {
			OI_TRY(oi_stream_pread(st, h + 8, 16, off + 8,
			    &o->img->err));
			if (oi_le16dec(h + 10) != 2 ||
			    oi_le32dec(h + 12) != 44100 ||
			    oi_le16dec(h + 22) != 16)
				return fail(o, OPTIMG_EUNSUPP, pt->line, "'%s' "
				    "is not 16-bit stereo 44100 Hz audio",
				    pt->name);
		} else if (memcmp(h, "data", 4) == 0) {
			*start = off + 8;
			*size = OI_MIN((uint64_t)len, st->size - off - 8);
			return OPTIMG_OK;
		}
		off += 8 + (uint64_t)len + (len & 1);
	}
	return fail(o, OPTIMG_EFORMAT, pt->line, "'%s' has no data chunk",
	    pt->name);
}

/* Opens a part's file (once per name): stream, where data starts, bytes. */
static int
open_part_file(struct toc_open *o, const struct oi_toc_part *pt, bool audio,
    unsigned *s, uint64_t *start, uint64_t *size)
{
	char *path = oi_find_file(o->dir, pt->name);
	int rc;

	if (path == NULL)
		return fail(o, OPTIMG_ENOENT, pt->line, "cannot find '%s'",
		    pt->name);
	*s = o->img->nstreams;
	for (unsigned i = 0; i < o->img->nstreams; i++)
		if (strcmp(o->img->streams[i].path, path) == 0)
			*s = i;
	rc = *s < o->img->nstreams ? OPTIMG_OK :
	    oi_image_add_stream(o->img, path, s);
	free(path);
	if (rc < 0)
		return fail(o, rc, pt->line, "%s", o->img->err.message);
	*start = 0;
	*size = o->img->streams[*s].size;
	if (audio && is_wave(pt->name))
		OI_TRY(wave_data(o, pt, *s, start, size));
	return OPTIMG_OK;
}

static enum optimg_track_mode
model_mode(enum oi_toc_mode m, bool cdi)
{
	switch (m) {
	case OI_TOC_AUDIO:
		return OPTIMG_TRACK_AUDIO;
	case OI_TOC_MODE1:
	case OI_TOC_MODE1_RAW:
		return OPTIMG_TRACK_MODE1;
	default:
		return cdi ? OPTIMG_TRACK_CDI : OPTIMG_TRACK_MODE2;
	}
}

/* The fragment's sector size for a part's mode and sub-channel mode. */
static int
part_sector_size(struct toc_open *o, const struct oi_toc_part *pt,
    unsigned *size)
{
	unsigned base = oi_toc_block_size(pt->mode, OI_TOC_SUB_NONE);

	*size = base;
	if (pt->sub == OI_TOC_SUB_NONE)
		return OPTIMG_OK;
	if (pt->sub == OI_TOC_SUB_RW)
		return fail(o, OPTIMG_EUNSUPP, pt->line, "packed R-W "
		    "sub-channel data (RW) is not read yet; RW_RAW is");
	if (base != OPTIMG_RAW_SECTOR)
		return fail(o, OPTIMG_EUNSUPP, pt->line, "RW_RAW after %s's "
		    "%u-byte blocks is not read yet; it is after AUDIO, "
		    "MODE1_RAW and MODE2_RAW", oi_toc_mode_name(pt->mode),
		    base);
	*size = OPTIMG_RAW_SUB_SECTOR;
	return OPTIMG_OK;
}

/* Lays one part from o->lba on; *blocks receives its length. */
static int
lay_part(struct toc_open *o, const struct oi_toc_part *pt, bool cdi,
    uint32_t *blocks)
{
	struct oi_fragment f = { .lba = o->lba, .mode = model_mode(pt->mode,
	    cdi) };
	bool audio = pt->mode == OI_TOC_AUDIO && pt->sub == OI_TOC_SUB_NONE;
	uint64_t bytes = pt->length, start = 0, size = 0;

	OI_TRY(part_sector_size(o, pt, &f.sector_size));
	if (pt->kind == OI_TOC_SILENCE || pt->kind == OI_TOC_ZERO)
		f.fill = OI_FILL_ZERO;
	else {
		uint64_t at;
		f.fill = OI_FILL_FILE;
		OI_TRY(open_part_file(o, pt, audio, &f.stream, &start, &size));
		at = pt->offset + pt->start;
		if (at > size || (at == size && pt->length == 0))
			return fail(o, OPTIMG_EFORMAT, pt->line, "data from "
			    "byte %llu on lies past the end of '%s' (%llu "
			    "bytes)", (unsigned long long)at, pt->name,
			    (unsigned long long)size);
		if (bytes == 0)
			bytes = size - at;
		if (bytes > size - at)
			return fail(o, OPTIMG_EFORMAT, pt->line, "%llu bytes "
			    "from byte %llu are asked of '%s', which holds "
			    "%llu", (unsigned long long)bytes,
			    (unsigned long long)at, pt->name,
			    (unsigned long long)size);
		f.offset = start + at;
		f.swap16 = audio && (is_wave(pt->name) == pt->swap);
		f.sub = pt->sub == OI_TOC_SUB_RW_RAW ? OI_SUB_INLINE :
		    OI_SUB_NONE;
	}
	if (bytes % f.sector_size != 0)
		return fail(o, OPTIMG_EUNSUPP, pt->line, "%llu bytes are not a "
		    "whole number of %u-byte blocks (cdrdao pads them with "
		    "zeros; optimg does not yet)", (unsigned long long)bytes,
		    f.sector_size);
	if (bytes / f.sector_size > (uint64_t)(INT32_MAX / 2 - o->lba))
		return fail(o, OPTIMG_EFORMAT, pt->line, "the disc grows past "
		    "any sector number");
	*blocks = (uint32_t)(bytes / f.sector_size);
	f.count = *blocks;
	OI_TRY(oi_image_add_fragment(o->img, &f));
	o->lba += (int32_t)*blocks;
	return OPTIMG_OK;
}

static void
take_cdtext(struct optimg_cdtext *to, struct optimg_cdtext *from)
{
	*to = *from;
	memset(from, 0, sizeof(*from));
}

/* Mode, storage and sizes of a model track from the TOC's. */
static void
track_kind(struct optimg_track *t, const struct oi_toc_track *tt, bool cdi)
{
	t->mode = model_mode(tt->mode, cdi);
	switch (tt->mode) {
	case OI_TOC_MODE1:
	case OI_TOC_MODE2_FORM1:
		t->storage = OPTIMG_STORE_USER;
		t->sector_size = OPTIMG_USER_SECTOR;
		break;
	case OI_TOC_MODE2:
	case OI_TOC_MODE2_FORM2:
	case OI_TOC_MODE2_FORM_MIX:
		t->storage = OPTIMG_STORE_MODE2;
		t->sector_size = 2336;
		break;
	default:
		t->storage = OPTIMG_STORE_RAW;
		t->sector_size = tt->sub == OI_TOC_SUB_RW_RAW ?
		    OPTIMG_RAW_SUB_SECTOR : OPTIMG_RAW_SECTOR;
		break;
	}
	t->subchannel = tt->sub == OI_TOC_SUB_RW_RAW;
	t->flags = tt->flags;
	memcpy(t->isrc, tt->isrc, sizeof(t->isrc));
}

/*
 * Gaps no file holds: zero parts before START (the unstored pregap) and
 * after the last file data (the unstored postgap).
 */
static void
track_gaps(struct optimg_track *t, const struct oi_toc_track *tt,
    const uint32_t *blocks, uint32_t start, uint32_t total)
{
	uint32_t lead = 0, tail = 0;
	unsigned k;

	for (k = 0; k < tt->nparts && tt->parts[k].kind >= OI_TOC_SILENCE;
	    k++)
		lead += blocks[k];
	t->pregap_unstored = OI_MIN(lead, start);
	for (k = tt->nparts; k > 0 && tt->parts[k - 1].kind >= OI_TOC_SILENCE;
	    k--)
		tail += blocks[k - 1];
	if (total - tail > start)
		t->postgap_unstored = tail;
}

static int
lay_indices(struct toc_open *o, struct optimg_track *t,
    const struct oi_toc_track *tt, uint32_t start, uint32_t total)
{
	uint32_t last = 0;

	for (unsigned k = 0; k < tt->nindex; k++) {
		if (tt->index[k] <= last || start + (uint64_t)tt->index[k] >=
		    total)
			return fail(o, OPTIMG_EFORMAT, tt->index_line[k],
			    "INDEX %u lies %s", k + 2, tt->index[k] <= last ?
			    "at or before the index before it" :
			    "at or past the end of the track");
		last = tt->index[k];
		t->index[k + 2] = t->start + (int32_t)tt->index[k];
	}
	return OPTIMG_OK;
}

static int
lay_track(struct toc_open *o, unsigned i, bool cdi)
{
	struct oi_toc_track *tt = &o->toc->tracks[i];
	int32_t first = o->lba;
	uint32_t *blocks, total = 0, start;
	struct optimg_track *t;
	int rc = OPTIMG_OK;

	OI_TRY(oi_image_add_track(o->img, &t));
	t->number = o->toc->first_track + i;
	track_kind(t, tt, cdi);
	take_cdtext(&t->cdtext, &tt->cdtext);
	if ((blocks = oi_calloc(tt->nparts, sizeof(*blocks))) == NULL)
		return oi_set_error(&o->img->err, OPTIMG_ENOMEM,
		    "out of memory");
	for (unsigned k = 0; k < tt->nparts && rc == OPTIMG_OK; k++) {
		rc = lay_part(o, &tt->parts[k], cdi, &blocks[k]);
		total += blocks[k];
	}
	start = 0;
	if (tt->start_at_parts)
		for (unsigned k = 0; k < tt->start_parts; k++)
			start += blocks[k];
	else if (tt->start_given)
		start = (uint32_t)(tt->start /
		    oi_toc_block_size(tt->mode, tt->sub));
	if (rc == OPTIMG_OK && start >= total && tt->start_given)
		rc = fail(o, OPTIMG_EFORMAT, tt->start_line, "START lies at "
		    "or past the end of track %u", t->number);
	if (rc == OPTIMG_OK) {
		t->start = first + (int32_t)start;
		track_gaps(t, tt, blocks, start, total);
		if (start > t->pregap_unstored)
			t->index[0] = first + (int32_t)t->pregap_unstored;
		rc = lay_indices(o, t, tt, start, total);
	}
	free(blocks);
	return rc;
}

static int
layout(struct toc_open *o)
{
	struct optimg_disc *d = &o->img->disc;
	bool cdi = o->toc->type == OI_TOC_CD_I;

	memcpy(d->catalog, o->toc->catalog, sizeof(d->catalog));
	take_cdtext(&d->cdtext, &o->toc->cdtext);
	for (unsigned i = 0; i < o->toc->ntracks; i++)
		OI_TRY(lay_track(o, i, cdi));
	return oi_image_finish_layout(o->img);
}

static int
toc_open(struct optimg_image *img, const char *path)
{
	struct toc_open o = { .img = img, .path = path };
	char *text = NULL, msg[OPTIMG_ERRMSG_MAX];
	size_t len;
	int rc;

	rc = oi_read_small_file(path, TOC_MAX_BYTES, &text, &len, &img->err);
	if (rc == OPTIMG_OK) {
		rc = oi_toc_parse(text, len, &o.toc, &img->err);
		if (rc < 0) {
			memcpy(msg, img->err.message, sizeof(msg));
			oi_set_error(&img->err, rc, "'%s' %s", path, msg);
		}
	}
	if (rc == OPTIMG_OK && (o.dir = oi_dir_of(path)) == NULL)
		rc = oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	if (rc == OPTIMG_OK)
		rc = layout(&o);
	if (rc < 0 && strncmp(img->err.message, "track ", 6) == 0) {
		memcpy(msg, img->err.message, sizeof(msg));
		oi_set_error(&img->err, rc, "'%s': %s", path, msg);
	}
	/* Said only of a TOC that opens: a failure is one line. */
	for (unsigned i = 0; rc == OPTIMG_OK && i < o.toc->nwarnings; i++)
		oi_image_warn(img, "'%s' %s", path, o.toc->warnings[i].text);
	oi_toc_free(o.toc);
	free(o.dir);
	free(text);
	return rc;
}

const struct oi_format oi_format_toc = {
	.name = "toc",
	.description = "cdrdao TOC",
	.probe = toc_probe,
	.open = toc_open,
};
