/*
 * eio_preload.c - an LD_PRELOAD shim that makes writes fail with EIO at a
 * chosen byte, as a failing disk does, so the write tests can check the
 * byte a failure message names.  Writes to a descriptor whose file name
 * (/proc/self/fd) contains $EIO_PATH are cut at offset $EIO_AT:
 *   - a regular file takes the bytes before it (a short write), then
 *     every write at or past it fails;
 *   - a block device fails the whole request that reaches it (a device
 *     refuses a request, not a part of one).
 * With $STALL_MARK set, the write that reaches $EIO_AT stops instead: the
 * file $STALL_MARK is created and the thread sleeps until the process is
 * killed, so a test can SIGKILL a run at a known point.  copy_file_range
 * and sendfile are cut the same way.
 * Built by the tests that use it with the system compiler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef ssize_t (*pwrite_fn)(int, const void *, size_t, off_t);

static int
watched(int fd)
{
	const char *want = getenv("EIO_PATH");
	char link[64], name[4096];
	ssize_t n;

	if (want == NULL || getenv("EIO_AT") == NULL)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	if ((n = readlink(link, name, sizeof(name) - 1)) < 0)
		return 0;
	name[n] = '\0';
	return strstr(name, want) != NULL;
}

static void
stall(void)
{
	const char *mark = getenv("STALL_MARK");
	FILE *f;

	if (mark == NULL)
		return;
	if ((f = fopen(mark, "w")) != NULL)
		fclose(f);
	for (;;)
		pause();
}

/* How many of len bytes at pos may be written; -1: fail with EIO. */
static ssize_t
allowed(int fd, off_t pos, size_t len)
{
	off_t at = (off_t)strtoll(getenv("EIO_AT"), NULL, 10);
	struct stat st;

	if (pos + (off_t)len <= at)
		return (ssize_t)len;
	stall();
	if (pos >= at || fstat(fd, &st) != 0 || S_ISBLK(st.st_mode)) {
		errno = EIO;
		return -1;
	}
	return (ssize_t)(at - pos);
}

ssize_t
write(int fd, const void *buf, size_t len)
{
	write_fn real = (write_fn)dlsym(RTLD_NEXT, "write");
	ssize_t ok;

	if (!watched(fd))
		return real(fd, buf, len);
	if ((ok = allowed(fd, lseek(fd, 0, SEEK_CUR), len)) < 0)
		return -1;
	return real(fd, buf, (size_t)ok);
}

static ssize_t
cut_pwrite(const char *sym, int fd, const void *buf, size_t len, off_t off)
{
	pwrite_fn real = (pwrite_fn)dlsym(RTLD_NEXT, sym);
	ssize_t ok;

	if (!watched(fd))
		return real(fd, buf, len, off);
	if ((ok = allowed(fd, off, len)) < 0)
		return -1;
	return real(fd, buf, (size_t)ok, off);
}

ssize_t
pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return cut_pwrite("pwrite", fd, buf, len, off);
}

ssize_t
pwrite64(int fd, const void *buf, size_t len, off_t off)
{
	return cut_pwrite("pwrite64", fd, buf, len, off);
}

typedef ssize_t (*cfr_fn)(int, off_t *, int, off_t *, size_t, unsigned);

ssize_t
copy_file_range(int in, off_t *in_off, int out, off_t *out_off, size_t len,
    unsigned flags)
{
	cfr_fn real = (cfr_fn)dlsym(RTLD_NEXT, "copy_file_range");
	ssize_t ok;

	if (!watched(out))
		return real(in, in_off, out, out_off, len, flags);
	ok = allowed(out, out_off != NULL ? *out_off : lseek(out, 0, SEEK_CUR),
	    len);
	if (ok <= 0)
		return ok < 0 ? -1 : 0;
	return real(in, in_off, out, out_off, (size_t)ok, flags);
}

typedef ssize_t (*sendfile_fn)(int, int, off_t *, size_t);

static ssize_t
cut_sendfile(const char *sym, int out, int in, off_t *off, size_t len)
{
	sendfile_fn real = (sendfile_fn)dlsym(RTLD_NEXT, sym);
	ssize_t ok;

	if (!watched(out))
		return real(out, in, off, len);
	if ((ok = allowed(out, lseek(out, 0, SEEK_CUR), len)) <= 0)
		return ok < 0 ? -1 : 0;
	return real(out, in, off, (size_t)ok);
}

ssize_t
sendfile(int out, int in, off_t *off, size_t len)
{
	return cut_sendfile("sendfile", out, in, off, len);
}

ssize_t
sendfile64(int out, int in, off_t *off, size_t len)
{
	return cut_sendfile("sendfile64", out, in, off, len);
}
