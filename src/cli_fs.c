/*
 * cli_fs.c - what ls, extract, cat and info share about file systems:
 * the --namespace/--session options, opening, and ls-style formatting.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

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
		cli_error("'%s': %s", path, cli_errmsg(&err));
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

/* Writes a boot image (it lies outside files) through a file-shaped view. */
static int
copy_boot_image(struct optimg_fs *fs, const struct optimg_boot_entry *e,
    int fd)
{
	struct optimg_fs_extent x = { e->lba, 0, e->image_bytes, 0 };
	struct optimg_fs_stat st;

	memset(&st, 0, sizeof(st));
	st.name = "boot image";
	st.type = OPTIMG_FS_REG;
	st.size = e->image_bytes;
	st.extents = &x;
	st.nextents = 1;
	return optimg_fs_copy_out(fs, &st, fd, NULL, NULL) < 0 ? -1 : 0;
}

int
cli_fs_extract_boot_images(struct optimg_fs *fs, const char *image,
    int dirfd, bool force, unsigned *failed)
{
	const struct optimg_boot_catalog *cat;
	unsigned i;

	if (optimg_fs_boot_catalog(fs, &cat) < 0) {
		cli_error("'%s': %s", image, optimg_fs_errmsg(fs));
		(*failed)++;
		return 1;
	}
	for (i = 0; i < cat->nentries; i++) {
		const struct optimg_boot_entry *e = &cat->entries[i];
		char name[64], pb[8];
		const char *plat = optimg_boot_platform_name(e->platform, pb);
		int fd, rc;

		snprintf(name, sizeof(name), "boot-%u-%s.img", i + 1, plat);
		if (force)
			unlinkat(dirfd, name, 0);
		fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			cli_error(errno == EEXIST ? "'%s' exists (use --force "
			    "to replace it)" : "cannot create '%s'", name);
			(*failed)++;
			continue;
		}
		rc = copy_boot_image(fs, e, fd);
		if (close(fd) < 0 && rc == 0)
			rc = -2;
		if (rc == -1)
			cli_error("'%s': boot image %u to '%s': %s", image,
			    i + 1, name, optimg_fs_errmsg(fs));
		else if (rc == -2)
			cli_error("cannot write '%s': %s", name,
			    strerror(errno));
		if (rc < 0) {
			/* No empty or partial file passes for the image. */
			unlinkat(dirfd, name, 0);
			(*failed)++;
		}
	}
	return 0;
}
