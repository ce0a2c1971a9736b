/*
 * test_unpack.c - the decompressing streams and the packers: an ECM file
 * built by hand from the format's description (not by our writer), its
 * checksum caught, and each packer's output read back at seeded random
 * offsets, forward and backward, across its blocks and frames.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "pack.h"

static uint32_t rng_state;

static uint32_t
rng(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return rng_state >> 8;
}

/* One Mode 1 sector (type 1), then 3 literal bytes (type 0), the end. */
static size_t
hand_ecm(uint8_t *f, uint8_t *plain)
{
	static const uint8_t end[5] = { 0xfc, 0xff, 0xff, 0xff, 0x3f };
	size_t n = 0;

	for (int i = 0; i < 2048; i++)
		plain[16 + i] = (uint8_t)rng();
	optimg_sector_encode(plain, 1234, OPTIMG_SECTOR_MODE1);
	memcpy(plain + 2352, "abc", 3);
	memcpy(f, "ECM", 4);
	n = 4;
	f[n++] = 0x01;			/* type 1, count - 1 = 0 */
	memcpy(f + n, plain + 12, 3);	/* the address */
	n += 3;
	memcpy(f + n, plain + 16, 2048);
	n += 2048;
	f[n++] = 2 << 2;		/* type 0, count - 1 = 2 */
	memcpy(f + n, "abc", 3);
	n += 3;
	memcpy(f + n, end, sizeof(end));
	n += sizeof(end);
	oi_le32enc(f + n, optimg_edc(0, plain, 2355));
	return n + 4;
}

static void
test_ecm_by_hand(void)
{
	static uint8_t f[2200], plain[2355], got[2355];
	struct optimg_error err = { 0 };
	struct oi_stream st;
	size_t len;

	rng_state = 1304;
	len = hand_ecm(f, plain);
	CU_ASSERT_EQUAL(oi_pack_detect(f, len), OI_PACK_ECM);
	CU_ASSERT_EQUAL_FATAL(oi_stream_open_mem(&st, "hand.ecm", f, len,
	    &err), 0);
	CU_ASSERT_EQUAL_FATAL(oi_unpack_wrap(&st, OI_PACK_ECM, UINT64_MAX,
	    &err), 0);
	CU_ASSERT_EQUAL(st.size, 2355);
	/* Backward first: the literal, then the sector's EDC/ECC. */
	CU_ASSERT_EQUAL(oi_stream_pread(&st, got, 3, 2352, &err), 0);
	CU_ASSERT(memcmp(got, "abc", 3) == 0);
	CU_ASSERT_EQUAL(oi_stream_pread(&st, got, 300, 2052, &err), 0);
	CU_ASSERT(memcmp(got, plain + 2052, 300) == 0);
	CU_ASSERT_EQUAL(oi_stream_pread(&st, got, 2355, 0, &err), 0);
	CU_ASSERT(memcmp(got, plain, 2355) == 0);
	oi_stream_close(&st);

	/* A wrong checksum fails the read that reaches the end in order. */
	f[len - 1] ^= 1;
	CU_ASSERT_EQUAL_FATAL(oi_stream_open_mem(&st, "bad.ecm", f, len,
	    &err), 0);
	CU_ASSERT_EQUAL_FATAL(oi_unpack_wrap(&st, OI_PACK_ECM, UINT64_MAX,
	    &err), 0);
	CU_ASSERT_EQUAL(oi_stream_pread(&st, got, 2355, 0, &err),
	    OPTIMG_EFORMAT);
	CU_ASSERT(strstr(err.message, "'bad.ecm': damaged ecm data: the EDC "
	    "at byte") != NULL);
	oi_stream_close(&st);

	/* A record running past the end is refused at open, with its byte. */
	CU_ASSERT_EQUAL_FATAL(oi_stream_open_mem(&st, "cut.ecm", f, 1000,
	    &err), 0);
	CU_ASSERT_EQUAL(oi_unpack_wrap(&st, OI_PACK_ECM, UINT64_MAX, &err),
	    OPTIMG_EFORMAT);
	CU_ASSERT(strstr(err.message, "record at byte 4 runs past") != NULL);
}

/* Packs data with kind into a temporary file, reads it back at random. */
static void
round_trip(enum oi_pack_kind kind, size_t size)
{
	char path[] = "/tmp/optimg-unpack.XXXXXX";
	struct optimg_error err = { 0 };
	struct oi_pack *p;
	struct oi_stream st;
	uint8_t *data = malloc(size), *got = malloc(256 * 1024);
	int fd = mkstemp(path);

	CU_ASSERT_FATAL(data != NULL && got != NULL && fd >= 0);
	/* Compressible but not trivial: runs of seeded bytes. */
	for (size_t i = 0; i < size; i += 16)
		memset(data + i, (int)(rng() & 0x0f), OI_MIN((size_t)16,
		    size - i));
	CU_ASSERT_EQUAL_FATAL(oi_pack_new(&p, kind, path, 0, &err), 0);
	for (size_t i = 0; i < size; i += 1000003)
		CU_ASSERT_EQUAL(oi_pack_write(p, fd, data + i,
		    OI_MIN((size_t)1000003, size - i), &err), 0);
	CU_ASSERT_EQUAL(oi_pack_finish(p, fd, &err), 0);
	oi_pack_free(p);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(oi_stream_open(&st, path, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(oi_unpack_of(&st));
	CU_ASSERT_EQUAL(st.size, size);
	for (int i = 0; i < 40; i++) {
		size_t len = rng() % (256 * 1024) + 1;
		uint64_t off = (uint64_t)rng() * 8 % (size - len);
		if (i == 39)		/* the last bytes, after the rest */
			off = size - len;
		CU_ASSERT_EQUAL(oi_stream_pread(&st, got, len, off, &err), 0);
		CU_ASSERT(memcmp(got, data + off, len) == 0);
	}
	oi_stream_close(&st);
	unlink(path);
	free(data);
	free(got);
}

static void
test_zstd_frames(void)
{
	rng_state = 1;
	round_trip(OI_PACK_ZSTD, 9u << 20);	/* three frames */
}

static void
test_gzip_points(void)
{
	rng_state = 2;
	round_trip(OI_PACK_GZIP, 9u << 20);	/* restart points at 4 MiB */
}

static void
test_xz_blocks(void)
{
	rng_state = 3;
	round_trip(OI_PACK_XZ, 5u << 20);	/* two blocks */
}

static void
test_ecm_literals(void)
{
	rng_state = 4;
	round_trip(OI_PACK_ECM, 1u << 20);
}

static CU_TestInfo unpack_tests[] = {
	{ "ECM built by hand", test_ecm_by_hand },
	{ "zstd frames at random", test_zstd_frames },
	{ "gzip restart points at random", test_gzip_points },
	{ "xz blocks at random", test_xz_blocks },
	{ "ECM literals at random", test_ecm_literals },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "unpack", .pTests = unpack_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
