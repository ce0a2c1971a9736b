/*
 * cmd_rip.c - `optimg rip [DEVICE] -o NAME.cue|NAME.iso|NAME.ccd`: dump a
 * disc.
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: optimg rip [options] [DEVICE|IMAGE] -o NAME.cue|NAME.iso|NAME.ccd\n"
    "\n"
    "Dumps a disc from DEVICE (default: the first optical drive), or from\n"
    "a .cue, .toc or .nrg image opened by libcdio as a stand-in drive (they\n"
    "have no subchannel), or a CloneCD .ccd opened by optimg as a stand-in\n"
    "drive with the subchannel of its .sub; 'sim:IMAGE' opens any image\n"
    "optimg reads that way (for tests: sessions, subchannel).  Every\n"
    "session is read; the lead-out and lead-in between sessions are in no\n"
    "file ('gap' in the map).\n"
    "\n"
    "  NAME.cue  Redump-style: one raw bin per track, 'NAME (Track N).bin',\n"
    "            and a cue sheet with catalog, ISRC, flags and CD-TEXT\n"
    "  NAME.iso  the 2048-byte user data of the (first) data track\n"
    "  NAME.ccd  CloneCD, with subchannel: NAME.img (every raw sector from\n"
    "            0 to the lead-out), NAME.sub (the 96 bytes of raw P-W the\n"
    "            drive returns with each) and NAME.ccd, whose pregaps and\n"
    "            INDEX 02-99 come from subchannel Q; one session; refused\n"
    "            when the drive gives no subchannel\n"
    "\n"
    "Sectors go into hidden '.NAME (Track N).bin.part' files and the rescue\n"
    "map NAME.map records which are good, bad or untried, with a CRC32 of\n"
    "each read extent.  Run the same command again, on this drive or\n"
    "another, to read only what is missing (and what no longer matches\n"
    "its CRC32); Ctrl-C stops after the current batch and keeps everything\n"
    "read.  A complete dump gets its final names and NAME.hash (size,\n"
    "CRC32, MD5, SHA-1 of each file).\n"
    "\n"
    "A data sector whose raw read fails its EDC/ECC check is read again\n"
    "cooked (2048 bytes).  An ISO takes the cooked user data; a BIN/CUE\n"
    "cannot, and such a rip fails unless --reconstruct rebuilds those\n"
    "sectors from user data, marked as reconstructed.  A sector that fails\n"
    "the same way on every read and has no cooked read is kept as read.\n"
    "\n"
    "Options:\n"
    "  -o, --output NAME     NAME.cue, NAME.iso or NAME.ccd\n"
    "  --offset SAMPLES      read offset correction for audio tracks, in\n"
    "                        samples (the drive's offset, e.g. +6 or -472)\n"
    "  --retries N           re-read a failing sector up to N times "
    "(default 3)\n"
    "  --speed X             read at X (1x = 75 sectors/s); default: the\n"
    "                        drive's own\n"
    "  --reconstruct         BIN/CUE from a drive with corrupt or no raw\n"
    "                        reads: rebuild Mode 1 sectors from user data\n"
    "                        (marked RECONSTRUCTED: not a raw dump)\n"
    "  -f, --force           start again: drop the map and partial files,\n"
    "                        replace existing outputs\n"
    "  -q, --quiet           no progress line and no summary\n"
    "      --json            print the summary as a JSON document\n"
    "  -v, --verbose         also count the reads sent to the drive\n"
    "  --inject-faults PLAN  for testing only: make reads fail, e.g.\n"
    "                        '100-109:fail,200:flaky2,300:hang'; also\n"
    "                        rawbad and noraw (a drive's broken raw reads)\n"
    "  -h, --help            show this help\n"
    "\n"
    "Exit status: 0 for a complete dump, 1 otherwise, 2 for a usage error.\n"
    "\n"
    "Examples:\n"
    "  optimg rip /dev/sr0 -o 'Game (Europe).cue'\n"
    "  optimg rip --offset 6 -o album.cue\n"
    "  optimg rip /dev/sr0 -o backup.iso\n"
    "  optimg rip /dev/sr0 -o 'Game (Europe).ccd'\n";

struct rip_args {
	struct optimg_rip_opts	 opts;
	const char		*device;
	const char		*output;
	bool			 verbose;
	bool			 json;
};

struct rip_progress {
	bool	 enabled;
	double	 started, last_draw;
	bool	 drawn;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
parse_int(const char *opt, const char *arg, long min, long max, long *out)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < min || v > max)
		return cli_usage_error("%s takes a number %ld..%ld, not '%s'",
		    opt, min, max, arg);
	*out = v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct rip_args *a)
{
	enum { OFFSET = 256, RETRIES, SPEED, FAULTS, RECONSTRUCT };
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "offset", required_argument, NULL, OFFSET },
		{ "retries", required_argument, NULL, RETRIES },
		{ "speed", required_argument, NULL, SPEED },
		{ "inject-faults", required_argument, NULL, FAULTS },
		{ "reconstruct", no_argument, NULL, RECONSTRUCT },
		{ "force", no_argument, NULL, 'f' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	long v;
	int c, rc;

	a->opts.retries = 3;
	while ((c = getopt_long(argc, argv, "o:fqvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			a->output = optarg;
			break;
		case OFFSET:
			if ((rc = parse_int("--offset", optarg, -58800, 58800,
			    &v)) != 0)
				return rc;
			a->opts.offset = (int)v;
			break;
		case RETRIES:
			if ((rc = parse_int("--retries", optarg, 0, 1000,
			    &v)) != 0)
				return rc;
			a->opts.retries = (unsigned)v;
			break;
		case SPEED:
			if ((rc = parse_int("--speed", optarg, 1, 255, &v)) != 0)
				return rc;
			a->opts.speed = (unsigned)v;
			break;
		case FAULTS:
			a->opts.fault_plan = optarg;
			break;
		case RECONSTRUCT:
			a->opts.reconstruct = true;
			break;
		case 'f':
			a->opts.force = true;
			break;
		case 'q':
			cli_quiet = true;
			break;
		case 'J':
			a->json = cli_json_output = true;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			return cli_bad_option(argv);
		}
	}
	if (argc - optind > 1)
		return cli_usage_error("give at most one DEVICE or IMAGE");
	if (a->output == NULL)
		return cli_usage_error("say where the dump goes: -o NAME.cue or "
		    "-o NAME.iso");
	a->device = optind < argc ? argv[optind] : NULL;
	return 0;
}

/* "rip [====   ]  3.7%   1.2 MB/s ETA 04:12 sector 12345 6.8x 2 bad 4 retries" */
static int
progress_cb(void *ctx, const struct optimg_rip_status *st)
{
	struct rip_progress *p = ctx;
	double t = now(), elapsed = t - p->started;
	double rate = elapsed > 0 ? st->done / elapsed : 0;	/* sectors/s */
	char extra[96];

	if (cli_interrupted)
		return 1;
	if (!p->enabled || t - p->last_draw < 0.2)
		return 0;
	snprintf(extra, sizeof(extra), " sector %ld %.1fx %lu bad %lu retries",
	    (long)st->lba, rate / OPTIMG_FRAMES_PER_SEC,
	    (unsigned long)st->bad, (unsigned long)st->retries);
	/* The rate in user data: 2048 bytes a sector, as the ISO holds. */
	cli_progress_line("rip", st->todo > 0 ? 100.0 * st->done / st->todo :
	    100.0, rate * 2048, rate > 0 ? (st->todo - st->done) / rate : 0,
	    extra);
	p->last_draw = t;
	p->drawn = true;
	return 0;
}

/* What this run found wrong with the drive's raw reads. */
static void
print_drive_faults(const struct optimg_rip_result *res)
{
	if (res->raw_corrupt > 0)
		printf("drive:    returns corrupt raw sectors (%lu failed their "
		    "EDC/ECC check, read fine cooked%s): ISO from cooked reads; "
		    "BIN/CUE not possible raw\n",
		    (unsigned long)res->raw_corrupt,
		    res->cooked_differ > 0 ? ", some with other user data" : "");
	if (res->raw_unreadable > 0)
		printf("drive:    cannot read raw sectors (%lu read cooked only): "
		    "ISO from cooked reads; BIN/CUE not possible raw\n",
		    (unsigned long)res->raw_unreadable);
}

static void
print_summary(const struct rip_args *a, const struct optimg_rip_result *res)
{
	printf("sectors:  %lu good, %lu bad (%lu extents), %lu untried, "
	    "of %lu\n", (unsigned long)res->good, (unsigned long)res->bad,
	    (unsigned long)res->bad_extents, (unsigned long)res->untried,
	    (unsigned long)res->sectors);
	printf("retries:  %lu (%lu sectors recovered)\n",
	    (unsigned long)res->retries, (unsigned long)res->recovered);
	if (res->kept > 0)
		printf("kept:     %lu sectors that fail their EDC/ECC check "
		    "the same way every time\n", (unsigned long)res->kept);
	if (res->cooked > 0)
		printf("cooked:   %lu sectors of user data from cooked reads\n",
		    (unsigned long)res->cooked);
	if (res->rebuilt > 0)
		printf("rebuilt:  %lu raw sectors rebuilt from user data "
		    "(RECONSTRUCTED, not a raw dump)\n",
		    (unsigned long)res->rebuilt);
	if (res->rawfail > 0)
		printf("rawfail:  %lu sectors not dumped raw: their raw read is "
		    "corrupt or refused, their user data reads cooked "
		    "(--reconstruct rebuilds them)\n",
		    (unsigned long)res->rawfail);
	if (res->reread > 0)
		printf("reread:   %lu sectors the map called read did not match "
		    "their CRC32 in the part files\n",
		    (unsigned long)res->reread);
	print_drive_faults(res);
	if (a->verbose)
		printf("reads:    %llu calls for %llu sectors\n",
		    (unsigned long long)res->reads,
		    (unsigned long long)res->sectors_read);
	printf("status:   %s\n", res->reconstructed ? "reconstructed" :
	    res->complete ? "complete" :
	    res->interrupted ? "interrupted" : "incomplete");
	for (unsigned i = 0; i < res->nfiles; i++) {
		const struct optimg_rip_file *f = &res->files[i];
		char crc[9], md5[33], sha1[41];

		if (!res->complete) {
			if (f->missing > 0)
				printf("missing:  %lu of %lu sectors of '%s'\n",
				    (unsigned long)f->missing,
				    (unsigned long)f->sectors, f->name);
			continue;
		}
		optimg_hashes_hex(&f->hashes, crc, md5, sha1);
		printf("file:     %s\n", f->name);
		printf("          size %llu  crc32 %s  md5 %s  sha1 %s\n",
		    (unsigned long long)f->hashes.size, crc, md5, sha1);
	}
	printf("map:      %s\n", res->map_path);
	if (res->hash_path != NULL)
		printf("hashes:   %s\n", res->hash_path);
}

int
cmd_rip(int argc, char **argv)
{
	struct rip_args a;
	struct rip_progress prog = { 0 };
	struct optimg_rip_result *res = NULL;
	struct json_object *doc;
	struct optimg_error err;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	prog.enabled = cli_progress_wanted();
	prog.started = now();
	a.opts.progress = progress_cb;
	a.opts.progress_ctx = &prog;
	a.opts.warning = cli_warning_cb;
	doc = a.json ? cli_json_begin("rip") : NULL;
	rc = optimg_rip(a.device, a.output, &a.opts, &res, &err);
	if (prog.drawn)
		fprintf(stderr, "\r\033[K");
	if (doc != NULL)
		cli_rip_json(doc, a.device, a.output, res);
	else if (res != NULL && !cli_quiet)
		print_summary(&a, res);
	if (rc < 0) {
		cli_error("%s", cli_errmsg(&err));
		cli_json_error_detail(&err);
	}
	optimg_rip_result_free(res);
	return cli_json_end(rc < 0 ? cli_fail_status(&err) : 0);
}
