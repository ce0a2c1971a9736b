/*
 * quote.c - hostile text made safe to show: names and strings that come
 * from an image, a DAT, a rescue map or a cue sheet may hold terminal
 * escape sequences, newlines, bidirectional overrides or invalid UTF-8.
 *
 * Unsafe means: a byte that is not part of valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), a C0 or C1
 * control, DEL, or a bidirectional control (U+200E/F, U+202A..E,
 * U+2066..9) that can make a line read differently from what it says.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

/* A growable string that remembers running out of memory. */
struct qbuf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

static void
add(struct qbuf *b, const void *data, size_t len)
{
	if (b->oom)
		return;
	if (b->len + len + 1 > b->cap) {
		size_t cap = OI_MAX(b->cap * 2, b->len + len + 64);
		char *p = realloc(b->p, cap);
		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

/*
 * Decodes one UTF-8 character at s (len >= 1 bytes left): its code point,
 * or -1 when s[0] does not start a valid sequence.  *n receives the bytes
 * taken (1 for an invalid byte).
 */
static long
utf8_next(const unsigned char *s, size_t len, size_t *n)
{
	unsigned char c = s[0];
	size_t need;
	long cp, min;

	*n = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3, cp = c & 0x07, min = 0x10000;
	else
		return -1;
	if (len < need + 1)
		return -1;
	for (size_t i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*n = need + 1;
	return cp;
}

static bool
unsafe_cp(long cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069);
}

bool
optimg_text_is_safe(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	for (size_t i = 0; i < len; i += n) {
		long cp = utf8_next(p + i, len - i, &n);
		if (cp < 0 || unsafe_cp(cp))
			return false;
	}
	return true;
}

/* Appends the escape of one unsafe character (cp < 0: the byte b). */
static void
put_escape(struct qbuf *b, long cp, unsigned char byte)
{
	char e[24];

	switch (cp) {
	case '\a': snprintf(e, sizeof(e), "\\a"); break;
	case '\b': snprintf(e, sizeof(e), "\\b"); break;
	case '\t': snprintf(e, sizeof(e), "\\t"); break;
	case '\n': snprintf(e, sizeof(e), "\\n"); break;
	case '\v': snprintf(e, sizeof(e), "\\v"); break;
	case '\f': snprintf(e, sizeof(e), "\\f"); break;
	case '\r': snprintf(e, sizeof(e), "\\r"); break;
	default:
		if (cp < 0)
			snprintf(e, sizeof(e), "\\%03o", byte);
		else if (cp < 0x100)
			snprintf(e, sizeof(e), "\\%03o", (unsigned)cp);
		else
			snprintf(e, sizeof(e), "\\u%04lx", cp);
	}
	add(b, e, strlen(e));
}

static char *
finish(struct qbuf *b)
{
	add(b, "", 0);
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

/*
 * The shell-escape style of coreutils ls on a terminal: safe runs in
 * single quotes, unsafe characters in $'...', quotes as \'.  Text that
 * is safe already comes back unchanged.
 */
char *
optimg_quote_shell(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct qbuf b = { 0 };
	enum { NONE, PLAIN, DOLLAR } in = NONE;
	size_t n;

	if (optimg_text_is_safe(s, len)) {
		add(&b, s, len);
		return finish(&b);
	}
	for (size_t i = 0; i < len; i += n) {
		long cp = utf8_next(p + i, len - i, &n);
		bool bad = cp < 0 || unsafe_cp(cp);

		if (bad && in != DOLLAR) {
			add(&b, in == PLAIN ? "'$'" : "$'",
			    in == PLAIN ? 3 : 2);
			in = DOLLAR;
		} else if (!bad && cp == '\'') {
			if (in != NONE)
				add(&b, "'", 1);
			add(&b, "\\'", 2);
			in = NONE;
			continue;
		} else if (!bad && in != PLAIN) {
			add(&b, in == DOLLAR ? "''" : "'",
			    in == DOLLAR ? 2 : 1);
			in = PLAIN;
		}
		if (bad)
			put_escape(&b, cp, p[i]);
		else
			add(&b, p + i, n);
	}
	if (in != NONE)
		add(&b, "'", 1);
	return finish(&b);
}

char *
optimg_quote_c(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	struct qbuf b = { 0 };
	size_t n;

	for (size_t i = 0; i < len; i += n) {
		long cp = utf8_next(p + i, len - i, &n);

		if (cp < 0 || unsafe_cp(cp))
			put_escape(&b, cp, p[i]);
		else
			add(&b, p + i, n);
	}
	return finish(&b);
}

char *
optimg_utf8_repair(const char *s, size_t len, bool *changed)
{
	const unsigned char *p = (const unsigned char *)s;
	struct qbuf b = { 0 };
	size_t n;

	if (changed != NULL)
		*changed = false;
	for (size_t i = 0; i < len; i += n) {
		long cp = utf8_next(p + i, len - i, &n);

		if (cp < 0 || cp == 0) {
			add(&b, "\xef\xbf\xbd", 3);	/* U+FFFD */
			if (changed != NULL)
				*changed = true;
		} else {
			add(&b, p + i, n);
		}
	}
	return finish(&b);
}
