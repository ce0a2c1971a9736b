/*
 * fuzz_nrg.c - fuzz target for the Nero reader (fmt_nrg.c).
 *
 * The input is a whole .nrg file: its footer is probed, the image opened
 * from a memory file and sectors of every fragment read in each size, so
 * that a layout the parser accepts is also one the sector source can
 * serve.  A parser error is fine; a crash, a leak, a hang or an
 * out-of-bounds read is not.  Seeds: mkfixture image nrg-* (replay.sh).
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
	char path[64];
	int fd;

	(void)oi_nrg_probe_tail(data, size, size);
	if ((fd = fuzz_memfile(data, size, path)) < 0)
		return 0;
	fuzz_open_and_read(&oi_format_nrg, path);
	close(fd);
	return 0;
}
