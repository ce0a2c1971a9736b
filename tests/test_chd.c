/*
 * test_chd.c - CHD's building blocks without chdman: the CRC-16 against
 * its published check value and a bit-at-a-time reference, and each CD
 * codec's round trip over seeded hunks of every kind (Mode 1 sectors whose
 * ECC lets the codec drop it, noise, silence, tones; with and without
 * subcode), cdzs's subcode as zstd as MAME has it, through one codec
 * object, since the codecs keep their streams from hunk to hunk; and a
 * CHD read through its cache in order (decoded ahead on every core), out
 * of order and back, against each hunk decoded alone, a damaged hunk
 * caught by number in both.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "chd.h"

#define HUNK	(CHD_CD_FRAME * CHD_CD_HUNK_FRAMES)

static uint32_t rng_state;

static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* CRC-16/CCITT-FALSE one bit at a time, straight from its definition. */
static uint16_t
crc16_bits(const uint8_t *p, size_t len)
{
	uint16_t crc = 0xffff;

	while (len-- > 0) {
		crc ^= (uint16_t)(*p++ << 8);
		for (int k = 0; k < 8; k++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 :
			    crc << 1);
	}
	return crc;
}

static void
test_crc16(void)
{
	static uint8_t buf[5000];

	CU_ASSERT_EQUAL(chd_crc16("123456789", 9), 0x29b1);
	CU_ASSERT_EQUAL(chd_crc16("", 0), 0xffff);
	rng_state = 1;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)rng();
	for (int i = 0; i < 200; i++) {
		size_t off = rng() % 64, len = rng() % (sizeof(buf) - 64);
		CU_ASSERT_EQUAL(chd_crc16(buf + off, len),
		    crc16_bits(buf + off, len));
	}
}

enum kind { K_MODE1, K_NOISE, K_SILENCE, K_TONE, K_MIXED, K_KINDS };

/* One seeded hunk of a kind, subcode zero as a bin without .sub gives. */
static void
make_hunk(uint8_t *h, enum kind k, int32_t lba)
{
	memset(h, 0, HUNK);
	for (int f = 0; f < CHD_CD_HUNK_FRAMES; f++) {
		uint8_t *s = h + (size_t)f * CHD_CD_FRAME;
		enum kind fk = k == K_MIXED ? (f < 3 ? K_MODE1 : K_TONE) : k;
		switch (fk) {
		case K_MODE1:
			for (int i = 0; i < 2048; i++)
				s[16 + i] = (uint8_t)(rng() % 7);
			optimg_sector_encode(s, lba + f, OPTIMG_SECTOR_MODE1);
			break;
		case K_NOISE:
			for (int i = 0; i < 2352; i++)
				s[i] = (uint8_t)rng();
			break;
		case K_TONE:
			for (int i = 0; i < 2352; i += 2) {
				int v = (int)((i / 4 + f * 588) % 100) * 300 -
				    15000 + (int)(rng() % 64);
				s[i] = (uint8_t)(v >> 8);	/* big-endian */
				s[i + 1] = (uint8_t)v;
			}
			break;
		default:
			break;
		}
	}
}

/* Odd hunks get a subcode of Q-like runs with noise, as a .sub gives. */
static void
add_subcode(uint8_t *h, int i)
{
	if (i % 2 == 0)
		return;
	for (int f = 0; f < CHD_CD_HUNK_FRAMES; f++)
		for (int k = 0; k < CHD_CD_SUB; k++)
			h[(size_t)f * CHD_CD_FRAME + CHD_CD_SECTOR + k] =
			    (uint8_t)(k % 12 < 10 ? 0x40 * ((i + f + k / 8) & 1) :
			    rng());
}

static void
round_trip(uint32_t tag)
{
	struct chd_codec *c;
	uint8_t *h = malloc(HUNK), *z = malloc(2 * HUNK), *back = malloc(HUNK);
	int packed = 0;

	CU_ASSERT_EQUAL_FATAL(chd_codec_new(tag, HUNK, &c), 0);
	rng_state = 7;
	for (int i = 0; i < 60; i++) {
		make_hunk(h, (enum kind)(i % K_KINDS), i * 8);
		add_subcode(h, i);
		long n = chd_codec_compress(c, h, z, HUNK);
		if (n < 0)		/* it may not take this hunk */
			continue;
		packed++;
		CU_ASSERT(n <= HUNK);
		memset(back, 0xa5, HUNK);
		CU_ASSERT_EQUAL(chd_codec_decompress(c, z, (size_t)n, back),
		    0);
		CU_ASSERT(memcmp(back, h, HUNK) == 0);
		/* A hunk cut short never decodes to the whole hunk. */
		if (n > 8)
			CU_ASSERT(chd_codec_decompress(c, z, (size_t)n / 2,
			    back) < 0 || memcmp(back, h, HUNK) != 0);
	}
	CU_ASSERT(packed >= 36);	/* all but noise, at least */
	chd_codec_free(c);
	free(h);
	free(z);
	free(back);
}

static void
test_cdlz(void)
{
	round_trip(CHD_CODEC_CDLZ);
}

static void
test_cdzl(void)
{
	round_trip(CHD_CODEC_CDZL);
}

static void
test_cdfl(void)
{
	round_trip(CHD_CODEC_CDFL);
}

static void
test_cdzs(void)
{
	round_trip(CHD_CODEC_CDZS);
}

/*
 * MAME's cdzs keeps the subcode as a zstd frame after the sectors' (the
 * others deflate it): a hunk of zero sectors and noise subcode shows
 * the frame's magic right after the sectors' length says they end.
 */
static void
test_cdzs_subcode(void)
{
	static const uint8_t magic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	struct chd_codec *c;
	uint8_t *h = calloc(1, HUNK), *z = malloc(2 * HUNK);
	uint8_t *back = malloc(HUNK);

	CU_ASSERT_EQUAL_FATAL(chd_codec_new(CHD_CODEC_CDZS, HUNK, &c), 0);
	rng_state = 3;
	for (int f = 0; f < CHD_CD_HUNK_FRAMES; f++)
		for (int k = 0; k < CHD_CD_SUB; k++)
			h[(size_t)f * CHD_CD_FRAME + CHD_CD_SECTOR + k] =
			    (uint8_t)rng();
	long n = chd_codec_compress(c, h, z, 2 * HUNK);
	CU_ASSERT_FATAL(n > 3);
	/* 1 byte of ECC bitmap for 8 frames, 2 of length (hunk < 64 KiB) */
	size_t base = (size_t)z[1] << 8 | z[2];
	CU_ASSERT_FATAL(3 + base + 4 <= (size_t)n);
	CU_ASSERT(memcmp(z + 3, magic, 4) == 0);
	CU_ASSERT(memcmp(z + 3 + base, magic, 4) == 0);
	CU_ASSERT_EQUAL(chd_codec_decompress(c, z, (size_t)n, back), 0);
	CU_ASSERT(memcmp(back, h, HUNK) == 0);
	chd_codec_free(c);
	free(h);
	free(z);
	free(back);
}

/* ---- track metadata ----------------------------------------------------- */

/* Parses one CHT2 (or CHCD) entry as a one-track CD of 8 frames. */
static int
parse_one(uint32_t tag, const void *data, uint32_t len, struct chd_cd *cd)
{
	struct chd_meta m = { .tag = tag, .data = (uint8_t *)data,
	    .len = len };
	struct oi_chd chd = { .unit_bytes = CHD_CD_FRAME, .hunk_bytes = HUNK,
	    .logical_bytes = HUNK, .meta = &m, .nmeta = 1 };
	struct optimg_error err;

	return oi_chd_cd_parse(&chd, cd, &err);
}

/*
 * SUBTYPE names MAME's three kinds (cdrom.h: RW normal, RW_RAW raw, NONE)
 * and comes back as read; PGSUB follows it for a stored pregap only, as
 * chdman writes NONE for a pregap no frame holds; CHCD numbers them.
 */
static void
test_subtype(void)
{
	static const char *const names[] = { "RW", "RW_RAW", "NONE" };
	char text[200], again[200];
	struct chd_cd cd;

	for (unsigned k = 0; k < 3; k++) {
		snprintf(text, sizeof(text), "TRACK:1 TYPE:MODE1_RAW "
		    "SUBTYPE:%s FRAMES:8 PREGAP:2 PGTYPE:VMODE1_RAW PGSUB:%s "
		    "POSTGAP:0", names[k], names[k]);
		CU_ASSERT_EQUAL_FATAL(parse_one(CHD_META_CHT2, text,
		    (uint32_t)strlen(text) + 1, &cd), 0);
		CU_ASSERT_EQUAL(cd.tracks[0].sub, (enum chd_sub)k);
		oi_chd_cd_format(&cd.tracks[0], false, again, sizeof(again));
		CU_ASSERT_STRING_EQUAL(again, text);
		cd.tracks[0].pregap_stored = false;
		oi_chd_cd_format(&cd.tracks[0], false, again, sizeof(again));
		CU_ASSERT_PTR_NOT_NULL(strstr(again, "PGTYPE:MODE1 PGSUB:NONE"));
		oi_chd_cd_release(&cd);
	}
	snprintf(text, sizeof(text), "TRACK:1 TYPE:AUDIO SUBTYPE:RAW "
	    "FRAMES:8");
	CU_ASSERT(parse_one(CHD_META_CHT2, text, (uint32_t)strlen(text) + 1,
	    &cd) < 0);
	oi_chd_cd_release(&cd);
	/* CHCD: count, then type, subtype, data size, sub size, frames, 0 */
	uint8_t bin[28] = { 0, 0, 0, 1, 0, 0, 0, 7, 0, 0, 0, 1 };
	bin[4 + 16 + 3] = 8;
	CU_ASSERT_EQUAL_FATAL(parse_one(CHD_META_CHCD, bin, sizeof(bin), &cd),
	    0);
	CU_ASSERT_EQUAL(cd.tracks[0].sub, CHD_SUB_RW_RAW);
	oi_chd_cd_release(&cd);
	bin[4 + 7] = 3;
	CU_ASSERT(parse_one(CHD_META_CHCD, bin, sizeof(bin), &cd) < 0);
	oi_chd_cd_release(&cd);
}

/* ---- reading ahead ------------------------------------------------------ */

#define DATA_SECTORS	900
#define AUDIO_SECTORS	700

static char dir[256];

static const char *
in_dir(const char *name)
{
	static char path[2][300];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", dir, name);
	return path[which];
}

/* A seeded two-track BIN/CUE made into x.chd by our writer. */
static void
make_chd(void)
{
	uint8_t s[2352];
	FILE *f = fopen(in_dir("x.bin"), "wb");
	struct optimg_convert_opts opts = { 0 };
	struct optimg_error err = { 0 };
	struct optimg_image *img;

	CU_ASSERT_FATAL(f != NULL);
	rng_state = 11;
	for (int i = 0; i < DATA_SECTORS; i++) {
		memset(s, 0, sizeof(s));
		for (int k = 0; k < 2048; k++)
			s[16 + k] = (uint8_t)(rng() % (i % 5 == 0 ? 256 : 9));
		optimg_sector_encode(s, i, OPTIMG_SECTOR_MODE1);
		fwrite(s, 1, sizeof(s), f);
	}
	for (int i = 0; i < AUDIO_SECTORS; i++) {
		for (int k = 0; k < 2352; k += 2) {
			int v = (k / 4 + i * 588) % 200 * 100 + (int)(rng() % 512);
			s[k] = (uint8_t)v;
			s[k + 1] = (uint8_t)(v >> 8);
		}
		fwrite(s, 1, sizeof(s), f);
	}
	fclose(f);
	f = fopen(in_dir("x.cue"), "w");
	CU_ASSERT_FATAL(f != NULL);
	fprintf(f, "FILE \"x.bin\" BINARY\n  TRACK 01 MODE1/2352\n"
	    "    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    INDEX 01 00:12:00\n");
	fclose(f);
	img = optimg_image_new();
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(optimg_image_open(img, in_dir("x.cue")), 0);
	CU_ASSERT_EQUAL_FATAL(optimg_convert(img, in_dir("x.chd"), &opts,
	    &err), 0);
	optimg_image_free(img);
}

static int
ahead_init(void)
{
	snprintf(dir, sizeof(dir), "%s/optimg-chd.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) == NULL;
}

static int
ahead_cleanup(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) != 0;
}

/* Hunk h read through a's cache equals h decoded alone from b. */
static bool
same_hunk(struct oi_chd *a, struct oi_chd *b, uint32_t h, uint8_t *x,
    uint8_t *y)
{
	uint32_t hb = a->hunk_bytes;

	return oi_chd_read(a, (uint64_t)h * hb, x, hb) == 0 &&
	    oi_chd_read_hunk(b, h, y) == 0 && memcmp(x, y, hb) == 0;
}

static void
test_ahead(void)
{
	static const uint32_t jumps[] = { 40, 7, 8, 9, 10, 11, 60, 3, 4, 90,
	    91, 92, 2, 93 };
	struct optimg_error err = { 0 };
	struct oi_chd *a, *b;
	uint8_t *x, *y;
	unsigned bad = 0;

	make_chd();
	CU_ASSERT_EQUAL_FATAL(oi_chd_open(in_dir("x.chd"), NULL, &a, &err), 0);
	CU_ASSERT_EQUAL_FATAL(oi_chd_open(in_dir("x.chd"), NULL, &b, &err), 0);
	x = malloc(a->hunk_bytes);
	y = malloc(a->hunk_bytes);
	for (uint32_t h = 0; h < a->hunk_count; h++)
		bad += !same_hunk(a, b, h, x, y);
	if (sysconf(_SC_NPROCESSORS_ONLN) > 1)
		CU_ASSERT_PTR_NOT_NULL(a->ahead);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(jumps); i++)
		bad += !same_hunk(a, b, jumps[i] % a->hunk_count, x, y);
	for (uint32_t h = 20; h < a->hunk_count; h++)
		bad += !same_hunk(a, b, h, x, y);
	CU_ASSERT_EQUAL(bad, 0);
	oi_chd_close(a);
	oi_chd_close(b);
	free(x);
	free(y);
}

/* A hunk damaged in the file fails by number, read in order or alone. */
static void
test_ahead_damage(void)
{
	struct optimg_error err = { 0 };
	struct oi_chd *a;
	uint8_t *x;
	uint32_t victim, h;
	FILE *f;

	CU_ASSERT_EQUAL_FATAL(oi_chd_open(in_dir("x.chd"), NULL, &a, &err), 0);
	victim = a->hunk_count / 2;
	while (victim < a->hunk_count && a->map[(size_t)victim * 12] > 3)
		victim++;		/* one stored compressed */
	CU_ASSERT_FATAL(victim < a->hunk_count);
	uint64_t off = 0;
	for (int k = 0; k < 6; k++)
		off = off << 8 | a->map[(size_t)victim * 12 + 4 + k];
	oi_chd_close(a);
	f = fopen(in_dir("x.chd"), "r+b");
	CU_ASSERT_FATAL(f != NULL);
	fseek(f, (long)off + 8, SEEK_SET);
	fputc(0x5a ^ fgetc(f), f);
	fseek(f, (long)off + 9, SEEK_SET);
	fputc(0xa5, f);
	fclose(f);
	CU_ASSERT_EQUAL_FATAL(oi_chd_open(in_dir("x.chd"), NULL, &a, &err), 0);
	x = malloc(a->hunk_bytes);
	for (h = 0; h < a->hunk_count; h++)
		if (oi_chd_read(a, (uint64_t)h * a->hunk_bytes, x,
		    a->hunk_bytes) < 0)
			break;
	CU_ASSERT_EQUAL(h, victim);
	CU_ASSERT_EQUAL(a->bad_hunk, victim);
	char want[64];
	snprintf(want, sizeof(want), "hunk %u ", victim);
	CU_ASSERT_PTR_NOT_NULL(strstr(a->err.message, want));
	CU_ASSERT_NOT_EQUAL(oi_chd_read_hunk(a, victim, x), 0);
	free(x);
	oi_chd_close(a);
}

static CU_TestInfo ahead_tests[] = {
	{ "in order, out of order, in order again", test_ahead },
	{ "a damaged hunk named", test_ahead_damage },
	CU_TEST_INFO_NULL
};

static CU_TestInfo chd_tests[] = {
	{ "CRC-16 check value and reference", test_crc16 },
	{ "cdlz round trips, one codec object", test_cdlz },
	{ "cdzl round trips, one codec object", test_cdzl },
	{ "cdfl round trips, one codec object", test_cdfl },
	{ "cdzs round trips, one codec object", test_cdzs },
	{ "cdzs keeps the subcode as a zstd frame", test_cdzs_subcode },
	{ "SUBTYPE and PGSUB parsed and written back", test_subtype },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "chd", .pTests = chd_tests },
	{ .pName = "chd read ahead", .pInitFunc = ahead_init,
	  .pCleanupFunc = ahead_cleanup, .pTests = ahead_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
