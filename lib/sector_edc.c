/*
 * sector_edc.c - the EDC of a data sector (ECMA-130 14.3).
 *
 * The EDC is a 32-bit CRC with the polynomial
 * (x^16 + x^15 + x^2 + 1)(x^16 + x^2 + x + 1) = 0x8001801B, processed
 * least significant bit first (reflected: 0xD8018001), starting from 0 and
 * stored little-endian without a final inversion.
 *
 * It is computed with slicing-by-16: sixteen 256-entry tables let one step
 * fold 16 input bytes with 16 independent lookups instead of 16 dependent
 * ones, which is what makes a byte-at-a-time CRC slow.  Table k maps a
 * byte to the CRC of that byte followed by k zero bytes.
 */
#include "config.h"

#include <pthread.h>

#include "oi_private.h"

#define EDC_POLY	0xd8018001u	/* 0x8001801B reflected */
#define SLICES		16

static uint32_t edc_table[SLICES][256];
static pthread_once_t edc_once = PTHREAD_ONCE_INIT;

static void
edc_init(void)
{
	unsigned i, k, bit;
	uint32_t crc;

	for (i = 0; i < 256; i++) {
		crc = i;
		for (bit = 0; bit < 8; bit++)
			crc = crc >> 1 ^ (crc & 1 ? EDC_POLY : 0);
		edc_table[0][i] = crc;
	}
	for (k = 1; k < SLICES; k++)
		for (i = 0; i < 256; i++)
			edc_table[k][i] = edc_table[k - 1][i] >> 8 ^
			    edc_table[0][edc_table[k - 1][i] & 0xff];
}

/* Compilers turn this into one load on little-endian machines. */
static inline uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

/* The 4 bytes of w, first byte first, looked up in tables t[3]..t[0]. */
#define FOLD4(t, w)							\
	((t)[3][(w) & 0xff] ^ (t)[2][(w) >> 8 & 0xff] ^		\
	 (t)[1][(w) >> 16 & 0xff] ^ (t)[0][(w) >> 24])

/* Bytes 4..15 of a 16-byte block: they do not depend on the CRC so far. */
static inline uint32_t
fold12(const uint32_t (*t)[256], const uint8_t *p)
{
	uint32_t w1 = le32(p + 4), w2 = le32(p + 8), w3 = le32(p + 12);

	return FOLD4(t + 8, w1) ^ FOLD4(t + 4, w2) ^ FOLD4(t, w3);
}

uint32_t
optimg_edc(uint32_t edc, const void *buf, size_t len)
{
	const uint32_t (*t)[256] = edc_table;
	const uint8_t *p = buf;
	uint32_t w0, rest;

	pthread_once(&edc_once, edc_init);
	if (len >= 16) {
		/*
		 * Only the first 4 bytes of a block meet the running CRC.
		 * Folding the other 12 one block ahead takes them off the
		 * loop's critical path; a single expression would not,
		 * since the compiler chains the xors in its own order.
		 */
		rest = fold12(t, p);
		for (; len >= 32; p += 16, len -= 16) {
			w0 = le32(p) ^ edc;
			edc = FOLD4(t + 12, w0) ^ rest;
			rest = fold12(t, p + 16);
		}
		w0 = le32(p) ^ edc;
		edc = FOLD4(t + 12, w0) ^ rest;
		p += 16;
		len -= 16;
	}
	for (; len > 0; p++, len--)
		edc = edc >> 8 ^ t[0][(edc ^ *p) & 0xff];
	return edc;
}
