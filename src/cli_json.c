/*
 * cli_json.c - the one JSON document a command prints with --json.
 *
 * Every command's document has the same frame (doc/optimg.1, JSON):
 *   { "command": "convert", "ok": true, "exit": 0,
 *     "error": null | { "message": "...", "status": -7,
 *                       "about": "...", "remedy": ["..."] },
 *     "warnings": [ "...", ... ],
 *     ...the command's own members... }
 * Errors and warnings still go to stderr as well; while a document is
 * open, cli_error() and cli_warning() also record them in it.  The
 * document goes to stdout, pretty-printed, when the command ends.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"

static struct json_object *doc;		/* NULL: no --json */
static struct json_object *warnings;

struct json_object *
cli_json_begin(const char *command)
{
	doc = json_object_new_object();
	warnings = json_object_new_array();
	json_object_object_add(doc, "command",
	    json_object_new_string(command));
	json_object_object_add(doc, "ok", json_object_new_boolean(0));
	json_object_object_add(doc, "exit", json_object_new_int(1));
	json_object_object_add(doc, "error", NULL);
	json_object_object_add(doc, "warnings", warnings);
	return doc;
}

bool
cli_json_active(void)
{
	return doc != NULL;
}

void
cli_json_note(bool error, const char *message)
{
	struct json_object *e;

	if (doc == NULL)
		return;
	if (!error) {
		json_object_array_add(warnings,
		    json_object_new_string(message));
		return;
	}
	if (json_object_object_get_ex(doc, "error", &e) && e != NULL)
		return;		/* the first error is the cause */
	e = json_object_new_object();
	json_object_object_add(e, "message", json_object_new_string(message));
	json_object_object_add(doc, "error", e);
}

void
cli_json_error_detail(const struct optimg_error *err)
{
	struct json_object *e, *r;
	unsigned i;

	if (doc == NULL || !json_object_object_get_ex(doc, "error", &e) ||
	    e == NULL)
		return;
	json_object_object_add(e, "status", json_object_new_int(err->code));
	json_object_object_add(e, "about", err->about ?
	    json_object_new_string(optimg_option_meaning(err->about)) : NULL);
	r = json_object_new_array();
	for (i = 0; i < 2; i++)
		if (err->remedy[i])
			json_object_array_add(r, json_object_new_string(
			    optimg_option_meaning(err->remedy[i])));
	json_object_object_add(e, "remedy", r);
}

int
cli_json_end(int status)
{
	if (doc == NULL)
		return status;
	json_object_object_add(doc, "ok", json_object_new_boolean(status ==
	    0));
	json_object_object_add(doc, "exit", json_object_new_int(status));
	cli_json_print(doc);	/* names from images made valid UTF-8 */
	fflush(stdout);
	json_object_put(doc);
	doc = NULL;
	warnings = NULL;
	return status;
}

void
cli_json_add_str(struct json_object *o, const char *key, const char *value)
{
	json_object_object_add(o, key, value != NULL ?
	    json_object_new_string(value) : NULL);
}

void
cli_json_add_u64(struct json_object *o, const char *key, uint64_t value)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)value));
}

struct json_object *
cli_json_hashes(const struct optimg_hashes *h)
{
	struct json_object *o = json_object_new_object();
	char crc[9], md5[33], sha1[41];

	optimg_hashes_hex(h, crc, md5, sha1);
	cli_json_add_u64(o, "size", h->size);
	cli_json_add_str(o, "crc32", crc);
	cli_json_add_str(o, "md5", md5);
	cli_json_add_str(o, "sha1", sha1);
	return o;
}
