/*
 * test_mds.c - the Alcohol 120% reader (fmt_mds.c) on a descriptor and
 * image built here from the format's constants (fx_images.c says where
 * they come from): sessions, tracks, subchannel, pregaps, 8- and 16-bit
 * file names, DPM kept as a blob, and hostile descriptors.
 */
#include "config.h"

#include "fx_dir.h"
#include "fx_images.h"
#include "cunit_main.h"

#define MSG 600

static struct optimg_image *
open_mds(const char *name, char *msg)
{
	return fx_open(&oi_format_mds, fx_path(name), msg, MSG);
}

static void
test_two_sessions(void)
{
	char msg[MSG] = "";
	struct optimg_image *img;
	const struct optimg_track *t;
	uint8_t raw[2448];

	CU_ASSERT_FATAL(fx_mds_dir(fx_dir, "disc.mds", "disc.mdf") == 0);
	img = open_mds("disc.mds", msg);
	if (img == NULL)
		fprintf(stderr, "\n  %s\n", msg);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(img->disc.ntracks, 3);
	CU_ASSERT_EQUAL(img->disc.nsessions, 2);
	t = img->disc.tracks;
	CU_ASSERT_EQUAL(t[0].mode, OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(t[0].start, 0);
	CU_ASSERT_EQUAL(t[0].pregap, 0);
	CU_ASSERT_EQUAL(t[1].mode, OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(t[1].start, 180);
	CU_ASSERT_EQUAL(t[1].pregap_unstored, 150);
	CU_ASSERT(t[1].subchannel);
	CU_ASSERT_EQUAL(t[1].sector_size, 2448);
	CU_ASSERT_EQUAL(t[1].flags, OPTIMG_FLAG_DCP);
	CU_ASSERT_EQUAL(t[2].session, 2);
	CU_ASSERT_EQUAL(t[2].start, 11600);
	CU_ASSERT_EQUAL(t[2].sector_size, 2336);
	CU_ASSERT(fx_sector_is(img, 0, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 29, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 199, OPTIMG_TRACK_AUDIO));
	CU_ASSERT(fx_sector_is(img, 11609, OPTIMG_TRACK_MODE2));
	/* the subchannel comes back after the 2352 bytes */
	CU_ASSERT_EQUAL(optimg_image_read(img, 181, 1, 2448, raw), 0);
	CU_ASSERT_EQUAL(raw[2352], (uint8_t)(2352 ^ 181));
	CU_ASSERT_EQUAL_FATAL(img->disc.nblobs, 1);
	CU_ASSERT_STRING_EQUAL(img->disc.blobs[0].name, "DPM");
	CU_ASSERT_EQUAL(img->disc.blobs[0].len, 40);
	CU_ASSERT_PTR_NOT_NULL(strstr(img->disc.blobs[0].summary,
	    "every 50 sectors, 4 entries"));
	optimg_image_free(img);
}

static void
expect_error(const char *name, size_t at, const void *bytes, size_t n,
    const char *words)
{
	char msg[MSG] = "", want[MSG + 8], path[MSG];
	struct optimg_image *img;
	FILE *f;

	CU_ASSERT_FATAL(fx_mds_dir(fx_dir, name, "x.mdf") == 0);
	snprintf(path, sizeof(path), "%s", fx_path(name));
	f = fopen(path, "r+b");
	CU_ASSERT_FATAL(f != NULL);
	fseek(f, (long)at, SEEK_SET);
	fwrite(bytes, 1, n, f);
	fclose(f);
	img = open_mds(name, msg);
	CU_ASSERT_PTR_NULL(img);
	optimg_image_free(img);
	snprintf(want, sizeof(want), "'%s' ", path);
	if (strncmp(msg, want, strlen(want)) != 0 || strstr(msg, words) == NULL)
		fprintf(stderr, "\n  unexpected message: %s\n", msg);
	CU_ASSERT(strncmp(msg, want, strlen(want)) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, words));
}

static void
test_errors(void)
{
	static const uint8_t far[4] = { 0xff, 0xff, 0, 0 };
	static const uint8_t two = 2, mode = 0xa6;

	/* "*.mdf" names x.mdf only for x.mds */
	expect_error("y.mds", 0, "M", 1, "y.mdf'");
	expect_error("x.mds", 0, "X", 1, "byte 0: not an Alcohol 120%");
	expect_error("x.mds", 16, &two, 1, "byte 16: descriptor version 2");
	expect_error("x.mds", 80, far, 4, "lies outside the descriptor");
	expect_error("x.mds", 136 + 3 * 80, &mode, 1,
	    "unknown track mode 0xa6");
	expect_error("x.mds", 946, far, 4, "DPM blocks");
}

static CU_TestInfo mds_tests[] = {
	{ "two sessions, subchannel, DPM", test_two_sessions },
	{ "hostile descriptors: one-line errors", test_errors },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "mds", .pInitFunc = fx_mkdir, .pCleanupFunc = fx_rmdir,
	  .pTests = mds_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
