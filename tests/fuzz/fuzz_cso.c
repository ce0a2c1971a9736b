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
	char path[64];
	int fd;

	struct oi_probe pr = { .head = data, .head_len = size, .tail = data,
	    .tail_len = size, .size = size, .path = "fuzz" };

	if (oi_format_cso.probe(&pr) == 0)
		return 0;
	if ((fd = fuzz_memfile(data, size, path)) < 0)
		return 0;
	fuzz_open_and_read(&oi_format_cso, path);
	close(fd);
	return 0;
}
