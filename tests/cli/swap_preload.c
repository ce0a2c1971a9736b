/*
 * swap_preload.c - an LD_PRELOAD shim that makes mkiso's scan/copy race
 * deterministic: the first time the program opens a file whose base name
 * is that of $SWAP_PATH, the file is first replaced by a symbolic link to
 * $SWAP_TARGET (as an attacker racing the copy would do).  Built by
 * tests/cli/t9002-mkiso-swap.sh with the system compiler.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int swapped;

static const char *
base(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

static void
maybe_swap(const char *path)
{
	const char *want = getenv("SWAP_PATH"), *target = getenv("SWAP_TARGET");
	char old[4096];

	if (swapped || want == NULL || target == NULL ||
	    strcmp(base(path), base(want)) != 0)
		return;
	swapped = 1;
	snprintf(old, sizeof(old), "%s.orig", want);
	if (rename(want, old) != 0 || symlink(target, want) != 0)
		perror("swap_preload");
}

static int
mode_of(int flags, va_list ap)
{
	return (flags & (O_CREAT | O_TMPFILE)) ? va_arg(ap, int) : 0;
}

int
open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (real == NULL)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	maybe_swap(path);
	return real(path, flags, mode);
}

int
open64(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (real == NULL)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT,
		    "open64");
	maybe_swap(path);
	return real(path, flags, mode);
}

int
openat(int dir, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (real == NULL)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT,
		    "openat");
	maybe_swap(path);
	return real(dir, path, flags, mode);
}

int
openat64(int dir, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	va_list ap;
	int mode;

	va_start(ap, flags);
	mode = mode_of(flags, ap);
	va_end(ap);
	if (real == NULL)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT,
		    "openat64");
	maybe_swap(path);
	return real(dir, path, flags, mode);
}

int
__open_2(const char *path, int flags)
{
	return open(path, flags);
}

int
__open64_2(const char *path, int flags)
{
	return open64(path, flags);
}
