/*
 * unpack.c - what the decompressing streams share (unpack.h): magic
 * numbers, the stream operations, and a chunk cache.
 *
 * A read at off is served from the cache when the last chunk holds it;
 * else the decoder goes on from where it is when that is at or past the
 * codec's restart point before off (a forward read never starts over), and
 * starts at that restart point otherwise.  Readers read forward mostly, so
 * even a one-block xz or one-frame zstd costs one pass for a conversion.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack.h"

#define CACHE_BYTES (256u * 1024)

uint64_t oi_unpack_max_bytes = UINT64_MAX;

enum oi_pack_kind
oi_pack_detect(const uint8_t *h, size_t len)
{
	static const uint8_t xz[6] = { 0xfd, '7', 'z', 'X', 'Z', 0 };
	static const uint8_t zst[4] = { 0x28, 0xb5, 0x2f, 0xfd };

	if (len >= 6 && memcmp(h, xz, 6) == 0)
		return OI_PACK_XZ;
	if (len >= 4 && memcmp(h, zst, 4) == 0)
		return OI_PACK_ZSTD;
	if (len >= 4 && memcmp(h, "ECM", 4) == 0)
		return OI_PACK_ECM;
	/* RFC 1952 2.3.1: ID1 ID2, CM 8 (deflate), FLG's top bits zero. */
	if (len >= 4 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8 &&
	    (h[3] & 0xe0) == 0)
		return OI_PACK_GZIP;
	return OI_PACK_NONE;
}

static const struct oi_unpack_codec *
codec_of(enum oi_pack_kind kind)
{
	switch (kind) {
	case OI_PACK_GZIP:	return &oi_unpack_gzip;
	case OI_PACK_XZ:	return &oi_unpack_xz;
	case OI_PACK_ZSTD:	return &oi_unpack_zstd;
	case OI_PACK_ECM:	return &oi_unpack_ecm;
	default:		return NULL;
	}
}

const char *
oi_pack_name(enum oi_pack_kind kind)
{
	const struct oi_unpack_codec *c = codec_of(kind);

	return c != NULL ? c->name : NULL;
}

int
oi_unpack_read_in(struct oi_unpack *u, void *buf, size_t len, uint64_t off,
    struct optimg_error *err)
{
	if (off > u->in.size || len > u->in.size - off)
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': the %s data "
		    "ends at byte %llu, inside a block that needs %zu bytes at "
		    "byte %llu (truncated?)", u->name, u->codec->name,
		    (unsigned long long)u->in.size, len,
		    (unsigned long long)off);
	return oi_stream_pread(&u->in, buf, len, off, err);
}

int
oi_unpack_damaged(struct oi_unpack *u, uint64_t off, const char *what,
    struct optimg_error *err)
{
	return oi_set_error(err, OPTIMG_EFORMAT, "'%s': damaged %s data at "
	    "byte %llu: %s", u->name, u->codec->name,
	    (unsigned long long)off, what);
}

/* Decodes the next chunk at u->pos into the cache. */
static int
fill(struct oi_unpack *u, struct optimg_error *err)
{
	size_t want = (size_t)OI_MIN((uint64_t)CACHE_BYTES, u->size - u->pos);

	u->cache_off = u->pos;
	u->cache_len = 0;
	while (u->cache_len < want) {
		size_t got = 0;
		int rc = u->codec->decode(u, u->cache + u->cache_len,
		    want - u->cache_len, &got, err);
		if (rc < 0) {
			u->positioned = false;
			u->cache_len = 0;
			return rc;
		}
		if (got == 0) {
			u->positioned = false;
			u->cache_len = 0;
			return oi_set_error(err, OPTIMG_EFORMAT, "'%s': the %s "
			    "data ends before byte %llu of the %llu it holds",
			    u->name, u->codec->name,
			    (unsigned long long)u->pos,
			    (unsigned long long)u->size);
		}
		u->cache_len += got;
		u->pos += got;
	}
	return OPTIMG_OK;
}

static int
unpack_pread(struct oi_stream *st, void *buf, size_t len, uint64_t off,
    struct optimg_error *err)
{
	struct oi_unpack *u = st->ctx;
	uint8_t *p = buf;

	while (len > 0) {
		if (off >= u->cache_off && off < u->cache_off + u->cache_len) {
			size_t at = (size_t)(off - u->cache_off);
			size_t n = OI_MIN(len, u->cache_len - at);
			memcpy(p, u->cache + at, n);
			p += n;
			off += n;
			len -= n;
			continue;
		}
		if (!u->positioned || u->pos > off ||
		    u->codec->restart_before(u, off) > u->pos) {
			u->cache_len = 0;
			OI_TRY(u->codec->seek(u, off, err));
			u->positioned = true;
		}
		OI_TRY(fill(u, err));
	}
	return OPTIMG_OK;
}

static void
unpack_close(struct oi_stream *st)
{
	struct oi_unpack *u = st->ctx;

	if (u == NULL)
		return;
	if (u->codec != NULL && u->codec->close != NULL)
		u->codec->close(u);
	oi_stream_close(&u->in);
	free(u->cache);
	free(u);
	st->ctx = NULL;
}

static const struct oi_stream_ops unpack_ops = {
	.name = "unpack",
	.pread = unpack_pread,
	.close = unpack_close,
};

struct oi_unpack *
oi_unpack_of(const struct oi_stream *st)
{
	return st->ops == &unpack_ops ? st->ctx : NULL;
}

int
oi_unpack_wrap(struct oi_stream *st, enum oi_pack_kind kind, uint64_t limit,
    struct optimg_error *err)
{
	struct oi_unpack *u = calloc(1, sizeof(*u));
	int rc;

	if (u == NULL || (u->cache = malloc(CACHE_BYTES)) == NULL) {
		free(u);
		oi_stream_close(st);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	u->in = *st;
	u->name = u->in.path != NULL ? u->in.path : "stream";
	u->codec = codec_of(kind);
	u->limit = limit;
	memset(st, 0, sizeof(*st));
	st->fd = -1;
	st->ops = &unpack_ops;
	st->ctx = u;
	st->path = oi_strdup(u->in.path);
	if (u->codec == NULL)
		rc = oi_set_error(err, OPTIMG_EINVAL, "'%s' is not compressed",
		    u->name);
	else if (st->path == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	else
		rc = u->codec->open(u, err);
	if (rc == OPTIMG_OK && u->size > u->limit)
		rc = oi_set_error(err, OPTIMG_EFORMAT, "'%s' decompresses to "
		    "%llu bytes, more than the %llu allowed", u->name,
		    (unsigned long long)u->size,
		    (unsigned long long)u->limit);
	if (rc < 0) {
		oi_stream_close(st);
		return rc;
	}
	st->size = u->size;
	return OPTIMG_OK;
}

static const char *
unit_name(const struct oi_unpack_codec *codec)
{
	if (codec == &oi_unpack_xz)
		return "blocks";
	if (codec == &oi_unpack_zstd)
		return "frames";
	if (codec == &oi_unpack_ecm)
		return "records";
	return "restart points";
}

int
oi_unpack_container(struct optimg_image *img, struct optimg_container *c)
{
	for (unsigned i = 0; i < img->nstreams; i++) {
		struct oi_unpack *u = oi_unpack_of(&img->streams[i]);
		unsigned m;

		if (u == NULL)
			continue;
		if (c->kind == NULL) {
			c->kind = u->codec->name;
			c->units = unit_name(u->codec);
			c->version = u->codec == &oi_unpack_ecm ? 1 : 0;
		}
		c->files++;
		c->logical_bytes += u->size;
		c->stored_bytes += u->in.size;
		c->hunk_count += u->units;
		for (m = 0; m < c->nmix; m++)
			if (strcmp(c->mix[m].name, u->codec->name) == 0)
				break;
		if (m == c->nmix && m < OPTIMG_CONTAINER_MIX) {
			snprintf(c->mix[m].name, sizeof(c->mix[m].name), "%s",
			    u->codec->name);
			c->nmix++;
		}
		if (m < c->nmix)
			c->mix[m].hunks++;
	}
	return c->kind != NULL ? OPTIMG_OK : OPTIMG_EUNSUPP;
}
