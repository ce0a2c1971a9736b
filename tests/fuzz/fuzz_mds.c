/*
 * fuzz_mds.c - fuzz target for the Alcohol 120% reader (fmt_mds.c).
 *
 * The input is a .mds descriptor, parsed as if it lay in a scratch
 * directory beside fuzz.mdf (64 KiB of pattern), so that "*.mdf" names
 * resolve and tracks can be read.  Slashes and backslashes in the input
 * are made underscores first, so that no file name in it reaches outside
 * that directory (or a FIFO that would block).  A parser error is fine; a
 * crash, leak or hang is not.  Seeds: mkfixture image mds-* (replay.sh).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_read.h"
#include "oi_private.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_image *img;
	uint8_t *copy = malloc(size ? size : 1);
	char name[128];

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	for (size_t i = 0; i < size; i++)
		if (copy[i] == '/' || copy[i] == '\\')
			copy[i] = '_';
	snprintf(name, sizeof(name), "%s/fuzz.mds",
	    fuzz_scratch_dir("mds", "fuzz.mdf", NULL));
	img = optimg_image_new();
	img->format = &oi_format_mds;
	if (oi_mds_parse(img, name, copy, size) == 0)
		fuzz_read_fragments(img);
	optimg_image_free(img);
	free(copy);
	return 0;
}
