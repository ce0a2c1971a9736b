/*
 * fuzz_gdi.c - fuzz target for the .gdi reader (fmt_gdi.c).
 *
 * Any input is parsed as a .gdi.  When it parses, it is laid out with
 * track files of sizes the input picks (some fill the space to the next
 * track, some fall short and leave padding, the last is short), and the
 * oracle checks what the layout promises: every track starts where the
 * .gdi says, and each track's stored sectors and unstored padding add up
 * to the distance to the next track.  A broken promise aborts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "oi_private.h"

static void
check(const struct oi_gdi *g, const struct optimg_image *img)
{
	const struct optimg_disc *d = &img->disc;

	if (d->ntracks != g->ntracks)
		abort();
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		if (t->start != g->tracks[i].lba || t->number != i + 1)
			abort();
		if (i + 1 < d->ntracks &&
		    t->start + (int64_t)t->length != g->tracks[i + 1].lba)
			abort();
		if (t->postgap_unstored > t->length)
			abort();
	}
}

static void
lay(const struct oi_gdi *g, const uint8_t *data, size_t size)
{
	struct optimg_image img;
	unsigned streams[99];
	uint64_t sizes[99];

	memset(&img, 0, sizeof(img));
	img.streams = oi_calloc(g->ntracks, sizeof(*img.streams));
	if (img.streams == NULL)
		return;
	img.nstreams = g->ntracks;
	for (unsigned i = 0; i < g->ntracks; i++) {
		const struct oi_gdi_track *t = &g->tracks[i];
		uint64_t span = i + 1 < g->ntracks ?
		    (uint64_t)(g->tracks[i + 1].lba - t->lba) : 4;
		uint8_t pick = data[(i * 7) % size];

		img.streams[i].fd = -1;
		streams[i] = i;
		if (pick % 3 == 1)
			span -= span / 2;	/* short: padding follows */
		sizes[i] = span * t->size + (pick % 5 == 0 ? pick : 0);
	}
	if (oi_gdi_layout(&img, "fuzz.gdi", g, streams, sizes) == 0)
		check(g, &img);
	free(img.streams);
	free(img.frags);
	oi_disc_release(&img.disc);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_error err = { 0 };
	struct oi_gdi *g;

	if (oi_gdi_parse((const char *)data, size, &g, &err) == 0) {
		lay(g, data, size);
		oi_gdi_free(g);
	}
	return 0;
}
