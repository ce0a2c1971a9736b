/*
 * test_image.c - the image layer: format detection, the sector source's
 * conversions between cooked and raw, gaps, errors, output files and
 * conversions through the public API.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_main.h"
#include "oi_private.h"
#include "outfile.h"

static char tmpdir[256];

static int
make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "%s/test_image.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmpdir) == NULL;
}

static int
remove_tmpdir(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) != 0;
}

static char *
tmp_path(const char *name)
{
	static char path[2][512];
	static int which;

	which ^= 1;
	snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, name);
	return path[which];
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(fwrite(data, 1, len, f) == len);
	fclose(f);
}

/* An "ISO" of n sectors: sector i filled with byte i, CD001 at 16. */
static uint8_t *
fake_iso(uint32_t n)
{
	uint8_t *buf = malloc((size_t)n * 2048);

	for (uint32_t i = 0; i < n; i++)
		memset(buf + (size_t)i * 2048, (int)(i & 0xff), 2048);
	buf[16 * 2048] = 1;
	memcpy(buf + 16 * 2048 + 1, "CD001", 5);
	memset(buf + 16 * 2048 + 40, ' ', 32);
	memcpy(buf + 16 * 2048 + 40, "FAKE_VOL", 8);
	return buf;
}

static struct optimg_image *
open_ok(const char *path)
{
	struct optimg_image *img = optimg_image_new();
	int rc = optimg_image_open(img, path);

	if (rc != 0)
		fprintf(stderr, "open %s: %s\n", path, optimg_image_errmsg(img));
	CU_ASSERT_FATAL(rc == 0);
	return img;
}

static void
test_iso_reads(void)
{
	uint8_t *iso = fake_iso(40), buf[3 * 2448];
	struct optimg_image *img;
	const struct optimg_disc *d;
	char volid[33];

	write_file(tmp_path("a.iso"), iso, 40 * 2048);
	img = open_ok(tmp_path("a.iso"));
	CU_ASSERT_STRING_EQUAL(optimg_image_format(img), "iso");
	d = optimg_image_disc(img);
	CU_ASSERT_EQUAL(d->ntracks, 1);
	CU_ASSERT_EQUAL(d->tracks[0].length, 40);
	CU_ASSERT_EQUAL(d->nsessions, 1);
	CU_ASSERT_EQUAL(d->sessions[0].leadout, 40);
	/* Cooked reads are the file's bytes. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 3, 2, 2048, buf), 0);
	CU_ASSERT(memcmp(buf, iso + 3 * 2048, 4096) == 0);
	/* Raw reads are complete Mode 1 sectors with the right header. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 5, 2, 2352, buf), 0);
	CU_ASSERT_EQUAL(optimg_sector_check(buf, 5), 0);
	CU_ASSERT_EQUAL(optimg_sector_check(buf + 2352, 6), 0);
	CU_ASSERT_EQUAL(buf[12], 0x00);
	CU_ASSERT_EQUAL(buf[13], 0x02);
	CU_ASSERT_EQUAL(buf[14], 0x05);
	CU_ASSERT_EQUAL(buf[15], 1);
	CU_ASSERT(memcmp(buf + 16, iso + 5 * 2048, 2048) == 0);
	/* 2336 is raw minus sync and header; 2448 adds zero subchannel. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 5, 1, 2336, buf + 2352), 0);
	CU_ASSERT(memcmp(buf + 2352, buf + 16, 2336) == 0);
	CU_ASSERT_EQUAL(optimg_image_read(img, 5, 1, 2448, buf + 4000), 0);
	CU_ASSERT(memcmp(buf + 4000, buf, 2352) == 0);
	CU_ASSERT_EQUAL(buf[4000 + 2352], 0);
	CU_ASSERT_EQUAL(buf[4000 + 2447], 0);
	/* Outside the image, and bad sizes. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 39, 2, 2048, buf),
	    OPTIMG_ERANGE);
	CU_ASSERT(strstr(optimg_image_errmsg(img), "sectors 0-39") != NULL);
	CU_ASSERT_EQUAL(optimg_image_read(img, 0, 1, 512, buf), OPTIMG_EINVAL);
	CU_ASSERT_EQUAL(optimg_image_volume_id(img, 0, volid), 0);
	CU_ASSERT_STRING_EQUAL(volid, "FAKE_VOL");
	optimg_image_free(img);
	free(iso);
}

/*
 * A batch of raw reads large enough to be shared by two threads, each
 * reading its half of the ISO in pieces: every sector is whole and holds
 * its own bytes; a file cut short after opening is an error, never
 * sectors made of whatever the buffer held.
 */
static void
test_iso_raw_batch(void)
{
	const uint32_t n = 200, batch = 150;	/* halves of 75: 32+32+11 */
	uint8_t *iso = fake_iso(n), *all = malloc((size_t)n * 2352);
	struct optimg_image *img;

	CU_ASSERT_FATAL(all != NULL);
	write_file(tmp_path("b.iso"), iso, (size_t)n * 2048);
	img = open_ok(tmp_path("b.iso"));
	CU_ASSERT_EQUAL(optimg_image_read(img, 0, batch, 2352, all), 0);
	for (uint32_t i = 0; i < batch; i++) {
		CU_ASSERT_EQUAL(optimg_sector_check(all + (size_t)i * 2352,
		    (int32_t)i), 0);
		CU_ASSERT(memcmp(all + (size_t)i * 2352 + 16,
		    iso + (size_t)i * 2048, 2048) == 0);
	}
	CU_ASSERT_EQUAL_FATAL(truncate(tmp_path("b.iso"), 100 * 2048), 0);
	CU_ASSERT_EQUAL(optimg_image_read(img, 0, batch, 2352, all),
	    OPTIMG_EFORMAT);
	CU_ASSERT(strstr(optimg_image_errmsg(img), "ends at byte") != NULL);
	optimg_image_free(img);
	free(all);
	free(iso);
}

static void
test_rawbin_detect(void)
{
	uint8_t *iso = fake_iso(20), *raw = malloc(20 * 2352), buf[2048];
	struct optimg_image *img;

	for (int i = 0; i < 20; i++)
		optimg_sector_from_user(raw + i * 2352, iso + i * 2048, i,
		    OPTIMG_SECTOR_MODE1, NULL);
	/* The name says .iso; the content says raw bin. */
	write_file(tmp_path("raw.iso"), raw, 20 * 2352);
	img = open_ok(tmp_path("raw.iso"));
	CU_ASSERT_STRING_EQUAL(optimg_image_format(img), "bin");
	CU_ASSERT_EQUAL(optimg_image_disc(img)->tracks[0].mode,
	    OPTIMG_TRACK_MODE1);
	CU_ASSERT_EQUAL(optimg_image_read(img, 17, 1, 2048, buf), 0);
	CU_ASSERT(memcmp(buf, iso + 17 * 2048, 2048) == 0);
	optimg_image_free(img);
	free(raw);
	free(iso);
}

static void
test_unknown_format(void)
{
	uint8_t zeros[40000] = { 0 };
	struct optimg_image *img = optimg_image_new();

	write_file(tmp_path("zero.img"), zeros, sizeof(zeros));
	CU_ASSERT_EQUAL(optimg_image_open(img, tmp_path("zero.img")),
	    OPTIMG_EFORMAT);
	CU_ASSERT(strstr(optimg_image_errmsg(img), "not a disc image") != NULL);
	optimg_image_free(img);
	img = optimg_image_new();
	CU_ASSERT_EQUAL(optimg_image_open(img, tmp_path("missing.iso")),
	    OPTIMG_ENOENT);
	optimg_image_free(img);
}

/* A hand-made image: audio file fragment, unstored gap, Mode 1 gap. */
static struct optimg_image *
gap_image(void)
{
	struct optimg_image *img = optimg_image_new();
	struct oi_fragment f = { 0 };
	struct optimg_track *t;
	uint8_t pcm[10 * 2352];
	unsigned st;

	for (size_t i = 0; i < sizeof(pcm); i++)
		pcm[i] = (uint8_t)(i * 7);
	write_file(tmp_path("pcm.bin"), pcm, sizeof(pcm));
	CU_ASSERT_FATAL(oi_image_add_stream(img, tmp_path("pcm.bin"), &st) == 0);
	f = (struct oi_fragment){ .lba = 0, .count = 10, .fill = OI_FILL_FILE,
	    .stream = st, .sector_size = 2352, .swap16 = true,
	    .mode = OPTIMG_TRACK_AUDIO };
	CU_ASSERT_FATAL(oi_image_add_fragment(img, &f) == 0);
	f = (struct oi_fragment){ .lba = 10, .count = 5, .fill = OI_FILL_ZERO,
	    .mode = OPTIMG_TRACK_MODE1 };
	CU_ASSERT_FATAL(oi_image_add_fragment(img, &f) == 0);
	CU_ASSERT_FATAL(oi_image_add_track(img, &t) == 0);
	t->number = 1;
	t->mode = OPTIMG_TRACK_AUDIO;
	t->sector_size = 2352;
	t->start = 0;
	CU_ASSERT_FATAL(oi_image_add_track(img, &t) == 0);
	t->number = 2;
	t->mode = OPTIMG_TRACK_MODE1;
	t->sector_size = 2048;
	t->start = 12;
	t->pregap_unstored = 2;
	CU_ASSERT_FATAL(oi_image_finish_layout(img) == 0);
	return img;
}

static void
test_gaps_and_swap(void)
{
	struct optimg_image *img = gap_image();
	const struct optimg_disc *d = optimg_image_disc(img);
	uint8_t buf[2 * 2352];

	CU_ASSERT_EQUAL(d->tracks[0].length, 10);
	CU_ASSERT_EQUAL(d->tracks[1].pregap, 2);
	CU_ASSERT_EQUAL(d->tracks[1].length, 3);
	/* MOTOROLA audio comes out little-endian. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 0, 1, 2352, buf), 0);
	CU_ASSERT_EQUAL(buf[0], 7);
	CU_ASSERT_EQUAL(buf[1], 0);
	/* An unstored Mode 1 gap is a valid empty Mode 1 sector. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 11, 1, 2352, buf), 0);
	CU_ASSERT_EQUAL(optimg_sector_check(buf, 11), 0);
	CU_ASSERT_EQUAL(buf[15], 1);
	CU_ASSERT_EQUAL(optimg_image_read(img, 13, 1, 2048, buf), 0);
	CU_ASSERT_EQUAL(buf[0], 0);
	/* Audio has no user data: asking for it is refused, not faked. */
	CU_ASSERT_EQUAL(optimg_image_read(img, 9, 2, 2048, buf),
	    OPTIMG_ELOSSY);
	CU_ASSERT(strstr(optimg_image_errmsg(img), "track 1") != NULL);
	optimg_image_free(img);
}

static void
test_form2_is_lossy(void)
{
	uint8_t raw[2 * 2352], buf[2 * 2048];
	const uint8_t sub2[4] = { 0, 0, 0x20, 0 };
	struct optimg_image *img;

	memset(raw, 0x5a, sizeof(raw));
	optimg_sector_from_user(raw, raw + 100, 0, OPTIMG_SECTOR_MODE2_FORM1,
	    NULL);
	memcpy(raw + 2352 + 16, sub2, 4);
	memcpy(raw + 2352 + 20, sub2, 4);
	optimg_sector_encode(raw + 2352, 1, OPTIMG_SECTOR_MODE2_FORM2);
	write_file(tmp_path("xa.bin"), raw, sizeof(raw));
	img = open_ok(tmp_path("xa.bin"));
	CU_ASSERT_EQUAL(optimg_image_disc(img)->tracks[0].mode,
	    OPTIMG_TRACK_MODE2);
	CU_ASSERT_EQUAL(optimg_image_read(img, 0, 1, 2048, buf), 0);
	CU_ASSERT_EQUAL(buf[0], 0x5a);
	CU_ASSERT_EQUAL(optimg_image_read(img, 0, 2, 2048, buf),
	    OPTIMG_ELOSSY);
	CU_ASSERT(strstr(optimg_image_errmsg(img), "Form 2") != NULL);
	optimg_image_free(img);
}

static void
test_layout_rejects_disorder(void)
{
	struct optimg_image *img = optimg_image_new();
	struct oi_fragment f = { .lba = 0, .count = 10, .fill = OI_FILL_ZERO };
	struct optimg_track *t;

	CU_ASSERT_FATAL(oi_image_add_fragment(img, &f) == 0);
	CU_ASSERT_FATAL(oi_image_add_track(img, &t) == 0);
	t->number = 1;
	t->start = 5;
	t->index[0] = 7;	/* INDEX 00 after INDEX 01 */
	CU_ASSERT_FATAL(oi_image_add_track(img, &t) == 0);
	t->number = 2;
	t->start = 8;
	t->index[0] = 9;
	CU_ASSERT_EQUAL(oi_image_finish_layout(img), OPTIMG_EFORMAT);
	optimg_image_free(img);
}

static bool
dir_is_empty_but(const char *keep)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	bool empty = true;

	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' || strstr(e->d_name, ".part") != NULL)
			if (keep == NULL || strcmp(e->d_name, keep) != 0)
				empty = false;
	closedir(d);
	return empty;
}

static void
test_outfile(void)
{
	struct oi_outfile of;
	struct optimg_error err;
	struct stat st;

	CU_ASSERT_EQUAL(oi_outfile_open(&of, tmp_path("o.bin"), false, &err), 0);
	CU_ASSERT_EQUAL(oi_outfile_write(&of, "abc", 3, &err), 0);
	/* Nothing under the final name until commit. */
	CU_ASSERT(stat(tmp_path("o.bin"), &st) != 0);
	oi_outfile_abort(&of);
	CU_ASSERT(dir_is_empty_but(NULL));
	CU_ASSERT_EQUAL(oi_outfile_open(&of, tmp_path("o.bin"), false, &err), 0);
	CU_ASSERT_EQUAL(oi_outfile_write(&of, "abc", 3, &err), 0);
	CU_ASSERT_EQUAL(oi_outfile_size(&of), 3);
	CU_ASSERT_EQUAL(oi_outfile_finish(&of, &err), 0);
	CU_ASSERT_EQUAL(oi_outfile_commit(&of, &err), 0);
	CU_ASSERT(stat(tmp_path("o.bin"), &st) == 0 && st.st_size == 3);
	CU_ASSERT(dir_is_empty_but("o.bin"));
	CU_ASSERT_EQUAL(oi_outfile_open(&of, tmp_path("o.bin"), false, &err),
	    OPTIMG_EEXIST);
	CU_ASSERT_EQUAL(oi_outfile_open(&of, tmpdir, true, &err),
	    OPTIMG_EINVAL);
	CU_ASSERT_EQUAL(oi_outfile_open(&of, "/dev/null", true, &err),
	    OPTIMG_EINVAL);
	unlink(tmp_path("o.bin"));
}

static int
cancel_at_once(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	(void)total;
	return done > 0;
}

static void
test_convert_roundtrip_and_cancel(void)
{
	uint8_t *iso = fake_iso(300);
	struct optimg_convert_opts opts = { 0 };
	struct optimg_error err;
	struct optimg_image *img;
	char *back;
	size_t len;

	write_file(tmp_path("c.iso"), iso, 300 * 2048);
	img = open_ok(tmp_path("c.iso"));
	opts.progress = cancel_at_once;
	CU_ASSERT_EQUAL(optimg_convert(img, tmp_path("c.cue"), &opts, &err),
	    OPTIMG_ECANCELED);
	CU_ASSERT(dir_is_empty_but("c.iso"));
	opts.progress = NULL;
	CU_ASSERT_EQUAL(optimg_convert(img, tmp_path("c.cue"), &opts, &err), 0);
	CU_ASSERT_EQUAL(optimg_convert(img, tmp_path("c.cue"), &opts, &err),
	    OPTIMG_EEXIST);
	opts.force = true;
	CU_ASSERT_EQUAL(optimg_convert(img, tmp_path("c.iso"), &opts, &err),
	    OPTIMG_EINVAL);
	optimg_image_free(img);
	img = open_ok(tmp_path("c.cue"));
	CU_ASSERT_EQUAL(optimg_convert(img, tmp_path("d.iso"), &opts, &err), 0);
	optimg_image_free(img);
	CU_ASSERT_EQUAL(oi_read_small_file(tmp_path("d.iso"), 1 << 20, &back,
	    &len, &err), 0);
	CU_ASSERT_EQUAL(len, 300 * 2048);
	CU_ASSERT(memcmp(back, iso, len) == 0);
	free(back);
	free(iso);
}

static CU_TestInfo image_tests[] = {
	{ "iso: cooked, raw, 2336 and 2448 reads", test_iso_reads },
	{ "iso: a raw batch shared by two threads", test_iso_raw_batch },
	{ "raw bin recognised by content", test_rawbin_detect },
	{ "unknown and missing files", test_unknown_format },
	{ "gaps, MOTOROLA audio, lossy audio", test_gaps_and_swap },
	{ "Form 2 sectors refuse cooked reads", test_form2_is_lossy },
	{ "layout rejects indices out of order", test_layout_rejects_disorder },
	CU_TEST_INFO_NULL
};

static CU_TestInfo output_tests[] = {
	{ "temporary files renamed on commit", test_outfile },
	{ "convert round trip, cancel, guards", test_convert_roundtrip_and_cancel },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "image", .pInitFunc = make_tmpdir,
	  .pCleanupFunc = remove_tmpdir, .pTests = image_tests },
	{ .pName = "output", .pInitFunc = make_tmpdir,
	  .pCleanupFunc = remove_tmpdir, .pTests = output_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
