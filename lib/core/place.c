/*
 * place.c - the output placement rule (see place.h).
 *
 * "Inside" is decided by walking up from the directory the output's entry
 * will be made in, one ".." at a time through directory descriptors, and
 * comparing each directory with the inputs: a symbolic link anywhere on the
 * output's path leads the walk where the kernel would put the file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "place.h"

#define MAX_UP	4096	/* levels walked before giving up (loops) */

struct id {
	dev_t	dev;
	ino_t	ino;
};

static bool
same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* Descriptor of the directory path's last entry lives in. */
static int
open_parent(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		return open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (slash == path)
		return open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if ((dir = strndup(path, (size_t)(slash - path))) == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}

/*
 * True when the directory fd (closed here), or one above it, is want.
 */
static bool
chain_has(int fd, const struct stat *want)
{
	struct stat st, prev = { 0 };
	bool found = false;

	for (int up = 0; fd >= 0 && up < MAX_UP; up++) {
		int next;

		if (fstat(fd, &st) != 0 || (up > 0 && same(&st, &prev)))
			break;		/* at "/": ".." is itself */
		if (same(&st, want)) {
			found = true;
			break;
		}
		prev = st;
		next = openat(fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	if (fd >= 0)
		close(fd);
	return found;
}

/* How out relates to one input, or NULL when it may be written. */
static const char *
clash(const char *out, const char *in)
{
	struct stat ist, ilst, ost, olst;
	bool in_dir, out_exists, out_lexists;

	if (in == NULL || lstat(in, &ilst) != 0)
		return NULL;
	if (stat(in, &ist) != 0)
		ist = ilst;
	out_lexists = lstat(out, &olst) == 0;
	out_exists = stat(out, &ost) == 0;
	if ((out_exists && (same(&ost, &ist) || same(&ost, &ilst))) ||
	    (out_lexists && (same(&olst, &ist) || same(&olst, &ilst))))
		return "is";
	in_dir = S_ISDIR(ist.st_mode) || S_ISDIR(ilst.st_mode);
	if (in_dir && (chain_has(open_parent(out), &ist) ||
	    chain_has(open_parent(out), &ilst)))
		return "inside";
	if (out_lexists && S_ISDIR(olst.st_mode) &&
	    chain_has(open_parent(in), &olst))
		return "holds";
	return NULL;
}

int
oi_place_check(const char *out, const char *const *inputs, unsigned n,
    struct optimg_error *err)
{
	for (unsigned i = 0; i < n; i++) {
		const char *how = clash(out, inputs[i]);

		if (how == NULL)
			continue;
		if (strcmp(how, "is") == 0)
			return oi_set_error(err, OPTIMG_EINVAL, "'%s' is the "
			    "input '%s'; choose another output name", out,
			    inputs[i]);
		if (strcmp(how, "inside") == 0)
			return oi_set_error(err, OPTIMG_EINVAL, "'%s' lies "
			    "inside the input '%s'; choose another output "
			    "name", out, inputs[i]);
		return oi_set_error(err, OPTIMG_EINVAL, "'%s' holds the input "
		    "'%s'; choose another output name", out, inputs[i]);
	}
	return OPTIMG_OK;
}
