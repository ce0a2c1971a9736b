/*
 * cli_fs.c - what ls, extract, cat and info share about file systems:
 * the --namespace/--session options, opening, and ls-style formatting.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int
cli_fs_parse_namespace(const char *arg, struct optimg_fs_opts *opts)
{
	int ns = optimg_fs_namespace_parse(arg);

	if (ns < 0 || strcmp(arg, "auto") == 0) {
		if (strcmp(arg, "auto") == 0) {
			opts->ns = OPTIMG_NS_AUTO;
			return 0;
		}
		return cli_usage_error("unknown name space '%s' (iso, joliet, "
		    "rr or udf)", arg);
	}
	opts->ns = (enum optimg_fs_namespace)ns;
	return 0;
}

int
cli_fs_parse_session(const char *arg, struct optimg_fs_opts *opts)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || n == 0 || n > 99)
		return cli_usage_error("bad session number '%s' (1..99)", arg);
	opts->session = (unsigned)n;
	return 0;
}

int
cli_fs_open(const char *path, const struct optimg_fs_opts *opts,
    struct optimg_image **imgp, struct optimg_fs **fsp)
{
	struct optimg_error err;
	struct optimg_image *img;

	*fsp = NULL;
	*imgp = img = cli_open_image(path);
	if (img == NULL)
		return 1;
	if (optimg_fs_open(img, opts, fsp, &err) < 0) {
		cli_error("'%s': %s", path, err.message);
		optimg_image_free(img);
		*imgp = NULL;
		return 1;
	}
	return 0;
}

void
cli_fs_mode_string(const struct optimg_fs_stat *st, char out[11])
{
	static const char types[] = {
		[OPTIMG_FS_REG] = '-', [OPTIMG_FS_DIR] = 'd',
		[OPTIMG_FS_SYMLINK] = 'l', [OPTIMG_FS_CHR] = 'c',
		[OPTIMG_FS_BLK] = 'b', [OPTIMG_FS_FIFO] = 'p',
		[OPTIMG_FS_SOCK] = 's',
	};
	static const char rwx[] = "rwxrwxrwx";
	unsigned i;

	out[0] = (unsigned)st->type < sizeof(types) ? types[st->type] : '?';
	for (i = 0; i < 9; i++)
		out[1 + i] = st->mode & (0400u >> i) ? rwx[i] : '-';
	if (st->mode & 04000)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (st->mode & 02000)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (st->mode & 01000)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

void
cli_fs_time_string(const struct optimg_timespec *t, char out[20])
{
	time_t tt = (time_t)t->sec;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, 20, "%Y-%m-%d %H:%M", &tm) == 0)
		snprintf(out, 20, "%lld", (long long)t->sec);
}

int
cli_fs_extract_boot_images(struct optimg_fs *fs, const char *image,
    int dirfd, bool force, unsigned *failed)
{
	(void)fs;
	(void)dirfd;
	(void)force;
	cli_error("'%s': --boot-images is not available yet", image);
	(*failed)++;
	return 1;
}
