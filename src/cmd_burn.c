/*
 * cmd_burn.c - `optimg burn SOURCE`: an image or a folder onto a disc,
 * then read back and compared.  `--dry-run` shows the disc structure
 * that would be written, as a table or as JSON.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cli.h"
#include "cli_burn.h"

static const char usage[] =
    "usage: optimg burn [OPTIONS] SOURCE\n"
    "\n"
    "Writes SOURCE to a CD, DVD or BD and reads it back to compare.\n"
    "SOURCE is an image optimg reads (an ISO; a BIN/CUE, whose Mode 1 and\n"
    "audio tracks are written SAO with their pregaps, indices, ISRC,\n"
    "catalog and CD-TEXT) or a folder, made into an ISO 9660 image (Rock\n"
    "Ridge, Joliet) on the way to the drive without a temporary file.\n"
    "Nothing is written when a check fails: media not blank, an image\n"
    "larger than the media, audio on a DVD or BD, a write type the drive\n"
    "cannot do.\n"
    "\n"
    "Options:\n"
    "  --drive ADDR    the drive: /dev/sr0, or stdio:FILE to write into a\n"
    "                  file as if it were a disc (default: the only drive)\n"
    "  --dummy         simulate: the laser stays off, nothing is written\n"
    "  --speed S       write speed in x (8, 8x) or 'max' (the default)\n"
    "  --eject         eject the disc at the end\n"
    "  --no-verify     do not read the disc back\n"
    "  --verify-only   only compare the disc with SOURCE, write nothing\n"
    "  --multisession  leave the disc appendable\n"
    "  --append        add a session after the data already there\n"
    "  --blank         blank rewritable media first if they are not blank\n"
    "  --volid ID      a folder's volume id (default: the folder's name);\n"
    "                  SOURCE_DATE_EPOCH makes a folder's image reproducible\n"
    "                  (--verify-only of a folder needs the same value)\n"
    "  --dry-run       show the disc structure that would be written\n"
    "  --json          print the plan (--dry-run) or what was written\n"
    "                  as a JSON document\n"
    "  -q, --quiet     no progress display\n"
    "  -h, --help      show this help\n"
    "\n"
    "Examples:\n"
    "  optimg burn debian.iso\n"
    "  optimg burn album.cue --dry-run\n"
    "  optimg burn photos/ --drive /dev/sr1 --multisession\n"
    "  optimg burn x.iso --drive stdio:/tmp/disc.img\n";

enum {
	OPT_DRIVE = 256, OPT_DUMMY, OPT_SPEED, OPT_EJECT, OPT_NO_VERIFY,
	OPT_VERIFY_ONLY, OPT_MULTI, OPT_APPEND, OPT_BLANK, OPT_DRY_RUN,
	OPT_JSON, OPT_VOLID,
};

static const struct option longopts[] = {
	{ "drive",		required_argument,	NULL, OPT_DRIVE },
	{ "dummy",		no_argument,		NULL, OPT_DUMMY },
	{ "speed",		required_argument,	NULL, OPT_SPEED },
	{ "eject",		no_argument,		NULL, OPT_EJECT },
	{ "no-verify",		no_argument,		NULL, OPT_NO_VERIFY },
	{ "verify-only",	no_argument,		NULL, OPT_VERIFY_ONLY },
	{ "multisession",	no_argument,		NULL, OPT_MULTI },
	{ "append",		no_argument,		NULL, OPT_APPEND },
	{ "blank",		no_argument,		NULL, OPT_BLANK },
	{ "volid",		required_argument,	NULL, OPT_VOLID },
	{ "dry-run",		no_argument,		NULL, OPT_DRY_RUN },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "quiet",		no_argument,		NULL, 'q' },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct burn_args {
	struct optimg_burn_opts	 o;
	const char		*source;
	const char		*volid;
	bool			 dry_run, json;
};

/* "8", "8x", "max": x of the media, 0 for the fastest. */
static struct json_object *doc;	/* --json */

static int
parse_speed(const char *arg, unsigned *out)
{
	char *end;
	unsigned long v;

	if (strcmp(arg, "max") == 0) {
		*out = 0;
		return 0;
	}
	v = strtoul(arg, &end, 10);
	if (end == arg || (*end != '\0' && strcmp(end, "x") != 0) ||
	    v == 0 || v > 999)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int
parse_args(int argc, char **argv, struct burn_args *a)
{
	int c;

	a->o.verify = true;
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DRIVE:		a->o.drive = optarg; break;
		case OPT_DUMMY:		a->o.dummy = true; break;
		case OPT_EJECT:		a->o.eject = true; break;
		case OPT_NO_VERIFY:	a->o.verify = false; break;
		case OPT_VERIFY_ONLY:	a->o.verify_only = true; break;
		case OPT_MULTI:		a->o.multisession = true; break;
		case OPT_APPEND:	a->o.append = true; break;
		case OPT_BLANK:		a->o.blank = true; break;
		case OPT_VOLID:		a->volid = optarg; break;
		case OPT_DRY_RUN:	a->dry_run = true; break;
		case OPT_JSON:		a->json = cli_json_output = true; break;
		case 'q':		cli_quiet = true; break;
		case OPT_SPEED:
			if (parse_speed(optarg, &a->o.speed) < 0)
				return cli_usage_error("bad speed '%s' (a "
				    "number of x, or 'max')", optarg);
			break;
		case 'h':
			fputs(usage, stdout);
			return -1;
		default:
			return cli_bad_option(argv);
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(optind == argc ? "no SOURCE given" :
		    "one SOURCE only");
	a->source = argv[optind];
	if (a->o.append && a->o.blank)
		return cli_usage_error("--append and --blank exclude each other");
	if (a->o.verify_only && (a->o.dummy || a->o.append || a->o.blank))
		return cli_usage_error("--verify-only writes nothing; drop "
		    "--dummy, --append and --blank");
	return 0;
}

/* ---- --dry-run ----------------------------------------------------------- */

static void
msf(int32_t lba, char out[16])
{
	unsigned m, s, f;

	optimg_lba_to_msf(lba, &m, &s, &f);
	snprintf(out, 16, "%02u:%02u:%02u", m, s, f);
}

static struct json_object *
json_cdtext(const struct optimg_cdtext *t)
{
	struct json_object *o = json_object_new_object();

	for (unsigned f = 0; t != NULL && f < OPTIMG_CDTEXT_NFIELDS; f++)
		if (t->field[f] != NULL)
			json_object_object_add(o, optimg_cdtext_field_name(f),
			    json_object_new_string(t->field[f]));
	return o;
}

static struct json_object *
json_flags(unsigned flags)
{
	static const struct { unsigned bit; const char *name; } names[] = {
		{ OPTIMG_FLAG_DATA, "DATA" }, { OPTIMG_FLAG_DCP, "DCP" },
		{ OPTIMG_FLAG_4CH, "4CH" }, { OPTIMG_FLAG_PRE, "PRE" },
		{ OPTIMG_FLAG_SCMS, "SCMS" },
	};
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & names[i].bit)
			json_object_array_add(a,
			    json_object_new_string(names[i].name));
	return a;
}

static struct json_object *
json_track(const struct optimg_burn_track *t)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ix = json_object_new_array();
	char m[16];

	json_object_object_add(o, "number", json_object_new_int(t->number));
	json_object_object_add(o, "mode", json_object_new_string(
	    t->mode == OPTIMG_TRACK_AUDIO ? "AUDIO" : "MODE1"));
	json_object_object_add(o, "source_mode",
	    json_object_new_string(t->source_mode));
	json_object_object_add(o, "block_size",
	    json_object_new_int(t->block_size));
	json_object_object_add(o, "start", json_object_new_int(t->start));
	msf(t->start, m);
	json_object_object_add(o, "msf", json_object_new_string(m));
	json_object_object_add(o, "length", json_object_new_int64(t->length));
	json_object_object_add(o, "pregap", json_object_new_int64(t->pregap));
	json_object_object_add(o, "pregap_zero",
	    json_object_new_int64(t->pregap_zero));
	json_object_object_add(o, "postgap_zero",
	    json_object_new_int64(t->postgap_zero));
	json_object_object_add(o, "source_lba",
	    json_object_new_int(t->src_lba));
	json_object_object_add(o, "source_sectors",
	    json_object_new_int64(t->src_sectors));
	for (unsigned k = 0; k < OPTIMG_MAX_INDEX; k++) {
		struct json_object *e;

		if (t->index[k] == OPTIMG_NO_INDEX)
			continue;
		e = json_object_new_object();
		json_object_object_add(e, "number", json_object_new_int(k));
		json_object_object_add(e, "lba",
		    json_object_new_int(t->index[k]));
		msf(t->index[k], m);
		json_object_object_add(e, "msf", json_object_new_string(m));
		json_object_array_add(ix, e);
	}
	json_object_object_add(o, "indices", ix);
	json_object_object_add(o, "flags", json_flags(t->flags));
	json_object_object_add(o, "isrc", t->isrc[0] != '\0' ?
	    json_object_new_string(t->isrc) : NULL);
	json_object_object_add(o, "cdtext", json_cdtext(t->cdtext));
	return o;
}

static struct json_object *
json_packs(const uint8_t *packs, unsigned n)
{
	struct json_object *a = json_object_new_array();
	char hex[37];

	for (unsigned i = 0; i < n; i++) {
		for (unsigned b = 0; b < 18; b++)
			snprintf(hex + 2 * b, 3, "%02x", packs[18 * i + b]);
		json_object_array_add(a, json_object_new_string(hex));
	}
	return a;
}

static int
print_json(const struct burn_args *a, const char *format,
    const struct optimg_burn_plan *p, const uint8_t *packs, unsigned npacks)
{
	struct json_object *root = doc;
	struct json_object *sessions = json_object_new_array();
	struct json_object *s = json_object_new_object();
	struct json_object *tracks = json_object_new_array();

	json_object_object_add(root, "source",
	    json_object_new_string(a->source));
	json_object_object_add(root, "format", json_object_new_string(format));
	json_object_object_add(root, "write_type", json_object_new_string(
	    p->audio ? "SAO" : "auto"));
	json_object_object_add(root, "sectors",
	    json_object_new_int64(p->sectors));
	json_object_object_add(root, "bytes",
	    json_object_new_int64((int64_t)p->bytes));
	json_object_object_add(s, "number", json_object_new_int(1));
	json_object_object_add(s, "catalog", p->catalog[0] != '\0' ?
	    json_object_new_string(p->catalog) : NULL);
	json_object_object_add(s, "cdtext", json_cdtext(p->cdtext));
	json_object_object_add(s, "cdtext_packs", json_packs(packs, npacks));
	for (unsigned i = 0; i < p->ntracks; i++)
		json_object_array_add(tracks, json_track(&p->tracks[i]));
	json_object_object_add(s, "tracks", tracks);
	json_object_array_add(sessions, s);
	json_object_object_add(root, "sessions", sessions);
	return 0;
}

static void
print_table(const char *format, const struct optimg_burn_plan *p,
    unsigned npacks)
{
	char m[16];

	printf("format:   %s\n", format);
	printf("write:    %s, %u sectors, %llu bytes\n",
	    p->audio ? "SAO (disc at once)" : "as the media allows",
	    p->sectors, (unsigned long long)p->bytes);
	if (p->catalog[0] != '\0')
		printf("catalog:  %s\n", p->catalog);
	if (npacks > 0)
		printf("cdtext:   %u packs\n", npacks);
	printf("\n  track  mode   start  msf       length  pregap  isrc\n");
	for (unsigned i = 0; i < p->ntracks; i++) {
		const struct optimg_burn_track *t = &p->tracks[i];

		msf(t->start, m);
		printf("  %5u  %-5s %6d  %s %7u %7u  %s\n", t->number,
		    t->mode == OPTIMG_TRACK_AUDIO ? "AUDIO" : "MODE1",
		    t->start, m, t->length, t->pregap,
		    t->isrc[0] != '\0' ? t->isrc : "-");
		for (unsigned k = 0; k < OPTIMG_MAX_INDEX; k++)
			if (k != 1 && t->index[k] != OPTIMG_NO_INDEX)
				printf("         index %02u at %d\n", k,
				    t->index[k]);
	}
}

static int
dry_run(const struct burn_args *a, const char *format,
    const struct optimg_burn_plan *p)
{
	struct optimg_error err = { 0 };
	uint8_t *packs = NULL;
	unsigned n = 0;

	if (optimg_burn_plan_cdtext_packs(p, &packs, &n, &err) < 0) {
		cli_error("%s", cli_errmsg(&err));
		return 1;
	}
	if (a->json)
		print_json(a, format, p, packs, n);
	else
		print_table(format, p, n);
	free(packs);
	return 0;
}

/* ---- burning ------------------------------------------------------------- */

static void
report_verify(const struct optimg_burn_plan *p,
    const struct optimg_burn_result *res)
{
	for (unsigned i = 0; i < p->ntracks; i++) {
		const struct optimg_burn_track_result *t = &res->tracks[i];

		if (!t->compared) {
			if (!cli_quiet)
				fprintf(stderr, "optimg: burn: track %u: audio, "
				    "not compared\n", t->number);
			continue;
		}
		if (t->nbad == 0)
			continue;
		fflush(stdout);
		fprintf(stderr, "optimg: burn: verify: track %u: %u bad "
		    "sector%s, first at", t->number, t->nbad,
		    t->nbad == 1 ? "" : "s");
		for (unsigned k = 0; k < t->nbad && k < OPTIMG_BURN_BAD_MAX;
		    k++)
			fprintf(stderr, "%s %d", k > 0 ? "," : "", t->bad[k]);
		fprintf(stderr, "%s\n", t->nbad > OPTIMG_BURN_BAD_MAX ?
		    ", ..." : "");
	}
}

/* --json: what was written where, and what the read-back found. */
static void
json_result(const struct burn_args *a, const struct optimg_burn_plan *p,
    const struct optimg_burn_result *res)
{
	struct json_object *tracks = json_object_new_array();

	cli_json_add_str(doc, "source", a->source);
	cli_json_add_str(doc, "drive", a->o.drive);
	cli_json_add_str(doc, "media", res->media);
	cli_json_add_str(doc, "action", a->o.verify_only ? "compared" :
	    a->o.dummy ? "simulated" : "wrote");
	cli_json_add_u64(doc, "bytes", p->bytes);
	cli_json_add_u64(doc, "start_byte", res->start_byte);
	json_object_object_add(doc, "written",
	    json_object_new_boolean(res->written));
	json_object_object_add(doc, "verified",
	    json_object_new_boolean(res->verified));
	cli_json_add_u64(doc, "bad_sectors", res->nbad);
	for (unsigned i = 0; res->tracks != NULL && i < p->ntracks; i++) {
		const struct optimg_burn_track_result *t = &res->tracks[i];
		struct json_object *o = json_object_new_object();
		struct json_object *bad = json_object_new_array();

		cli_json_add_u64(o, "number", t->number);
		json_object_object_add(o, "compared",
		    json_object_new_boolean(t->compared));
		cli_json_add_u64(o, "sectors", t->sectors);
		cli_json_add_u64(o, "bad", t->nbad);
		for (unsigned k = 0; k < t->nbad && k < OPTIMG_BURN_BAD_MAX;
		    k++)
			json_object_array_add(bad,
			    json_object_new_int(t->bad[k]));
		json_object_object_add(o, "first_bad", bad);
		json_object_array_add(tracks, o);
	}
	json_object_object_add(doc, "tracks", tracks);
}

static int
run_burn(const struct burn_args *a, struct optimg_image *img,
    struct optimg_mkiso *mk, const struct optimg_burn_plan *p)
{
	struct optimg_burn_opts o = a->o;
	struct optimg_burn_result res;
	struct optimg_error err = { 0 };
	struct cli_burn_progress prog;
	int rc;

	if (o.append && !o.verify_only)
		cli_warning("--append: the new session holds only '%s', "
		    "addressed from its own start: the ISO writer cannot yet "
		    "import the previous session or start at the disc's next "
		    "writable address", a->source);
	cli_burn_progress_init(&prog);
	o.progress = cli_burn_progress_cb;
	o.progress_ctx = &prog;
	rc = optimg_burn(img, mk, p, &o, &res, &err);
	cli_burn_progress_done(&prog);
	if (res.tracks != NULL && res.verified)
		report_verify(p, &res);
	if (rc < 0) {
		cli_error("%s", cli_errmsg(&err));
		cli_json_error_detail(&err);
	}
	if (doc != NULL)
		json_result(a, p, &res);
	else if (rc == 0 && !cli_quiet) {
		printf("%s %llu bytes to '%s'%s%s\n",
		    o.verify_only ? "compared" : o.dummy ? "simulated" :
		    "wrote", (unsigned long long)p->bytes,
		    o.drive != NULL ? o.drive : "the drive",
		    res.start_byte > 0 ? " (appended)" : "",
		    res.verified ? ", verified" : "");
	}
	optimg_burn_result_release(&res);
	return rc < 0 ? 1 : 0;
}

static int
burn_image(const struct burn_args *a)
{
	struct optimg_image *img = cli_open_image(a->source);
	struct optimg_burn_plan *p = NULL;
	struct optimg_error err = { 0 };
	int rc;

	if (img == NULL)
		return 1;
	if (optimg_burn_plan_image(img, &p, &err) < 0) {
		cli_error("'%s': %s", a->source, cli_errmsg(&err));
		optimg_image_free(img);
		return 1;
	}
	rc = a->dry_run ? dry_run(a, optimg_image_format(img), p) :
	    run_burn(a, img, NULL, p);
	optimg_burn_plan_free(p);
	optimg_image_free(img);
	return rc;
}

/* A folder's name as a volume id: the last path component. */
static void
folder_volid(const char *path, char out[33])
{
	size_t len = strlen(path);
	const char *b;

	while (len > 1 && path[len - 1] == '/')
		len--;
	for (b = path + len; b > path && b[-1] != '/'; b--)
		;
	snprintf(out, 33, "%.*s", (int)(path + len - b), b);
	if (out[0] == '\0' || strcmp(out, "/") == 0 || strcmp(out, ".") == 0)
		snprintf(out, 33, "CDROM");
}

static int
burn_folder(const struct burn_args *a)
{
	struct optimg_mkiso_source src = { .path = a->source };
	struct optimg_mkiso_opts mo = { .sources = &src, .nsources = 1,
	    .warning = cli_warning_cb };
	struct optimg_mkiso *mk = NULL;
	struct optimg_burn_plan *p = NULL;
	struct optimg_error err = { 0 };
	const char *date = getenv("SOURCE_DATE_EPOCH");
	char volid[33];
	int rc = 1;

	folder_volid(a->source, volid);
	mo.volume_id = a->volid != NULL ? a->volid : volid;
	/* Reproducible, as mkiso: the same tree makes the same bytes. */
	if (date != NULL && *date != '\0') {
		char *end;

		mo.date = strtoll(date, &end, 10);
		if (*end != '\0' || mo.date < 0) {
			cli_error("SOURCE_DATE_EPOCH='%s' is not seconds since "
			    "1970", date);
			return 1;
		}
		mo.have_date = true;
	}
	if (optimg_mkiso_new(&mo, &mk, &err) < 0 ||
	    optimg_burn_plan_stream(optimg_mkiso_size(mk), &p, &err) < 0) {
		cli_error("%s", cli_errmsg(&err));
		goto out;
	}
	rc = a->dry_run ? dry_run(a, "folder", p) : run_burn(a, NULL, mk, p);
out:
	optimg_burn_plan_free(p);
	optimg_mkiso_free(mk);
	return rc;
}

int
cmd_burn(int argc, char **argv)
{
	struct burn_args a = { 0 };
	struct stat st;
	int rc = parse_args(argc, argv, &a);

	if (rc != 0)
		return rc < 0 ? 0 : rc;
	doc = a.json ? cli_json_begin("burn") : NULL;
	if (stat(a.source, &st) == 0 && S_ISDIR(st.st_mode))
		return cli_json_end(burn_folder(&a));
	return cli_json_end(burn_image(&a));
}
