/*
 * fuzz_probe.c - libFuzzer target for format detection and the image
 * layer: every format's probe sees the bytes; the image formats that need
 * no other file (ISO, raw bin) are opened on them and every sector is read
 * in each size.  Cue sheets are left to fuzz_cue.c: opening one here would
 * follow FILE names into the file system.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "oi_private.h"
#include "unpack.h"

static void
read_everything(struct optimg_image *img)
{
	static const unsigned sizes[] = { 2048, 2336, 2352, 2448 };
	static uint8_t buf[16 * 2448];
	int32_t end = oi_image_end_lba(img);
	char volid[33];

	for (unsigned s = 0; s < OI_ARRAY_SIZE(sizes); s++)
		for (int32_t lba = -2; lba < end + 2; lba += 16)
			(void)optimg_image_read(img, lba, 16, sizes[s], buf);
	for (unsigned t = 0; t <= img->disc.ntracks; t++)
		(void)optimg_image_volume_id(img, t, volid);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct oi_format *fmts[] = { &oi_format_iso, &oi_format_rawbin };
	char path[64];
	int fd;

	struct oi_probe pr = { data, size, data, size, size, "fuzz" };

	(void)oi_format_detect(&pr);
	oi_unpack_max_bytes = 64u << 20;	/* a packed input: no bombs */
	fd = memfd_create("fuzz_probe", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(fmts); i++) {
		struct optimg_image *img;

		if (fmts[i]->probe(&pr) == 0)
			continue;
		img = optimg_image_new();
		img->format = fmts[i];
		if (fmts[i]->open(img, path) == 0)
			read_everything(img);
		optimg_image_free(img);
	}
	close(fd);
	return 0;
}
