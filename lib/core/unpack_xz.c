/*
 * unpack_xz.c - an .xz file read as a stream, with random access by
 * block.
 *
 * An .xz file ends with an index of its blocks (compressed and
 * uncompressed offsets, xz-file-format-1.1.0 section 4); liblzma's file
 * info decoder reads it, and the indexes of concatenated streams, from
 * the end.  A read starts at the block holding its offset: the block
 * header is decoded and a block decoder runs from there, going on into
 * the next blocks.  `xz -T0` and optimg write several blocks; a
 * single-block file (plain `xz`) is read from its start.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lzma.h>

#include "unpack.h"

#define IN_BYTES (64u * 1024)
#define INDEX_MEMLIMIT (256u << 20)

struct xz {
	lzma_index	*index;
	lzma_index_iter	 it;
	lzma_stream	 strm;
	bool		 strm_ok;
	uint64_t	 in_off;	/* file offset after in's bytes */
	uint64_t	 block_end;	/* the block's last compressed byte + 1 */
	lzma_block	 block;		/* the decoder uses it to its end */
	lzma_filter	 filters[LZMA_FILTERS_MAX + 1];
	uint8_t		 in[IN_BYTES];
};

static const char *
lzma_msg(lzma_ret r)
{
	switch (r) {
	case LZMA_MEM_ERROR:		return "out of memory";
	case LZMA_MEMLIMIT_ERROR:	return "its index needs too much memory";
	case LZMA_FORMAT_ERROR:		return "not in xz format";
	case LZMA_OPTIONS_ERROR:	return "unsupported options";
	case LZMA_DATA_ERROR:		return "corrupt data";
	case LZMA_BUF_ERROR:		return "the file ends too soon";
	default:			return "cannot decode";
	}
}

static int
xz_open(struct oi_unpack *u, struct optimg_error *err)
{
	struct xz *x = calloc(1, sizeof(*x));
	lzma_stream s = LZMA_STREAM_INIT;
	lzma_ret r;
	uint64_t off = 0;

	if (x == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	u->ctx = x;
	if (lzma_file_info_decoder(&s, &x->index, INDEX_MEMLIMIT,
	    u->in.size) != LZMA_OK)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	do {
		if (s.avail_in == 0) {
			size_t n = (size_t)OI_MIN((uint64_t)IN_BYTES,
			    u->in.size - off);
			if (oi_unpack_read_in(u, x->in, n, off, err) < 0) {
				lzma_end(&s);
				return err->code;
			}
			s.next_in = x->in;
			s.avail_in = n;
			off += n;
		}
		r = lzma_code(&s, LZMA_RUN);
		if (r == LZMA_SEEK_NEEDED) {
			off = s.seek_pos;
			s.avail_in = 0;
		}
	} while (r == LZMA_OK || r == LZMA_SEEK_NEEDED);
	off -= s.avail_in;
	lzma_end(&s);
	if (r != LZMA_STREAM_END)
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': not a whole xz "
		    "file, reading its index near byte %llu: %s", u->name,
		    (unsigned long long)off, lzma_msg(r));
	u->size = lzma_index_uncompressed_size(x->index);
	u->units = (uint32_t)OI_MIN(lzma_index_block_count(x->index),
	    (lzma_vli)UINT32_MAX);
	return OPTIMG_OK;
}

static uint64_t
xz_restart_before(struct oi_unpack *u, uint64_t off)
{
	struct xz *x = u->ctx;
	lzma_index_iter it;

	lzma_index_iter_init(&it, x->index);
	if (lzma_index_iter_locate(&it, off))
		return 0;
	return it.block.uncompressed_file_offset;
}

/* Starts a block decoder at x->it's block (the caller sets u->pos). */
static int
start_block(struct oi_unpack *u, struct xz *x, struct optimg_error *err)
{
	lzma_filter *filters = x->filters;
	lzma_block *block = &x->block;
	uint64_t at = x->it.block.compressed_file_offset;
	uint8_t hdr[1024];
	lzma_ret r;

	OI_TRY(oi_unpack_read_in(u, hdr, 1, at, err));
	if (hdr[0] == 0)
		return oi_unpack_damaged(u, at, "no block header where the "
		    "index puts a block", err);
	if (x->strm_ok)
		lzma_end(&x->strm);
	x->strm_ok = false;
	memset(block, 0, sizeof(*block));
	block->version = 1;
	block->check = x->it.stream.flags->check;
	block->filters = filters;
	block->header_size = lzma_block_header_size_decode(hdr[0]);
	OI_TRY(oi_unpack_read_in(u, hdr, block->header_size, at, err));
	if (lzma_block_header_decode(block, NULL, hdr) != LZMA_OK)
		return oi_unpack_damaged(u, at, "bad block header", err);
	if (lzma_block_compressed_size(block, x->it.block.unpadded_size) !=
	    LZMA_OK) {
		lzma_filters_free(filters, NULL);
		return oi_unpack_damaged(u, at, "the block header and the "
		    "index disagree", err);
	}
	x->strm = (lzma_stream)LZMA_STREAM_INIT;
	r = lzma_block_decoder(&x->strm, block);
	lzma_filters_free(filters, NULL);
	if (r != LZMA_OK)
		return oi_unpack_damaged(u, at, lzma_msg(r), err);
	x->strm_ok = true;
	x->in_off = at + block->header_size;
	x->block_end = at + x->it.block.total_size;
	return OPTIMG_OK;
}

static int
xz_seek(struct oi_unpack *u, uint64_t off, struct optimg_error *err)
{
	struct xz *x = u->ctx;

	lzma_index_iter_init(&x->it, x->index);
	if (lzma_index_iter_locate(&x->it, off))
		return oi_set_error(err, OPTIMG_EINVAL, "'%s': byte %llu is "
		    "past its end", u->name, (unsigned long long)off);
	OI_TRY(start_block(u, x, err));
	u->pos = x->it.block.uncompressed_file_offset;
	return OPTIMG_OK;
}

static int
xz_decode(struct oi_unpack *u, uint8_t *buf, size_t len, size_t *got,
    struct optimg_error *err)
{
	struct xz *x = u->ctx;
	lzma_ret r;

	*got = 0;
	while (*got == 0) {
		if (x->strm.avail_in == 0 && x->in_off < x->block_end) {
			size_t n = (size_t)OI_MIN((uint64_t)IN_BYTES,
			    x->block_end - x->in_off);
			OI_TRY(oi_unpack_read_in(u, x->in, n, x->in_off, err));
			x->strm.next_in = x->in;
			x->strm.avail_in = n;
			x->in_off += n;
		}
		x->strm.next_out = buf;
		x->strm.avail_out = len;
		r = lzma_code(&x->strm, LZMA_RUN);
		*got = (size_t)(x->strm.next_out - buf);
		if (r == LZMA_STREAM_END) {
			if (lzma_index_iter_next(&x->it, LZMA_INDEX_ITER_BLOCK))
				return OPTIMG_OK;	/* the last block */
			OI_TRY(start_block(u, x, err));
		} else if (r != LZMA_OK || (*got == 0 &&
		    x->strm.avail_in == 0 && x->in_off >= x->block_end))
			return oi_unpack_damaged(u, x->in_off -
			    x->strm.avail_in, r == LZMA_OK ? "the block ends "
			    "before its data" : lzma_msg(r), err);
	}
	return OPTIMG_OK;
}

static void
xz_close(struct oi_unpack *u)
{
	struct xz *x = u->ctx;

	if (x == NULL)
		return;
	if (x->strm_ok)
		lzma_end(&x->strm);
	lzma_index_end(x->index, NULL);
	free(x);
	u->ctx = NULL;
}

const struct oi_unpack_codec oi_unpack_xz = {
	.name = "xz",
	.open = xz_open,
	.restart_before = xz_restart_before,
	.seek = xz_seek,
	.decode = xz_decode,
	.close = xz_close,
};
