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
	err->about = OPTIMG_OPTION_NONE;
	err->remedy[0] = err->remedy[1] = OPTIMG_OPTION_NONE;
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
	};

	if ((unsigned)opt >= sizeof(meaning) / sizeof(meaning[0]))
		return "";
	return meaning[opt];
}
