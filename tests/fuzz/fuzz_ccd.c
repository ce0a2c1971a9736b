/*
 * fuzz_ccd.c - libFuzzer target for the CloneCD reader: the bytes are a
 * .ccd sheet, opened through the reader (parser and layout); its .img
 * and .sub are absent, so every sheet ends in an error or a layout
 * check, never in reads of other files.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_read.h"
#include "oi_private.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oi_probe pr = { data, size, data, size, size, "fuzz.ccd" };
	struct optimg_image *img;
	char path[64];
	int fd;

	(void)oi_format_ccd.probe(&pr);
	if ((fd = fuzz_memfile(data, size, path)) < 0)
		return 0;
	img = optimg_image_new();
	img->format = &oi_format_ccd;
	(void)oi_format_ccd.open(img, path);
	optimg_image_free(img);
	close(fd);
	return 0;
}
