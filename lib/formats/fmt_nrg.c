/*
 * fmt_nrg.c - Nero Burning ROM images (.nrg).
 *
 * Nero published no specification; the layout below is what libcdio
 * (lib/driver/image/nrg.[ch]), libmirage (images/image-nrg) and Aaru
 * (Aaru.Images/Nero) agree on, checked against libcdio's p1.nrg (v2, DAO)
 * and videocd.nrg (v1, TAO).  All numbers are big-endian.
 *
 * The sector data comes first, from byte 0.  The file ends with a footer:
 * "NERO" and a 32-bit offset (version 1, the last 8 bytes) or "NER5" and a
 * 64-bit offset (version 2, the last 12 bytes).  The offset points at a
 * chain of chunks that runs up to the footer: a 4-byte id, a 32-bit
 * length, then length bytes; "END!" ends the chain.
 *
 *   CUES (v1) / CUEX (v2)  the cue sheet Nero burnt, 8-byte entries: the
 *       Q control/ADR byte (control in the high nibble), the track number
 *       in BCD (0 for the lead-in, 0xAA for the lead-out), the index in
 *       BCD, a zero byte, then the position: CUEX a signed 32-bit LBA,
 *       CUES an MSF in bytes 5..7 (BCD in Aaru's reading; libmirage reads
 *       binary, so binary is taken when a byte is not BCD).  One chunk per
 *       session; its positions are absolute.
 *   DAOI (v1) / DAOX (v2)  disc-at-once track list, one per session after
 *       its cue sheet: a 22-byte header (a length, the 13-character MCN and
 *       a pad byte at 4, a TOC type at 18, first and last track at 20
 *       and 21), then per track (30 or 42 bytes) the 12-character ISRC,
 *       the sector size on file at 12, a mode code at 14 and three file
 *       offsets at 18: INDEX 00, INDEX 01 and the end of the track (32-bit
 *       in DAOI, 64-bit in DAOX).
 *   ETNF (v1) / ETN2 (v2)  track-at-once track list: per track (20 or 32
 *       bytes) the file offset and length in bytes (32- or 64-bit), a
 *       mode code (32-bit), a start LBA (32-bit) and unknown bytes.
 *   SINF  a 32-bit count of the tracks of one session, one per session.
 *   MTYP  a 32-bit Nero media type (1: CD).
 *   CDTX  the CD-TEXT of the lead-in as 18-byte packs (cdtext_packs.c).
 *
 * Mode codes (libmirage's and Aaru's tables; the sector size follows from
 * the code): 0x00 Mode 1 2048, 0x02 Mode 2 Form 1 2048, 0x03 Mode 2 2336,
 * 0x05 Mode 1 2352, 0x06 Mode 2 2352, 0x07 and 0x08 audio 2352, 0x0F Mode
 * 1, 0x10 audio and 0x11 Mode 2 with 96 bytes of subchannel after each
 * 2352.  MagicISO writes DAO code 0 or 2/3 with 2352-byte sectors (Aaru):
 * the sector size on file wins, the code says only Mode 1, Mode 2 or
 * audio.
 *
 * Where the sectors are.  DAO: the cue sheet gives every index; a
 * track's bytes run from its DAO INDEX 00 offset to its end offset and
 * its first sector is the cue sheet's INDEX 00 (or 01), so a DAO image of
 * one session starts at LBA -150.  (libmirage and Aaru both place sectors
 * this way; p1.nrg's DAOX INDEX 01 offset is 150 sectors later than its
 * cue sheet says, and the cue sheet is followed with a warning.)
 * Between DAO sessions lie their lead-out and lead-in, stored nowhere.
 * TAO: Nero writes no cue sheet.  Each track after the first of a session
 * has the 150-sector pregap that track-at-once recording leaves; the file
 * holds the part of it that lies between the previous track's bytes and
 * this track's offset (none in videocd.nrg, all of it in the images Aaru
 * reads), the rest is unstored.  So videocd.nrg's tracks start at 0, 826,
 * 1051, 1276 and 1501, where its ISO 9660 directory puts the MPEG files;
 * libcdio gets the same by adding 150 per track.  The ETN start LBA is
 * checked against this, not trusted: it counts sectors on file in
 * videocd.nrg and LBAs in Aaru's images.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define NRG_CHAIN_MAX	(16u << 20)	/* bytes of chunks we read */
#define NRG_CHUNKS_MAX	4096
#define NRG_SESSIONS_MAX 99
#define TAO_PREGAP	150
#define LEADIN_MIN_LBA	(-450150)	/* MSF 90:00:00 (MMC) */

struct chunk {
	const uint8_t	*p;
	uint32_t	 len;
	uint64_t	 at;		/* file offset of the payload */
};

struct nrg {
	struct optimg_image	*img;
	const char		*name;
	int			 version;	/* 1 or 2 */
	uint64_t		 data_end;	/* first byte of the chain */
	struct chunk		 cue[NRG_SESSIONS_MAX], dao[NRG_SESSIONS_MAX];
	struct chunk		 etn[NRG_SESSIONS_MAX];
	unsigned		 ncue, ndao, netn;
	uint32_t		 sinf[NRG_SESSIONS_MAX];
	unsigned		 nsinf;
	struct chunk		 cdtx, mtyp;
	unsigned		 stream;
	int32_t			 next_lba;	/* TAO: next free LBA */
	uint64_t		 prev_end;	/* TAO: end of last track's bytes */
	uint64_t		 file_sectors;	/* TAO: sectors before prev_end */
};

static int
fail(struct nrg *n, uint64_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "'x.nrg' byte N: problem" */
static int
fail(struct nrg *n, uint64_t at, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return oi_set_error(&n->img->err, OPTIMG_EFORMAT, "'%s' byte %llu: %s",
	    n->name, (unsigned long long)at, msg);
}

/* ---- modes --------------------------------------------------------------- */

struct nrg_mode {
	unsigned		code;
	enum optimg_track_mode	mode;
	unsigned		size;		/* bytes a sector on file */
};

static const struct nrg_mode nrg_modes[] = {
	{ 0x00, OPTIMG_TRACK_MODE1, 2048 },
	{ 0x02, OPTIMG_TRACK_MODE2, 2048 },
	{ 0x03, OPTIMG_TRACK_MODE2, 2336 },
	{ 0x05, OPTIMG_TRACK_MODE1, 2352 },
	{ 0x06, OPTIMG_TRACK_MODE2, 2352 },
	{ 0x07, OPTIMG_TRACK_AUDIO, 2352 },
	{ 0x08, OPTIMG_TRACK_AUDIO, 2352 },
	{ 0x0f, OPTIMG_TRACK_MODE1, 2448 },
	{ 0x10, OPTIMG_TRACK_AUDIO, 2448 },
	{ 0x11, OPTIMG_TRACK_MODE2, 2448 },
};

static const struct nrg_mode *
find_mode(unsigned code)
{
	for (unsigned i = 0; i < OI_ARRAY_SIZE(nrg_modes); i++)
		if (nrg_modes[i].code == code)
			return &nrg_modes[i];
	return NULL;
}

/* ---- the chunk chain ----------------------------------------------------- */

static int
keep(struct nrg *n, struct chunk *list, unsigned *count, const struct chunk *c,
    const char *id)
{
	if (*count >= NRG_SESSIONS_MAX)
		return fail(n, c->at - 8, "more than %u %s chunks",
		    NRG_SESSIONS_MAX, id);
	list[(*count)++] = *c;
	return OPTIMG_OK;
}

static int
take_chunk(struct nrg *n, const char *id, const struct chunk *c)
{
	bool v2 = n->version == 2;

	if (memcmp(id, v2 ? "CUEX" : "CUES", 4) == 0)
		return keep(n, n->cue, &n->ncue, c, id);
	if (memcmp(id, v2 ? "DAOX" : "DAOI", 4) == 0)
		return keep(n, n->dao, &n->ndao, c, id);
	if (memcmp(id, v2 ? "ETN2" : "ETNF", 4) == 0)
		return keep(n, n->etn, &n->netn, c, id);
	if (memcmp(id, "SINF", 4) == 0) {
		if (c->len < 4)
			return fail(n, c->at, "SINF chunk of %u bytes",
			    (unsigned)c->len);
		if (n->nsinf >= NRG_SESSIONS_MAX)
			return fail(n, c->at, "more than %u sessions",
			    NRG_SESSIONS_MAX);
		n->sinf[n->nsinf++] = oi_be32dec(c->p);
		return OPTIMG_OK;
	}
	if (memcmp(id, "CDTX", 4) == 0)
		n->cdtx = *c;
	else if (memcmp(id, "MTYP", 4) == 0 && c->len >= 4)
		n->mtyp = *c;
	else if (memcmp(id, "CUES", 4) == 0 || memcmp(id, "CUEX", 4) == 0 ||
	    memcmp(id, "DAOI", 4) == 0 || memcmp(id, "DAOX", 4) == 0 ||
	    memcmp(id, "ETNF", 4) == 0 || memcmp(id, "ETN2", 4) == 0)
		return fail(n, c->at - 8, "%.4s chunk in a version %d image",
		    id, n->version);
	return OPTIMG_OK;	/* DINF, TOCT, RELO ...: nothing we use */
}

/* Walks the chain at buf[first..last), buf starting at file byte base. */
static int
walk_chain(struct nrg *n, const uint8_t *buf, uint64_t base, size_t first,
    size_t last)
{
	size_t pos = first;

	for (unsigned k = 0; k < NRG_CHUNKS_MAX; k++) {
		struct chunk c;
		char id[5];

		if (last - pos < 8)
			return fail(n, base + pos, "the chunk chain ends "
			    "without an END! chunk");
		memcpy(id, buf + pos, 4);
		id[4] = '\0';
		c.len = oi_be32dec(buf + pos + 4);
		c.p = buf + pos + 8;
		c.at = base + pos + 8;
		if (c.len > last - pos - 8)
			return fail(n, base + pos, "chunk '%.4s' of %lu bytes "
			    "runs past the footer", id, (unsigned long)c.len);
		if (memcmp(id, "END!", 4) == 0)
			return OPTIMG_OK;
		OI_TRY(take_chunk(n, id, &c));
		pos += 8 + (size_t)c.len;
	}
	return fail(n, base + pos, "more than %u chunks", NRG_CHUNKS_MAX);
}

/* ---- disc-at-once sessions --------------------------------------------- */

struct cue_track {
	unsigned	number;
	unsigned	ctl;
	int32_t		index[OPTIMG_MAX_INDEX];
};

struct cue_sheet {
	struct cue_track t[99];
	unsigned	ntracks;
	int32_t		leadout;
	bool		has_leadout;
};

static bool
is_bcd(uint8_t b)
{
	return (b >> 4) < 10 && (b & 0x0f) < 10;
}

static unsigned
bcd(uint8_t b)
{
	return (b >> 4) * 10u + (b & 0x0f);
}

/* CUES keeps MSF in BCD, or in binary when a byte is not BCD. */
static bool
cues_in_bcd(const struct chunk *c)
{
	for (uint32_t i = 0; i + 8 <= c->len; i += 8)
		if (!is_bcd(c->p[i + 5]) || !is_bcd(c->p[i + 6]) ||
		    !is_bcd(c->p[i + 7]))
			return false;
	return true;
}

static int32_t
entry_lba(const struct nrg *n, const uint8_t *e, bool in_bcd)
{
	unsigned m = e[5], s = e[6], f = e[7];

	if (n->version == 2)
		return (int32_t)oi_be32dec(e + 4);
	if (in_bcd) {
		m = bcd(e[5]);
		s = bcd(e[6]);
		f = bcd(e[7]);
	}
	return (int32_t)(m * 4500 + s * 75 + f) - OPTIMG_MSF_OFFSET;
}

static int
cue_entry(struct nrg *n, struct cue_sheet *cs, const uint8_t *e, uint64_t at,
    int32_t lba)
{
	struct cue_track *t;
	unsigned number, index;

	if (e[1] == 0xaa) {
		cs->leadout = lba;
		cs->has_leadout = true;
		return OPTIMG_OK;
	}
	if (!is_bcd(e[1]) || !is_bcd(e[2]))
		return fail(n, at, "track %02x index %02x is not BCD", e[1],
		    e[2]);
	number = bcd(e[1]);
	index = bcd(e[2]);
	if (number == 0)
		return OPTIMG_OK;	/* the lead-in */
	if (lba < LEADIN_MIN_LBA)
		return fail(n, at, "track %u index %u at LBA %ld is before "
		    "the lead-in", number, index, (long)lba);
	t = cs->ntracks > 0 ? &cs->t[cs->ntracks - 1] : NULL;
	if (t == NULL || t->number != number) {
		if (t != NULL && number < t->number)
			return fail(n, at, "track %u follows track %u", number,
			    t->number);
		t = &cs->t[cs->ntracks++];
		t->number = number;
		for (unsigned i = 0; i < OPTIMG_MAX_INDEX; i++)
			t->index[i] = OPTIMG_NO_INDEX;
	}
	if (t->index[index] != OPTIMG_NO_INDEX)
		return fail(n, at, "track %u has index %u twice", number,
		    index);
	t->index[index] = lba;
	if (index == 1)
		t->ctl = e[0] >> 4;
	return OPTIMG_OK;
}

static int
read_cue(struct nrg *n, const struct chunk *c, struct cue_sheet *cs)
{
	bool in_bcd = cues_in_bcd(c);

	memset(cs, 0, sizeof(*cs));
	if (c->len % 8 != 0)
		return fail(n, c->at, "cue sheet of %lu bytes is not a whole "
		    "number of 8-byte entries", (unsigned long)c->len);
	for (uint32_t i = 0; i < c->len; i += 8) {
		const uint8_t *e = c->p + i;
		if (e[1] != 0xaa && e[1] != 0 && cs->ntracks == 99 &&
		    (!is_bcd(e[1]) || bcd(e[1]) != cs->t[98].number))
			return fail(n, c->at + i, "more than 99 tracks");
		OI_TRY(cue_entry(n, cs, e, c->at + i, entry_lba(n, e,
		    in_bcd)));
	}
	for (unsigned i = 0; i < cs->ntracks; i++)
		if (cs->t[i].index[1] == OPTIMG_NO_INDEX)
			return fail(n, c->at, "track %u has no index 1 in the "
			    "cue sheet", cs->t[i].number);
	return OPTIMG_OK;
}

struct dao_track {
	char		isrc[13];
	unsigned	size;
	unsigned	code;
	uint64_t	index0, index1, end;
	uint64_t	at;
};

static void
read_dao_track(const struct nrg *n, const uint8_t *e, struct dao_track *d)
{
	memcpy(d->isrc, e, 12);
	d->isrc[12] = '\0';
	d->size = oi_be16dec(e + 12);
	d->code = e[14];
	if (n->version == 2) {
		d->index0 = oi_be64dec(e + 18);
		d->index1 = oi_be64dec(e + 26);
		d->end = oi_be64dec(e + 34);
	} else {
		d->index0 = oi_be32dec(e + 18);
		d->index1 = oi_be32dec(e + 22);
		d->end = oi_be32dec(e + 26);
	}
}

/* The mode of a DAO track, from its code and its sector size on file. */
static int
dao_mode(struct nrg *n, const struct dao_track *d, unsigned number,
    struct nrg_mode *out)
{
	const struct nrg_mode *m = find_mode(d->code);

	if (m == NULL)
		return fail(n, d->at, "track %u has the unknown mode code "
		    "0x%02x", number, d->code);
	*out = *m;
	if (d->size == m->size)
		return OPTIMG_OK;
	if (d->size != 2048 && d->size != 2336 && d->size != 2352 &&
	    d->size != 2448)
		return fail(n, d->at, "track %u has %u-byte sectors", number,
		    d->size);
	oi_image_warn(n->img, "'%s' byte %llu: track %u: mode code 0x%02x "
	    "with %u-byte sectors (as MagicISO writes); the sector size is "
	    "followed", n->name, (unsigned long long)d->at, number, d->code,
	    d->size);
	out->size = d->size;
	return OPTIMG_OK;
}

static bool
valid_isrc(const char *s)
{
	for (unsigned i = 0; i < 12; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return false;
	return true;
}

static int
add_file_sectors(struct nrg *n, int32_t lba, uint64_t count, uint64_t offset,
    const struct nrg_mode *m)
{
	struct oi_fragment f = {
		.lba = lba,
		.count = (uint32_t)count,
		.fill = OI_FILL_FILE,
		.stream = n->stream,
		.offset = offset,
		.sector_size = m->size,
		.mode = m->mode,
		.sub = m->size == 2448 ? OI_SUB_INLINE : OI_SUB_NONE,
	};

	return oi_image_add_fragment(n->img, &f);
}

static int
add_gap(struct nrg *n, int32_t lba, uint32_t count, const struct nrg_mode *m)
{
	struct oi_fragment f = {
		.lba = lba,
		.count = count,
		.fill = OI_FILL_ZERO,
		.sector_size = m->size,
		.mode = m->mode,
	};

	return oi_image_add_fragment(n->img, &f);
}

static int
new_track(struct nrg *n, unsigned number, unsigned session,
    const struct nrg_mode *m, struct optimg_track **out)
{
	struct optimg_track *t;

	OI_TRY(oi_image_add_track(n->img, &t));
	t->number = number;
	t->session = session;
	t->mode = m->mode;
	t->sector_size = m->size;
	t->storage = oi_storage_of_size(m->size);
	t->subchannel = m->size == 2448;
	t->flags = m->mode != OPTIMG_TRACK_AUDIO ? OPTIMG_FLAG_DATA : 0;
	*out = t;
	return OPTIMG_OK;
}

/* Checks a DAO track's offsets; *count receives its sectors on file. */
static int
dao_extent(struct nrg *n, const struct dao_track *d, unsigned number,
    unsigned size, uint64_t *count)
{
	if (d->index0 > d->index1 || d->index1 > d->end ||
	    d->end > n->data_end)
		return fail(n, d->at, "track %u: offsets %llu, %llu, %llu are "
		    "out of order or past the sector data (%llu bytes)", number,
		    (unsigned long long)d->index0,
		    (unsigned long long)d->index1, (unsigned long long)d->end,
		    (unsigned long long)n->data_end);
	if ((d->end - d->index0) % size != 0 ||
	    (d->index1 - d->index0) % size != 0)
		return fail(n, d->at, "track %u: %llu bytes are not a whole "
		    "number of %u-byte sectors", number,
		    (unsigned long long)(d->end - d->index0), size);
	*count = (d->end - d->index0) / size;
	return OPTIMG_OK;
}

/* Indices in order, from the end of the track before to next. */
static int
dao_indices(struct nrg *n, const struct cue_track *ct, uint64_t at,
    int32_t first, int32_t next)
{
	int32_t last = ct->index[1];

	if (first < n->next_lba)
		return fail(n, at, "track %u at LBA %ld lies before the end of "
		    "the track before (%ld)", ct->number, (long)first,
		    (long)n->next_lba);
	if (ct->index[1] >= next)
		return fail(n, at, "track %u: INDEX 01 at LBA %ld is not "
		    "before the next track or the lead-out (%ld)", ct->number,
		    (long)ct->index[1], (long)next);
	for (unsigned i = 2; i < OPTIMG_MAX_INDEX; i++) {
		int32_t lba = ct->index[i];
		if (lba == OPTIMG_NO_INDEX)
			continue;
		if (lba <= last || lba >= next)
			return fail(n, at, "track %u: index %u at LBA %ld is "
			    "out of order", ct->number, i, (long)lba);
		last = lba;
	}
	return OPTIMG_OK;
}

/*
 * One DAO track: its sectors from the file at the cue sheet's first
 * index, up to next (the next track's first index or the lead-out).
 */
static int
dao_track(struct nrg *n, const struct cue_track *ct, const struct dao_track *d,
    unsigned session, int32_t next)
{
	struct optimg_track *t;
	struct nrg_mode m;
	int32_t first = ct->index[0] != OPTIMG_NO_INDEX &&
	    ct->index[0] < ct->index[1] ? ct->index[0] : ct->index[1];
	uint64_t count = 0;

	OI_TRY(dao_mode(n, d, ct->number, &m));
	OI_TRY(dao_extent(n, d, ct->number, m.size, &count));
	OI_TRY(dao_indices(n, ct, d->at, first, next));
	if (next < first || count > (uint64_t)(next - first))
		return fail(n, d->at, "track %u: %llu sectors from LBA %ld run "
		    "into the next track at %ld", ct->number,
		    (unsigned long long)count, (long)first, (long)next);
	if ((d->index1 - d->index0) / m.size != (uint64_t)(ct->index[1] - first))
		oi_image_warn(n->img, "'%s' byte %llu: track %u: the DAO "
		    "chunk puts INDEX 01 %llu sectors into the track, the cue "
		    "sheet %ld; the cue sheet is followed", n->name,
		    (unsigned long long)d->at, ct->number,
		    (unsigned long long)((d->index1 - d->index0) / m.size),
		    (long)(ct->index[1] - first));
	OI_TRY(add_file_sectors(n, first, count, d->index0, &m));
	if (count < (uint64_t)(next - first)) {
		oi_image_warn(n->img, "'%s' byte %llu: track %u: the file "
		    "holds %llu of its %ld sectors; the rest read as empty",
		    n->name, (unsigned long long)d->at, ct->number,
		    (unsigned long long)count, (long)(next - first));
		OI_TRY(add_gap(n, first + (int32_t)count,
		    (uint32_t)(next - first - (int32_t)count), &m));
	}
	n->next_lba = next;
	OI_TRY(new_track(n, ct->number, session, &m, &t));
	for (unsigned i = 0; i < OPTIMG_MAX_INDEX; i++)
		if (i != 0 || first < ct->index[1])
			t->index[i] = ct->index[i];
	t->start = ct->index[1];
	t->flags |= ct->ctl & (OPTIMG_FLAG_PRE | OPTIMG_FLAG_DCP |
	    OPTIMG_FLAG_4CH);
	if (valid_isrc(d->isrc))
		memcpy(t->isrc, d->isrc, sizeof(t->isrc));
	return OPTIMG_OK;
}

/* Lead-out and lead-in between the session before and this one. */
static int
dao_session_gap(struct nrg *n, const struct cue_track *first)
{
	int32_t lba = first->index[0] != OPTIMG_NO_INDEX &&
	    first->index[0] < first->index[1] ? first->index[0] :
	    first->index[1];

	if (lba <= n->next_lba)
		return OPTIMG_OK;	/* dao_indices() says what is wrong */
	OI_TRY(oi_image_add_session_gap(n->img, n->next_lba, lba));
	n->next_lba = lba;
	return OPTIMG_OK;
}

static int
dao_session(struct nrg *n, unsigned s)
{
	const struct chunk *c = &n->dao[s];
	unsigned esize = n->version == 2 ? 42 : 30;
	struct cue_sheet *cs;
	uint32_t ntracks;
	int rc = OPTIMG_OK;

	if (s >= n->ndao)
		return fail(n, n->cue[s].at, "session %u has a cue sheet but "
		    "no DAO chunk", s + 1);
	if (c->len < 22 || (c->len - 22) % esize != 0)
		return fail(n, c->at, "DAO chunk of %lu bytes is not a 22-byte "
		    "header and %u-byte entries", (unsigned long)c->len, esize);
	if ((cs = malloc(sizeof(*cs))) == NULL)
		return oi_set_error(&n->img->err, OPTIMG_ENOMEM,
		    "out of memory");
	ntracks = (c->len - 22) / esize;
	rc = read_cue(n, &n->cue[s], cs);
	if (rc == 0 && ntracks != cs->ntracks)
		rc = fail(n, c->at, "the DAO chunk lists %lu tracks, the cue "
		    "sheet %u", (unsigned long)ntracks, cs->ntracks);
	if (rc == 0 && !cs->has_leadout)
		rc = fail(n, n->cue[s].at, "the cue sheet has no lead-out");
	if (rc == 0 && s == 0 && c->p[4] != 0) {
		memcpy(n->img->disc.catalog, c->p + 4, 13);
		n->img->disc.catalog[13] = '\0';
	}
	if (rc == 0 && s > 0)
		rc = dao_session_gap(n, &cs->t[0]);
	for (unsigned i = 0; rc == 0 && i < cs->ntracks; i++) {
		struct dao_track d;
		const struct cue_track *nx = i + 1 < cs->ntracks ?
		    &cs->t[i + 1] : NULL;
		int32_t next = nx == NULL ? cs->leadout :
		    nx->index[0] != OPTIMG_NO_INDEX &&
		    nx->index[0] < nx->index[1] ? nx->index[0] : nx->index[1];

		read_dao_track(n, c->p + 22 + (size_t)i * esize, &d);
		d.at = c->at + 22 + (uint64_t)i * esize;
		rc = dao_track(n, &cs->t[i], &d, s + 1, next);
	}
	free(cs);
	return rc;
}

/* ---- track-at-once sessions -------------------------------------------- */

struct tao_track {
	uint64_t	offset, length;
	unsigned	code;
	uint32_t	start;
	uint64_t	at;
};

static void
read_tao_track(const struct nrg *n, const uint8_t *e, struct tao_track *t)
{
	if (n->version == 2) {
		t->offset = oi_be64dec(e);
		t->length = oi_be64dec(e + 8);
		t->code = e[19];
		t->start = oi_be32dec(e + 20);
	} else {
		t->offset = oi_be32dec(e);
		t->length = oi_be32dec(e + 4);
		t->code = e[11];
		t->start = oi_be32dec(e + 12);
	}
}

/*
 * The unstored gap between sessions: the lead-out of the one before
 * (6750 sectors after the first session, 2250 after later ones) and the
 * lead-in of the next (4500), Orange Book part II.
 */
static int
session_gap(struct nrg *n, unsigned session)
{
	struct oi_fragment f = {
		.lba = n->next_lba,
		.count = session == 2 ? OI_LEADOUT_FIRST : OI_LEADOUT_LATER,
		.fill = OI_FILL_LEADOUT,
	};

	OI_TRY(oi_image_add_fragment(n->img, &f));
	f.lba += (int32_t)f.count;
	f.count = OI_LEADIN;
	f.fill = OI_FILL_LEADIN;
	OI_TRY(oi_image_add_fragment(n->img, &f));
	n->next_lba = f.lba + (int32_t)f.count;
	return OPTIMG_OK;
}

/*
 * One TAO track; first says it opens a session.  The track's bytes are
 * the file from the end of the track before (its stored pregap) to its
 * offset plus length.
 */
static int
tao_track(struct nrg *n, const struct tao_track *tt, unsigned number,
    unsigned session, bool first)
{
	const struct nrg_mode *m = find_mode(tt->code);
	bool disc_first = number == 1;
	struct optimg_track *t;
	uint64_t stored, unstored, count;
	int64_t lba0;

	if (m == NULL)
		return fail(n, tt->at, "track %u has the unknown mode code "
		    "0x%02x", number, tt->code);
	if (tt->offset < n->prev_end || tt->offset > n->data_end ||
	    tt->length > n->data_end - tt->offset)
		return fail(n, tt->at, "track %u: bytes %llu..%llu overlap the "
		    "track before or run past the sector data", number,
		    (unsigned long long)tt->offset,
		    (unsigned long long)(tt->offset + tt->length));
	if (tt->length % m->size != 0 ||
	    (tt->offset - n->prev_end) % m->size != 0)
		return fail(n, tt->at, "track %u: its bytes are not whole "
		    "%u-byte sectors", number, m->size);
	stored = (tt->offset - n->prev_end) / m->size;
	count = tt->length / m->size;
	if (first && !disc_first)
		OI_TRY(session_gap(n, session));
	/* Track 1 keeps no unstored pregap, as an ISO's: LBA 0 is its
	 * start, and what the file holds before it lies before LBA 0. */
	unstored = disc_first || stored >= TAO_PREGAP ? 0 :
	    TAO_PREGAP - stored;
	lba0 = disc_first ? (int64_t)n->next_lba - (int64_t)stored :
	    (int64_t)n->next_lba + (int64_t)unstored;
	if (lba0 < LEADIN_MIN_LBA ||
	    lba0 + (int64_t)(stored + count) > INT32_MAX)
		return fail(n, tt->at, "track %u would lie outside LBAs "
		    "%ld..%ld", number, (long)LEADIN_MIN_LBA, (long)INT32_MAX);
	OI_TRY(new_track(n, number, session, m, &t));
	t->pregap_unstored = (uint32_t)unstored;
	OI_TRY(add_gap(n, n->next_lba, (uint32_t)unstored, m));
	if (stored > 0)
		t->index[0] = (int32_t)lba0;
	t->start = (int32_t)(lba0 + (int64_t)stored);
	OI_TRY(add_file_sectors(n, (int32_t)lba0, stored + count, n->prev_end,
	    m));
	/* Nero counts either LBAs or sectors on file (videocd.nrg). */
	if (tt->start != (uint32_t)t->start &&
	    tt->start != n->file_sectors + stored)
		oi_image_warn(n->img, "'%s' byte %llu: track %u starts at LBA "
		    "%ld; the ETN chunk says %lu", n->name,
		    (unsigned long long)tt->at, number, (long)t->start,
		    (unsigned long)tt->start);
	n->next_lba = t->start + (int32_t)count;
	n->prev_end = tt->offset + tt->length;
	n->file_sectors += stored + count;
	return OPTIMG_OK;
}

/* Sessions from SINF counts when they add up, else one per ETN chunk. */
static unsigned
tao_session_of(const struct nrg *n, unsigned k, unsigned chunk, unsigned total)
{
	uint64_t sum = 0;

	for (unsigned i = 0; i < n->nsinf; i++)
		sum += n->sinf[i];
	if (n->nsinf == 0 || sum != total)
		return chunk + 1;
	for (unsigned s = 0; s < n->nsinf; s++) {
		if (k < n->sinf[s])
			return s + 1;
		k -= n->sinf[s];
	}
	return n->nsinf;
}

static int
tao_sessions(struct nrg *n)
{
	unsigned esize = n->version == 2 ? 32 : 20, total = 0, k = 0, prev = 0;

	for (unsigned c = 0; c < n->netn; c++) {
		if (n->etn[c].len % esize != 0)
			return fail(n, n->etn[c].at, "ETN chunk of %lu bytes is "
			    "not a whole number of %u-byte entries",
			    (unsigned long)n->etn[c].len, esize);
		total += n->etn[c].len / esize;
	}
	if (total > 99)
		return fail(n, n->etn[0].at, "%u tracks", total);
	for (unsigned c = 0; c < n->netn; c++)
		for (uint32_t i = 0; i < n->etn[c].len; i += esize, k++) {
			struct tao_track tt;
			unsigned s = tao_session_of(n, k, c, total);
			read_tao_track(n, n->etn[c].p + i, &tt);
			tt.at = n->etn[c].at + i;
			OI_TRY(tao_track(n, &tt, k + 1, s, s != prev));
			prev = s;
		}
	return OPTIMG_OK;
}

/* ---- the whole image ----------------------------------------------------- */

static int
find_footer(struct nrg *n, const uint8_t *buf, size_t len, uint64_t size,
    uint64_t *chain, uint64_t *chain_end)
{
	if (len >= 12 && memcmp(buf + len - 12, "NER5", 4) == 0) {
		n->version = 2;
		*chain = oi_be64dec(buf + len - 8);
		*chain_end = size - 12;
	} else if (len >= 8 && memcmp(buf + len - 8, "NERO", 4) == 0) {
		n->version = 1;
		*chain = oi_be32dec(buf + len - 4);
		*chain_end = size - 8;
	} else
		return fail(n, size < 12 ? 0 : size - 12, "no NERO or NER5 "
		    "footer");
	if (*chain > *chain_end || *chain < size - len)
		return fail(n, *chain_end, "the footer points at byte %llu, "
		    "outside the chunk chain", (unsigned long long)*chain);
	n->data_end = *chain;
	return OPTIMG_OK;
}

int
oi_nrg_parse(struct optimg_image *img, const char *name, const uint8_t *buf,
    size_t len, uint64_t size, unsigned stream)
{
	struct nrg *n = calloc(1, sizeof(*n));
	uint64_t chain = 0, chain_end = 0, base = size - len;
	int rc;

	if (n == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	n->img = img;
	n->name = name;
	n->stream = stream;
	rc = len > size ? oi_set_error(&img->err, OPTIMG_EINVAL,
	    "NRG tail longer than the file") : OPTIMG_OK;
	if (rc == 0)
		rc = find_footer(n, buf, len, size, &chain, &chain_end);
	if (rc == 0)
		rc = walk_chain(n, buf, base, (size_t)(chain - base),
		    (size_t)(chain_end - base));
	if (rc == 0 && n->ncue == 0 && n->netn == 0)
		rc = fail(n, chain, "no cue sheet and no track list");
	n->next_lba = n->ncue > 0 ? LEADIN_MIN_LBA : 0;
	for (unsigned s = 0; rc == 0 && s < n->ncue; s++)
		rc = dao_session(n, s);
	if (rc == 0 && n->ncue == 0)
		rc = tao_sessions(n);
	if (rc == 0 && n->cdtx.p != NULL)
		rc = oi_cdtext_from_packs(&img->disc, n->cdtx.p, n->cdtx.len,
		    &img->err);
	if (rc == 0)
		rc = oi_image_finish_layout(img);
	free(n);
	return rc;
}

/* ---- the format ---------------------------------------------------------- */

/* A chunk id Nero writes. */
static bool
known_chunk(const uint8_t *id)
{
	static const char ids[][5] = {
		"CUES", "CUEX", "DAOI", "DAOX", "ETNF", "ETN2", "SINF", "MTYP",
		"CDTX", "DINF", "TOCT", "RELO", "END!",
	};

	for (unsigned i = 0; i < OI_ARRAY_SIZE(ids); i++)
		if (memcmp(id, ids[i], 4) == 0)
			return true;
	return false;
}

/*
 * The footer is all there is to recognise: 100 when it points inside the
 * file at a chunk Nero writes (when that is in the tail we are shown),
 * 80 when it only points inside.
 */
int
oi_nrg_probe_tail(const uint8_t *tail, size_t len, uint64_t size)
{
	uint64_t off, end;

	if (len > size)
		return 0;
	if (len >= 12 && memcmp(tail + len - 12, "NER5", 4) == 0) {
		off = oi_be64dec(tail + len - 8);
		end = size - 12;
	} else if (len >= 8 && memcmp(tail + len - 8, "NERO", 4) == 0) {
		off = oi_be32dec(tail + len - 4);
		end = size - 8;
	} else
		return 0;
	if (off > end)
		return 0;
	if (off >= size - len && end - off >= 4)
		return known_chunk(tail + (off - (size - len))) ? 100 : 0;
	return 80;
}

static int
nrg_open(struct optimg_image *img, const char *path)
{
	struct oi_stream *st;
	uint8_t foot[12], *buf;
	uint64_t size, chain;
	unsigned stream;
	size_t len;
	int rc;

	OI_TRY(oi_image_add_stream(img, path, &stream));
	st = &img->streams[stream];
	size = st->size;
	if (size < 12)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s': %llu bytes is too short for an NRG image", path,
		    (unsigned long long)size);
	OI_TRY(oi_stream_pread(st, foot, 12, size - 12, &img->err));
	if (memcmp(foot, "NER5", 4) != 0 && memcmp(foot + 4, "NERO", 4) != 0)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s' byte %llu: no NERO or NER5 footer", path,
		    (unsigned long long)(size - 12));
	chain = memcmp(foot, "NER5", 4) == 0 ? oi_be64dec(foot + 4) :
	    oi_be32dec(foot + 8);
	if (chain >= size || size - chain > NRG_CHAIN_MAX)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s' byte %llu: the footer points at byte %llu, not at "
		    "a chunk chain of at most %u bytes", path,
		    (unsigned long long)(size - 12), (unsigned long long)chain,
		    NRG_CHAIN_MAX);
	len = (size_t)(size - chain);
	if ((buf = malloc(len)) == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_stream_pread(st, buf, len, chain, &img->err);
	if (rc == 0)
		rc = oi_nrg_parse(img, path, buf, len, size, stream);
	free(buf);
	return rc;
}

static int
nrg_probe(const struct oi_probe *p)
{
	return oi_nrg_probe_tail(p->tail, p->tail_len, p->size);
}

const struct oi_format oi_format_nrg = {
	.name = "nrg",
	.description = "Nero NRG",
	.probe = nrg_probe,
	.open = nrg_open,
};
