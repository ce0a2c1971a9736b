/*
 * fx_images.c - disc images built from their formats' constants, for the
 * reader suites (tests/test_nrg.c ...) and mkfixture (fuzz seeds).
 *
 * NRG (see fmt_nrg.c's overview for more):
 *  - footer "NER5" + 64-bit offset in the last 12 bytes (v2), "NERO" +
 *    32-bit offset in the last 8 (v1); chunks of id, 32-bit big-endian
 *    length and payload up to "END!": libcdio nrg.h (_footer_t,
 *    _chunk_t), libmirage image-nrg parser.c;
 *  - CUEX/CUES 8-byte entries (control/ADR, BCD track, BCD index, 0,
 *    LBA or MSF), track 0 the lead-in and 0xAA the lead-out: libcdio
 *    _cuex_array_t, Aaru Nero Structs.cs CueEntryV1/V2, and p1.nrg's own
 *    CUEX chunk (01 00 00 00 ffffff6a ... 01 aa 01 00 0000012e);
 *  - DAOX/DAOI: 22-byte header (MCN at 4, first/last track at 20/21),
 *    then 42/30-byte entries (ISRC, sector size at 12, mode at 14,
 *    INDEX 00, INDEX 01 and end offsets at 18): libmirage NRG_DAO_Header
 *    and NRG_DAO_Block, p1.nrg's DAOX (106 bytes = 22 + 2 x 42);
 *  - ETNF 20-byte and ETN2 32-byte entries (offset, length, mode, start
 *    LBA): libcdio _etnf_array_t/_etn2_array_t, videocd.nrg's ETNF;
 *  - mode codes 0x00 Mode 1/2048, 0x03 Mode 2/2336, 0x05 Mode 1/2352,
 *    0x07 audio: libmirage mirage_parser_nrg_decode_mode, Aaru DaoMode;
 *  - CD-TEXT packs (type 0x80 TITLE, track number, sequence, block, 12
 *    bytes, CRC): MMC-3 Annex J;
 *  - the 150-sector TAO pregap and 6750 + 4500 sectors between the first
 *    and second session: Orange Book part II, as issue #12 quotes it.
 */
#include "config.h"

#include "fx_images.h"

/* ---- NRG ----------------------------------------------------------------- */

static void
chunk_begin(struct bytes *b, const char *id, size_t *at)
{
	b_put(b, id, 4);
	*at = b->len;
	b_be(b, 0, 4);
}

static void
chunk_end(struct bytes *b, size_t at)
{
	uint32_t n = (uint32_t)(b->len - at - 4);

	b->p[at] = (uint8_t)(n >> 24);
	b->p[at + 1] = (uint8_t)(n >> 16);
	b->p[at + 2] = (uint8_t)(n >> 8);
	b->p[at + 3] = (uint8_t)n;
}

static unsigned
to_bcd(unsigned v)
{
	return (v / 10) << 4 | v % 10;
}

/* A CUEX entry (v2) or CUES entry (v1, MSF in BCD). */
static void
cue_entry(struct bytes *b, int v, unsigned ctl_adr, unsigned track,
    unsigned index, int32_t lba)
{
	unsigned frames = (unsigned)(lba + 150);

	b_u8(b, ctl_adr);
	b_u8(b, track == 0xaa ? 0xaa : to_bcd(track));
	b_u8(b, to_bcd(index));
	b_u8(b, 0);
	if (v == 2)
		b_be(b, (uint32_t)lba, 4);
	else {
		b_u8(b, 0);
		b_u8(b, to_bcd(frames / 4500));
		b_u8(b, to_bcd(frames / 75 % 60));
		b_u8(b, to_bcd(frames % 75));
	}
}

static void
dao_header(struct bytes *b, const char *mcn, unsigned first, unsigned last)
{
	uint8_t *h = b_grow(b, 22);

	if (mcn != NULL)
		memcpy(h + 4, mcn, 13);
	h[20] = (uint8_t)first;
	h[21] = (uint8_t)last;
}

static void
dao_entry(struct bytes *b, int v, const char *isrc, unsigned size,
    unsigned code, uint64_t i0, uint64_t i1, uint64_t end)
{
	uint8_t *e = b_grow(b, 18);

	if (isrc != NULL)
		memcpy(e, isrc, 12);
	e[12] = (uint8_t)(size >> 8);
	e[13] = (uint8_t)size;
	e[14] = (uint8_t)code;
	b_be(b, i0, v == 2 ? 8 : 4);
	b_be(b, i1, v == 2 ? 8 : 4);
	b_be(b, end, v == 2 ? 8 : 4);
}

static void
etn_entry(struct bytes *b, int v, uint64_t off, uint64_t len, unsigned code,
    uint32_t start)
{
	b_be(b, off, v == 2 ? 8 : 4);
	b_be(b, len, v == 2 ? 8 : 4);
	b_be(b, code, 4);
	b_be(b, start, 4);
	b_be(b, 0, v == 2 ? 8 : 4);
}

/* CD-TEXT packs of type 0x80 (TITLE): text runs from track 0 on. */
static void
cdtx_titles(struct bytes *b, const char *text, size_t len)
{
	for (size_t i = 0, seq = 0; i < len; i += 12, seq++) {
		uint8_t *p = b_grow(b, 18);
		p[0] = 0x80;
		p[2] = (uint8_t)seq;
		memcpy(p + 4, text + i, OI_MIN((size_t)12, len - i));
	}
}

static void
small_chunk(struct bytes *b, const char *id, uint32_t v)
{
	b_put(b, id, 4);
	b_be(b, 4, 4);
	b_be(b, v, 4);
}

static void
finish(struct bytes *b, int v, size_t chain)
{
	b_put(b, "END!", 4);
	b_be(b, 0, 4);
	if (v == 2) {
		b_put(b, "NER5", 4);
		b_be(b, chain, 8);
	} else {
		b_put(b, "NERO", 4);
		b_be(b, chain, 4);
	}
}

/*
 * Packs of one type in block 0 (MMC-3 Annex J): text (len bytes, its ends
 * included) from the disc (number 0) on; dbcs marks double-byte packs.
 */
static void
cdtext_type(struct bytes *b, uint8_t type, const char *text, size_t len,
    bool dbcs, unsigned *seq)
{
	for (size_t i = 0; i < len; i += 12) {
		uint8_t *p = b_grow(b, 18);

		memset(p, 0, 18);
		p[0] = type;
		p[2] = (uint8_t)(*seq)++;
		p[3] = dbcs ? 0x80 : 0;
		memcpy(p + 4, text + i, OI_MIN((size_t)12, len - i));
	}
}

/*
 * Block 0 of a disc with two tracks in character code code, with its
 * size information (three 0x8F packs, the first holding the code):
 *   0x00 ISO 8859-1  TITLE "Café", "Olé", "Straße";
 *                    PERFORMER "Björk", TAB, TAB (as before)
 *   0x01 ASCII       TITLE "Plain", "A" 0xE9 (not ASCII), "B"
 *   0x80 MS-JIS      double-byte: TITLE "日本語", "テスト", TAB TAB
 *   0x81 (Korean)    TITLE "K" 0xB0 0xA1: a code we do not decode
 */
void
fx_cdtext_packs(struct bytes *b, unsigned code)
{
	static const char latin1_t[] = "Caf\xe9\0Ol\xe9\0Stra\xdf" "e";
	static const char latin1_p[] = "Bj\xf6rk\0\t\0\t";
	static const char ascii_t[] = "Plain\0A\xe9\0B";
	static const char jis_t[] = "\x93\xfa\x96\x7b\x8c\xea\0\0"
	    "\x83\x65\x83\x58\x83\x67\0\0\t\t\0";
	static const char other_t[] = "K\xb0\xa1\0K\0K";
	unsigned seq = 0;
	uint8_t *p;

	switch (code) {
	case 0x00:
		cdtext_type(b, 0x80, latin1_t, sizeof(latin1_t), false, &seq);
		cdtext_type(b, 0x81, latin1_p, sizeof(latin1_p), false, &seq);
		break;
	case 0x01:
		cdtext_type(b, 0x80, ascii_t, sizeof(ascii_t), false, &seq);
		break;
	case 0x80:
		cdtext_type(b, 0x80, jis_t, sizeof(jis_t), true, &seq);
		break;
	default:
		cdtext_type(b, 0x80, other_t, sizeof(other_t), false, &seq);
		break;
	}
	for (unsigned i = 0; i < 3; i++) {
		p = b_grow(b, 18);
		memset(p, 0, 18);
		p[0] = 0x8f;
		p[1] = (uint8_t)i;
		p[2] = (uint8_t)seq++;
		if (i == 0) {
			p[4] = (uint8_t)code;
			p[5] = 1;	/* first track */
			p[6] = 2;	/* last track */
		}
	}
}

static void nrg_dao_packs(struct bytes *b, int v, const struct bytes *packs);

/*
 * v2 DAO: track 1 Mode 1/2352 from LBA -150 (INDEX 00) with INDEX 01 at
 * 0, 20 sectors; track 2 audio, INDEX 00 at 20, 01 at 25, 02 at 28, DCP,
 * an ISRC; lead-out at 32.  MCN and CD-TEXT titles.
 */
void
fx_nrg_dao(struct bytes *b, int v)
{
	nrg_dao_packs(b, v, NULL);
}

/* The DAO image with packs as its CD-TEXT (seeded noise, crafted). */
void
fx_nrg_dao_cdtext(struct bytes *b, const struct bytes *packs)
{
	nrg_dao_packs(b, 2, packs);
}

static void
nrg_dao_packs(struct bytes *b, int v, const struct bytes *packs)
{
	static const char titles[] = "DISC\0ONE\0TWO";
	size_t at, chain;

	b_sectors(b, -150, 170, 2352, OPTIMG_TRACK_MODE1);
	b_sectors(b, 20, 12, 2352, OPTIMG_TRACK_AUDIO);
	chain = b->len;
	chunk_begin(b, v == 2 ? "CUEX" : "CUES", &at);
	cue_entry(b, v, 0x41, 0, 0, -150);
	cue_entry(b, v, 0x41, 1, 0, -150);
	cue_entry(b, v, 0x41, 1, 1, 0);
	cue_entry(b, v, 0x21, 2, 0, 20);
	cue_entry(b, v, 0x21, 2, 1, 25);
	cue_entry(b, v, 0x21, 2, 2, 28);
	cue_entry(b, v, 0x01, 0xaa, 1, 32);
	chunk_end(b, at);
	chunk_begin(b, v == 2 ? "DAOX" : "DAOI", &at);
	dao_header(b, "0123456789012", 1, 2);
	dao_entry(b, v, NULL, 2352, 0x05, 0, 150 * 2352, 170 * 2352);
	dao_entry(b, v, "USABC1234567", 2352, 0x07, 170 * 2352, 175 * 2352,
	    182 * 2352);
	chunk_end(b, at);
	chunk_begin(b, "CDTX", &at);
	if (packs != NULL)
		b_put(b, packs->p, packs->len);
	else
		cdtx_titles(b, titles, sizeof(titles));
	chunk_end(b, at);
	small_chunk(b, "SINF", 2);
	small_chunk(b, "MTYP", 1);
	finish(b, v, chain);
}

/* v1 TAO: Mode 2/2336 30 sectors, Mode 2/2336 10, audio 5; no gaps in
 * the file, as in videocd.nrg. */
void
fx_nrg_tao1(struct bytes *b)
{
	size_t at, chain;

	b_sectors(b, 0, 30, 2336, OPTIMG_TRACK_MODE2);
	b_sectors(b, 180, 10, 2336, OPTIMG_TRACK_MODE2);
	b_sectors(b, 340, 5, 2352, OPTIMG_TRACK_AUDIO);
	chain = b->len;
	chunk_begin(b, "ETNF", &at);
	etn_entry(b, 1, 0, 30 * 2336, 3, 0);
	etn_entry(b, 1, 30 * 2336, 10 * 2336, 3, 30);
	etn_entry(b, 1, 40 * 2336, 5 * 2352, 7, 40);
	chunk_end(b, at);
	small_chunk(b, "SINF", 3);
	finish(b, 1, chain);
}

/* v2 TAO whose file holds the 150-sector pregap before track 2. */
void
fx_nrg_tao2(struct bytes *b)
{
	size_t at, chain;

	b_sectors(b, 0, 20, 2048, OPTIMG_TRACK_MODE1);
	b_sectors(b, 20, 160, 2048, OPTIMG_TRACK_MODE1);
	chain = b->len;
	chunk_begin(b, "ETN2", &at);
	etn_entry(b, 2, 0, 20 * 2048, 0, 0);
	etn_entry(b, 2, 170 * 2048, 10 * 2048, 0, 170);
	chunk_end(b, at);
	finish(b, 2, chain);
}

/* Two TAO sessions of one Mode 1/2048 track each (SINF 1, SINF 1). */
void
fx_nrg_sessions(struct bytes *b)
{
	size_t at, chain;

	b_sectors(b, 0, 10, 2048, OPTIMG_TRACK_MODE1);
	b_sectors(b, 11410, 5, 2048, OPTIMG_TRACK_MODE1);
	chain = b->len;
	chunk_begin(b, "ETNF", &at);
	etn_entry(b, 1, 0, 10 * 2048, 0, 0);
	etn_entry(b, 1, 10 * 2048, 5 * 2048, 0, 10);
	chunk_end(b, at);
	small_chunk(b, "SINF", 1);
	small_chunk(b, "SINF", 1);
	finish(b, 1, chain);
}

/* ---- GDI ----------------------------------------------------------------- */

/*
 * A .gdi as TOSEC writes it (MAME chdcd.cpp chdcd_parse_gdi reads the
 * same): a count line, then "number LBA type size file 0" per track,
 * type 4 data and 0 audio, the file in quotes when it holds a space; the
 * high-density area starts at LBA 45000.  Track 1 holds 300 raw Mode 1
 * sectors and track 2 starts at 450, so 150 sectors of padding follow
 * track 1; track 2 holds 100 audio sectors, padded to 45000.
 */
static int
write_file(const char *dir, const char *name, const struct bytes *b)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL)
		return -1;
	if (b->len > 0 && fwrite(b->p, 1, b->len, f) != b->len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

int
fx_gdi_dir(const char *dir, const char *gdi_name)
{
	static const char gdi[] =
	    "3\r\n"
	    "1 0 4 2352 track01.bin 0\r\n"
	    "2 450 0 2352 track02.raw 0\r\n"
	    "3 45000 4 2048 \"Track 03.bin\" 0\r\n";
	struct bytes b = { 0 };
	int rc = 0;

	b_sectors(&b, 0, 300, 2352, OPTIMG_TRACK_MODE1);
	rc |= write_file(dir, "track01.bin", &b);
	b.len = 0;
	b_sectors(&b, 450, 100, 2352, OPTIMG_TRACK_AUDIO);
	rc |= write_file(dir, "track02.raw", &b);
	b.len = 0;
	b_sectors(&b, 45000, 50, 2048, OPTIMG_TRACK_MODE1);
	rc |= write_file(dir, "Track 03.bin", &b);
	b.len = 0;
	b_put(&b, gdi, sizeof(gdi) - 1);
	rc |= write_file(dir, gdi_name, &b);
	b_free(&b);
	return rc;
}

/* ---- CDI ----------------------------------------------------------------- */

/*
 * DiscJuggler, from DeXT's cdirip (CDI_read_track and friends) with the
 * index list and CD-TEXT count as libmirage's image-cdi parser reads
 * them: little-endian; the trailer is the version (0x80000004 v2,
 * 0x80000005 v3, 0x80000006 v3.5) and the table's offset (from the end
 * in v3.5); start marks 00 00 01 00 00 00 FF FF FF FF twice; the start
 * of a track is the LBA of its pregap plus 150 (Aaru's reading).
 */
struct cdi_fx {
	unsigned	mode;		/* 0 audio, 1 Mode 1, 2 Mode 2 */
	unsigned	size_code;	/* 0 2048, 1 2336, 2 2352, 4 2448 */
	uint32_t	pregap, length, start, total;
	unsigned	session;
	const char	*isrc;
};

static void
cdi_record(struct bytes *b, uint32_t version, const struct cdi_fx *t,
    unsigned n)
{
	static const uint8_t mark[10] = { 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff,
	    0xff };
	uint8_t *p;

	/* v3: the DiscJuggler 3.00.780 extras; v3.5: DiscJuggler 4's */
	b_le(b, version == 0x80000005u ? 1 : 0, 4);
	if (version == 0x80000005u)
		b_grow(b, 8);
	b_put(b, mark, 10);
	b_put(b, mark, 10);
	b_grow(b, 4);
	b_u8(b, 9);
	b_put(b, n % 2 ? "track.iso" : "track.wav", 9);
	p = b_grow(b, 19);
	p[11] = 2;
	if (version == 0x80000006u) {
		b_le(b, 0x80000000u, 4);
		b_le(b, 333000, 4);
		b_le(b, 0, 2);
		b_le(b, 0x98, 2);
	} else
		b_le(b, 0, 4);
	b_le(b, 2, 2);				/* two indices */
	b_le(b, t->pregap, 4);
	b_le(b, t->length, 4);
	b_le(b, 0, 4);				/* no CD-TEXT */
	b_grow(b, 2);
	b_le(b, t->mode, 4);
	b_grow(b, 4);
	b_le(b, t->session, 4);
	b_le(b, n, 4);
	b_le(b, t->start, 4);
	b_le(b, t->total, 4);
	b_grow(b, 16);
	b_le(b, t->size_code, 4);
	b_le(b, t->mode == 0 ? 2 : 4, 4);	/* control: DCP or data */
	b_grow(b, 9);
	p = b_grow(b, 12);
	if (t->isrc != NULL)
		memcpy(p, t->isrc, 12);
	b_le(b, t->isrc != NULL, 4);
	if (version != 0x80000004u) {
		b_grow(b, 5);
		b_le(b, version == 0x80000005u ? 0xffffffffu : 0, 4);
		if (version == 0x80000005u)
			b_grow(b, 78);
	}
}

void
fx_cdi(struct bytes *b, uint32_t version)
{
	/* session 1: Mode 1/2352 from LBA -150 (INDEX 01 at 0, 30 sectors),
	 * audio with INDEX 00 at 30 and 01 at 180 (20 sectors); session 2
	 * after the 11,400-sector gap: Mode 2/2336, INDEX 01 at 11600. */
	static const struct cdi_fx t[3] = {
		{ 1, 2, 150, 30, 0, 180, 0, NULL },
		{ 0, 2, 150, 20, 180, 170, 0, "USABC1234567" },
		{ 2, 1, 150, 25, 11600, 175, 1, NULL },
	};
	size_t table;

	b_sectors(b, -150, 180, 2352, OPTIMG_TRACK_MODE1);
	b_sectors(b, 30, 170, 2352, OPTIMG_TRACK_AUDIO);
	b_sectors(b, 11450, 175, 2336, OPTIMG_TRACK_MODE2);
	table = b->len;
	b_le(b, 2, 2);				/* sessions */
	b_le(b, 2, 2);
	cdi_record(b, version, &t[0], 0);
	cdi_record(b, version, &t[1], 1);
	b_grow(b, version == 0x80000004u ? 12 : 13);
	b_le(b, 1, 2);
	cdi_record(b, version, &t[2], 0);
	b_grow(b, version == 0x80000004u ? 12 : 13);
	b_grow(b, 64);				/* the disc's tail, not read */
	b_le(b, version, 4);
	b_le(b, version == 0x80000006u ? b->len + 4 - table : table, 4);
}

/* ---- MDS ----------------------------------------------------------------- */

/*
 * Alcohol 120% version 1, from libmirage's image-mds.h: an 88-byte header
 * ("MEDIA DESCRIPTOR", version 1.3, medium, sessions at 20, session
 * blocks' offset at 80, DPM at 84), 24-byte session blocks, 80-byte track
 * blocks (mode 0xAA Mode 1, 0xA9 audio, 0xAB Mode 2; subchannel 8 =
 * 96 bytes of P-W counted in the sector size; lead-in points 0xA0-0xA2),
 * 8-byte extra blocks (pregap, length), 16-byte footers naming "*.mdf",
 * in 8-bit or 16-bit characters, and one DPM block.
 */
static void
mds_session(struct bytes *b, int32_t start, int32_t end, unsigned number,
    unsigned blocks, unsigned first, unsigned last, uint32_t tracks)
{
	b_le(b, (uint32_t)start, 4);
	b_le(b, (uint32_t)end, 4);
	b_le(b, number, 2);
	b_u8(b, blocks);
	b_u8(b, 3);
	b_le(b, first, 2);
	b_le(b, last, 2);
	b_le(b, 0, 4);
	b_le(b, tracks, 4);
}

static void
mds_track(struct bytes *b, unsigned mode, unsigned sub, unsigned ctl,
    unsigned point, uint32_t extra, unsigned size, uint32_t start,
    uint64_t offset, uint32_t footer)
{
	uint8_t *p = b_grow(b, 80);

	p[0] = (uint8_t)mode;
	p[1] = (uint8_t)sub;
	p[2] = (uint8_t)(0x10 | ctl);
	p[4] = (uint8_t)point;
	oi_le32enc(p + 12, extra);
	p[16] = (uint8_t)size;
	p[17] = (uint8_t)(size >> 8);
	oi_le32enc(p + 36, start);
	oi_le32enc(p + 40, (uint32_t)offset);
	oi_le32enc(p + 44, (uint32_t)(offset >> 32));
	oi_le32enc(p + 48, footer != 0);
	oi_le32enc(p + 52, footer);
}

static void
mds_leadin(struct bytes *b)
{
	for (unsigned point = 0xa0; point <= 0xa2; point++)
		mds_track(b, 0, 0, 4, point, 0, 0, 0, 0, 0);
}

int
fx_mds_dir(const char *dir, const char *mds_name, const char *mdf_name)
{
	enum { S = 88, T1 = 136, T2 = 536, E = 856, F = 880, N8 = 928,
	    N16 = 934, D = 946 };
	struct bytes b = { 0 };
	uint8_t *h;
	int rc;

	b_sectors(&b, 0, 30, 2352, OPTIMG_TRACK_MODE1);
	b_sectors(&b, 180, 20, 2448, OPTIMG_TRACK_AUDIO);
	b_sectors(&b, 11600, 10, 2336, OPTIMG_TRACK_MODE2);
	rc = write_file(dir, mdf_name, &b);
	b.len = 0;
	h = b_grow(&b, 88);
	memcpy(h, "MEDIA DESCRIPTOR", 16);
	h[16] = 1;
	h[17] = 3;
	h[20] = 2;				/* sessions */
	oi_le32enc(h + 80, S);
	oi_le32enc(h + 84, D);
	mds_session(&b, -150, 200, 1, 5, 1, 2, T1);
	mds_session(&b, 11450, 11610, 2, 4, 3, 3, T2);
	mds_leadin(&b);
	mds_track(&b, 0xaa, 0, 4, 1, E, 2352, 0, 0, F);
	mds_track(&b, 0xa9, 8, 2, 2, E + 8, 2448, 180, 30 * 2352, F + 16);
	mds_leadin(&b);
	mds_track(&b, 0xab, 0, 4, 3, E + 16, 2336, 11600,
	    30 * 2352 + 20 * 2448, F + 32);
	b_le(&b, 150, 4);			/* extra blocks */
	b_le(&b, 30, 4);
	b_le(&b, 150, 4);
	b_le(&b, 20, 4);
	b_le(&b, 150, 4);
	b_le(&b, 10, 4);
	b_le(&b, N8, 4);			/* footers */
	b_grow(&b, 12);
	b_le(&b, N8, 4);
	b_grow(&b, 12);
	b_le(&b, N16, 4);
	b_le(&b, 1, 4);
	b_grow(&b, 8);
	b_put(&b, "*.mdf", 6);
	for (const char *c = "*.mdf"; ; c++) {
		b_le(&b, (unsigned char)*c, 2);
		if (*c == '\0')
			break;
	}
	b_le(&b, 1, 4);				/* DPM: one block */
	b_le(&b, D + 8, 4);
	b_le(&b, 0, 4);
	b_le(&b, 0, 4);
	b_le(&b, 50, 4);
	b_le(&b, 4, 4);
	for (uint32_t i = 0; i < 4; i++)
		b_le(&b, 1000 + 37 * i, 4);
	rc |= write_file(dir, mds_name, &b);
	b_free(&b);
	return rc;
}

/* ---- an ISO wrapped in each format --------------------------------------- */

/*
 * One Mode 1 data track holding the n sectors of iso, in the layouts the
 * builders above make: for the readers' agreement with other tools
 * (tests/cli/t1201-readers-iat.sh).  dir receives NAME.EXT (and an .mdf).
 */
static int
wrap_nrg_dao(const char *dir, uint32_t n)
{
	struct bytes b = { 0 };
	size_t at, chain;
	int rc;

	b_sectors(&b, -150, 150 + n, 2352, OPTIMG_TRACK_MODE1);
	chain = b.len;
	chunk_begin(&b, "CUEX", &at);
	cue_entry(&b, 2, 0x41, 0, 0, -150);
	cue_entry(&b, 2, 0x41, 1, 0, -150);
	cue_entry(&b, 2, 0x41, 1, 1, 0);
	cue_entry(&b, 2, 0x41, 0xaa, 1, (int32_t)n);
	chunk_end(&b, at);
	chunk_begin(&b, "DAOX", &at);
	dao_header(&b, NULL, 1, 1);
	dao_entry(&b, 2, NULL, 2352, 0x05, 0, 150 * 2352,
	    (150 + (uint64_t)n) * 2352);
	chunk_end(&b, at);
	small_chunk(&b, "SINF", 1);
	small_chunk(&b, "MTYP", 1);
	finish(&b, 2, chain);
	rc = write_file(dir, "dao.nrg", &b);
	b_free(&b);
	return rc;
}

static int
wrap_nrg_tao(const char *dir, uint32_t n)
{
	struct bytes b = { 0 };
	size_t at, chain;
	int rc;

	b_sectors(&b, 0, n, 2048, OPTIMG_TRACK_MODE1);
	chain = b.len;
	chunk_begin(&b, "ETNF", &at);
	etn_entry(&b, 1, 0, (uint64_t)n * 2048, 0, 0);
	chunk_end(&b, at);
	small_chunk(&b, "SINF", 1);
	finish(&b, 1, chain);
	rc = write_file(dir, "tao.nrg", &b);
	b_free(&b);
	return rc;
}

static int
wrap_cdi(const char *dir, uint32_t version, const char *name, uint32_t n)
{
	struct cdi_fx t = { 1, 2, 150, n, 0, 150 + n, 0, NULL };
	struct bytes b = { 0 };
	size_t table;
	int rc;

	b_sectors(&b, -150, 150 + n, 2352, OPTIMG_TRACK_MODE1);
	table = b.len;
	b_le(&b, 1, 2);
	b_le(&b, 1, 2);
	cdi_record(&b, version, &t, 0);
	b_grow(&b, version == 0x80000004u ? 12 : 13);
	b_grow(&b, 64);
	b_le(&b, version, 4);
	b_le(&b, version == 0x80000006u ? b.len + 4 - table : table, 4);
	rc = write_file(dir, name, &b);
	b_free(&b);
	return rc;
}

static int
wrap_mds(const char *dir, uint32_t n)
{
	enum { S = 88, T = 112, E = 432, F = 440, N8 = 456 };
	struct bytes b = { 0 };
	uint8_t *h;
	int rc;

	b_sectors(&b, 0, n, 2352, OPTIMG_TRACK_MODE1);
	rc = write_file(dir, "disc.mdf", &b);
	b.len = 0;
	h = b_grow(&b, 88);
	memcpy(h, "MEDIA DESCRIPTOR", 16);
	h[16] = 1;
	h[17] = 3;
	h[20] = 1;
	oi_le32enc(h + 80, S);
	mds_session(&b, -150, (int32_t)n, 1, 4, 1, 1, T);
	mds_leadin(&b);
	mds_track(&b, 0xaa, 0, 4, 1, E, 2352, 0, 0, F);
	b_le(&b, 150, 4);
	b_le(&b, n, 4);
	b_le(&b, N8, 4);
	b_grow(&b, 12);
	b_put(&b, "*.mdf", 6);
	rc |= write_file(dir, "disc.mds", &b);
	b_free(&b);
	return rc;
}

int
fx_wrap_iso(const char *dir, const uint8_t *iso, uint32_t n)
{
	int rc = 0;

	b_user_src = iso;
	b_user_n = n;
	rc |= wrap_nrg_dao(dir, n);
	rc |= wrap_nrg_tao(dir, n);
	rc |= wrap_cdi(dir, 0x80000004u, "v2.cdi", n);
	rc |= wrap_cdi(dir, 0x80000006u, "v35.cdi", n);
	rc |= wrap_mds(dir, n);
	b_user_src = NULL;
	b_user_n = 0;
	return rc;
}
