/*
 * fuzz_udf.c - fuzz target for the UDF reader (fs_udf.c).  UDF's anchor
 * lies at sector 256, past any input libFuzzer makes, so the input is a
 * list of sectors, each a 2-byte little-endian sector number followed by
 * up to 2048 bytes, laid into a zeroed image of (highest + 1) sectors, at
 * most 4096.  tests/fuzz/udf_seed.py turns a real image into such a list.
 * The image is opened with the UDF name space and walked; every file is
 * read and small ones copied out into a memfd, as extract does.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fs_private.h"
#include "fuzz.h"

#define SECTOR		2048u
#define MAX_SECTORS	4096u

struct ctx {
	struct optimg_fs	*fs;
	uint8_t			 buf[65536];
	unsigned		 entries;
	int			 out;
};

static int
visit(void *arg, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit v)
{
	struct ctx *c = arg;
	size_t got;

	(void)path;
	if (v != OPTIMG_FS_ENTER)
		return 0;
	if (++c->entries > 20000)
		return OPTIMG_ECANCELED;
	if (st->type == OPTIMG_FS_REG)
		optimg_fs_read(c->fs, st, 0, c->buf, sizeof(c->buf), &got);
	if (st->type == OPTIMG_FS_REG && st->size <= (256u << 10) &&
	    c->out >= 0) {
		optimg_fs_copy_out(c->fs, st, c->out, NULL, NULL);
		if (ftruncate(c->out, 0) < 0)
			abort();
	}
	return 0;
}

/* Lays the sector list out; returns the image and its size, or NULL. */
static uint8_t *
layout(const uint8_t *data, size_t size, size_t *len)
{
	unsigned top = 0;
	uint8_t *img;
	size_t i;

	for (i = 0; i + 2 <= size; i += 2 + SECTOR) {
		unsigned s = (unsigned)(data[i] | data[i + 1] << 8) %
		    MAX_SECTORS;
		top = s + 1 > top ? s + 1 : top;
	}
	if (top == 0 || (img = calloc(top, SECTOR)) == NULL)
		return NULL;
	for (i = 0; i + 2 <= size; i += 2 + SECTOR) {
		unsigned s = (unsigned)(data[i] | data[i + 1] << 8) %
		    MAX_SECTORS;
		size_t n = size - i - 2 < SECTOR ? size - i - 2 : SECTOR;
		memcpy(img + (size_t)s * SECTOR, data + i + 2, n);
	}
	*len = (size_t)top * SECTOR;
	return img;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_fs_opts o = { OPTIMG_NS_UDF, 0 };
	struct optimg_fs_stat *st;
	struct optimg_error err;
	struct ctx *c;
	size_t len;
	uint8_t *img = layout(data, size, &len);

	if (img == NULL)
		return 0;
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		free(img);
		return 0;
	}
	c->out = memfd_create("fuzz_udf", MFD_CLOEXEC);
	if (oi_fs_open_mem(img, len, &o, &c->fs, &err) == 0) {
		optimg_fs_walk(c->fs, "/", visit, c);
		if (optimg_fs_lookup(c->fs, "/a/b", &st) == 0)
			optimg_fs_stat_free(st);
		optimg_fs_free(c->fs);
	}
	if (c->out >= 0)
		close(c->out);
	free(c);
	free(img);
	return 0;
}
