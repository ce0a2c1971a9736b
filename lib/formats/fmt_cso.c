/*
 * fmt_cso.c - compressed ISOs of the PSP scene: CSO v1 and v2 ("CISO")
 * and ZSO ("ZISO"), read as the ISO they hold.
 *
 * Header (24 bytes, little-endian; maxcso's README_CSO.md):
 *   0 magic   4 header size (0x18; v1 files may say anything)
 *   8 uncompressed size   16 block size   20 version   21 index shift
 * Then ceil(size / block) + 1 index entries of 32 bits: the low 31 bits
 * shifted left by the index shift are the block's offset; the next
 * entry's offset ends it.  v1 and ZSO: the high bit means "stored";
 * else raw deflate (CSO) or a raw LZ4 block (ZSO).  v2: a block as long
 * as the block size or longer is stored; else the high bit means LZ4 and
 * its absence deflate.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lz4.h>
#include <zlib.h>

#include "cso.h"

struct cso_img {
	struct optimg_image	*img;
	struct oi_cso		 cso;
};

static int
cso_probe(const struct oi_probe *p)
{
	if (p->head_len < OI_CSO_HEADER)
		return 0;
	if (memcmp(p->head, "CISO", 4) == 0 || memcmp(p->head, "ZISO", 4) == 0)
		return 100;
	return 0;
}

int
oi_cso_parse_header(struct oi_cso *c, const uint8_t *h, size_t len,
    uint64_t file_size, struct optimg_error *err)
{
	uint64_t nblocks;

	if (len < OI_CSO_HEADER || (memcmp(h, "CISO", 4) != 0 &&
	    memcmp(h, "ZISO", 4) != 0))
		return oi_set_error(err, OPTIMG_EFORMAT, "not a CSO or ZSO");
	c->zso = h[0] == 'Z';
	c->size = (uint64_t)oi_le32dec(h + 8) | (uint64_t)oi_le32dec(h + 12)
	    << 32;
	c->block = oi_le32dec(h + 16);
	c->version = h[20];
	c->shift = h[21];
	if (c->version > 2 || (c->zso && c->version > 1))
		return oi_set_error(err, OPTIMG_EUNSUPP,
		    "%s version %u", c->zso ? "ZSO" : "CSO", c->version);
	if (c->block < 2048 || c->block > (1u << 24) ||
	    (c->block & (c->block - 1)) != 0 || c->shift > 31)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "header: block size %u, index shift %u", c->block,
		    c->shift);
	nblocks = (c->size + c->block - 1) / c->block;
	if (nblocks + 1 > (file_size - OI_CSO_HEADER) / 4 ||
	    c->size % 2048 != 0)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "header: %llu bytes in blocks of %u do not fit the file",
		    (unsigned long long)c->size, c->block);
	c->nblocks = (uint32_t)nblocks;
	return OPTIMG_OK;
}

static int
read_index(struct oi_cso *c, struct optimg_error *err)
{
	size_t n = (size_t)c->nblocks + 1;
	uint8_t *raw = malloc(n * 4);

	c->index = calloc(n, sizeof(*c->index));
	if (raw == NULL || c->index == NULL) {
		free(raw);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	int rc = oi_stream_pread(&c->st, raw, n * 4, OI_CSO_HEADER, err);
	for (size_t i = 0; rc == 0 && i < n; i++)
		c->index[i] = oi_le32dec(raw + 4 * i);
	free(raw);
	return rc;
}

int
oi_cso_open(struct oi_cso *c, const char *path, struct optimg_error *err)
{
	uint8_t h[OI_CSO_HEADER];

	memset(c, 0, sizeof(*c));
	c->st.fd = -1;
	c->cached = UINT32_MAX;
	OI_TRY(oi_stream_open(&c->st, path, err));
	if (c->st.size < OI_CSO_HEADER)
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': too short for "
		    "a CSO header", path);
	OI_TRY(oi_stream_pread(&c->st, h, sizeof(h), 0, err));
	OI_TRY(oi_cso_parse_header(c, h, sizeof(h), c->st.size, err));
	OI_TRY(read_index(c, err));
	c->cbuf = malloc((size_t)c->block * 2 + 64);
	c->data = malloc(c->block);
	if (c->cbuf == NULL || c->data == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (inflateInit2(&c->z, -MAX_WBITS) != Z_OK)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	c->z_ok = true;
	return OPTIMG_OK;
}

void
oi_cso_close(struct oi_cso *c)
{
	if (c->z_ok)
		inflateEnd(&c->z);
	free(c->index);
	free(c->cbuf);
	free(c->data);
	oi_stream_close(&c->st);
}

static int
block_error(struct oi_cso *c, uint32_t b, const char *what,
    struct optimg_error *err)
{
	uint64_t per = c->block / 2048;

	return oi_set_error(err, OPTIMG_EFORMAT, "'%s': block %u %s; it "
	    "holds LBAs %llu-%llu", c->st.path, b, what,
	    (unsigned long long)(b * per),
	    (unsigned long long)(b * per + per - 1));
}

static int
inflate_block(struct oi_cso *c, size_t n, size_t want)
{
	if (inflateReset(&c->z) != Z_OK)
		return -1;
	c->z.next_in = c->cbuf;
	c->z.avail_in = (uInt)n;
	c->z.next_out = c->data;
	c->z.avail_out = (uInt)want;
	int zr = inflate(&c->z, Z_FINISH);
	return (zr == Z_STREAM_END || zr == Z_BUF_ERROR || zr == Z_OK) &&
	    c->z.avail_out == 0 ? 0 : -1;
}

/* Decodes block b into c->data. */
static int
load_block(struct oi_cso *c, uint32_t b, struct optimg_error *err)
{
	uint32_t e = c->index[b], e2 = c->index[b + 1];
	uint64_t off = (uint64_t)(e & 0x7fffffff) << c->shift;
	uint64_t end = (uint64_t)(e2 & 0x7fffffff) << c->shift;
	size_t want = (size_t)OI_MIN((uint64_t)c->block,
	    c->size - (uint64_t)b * c->block), n;
	bool stored, lz4;

	if (c->cached == b)
		return OPTIMG_OK;
	c->cached = UINT32_MAX;
	if (end < off || end > c->st.size)
		return block_error(c, b, "lies past the end of the file", err);
	n = (size_t)OI_MIN(end - off, (uint64_t)c->block * 2 + 64);
	if (c->version == 2) {
		stored = end - off >= c->block;
		lz4 = !stored && (e & 0x80000000u);
	} else {
		stored = (e & 0x80000000u) != 0;
		lz4 = c->zso;
	}
	if (stored) {
		if (end - off < want)
			return block_error(c, b, "is stored short", err);
		if (oi_stream_pread(&c->st, c->data, want, off, err) < 0)
			return block_error(c, b, "cannot be read", err);
	} else {
		if (oi_stream_pread(&c->st, c->cbuf, n, off, err) < 0)
			return block_error(c, b, "cannot be read", err);
		if (lz4 ? LZ4_decompress_safe_partial((const char *)c->cbuf,
		    (char *)c->data, (int)n, (int)want, (int)c->block) !=
		    (int)want : inflate_block(c, n, want) < 0)
			return block_error(c, b,
			    "does not decompress (damaged data)", err);
	}
	c->cached = b;
	return OPTIMG_OK;
}

int
oi_cso_read(struct oi_cso *c, uint64_t off, void *buf, size_t len,
    struct optimg_error *err)
{
	uint8_t *p = buf;

	if (off > c->size || len > c->size - off)
		return oi_set_error(err, OPTIMG_ERANGE, "'%s': read past the "
		    "end of the image", c->st.path);
	while (len > 0) {
		uint32_t b = (uint32_t)(off / c->block);
		size_t in = (size_t)(off % c->block);
		size_t n = OI_MIN(len, (size_t)c->block - in);
		OI_TRY(load_block(c, b, err));
		memcpy(p, c->data + in, n);
		p += n;
		off += n;
		len -= n;
	}
	return OPTIMG_OK;
}

/* ---- the image ---------------------------------------------------------- */

static int
cso_read_cb(void *ctx, int32_t lba, uint32_t count, unsigned size,
    void *buf, struct optimg_error *err)
{
	struct cso_img *ci = ctx;

	if (size != 2048 || lba < 0)
		return oi_set_error(err, OPTIMG_EINVAL, "CSO sectors are "
		    "2048 bytes");
	return oi_cso_read(&ci->cso, (uint64_t)lba * 2048, buf,
	    (size_t)count * 2048, err);
}

static void
cso_close_cb(void *ctx)
{
	struct cso_img *ci = ctx;

	oi_cso_close(&ci->cso);
	free(ci);
}

static int
cso_open(struct optimg_image *img, const char *path)
{
	struct cso_img *ci = calloc(1, sizeof(*ci));
	struct optimg_track *t;
	unsigned idx;

	if (ci == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	ci->img = img;
	img->reader.read = cso_read_cb;
	img->reader.ctx = ci;
	img->reader.close = cso_close_cb;
	OI_TRY(oi_cso_open(&ci->cso, path, &img->err));
	OI_TRY(oi_image_add_stream(img, path, &idx));
	uint64_t sectors = ci->cso.size / 2048;
	if (sectors == 0 || sectors > INT32_MAX)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s': holds %llu sectors", path,
		    (unsigned long long)sectors);
	OI_TRY(oi_image_add_track(img, &t));
	t->number = 1;
	t->session = 1;
	t->mode = OPTIMG_TRACK_MODE1;
	t->storage = OPTIMG_STORE_PLAIN;
	t->sector_size = 2048;
	t->start = 0;
	t->flags = OPTIMG_FLAG_DATA;
	struct oi_fragment f = {
		.lba = 0, .count = (uint32_t)sectors,
		.fill = OI_FILL_CALLBACK, .sector_size = 2048,
		.mode = OPTIMG_TRACK_MODE1,
	};
	OI_TRY(oi_image_add_fragment(img, &f));
	return oi_image_finish_layout(img);
}

const struct oi_format oi_format_cso = {
	.name = "cso",
	.description = "CSO/ZSO",
	.probe = cso_probe,
	.open = cso_open,
};
