/*
 * fx_dir.h - what the image reader suites share around CUnit: a scratch
 * directory per suite, writing a built image there, opening it with one
 * format, and comparing a sector read back with the fixture's.
 */
#ifndef TEST_FX_DIR_H
#define TEST_FX_DIR_H

#include <CUnit/CUnit.h>

#include "bytes.h"

/* ---- a scratch directory for the suite ------------------------------- */

static char fx_dir[256];

static int
fx_mkdir(void)
{
	snprintf(fx_dir, sizeof(fx_dir), "%s/optimg-fx.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(fx_dir) == NULL;
}

static int
fx_rmdir(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx_dir);
	return system(cmd) != 0;
}

static inline const char *
fx_path(const char *name)
{
	static char path[4][512];
	static unsigned which;

	which = (which + 1) % 4;
	snprintf(path[which], sizeof(path[which]), "%s/%s", fx_dir, name);
	return path[which];
}

static inline void
fx_write(const char *name, const void *data, size_t len)
{
	FILE *f = fopen(fx_path(name), "wb");

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_FATAL(len == 0 || fwrite(data, 1, len, f) == len);
	fclose(f);
}

/* Opens path with format fmt (the table is not asked); NULL on failure,
 * with the message in msg. */
static inline struct optimg_image *
fx_open(const struct oi_format *fmt, const char *path, char *msg, size_t n)
{
	struct optimg_image *img = optimg_image_new();

	CU_ASSERT_FATAL(img != NULL);
	img->format = fmt;
	if (fmt->open(img, path) < 0) {
		snprintf(msg, n, "%s", optimg_image_errmsg(img));
		optimg_image_free(img);
		return NULL;
	}
	return img;
}

/* Expects sector lba of img, read raw, to equal fixture sector lba. */
static inline bool
fx_sector_is(struct optimg_image *img, int32_t lba, enum optimg_track_mode m)
{
	struct bytes want = { 0 };
	uint8_t got[2352];
	bool same;

	b_sectors(&want, lba, 1, 2352, m);
	same = optimg_image_read(img, lba, 1, 2352, got) == 0 &&
	    memcmp(got, want.p, 2352) == 0;
	b_free(&want);
	return same;
}

#endif
