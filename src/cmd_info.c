/*
 * cmd_info.c - `optimg info IMAGE [--json]`: what an image holds.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "cli.h"

static const char usage[] =
    "usage: optimg info [--json] IMAGE|DEVICE...\n"
    "\n"
    "Shows an image's format, size, catalog number (MCN), CD-TEXT and a\n"
    "table of its sessions and tracks: number, mode, start (LBA and MSF),\n"
    "length, pregap, flags, ISRC and, for data tracks, the ISO 9660\n"
    "volume id.  The format is recognised from the content.  Given an\n"
    "optical drive (/dev/sr0), it shows the disc in it, with the drive and\n"
    "the medium's profile (CD-ROM, DVD-ROM, BD-ROM ...).\n"
    "\n"
    "Options:\n"
    "  --json      print a JSON document instead of the table\n"
    "  --boot-recipe  print a shell script of the optimg mkiso options\n"
    "              that rebuild the image's boot setup\n"
    "  -h, --help  show this help\n"
    "\n"
    "Example:\n"
    "  optimg info game.cue\n";

static void
length_string(uint32_t sectors, char out[16])
{
	snprintf(out, 16, "%02u:%02u:%02u", sectors / 4500, sectors / 75 % 60,
	    sectors % 75);
}

static void
msf_string(int32_t lba, char out[16])
{
	unsigned m, s, f;

	/* Past 100 minutes a header's MSF wraps; the table says the time. */
	if (lba >= 0) {
		length_string((uint32_t)lba + 150, out);
		return;
	}
	optimg_lba_to_msf(lba, &m, &s, &f);
	snprintf(out, 16, "%02u:%02u:%02u", m, s, f);
}


static void
flags_string(unsigned flags, const struct optimg_track *t, char *out,
    size_t len)
{
	snprintf(out, len, "%s%s%s%s%s",
	    t->mode != OPTIMG_TRACK_AUDIO ? "DATA " : "",
	    flags & OPTIMG_FLAG_DCP ? "DCP " : "",
	    flags & OPTIMG_FLAG_4CH ? "4CH " : "",
	    flags & OPTIMG_FLAG_PRE ? "PRE " : "",
	    flags & OPTIMG_FLAG_SCMS ? "SCMS " : "");
	if (out[0] != '\0')
		out[strlen(out) - 1] = '\0';
	else
		snprintf(out, len, "-");
}

static void
print_cdtext(const char *indent, const struct optimg_cdtext *ct)
{
	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		if (ct->field[i] != NULL)
			printf("%s%-11s %s\n", indent,
			    optimg_cdtext_field_name(i),
			    cli_name(ct->field[i]));
}

static const char *
storage_name(enum optimg_storage s)
{
	static const char *const names[] = { "raw", "mode2", "user",
	    "plain" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] :
	    "?";
}

static uint32_t
disc_sectors(const struct optimg_disc *d)
{
	return d->nsessions > 0 ?
	    (uint32_t)d->sessions[d->nsessions - 1].leadout : 0;
}

static void
print_track(struct optimg_image *img, unsigned i)
{
	const struct optimg_track *t = &optimg_image_disc(img)->tracks[i];
	char msf[16], flags[64], volid[33] = "";

	msf_string(t->start, msf);
	flags_string(t->flags, t, flags, sizeof(flags));
	if (t->mode != OPTIMG_TRACK_AUDIO)
		optimg_image_volume_id(img, i, volid);
	printf("  %7u %5u  %-10s %7ld  %s %7lu %6lu  %-9s %-12s %s\n",
	    t->session, t->number, optimg_track_mode_name(t), (long)t->start,
	    msf, (unsigned long)t->length, (unsigned long)t->pregap, flags,
	    t->isrc[0] ? cli_name(t->isrc) : "-", cli_name(volid));
	for (unsigned n = 0; n < OPTIMG_MAX_INDEX; n++) {
		if (n == 1 || t->index[n] == OPTIMG_NO_INDEX)
			continue;
		msf_string(t->index[n], msf);
		printf("  %13s index %02u at %ld (%s)\n", "", n,
		    (long)t->index[n], msf);
	}
	if (t->pregap_unstored)
		printf("  %13s pregap of %u sector%s not stored in the file\n",
		    "", t->pregap_unstored, t->pregap_unstored == 1 ? "" : "s");
	if (t->postgap_unstored)
		printf("  %13s postgap of %u sector%s not stored in the "
		    "file\n", "", t->postgap_unstored,
		    t->postgap_unstored == 1 ? "" : "s");
	if (t->subchannel)
		printf("  %13s subchannel (96 bytes of P-W a sector) kept\n",
		    "");
	print_cdtext("                ", &t->cdtext);
}

/* Before a session's first track: the gap no image stores. */
static void
print_session_gap(const struct optimg_disc *d, unsigned i)
{
	for (unsigned s = 1; s < d->nsessions; s++)
		if (d->sessions[s].first_track == i &&
		    (d->sessions[s - 1].leadout_length > 0 ||
		    d->sessions[s].leadin_length > 0))
			printf("  %13s lead-out of %u and lead-in of %u sectors "
			    "from %ld (in no file)\n", "",
			    d->sessions[s - 1].leadout_length,
			    d->sessions[s].leadin_length,
			    (long)d->sessions[s - 1].leadout);
}

/* The length of a plural noun ("blocks") to print after n: "1 block". */
static int
noun_len(unsigned n, const char *plural)
{
	size_t len = strlen(plural);

	return (int)(n == 1 && len > 1 && plural[len - 1] == 's' ? len - 1 :
	    len);
}

/* Files read through a decompressor: an ISO.xz, a cue's bins.ecm. */
static void
print_packed(const struct optimg_container *c)
{
	printf("container: %s, %u file%s, %u %.*s, %llu bytes hold %llu "
	    "(%.1f%%)\n", c->kind, c->files, c->files == 1 ? "" : "s",
	    c->hunk_count, noun_len(c->hunk_count, c->units), c->units,
	    (unsigned long long)c->stored_bytes,
	    (unsigned long long)c->logical_bytes, c->logical_bytes == 0 ?
	    0.0 : 100.0 * (double)c->stored_bytes /
	    (double)c->logical_bytes);
	if (c->nmix > 1) {
		printf("files:    ");
		for (unsigned i = 0; i < c->nmix; i++)
			printf("%s%s %u", i > 0 ? ", " : "", c->mix[i].name,
			    c->mix[i].hunks);
		printf("\n");
	}
}

static void
print_container(struct optimg_image *img)
{
	struct optimg_container c;

	if (optimg_image_container(img, &c) < 0)
		return;
	if (strcmp(c.kind, "chd") != 0) {
		print_packed(&c);
		return;
	}
	printf("container: %s v%u, %u hunk%s of %u bytes (units of %u), "
	    "%llu bytes hold %llu (%.1f%%)\n", c.kind, c.version,
	    c.hunk_count, c.hunk_count == 1 ? "" : "s", c.hunk_bytes,
	    c.unit_bytes,
	    (unsigned long long)c.stored_bytes,
	    (unsigned long long)c.logical_bytes, c.logical_bytes == 0 ? 0.0 :
	    100.0 * (double)c.stored_bytes / (double)c.logical_bytes);
	printf("hunks:    ");
	for (unsigned i = 0; i < c.nmix; i++)
		printf("%s%s %u", i > 0 ? ", " : "", c.mix[i].name,
		    c.mix[i].hunks);
	printf("\nsha1:     %s (data %s)\n", c.sha1, c.raw_sha1);
	if (c.parent_sha1[0] != '\0')
		printf("parent:   %s (%s)\n", c.parent_sha1,
		    c.parent_path != NULL ? cli_name(c.parent_path) : "?");
}

/* The disc in a drive: what the drive is and what medium it holds. */
static void
print_drive(const struct optimg_drive_info *in)
{
	printf("drive:    %s%s%s%s%s (%s)\n", in->vendor,
	    in->vendor[0] ? " " : "", in->model, in->revision[0] ? " " : "",
	    in->revision, in->driver);
	if (in->profile_name != NULL)
		printf("medium:   %s (profile 0x%04x)\n", in->profile_name,
		    in->profile);
	else
		printf("medium:   %s\n", in->dvd ? "DVD or BD" : "CD");
	printf("reads:    %s\n", in->dvd ? "2048-byte sectors" :
	    in->c2 ? "raw sectors with C2 error pointers" : "raw sectors");
}

/* Whether some track keeps subchannel (drives: not read for info). */
static bool
keeps_sub(struct optimg_image *img, const struct optimg_drive_info *drive)
{
	const struct optimg_disc *d = optimg_image_disc(img);

	for (unsigned i = 0; drive == NULL && i < d->ntracks; i++)
		if (d->tracks[i].subchannel)
			return true;
	return false;
}

/* "subq: 902 sectors, CRC good 902, position 902, agree with the TOC 902" */
static void
print_subq(struct optimg_image *img, const struct optimg_drive_info *drive)
{
	struct optimg_subq_check c;

	if (!keeps_sub(img, drive))
		return;
	if (optimg_image_check_subq(img, &c) < 0) {
		printf("subq:     cannot be read: %s\n",
		    cli_name(optimg_image_errmsg(img)));
		return;
	}
	printf("subq:     %lu sectors: %lu CRC bad, %lu MCN/ISRC, %lu position, "
	    "%lu of them agree with the TOC\n", (unsigned long)c.sectors,
	    (unsigned long)c.crc_bad, (unsigned long)c.other,
	    (unsigned long)c.position, (unsigned long)c.agree);
	if (c.first_disagree != OPTIMG_NO_INDEX)
		printf("          first disagreement at sector %ld\n",
		    (long)c.first_disagree);
	if (c.crc_bad > 0) {
		printf("          Q CRC fails at sector");
		for (uint32_t i = 0; i < c.crc_bad && i < OPTIMG_SUBQ_NAMED; i++)
			printf("%s %ld", i > 0 ? "," : "s" + (c.crc_bad == 1),
			    (long)c.crc_bad_lba[i]);
		printf("%s\n", c.crc_bad > OPTIMG_SUBQ_NAMED ? " ..." : "");
	}
}

static struct json_object *
json_subq(struct optimg_image *img)
{
	struct optimg_subq_check c;
	struct json_object *o, *bad;

	if (optimg_image_check_subq(img, &c) < 0)
		return json_object_new_string(optimg_image_errmsg(img));
	o = json_object_new_object();
	json_object_object_add(o, "sectors", json_object_new_int64(c.sectors));
	json_object_object_add(o, "crc_bad", json_object_new_int64(c.crc_bad));
	bad = json_object_new_array();
	for (uint32_t i = 0; i < c.crc_bad && i < OPTIMG_SUBQ_NAMED; i++)
		json_object_array_add(bad,
		    json_object_new_int64(c.crc_bad_lba[i]));
	json_object_object_add(o, "crc_bad_sectors", bad);
	json_object_object_add(o, "other", json_object_new_int64(c.other));
	json_object_object_add(o, "position",
	    json_object_new_int64(c.position));
	json_object_object_add(o, "agree", json_object_new_int64(c.agree));
	json_object_object_add(o, "first_disagree",
	    c.first_disagree == OPTIMG_NO_INDEX ? NULL :
	    json_object_new_int64(c.first_disagree));
	return o;
}

static void
print_text(struct optimg_image *img, const struct optimg_drive_info *drive)
{
	const struct optimg_disc *d = optimg_image_disc(img);
	char len[16];

	length_string(disc_sectors(d), len);
	if (drive != NULL) {
		printf("device:   %s\n", cli_name(optimg_image_path(img)));
		print_drive(drive);
	} else {
		printf("image:    %s\n", cli_name(optimg_image_path(img)));
		printf("format:   %s\n", optimg_image_format(img));
		printf("size:     %llu bytes\n",
		    (unsigned long long)optimg_image_size(img));
		print_container(img);
	}
	printf("sectors:  %lu (%s)\n", (unsigned long)disc_sectors(d), len);
	printf("sessions: %u\n", d->nsessions);
	printf("tracks:   %u\n", d->ntracks);
	if (d->catalog[0])
		printf("catalog:  %s\n", cli_name(d->catalog));
	if (d->cdtextfile)
		printf("cdtextfile: %s\n", cli_name(d->cdtextfile));
	print_cdtext("cdtext:   ", &d->cdtext);
	for (unsigned i = 0; i < d->nblobs; i++)
		printf("kept:     %s, %zu bytes not interpreted: %s\n",
		    d->blobs[i].name, d->blobs[i].len, d->blobs[i].summary);
	print_subq(img, drive);
	printf("\n  session track  mode         start  msf       length "
	    "pregap  flags     isrc         volume\n");
	for (unsigned i = 0; i < d->ntracks; i++) {
		print_session_gap(d, i);
		print_track(img, i);
	}
	putchar('\n');
	cli_fs_info(img, NULL);
}

static void
json_add_str(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, value != NULL ?
	    json_object_new_string(value) : NULL);
}

static struct json_object *
json_cdtext(const struct optimg_cdtext *ct)
{
	struct json_object *o = json_object_new_object();

	for (unsigned i = 0; i < OPTIMG_CDTEXT_NFIELDS; i++)
		if (ct->field[i] != NULL)
			json_add_str(o, optimg_cdtext_field_name(i),
			    ct->field[i]);
	return o;
}

static struct json_object *
json_track(struct optimg_image *img, unsigned i)
{
	const struct optimg_track *t = &optimg_image_disc(img)->tracks[i];
	struct json_object *o = json_object_new_object();
	struct json_object *idx = json_object_new_object();
	char msf[16], flags[64], volid[33] = "", key[4];

	msf_string(t->start, msf);
	flags_string(t->flags, t, flags, sizeof(flags));
	json_object_object_add(o, "number", json_object_new_int(t->number));
	json_object_object_add(o, "session", json_object_new_int(t->session));
	json_add_str(o, "mode", optimg_track_mode_name(t));
	json_object_object_add(o, "sector_size",
	    json_object_new_int(t->sector_size));
	json_add_str(o, "storage", storage_name(t->storage));
	json_object_object_add(o, "subchannel",
	    json_object_new_boolean(t->subchannel));
	json_object_object_add(o, "start", json_object_new_int(t->start));
	json_add_str(o, "start_msf", msf);
	json_object_object_add(o, "length", json_object_new_int64(t->length));
	json_object_object_add(o, "pregap", json_object_new_int64(t->pregap));
	json_object_object_add(o, "pregap_unstored",
	    json_object_new_int64(t->pregap_unstored));
	json_object_object_add(o, "postgap_unstored",
	    json_object_new_int64(t->postgap_unstored));
	for (unsigned n = 0; n < OPTIMG_MAX_INDEX; n++) {
		if (t->index[n] == OPTIMG_NO_INDEX)
			continue;
		snprintf(key, sizeof(key), "%02u", n);
		json_object_object_add(idx, key,
		    json_object_new_int(t->index[n]));
	}
	json_object_object_add(o, "indices", idx);
	json_add_str(o, "flags", strcmp(flags, "-") ? flags : "");
	json_add_str(o, "isrc", t->isrc[0] ? t->isrc : NULL);
	json_object_object_add(o, "cdtext", json_cdtext(&t->cdtext));
	if (t->mode != OPTIMG_TRACK_AUDIO) {
		optimg_image_volume_id(img, i, volid);
		json_add_str(o, "volume_id", volid[0] ? volid : NULL);
	}
	return o;
}

static struct json_object *
json_container(struct optimg_image *img)
{
	struct optimg_container c;
	struct json_object *o, *mix;

	if (optimg_image_container(img, &c) < 0)
		return NULL;
	o = json_object_new_object();
	json_add_str(o, "kind", c.kind);
	json_object_object_add(o, "version", json_object_new_int(
	    (int)c.version));
	json_object_object_add(o, "logical_bytes", json_object_new_int64(
	    (int64_t)c.logical_bytes));
	json_object_object_add(o, "stored_bytes", json_object_new_int64(
	    (int64_t)c.stored_bytes));
	json_object_object_add(o, "hunk_bytes", json_object_new_int64(
	    c.hunk_bytes));
	json_object_object_add(o, "unit_bytes", json_object_new_int64(
	    c.unit_bytes));
	json_object_object_add(o, "hunks", json_object_new_int64(
	    c.hunk_count));
	mix = json_object_new_object();
	for (unsigned i = 0; i < c.nmix; i++)
		json_object_object_add(mix, c.mix[i].name,
		    json_object_new_int64(c.mix[i].hunks));
	json_object_object_add(o, "hunk_mix", mix);
	json_add_str(o, "sha1", c.sha1[0] ? c.sha1 : NULL);
	json_add_str(o, "raw_sha1", c.raw_sha1[0] ? c.raw_sha1 : NULL);
	json_add_str(o, "parent_sha1", c.parent_sha1[0] ? c.parent_sha1 :
	    NULL);
	json_add_str(o, "parent", c.parent_path);
	json_add_str(o, "units", c.units);
	json_object_object_add(o, "files", json_object_new_int(
	    (int)c.files));
	return o;
}

static struct json_object *
json_drive(const struct optimg_drive_info *in)
{
	struct json_object *o = json_object_new_object();

	json_add_str(o, "driver", in->driver);
	json_add_str(o, "vendor", in->vendor);
	json_add_str(o, "model", in->model);
	json_add_str(o, "revision", in->revision);
	json_object_object_add(o, "profile", json_object_new_int(
	    (int)in->profile));
	json_add_str(o, "medium", in->profile_name != NULL ?
	    in->profile_name : in->dvd ? "DVD or BD" : "CD");
	json_object_object_add(o, "dvd", json_object_new_boolean(in->dvd));
	json_object_object_add(o, "c2", json_object_new_boolean(in->c2));
	return o;
}

/* Blobs the format keeps: name, bytes and what they are. */
static struct json_object *
json_blobs(const struct optimg_disc *d)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < d->nblobs; i++) {
		struct json_object *b = json_object_new_object();
		json_add_str(b, "name", d->blobs[i].name);
		json_object_object_add(b, "bytes",
		    json_object_new_int64((int64_t)d->blobs[i].len));
		json_add_str(b, "summary", d->blobs[i].summary);
		json_object_array_add(a, b);
	}
	return a;
}

/* Fills o, the command's JSON document (cli_json_begin). */
static void
fill_json(struct json_object *o, struct optimg_image *img,
    const struct optimg_drive_info *drive)
{
	const struct optimg_disc *d = optimg_image_disc(img);
	struct json_object *tracks = json_object_new_array();
	struct json_object *sessions = json_object_new_array();

	json_add_str(o, "image", optimg_image_path(img));
	json_add_str(o, "format", optimg_image_format(img));
	json_object_object_add(o, "size",
	    json_object_new_int64((int64_t)optimg_image_size(img)));
	json_object_object_add(o, "sectors",
	    json_object_new_int64(disc_sectors(d)));
	json_object_object_add(o, "container", json_container(img));
	json_add_str(o, "catalog", d->catalog[0] ? d->catalog : NULL);
	json_add_str(o, "cdtextfile", d->cdtextfile);
	json_object_object_add(o, "cdtext", json_cdtext(&d->cdtext));
	for (unsigned i = 0; i < d->nsessions; i++) {
		struct json_object *s = json_object_new_object();
		json_object_object_add(s, "number",
		    json_object_new_int(d->sessions[i].number));
		json_object_object_add(s, "first_track", json_object_new_int(
		    d->tracks[d->sessions[i].first_track].number));
		json_object_object_add(s, "tracks",
		    json_object_new_int(d->sessions[i].ntracks));
		json_object_object_add(s, "leadout",
		    json_object_new_int(d->sessions[i].leadout));
		json_object_object_add(s, "leadout_length", json_object_new_int(
		    (int32_t)d->sessions[i].leadout_length));
		json_object_object_add(s, "leadin_length", json_object_new_int(
		    (int32_t)d->sessions[i].leadin_length));
		json_object_array_add(sessions, s);
	}
	json_object_object_add(o, "sessions", sessions);
	if (drive != NULL)
		json_object_object_add(o, "drive", json_drive(drive));
	json_object_object_add(o, "kept", json_blobs(d));
	if (keeps_sub(img, drive))
		json_object_object_add(o, "subq", json_subq(img));
	for (unsigned i = 0; i < d->ntracks; i++)
		json_object_array_add(tracks, json_track(img, i));
	json_object_object_add(o, "tracks", tracks);
	cli_fs_info(img, o);
}

/* --boot-recipe: the mkiso options that rebuild the boot setup. */
static int
print_boot_recipe(const char *path)
{
	struct optimg_fs_opts opts = { OPTIMG_NS_AUTO, 0 };
	struct optimg_image *img;
	struct optimg_fs *fs;
	struct optimg_error err;
	struct optimg_boot_recipe *r;
	int rc;

	if (cli_fs_open(path, &opts, &img, &fs) != 0)
		return 1;
	rc = optimg_boot_recipe(fs, &r, &err);
	if (rc == 0)
		cli_print_boot_recipe(stdout, r, path);
	else
		cli_error("'%s': %s", path, cli_errmsg(&err));
	optimg_boot_recipe_free(r);
	optimg_fs_free(fs);
	optimg_image_free(img);
	return rc == 0 ? 0 : 1;
}

/* A device node is a drive: the disc in it, read through libcdio. */
static bool
is_device(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 &&
	    (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode));
}

static int
info_one(const char *path, bool json)
{
	struct optimg_drive *drv = NULL;
	const struct optimg_drive_info *in = NULL;
	struct optimg_image *img;
	struct json_object *doc = json ? cli_json_begin("info") : NULL;
	struct optimg_error err;

	/* With --json, each image is one document whose "warnings" and
	 * "error" members say what stderr says. */
	if (is_device(path)) {
		if (optimg_drive_open(path, cli_warning_cb, NULL, &drv,
		    &err) < 0) {
			cli_error("%s", cli_errmsg(&err));
			cli_json_error_detail(&err);
			return cli_json_end(1);
		}
		img = optimg_drive_image(drv);
		in = optimg_drive_info(drv);
	} else if ((img = cli_open_image(path)) == NULL)
		return cli_json_end(1);
	if (json)
		fill_json(doc, img, in);
	else
		print_text(img, in);
	if (drv != NULL)
		optimg_drive_free(drv);
	else
		optimg_image_free(img);
	return cli_json_end(0);
}

int
cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "boot-recipe", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool json = false, recipe = false;
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = cli_json_output = true;
			break;
		case 'r':
			recipe = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			return cli_bad_option(argv);
		}
	}
	if (optind >= argc)
		return cli_usage_error("no image given");
	for (int i = optind; recipe && i < argc; i++)
		status |= print_boot_recipe(argv[i]);
	for (int i = optind; !recipe && i < argc; i++) {
		if (i > optind && !json)
			putchar('\n');
		status |= info_one(argv[i], json);
	}
	return status;
}
