/*
 * stream.c - the files sectors are read from.  Reads are positioned
 * (pread), so one stream serves every fragment that points into it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oi_private.h"

int
oi_stream_open(struct oi_stream *st, const char *path,
    struct optimg_error *err)
{
	struct stat sb;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	st->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (st->fd < 0)
		return oi_set_errno(err, errno == ENOENT ? OPTIMG_ENOENT :
		    OPTIMG_EIO, "cannot open '%s'", path);
	if (fstat(st->fd, &sb) < 0) {
		close(st->fd);
		st->fd = -1;
		return oi_set_errno(err, OPTIMG_EIO, "cannot stat '%s'", path);
	}
	if (S_ISDIR(sb.st_mode)) {
		close(st->fd);
		st->fd = -1;
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s' is a directory", path);
	}
	/* Images are files or block devices (a disc in a drive, a loop). */
	if (!S_ISREG(sb.st_mode) && !S_ISBLK(sb.st_mode)) {
		close(st->fd);
		st->fd = -1;
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s' is not a "
		    "regular file or block device (a FIFO, socket or "
		    "character device)", path);
	}
	(void)fcntl(st->fd, F_SETFL, fcntl(st->fd, F_GETFL) & ~O_NONBLOCK);
	st->size = (uint64_t)sb.st_size;
	st->path = oi_strdup(path);
	if (st->path == NULL) {
		close(st->fd);
		st->fd = -1;
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	(void)posix_fadvise(st->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	return OPTIMG_OK;
}

void
oi_stream_close(struct oi_stream *st)
{
	if (st->fd >= 0)
		close(st->fd);
	st->fd = -1;
	free(st->path);
	st->path = NULL;
}

int
oi_stream_pread(struct oi_stream *st, void *buf, size_t len, uint64_t off,
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
