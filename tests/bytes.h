/*
 * bytes.h - a growable byte buffer and the little helpers image fixtures
 * are built with (fx_images.c, for the reader suites and mkfixture):
 * integers of either byte order and runs of sectors with a payload each
 * sector's LBA makes recognisable.
 */
#ifndef TEST_BYTES_H
#define TEST_BYTES_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oi_private.h"

struct bytes {
	uint8_t	*p;
	size_t	 len, cap;
};

static inline uint8_t *
b_grow(struct bytes *b, size_t n)
{
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL)
			abort();	/* a test fixture: nothing to recover */
		b->cap = cap;
	}
	memset(b->p + b->len, 0, n);
	b->len += n;
	return b->p + b->len - n;
}

static inline void
b_put(struct bytes *b, const void *p, size_t n)
{
	memcpy(b_grow(b, n), p, n);
}

static inline void
b_u8(struct bytes *b, unsigned v)
{
	*b_grow(b, 1) = (uint8_t)v;
}

static inline void
b_be(struct bytes *b, uint64_t v, unsigned n)
{
	uint8_t *p = b_grow(b, n);

	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static inline void
b_le(struct bytes *b, uint64_t v, unsigned n)
{
	uint8_t *p = b_grow(b, n);

	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void
b_free(struct bytes *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/*
 * When set, the user data of data sectors at LBA 0.. comes from these
 * 2048-byte sectors (an ISO to wrap), and is zero past them.
 */
static const uint8_t *b_user_src;
static uint32_t b_user_n;

/* The byte every payload byte of sector lba of a fixture holds. */
static inline uint8_t
fx_byte(int32_t lba, unsigned i)
{
	return (uint8_t)(lba * 7 + i * 13 + 1);
}

/*
 * count sectors from lba as a file holds them at size bytes a sector:
 * 2048 user data, 2336 Mode 2 (subheader 00 00 08 00 twice, Form 1
 * data, EDC and ECC made by the codec), 2352 raw Mode 1 or audio (mode
 * 0: audio samples), 2448 raw plus 96 bytes of subchannel.
 */
static inline void
b_sectors(struct bytes *b, int32_t lba, uint32_t count, unsigned size,
    enum optimg_track_mode mode)
{
	uint8_t raw[OPTIMG_RAW_SUB_SECTOR];

	for (uint32_t k = 0; k < count; k++, lba++) {
		memset(raw, 0, sizeof(raw));
		for (unsigned i = 0; i < 2352; i++)
			raw[i] = fx_byte(lba, i);
		if (b_user_src != NULL && mode != OPTIMG_TRACK_AUDIO) {
			uint8_t *user = raw + (mode == OPTIMG_TRACK_MODE1 ?
			    16 : 24);
			memset(user, 0, 2048);
			if (lba >= 0 && (uint32_t)lba < b_user_n)
				memcpy(user, b_user_src + (size_t)lba * 2048,
				    2048);
		}
		if (mode == OPTIMG_TRACK_MODE1)
			optimg_sector_from_user(raw, raw + 16, lba,
			    OPTIMG_SECTOR_MODE1, NULL);
		else if (mode != OPTIMG_TRACK_AUDIO) {
			uint8_t user[2048];
			memcpy(user, raw + 24, 2048);
			optimg_sector_from_user(raw, user, lba,
			    OPTIMG_SECTOR_MODE2_FORM1, NULL);
		}
		for (unsigned i = 2352; i < 2448; i++)
			raw[i] = (uint8_t)(i ^ (unsigned)lba);
		if (size == 2048)
			b_put(b, raw + (mode == OPTIMG_TRACK_MODE1 ? 16 : 24),
			    2048);
		else if (size == 2336)
			b_put(b, raw + 16, 2336);
		else
			b_put(b, raw, size);
	}
}

#endif
