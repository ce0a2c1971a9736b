/*
 * view_pool.c - the images a view reads through.  An image (and a file
 * system over it) is used by one thread at a time: its fragment cache,
 * scratch buffer and decompressor state are its own.  So a read takes a
 * free handle; when none is free and fewer than maxh are open, the image
 * is opened again by its path, as extraction's workers do; otherwise the
 * read waits for one.  Opening is done outside the lock, since a CHD or
 * a gzip image may take a while.  If an image cannot be opened again
 * (it came from a drive, say) the view keeps to the handles it has.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "view_private.h"

static int
handle_buffers(struct view_handle *h, struct optimg_error *err)
{
	if (h->buf == NULL)
		h->buf = malloc((size_t)VIEW_BATCH * OPTIMG_RAW_SUB_SECTOR);
	if (h->sub == NULL)
		h->sub = malloc((size_t)VIEW_BATCH * OPTIMG_SUBCHANNEL);
	if (h->buf == NULL || h->sub == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

/* Opens the first handle's image once more into h (silent on failure). */
static int
reopen(const struct view_handle *first, struct view_handle *h)
{
	struct optimg_image *img = optimg_image_new();
	const char *path = optimg_image_path(first->img);

	if (img == NULL || path == NULL ||
	    optimg_image_set_parent(img, first->img->chd_parent) < 0 ||
	    optimg_image_open(img, path) < 0) {
		optimg_image_free(img);
		return -1;
	}
	h->img = img;
	h->own = true;
	return 0;
}

static struct view_handle *
pick_idle(struct optimg_view *v, bool want_fs)
{
	struct view_handle *best = NULL;

	for (unsigned i = 0; i < v->nh; i++) {
		struct view_handle *h = &v->h[i];

		if (h->busy || h->dead)
			continue;
		if (best == NULL || (want_fs && h->fs != NULL &&
		    best->fs == NULL))
			best = h;
	}
	return best;
}

/* Under v->mu: a handle of one's own, perhaps a new one; NULL to wait. */
static struct view_handle *
take(struct optimg_view *v, bool want_fs)
{
	struct view_handle *h = pick_idle(v, want_fs);
	int rc;

	if (h != NULL || v->no_reopen || v->nh >= v->maxh) {
		if (h != NULL)
			h->busy = true;
		return h;
	}
	h = &v->h[v->nh++];
	h->busy = true;
	pthread_mutex_unlock(&v->mu);
	rc = reopen(&v->h[0], h);
	pthread_mutex_lock(&v->mu);
	if (rc < 0) {
		h->dead = true;
		h->busy = false;
		v->no_reopen = true;
		/* One may have come free while the lock was let go. */
		if ((h = pick_idle(v, want_fs)) != NULL)
			h->busy = true;
	}
	return h;
}

static int
open_fs(struct optimg_view *v, struct view_handle *h,
    struct optimg_error *err)
{
	struct optimg_fs_opts o = { v->opts.ns, v->opts.session };

	if (h->fs != NULL)
		return OPTIMG_OK;
	return optimg_fs_open(h->img, &o, &h->fs, err);
}

int
oi_view_acquire(struct optimg_view *v, bool want_fs,
    struct view_handle **out, struct optimg_error *err)
{
	struct view_handle *h;
	int rc;

	pthread_mutex_lock(&v->mu);
	while ((h = take(v, want_fs)) == NULL)
		pthread_cond_wait(&v->freed, &v->mu);
	pthread_mutex_unlock(&v->mu);
	rc = handle_buffers(h, err);
	if (rc == OPTIMG_OK && want_fs)
		rc = open_fs(v, h, err);
	if (rc < 0) {
		oi_view_release(v, h);
		return rc;
	}
	*out = h;
	return OPTIMG_OK;
}

void
oi_view_release(struct optimg_view *v, struct view_handle *h)
{
	pthread_mutex_lock(&v->mu);
	h->busy = false;
	pthread_cond_signal(&v->freed);
	pthread_mutex_unlock(&v->mu);
}

void
oi_view_pool_free(struct optimg_view *v)
{
	for (unsigned i = 0; v->h != NULL && i < v->nh; i++) {
		struct view_handle *h = &v->h[i];

		optimg_fs_free(h->fs);
		if (h->own)
			optimg_image_free(h->img);
		free(h->buf);
		free(h->sub);
	}
	free(v->h);
	v->h = NULL;
	v->nh = 0;
}
