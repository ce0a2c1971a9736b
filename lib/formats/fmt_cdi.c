/*
 * fmt_cdi.c - DiscJuggler images (.cdi), versions 2, 3 and 3.5 (the
 * format DiscJuggler 4 writes too).
 *
 * Padus published no specification.  The layout below is what DeXT's
 * cdirip (CDI_init, CDI_get_sessions, CDI_read_track,
 * CDI_skip_next_session), libmirage (images/image-cdi) and Aaru
 * (Aaru.Images/DiscJuggler) read; where they differ, the comments say
 * which is followed.  All numbers are little-endian.
 *
 * The file ends with 8 bytes: a version (0x80000004 v2, 0x80000005 v3,
 * 0x80000006 v3.5) and the place of the track table: its offset from the
 * start of the file in v2 and v3, its distance from the end in v3.5.
 * The sector data comes first, from byte 0, track after track.
 *
 * The table: a 16-bit session count, then per session a 16-bit track
 * count (0 for the open session a writable disc ends with), its tracks,
 * and 12 (v2) or 13 bytes before the next session.  A track record:
 *   a 32-bit word; when not 0, 8 more bytes (DiscJuggler 3.00.780 on)
 *   the start mark 00 00 01 00 00 00 FF FF FF FF, twice
 *   4 bytes, a name length and the name of the file it was made from
 *   19 bytes, then a 32-bit word: 0x80000000 and 8 more bytes in images
 *     of DiscJuggler 4 (a capacity and the medium type, 0x98 CD)
 *   a 16-bit index count and a 32-bit length per index: index 0 is the
 *     pregap, index 1 the track, further ones split it (libmirage;
 *     cdirip takes exactly two)
 *   a 32-bit count of CD-TEXT blocks, each 18 fields of a length byte
 *     and that many bytes (libmirage, Aaru), then 2 bytes
 *   the mode (0 audio, 1 Mode 1, 2 Mode 2), 4 bytes, the session and
 *     track number inside the image (from 0), the start (the LBA of the
 *     pregap plus 150: track 1's is 0, Aaru), the sectors on file
 *     (pregap and track; fewer when DiscJuggler truncated it), 16 bytes
 *   the sector size on file (0 2048, 1 2336, 2 2352, 3 2352 + 16 bytes
 *     of Q, 4 2352 + 96 bytes of P-W), the Q control nibble, 9 bytes,
 *     the ISRC (12) and a word saying it is valid
 *   in v3 and v3.5, 5 bytes and a word; when that is 0xFFFFFFFF, 78
 *     more bytes (DiscJuggler 3.00.780 on).
 * A track's bytes are its sectors on file times the sector size, from
 * the end of the track before.  Between sessions lie their lead-out and
 * lead-in, stored nowhere.  The table's tail (the disc's length,
 * volume id, MCN and CD-TEXT) is not read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define CDI_V2		0x80000004u
#define CDI_V3		0x80000005u
#define CDI_V35		0x80000006u
#define CDI_TABLE_MAX	(16u << 20)	/* bytes of track table we read */
#define CDI_INDEX_MAX	99

static const uint8_t start_mark[10] = {
	0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff
};

struct cdi {
	struct optimg_image	*img;
	const char		*name;
	uint32_t		 version;
	const uint8_t		*buf;		/* the table ... */
	size_t			 len;
	size_t			 pos;
	uint64_t		 base;		/* ... at this file offset */
	uint64_t		 data_end;	/* where the table starts */
	uint64_t		 file_pos;	/* next track's bytes */
	unsigned		 stream;
	unsigned		 ntracks;
	int64_t			 next_lba;	/* end of the track before */
};

static int
fail(struct cdi *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* "'x.cdi' byte N: problem", N where the table cursor is. */
static int
fail(struct cdi *c, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oi_set_error(&c->img->err, OPTIMG_EFORMAT, "'%s' byte %llu: %s",
	    c->name, (unsigned long long)(c->base + c->pos), msg);
}

/* ---- the cursor ------------------------------------------------------- */

static int
need(struct cdi *c, size_t n)
{
	if (c->len - c->pos < n)
		return fail(c, "the track table ends inside a record");
	return OPTIMG_OK;
}

static int
skip(struct cdi *c, size_t n)
{
	OI_TRY(need(c, n));
	c->pos += n;
	return OPTIMG_OK;
}

static int
u8(struct cdi *c, unsigned *v)
{
	OI_TRY(need(c, 1));
	*v = c->buf[c->pos++];
	return OPTIMG_OK;
}

static int
u16(struct cdi *c, unsigned *v)
{
	OI_TRY(need(c, 2));
	*v = oi_le16dec(c->buf + c->pos);
	c->pos += 2;
	return OPTIMG_OK;
}

static int
u32(struct cdi *c, uint32_t *v)
{
	OI_TRY(need(c, 4));
	*v = oi_le32dec(c->buf + c->pos);
	c->pos += 4;
	return OPTIMG_OK;
}

/* ---- a track record ------------------------------------------------------ */

struct cdi_track {
	uint32_t	index[CDI_INDEX_MAX];	/* lengths */
	unsigned	nindex;
	uint32_t	mode, session, start, total, size_code, ctl, isrc_ok;
	char		isrc[13];
	uint64_t	at;			/* table offset of the record */
};

static int
head(struct cdi *c)
{
	uint32_t w;
	unsigned len;

	OI_TRY(u32(c, &w));
	if (w != 0)
		OI_TRY(skip(c, 8));
	for (unsigned i = 0; i < 2; i++) {
		OI_TRY(need(c, sizeof(start_mark)));
		if (memcmp(c->buf + c->pos, start_mark, sizeof(start_mark)) != 0)
			return fail(c, "no track start mark");
		c->pos += sizeof(start_mark);
	}
	OI_TRY(skip(c, 4));
	OI_TRY(u8(c, &len));
	OI_TRY(skip(c, len + 19));
	OI_TRY(u32(c, &w));
	if (w == 0x80000000u)
		OI_TRY(skip(c, 8));
	return OPTIMG_OK;
}

static int
indices_and_text(struct cdi *c, struct cdi_track *t)
{
	uint32_t blocks;
	unsigned len;

	OI_TRY(u16(c, &t->nindex));
	if (t->nindex < 2 || t->nindex > CDI_INDEX_MAX)
		return fail(c, "%u indices in a track (2-%u)", t->nindex,
		    CDI_INDEX_MAX);
	for (unsigned i = 0; i < t->nindex; i++)
		OI_TRY(u32(c, &t->index[i]));
	OI_TRY(u32(c, &blocks));
	if (blocks > 8)
		return fail(c, "%lu CD-TEXT blocks", (unsigned long)blocks);
	for (uint32_t b = 0; b < blocks; b++)
		for (unsigned f = 0; f < 18; f++) {
			OI_TRY(u8(c, &len));
			OI_TRY(skip(c, len));
		}
	return skip(c, 2);
}

static int
read_track(struct cdi *c, struct cdi_track *t)
{
	uint32_t w;

	memset(t, 0, sizeof(*t));
	t->at = c->base + c->pos;
	OI_TRY(head(c));
	OI_TRY(indices_and_text(c, t));
	OI_TRY(u32(c, &t->mode));
	OI_TRY(skip(c, 4));
	OI_TRY(u32(c, &t->session));
	OI_TRY(skip(c, 4));
	OI_TRY(u32(c, &t->start));
	OI_TRY(u32(c, &t->total));
	OI_TRY(skip(c, 16));
	OI_TRY(u32(c, &t->size_code));
	OI_TRY(u32(c, &t->ctl));
	OI_TRY(skip(c, 9));
	OI_TRY(need(c, 12));
	memcpy(t->isrc, c->buf + c->pos, 12);
	c->pos += 12;
	OI_TRY(u32(c, &t->isrc_ok));
	if (c->version == CDI_V2)
		return OPTIMG_OK;
	OI_TRY(skip(c, 5));
	OI_TRY(u32(c, &w));
	return w == 0xffffffffu ? skip(c, 78) : OPTIMG_OK;
}

/* ---- into the model ---------------------------------------------------- */

static int
track_kind(struct cdi *c, const struct cdi_track *t, enum optimg_track_mode *m,
    unsigned *size)
{
	static const unsigned sizes[] = { 2048, 2336, 2352, 0, 2448 };

	if (t->mode > 2)
		return fail(c, "track %u has the unknown mode %lu", c->ntracks + 1,
		    (unsigned long)t->mode);
	if (t->size_code == 3)
		return oi_set_error(&c->img->err, OPTIMG_EUNSUPP, "'%s' byte "
		    "%llu: track %u keeps 16 bytes of Q subchannel a sector, "
		    "which optimg does not read", c->name,
		    (unsigned long long)t->at, c->ntracks + 1);
	if (t->size_code >= OI_ARRAY_SIZE(sizes))
		return fail(c, "track %u has the unknown sector size code %lu",
		    c->ntracks + 1, (unsigned long)t->size_code);
	*m = t->mode == 0 ? OPTIMG_TRACK_AUDIO : t->mode == 1 ?
	    OPTIMG_TRACK_MODE1 : OPTIMG_TRACK_MODE2;
	*size = sizes[t->size_code];
	if (*m == OPTIMG_TRACK_AUDIO && *size < 2352)
		return fail(c, "audio track %u with %u-byte sectors",
		    c->ntracks + 1, *size);
	if (*m == OPTIMG_TRACK_MODE1 && *size == 2336)
		return fail(c, "Mode 1 track %u with 2336-byte sectors",
		    c->ntracks + 1);
	return OPTIMG_OK;
}

static int
add_fragment(struct cdi *c, int64_t lba, uint64_t count, enum oi_fill fill,
    uint64_t offset, unsigned size, enum optimg_track_mode mode)
{
	struct oi_fragment f = {
		.lba = (int32_t)lba,
		.count = (uint32_t)count,
		.fill = fill,
		.stream = c->stream,
		.offset = offset,
		.sector_size = size,
		.mode = mode,
		.sub = size == 2448 ? OI_SUB_INLINE : OI_SUB_NONE,
	};

	return oi_image_add_fragment(c->img, &f);
}

/* Checks the track's place on the disc and in the file. */
static int
place(struct cdi *c, const struct cdi_track *t, unsigned size,
    uint64_t *sectors)
{
	int64_t first = (int64_t)t->start - OPTIMG_MSF_OFFSET;

	*sectors = 0;
	for (unsigned i = 0; i < t->nindex; i++) {
		if (i > 0 && t->index[i] == 0)
			return fail(c, "track %u: index %u is empty",
			    c->ntracks + 1, i);
		*sectors += t->index[i];
	}
	if (first < c->next_lba || *sectors == 0 ||
	    first + (int64_t)*sectors > INT32_MAX)
		return fail(c, "track %u: %llu sectors from LBA %lld do not "
		    "follow the track before (which ends at %lld)",
		    c->ntracks + 1, (unsigned long long)*sectors,
		    (long long)first, (long long)c->next_lba);
	if (t->total > *sectors ||
	    (uint64_t)t->total * size > c->data_end - c->file_pos)
		return fail(c, "track %u: %lu sectors of %u bytes at byte %llu "
		    "run past the sector data", c->ntracks + 1,
		    (unsigned long)t->total, size,
		    (unsigned long long)c->file_pos);
	return OPTIMG_OK;
}

/* One track; opens says it is the first of its session. */
static int
add_track(struct cdi *c, const struct cdi_track *t, unsigned session,
    bool opens)
{
	enum optimg_track_mode mode = OPTIMG_TRACK_AUDIO;
	struct optimg_track *dt;
	unsigned size = 0;
	uint64_t sectors;
	int64_t first = (int64_t)t->start - OPTIMG_MSF_OFFSET, at;

	OI_TRY(track_kind(c, t, &mode, &size));
	OI_TRY(place(c, t, size, &sectors));
	if (opens && c->ntracks > 0)
		OI_TRY(oi_image_add_session_gap(c->img, (int32_t)c->next_lba,
		    (int32_t)first));
	OI_TRY(add_fragment(c, first, t->total, OI_FILL_FILE, c->file_pos,
	    size, mode));
	if (t->total < sectors) {
		oi_image_warn(c->img, "'%s' byte %llu: track %u was truncated "
		    "to %lu of its %llu sectors; the rest read as empty",
		    c->name, (unsigned long long)t->at, c->ntracks + 1,
		    (unsigned long)t->total, (unsigned long long)sectors);
		OI_TRY(add_fragment(c, first + t->total, sectors - t->total,
		    OI_FILL_ZERO, 0, size, mode));
	}
	OI_TRY(oi_image_add_track(c->img, &dt));
	dt->number = ++c->ntracks;
	dt->session = session;
	dt->mode = mode;
	dt->sector_size = size;
	dt->storage = oi_storage_of_size(size);
	dt->subchannel = size == 2448;
	dt->flags = (t->ctl & (OPTIMG_FLAG_PRE | OPTIMG_FLAG_DCP |
	    OPTIMG_FLAG_4CH)) | (mode != OPTIMG_TRACK_AUDIO ? OPTIMG_FLAG_DATA : 0);
	at = first;
	if (t->index[0] > 0)
		dt->index[0] = (int32_t)first;
	for (unsigned i = 1; i < t->nindex; i++) {
		at += t->index[i - 1];
		dt->index[i] = (int32_t)at;
	}
	dt->start = dt->index[1];
	if (t->isrc_ok != 0) {
		memcpy(dt->isrc, t->isrc, 12);
		dt->isrc[12] = '\0';
	}
	c->file_pos += (uint64_t)t->total * size;
	c->next_lba = first + (int64_t)sectors;
	return OPTIMG_OK;
}

static int
read_sessions(struct cdi *c)
{
	unsigned nsessions, ntracks, session = 0;
	struct cdi_track t;

	OI_TRY(u16(c, &nsessions));
	if (nsessions == 0 || nsessions > 99)
		return fail(c, "%u sessions", nsessions);
	for (unsigned s = 0; s < nsessions; s++) {
		OI_TRY(u16(c, &ntracks));
		if (ntracks > 99 || c->ntracks + ntracks > 99)
			return fail(c, "more than 99 tracks");
		if (ntracks > 0)
			session++;
		for (unsigned k = 0; k < ntracks; k++) {
			OI_TRY(read_track(c, &t));
			OI_TRY(add_track(c, &t, session, k == 0));
		}
		OI_TRY(skip(c, c->version == CDI_V2 ? 12 : 13));
	}
	if (c->ntracks == 0)
		return fail(c, "no tracks");
	return OPTIMG_OK;
}

/* Where the table starts, from the trailer; 0 when it is not a CDI's. */
static uint64_t
table_offset(const uint8_t *trailer, uint64_t size, uint32_t *version)
{
	uint32_t v = oi_le32dec(trailer), off = oi_le32dec(trailer + 4);

	*version = v;
	if (v != CDI_V2 && v != CDI_V3 && v != CDI_V35)
		return 0;
	if (v == CDI_V35)
		return off >= 8 && off <= size ? size - off : 0;
	return off > 0 && off <= size - 8 ? off : 0;
}

int
oi_cdi_parse(struct optimg_image *img, const char *name, const uint8_t *buf,
    size_t len, uint64_t size, unsigned stream)
{
	struct cdi c = {
		.img = img,
		.name = name,
		.stream = stream,
		.next_lba = -OPTIMG_MSF_OFFSET,
	};
	uint64_t table;

	if (len < 8 || len > size)
		return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s': too short "
		    "for a DiscJuggler image", name);
	table = table_offset(buf + len - 8, size, &c.version);
	c.base = size - len;
	if (table == 0 || table < c.base)
		return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s' byte %llu: "
		    "no DiscJuggler trailer, or one that points outside the "
		    "file", name, (unsigned long long)(size - 8));
	c.buf = buf;
	c.len = len - 8;
	c.pos = (size_t)(table - c.base);
	c.data_end = table;
	OI_TRY(read_sessions(&c));
	return oi_image_finish_layout(img);
}

/*
 * 100 when the trailer points at a table whose first track starts with
 * its start mark (when that is in the tail we are shown), 80 when it only
 * points inside the file.
 */
int
oi_cdi_probe_tail(const uint8_t *tail, size_t len, uint64_t size)
{
	uint32_t version;
	uint64_t table, at;
	const uint8_t *t;

	if (len < 8 || size < 8 || len > size)
		return 0;
	table = table_offset(tail + len - 8, size, &version);
	if (table == 0)
		return 0;
	if (table < size - len || size - table < 8 + 4 + 8 + 10)
		return 80;
	t = tail + (table - (size - len));
	at = oi_le32dec(t + 4) != 0 ? 16 : 8;	/* DiscJuggler 3.00.780 */
	if (table + at + 10 > size)
		return 0;
	return memcmp(t + at, start_mark, sizeof(start_mark)) == 0 ? 100 : 0;
}

static int
cdi_open(struct optimg_image *img, const char *path)
{
	struct oi_stream *st;
	uint8_t trailer[8], *buf;
	uint32_t version;
	uint64_t size, table;
	unsigned stream;
	int rc;

	OI_TRY(oi_image_add_stream(img, path, &stream));
	st = &img->streams[stream];
	size = st->size;
	if (size < 8)
		return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s': too short "
		    "for a DiscJuggler image", path);
	OI_TRY(oi_stream_pread(st, trailer, 8, size - 8, &img->err));
	table = table_offset(trailer, size, &version);
	if (table == 0 || size - table > CDI_TABLE_MAX)
		return oi_set_error(&img->err, OPTIMG_EFORMAT, "'%s' byte %llu: "
		    "no DiscJuggler trailer pointing at a track table of at most "
		    "%u bytes", path, (unsigned long long)(size - 8),
		    CDI_TABLE_MAX);
	if ((buf = malloc((size_t)(size - table))) == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_stream_pread(st, buf, (size_t)(size - table), table,
	    &img->err);
	if (rc == 0)
		rc = oi_cdi_parse(img, path, buf, (size_t)(size - table), size,
		    stream);
	free(buf);
	return rc;
}

static int
cdi_probe(const struct oi_probe *p)
{
	return oi_cdi_probe_tail(p->tail, p->tail_len, p->size);
}

const struct oi_format oi_format_cdi = {
	.name = "cdi",
	.description = "DiscJuggler CDI",
	.probe = cdi_probe,
	.open = cdi_open,
};
