/*
 * cmd_mount.c - `optimg mount IMAGE DIR` and `optimg umount DIR`: a view
 * of an image (optimg_view_*) served read-only through libfuse3, the only
 * file that sees libfuse.  Reads run on libfuse's worker threads; the view
 * gives each its own handle on the image.
 *
 * Without --foreground the command forks first, before libfuse or the
 * library start a thread: the child opens the image and mounts with
 * standard error still the caller's, so every failure is told there, and
 * only then detaches and tells the parent, which exits 0.  `optimg mount`
 * therefore returns once DIR is ready.  Image errors met later are logged
 * once per sector, to standard error in the foreground, else to syslog.
 */
#include "config.h"

#define FUSE_USE_VERSION 31

#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "cli.h"

#define MOUNT_MAX_READ	(1u << 20)
#define LOGGED_MAX	4096	/* sectors remembered as logged */
#define READAHEAD_KB	1024

struct mount_ctx {
	struct optimg_view	*view;
	const char		*image;
	const char		*dir;
	int			 notify;	/* the waiting parent, or -1 */
	bool			 detached;	/* log to syslog */
	pthread_mutex_t		 mu;
	int32_t			 logged[LOGGED_MAX];
	unsigned		 nlogged;
};

static struct mount_ctx M = { .mu = PTHREAD_MUTEX_INITIALIZER, .notify = -1 };

static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: optimg mount [--foreground] [--session N] [--namespace NS]\n"
	    "                    [--threads N] [--parent FILE] IMAGE DIR\n"
	    "       optimg umount [--lazy] DIR\n"
	    "\n"
	    "Shows IMAGE (any format optimg reads: BIN/CUE, CHD, NRG, ISO, ...)\n"
	    "as read-only files under DIR, through FUSE: no root, no kernel\n"
	    "module but fuse, no temporary files.  Every file is computed on\n"
	    "demand from the image, with its exact size:\n"
	    "  DIR/image.iso             the first data track, 2048 bytes a sector\n"
	    "  DIR/image.cue             with DIR/image (Track N).bin: raw bins\n"
	    "                            as 'optimg convert --split' writes them\n"
	    "  DIR/image.ccd .img .sub   CloneCD (one-session discs)\n"
	    "  DIR/tracks/NN.wav         each audio track as a WAV file\n"
	    "  DIR/files/                the image's file system (Rock Ridge,\n"
	    "                            Joliet, ISO 9660, UDF) with modes, times,\n"
	    "                            symbolic and hard links\n"
	    "A sector the image cannot give (a bad CHD hunk, a missing bin)\n"
	    "reads as an I/O error for the bytes it holds, is logged once with\n"
	    "its LBA, and the mount stays up.\n"
	    "\n"
	    "Options:\n"
	    "  -f, --foreground   stay in the foreground (errors to stderr);\n"
	    "                     Ctrl-C unmounts\n"
	    "      --session N    files/ shows session N (default: the last)\n"
	    "      --namespace NS rr, joliet, iso or udf for files/\n"
	    "      --threads N    images open for parallel reads (default 8)\n"
	    "      --parent FILE  the parent of a CHD stored as a difference\n"
	    "      --lazy         umount: detach now, even while files are open\n"
	    "  -h, --help         show this help\n"
	    "\n"
	    "Unmount with 'optimg umount DIR' (or 'fusermount3 -u DIR').\n"
	    "Needs /dev/fuse, and fusermount3 (Debian package fuse3) when not\n"
	    "run as root.\n"
	    "\n"
	    "Examples:\n"
	    "  optimg mount game.chd /mnt/game && ls /mnt/game/files\n"
	    "  bsdtar -tf /mnt/game/image.iso\n"
	    "  optimg umount /mnt/game\n");
}

/* ---- logging ----------------------------------------------------------- */

static void
say(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (M.detached)
		syslog(LOG_ERR, "%s", msg);
	else
		cli_error("%s", msg);
}

/* True the first time lba is seen (a full table logs everything). */
static bool
first_time(int32_t lba)
{
	bool first = true;

	pthread_mutex_lock(&M.mu);
	for (unsigned i = 0; i < M.nlogged && first; i++)
		first = M.logged[i] != lba;
	if (first && M.nlogged < LOGGED_MAX)
		M.logged[M.nlogged++] = lba;
	pthread_mutex_unlock(&M.mu);
	return first;
}

static void
log_fault(const char *path, int32_t lba, const struct optimg_error *err)
{
	/* The library's message names the image file already. */
	if (lba == OPTIMG_NO_INDEX)
		say("%s: %s", path, err->message);
	else if (first_time(lba))
		say("%s, sector %ld: %s", path, (long)lba, err->message);
}

/* ---- FUSE operations --------------------------------------------------- */

static int
errno_of(int status)
{
	switch (status) {
	case OPTIMG_ENOENT: return -ENOENT;
	case OPTIMG_ENOMEM: return -ENOMEM;
	case OPTIMG_EINVAL: return -EINVAL;
	default: return -EIO;
	}
}

static void
to_stat(const struct optimg_view_stat *v, struct stat *st)
{
	static const mode_t kind[] = {
		[OPTIMG_FS_REG] = S_IFREG, [OPTIMG_FS_DIR] = S_IFDIR,
		[OPTIMG_FS_SYMLINK] = S_IFLNK, [OPTIMG_FS_CHR] = S_IFCHR,
		[OPTIMG_FS_BLK] = S_IFBLK, [OPTIMG_FS_FIFO] = S_IFIFO,
		[OPTIMG_FS_SOCK] = S_IFSOCK,
	};

	memset(st, 0, sizeof(*st));
	st->st_mode = kind[v->type] | (v->mode & 07777);
	st->st_ino = v->ino;
	st->st_nlink = v->nlink;
	st->st_uid = v->uid;
	st->st_gid = v->gid;
	st->st_size = (off_t)v->size;
	st->st_blocks = (blkcnt_t)v->blocks;
	st->st_blksize = 2048;
	st->st_rdev = makedev(v->rdev_major, v->rdev_minor);
	st->st_mtim.tv_sec = v->mtime.sec;
	st->st_mtim.tv_nsec = v->mtime.nsec;
	st->st_atim.tv_sec = v->atime.sec;
	st->st_atim.tv_nsec = v->atime.nsec;
	st->st_ctim.tv_sec = v->ctime.sec;
	st->st_ctim.tv_nsec = v->ctime.nsec;
}

static int
m_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct optimg_view_node *n;
	struct optimg_error err;
	int rc;

	if (fi != NULL && fi->fh != 0) {
		to_stat(optimg_view_node_stat((void *)(uintptr_t)fi->fh), st);
		return 0;
	}
	if ((rc = optimg_view_lookup(M.view, path, &n, &err)) < 0)
		return errno_of(rc);
	to_stat(optimg_view_node_stat(n), st);
	optimg_view_node_free(n);
	return 0;
}

static int
m_readlink(const char *path, char *buf, size_t size)
{
	struct optimg_view_node *n;
	struct optimg_error err;
	const char *target;
	int rc;

	if ((rc = optimg_view_lookup(M.view, path, &n, &err)) < 0)
		return errno_of(rc);
	target = optimg_view_node_stat(n)->symlink;
	if (target == NULL)
		rc = -EINVAL;
	else
		snprintf(buf, size, "%s", target);
	optimg_view_node_free(n);
	return rc < 0 ? rc : 0;
}

static int
m_open(const char *path, struct fuse_file_info *fi)
{
	struct optimg_view_node *n;
	struct optimg_error err;
	int rc;

	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	if ((rc = optimg_view_lookup(M.view, path, &n, &err)) < 0)
		return errno_of(rc);
	fi->fh = (uintptr_t)n;
	fi->keep_cache = 1;	/* the bytes never change */
	return 0;
}

static int
m_release(const char *path, struct fuse_file_info *fi)
{
	(void)path;
	optimg_view_node_free((void *)(uintptr_t)fi->fh);
	return 0;
}

static int
m_read(const char *path, char *buf, size_t size, off_t off,
    struct fuse_file_info *fi)
{
	struct optimg_error err;
	size_t got;
	int32_t lba;

	/* With the page cache a short read would mean the end of the file:
	   a request touching a bad sector fails whole, and the kernel asks
	   again page by page for what its reader wants. */
	if (optimg_view_read(M.view, (void *)(uintptr_t)fi->fh, (uint64_t)off,
	    buf, size, &got, &lba, &err) < 0) {
		log_fault(path, lba, &err);
		return -EIO;
	}
	return (int)got;
}

struct fill {
	void			*buf;
	fuse_fill_dir_t		 filler;
};

static int
fill_one(void *ctx, const char *name, const struct optimg_view_stat *v)
{
	struct fill *f = ctx;
	struct stat st;

	to_stat(v, &st);
	return f->filler(f->buf, name, &st, 0, FUSE_FILL_DIR_PLUS) ? 1 : 0;
}

static int
m_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
    struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct optimg_view_node *n;
	struct optimg_error err;
	struct fill f = { buf, filler };
	int rc;

	(void)off;
	(void)fi;
	(void)flags;
	if ((rc = optimg_view_lookup(M.view, path, &n, &err)) < 0)
		return errno_of(rc);
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	rc = optimg_view_list(M.view, n, fill_one, &f, &err);
	optimg_view_node_free(n);
	if (rc < 0) {
		log_fault(path, OPTIMG_NO_INDEX, &err);
		return errno_of(rc);
	}
	return 0;
}

static int
m_statfs(const char *path, struct statvfs *st)
{
	(void)path;
	memset(st, 0, sizeof(*st));
	st->f_bsize = st->f_frsize = 2048;
	st->f_namemax = 255;
	return 0;
}

/* The device number of the mount on dir, from /proc/self/mountinfo
   (asking the mount itself would wait for the server). */
static bool
mount_dev(const char *dir, unsigned *maj, unsigned *min)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096], mp[4096];
	bool found = false;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		unsigned a, b, i, j;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &a, &b, mp) != 3)
			continue;
		for (i = j = 0; mp[i] != '\0'; j++) {	/* \040 and such */
			if (mp[i] == '\\' && mp[i + 1] >= '0' &&
			    mp[i + 1] <= '3') {
				mp[j] = (char)((mp[i + 1] - '0') << 6 |
				    (mp[i + 2] - '0') << 3 | (mp[i + 3] - '0'));
				i += 4;
			} else
				mp[j] = mp[i++];
		}
		mp[j] = '\0';
		if (strcmp(mp, dir) == 0 && strstr(line, " fuse.optimg ")) {
			*maj = a;
			*min = b;
			found = true;	/* the last one is on top */
		}
	}
	if (f != NULL)
		fclose(f);
	return found;
}

/*
 * The kernel gives a FUSE mount 128 KiB of readahead and lets the server
 * ask only for less; reading through 1 MiB requests is about twice as
 * fast.  Root may raise it on the mount's own backing device, once the
 * INIT reply (which would cut it back) is through; others keep 128 KiB.
 */
static void *
tune_readahead(void *arg)
{
	char path[64];
	unsigned maj, min, kb = 0;

	(void)arg;
	if (!mount_dev(M.dir, &maj, &min))
		goto done;
	snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb",
	    maj, min);
	for (int i = 0; i < 5 && kb != READAHEAD_KB; i++) {
		FILE *f;

		usleep(50 * 1000);
		if ((f = fopen(path, "w")) == NULL)
			break;
		fprintf(f, "%u\n", READAHEAD_KB);
		if (fclose(f) != 0)
			break;
		usleep(50 * 1000);
		if ((f = fopen(path, "r")) == NULL ||
		    fscanf(f, "%u", &kb) != 1)
			kb = 0;
		if (f != NULL)
			fclose(f);
	}
done:
	/* Now the mount is ready: the parent may return. */
	if (M.notify >= 0) {
		if (write(M.notify, "1", 1) != 1)
			(void)0;
		close(M.notify);
		M.notify = -1;
	}
	return NULL;
}

static void *
m_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	pthread_t t;

	/* Inode numbers are the view's (hard links share one), and
	   nothing ever changes: cache names, attributes and data. */
	cfg->use_ino = 1;
	cfg->kernel_cache = 1;
	cfg->entry_timeout = cfg->attr_timeout = 86400;
	cfg->negative_timeout = 86400;
	conn->max_read = MOUNT_MAX_READ;
	conn->max_readahead = MOUNT_MAX_READ;
	if (pthread_create(&t, NULL, tune_readahead, NULL) == 0)
		pthread_detach(t);
	else
		tune_readahead(NULL);
	return NULL;
}

static const struct fuse_operations ops = {
	.init = m_init,
	.getattr = m_getattr,
	.readlink = m_readlink,
	.open = m_open,
	.release = m_release,
	.read = m_read,
	.readdir = m_readdir,
	.statfs = m_statfs,
};

/* ---- mounting ---------------------------------------------------------- */

static bool
in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[PATH_MAX];

	if (access("/usr/bin/fusermount3", X_OK) == 0 ||
	    access("/bin/fusermount3", X_OK) == 0)
		return true;
	while (path != NULL && *path != '\0') {
		size_t n = strcspn(path, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, path, prog);
		if (n > 0 && access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

/* The one-line reasons FUSE cannot work here. */
static int
check_fuse(void)
{
	if (access("/dev/fuse", R_OK | W_OK) != 0) {
		cli_error("cannot use /dev/fuse: %s (load the fuse module, or "
		    "give a container the device)", strerror(errno));
		return 1;
	}
	if (geteuid() != 0 && !in_path("fusermount3")) {
		cli_error("fusermount3 not found: install the Debian package "
		    "'fuse3'");
		return 1;
	}
	return 0;
}

/*
 * fuse_mount, with what libfuse and fusermount3 print on standard error
 * caught, so that a refusal reaches the user as one line that says where
 * and why.  On success anything they printed is passed on as it was.
 */
static int
fuse_mount_quietly(struct fuse *f, const char *dir)
{
	char msg[512];
	int memfd, saved, rc;
	ssize_t n;

	fflush(stderr);
	memfd = memfd_create("optimg-fuse-stderr", MFD_CLOEXEC);
	saved = memfd < 0 ? -1 : dup(2);
	if (saved < 0 || dup2(memfd, 2) < 0) {
		if (saved >= 0)
			close(saved);
		if (memfd >= 0)
			close(memfd);
		if (fuse_mount(f, dir) == 0)
			return 0;
		cli_error("cannot mount on '%s' (see the FUSE message above)",
		    dir);
		return -1;
	}
	rc = fuse_mount(f, dir);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(memfd, msg, sizeof(msg) - 1, 0);
	close(memfd);
	msg[n > 0 ? n : 0] = '\0';
	if (rc == 0) {
		fputs(msg, stderr);
		return 0;
	}
	/* Several lines (libfuse's and fusermount3's) become one. */
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n')
			*p = p[1] == '\0' ? '\0' : ';';
	if (msg[0] != '\0')
		cli_error("cannot mount on '%s': %s", dir, msg);
	else
		cli_error("cannot mount on '%s'", dir);
	return -1;
}

static struct fuse *
fuse_make(const char *dir)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	char opts[256];
	struct fuse *f;

	snprintf(opts, sizeof(opts), "ro,default_permissions,fsname=optimg,"
	    "subtype=optimg,max_read=%u", MOUNT_MAX_READ);
	if (fuse_opt_add_arg(&args, "optimg") < 0 ||
	    fuse_opt_add_arg(&args, "-o") < 0 ||
	    fuse_opt_add_arg(&args, opts) < 0) {
		cli_error("out of memory");
		return NULL;
	}
	f = fuse_new(&args, &ops, sizeof(ops), NULL);
	fuse_opt_free_args(&args);
	if (f == NULL) {
		cli_error("cannot set up FUSE");
		return NULL;
	}
	if (fuse_mount_quietly(f, dir) != 0) {
		fuse_destroy(f);
		return NULL;
	}
	return f;
}

/* The child leaves the caller's terminal and says all is well. */
static void
detach(int notify)
{
	int fd = open("/dev/null", O_RDWR);

	setsid();
	if (chdir("/") != 0)
		(void)0;
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	openlog("optimg", LOG_PID, LOG_USER);
	M.detached = true;
	M.notify = notify;	/* told once INIT is through (m_init) */
}

/* A data track, where files/ would be looked for. */
static bool
has_data(const struct optimg_image *img)
{
	const struct optimg_disc *d = optimg_image_disc(img);

	for (unsigned i = 0; i < d->ntracks; i++)
		if (d->tracks[i].mode != OPTIMG_TRACK_AUDIO)
			return true;
	return false;
}

static int
serve(const char *image, const char *dir,
    const struct optimg_view_opts *vo, int notify)
{
	struct optimg_image *img;
	struct optimg_error err;
	struct fuse *f;
	int rc = 1;

	if ((img = cli_open_image(image)) == NULL)
		return 1;
	if (optimg_view_new(img, vo, &M.view, &err) < 0) {
		cli_error("'%s': %s", image, cli_errmsg(&err));
		optimg_image_free(img);
		return 1;
	}
	/* A file system asked for by session must be there. */
	if (vo->session != 0 && optimg_view_fs_problem(M.view) != NULL) {
		cli_error("'%s': %s", image, optimg_view_fs_problem(M.view));
		optimg_view_free(M.view);
		optimg_image_free(img);
		return 1;
	}
	if (optimg_view_fs_problem(M.view) != NULL && has_data(img))
		cli_warning("'%s': no files/: %s", image,
		    optimg_view_fs_problem(M.view));
	/* Warnings of later reads have no one to go to. */
	optimg_image_set_warning_cb(img, NULL, NULL);
	M.image = image;
	M.dir = dir;
	if ((f = fuse_make(dir)) != NULL) {
		if (notify >= 0)
			detach(notify);
		if (fuse_set_signal_handlers(fuse_get_session(f)) == 0) {
			rc = fuse_loop_mt(f, 0) == 0 ? 0 : 1;
			fuse_remove_signal_handlers(fuse_get_session(f));
		}
		fuse_unmount(f);
		fuse_destroy(f);
	}
	optimg_view_free(M.view);
	optimg_image_free(img);
	return rc;
}

/* Forks; the parent returns the child's verdict once DIR is mounted. */
static int
serve_detached(const char *image, const char *dir,
    const struct optimg_view_opts *vo)
{
	int p[2], status;
	char c;
	pid_t pid;

	fflush(NULL);
	if (pipe(p) != 0 || (pid = fork()) < 0) {
		cli_error("cannot start the server: %s", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		close(p[0]);
		_exit(serve(image, dir, vo, p[1]));
	}
	close(p[1]);
	if (read(p[0], &c, 1) == 1)
		return 0;
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		return WEXITSTATUS(status) == 0 ? 1 : WEXITSTATUS(status);
	return 1;
}

static int
parse_count(const char *arg, const char *what, unsigned *out)
{
	char *end;
	unsigned long n = strtoul(arg, &end, 10);

	if (*arg == '\0' || *end != '\0' || n == 0 || n > 64)
		return cli_usage_error("%s must be 1..64, not '%s'", what, arg);
	*out = (unsigned)n;
	return 0;
}

int
cmd_mount(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "session", required_argument, NULL, 'S' },
		{ "namespace", required_argument, NULL, 'N' },
		{ "threads", required_argument, NULL, 't' },
		{ "parent", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct optimg_fs_opts fo = { OPTIMG_NS_AUTO, 0 };
	struct optimg_view_opts vo = { OPTIMG_NS_AUTO, 0, 0 };
	char image[PATH_MAX], dir[PATH_MAX];
	bool fg = false;
	struct stat sb;
	int c;

	while ((c = getopt_long(argc, argv, "fh", longopts, NULL)) != -1) {
		switch (c) {
		case 'f': fg = true; break;
		case 'S':
			if (cli_fs_parse_session(optarg, &fo) != 0)
				return EXIT_USAGE;
			break;
		case 'N':
			if (cli_fs_parse_namespace(optarg, &fo) != 0)
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_count(optarg, "--threads", &vo.handles) != 0)
				return EXIT_USAGE;
			break;
		case 'p': cli_chd_parent = optarg; break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option(argv);
		}
	}
	if (argc - optind != 2)
		return cli_usage_error("expected IMAGE DIR");
	vo.ns = fo.ns;
	vo.session = fo.session;
	/* The server leaves the working directory: keep absolute paths. */
	if (realpath(argv[optind], image) == NULL) {
		cli_error("cannot open '%s': %s", argv[optind], strerror(errno));
		return 1;
	}
	if (realpath(argv[optind + 1], dir) == NULL ||
	    stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		cli_error("'%s' is not a directory", argv[optind + 1]);
		return 1;
	}
	if (check_fuse() != 0)
		return 1;
	return fg ? serve(image, dir, &vo, -1) : serve_detached(image, dir,
	    &vo);
}

int
cmd_umount(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "lazy", no_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	bool lazy = false;
	int c, status;
	pid_t pid;

	while ((c = getopt_long(argc, argv, "zh", longopts, NULL)) != -1) {
		switch (c) {
		case 'z': lazy = true; break;
		case 'h': usage(stdout); return 0;
		default: return cli_bad_option(argv);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("expected DIR");
	if (!in_path("fusermount3")) {
		if (geteuid() == 0 &&
		    umount2(argv[optind], lazy ? MNT_DETACH : 0) == 0)
			return 0;
		cli_error("fusermount3 not found: install the Debian package "
		    "'fuse3'");
		return 1;
	}
	fflush(NULL);
	if ((pid = fork()) == 0) {
		execlp("fusermount3", "fusermount3", lazy ? "-uz" : "-u", "--",
		    argv[optind], (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		cli_error("cannot unmount '%s'%s", argv[optind],
		    lazy ? "" : " (busy? --lazy detaches it anyway)");
		return 1;
	}
	return 0;
}
