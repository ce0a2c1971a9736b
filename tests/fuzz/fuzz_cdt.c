/*
 * fuzz_cdt.c - fuzz target for CD-TEXT packs (cdtext_packs.c) as a cue's
 * CDTEXTFILE, an NRG's CDTX chunk and a CloneCD [CDText] hand them over:
 * the file layout is recognised, then the packs are decoded into a disc
 * of 99 tracks twice, once replacing and once filling.  Every text that
 * comes out must be a NUL-ended string the disc owns; ASan and UBSan
 * catch the rest.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"
#include "fuzz.h"

static void
touch(const struct optimg_cdtext *ct)
{
	for (unsigned f = 0; f < OPTIMG_CDTEXT_NFIELDS; f++)
		if (ct->field[f] != NULL && strlen(ct->field[f]) > 4 * 18 * 2048)
			abort();	/* longer than any block can hold */
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_disc d;
	struct optimg_error err;
	size_t off, len;

	if (size > 64 * 1024 ||
	    oi_cdtext_file_packs(data, size, &off, &len, &err) < 0)
		return 0;
	memset(&d, 0, sizeof(d));
	if ((d.tracks = calloc(99, sizeof(*d.tracks))) == NULL)
		return 0;
	d.ntracks = 99;
	for (unsigned i = 0; i < 99; i++)
		d.tracks[i].number = i + 1;
	if (oi_cdtext_from_packs(&d, data + off, len, &err) == 0)
		(void)oi_cdtext_fill_from_packs(&d, data + off, len, &err);
	touch(&d.cdtext);
	for (unsigned i = 0; i < 99; i++)
		touch(&d.tracks[i].cdtext);
	oi_disc_release(&d);
	return 0;
}
