/*
 * cmd_extract.c - `optimg extract`: options, then optimg_fs_extract(),
 * whose reports are worded here (the library names no flags), then the
 * El Torito boot images when asked.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

struct report_ctx {
	const char		*image;
	struct json_object	*problems;	/* --json */
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: optimg extract [-C DIR] [--force] [--boot-images] [--json]\n"
	    "                      [--namespace NS] [--session N] IMAGE [PATH...]\n"
	    "\n"
	    "Copies files and directories out of the ISO 9660 (Rock Ridge,\n"
	    "Joliet) or UDF file system on IMAGE into DIR, without mounting.\n"
	    "Each PATH (default: everything) is recreated under DIR with its\n"
	    "full path in the image, as tar does.  Modes, modification times,\n"
	    "symbolic links and hard links are kept; files of 4 GiB and more\n"
	    "are joined from their extents; runs of zeros become holes.\n"
	    "CD-ROM XA Mode 2 Form 2 files (a Video CD's MPEG) give 2324\n"
	    "bytes a sector (raw bytes 24..2347, EDC checked); an image of\n"
	    "2048-byte sectors does not hold them and they are refused.\n"
	    "\n"
	    "Names that would leave DIR ('..', names with '/', a symbolic link\n"
	    "standing where a directory goes) are refused one by one with an\n"
	    "error naming them; everything else is still extracted and the\n"
	    "exit status is 1.\n"
	    "\n"
	    "Options:\n"
	    "  -C, --directory DIR  extract into DIR (default: the current\n"
	    "                       directory); it must exist\n"
	    "  -f, --force          replace files that exist already (never\n"
	    "                       directories)\n"
	    "      --boot-images    also write each El Torito boot image as\n"
	    "                       DIR/boot-N-PLATFORM.img\n"
	    "      --no-limits      go on when the files pass 100 times the\n"
	    "                       image's size (entries sharing their data)\n"
	    "      --namespace NS   rr, joliet, iso or udf (see 'optimg ls --help')\n"
	    "      --session N      read session N (default: the last)\n"
	    "      --json           print what was extracted as a JSON document\n"
	    "  -q, --quiet          no progress bar\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "Example:\n"
	    "  mkdir out && optimg extract -C out disc.iso /isolinux\n");
}

/* Words one of the library's reports; the hints name our flags. */
static void
report(void *ctx, const struct optimg_extract_report *r)
{
	const struct report_ctx *rc = ctx;
	const char *p = r->path != NULL ? r->path : "";
	static const char *const what[] = {
		[OPTIMG_EXTRACT_REFUSED] = "refused",
		[OPTIMG_EXTRACT_EXISTS] = "exists",
		[OPTIMG_EXTRACT_NOT_DIR] = "not-a-directory",
		[OPTIMG_EXTRACT_IS_DIR] = "is-a-directory",
		[OPTIMG_EXTRACT_SYSTEM] = "system",
		[OPTIMG_EXTRACT_READ] = "read",
		[OPTIMG_EXTRACT_NOMEM] = "out-of-memory",
		[OPTIMG_EXTRACT_DEVICE_SKIPPED] = "device-skipped",
		[OPTIMG_EXTRACT_SHARED] = "shared-data",
		[OPTIMG_EXTRACT_LARGE] = "large",
		[OPTIMG_EXTRACT_TOO_LARGE] = "too-large",
		[OPTIMG_EXTRACT_STALE] = "stale-removed",
	};

	if (rc->problems != NULL) {
		struct json_object *o = json_object_new_object();

		cli_json_add_str(o, "kind", what[r->what]);
		cli_json_add_str(o, "path", p);
		cli_json_add_str(o, "detail", r->errnum != 0 ?
		    strerror(r->errnum) : r->detail);
		json_object_object_add(o, "failure",
		    json_object_new_boolean(r->failure));
		json_object_array_add(rc->problems, o);
	}

	switch (r->what) {
	case OPTIMG_EXTRACT_REFUSED:
		cli_error("refusing '%s': %s", p, r->detail);
		break;
	case OPTIMG_EXTRACT_EXISTS:
		cli_error("'%s' exists (use --force to replace it)", p);
		break;
	case OPTIMG_EXTRACT_NOT_DIR:
		cli_error("'%s' exists and is not a directory (use --force "
		    "to replace it)", p);
		break;
	case OPTIMG_EXTRACT_IS_DIR:
		cli_error("cannot replace directory '%s' with a file", p);
		break;
	case OPTIMG_EXTRACT_SYSTEM:
		cli_error("cannot %s '%s': %s", r->detail, p,
		    strerror(r->errnum));
		break;
	case OPTIMG_EXTRACT_READ:
		cli_error("'%s': %s: %s", rc->image, p, r->detail);
		break;
	case OPTIMG_EXTRACT_NOMEM:
		cli_error("out of memory");
		break;
	case OPTIMG_EXTRACT_DEVICE_SKIPPED:
		cli_warning("'%s': device node left out", p);
		break;
	case OPTIMG_EXTRACT_SHARED:
		cli_warning("'%s' shares its data with another file", p);
		break;
	case OPTIMG_EXTRACT_LARGE:
		cli_warning("at '%s' %s", p, r->detail);
		break;
	case OPTIMG_EXTRACT_STALE:
		if (strcmp(p, "/") == 0)
			cli_warning("%s", r->detail);
		else
			cli_warning("in '%s': %s", p, r->detail);
		break;
	case OPTIMG_EXTRACT_TOO_LARGE:
		cli_error("at '%s' %s (use --no-limits to go on)", p,
		    r->detail);
		break;
	}
}

/* How many workers: OPTIMG_EXTRACT_THREADS, else the library's choice. */
static int
want_threads(void)
{
	const char *env = getenv("OPTIMG_EXTRACT_THREADS");

	return env != NULL && *env != '\0' ? (int)strtol(env, NULL, 10) : -1;
}

static void
describe(struct json_object *doc, const char *image,
    const struct optimg_extract_result *res, struct json_object *problems)
{
	struct json_object *o = json_object_new_object();

	cli_json_add_str(doc, "image", image);
	cli_json_add_u64(o, "files", res->files);
	cli_json_add_u64(o, "hardlinks", res->hardlinks);
	cli_json_add_u64(o, "directories", res->dirs);
	cli_json_add_u64(o, "symlinks", res->symlinks);
	cli_json_add_u64(o, "specials", res->specials);
	cli_json_add_u64(o, "bytes", res->bytes);
	cli_json_add_u64(o, "failures", res->failures);
	json_object_object_add(doc, "extracted", o);
	json_object_object_add(doc, "problems", problems);
}

static int
extract(const char *image, const struct optimg_fs_opts *fsopts,
    struct optimg_extract_opts *o, bool boot, struct json_object *doc)
{
	struct report_ctx rctx = { image, NULL };
	struct optimg_extract_result res;
	struct optimg_error err;
	struct optimg_image *img;
	struct optimg_fs *fs;
	struct cli_progress progress;
	int rc;

	memset(&res, 0, sizeof(res));
	if (cli_fs_open(image, fsopts, &img, &fs) != 0)
		return 1;
	if (doc != NULL)
		rctx.problems = json_object_new_array();
	cli_progress_init(&progress, "extract");
	o->count_total = progress.enabled;
	o->progress = cli_progress_cb;
	o->progress_ctx = &progress;
	o->report = report;
	o->report_ctx = &rctx;
	rc = optimg_fs_extract(fs, o, &res, &err);
	if (rc < 0 && rc != OPTIMG_ECANCELED) {
		cli_error("'%s': %s", image, cli_errmsg(&err));
		res.failures++;
	}
	if (cli_interrupted) {
		cli_error("interrupted");
		res.failures++;
		rc = -1;
	}
	cli_progress_done(&progress);
	if (rc == 0 && boot)
		cli_fs_extract_boot_images(fs, image, o->dirfd, o->overwrite,
		    &res.failures);
	optimg_fs_free(fs);
	optimg_image_free(img);
	if (doc != NULL)
		describe(doc, image, &res, rctx.problems);
	return rc < 0 || res.failures > 0 ? 1 : 0;
}

int
cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "force", no_argument, NULL, 'f' },
		{ "boot-images", no_argument, NULL, 'b' },
		{ "no-limits", no_argument, NULL, 'L' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "session", required_argument, NULL, 'S' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct optimg_fs_opts fsopts = { .ns = OPTIMG_NS_AUTO };
	struct optimg_extract_opts o;
	const char *dirname = ".";
	struct json_object *doc;
	bool boot = false, force = false, json = false, no_limits = false;
	int c, dirfd, rc;

	while ((c = getopt_long(argc, argv, "C:fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': dirname = optarg; break;
		case 'f': force = true; break;
		case 'b': boot = true; break;
		case 'L': no_limits = true; break;
		case 'j': json = cli_json_output = true; break;
		case 'q': cli_quiet = true; break;
		case 'N':
			if (cli_fs_parse_namespace(optarg, &fsopts) != 0)
				return EXIT_USAGE;
			break;
		case 'S':
			if (cli_fs_parse_session(optarg, &fsopts) != 0)
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("expected IMAGE [PATH...]");
	doc = json ? cli_json_begin("extract") : NULL;
	if (doc != NULL)
		cli_json_add_str(doc, "directory", dirname);
	dirfd = open(dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		cli_error("cannot open directory '%s': %s", dirname,
		    strerror(errno));
		return cli_json_end(1);
	}
	optimg_extract_opts_init(&o, dirfd);
	o.paths = (const char *const *)argv + optind + 1;
	o.npaths = (unsigned)(argc - optind - 1);
	o.overwrite = force;
	o.no_limits = no_limits;
	o.threads = want_threads();
	rc = extract(argv[optind], &fsopts, &o, boot, doc);
	close(dirfd);
	return cli_json_end(rc);
}
