/*
 * fuzz_dat.c - fuzz target for the Redump/Logiqx DAT reader (dat.c on
 * expat): any input is parsed; a DAT that parses is walked.  Errors are
 * fine; crashes, leaks, hangs and quadratic blow-ups are not.
 */
#include "config.h"

#include <string.h>

#include "rip.h"
#include "fuzz.h"

static unsigned polls;

static int
never(void *ctx)
{
	(void)ctx;
	polls++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct optimg_error err;
	struct oi_dat *dat;
	size_t names = 0;

	if (oi_dat_parse((const char *)data, size, &dat, never, NULL,
	    &err) < 0)
		return 0;
	for (unsigned g = 0; g < dat->ngames; g++)
		for (unsigned r = 0; r < dat->games[g].nroms; r++)
			names += strlen(dat->games[g].roms[r].name);
	(void)names;
	oi_dat_free(dat);
	return 0;
}
