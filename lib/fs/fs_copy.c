/*
 * fs_copy.c - a regular file's data into a host file, as fast as the kernel
 * allows: optimg_fs_copy_out().
 *
 * Where the image file holds the data as plain 2048-byte sectors (an .iso,
 * a MODE1/2048 track) page-aligned, as every file at an even sector is,
 * the kernel copies it from page cache to page cache with
 * copy_file_range(2), or sendfile(2) across file systems: the bytes never
 * visit user space, and a file system that shares blocks (XFS, Btrfs) can
 * share them.  Holes are still made: the first bytes of each aligned
 * 64 KiB block are probed (a pread of 16 bytes costs a fifth of what
 * copying the block through user space would), and only a block that
 * starts with zeros is read whole to see whether all of it is zero.
 *
 * A file at an odd sector is half a page off: the kernel could only
 * splice every page in two pieces, through 64 KiB of pipe at a time, and
 * no file system can share such blocks.  Its bytes pass through a buffer
 * instead, which also shows the zeros without probing (a file smaller than
 * the buffer still takes one kernel call, not two).  Extracting 3.2 GB
 * of 8 large files, most at odd sectors, with the page cache warmed as
 * the shared side-by-side harness does (2 cores, 8 runs round-robin):
 * 0.775 s (0.65-0.95) and 1.38 s of CPU with the kernel copy, 0.64 s
 * (0.59-0.74) and 1.22 s this way; passing the page-aligned files
 * through the buffer too took 1.21 s (0.69-2.14, 6 runs).  What the kernel cannot
 * copy (raw sectors, UDF data inside an ICB, a kernel that says no)
 * takes the buffer too, small enough to stay in the CPU's cache (256 KiB
 * used half the CPU time of 4 MiB).  Either way every aligned 64 KiB
 * block of zeros becomes a hole.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include "fs_private.h"

#define COPY_BUF	(256u << 10)	/* a multiple of HOLE */
#define PAGE		4096u		/* what the kernel copies whole */
#define HOLE		(64u << 10)
#define KERNEL_RUN	(64u << 20)	/* most bytes per kernel call */
#define PROBE		16
#define RESERVE_MIN	HOLE		/* runs worth a fallocate() */

struct copy {
	struct optimg_fs		*fs;
	int				 fd;
	uint64_t			 opos;	/* output bytes done */
	uint64_t			 wend;	/* end of the last bytes written */
	optimg_fs_progress_fn		 progress;
	void				*ctx;
	const char			*name;	/* the file, for errors */
};

static int
advance(struct copy *c, uint64_t n)
{
	c->opos += n;
	if (c->progress != NULL && c->progress(c->ctx, n) != 0)
		return oi_set_error(&c->fs->err, OPTIMG_ECANCELED,
		    "stopped");
	return 0;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

/*
 * Allocates a long run before it is written: ext4 then maps the pages
 * onto blocks it has, not reserving each 4 KiB block as the data arrives
 * (a fifth less time for large files, measured).  A file system that
 * cannot is simply left to allocate as it writes.  The buffer's writes
 * (up to 256 KiB) are reserved too: 3.2 GB of 8 large files, most at odd
 * sectors, page cache warmed as the shared harness does, 4 runs each:
 * 0.30-1.29 s (three of them under 0.36 s) against 0.58-2.15 s when only
 * runs of 1 MiB and more were reserved (bsdtar 1.25-1.61 s).
 */
static void
reserve(struct copy *c, uint64_t len)
{
	if (len >= RESERVE_MIN)
		(void)fallocate(c->fd, 0, (off_t)c->opos, (off_t)len);
}

static int
write_out(struct copy *c, const uint8_t *p, size_t n)
{
	uint64_t at = c->opos;
	size_t left = n;

	reserve(c, n);
	while (left > 0) {
		ssize_t w = pwrite(c->fd, p, left, (off_t)at);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return oi_set_errno(&c->fs->err, OPTIMG_EIO,
			    "cannot write the copy");
		p += w;
		at += (uint64_t)w;
		left -= (size_t)w;
	}
	c->wend = at;
	return advance(c, n);
}

/*
 * Bytes for the next pass through the buffer: a chunk that ends on a HOLE
 * boundary of the output, so that no block is cut in two between chunks
 * and written as data (the second extent of a file over 4 GiB starts 2 KiB
 * before one).
 */
static size_t
chunk_len(const struct copy *c, uint64_t len)
{
	return (size_t)OI_MIN(len, (uint64_t)(COPY_BUF - c->opos % HOLE));
}

/* Writes buf, skipping aligned HOLE blocks of zeros. */
static int
put_buffer(struct copy *c, const uint8_t *buf, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		size_t blk = (size_t)OI_MIN(HOLE - c->opos % HOLE,
		    (uint64_t)(len - pos)), run = blk;

		if (blk == HOLE && all_zero(buf + pos, blk)) {
			OI_TRY(advance(c, blk));
			pos += blk;
			continue;
		}
		/* The data run goes on to the next block of zeros. */
		while (pos + run < len) {
			size_t b = OI_MIN((size_t)HOLE, len - pos - run);

			if (b == HOLE && all_zero(buf + pos + run, b))
				break;
			run += b;
		}
		OI_TRY(write_out(c, buf + pos, run));
		pos += run;
	}
	return 0;
}

/* The image file is shorter than its sectors say (cut while read). */
static int
ends_early(struct copy *c, uint64_t off)
{
	return oi_set_error(&c->fs->err, OPTIMG_EIO,
	    "the image file ends early (byte %llu)", (unsigned long long)off);
}

static int
pread_full(struct copy *c, int in, uint8_t *buf, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t r = pread(in, buf, n, (off_t)off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return oi_set_errno(&c->fs->err, OPTIMG_EIO,
			    "cannot read the image");
		if (r == 0)
			return ends_early(c, off);
		buf += r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

/* Plain bytes of the image file through the buffer. */
static int
copy_via_buffer(struct copy *c, int in, uint64_t ioff, uint64_t len)
{
	while (len > 0) {
		size_t n = chunk_len(c, len);

		OI_TRY(pread_full(c, in, c->fs->copybuf, n, ioff));
		OI_TRY(put_buffer(c, c->fs->copybuf, n));
		ioff += n;
		len -= n;
	}
	return 0;
}

/* One kernel copy call; -1 with errno, as the system calls do. */
static ssize_t
kernel_copy_once(struct copy *c, int in, uint64_t ioff, size_t len)
{
	struct optimg_fs *fs = c->fs;
	ssize_t k = -1;

	if (!fs->no_copy_range) {
		loff_t i = (loff_t)ioff, o = (loff_t)c->opos;

		k = copy_file_range(in, &i, c->fd, &o, len, 0);
		if (k >= 0 || !oi_kernel_copy_refused(errno))
			return k;
		fs->no_copy_range = true;
	}
	if (!fs->no_sendfile) {
		off_t i = (off_t)ioff;

		if (lseek(c->fd, (off_t)c->opos, SEEK_SET) < 0)
			return -1;
		k = sendfile(c->fd, in, &i, len);
		if (k >= 0 || !oi_kernel_copy_refused(errno))
			return k;
		fs->no_sendfile = true;
	}
	errno = EOPNOTSUPP;
	return -1;
}

static int
kernel_copy(struct copy *c, int in, uint64_t ioff, uint64_t len)
{
	while (len > 0) {
		ssize_t k = kernel_copy_once(c, in, ioff,
		    (size_t)OI_MIN(len, (uint64_t)KERNEL_RUN));

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && c->fs->no_copy_range && c->fs->no_sendfile)
			return copy_via_buffer(c, in, ioff, len);
		if (k < 0)
			return oi_set_errno(&c->fs->err, OPTIMG_EIO,
			    "cannot copy the file's data");
		if (k == 0)
			return ends_early(c, ioff);
		ioff += (uint64_t)k;
		len -= (uint64_t)k;
		c->wend = c->opos + (uint64_t)k;
		c->fs->kernel_copied += (uint64_t)k;
		OI_TRY(advance(c, (uint64_t)k));
	}
	return 0;
}

/*
 * The block of len bytes at ioff, a whole aligned HOLE block of the
 * output, starts with zeros: a hole if all of it is zero, else written
 * from the buffer it was read into.
 */
static int
zero_led_block(struct copy *c, int in, uint64_t ioff, size_t len)
{
	OI_TRY(pread_full(c, in, c->fs->copybuf, len, ioff));
	if (all_zero(c->fs->copybuf, len))
		return advance(c, len);
	return put_buffer(c, c->fs->copybuf, len);
}

/* Is the block at ioff data by its first bytes?  1 yes, 0 no, <0 error. */
static int
probe_data(struct copy *c, int in, uint64_t ioff)
{
	uint8_t head[PROBE];

	OI_TRY(pread_full(c, in, head, sizeof(head), ioff));
	return !all_zero(head, sizeof(head));
}

/* len plain bytes at ioff of the image file, holes kept. */
static int
copy_plain(struct copy *c, int in, uint64_t ioff, uint64_t len)
{
	/* An odd sector (see the top); a small file is one kernel call. */
	if (ioff % PAGE != 0 && len >= COPY_BUF)
		return copy_via_buffer(c, in, ioff, len);
	while (len > 0) {
		uint64_t run = 0;
		bool zero_led = false;

		while (run < len && run < KERNEL_RUN && !zero_led) {
			uint64_t blk = HOLE - (c->opos + run) % HOLE;
			int rc;

			if (blk > len - run || blk != HOLE) {
				run += OI_MIN(blk, len - run);	/* partial */
				continue;
			}
			rc = probe_data(c, in, ioff + run);
			if (rc < 0)
				return rc;
			if (rc > 0)
				run += blk;
			zero_led = rc == 0;
		}
		if (run > 0) {
			reserve(c, run);
			OI_TRY(kernel_copy(c, in, ioff, run));
		}
		/* The block that stopped the run, probed once only. */
		if (zero_led) {
			OI_TRY(zero_led_block(c, in, ioff + run, HOLE));
			run += HOLE;
		}
		ioff += run;
		len -= run;
	}
	return 0;
}

/* len bytes of extent x from byte xoff on, read through the buffer. */
static int
copy_buffered(struct copy *c, const struct optimg_fs_extent *x, uint64_t xoff,
    uint64_t len)
{
	struct optimg_fs *fs = c->fs;

	while (len > 0) {
		size_t n = chunk_len(c, len);
		uint64_t lba = x->lba + xoff / OI_FS_SECTOR;

		/* Whole sectors straight into the buffer: the last one too. */
		if (x->offset == 0 && xoff % OI_FS_SECTOR == 0 &&
		    lba <= UINT32_MAX)
			OI_TRY(oi_fs_read_sectors(fs, (uint32_t)lba,
			    (uint32_t)((n + OI_FS_SECTOR - 1) / OI_FS_SECTOR),
			    fs->copybuf));
		else
			OI_TRY(oi_fs_read_extent(fs, x, xoff, fs->copybuf, n));
		OI_TRY(put_buffer(c, fs->copybuf, n));
		xoff += n;
		len -= n;
	}
	return 0;
}

/* len bytes of Form 2 extent x: 2324 bytes a raw sector, never plain. */
static int
copy_form2(struct copy *c, const struct optimg_fs_extent *x, uint64_t len)
{
	uint64_t xoff = 0;

	while (len > 0) {
		size_t n = chunk_len(c, len);

		OI_TRY(oi_fs_read_form2(c->fs, c->name, x, xoff,
		    c->fs->copybuf, n));
		OI_TRY(put_buffer(c, c->fs->copybuf, n));
		xoff += n;
		len -= n;
	}
	return 0;
}

/* The first len bytes of extent x, recorded (not sparse). */
static int
copy_extent(struct copy *c, const struct optimg_fs_extent *x, uint64_t len)
{
	struct optimg_fs *fs = c->fs;
	uint64_t done = 0;

	if (x->flags & OPTIMG_FS_EXTENT_FORM2)
		return copy_form2(c, x, len);
	if (x->offset != 0 || fs->rd.span == NULL)
		return copy_buffered(c, x, 0, len);
	OI_TRY(oi_fs_check_extent(fs, x->lba, len, "file data"));
	while (done < len) {
		uint64_t left = len - done, bytes;
		uint32_t lba = x->lba + (uint32_t)(done / OI_FS_SECTOR);
		uint32_t want = (uint32_t)OI_MIN((left + OI_FS_SECTOR - 1) /
		    OI_FS_SECTOR, (uint64_t)INT32_MAX);
		struct oi_plain_span sp;

		if (fs->rd.span(fs->rd.ctx, (int32_t)lba, want, &sp) < 0) {
			bytes = OI_MIN(left, (uint64_t)COPY_BUF);
			OI_TRY(copy_buffered(c, x, done, bytes));
		} else {
			bytes = OI_MIN(left, (uint64_t)sp.count *
			    OI_FS_SECTOR);
			OI_TRY(copy_plain(c, sp.fd, sp.offset, bytes));
		}
		done += bytes;
	}
	return 0;
}

int
optimg_fs_copy_out(struct optimg_fs *fs, const struct optimg_fs_stat *st,
    int fd, optimg_fs_progress_fn progress, void *ctx)
{
	struct copy c = { fs, fd, 0, 0, progress, ctx, st->name };
	uint64_t base = 0;
	unsigned i;

	if (st->type != OPTIMG_FS_REG)
		return oi_set_error(&fs->err, OPTIMG_EINVAL,
		    "'%s' is not a regular file", st->name);
	if (fs->copybuf == NULL && (fs->copybuf = malloc(COPY_BUF)) == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < st->nextents && base < st->size; i++) {
		const struct optimg_fs_extent *x = &st->extents[i];
		uint64_t n = OI_MIN(x->length, st->size - base);

		if (x->flags & OPTIMG_FS_EXTENT_SPARSE)
			OI_TRY(advance(&c, n));
		else
			OI_TRY(copy_extent(&c, x, n));
		base += n;
	}
	/* Extents shorter than the size, holes at the end: zeros. */
	if (c.wend < st->size && ftruncate(fd, (off_t)st->size) < 0)
		return oi_set_errno(&fs->err, OPTIMG_EIO,
		    "cannot write the copy");
	return c.opos < st->size ? advance(&c, st->size - c.opos) : 0;
}
