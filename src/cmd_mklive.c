/*
 * cmd_mklive.c - `optimg mklive`: a live ISO that boots from CD and USB
 * stick, on BIOS and UEFI, from a kernel, an initrd and a root file
 * system; or a remaster of an existing live ISO.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli.h"

static void
usage(FILE *out)
{
	fprintf(out,
"usage: optimg mklive --kernel VMLINUZ --initrd INITRD\n"
"           [--rootfs FILE.squashfs | --root-dir DIR] [OPTIONS] -o LIVE.iso\n"
"       optimg mklive --from-iso ORIGINAL.iso [--add DIR] [--remove PATH]\n"
"           [--cmdline PARAMS] -o REMIX.iso\n"
"\n"
"Makes a live ISO that boots from CD and from a USB stick, on BIOS\n"
"(ISOLINUX) and UEFI (GRUB), with a menu of two entries: the live system\n"
"and the same on a serial console (console=ttyS0,115200).  GRUB finds\n"
"the image by a file /.disk/optimg-ID whose ID comes from the content.\n"
"With --from-iso it remasters an image instead: the files, boot catalog,\n"
"MBR, GPT and appended partitions of ORIGINAL.iso are kept, the content\n"
"changed, and the result boots the ways the original did.\n"
"\n"
"  --kernel FILE        the kernel (vmlinuz)\n"
"  --initrd FILE        its initramfs\n"
"  --rootfs FILE        a squashfs root file system, put where the layout\n"
"                       wants it\n"
"  --root-dir DIR       make the squashfs from DIR (needs mksquashfs)\n"
"  --layout NAME        debian (default: /live, boot=live components),\n"
"                       arch (/arch, archisobasedir=arch archisolabel=LABEL)\n"
"                       or ubuntu (/casper, boot=casper)\n"
"  --cmdline PARAMS     kernel parameters after the layout's; with\n"
"                       --from-iso, added to each kernel line of the menus\n"
"  --label NAME         volume id (default OPTIMG_LIVE)\n"
"  --title TEXT         menu title (default \"Live system\")\n"
"  --timeout SECONDS    menu timeout (default 5)\n"
"  --add DIR[=DEST]     put DIR's contents at the root (or under DEST);\n"
"                       repeatable\n"
"  --remove PATH        with --from-iso: leave PATH out; repeatable\n"
"  --secure-boot        UEFI through Debian's signed shim and CD GRUB\n"
"                       (shim-signed, grub-efi-amd64-signed); the kernel\n"
"                       must be signed too\n"
"  --from-iso FILE      remaster FILE\n"
"  --date SECONDS       clamp times to SECONDS since 1970: reproducible\n"
"                       images (also taken from SOURCE_DATE_EPOCH)\n"
"  -o, --output FILE    the image to write (required)\n"
"  -f, --force          replace FILE if it exists\n"
"  -q, --quiet          no progress display\n"
"      --json           print what was written as a JSON document\n"
"\n"
"Boot loaders come from the host: isolinux, syslinux-common,\n"
"grub-efi-amd64-bin, grub-common (and shim-signed, grub-efi-amd64-signed\n"
"for --secure-boot).\n"
"\n"
"Examples:\n"
"  optimg mklive --kernel vmlinuz --initrd initrd.img --root-dir chroot/ \\\n"
"      --label MYLIVE -o live.iso\n"
"  optimg mklive --from-iso debian-live.iso --add extras/ \\\n"
"      --cmdline 'locales=de_DE.UTF-8' -o remix.iso\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

enum {
	OPT_KERNEL = 256, OPT_INITRD, OPT_ROOTFS, OPT_ROOTDIR, OPT_LAYOUT,
	OPT_CMDLINE, OPT_LABEL, OPT_TITLE, OPT_TIMEOUT, OPT_ADD, OPT_REMOVE,
	OPT_SECURE, OPT_FROM, OPT_DATE, OPT_HELP, OPT_JSON,
};

static const struct option long_opts[] = {
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "rootfs", required_argument, NULL, OPT_ROOTFS },
	{ "root-dir", required_argument, NULL, OPT_ROOTDIR },
	{ "layout", required_argument, NULL, OPT_LAYOUT },
	{ "cmdline", required_argument, NULL, OPT_CMDLINE },
	{ "label", required_argument, NULL, OPT_LABEL },
	{ "title", required_argument, NULL, OPT_TITLE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "add", required_argument, NULL, OPT_ADD },
	{ "remove", required_argument, NULL, OPT_REMOVE },
	{ "secure-boot", no_argument, NULL, OPT_SECURE },
	{ "from-iso", required_argument, NULL, OPT_FROM },
	{ "date", required_argument, NULL, OPT_DATE },
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

#define MAX_LIST 64

struct args {
	struct optimg_mklive_opts	 o;
	const char			*out;
	const char			*add[MAX_LIST], *remove[MAX_LIST];
	bool				 have_layout;
	bool				 json;
};

static int
push(const char **list, unsigned *n, const char *s, const char *what)
{
	if (*n >= MAX_LIST)
		return cli_usage_error("too many %s (at most %d)", what,
		    MAX_LIST);
	list[(*n)++] = s;
	return 0;
}

static int
parse_option(struct args *a, int c, char *arg)
{
	struct optimg_mklive_opts *o = &a->o;
	int64_t v;
	int layout;

	switch (c) {
	case OPT_KERNEL: o->kernel = arg; return 0;
	case OPT_INITRD: o->initrd = arg; return 0;
	case OPT_ROOTFS: o->rootfs = arg; return 0;
	case OPT_ROOTDIR: o->root_dir = arg; return 0;
	case OPT_CMDLINE: o->cmdline = arg; return 0;
	case OPT_LABEL: o->label = arg; return 0;
	case OPT_TITLE: o->title = arg; return 0;
	case OPT_SECURE: o->secure_boot = true; return 0;
	case OPT_FROM: o->from_iso = arg; return 0;
	case OPT_ADD: return push(a->add, &o->nadd, arg, "--add options");
	case OPT_REMOVE: return push(a->remove, &o->nremove, arg,
	    "--remove options");
	case 'o': a->out = arg; return 0;
	case 'f': o->force = true; return 0;
	case 'q': cli_quiet = true; return 0;
	case OPT_JSON: a->json = cli_json_output = true; return 0;
	case OPT_LAYOUT:
		if ((layout = optimg_live_layout_parse(arg)) < 0)
			return cli_usage_error("--layout wants debian, arch or "
			    "ubuntu, not '%s'", arg);
		o->layout = (enum optimg_live_layout)layout;
		a->have_layout = true;
		return 0;
	case OPT_TIMEOUT:
		if (cli_parse_seconds(arg, &v) < 0 || v < 1 || v > 3600)
			return cli_usage_error("--timeout wants 1..3600 "
			    "seconds, not '%s'", arg);
		o->timeout = (unsigned)v;
		return 0;
	case OPT_DATE:
		if (cli_parse_seconds(arg, &o->date) < 0)
			return cli_usage_error("--date wants seconds since "
			    "1970, not '%s'", arg);
		o->have_date = true;
		return 0;
	}
	return EXIT_USAGE;
}

static int
check_args(struct args *a, int extra)
{
	struct optimg_mklive_opts *o = &a->o;
	const char *env = getenv("SOURCE_DATE_EPOCH");

	if (extra > 0)
		return cli_usage_error("unexpected argument; files to add go "
		    "with --add DIR");
	if (a->out == NULL)
		return cli_usage_error("no output: give -o LIVE.iso");
	if (o->from_iso != NULL) {
		if (o->kernel != NULL || o->initrd != NULL ||
		    o->rootfs != NULL || o->root_dir != NULL ||
		    o->secure_boot || a->have_layout || o->label != NULL ||
		    o->title != NULL || o->timeout != 0)
			return cli_usage_error("--from-iso keeps the "
			    "original's boot setup: it takes only --add, "
			    "--remove and --cmdline");
	} else {
		if (o->kernel == NULL || o->initrd == NULL)
			return cli_usage_error("give --kernel and --initrd "
			    "(or --from-iso)");
		if (o->rootfs != NULL && o->root_dir != NULL)
			return cli_usage_error("give --rootfs or --root-dir, "
			    "not both");
		if (o->nremove > 0)
			return cli_usage_error("--remove goes with --from-iso");
	}
	if (!o->have_date && env != NULL && *env != '\0') {
		if (cli_parse_seconds(env, &o->date) < 0)
			return cli_usage_error("SOURCE_DATE_EPOCH='%s' is not "
			    "seconds since 1970", env);
		o->have_date = true;
	}
	return 0;
}

static int
run(struct args *a)
{
	struct cli_progress prog;
	struct optimg_error err;
	struct json_object *doc;
	struct stat st;
	int rc;

	memset(&err, 0, sizeof(err));
	doc = a->json ? cli_json_begin("mklive") : NULL;
	cli_progress_init(&prog, "mklive");
	a->o.progress = cli_progress_cb;
	a->o.progress_ctx = &prog;
	a->o.warning = cli_warning_cb;
	a->o.add = a->add;
	a->o.remove = a->remove;
	rc = optimg_mklive(&a->o, a->out, &err);
	cli_progress_done(&prog);
	rc = cli_write_status(rc, &err, a->out);
	if (doc != NULL) {
		cli_json_add_str(doc, "output", a->out);
		if (rc == 0 && stat(a->out, &st) == 0)
			cli_json_add_u64(doc, "bytes", (uint64_t)st.st_size);
	}
	return cli_json_end(rc);
}

int
cmd_mklive(int argc, char **argv)
{
	struct args a;
	int c, rc;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fq", long_opts, NULL)) != -1) {
		if (c == OPT_HELP) {
			usage(stdout);
			return 0;
		}
		if (c == '?')
			return cli_bad_option(argv);
		if ((rc = parse_option(&a, c, optarg)) != 0)
			return rc;
	}
	if ((rc = check_args(&a, argc - optind)) != 0)
		return rc;
	return run(&a);
}
