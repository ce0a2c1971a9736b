/*
 * ecm_sector.c - ECM v1's sector kinds (ecm.h): telling them apart as
 * ecm(1) does, and making a sector whole again with optimg's EDC and ECC.
 */
#include "config.h"

#include <string.h>

#include "ecm.h"

static const uint8_t sync_pattern[12] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

unsigned
oi_ecm_stored(unsigned type)
{
	static const unsigned n[4] = { 1, 3 + 2048, 4 + 2048, 4 + 2324 };

	return n[type & 3];
}

unsigned
oi_ecm_decoded(unsigned type)
{
	static const unsigned n[4] = { 1, 2352, 2336, 2336 };

	return n[type & 3];
}

static void
put_edc(uint8_t *at, const uint8_t *from, size_t len)
{
	oi_le32enc(at, optimg_edc(0, from, len));
}

/* s: a 2352-byte sector whose header bytes are zero for Mode 2. */
static void
rebuild(unsigned type, uint8_t *s)
{
	switch (type) {
	case 1:
		memcpy(s, sync_pattern, sizeof(sync_pattern));
		s[15] = 1;
		put_edc(s + 0x810, s, 0x810);
		memset(s + 0x814, 0, 8);
		optimg_ecc_generate(s);
		break;
	case 2:
		/* Form 1's ECC leaves the header out: computed over zeros. */
		memcpy(s + 0x10, s + 0x14, 4);
		put_edc(s + 0x818, s + 0x10, 0x808);
		optimg_ecc_generate(s);
		break;
	default:
		memcpy(s + 0x10, s + 0x14, 4);
		put_edc(s + 0x92c, s + 0x10, 0x91c);
		break;
	}
}

void
oi_ecm_decode(unsigned type, const uint8_t *in, uint8_t *out)
{
	uint8_t s[OPTIMG_RAW_SECTOR];

	memset(s, 0, 16);
	if (type == 1) {
		memcpy(s + 12, in, 3);
		memcpy(s + 16, in + 3, 2048);
		rebuild(1, s);
		memcpy(out, s, OPTIMG_RAW_SECTOR);
		return;
	}
	memcpy(s + 0x14, in, oi_ecm_stored(type));
	rebuild(type, s);
	memcpy(out, s + 16, 2336);
}

static bool
is_mode1(const uint8_t *p)
{
	static const uint8_t zero[8];
	uint8_t s[OPTIMG_RAW_SECTOR];

	if (memcmp(p, sync_pattern, sizeof(sync_pattern)) != 0 ||
	    p[15] != 1 || memcmp(p + 0x814, zero, 8) != 0 ||
	    optimg_edc(0, p, 0x810) != oi_le32dec(p + 0x810))
		return false;
	memcpy(s, p, OPTIMG_RAW_SECTOR);
	optimg_ecc_generate(s);
	return memcmp(s + 0x81c, p + 0x81c, OPTIMG_RAW_SECTOR - 0x81c) == 0;
}

static bool
is_form1(const uint8_t *p)
{
	uint8_t s[OPTIMG_RAW_SECTOR];

	if (optimg_edc(0, p, 0x808) != oi_le32dec(p + 0x808))
		return false;
	memset(s, 0, 16);
	memcpy(s + 16, p, 2336);
	optimg_ecc_generate(s);
	return memcmp(s + 0x81c, p + 0x80c, 2336 - 0x80c) == 0;
}

unsigned
oi_ecm_classify(const uint8_t *p, size_t len)
{
	if (len >= OPTIMG_RAW_SECTOR && is_mode1(p))
		return 1;
	if (len < 2336 || memcmp(p, p + 4, 4) != 0)
		return 0;
	if (is_form1(p))
		return 2;
	if (optimg_edc(0, p, 0x91c) == oi_le32dec(p + 0x91c))
		return 3;
	return 0;
}

size_t
oi_ecm_put_head(uint8_t out[6], unsigned type, uint32_t count1)
{
	size_t n = 1;

	out[0] = (uint8_t)((count1 >= 32 ? 0x80 : 0) | (count1 & 31) << 2 |
	    (type & 3));
	for (count1 >>= 5; count1 != 0; count1 >>= 7)
		out[n++] = (uint8_t)((count1 >= 128 ? 0x80 : 0) |
		    (count1 & 127));
	return n;
}
