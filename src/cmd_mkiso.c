/*
 * cmd_mkiso.c - `optimg mkiso`: make an ISO 9660 image from files.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cli.h"

static void
usage(FILE *out)
{
	fprintf(out,
"usage: optimg mkiso [OPTIONS] SOURCE... -o OUT.iso\n"
"\n"
"Makes an ISO 9660 image from files and directories.  Rock Ridge (POSIX\n"
"names, modes, owners, times, symlinks, devices, hard links) and Joliet\n"
"(Windows names) are on by default; files of 4 GiB and more are stored\n"
"as multi-extent files, never dropped.  A directory SOURCE puts its\n"
"contents at the image root; a file SOURCE goes to /NAME.\n"
"\n"
"  SRC=DEST               put SRC at DEST in the image (a directory's\n"
"                         contents go into DEST; a file becomes DEST, or\n"
"                         DEST/NAME when DEST ends with '/')\n"
"  -o, --output FILE      the image to write (required)\n"
"  -f, --force            replace FILE if it exists\n"
"      --allow-changing   scan the sources again when one changes while\n"
"                         the image is written (default: fail naming it)\n"
"  -V, --volid ID         volume id (32 characters; default CDROM)\n"
"      --publisher TEXT   --preparer TEXT   --application TEXT\n"
"      --system-id TEXT   --volset TEXT     volume descriptor fields\n"
"      --exclude PATTERN  leave out files whose name or path matches\n"
"                         (fnmatch; repeatable)\n"
"      --hide PATTERN     hide from ISO 9660 / Rock Ridge listings\n"
"      --hide-joliet PATTERN  hide from Joliet listings\n"
"      --sort FILE        lines 'PATTERN WEIGHT': heavier files first\n"
"      --no-rock          no Rock Ridge    --no-joliet   no Joliet\n"
"      --joliet-long      Joliet names up to 103 characters (not 64)\n"
"      --date SECONDS     clamp every time to SECONDS since 1970 and use\n"
"                         it for the volume: reproducible images (also\n"
"                         taken from SOURCE_DATE_EPOCH)\n"
"  -q, --quiet            no progress display\n"
"      --json             print what was written as a JSON document\n"
"\n"
"Booting (paths of boot files are paths inside the image):\n"
"  -b, --boot PATH        El Torito BIOS entry, no emulation\n"
"      --boot-load-size N 512-byte sectors the BIOS loads (isolinux: 4)\n"
"      --boot-info-table  patch a boot info table into the image's copy\n"
"      --grub2-boot-info  patch GRUB's eltorito.img for booting from disk\n"
"      --floppy-boot      the last -b image is a floppy image\n"
"      --hard-disk-boot   the last -b image is a hard-disk image\n"
"      --efi-boot PATH    El Torito EFI entry: a FAT image with\n"
"                         /EFI/BOOT/BOOTX64.EFI\n"
"      --boot-catalog PATH  show the boot catalog at PATH\n"
"      --hide-boot-catalog  do not show it (the default)\n"
"      --mbr FILE         hybrid: MBR boot code (isohdpfx.bin for\n"
"                         isolinux, boot_hybrid.img for GRUB)\n"
"      --gpt              hybrid: GPT with the EFI image as an ESP\n"
"      --append-partition N:TYPE:FILE  append FILE as partition N of\n"
"                         MBR type TYPE (hex, ef = ESP)\n"
"      --mbr-force-bootable  mark the protective MBR entry active\n"
"\n"
"Examples:\n"
"  optimg mkiso -V BACKUP ~/photos -o photos.iso\n"
"  optimg mkiso notes.txt src=code/ docs=share/doc -o bundle.iso\n"
"  SOURCE_DATE_EPOCH=1700000000 optimg mkiso tree -o a.iso  # reproducible\n"
"  optimg mkiso -V LIVE cd/ -b isolinux/isolinux.bin --boot-load-size 4 \\\n"
"      --boot-info-table --boot-catalog isolinux/boot.cat \\\n"
"      --efi-boot boot/efi.img --mbr /usr/lib/ISOLINUX/isohdpfx.bin \\\n"
"      --gpt -o live.iso     # boots from CD and USB, BIOS and UEFI\n"
"\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

enum {
	OPT_PUBLISHER = 256, OPT_PREPARER, OPT_APPLICATION, OPT_SYSID,
	OPT_VOLSET, OPT_EXCLUDE, OPT_HIDE, OPT_HIDE_JOLIET, OPT_SORT,
	OPT_NO_ROCK, OPT_NO_JOLIET, OPT_JOLIET_LONG, OPT_DATE, OPT_LOAD_SIZE,
	OPT_INFO_TABLE, OPT_FLOPPY, OPT_HDD, OPT_NOEMUL, OPT_EFI,
	OPT_CATALOG, OPT_HIDE_CATALOG, OPT_MBR, OPT_GPT, OPT_APPEND,
	OPT_FORCE_BOOTABLE, OPT_GRUB2_INFO, OPT_HELP, OPT_ALLOW_CHANGING,
	OPT_JSON,
};

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "force", no_argument, NULL, 'f' },
	{ "allow-changing", no_argument, NULL, OPT_ALLOW_CHANGING },
	{ "volid", required_argument, NULL, 'V' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "publisher", required_argument, NULL, OPT_PUBLISHER },
	{ "preparer", required_argument, NULL, OPT_PREPARER },
	{ "application", required_argument, NULL, OPT_APPLICATION },
	{ "system-id", required_argument, NULL, OPT_SYSID },
	{ "volset", required_argument, NULL, OPT_VOLSET },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "hide", required_argument, NULL, OPT_HIDE },
	{ "hide-joliet", required_argument, NULL, OPT_HIDE_JOLIET },
	{ "sort", required_argument, NULL, OPT_SORT },
	{ "no-rock", no_argument, NULL, OPT_NO_ROCK },
	{ "no-joliet", no_argument, NULL, OPT_NO_JOLIET },
	{ "joliet-long", no_argument, NULL, OPT_JOLIET_LONG },
	{ "date", required_argument, NULL, OPT_DATE },
	{ "boot", required_argument, NULL, 'b' },
	{ "boot-load-size", required_argument, NULL, OPT_LOAD_SIZE },
	{ "boot-info-table", no_argument, NULL, OPT_INFO_TABLE },
	{ "grub2-boot-info", no_argument, NULL, OPT_GRUB2_INFO },
	{ "floppy-boot", no_argument, NULL, OPT_FLOPPY },
	{ "hard-disk-boot", no_argument, NULL, OPT_HDD },
	{ "no-emul-boot", no_argument, NULL, OPT_NOEMUL },
	{ "efi-boot", required_argument, NULL, OPT_EFI },
	{ "boot-catalog", required_argument, NULL, OPT_CATALOG },
	{ "hide-boot-catalog", no_argument, NULL, OPT_HIDE_CATALOG },
	{ "mbr", required_argument, NULL, OPT_MBR },
	{ "gpt", no_argument, NULL, OPT_GPT },
	{ "append-partition", required_argument, NULL, OPT_APPEND },
	{ "mbr-force-bootable", no_argument, NULL, OPT_FORCE_BOOTABLE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ NULL, 0, NULL, 0 }
};

#define MAX_LIST 256
#define MAX_BOOT 8
#define MAX_PARTS 4

struct args {
	struct optimg_mkiso_opts	 o;
	const char			*out;
	const char			*exclude[MAX_LIST], *hide[MAX_LIST];
	const char			*hide_joliet[MAX_LIST];
	unsigned			 nexclude, nhide, nhide_joliet;
	struct optimg_mkiso_boot	 boot[MAX_BOOT];
	unsigned			 nboot;
	struct optimg_mkiso_partition	 parts[MAX_PARTS];
	unsigned			 nparts;
	bool				 hide_catalog;
	bool				 json;
	struct optimg_mkiso_source	*src;
	char				**src_buf;
};

static int
push(const char **list, unsigned *n, const char *s)
{
	if (*n >= MAX_LIST)
		return cli_usage_error("too many patterns (at most %d)",
		    MAX_LIST);
	list[(*n)++] = s;
	return 0;
}

static struct optimg_mkiso_boot *
last_bios(struct args *a)
{
	unsigned i = a->nboot;

	while (i-- > 0)
		if (a->boot[i].platform == OPTIMG_BOOT_BIOS)
			return &a->boot[i];
	return NULL;
}

static int
add_boot(struct args *a, const char *path, uint8_t platform)
{
	if (a->nboot >= MAX_BOOT)
		return cli_usage_error("too many boot images (at most %d)",
		    MAX_BOOT);
	memset(&a->boot[a->nboot], 0, sizeof(a->boot[0]));
	a->boot[a->nboot].path = path;
	a->boot[a->nboot].platform = platform;
	a->nboot++;
	return 0;
}

static int
parse_partition(struct args *a, char *spec)
{
	char *c1 = strchr(spec, ':'), *c2, *end;
	unsigned long n, t;

	if (a->nparts >= MAX_PARTS || c1 == NULL ||
	    (c2 = strchr(c1 + 1, ':')) == NULL)
		return cli_usage_error("--append-partition wants N:TYPE:FILE, "
		    "not '%s'", spec);
	n = strtoul(spec, &end, 10);
	if (end != c1 || n < 1 || n > 4)
		return cli_usage_error("partition number in '%s' is not 1..4",
		    spec);
	t = strtoul(c1 + 1, &end, 16);
	if (end != c2 || t > 0xFF)
		return cli_usage_error("partition type in '%s' is not a hex "
		    "byte", spec);
	a->parts[a->nparts].number = (unsigned)n;
	a->parts[a->nparts].type = (uint8_t)t;
	a->parts[a->nparts].path = c2 + 1;
	a->nparts++;
	return 0;
}

static int
parse_option(struct args *a, int c, char *arg)
{
	struct optimg_mkiso_opts *o = &a->o;
	struct optimg_mkiso_boot *b;
	char *end;
	unsigned long v;

	switch (c) {
	case 'o': a->out = arg; return 0;
	case 'f': o->force = true; return 0;
	case OPT_ALLOW_CHANGING: o->allow_changing = true; return 0;
	case 'V': o->volume_id = arg; return 0;
	case 'q': cli_quiet = true; return 0;
	case OPT_JSON: a->json = cli_json_output = true; return 0;
	case OPT_PUBLISHER: o->publisher = arg; return 0;
	case OPT_PREPARER: o->preparer = arg; return 0;
	case OPT_APPLICATION: o->application = arg; return 0;
	case OPT_SYSID: o->system_id = arg; return 0;
	case OPT_VOLSET: o->volume_set = arg; return 0;
	case OPT_EXCLUDE: return push(a->exclude, &a->nexclude, arg);
	case OPT_HIDE: return push(a->hide, &a->nhide, arg);
	case OPT_HIDE_JOLIET: return push(a->hide_joliet, &a->nhide_joliet,
	    arg);
	case OPT_SORT: o->sort_file = arg; return 0;
	case OPT_NO_ROCK: o->no_rock = true; return 0;
	case OPT_NO_JOLIET: o->no_joliet = true; return 0;
	case OPT_JOLIET_LONG: o->joliet_long = true; return 0;
	case OPT_DATE:
		if (cli_parse_seconds(arg, &o->date) < 0)
			return cli_usage_error("--date wants seconds since "
			    "1970, not '%s'", arg);
		o->have_date = true;
		return 0;
	case 'b': return add_boot(a, arg, OPTIMG_BOOT_BIOS);
	case OPT_EFI: return add_boot(a, arg, OPTIMG_BOOT_EFI);
	case OPT_LOAD_SIZE:
	case OPT_INFO_TABLE:
	case OPT_GRUB2_INFO:
	case OPT_FLOPPY:
	case OPT_HDD:
	case OPT_NOEMUL:
		if ((b = last_bios(a)) == NULL)
			return cli_usage_error("boot options come after "
			    "-b/--boot");
		if (c == OPT_INFO_TABLE)
			b->info_table = true;
		else if (c == OPT_GRUB2_INFO)
			b->grub2_boot_info = true;
		else if (c == OPT_FLOPPY)
			b->emul = OPTIMG_BOOT_FLOPPY;
		else if (c == OPT_HDD)
			b->emul = OPTIMG_BOOT_HDD;
		else if (c == OPT_NOEMUL)
			b->emul = OPTIMG_BOOT_NOEMUL;
		else {
			v = strtoul(arg, &end, 10);
			if (*end != '\0' || v == 0 || v > 65535)
				return cli_usage_error("--boot-load-size wants "
				    "1..65535, not '%s'", arg);
			b->load_size = (unsigned)v;
		}
		return 0;
	case OPT_CATALOG: o->boot_catalog = arg; return 0;
	case OPT_HIDE_CATALOG: a->hide_catalog = true; return 0;
	case OPT_MBR: o->mbr = arg; return 0;
	case OPT_GPT: o->gpt = true; return 0;
	case OPT_APPEND: return parse_partition(a, arg);
	case OPT_FORCE_BOOTABLE: o->mbr_force_bootable = true; return 0;
	}
	return EXIT_USAGE;
}

/* SRC=DEST when the part before '=' exists; otherwise a plain path. */
static void
parse_source(char *arg, struct optimg_mkiso_source *s)
{
	struct stat st;
	char *eq = strchr(arg, '=');

	s->path = arg;
	s->dest = NULL;
	if (eq == NULL || lstat(arg, &st) == 0)
		return;
	*eq = '\0';
	if (lstat(arg, &st) == 0) {
		s->dest = eq + 1;
		return;
	}
	*eq = '=';
}

static int
check_args(struct args *a, int nsrc)
{
	const char *env = getenv("SOURCE_DATE_EPOCH");

	if (a->out == NULL)
		return cli_usage_error("no output: give -o OUT.iso");
	if (nsrc == 0)
		return cli_usage_error("no source: give files or directories "
		    "to put in the image");
	if (!a->o.have_date && env != NULL && *env != '\0') {
		if (cli_parse_seconds(env, &a->o.date) < 0)
			return cli_usage_error("SOURCE_DATE_EPOCH='%s' is not "
			    "seconds since 1970", env);
		a->o.have_date = true;
	}
	if ((a->o.mbr != NULL || a->o.gpt) && a->nboot == 0 &&
	    a->nparts == 0)
		return cli_usage_error("--mbr and --gpt need a boot image "
		    "(-b, --efi-boot) or --append-partition");
	if (a->hide_catalog)
		a->o.boot_catalog = NULL;
	return 0;
}

/* --json: the output and what it holds, read back. */
static void
describe(struct json_object *doc, const struct args *a)
{
	struct optimg_image *img = optimg_image_new();
	struct json_object *o = json_object_new_object(), *s;
	char volid[33];
	unsigned i;

	s = json_object_new_array();
	for (i = 0; i < a->o.nsources; i++)
		json_object_array_add(s, json_object_new_string(
		    a->o.sources[i].path));
	json_object_object_add(doc, "sources", s);
	json_object_object_add(doc, "output", o);
	cli_json_add_str(o, "path", a->out);
	if (img == NULL || optimg_image_open(img, a->out) < 0) {
		optimg_image_free(img);
		return;
	}
	cli_json_add_u64(o, "bytes", optimg_image_size(img));
	if (optimg_image_volume_id(img, 0, volid) == 0)
		cli_json_add_str(o, "volume_id", volid);
	if (a->o.have_date)
		json_object_object_add(o, "date",
		    json_object_new_int64(a->o.date));
	cli_json_add_u64(o, "boot_images", a->nboot);
	optimg_image_free(img);
}

static int
run(struct args *a)
{
	struct json_object *doc;
	struct cli_progress prog;
	struct optimg_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	cli_progress_init(&prog, "mkiso");
	a->o.progress = cli_progress_cb;
	a->o.progress_ctx = &prog;
	a->o.warning = cli_warning_cb;
	doc = a->json ? cli_json_begin("mkiso") : NULL;
	rc = optimg_mkiso(&a->o, a->out, &err);
	cli_progress_done(&prog);
	rc = cli_write_status(rc, &err, a->out);
	if (doc != NULL)
		describe(doc, a);
	return cli_json_end(rc);
}

int
cmd_mkiso(int argc, char **argv)
{
	struct args a;
	int c, i, rc;

	memset(&a, 0, sizeof(a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:fV:qb:", long_opts, NULL)) !=
	    -1) {
		if (c == OPT_HELP) {
			usage(stdout);
			return 0;
		}
		if (c == '?')
			return cli_usage_error("bad option");
		if ((rc = parse_option(&a, c, optarg)) != 0)
			return rc;
	}
	if ((rc = check_args(&a, argc - optind)) != 0)
		return rc;
	a.src = calloc((size_t)(argc - optind), sizeof(*a.src));
	if (a.src == NULL) {
		cli_error("out of memory");
		return 1;
	}
	for (i = optind; i < argc; i++)
		parse_source(argv[i], &a.src[i - optind]);
	a.o.sources = a.src;
	a.o.nsources = (unsigned)(argc - optind);
	a.o.exclude = a.exclude;
	a.o.nexclude = a.nexclude;
	a.o.hide = a.hide;
	a.o.nhide = a.nhide;
	a.o.hide_joliet = a.hide_joliet;
	a.o.nhide_joliet = a.nhide_joliet;
	a.o.boot = a.boot;
	a.o.nboot = a.nboot;
	a.o.partitions = a.parts;
	a.o.npartitions = a.nparts;
	rc = run(&a);
	free(a.src);
	return rc;
}
