/*
 * test_nrg.c - the Nero reader (fmt_nrg.c) on images built here from the
 * format's constants, and on libcdio's p1.nrg and videocd.nrg.
 *
 * The fixtures and where their constants come from are in fx_images.c.
 */
#include "config.h"

#include "fx_dir.h"
#include "fx_images.h"
#include "cunit_main.h"
#include "testdata.h"

#define MSG 600

static struct optimg_image *
open_bytes(const struct bytes *b, const char *name, char *msg)
{
	fx_write(name, b->p, b->len);
	return fx_open(&oi_format_nrg, fx_path(name), msg, MSG);
}

static void
check_dao(int v)
{
	struct bytes b = { 0 };
	char msg[MSG] = "";
	struct optimg_image *img;
	const struct optimg_track *t;

	fx_nrg_dao(&b, v);
	img = open_bytes(&b, v == 2 ? "dao2.nrg" : "dao1.nrg", msg);
	if (img == NULL)
		fprintf(stderr, "\n  %s\n", msg);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL(img->disc.ntracks, 2);
	CU_ASSERT_EQUAL(img->disc.nsessions, 1);
	CU_ASSERT_STRING_EQUAL(img->disc.catalog, "0123456789012");
	t = &img->disc.tracks[0];
	CU_ASSERT_EQUAL(t->mode, OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(t->sector_size, 2352);
	CU_ASSERT_EQUAL(t->start, 0);
	CU_ASSERT_EQUAL(t->index[0], -150);
	CU_ASSERT_EQUAL(t->pregap, 150);
	CU_ASSERT_EQUAL(t->length, 20);
	CU_ASSERT_EQUAL(t->flags, OPTIMG_FLAG_DATA);
	t = &img->disc.tracks[1];
	CU_ASSERT_EQUAL(t->mode, OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(t->start, 25);
	CU_ASSERT_EQUAL(t->index[0], 20);
	CU_ASSERT_EQUAL(t->index[2], 28);
	CU_ASSERT_EQUAL(t->pregap, 5);
	CU_ASSERT_EQUAL(t->length, 7);
	CU_ASSERT_EQUAL(t->flags, OPTIMG_FLAG_DCP);
	CU_ASSERT_STRING_EQUAL(t->isrc, "USABC1234567");
	CU_ASSERT_EQUAL(img->disc.sessions[0].leadout, 32);
	CU_ASSERT_PTR_NOT_NULL_FATAL(img->disc.cdtext.field[0]);
	CU_ASSERT_STRING_EQUAL(img->disc.cdtext.field[0], "DISC");
	CU_ASSERT_PTR_NOT_NULL_FATAL(img->disc.tracks[1].cdtext.field[0]);
	CU_ASSERT_STRING_EQUAL(img->disc.tracks[1].cdtext.field[0], "TWO");
	CU_ASSERT(fx_sector_is(img, -150, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 0, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 19, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 20, OPTIMG_TRACK_AUDIO));
	CU_ASSERT(fx_sector_is(img, 31, OPTIMG_TRACK_AUDIO));
	optimg_image_free(img);
	b_free(&b);
}

static void
test_dao_v2(void)
{
	check_dao(2);
}

static void
test_dao_v1_cues(void)
{
	check_dao(1);
}

/* v1 TAO: Mode 2/2336 30 sectors, Mode 2/2336 10, audio 5; no gaps in
 * the file, as in videocd.nrg. */
static void
test_tao_v1(void)
{
	struct bytes b = { 0 };
	char msg[MSG] = "";
	struct optimg_image *img;

	fx_nrg_tao1(&b);
	img = open_bytes(&b, "tao1.nrg", msg);
	if (img == NULL)
		fprintf(stderr, "\n  %s\n", msg);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(img->disc.ntracks, 3);
	CU_ASSERT_EQUAL(img->disc.tracks[0].start, 0);
	CU_ASSERT_EQUAL(img->disc.tracks[0].pregap, 0);
	CU_ASSERT_EQUAL(img->disc.tracks[1].start, 180);
	CU_ASSERT_EQUAL(img->disc.tracks[1].pregap_unstored, 150);
	CU_ASSERT_EQUAL(img->disc.tracks[2].start, 340);
	CU_ASSERT_EQUAL(img->disc.tracks[2].mode, OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(img->disc.tracks[2].length, 5);
	CU_ASSERT(fx_sector_is(img, 29, OPTIMG_TRACK_MODE2));
	CU_ASSERT(fx_sector_is(img, 180, OPTIMG_TRACK_MODE2));
	CU_ASSERT(fx_sector_is(img, 344, OPTIMG_TRACK_AUDIO));
	optimg_image_free(img);
	b_free(&b);
}

/* v2 TAO whose file holds the 150-sector pregap before track 2. */
static void
test_tao_v2_stored_pregap(void)
{
	struct bytes b = { 0 };
	char msg[MSG] = "";
	struct optimg_image *img;

	fx_nrg_tao2(&b);
	img = open_bytes(&b, "tao2.nrg", msg);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL(img->disc.tracks[1].start, 170);
	CU_ASSERT_EQUAL(img->disc.tracks[1].index[0], 20);
	CU_ASSERT_EQUAL(img->disc.tracks[1].pregap, 150);
	CU_ASSERT_EQUAL(img->disc.tracks[1].pregap_unstored, 0);
	CU_ASSERT(fx_sector_is(img, 100, OPTIMG_TRACK_MODE1));
	CU_ASSERT(fx_sector_is(img, 179, OPTIMG_TRACK_MODE1));
	optimg_image_free(img);
	b_free(&b);
}

/* Two TAO sessions of one track each (SINF 1, SINF 1). */
static void
test_tao_sessions(void)
{
	struct bytes b = { 0 };
	char msg[MSG] = "";
	struct optimg_image *img;

	fx_nrg_sessions(&b);
	img = open_bytes(&b, "sessions.nrg", msg);
	if (img == NULL)
		fprintf(stderr, "\n  %s\n", msg);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL(img->disc.nsessions, 2);
	CU_ASSERT_EQUAL(img->disc.tracks[1].session, 2);
	/* 10 + 6750 lead-out + 4500 lead-in + 150 pregap */
	CU_ASSERT_EQUAL(img->disc.tracks[1].start, 11410);
	CU_ASSERT(fx_sector_is(img, 11412, OPTIMG_TRACK_MODE1));
	optimg_image_free(img);
	b_free(&b);
}

/* ---- hostile images ------------------------------------------------------ */

static void
expect_error(struct bytes *b, const char *name, const char *words)
{
	char msg[MSG] = "", want[MSG];
	struct optimg_image *img = open_bytes(b, name, msg);

	CU_ASSERT_PTR_NULL(img);
	optimg_image_free(img);
	snprintf(want, sizeof(want), "'%s' byte ", fx_path(name));
	if (strncmp(msg, want, strlen(want)) != 0 ||
	    strstr(msg, words) == NULL || strchr(msg, '\n') != NULL)
		fprintf(stderr, "\n  unexpected message: %s\n", msg);
	CU_ASSERT(strncmp(msg, want, strlen(want)) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, words));
}

static void
test_errors(void)
{
	struct bytes b = { 0 };

	fx_nrg_dao(&b, 2);
	/* the footer points past the chain */
	b.p[b.len - 2] = 0xff;
	expect_error(&b, "footer.nrg", "footer points");
	b_free(&b);

	fx_nrg_dao(&b, 2);
	b.len -= 3;	/* truncated: no footer */
	expect_error(&b, "cut.nrg", "no NERO or NER5 footer");
	b_free(&b);

	fx_nrg_dao(&b, 2);
	/* the first chunk (CUEX) claims more bytes than there are */
	for (size_t i = 0; i + 4 <= b.len; i++)
		if (memcmp(b.p + i, "CUEX", 4) == 0) {
			b.p[i + 4] = 0x7f;
			break;
		}
	expect_error(&b, "long.nrg", "runs past the footer");
	b_free(&b);

	fx_nrg_dao(&b, 2);
	for (size_t i = 0; i + 4 <= b.len; i++)
		if (memcmp(b.p + i, "DAOX", 4) == 0) {
			b.p[i + 8 + 22 + 14] = 0x42;	/* mode code */
			break;
		}
	expect_error(&b, "mode.nrg", "unknown mode code 0x42");
	b_free(&b);

	fx_nrg_dao(&b, 2);
	for (size_t i = 0; i + 4 <= b.len; i++)
		if (memcmp(b.p + i, "END!", 4) == 0) {
			memcpy(b.p + i, "ENDX", 4);
			break;
		}
	expect_error(&b, "noend.nrg", "without an END! chunk");
	b_free(&b);
}

/* ---- libcdio's images ---------------------------------------------------- */

static void
test_libcdio_p1(void)
{
	const char *path = test_data_path("p1.nrg");
	char msg[MSG] = "";
	struct optimg_image *img;

	if (path == NULL)
		return;
	img = fx_open(&oi_format_nrg, path, msg, sizeof(msg));
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(img->disc.ntracks, 2);
	CU_ASSERT_EQUAL(img->disc.tracks[0].mode, OPTIMG_TRACK_AUDIO);
	CU_ASSERT_EQUAL(img->disc.tracks[0].index[0], -150);
	CU_ASSERT_EQUAL(img->disc.tracks[0].start, 150);
	CU_ASSERT_EQUAL(img->disc.tracks[1].index[0], 225);
	CU_ASSERT_EQUAL(img->disc.tracks[1].start, 300);
	CU_ASSERT_EQUAL(img->disc.sessions[0].leadout, 302);
	CU_ASSERT_EQUAL(img->disc.tracks[0].flags, OPTIMG_FLAG_DCP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(img->disc.cdtext.field[
	    OPTIMG_CDTEXT_PERFORMER]);
	CU_ASSERT_STRING_EQUAL(img->disc.cdtext.field[OPTIMG_CDTEXT_PERFORMER],
	    "Richard Stallman");
	optimg_image_free(img);
}

static void
test_libcdio_videocd(void)
{
	static const int32_t starts[] = { 0, 826, 1051, 1276, 1501 };
	const char *path = test_data_path("videocd.nrg");
	char msg[MSG] = "";
	struct optimg_image *img;
	uint8_t sec[2048];

	if (path == NULL)
		return;
	img = fx_open(&oi_format_nrg, path, msg, sizeof(msg));
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(img->disc.ntracks, 5);
	for (unsigned i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(img->disc.tracks[i].mode, OPTIMG_TRACK_MODE2);
		CU_ASSERT_EQUAL(img->disc.tracks[i].sector_size, 2336);
		CU_ASSERT_EQUAL(img->disc.tracks[i].start, starts[i]);
	}
	CU_ASSERT_EQUAL(img->disc.sessions[0].leadout, 1726);
	CU_ASSERT_EQUAL(optimg_image_read(img, 16, 1, 2048, sec), 0);
	CU_ASSERT_EQUAL(memcmp(sec + 1, "CD001", 5), 0);
	optimg_image_free(img);
}

static CU_TestInfo nrg_tests[] = {
	{ "v2 DAO: CUEX, DAOX, CDTX", test_dao_v2 },
	{ "v1 DAO: CUES in BCD, DAOI", test_dao_v1_cues },
	{ "v1 TAO: unstored 150-sector pregaps", test_tao_v1 },
	{ "v2 TAO: stored pregap", test_tao_v2_stored_pregap },
	{ "TAO: two sessions", test_tao_sessions },
	{ "hostile images: one-line errors", test_errors },
	{ "libcdio p1.nrg", test_libcdio_p1 },
	{ "libcdio videocd.nrg", test_libcdio_videocd },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "nrg", .pInitFunc = fx_mkdir, .pCleanupFunc = fx_rmdir,
	  .pTests = nrg_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
