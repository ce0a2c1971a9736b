/*
 * fmt_mds.c - Alcohol 120% images: a .mds descriptor, version 1, and the
 * .mdf file(s) with the sectors.
 *
 * Alcohol published no specification; the layout is libmirage's
 * (images/image-mds: image-mds.h and parser.c), found by editing images
 * and feeding them to Alcohol.  All numbers are little-endian.
 *
 * Header (88 bytes at 0): "MEDIA DESCRIPTOR", the version (1, minor) at
 * 16, the medium type at 18 (0 CD-ROM, 1 CD-R, 2 CD-RW, 0x10 DVD-ROM,
 * 0x12 DVD-R), the session count at 20, the BCA length at 26 and offset
 * at 36, the disc structures' offset at 64, the session blocks' offset
 * at 80 and the DPM blocks' offset at 84.
 *
 * Session block (24 bytes): first and last sector (signed), session
 * number, count of all blocks and of lead-in blocks, first and last
 * track, 4 bytes, the offset of its track blocks.
 *
 * Track block (80 bytes): the mode (low nibble: 1 audio, 2 Mode 1, 0, 3
 * and 7 Mode 2, 4 Mode 2 Form 1, 5 Form 2), the subchannel (0 none, 8
 * 96 bytes of P-W after each sector, counted in the sector size), then
 * the Q entry of the full TOC (control/ADR, TNO, POINT, MSF, zero, PMSF:
 * POINT 1..99 is a track, 0xA0..0xA2 lead-in entries), the offset of an
 * extra block at 12, the sector size at 16, the track's first sector
 * (INDEX 01) at 36, its byte offset in the .mdf at 40 (64-bit), the
 * count of .mdf files at 48 and the offset of their footers at 52.
 * Extra block (8 bytes, CDs): the pregap and the length in sectors.  The
 * pregap is not in the .mdf.  Footer (16 bytes): the offset of the file
 * name in the .mds, and whether it is in 16-bit characters; "*.mdf"
 * means the .mds's own name with that extension.  Several files split
 * one track; only one file per track is read here.  Between sessions
 * lie their lead-out and lead-in, stored nowhere.
 *
 * DPM (data position measurement, angular timing of the sectors some
 * copy protections check): a count, offsets, and per block its number,
 * first sector, resolution, entry count and 32-bit entries.  The model
 * has no place for it: it is kept as an opaque blob the info command
 * names.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define MDS_MAX_BYTES	(16u << 20)
#define MDS_HEADER	88
#define MDS_SESSION	24
#define MDS_TRACK	80
#define MDS_NAME_MAX	4096

struct mds {
	struct optimg_image	*img;
	const char		*name;
	const uint8_t		*buf;
	size_t			 len;
	unsigned		 medium;
	int64_t			 next_lba;
};

static int
fail(struct mds *m, uint64_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct mds *m, uint64_t at, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oi_set_error(&m->img->err, OPTIMG_EFORMAT, "'%s' byte %llu: %s",
	    m->name, (unsigned long long)at, msg);
}

/* n bytes at off lie inside the descriptor. */
static bool
inside(const struct mds *m, uint64_t off, uint64_t n)
{
	return off <= m->len && n <= m->len - off;
}

/* ---- file names ---------------------------------------------------------- */

/* The track file's name as UTF-8, from the footer at off. */
static int
file_name(struct mds *m, uint64_t off, char **out)
{
	uint32_t at, wide;
	size_t n = 0;
	char *s;

	if (!inside(m, off, 16))
		return fail(m, off, "a file footer lies outside the descriptor");
	at = oi_le32dec(m->buf + off);
	wide = oi_le32dec(m->buf + off + 4);
	if ((s = malloc(3 * MDS_NAME_MAX + 1)) == NULL)
		return oi_set_error(&m->img->err, OPTIMG_ENOMEM,
		    "out of memory");
	for (uint64_t p = at; ; p += wide ? 2 : 1) {
		unsigned c;
		if (!inside(m, p, wide ? 2 : 1) || n >= 3 * MDS_NAME_MAX) {
			free(s);
			return fail(m, at, "the file name is not ended inside "
			    "the descriptor");
		}
		c = wide ? oi_le16dec(m->buf + p) : m->buf[p];
		if (c == 0)
			break;
		if (c < 0x80)
			s[n++] = (char)c;
		else if (c < 0x800) {	/* Latin-1 or UCS-2, kept as UTF-8 */
			s[n++] = (char)(0xc0 | c >> 6);
			s[n++] = (char)(0x80 | (c & 0x3f));
		} else {
			s[n++] = (char)(0xe0 | c >> 12);
			s[n++] = (char)(0x80 | (c >> 6 & 0x3f));
			s[n++] = (char)(0x80 | (c & 0x3f));
		}
	}
	s[n] = '\0';
	*out = s;
	return OPTIMG_OK;
}

/* "*.mdf" stands for the descriptor's own name with that extension. */
static char *
data_path(const char *mds, const char *name)
{
	const char *slash = strrchr(mds, '/'), *dot;
	char *dir, *path, *base;
	size_t n;

	if (name[0] != '*') {
		dir = oi_dir_of(mds);
		path = dir != NULL ? oi_find_file(dir, name) : NULL;
		free(dir);
		return path;
	}
	dot = strrchr(slash != NULL ? slash : mds, '.');
	n = dot != NULL ? (size_t)(dot - mds) : strlen(mds);
	if ((base = malloc(n + strlen(name))) == NULL)
		return NULL;
	memcpy(base, mds, n);
	strcpy(base + n, name + 1);
	return base;
}

/* ---- tracks -------------------------------------------------------------- */

static int
track_mode(struct mds *m, uint64_t at, unsigned code, unsigned size,
    unsigned sub, enum optimg_track_mode *mode, unsigned *file_size)
{
	switch (code & 0x0f) {
	case 1: case 9:
		*mode = OPTIMG_TRACK_AUDIO;
		break;
	case 2: case 10:
		*mode = OPTIMG_TRACK_MODE1;
		break;
	case 0: case 3: case 4: case 5: case 7:
	case 8: case 11: case 12: case 13: case 15:
		*mode = OPTIMG_TRACK_MODE2;
		break;
	default:
		return fail(m, at, "unknown track mode 0x%02x", code);
	}
	if (sub != 0 && sub != 8)
		return fail(m, at, "unknown subchannel mode 0x%02x", sub);
	*file_size = size;
	if ((sub == 8 && size != 2448) || (sub == 0 && size != 2048 &&
	    size != 2336 && size != 2352))
		return fail(m, at, "%u-byte sectors with subchannel mode %u",
		    size, sub);
	if ((*mode == OPTIMG_TRACK_AUDIO && size < 2352) ||
	    (*mode == OPTIMG_TRACK_MODE1 && size == 2336))
		return fail(m, at, "mode 0x%02x with %u-byte sectors", code,
		    size);
	return OPTIMG_OK;
}

struct mds_track {
	uint64_t	at;
	unsigned	mode, sub, ctl, point, size;
	uint32_t	extra, start, files, footer;
	uint64_t	offset;
	uint32_t	pregap, length;
};

static int
read_track(struct mds *m, uint64_t at, struct mds_track *t)
{
	const uint8_t *p = m->buf + at;

	if (!inside(m, at, MDS_TRACK))
		return fail(m, at, "a track block lies outside the descriptor");
	t->at = at;
	t->mode = p[0];
	t->sub = p[1];
	t->ctl = p[2] & 0x0f;
	t->point = p[4];
	t->extra = oi_le32dec(p + 12);
	t->size = oi_le16dec(p + 16);
	t->start = oi_le32dec(p + 36);
	t->offset = oi_le64dec(p + 40);
	t->files = oi_le32dec(p + 48);
	t->footer = oi_le32dec(p + 52);
	t->pregap = t->length = 0;
	if (t->point < 1 || t->point > 99)
		return OPTIMG_OK;
	if (m->medium >= 0x10)
		return fail(m, at, "DVD images are not read yet");
	if (t->extra == 0 || !inside(m, t->extra, 8))
		return fail(m, at, "track %u has no extra block inside the "
		    "descriptor", t->point);
	t->pregap = oi_le32dec(m->buf + t->extra);
	t->length = oi_le32dec(m->buf + t->extra + 4);
	if (t->files != 1)
		return oi_set_error(&m->img->err, OPTIMG_EUNSUPP, "'%s' byte "
		    "%llu: track %u is split over %lu files", m->name,
		    (unsigned long long)at, t->point, (unsigned long)t->files);
	return OPTIMG_OK;
}

/* Opens (or finds already open) the track's file; *stream its number. */
static int
track_stream(struct mds *m, const struct mds_track *t, unsigned *stream)
{
	char *name = NULL, *path = NULL;
	int rc;

	OI_TRY(file_name(m, t->footer, &name));
	path = data_path(m->name, name);
	if (path == NULL || !oi_path_exists(path)) {
		rc = oi_set_error(&m->img->err, OPTIMG_ENOENT, "'%s' byte %llu: "
		    "cannot find '%s'", m->name, (unsigned long long)t->footer,
		    path != NULL && name[0] == '*' ? path : name);
		free(path);
		free(name);
		return rc;
	}
	free(name);
	for (unsigned i = 0; i < m->img->nstreams; i++)
		if (strcmp(m->img->streams[i].path, path) == 0) {
			*stream = i;
			free(path);
			return OPTIMG_OK;
		}
	rc = oi_image_add_stream(m->img, path, stream);
	free(path);
	return rc;
}

/* One track; opens says it is the first of its session. */
static int
add_track(struct mds *m, const struct mds_track *t, unsigned session,
    bool opens)
{
	struct oi_fragment f = { .fill = OI_FILL_FILE };
	struct oi_fragment gap = { .fill = OI_FILL_ZERO };
	struct optimg_track *dt;
	const struct oi_stream *st;
	enum optimg_track_mode mode = OPTIMG_TRACK_AUDIO;
	unsigned size = 0;
	int64_t first = (int64_t)t->start - t->pregap;

	OI_TRY(track_mode(m, t->at, t->mode, t->size, t->sub, &mode, &size));
	if (first < m->next_lba || t->length == 0 ||
	    (int64_t)t->start + t->length > INT32_MAX)
		return fail(m, t->at, "track %u: sectors %lld..%lld overlap the "
		    "track before or lie past the disc", t->point,
		    (long long)first, (long long)t->start + t->length);
	if (opens && m->img->disc.ntracks > 0)
		OI_TRY(oi_image_add_session_gap(m->img, (int32_t)m->next_lba,
		    (int32_t)first));
	OI_TRY(track_stream(m, t, &f.stream));
	st = &m->img->streams[f.stream];
	if (t->offset > st->size ||
	    (uint64_t)t->length * size > st->size - t->offset)
		return fail(m, t->at, "track %u: %lu sectors of %u bytes at "
		    "byte %llu run past the end of '%s'", t->point,
		    (unsigned long)t->length, size,
		    (unsigned long long)t->offset, st->path);
	/* What lies before LBA 0 is the lead-in's pregap, which no image
	 * of an unstored pregap (an ISO, a cue) gives track 1 either. */
	if (first < 0)
		first = 0;
	gap.lba = (int32_t)first;
	gap.count = (uint32_t)(t->start - first);
	gap.sector_size = size;
	gap.mode = mode;
	OI_TRY(oi_image_add_fragment(m->img, &gap));
	f.lba = (int32_t)t->start;
	f.count = t->length;
	f.offset = t->offset;
	f.sector_size = size;
	f.mode = mode;
	f.sub = size == 2448 ? OI_SUB_INLINE : OI_SUB_NONE;
	OI_TRY(oi_image_add_fragment(m->img, &f));
	OI_TRY(oi_image_add_track(m->img, &dt));
	dt->number = t->point;
	dt->session = session;
	dt->mode = mode;
	dt->sector_size = size;
	dt->storage = oi_storage_of_size(size);
	dt->subchannel = size == 2448;
	dt->start = (int32_t)t->start;
	dt->pregap_unstored = gap.count;
	dt->flags = (t->ctl & (OPTIMG_FLAG_PRE | OPTIMG_FLAG_DCP |
	    OPTIMG_FLAG_4CH)) | (mode != OPTIMG_TRACK_AUDIO ? OPTIMG_FLAG_DATA : 0);
	m->next_lba = (int64_t)t->start + t->length;
	return OPTIMG_OK;
}

static int
read_session(struct mds *m, uint64_t at, unsigned session)
{
	const uint8_t *p = m->buf + at;
	unsigned blocks;
	uint32_t tracks;
	struct mds_track t = { 0 };

	if (!inside(m, at, MDS_SESSION))
		return fail(m, at, "session block %u lies outside the "
		    "descriptor", session);
	blocks = p[10];
	tracks = oi_le32dec(p + 20);
	if (!inside(m, tracks, (uint64_t)blocks * MDS_TRACK))
		return fail(m, at, "session %u's %u track blocks lie outside "
		    "the descriptor", session, blocks);
	for (unsigned i = 0, n = 0; i < blocks; i++) {
		OI_TRY(read_track(m, tracks + (uint64_t)i * MDS_TRACK, &t));
		if (t.point >= 1 && t.point <= 99)
			OI_TRY(add_track(m, &t, session, n++ == 0));
	}
	return OPTIMG_OK;
}

/* ---- DPM ----------------------------------------------------------------- */

/* Keeps the DPM blocks as they are, with a line that says what they are. */
static int
keep_dpm(struct mds *m, uint32_t off)
{
	char summary[160];
	uint32_t n, first, end = off;

	if (!inside(m, off, 4))
		return fail(m, off, "the DPM blocks lie outside the descriptor");
	n = oi_le32dec(m->buf + off);
	if (n == 0 || n > 64 || !inside(m, off, 4 + 4 * (uint64_t)n))
		return fail(m, off, "%lu DPM blocks", (unsigned long)n);
	first = oi_le32dec(m->buf + off + 4);
	for (uint32_t i = 0; i < n; i++) {
		uint32_t b = oi_le32dec(m->buf + off + 4 + 4 * i), entries;
		if (!inside(m, b, 16))
			return fail(m, off, "DPM block %lu lies outside the "
			    "descriptor", (unsigned long)i);
		entries = oi_le32dec(m->buf + b + 12);
		if (!inside(m, b + 16, 4 * (uint64_t)entries))
			return fail(m, b, "DPM block %lu's %lu entries lie "
			    "outside the descriptor", (unsigned long)i,
			    (unsigned long)entries);
		end = OI_MAX(end, b + 16 + 4 * entries);
	}
	snprintf(summary, sizeof(summary), "%lu block(s); the first from "
	    "sector %lu, every %lu sectors, %lu entries", (unsigned long)n,
	    (unsigned long)oi_le32dec(m->buf + first + 4),
	    (unsigned long)oi_le32dec(m->buf + first + 8),
	    (unsigned long)oi_le32dec(m->buf + first + 12));
	return oi_disc_add_blob(&m->img->disc, "DPM", summary, m->buf + off,
	    end - off, &m->img->err);
}

/* ---- the whole descriptor -------------------------------------------------- */

int
oi_mds_parse(struct optimg_image *img, const char *name, const uint8_t *buf,
    size_t len)
{
	struct mds m = {
		.img = img,
		.name = name,
		.buf = buf,
		.len = len,
		.next_lba = -OPTIMG_MSF_OFFSET,
	};
	unsigned nsessions;
	uint32_t sessions, dpm;

	if (len < MDS_HEADER || memcmp(buf, "MEDIA DESCRIPTOR", 16) != 0)
		return fail(&m, 0, "not an Alcohol 120%% descriptor");
	if (buf[16] != 1)
		return oi_set_error(&img->err, OPTIMG_EUNSUPP, "'%s' byte 16: "
		    "descriptor version %u.%u; only version 1 is read", name,
		    buf[16], buf[17]);
	m.medium = oi_le16dec(buf + 18);
	nsessions = oi_le16dec(buf + 20);
	sessions = oi_le32dec(buf + 80);
	dpm = oi_le32dec(buf + 84);
	if (nsessions == 0 || nsessions > 99)
		return fail(&m, 20, "%u sessions", nsessions);
	for (unsigned s = 0; s < nsessions; s++)
		OI_TRY(read_session(&m, sessions + (uint64_t)s * MDS_SESSION,
		    s + 1));
	if (img->disc.ntracks == 0)
		return fail(&m, sessions, "no tracks");
	if (dpm != 0)
		OI_TRY(keep_dpm(&m, dpm));
	return oi_image_finish_layout(img);
}

static int
mds_probe(const struct oi_probe *p)
{
	if (p->head_len >= 17 &&
	    memcmp(p->head, "MEDIA DESCRIPTOR\x01", 17) == 0)
		return 100;
	return 0;
}

static int
mds_open(struct optimg_image *img, const char *path)
{
	char *text = NULL;
	size_t len;
	int rc;

	rc = oi_read_small_file(path, MDS_MAX_BYTES, &text, &len, &img->err);
	if (rc == 0)
		rc = oi_mds_parse(img, path, (const uint8_t *)text, len);
	free(text);
	return rc;
}

const struct oi_format oi_format_mds = {
	.name = "mds",
	.description = "Alcohol 120% MDS",
	.probe = mds_probe,
	.open = mds_open,
};
