/*
 * cli_burn.c - one progress line for burning, blanking and formatting:
 * phase, percent, speed in x of the media, the drive's buffer fill, our
 * fifo's fill and the time left.  Drawn only on a TTY, never with -q.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_burn.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cli_burn_progress_init(struct cli_burn_progress *p)
{
	p->enabled = cli_progress_wanted();
	p->phase = NULL;
	p->phase_start = now();
	p->last_draw = 0;
	p->drawn = false;
}

static void
draw(struct cli_burn_progress *p, const struct optimg_burn_progress *bp,
    double t)
{
	double elapsed = t - p->phase_start;
	double rate = elapsed > 0 ? (double)bp->done / elapsed : 0;
	double pct = bp->total > 0 ? 100.0 * (double)bp->done /
	    (double)bp->total : 0;
	double eta = rate > 0 && bp->total > bp->done ?
	    (double)(bp->total - bp->done) / rate : 0;
	char extra[96] = "";
	size_t n = 0;

	/* Blanking and formatting count 0..65536, not bytes: no rate. */
	if (bp->ntracks == 0)
		rate = -1;
	if (bp->ntracks > 1)
		n += (size_t)snprintf(extra + n, sizeof(extra) - n,
		    " track %u/%u", bp->track, bp->ntracks);
	if (bp->one_x > 0 && bp->ntracks > 0 && n < sizeof(extra))
		n += (size_t)snprintf(extra + n, sizeof(extra) - n, " %.1fx",
		    rate / bp->one_x);
	if (bp->buffer_fill >= 0 && n < sizeof(extra))
		n += (size_t)snprintf(extra + n, sizeof(extra) - n,
		    " buffer %d%%", bp->buffer_fill);
	if (bp->fifo_fill >= 0 && n < sizeof(extra))
		snprintf(extra + n, sizeof(extra) - n, " fifo %d%%",
		    bp->fifo_fill);
	cli_progress_line(bp->phase, pct, rate, eta, extra);
	p->last_draw = t;
	p->drawn = true;
}

int
cli_burn_progress_cb(void *ctx, const struct optimg_burn_progress *bp)
{
	struct cli_burn_progress *p = ctx;
	double t = now();

	if (cli_interrupted)
		return 1;
	if (p->phase == NULL || strcmp(bp->phase, p->phase) != 0) {
		p->phase = bp->phase;
		p->phase_start = t;
	}
	if (p->enabled && t - p->last_draw >= 0.25)
		draw(p, bp, t);
	return 0;
}

void
cli_burn_progress_done(struct cli_burn_progress *p)
{
	if (p->enabled && p->drawn)
		fprintf(stderr, "\r\033[K");
}
