/*
 * sector_edc.c - the EDC of a data sector (ECMA-130 14.3).
 *
 * The EDC is a 32-bit CRC with the polynomial
 * (x^16 + x^15 + x^2 + 1)(x^16 + x^2 + x + 1) = 0x8001801B, processed
 * least significant bit first (reflected: 0xD8018001), starting from 0 and
 * stored little-endian without a final inversion.
 *
 * The fastest of three ways the CPU runs is picked once:
 *
 *  - carry-less multiplication folding, after Intel's "Fast CRC
 *    Computation for Generic Polynomials Using PCLMULQDQ Instruction"
 *    (2009), reflected variant, as in Linux's crc32-pclmul and zlib-ng:
 *    128-bit accumulators each absorb a 16-byte block per step with two
 *    64-bit carry-less multiplies, independently of each other.
 *    With VPCLMULQDQ (and AVX2), one instruction does the multiplies of
 *    two blocks.  That halves the time, since on recent cores the
 *    multiplier's throughput, not its latency, bounds the 128-bit loop.
 *
 *  - the same with 128-bit PCLMULQDQ (and SSE4.1) alone.
 *
 *  - slicing-by-16: sixteen 256-entry tables let one step fold 16 input
 *    bytes with 16 independent lookups instead of 16 dependent ones,
 *    which is what makes a byte-at-a-time CRC slow.  Table k maps a byte
 *    to the CRC of that byte followed by k zero bytes.  It serves other
 *    CPUs, short buffers, and the 0..15 bytes the folding leaves.
 *
 * The multiplies are x86-only, compiled for their instruction sets
 * function by function, so the library itself runs on any CPU.
 */
#include "config.h"

#include <pthread.h>

#include "oi_private.h"

#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define EDC_CLMUL	1
#include <immintrin.h>
/* VPCLMULQDQ came with GCC 8 and clang 6. */
#if defined(__clang__) ? __clang_major__ >= 6 : __GNUC__ >= 8
#define EDC_VCLMUL	1
#endif
#endif

/* The ways, slowest first; edc_isa is the best this CPU runs. */
enum {
	EDC_ISA_TABLES,
	EDC_ISA_PCLMUL,
	EDC_ISA_VPCLMUL,
};

/*
 * Internal, for tests/test_sector.c, which checks each way against the
 * tables whatever optimg_edc() picked.  A way the CPU lacks falls back to
 * the best it has, so each is safe to call; oi_edc_isa() says which ran.
 */
uint32_t oi_edc_slice(uint32_t edc, const void *buf, size_t len);
uint32_t oi_edc_clmul(uint32_t edc, const void *buf, size_t len);
uint32_t oi_edc_vclmul(uint32_t edc, const void *buf, size_t len);
int oi_edc_isa(void);

#define EDC_POLY	0xd8018001u	/* 0x8001801B reflected */
#define SLICES		16

typedef uint32_t edc_fn(uint32_t, const uint8_t *, size_t);

static uint32_t edc_table[SLICES][256];
static int edc_isa;
static edc_fn *edc_best;
static pthread_once_t edc_once = PTHREAD_ONCE_INIT;

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

/* Slicing-by-16; the tables must be built. */
static uint32_t
edc_slice(uint32_t edc, const uint8_t *p, size_t len)
{
	const uint32_t (*t)[256] = edc_table;
	uint32_t w0, rest;

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


#ifdef EDC_CLMUL
#define EDC_TARGET	__attribute__((target("pclmul,sse4.1")))

/*
 * Folding needs four blocks to fill its accumulators.  Shorter buffers go
 * to the tables, which take about what folding's fixed cost (three folds
 * and the reduction) would.
 */
#define EDC_CLMUL_MIN	64

/*
 * The folding constants.  An accumulator X, 16 message bytes read
 * little-endian, is the polynomial H x^64 + L with H its first 8 bytes
 * (bit 0 of byte 0 is the highest power: the CRC is reflected).  Carrying
 * X d bits further down the message means replacing it by H x^(d+64) +
 * L x^d mod P, two 64 x 33-bit carry-less products.
 *
 * K(n) is x^n mod P bit-reflected into bits 1..32 (bit 32 - i holds x^i),
 * and PCLMULQDQ of a reflected 64-bit lane by K(n) multiplies by x^(n+32)
 * in the 128-bit frame (reflection costs one power, the placement in bits
 * 1..32 gives 31): so H takes K(d + 32) and L takes K(d - 32).  MU is
 * floor(x^64 / P) and POLY33 is P, both reflected over 33 bits (bit
 * 32 - i holds x^i), for the final Barrett reduction.
 *
 * edc_fold_const() in tests/test_sector.c derives them all from P, and
 * the well-known CRC-32 ones from its polynomial, to show it right.
 */
#define EDC_K1056	0x06500d000ull	/* K(8*128 + 32): H, 8 blocks on */
#define EDC_K992	0x1fbea69a0ull	/* K(8*128 - 32): L, 8 blocks on */
#define EDC_K544	0x1f8931102ull	/* K(4*128 + 32): H, 4 blocks on */
#define EDC_K480	0x12e7928a2ull	/* K(4*128 - 32): L, 4 blocks on */
#define EDC_K160	0x06c90c100ull	/* K(128 + 32): H, 1 block on */
#define EDC_K96		0x1d5934102ull	/* K(128 - 32): L, 1 block on */
#define EDC_K64		0x1f1030002ull	/* K(64): 96 bits to 64 */
#define EDC_MU		0x17000ffffull	/* floor(x^64 / P) */
#define EDC_POLY33	0x1b0030003ull	/* P */

EDC_TARGET static inline __m128i
load16(const uint8_t *p)
{
	return _mm_loadu_si128((const __m128i *)(const void *)p);
}

/* X carried as far as k says: H times k's low half, L times its high. */
EDC_TARGET static inline __m128i
clmul_fold(__m128i x, __m128i k)
{
	return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
	    _mm_clmulepi64_si128(x, k, 0x11));
}

/* X, the last block with all before folded in, to the CRC: X x^32 mod P. */
EDC_TARGET static inline uint32_t
clmul_reduce(__m128i x)
{
	const __m128i k = _mm_set_epi64x(EDC_K64, EDC_K96);
	const __m128i barrett = _mm_set_epi64x(EDC_MU, EDC_POLY33);
	const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);
	__m128i q;

	/*
	 * 128 to 96 bits: H x^128 + L x^64 = X x^64 (K(96) is x^128 for
	 * H), a multiple of x^32, so its bits 0..95 read 32 bits lower are
	 * X x^32.
	 */
	x = _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00),
	    _mm_srli_si128(x, 8));
	/* 96 to 64 bits: the top 32 times x^64, onto the other 64. */
	x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), k,
	    0x10), _mm_srli_si128(x, 4));
	/*
	 * Barrett: the quotient by P is the top 32 bits times MU, top half;
	 * minus the quotient times P leaves the remainder in bits 32..63.
	 */
	q = _mm_clmulepi64_si128(_mm_and_si128(x, low32), barrett, 0x10);
	q = _mm_clmulepi64_si128(_mm_and_si128(q, low32), barrett, 0x00);
	return (uint32_t)_mm_extract_epi32(_mm_xor_si128(x, q), 1);
}

/*
 * Four accumulators, for four consecutive blocks, folded into one, then
 * the nblocks after them, then the reduction.
 */
EDC_TARGET static inline uint32_t
clmul_finish(__m128i x0, __m128i x1, __m128i x2, __m128i x3,
    const uint8_t *p, size_t nblocks)
{
	const __m128i k1 = _mm_set_epi64x(EDC_K96, EDC_K160);

	x0 = _mm_xor_si128(clmul_fold(x0, k1), x1);
	x0 = _mm_xor_si128(clmul_fold(x0, k1), x2);
	x0 = _mm_xor_si128(clmul_fold(x0, k1), x3);
	for (; nblocks > 0; p += 16, nblocks--)
		x0 = _mm_xor_si128(clmul_fold(x0, k1), load16(p));
	return clmul_reduce(x0);
}

/* The CRC over nblocks 16-byte blocks, nblocks >= 4. */
EDC_TARGET static uint32_t
clmul_blocks(uint32_t edc, const uint8_t *p, size_t nblocks)
{
	const __m128i k4 = _mm_set_epi64x(EDC_K480, EDC_K544);
	__m128i x0, x1, x2, x3;

	/* Starting from edc is the same as xoring it into the first bytes. */
	x0 = _mm_xor_si128(load16(p), _mm_cvtsi32_si128((int)edc));
	x1 = load16(p + 16);
	x2 = load16(p + 32);
	x3 = load16(p + 48);
	for (p += 64, nblocks -= 4; nblocks >= 4; p += 64, nblocks -= 4) {
		x0 = _mm_xor_si128(clmul_fold(x0, k4), load16(p));
		x1 = _mm_xor_si128(clmul_fold(x1, k4), load16(p + 16));
		x2 = _mm_xor_si128(clmul_fold(x2, k4), load16(p + 32));
		x3 = _mm_xor_si128(clmul_fold(x3, k4), load16(p + 48));
	}
	return clmul_finish(x0, x1, x2, x3, p, nblocks);
}

typedef uint32_t blocks_fn(uint32_t, const uint8_t *, size_t);

/* Folding over the whole blocks, the tables for the rest. */
static inline uint32_t
edc_folded(blocks_fn *blocks, uint32_t edc, const uint8_t *p, size_t len)
{
	if (len >= EDC_CLMUL_MIN) {
		edc = blocks(edc, p, len / 16);
		p += len & ~(size_t)15;
		len &= 15;
	}
	return edc_slice(edc, p, len);
}

static uint32_t
edc_clmul(uint32_t edc, const uint8_t *p, size_t len)
{
	return edc_folded(clmul_blocks, edc, p, len);
}
#endif /* EDC_CLMUL */

#ifdef EDC_VCLMUL
#define EDC_TARGET_V \
	__attribute__((target("avx2,vpclmulqdq,pclmul,sse4.1")))

EDC_TARGET_V static inline __m256i
load32(const uint8_t *p)
{
	return _mm256_loadu_si256((const __m256i *)(const void *)p);
}

/* clmul_fold() on both halves: two accumulators, one instruction each. */
EDC_TARGET_V static inline __m256i
vclmul_fold(__m256i y, __m256i k)
{
	return _mm256_xor_si256(_mm256_clmulepi64_epi128(y, k, 0x00),
	    _mm256_clmulepi64_epi128(y, k, 0x11));
}

/*
 * As clmul_blocks(), with eight accumulators in four registers, nblocks
 * >= 8.  Two registers would do on Zen 4, where the multiplier's
 * throughput is the limit; four keep it busy where its latency is long.
 */
EDC_TARGET_V static uint32_t
vclmul_blocks(uint32_t edc, const uint8_t *p, size_t nblocks)
{
	const __m256i k8 = _mm256_set_epi64x(EDC_K992, EDC_K1056, EDC_K992,
	    EDC_K1056);
	const __m256i k4 = _mm256_set_epi64x(EDC_K480, EDC_K544, EDC_K480,
	    EDC_K544);
	__m256i y0, y1, y2, y3;

	y0 = _mm256_xor_si256(load32(p), _mm256_set_epi32(0, 0, 0, 0, 0, 0,
	    0, (int)edc));
	y1 = load32(p + 32);
	y2 = load32(p + 64);
	y3 = load32(p + 96);
	for (p += 128, nblocks -= 8; nblocks >= 8; p += 128, nblocks -= 8) {
		y0 = _mm256_xor_si256(vclmul_fold(y0, k8), load32(p));
		y1 = _mm256_xor_si256(vclmul_fold(y1, k8), load32(p + 32));
		y2 = _mm256_xor_si256(vclmul_fold(y2, k8), load32(p + 64));
		y3 = _mm256_xor_si256(vclmul_fold(y3, k8), load32(p + 96));
	}
	/* Blocks 0..3 onto 4..7, and 4 more blocks if there are. */
	y2 = _mm256_xor_si256(vclmul_fold(y0, k4), y2);
	y3 = _mm256_xor_si256(vclmul_fold(y1, k4), y3);
	if (nblocks >= 4) {
		y2 = _mm256_xor_si256(vclmul_fold(y2, k4), load32(p));
		y3 = _mm256_xor_si256(vclmul_fold(y3, k4), load32(p + 32));
		p += 64;
		nblocks -= 4;
	}
	return clmul_finish(_mm256_castsi256_si128(y2),
	    _mm256_extracti128_si256(y2, 1), _mm256_castsi256_si128(y3),
	    _mm256_extracti128_si256(y3, 1), p, nblocks);
}

static uint32_t
edc_vclmul(uint32_t edc, const uint8_t *p, size_t len)
{
	return edc_folded(len >= 8 * 16 ? vclmul_blocks : clmul_blocks, edc,
	    p, len);
}
#endif /* EDC_VCLMUL */

/* The best way this CPU (and this build) runs. */
static int
cpu_isa(void)
{
#ifdef EDC_CLMUL
	__builtin_cpu_init();
	if (!__builtin_cpu_supports("pclmul") ||
	    !__builtin_cpu_supports("sse4.1"))
		return EDC_ISA_TABLES;
#ifdef EDC_VCLMUL
	if (__builtin_cpu_supports("vpclmulqdq") &&
	    __builtin_cpu_supports("avx2"))
		return EDC_ISA_VPCLMUL;
#endif
	return EDC_ISA_PCLMUL;
#else
	return EDC_ISA_TABLES;
#endif
}

/* The way isa names, or the best there is if the CPU lacks it. */
static edc_fn *
edc_way(int isa)
{
	if (isa > edc_isa)
		isa = edc_isa;
	switch (isa) {
#ifdef EDC_VCLMUL
	case EDC_ISA_VPCLMUL:
		return edc_vclmul;
#endif
#ifdef EDC_CLMUL
	case EDC_ISA_PCLMUL:
		return edc_clmul;
#endif
	default:
		return edc_slice;
	}
}

/* Once per process: the tables, and the fastest way this CPU runs. */
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
	edc_isa = cpu_isa();
	edc_best = edc_way(edc_isa);
}

uint32_t
optimg_edc(uint32_t edc, const void *buf, size_t len)
{
	/* pthread_once also makes edc_best seen by every thread. */
	pthread_once(&edc_once, edc_init);
	return edc_best(edc, buf, len);
}

uint32_t
oi_edc_slice(uint32_t edc, const void *buf, size_t len)
{
	pthread_once(&edc_once, edc_init);
	return edc_slice(edc, buf, len);
}

uint32_t
oi_edc_clmul(uint32_t edc, const void *buf, size_t len)
{
	pthread_once(&edc_once, edc_init);
	return edc_way(EDC_ISA_PCLMUL)(edc, buf, len);
}

uint32_t
oi_edc_vclmul(uint32_t edc, const void *buf, size_t len)
{
	pthread_once(&edc_once, edc_init);
	return edc_way(EDC_ISA_VPCLMUL)(edc, buf, len);
}

int
oi_edc_isa(void)
{
	pthread_once(&edc_once, edc_init);
	return edc_isa;
}
