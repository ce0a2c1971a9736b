/*
 * cmd_write.c - `optimg write IMAGE DEVICE`: an image onto a USB stick or
 * SD card, byte for byte, then read back.  The library refuses the wrong
 * devices; this file shows what the device is and asks before writing.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"

static const char usage[] =
    "usage: optimg write [--yes] [--force] [--no-verify] [--json] IMAGE DEVICE\n"
    "\n"
    "Writes IMAGE byte for byte to DEVICE (a USB stick or SD card, e.g.\n"
    "/dev/sdb; or a file), flushes it, and reads it back to compare.\n"
    "Refused, before anything is written: a device with a mounted\n"
    "partition, the disk that holds the running system, a device in use,\n"
    "and a partition or a disk that is not removable (unless --force).\n"
    "The device's model and size are shown and you are asked to confirm.\n"
    "A warning says when IMAGE has no MBR boot code or GPT: such an image\n"
    "does not boot from a stick.\n"
    "\n"
    "Options:\n"
    "  -y, --yes      do not ask (needed when there is no terminal)\n"
    "  --force        allow a fixed (non-removable) disk or a partition\n"
    "  --no-verify    do not read the device back\n"
    "  --json         print what was written as a JSON document\n"
    "  -q, --quiet    no progress display\n"
    "  -h, --help     show this help\n"
    "\n"
    "Example:\n"
    "  optimg write debian-live.iso /dev/sdb\n";

enum { OPT_FORCE = 256, OPT_NO_VERIFY, OPT_SYSROOT, OPT_JSON };

static const struct option longopts[] = {
	{ "yes",	no_argument,		NULL, 'y' },
	{ "force",	no_argument,		NULL, OPT_FORCE },
	{ "no-verify",	no_argument,		NULL, OPT_NO_VERIFY },
	{ "json",	no_argument,		NULL, OPT_JSON },
	/* Hidden: where sysfs and /proc are, for the tests. */
	{ "sysroot",	required_argument,	NULL, OPT_SYSROOT },
	{ "quiet",	no_argument,		NULL, 'q' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Warns when the image will not boot from a stick, or cannot be told. */
static void
check_bootable(const char *image)
{
	struct optimg_image *img = optimg_image_new();
	struct optimg_fs_opts fo = { .ns = OPTIMG_NS_AUTO };
	struct optimg_fs *fs = NULL;
	const struct optimg_sysarea *sa;
	struct optimg_error err = { 0 };

	if (img == NULL)
		return;
	if (optimg_image_open(img, image) < 0)
		cli_warning("'%s' is not an image optimg recognises; its bytes "
		    "are written as they are", image);
	else if (optimg_fs_open(img, &fo, &fs, &err) < 0 ||
	    optimg_fs_system_area(fs, &sa) < 0)
		cli_warning("'%s': cannot read its system area; it may not "
		    "boot from a USB stick", image);
	else if (!sa->mbr_boot_code && !sa->gpt)
		cli_warning("'%s' has no MBR boot code and no GPT: it will not "
		    "boot from a USB stick", image);
	optimg_fs_free(fs);
	optimg_image_free(img);
}

static void
size_string(uint64_t bytes, char *out, size_t len)
{
	if (bytes >= 1000000000)
		snprintf(out, len, "%.1f GB", (double)bytes / 1e9);
	else
		snprintf(out, len, "%.1f MB", (double)bytes / 1e6);
}

static void
describe(const struct optimg_target_info *t, char *out, size_t len)
{
	char size[32];

	size_string(t->size, size, sizeof(size));
	if (t->regular)
		snprintf(out, len, "a file");
	else
		snprintf(out, len, "%s, %s%s", t->model[0] != '\0' ?
		    t->model : t->name, size, t->removable ? ", removable" :
		    t->usb ? ", USB" : "");
}

/* Asks on the terminal; 0 when the answer is "yes". */
static int
confirm(const char *image, const struct optimg_target_info *t)
{
	char what[256], size[32], answer[16];
	struct stat st;

	if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
		cli_error("'%s': no terminal to confirm on; add --yes to "
		    "write without asking", t->path);
		return 1;
	}
	describe(t, what, sizeof(what));
	size_string(stat(image, &st) == 0 ? (uint64_t)st.st_size : 0, size,
	    sizeof(size));
	fprintf(stderr, "Write '%s' (%s) to %s (%s)?\n"
	    "Everything on %s will be lost.  Type 'yes' to go on: ", image,
	    size, t->path, what, t->path);
	if (fgets(answer, sizeof(answer), stdin) == NULL ||
	    strcmp(answer, "yes\n") != 0) {
		cli_error("not confirmed; nothing written");
		return 1;
	}
	return 0;
}

/* --json: the target as the library saw it and what was written. */
static void
json_target(struct json_object *doc, const char *image,
    const struct optimg_target_info *t, const struct optimg_rawwrite_opts *o)
{
	struct json_object *j = json_object_new_object();
	struct stat st;

	cli_json_add_str(doc, "image", image);
	if (stat(image, &st) == 0)
		cli_json_add_u64(doc, "bytes", (uint64_t)st.st_size);
	cli_json_add_str(j, "path", t->path);
	json_object_object_add(j, "regular",
	    json_object_new_boolean(t->regular));
	cli_json_add_str(j, "name", t->name);
	cli_json_add_str(j, "disk", t->disk);
	cli_json_add_str(j, "model", t->model);
	cli_json_add_u64(j, "size", t->size);
	json_object_object_add(j, "removable",
	    json_object_new_boolean(t->removable));
	json_object_object_add(j, "usb", json_object_new_boolean(t->usb));
	json_object_object_add(doc, "target", j);
	json_object_object_add(doc, "verified",
	    json_object_new_boolean(o->verify));
}

static int
write_image(const char *image, const char *device,
    struct optimg_rawwrite_opts *o, bool yes, struct json_object *doc)
{
	struct optimg_target_info t;
	struct optimg_error err = { 0 };
	struct cli_progress wp, vp;
	char what[256];
	uint64_t bad;
	int rc;

	if (access(image, R_OK) < 0) {
		cli_error("cannot read '%s'", image);
		return 1;
	}
	if (optimg_target_check(device, o, &t, &err) < 0) {
		cli_error("%s", cli_errmsg(&err));
		cli_json_error_detail(&err);
		return 1;
	}
	check_bootable(image);
	describe(&t, what, sizeof(what));
	if (!cli_quiet)
		fprintf(stderr, "target: %s (%s)\n", device, what);
	if (!yes && confirm(image, &t) != 0)
		return 1;
	cli_progress_init(&wp, "writing  ");
	cli_progress_init(&vp, "verifying");
	o->progress = cli_progress_cb;
	o->progress_ctx = &wp;
	o->verify_progress = cli_progress_cb;
	o->verify_progress_ctx = &vp;
	o->warning = cli_warning_cb;
	rc = optimg_rawwrite(image, device, o, &bad, &err);
	cli_progress_done(&wp);
	if (rc < 0) {
		cli_error("%s", cli_errmsg(&err));
		cli_json_error_detail(&err);
		return 1;
	}
	if (doc != NULL)
		json_target(doc, image, &t, o);
	else if (!cli_quiet)
		printf("wrote '%s' to %s%s\n", image, device,
		    o->verify ? ", verified" : "");
	return 0;
}

int
cmd_write(int argc, char **argv)
{
	struct optimg_rawwrite_opts o = { .verify = true };
	struct json_object *doc;
	bool yes = false, json = false;
	int c;

	o.root = getenv("OPTIMG_SYSROOT");
	while ((c = getopt_long(argc, argv, "yqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'y':		yes = true; break;
		case OPT_FORCE:		o.force = true; break;
		case OPT_NO_VERIFY:	o.verify = false; break;
		case OPT_JSON:		json = cli_json_output = true; break;
		case OPT_SYSROOT:	o.root = optarg; break;
		case 'q':		cli_quiet = true; break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_bad_option(argv);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("need IMAGE and DEVICE");
	doc = json ? cli_json_begin("write") : NULL;
	return cli_json_end(write_image(argv[optind], argv[optind + 1], &o, yes,
	    doc));
}
