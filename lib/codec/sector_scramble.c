/*
 * sector_scramble.c - the scrambler of ECMA-130 Annex B.
 *
 * Bytes 12..2351 of a data sector are XORed with the output of a 15-bit
 * shift register, x^15 + x + 1, preset to 1 at byte 12 and clocked once
 * per bit, least significant bit of each byte first.  The sequence is the
 * same for every sector, so it is generated once into a table; XOR being
 * its own inverse, the same call scrambles and unscrambles.
 */
#include "config.h"

#include <pthread.h>
#include <string.h>

#include "oi_private.h"

#define SCRAMBLE_START	12
#define SCRAMBLE_LEN	(OPTIMG_RAW_SECTOR - SCRAMBLE_START)	/* 2340 */

static uint8_t scramble_table[SCRAMBLE_LEN];
static pthread_once_t scramble_once = PTHREAD_ONCE_INIT;

static void
scramble_init(void)
{
	unsigned reg = 1, i, bit, out;
	uint8_t byte;

	for (i = 0; i < SCRAMBLE_LEN; i++) {
		byte = 0;
		for (bit = 0; bit < 8; bit++) {
			out = reg & 1;
			byte |= (uint8_t)(out << bit);
			/* Feedback from taps x^0 and x^1 enters at x^14. */
			reg = reg >> 1 | (out ^ (reg >> 1 & 1)) << 14;
		}
		scramble_table[i] = byte;
	}
}

void
optimg_scramble(uint8_t sector[OPTIMG_RAW_SECTOR])
{
	uint8_t *p = sector + SCRAMBLE_START;
	uint64_t a, b;
	size_t i;

	pthread_once(&scramble_once, scramble_init);
	/*
	 * Eight bytes at a time: byte by byte, the compiler must assume
	 * sector and table may overlap, and it is eight times slower.
	 */
	for (i = 0; i + 8 <= SCRAMBLE_LEN; i += 8) {
		memcpy(&a, p + i, 8);
		memcpy(&b, scramble_table + i, 8);
		a ^= b;
		memcpy(p + i, &a, 8);
	}
	for (; i < SCRAMBLE_LEN; i++)
		p[i] ^= scramble_table[i];
}
