/*
 * cmd_ls.c - `optimg ls`: list the files in an image's file system.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

struct ls {
	struct optimg_fs	*fs;
	bool			 longfmt, recursive, json;
	bool			 started;	/* -R: the start was seen */
	json_object		*arr;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: optimg ls [-l] [-R] [--json] [--namespace NS] [--session N]\n"
	    "                 IMAGE [PATH]\n"
	    "\n"
	    "Lists the files of the ISO 9660 (Rock Ridge, Joliet) or UDF file\n"
	    "system on IMAGE, which may be an .iso, a BIN/CUE or any image\n"
	    "optimg reads.  Nothing is mounted.  PATH is a directory or file\n"
	    "inside the image (default: the root).\n"
	    "\n"
	    "Options:\n"
	    "  -l, --long         mode, links, owner, group, size, date, LBA\n"
	    "                     of the first extent, name (and link target)\n"
	    "  -R, --recursive    everything below PATH, as full paths\n"
	    "      --json         a JSON array of objects with every attribute\n"
	    "                     and the extent list\n"
	    "      --namespace NS which names to read: rr (Rock Ridge), joliet,\n"
	    "                     iso (plain ISO 9660) or udf; default: rr, else\n"
	    "                     joliet, else iso, else udf\n"
	    "      --session N    the file system of session N (default: last)\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "Sizes of devices show as MAJOR,MINOR.  Times are local.\n"
	    "\n"
	    "Example:\n"
	    "  optimg ls -lR disc.cue /boot\n");
}

static json_object *
json_entry(const char *path, const struct optimg_fs_stat *st)
{
	json_object *o = json_object_new_object(), *ex;
	unsigned i;

	json_object_object_add(o, "path", json_object_new_string(path));
	json_object_object_add(o, "name", json_object_new_string(st->name));
	json_object_object_add(o, "type",
	    json_object_new_string(optimg_fs_type_name(st->type)));
	json_object_object_add(o, "mode", json_object_new_int((int)st->mode));
	json_object_object_add(o, "nlink", json_object_new_int64(st->nlink));
	json_object_object_add(o, "uid", json_object_new_int64(st->uid));
	json_object_object_add(o, "gid", json_object_new_int64(st->gid));
	json_object_object_add(o, "size",
	    json_object_new_int64((int64_t)st->size));
	json_object_object_add(o, "mtime", json_object_new_int64(st->mtime.sec));
	json_object_object_add(o, "atime", json_object_new_int64(st->atime.sec));
	json_object_object_add(o, "ctime", json_object_new_int64(st->ctime.sec));
	json_object_object_add(o, "lba", json_object_new_int64(st->lba));
	if (st->ino != 0)
		json_object_object_add(o, "ino",
		    json_object_new_int64((int64_t)st->ino));
	if (st->symlink != NULL)
		json_object_object_add(o, "target",
		    json_object_new_string(st->symlink));
	if (st->type == OPTIMG_FS_CHR || st->type == OPTIMG_FS_BLK) {
		json_object_object_add(o, "major",
		    json_object_new_int64(st->rdev_major));
		json_object_object_add(o, "minor",
		    json_object_new_int64(st->rdev_minor));
	}
	ex = json_object_new_array();
	for (i = 0; i < st->nextents; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "lba",
		    json_object_new_int64(st->extents[i].lba));
		json_object_object_add(x, "length",
		    json_object_new_int64((int64_t)st->extents[i].length));
		json_object_array_add(ex, x);
	}
	json_object_object_add(o, "extents", ex);
	return o;
}

static void
print_entry(struct ls *ls, const char *shown, const char *path,
    const struct optimg_fs_stat *st)
{
	char mode[11], when[20], size[32];

	if (ls->json) {
		json_object_array_add(ls->arr, json_entry(path, st));
		return;
	}
	if (!ls->longfmt) {
		printf("%s\n", cli_name(shown));
		return;
	}
	cli_fs_mode_string(st, mode);
	cli_fs_time_string(&st->mtime, when);
	if (st->type == OPTIMG_FS_CHR || st->type == OPTIMG_FS_BLK)
		snprintf(size, sizeof(size), "%lu,%lu",
		    (unsigned long)st->rdev_major,
		    (unsigned long)st->rdev_minor);
	else
		snprintf(size, sizeof(size), "%llu",
		    (unsigned long long)st->size);
	printf("%s %3lu %5lu %5lu %12s %s %8lu %s", mode,
	    (unsigned long)st->nlink, (unsigned long)st->uid,
	    (unsigned long)st->gid, size, when, (unsigned long)st->lba,
	    cli_name(shown));
	if (st->symlink != NULL)
		printf(" -> %s", cli_name(st->symlink));
	putchar('\n');
}

static int
on_walk(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct ls *ls = ctx;

	if (!ls->started) {	/* the start itself is not listed */
		ls->started = true;
		if (st->type == OPTIMG_FS_DIR)
			return 0;
	}
	if (visit == OPTIMG_FS_ENTER)
		print_entry(ls, path, path, st);
	return 0;
}

/* Lists one directory's entries, or the one file path names. */
static int
list_one(struct ls *ls, const char *path, const struct optimg_fs_stat *st)
{
	struct optimg_fs_dir *dir;
	const struct optimg_fs_stat *e;
	char *full;
	size_t plen = strlen(path);

	if (st->type != OPTIMG_FS_DIR) {
		print_entry(ls, path, path, st);
		return 0;
	}
	if (optimg_fs_opendir(ls->fs, st, &dir) < 0)
		return -1;
	while ((e = optimg_fs_readdir(dir)) != NULL) {
		full = malloc(plen + strlen(e->name) + 2);
		if (full == NULL)
			break;
		sprintf(full, "%s%s%s", path,
		    plen > 0 && path[plen - 1] == '/' ? "" : "/", e->name);
		print_entry(ls, e->name, full, e);
		free(full);
	}
	optimg_fs_closedir(dir);
	return 0;
}

int
cmd_ls(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "long", no_argument, NULL, 'l' },
		{ "recursive", no_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "session", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct optimg_fs_opts opts = { OPTIMG_NS_AUTO, 0 };
	struct optimg_image *img;
	struct optimg_fs_stat *st = NULL;
	struct ls ls;
	const char *path;
	int c, rc = 0;

	memset(&ls, 0, sizeof(ls));
	while ((c = getopt_long(argc, argv, "lRh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': ls.longfmt = true; break;
		case 'R': ls.recursive = true; break;
		case 'j': ls.json = cli_json_output = true; break;
		case 'N':
			if (cli_fs_parse_namespace(optarg, &opts) != 0)
				return EXIT_USAGE;
			break;
		case 'S':
			if (cli_fs_parse_session(optarg, &opts) != 0)
				return EXIT_USAGE;
			break;
		case 'h': usage(stdout); return 0;
		default: return cli_usage_error("bad option");
		}
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage_error("expected IMAGE [PATH]");
	path = optind + 1 < argc ? argv[optind + 1] : "/";
	if (cli_fs_open(argv[optind], &opts, &img, &ls.fs) != 0)
		return 1;
	if (ls.json)
		ls.arr = json_object_new_array();
	if (ls.recursive)
		rc = optimg_fs_walk(ls.fs, path, on_walk, &ls);
	else if ((rc = optimg_fs_lookup(ls.fs, path, &st)) == 0)
		rc = list_one(&ls, path, st);
	if (ls.json) {
		cli_json_print(ls.arr);
		json_object_put(ls.arr);
	}
	if (rc < 0)
		cli_error("'%s': %s", argv[optind], optimg_fs_errmsg(ls.fs));
	optimg_fs_stat_free(st);
	optimg_fs_free(ls.fs);
	optimg_image_free(img);
	return rc < 0 ? 1 : 0;
}
