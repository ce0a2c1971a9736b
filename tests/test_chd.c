/*
 * test_chd.c - CHD's building blocks without chdman: the CRC-16 against
 * its published check value and a bit-at-a-time reference, and each CD
 * codec's round trip over seeded hunks of every kind (Mode 1 sectors whose
 * ECC lets the codec drop it, noise, silence, tones), through one codec
 * object, since the codecs keep their streams from hunk to hunk.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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

static CU_TestInfo chd_tests[] = {
	{ "CRC-16 check value and reference", test_crc16 },
	{ "cdlz round trips, one codec object", test_cdlz },
	{ "cdzl round trips, one codec object", test_cdzl },
	{ "cdfl round trips, one codec object", test_cdfl },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "chd", .pTests = chd_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
