/*
 * unpack_zstd.c - a .zst file read as a stream, with random access by
 * frame.
 *
 * Frames decode on their own (RFC 8878 section 3.1.1), so they are the
 * restart points.  The frame list comes from the seekable format's seek
 * table when the file ends with one (zstd's contrib/seekable_format: a
 * skippable frame of compressed and decompressed sizes, the footer magic
 * 0x8F92EAB1 in the last bytes), which optimg writes; else from walking
 * the frame and block headers (3.1.1.2), and a frame whose header leaves
 * out its content size is decoded once to measure it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#define ZSTD_STATIC_LINKING_ONLY	/* frame headers (stable API since 1.4) */
#include <zstd.h>

#include "unpack.h"

#define SEEK_MAGIC 0x8F92EAB1u
#define SKIP_MAGIC_MIN 0x184D2A50u
#define SKIP_MAGIC_MAX 0x184D2A5Fu
#define BLOCK_MAX (128u * 1024)

struct frame {
	uint64_t	 coff, csize;
	uint64_t	 uoff, usize;
};

struct zs {
	ZSTD_DCtx	*dctx;
	struct frame	*frames;
	uint32_t	 n, cap;
	uint32_t	 cur;		/* frame being decoded */
	uint64_t	 fpos;		/* bytes it gave so far */
	uint64_t	 in_off;	/* next input byte */
	ZSTD_inBuffer	 ib;
	uint8_t		*in;
	size_t		 in_cap;
};

static int
add_frame(struct oi_unpack *u, struct zs *z, uint64_t coff, uint64_t csize,
    uint64_t usize, struct optimg_error *err)
{
	uint64_t uoff = z->n > 0 ? z->frames[z->n - 1].uoff +
	    z->frames[z->n - 1].usize : 0;

	if (usize > u->limit || uoff > u->limit - usize)
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s' decompresses to "
		    "more than the %llu bytes allowed", u->name,
		    (unsigned long long)u->limit);
	if (usize == 0)
		return OPTIMG_OK;
	if (z->n == z->cap) {
		uint32_t cap = z->cap ? 2 * z->cap : 64;
		struct frame *f = realloc(z->frames, cap * sizeof(*f));
		if (f == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		z->frames = f;
		z->cap = cap;
	}
	z->frames[z->n++] = (struct frame){ coff, csize, uoff, usize };
	return OPTIMG_OK;
}

/* The seek table, when the file ends with a valid one; else 0 frames. */
static int
read_seek_table(struct oi_unpack *u, struct zs *z, struct optimg_error *err)
{
	uint8_t foot[9], *t;
	uint64_t nf, esize, tsize, coff = 0;
	int rc = OPTIMG_OK;

	if (u->in.size < 17)
		return OPTIMG_OK;
	OI_TRY(oi_unpack_read_in(u, foot, 9, u->in.size - 9, err));
	if (oi_le32dec(foot + 5) != SEEK_MAGIC || (foot[4] & 0x7c) != 0)
		return OPTIMG_OK;
	nf = oi_le32dec(foot);
	esize = foot[4] & 0x80 ? 12 : 8;
	tsize = 8 + nf * esize + 9;
	if (tsize > u->in.size)
		return OPTIMG_OK;
	if ((t = malloc((size_t)tsize)) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_unpack_read_in(u, t, (size_t)tsize, u->in.size - tsize, err);
	if (rc == OPTIMG_OK && (oi_le32dec(t) != 0x184D2A5Eu ||
	    oi_le32dec(t + 4) != tsize - 8))
		nf = 0;
	for (uint64_t i = 0; rc == OPTIMG_OK && i < nf; i++) {
		const uint8_t *e = t + 8 + i * esize;
		rc = add_frame(u, z, coff, oi_le32dec(e), oi_le32dec(e + 4),
		    err);
		coff += oi_le32dec(e);
	}
	free(t);
	/* A table that does not add up to the file is not trusted. */
	if (rc == OPTIMG_OK && coff != u->in.size - tsize)
		z->n = 0;
	return rc;
}

/* Decodes the frame at coff (csize bytes) to learn its size. */
static int
measure(struct oi_unpack *u, struct zs *z, uint64_t coff, uint64_t csize,
    uint64_t *usize, struct optimg_error *err);

/* A frame's compressed size, from its header and its blocks' headers. */
static int
walk_frame(struct oi_unpack *u, uint64_t coff, uint64_t *csize,
    uint64_t *content, struct optimg_error *err)
{
	uint8_t h[ZSTD_FRAMEHEADERSIZE_MAX];
	size_t n = (size_t)OI_MIN((uint64_t)sizeof(h), u->in.size - coff);
	ZSTD_frameHeader fh;
	uint64_t at;
	size_t hs;

	OI_TRY(oi_unpack_read_in(u, h, n, coff, err));
	hs = ZSTD_frameHeaderSize(h, n);
	if (ZSTD_isError(hs) || ZSTD_getFrameHeader(&fh, h, n) != 0)
		return oi_unpack_damaged(u, coff, "bad frame header", err);
	*content = fh.frameContentSize;
	for (at = coff + hs;;) {
		uint8_t b[3];
		uint32_t bh, size;
		OI_TRY(oi_unpack_read_in(u, b, 3, at, err));
		bh = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16;
		size = bh >> 3;
		if ((bh >> 1 & 3) == 3 || size > BLOCK_MAX)
			return oi_unpack_damaged(u, at, "bad block header",
			    err);
		at += 3 + ((bh >> 1 & 3) == 1 ? 1 : size);
		if (bh & 1)
			break;
	}
	*csize = at + (fh.checksumFlag ? 4 : 0) - coff;
	return OPTIMG_OK;
}

static int
walk_frames(struct oi_unpack *u, struct zs *z, struct optimg_error *err)
{
	uint64_t coff = 0;

	while (coff < u->in.size) {
		uint8_t m[8];
		uint64_t csize = 0, usize = 0;
		uint32_t magic;

		OI_TRY(oi_unpack_read_in(u, m, 8, coff, err));
		magic = oi_le32dec(m);
		if (magic >= SKIP_MAGIC_MIN && magic <= SKIP_MAGIC_MAX) {
			coff += 8 + (uint64_t)oi_le32dec(m + 4);
			continue;
		}
		if (magic != ZSTD_MAGICNUMBER)
			return oi_unpack_damaged(u, coff, "no zstd frame "
			    "where one should start", err);
		OI_TRY(walk_frame(u, coff, &csize, &usize, err));
		if (usize == ZSTD_CONTENTSIZE_UNKNOWN)
			OI_TRY(measure(u, z, coff, csize, &usize, err));
		else if (usize == ZSTD_CONTENTSIZE_ERROR)
			return oi_unpack_damaged(u, coff, "bad frame header",
			    err);
		OI_TRY(add_frame(u, z, coff, csize, usize, err));
		coff += csize;
	}
	if (coff != u->in.size)
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': the zstd data "
		    "ends at byte %llu, inside a frame (truncated?)", u->name,
		    (unsigned long long)u->in.size);
	return OPTIMG_OK;
}

static int
zs_open(struct oi_unpack *u, struct optimg_error *err)
{
	struct zs *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	u->ctx = z;
	z->in_cap = ZSTD_DStreamInSize();
	z->in = malloc(z->in_cap);
	z->dctx = ZSTD_createDCtx();
	if (z->in == NULL || z->dctx == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	/* 2^27: what zstd -d accepts without --long. */
	ZSTD_DCtx_setParameter(z->dctx, ZSTD_d_windowLogMax, 27);
	OI_TRY(read_seek_table(u, z, err));
	if (z->n == 0)
		OI_TRY(walk_frames(u, z, err));
	u->units = z->n;
	u->size = z->n > 0 ? z->frames[z->n - 1].uoff +
	    z->frames[z->n - 1].usize : 0;
	return OPTIMG_OK;
}

static uint32_t
frame_of(const struct zs *z, uint64_t off)
{
	uint32_t lo = 0, hi = z->n;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (z->frames[mid].uoff <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t
zs_restart_before(struct oi_unpack *u, uint64_t off)
{
	struct zs *z = u->ctx;

	return z->n > 0 ? z->frames[frame_of(z, off)].uoff : 0;
}

static void
start_frame(struct zs *z, uint32_t i)
{
	ZSTD_DCtx_reset(z->dctx, ZSTD_reset_session_only);
	z->cur = i;
	z->fpos = 0;
	z->in_off = z->frames[i].coff;
	z->ib = (ZSTD_inBuffer){ z->in, 0, 0 };
}

static int
zs_seek(struct oi_unpack *u, uint64_t off, struct optimg_error *err)
{
	struct zs *z = u->ctx;

	if (z->n == 0)
		return oi_set_error(err, OPTIMG_EINVAL, "'%s' is empty",
		    u->name);
	start_frame(z, frame_of(z, off));
	u->pos = z->frames[z->cur].uoff;
	return OPTIMG_OK;
}

/* Decodes frame z->cur on from where it is; *got 0 at its end. */
static int
frame_step(struct oi_unpack *u, struct zs *z, uint8_t *buf, size_t len,
    size_t *got, bool *end, struct optimg_error *err)
{
	const struct frame *f = &z->frames[z->cur];
	ZSTD_outBuffer ob = { buf, len, 0 };
	size_t r;

	*end = false;
	if (z->ib.pos == z->ib.size) {
		size_t n = (size_t)OI_MIN((uint64_t)z->in_cap,
		    f->coff + f->csize - z->in_off);
		OI_TRY(oi_unpack_read_in(u, z->in, n, z->in_off, err));
		z->ib = (ZSTD_inBuffer){ z->in, n, 0 };
		z->in_off += n;
	}
	r = ZSTD_decompressStream(z->dctx, &ob, &z->ib);
	if (ZSTD_isError(r))
		return oi_unpack_damaged(u, z->in_off - (z->ib.size -
		    z->ib.pos), ZSTD_getErrorName(r), err);
	*got = ob.pos;
	z->fpos += ob.pos;
	if (f->usize != UINT64_MAX && (z->fpos > f->usize ||
	    (r == 0 && z->fpos != f->usize)))
		return oi_unpack_damaged(u, f->coff, "the frame's size is not "
		    "what its header or the seek table says", err);
	if (r == 0)
		*end = true;
	else if (ob.pos == 0 && z->ib.pos == z->ib.size &&
	    z->in_off >= f->coff + f->csize)
		return oi_unpack_damaged(u, z->in_off, "the frame ends before "
		    "its data", err);
	return OPTIMG_OK;
}

static int
measure(struct oi_unpack *u, struct zs *z, uint64_t coff, uint64_t csize,
    uint64_t *usize, struct optimg_error *err)
{
	struct frame *saved = z->frames;
	struct frame one = { coff, csize, 0, UINT64_MAX };
	uint32_t n = z->n;
	bool end = false;
	int rc = OPTIMG_OK;

	z->frames = &one;
	z->n = 1;
	start_frame(z, 0);
	*usize = 0;
	while (rc == OPTIMG_OK && !end) {
		size_t got = 0;
		rc = frame_step(u, z, u->cache, 64u * 1024, &got, &end, err);
		*usize += got;
		if (*usize > u->limit)
			rc = oi_set_error(err, OPTIMG_EFORMAT, "'%s' "
			    "decompresses to more than the %llu bytes allowed",
			    u->name, (unsigned long long)u->limit);
	}
	z->frames = saved;
	z->n = n;
	return rc;
}

static int
zs_decode(struct oi_unpack *u, uint8_t *buf, size_t len, size_t *got,
    struct optimg_error *err)
{
	struct zs *z = u->ctx;
	bool end = false;

	*got = 0;
	while (*got == 0) {
		OI_TRY(frame_step(u, z, buf, len, got, &end, err));
		if (end) {
			if (z->cur + 1 >= z->n)
				return OPTIMG_OK;
			start_frame(z, z->cur + 1);
		}
	}
	return OPTIMG_OK;
}

static void
zs_close(struct oi_unpack *u)
{
	struct zs *z = u->ctx;

	if (z == NULL)
		return;
	ZSTD_freeDCtx(z->dctx);
	free(z->frames);
	free(z->in);
	free(z);
	u->ctx = NULL;
}

const struct oi_unpack_codec oi_unpack_zstd = {
	.name = "zstd",
	.open = zs_open,
	.restart_before = zs_restart_before,
	.seek = zs_seek,
	.decode = zs_decode,
	.close = zs_close,
};
