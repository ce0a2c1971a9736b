/*
 * fuzz_sysarea.c - fuzz target for the boot and partition decoders: the
 * El Torito boot catalog (fs_eltorito.c) and the MBR, GPT and Apple
 * partition map of the system area (fs_sysarea.c), on the raw input.
 * The decoders take (buf, len), so no file system is needed around them.
 *
 * seeds: fs
 */
#include "config.h"

#include "fs_private.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_boot_catalog *cat;
	struct optimg_sysarea *sa;
	struct optimg_error err;

	if (oi_sysarea_parse(data, size, &sa, &err) == 0)
		oi_sysarea_free(sa);
	/* The catalog where an image keeps it, and at the input's start. */
	if (size > 2048 && oi_eltorito_parse(data + 2048, size - 2048, 1,
	    &cat, &err) == 0)
		oi_boot_catalog_free(cat);
	if (oi_eltorito_parse(data, size, 0, &cat, &err) == 0)
		oi_boot_catalog_free(cat);
	(void)oi_eltorito_has_info_table(data, size, 16, 0);
	return 0;
}
