/*
 * error.c - status codes and the messages kept on failed objects.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

const char *
optimg_strerror(int status)
{
	switch (status) {
	case OPTIMG_OK:		return "success";
	case OPTIMG_ENOMEM:	return "out of memory";
	case OPTIMG_EIO:	return "input/output error";
	case OPTIMG_EFORMAT:	return "malformed input";
	case OPTIMG_EUNSUPP:	return "not supported";
	case OPTIMG_EINVAL:	return "invalid argument";
	case OPTIMG_ENOENT:	return "no such file";
	case OPTIMG_EEXIST:	return "output exists";
	case OPTIMG_ECANCELED:	return "canceled";
	case OPTIMG_ELOSSY:	return "would lose data";
	case OPTIMG_ERANGE:	return "address outside the disc";
	}
	return "unknown error";
}

const char *
optimg_version(void)
{
	return PACKAGE_VERSION;
}

/* Moves p back (forward when fwd) off UTF-8 continuation bytes. */
static size_t
char_edge(const char *s, size_t p, size_t lo, size_t hi, bool fwd)
{
	while (p > lo && p < hi && ((unsigned char)s[p] & 0xc0) == 0x80)
		p += fwd ? 1 : (size_t)-1;
	return p;
}

/*
 * Fits msg (len bytes) into out[size]: a message too long has its longest
 * quoted name shortened in the middle ("/very/lo...ng/path"), so that what
 * went wrong, said after the name, survives; only when that is not enough
 * is the end cut.
 */
static void
fit_message(const char *msg, size_t len, char *out, size_t size)
{
	const char *best = NULL, *q, *e;
	size_t blen = 0, excess, keep, head, tail;

	if (len < size) {
		memcpy(out, msg, len + 1);
		return;
	}
	for (q = strchr(msg, '\''); q != NULL; q = strchr(e + 1, '\'')) {
		if ((e = strchr(q + 1, '\'')) == NULL)
			break;
		if ((size_t)(e - q - 1) > blen) {
			best = q + 1;
			blen = (size_t)(e - q - 1);
		}
	}
	excess = len - (size - 1) + 3;		/* 3: "..." */
	if (best == NULL || blen < excess + 16) {
		snprintf(out, size, "%s", msg);
		return;
	}
	keep = blen - excess;
	head = char_edge(best, keep / 2, 0, blen, false);
	tail = char_edge(best, blen - (keep - keep / 2), 0, blen, true);
	snprintf(out, size, "%.*s...%.*s%s", (int)(best - msg + head), msg,
	    (int)(blen - tail), best + tail, best + blen);
}

static int
set_errorv(struct optimg_error *err, int code, const char *suffix,
    const char *fmt, va_list ap)
{
	char *msg = NULL;
	int n;

	if (err == NULL)
		return code;
	err->code = code;
	err->about = OPTIMG_OPTION_NONE;
	err->remedy[0] = err->remedy[1] = OPTIMG_OPTION_NONE;
	n = vasprintf(&msg, fmt, ap);
	if (n >= 0 && suffix != NULL) {
		char *whole = NULL;
		n = asprintf(&whole, "%s: %s", msg, suffix);
		free(msg);
		msg = n >= 0 ? whole : NULL;
	}
	if (n < 0 || msg == NULL)
		snprintf(err->message, sizeof(err->message), "out of memory "
		    "while reporting an error");
	else
		fit_message(msg, (size_t)n, err->message,
		    sizeof(err->message));
	free(msg);
	return code;
}

int
oi_set_error(struct optimg_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_errorv(err, code, NULL, fmt, ap);
	va_end(ap);
	return code;
}

int
oi_set_errno(struct optimg_error *err, int code, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	set_errorv(err, code, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
	return code;
}

void
oi_error_clear(struct optimg_error *err)
{
	err->code = 0;
	err->about = OPTIMG_OPTION_NONE;
	err->remedy[0] = err->remedy[1] = OPTIMG_OPTION_NONE;
	err->message[0] = '\0';
}

int
oi_error_about(struct optimg_error *err, enum optimg_option about)
{
	if (err == NULL)
		return OPTIMG_EINVAL;
	err->about = about;
	return err->code;
}

int
oi_error_remedy(struct optimg_error *err, enum optimg_option first,
    enum optimg_option second)
{
	if (err == NULL)
		return OPTIMG_EINVAL;
	err->remedy[0] = first;
	err->remedy[1] = second;
	return err->code;
}

const char *
optimg_option_meaning(enum optimg_option opt)
{
	static const char *const meaning[] = {
		[OPTIMG_OPTION_NONE] = "",
		[OPTIMG_OPTION_REPLACE] = "replace the existing output",
		[OPTIMG_OPTION_CONFIRM] = "write to this target all the same",
		[OPTIMG_OPTION_RESTART] = "start again from nothing",
		[OPTIMG_OPTION_DRIVE] = "choose a drive",
		[OPTIMG_OPTION_BLANK] = "blank the medium first",
		[OPTIMG_OPTION_APPEND] = "add a session",
		[OPTIMG_OPTION_OUTPUT_FORMAT] = "choose the output format",
		[OPTIMG_OPTION_DATA_TRACK] = "keep only one data track",
		[OPTIMG_OPTION_SPLIT] = "one bin per track",
		[OPTIMG_OPTION_OFFSET] = "the drive's read offset",
		[OPTIMG_OPTION_ROOT_DIR] = "a root directory to squash",
		[OPTIMG_OPTION_RECONSTRUCT] =
		    "rebuild raw sectors from their user data",
		[OPTIMG_OPTION_LOSSY] = "leave out what the output cannot hold",
	};

	if ((unsigned)opt >= sizeof(meaning) / sizeof(meaning[0]))
		return "";
	return meaning[opt];
}
