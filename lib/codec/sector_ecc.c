/*
 * sector_ecc.c - the ECC of a data sector: ECMA-130 Annex A, RSPC.
 *
 * Bytes 12..2247 are read as 16-bit words, 26 rows of 43.  The two bytes
 * of a word lie in separate planes that never mix, so each "word column"
 * below is really two byte columns side by side.
 *
 * P: rows 0..23 (bytes 12..2075: header, data, EDC, zero gap).  Each
 *    column of 24 words is a code word of a (26,24) Reed-Solomon code over
 *    GF(2^8) with x^8+x^4+x^3+x^2+1 (0x11D); its two parity words are
 *    rows 24 and 25, bytes 2076..2247.
 * Q: all 26 rows, P parity included, read along diagonals: diagonal k
 *    holds the word of column i in row (k+i) mod 26, i = 0..42, a code
 *    word of a (45,43) code.  Its parity words are bytes 2248..2351.
 *
 * For a code word d[0..n-1], parity byte 1 is sum(d[i] (x + ... +
 * x^(n-i))) and parity byte 0 is that plus sum(d[i]).  (The classic
 * implementation, ecm.c, gets there by a division by 1+x at the end.)
 * With prefix sums e[t] = d[0] + ... + d[t] this is a plain Horner scheme,
 * acc = (acc + e[t]) x, with no division:
 *
 *	parity1 = acc, parity0 = acc + e[n-1].
 *
 * Multiplying by x is a shift and a conditional xor of 0x1D, which works on
 * 16 bytes at a time as well as on one, so all columns of P, and all
 * diagonals of Q, advance together in vector registers with no tables.
 * P's steps are contiguous rows of the sector.  Q's are not: the matrix is
 * transposed first, which is most of Q's time.
 */
#include "config.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "oi_private.h"

#define ECC_START	12		/* header: first byte covered */
#define ROW_BYTES	86		/* 43 words */
#define P_ROWS		24
#define P_PARITY	2076		/* 2 x 86 bytes */
#define Q_ROWS		26		/* data rows and P parity rows */
#define Q_LEN		43		/* words per diagonal */
#define Q_BYTES		52		/* 26 diagonals, 2 bytes each */
#define Q_PARITY	2248		/* 2 x 52 bytes */

#if defined(__GNUC__)
/*
 * GCC and Clang vector extensions: SSE2 on x86-64, NEON on arm64, and
 * plain scalar code where the target has no vectors.
 */
typedef uint8_t vec __attribute__((vector_size(16)));
typedef int8_t svec __attribute__((vector_size(16)));
typedef uint32_t vec32 __attribute__((vector_size(16)));

static inline vec
mul_x(vec v)
{
	/* Bytes whose top bit is set carry out: reduce them by 0x1D. */
	vec carry = (vec)((svec)v < 0);

	return (v + v) ^ (carry & 0x1d);
}

/* 4 bytes into the first lane, built in a register, not through memory. */
static inline vec
vload4(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return (vec)(vec32){ w, 0, 0, 0 };
}
#else
typedef uint64_t vec;

static inline vec
mul_x(vec v)
{
	vec hi = v >> 7 & UINT64_C(0x0101010101010101);

	return (v & UINT64_C(0x7f7f7f7f7f7f7f7f)) << 1 ^ hi * 0x1d;
}

static inline vec
vload4(const uint8_t *p)
{
	vec v = 0;

	memcpy(&v, p, 4);
	return v;
}
#endif

#define VB		sizeof(vec)
#define P_VECS		((ROW_BYTES + VB - 1) / VB)
#define Q_FULL		(Q_BYTES / VB)		/* then a 4-byte tail */
#define Q_VECS		(Q_FULL + 1)

_Static_assert(Q_BYTES % sizeof(vec) == 4, "Q's tail is one 4-byte load");

static inline vec
vload(const uint8_t *p)
{
	vec v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* Stores the first n bytes of v (all of it when n >= VB). */
static inline void
vstore(uint8_t *p, vec v, size_t n)
{
	memcpy(p, &v, n < VB ? n : VB);
}

/*
 * P: every row of the sector is one step for all 43 columns at once.  The
 * loads run a few bytes past each row into the next, into lanes that are
 * never stored; the last row's overrun stays inside the sector.  The
 * loops are unrolled so that e[] and acc[] live in registers.
 */
static void
ecc_p(uint8_t *sector)
{
	const uint8_t *row = sector + ECC_START;
	uint8_t *out = sector + P_PARITY;
	const vec zero = { 0 };
	vec e[P_VECS], acc[P_VECS];
	size_t r, j;

#pragma GCC unroll 16
	for (j = 0; j < P_VECS; j++)
		e[j] = acc[j] = zero;
	for (r = 0; r < P_ROWS; r++, row += ROW_BYTES)
#pragma GCC unroll 16
		for (j = 0; j < P_VECS; j++) {
			e[j] ^= vload(row + j * VB);
			acc[j] = mul_x(acc[j] ^ e[j]);
		}
#pragma GCC unroll 16
	for (j = 0; j < P_VECS; j++) {
		vstore(out + j * VB, acc[j] ^ e[j], ROW_BYTES - j * VB);
		vstore(out + ROW_BYTES + j * VB, acc[j], ROW_BYTES - j * VB);
	}
}

/*
 * Q step i needs word i of every diagonal, i.e. column i of the word
 * matrix rotated: diagonal k's word is in row (k+i) mod 26.  So the matrix
 * is first transposed into cols[], each column stored twice in a row, and
 * step i reads 26 contiguous words from row i mod 26 of its doubled
 * column, which is the rotation for free.
 *
 * A column's first copy starts at word COL_START so that its second one
 * starts on a cache line: 16-byte stores that straddle two lines cost
 * double.
 */
#define COL_WORDS	64
#define COL_BYTES	(2 * COL_WORDS)
#define COL_START	(32 - Q_ROWS)

static inline void
col_put(uint8_t cols[][COL_BYTES], unsigned c, unsigned r, const void *w,
    size_t len)
{
	memcpy(cols[c] + 2 * (COL_START + r), w, len);
	memcpy(cols[c] + 2 * (COL_START + Q_ROWS + r), w, len);
}

#if defined(__SSE2__)
/* Transposes 8 x 8 words: v[m] holds row m on entry and column m on return. */
static inline void
transpose8(__m128i v[8])
{
	__m128i a0, a1, a2, a3, a4, a5, a6, a7;
	__m128i b0, b1, b2, b3, b4, b5, b6, b7;

	a0 = _mm_unpacklo_epi16(v[0], v[1]);	/* 00 10 01 11 02 12 03 13 */
	a1 = _mm_unpackhi_epi16(v[0], v[1]);	/* 04 14 .. 07 17 */
	a2 = _mm_unpacklo_epi16(v[2], v[3]);
	a3 = _mm_unpackhi_epi16(v[2], v[3]);
	a4 = _mm_unpacklo_epi16(v[4], v[5]);
	a5 = _mm_unpackhi_epi16(v[4], v[5]);
	a6 = _mm_unpacklo_epi16(v[6], v[7]);
	a7 = _mm_unpackhi_epi16(v[6], v[7]);
	b0 = _mm_unpacklo_epi32(a0, a2);	/* 00 10 20 30 01 11 21 31 */
	b1 = _mm_unpackhi_epi32(a0, a2);	/* 02 .. 32 03 .. 33 */
	b2 = _mm_unpacklo_epi32(a1, a3);
	b3 = _mm_unpackhi_epi32(a1, a3);
	b4 = _mm_unpacklo_epi32(a4, a6);	/* 40 50 60 70 41 .. 71 */
	b5 = _mm_unpackhi_epi32(a4, a6);
	b6 = _mm_unpacklo_epi32(a5, a7);
	b7 = _mm_unpackhi_epi32(a5, a7);
	v[0] = _mm_unpacklo_epi64(b0, b4);	/* 00 10 20 .. 70 */
	v[1] = _mm_unpackhi_epi64(b0, b4);
	v[2] = _mm_unpacklo_epi64(b1, b5);
	v[3] = _mm_unpackhi_epi64(b1, b5);
	v[4] = _mm_unpacklo_epi64(b2, b6);
	v[5] = _mm_unpackhi_epi64(b2, b6);
	v[6] = _mm_unpacklo_epi64(b3, b7);
	v[7] = _mm_unpackhi_epi64(b3, b7);
}

/* Rows 24 and 25 (P parity): pairs of words, one 32-bit store each. */
static inline void
q_columns_p(uint8_t cols[][COL_BYTES], unsigned c, const uint8_t *m)
{
	__m128i a, b, pair[2];
	uint32_t w;
	unsigned h, l;

	a = _mm_loadu_si128((const __m128i *)(m + 24 * ROW_BYTES + 2 * c));
	b = _mm_loadu_si128((const __m128i *)(m + 25 * ROW_BYTES + 2 * c));
	pair[0] = _mm_unpacklo_epi16(a, b);
	pair[1] = _mm_unpackhi_epi16(a, b);
#pragma GCC unroll 2
	for (h = 0; h < 2; h++)
#pragma GCC unroll 4
		for (l = 0; l < 4; l++) {
			w = (uint32_t)_mm_cvtsi128_si32(pair[h]);
			if (c + 4 * h + l < Q_LEN)
				col_put(cols, c + 4 * h + l, 24, &w, 4);
			pair[h] = _mm_srli_si128(pair[h], 4);
		}
}

/*
 * 8 x 8 blocks of rows 0..23, then rows 24 and 25 by themselves.  Reading
 * 8 words from column 40 runs into the next row (or, for row 25, into Q),
 * into columns 43..47, which are dropped.
 */
static void
q_columns(uint8_t cols[][COL_BYTES], const uint8_t *m)
{
	__m128i v[8];
	unsigned c, rb, r, l;

	for (c = 0; c < Q_LEN; c += 8) {
		for (rb = 0; rb < P_ROWS; rb += 8) {
#pragma GCC unroll 8
			for (r = 0; r < 8; r++)
				v[r] = _mm_loadu_si128((const __m128i *)(m +
				    (rb + r) * ROW_BYTES + 2 * c));
			transpose8(v);
#pragma GCC unroll 8
			for (l = 0; l < 8; l++)
				if (c + l < Q_LEN)
					col_put(cols, c + l, rb, &v[l], 16);
		}
		q_columns_p(cols, c, m);
	}
}
#else
static void
q_columns(uint8_t cols[][COL_BYTES], const uint8_t *m)
{
	unsigned r, c;

	for (r = 0; r < Q_ROWS; r++)
		for (c = 0; c < Q_LEN; c++)
			col_put(cols, c, r, m + r * ROW_BYTES + 2 * c, 2);
}
#endif

static void
ecc_q(uint8_t *sector)
{
	_Alignas(64) uint8_t cols[Q_LEN][COL_BYTES];
	uint8_t *out = sector + Q_PARITY;
	const uint8_t *step;
	const vec zero = { 0 };
	vec e[Q_VECS], acc[Q_VECS], d;
	unsigned i, j;

	q_columns(cols, sector + ECC_START);
#pragma GCC unroll 16
	for (j = 0; j < Q_VECS; j++)
		e[j] = acc[j] = zero;
	for (i = 0; i < Q_LEN; i++) {
		step = cols[i] + 2 * (COL_START + i % Q_ROWS);
#pragma GCC unroll 16
		for (j = 0; j < Q_VECS; j++) {
			/* The tail is read short: words past 26 are unset. */
			d = j < Q_FULL ? vload(step + j * VB) :
			    vload4(step + j * VB);
			e[j] ^= d;
			acc[j] = mul_x(acc[j] ^ e[j]);
		}
	}
#pragma GCC unroll 16
	for (j = 0; j < Q_VECS; j++) {
		vstore(out + j * VB, acc[j] ^ e[j], Q_BYTES - j * VB);
		vstore(out + Q_BYTES + j * VB, acc[j], Q_BYTES - j * VB);
	}
}

void
optimg_ecc_generate(uint8_t sector[OPTIMG_RAW_SECTOR])
{
	/* Q covers P's parity, so P goes first. */
	ecc_p(sector);
	ecc_q(sector);
}
