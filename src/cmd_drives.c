/*
 * cmd_drives.c - `optimg drives`, `optimg blank` and `optimg format`:
 * what the optical drives hold, and making rewritable media writable.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "cli_burn.h"

/* ---- drives -------------------------------------------------------------- */

static const char drives_usage[] =
    "usage: optimg drives [--json] [ADDR...]\n"
    "\n"
    "Lists the optical drives (or the drives named: /dev/sr0, stdio:FILE)\n"
    "with their address, vendor and model, the media they hold (type and\n"
    "state: blank, appendable, closed), the capacity free for writing and\n"
    "the write speeds they offer for it.\n"
    "\n"
    "Options:\n"
    "  --json      print a JSON array instead of the table\n"
    "  -h, --help  show this help\n";

static struct json_object *
drive_json(const struct optimg_burner_info *d)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sp = json_object_new_array();

	json_object_object_add(o, "address",
	    json_object_new_string(d->address));
	json_object_object_add(o, "vendor", json_object_new_string(d->vendor));
	json_object_object_add(o, "model", json_object_new_string(d->product));
	json_object_object_add(o, "revision",
	    json_object_new_string(d->revision));
	json_object_object_add(o, "pseudo", json_object_new_boolean(d->pseudo));
	json_object_object_add(o, "media", d->media[0] != '\0' ?
	    json_object_new_string(d->media) : NULL);
	json_object_object_add(o, "profile", json_object_new_int(d->profile));
	json_object_object_add(o, "state",
	    json_object_new_string(optimg_media_state_name(d->state)));
	json_object_object_add(o, "rewritable",
	    json_object_new_boolean(d->erasable));
	json_object_object_add(o, "capacity",
	    json_object_new_int64((int64_t)d->capacity));
	for (unsigned i = 0; i < d->nspeeds; i++) {
		struct json_object *s = json_object_new_object();

		json_object_object_add(s, "kBps",
		    json_object_new_int((int)d->speeds[i]));
		json_object_object_add(s, "x", json_object_new_double(
		    d->one_x > 0 ? d->speeds[i] * 1000.0 / d->one_x : 0));
		json_object_array_add(sp, s);
	}
	json_object_object_add(o, "write_speeds", sp);
	return o;
}

static void
drive_text(const struct optimg_burner_info *d)
{
	printf("%s: %s %s %s\n", d->address, d->vendor, d->product,
	    d->revision);
	printf("  media:    %s, %s%s\n", d->media[0] != '\0' ? d->media :
	    "none", optimg_media_state_name(d->state),
	    d->erasable ? ", rewritable" : "");
	if (d->capacity > 0)
		printf("  free:     %llu bytes (%.1f MB)\n",
		    (unsigned long long)d->capacity, (double)d->capacity / 1e6);
	if (d->nspeeds > 0) {
		printf("  speeds:  ");
		for (unsigned i = 0; i < d->nspeeds; i++)
			printf(" %.1fx", d->one_x > 0 ?
			    d->speeds[i] * 1000.0 / d->one_x : 0);
		printf("\n");
	}
}

int
cmd_drives(int argc, char **argv)
{
	struct optimg_burner_info *list = NULL;
	struct optimg_error err = { 0 };
	unsigned n = 0;
	bool json = false;
	int c, rc = 0;
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (c == 'j')
			json = cli_json_output = true;
		else if (c == 'h') {
			fputs(drives_usage, stdout);
			return 0;
		} else
			return cli_bad_option(argv);
	}
	if (optind < argc) {
		n = (unsigned)(argc - optind);
		if ((list = calloc(n, sizeof(*list))) == NULL) {
			cli_error("out of memory");
			return 1;
		}
		for (unsigned i = 0; i < n; i++)
			if (optimg_burner_inquire(argv[optind + (int)i],
			    &list[i], &err) < 0) {
				cli_error("'%s': %s", argv[optind + (int)i],
				    cli_errmsg(&err));
				free(list);
				return 1;
			}
	} else if (optimg_burner_scan(&list, &n, &err) < 0) {
		cli_error("%s", cli_errmsg(&err));
		return 1;
	}
	if (json) {
		struct json_object *a = json_object_new_array();

		for (unsigned i = 0; i < n; i++)
			json_object_array_add(a, drive_json(&list[i]));
		cli_json_print(a);
		json_object_put(a);
	} else if (n == 0) {
		printf("no optical drive found\n");
	} else {
		for (unsigned i = 0; i < n; i++)
			drive_text(&list[i]);
	}
	free(list);
	return rc;
}

/* ---- blank and format ---------------------------------------------------- */

static const char blank_usage[] =
    "usage: optimg blank [--fast|--full] [--drive ADDR] [--eject] [--json]\n"
    "\n"
    "Blanks a CD-RW or DVD-RW so it can be written again from the start.\n"
    "--fast (the default) erases the table of contents only; --full\n"
    "overwrites the whole disc.  DVD+RW, DVD-RAM and BD-RE need no blanking:\n"
    "they are overwritten in place (see optimg format).\n"
    "\n"
    "Options:\n"
    "  --fast        erase only the table of contents (the default)\n"
    "  --full        erase the whole disc\n"
    "  --drive ADDR  the drive (default: the only drive)\n"
    "  --eject       eject the disc at the end\n"
    "  --json        print the outcome as a JSON document\n"
    "  -q, --quiet   no progress display\n"
    "  -h, --help    show this help\n";

static const char format_usage[] =
    "usage: optimg format [--drive ADDR] [--eject] [--json]\n"
    "\n"
    "Formats a DVD-RW (to restricted overwrite), a DVD+RW, a DVD-RAM or a\n"
    "BD-RE, to the media's default size.\n"
    "\n"
    "Options:\n"
    "  --drive ADDR  the drive (default: the only drive)\n"
    "  --eject       eject the disc at the end\n"
    "  --json        print the outcome as a JSON document\n"
    "  -q, --quiet   no progress display\n"
    "  -h, --help    show this help\n";

static int
drive_cmd(int argc, char **argv, bool format)
{
	struct optimg_burn_opts o = { 0 };
	struct optimg_error err = { 0 };
	struct cli_burn_progress prog;
	struct json_object *doc;
	bool fast = true, json = false;
	int c, rc;
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "fast", no_argument, NULL, 'F' },
		{ "full", no_argument, NULL, 'L' },
		{ "drive", required_argument, NULL, 'd' },
		{ "eject", no_argument, NULL, 'e' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};

	while ((c = getopt_long(argc, argv, "qh", lo, NULL)) != -1) {
		switch (c) {
		case 'F':
		case 'L':
			if (format)
				return cli_bad_option(argv);
			fast = c == 'F';
			break;
		case 'd':	o.drive = optarg; break;
		case 'e':	o.eject = true; break;
		case 'j':	json = cli_json_output = true; break;
		case 'q':	cli_quiet = true; break;
		case 'h':
			fputs(format ? format_usage : blank_usage, stdout);
			return 0;
		default:
			return cli_bad_option(argv);
		}
	}
	if (optind != argc)
		return cli_usage_error("unexpected argument '%s'",
		    argv[optind]);
	doc = json ? cli_json_begin(format ? "format" : "blank") : NULL;
	if (doc != NULL) {
		cli_json_add_str(doc, "drive", o.drive);
		if (!format)
			cli_json_add_str(doc, "mode", fast ? "fast" : "full");
	}
	cli_burn_progress_init(&prog);
	o.progress = cli_burn_progress_cb;
	o.progress_ctx = &prog;
	rc = format ? optimg_burner_format(&o, &err) :
	    optimg_burner_blank(&o, fast, &err);
	cli_burn_progress_done(&prog);
	if (rc < 0) {
		cli_error("%s", cli_errmsg(&err));
		cli_json_error_detail(&err);
		return cli_json_end(1);
	}
	return cli_json_end(0);
}

int
cmd_blank(int argc, char **argv)
{
	return drive_cmd(argc, argv, false);
}

int
cmd_format(int argc, char **argv)
{
	return drive_cmd(argc, argv, true);
}
