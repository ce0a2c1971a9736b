/*
 * progress.c - one progress line on a TTY: percent, rate, ETA.  Nothing is
 * drawn into a pipe, so scripts get clean output.
 */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
cli_progress_init(struct cli_progress *p, const char *label)
{
	p->label = label;
	p->enabled = !cli_quiet && isatty(STDERR_FILENO);
	p->started = now();
	p->last_draw = 0;
}

static void
draw(struct cli_progress *p, uint64_t done, uint64_t total)
{
	double t = now(), elapsed = t - p->started;
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	double pct = total > 0 ? 100.0 * (double)done / (double)total : 0;
	double eta = rate > 0 && total > done ?
	    (double)(total - done) / rate : 0;
	int bar = (int)(pct / 5);

	fprintf(stderr, "\r%s [%-20.*s] %5.1f%% %7.1f MB/s ETA %02d:%02d ",
	    p->label, bar, "====================", pct, rate / 1e6,
	    (int)eta / 60, (int)eta % 60);
	p->last_draw = t;
}

int
cli_progress_cb(void *ctx, uint64_t done, uint64_t total)
{
	struct cli_progress *p = ctx;

	if (cli_interrupted)
		return 1;
	if (p->enabled && now() - p->last_draw >= 0.2)
		draw(p, done, total);
	return 0;
}

void
cli_progress_done(struct cli_progress *p)
{
	if (p->enabled)
		fprintf(stderr, "\r\033[K");
}
