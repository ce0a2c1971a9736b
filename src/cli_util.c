/*
 * cli_util.c - error wording, signals and image opening for the commands.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

volatile int cli_interrupted;

static void
vreport(const char *kind, const char *fmt, va_list ap)
{
	char *msg = NULL, *safe = NULL;

	fflush(stdout);
	fprintf(stderr, "optimg: ");
	if (cli_command_name != NULL)
		fprintf(stderr, "%s: ", cli_command_name);
	if (kind != NULL)
		fprintf(stderr, "%s: ", kind);
	/* Messages quote names from images: escape what they may hold. */
	if (vasprintf(&msg, fmt, ap) >= 0 &&
	    (safe = optimg_quote_c(msg, strlen(msg))) != NULL)
		fputs(safe, stderr);
	else if (msg != NULL)
		fputs("(message lost: out of memory)", stderr);
	if (safe != NULL)	/* --json: the document records it too */
		cli_json_note(kind == NULL, safe);
	free(safe);
	free(msg);
	fputc('\n', stderr);
}

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
}

void
cli_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning", fmt, ap);
	va_end(ap);
}

int
cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(NULL, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'optimg %s --help'.\n",
	    cli_command_name != NULL ? cli_command_name : "");
	return EXIT_USAGE;
}

int
cli_bad_option(char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "?";

	if (optopt != 0 && strchr(arg, '=') == NULL && arg[1] != '-')
		return cli_usage_error("unknown option or missing value: '-%c'",
		    optopt);
	return cli_usage_error("unknown option or missing value: '%s'", arg);
}

int
cli_parse_seconds(const char *s, int64_t *out)
{
	char *end;
	long long v;

	if (*s == '@')
		s++;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0)
		return -1;
	*out = v;
	return 0;
}

int
cli_write_status(int rc, const struct optimg_error *err, const char *out)
{
	if (rc >= 0)
		return 0;
	if (rc == OPTIMG_ECANCELED)
		cli_error("interrupted; '%s' was not written", out);
	else {
		cli_error("%s", cli_errmsg(err));
		cli_json_error_detail(err);
	}
	return 1;
}

static const char *
flag_of(enum optimg_option opt)
{
	switch (opt) {
	case OPTIMG_OPTION_APPEND: return "--append";
	case OPTIMG_OPTION_SPLIT: return "--split";
	case OPTIMG_OPTION_DATA_TRACK: return "--data-track";
	case OPTIMG_OPTION_OFFSET: return "--offset";
	case OPTIMG_OPTION_ROOT_DIR: return "--root-dir";
	case OPTIMG_OPTION_OUTPUT_FORMAT: return "--format";
	default: return NULL;
	}
}

/* The hint after a message, for the options that would get past it. */
static const char *
hint_of(const struct optimg_error *err)
{
	switch (err->remedy[0]) {
	case OPTIMG_OPTION_REPLACE:
		return " (use --force to replace it)";
	case OPTIMG_OPTION_CONFIRM:
		return "; use --force if you are sure";
	case OPTIMG_OPTION_RESTART:
		return " or use --force to start again";
	case OPTIMG_OPTION_DRIVE:
		return "; choose one with --drive";
	case OPTIMG_OPTION_BLANK:
		return err->remedy[1] == OPTIMG_OPTION_APPEND ?
		    "; use --blank to erase it first, or --append" :
		    "; use --blank to erase it first";
	case OPTIMG_OPTION_OUTPUT_FORMAT:
		return ", or say --format FORMAT";
	case OPTIMG_OPTION_LOSSY:
		return "; use --lossy to leave them out";
	case OPTIMG_OPTION_DATA_TRACK:
		return "; say --data-track N to keep only track N, or convert "
		    "to .cue to keep them all";
	case OPTIMG_OPTION_RECONSTRUCT:
		return " (--reconstruct rebuilds them, marked as such)";
	default:
		return "";
	}
}

const char *
cli_errmsg(const struct optimg_error *err)
{
	static char buf[OPTIMG_ERRMSG_MAX + 160];
	const char *flag = flag_of(err->about);

	snprintf(buf, sizeof(buf), "%s%s%s%s", flag != NULL ? flag : "",
	    flag != NULL ? ": " : "", err->message, hint_of(err));
	return buf;
}

int
cli_fail_status(const struct optimg_error *err)
{
	return flag_of(err->about) != NULL ? EXIT_USAGE : 1;
}

void
cli_warning_cb(void *ctx, const char *message)
{
	(void)ctx;
	cli_warning("%s", message);
}

const char *cli_chd_parent;

struct optimg_image *
cli_open_image(const char *path)
{
	struct optimg_image *img = optimg_image_new();

	if (img == NULL) {
		cli_error("out of memory");
		return NULL;
	}
	optimg_image_set_warning_cb(img, cli_warning_cb, NULL);
	if ((cli_chd_parent != NULL &&
	    optimg_image_set_parent(img, cli_chd_parent) < 0) ||
	    optimg_image_open(img, path) < 0) {
		cli_error("%s", cli_errmsg(optimg_image_error(img)));
		cli_json_error_detail(optimg_image_error(img));
		optimg_image_free(img);
		return NULL;
	}
	return img;
}

static void
on_signal(int sig)
{
	(void)sig;
	cli_interrupted = 1;
}

void
cli_install_signal_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
