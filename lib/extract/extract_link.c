/*
 * extract_link.c - hard links in an extraction.  Files that share an
 * inode number in the image are written once, by whichever thread gets
 * the first of them, and the others are link()ed to it.  The table maps
 * an inode number to the first name's path and whether it is written
 * yet; the walk waits for a pending first link rather than copying the
 * data twice.  The table is under the extraction's mutex.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "extract_private.h"

static struct ex_link *
link_slot(struct ex *ex, uint64_t ino)
{
	size_t i = (size_t)(ino * 0x9e3779b97f4a7c15ull) & (ex->caplinks - 1);

	while (ex->links[i].relpath != NULL && ex->links[i].ino != ino)
		i = (i + 1) & (ex->caplinks - 1);
	return &ex->links[i];
}

static bool
grow(struct ex *ex)
{
	struct ex_link *old = ex->links;
	size_t oldcap = ex->caplinks, i;

	ex->caplinks = oldcap ? oldcap * 2 : 256;
	ex->links = calloc(ex->caplinks, sizeof(*ex->links));
	if (ex->links == NULL) {
		ex->links = old;
		ex->caplinks = oldcap;
		return false;
	}
	for (i = 0; i < oldcap; i++)
		if (old[i].relpath != NULL)
			*link_slot(ex, old[i].ino) = old[i];
	free(old);
	return true;
}

/* Claims ino for relpath, pending; false when out of memory. */
static bool
link_claim(struct ex *ex, uint64_t ino, const char *relpath)
{
	struct ex_link *l;
	char *copy;

	if (ex->nlinks * 2 >= ex->caplinks && !grow(ex))
		return false;
	if ((copy = strdup(relpath)) == NULL)
		return false;
	l = link_slot(ex, ino);
	if (l->relpath == NULL)
		ex->nlinks++;
	free(l->relpath);
	l->relpath = copy;
	l->ino = ino;
	l->state = LINK_PENDING;
	return true;
}

void
oi_ex_link_settle(struct ex *ex, uint64_t ino, const char *relpath, bool ok)
{
	struct ex_link *l;

	oi_ex_lock(ex);
	l = link_slot(ex, ino);
	if (l->relpath != NULL && strcmp(l->relpath, relpath) == 0)
		l->state = ok ? LINK_DONE : LINK_FAILED;
	if (ex->nworkers > 0)
		pthread_cond_broadcast(&ex->idle);
	oi_ex_unlock(ex);
}

void
oi_ex_links_free(struct ex *ex)
{
	size_t i;

	for (i = 0; i < ex->caplinks; i++)
		free(ex->links[i].relpath);
	free(ex->links);
	ex->links = NULL;
	ex->caplinks = ex->nlinks = 0;
}

/* Opens the directory holding relpath, one O_NOFOLLOW step at a time. */
static int
open_parent(struct ex *ex, const char *relpath, const char **base)
{
	char *copy = strdup(relpath), *p, *slash;
	int fd = dup(ex->opts->dirfd), next;

	if (copy == NULL || fd < 0) {
		free(copy);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*base = strrchr(relpath, '/') ? strrchr(relpath, '/') + 1 : relpath;
	for (p = copy; (slash = strchr(p, '/')) != NULL; p = slash + 1) {
		*slash = '\0';
		next = openat(fd, p, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(fd);
		if (next < 0) {
			free(copy);
			return -1;
		}
		fd = next;
	}
	free(copy);
	return fd;
}

/*
 * With mu held: the relpath of ino's first link once it is written (a
 * copy), or NULL with *primary set when this name is to be the first.
 */
static char *
first_link(struct ex *ex, const struct optimg_fs_stat *st, const char *path,
    bool *primary)
{
	struct ex_link *l;

	for (;;) {
		l = ex->caplinks > 0 ? link_slot(ex, st->ino) : NULL;
		if (l == NULL || l->relpath == NULL || l->state != LINK_PENDING)
			break;
		/* Its first link is still being written. */
		oi_ex_unlock(ex);
		oi_ex_flush_batch(ex);
		oi_ex_lock(ex);
		oi_ex_wait_idle_tick(ex);
	}
	if (l != NULL && l->relpath != NULL && l->state == LINK_DONE)
		return strdup(l->relpath);
	*primary = link_claim(ex, st->ino, path + 1);
	return NULL;
}

/*
 * For a file with several links: 1 when it was made (or failed, reported)
 * as a hard link to one extracted before; 0 when it is to be written, as
 * the first of its links when *primary.  Runs on the calling thread.
 */
int
oi_ex_try_link(struct ex *ex, const struct optimg_fs_stat *st,
    const char *path, bool *primary)
{
	char *target;
	const char *base;
	int pfd, rc, dfd = oi_ex_top_fd(ex);

	*primary = false;
	if (st->ino == 0 || st->nlink < 2)
		return 0;
	oi_ex_lock(ex);
	target = first_link(ex, st, path, primary);
	oi_ex_unlock(ex);
	if (target == NULL)
		return 0;
	pfd = open_parent(ex, target, &base);
	if (pfd < 0) {
		free(target);
		return 0;
	}
	rc = linkat(pfd, base, dfd, st->name, 0);
	if (rc < 0 && errno == EEXIST) {
		if (oi_ex_clear_place(ex, dfd, st->name, path) < 0)
			rc = 1;		/* reported */
		else
			rc = linkat(pfd, base, dfd, st->name, 0);
	}
	close(pfd);
	free(target);
	if (rc < 0)
		return 0;	/* fall back to a copy */
	if (rc == 0) {
		oi_ex_add(&ex->res.hardlinks, 1);
		oi_ex_add(&ex->res.bytes, st->size);
	}
	oi_ex_add(&ex->done, st->size);
	return 1;
}
