/*
 * cli_text.c - the one place where text from an image, a DAT, a rescue map
 * or a cue sheet is made safe before it reaches a terminal or a JSON
 * reader (liboptimg's quote.c does the work).
 *
 * Text output: names holding control characters or invalid UTF-8 are
 * shown as coreutils ls shows them on a terminal ('red'$'\033''[31m');
 * with --raw and standard output not a terminal they go out as they are
 * stored, for scripts that want the bytes.  Messages on standard error
 * get C escapes in place (cli_util.c).  JSON: every string is valid
 * UTF-8; one that was not gets U+FFFD for each bad byte and, beside it,
 * a member KEY_raw holding the stored bytes in hex.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json.h>

#include "cli.h"

bool cli_raw;

#define SLOTS	8	/* cli_name() results alive at once */

const char *
cli_name(const char *s)
{
	static char *slot[SLOTS];
	static unsigned next;
	char *q;

	if (s == NULL)
		return "(null)";
	if ((cli_raw && !isatty(STDOUT_FILENO)) ||
	    optimg_text_is_safe(s, strlen(s)))
		return s;
	if ((q = optimg_quote_shell(s, strlen(s))) == NULL)
		return "?";
	free(slot[next]);
	slot[next] = q;
	next = (next + 1) % SLOTS;
	return q;
}

/* cli_name() in quotes: 'NAME', or the quoted form, never ''quoted''. */
const char *
cli_quoted(const char *s)
{
	static char *slot[SLOTS];
	static unsigned next;
	const char *n = cli_name(s);
	char *q;

	if (n != s && s != NULL)
		return n;	/* quoted already */
	if (asprintf(&q, "'%s'", n) < 0)
		return "?";
	free(slot[next]);
	slot[next] = q;
	next = (next + 1) % SLOTS;
	return q;
}

static char *
hex_of(const char *s, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	char *h = malloc(len * 2 + 1);

	if (h == NULL)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		h[2 * i] = digits[(unsigned char)s[i] >> 4];
		h[2 * i + 1] = digits[(unsigned char)s[i] & 15];
	}
	h[len * 2] = '\0';
	return h;
}

/* Repairs one string value; adds KEY_raw to parent when key is given. */
static void
repair_value(json_object *parent, const char *key, json_object *v)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);
	bool changed = false;
	char *fixed, *raw, *rawkey;

	if (optimg_text_is_safe(s, len) || (fixed = optimg_utf8_repair(s,
	    len, &changed)) == NULL)
		return;
	if (!changed) {		/* controls only: JSON escapes those */
		free(fixed);
		return;
	}
	raw = hex_of(s, len);
	rawkey = malloc(strlen(key != NULL ? key : "") + 5);
	if (key != NULL && raw != NULL && rawkey != NULL) {
		sprintf(rawkey, "%s_raw", key);
		json_object_object_add(parent, rawkey,
		    json_object_new_string(raw));
	}
	json_object_set_string(v, fixed);
	free(fixed);
	free(raw);
	free(rawkey);
}

static void
repair_tree(json_object *o)
{
	if (json_object_is_type(o, json_type_array)) {
		size_t n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			json_object *v = json_object_array_get_idx(o, i);
			if (json_object_is_type(v, json_type_string))
				repair_value(NULL, NULL, v);
			else
				repair_tree(v);
		}
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	/* Keys first: adding KEY_raw while iterating is not allowed. */
	size_t n = (size_t)json_object_object_length(o), k = 0;
	char **keys = calloc(n + 1, sizeof(*keys));
	if (keys == NULL)
		return;
	json_object_object_foreach(o, key, val) {
		(void)val;
		if (k < n)
			keys[k++] = strdup(key);
	}
	for (size_t i = 0; i < k; i++) {
		json_object *v = NULL;
		if (keys[i] != NULL && json_object_object_get_ex(o, keys[i],
		    &v) && v != NULL) {
			if (json_object_is_type(v, json_type_string))
				repair_value(o, keys[i], v);
			else
				repair_tree(v);
		}
		free(keys[i]);
	}
	free(keys);
}

void
cli_json_print(json_object *o)
{
	repair_tree(o);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
}
