/*
 * fuzz_cso.c - libFuzzer target for the CSO v1/v2 and ZSO reader: header,
 * index, deflate and LZ4 blocks, through the image layer.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cso.h"
#include "fuzz.h"
#include "fuzz_read.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_image *img;
	char path[64];
	int fd;

	struct oi_probe pr = { .head = data, .head_len = size, .tail = data,
	    .tail_len = size, .size = size, .path = "fuzz" };

	if (oi_format_cso.probe(&pr) == 0)
		return 0;
	fd = memfd_create("fuzz_cso", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	img = optimg_image_new();
	if (img != NULL) {
		img->format = &oi_format_cso;
		if (oi_format_cso.open(img, path) == 0)
			fuzz_read_fragments(img);
		optimg_image_free(img);
	}
	close(fd);
	return 0;
}
