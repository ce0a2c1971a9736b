/*
 * fuzz_toc.c - fuzz target for the cdrdao TOC reader (toc_parse.c,
 * fmt_toc.c).
 *
 * The input is a .toc written into a scratch directory beside fuzz.bin
 * (64 KiB of pattern), so that "fuzz.bin" names resolve and tracks can be
 * read.  Slashes and backslashes inside quoted strings are made
 * underscores first (// comments stay), so that no file name reaches
 * outside that directory or a FIFO that would block.  The parser alone
 * also runs on the bytes as they are.  A parser error is fine; a crash,
 * leak or hang is not.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "fuzz_read.h"
#include "oi_private.h"
#include "toc.h"

/* What a parsed TOC promises: tracks with data, sane numbers. */
static void
check(const struct oi_toc *toc)
{
	if (toc->ntracks == 0 || toc->first_track + toc->ntracks > 100)
		abort();
	for (unsigned i = 0; i < toc->ntracks; i++) {
		const struct oi_toc_track *t = &toc->tracks[i];
		if (t->nparts == 0 || t->nindex > 98)
			abort();
		for (unsigned k = 0; k < t->nparts; k++)
			if ((t->parts[k].kind <= OI_TOC_DATAFILE) !=
			    (t->parts[k].name != NULL))
				abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_error err = { 0 };
	struct optimg_image *img;
	struct oi_toc *toc;
	uint8_t *copy = malloc(size ? size : 1);
	char name[128];
	bool quoted = false;
	FILE *f;

	if (copy == NULL)
		return 0;
	if (oi_toc_parse((const char *)data, size, &toc, &err) == 0) {
		check(toc);
		oi_toc_free(toc);
	}
	memcpy(copy, data, size);
	for (size_t i = 0; i < size; i++) {
		if (copy[i] == '"')
			quoted = !quoted;
		else if (copy[i] == '\n')
			quoted = false;
		else if (quoted && (copy[i] == '/' || copy[i] == '\\'))
			copy[i] = '_';
	}
	snprintf(name, sizeof(name), "%s/fuzz.toc",
	    fuzz_scratch_dir("toc", "fuzz.bin", "fuzz.toc"));
	if ((f = fopen(name, "wb")) == NULL)
		abort();
	fwrite(copy, 1, size, f);
	fclose(f);
	free(copy);
	img = optimg_image_new();
	img->format = &oi_format_toc;
	if (oi_format_toc.open(img, name) == 0)
		fuzz_read_fragments(img);
	optimg_image_free(img);
	return 0;
}
