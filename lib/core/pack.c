/*
 * pack.c - output compression (pack.h): gzip, xz and zstd here, ECM in
 * pack_ecm.c.
 *
 * Written to be read back at random: xz through liblzma's multithreaded
 * encoder, which cuts the input into OI_PACK_UNIT blocks listed in the
 * file's index; zstd as one frame per OI_PACK_UNIT with its content size,
 * and the seekable format's seek table at the end (a skippable frame that
 * `zstd -d` passes over).  gzip has no index: unpack_gzip.c makes one.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "pack.h"

#define OUT_BYTES (1u << 20)
/*
 * Default levels.  xz's own default, 6, took 10 s of CPU for 20 MB of raw
 * Mode 1 sectors (/usr/bin) where 2 took 3.6 s for 8% more bytes: its
 * bigger dictionary buys nothing in 4 MiB blocks, and who packs a disc
 * image should not wait three times as long for the last 8% unless they
 * ask (--level 6 or 9).  zstd's and gzip's defaults are already quick.
 */
#define ZSTD_LEVEL 3
#define XZ_PRESET 2
#define GZIP_LEVEL 6

static const struct {
	const char		*ext;
	enum oi_pack_kind	 kind;
} suffixes[] = {
	{ ".gz", OI_PACK_GZIP },
	{ ".xz", OI_PACK_XZ },
	{ ".zst", OI_PACK_ZSTD },
	{ ".ecm", OI_PACK_ECM },
};

static int
suffix_of(const char *path)
{
	size_t n = strlen(path);

	for (unsigned i = 0; i < OI_ARRAY_SIZE(suffixes); i++) {
		size_t e = strlen(suffixes[i].ext);
		if (n > e && strcasecmp(path + n - e, suffixes[i].ext) == 0)
			return (int)i;
	}
	return -1;
}

enum oi_pack_kind
oi_pack_kind_of(const char *path)
{
	int i = suffix_of(path);

	return i < 0 ? OI_PACK_NONE : suffixes[i].kind;
}

size_t
oi_pack_suffix_len(const char *path)
{
	int i = suffix_of(path);

	return i < 0 ? 0 : strlen(suffixes[i].ext);
}

int
oi_pack_emit(struct oi_pack *p, int fd, const void *data, size_t len,
    struct optimg_error *err)
{
	const uint8_t *b = data;

	while (len > 0) {
		ssize_t n = write(fd, b, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return oi_set_errno(err, OPTIMG_EIO, "cannot write '%s'",
			    p->path);
		b += n;
		len -= (size_t)n;
	}
	return OPTIMG_OK;
}

/* ---- xz ------------------------------------------------------------- */

struct xzp {
	lzma_stream	 s;
	uint8_t		 out[OUT_BYTES];
};

static int
xz_init(struct oi_pack *p, struct optimg_error *err)
{
	struct xzp *x = calloc(1, sizeof(*x));
	lzma_options_lzma lz;
	lzma_filter filters[2] = {
		{ .id = LZMA_FILTER_LZMA2, .options = &lz },
		{ .id = LZMA_VLI_UNKNOWN },
	};
	lzma_mt mt = {
		.threads = OI_MAX(1u, OI_MIN(lzma_cputhreads(), 4u)),
		.block_size = OI_PACK_UNIT,
		.filters = filters,
		.check = LZMA_CHECK_CRC64,
	};

	if (x == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (lzma_lzma_preset(&lz, p->level != 0 ? p->level : XZ_PRESET)) {
		free(x);
		return oi_set_error(err, OPTIMG_EINVAL, "no xz preset %u",
		    p->level);
	}
	/* A block is all a dictionary sees: past 4 MiB it costs memory per
	   thread (674 MiB at -9) and saves nothing. */
	lz.dict_size = OI_MIN(lz.dict_size, (uint32_t)OI_PACK_UNIT);
	p->ctx = x;
	x->s = (lzma_stream)LZMA_STREAM_INIT;
	if (lzma_stream_encoder_mt(&x->s, &mt) != LZMA_OK)
		return oi_set_error(err, OPTIMG_ENOMEM, "cannot start the xz "
		    "encoder for '%s'", p->path);
	return OPTIMG_OK;
}

static int
xz_run(struct oi_pack *p, int fd, const uint8_t *data, size_t len,
    lzma_action a, struct optimg_error *err)
{
	struct xzp *x = p->ctx;
	lzma_ret r;

	x->s.next_in = data;
	x->s.avail_in = len;
	do {
		x->s.next_out = x->out;
		x->s.avail_out = sizeof(x->out);
		r = lzma_code(&x->s, a);
		if (r != LZMA_OK && r != LZMA_STREAM_END)
			return oi_set_error(err, OPTIMG_ENOMEM, "xz cannot "
			    "compress '%s' (liblzma error %d)", p->path, r);
		OI_TRY(oi_pack_emit(p, fd, x->out,
		    sizeof(x->out) - x->s.avail_out, err));
	} while (a == LZMA_FINISH ? r != LZMA_STREAM_END :
	    x->s.avail_in > 0);
	return OPTIMG_OK;
}

static int
xz_write(struct oi_pack *p, int fd, const uint8_t *data, size_t len,
    struct optimg_error *err)
{
	return xz_run(p, fd, data, len, LZMA_RUN, err);
}

static int
xz_finish(struct oi_pack *p, int fd, struct optimg_error *err)
{
	return xz_run(p, fd, NULL, 0, LZMA_FINISH, err);
}

static void
xz_release(struct oi_pack *p)
{
	struct xzp *x = p->ctx;

	if (x != NULL)
		lzma_end(&x->s);
	free(x);
}

static const struct oi_pack_codec xz_codec = {
	xz_init, xz_write, xz_finish, xz_release
};

/* ---- zstd ------------------------------------------------------------ */

struct zsp {
	ZSTD_CCtx	*cctx;
	uint8_t		*in, *out;
	size_t		 in_len, out_cap;
	uint32_t	*table;		/* compressed, decompressed sizes */
	uint32_t	 nframes, cap;
};

static int
zs_init(struct oi_pack *p, struct optimg_error *err)
{
	struct zsp *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	p->ctx = z;
	z->cctx = ZSTD_createCCtx();
	z->in = malloc(OI_PACK_UNIT);
	z->out_cap = ZSTD_compressBound(OI_PACK_UNIT);
	z->out = malloc(z->out_cap);
	if (z->cctx == NULL || z->in == NULL || z->out == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_compressionLevel,
	    p->level != 0 ? (int)p->level : ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_checksumFlag, 1);
	ZSTD_CCtx_setParameter(z->cctx, ZSTD_c_contentSizeFlag, 1);
	return OPTIMG_OK;
}

static int
zs_frame(struct oi_pack *p, int fd, struct optimg_error *err)
{
	struct zsp *z = p->ctx;
	size_t n;

	if (z->in_len == 0)
		return OPTIMG_OK;
	n = ZSTD_compress2(z->cctx, z->out, z->out_cap, z->in, z->in_len);
	if (ZSTD_isError(n))
		return oi_set_error(err, OPTIMG_ENOMEM, "zstd cannot compress "
		    "'%s': %s", p->path, ZSTD_getErrorName(n));
	if (z->nframes == z->cap) {
		uint32_t cap = z->cap ? 2 * z->cap : 256;
		uint32_t *t = realloc(z->table, 2 * sizeof(*t) * cap);
		if (t == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		z->table = t;
		z->cap = cap;
	}
	z->table[2 * z->nframes] = (uint32_t)n;
	z->table[2 * z->nframes + 1] = (uint32_t)z->in_len;
	z->nframes++;
	z->in_len = 0;
	return oi_pack_emit(p, fd, z->out, n, err);
}

static int
zs_write(struct oi_pack *p, int fd, const uint8_t *data, size_t len,
    struct optimg_error *err)
{
	struct zsp *z = p->ctx;

	while (len > 0) {
		size_t n = OI_MIN(len, OI_PACK_UNIT - z->in_len);
		memcpy(z->in + z->in_len, data, n);
		z->in_len += n;
		data += n;
		len -= n;
		if (z->in_len == OI_PACK_UNIT)
			OI_TRY(zs_frame(p, fd, err));
	}
	return OPTIMG_OK;
}

/* The seekable format's seek table: a skippable frame, then its footer. */
static int
zs_finish(struct oi_pack *p, int fd, struct optimg_error *err)
{
	struct zsp *z = p->ctx;
	size_t n;
	uint8_t *t;
	int rc;

	OI_TRY(zs_frame(p, fd, err));
	n = 8 + 8 * (size_t)z->nframes + 9;
	if ((t = malloc(n)) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	oi_le32enc(t, 0x184D2A5Eu);
	oi_le32enc(t + 4, (uint32_t)(n - 8));
	for (uint32_t i = 0; i < 2 * z->nframes; i++)
		oi_le32enc(t + 8 + 4 * i, z->table[i]);
	oi_le32enc(t + n - 9, z->nframes);
	t[n - 5] = 0;			/* no per-frame checksums */
	oi_le32enc(t + n - 4, 0x8F92EAB1u);
	rc = oi_pack_emit(p, fd, t, n, err);
	free(t);
	return rc;
}

static void
zs_release(struct oi_pack *p)
{
	struct zsp *z = p->ctx;

	if (z == NULL)
		return;
	ZSTD_freeCCtx(z->cctx);
	free(z->in);
	free(z->out);
	free(z->table);
	free(z);
}

static const struct oi_pack_codec zstd_codec = {
	zs_init, zs_write, zs_finish, zs_release
};

/* ---- gzip ------------------------------------------------------------ */

struct gzp {
	z_stream	 z;
	bool		 z_ok;
	uint8_t		 out[OUT_BYTES];
};

static int
gz_init(struct oi_pack *p, struct optimg_error *err)
{
	struct gzp *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	p->ctx = g;
	if (deflateInit2(&g->z, p->level != 0 ? (int)p->level : GZIP_LEVEL,
	    Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	g->z_ok = true;
	return OPTIMG_OK;
}

static int
gz_run(struct oi_pack *p, int fd, const uint8_t *data, size_t len,
    int flush, struct optimg_error *err)
{
	struct gzp *g = p->ctx;
	int r;

	do {
		size_t n = OI_MIN(len, (size_t)1 << 30);
		g->z.next_in = (Bytef *)(uintptr_t)data;
		g->z.avail_in = (uInt)n;
		do {
			g->z.next_out = g->out;
			g->z.avail_out = sizeof(g->out);
			r = deflate(&g->z, len > n ? Z_NO_FLUSH : flush);
			if (r == Z_STREAM_ERROR)
				return oi_set_error(err, OPTIMG_EINVAL,
				    "deflate failed on '%s'", p->path);
			OI_TRY(oi_pack_emit(p, fd, g->out,
			    sizeof(g->out) - g->z.avail_out, err));
		} while (g->z.avail_out == 0 || (flush == Z_FINISH &&
		    len == n && r != Z_STREAM_END));
		data += n;
		len -= n;
	} while (len > 0);
	return OPTIMG_OK;
}

static int
gz_write(struct oi_pack *p, int fd, const uint8_t *data, size_t len,
    struct optimg_error *err)
{
	return gz_run(p, fd, data, len, Z_NO_FLUSH, err);
}

static int
gz_finish(struct oi_pack *p, int fd, struct optimg_error *err)
{
	return gz_run(p, fd, NULL, 0, Z_FINISH, err);
}

static void
gz_release(struct oi_pack *p)
{
	struct gzp *g = p->ctx;

	if (g != NULL && g->z_ok)
		deflateEnd(&g->z);
	free(g);
}

static const struct oi_pack_codec gzip_codec = {
	gz_init, gz_write, gz_finish, gz_release
};

/* ---- what every kind shares ------------------------------------------ */

unsigned
oi_pack_max_level(enum oi_pack_kind kind)
{
	return kind == OI_PACK_XZ || kind == OI_PACK_GZIP ? 9 :
	    kind == OI_PACK_ZSTD ? 19 : 0;
}

int
oi_pack_new(struct oi_pack **out, enum oi_pack_kind kind, const char *path,
    unsigned level, struct optimg_error *err)
{
	struct oi_pack *p;
	int rc;

	*out = NULL;
	if (level > oi_pack_max_level(kind))
		return oi_set_error(err, OPTIMG_EINVAL, "'%s': compression "
		    "level %u, where %s takes %s", path, level,
		    kind == OI_PACK_XZ ? "xz" : kind == OI_PACK_ZSTD ? "zstd" :
		    kind == OI_PACK_GZIP ? "gzip" : "ECM",
		    oi_pack_max_level(kind) == 9 ? "1-9" :
		    oi_pack_max_level(kind) == 19 ? "1-19" : "none");
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->path = strdup(path)) == NULL) {
		free(p);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	p->level = level;
	p->codec = kind == OI_PACK_XZ ? &xz_codec : kind == OI_PACK_ZSTD ?
	    &zstd_codec : kind == OI_PACK_GZIP ? &gzip_codec :
	    kind == OI_PACK_ECM ? &oi_pack_ecm_codec : NULL;
	rc = p->codec != NULL ? p->codec->init(p, err) :
	    oi_set_error(err, OPTIMG_EINVAL, "no compression for '%s'", path);
	if (rc < 0) {
		oi_pack_free(p);
		return rc;
	}
	*out = p;
	return OPTIMG_OK;
}

int
oi_pack_write(struct oi_pack *p, int fd, const void *data, size_t len,
    struct optimg_error *err)
{
	if (len == 0)
		return OPTIMG_OK;
	return p->codec->write(p, fd, data, len, err);
}

int
oi_pack_finish(struct oi_pack *p, int fd, struct optimg_error *err)
{
	return p->codec->finish(p, fd, err);
}

void
oi_pack_free(struct oi_pack *p)
{
	if (p == NULL)
		return;
	if (p->codec != NULL)
		p->codec->release(p);
	free(p->path);
	free(p);
}
