/*
 * fuzz_fulltoc.c - fuzz target for the full-TOC reader (full_toc.c): any
 * bytes a drive may answer READ TOC format 2 with.  What it returns must
 * keep its promises: sessions 1-99, lead-outs inside 00:00:00-99:59:74, the
 * highest session one that was seen.  A broken promise aborts.
 */
#include "config.h"

#include <stdlib.h>

#include "rip.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct oi_toc_sessions ts;
	bool any = oi_parse_full_toc(data, size, &ts);
	unsigned top = 0;

	if (any != (ts.last > 0) || ts.last > 99)
		abort();
	for (unsigned t = 0; t < 100; t++) {
		if (ts.session[t] > 99 || (t == 0 && ts.session[t] != 0))
			abort();
		top = OI_MAX(top, ts.session[t]);
	}
	for (unsigned s = 0; s < 100; s++) {
		if (ts.leadout[s] < -OPTIMG_MSF_OFFSET ||
		    ts.leadout[s] > (99 * 60 + 59) * 75 + 74 -
		    OPTIMG_MSF_OFFSET)
			abort();
		if (ts.leadout[s] != 0)
			top = OI_MAX(top, s);
	}
	if (top > ts.last)
		abort();
	return 0;
}
