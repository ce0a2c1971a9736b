/*
 * test_burn_plan.c - the disc structure a burn hands to libburn, built
 * from cue sheets written here: track modes and block sizes, where each
 * track lands on the disc, stored and unstored pregaps, postgaps, index
 * offsets as burn_track_set_index() takes them, flags, ISRC, CD-TEXT and
 * the refusals, and the checks made from what a drive reports before
 * anything is written.  No libburn type is seen: the plan is our own.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "burn_private.h"

static char tmpdir[256];
static unsigned failures_at_setup;

static void
setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_burn_plan.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	CU_ASSERT_FATAL(mkdtemp(tmpdir) != NULL);
	failures_at_setup = CU_get_number_of_failures();
}

/* The directory stays when the test failed, to look at. */
static void
teardown(void)
{
	char cmd[600];

	if (CU_get_number_of_failures() != failures_at_setup) {
		fprintf(stderr, "kept %s\n", tmpdir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", tmpdir);
}

static const char *
path_of(const char *name)
{
	static char path[2][512];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, name);
	return path[which];
}

/* A file of n sectors of size bytes, sector i filled with i & 0xff. */
static void
write_bin(const char *name, uint32_t n, unsigned size)
{
	FILE *f = fopen(path_of(name), "wb");
	uint8_t *s = malloc(size);

	CU_ASSERT_FATAL(f != NULL && s != NULL);
	for (uint32_t i = 0; i < n; i++) {
		memset(s, (int)(i & 0xff), size);
		CU_ASSERT_FATAL(fwrite(s, 1, size, f) == size);
	}
	free(s);
	fclose(f);
}

static void
write_text(const char *name, const char *text)
{
	FILE *f = fopen(path_of(name), "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static struct optimg_image *
open_cue(const char *text)
{
	struct optimg_image *img = optimg_image_new();

	write_text("t.cue", text);
	CU_ASSERT_FATAL(img != NULL);
	if (optimg_image_open(img, path_of("t.cue")) != 0) {
		fprintf(stderr, "open: %s\n", optimg_image_errmsg(img));
		CU_FAIL_FATAL("cannot open the cue");
	}
	return img;
}

static struct optimg_burn_plan *
plan_of(struct optimg_image *img)
{
	struct optimg_burn_plan *p = NULL;
	struct optimg_error err = { 0 };

	if (optimg_burn_plan_image(img, &p, &err) != 0) {
		fprintf(stderr, "plan: %s\n", err.message);
		CU_FAIL_FATAL("no plan");
	}
	return p;
}

static void
test_data_track(void)
{
	struct optimg_image *img;
	struct optimg_burn_plan *p;
	struct oi_burn_index ix[OPTIMG_MAX_INDEX];
	const struct optimg_burn_track *t;

	write_bin("d.bin", 40, 2352);
	img = open_cue("FILE \"d.bin\" BINARY\n  TRACK 01 MODE1/2352\n"
	    "    INDEX 01 00:00:00\n");
	p = plan_of(img);
	CU_ASSERT_EQUAL(p->ntracks, 1);
	t = &p->tracks[0];
	CU_ASSERT_EQUAL(t->mode, OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(t->block_size, 2048);	/* user data, not raw */
	CU_ASSERT_STRING_EQUAL(t->source_mode, "MODE1/2352");
	CU_ASSERT_EQUAL(t->start, 0);
	CU_ASSERT_EQUAL(t->first, 0);
	CU_ASSERT_EQUAL(t->src_lba, 0);
	CU_ASSERT_EQUAL(t->src_sectors, 40);
	CU_ASSERT_EQUAL(t->length, 40);
	CU_ASSERT(t->flags & OPTIMG_FLAG_DATA);
	CU_ASSERT_FALSE(p->audio);
	CU_ASSERT_FALSE(p->has_cdtext);
	CU_ASSERT_EQUAL(p->sectors, 40);
	CU_ASSERT_EQUAL(p->bytes, 40 * 2048);
	/* The default index 01 at the start: nothing to tell libburn. */
	CU_ASSERT_EQUAL(oi_burn_track_indices(t, ix), 1);
	CU_ASSERT_EQUAL(ix[0].number, 1);
	CU_ASSERT_EQUAL(ix[0].offset, 0);
	optimg_burn_plan_free(p);
	optimg_image_free(img);
}

/*
 * Two audio files: a stored INDEX 00 pregap, INDEX 02, an unstored
 * PREGAP before track 3 and a POSTGAP after it.
 */
static const char audio_cue[] =
    "CATALOG 4006381333931\n"
    "TITLE \"Album\"\n"
    "PERFORMER \"Band\"\n"
    "FILE \"a.bin\" BINARY\n"
    "  TRACK 01 AUDIO\n"
    "    TITLE \"One\"\n"
    "    FLAGS DCP PRE\n"
    "    ISRC USXYZ2600001\n"
    "    INDEX 01 00:00:00\n"
    "    INDEX 02 00:01:00\n"
    "  TRACK 02 AUDIO\n"
    "    TITLE \"Two\"\n"
    "    INDEX 00 00:03:00\n"
    "    INDEX 01 00:04:00\n"
    "FILE \"b.bin\" BINARY\n"
    "  TRACK 03 AUDIO\n"
    "    PREGAP 00:01:00\n"
    "    INDEX 01 00:00:00\n"
    "    INDEX 02 00:05:00\n"
    "    POSTGAP 00:02:00\n";

static void
test_audio_layout(void)
{
	struct optimg_image *img;
	struct optimg_burn_plan *p;
	const struct optimg_burn_track *t;

	write_bin("a.bin", 450, 2352);
	write_bin("b.bin", 1350, 2352);
	img = open_cue(audio_cue);
	p = plan_of(img);
	CU_ASSERT_FATAL(p->ntracks == 3);
	CU_ASSERT(p->audio);
	CU_ASSERT_STRING_EQUAL(p->catalog, "4006381333931");

	t = &p->tracks[0];
	CU_ASSERT_EQUAL(t->block_size, 2352);
	CU_ASSERT_EQUAL(t->start, 0);
	CU_ASSERT_EQUAL(t->length, 225);
	CU_ASSERT_EQUAL(t->pregap, 0);
	CU_ASSERT_EQUAL(t->src_sectors, 225);
	CU_ASSERT_EQUAL(t->index[2], 75);
	CU_ASSERT_EQUAL(t->flags & (OPTIMG_FLAG_DCP | OPTIMG_FLAG_PRE),
	    OPTIMG_FLAG_DCP | OPTIMG_FLAG_PRE);
	CU_ASSERT_STRING_EQUAL(t->isrc, "USXYZ2600001");

	t = &p->tracks[1];	/* pregap stored in a.bin: part of the source */
	CU_ASSERT_EQUAL(t->first, 225);
	CU_ASSERT_EQUAL(t->src_lba, 225);
	CU_ASSERT_EQUAL(t->src_sectors, 225);
	CU_ASSERT_EQUAL(t->start, 300);
	CU_ASSERT_EQUAL(t->pregap, 75);
	CU_ASSERT_EQUAL(t->pregap_zero, 0);
	CU_ASSERT_EQUAL(t->index[0], 225);
	CU_ASSERT_EQUAL(t->length, 150);

	t = &p->tracks[2];	/* PREGAP and POSTGAP are zeros libburn writes */
	CU_ASSERT_EQUAL(t->first, 450);
	CU_ASSERT_EQUAL(t->pregap_zero, 75);
	CU_ASSERT_EQUAL(t->pregap, 75);
	CU_ASSERT_EQUAL(t->start, 525);
	CU_ASSERT_EQUAL(t->src_lba, 525);
	CU_ASSERT_EQUAL(t->src_sectors, 1350);
	CU_ASSERT_EQUAL(t->postgap_zero, 150);
	CU_ASSERT_EQUAL(t->length, 1500);
	CU_ASSERT_EQUAL(t->index[2], 900);

	CU_ASSERT_EQUAL(p->sectors, 2025);
	CU_ASSERT_EQUAL(p->bytes, (uint64_t)(450 + 1350) * 2352);
	CU_ASSERT(p->has_cdtext);
	CU_ASSERT_STRING_EQUAL(p->cdtext->field[OPTIMG_CDTEXT_TITLE], "Album");
	CU_ASSERT_STRING_EQUAL(
	    p->tracks[1].cdtext->field[OPTIMG_CDTEXT_TITLE], "Two");
	optimg_burn_plan_free(p);
	optimg_image_free(img);
}

/* Index positions as libburn wants them: from the start of the source. */
static void
test_index_offsets(void)
{
	struct optimg_image *img;
	struct optimg_burn_plan *p;
	struct oi_burn_index ix[OPTIMG_MAX_INDEX];
	unsigned n;

	write_bin("a.bin", 450, 2352);
	write_bin("b.bin", 1350, 2352);
	img = open_cue(audio_cue);
	p = plan_of(img);

	n = oi_burn_track_indices(&p->tracks[0], ix);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT(ix[0].number == 1 && ix[0].offset == 0);
	CU_ASSERT(ix[1].number == 2 && ix[1].offset == 75);

	n = oi_burn_track_indices(&p->tracks[1], ix);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT(ix[0].number == 0 && ix[0].offset == 0);
	CU_ASSERT(ix[1].number == 1 && ix[1].offset == 75);

	/* The PREGAP is not in the source: the offsets start after it. */
	n = oi_burn_track_indices(&p->tracks[2], ix);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT(ix[0].number == 1 && ix[0].offset == 0);
	CU_ASSERT(ix[1].number == 2 && ix[1].offset == 375);
	optimg_burn_plan_free(p);
	optimg_image_free(img);
}

/*
 * Track 1's first 150 zero sectors are the lead-in's pregap (LBA -150
 * to -1); only a longer PREGAP takes room from LBA 0 on.
 */
static void
test_first_track_pregap(void)
{
	struct optimg_image *img;
	struct optimg_burn_plan *p;

	write_bin("a.bin", 100, 2352);
	img = open_cue("FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n"
	    "    PREGAP 00:03:00\n    INDEX 01 00:00:00\n");
	p = plan_of(img);
	CU_ASSERT_EQUAL(p->tracks[0].pregap_zero, 225);
	CU_ASSERT_EQUAL(p->tracks[0].start, 75);
	CU_ASSERT_EQUAL(p->tracks[0].first, -150);
	CU_ASSERT_EQUAL(p->sectors, 175);
	optimg_burn_plan_free(p);
	optimg_image_free(img);

	img = open_cue("FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n"
	    "    PREGAP 00:02:00\n    INDEX 01 00:00:00\n");
	p = plan_of(img);
	CU_ASSERT_EQUAL(p->tracks[0].start, 0);
	CU_ASSERT_EQUAL(p->sectors, 100);
	optimg_burn_plan_free(p);
	optimg_image_free(img);
}

static void
test_refusals(void)
{
	struct optimg_image *img;
	struct optimg_burn_plan *p = (struct optimg_burn_plan *)1;
	struct optimg_error err = { 0 };

	write_bin("m.bin", 30, 2352);
	write_bin("a.bin", 30, 2352);
	img = open_cue("FILE \"a.bin\" BINARY\n  TRACK 01 AUDIO\n"
	    "    INDEX 01 00:00:00\n"
	    "FILE \"m.bin\" BINARY\n  TRACK 02 MODE2/2352\n"
	    "    INDEX 01 00:00:00\n");
	CU_ASSERT_EQUAL(optimg_burn_plan_image(img, &p, &err),
	    OPTIMG_EUNSUPP);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_STRING_EQUAL(err.message, "track 2 is MODE2/2352: libburn "
	    "writes only Mode 1 data and audio tracks");
	optimg_image_free(img);
}

static void
test_stream(void)
{
	struct optimg_burn_plan *p = NULL;
	struct optimg_error err = { 0 };

	CU_ASSERT_EQUAL_FATAL(optimg_burn_plan_stream(2048 * 10 + 1, &p,
	    &err), 0);
	CU_ASSERT_EQUAL(p->ntracks, 1);
	CU_ASSERT_EQUAL(p->tracks[0].src_sectors, 11);	/* padded up */
	CU_ASSERT_EQUAL(p->bytes, 11 * 2048);
	CU_ASSERT_EQUAL(p->tracks[0].block_size, 2048);
	CU_ASSERT_EQUAL(p->tracks[0].index[1], 0);
	optimg_burn_plan_free(p);
	CU_ASSERT_EQUAL(optimg_burn_plan_stream(0, &p, &err), OPTIMG_ERANGE);
	CU_ASSERT_PTR_NULL(p);
}

/* libburn's packs of the plan: 18 bytes, pack types 0x80.. then 0x8f. */
static void
test_cdtext_packs(void)
{
	struct optimg_image *img;
	struct optimg_burn_plan *p;
	struct optimg_error err = { 0 };
	uint8_t *packs = NULL;
	unsigned n = 0;
	bool title = false, size_info = false;

	write_bin("a.bin", 450, 2352);
	write_bin("b.bin", 1350, 2352);
	img = open_cue(audio_cue);
	p = plan_of(img);
	CU_ASSERT_EQUAL_FATAL(optimg_burn_plan_cdtext_packs(p, &packs, &n,
	    &err), 0);
	CU_ASSERT_FATAL(packs != NULL && n >= 4);
	for (unsigned i = 0; i < n; i++) {
		title |= packs[18 * i] == 0x80;
		size_info |= packs[18 * i] == 0x8f;
		CU_ASSERT_EQUAL(packs[18 * i + 2], i);	/* sequence number */
	}
	CU_ASSERT(title && size_info);
	/* The album title is the first text of the first TITLE pack. */
	CU_ASSERT_EQUAL(memcmp(packs + 4, "Album", 6), 0);
	free(packs);
	optimg_burn_plan_free(p);
	optimg_image_free(img);
}

/* ---- refusals from what a drive reports (burn_check.c) ---------------- */

static struct optimg_burner_info
drive(int profile, const char *media, enum optimg_media_state state,
    bool erasable)
{
	struct optimg_burner_info d;

	memset(&d, 0, sizeof(d));
	snprintf(d.address, sizeof(d.address), "/dev/sr0");
	snprintf(d.media, sizeof(d.media), "%s", media);
	d.profile = profile;
	d.state = state;
	d.erasable = erasable;
	return d;
}

static struct optimg_burn_plan *
data_plan(uint64_t bytes)
{
	struct optimg_burn_plan *p = NULL;
	struct optimg_error err = { 0 };

	CU_ASSERT_FATAL(optimg_burn_plan_stream(bytes, &p, &err) == 0);
	return p;
}

/* oi_burn_check_media() gives want, or succeeds when want is NULL. */
static void
expect_media(const struct optimg_burn_plan *p,
    const struct optimg_burn_opts *o, struct optimg_burner_info d,
    const char *want)
{
	struct optimg_error err = { 0 };
	int rc = oi_burn_check_media(p, o, &d, &err);
	char got[OPTIMG_ERRMSG_MAX + 200];

	if (want == NULL) {
		CU_ASSERT_EQUAL(rc, 0);
		return;
	}
	CU_ASSERT(rc < 0);
	/* The message, with what it is about and what would get past it. */
	snprintf(got, sizeof(got), "%s%s%s", err.about ?
	    optimg_option_meaning(err.about) : "", err.about ? ": " : "",
	    err.message);
	if (err.remedy[0])
		snprintf(got + strlen(got), sizeof(got) - strlen(got),
		    " [%s%s%s]", optimg_option_meaning(err.remedy[0]),
		    err.remedy[1] ? ", or " : "",
		    optimg_option_meaning(err.remedy[1]));
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n got: %s\nwant: %s\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

static void
test_check_media(void)
{
	struct optimg_burn_plan *p = data_plan(1 << 20);
	struct optimg_burn_opts o = { 0 }, blank = { .blank = true },
	    append = { .append = true };

	expect_media(p, &o, drive(0x09, "CD-R", OPTIMG_MEDIA_BLANK, false),
	    NULL);
	expect_media(p, &o, drive(0, "", OPTIMG_MEDIA_NONE, false),
	    "no writable media in '/dev/sr0' (media, none)");
	expect_media(p, &o, drive(0x0a, "CD-RW", OPTIMG_MEDIA_APPENDABLE,
	    true), "the CD-RW in '/dev/sr0' is not blank (appendable) [blank "
	    "the medium first, or add a session]");
	expect_media(p, &blank, drive(0x0a, "CD-RW", OPTIMG_MEDIA_CLOSED,
	    true), NULL);
	expect_media(p, &blank, drive(0x09, "CD-R", OPTIMG_MEDIA_CLOSED,
	    false), "the CD-R in '/dev/sr0' is closed and cannot be blanked");
	/* DVD+RW: overwritten in place, --blank is enough. */
	expect_media(p, &blank, drive(0x1a, "DVD+RW",
	    OPTIMG_MEDIA_APPENDABLE, false), NULL);
	expect_media(p, &append, drive(0x1b, "DVD+R", OPTIMG_MEDIA_APPENDABLE,
	    false), NULL);
	expect_media(p, &append, drive(0x1b, "DVD+R", OPTIMG_MEDIA_CLOSED,
	    false), "add a session: the DVD+R in '/dev/sr0' is closed, not "
	    "appendable");
	expect_media(p, &append, drive(0x43, "BD-RE", OPTIMG_MEDIA_BLANK,
	    true), "add a session: the BD-RE in '/dev/sr0' has no sessions "
	    "to add to");
	optimg_burn_plan_free(p);
}

static void
test_check_audio(void)
{
	struct optimg_image *img;
	struct optimg_burn_plan *p;
	struct optimg_burn_opts o = { 0 };
	struct optimg_burner_info stdio = drive(0xffff, "stdio file",
	    OPTIMG_MEDIA_BLANK, false);

	write_bin("a.bin", 450, 2352);
	write_bin("b.bin", 1350, 2352);
	img = open_cue(audio_cue);
	p = plan_of(img);
	expect_media(p, &o, drive(0x09, "CD-R", OPTIMG_MEDIA_BLANK, false),
	    NULL);
	expect_media(p, &o, drive(0x11, "DVD-R sequential recording",
	    OPTIMG_MEDIA_BLANK, false), "audio tracks need a CD; '/dev/sr0' "
	    "holds a DVD-R sequential recording");
	expect_media(p, &o, drive(0x41, "BD-R sequential recording",
	    OPTIMG_MEDIA_BLANK, false), "audio tracks need a CD; '/dev/sr0' "
	    "holds a BD-R sequential recording");
	/* A pseudo-drive: libburn gives its own reason later. */
	stdio.pseudo = true;
	expect_media(p, &o, stdio, NULL);
	optimg_burn_plan_free(p);
	optimg_image_free(img);
}

static void
test_check_size(void)
{
	struct optimg_burn_plan *p = data_plan(800000000);
	struct optimg_burner_info d = drive(0x09, "CD-R", OPTIMG_MEDIA_BLANK,
	    false);
	struct optimg_error err = { 0 };

	CU_ASSERT_EQUAL(oi_burn_check_size(p, 0, &d, &err), 0);
	CU_ASSERT_EQUAL(oi_burn_check_size(p, 800000000, &d, &err), 0);
	CU_ASSERT_EQUAL(oi_burn_check_size(p, 736966656, &d, &err),
	    OPTIMG_ERANGE);
	CU_ASSERT_STRING_EQUAL(err.message, "the image needs 800000000 bytes "
	    "(800.0 MB) but the CD-R in '/dev/sr0' has 736966656 bytes "
	    "(737.0 MB) free");
	optimg_burn_plan_free(p);
}

/*
 * libburn's burn_finish() is process-wide: a call must not shut it down
 * under a holder (a GUI listing drives during a burn).
 */
static void
test_libburn_held(void)
{
	struct optimg_burner_info info;
	struct optimg_error err;
	char addr[160];

	snprintf(addr, sizeof(addr), "stdio:%.100s/held.img", tmpdir);
	CU_ASSERT_EQUAL(oi_burn_users(), 0);
	CU_ASSERT_EQUAL_FATAL(optimg_burner_hold(&err), 0);
	CU_ASSERT_EQUAL_FATAL(optimg_burner_hold(&err), 0);
	CU_ASSERT_EQUAL(oi_burn_users(), 2);
	CU_ASSERT_EQUAL(optimg_burner_inquire(addr, &info, &err), 0);
	CU_ASSERT_EQUAL(oi_burn_users(), 2);	/* not finished by the call */
	optimg_burner_release();
	CU_ASSERT_EQUAL(optimg_burner_inquire(addr, &info, &err), 0);
	optimg_burner_release();
	CU_ASSERT_EQUAL(oi_burn_users(), 0);
	/* And up again for the next caller. */
	CU_ASSERT_EQUAL(optimg_burner_inquire(addr, &info, &err), 0);
	CU_ASSERT_EQUAL(oi_burn_users(), 0);
}

static CU_TestInfo plan_tests[] = {
	{ "one Mode 1 track", test_data_track },
	{ "audio: pregaps, postgap, indices", test_audio_layout },
	{ "index offsets for libburn", test_index_offsets },
	{ "first track's pregap", test_first_track_pregap },
	{ "Mode 2 refused, naming the track", test_refusals },
	{ "a stream of bytes", test_stream },
	{ "CD-TEXT packs", test_cdtext_packs },
	{ "libburn held across calls", test_libburn_held },
	CU_TEST_INFO_NULL
};

static CU_TestInfo check_tests[] = {
	{ "media state, blank, append", test_check_media },
	{ "audio needs a CD", test_check_audio },
	{ "image larger than the media", test_check_size },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "burn_plan", .pSetUpFunc = setup, .pTearDownFunc = teardown,
	  .pTests = plan_tests },
	{ .pName = "burn_check", .pSetUpFunc = setup,
	  .pTearDownFunc = teardown, .pTests = check_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
