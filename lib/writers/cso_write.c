/*
 * cso_write.c - an image's 2048-byte sectors as CSO v1 (raw deflate,
 * level 9) or ZSO (LZ4 HC), 2048-byte blocks; a block that does not get
 * smaller is stored with the index's high bit set.  Blocks are
 * compressed on two cores, a batch at a time; the index is written last
 * over the space kept for it after the header.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <lz4hc.h>
#include <zlib.h>

#include "convert.h"
#include "cso.h"

#define BLOCK	2048u
#define BATCH	2048u		/* blocks */

struct cso_job {
	struct cso_write	*w;
	unsigned		 from, to;
	z_stream		 z;
	bool			 z_ok;
};

struct cso_write {
	bool		 zso;
	uint8_t		*in;		/* BATCH blocks */
	uint8_t		*out;		/* BATCH * (BLOCK + 64) */
	uint32_t	 len[BATCH];	/* 0: stored */
	struct cso_job	 job[2];
	struct oi_worker worker;
};

static void
compress_run(void *arg)
{
	struct cso_job *j = arg;
	struct cso_write *w = j->w;

	for (unsigned i = j->from; i < j->to; i++) {
		const uint8_t *src = w->in + (size_t)i * BLOCK;
		uint8_t *dst = w->out + (size_t)i * (BLOCK + 64);
		long n = -1;
		if (w->zso)
			n = LZ4_compress_HC((const char *)src, (char *)dst,
			    BLOCK, BLOCK - 1, LZ4HC_CLEVEL_MAX);
		else if (deflateReset(&j->z) == Z_OK) {
			j->z.next_in = (Bytef *)(uintptr_t)src;
			j->z.avail_in = BLOCK;
			j->z.next_out = dst;
			j->z.avail_out = BLOCK - 1;
			if (deflate(&j->z, Z_FINISH) == Z_STREAM_END)
				n = (long)j->z.total_out;
		}
		w->len[i] = n > 0 && n < (long)BLOCK ? (uint32_t)n : 0;
	}
}

static int
write_blocks(struct optimg_image *img, struct cso_write *w,
    struct oi_outfile *of, uint32_t nblocks, unsigned shift,
    uint32_t *index, struct oi_progress *prog, struct optimg_error *err)
{
	static const uint8_t zero[1u << 12];
	uint64_t align = (uint64_t)1 << shift;

	for (uint32_t b = 0; b < nblocks;) {
		unsigned n = (unsigned)OI_MIN((uint32_t)BATCH, nblocks - b);
		if (optimg_image_read(img, (int32_t)b, n, BLOCK, w->in) < 0) {
			*err = img->err;
			return err->code;
		}
		w->job[0].from = 0;
		w->job[0].to = w->job[1].from = n / 2;
		w->job[1].to = n;
		if (!oi_worker_submit(&w->worker, compress_run, &w->job[1]))
			compress_run(&w->job[1]);
		compress_run(&w->job[0]);
		oi_worker_wait(&w->worker);
		for (unsigned i = 0; i < n; i++) {
			uint64_t pos = oi_outfile_size(of);
			if (pos % align != 0) {
				OI_TRY(oi_outfile_write(of, zero,
				    (size_t)(align - pos % align), err));
				pos = oi_outfile_size(of);
			}
			if ((pos >> shift) > 0x7fffffff)
				return oi_set_error(err, OPTIMG_EUNSUPP,
				    "the output grows past what a CSO index "
				    "can address");
			index[b + i] = (uint32_t)(pos >> shift) |
			    (w->len[i] == 0 ? 0x80000000u : 0);
			OI_TRY(oi_outfile_write(of, w->len[i] == 0 ?
			    w->in + (size_t)i * BLOCK :
			    w->out + (size_t)i * (BLOCK + 64),
			    w->len[i] == 0 ? BLOCK : w->len[i], err));
		}
		OI_TRY(oi_progress_add(prog, (uint64_t)n * BLOCK, err));
		b += n;
	}
	uint64_t pos = oi_outfile_size(of);
	if (pos % align != 0)
		OI_TRY(oi_outfile_write(of, zero, (size_t)(align - pos % align),
		    err));
	index[nblocks] = (uint32_t)(oi_outfile_size(of) >> shift);
	return OPTIMG_OK;
}

static int
write_cso(struct optimg_image *img, struct cso_write *w,
    struct oi_outfile *of, uint32_t nblocks,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	uint8_t h[OI_CSO_HEADER];
	uint64_t size = (uint64_t)nblocks * BLOCK, max;
	unsigned shift = 0;
	uint32_t *index = calloc((size_t)nblocks + 1, sizeof(*index));
	uint8_t *raw = malloc(((size_t)nblocks + 1) * 4);
	struct oi_progress prog = { opts->progress, opts->progress_ctx, 0,
	    size };
	int rc;

	if (index == NULL || raw == NULL) {
		free(index);
		free(raw);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	/* Stored blocks can make the file a little larger than the ISO. */
	max = OI_CSO_HEADER + ((uint64_t)nblocks + 1) * 4 + size + size / 64;
	while ((max >> shift) > 0x7fffffff)
		shift++;
	memset(h, 0, sizeof(h));
	memcpy(h, w->zso ? "ZISO" : "CISO", 4);
	oi_le32enc(h + 4, OI_CSO_HEADER);
	oi_le32enc(h + 8, (uint32_t)size);
	oi_le32enc(h + 12, (uint32_t)(size >> 32));
	oi_le32enc(h + 16, BLOCK);
	h[20] = 1;
	h[21] = (uint8_t)shift;
	rc = oi_outfile_write(of, h, sizeof(h), err);
	if (rc == 0)
		rc = oi_outfile_write(of, raw, ((size_t)nblocks + 1) * 4, err);
	if (rc == 0)
		rc = write_blocks(img, w, of, nblocks, shift, index, &prog,
		    err);
	for (uint32_t i = 0; rc == 0 && i <= nblocks; i++)
		oi_le32enc(raw + 4 * (size_t)i, index[i]);
	if (rc == 0)
		rc = oi_outfile_pwrite(of, raw, ((size_t)nblocks + 1) * 4,
		    OI_CSO_HEADER, err);
	free(index);
	free(raw);
	return rc;
}

/* The one data track of 2048-byte sectors a CSO can hold. */
static int
source_track(struct optimg_image *img, uint32_t *nblocks,
    struct optimg_error *err)
{
	const struct optimg_disc *d = &img->disc;

	if (d->ntracks != 1 || d->tracks[0].mode == OPTIMG_TRACK_AUDIO ||
	    optimg_track_first_lba(&d->tracks[0]) != 0)
		return oi_set_error(err, OPTIMG_ELOSSY, "a CSO or ZSO holds one "
		    "data track of 2048-byte sectors; this image has %u "
		    "tracks", d->ntracks);
	*nblocks = (uint32_t)oi_image_end_lba(img);
	return OPTIMG_OK;
}

static int
write_cso_file(struct optimg_image *img, const char *out, bool zso,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct cso_write w = { .zso = zso };
	struct oi_outfile of = { .fd = -1 };
	uint32_t nblocks = 0;
	int rc;

	rc = oi_check_not_input(img, out, err);
	if (rc == 0)
		rc = source_track(img, &nblocks, err);
	w.in = malloc((size_t)BATCH * BLOCK);
	w.out = malloc((size_t)BATCH * (BLOCK + 64));
	for (int j = 0; j < 2; j++) {
		w.job[j].w = &w;
		if (deflateInit2(&w.job[j].z, 9, Z_DEFLATED, -MAX_WBITS, 8,
		    Z_DEFAULT_STRATEGY) == Z_OK)
			w.job[j].z_ok = true;
	}
	if (rc == 0 && (w.in == NULL || w.out == NULL || !w.job[0].z_ok ||
	    !w.job[1].z_ok))
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (rc == 0)
		rc = oi_outfile_open(&of, out, opts->force, err);
	if (rc == 0) {
		rc = write_cso(img, &w, &of, nblocks, opts, err);
		if (rc == 0)
			rc = oi_outfile_finish(&of, err);
		if (rc == 0)
			rc = oi_outfile_commit(&of, err);
		oi_outfile_abort(&of);
	}
	oi_worker_stop(&w.worker);
	for (int j = 0; j < 2; j++)
		if (w.job[j].z_ok)
			deflateEnd(&w.job[j].z);
	free(w.in);
	free(w.out);
	return rc;
}

static int
write_cso_v1(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	return write_cso_file(img, out, false, opts, err);
}

static int
write_zso(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	return write_cso_file(img, out, true, opts, err);
}

static const char *const cso_extensions[] = { ".cso", NULL };
static const char *const zso_extensions[] = { ".zso", NULL };

/* Like an ISO: one data track's 2048-byte sectors. */
const struct oi_writer oi_writer_cso = {
	.name = "cso",
	.description = "a CSO (deflate)",
	.extensions = cso_extensions,
	.holds = 0,
	.write = write_cso_v1,
};

const struct oi_writer oi_writer_zso = {
	.name = "zso",
	.description = "a ZSO (LZ4)",
	.extensions = zso_extensions,
	.holds = 0,
	.write = write_zso,
};
