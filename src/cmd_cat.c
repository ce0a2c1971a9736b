/*
 * cmd_cat.c - `optimg cat`: one file of an image's file system to stdout.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

#define CAT_BUF (4u << 20)

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: optimg cat [--namespace NS] [--session N] IMAGE PATH\n"
	    "\n"
	    "Writes the file PATH of the file system on IMAGE (an .iso, a\n"
	    "BIN/CUE, ...) to standard output, byte for byte.  Files over\n"
	    "4 GiB (several extents) are joined.  CD-ROM XA Form 2 files (a\n"
	    "Video CD's MPEG) give 2324 bytes a sector, as extract does.\n"
	    "\n"
	    "Options:\n"
	    "      --namespace NS rr, joliet, iso or udf (see 'optimg ls --help')\n"
	    "      --session N    read session N (default: the last)\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "Example:\n"
	    "  optimg cat disc.iso /README.TXT | less\n");
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Streams st to fd; prints the error and returns 1 on failure. */
int
cli_fs_copy_to_fd(struct optimg_fs *fs, const char *image,
    const struct optimg_fs_stat *st, int fd, const char *fdname,
    void *buf, size_t bufsize)
{
	uint64_t off = 0;

	while (off < st->size) {
		size_t got;

		if (optimg_fs_read(fs, st, off, buf, bufsize, &got) < 0) {
			cli_error("'%s': %s", image, optimg_fs_errmsg(fs));
			return 1;
		}
		if (got == 0)
			break;
		if (write_all(fd, buf, got) < 0) {
			cli_error("cannot write '%s': %s", fdname,
			    strerror(errno));
			return 1;
		}
		off += got;
	}
	return 0;
}

/*
 * Standard output is a new, empty file (`> out`, not `>> out`): the kernel
 * may then copy into it at offsets from 0, holes and all.
 */
static bool
stdout_is_new_file(void)
{
	struct stat sb;
	int fl = fcntl(STDOUT_FILENO, F_GETFL);

	return fl >= 0 && !(fl & O_APPEND) && fstat(STDOUT_FILENO, &sb) == 0 &&
	    S_ISREG(sb.st_mode) && sb.st_size == 0 &&
	    lseek(STDOUT_FILENO, 0, SEEK_CUR) == 0;
}

static int
copy_to_new_file(struct optimg_fs *fs, const char *image,
    const struct optimg_fs_stat *st)
{
	if (optimg_fs_copy_out(fs, st, STDOUT_FILENO, NULL, NULL) < 0) {
		cli_error("'%s': %s", image, optimg_fs_errmsg(fs));
		return 1;
	}
	/* Whatever is written next to this output goes after the file. */
	if (lseek(STDOUT_FILENO, (off_t)st->size, SEEK_SET) < 0) {
		cli_error("cannot seek on standard output: %s",
		    strerror(errno));
		return 1;
	}
	return 0;
}

int
cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "namespace", required_argument, NULL, 'N' },
		{ "session", required_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct optimg_fs_opts opts = { OPTIMG_NS_AUTO, 0 };
	struct optimg_image *img;
	struct optimg_fs *fs;
	struct optimg_fs_stat *st;
	void *buf;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
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
	if (argc - optind != 2)
		return cli_usage_error("expected IMAGE PATH");
	if (cli_fs_open(argv[optind], &opts, &img, &fs) != 0)
		return 1;
	if (optimg_fs_lookup(fs, argv[optind + 1], &st) < 0)
		cli_error("'%s': %s", argv[optind], optimg_fs_errmsg(fs));
	else {
		if (st->type != OPTIMG_FS_REG)
			cli_error("'%s': '%s' is a %s, not a file", argv[optind],
			    argv[optind + 1], optimg_fs_type_name(st->type));
		else if (stdout_is_new_file())
			rc = copy_to_new_file(fs, argv[optind], st);
		else if ((buf = malloc(CAT_BUF)) == NULL)
			cli_error("out of memory");
		else {
			rc = cli_fs_copy_to_fd(fs, argv[optind], st,
			    STDOUT_FILENO, "standard output", buf, CAT_BUF);
			free(buf);
		}
		optimg_fs_stat_free(st);
	}
	optimg_fs_free(fs);
	optimg_image_free(img);
	return rc;
}
