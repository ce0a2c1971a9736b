/*
 * error.c - status codes and the messages kept on failed objects.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
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

static int
set_errorv(struct optimg_error *err, int code, const char *suffix,
    const char *fmt, va_list ap)
{
	if (err == NULL)
		return code;
	err->code = code;
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	if (suffix != NULL) {
		size_t n = strlen(err->message);
		snprintf(err->message + n, sizeof(err->message) - n, ": %s",
		    suffix);
	}
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
	err->message[0] = '\0';
}
