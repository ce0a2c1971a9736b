/*
 * fuzz_read.h - what the image reader fuzz targets do with an image that
 * opened: read the first and last sectors of every fragment, and a few
 * between, in each size the sector source serves, and the volume id of
 * every track.  Reads are bounded so that a layout of 2^31 sectors does
 * not make a slow input.
 */
#ifndef FUZZ_READ_H
#define FUZZ_READ_H

#include "oi_private.h"

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

#endif
