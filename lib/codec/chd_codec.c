/*
 * chd_codec.c - the hunk codecs of CHD v5 (MAME chdcodec.cpp's formats):
 *
 *   zlib  raw deflate (no zlib header), level 9 when writing
 *   lzma  raw LZMA1, lc=3 lp=0 pb=2, no end marker (the size is known);
 *         chdman sizes the dictionary to the hunk
 *   zstd  a zstd frame
 *   huff  a Huffman tree (lengths Huffman coded), then one code a byte
 *   flac  'L' or 'B' (byte order of the samples), then bare FLAC frames,
 *         block size hunk/4 halved until <= 2048
 *   cdlz, cdzl, cdzs  CD hunks: a bitmap of frames whose sync and ECC were
 *         dropped (Mode 1 sectors whose ECC verifies: they are made anew),
 *         the length of the compressed sector data (2 bytes, 3 when the
 *         hunk is 64 KiB or more), the sectors of all frames compressed
 *         by lzma/zlib/zstd, then their subcode deflated (cdzs: by zstd)
 *   cdfl  the sectors as big-endian FLAC (block size frames*2352/4 halved
 *         until <= 2352), then the subcode deflated
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lzma.h>
#include <zlib.h>
#include <zstd.h>

#include "chd.h"

struct chd_codec {
	uint32_t	 tag;
	uint32_t	 hunk_bytes;
	z_stream	 inf, def;
	bool		 inf_ok, def_ok;
	/* Set up again per hunk but kept: liblzma then reuses the memory
	   (its hash tables are 600 KiB, mapped and unmapped each time). */
	lzma_stream	 lzd, lze;
	ZSTD_DCtx	*zd;
	ZSTD_CCtx	*zc;
	struct chd_flac	*flac;
	struct chd_huff	 huff;
	uint8_t		*buf;		/* CD: sectors, then subcode */
	uint8_t		*tmp;		/* scratch for compressing */
};

static const struct {
	uint32_t	 tag;
	const char	*name;
} names[] = {
	{ CHD_CODEC_ZLIB, "Deflate" }, { CHD_CODEC_LZMA, "LZMA" },
	{ CHD_CODEC_HUFF, "Huffman" }, { CHD_CODEC_FLAC, "FLAC" },
	{ CHD_CODEC_ZSTD, "Zstandard" }, { CHD_CODEC_CDZL, "CD Deflate" },
	{ CHD_CODEC_CDLZ, "CD LZMA" }, { CHD_CODEC_CDFL, "CD FLAC" },
	{ CHD_CODEC_CDZS, "CD Zstandard" },
};

static const uint8_t cd_sync[12] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

bool
chd_codec_known(uint32_t tag)
{
	for (unsigned i = 0; i < OI_ARRAY_SIZE(names); i++)
		if (names[i].tag == tag)
			return true;
	return false;
}

const char *
chd_codec_name(uint32_t tag, char buf[5])
{
	for (int i = 0; i < 4; i++) {
		uint8_t c = (uint8_t)(tag >> (24 - 8 * i));
		buf[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
	}
	buf[4] = '\0';
	for (unsigned i = 0; i < OI_ARRAY_SIZE(names); i++)
		if (names[i].tag == tag)
			return names[i].name;
	return "unknown";
}

static bool
is_cd(uint32_t tag)
{
	return tag == CHD_CODEC_CDZL || tag == CHD_CODEC_CDLZ ||
	    tag == CHD_CODEC_CDFL || tag == CHD_CODEC_CDZS;
}

int
chd_codec_new(uint32_t tag, uint32_t hunk_bytes, struct chd_codec **out)
{
	struct chd_codec *c;

	if (!chd_codec_known(tag) || hunk_bytes == 0 ||
	    (is_cd(tag) && hunk_bytes % CHD_CD_FRAME != 0) ||
	    (tag == CHD_CODEC_FLAC && hunk_bytes % 4 != 0))
		return -1;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -1;
	c->tag = tag;
	c->hunk_bytes = hunk_bytes;
	c->lzd = c->lze = (lzma_stream)LZMA_STREAM_INIT;
	c->buf = malloc(hunk_bytes);
	c->tmp = malloc((size_t)hunk_bytes * 2 + 1024);
	if (c->buf == NULL || c->tmp == NULL)
		goto fail;
	if (inflateInit2(&c->inf, -MAX_WBITS) != Z_OK)
		goto fail;
	c->inf_ok = true;
	if (deflateInit2(&c->def, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS,
	    8, Z_DEFAULT_STRATEGY) != Z_OK)
		goto fail;
	c->def_ok = true;
	if (tag == CHD_CODEC_ZSTD || tag == CHD_CODEC_CDZS) {
		c->zd = ZSTD_createDCtx();
		c->zc = ZSTD_createCCtx();
		if (c->zd == NULL || c->zc == NULL)
			goto fail;
	}
	if ((tag == CHD_CODEC_FLAC || tag == CHD_CODEC_CDFL) &&
	    chd_flac_new(&c->flac) < 0)
		goto fail;
	if (tag == CHD_CODEC_HUFF && chd_huff_init(&c->huff, 256, 16) < 0)
		goto fail;
	*out = c;
	return 0;
fail:
	chd_codec_free(c);
	return -1;
}

void
chd_codec_free(struct chd_codec *c)
{
	if (c == NULL)
		return;
	if (c->inf_ok)
		inflateEnd(&c->inf);
	if (c->def_ok)
		deflateEnd(&c->def);
	lzma_end(&c->lzd);
	lzma_end(&c->lze);
	ZSTD_freeDCtx(c->zd);
	ZSTD_freeCCtx(c->zc);
	chd_flac_free(c->flac);
	chd_huff_release(&c->huff);
	free(c->buf);
	free(c->tmp);
	free(c);
}

/* ---- base codecs ------------------------------------------------------ */

static int
zlib_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t dlen)
{
	if (inflateReset(&c->inf) != Z_OK)
		return -1;
	c->inf.next_in = (Bytef *)(uintptr_t)src;
	c->inf.avail_in = (uInt)n;
	c->inf.next_out = dst;
	c->inf.avail_out = (uInt)dlen;
	int zr = inflate(&c->inf, Z_FINISH);
	/* chdman's deflate streams may end without a final block marker
	   being needed: a full output is what counts. */
	if (zr != Z_STREAM_END && !(zr == Z_BUF_ERROR && c->inf.avail_out == 0))
		return -1;
	return c->inf.total_out == dlen ? 0 : -1;
}

static long
zlib_enc(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap)
{
	if (deflateReset(&c->def) != Z_OK)
		return -1;
	c->def.next_in = (Bytef *)(uintptr_t)src;
	c->def.avail_in = (uInt)n;
	c->def.next_out = dst;
	c->def.avail_out = (uInt)cap;
	if (deflate(&c->def, Z_FINISH) != Z_STREAM_END)
		return -1;
	return (long)c->def.total_out;
}

static void
lzma_opts(lzma_options_lzma *o, size_t n)
{
	lzma_lzma_preset(o, 9);
	o->dict_size = (uint32_t)OI_MAX((size_t)4096, n);
	o->lc = 3;
	o->lp = 0;
	o->pb = 2;
}

static int
lzma_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t dlen)
{
	lzma_stream *s = &c->lzd;
	lzma_options_lzma o;
	lzma_filter f[2];
	lzma_ret r;

	lzma_opts(&o, dlen);
	o.ext_flags = LZMA_LZMA1EXT_ALLOW_EOPM;
	o.ext_size_low = (uint32_t)dlen;
	o.ext_size_high = (uint32_t)((uint64_t)dlen >> 32);
	f[0].id = LZMA_FILTER_LZMA1EXT;
	f[0].options = &o;
	f[1].id = LZMA_VLI_UNKNOWN;
	if (lzma_raw_decoder(s, f) != LZMA_OK)
		return -1;
	s->next_in = src;
	s->avail_in = n;
	s->next_out = dst;
	s->avail_out = dlen;
	r = lzma_code(s, LZMA_FINISH);
	return (r == LZMA_STREAM_END || r == LZMA_OK) && s->avail_out == 0 ?
	    0 : -1;
}

static long
lzma_enc(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap)
{
	lzma_stream *s = &c->lze;
	lzma_options_lzma o;
	lzma_filter f[2];
	lzma_ret r;

	lzma_opts(&o, n);
	o.ext_flags = 0;		/* no end marker: chdman writes none */
	o.ext_size_low = o.ext_size_high = 0;
	f[0].id = LZMA_FILTER_LZMA1EXT;
	f[0].options = &o;
	f[1].id = LZMA_VLI_UNKNOWN;
	if (lzma_raw_encoder(s, f) != LZMA_OK)
		return -1;
	s->next_in = src;
	s->avail_in = n;
	s->next_out = dst;
	s->avail_out = cap;
	r = lzma_code(s, LZMA_FINISH);
	return r == LZMA_STREAM_END ? (long)(cap - s->avail_out) : -1;
}

static int
zstd_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t dlen)
{
	size_t r = ZSTD_decompressDCtx(c->zd, dst, dlen, src, n);

	return !ZSTD_isError(r) && r == dlen ? 0 : -1;
}

static long
zstd_enc(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap)
{
	size_t r = ZSTD_compressCCtx(c->zc, dst, cap, src, n, 19);

	return ZSTD_isError(r) ? -1 : (long)r;
}

static int
huff_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t dlen)
{
	struct chd_bits b;

	chd_bits_init(&b, src, n);
	if (chd_huff_import_huff(&c->huff, &b) < 0)
		return -1;
	for (size_t i = 0; i < dlen; i++)
		dst[i] = (uint8_t)chd_huff_decode(&c->huff, &b);
	return chd_bits_overflow(&b) ? -1 : 0;
}

static unsigned
flac_blocksize(size_t bytes, unsigned max)
{
	size_t b = bytes / 4;

	while (b > max)
		b /= 2;
	return (unsigned)b;
}

static int
flac_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t dlen)
{
	size_t used;

	if (n < 1 || (src[0] != 'L' && src[0] != 'B'))
		return -1;
	return chd_flac_decode(c->flac, flac_blocksize(dlen, 2048), src + 1,
	    n - 1, dst, dlen / 4, src[0] == 'B', &used);
}

static long
flac_enc(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap)
{
	long r;

	if (cap < 2)
		return -1;
	dst[0] = 'L';
	r = chd_flac_encode(c->flac, flac_blocksize(n, 2048), src, n / 4,
	    false, dst + 1, cap - 1);
	return r < 0 ? -1 : r + 1;
}

/* ---- CD codecs -------------------------------------------------------- */

/* Moves a hunk's sectors first and its subcode after them, or back. */
static void
cd_split(const uint8_t *hunk, uint8_t *buf, unsigned frames)
{
	for (unsigned i = 0; i < frames; i++) {
		memcpy(buf + (size_t)i * CHD_CD_SECTOR,
		    hunk + (size_t)i * CHD_CD_FRAME, CHD_CD_SECTOR);
		memcpy(buf + (size_t)frames * CHD_CD_SECTOR +
		    (size_t)i * CHD_CD_SUB,
		    hunk + (size_t)i * CHD_CD_FRAME + CHD_CD_SECTOR, CHD_CD_SUB);
	}
}

static void
cd_join(const uint8_t *buf, uint8_t *hunk, unsigned frames)
{
	for (unsigned i = 0; i < frames; i++) {
		memcpy(hunk + (size_t)i * CHD_CD_FRAME,
		    buf + (size_t)i * CHD_CD_SECTOR, CHD_CD_SECTOR);
		memcpy(hunk + (size_t)i * CHD_CD_FRAME + CHD_CD_SECTOR,
		    buf + (size_t)frames * CHD_CD_SECTOR +
		    (size_t)i * CHD_CD_SUB, CHD_CD_SUB);
	}
}

static int
base_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t dlen)
{
	switch (c->tag) {
	case CHD_CODEC_CDLZ:
		return lzma_dec(c, src, n, dst, dlen);
	case CHD_CODEC_CDZS:
		return zstd_dec(c, src, n, dst, dlen);
	default:
		return zlib_dec(c, src, n, dst, dlen);
	}
}

static long
base_enc(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap)
{
	switch (c->tag) {
	case CHD_CODEC_CDLZ:
		return lzma_enc(c, src, n, dst, cap);
	case CHD_CODEC_CDZS:
		return zstd_enc(c, src, n, dst, cap);
	default:
		return zlib_enc(c, src, n, dst, cap);
	}
}

/* The subcode goes by deflate, but by zstd in cdzs (MAME's CD Zstandard
 * pairs a zstd coder for the sectors with another for the subcode). */
static int
sub_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t dlen)
{
	if (c->tag == CHD_CODEC_CDZS)
		return zstd_dec(c, src, n, dst, dlen);
	return zlib_dec(c, src, n, dst, dlen);
}

static long
sub_enc(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst,
    size_t cap)
{
	if (c->tag == CHD_CODEC_CDZS)
		return zstd_enc(c, src, n, dst, cap);
	return zlib_enc(c, src, n, dst, cap);
}

static int
cd_dec(struct chd_codec *c, const uint8_t *src, size_t n, uint8_t *dst)
{
	unsigned frames = c->hunk_bytes / CHD_CD_FRAME;
	size_t eccb = (frames + 7) / 8, lenb = c->hunk_bytes < 65536 ? 2 : 3;
	size_t head = eccb + lenb, base, sectors = (size_t)frames *
	    CHD_CD_SECTOR, subs = (size_t)frames * CHD_CD_SUB, used;

	if (c->tag == CHD_CODEC_CDFL) {
		if (chd_flac_decode(c->flac, flac_blocksize(sectors, 2352),
		    src, n, c->buf, sectors / 4, true, &used) < 0)
			return -1;
		if (zlib_dec(c, src + used, n - used, c->buf + sectors,
		    subs) < 0)
			return -1;
		cd_join(c->buf, dst, frames);
		return 0;
	}
	if (n < head)
		return -1;
	base = (size_t)src[eccb] << 8 | src[eccb + 1];
	if (lenb == 3)
		base = base << 8 | src[eccb + 2];
	if (base > n - head)
		return -1;
	if (base_dec(c, src + head, base, c->buf, sectors) < 0 ||
	    sub_dec(c, src + head + base, n - head - base, c->buf + sectors,
	    subs) < 0)
		return -1;
	cd_join(c->buf, dst, frames);
	for (unsigned i = 0; i < frames; i++) {
		uint8_t *s = dst + (size_t)i * CHD_CD_FRAME;
		if (src[i / 8] & (1u << (i % 8))) {
			memcpy(s, cd_sync, sizeof(cd_sync));
			optimg_ecc_generate(s);
		}
	}
	return 0;
}

/* Mode 1 sectors whose ECC verifies need neither sync nor ECC stored. */
static bool
ecc_redundant(const uint8_t *s)
{
	uint8_t copy[CHD_CD_SECTOR];

	if (memcmp(s, cd_sync, sizeof(cd_sync)) != 0)
		return false;
	memcpy(copy, s, sizeof(copy));
	optimg_ecc_generate(copy);
	return memcmp(copy + 2076, s + 2076, CHD_CD_SECTOR - 2076) == 0;
}

static long
cd_enc(struct chd_codec *c, const uint8_t *src, uint8_t *dst, size_t cap)
{
	unsigned frames = c->hunk_bytes / CHD_CD_FRAME;
	size_t eccb = (frames + 7) / 8, lenb = c->hunk_bytes < 65536 ? 2 : 3;
	size_t head = eccb + lenb, sectors = (size_t)frames * CHD_CD_SECTOR;
	size_t subs = (size_t)frames * CHD_CD_SUB;
	long base, sub;

	cd_split(src, c->buf, frames);
	if (c->tag == CHD_CODEC_CDFL) {
		base = chd_flac_encode(c->flac, flac_blocksize(sectors, 2352),
		    c->buf, sectors / 4, true, dst, cap);
		if (base < 0)
			return -1;
		sub = zlib_enc(c, c->buf + sectors, subs, dst + base,
		    cap - (size_t)base);
		return sub < 0 ? -1 : base + sub;
	}
	if (cap < head)
		return -1;
	memset(dst, 0, eccb);
	for (unsigned i = 0; i < frames; i++) {
		uint8_t *s = c->buf + (size_t)i * CHD_CD_SECTOR;
		if (!ecc_redundant(s))
			continue;
		dst[i / 8] |= (uint8_t)(1u << (i % 8));
		memset(s, 0, sizeof(cd_sync));
		memset(s + 2076, 0, CHD_CD_SECTOR - 2076);
	}
	base = base_enc(c, c->buf, sectors, dst + head, cap - head);
	if (base < 0 || (unsigned long)base >= 1ul << (lenb * 8 - 1))
		return -1;
	for (size_t i = 0; i < lenb; i++)
		dst[eccb + i] = (uint8_t)((unsigned long)base >>
		    (8 * (lenb - 1 - i)));
	sub = sub_enc(c, c->buf + sectors, subs, dst + head + (size_t)base,
	    cap - head - (size_t)base);
	return sub < 0 ? -1 : (long)head + base + sub;
}

/* ---- dispatch --------------------------------------------------------- */

int
chd_codec_decompress(struct chd_codec *c, const uint8_t *src, size_t srclen,
    uint8_t *dst)
{
	size_t n = c->hunk_bytes;

	switch (c->tag) {
	case CHD_CODEC_ZLIB:
		return zlib_dec(c, src, srclen, dst, n);
	case CHD_CODEC_LZMA:
		return lzma_dec(c, src, srclen, dst, n);
	case CHD_CODEC_ZSTD:
		return zstd_dec(c, src, srclen, dst, n);
	case CHD_CODEC_HUFF:
		return huff_dec(c, src, srclen, dst, n);
	case CHD_CODEC_FLAC:
		return flac_dec(c, src, srclen, dst, n);
	default:
		return cd_dec(c, src, srclen, dst);
	}
}

long
chd_codec_compress(struct chd_codec *c, const uint8_t *src, uint8_t *dst,
    size_t cap)
{
	size_t n = c->hunk_bytes;

	switch (c->tag) {
	case CHD_CODEC_ZLIB:
		return zlib_enc(c, src, n, dst, cap);
	case CHD_CODEC_LZMA:
		return lzma_enc(c, src, n, dst, cap);
	case CHD_CODEC_ZSTD:
		return zstd_enc(c, src, n, dst, cap);
	case CHD_CODEC_FLAC:
		return flac_enc(c, src, n, dst, cap);
	case CHD_CODEC_HUFF:
		return -1;	/* read only */
	default:
		return cd_enc(c, src, dst, cap);
	}
}
