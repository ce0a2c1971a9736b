/*
 * unpack_gzip.c - a gzip file (RFC 1952, one member or several) read as a
 * stream.
 *
 * gzip has no index, so open makes one in a single pass, as zlib's zran
 * example does: every SPAN bytes of output it keeps a copy of the inflater
 * (inflateCopy: its state and 32 KiB window) and the input offset it had
 * reached.  A read starts from the copy before it.  The pass also learns
 * the size and checks every member's CRC-32 and length, so a damaged file
 * fails at open with the byte where inflate stopped.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "unpack.h"

#define SPAN (4u << 20)
#define IN_BYTES (64u * 1024)

struct point {
	uint64_t	 coff;		/* next input byte */
	uint64_t	 uoff;		/* next output byte */
	z_stream	*z;		/* NULL: a fresh inflater */
};

struct gz {
	z_stream	 z;
	bool		 z_ok;
	uint8_t		 in[IN_BYTES];
	uint64_t	 in_off;	/* file offset of in[avail end] */
	struct point	*pts;
	uint32_t	 npts, cap;
	bool		 done;		/* the last member ended */
};

static int
start(struct oi_unpack *u, struct gz *g, const struct point *p,
    struct optimg_error *err)
{
	if (g->z_ok)
		inflateEnd(&g->z);
	g->z_ok = false;
	memset(&g->z, 0, sizeof(g->z));
	if ((p->z != NULL ? inflateCopy(&g->z, p->z) :
	    inflateInit2(&g->z, 15 + 16)) != Z_OK)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	g->z_ok = true;
	g->z.next_in = g->in;
	g->z.avail_in = 0;
	g->in_off = p->coff;
	g->done = false;
	u->pos = p->uoff;
	return OPTIMG_OK;
}

/* Bytes after a member: another member, zeros (padding), or damage. */
static int
after_member(struct oi_unpack *u, struct gz *g, struct optimg_error *err)
{
	uint64_t at = g->in_off - g->z.avail_in;
	uint8_t b[2];

	if (at + 2 <= u->in.size) {
		OI_TRY(oi_unpack_read_in(u, b, 2, at, err));
		if (b[0] == 0x1f && b[1] == 0x8b) {
			inflateReset(&g->z);
			return OPTIMG_OK;
		}
	}
	while (at < u->in.size) {
		uint8_t c;
		OI_TRY(oi_unpack_read_in(u, &c, 1, at, err));
		if (c != 0)
			return oi_unpack_damaged(u, at, "bytes after the last "
			    "member that are no gzip member", err);
		at++;
	}
	g->done = true;
	return OPTIMG_OK;
}

static int
gz_decode(struct oi_unpack *u, uint8_t *buf, size_t len, size_t *got,
    struct optimg_error *err)
{
	struct gz *g = u->ctx;

	*got = 0;
	while (*got == 0 && !g->done) {
		int zr;

		if (g->z.avail_in == 0) {
			size_t n = (size_t)OI_MIN((uint64_t)IN_BYTES,
			    u->in.size - g->in_off);
			if (n == 0)
				return oi_set_error(err, OPTIMG_EFORMAT, "'%s': "
				    "the gzip data ends at byte %llu, inside a "
				    "member (truncated?)", u->name,
				    (unsigned long long)u->in.size);
			OI_TRY(oi_unpack_read_in(u, g->in, n, g->in_off, err));
			g->z.next_in = g->in;
			g->z.avail_in = (uInt)n;
			g->in_off += n;
		}
		g->z.next_out = buf;
		g->z.avail_out = (uInt)OI_MIN(len, (size_t)1 << 30);
		zr = inflate(&g->z, Z_NO_FLUSH);
		*got = (size_t)(g->z.next_out - buf);
		if (zr == Z_STREAM_END)
			OI_TRY(after_member(u, g, err));
		else if (zr != Z_OK && zr != Z_BUF_ERROR)
			return oi_unpack_damaged(u, g->in_off - g->z.avail_in,
			    g->z.msg != NULL ? g->z.msg : "inflate failed",
			    err);
	}
	return OPTIMG_OK;
}

static int
keep_point(struct oi_unpack *u, struct gz *g, struct optimg_error *err)
{
	struct point *p;

	if (g->npts == g->cap) {
		uint32_t cap = g->cap ? 2 * g->cap : 64;
		p = realloc(g->pts, cap * sizeof(*p));
		if (p == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		g->pts = p;
		g->cap = cap;
	}
	p = &g->pts[g->npts];
	p->coff = g->in_off - g->z.avail_in;
	p->uoff = u->pos;
	p->z = calloc(1, sizeof(*p->z));
	if (p->z == NULL || inflateCopy(p->z, &g->z) != Z_OK) {
		free(p->z);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	g->npts++;
	return OPTIMG_OK;
}

/* One pass: the size, the restart points, every member's check. */
static int
index_pass(struct oi_unpack *u, struct gz *g, struct optimg_error *err)
{
	uint8_t *sink = u->cache;	/* free until the first read */
	uint64_t next = SPAN;

	OI_TRY(start(u, g, &g->pts[0], err));
	while (!g->done) {
		size_t got;
		OI_TRY(gz_decode(u, sink, 64u * 1024, &got, err));
		u->pos += got;
		if (u->pos > u->limit)
			return oi_set_error(err, OPTIMG_EFORMAT, "'%s' "
			    "decompresses to more than the %llu bytes allowed",
			    u->name, (unsigned long long)u->limit);
		if (u->pos >= next && !g->done) {
			OI_TRY(keep_point(u, g, err));
			next = u->pos + SPAN;
		}
	}
	u->size = u->pos;
	u->units = g->npts;
	return OPTIMG_OK;
}

static int
gz_open(struct oi_unpack *u, struct optimg_error *err)
{
	struct gz *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	u->ctx = g;
	g->pts = calloc(64, sizeof(*g->pts));
	if (g->pts == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	g->cap = 64;
	g->npts = 1;		/* the start: a fresh inflater at 0 */
	return index_pass(u, g, err);
}

static const struct point *
point_before(const struct gz *g, uint64_t off)
{
	uint32_t lo = 0, hi = g->npts;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->pts[mid].uoff <= off)
			lo = mid;
		else
			hi = mid;
	}
	return &g->pts[lo];
}

static uint64_t
gz_restart_before(struct oi_unpack *u, uint64_t off)
{
	return point_before(u->ctx, off)->uoff;
}

static int
gz_seek(struct oi_unpack *u, uint64_t off, struct optimg_error *err)
{
	struct gz *g = u->ctx;

	return start(u, g, point_before(g, off), err);
}

static void
gz_close(struct oi_unpack *u)
{
	struct gz *g = u->ctx;

	if (g == NULL)
		return;
	if (g->z_ok)
		inflateEnd(&g->z);
	for (uint32_t i = 0; i < g->npts && g->pts != NULL; i++)
		if (g->pts[i].z != NULL) {
			inflateEnd(g->pts[i].z);
			free(g->pts[i].z);
		}
	free(g->pts);
	free(g);
	u->ctx = NULL;
}

const struct oi_unpack_codec oi_unpack_gzip = {
	.name = "gzip",
	.open = gz_open,
	.restart_before = gz_restart_before,
	.seek = gz_seek,
	.decode = gz_decode,
	.close = gz_close,
};
