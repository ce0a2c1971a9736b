/*
 * progress.c - one progress line on a TTY: percent, rate, ETA.  Nothing is
 * drawn into a pipe or with --json, so scripts get clean output.  Every
 * command words its progress through cli_progress_line(); the library
 * only reports counts.
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

bool
cli_progress_wanted(void)
{
	return !cli_quiet && !cli_json_output && isatty(STDERR_FILENO);
}

void
cli_progress_line(const char *label, double pct, double rate, double eta,
    const char *extra)
{
	char r[32] = "", e[32];
	unsigned s = eta > 0 && eta < 360000 ? (unsigned)eta : 0;
	int bar = pct < 0 ? 0 : pct > 100 ? 20 : (int)(pct / 5);

	if (rate >= 0)
		snprintf(r, sizeof(r), " %7.1f MB/s", rate / 1e6);
	if (s >= 3600)
		snprintf(e, sizeof(e), "%u:%02u:%02u", s / 3600, s / 60 % 60,
		    s % 60);
	else
		snprintf(e, sizeof(e), "%02u:%02u", s / 60, s % 60);
	fprintf(stderr, "\r\033[K%s [%-20.*s] %5.1f%%%s ETA %s%s", label, bar,
	    "====================", pct, r, e, extra != NULL ? extra : "");
}

void
cli_progress_init(struct cli_progress *p, const char *label)
{
	p->label = label;
	p->enabled = cli_progress_wanted();
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

	cli_progress_line(p->label, pct, rate, eta, NULL);
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
