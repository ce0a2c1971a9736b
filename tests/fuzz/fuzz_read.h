/*
 * fuzz_read.h - what the image reader fuzz targets do with an image that
 * opened: read the first and last sectors of every fragment, and a few
 * between, in each size the sector source serves, and the volume id of
 * every track.  Reads are bounded so that a layout of 2^31 sectors does
 * not make a slow input.
 */
#ifndef FUZZ_READ_H
#define FUZZ_READ_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "oi_private.h"
#include "unpack.h"

#define FUZZ_READ_STEPS	8

static inline void
fuzz_read_fragments(struct optimg_image *img)
{
	static const unsigned sizes[] = { 2048, 2336, 2352, 2448 };
	static uint8_t buf[4 * 2448];
	char volid[33];

	for (unsigned i = 0; i < img->nfrags; i++) {
		int64_t lba = img->frags[i].lba, n = img->frags[i].count;
		int64_t step = n / FUZZ_READ_STEPS + 1;

		for (int64_t k = -1; k <= n; k += step)
			for (unsigned s = 0; s < 4; s++)
				(void)optimg_image_read(img,
				    (int32_t)(lba + k), 4, sizes[s], buf);
		for (unsigned s = 0; s < 4; s++)
			(void)optimg_image_read(img, (int32_t)(lba + n - 2), 4,
			    sizes[s], buf);
	}
	for (unsigned t = 0; t <= img->disc.ntracks; t++)
		(void)optimg_image_volume_id(img, t, volid);
}

/*
 * The input as a file the readers can open by name: a memfd, named through
 * /proc in path.  Returns the descriptor to close afterwards, or -1.
 */
static inline int
fuzz_memfile(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("fuzz", 0);

	oi_unpack_max_bytes = 64u << 20;	/* a packed input: no bombs */
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

/* Opens path as format f and, when it opens, reads what it lays out. */
static inline void
fuzz_open_and_read(const struct oi_format *f, const char *path)
{
	struct optimg_image *img = optimg_image_new();

	if (img == NULL)
		return;
	img->format = f;
	if (f->open(img, path) == 0)
		fuzz_read_fragments(img);
	optimg_image_free(img);
}

/*
 * A scratch directory /tmp/fuzz_TARGET.XXXXXX, made once, holding data (a
 * file of 64 KiB of pattern that a sheet in the input may name), so that
 * readers find their files and read tracks.  It goes, with data and the
 * sheet file (the input as written there, when the target writes one),
 * when the process ends (replay or libFuzzer).
 */
struct fuzz_scratch {
	char		 dir[64];
	const char	*files[2];
};

static inline struct fuzz_scratch *
fuzz_scratch_state(void)
{
	static struct fuzz_scratch s;

	return &s;
}

static inline void
fuzz_scratch_remove(void)
{
	struct fuzz_scratch *s = fuzz_scratch_state();
	char path[128];

	for (unsigned i = 0; i < 2; i++)
		if (s->files[i] != NULL) {
			snprintf(path, sizeof(path), "%s/%s", s->dir,
			    s->files[i]);
			unlink(path);
		}
	rmdir(s->dir);
}

static inline const char *
fuzz_scratch_dir(const char *target, const char *data, const char *sheet)
{
	struct fuzz_scratch *s = fuzz_scratch_state();
	char path[128];
	uint8_t block[4096];
	FILE *f;

	if (s->dir[0] != '\0')
		return s->dir;
	snprintf(s->dir, sizeof(s->dir), "/tmp/fuzz_%s.XXXXXX", target);
	if (mkdtemp(s->dir) == NULL)
		abort();
	s->files[0] = data;
	s->files[1] = sheet;
	atexit(fuzz_scratch_remove);
	snprintf(path, sizeof(path), "%s/%s", s->dir, data);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	for (unsigned i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 7 + 3);
	for (unsigned i = 0; i < 16; i++)
		fwrite(block, 1, sizeof(block), f);
	fclose(f);
	return s->dir;
}

#endif
