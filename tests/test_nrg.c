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

/* A seeded generator (Park-Miller), so a failing round can be replayed. */
static uint32_t
next_rand(uint32_t *state)
{
	*state = (uint32_t)((uint64_t)*state * 48271u % 2147483647u);
	return *state;
}

static bool
valid_utf8(const char *s)
{
	bool changed = true;
	char *fixed;

	if (s == NULL)
		return true;
	fixed = optimg_utf8_repair(s, strlen(s), &changed);
	free(fixed);
	return !changed;
}

/*
 * Seeded noise as CD-TEXT packs in each known character code (single-
 * and double-byte packs, NULs and TABs, cut-off characters): every text
 * that comes out is valid UTF-8, so no printer or JSON document ever
 * sees bytes it must repair.
 */
static void
test_cdtext_codes_noise(void)
{
	static const unsigned codes[] = { 0x00, 0x01, 0x80 };
	static const uint8_t bytes[] = { 0, 0, '\t', 'a', 0x81, 0x82, 0x93,
	    0xe9, 0xff, 0x40, 0x7f, 0xa0 };
	uint32_t seed = 9010;
	char name[32];

	for (unsigned c = 0; c < OI_ARRAY_SIZE(codes); c++)
		for (unsigned round = 0; round < 30; round++) {
			struct bytes packs = { 0 }, img = { 0 };
			unsigned n = 1 + next_rand(&seed) % 24;
			struct optimg_image *im;
			char msg[MSG] = "";
			uint8_t *p;

			p = b_grow(&packs, 18);
			memset(p, 0, 18);
			p[0] = 0x8f;
			p[4] = (uint8_t)codes[c];
			for (unsigned i = 0; i < n; i++) {
				p = b_grow(&packs, 18);
				p[0] = (uint8_t)(0x80 + next_rand(&seed) % 8);
				p[1] = (uint8_t)(next_rand(&seed) % 3);
				p[2] = (uint8_t)i;
				p[3] = (uint8_t)(next_rand(&seed) % 2 ? 0x80 : 0);
				for (unsigned k = 4; k < 18; k++)
					p[k] = next_rand(&seed) % 2 ?
					    bytes[next_rand(&seed) %
					    sizeof(bytes)] :
					    (uint8_t)next_rand(&seed);
			}
			fx_nrg_dao_cdtext(&img, &packs);
			snprintf(name, sizeof(name), "noise-%u-%u.nrg", c, round);
			im = open_bytes(&img, name, msg);
			CU_ASSERT_FATAL(im != NULL);
			for (unsigned f = 0; f < OPTIMG_CDTEXT_NFIELDS; f++) {
				CU_ASSERT(valid_utf8(im->disc.cdtext.field[f]));
				for (unsigned t = 0; t < im->disc.ntracks; t++)
					CU_ASSERT(valid_utf8(
					    im->disc.tracks[t].cdtext.field[f]));
			}
			optimg_image_free(im);
			free(packs.p);
			free(img.p);
		}
}

static CU_TestInfo nrg_tests[] = {
	{ "v2 DAO: CUEX, DAOX, CDTX", test_dao_v2 },
	{ "v1 DAO: CUES in BCD, DAOI", test_dao_v1_cues },
	{ "v1 TAO: unstored 150-sector pregaps", test_tao_v1 },
	{ "v2 TAO: stored pregap", test_tao_v2_stored_pregap },
	{ "TAO: two sessions", test_tao_sessions },
	{ "hostile images: one-line errors", test_errors },
	{ "CD-TEXT in known codes: always UTF-8", test_cdtext_codes_noise },
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
