/*
 * fuzz_cdi.c - fuzz target for the DiscJuggler reader (fmt_cdi.c).
 *
 * The input is a whole .cdi file: its trailer is probed, the image opened
 * from a memory file and sectors of every fragment read in each size, so
 * that a layout the parser accepts is also one the sector source can
 * serve.  A parser error is fine; a crash, a leak, a hang or an
 * out-of-bounds read is not.  Seeds: mkfixture image cdi-* (replay.sh).
 */
#include "config.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_read.h"
#include "oi_private.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_image *img;
	char path[64];
	int fd;

	(void)oi_cdi_probe_tail(data, size, size);
	fd = memfd_create("fuzz_cdi", 0);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	img = optimg_image_new();
	img->format = &oi_format_cdi;
	if (oi_format_cdi.open(img, path) == 0)
		fuzz_read_fragments(img);
	optimg_image_free(img);
	close(fd);
	return 0;
}
