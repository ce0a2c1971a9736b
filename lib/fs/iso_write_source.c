/*
 * iso_write_source.c - opening the host files whose bytes go in the
 * image, and reading runs of small ones on two threads.
 *
 * A file is opened by its name in its directory, kept open in a small
 * cache, and checked to be the file scanned (oi_iso_open_at).  Small
 * files are most of a large tree's cost, and that cost is the kernel's
 * open/read/close per file, on one core: a batch of them, all landing in
 * the output buffer, is shared with a helper thread, each file read
 * straight to its place, so the bytes are the same whoever reads them.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iso_write.h"

void
oi_iso_opener_init(struct oi_iso_opener *o, struct optimg_error *err)
{
	memset(o, 0, sizeof(*o));
	for (unsigned i = 0; i < OI_ISO_DIR_CACHE; i++)
		o->fd[i] = -1;
	o->err = err;
}

void
oi_iso_opener_close(struct oi_iso_opener *o)
{
	for (unsigned i = 0; i < OI_ISO_DIR_CACHE; i++) {
		if (o->fd[i] >= 0)
			close(o->fd[i]);
		o->fd[i] = -1;
		o->key[i] = NULL;
	}
}

/*
 * The open directory dir, or -1 when it cannot be opened.  Files come in
 * tree order, so a few entries serve a directory and the ones above it,
 * to which the copy returns after each subdirectory.
 */
static int
dir_get(struct oi_iso_opener *o, const char *dir)
{
	unsigned i, old = 0;

	o->clock++;
	for (i = 0; i < OI_ISO_DIR_CACHE; i++) {
		if (o->key[i] == dir && o->fd[i] >= 0) {
			o->used[i] = o->clock;
			return o->fd[i];
		}
		if (o->used[i] < o->used[old])
			old = i;
	}
	if (o->fd[old] >= 0)
		close(o->fd[old]);
	o->key[old] = dir;
	o->used[old] = o->clock;
	o->fd[old] = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return o->fd[old];
}

static int
changed(struct oi_iso_opener *o, const char *path)
{
	o->changed = true;
	return oi_set_error(o->err, OPTIMG_EIO, "'%s' changed after it "
	    "was scanned (replaced, removed or resized); none of its bytes "
	    "were copied", path);
}

/*
 * O_NOFOLLOW and the device, inode and size check make sure the bytes
 * copied are those of the file scanned: one replaced meanwhile by a link
 * to /etc/shadow, say, is an error, never another file's content.
 * O_NONBLOCK: a FIFO swapped in must not block the open.  It stays set:
 * it changes nothing for a regular file on Linux's local file systems,
 * and oi_iso_read() clears it where a read says EAGAIN, which saves a
 * call per file.
 */
int
oi_iso_open_at(struct oi_iso_opener *o, int dfd, const char *path,
    const char *shown, bool follow, uint64_t dev, uint64_t ino,
    uint64_t size)
{
	int flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK |
	    (follow ? 0 : O_NOFOLLOW);
	struct stat st;
	int fd = -1;

	if (!o->atime_kept)	/* O_NOATIME: owner (or root) only */
		fd = openat(dfd, path, flags | O_NOATIME);
	if (o->atime_kept || (fd < 0 && errno == EPERM)) {
		o->atime_kept = true;
		fd = openat(dfd, path, flags);
	}
	if (fd < 0 && (errno == ELOOP || errno == ENOENT))
		return changed(o, shown);
	if (fd < 0)
		return oi_set_errno(o->err, OPTIMG_EIO, "cannot open '%s'",
		    shown);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_dev != dev || (uint64_t)st.st_ino != ino ||
	    (uint64_t)st.st_size != size) {
		close(fd);
		return changed(o, shown);
	}
	return fd;
}

/*
 * Through the open directory when the node keeps its directory's path
 * apart; a directory that cannot be opened goes the full path's way,
 * which then says what is wrong.
 */
int
oi_iso_open_node(struct oi_iso_opener *o, const struct oi_iso_node *f,
    const char *src)
{
	int dfd;

	if (f->src_in_dir && (dfd = dir_get(o, f->src)) >= 0)
		return oi_iso_open_at(o, dfd, f->name, src, false,
		    f->src_dev, f->src_ino, f->size);
	return oi_iso_open_at(o, AT_FDCWD, src, src, false, f->src_dev,
	    f->src_ino, f->size);
}

int
oi_iso_open_source(struct optimg_mkiso *mk, const char *path, bool follow,
    uint64_t dev, uint64_t ino, uint64_t size)
{
	struct oi_iso_opener o;
	int fd;

	oi_iso_opener_init(&o, &mk->err);
	fd = oi_iso_open_at(&o, AT_FDCWD, path, path, follow, dev, ino,
	    size);
	mk->changed |= o.changed;
	return fd;
}

ssize_t
oi_iso_read(int fd, void *p, size_t len)
{
	ssize_t n;
	int fl;

	for (;;) {
		n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN &&
		    (fl = fcntl(fd, F_GETFL)) >= 0 && (fl & O_NONBLOCK) &&
		    fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) == 0)
			continue;
		return n;
	}
}

/* ---- a batch of small files on two threads ---------------------------- */

/* Reads all of f into dst and zeroes the rest of its last block. */
static int
read_whole(struct oi_iso_opener *o, const struct oi_iso_node *f,
    uint8_t *dst)
{
	char buf[PATH_MAX];
	const char *src = oi_iso_src(f, buf, sizeof(buf));
	int fd = oi_iso_open_node(o, f, src);
	uint64_t got = 0;
	int rc = OPTIMG_OK;

	if (fd < 0)
		return fd;
	while (got < f->size && rc == OPTIMG_OK) {
		ssize_t n = oi_iso_read(fd, dst + got, f->size - got);
		if (n < 0)
			rc = oi_set_errno(o->err, OPTIMG_EIO,
			    "cannot read '%s'", src);
		else if (n == 0) {
			o->changed = true;
			rc = oi_set_error(o->err, OPTIMG_EIO,
			    "'%s' shrank while the image was written", src);
		} else
			got += (uint64_t)n;
	}
	close(fd);
	if (f->size % ISO_BLOCK != 0)
		memset(dst + f->size, 0, ISO_BLOCK - f->size % ISO_BLOCK);
	return rc;
}

/*
 * Each thread takes the next file in order and reads it.  A thread stops
 * at its first failure; since files are taken in order, the failure with
 * the lowest index is the first failing file, as one thread would find.
 */
static void
batch_run(struct oi_iso_batch *b, unsigned t)
{
	struct oi_iso_reader *r = &b->reader[t];

	for (;;) {
		size_t i = __atomic_fetch_add(&b->next, 1, __ATOMIC_RELAXED);
		const struct oi_iso_node *f;

		if (i >= b->n || __atomic_load_n(&b->stop, __ATOMIC_RELAXED))
			return;
		f = b->files[i];
		if (read_whole(&r->open, f, b->dst +
		    ((uint64_t)f->data_lba * ISO_BLOCK - b->base)) < 0) {
			r->failed = i;
			__atomic_store_n(&b->stop, true, __ATOMIC_RELAXED);
			return;
		}
	}
}

static void
helper_job(void *arg)
{
	batch_run(arg, 1);
}

void
oi_iso_batch_init(struct oi_iso_batch *b)
{
	memset(b, 0, sizeof(*b));
	for (unsigned t = 0; t < 2; t++)
		oi_iso_opener_init(&b->reader[t].open, &b->reader[t].err);
	b->threads = oi_cpu_count() > 1 ? 2 : 1;
}

void
oi_iso_batch_free(struct oi_iso_batch *b)
{
	oi_worker_stop(&b->helper);
	for (unsigned t = 0; t < 2; t++)
		oi_iso_opener_close(&b->reader[t].open);
}

int
oi_iso_batch_read(struct oi_iso_batch *b, struct optimg_mkiso *mk,
    const struct oi_iso_node *const *files, size_t n, uint8_t *dst,
    uint64_t base)
{
	const struct oi_iso_reader *bad = NULL;
	bool helped;

	b->files = files;
	b->n = n;
	b->dst = dst;
	b->base = base;
	b->next = 0;
	b->stop = false;
	for (unsigned t = 0; t < 2; t++) {
		b->reader[t].failed = SIZE_MAX;
		b->reader[t].open.changed = false;
	}
	helped = b->threads > 1 && oi_worker_submit(&b->helper, helper_job,
	    b);
	batch_run(b, 0);
	if (helped)
		oi_worker_wait(&b->helper);
	for (unsigned t = 0; t < 2; t++)
		if (b->reader[t].failed != SIZE_MAX && (bad == NULL ||
		    b->reader[t].failed < bad->failed))
			bad = &b->reader[t];
	if (bad == NULL)
		return OPTIMG_OK;
	mk->err = bad->err;
	mk->changed |= bad->open.changed;
	return mk->err.code;
}
