/*
 * image.c - the image object: lifetime, streams, fragments, warnings.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

struct optimg_image *
optimg_image_new(void)
{
	return calloc(1, sizeof(struct optimg_image));
}

void
optimg_image_free(struct optimg_image *img)
{
	if (img == NULL)
		return;
	if (img->reader.close != NULL)
		img->reader.close(img->reader.ctx);
	for (unsigned i = 0; i < img->nstreams; i++)
		oi_stream_close(&img->streams[i]);
	free(img->streams);
	free(img->frags);
	oi_disc_release(&img->disc);
	oi_worker_stop(&img->encoder);
	free(img->scratch);
	free(img->lossy);
	free(img->path);
	free(img->chd_parent);
	free(img);
}

int
optimg_image_set_parent(struct optimg_image *img, const char *path)
{
	char *p = oi_strdup(path);

	if (path != NULL && p == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	free(img->chd_parent);
	img->chd_parent = p;
	return OPTIMG_OK;
}

void
optimg_image_set_warning_cb(struct optimg_image *img, optimg_warning_fn fn,
    void *ctx)
{
	img->warn = fn;
	img->warn_ctx = ctx;
}

void
oi_image_warn(struct optimg_image *img, const char *fmt, ...)
{
	char msg[OPTIMG_ERRMSG_MAX];
	va_list ap;

	if (img->warn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	img->warn(img->warn_ctx, msg);
}

const char *
optimg_image_errmsg(const struct optimg_image *img)
{
	return img->err.message[0] != '\0' ? img->err.message :
	    optimg_strerror(img->err.code);
}

const struct optimg_error *
optimg_image_error(const struct optimg_image *img)
{
	return &img->err;
}

const char *
optimg_image_format(const struct optimg_image *img)
{
	return img->format != NULL ? img->format->name : "none";
}

const char *
optimg_image_path(const struct optimg_image *img)
{
	return img->path;
}

uint64_t
optimg_image_size(const struct optimg_image *img)
{
	uint64_t total = 0;

	for (unsigned i = 0; i < img->nstreams; i++)
		total += img->streams[i].size;
	return total;
}

const struct optimg_disc *
optimg_image_disc(const struct optimg_image *img)
{
	return &img->disc;
}

int
oi_image_add_stream(struct optimg_image *img, const char *path,
    unsigned *index)
{
	struct oi_stream *s;

	s = oi_reallocarray(img->streams, img->nstreams + 1, sizeof(*s));
	if (s == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	img->streams = s;
	OI_TRY(oi_stream_open(&img->streams[img->nstreams], path,
	    &img->err));
	*index = img->nstreams++;
	return OPTIMG_OK;
}

int
oi_image_adopt_stream(struct optimg_image *img, struct oi_stream *st,
    unsigned *index)
{
	struct oi_stream *s;

	s = oi_reallocarray(img->streams, img->nstreams + 1, sizeof(*s));
	if (s == NULL) {
		oi_stream_close(st);
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	}
	img->streams = s;
	img->streams[img->nstreams] = *st;
	memset(st, 0, sizeof(*st));
	*index = img->nstreams++;
	return OPTIMG_OK;
}

int
oi_image_add_fragment(struct optimg_image *img, const struct oi_fragment *f)
{
	struct oi_fragment *p;

	if (f->count == 0)
		return OPTIMG_OK;
	if (f->fill == OI_FILL_FILE && f->stream >= img->nstreams)
		return oi_set_error(&img->err, OPTIMG_EINVAL,
		    "fragment refers to a missing stream");
	p = oi_reallocarray(img->frags, img->nfrags + 1, sizeof(*p));
	if (p == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	img->frags = p;
	img->frags[img->nfrags++] = *f;
	return OPTIMG_OK;
}
