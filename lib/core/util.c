/*
 * util.c - overflow-checked allocation, byte-order decoders, small files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "oi_private.h"
#include "unpack.h"

void *
oi_calloc(size_t n, size_t size)
{
	if (n == 0 || size == 0)
		return calloc(1, 1);
	return calloc(n, size);
}

void *
oi_reallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		return NULL;
	return realloc(p, n * size == 0 ? 1 : n * size);
}

#define HUGE_PAGE	(2u << 20)

/*
 * On a VM every TLB miss walks two sets of page tables, and a buffer of
 * 4 KiB pages that the kernel copies megabytes into and out of pays that
 * walk on every page: read() + write() of 1.15 GB through a 2 MiB buffer
 * took 1.2-2.4 s of CPU in 4 KiB pages, 0.37 s in one huge page
 * (copy_file_range: 0.51-0.75 s), on this project's 2-core VM.
 */
void *
oi_io_alloc(size_t size)
{
	size_t n = (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
	void *p;

	if (size < HUGE_PAGE / 2 || n < size)
		return malloc(size);
	if ((p = aligned_alloc(HUGE_PAGE, n)) == NULL)
		return malloc(size);
#ifdef MADV_HUGEPAGE
	(void)madvise(p, n, MADV_HUGEPAGE);
#endif
	return p;
}

unsigned
oi_cpu_count(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return (unsigned)OI_MAX(CPU_COUNT(&set), 1);
}

bool
oi_kernel_copy_refused(int e)
{
	return e == EXDEV || e == EINVAL || e == ENOSYS || e == EOPNOTSUPP ||
	    e == EBADF;
}

char *
oi_strdup(const char *s)
{
	return s == NULL ? NULL : strdup(s);
}

uint16_t
oi_le16dec(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] | b[1] << 8);
}

uint32_t
oi_le32dec(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

uint16_t
oi_be16dec(const void *p)
{
	const uint8_t *b = p;
	return (uint16_t)(b[0] << 8 | b[1]);
}

uint32_t
oi_be32dec(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	    (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

uint64_t
oi_le64dec(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)oi_le32dec(b) | (uint64_t)oi_le32dec(b + 4) << 32;
}

uint64_t
oi_be64dec(const void *p)
{
	const uint8_t *b = p;
	return (uint64_t)oi_be32dec(b) << 32 | (uint64_t)oi_be32dec(b + 4);
}

void
oi_le32enc(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = v & 0xff;
	b[1] = v >> 8 & 0xff;
	b[2] = v >> 16 & 0xff;
	b[3] = v >> 24 & 0xff;
}

/* Read in pieces this large, so that a large file can be interrupted. */
#define READ_PIECE	(8u << 20)

/*
 * A sheet or DAT packed with gzip, xz or zstd (game.cue.gz) is read as
 * its text: *out is replaced by what it decompresses to, at most max.
 */
static int
unpack_text(const char *path, size_t max, char **out, size_t *len,
    struct optimg_error *err)
{
	enum oi_pack_kind kind = oi_pack_detect((uint8_t *)*out, *len);
	struct oi_stream st;
	char *text = NULL;
	int rc;

	if (kind != OI_PACK_GZIP && kind != OI_PACK_XZ && kind != OI_PACK_ZSTD)
		return OPTIMG_OK;
	rc = oi_stream_open_mem(&st, path, *out, *len, err);
	if (rc == OPTIMG_OK)
		rc = oi_unpack_wrap(&st, kind, max, err);
	if (rc == OPTIMG_OK && (text = malloc((size_t)st.size + 1)) == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (rc == OPTIMG_OK)
		rc = oi_stream_pread(&st, text, (size_t)st.size, 0, err);
	if (rc == OPTIMG_OK) {
		text[st.size] = '\0';
		*len = (size_t)st.size;
	}
	if (st.ops != NULL || rc == OPTIMG_OK)
		oi_stream_close(&st);
	free(*out);
	*out = rc == OPTIMG_OK ? text : NULL;
	if (rc < 0)
		free(text);
	return rc;
}

int
oi_read_file_until(const char *path, size_t max, int (*cancel)(void *),
    void *ctx, char **out, size_t *len, struct optimg_error *err)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd;

	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return oi_set_errno(err, errno == ENOENT ? OPTIMG_ENOENT :
		    OPTIMG_EIO, "cannot open '%s'", path);
	if (fstat(fd, &st) == 0 && !S_ISREG(st.st_mode)) {
		close(fd);
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s' is not a "
		    "regular file (a FIFO, device or directory)", path);
	}
	if (fstat(fd, &st) < 0 || (uint64_t)st.st_size > max) {
		close(fd);
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "'%s' is not a text sheet of at most %zu bytes", path, max);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	while (got < (size_t)st.st_size) {
		ssize_t n;

		if (got > 0 && cancel != NULL && cancel(ctx) != 0) {
			free(buf);
			close(fd);
			return oi_set_error(err, OPTIMG_ECANCELED,
			    "interrupted");
		}
		n = read(fd, buf + got, OI_MIN((size_t)st.st_size - got,
		    (size_t)READ_PIECE));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			close(fd);
			return oi_set_errno(err, OPTIMG_EIO, "cannot read '%s'",
			    path);
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*out = buf;
	*len = got;
	return unpack_text(path, max, out, len, err);
}

int
oi_read_small_file(const char *path, size_t max, char **out, size_t *len,
    struct optimg_error *err)
{
	return oi_read_file_until(path, max, NULL, NULL, out, len, err);
}
