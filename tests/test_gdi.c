/*
 * test_gdi.c - the Dreamcast readers: .gdi track lists (fmt_gdi.c) and
 * Redump's GD-ROM cue sheets with REM SINGLE-DENSITY AREA / REM
 * HIGH-DENSITY AREA (cue_layout.c), on images built here from the
 * formats' constants (fx_images.c says where they come from).
 */
#include "config.h"

#include "fx_dir.h"
#include "fx_images.h"
#include "cunit_main.h"

#define MSG 600

static struct optimg_image *
open_gdi(const char *name, char *msg)
{
	return fx_open(&oi_format_gdi, fx_path(name), msg, MSG);
}

static void
test_tosec(void)
{
	char msg[MSG] = "";
	struct optimg_image *img;
	const struct optimg_track *t;
	uint8_t buf[2352];

	CU_ASSERT_FATAL(fx_gdi_dir(fx_dir, "disc.gdi") == 0);
	img = open_gdi("disc.gdi", msg);
	if (img == NULL)
		fprintf(stderr, "\n  %s\n", msg);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(img->disc.ntracks, 3);
	t = img->disc.tracks;
	CU_ASSERT_EQUAL(t[0].mode, OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(t[0].start, 0);
	CU_ASSERT_EQUAL(t[0].length, 450);
	CU_ASSERT_EQUAL(t[0].postgap_unstored, 150);
	CU_ASSERT_EQUAL(t[1].mode, OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(t[1].start, 450);
	CU_ASSERT_EQUAL(t[1].postgap_unstored, 45000 - 550);
	CU_ASSERT_EQUAL(t[2].start, 45000);
	CU_ASSERT_EQUAL(t[2].sector_size, 2048);
	CU_ASSERT_EQUAL(t[2].length, 50);
	CU_ASSERT_EQUAL(img->disc.nsessions, 1);
	CU_ASSERT(fx_sector_is(img, 299, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 450, OPTIMG_TRACK_AUDIO));
	CU_ASSERT(fx_sector_is(img, 45049, OPTIMG_TRACK_MODE1));
	/* padding reads as an empty Mode 1 sector and as silence */
	CU_ASSERT_EQUAL(optimg_image_read(img, 300, 1, 2352, buf), 0);
	CU_ASSERT_EQUAL(buf[15], 1);
	CU_ASSERT_EQUAL(optimg_image_read(img, 44999, 1, 2352, buf), 0);
	CU_ASSERT_EQUAL(buf[0] | buf[100] | buf[2351], 0);
	optimg_image_free(img);
}

static void
expect_error(const char *name, const char *text, const char *words)
{
	char msg[MSG] = "", want[MSG];
	struct optimg_image *img;

	CU_ASSERT_FATAL(fx_gdi_dir(fx_dir, "ok.gdi") == 0);
	fx_write(name, text, strlen(text));
	img = open_gdi(name, msg);
	CU_ASSERT_PTR_NULL(img);
	optimg_image_free(img);
	snprintf(want, sizeof(want), "'%s' line ", fx_path(name));
	if (strncmp(msg, want, strlen(want)) != 0 || strstr(msg, words) == NULL)
		fprintf(stderr, "\n  unexpected message: %s\n", msg);
	CU_ASSERT(strncmp(msg, want, strlen(want)) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, words));
}

static void
test_errors(void)
{
	expect_error("missing.gdi", "1\n1 0 4 2352 nothere.bin 0\n",
	    "line 2: cannot find 'nothere.bin'");
	expect_error("count.gdi", "3\n1 0 4 2352 track01.bin 0\n",
	    "1 tracks where the first line gives 3");
	expect_error("type.gdi", "1\n1 0 5 2352 track01.bin 0\n",
	    "line 2: type '5'");
	expect_error("size.gdi", "1\n1 0 0 2048 track01.bin 0\n",
	    "line 2: sector size '2048' is not 2352");
	expect_error("quote.gdi", "1\n1 0 4 2352 \"track01.bin 0\n",
	    "line 2: a quote is not closed");
	expect_error("order.gdi", "2\n1 0 4 2352 track01.bin 0\n"
	    "2 0 0 2352 track02.raw 0\n", "line 3: track 2 starts at LBA 0");
	/* track01.bin holds 300 sectors: track 2 cannot start at 100 */
	expect_error("overlap.gdi", "2\n1 0 4 2352 track01.bin 0\n"
	    "2 100 0 2352 track02.raw 0\n", "line 2: 'track01.bin' holds 300 "
	    "sectors, more than the 100");
	expect_error("extra.gdi", "1\n1 0 4 2352 track01.bin 0\n"
	    "2 900 0 2352 track02.raw 0\n", "line 3: more tracks");
}

/* Redump's sheet for the same disc: the high-density area at 45000. */
static void
test_redump_cue(void)
{
	static const char cue[] =
	    "REM SINGLE-DENSITY AREA\r\n"
	    "FILE \"track01.bin\" BINARY\r\n"
	    "  TRACK 01 MODE1/2352\r\n"
	    "    INDEX 01 00:00:00\r\n"
	    "FILE \"track02.raw\" BINARY\r\n"
	    "  TRACK 02 AUDIO\r\n"
	    "    INDEX 00 00:00:00\r\n"
	    "    INDEX 01 00:01:00\r\n"
	    "REM HIGH-DENSITY AREA\r\n"
	    "FILE \"Track 03.bin\" BINARY\r\n"
	    "  TRACK 03 MODE1/2048\r\n"
	    "    INDEX 01 00:00:00\r\n";
	static const char past[] =
	    "FILE \"track01.bin\" BINARY\n"
	    "  TRACK 01 MODE1/2352\n    INDEX 01 00:00:00\n"
	    "  TRACK 02 MODE1/2352\n    INDEX 01 00:02:00\n"
	    "    POSTGAP 10:00:00\n"
	    "REM HIGH-DENSITY AREA\nFILE \"Track 03.bin\" BINARY\n"
	    "  TRACK 03 MODE1/2048\n    INDEX 01 00:00:00\n";
	char msg[MSG] = "";
	struct optimg_image *img;
	const struct optimg_track *t;

	CU_ASSERT_FATAL(fx_gdi_dir(fx_dir, "disc.gdi") == 0);
	fx_write("dc.cue", cue, sizeof(cue) - 1);
	img = fx_open(&oi_format_cue, fx_path("dc.cue"), msg, MSG);
	if (img == NULL)
		fprintf(stderr, "\n  %s\n", msg);
	CU_ASSERT_FATAL(img != NULL);
	t = img->disc.tracks;
	CU_ASSERT_EQUAL_FATAL(img->disc.ntracks, 3);
	CU_ASSERT_EQUAL(t[1].index[0], 300);
	CU_ASSERT_EQUAL(t[1].start, 375);
	CU_ASSERT_EQUAL(t[1].postgap_unstored, 45000 - 400);
	CU_ASSERT_EQUAL(t[2].start, 45000);
	CU_ASSERT(fx_sector_is(img, 45000, OPTIMG_TRACK_MODE1));
	optimg_image_free(img);

	/* a single-density area past 45000 is refused */
	fx_write("past.cue", past, sizeof(past) - 1);
	img = fx_open(&oi_format_cue, fx_path("past.cue"), msg, MSG);
	CU_ASSERT_PTR_NULL(img);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "past the high-density area"));
	optimg_image_free(img);
}

static CU_TestInfo gdi_tests[] = {
	{ "TOSEC .gdi: padding, quotes, 2048 and 2352", test_tosec },
	{ "hostile .gdi files: one-line errors", test_errors },
	{ "Redump cue: REM HIGH-DENSITY AREA", test_redump_cue },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "gdi", .pInitFunc = fx_mkdir, .pCleanupFunc = fx_rmdir,
	  .pTests = gdi_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
