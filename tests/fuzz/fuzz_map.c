/*
 * fuzz_map.c - fuzz target for the rescue map (rescue_map.c): any input
 * is parsed; a map that parses is written back, and what the writer
 * makes must parse again to the same map and the same text (a resumed
 * rip reads what the last one wrote).  A broken promise aborts.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rip.h"
#include "fuzz.h"

static void
broken(const char *what, const char *text, size_t len, const char *msg)
{
	fprintf(stderr, "fuzz_map: %s%s%s\n--- written map ---\n%.*s---\n",
	    what, msg != NULL ? ": " : "", msg != NULL ? msg : "",
	    (int)len, text);
	abort();
}

static bool
same_map(const struct oi_rescue_map *a, const struct oi_rescue_map *b)
{
	if (a->first != b->first || a->end != b->end || a->n != b->n ||
	    a->offset != b->offset || a->unit != b->unit ||
	    strcmp(a->disc, b->disc) != 0 || strcmp(a->output, b->output) != 0)
		return false;
	for (unsigned i = 0; i < a->n; i++) {
		const struct oi_map_extent *x = &a->ext[i], *y = &b->ext[i];
		if (x->start != y->start || x->count != y->count ||
		    x->status != y->status)
			return false;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oi_rescue_map m, again;
	struct optimg_error err;
	char *text = NULL, *text2 = NULL;
	size_t len = 0, len2 = 0;

	memset(&again, 0, sizeof(again));
	if (oi_map_parse((const char *)data, size, &m, &err) < 0)
		return 0;
	if (oi_map_format(&m, &text, &len) < 0)
		abort();
	if (oi_map_parse(text, len, &again, &err) < 0)
		broken("the written map does not parse", text, len,
		    err.message);
	if (!same_map(&m, &again))
		broken("the written map reads back differently", text, len,
		    NULL);
	if (oi_map_format(&again, &text2, &len2) < 0)
		abort();
	if (len != len2 || memcmp(text, text2, len) != 0)
		broken("writing the map again changes it", text, len, NULL);
	free(text);
	free(text2);
	oi_map_release(&m);
	oi_map_release(&again);
	return 0;
}
