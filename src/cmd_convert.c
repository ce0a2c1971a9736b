/*
 * cmd_convert.c - `optimg convert IN OUT`: ISO <-> BIN/CUE, merge, split.
 */
#include "config.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "cli.h"

static bool json;

static const char usage[] =
    "usage: optimg convert [options] INPUT OUTPUT\n"
    "\n"
    "Converts a disc image.  The input format is recognised from its\n"
    "content; the output format from OUTPUT's extension (.iso, .cue, .chd,\n"
    ".cso, .zso, .ccd, .toc; .xz .zst .gz .ecm after .iso or .bin compress)\n"
    "or --format.  Every conversion streams: images of any size use little\n"
    "memory.\n"
    "\n"
    "  ISO -> BIN/CUE    one MODE1/2352 track, sync/header/EDC/ECC made anew\n"
    "  BIN/CUE -> ISO    the user data of a Mode 1 or Mode 2 Form 1 track\n"
    "  BIN/CUE -> BIN/CUE  merge split bins into one, or --split them;\n"
    "                    every INDEX, gap, FLAGS, ISRC, CATALOG, CD-TEXT and\n"
    "                    REM line is kept\n"
    "  BIN/CUE -> CHD    MAME CHD v5 that chdman reads and verifies (cdlz,\n"
    "                    cdzl, cdfl on both cores), plus a tag that gives\n"
    "                    the cue and bins back byte for byte\n"
    "  ISO -> CHD        a DVD CHD (lzma, zlib)\n"
    "  any -> CCD        CloneCD .ccd/.img/.sub: the full TOC, raw sectors,\n"
    "                    the image's subchannel or P and Q made from the TOC\n"
    "  any -> TOC        cdrdao .toc + .bin (#byte-offset a track, or\n"
    "                    --split): CD-TEXT, ISRC, CATALOG, gaps, indices,\n"
    "                    the image's subchannel as RW_RAW\n"
    "  CHD -> BIN/CUE, ISO  the bins chdman extractcd writes, or the\n"
    "                    original set when the CHD has our tag\n"
    "  ISO <-> CSO, ZSO  PSP compressed ISOs: CSO v1/v2 (deflate, LZ4) and\n"
    "                    ZSO (LZ4) are read; CSO v1 and ZSO written\n"
    "  any <-> .xz .zst .gz  NAME.iso.xz, NAME.bin.zst, ...: compressed as\n"
    "                    written (xz blocks and zstd frames of 4 MiB, so\n"
    "                    they read back at random); NAME.bin.X comes with\n"
    "                    NAME.cue, which names NAME.bin\n"
    "  BIN/CUE <-> ECM   NAME.bin.ecm (and NAME.cue): ecm(1)'s format,\n"
    "                    EDC/ECC stripped and made again on reading\n"
    "\n"
    "Any input may be gzip, xz, zstd or ECM compressed (found by content),\n"
    "and a cue's x.bin may be x.bin.ecm, .xz, .zst or .gz beside it.\n"
    "\n"
    "A conversion that would lose data (audio tracks, Form 2 sectors,\n"
    "several tracks into one ISO) is refused and names the tracks; say\n"
    "--data-track N to keep only track N in an ISO.  What the output\n"
    "format cannot hold (subchannel, CD-TEXT, sessions, ISRC) is refused\n"
    "by name too, unless --lossy.\n"
    "\n"
    "Options:\n"
    "  --format FORMAT     output format (iso, cue, chd, ccd, toc, gdi, cso, zso),\n"
    "                      when OUTPUT's name does not say; --to too\n"
    "  --parent FILE       the parent of a CHD stored as a difference (by\n"
    "                      default found by SHA-1 beside the input)\n"
    "  --lossy             leave out what the output format cannot hold\n"
    "  --split             one bin per track (cue, toc), 'NAME (Track N).bin'\n"
    "  --data-track N      the data track to write into an ISO\n"
    "  --level N           how hard a .xz (1-9, default 2), .zst (1-19,\n"
    "                      default 3) or .gz (1-9, default 6) is packed\n"
    "  -f, --force         replace OUTPUT (and its bins) if they exist\n"
    "      --json          print what was written as a JSON document\n"
    "  -q, --quiet         no progress bar\n"
    "  -h, --help          show this help\n"
    "\n"
    "Output is written under a temporary name and renamed when complete;\n"
    "an interrupted conversion leaves nothing behind.  An input is never\n"
    "overwritten.\n"
    "\n"
    "Examples:\n"
    "  optimg convert game.cue game.iso\n"
    "  optimg convert debian.iso debian.cue\n"
    "  optimg convert --split game.cue split/game.cue\n"
    "  optimg convert game.cue game.chd\n";

static int
parse_format(const char *arg, const char **format)
{
	if (optimg_convert_format(arg, NULL) == NULL)
		return cli_usage_error("--format takes one of %s, not '%s'",
		    optimg_convert_formats(), arg);
	*format = arg;
	return 0;
}

static int
parse_track(const char *arg, unsigned *track)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 99)
		return cli_usage_error("--data-track takes a track number "
		    "1-99, not '%s'", arg);
	*track = (unsigned)v;
	return 0;
}

static int
parse_level(const char *arg, unsigned *level)
{
	char *end;
	unsigned long v = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || v < 1 || v > 19)
		return cli_usage_error("--level takes a number 1-19, not '%s'",
		    arg);
	*level = (unsigned)v;
	return 0;
}

/* The highest --level the output's packing takes; 0: it is not packed. */
static unsigned
max_level(const char *out)
{
	size_t n = strlen(out);

	if (n > 3 && strcasecmp(out + n - 3, ".xz") == 0)
		return 9;
	if (n > 3 && strcasecmp(out + n - 3, ".gz") == 0)
		return 9;
	if (n > 4 && strcasecmp(out + n - 4, ".zst") == 0)
		return 19;
	return 0;
}

/* Options that make no sense for the output asked for are usage errors. */
static int
check_combination(const struct optimg_convert_opts *opts, const char *out)
{
	const char *to = optimg_convert_format(opts->format, out);
	char name[16];
	size_t i;

	if (to == NULL)
		return 0;		/* the library says why */
	for (i = 0; to[i] != '\0' && i + 1 < sizeof(name); i++)
		name[i] = (char)toupper((unsigned char)to[i]);
	name[i] = '\0';
	if (opts->split && strcmp(to, "cue") != 0 && strcmp(to, "toc") != 0)
		return cli_usage_error("--split applies to BIN/CUE and TOC "
		    "output, not %s", name);
	if (opts->level > max_level(out))
		return cli_usage_error(max_level(out) == 0 ? "--level applies "
		    "to .xz, .zst and .gz output" : "--level %u: this output "
		    "takes 1-%u", opts->level, max_level(out));
	if (opts->data_track != 0 && strcmp(to, "iso") != 0)
		return cli_usage_error("--data-track applies to ISO output; "
		    "%s %s keeps every track", strcmp(to, "cue") == 0 ? "a" :
		    "the", strcmp(to, "cue") == 0 ? "cue" : name);
	return 0;
}

static int
parse_args(int argc, char **argv, struct optimg_convert_opts *opts)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 't' },
		{ "to", required_argument, NULL, 't' },
		{ "lossy", no_argument, NULL, 'l' },
		{ "split", no_argument, NULL, 's' },
		{ "data-track", required_argument, NULL, 'd' },
		{ "level", required_argument, NULL, 'L' },
		{ "parent", required_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, rc;

	while ((c = getopt_long(argc, argv, "fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if ((rc = parse_format(optarg, &opts->format)) != 0)
				return rc;
			break;
		case 'l':
			opts->lossy = true;
			break;
		case 's':
			opts->split = true;
			break;
		case 'd':
			if ((rc = parse_track(optarg, &opts->data_track)) != 0)
				return rc;
			break;
		case 'L':
			if ((rc = parse_level(optarg, &opts->level)) != 0)
				return rc;
			break;
		case 'f':
			opts->force = true;
			break;
		case 'p':
			cli_chd_parent = optarg;
			break;
		case 'j':
			json = cli_json_output = true;
			break;
		case 'q':
			cli_quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			return cli_bad_option(argv);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error(argc - optind < 2 ?
		    "give an INPUT and an OUTPUT" : "too many arguments");
	return check_combination(opts, argv[optind + 1]);
}

/* --json: the input and what the output now holds, read back. */
static void
describe(struct json_object *doc, const char *in, const char *out)
{
	struct optimg_image *img = optimg_image_new();
	struct json_object *o = json_object_new_object();

	cli_json_add_str(doc, "input", in);
	json_object_object_add(doc, "output", o);
	cli_json_add_str(o, "path", out);
	if (img == NULL || optimg_image_open(img, out) < 0) {
		optimg_image_free(img);
		return;
	}
	cli_json_add_str(o, "format", optimg_image_format(img));
	cli_json_add_u64(o, "bytes", optimg_image_size(img));
	cli_json_add_u64(o, "tracks", optimg_image_disc(img)->ntracks);
	optimg_image_free(img);
}

int
cmd_convert(int argc, char **argv)
{
	struct optimg_convert_opts opts;
	struct optimg_error err;
	struct cli_progress prog;
	struct optimg_image *img;
	struct json_object *doc;
	int rc;

	memset(&opts, 0, sizeof(opts));
	rc = parse_args(argc, argv, &opts);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	doc = json ? cli_json_begin("convert") : NULL;
	img = cli_open_image(argv[optind]);
	if (img == NULL)
		return cli_json_end(1);
	cli_progress_init(&prog, "converting");
	opts.progress = cli_progress_cb;
	opts.progress_ctx = &prog;
	opts.warning = cli_warning_cb;
	rc = optimg_convert(img, argv[optind + 1], &opts, &err);
	cli_progress_done(&prog);
	optimg_image_free(img);
	rc = cli_write_status(rc, &err, argv[optind + 1]);
	if (doc != NULL && rc == 0)
		describe(doc, argv[optind], argv[optind + 1]);
	return cli_json_end(rc);
}
