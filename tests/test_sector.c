/*
 * test_sector.c - the sector codec (lib/sector_*.c).
 *
 * The fast codec is never its own oracle.  It is compared with:
 *  - literal bytes: the EDC check value, the scrambler's first bytes, and
 *    the EDC and ECC of an all-zero Mode 1 sector at LBA 0 (worked out
 *    from ECMA-130 by a separate program, and equal to sector 0 of
 *    isofs-m1.bin);
 *  - a slow reference written below straight from ECMA-130: a bit-at-a-
 *    time CRC, GF(2^8) products by shift and add, and the P and Q parity
 *    solved from the check matrices H_P and H_Q of Annex A;
 *  - 302 real Mode 1 sectors from libcdio's isofs-m1.bin, which also
 *    vouch for the slow reference.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optimg.h"
#include "cunit_main.h"
#include "testdata.h"

#define RAW		OPTIMG_RAW_SECTOR
#define FIXTURE_NAME	"isofs-m1.bin"
#define FIXTURE_SECTORS	302
#define RANDOM_SECTORS	64

static const uint8_t sync_bytes[12] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

/* ---- seeded generator (xorshift64) ------------------------------------ */

static uint64_t rng_state;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed != 0 ? seed : 1;
}

static uint32_t
rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static void
rng_fill(uint8_t *p, size_t len)
{
	while (len-- > 0)
		*p++ = (uint8_t)rng_next();
}

/* An LBA anywhere an MSF can name: lead-in to 89:59:74. */
static int32_t
rng_lba(void)
{
	return (int32_t)(rng_next() % 450000) - 45150;
}

/* ---- slow reference, from ECMA-130 ------------------------------------ */

/* GF(2^8) with x^8 + x^4 + x^3 + x^2 + 1, by shift and add. */
static uint8_t
ref_mul(uint8_t a, uint8_t b)
{
	unsigned r = 0, x = a;

	for (; b != 0; b >>= 1) {
		if (b & 1)
			r ^= x;
		x <<= 1;
		if (x & 0x100)
			x ^= 0x11d;
	}
	return (uint8_t)r;
}

static uint8_t
ref_alpha_pow(unsigned n)
{
	uint8_t r = 1;

	while (n-- > 0)
		r = ref_mul(r, 2);
	return r;
}

static uint8_t
ref_inv(uint8_t a)
{
	unsigned x;

	for (x = 1; x < 256; x++)
		if (ref_mul(a, (uint8_t)x) == 1)
			return (uint8_t)x;
	return 0;
}

/* 14.3: one bit at a time, reflected polynomial, no inversion. */
static uint32_t
ref_edc_from(uint32_t crc, const uint8_t *p, size_t len)
{
	unsigned bit;

	while (len-- > 0) {
		crc ^= *p++;
		for (bit = 0; bit < 8; bit++)
			crc = crc >> 1 ^ (crc & 1 ? 0xd8018001u : 0);
	}
	return crc;
}

static uint32_t
ref_edc(const uint8_t *p, size_t len)
{
	return ref_edc_from(0, p, len);
}

/*
 * Annex A: a code word v[0..n+1] of n data bytes and 2 parity bytes
 * satisfies H v = 0 with H = [1 1 ... 1; a^(n+1) a^n ... a 1]:
 *	S0 = sum d[i], S1 = sum d[i] a^(n+1-i)
 *	p0 + p1 = S0, a p0 + p1 = S1  =>  p0 = (S0 + S1) / (a + 1).
 */
static void
ref_parity(const uint8_t *d, unsigned n, uint8_t *p0, uint8_t *p1)
{
	uint8_t s0 = 0, s1 = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		s0 ^= d[i];
		s1 ^= ref_mul(d[i], ref_alpha_pow(n + 1 - i));
	}
	*p0 = ref_mul(s0 ^ s1, ref_inv(3));
	*p1 = s0 ^ *p0;
}

/* Byte b (0 or 1) of word w of the matrix starting at byte 12. */
#define WORD_BYTE(s, w, b)	((s)[12 + 2 * (w) + (b)])

/* Annex A: P vectors are word columns Np, Q vectors word diagonals Nq. */
static void
ref_ecc(uint8_t *s)
{
	uint8_t d[43];
	unsigned np, nq, m, b;

	for (np = 0; np < 43; np++)
		for (b = 0; b < 2; b++) {
			for (m = 0; m < 24; m++)
				d[m] = WORD_BYTE(s, 43 * m + np, b);
			ref_parity(d, 24, &WORD_BYTE(s, 43 * 24 + np, b),
			    &WORD_BYTE(s, 43 * 25 + np, b));
		}
	for (nq = 0; nq < 26; nq++)
		for (b = 0; b < 2; b++) {
			for (m = 0; m < 43; m++)
				d[m] = WORD_BYTE(s, (44 * m + 43 * nq) % 1118,
				    b);
			ref_parity(d, 43, &WORD_BYTE(s, 43 * 26 + nq, b),
			    &WORD_BYTE(s, 44 * 26 + nq, b));
		}
}

static void
ref_put_edc(uint8_t *s, size_t from, size_t at)
{
	uint32_t edc = ref_edc(s + from, at - from);

	s[at] = (uint8_t)edc;
	s[at + 1] = (uint8_t)(edc >> 8);
	s[at + 2] = (uint8_t)(edc >> 16);
	s[at + 3] = (uint8_t)(edc >> 24);
}

static uint8_t
ref_bcd(unsigned v)
{
	return (uint8_t)(v / 10 * 16 + v % 10);
}

/* Sync and header as 14.1 and 14.2 and MMC's lead-in rule have them. */
static void
ref_header(uint8_t *s, int32_t lba, uint8_t mode)
{
	int32_t frames = lba < -150 ? lba + 450150 : lba + 150;

	memcpy(s, sync_bytes, sizeof(sync_bytes));
	s[12] = ref_bcd((unsigned)frames / 4500);
	s[13] = ref_bcd((unsigned)frames / 75 % 60);
	s[14] = ref_bcd((unsigned)frames % 75);
	s[15] = mode;
}

/* Completes s (user data and subheader in place) for a data mode. */
static void
ref_encode(uint8_t *s, int32_t lba, enum optimg_sector_mode mode)
{
	uint8_t hdr[4];

	ref_header(s, lba, mode == OPTIMG_SECTOR_MODE1 ? 1 : 2);
	switch (mode) {
	case OPTIMG_SECTOR_MODE1:
		ref_put_edc(s, 0, 2064);
		memset(s + 2068, 0, 8);
		ref_ecc(s);
		break;
	case OPTIMG_SECTOR_MODE2_FORM1:
		ref_put_edc(s, 16, 2072);
		memcpy(hdr, s + 12, 4);
		memset(s + 12, 0, 4);
		ref_ecc(s);
		memcpy(s + 12, hdr, 4);
		break;
	case OPTIMG_SECTOR_MODE2_FORM2:
		ref_put_edc(s, 16, 2348);
		break;
	default:
		CU_FAIL("ref_encode: mode not covered");
	}
}

/* Annex B: 15-bit register, x^15 + x + 1, preset 1, LSB first. */
static void
ref_scramble_bytes(uint8_t *out, size_t len)
{
	uint8_t reg[15] = { 1 };	/* reg[0] is x^0, the output */
	uint8_t fb;
	size_t i;
	unsigned bit, k;

	for (i = 0; i < len; i++) {
		out[i] = 0;
		for (bit = 0; bit < 8; bit++) {
			out[i] |= (uint8_t)(reg[0] << bit);
			fb = reg[0] ^ reg[1];
			for (k = 0; k < 14; k++)
				reg[k] = reg[k + 1];
			reg[14] = fb;
		}
	}
}

/* A random sector of the given mode, by the reference. */
static int32_t
ref_random_sector(uint8_t *s, enum optimg_sector_mode mode)
{
	int32_t lba = rng_lba();

	rng_fill(s, RAW);
	if (mode != OPTIMG_SECTOR_MODE1) {
		/* Random subheader, written twice, form bit as the mode says */
		if (mode == OPTIMG_SECTOR_MODE2_FORM1)
			s[18] &= ~0x20;
		else
			s[18] |= 0x20;
		memcpy(s + 20, s + 16, 4);
	}
	ref_encode(s, lba, mode);
	return lba;
}

/* ---- BCD and MSF ------------------------------------------------------ */

static void
test_bcd_encode(void)
{
	CU_ASSERT_EQUAL(optimg_bcd_encode(0), 0x00);
	CU_ASSERT_EQUAL(optimg_bcd_encode(9), 0x09);
	CU_ASSERT_EQUAL(optimg_bcd_encode(10), 0x10);
	CU_ASSERT_EQUAL(optimg_bcd_encode(59), 0x59);
	CU_ASSERT_EQUAL(optimg_bcd_encode(74), 0x74);
	CU_ASSERT_EQUAL(optimg_bcd_encode(99), 0x99);
	/* Out of range gives 0xFF, which is no BCD. */
	CU_ASSERT_EQUAL(optimg_bcd_encode(100), 0xff);
	CU_ASSERT_EQUAL(optimg_bcd_encode(255), 0xff);
	CU_ASSERT_EQUAL(optimg_bcd_encode(0xffffffffu), 0xff);
}

static void
test_bcd_decode(void)
{
	unsigned b, bad = 0;
	int want;

	for (b = 0; b < 256; b++) {
		want = (b >> 4) <= 9 && (b & 15) <= 9 ?
		    (int)((b >> 4) * 10 + (b & 15)) : -1;
		if (optimg_bcd_decode((uint8_t)b) != want)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(optimg_bcd_decode(0x00), 0);
	CU_ASSERT_EQUAL(optimg_bcd_decode(0x99), 99);
	CU_ASSERT_EQUAL(optimg_bcd_decode(0x0a), -1);
	CU_ASSERT_EQUAL(optimg_bcd_decode(0xa0), -1);
	CU_ASSERT_EQUAL(optimg_bcd_decode(0x9f), -1);
	CU_ASSERT_EQUAL(optimg_bcd_decode(0xff), -1);
	for (b = 0, bad = 0; b < 100; b++)
		if (optimg_bcd_decode(optimg_bcd_encode(b)) != (int)b)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
}

static int
msf_is(int32_t lba, unsigned m, unsigned s, unsigned f)
{
	unsigned gm, gs, gf;

	optimg_lba_to_msf(lba, &gm, &gs, &gf);
	return gm == m && gs == s && gf == f;
}

static void
test_msf_fixed(void)
{
	CU_ASSERT(msf_is(0, 0, 2, 0));
	CU_ASSERT_EQUAL(optimg_msf_to_lba(0, 2, 0), 0);
	CU_ASSERT(msf_is(-150, 0, 0, 0));
	CU_ASSERT_EQUAL(optimg_msf_to_lba(0, 0, 0), -150);
	CU_ASSERT(msf_is(74, 0, 2, 74));
	CU_ASSERT(msf_is(75, 0, 3, 0));
	CU_ASSERT(msf_is(404849, 89, 59, 74));
	CU_ASSERT_EQUAL(optimg_msf_to_lba(89, 59, 74), 404849);
	/* Lead-in, MMC: LBA = MSF - 450150 from minute 90 on. */
	CU_ASSERT(msf_is(-151, 99, 59, 74));
	CU_ASSERT_EQUAL(optimg_msf_to_lba(99, 59, 74), -151);
	CU_ASSERT(msf_is(-45150, 90, 0, 0));
	CU_ASSERT_EQUAL(optimg_msf_to_lba(90, 0, 0), -45150);
	/*
	 * The last sector a 100-minute clock can name.  Its MSF is also the
	 * lead-in's last, and MSF -> LBA picks the lead-in (MMC), so this
	 * one only goes LBA -> MSF.
	 */
	CU_ASSERT(msf_is(449849, 99, 59, 74));
	CU_ASSERT(msf_is(404850, 90, 0, 0));
	/* optimg.h: LBAs down to -450150 still get an MSF. */
	CU_ASSERT(msf_is(-450150, 0, 0, 0));
}

static void
test_msf_round_trip(void)
{
	unsigned m, s, f, bad = 0;
	int32_t lba;

	/* Every LBA an MSF names exactly once: lead-in .. 89:59:74. */
	for (lba = -45150; lba <= 404849; lba++) {
		optimg_lba_to_msf(lba, &m, &s, &f);
		if (m > 99 || s > 59 || f > 74 ||
		    optimg_msf_to_lba(m, s, f) != lba)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* And every MSF 00:00:00 .. 99:59:74 back again. */
	for (m = 0, bad = 0; m < 100; m++)
		for (s = 0; s < 60; s++)
			for (f = 0; f < 75; f++) {
				lba = optimg_msf_to_lba(m, s, f);
				if (!msf_is(lba, m, s, f))
					bad++;
			}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- EDC -------------------------------------------------------------- */

static void
test_edc_check_value(void)
{
	CU_ASSERT_EQUAL(optimg_edc(0, "123456789", 9), 0x6ec2edc4u);
	CU_ASSERT_EQUAL(ref_edc((const uint8_t *)"123456789", 9),
	    0x6ec2edc4u);
	CU_ASSERT_EQUAL(optimg_edc(0, "", 0), 0);
	CU_ASSERT_EQUAL(optimg_edc(0x12345678u, "", 0), 0x12345678u);
}

/* Every short length at every alignment, and the lengths sectors use. */
static void
test_edc_vs_reference(void)
{
	static const size_t sector_lens[] = { 2056, 2064, 2332, 2352 };
	uint8_t buf[RAW + 16];
	size_t off, len, k;
	unsigned bad = 0;

	rng_seed(0xedc);
	rng_fill(buf, sizeof(buf));
	for (off = 0; off < 16; off++)
		for (len = 0; len <= 80; len++)
			if (optimg_edc(0, buf + off, len) !=
			    ref_edc(buf + off, len))
				bad++;
	for (k = 0; k < sizeof(sector_lens) / sizeof(sector_lens[0]); k++)
		for (off = 0; off < 16; off += 5)
			if (optimg_edc(0, buf + off, sector_lens[k]) !=
			    ref_edc(buf + off, sector_lens[k]))
				bad++;
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_edc_incremental(void)
{
	uint8_t buf[2064];
	uint32_t whole, edc;
	size_t cut, cut2;
	unsigned bad = 0;

	rng_seed(42);
	rng_fill(buf, sizeof(buf));
	whole = optimg_edc(0, buf, sizeof(buf));
	for (cut = 0; cut <= sizeof(buf); cut += 37) {
		cut2 = cut + (sizeof(buf) - cut) / 3;
		edc = optimg_edc(0, buf, cut);
		edc = optimg_edc(edc, buf + cut, cut2 - cut);
		edc = optimg_edc(edc, buf + cut2, sizeof(buf) - cut2);
		if (edc != whole)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/*
 * The ways lib/codec/sector_edc.c has, against the tables, which the tests
 * above hold to the reference: folding with PCLMULQDQ and VPCLMULQDQ.
 * A way the CPU lacks falls back to the best it has; oi_edc_isa() is 0
 * (tables), 1 (PCLMULQDQ) or 2 (also VPCLMULQDQ).
 */
uint32_t oi_edc_slice(uint32_t edc, const void *buf, size_t len);
uint32_t oi_edc_clmul(uint32_t edc, const void *buf, size_t len);
uint32_t oi_edc_vclmul(uint32_t edc, const void *buf, size_t len);
int oi_edc_isa(void);

#define EDC_MAX_LEN	5000
#define EDC_CASES	4000

/* x^n mod P, unreflected: P has its x^32 term in bit 32. */
static uint64_t
gf2_xpow_mod(unsigned n, uint64_t poly)
{
	uint64_t r = 1;

	while (n-- > 0) {
		r <<= 1;
		if (r >> 32 & 1)
			r ^= poly;
	}
	return r;
}

/* floor(x^64 / P) by long division; w holds degrees j..j+32. */
static uint64_t
gf2_x64_div(uint64_t poly)
{
	uint64_t w = 1ull << 32, q = 0;
	int j;

	for (j = 32; j >= 0; j--) {
		if (w >> 32 & 1) {
			q |= 1ull << j;
			w ^= poly;
		}
		w <<= 1;
	}
	return q;
}

/* Bit i to bit 32 - i: the reflected form the folding takes. */
static uint64_t
reflect33(uint64_t v)
{
	uint64_t r = 0;
	unsigned i;

	for (i = 0; i <= 32; i++)
		if (v >> i & 1)
			r |= 1ull << (32 - i);
	return r;
}

/*
 * The constants of lib/codec/sector_edc.c: n > 0 gives K(n), reflected x^n mod
 * P; 0 gives floor(x^64 / P) and -1 gives P, reflected.  A changed
 * constant or polynomial is re-derived by running this test.
 */
static uint64_t
edc_fold_const(int n, uint64_t poly)
{
	if (n > 0)
		return reflect33(gf2_xpow_mod((unsigned)n, poly));
	return reflect33(n == 0 ? gf2_x64_div(poly) : poly);
}

static unsigned
fold_consts_differ(const char *name, uint64_t poly, const uint64_t *want)
{
	static const int n[] = { 8 * 128 + 32, 8 * 128 - 32, 4 * 128 + 32,
	    4 * 128 - 32, 128 + 32, 128 - 32, 64, 0, -1 };
	uint64_t got;
	unsigned k, bad = 0;

	for (k = 0; k < sizeof(n) / sizeof(n[0]); k++) {
		got = edc_fold_const(n[k], poly);
		if (got != want[k]) {
			fprintf(stderr, "\n%s constant %d: 0x%09llx, "
			    "expected 0x%09llx\n", name, n[k],
			    (unsigned long long)got,
			    (unsigned long long)want[k]);
			bad++;
		}
	}
	return bad;
}

static void
test_edc_fold_constants(void)
{
	/*
	 * Published for CRC-32 (Linux's crc32-pclmul, libgcrypt's
	 * crc-intel-pclmul), to check the generator on a known CRC.
	 */
	static const uint64_t crc32[] = { 0x1e88ef372, 0x14a7fe880,
	    0x154442bd4, 0x1c6e41596, 0x1751997d0, 0x0ccaa009e,
	    0x163cd6124, 0x1f7011641, 0x1db710641 };
	/* As in lib/codec/sector_edc.c. */
	static const uint64_t edc[] = { 0x06500d000, 0x1fbea69a0,
	    0x1f8931102, 0x12e7928a2, 0x06c90c100, 0x1d5934102,
	    0x1f1030002, 0x17000ffff, 0x1b0030003 };

	CU_ASSERT_EQUAL(fold_consts_differ("CRC-32", 0x104c11db7, crc32), 0);
	CU_ASSERT_EQUAL(fold_consts_differ("EDC", 0x18001801b, edc), 0);
}

/* Literal values each way, the second long enough to fold. */
static void
test_edc_ways_literal(void)
{
	static const char *const lacks[] = { "PCLMULQDQ", "VPCLMULQDQ" };
	uint8_t s[2064];

	if (oi_edc_isa() < 2) {
		fflush(stdout);		/* CUnit's line is still open */
		fprintf(stderr, "\nSKIP: no %s here: the ways that need it "
		    "are tested as the ones it falls back to\n",
		    lacks[oi_edc_isa()]);
	}
	CU_ASSERT_EQUAL(oi_edc_slice(0, "123456789", 9), 0x6ec2edc4u);
	CU_ASSERT_EQUAL(oi_edc_clmul(0, "123456789", 9), 0x6ec2edc4u);
	CU_ASSERT_EQUAL(oi_edc_vclmul(0, "123456789", 9), 0x6ec2edc4u);
	/* The zero Mode 1 sector at LBA 0: sync, 00:02:00, mode 1. */
	memset(s, 0, sizeof(s));
	memcpy(s, sync_bytes, sizeof(sync_bytes));
	s[13] = 0x02;
	s[15] = 0x01;
	CU_ASSERT_EQUAL(oi_edc_slice(0, s, sizeof(s)), 0x2b6813c5u);
	CU_ASSERT_EQUAL(oi_edc_clmul(0, s, sizeof(s)), 0x2b6813c5u);
	CU_ASSERT_EQUAL(oi_edc_vclmul(0, s, sizeof(s)), 0x2b6813c5u);
	CU_ASSERT_EQUAL(optimg_edc(0, s, sizeof(s)), 0x2b6813c5u);
}

/*
 * One case in a buffer of exactly off + len bytes, so that the sanitizer
 * build sees any read past the end.  The bitwise reference is slow, so
 * only when asked.
 */
static unsigned
edc_case_differs(uint32_t edc, size_t off, size_t len, int with_ref)
{
	uint8_t *buf, *p;
	uint32_t want;
	unsigned bad;

	if ((buf = malloc(off + len > 0 ? off + len : 1)) == NULL)
		return 1;
	p = buf + off;
	rng_fill(p, len);
	want = oi_edc_slice(edc, p, len);
	bad = oi_edc_clmul(edc, p, len) != want ||
	    oi_edc_vclmul(edc, p, len) != want ||
	    optimg_edc(edc, p, len) != want ||
	    (with_ref && ref_edc_from(edc, p, len) != want);
	free(buf);
	return bad;
}

static void
test_edc_ways_random(void)
{
	size_t len, off;
	uint32_t edc;
	unsigned n, bad = 0;

	rng_seed(0xc1a5);
	/* Every length to 512, where the ways hand over to each other. */
	for (len = 0; len <= 512; len++) {
		off = rng_next() % 64;
		edc = rng_next();
		bad += edc_case_differs(edc, off, len, 1);
	}
	for (n = 0; n < EDC_CASES; n++) {
		len = rng_next() % (EDC_MAX_LEN + 1);
		off = rng_next() % 64;
		edc = rng_next();
		bad += edc_case_differs(edc, off, len, n % 16 == 0);
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- ECC and encoding, against literal bytes and the reference -------- */

/* The non-zero ECC bytes of a zero Mode 1 sector at LBA 0. */
static const struct {
	unsigned	offset;
	uint8_t		value;
} zero_sector_ecc[] = {
	{ 2077, 0xf7 }, { 2079, 0xf5 }, { 2150, 0x52 }, { 2151, 0x35 },
	{ 2152, 0xb8 }, { 2153, 0x7d }, { 2163, 0xf5 }, { 2165, 0xf4 },
	{ 2236, 0x97 }, { 2237, 0x26 }, { 2238, 0xd0 }, { 2239, 0x56 },
	{ 2249, 0x41 }, { 2270, 0x2d }, { 2271, 0x17 }, { 2272, 0x2e },
	{ 2273, 0x1b }, { 2274, 0xb1 }, { 2275, 0x48 }, { 2276, 0xb2 },
	{ 2277, 0x44 }, { 2295, 0x65 }, { 2297, 0xc2 }, { 2299, 0xe6 },
	{ 2301, 0x43 }, { 2322, 0x45 }, { 2323, 0x3c }, { 2324, 0x53 },
	{ 2325, 0x75 }, { 2326, 0x33 }, { 2327, 0x2b }, { 2328, 0x25 },
	{ 2329, 0x62 }, { 2347, 0x90 }, { 2349, 0xc1 }, { 2351, 0x12 },
};

static void
zero_sector_expected(uint8_t *s)
{
	size_t k;

	memset(s, 0, RAW);
	memcpy(s, sync_bytes, sizeof(sync_bytes));
	s[13] = 0x02;		/* 00:02:00 */
	s[15] = 0x01;		/* Mode 1 */
	s[2064] = 0xc5;		/* EDC 0x2b6813c5, little-endian */
	s[2065] = 0x13;
	s[2066] = 0x68;
	s[2067] = 0x2b;
	for (k = 0; k < sizeof(zero_sector_ecc) / sizeof(zero_sector_ecc[0]);
	    k++)
		s[zero_sector_ecc[k].offset] = zero_sector_ecc[k].value;
}

static void
test_zero_sector(void)
{
	uint8_t want[RAW], got[RAW], ref[RAW], user[OPTIMG_USER_SECTOR];

	zero_sector_expected(want);
	memset(user, 0, sizeof(user));
	memset(got, 0x5a, sizeof(got));
	optimg_sector_from_user(got, user, 0, OPTIMG_SECTOR_MODE1, NULL);
	CU_ASSERT(memcmp(got, want, RAW) == 0);
	memset(ref, 0, sizeof(ref));
	ref_encode(ref, 0, OPTIMG_SECTOR_MODE1);
	CU_ASSERT(memcmp(ref, want, RAW) == 0);
	CU_ASSERT_EQUAL(optimg_sector_check(got, 0), 0);
}

/* optimg_ecc_generate alone, on sectors random all over. */
static void
test_ecc_vs_reference(void)
{
	uint8_t got[RAW], ref[RAW];
	unsigned n, bad = 0;

	rng_seed(0xecc);
	for (n = 0; n < RANDOM_SECTORS; n++) {
		rng_fill(got, RAW);
		memcpy(ref, got, RAW);
		optimg_ecc_generate(got);
		ref_ecc(ref);
		if (memcmp(got, ref, RAW) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* optimg_sector_encode over random contents must give the reference's. */
static void
encode_vs_reference(enum optimg_sector_mode mode, uint64_t seed)
{
	uint8_t got[RAW], ref[RAW];
	unsigned n, bad = 0, badcheck = 0;
	int32_t lba;

	rng_seed(seed);
	for (n = 0; n < RANDOM_SECTORS; n++) {
		lba = ref_random_sector(ref, mode);
		/* Scribble over everything encode has to write. */
		memcpy(got, ref, RAW);
		rng_fill(got, 16);
		if (mode == OPTIMG_SECTOR_MODE1)
			rng_fill(got + 2064, RAW - 2064);
		else if (mode == OPTIMG_SECTOR_MODE2_FORM1)
			rng_fill(got + 2072, RAW - 2072);
		else
			rng_fill(got + 2348, 4);
		optimg_sector_encode(got, lba, mode);
		if (memcmp(got, ref, RAW) != 0)
			bad++;
		if (optimg_sector_check(got, lba) != 0 ||
		    optimg_sector_mode_of(got) != mode)
			badcheck++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(badcheck, 0);
}

static void
test_mode1_vs_reference(void)
{
	encode_vs_reference(OPTIMG_SECTOR_MODE1, 1);
}

static void
test_form1_vs_reference(void)
{
	encode_vs_reference(OPTIMG_SECTOR_MODE2_FORM1, 2);
}

static void
test_form2_vs_reference(void)
{
	encode_vs_reference(OPTIMG_SECTOR_MODE2_FORM2, 3);
}

static void
test_from_user(void)
{
	uint8_t user[OPTIMG_USER_SECTOR], got[RAW], ref[RAW];
	static const uint8_t sub[4] = { 0x01, 0x02, 0x09, 0x00 };

	rng_seed(7);
	rng_fill(user, sizeof(user));

	/* Form 1 with the default subheader: 00 00 08 00, twice. */
	memset(ref, 0, RAW);
	memcpy(ref + 16, "\x00\x00\x08\x00\x00\x00\x08\x00", 8);
	memcpy(ref + 24, user, sizeof(user));
	ref_encode(ref, 1234, OPTIMG_SECTOR_MODE2_FORM1);
	rng_fill(got, RAW);
	optimg_sector_from_user(got, user, 1234, OPTIMG_SECTOR_MODE2_FORM1,
	    NULL);
	CU_ASSERT(memcmp(got, ref, RAW) == 0);

	/* A given subheader. */
	memcpy(ref + 16, sub, 4);
	memcpy(ref + 20, sub, 4);
	ref_encode(ref, 1234, OPTIMG_SECTOR_MODE2_FORM1);
	optimg_sector_from_user(got, user, 1234, OPTIMG_SECTOR_MODE2_FORM1,
	    sub);
	CU_ASSERT(memcmp(got, ref, RAW) == 0);

	/* Mode 1 with the user data already in place. */
	memset(ref, 0, RAW);
	memcpy(ref + 16, user, sizeof(user));
	ref_encode(ref, -200, OPTIMG_SECTOR_MODE1);
	rng_fill(got, RAW);
	memcpy(got + 16, user, sizeof(user));
	optimg_sector_from_user(got, got + 16, -200, OPTIMG_SECTOR_MODE1,
	    NULL);
	CU_ASSERT(memcmp(got, ref, RAW) == 0);
}

static void
test_encode_other_modes(void)
{
	uint8_t s[RAW], orig[RAW], hdr[16];
	size_t i;
	unsigned nonzero = 0, changed = 0;

	rng_seed(9);
	rng_fill(orig, RAW);

	/* Audio: left alone. */
	memcpy(s, orig, RAW);
	optimg_sector_encode(s, 100, OPTIMG_SECTOR_AUDIO);
	CU_ASSERT(memcmp(s, orig, RAW) == 0);

	/* Mode 0: sync, header, then zeros. */
	memcpy(s, orig, RAW);
	optimg_sector_encode(s, 100, OPTIMG_SECTOR_MODE0);
	ref_header(hdr, 100, 0);
	CU_ASSERT(memcmp(s, hdr, 16) == 0);
	for (i = 16; i < RAW; i++)
		nonzero += s[i] != 0;
	CU_ASSERT_EQUAL(nonzero, 0);
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_MODE0);
	CU_ASSERT_EQUAL(optimg_sector_check(s, 100), 0);

	/* Formless Mode 2: sync and header only. */
	memcpy(s, orig, RAW);
	s[20] = (uint8_t)~s[16];	/* no repeated subheader */
	memcpy(orig + 20, s + 20, 1);
	optimg_sector_encode(s, 100, OPTIMG_SECTOR_MODE2);
	ref_header(hdr, 100, 2);
	CU_ASSERT(memcmp(s, hdr, 16) == 0);
	for (i = 16; i < RAW; i++)
		changed += s[i] != orig[i];
	CU_ASSERT_EQUAL(changed, 0);
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_MODE2);
	CU_ASSERT_EQUAL(optimg_sector_check(s, 100), 0);
}

/* ---- mode_of and check ------------------------------------------------ */

static void
test_mode_of(void)
{
	uint8_t s[RAW];

	rng_seed(11);
	ref_random_sector(s, OPTIMG_SECTOR_MODE1);
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_MODE1);
	s[15] = 3;
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_AUDIO);
	ref_random_sector(s, OPTIMG_SECTOR_MODE2_FORM1);
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_MODE2_FORM1);
	ref_random_sector(s, OPTIMG_SECTOR_MODE2_FORM2);
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_MODE2_FORM2);
	s[21] ^= 1;		/* subheader copies differ: no XA */
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_MODE2);
	s[0] = 0xff;		/* broken sync: audio */
	CU_ASSERT_EQUAL(optimg_sector_mode_of(s), OPTIMG_SECTOR_AUDIO);
}

/* check() of a copy of s with bit 'bit' of byte 'at' flipped. */
static unsigned
check_flipped(const uint8_t *s, size_t at, unsigned bit, int32_t lba)
{
	uint8_t t[RAW];

	memcpy(t, s, RAW);
	t[at] ^= (uint8_t)(1u << bit);
	return optimg_sector_check(t, lba);
}

static void
test_check_mode1(void)
{
	const unsigned ecc = OPTIMG_CHECK_ECC_P | OPTIMG_CHECK_ECC_Q;
	uint8_t s[RAW];
	int32_t lba;

	rng_seed(13);
	lba = ref_random_sector(s, OPTIMG_SECTOR_MODE1);
	CU_ASSERT_EQUAL(optimg_sector_check(s, lba), 0);
	CU_ASSERT_EQUAL(optimg_sector_check(s, INT32_MIN), 0);
	CU_ASSERT_EQUAL(optimg_sector_check(s, lba + 1), OPTIMG_CHECK_HEADER);
	/* User data: EDC and both ECC codes see it. */
	CU_ASSERT_EQUAL(check_flipped(s, 100, 3, lba),
	    OPTIMG_CHECK_EDC | ecc);
	CU_ASSERT_EQUAL(check_flipped(s, 2063, 7, lba),
	    OPTIMG_CHECK_EDC | ecc);
	/* Header frame byte, bit 4: still BCD, but another address. */
	CU_ASSERT(check_flipped(s, 14, 4, lba) & OPTIMG_CHECK_HEADER);
	CU_ASSERT_EQUAL(check_flipped(s, 14, 4, lba),
	    OPTIMG_CHECK_HEADER | OPTIMG_CHECK_EDC | ecc);
	/* Sync: the EDC covers it, the ECC does not. */
	CU_ASSERT_EQUAL(check_flipped(s, 5, 0, lba),
	    OPTIMG_CHECK_SYNC | OPTIMG_CHECK_EDC);
	/* EDC and the zero gap are under the ECC too. */
	CU_ASSERT_EQUAL(check_flipped(s, 2065, 1, lba),
	    OPTIMG_CHECK_EDC | ecc);
	CU_ASSERT_EQUAL(check_flipped(s, 2070, 0, lba), ecc);
	/* The parity bytes themselves. */
	CU_ASSERT_EQUAL(check_flipped(s, 2076, 0, lba), OPTIMG_CHECK_ECC_P);
	CU_ASSERT_EQUAL(check_flipped(s, 2247, 6, lba), OPTIMG_CHECK_ECC_P);
	CU_ASSERT_EQUAL(check_flipped(s, 2248, 2, lba), OPTIMG_CHECK_ECC_Q);
	CU_ASSERT_EQUAL(check_flipped(s, 2351, 5, lba), OPTIMG_CHECK_ECC_Q);
}

static void
test_check_header(void)
{
	uint8_t s[RAW];

	rng_seed(17);
	ref_random_sector(s, OPTIMG_SECTOR_MODE2_FORM1);
	/* Not BCD: wrong even when the address is not asked for. */
	s[13] = 0x6a;
	CU_ASSERT(optimg_sector_check(s, INT32_MIN) & OPTIMG_CHECK_HEADER);
	/* An unknown mode byte. */
	ref_random_sector(s, OPTIMG_SECTOR_MODE1);
	s[15] = 3;
	CU_ASSERT(optimg_sector_check(s, INT32_MIN) & OPTIMG_CHECK_MODE);
}

static void
test_check_form1(void)
{
	const unsigned ecc = OPTIMG_CHECK_ECC_P | OPTIMG_CHECK_ECC_Q;
	uint8_t s[RAW];
	int32_t lba;

	rng_seed(19);
	lba = ref_random_sector(s, OPTIMG_SECTOR_MODE2_FORM1);
	CU_ASSERT_EQUAL(optimg_sector_check(s, lba), 0);
	CU_ASSERT_EQUAL(check_flipped(s, 1000, 0, lba),
	    OPTIMG_CHECK_EDC | ecc);
	CU_ASSERT_EQUAL(check_flipped(s, 5, 0, lba), OPTIMG_CHECK_SYNC);
	CU_ASSERT_EQUAL(check_flipped(s, 2074, 0, lba),
	    OPTIMG_CHECK_EDC | ecc);
	/*
	 * EDC and ECC leave the header out, so moving the sector to
	 * another address keeps them valid.
	 */
	ref_header(s, lba + 1000, 2);
	CU_ASSERT_EQUAL(optimg_sector_check(s, lba + 1000), 0);
	CU_ASSERT_EQUAL(optimg_sector_check(s, lba), OPTIMG_CHECK_HEADER);
}

static void
test_check_form2(void)
{
	uint8_t s[RAW];
	int32_t lba;

	rng_seed(23);
	lba = ref_random_sector(s, OPTIMG_SECTOR_MODE2_FORM2);
	CU_ASSERT_EQUAL(optimg_sector_check(s, lba), 0);
	CU_ASSERT_EQUAL(check_flipped(s, 2000, 4, lba), OPTIMG_CHECK_EDC);
	CU_ASSERT_EQUAL(check_flipped(s, 2349, 4, lba), OPTIMG_CHECK_EDC);
	/* An EDC of 0 means "none", whatever the data. */
	memset(s + 2348, 0, 4);
	CU_ASSERT_EQUAL(optimg_sector_check(s, lba), 0);
	CU_ASSERT_EQUAL(check_flipped(s, 2000, 4, lba), 0);
}

/* ---- scrambler -------------------------------------------------------- */

static void
test_scramble_prefix(void)
{
	static const uint8_t want[8] = {
		0x01, 0x80, 0x00, 0x60, 0x00, 0x28, 0x00, 0x1e
	};
	uint8_t s[RAW], ref[RAW - 12];
	unsigned untouched = 0;
	size_t i;

	memset(s, 0, RAW);
	optimg_scramble(s);
	for (i = 0; i < 12; i++)
		untouched += s[i] == 0;
	CU_ASSERT_EQUAL(untouched, 12);
	CU_ASSERT(memcmp(s + 12, want, sizeof(want)) == 0);
	ref_scramble_bytes(ref, sizeof(ref));
	CU_ASSERT(memcmp(ref, want, sizeof(want)) == 0);
	CU_ASSERT(memcmp(s + 12, ref, sizeof(ref)) == 0);
}

static void
test_scramble_inverse(void)
{
	uint8_t s[RAW], orig[RAW];
	size_t i;
	unsigned bad = 0;

	rng_seed(29);
	rng_fill(orig, RAW);
	memcpy(s, orig, RAW);
	optimg_scramble(s);
	CU_ASSERT(memcmp(s, orig, 12) == 0);
	CU_ASSERT(memcmp(s + 12, orig + 12, RAW - 12) != 0);
	optimg_scramble(s);
	for (i = 0; i < RAW; i++)
		bad += s[i] != orig[i];
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- real sectors: isofs-m1.bin --------------------------------------- */

static uint8_t *fixture;	/* FIXTURE_SECTORS raw sectors, or NULL */

static int
fixture_init(void)
{
	const char *path = test_data_path(FIXTURE_NAME);
	FILE *fp;
	size_t got;

	if (path == NULL)
		return 0;	/* the real-sector tests pass without running */
	if ((fp = fopen(path, "rb")) == NULL)
		return 1;
	fixture = malloc((size_t)FIXTURE_SECTORS * RAW + 1);
	if (fixture == NULL) {
		fclose(fp);
		return 1;
	}
	/* One byte more than expected, to see that there is no more. */
	got = fread(fixture, 1, (size_t)FIXTURE_SECTORS * RAW + 1, fp);
	fclose(fp);
	if (got != (size_t)FIXTURE_SECTORS * RAW) {
		fprintf(stderr, "%s: %zu bytes, expected %d sectors\n", path,
		    got, FIXTURE_SECTORS);
		return 1;
	}
	return 0;
}

static int
fixture_cleanup(void)
{
	free(fixture);
	fixture = NULL;
	return 0;
}

static void
test_fixture_check(void)
{
	unsigned i, bad = 0;

	if (fixture == NULL)
		return;
	for (i = 0; i < FIXTURE_SECTORS; i++)
		if (optimg_sector_check(fixture + (size_t)i * RAW,
		    (int32_t)i) != 0 ||
		    optimg_sector_mode_of(fixture + (size_t)i * RAW) !=
		    OPTIMG_SECTOR_MODE1)
			bad++;
	CU_ASSERT_EQUAL(bad, 0);
}

static void
test_fixture_reencode(void)
{
	uint8_t s[RAW];
	unsigned i, bad = 0;
	const uint8_t *real;

	if (fixture == NULL)
		return;
	for (i = 0; i < FIXTURE_SECTORS; i++) {
		real = fixture + (size_t)i * RAW;
		memset(s, 0xa5, sizeof(s));
		optimg_sector_from_user(s, real + 16, (int32_t)i,
		    OPTIMG_SECTOR_MODE1, NULL);
		if (memcmp(s, real, RAW) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The slow reference, too, must reproduce what a real mastering made. */
static void
test_fixture_reference(void)
{
	uint8_t s[RAW];
	unsigned i, bad = 0;
	const uint8_t *real;

	if (fixture == NULL)
		return;
	/* Sector 0 is the all-zero sector of the literal table. */
	zero_sector_expected(s);
	CU_ASSERT(memcmp(s, fixture, RAW) == 0);
	for (i = 0; i < FIXTURE_SECTORS; i += 7) {
		real = fixture + (size_t)i * RAW;
		memset(s, 0, sizeof(s));
		memcpy(s + 16, real + 16, OPTIMG_USER_SECTOR);
		ref_encode(s, (int32_t)i, OPTIMG_SECTOR_MODE1);
		if (memcmp(s, real, RAW) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* ---- suites ----------------------------------------------------------- */

static CU_TestInfo msf_tests[] = {
	{ "BCD encode, edges and overflow", test_bcd_encode },
	{ "BCD decode, all 256 bytes", test_bcd_decode },
	{ "LBA <-> MSF fixed points", test_msf_fixed },
	{ "LBA <-> MSF round trip, whole range", test_msf_round_trip },
	CU_TEST_INFO_NULL
};

static CU_TestInfo edc_tests[] = {
	{ "check value 123456789", test_edc_check_value },
	{ "against bitwise CRC, all alignments", test_edc_vs_reference },
	{ "fed in pieces", test_edc_incremental },
	{ "folding constants from the polynomial", test_edc_fold_constants },
	{ "folding and tables, literal values", test_edc_ways_literal },
	{ "folding against tables, random cases", test_edc_ways_random },
	CU_TEST_INFO_NULL
};

static CU_TestInfo encode_tests[] = {
	{ "zero Mode 1 sector at LBA 0, literal bytes", test_zero_sector },
	{ "ECC against Annex A reference", test_ecc_vs_reference },
	{ "Mode 1 against reference", test_mode1_vs_reference },
	{ "Mode 2 Form 1 against reference", test_form1_vs_reference },
	{ "Mode 2 Form 2 against reference", test_form2_vs_reference },
	{ "from user data, subheaders, in place", test_from_user },
	{ "audio, Mode 0, formless Mode 2", test_encode_other_modes },
	CU_TEST_INFO_NULL
};

static CU_TestInfo check_tests[] = {
	{ "mode of a sector", test_mode_of },
	{ "Mode 1: flipped bits", test_check_mode1 },
	{ "bad BCD, unknown mode", test_check_header },
	{ "Form 1: flipped bits, relocation", test_check_form1 },
	{ "Form 2: flipped bits, no EDC", test_check_form2 },
	CU_TEST_INFO_NULL
};

static CU_TestInfo scramble_tests[] = {
	{ "table prefix and Annex B register", test_scramble_prefix },
	{ "its own inverse", test_scramble_inverse },
	CU_TEST_INFO_NULL
};

static CU_TestInfo fixture_tests[] = {
	{ "302 real sectors check clean", test_fixture_check },
	{ "user data re-encodes to the same bytes", test_fixture_reencode },
	{ "slow reference agrees with real sectors", test_fixture_reference },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "BCD and MSF", .pTests = msf_tests },
	{ .pName = "EDC", .pTests = edc_tests },
	{ .pName = "encode", .pTests = encode_tests },
	{ .pName = "check", .pTests = check_tests },
	{ .pName = "scramble", .pTests = scramble_tests },
	{ .pName = "real sectors (" FIXTURE_NAME ")",
	  .pInitFunc = fixture_init, .pCleanupFunc = fixture_cleanup,
	  .pTests = fixture_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
