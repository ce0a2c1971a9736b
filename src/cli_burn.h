/*
 * cli_burn.h - what the burning commands (burn, drives, blank, format)
 * share: a progress line with speed in x, the drive's buffer and an ETA.
 */
#ifndef CLI_BURN_H
#define CLI_BURN_H

#include "cli.h"

struct cli_burn_progress {
	bool		 enabled;
	const char	*phase;		/* the phase being timed */
	double		 phase_start;
	double		 last_draw;
	bool		 drawn;
};

void cli_burn_progress_init(struct cli_burn_progress *p);
int cli_burn_progress_cb(void *ctx, const struct optimg_burn_progress *bp);
void cli_burn_progress_done(struct cli_burn_progress *p);

#endif
