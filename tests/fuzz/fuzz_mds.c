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

static char dir[64];

/* The scratch directory goes when the process ends (replay or libFuzzer). */
static void
remove_scratch(void)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/fuzz.mdf", dir);
	unlink(path);
	rmdir(dir);
}

static const char *
scratch(void)
{
	char path[128];
	uint8_t block[4096];
	FILE *f;

	if (dir[0] != '\0')
		return dir;
	snprintf(dir, sizeof(dir), "%s", "/tmp/fuzz_mds.XXXXXX");
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(remove_scratch);
	snprintf(path, sizeof(path), "%s/fuzz.mdf", dir);
	if ((f = fopen(path, "wb")) == NULL)
		abort();
	for (unsigned i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 7 + 3);
	for (unsigned i = 0; i < 16; i++)
		fwrite(block, 1, sizeof(block), f);
	fclose(f);
	return dir;
}

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
	snprintf(name, sizeof(name), "%s/fuzz.mds", scratch());
	img = optimg_image_new();
	img->format = &oi_format_mds;
	if (oi_mds_parse(img, name, copy, size) == 0)
		fuzz_read_fragments(img);
	optimg_image_free(img);
	free(copy);
	return 0;
}
