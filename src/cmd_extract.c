/*
 * cmd_extract.c - `optimg extract`: copy files out of an image's file
 * system into a directory, keeping modes, times, symlinks and hard links.
 *
 * Safety: every name from the image is hostile.  Nothing is ever opened by
 * a path string built from image names.  Each directory is created with
 * mkdirat() and entered with openat(O_DIRECTORY | O_NOFOLLOW) relative to
 * its parent's descriptor; files are created with O_CREAT | O_EXCL |
 * O_NOFOLLOW.  A name that is empty, ".", ".." or holds a '/' is refused,
 * and so is a directory whose place is taken by a symlink; the rest of
 * the extraction goes on and the exit status is 1.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cli.h"

#define EX_BUF		(4u << 20)
#define EX_HOLE		(64u << 10)	/* zero runs this long become holes */
#define EX_MIN(a, b)	((a) < (b) ? (a) : (b))

struct link {
	uint64_t	 ino;
	char		*relpath;	/* from the -C directory */
};

struct ex {
	struct optimg_fs	*fs;
	const char		*image;
	const char		*dirname;
	int			 rootfd;
	bool			 force;
	unsigned		 failed;
	int			*fds;		/* open directory per depth */
	unsigned		 nfds, capfds;
	struct link		*links;		/* open hash on ino */
	size_t			 nlinks, caplinks;
	uint8_t			*buf;
	struct cli_progress	 progress;
	uint64_t		 done, total;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: optimg extract [-C DIR] [--force] [--boot-images]\n"
	    "                      [--namespace NS] [--session N] IMAGE [PATH...]\n"
	    "\n"
	    "Copies files and directories out of the ISO 9660 (Rock Ridge,\n"
	    "Joliet) or UDF file system on IMAGE into DIR, without mounting.\n"
	    "Each PATH (default: everything) is recreated under DIR with its\n"
	    "full path in the image, as tar does.  Modes, modification times,\n"
	    "symbolic links and hard links are kept; files of 4 GiB and more\n"
	    "are joined from their extents; runs of zeros become holes.\n"
	    "\n"
	    "Names that would leave DIR ('..', names with '/', a symbolic link\n"
	    "standing where a directory goes) are refused one by one with an\n"
	    "error naming them; everything else is still extracted and the\n"
	    "exit status is 1.\n"
	    "\n"
	    "Options:\n"
	    "  -C, --directory DIR  extract into DIR (default: the current\n"
	    "                       directory); it must exist\n"
	    "  -f, --force          replace files that exist already (never\n"
	    "                       directories)\n"
	    "      --boot-images    also write each El Torito boot image as\n"
	    "                       DIR/boot-N-PLATFORM.img\n"
	    "      --namespace NS   rr, joliet, iso or udf (see 'optimg ls --help')\n"
	    "      --session N      read session N (default: the last)\n"
	    "  -q, --quiet          no progress bar\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "Example:\n"
	    "  mkdir out && optimg extract -C out disc.iso /isolinux\n");
}

/* ---- small helpers ------------------------------------------------------ */

static int
top_fd(const struct ex *ex)
{
	return ex->nfds > 0 ? ex->fds[ex->nfds - 1] : ex->rootfd;
}

static int
push_fd(struct ex *ex, int fd)
{
	if (ex->nfds == ex->capfds) {
		unsigned cap = ex->capfds ? ex->capfds * 2 : 64;
		int *p = realloc(ex->fds, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		ex->fds = p;
		ex->capfds = cap;
	}
	ex->fds[ex->nfds++] = fd;
	return 0;
}

static const char *
bad_name(const char *name)
{
	if (name[0] == '\0')
		return "the name is empty";
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return "the name would leave its directory";
	if (strchr(name, '/') != NULL)
		return "the name holds a '/' (an absolute or nested path)";
	return NULL;
}

static void
refuse(struct ex *ex, const char *path, const char *why)
{
	cli_error("refusing '%s': %s", path, why);
	ex->failed++;
}

static void
fail_errno(struct ex *ex, const char *what, const char *path)
{
	cli_error("cannot %s '%s': %s", what, path, strerror(errno));
	ex->failed++;
}

static void
times_of(const struct optimg_fs_stat *st, struct timespec ts[2])
{
	ts[0].tv_sec = (time_t)st->atime.sec;
	ts[0].tv_nsec = st->atime.nsec;
	ts[1].tv_sec = (time_t)st->mtime.sec;
	ts[1].tv_nsec = st->mtime.nsec;
}

/*
 * Makes room for a new non-directory name in dfd.  Returns 0 when the
 * name is free, -1 (reported) when it is taken and may not be replaced.
 */
static int
clear_place(struct ex *ex, int dfd, const char *name, const char *path)
{
	struct stat sb;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if (S_ISDIR(sb.st_mode)) {
		cli_error("cannot replace directory '%s' with a file", path);
		ex->failed++;
		return -1;
	}
	if (!ex->force) {
		cli_error("'%s' exists (use --force to replace it)", path);
		ex->failed++;
		return -1;
	}
	if (unlinkat(dfd, name, 0) < 0) {
		fail_errno(ex, "remove", path);
		return -1;
	}
	return 0;
}

/* ---- hard links --------------------------------------------------------- */

static struct link *
link_slot(struct ex *ex, uint64_t ino)
{
	size_t i = (size_t)(ino * 0x9e3779b97f4a7c15ull) & (ex->caplinks - 1);

	while (ex->links[i].relpath != NULL && ex->links[i].ino != ino)
		i = (i + 1) & (ex->caplinks - 1);
	return &ex->links[i];
}

static void
link_remember(struct ex *ex, uint64_t ino, const char *relpath)
{
	struct link *l;

	if (ex->nlinks * 2 >= ex->caplinks) {
		struct link *old = ex->links;
		size_t oldcap = ex->caplinks, i;

		ex->caplinks = oldcap ? oldcap * 2 : 256;
		ex->links = calloc(ex->caplinks, sizeof(*ex->links));
		if (ex->links == NULL) {
			ex->links = old;
			ex->caplinks = oldcap;
			return;
		}
		for (i = 0; i < oldcap; i++)
			if (old[i].relpath != NULL)
				*link_slot(ex, old[i].ino) = old[i];
		free(old);
	}
	l = link_slot(ex, ino);
	if (l->relpath != NULL)
		return;
	l->relpath = strdup(relpath);
	l->ino = ino;
	if (l->relpath != NULL)
		ex->nlinks++;
}

/* Opens the directory holding relpath, one O_NOFOLLOW step at a time. */
static int
open_parent(struct ex *ex, const char *relpath, const char **base)
{
	char *copy = strdup(relpath), *p, *slash;
	int fd = dup(ex->rootfd), next;

	if (copy == NULL || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*base = strrchr(relpath, '/') ? strrchr(relpath, '/') + 1 : relpath;
	for (p = copy; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		*slash = '\0';
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (next < 0) {
			free(copy);
			return -1;
		}
		fd = next;
	}
	free(copy);
	return fd;
}

/* 1 when the file was made as a hard link to one extracted before. */
static int
try_link(struct ex *ex, const struct optimg_fs_stat *st, const char *path)
{
	const struct link *l;
	const char *base;
	int pfd, rc;

	if (st->ino == 0 || st->nlink < 2 || ex->caplinks == 0)
		return 0;
	l = link_slot(ex, st->ino);
	if (l->relpath == NULL)
		return 0;
	pfd = open_parent(ex, l->relpath, &base);
	if (pfd < 0)
		return 0;
	rc = linkat(pfd, base, top_fd(ex), st->name, 0);
	close(pfd);
	if (rc < 0) {
		if (errno == EEXIST) {
			fail_errno(ex, "link", path);
			return 1;
		}
		return 0;	/* fall back to a copy */
	}
	ex->done += st->size;
	return 1;
}

/* ---- data --------------------------------------------------------------- */

static bool
all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/* Writes buf, leaving holes for long zero runs. */
static int
write_sparse(int fd, const uint8_t *buf, size_t len, bool *hole)
{
	size_t pos = 0;

	while (pos < len) {
		size_t n = EX_MIN(EX_HOLE, len - pos);

		if (n == EX_HOLE && all_zero(buf + pos, n)) {
			if (lseek(fd, (off_t)n, SEEK_CUR) < 0)
				return -1;
			*hole = true;
		} else {
			size_t off = 0;

			while (off < n) {
				ssize_t w = write(fd, buf + pos + off, n - off);

				if (w < 0 && errno == EINTR)
					continue;
				if (w <= 0)
					return -1;
				off += (size_t)w;
			}
			*hole = false;
		}
		pos += n;
	}
	return 0;
}

static int
copy_data(struct ex *ex, const struct optimg_fs_stat *st, int fd,
    const char *path)
{
	uint64_t off = 0;
	bool hole = false;

	while (off < st->size) {
		size_t got;

		if (optimg_fs_read(ex->fs, st, off, ex->buf, EX_BUF, &got) < 0) {
			cli_error("'%s': %s: %s", ex->image, path,
			    optimg_fs_errmsg(ex->fs));
			ex->failed++;
			return -1;
		}
		if (got == 0)
			break;
		if (write_sparse(fd, ex->buf, got, &hole) < 0) {
			fail_errno(ex, "write", path);
			return -1;
		}
		off += got;
		ex->done += got;
		if (cli_progress_cb(&ex->progress, ex->done, ex->total)) {
			cli_error("interrupted");
			ex->failed++;
			return -1;
		}
	}
	if (hole && ftruncate(fd, (off_t)st->size) < 0) {
		fail_errno(ex, "write", path);
		return -1;
	}
	return 0;
}

/* ---- entries ------------------------------------------------------------ */

static void
extract_file(struct ex *ex, const char *path, const struct optimg_fs_stat *st)
{
	struct timespec ts[2];
	int fd, dfd = top_fd(ex);

	if (clear_place(ex, dfd, st->name, path) < 0)
		return;
	if (try_link(ex, st, path))
		return;
	fd = openat(dfd, st->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, st->mode & 0777);
	if (fd < 0) {
		fail_errno(ex, "create", path);
		return;
	}
	if (copy_data(ex, st, fd, path) == 0) {
		times_of(st, ts);
		if (fchmod(fd, st->mode & 07777) < 0 ||
		    futimens(fd, ts) < 0)
			fail_errno(ex, "set attributes of", path);
		else if (st->ino != 0 && st->nlink > 1)
			link_remember(ex, st->ino, path + 1);
	}
	if (close(fd) < 0)
		fail_errno(ex, "write", path);
}

static void
extract_special(struct ex *ex, const char *path,
    const struct optimg_fs_stat *st)
{
	struct timespec ts[2];
	int dfd = top_fd(ex), rc;
	mode_t type;

	if (clear_place(ex, dfd, st->name, path) < 0)
		return;
	times_of(st, ts);
	if (st->type == OPTIMG_FS_SYMLINK) {
		if (symlinkat(st->symlink != NULL ? st->symlink : "", dfd,
		    st->name) < 0) {
			fail_errno(ex, "create symbolic link", path);
			return;
		}
		utimensat(dfd, st->name, ts, AT_SYMLINK_NOFOLLOW);
		return;
	}
	type = st->type == OPTIMG_FS_CHR ? S_IFCHR : st->type ==
	    OPTIMG_FS_BLK ? S_IFBLK : st->type == OPTIMG_FS_FIFO ? S_IFIFO :
	    S_IFSOCK;
	rc = mknodat(dfd, st->name, type | (st->mode & 0777),
	    makedev(st->rdev_major, st->rdev_minor));
	if (rc < 0) {
		fail_errno(ex, "create special file", path);
		return;
	}
	if (fchmodat(dfd, st->name, st->mode & 07777, 0) < 0 ||
	    utimensat(dfd, st->name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		fail_errno(ex, "set attributes of", path);
}

/* Creates (or reuses) a directory and pushes its descriptor. */
static int
enter_dir(struct ex *ex, const char *path, const char *name)
{
	struct stat sb;
	int dfd = top_fd(ex), fd;

	if (mkdirat(dfd, name, 0755) < 0) {
		if (errno != EEXIST) {
			fail_errno(ex, "create directory", path);
			return -1;
		}
		if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW) < 0) {
			fail_errno(ex, "create directory", path);
			return -1;
		}
		if (S_ISLNK(sb.st_mode)) {
			refuse(ex, path, "a symbolic link stands where the "
			    "directory goes");
			return -1;
		}
		if (!S_ISDIR(sb.st_mode)) {
			if (!ex->force) {
				cli_error("'%s' exists and is not a directory "
				    "(use --force to replace it)", path);
				ex->failed++;
				return -1;
			}
			if (unlinkat(dfd, name, 0) < 0 ||
			    mkdirat(dfd, name, 0755) < 0) {
				fail_errno(ex, "create directory", path);
				return -1;
			}
		}
	}
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP || errno == ENOTDIR)
			refuse(ex, path, "a symbolic link stands where the "
			    "directory goes");
		else
			fail_errno(ex, "open directory", path);
		return -1;
	}
	if (push_fd(ex, fd) < 0) {
		close(fd);
		cli_error("out of memory");
		ex->failed++;
		return -1;
	}
	return 0;
}

static void
leave_dir(struct ex *ex, const char *path, const struct optimg_fs_stat *st)
{
	struct timespec ts[2];
	int fd = ex->fds[--ex->nfds];

	if (fd < 0)
		return;
	times_of(st, ts);
	if (path[0] != '\0' && strcmp(path, "/") != 0 &&
	    (fchmod(fd, st->mode & 07777) < 0 || futimens(fd, ts) < 0))
		fail_errno(ex, "set attributes of", path);
	close(fd);
}

static int
on_entry(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct ex *ex = ctx;
	const char *why;
	bool is_root = strcmp(path, "/") == 0;

	if (cli_interrupted)
		return OPTIMG_ECANCELED;
	if (visit == OPTIMG_FS_LEAVE) {
		leave_dir(ex, path, st);
		return 0;
	}
	why = is_root ? NULL : bad_name(st->name);
	if (st->type == OPTIMG_FS_DIR) {
		if (is_root) {
			int fd = dup(ex->rootfd);

			return fd < 0 || push_fd(ex, fd) < 0 ?
			    OPTIMG_ENOMEM : 0;
		}
		if (why != NULL)
			refuse(ex, path, why);
		if (why != NULL || enter_dir(ex, path, st->name) < 0) {
			if (push_fd(ex, -1) < 0)
				return OPTIMG_ENOMEM;
			return OPTIMG_FS_SKIP;
		}
		return 0;
	}
	if (why != NULL)
		refuse(ex, path, why);
	else if (st->type == OPTIMG_FS_REG)
		extract_file(ex, path, st);
	else
		extract_special(ex, path, st);
	return 0;
}

static int
sum_sizes(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct ex *ex = ctx;

	(void)path;
	if (visit == OPTIMG_FS_ENTER && st->type == OPTIMG_FS_REG)
		ex->total += st->size;
	return 0;
}

/*
 * Creates the parents of an image path under DIR (default modes) and
 * pushes the innermost one, so the walk starts in the right place.
 */
static int
enter_parents(struct ex *ex, const char *ipath)
{
	char *copy = strdup(ipath), *p, *slash, *shown;
	int rc = 0;

	if (copy == NULL)
		return -1;
	if (push_fd(ex, dup(ex->rootfd)) < 0 || ex->fds[ex->nfds - 1] < 0) {
		free(copy);
		return -1;
	}
	for (p = copy; *p == '/'; p++)
		;
	while (rc == 0 && (slash = strchr(p, '/')) != NULL) {
		*slash = '\0';
		if (*p != '\0' && strcmp(p, ".") != 0) {
			shown = copy;
			if (bad_name(p) != NULL) {
				refuse(ex, ipath, bad_name(p));
				rc = -1;
			} else if (enter_dir(ex, shown, p) < 0)
				rc = -1;
		}
		*slash = '/';
		for (p = slash + 1; *p == '/'; p++)
			;
	}
	free(copy);
	return rc;
}

static void
pop_all(struct ex *ex)
{
	while (ex->nfds > 0) {
		int fd = ex->fds[--ex->nfds];

		if (fd >= 0)
			close(fd);
	}
}

static int
extract_path(struct ex *ex, const char *ipath)
{
	int rc;

	if (strstr(ipath, "..") != NULL && (strcmp(ipath, "..") == 0 ||
	    strstr(ipath, "/..") != NULL || strncmp(ipath, "../", 3) == 0)) {
		refuse(ex, ipath, "'..' is not allowed in a path");
		return 0;
	}
	if (enter_parents(ex, ipath) < 0) {
		pop_all(ex);
		return 0;
	}
	rc = optimg_fs_walk(ex->fs, ipath, on_entry, ex);
	pop_all(ex);
	if (rc < 0 && rc != OPTIMG_ECANCELED) {
		cli_error("'%s': %s", ex->image, optimg_fs_errmsg(ex->fs));
		return -1;
	}
	return rc < 0 ? -1 : 0;
}


int
cmd_extract(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "directory", required_argument, NULL, 'C' },
		{ "force", no_argument, NULL, 'f' },
		{ "boot-images", no_argument, NULL, 'b' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "session", required_argument, NULL, 'S' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct optimg_fs_opts opts = { OPTIMG_NS_AUTO, 0 };
	struct optimg_image *img;
	struct ex ex;
	bool boot = false;
	int c, i, rc = 0;
	size_t l;

	memset(&ex, 0, sizeof(ex));
	ex.dirname = ".";
	while ((c = getopt_long(argc, argv, "C:fqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'C': ex.dirname = optarg; break;
		case 'f': ex.force = true; break;
		case 'b': boot = true; break;
		case 'q': cli_quiet = true; break;
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
	if (optind >= argc)
		return cli_usage_error("expected IMAGE [PATH...]");
	ex.image = argv[optind];
	ex.rootfd = open(ex.dirname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ex.rootfd < 0) {
		cli_error("cannot open directory '%s': %s", ex.dirname,
		    strerror(errno));
		return 1;
	}
	if ((ex.buf = malloc(EX_BUF)) == NULL) {
		cli_error("out of memory");
		close(ex.rootfd);
		return 1;
	}
	if (cli_fs_open(ex.image, &opts, &img, &ex.fs) != 0) {
		free(ex.buf);
		close(ex.rootfd);
		return 1;
	}
	cli_progress_init(&ex.progress, "extract");
	if (ex.progress.enabled && optind + 1 == argc)
		optimg_fs_walk(ex.fs, "/", sum_sizes, &ex);
	for (i = optind + 1; ex.progress.enabled && i < argc; i++)
		optimg_fs_walk(ex.fs, argv[i], sum_sizes, &ex);
	if (optind + 1 == argc)
		rc = extract_path(&ex, "/");
	for (i = optind + 1; i < argc && rc == 0; i++)
		rc = extract_path(&ex, argv[i]);
	cli_progress_done(&ex.progress);
	if (rc == 0 && boot)
		cli_fs_extract_boot_images(ex.fs, ex.image, ex.rootfd,
		    ex.force, &ex.failed);
	for (l = 0; l < ex.caplinks; l++)
		free(ex.links[l].relpath);
	free(ex.links);
	free(ex.fds);
	free(ex.buf);
	close(ex.rootfd);
	optimg_fs_free(ex.fs);
	optimg_image_free(img);
	return rc < 0 || ex.failed > 0 ? 1 : 0;
}
