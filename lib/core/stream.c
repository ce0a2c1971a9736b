/*
 * stream.c - the byte sources an image's sectors come from.
 *
 * A stream is an operations table over a context: every reader reaches
 * bytes only through oi_stream_pread(), so the same format reader works
 * over a plain file, a memory buffer, and later a decompressor or a
 * container member without knowing which.  Reads are positioned, so one
 * stream serves every fragment that points into it.
 *
 * Only a plain file can be copied by the kernel (copy_file_range,
 * sendfile): oi_stream_plain_fd() is how the fast path asks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oi_private.h"
#include "unpack.h"

/* ---- plain files ------------------------------------------------------- */

static int
file_pread(struct oi_stream *st, void *buf, size_t len, uint64_t off,
    struct optimg_error *err)
{
	uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = pread(st->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oi_set_errno(err, OPTIMG_EIO,
			    "cannot read '%s' at byte %llu", st->path,
			    (unsigned long long)off);
		if (n == 0)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "'%s' ends at byte %llu, before the data it should "
			    "hold", st->path, (unsigned long long)off);
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return OPTIMG_OK;
}

static int
file_plain_fd(const struct oi_stream *st)
{
	return st->fd;
}

static void
file_close(struct oi_stream *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
}

static const struct oi_stream_ops file_ops = {
	.name = "file",
	.pread = file_pread,
	.plain_fd = file_plain_fd,
	.close = file_close,
};

int
oi_stream_open_plain(struct oi_stream *st, const char *path,
    struct optimg_error *err)
{
	struct stat sb;

	memset(st, 0, sizeof(*st));
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	st->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (st->fd < 0)
		return oi_set_errno(err, errno == ENOENT ? OPTIMG_ENOENT :
		    OPTIMG_EIO, "cannot open '%s'", path);
	if (fstat(st->fd, &sb) < 0) {
		file_close(st);
		return oi_set_errno(err, OPTIMG_EIO, "cannot stat '%s'", path);
	}
	if (S_ISDIR(sb.st_mode)) {
		file_close(st);
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s' is a directory", path);
	}
	/* Images are files or block devices (a disc in a drive, a loop). */
	if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode)) {
		file_close(st);
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s' is not a "
		    "regular file or block device (a FIFO, socket or "
		    "character device)", path);
	}
	(void)fcntl(st->fd, F_SETFL, fcntl(st->fd, F_GETFL) & ~O_NONBLOCK);
	st->size = (uint64_t)sb.st_size;
	st->path = oi_strdup(path);
	if (st->path == NULL) {
		file_close(st);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	st->ops = &file_ops;
	(void)posix_fadvise(st->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return OPTIMG_OK;
}

/*
 * A file whose first bytes say gzip, xz, zstd or ECM is read through the
 * decompressing stream (unpack.c): every reader, and every file a sheet
 * names, takes compressed files by content, whatever their names.
 */
int
oi_stream_open(struct oi_stream *st, const char *path,
    struct optimg_error *err)
{
	uint8_t head[8];
	enum oi_pack_kind kind;

	OI_TRY(oi_stream_open_plain(st, path, err));
	if (st->size < sizeof(head))
		return OPTIMG_OK;
	if (oi_stream_pread(st, head, sizeof(head), 0, err) < 0) {
		oi_stream_close(st);
		return err->code;
	}
	kind = oi_pack_detect(head, sizeof(head));
	if (kind == OI_PACK_NONE)
		return OPTIMG_OK;
	return oi_unpack_wrap(st, kind, oi_unpack_max_bytes, err);
}

/*
 * An already open descriptor (a memfd holding decoded audio, say) as a
 * plain-file stream; the stream owns fd from here on, even on failure.
 */
int
oi_stream_adopt_fd(struct oi_stream *st, int fd, const char *name,
    uint64_t size, struct optimg_error *err)
{
	memset(st, 0, sizeof(*st));
	st->fd = fd;
	st->size = size;
	st->path = oi_strdup(name);
	if (st->path == NULL) {
		file_close(st);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	st->ops = &file_ops;
	return OPTIMG_OK;
}

/* ---- memory (tests, fuzzing, sheets made in memory) --------------------- */

static int
mem_pread(struct oi_stream *st, void *buf, size_t len, uint64_t off,
    struct optimg_error *err)
{
	(void)err;		/* oi_stream_pread checked the range */
	memcpy(buf, (const uint8_t *)st->ctx + off, len);
	return OPTIMG_OK;
}

static int
mem_plain_fd(const struct oi_stream *st)
{
	(void)st;
	return -1;
}

static void
mem_close(struct oi_stream *st)
{
	(void)st;
}

static const struct oi_stream_ops mem_ops = {
	.name = "memory",
	.pread = mem_pread,
	.plain_fd = mem_plain_fd,
	.close = mem_close,
};

int
oi_stream_open_mem(struct oi_stream *st, const char *name, const void *data,
    size_t len, struct optimg_error *err)
{
	memset(st, 0, sizeof(*st));
	st->fd = -1;
	st->path = oi_strdup(name);
	if (st->path == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	st->ctx = (void *)(uintptr_t)data;
	st->size = len;
	st->ops = &mem_ops;
	return OPTIMG_OK;
}

/* ---- what every kind shares -------------------------------------------- */

void
oi_stream_close(struct oi_stream *st)
{
	if (st->ops != NULL)
		st->ops->close(st);
	st->ops = NULL;
	free(st->path);
	st->path = NULL;
}

int
oi_stream_pread(struct oi_stream *st, void *buf, size_t len, uint64_t off,
    struct optimg_error *err)
{
	if (st->ops == NULL)
		return oi_set_error(err, OPTIMG_EINVAL, "stream is not open");
	if (off > st->size || len > st->size - off)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s' ends at byte %llu, before the data it should hold",
		    st->path != NULL ? st->path : "stream",
		    (unsigned long long)st->size);
	if (len == 0)
		return OPTIMG_OK;
	return st->ops->pread(st, buf, len, off, err);
}

int
oi_stream_plain_fd(const struct oi_stream *st)
{
	return st->ops != NULL && st->ops->plain_fd != NULL ?
	    st->ops->plain_fd(st) : -1;
}
