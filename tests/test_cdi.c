/*
 * test_cdi.c - the DiscJuggler reader (fmt_cdi.c) on images of versions
 * 2, 3 and 3.5 built here from the format's constants (fx_images.c says
 * where they come from).
 */
#include "config.h"

#include "fx_dir.h"
#include "fx_images.h"
#include "cunit_main.h"

#define MSG 600

static struct optimg_image *
open_bytes(const struct bytes *b, const char *name, char *msg)
{
	fx_write(name, b->p, b->len);
	return fx_open(&oi_format_cdi, fx_path(name), msg, MSG);
}

static void
check_version(uint32_t version, const char *name)
{
	struct bytes b = { 0 };
	char msg[MSG] = "";
	struct optimg_image *img;
	const struct optimg_track *t;

	fx_cdi(&b, version);
	img = open_bytes(&b, name, msg);
	if (img == NULL)
		fprintf(stderr, "\n  %s\n", msg);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(img->disc.ntracks, 3);
	CU_ASSERT_EQUAL(img->disc.nsessions, 2);
	t = img->disc.tracks;
	CU_ASSERT_EQUAL(t[0].mode, OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(t[0].sector_size, 2352);
	CU_ASSERT_EQUAL(t[0].index[0], -150);
	CU_ASSERT_EQUAL(t[0].start, 0);
	CU_ASSERT_EQUAL(t[1].mode, OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(t[1].index[0], 30);
	CU_ASSERT_EQUAL(t[1].start, 180);
	CU_ASSERT_EQUAL(t[1].flags, OPTIMG_FLAG_DCP);
	CU_ASSERT_STRING_EQUAL(t[1].isrc, "USABC1234567");
	CU_ASSERT_EQUAL(t[2].session, 2);
	CU_ASSERT_EQUAL(t[2].mode, OPTIMG_TRACK_MODE2);
	CU_ASSERT_EQUAL(t[2].sector_size, 2336);
	CU_ASSERT_EQUAL(t[2].index[0], 11450);
	CU_ASSERT_EQUAL(t[2].start, 11600);
	CU_ASSERT_EQUAL(t[2].length, 25);
	CU_ASSERT(fx_sector_is(img, -150, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 29, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 30, OPTIMG_TRACK_AUDIO));
	CU_ASSERT(fx_sector_is(img, 199, OPTIMG_TRACK_AUDIO));
	CU_ASSERT(fx_sector_is(img, 11450, OPTIMG_TRACK_MODE2));
	CU_ASSERT(fx_sector_is(img, 11624, OPTIMG_TRACK_MODE2));
	optimg_image_free(img);
	b_free(&b);
}

static void
test_v2(void)
{
	check_version(0x80000004u, "v2.cdi");
}

static void
test_v3(void)
{
	check_version(0x80000005u, "v3.cdi");
}

static void
test_v35(void)
{
	check_version(0x80000006u, "v35.cdi");
}

static size_t
find(const struct bytes *b, const void *what, size_t n, size_t from)
{
	for (size_t i = from; i + n <= b->len; i++)
		if (memcmp(b->p + i, what, n) == 0)
			return i;
	CU_FAIL_FATAL("fixture lacks the bytes looked for");
	return 0;
}

static void
expect_error(struct bytes *b, const char *name, const char *words)
{
	char msg[MSG] = "", want[MSG];
	struct optimg_image *img = open_bytes(b, name, msg);

	CU_ASSERT_PTR_NULL(img);
	optimg_image_free(img);
	snprintf(want, sizeof(want), "'%s' byte ", fx_path(name));
	if (strncmp(msg, want, strlen(want)) != 0 || strstr(msg, words) == NULL)
		fprintf(stderr, "\n  unexpected message: %s\n", msg);
	CU_ASSERT(strncmp(msg, want, strlen(want)) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, words));
}

static void
test_errors(void)
{
	static const uint8_t mark[10] = { 0, 0, 1, 0, 0, 0, 0xff, 0xff,
	    0xff, 0xff };
	struct bytes b = { 0 };
	size_t at;

	fx_cdi(&b, 0x80000006u);
	b.len -= 5;
	expect_error(&b, "cut.cdi", "no DiscJuggler trailer");
	b_free(&b);

	fx_cdi(&b, 0x80000006u);
	b.p[b.len - 1] = 0x7f;		/* the table offset points far */
	expect_error(&b, "far.cdi", "no DiscJuggler trailer");
	b_free(&b);

	fx_cdi(&b, 0x80000004u);
	at = find(&b, mark, sizeof(mark), 200 * 2352);
	b.p[at + 2] = 7;
	expect_error(&b, "mark.cdi", "no track start mark");
	b_free(&b);

	/* the table of a v2 image read as v3: records out of step */
	fx_cdi(&b, 0x80000004u);
	b.p[b.len - 8] = 0x05;
	expect_error(&b, "version.cdi", "no track start mark");
	b_free(&b);
}

static CU_TestInfo cdi_tests[] = {
	{ "v2: two sessions, 2352, audio, 2336", test_v2 },
	{ "v3: DiscJuggler 3.00.780 extras", test_v3 },
	{ "v3.5: table from the end, DiscJuggler 4", test_v35 },
	{ "hostile images: one-line errors", test_errors },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "cdi", .pInitFunc = fx_mkdir, .pCleanupFunc = fx_rmdir,
	  .pTests = cdi_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
