/*
 * rip_json.c - `optimg rip --json`: the rip's result as JSON members
 * (see doc/optimg.1, JSON): counts of sectors, the files with their
 * hashes when the dump is complete, the map and hash file.
 */
#include "config.h"

#include <json-c/json.h>

#include "cli.h"

static struct json_object *
file_json(const struct optimg_rip_file *f, bool complete)
{
	struct json_object *o = json_object_new_object();

	cli_json_add_str(o, "name", f->name);
	cli_json_add_u64(o, "track", f->track);
	cli_json_add_u64(o, "sectors", f->sectors);
	cli_json_add_u64(o, "missing", f->missing);
	json_object_object_add(o, "hashes", complete ?
	    cli_json_hashes(&f->hashes) : NULL);
	return o;
}

void
cli_rip_json(struct json_object *doc, const char *device, const char *out,
    const struct optimg_rip_result *res)
{
	struct json_object *s, *files;
	unsigned i;

	cli_json_add_str(doc, "device", device);
	cli_json_add_str(doc, "output", out);
	if (res == NULL)
		return;
	cli_json_add_str(doc, "status", res->reconstructed ? "reconstructed" :
	    res->complete ? "complete" : res->interrupted ? "interrupted" :
	    "incomplete");
	json_object_object_add(doc, "resumed",
	    json_object_new_boolean(res->resumed));
	s = json_object_new_object();
	cli_json_add_u64(s, "total", res->sectors);
	cli_json_add_u64(s, "good", res->good);
	cli_json_add_u64(s, "bad", res->bad);
	cli_json_add_u64(s, "bad_extents", res->bad_extents);
	cli_json_add_u64(s, "untried", res->untried);
	cli_json_add_u64(s, "retries", res->retries);
	cli_json_add_u64(s, "recovered", res->recovered);
	cli_json_add_u64(s, "kept", res->kept);
	cli_json_add_u64(s, "cooked", res->cooked);
	cli_json_add_u64(s, "rebuilt", res->rebuilt);
	cli_json_add_u64(s, "rawfail", res->rawfail);
	cli_json_add_u64(s, "reread", res->reread);
	json_object_object_add(doc, "sectors", s);
	/* This run's findings about the drive's raw reads. */
	s = json_object_new_object();
	cli_json_add_u64(s, "raw_corrupt", res->raw_corrupt);
	cli_json_add_u64(s, "cooked_differ", res->cooked_differ);
	cli_json_add_u64(s, "raw_unreadable", res->raw_unreadable);
	json_object_object_add(doc, "drive", s);
	files = json_object_new_array();
	for (i = 0; i < res->nfiles; i++)
		json_object_array_add(files,
		    file_json(&res->files[i], res->complete));
	json_object_object_add(doc, "files", files);
	cli_json_add_str(doc, "map", res->map_path);
	cli_json_add_str(doc, "hash_file", res->hash_path);
}
