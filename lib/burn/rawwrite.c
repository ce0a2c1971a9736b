/*
 * rawwrite.c - an image onto a USB stick or SD card, byte for byte, and
 * the checks that keep it off the wrong disk.
 *
 * Before anything is opened for writing, the target is looked up in
 * sysfs by its device number (/sys/dev/block/MAJ:MIN, a link to the
 * device's directory; a partition's parent directory is its disk) and
 * compared with /proc/self/mountinfo (field 3 is the device number of
 * each mount, the field after " - " and the type is its source).  It is
 * refused when:
 *   - the disk or any partition of it is mounted (by number, or by source
 *     name for file systems such as btrfs that report 0:N);
 *   - it holds "/": the root mount's device, through partitions and
 *     device-mapper/md "slaves", leads to the same disk;
 *   - something stacks on it (its "holders": dm, md, LVM);
 *   - for a loop device, any of this holds for another loop device over
 *     the same backing file (or for the block device it is backed by);
 *   - it is a partition, or a disk that is neither removable nor on USB
 *     (unless force);
 *   - it cannot be opened exclusively (O_EXCL on a block device fails
 *     with EBUSY while anything else holds it).
 * Every path is taken under opts->root, so tests build a fake sysfs and
 * mountinfo and check each refusal.
 *
 * A file target is written under a temporary name and renamed into place
 * when whole (lib/core/outfile.c); a device can only be written in place,
 * so a failure names the first byte that did not reach it.
 *
 * The write uses 4 MiB aligned buffers and O_DIRECT on block devices
 * (the page cache only slows a one-pass copy of gigabytes and makes the
 * final flush long); a tail that is not a multiple of 512 bytes goes
 * through the cache.  The read-back for the verify bypasses the cache
 * too, so it reads what the stick holds, not what we wrote into memory.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "oi_private.h"
#include "outfile.h"
#include "place.h"

#define CHUNK		(4u << 20)
#define ALIGN		4096u
#define MAX_DEVS	256

struct devset {
	dev_t		 dev[MAX_DEVS];
	char		 name[MAX_DEVS][64];
	bool		 shared[MAX_DEVS];	/* a loop on the same file */
	unsigned	 n;
	bool		 adding_shared;
};

struct sys {
	const char	*root;
	char		 devdir[PATH_MAX];	/* the target's sysfs dir */
	char		 diskdir[PATH_MAX];	/* its disk's */
	bool		 partition;
};

/* ---- small sysfs helpers ----------------------------------------------- */

/* dir/name into out; false when it does not fit. */
static bool
pjoin(char *out, size_t len, const char *dir, const char *name)
{
	int n = snprintf(out, len, "%s/%s", dir, name);

	return n >= 0 && (size_t)n < len;
}

static void
copy_str(char *out, size_t len, const char *s)
{
	if (snprintf(out, len, "%s", s) >= (int)len)
		out[len - 1] = '\0';	/* cut: names are for messages */
}

static void
rooted(const struct sys *s, char *out, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
rooted(const struct sys *s, char *out, size_t len, const char *fmt, ...)
{
	char rel[PATH_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(out, len, "%s%s", s->root, rel);
}

/* First line of a small file, without its newline; "" when unreadable. */
static void
read_attr(const char *dir, const char *name, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	out[0] = '\0';
	if (!pjoin(path, sizeof(path), dir, name) ||
	    (f = fopen(path, "re")) == NULL)
		return;
	if (fgets(out, (int)len, f) == NULL)
		out[0] = '\0';
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static bool
attr_exists(const char *dir, const char *name)
{
	char path[PATH_MAX];

	return pjoin(path, sizeof(path), dir, name) &&
	    access(path, F_OK) == 0;
}

static bool
parse_devnum(const char *s, dev_t *out)
{
	unsigned ma, mi;
	char end;

	if (sscanf(s, "%u:%u%c", &ma, &mi, &end) != 2)
		return false;
	*out = makedev(ma, mi);
	return true;
}

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL ? b + 1 : path;
}

static void
set_add(struct devset *set, const char *dir)
{
	char num[32];
	dev_t dev;

	read_attr(dir, "dev", num, sizeof(num));
	if (set->n == MAX_DEVS || !parse_devnum(num, &dev))
		return;
	set->dev[set->n] = dev;
	set->shared[set->n] = set->adding_shared;
	copy_str(set->name[set->n], sizeof(set->name[0]), base(dir));
	set->n++;
}

/* The sysfs directory of a device number; false when there is none. */
static bool
sysdir_of(const struct sys *s, dev_t dev, char out[PATH_MAX])
{
	char link[PATH_MAX];

	rooted(s, link, sizeof(link), "/sys/dev/block/%u:%u", major(dev),
	    minor(dev));
	return realpath(link, out) != NULL;
}

static bool
sysdir_of_name(const struct sys *s, const char *name, char out[PATH_MAX])
{
	char link[PATH_MAX];

	if (strchr(name, '/') != NULL)
		return false;
	rooted(s, link, sizeof(link), "/sys/class/block/%s", name);
	return realpath(link, out) != NULL;
}

/* The whole disk a device directory belongs to. */
static void
disk_of(const char *dir, char out[PATH_MAX])
{
	char *slash;

	snprintf(out, PATH_MAX, "%s", dir);
	if (attr_exists(dir, "partition") &&
	    (slash = strrchr(out, '/')) != NULL)
		*slash = '\0';
}

/* What is stacked on a member (dm, md): their mounts count as its own. */
static void
add_holders(const struct sys *s, const char *dir, struct devset *set)
{
	char holders[PATH_MAX], hdir[PATH_MAX];
	struct dirent *e;
	DIR *d;

	if (!pjoin(holders, sizeof(holders), dir, "holders") ||
	    (d = opendir(holders)) == NULL)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && sysdir_of_name(s, e->d_name, hdir))
			set_add(set, hdir);
	closedir(d);
}

/* A disk, each of its partitions and what is stacked on them. */
static void
add_disk(const struct sys *s, const char *diskdir, struct devset *set)
{
	DIR *d = opendir(diskdir);
	struct dirent *e;
	char sub[PATH_MAX];

	set_add(set, diskdir);
	add_holders(s, diskdir, set);
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (pjoin(sub, sizeof(sub), diskdir, e->d_name) &&
		    attr_exists(sub, "partition")) {
			set_add(set, sub);
			add_holders(s, sub, set);
		}
	}
	closedir(d);
}

/*
 * The file a loop device reads and writes (sysfs "loop/backing_file", a
 * path in the real file system), looked up; false for other devices.
 */
static bool
loop_backing(const char *diskdir, struct stat *st)
{
	char dir[PATH_MAX], file[PATH_MAX];

	if (!pjoin(dir, sizeof(dir), diskdir, "loop"))
		return false;
	read_attr(dir, "backing_file", file, sizeof(file));
	return file[0] == '/' && stat(file, st) == 0;
}

static bool
same_backing(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) || S_ISBLK(b->st_mode))
		return S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode) &&
		    a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * A loop device writes its backing file, so every other loop device over
 * that file is the same disk: their mounts and holders count as the
 * target's own (a second loop over one image, mounted, would otherwise
 * be written under its file system).  A loop over a block device writes
 * that device, so its mounts count too.
 */
static void
add_loop_twins(const struct sys *s, struct devset *set)
{
	char blocks[PATH_MAX], sub[PATH_MAX], real[PATH_MAX];
	struct stat mine, other;
	struct dirent *e;
	DIR *d;

	if (!loop_backing(s->diskdir, &mine))
		return;
	set->adding_shared = true;
	if (S_ISBLK(mine.st_mode) && sysdir_of(s, mine.st_rdev, real))
		add_disk(s, real, set);
	rooted(s, blocks, sizeof(blocks), "/sys/block");
	if ((d = opendir(blocks)) != NULL) {
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' &&
			    pjoin(sub, sizeof(sub), blocks, e->d_name) &&
			    realpath(sub, real) != NULL &&
			    strcmp(real, s->diskdir) != 0 &&
			    loop_backing(real, &other) &&
			    same_backing(&mine, &other))
				add_disk(s, real, set);
		closedir(d);
	}
	set->adding_shared = false;
}

/* The disk, what shares its data, their partitions and holders. */
static void
disk_members(const struct sys *s, struct devset *set)
{
	add_disk(s, s->diskdir, set);
	add_loop_twins(s, set);
}

/* ---- mountinfo ---------------------------------------------------------- */

struct mount {
	dev_t	dev;
	bool	have_dev;
	char	point[PATH_MAX];
	char	source[PATH_MAX];
};

/*
 * One mountinfo line (proc(5)): "36 35 98:0 /mnt1 /mnt2 rw,noatime
 * master:1 - ext3 /dev/root rw".  Octal escapes in paths are kept: only
 * "/" and /dev names are compared.
 */
static bool
parse_mount(char *line, struct mount *m)
{
	char *save = NULL, *tok, *f[5];
	unsigned n = 0;

	for (tok = strtok_r(line, " \n", &save); tok != NULL && n < 5;
	    tok = strtok_r(NULL, " \n", &save))
		f[n++] = tok;
	if (n < 5)
		return false;
	m->have_dev = parse_devnum(f[2], &m->dev);
	snprintf(m->point, sizeof(m->point), "%s", f[4]);
	m->source[0] = '\0';
	while ((tok = strtok_r(NULL, " \n", &save)) != NULL)
		if (strcmp(tok, "-") == 0) {
			strtok_r(NULL, " \n", &save);	/* type */
			if ((tok = strtok_r(NULL, " \n", &save)) != NULL)
				snprintf(m->source, sizeof(m->source), "%s",
				    tok);
			break;
		}
	return true;
}

typedef int (*mount_fn)(void *ctx, const struct mount *m);

static int
each_mount(const struct sys *s, mount_fn fn, void *ctx,
    struct optimg_error *err)
{
	char path[PATH_MAX], *line = NULL;
	size_t cap = 0;
	struct mount m;
	FILE *f;
	int rc = OPTIMG_OK;

	rooted(s, path, sizeof(path), "/proc/self/mountinfo");
	if ((f = fopen(path, "re")) == NULL)
		return oi_set_errno(err, OPTIMG_EIO, "cannot read '%s'", path);
	while (rc == OPTIMG_OK && getline(&line, &cap, f) > 0)
		if (parse_mount(line, &m))
			rc = fn(ctx, &m);
	free(line);
	fclose(f);
	return rc;
}

/* ---- the checks --------------------------------------------------------- */

struct mounted_ctx {
	const struct devset		*set;
	const char			*path;
	struct optimg_error		*err;
};

static int
check_one_mount(void *ctx, const struct mount *m)
{
	struct mounted_ctx *c = ctx;
	const char *src = strncmp(m->source, "/dev/", 5) == 0 ?
	    m->source + 5 : NULL;

	for (unsigned i = 0; i < c->set->n; i++) {
		if (!(m->have_dev && m->dev == c->set->dev[i]) &&
		    !(src != NULL && strcmp(src, c->set->name[i]) == 0))
			continue;
		if (c->set->shared[i])
			return oi_set_error(c->err, OPTIMG_EINVAL, "'%s' "
			    "writes the data of %s, which has a mounted file "
			    "system on %s; unmount it first", c->path,
			    c->set->name[i], m->point);
		return oi_set_error(c->err, OPTIMG_EINVAL, "'%s' has a "
		    "mounted file system: %s on %s; unmount it first",
		    c->path, c->set->name[i], m->point);
	}
	return OPTIMG_OK;
}

struct root_ctx {
	const struct sys	*s;
	char			 disks[8][PATH_MAX];	/* under "/" */
	unsigned		 ndisks;
	char			 via[64];
};

static void
root_disks_of(struct root_ctx *c, const char *dir, unsigned depth)
{
	char slaves[PATH_MAX], sub[PATH_MAX], real[PATH_MAX];
	struct dirent *e;
	DIR *d;
	bool any = false;

	if (depth < 8 && pjoin(slaves, sizeof(slaves), dir, "slaves") &&
	    (d = opendir(slaves)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (pjoin(sub, sizeof(sub), slaves, e->d_name) &&
			    realpath(sub, real) != NULL) {
				root_disks_of(c, real, depth + 1);
				any = true;
			}
		}
		closedir(d);
	}
	if (!any && c->ndisks < 8)
		disk_of(dir, c->disks[c->ndisks++]);
}

/* The last mount on "/" is the one in force. */
static int
find_root(void *ctx, const struct mount *m)
{
	struct root_ctx *c = ctx;
	char dir[PATH_MAX];
	bool found;

	if (strcmp(m->point, "/") != 0)
		return OPTIMG_OK;
	found = m->have_dev && sysdir_of(c->s, m->dev, dir);
	if (!found && strncmp(m->source, "/dev/", 5) == 0)
		found = sysdir_of_name(c->s, base(m->source), dir);
	c->ndisks = 0;
	c->via[0] = '\0';
	if (found) {
		copy_str(c->via, sizeof(c->via), base(dir));
		root_disks_of(c, dir, 0);
	}
	return OPTIMG_OK;
}

static int
check_root(const struct sys *s, const char *path, struct optimg_error *err)
{
	struct root_ctx c = { .s = s };

	OI_TRY(each_mount(s, find_root, &c, err));
	for (unsigned i = 0; i < c.ndisks; i++)
		if (strcmp(c.disks[i], s->diskdir) == 0)
			return oi_set_error(err, OPTIMG_EINVAL, "'%s' is the "
			    "disk that holds the running system (/ is on %s)",
			    path, c.via);
	return OPTIMG_OK;
}

/* dm, md or LVM devices built on the disk or one of its partitions. */
static int
check_holders(const struct devset *set, const struct sys *s,
    const char *path, struct optimg_error *err)
{
	for (unsigned i = 0; i < set->n; i++) {
		char dir[PATH_MAX], holders[PATH_MAX];
		struct dirent *e;
		DIR *d;

		if (!sysdir_of(s, set->dev[i], dir))
			continue;
		if (!pjoin(holders, sizeof(holders), dir, "holders") ||
		    (d = opendir(holders)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.') {
				int rc = oi_set_error(err, OPTIMG_EINVAL,
				    "'%s' is in use: %s is held by %s", path,
				    set->name[i], e->d_name);
				closedir(d);
				return rc;
			}
		closedir(d);
	}
	return OPTIMG_OK;
}

static void
describe(const struct sys *s, struct optimg_target_info *info)
{
	char vendor[64], model[96], size[32], devdir[PATH_MAX];

	copy_str(info->name, sizeof(info->name), base(s->devdir));
	copy_str(info->disk, sizeof(info->disk), base(s->diskdir));
	vendor[0] = model[0] = '\0';
	if (pjoin(devdir, sizeof(devdir), s->diskdir, "device")) {
		read_attr(devdir, "vendor", vendor, sizeof(vendor));
		read_attr(devdir, "model", model, sizeof(model));
	}
	for (char *p = vendor + strlen(vendor); p > vendor && p[-1] == ' ';)
		*--p = '\0';
	for (char *p = model + strlen(model); p > model && p[-1] == ' ';)
		*--p = '\0';
	snprintf(info->model, sizeof(info->model), "%s%s%s", vendor,
	    vendor[0] != '\0' && model[0] != '\0' ? " " : "", model);
	read_attr(s->devdir, "size", size, sizeof(size));
	info->size = strtoull(size, NULL, 10) * 512;
	read_attr(s->diskdir, "removable", size, sizeof(size));
	info->removable = strcmp(size, "1") == 0;
	info->usb = strstr(s->diskdir, "/usb") != NULL;
}

static int
check_fixed(const struct sys *s, const struct optimg_target_info *info,
    const char *path, bool force, struct optimg_error *err)
{
	if (force)
		return OPTIMG_OK;
	if (s->partition)
		oi_set_error(err, OPTIMG_EINVAL, "'%s' is a partition of %s: "
		    "write the image to the whole disk", path, info->disk);
	else if (!info->removable && !info->usb)
		oi_set_error(err, OPTIMG_EINVAL, "'%s' (%s, %.1f GB) is not a "
		    "removable disk", path,
		    info->model[0] != '\0' ? info->model : info->name,
		    (double)info->size / 1e9);
	else
		return OPTIMG_OK;
	return oi_error_remedy(err, OPTIMG_OPTION_CONFIRM, OPTIMG_OPTION_NONE);
	return OPTIMG_OK;
}

static int
check_exclusive(const char *path, struct optimg_error *err)
{
	int fd = open(path, O_RDONLY | O_EXCL | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return OPTIMG_OK;
	}
	if (errno == EBUSY)
		return oi_set_error(err, OPTIMG_EINVAL, "'%s' is in use by "
		    "another program (it cannot be opened exclusively)", path);
	return oi_set_errno(err, OPTIMG_EIO, "cannot open '%s'", path);
}

static int
check_device(const char *path, const struct stat *st,
    const struct optimg_rawwrite_opts *o, struct optimg_target_info *info,
    struct optimg_error *err)
{
	struct sys s = { .root = o->root != NULL ? o->root : "" };
	struct mounted_ctx mc;
	struct devset set = { .n = 0 };

	if (!sysdir_of(&s, st->st_rdev, s.devdir))
		return oi_set_error(err, OPTIMG_EINVAL, "'%s': device %u:%u "
		    "is not in sysfs; cannot tell what it is", path,
		    major(st->st_rdev), minor(st->st_rdev));
	s.partition = attr_exists(s.devdir, "partition");
	disk_of(s.devdir, s.diskdir);
	describe(&s, info);
	disk_members(&s, &set);
	mc = (struct mounted_ctx){ .set = &set, .path = path, .err = err };
	OI_TRY(each_mount(&s, check_one_mount, &mc, err));
	OI_TRY(check_root(&s, path, err));
	OI_TRY(check_holders(&set, &s, path, err));
	OI_TRY(check_fixed(&s, info, path, o->force, err));
	return check_exclusive(path, err);
}

int
optimg_target_check(const char *path, const struct optimg_rawwrite_opts *o,
    struct optimg_target_info *info, struct optimg_error *err)
{
	struct stat st;

	memset(info, 0, sizeof(*info));
	copy_str(info->path, sizeof(info->path), path);
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return oi_set_errno(err, OPTIMG_EIO, "'%s'", path);
		info->regular = true;	/* a new file */
		copy_str(info->name, sizeof(info->name), base(path));
		return OPTIMG_OK;
	}
	if (S_ISREG(st.st_mode)) {
		info->regular = true;
		info->size = (uint64_t)st.st_size;
		copy_str(info->name, sizeof(info->name), base(path));
		return OPTIMG_OK;
	}
	if (!S_ISBLK(st.st_mode))
		return oi_set_error(err, OPTIMG_EINVAL, "'%s' is neither a "
		    "block device nor a regular file", path);
	return check_device(path, &st, o, info, err);
}

/* ---- writing and reading back ------------------------------------------ */

static int
read_full(int fd, uint8_t *buf, size_t len, size_t *got)
{
	*got = 0;
	while (*got < len) {
		ssize_t r = read(fd, buf + *got, len - *got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

/*
 * Writes all of buf at the file position; *done grows by every byte the
 * kernel took, also when it fails part way (a short write, then ENOSPC).
 */
static int
write_full(int fd, const uint8_t *buf, size_t len, uint64_t *done)
{
	while (len > 0) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w == 0)
			errno = ENOSPC;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
		*done += (uint64_t)w;
	}
	return 0;
}

/* Opens the target device; O_DIRECT when it is accepted. */
static int
open_device(const char *path, bool *direct)
{
	int fd;

	*direct = false;
	fd = open(path, O_WRONLY | O_EXCL | O_DIRECT | O_CLOEXEC);
	if (fd >= 0) {
		*direct = true;
		return fd;
	}
	if (errno != EINVAL)
		return -1;
	return open(path, O_WRONLY | O_EXCL | O_CLOEXEC);
}

/* A tail that is not whole 512-byte sectors goes through the cache. */
static int
write_chunk(int fd, bool *direct, const uint8_t *buf, size_t len,
    uint64_t *done)
{
	size_t whole = *direct ? len / 512 * 512 : len;
	uint64_t start = *done;

	if (whole > 0 && write_full(fd, buf, whole, done) < 0)
		return -1;
	if (whole == len)
		return 0;
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_DIRECT) < 0)
		return -1;
	*direct = false;
	return write_full(fd, buf + (*done - start), len - (*done - start),
	    done);
}

/*
 * A device fails a whole request (4 MiB here) when one block of it
 * cannot be written, so the write is tried again one block at a time
 * from *done to find the block that fails: the message then names the
 * first byte that did not reach the device.  errno is the first failure's.
 */
static void
find_failed_block(int fd, const uint8_t *chunk, uint64_t chunk_off,
    size_t len, uint64_t *done)
{
	int saved = errno, bs = 512;

	if (ioctl(fd, BLKSSZGET, &bs) < 0 || bs < 512 || bs > (int)ALIGN)
		bs = 512;
	while (*done - chunk_off + (uint64_t)bs <= len) {
		ssize_t w = pwrite(fd, chunk + (*done - chunk_off), (size_t)bs,
		    (off_t)*done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w != bs)
			break;
		*done += (uint64_t)bs;
	}
	errno = saved;
}

struct copy {
	const char			*image, *path;
	const struct optimg_rawwrite_opts *o;
	const struct optimg_target_info	*info;
	int				 in, out;
	bool				 direct;
	struct oi_outfile		 of;	/* a file target's temporary */
	bool				 have_of;
	uint64_t			 size;
	uint8_t				*buf, *back;
};

/* The target's state in a message that stops the write. */
static const char *
left_as(const struct copy *c)
{
	return c->have_of ? "is left as it was" : "holds part of the image";
}

static int
copy_out(struct copy *c, struct optimg_error *err)
{
	uint64_t done = 0;
	size_t got;

	for (;;) {
		uint64_t start = done;

		if (read_full(c->in, c->buf, CHUNK, &got) < 0)
			return oi_set_errno(err, OPTIMG_EIO, "cannot read '%s'",
			    c->image);
		if (got == 0)
			break;
		if (write_chunk(c->out, &c->direct, c->buf, got, &done) < 0) {
			if (!c->have_of && errno == EIO)
				find_failed_block(c->out, c->buf, start, got,
				    &done);
			return oi_set_errno(err, OPTIMG_EIO, "writing '%s' "
			    "failed at byte %llu of %llu; it %s", c->path,
			    (unsigned long long)done,
			    (unsigned long long)c->size, left_as(c));
		}
		if (c->o->progress != NULL &&
		    c->o->progress(c->o->progress_ctx, done, c->size) != 0)
			return oi_set_error(err, OPTIMG_ECANCELED, "stopped "
			    "after %llu of %llu bytes; '%s' %s",
			    (unsigned long long)done,
			    (unsigned long long)c->size, c->path, left_as(c));
	}
	if (fsync(c->out) < 0)
		return oi_set_errno(err, OPTIMG_EIO, "flushing '%s' failed; "
		    "it %s", c->path, left_as(c));
	return OPTIMG_OK;
}

/* Opens what was written for reading, past the page cache. */
static int
open_back(const struct copy *c, bool *direct)
{
	int fd;

	*direct = false;
	if (c->have_of)		/* read before it is published */
		return open(c->of.tmp_path, O_RDONLY | O_CLOEXEC);
	if (!c->info->regular) {
		fd = open(c->path, O_RDONLY | O_DIRECT | O_CLOEXEC);
		if (fd >= 0) {
			*direct = true;
			return fd;
		}
	}
	fd = open(c->path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	return fd;
}

static uint64_t
first_difference(const uint8_t *a, const uint8_t *b, size_t len)
{
	size_t i = 0;

	while (i < len && a[i] == b[i])
		i++;
	return i;
}

static int
read_back(struct copy *c, uint64_t *bad, struct optimg_error *err)
{
	uint64_t done = 0;
	bool direct;
	int fd = open_back(c, &direct);
	int rc = OPTIMG_OK;

	if (fd < 0)
		return oi_set_errno(err, OPTIMG_EIO, "cannot read back '%s'",
		    c->path);
	while (done < c->size && rc == OPTIMG_OK) {
		size_t want = (size_t)OI_MIN((uint64_t)CHUNK, c->size - done);
		size_t ask = direct ? (want + 511) / 512 * 512 : want;
		size_t got, back;

		if (pread(c->in, c->buf, want, (off_t)done) != (ssize_t)want)
			rc = oi_set_errno(err, OPTIMG_EIO, "cannot read '%s'",
			    c->image);
		else if (read_full(fd, c->back, ask, &back) < 0 || back < want)
			rc = oi_set_error(err, OPTIMG_EIO, "cannot read back "
			    "'%s' at byte %llu", c->path,
			    (unsigned long long)done);
		else if ((got = first_difference(c->buf, c->back, want)) <
		    want) {
			*bad = done + got;
			rc = oi_set_error(err, OPTIMG_EIO, "verify failed: "
			    "'%s' differs from '%s' at byte %llu (512-byte "
			    "sector %llu)", c->path, c->image,
			    (unsigned long long)*bad,
			    (unsigned long long)(*bad / 512));
		}
		done += want;
		if (rc == OPTIMG_OK && c->o->verify_progress != NULL &&
		    c->o->verify_progress(c->o->verify_progress_ctx, done,
		    c->size) != 0)
			rc = oi_set_error(err, OPTIMG_ECANCELED, "verify "
			    "stopped; the image is written");
	}
	close(fd);
	return rc;
}

static int
same_file(int a, const char *path)
{
	struct stat sa, sb;

	return fstat(a, &sa) == 0 && stat(path, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/*
 * A file target is written as every output is: under a temporary name
 * beside it, published by the placement rule only when written, flushed
 * and verified, so a full disk or an I/O error leaves no partial file
 * (and an existing file as it was).  It replaces an existing file (the
 * user confirmed that), but never one that appeared during the write.
 */
static int
open_file_target(struct copy *c, struct optimg_error *err)
{
	const char *inputs[1] = { c->image };
	struct stat st;

	OI_TRY(oi_place_check(c->path, inputs, 1, err));
	oi_sweep_stale(c->path, c->o->warning, c->o->warning_ctx);
	OI_TRY(oi_outfile_open(&c->of, c->path, lstat(c->path, &st) == 0,
	    err));
	c->have_of = true;
	c->out = c->of.fd;
	return OPTIMG_OK;
}

static int
run_copy(struct copy *c, uint64_t *bad, struct optimg_error *err)
{
	struct stat st;
	bool regular = c->info->regular;

	if ((c->in = open(c->image, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fstat(c->in, &st) < 0)
		return oi_set_errno(err, OPTIMG_EIO, "cannot open '%s'",
		    c->image);
	c->size = (uint64_t)st.st_size;
	if (same_file(c->in, c->path))
		return oi_set_error(err, OPTIMG_EINVAL, "'%s' is the image "
		    "itself", c->path);
	if (!regular && c->size > c->info->size)
		return oi_set_error(err, OPTIMG_ERANGE, "the image is %llu "
		    "bytes but '%s' holds only %llu",
		    (unsigned long long)c->size, c->path,
		    (unsigned long long)c->info->size);
	if (posix_memalign((void **)&c->buf, ALIGN, CHUNK) != 0 ||
	    posix_memalign((void **)&c->back, ALIGN, CHUNK) != 0)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (regular)
		OI_TRY(open_file_target(c, err));
	else if ((c->out = open_device(c->path, &c->direct)) < 0)
		return oi_set_errno(err, OPTIMG_EIO, "cannot open '%s' for "
		    "writing", c->path);
	OI_TRY(copy_out(c, err));
	if (c->have_of) {
		c->out = -1;	/* the outfile's descriptor */
		OI_TRY(oi_outfile_finish(&c->of, err));
	} else {
		int fd = c->out;

		c->out = -1;
		if (close(fd) < 0)
			return oi_set_errno(err, OPTIMG_EIO, "closing '%s' "
			    "failed", c->path);
	}
	if (c->o->verify)
		OI_TRY(read_back(c, bad, err));
	return c->have_of ? oi_outfile_commit(&c->of, err) : OPTIMG_OK;
}

int
optimg_rawwrite(const char *image, const char *path,
    const struct optimg_rawwrite_opts *opts, uint64_t *bad_offset,
    struct optimg_error *err)
{
	struct optimg_target_info info;
	struct copy c = { .image = image, .path = path, .o = opts,
	    .info = &info, .in = -1, .out = -1 };
	int rc;

	*bad_offset = UINT64_MAX;
	OI_TRY(optimg_target_check(path, opts, &info, err));
	rc = run_copy(&c, bad_offset, err);
	if (c.in >= 0)
		close(c.in);
	if (c.have_of)
		oi_outfile_abort(&c.of);	/* after commit: nothing left */
	else if (c.out >= 0)
		close(c.out);
	free(c.buf);
	free(c.back);
	return rc;
}
