/*
 * test_mount_view.c - lib/mount: a view's files, their sizes and bytes.
 * The fixture is a cue sheet over two bins: track 1 Mode 1 (raw sectors
 * made from seeded user data) and track 2 audio (seeded samples).  The
 * oracle for the sheet and the bins is `convert --split` through the
 * public API; for the ISO the seeded user data itself; for the CloneCD
 * .img the image's own raw sectors; for the WAV header the RIFF fields
 * spelt out here.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cunit_main.h"
#include "oi_private.h"

#define DATA_N	40	/* sectors of track 1 */
#define AUDIO_N	30	/* sectors of track 2 */

static char tmpdir[256];
static uint8_t *user;		/* DATA_N * 2048 seeded bytes */
static uint8_t *audio;		/* AUDIO_N * 2352 */

static char *
tmp_path(const char *name)
{
	static char path[4][512];
	static int which;

	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", tmpdir, name);
	return path[which];
}

static uint8_t *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	*len = fread(buf, 1, (size_t)n, f);
	fclose(f);
	return buf;
}

/* xorshift: the same bytes on every run. */
static void
seeded(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = (uint8_t)seed;
	}
}

static int
suite_init(void)
{
	uint8_t *bin = malloc((size_t)DATA_N * 2352);
	static const char cue[] =
	    "FILE \"data.bin\" BINARY\n"
	    "  TRACK 01 MODE1/2352\n"
	    "    INDEX 01 00:00:00\n"
	    "FILE \"audio.bin\" BINARY\n"
	    "  TRACK 02 AUDIO\n"
	    "    INDEX 00 00:00:00\n"
	    "    INDEX 01 00:00:10\n";
	char path[600];
	FILE *f;

	snprintf(tmpdir, sizeof(tmpdir), "%s/test_mount.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL || bin == NULL)
		return 1;
	user = malloc((size_t)DATA_N * 2048);
	audio = malloc((size_t)AUDIO_N * 2352);
	seeded(user, (size_t)DATA_N * 2048, 16);
	seeded(audio, (size_t)AUDIO_N * 2352, 7);
	for (int i = 0; i < DATA_N; i++)
		optimg_sector_from_user(bin + (size_t)i * 2352,
		    user + (size_t)i * 2048, i, OPTIMG_SECTOR_MODE1, NULL);
	snprintf(path, sizeof(path), "%s/data.bin", tmpdir);
	if ((f = fopen(path, "wb")) == NULL)
		return 1;
	fwrite(bin, 1, (size_t)DATA_N * 2352, f);
	fclose(f);
	free(bin);
	snprintf(path, sizeof(path), "%s/audio.bin", tmpdir);
	if ((f = fopen(path, "wb")) == NULL)
		return 1;
	fwrite(audio, 1, (size_t)AUDIO_N * 2352, f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/disc.cue", tmpdir);
	if ((f = fopen(path, "wb")) == NULL)
		return 1;
	fputs(cue, f);
	fclose(f);
	return 0;
}

static int
suite_cleanup(void)
{
	char cmd[600];

	free(user);
	free(audio);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) != 0;
}

struct fixture {
	struct optimg_image	*img;
	struct optimg_view	*view;
};

static void
fx_open(struct fixture *fx, unsigned handles)
{
	struct optimg_view_opts o = { OPTIMG_NS_AUTO, 0, handles };
	struct optimg_error err;

	fx->img = optimg_image_new();
	CU_ASSERT_FATAL(optimg_image_open(fx->img, tmp_path("disc.cue")) == 0);
	CU_ASSERT_FATAL(optimg_view_new(fx->img, &o, &fx->view, &err) == 0);
}

static void
fx_close(struct fixture *fx)
{
	optimg_view_free(fx->view);
	optimg_image_free(fx->img);
}

/* The whole of a view file, or NULL when it is not there. */
static uint8_t *
slurp(struct optimg_view *v, const char *path, uint64_t *size)
{
	struct optimg_view_node *n;
	struct optimg_error err;
	uint8_t *buf;
	size_t got;
	int32_t lba;

	if (optimg_view_lookup(v, path, &n, &err) < 0)
		return NULL;
	*size = optimg_view_node_stat(n)->size;
	buf = malloc(*size + 1);
	CU_ASSERT(optimg_view_read(v, n, 0, buf, *size + 1, &got, &lba,
	    &err) == 0);
	CU_ASSERT(got == *size);
	optimg_view_node_free(n);
	return buf;
}

static int
count_entry(void *ctx, const char *name, const struct optimg_view_stat *st)
{
	(void)name;
	(void)st;
	(*(unsigned *)ctx)++;
	return 0;
}

static void
test_listing_and_sizes(void)
{
	struct fixture fx;
	struct optimg_view_node *n;
	struct optimg_error err;
	unsigned count = 0;

	fx_open(&fx, 0);
	CU_ASSERT_FATAL(optimg_view_lookup(fx.view, "/", &n, &err) == 0);
	CU_ASSERT(optimg_view_node_stat(n)->type == OPTIMG_FS_DIR);
	CU_ASSERT(optimg_view_list(fx.view, n, count_entry, &count, &err) == 0);
	optimg_view_node_free(n);
	/* iso, cue, 2 bins, ccd/img/sub, tracks/ (no file system: the
	   seeded track has none) */
	CU_ASSERT(count == 8);
	CU_ASSERT(optimg_view_fs_problem(fx.view) != NULL);
	CU_ASSERT(optimg_view_lookup(fx.view, "files", &n, &err) ==
	    OPTIMG_ENOENT);
	CU_ASSERT_FATAL(optimg_view_lookup(fx.view, "image.iso", &n, &err) ==
	    0);
	CU_ASSERT(optimg_view_node_stat(n)->size == (uint64_t)DATA_N * 2048);
	CU_ASSERT(optimg_view_node_stat(n)->mode == 0444);
	optimg_view_node_free(n);
	CU_ASSERT_FATAL(optimg_view_lookup(fx.view, "tracks/02.wav", &n,
	    &err) == 0);
	CU_ASSERT(optimg_view_node_stat(n)->size ==
	    44 + (uint64_t)AUDIO_N * 2352);
	optimg_view_node_free(n);
	CU_ASSERT_FATAL(optimg_view_lookup(fx.view, "image.img", &n, &err) ==
	    0);
	CU_ASSERT(optimg_view_node_stat(n)->size ==
	    (uint64_t)(DATA_N + AUDIO_N) * 2352);
	optimg_view_node_free(n);
	CU_ASSERT(optimg_view_lookup(fx.view, "nothing", &n, &err) ==
	    OPTIMG_ENOENT);
	fx_close(&fx);
}

static void
test_iso_bytes(void)
{
	struct fixture fx;
	uint64_t size;
	uint8_t *iso;

	fx_open(&fx, 0);
	iso = slurp(fx.view, "image.iso", &size);
	CU_ASSERT_FATAL(iso != NULL);
	CU_ASSERT(size == (uint64_t)DATA_N * 2048);
	CU_ASSERT(memcmp(iso, user, (size_t)size) == 0);
	free(iso);
	fx_close(&fx);
}

/* The sheet and bins are what convert --split writes. */
static void
test_cue_like_convert(void)
{
	struct optimg_convert_opts co = { .split = true };
	static const char *const names[] = { "image.cue",
	    "image (Track 1).bin", "image (Track 2).bin" };
	struct optimg_error err;
	struct fixture fx;

	fx_open(&fx, 0);
	mkdir(tmp_path("split"), 0755);
	CU_ASSERT_FATAL(optimg_convert(fx.img, tmp_path("split/image.cue"),
	    &co, &err) == 0);
	for (unsigned i = 0; i < 3; i++) {
		char rel[64];
		uint64_t vsize;
		size_t fsize;
		uint8_t *v = slurp(fx.view, names[i], &vsize), *f;

		snprintf(rel, sizeof(rel), "split/%s", names[i]);
		f = read_file(tmp_path(rel), &fsize);
		CU_ASSERT_FATAL(v != NULL && f != NULL);
		CU_ASSERT(vsize == fsize);
		CU_ASSERT(memcmp(v, f, fsize) == 0);
		free(v);
		free(f);
	}
	fx_close(&fx);
}

static void
test_wav(void)
{
	struct fixture fx;
	uint64_t size;
	uint8_t *w;
	uint32_t n = AUDIO_N * 2352;

	fx_open(&fx, 0);
	w = slurp(fx.view, "tracks/02.wav", &size);
	CU_ASSERT_FATAL(w != NULL);
	CU_ASSERT(memcmp(w, "RIFF", 4) == 0);
	CU_ASSERT(oi_le32dec(w + 4) == 36 + n);
	CU_ASSERT(memcmp(w + 8, "WAVEfmt ", 8) == 0);
	CU_ASSERT(oi_le32dec(w + 16) == 16);
	CU_ASSERT(oi_le16dec(w + 20) == 1);		/* PCM */
	CU_ASSERT(oi_le16dec(w + 22) == 2);		/* stereo */
	CU_ASSERT(oi_le32dec(w + 24) == 44100);
	CU_ASSERT(oi_le32dec(w + 28) == 176400);
	CU_ASSERT(oi_le16dec(w + 32) == 4);
	CU_ASSERT(oi_le16dec(w + 34) == 16);
	CU_ASSERT(memcmp(w + 36, "data", 4) == 0);
	CU_ASSERT(oi_le32dec(w + 40) == n);
	/* The track's bin bytes: INDEX 00 on, as the split bin has them. */
	CU_ASSERT(memcmp(w + 44, audio, n) == 0);
	free(w);
	fx_close(&fx);
}

/* Odd ranges of the CloneCD .img, across the track boundary. */
static void
test_ranges_across_tracks(void)
{
	struct fixture fx;
	struct optimg_view_node *n;
	struct optimg_error err;
	size_t total = (size_t)(DATA_N + AUDIO_N) * 2352, got;
	uint8_t *raw = malloc(total), *buf = malloc(total);
	static const uint64_t offs[] = { 0, 1, 2351, 2352, 39 * 2352 + 100,
	    40 * 2352 - 1, 40 * 2352, 69 * 2352 + 2000 };
	static const size_t lens[] = { 1, 17, 2352, 2353, 5000, 9 * 2352 + 3 };
	int32_t lba;

	fx_open(&fx, 0);
	CU_ASSERT_FATAL(optimg_image_read(fx.img, 0, DATA_N + AUDIO_N, 2352,
	    raw) == 0);
	CU_ASSERT_FATAL(optimg_view_lookup(fx.view, "image.img", &n, &err) ==
	    0);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(offs); i++)
		for (unsigned j = 0; j < OI_ARRAY_SIZE(lens); j++) {
			size_t want = (size_t)OI_MIN((uint64_t)lens[j],
			    total - offs[i]);

			CU_ASSERT(optimg_view_read(fx.view, n, offs[i], buf,
			    lens[j], &got, &lba, &err) == 0);
			CU_ASSERT(got == want);
			CU_ASSERT(memcmp(buf, raw + offs[i], want) == 0);
		}
	CU_ASSERT(optimg_view_read(fx.view, n, total, buf, 10, &got, &lba,
	    &err) == 0 && got == 0);
	optimg_view_node_free(n);
	free(raw);
	free(buf);
	fx_close(&fx);
}

struct reader {
	struct optimg_view	*view;
	const uint8_t		*want;
	unsigned		 seed;
	unsigned		 bad;
};

static void *
reader_main(void *arg)
{
	struct reader *r = arg;
	struct optimg_view_node *n;
	struct optimg_error err;
	uint8_t *buf = malloc(8 * 2352);
	size_t total = (size_t)(DATA_N + AUDIO_N) * 2352, got;
	int32_t lba;

	if (optimg_view_lookup(r->view, "image.img", &n, &err) < 0) {
		r->bad++;
		free(buf);
		return NULL;
	}
	for (unsigned k = 0; k < 300; k++) {
		uint64_t off = rand_r(&r->seed) % total;
		size_t len = 1 + rand_r(&r->seed) % (8 * 2352);

		if (optimg_view_read(r->view, n, off, buf, len, &got, &lba,
		    &err) < 0 || got != OI_MIN(len, total - off) ||
		    memcmp(buf, r->want + off, got) != 0)
			r->bad++;
	}
	optimg_view_node_free(n);
	free(buf);
	return NULL;
}

/* Eight threads at once over four handles: every byte right. */
static void
test_parallel_readers(void)
{
	struct fixture fx;
	struct reader r[8];
	pthread_t t[8];
	uint8_t *raw = malloc((size_t)(DATA_N + AUDIO_N) * 2352);

	fx_open(&fx, 4);
	CU_ASSERT_FATAL(optimg_image_read(fx.img, 0, DATA_N + AUDIO_N, 2352,
	    raw) == 0);
	for (unsigned i = 0; i < 8; i++) {
		r[i] = (struct reader){ fx.view, raw, i + 1, 0 };
		CU_ASSERT_FATAL(pthread_create(&t[i], NULL, reader_main,
		    &r[i]) == 0);
	}
	for (unsigned i = 0; i < 8; i++) {
		pthread_join(t[i], NULL);
		CU_ASSERT(r[i].bad == 0);
	}
	free(raw);
	fx_close(&fx);
}

/* A bin cut short after the view was made: the bytes before the first
 * missing sector come back, and that sector is named. */
static void
test_error_names_sector(void)
{
	struct fixture fx;
	struct optimg_view_node *n;
	struct optimg_error err;
	uint8_t *buf = malloc(10 * 2048);
	size_t got;
	int32_t lba;

	fx_open(&fx, 1);
	CU_ASSERT_FATAL(truncate(tmp_path("data.bin"), 25 * 2352) == 0);
	CU_ASSERT_FATAL(optimg_view_lookup(fx.view, "image.iso", &n, &err) ==
	    0);
	CU_ASSERT(optimg_view_read(fx.view, n, 20 * 2048 + 5, buf, 10 * 2048,
	    &got, &lba, &err) < 0);
	CU_ASSERT(lba == 25);
	CU_ASSERT(got == 5 * 2048 - 5);
	CU_ASSERT(memcmp(buf, user + 20 * 2048 + 5, got) == 0);
	CU_ASSERT(err.message[0] != '\0');
	/* Before the cut all is well. */
	CU_ASSERT(optimg_view_read(fx.view, n, 0, buf, 10 * 2048, &got, &lba,
	    &err) == 0 && got == 10 * 2048);
	optimg_view_node_free(n);
	free(buf);
	fx_close(&fx);
	/* Put the bin back for suites run after this one. */
	suite_cleanup();
	user = NULL;
	audio = NULL;
	CU_ASSERT(suite_init() == 0);
}

static CU_TestInfo view_tests[] = {
	{ "listing and sizes", test_listing_and_sizes },
	{ "image.iso is the user data", test_iso_bytes },
	{ "cue and bins as convert --split", test_cue_like_convert },
	{ "WAV header and PCM", test_wav },
	{ "ranges across tracks", test_ranges_across_tracks },
	{ "8 parallel readers", test_parallel_readers },
	{ "a read error names its sector", test_error_names_sector },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "mount view", .pInitFunc = suite_init,
	  .pCleanupFunc = suite_cleanup, .pTests = view_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
