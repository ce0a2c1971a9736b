/*
 * cmd_verify.c - `optimg verify IMAGE [--dat FILE] [--json]`: per-track
 * hashes, EDC/ECC of every data sector, a Redump DAT match.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static const char usage[] =
    "usage: optimg verify [--dat FILE.dat] [--json] IMAGE\n"
    "\n"
    "Computes each track's size, CRC32, MD5 and SHA-1 as Redump does (the\n"
    "bytes of the track's bin in a split dump, whether the image has one\n"
    "bin or many; an ISO's whole file) and checks sync, header, EDC and\n"
    "ECC of every data sector, naming bad ones by sector number (LBA).\n"
    "A CHD's own SHA-1s (of its data, and of data and metadata) are\n"
    "checked first.\n"
    "\n"
    "With --dat, a Redump or Logiqx DAT (XML) is searched for the entry\n"
    "whose roms match the tracks; the report names the entry, and the\n"
    "tracks that differ from it.  An optimg .hash file serves as a DAT.\n"
    "\n"
    "Options:\n"
    "  --dat FILE   compare with the entries of a DAT file\n"
    "  --json       print a JSON document instead of text\n"
    "  -q, --quiet  no progress bar\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 when every sector is good and (with --dat) an entry\n"
    "matches every track, 1 otherwise, 2 for a usage error.\n"
    "\n"
    "Example:\n"
    "  optimg verify --dat 'Sony - PlayStation.dat' 'Game (Europe).cue'\n";

static const struct {
	unsigned	 bit;
	const char	*name;
} check_names[] = {
	{ OPTIMG_CHECK_SYNC, "sync" }, { OPTIMG_CHECK_HEADER, "header" },
	{ OPTIMG_CHECK_MODE, "mode" }, { OPTIMG_CHECK_EDC, "EDC" },
	{ OPTIMG_CHECK_ECC_P, "ECC-P" }, { OPTIMG_CHECK_ECC_Q, "ECC-Q" },
};

static const char *
dat_status_name(enum optimg_dat_status st)
{
	switch (st) {
	case OPTIMG_DAT_MATCH:		return "match";
	case OPTIMG_DAT_DIFFERS:	return "differs";
	case OPTIMG_DAT_MISSING:	return "not in the entry";
	default:			return "none";
	}
}

/* ---- text ---------------------------------------------------------------- */

static void
print_diff(const struct optimg_verify_track *t)
{
	char crc[9], sha1[41];

	optimg_hashes_hex(&t->dat_hashes, crc, NULL, sha1);
	printf("          the DAT's '%s' has size %llu crc32 %s sha1 %s\n",
	    cli_name(t->dat_rom), (unsigned long long)t->dat_hashes.size, crc,
	    sha1);
}

static void
print_text(struct optimg_image *img, const struct optimg_verify_result *r,
    const char *dat)
{
	/* Roms outside any <game> (a .hash file) belong to the file. */
	const char *game = r->dat_game != NULL && r->dat_game[0] != '\0' ?
	    r->dat_game : dat;
	uint64_t checked = 0;

	printf("image:    %s (%s)\n", cli_name(optimg_image_path(img)),
	    optimg_image_format(img));
	for (unsigned i = 0; i < r->ntracks; i++) {
		const struct optimg_verify_track *t = &r->tracks[i];
		char crc[9], md5[33], sha1[41];

		optimg_hashes_hex(&t->hashes, crc, md5, sha1);
		checked += t->checked;
		printf("track %-3u %s\n", t->number, cli_name(t->name));
		printf("          size %llu  crc32 %s  md5 %s  sha1 %s\n",
		    (unsigned long long)t->hashes.size, crc, md5, sha1);
		if (t->checked > 0)
			printf("          %lu data sectors checked, %lu bad\n",
			    (unsigned long)t->checked, (unsigned long)t->bad);
		if (dat && t->dat == OPTIMG_DAT_DIFFERS)
			print_diff(t);
		if (dat && r->dat_game != NULL)
			printf("          dat: %s\n", dat_status_name(t->dat));
	}
	printf("sectors:  %llu data sectors checked, %llu bad\n",
	    (unsigned long long)checked, (unsigned long long)r->nbad);
	for (unsigned i = 0; i < r->nlisted; i++) {
		printf("  bad sector %ld (track %u):", (long)r->bad[i].lba,
		    r->bad[i].track);
		for (unsigned k = 0; k < sizeof(check_names) /
		    sizeof(check_names[0]); k++)
			if (r->bad[i].bad & check_names[k].bit)
				printf(" %s", check_names[k].name);
		putchar('\n');
	}
	if (r->nbad > r->nlisted)
		printf("  and %llu more\n",
		    (unsigned long long)(r->nbad - r->nlisted));
	if (dat && r->dat_game == NULL)
		printf("dat:      no entry matches\n");
	else if (dat && r->dat_match)
		printf("dat:      matches %s\n", cli_quoted(game));
	else if (dat) {
		printf("dat:      differs from %s:", cli_quoted(game));
		for (unsigned i = 0; i < r->ntracks; i++)
			if (r->tracks[i].dat != OPTIMG_DAT_MATCH)
				printf(" track %u %s;", r->tracks[i].number,
				    dat_status_name(r->tracks[i].dat));
		if (r->dat_unmatched > 0)
			printf(" %u of its roms stand for no track here;",
			    r->dat_unmatched);
		putchar('\n');
	}
	printf("result:   %s\n", r->ok ? "ok" : "FAILED");
}

/* ---- JSON ------------------------------------------------------------------ */

static struct json_object *
json_hashes(const struct optimg_hashes *h)
{
	struct json_object *o = json_object_new_object();
	char crc[9], md5[33], sha1[41];

	optimg_hashes_hex(h, crc, md5, sha1);
	json_object_object_add(o, "size", json_object_new_int64(
	    (int64_t)h->size));
	json_object_object_add(o, "crc32", json_object_new_string(crc));
	json_object_object_add(o, "md5", json_object_new_string(md5));
	json_object_object_add(o, "sha1", json_object_new_string(sha1));
	return o;
}

static struct json_object *
json_track(const struct optimg_verify_track *t, bool dat)
{
	struct json_object *o = json_hashes(&t->hashes);

	json_object_object_add(o, "number", json_object_new_int(
	    (int)t->number));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "checked", json_object_new_int64(
	    t->checked));
	json_object_object_add(o, "bad", json_object_new_int64(t->bad));
	if (dat) {
		struct json_object *d = t->dat_rom != NULL ?
		    json_hashes(&t->dat_hashes) : json_object_new_object();
		json_object_object_add(d, "status", json_object_new_string(
		    dat_status_name(t->dat)));
		if (t->dat_rom != NULL)
			json_object_object_add(d, "rom",
			    json_object_new_string(t->dat_rom));
		json_object_object_add(o, "dat", d);
	}
	return o;
}

static void
print_json(struct optimg_image *img, const struct optimg_verify_result *r,
    bool dat)
{
	struct json_object *o = json_object_new_object();
	struct json_object *tracks = json_object_new_array();
	struct json_object *bad = json_object_new_array();

	json_object_object_add(o, "image", json_object_new_string(
	    optimg_image_path(img)));
	json_object_object_add(o, "format", json_object_new_string(
	    optimg_image_format(img)));
	for (unsigned i = 0; i < r->ntracks; i++)
		json_object_array_add(tracks, json_track(&r->tracks[i], dat));
	json_object_object_add(o, "tracks", tracks);
	for (unsigned i = 0; i < r->nlisted; i++) {
		struct json_object *s = json_object_new_object();
		struct json_object *what = json_object_new_array();
		json_object_object_add(s, "lba", json_object_new_int(
		    r->bad[i].lba));
		json_object_object_add(s, "track", json_object_new_int(
		    (int)r->bad[i].track));
		for (unsigned k = 0; k < sizeof(check_names) /
		    sizeof(check_names[0]); k++)
			if (r->bad[i].bad & check_names[k].bit)
				json_object_array_add(what,
				    json_object_new_string(check_names[k].name));
		json_object_object_add(s, "problems", what);
		json_object_array_add(bad, s);
	}
	json_object_object_add(o, "bad_sectors", bad);
	json_object_object_add(o, "bad_sector_count", json_object_new_int64(
	    (int64_t)r->nbad));
	if (dat) {
		struct json_object *d = json_object_new_object();
		json_object_object_add(d, "game", r->dat_game != NULL ?
		    json_object_new_string(r->dat_game) : NULL);
		json_object_object_add(d, "match", json_object_new_boolean(
		    r->dat_match));
		json_object_object_add(d, "unmatched_roms",
		    json_object_new_int((int)r->dat_unmatched));
		json_object_object_add(o, "dat", d);
	}
	json_object_object_add(o, "ok", json_object_new_boolean(r->ok));
	cli_json_print(o);
	json_object_put(o);
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dat", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct optimg_verify_opts opts;
	struct optimg_verify_result *res = NULL;
	struct optimg_error err;
	struct cli_progress prog;
	struct optimg_image *img;
	bool json = false;
	int c, rc, crc;

	memset(&opts, 0, sizeof(opts));
	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			opts.dat_path = optarg;
			break;
		case 'j':
			json = cli_json_output = true;
			break;
		case 'q':
			cli_quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_bad_option(argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(optind >= argc ? "no image given" :
		    "give one IMAGE");
	if ((img = cli_open_image(argv[optind])) == NULL)
		return 1;
	/* A CHD checks its own SHA-1s first: they cover every byte. */
	cli_progress_init(&prog, "checking");
	crc = optimg_image_verify_container(img, cli_progress_cb, &prog, &err);
	cli_progress_done(&prog);
	if (crc == OPTIMG_OK && !json)
		printf("container: its own SHA-1s match its data and metadata\n");
	else if (crc != OPTIMG_OK && crc != OPTIMG_EUNSUPP)
		cli_error("%s", crc == OPTIMG_ECANCELED ? "interrupted" :
		    cli_errmsg(&err));
	cli_progress_init(&prog, "verifying");
	opts.progress = cli_progress_cb;
	opts.progress_ctx = &prog;
	opts.warning = cli_warning_cb;
	rc = optimg_verify(img, &opts, &res, &err);
	cli_progress_done(&prog);
	if (rc < 0)
		cli_error("%s", rc == OPTIMG_ECANCELED ? "interrupted" :
		    cli_errmsg(&err));
	else if (json)
		print_json(img, res, opts.dat_path != NULL);
	else
		print_text(img, res, opts.dat_path);
	rc = rc < 0 || !res->ok || (crc < 0 && crc != OPTIMG_EUNSUPP) ? 1 : 0;
	optimg_verify_result_free(res);
	optimg_image_free(img);
	return rc;
}
