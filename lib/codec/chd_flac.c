/*
 * chd_flac.c - the libFLAC adapter for CHD's flac and cdfl codecs, the only
 * file that sees libFLAC's types.
 *
 * CHD keeps bare FLAC frames of 16-bit stereo 44.1 kHz audio, without the
 * "fLaC" marker and STREAMINFO block a FLAC file starts with (MAME's
 * encoder drops what it writes before the first frame).  To decode, we put
 * a STREAMINFO in front naming the block size; after the frames, cdfl
 * keeps deflated subcode, so the decoder must say how many bytes the
 * frames took (FLAC__stream_decoder_get_decode_position).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <FLAC/stream_decoder.h>
#include <FLAC/stream_encoder.h>

#include "chd.h"

#define STREAMINFO_BYTES 42

struct chd_flac {
	FLAC__StreamDecoder	*dec;
	FLAC__StreamEncoder	*enc;
	/* decoding */
	uint8_t			 head[STREAMINFO_BYTES];
	const uint8_t		*src;
	size_t			 srclen;
	size_t			 pos;		/* in head + src */
	uint8_t			*out;
	size_t			 want, got;	/* samples */
	bool			 be, bad;
	/* encoding */
	FLAC__int32		*pcm;
	size_t			 pcm_cap;	/* samples */
	uint8_t			*dst;
	size_t			 cap, len;
	bool			 full;
};

int
chd_flac_new(struct chd_flac **out)
{
	struct chd_flac *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	f->dec = FLAC__stream_decoder_new();
	f->enc = FLAC__stream_encoder_new();
	if (f->dec == NULL || f->enc == NULL) {
		chd_flac_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

void
chd_flac_free(struct chd_flac *f)
{
	if (f == NULL)
		return;
	if (f->dec != NULL)
		FLAC__stream_decoder_delete(f->dec);
	if (f->enc != NULL)
		FLAC__stream_encoder_delete(f->enc);
	free(f->pcm);
	free(f);
}

/* STREAMINFO: block size, 44100 Hz, 2 channels, 16 bits, no MD5. */
static void
make_head(uint8_t *h, unsigned blocksize)
{
	memset(h, 0, STREAMINFO_BYTES);
	memcpy(h, "fLaC", 4);
	h[4] = 0x80;			/* last metadata block, STREAMINFO */
	h[7] = 0x22;			/* 34 bytes */
	h[8] = h[10] = (uint8_t)(blocksize >> 8);
	h[9] = h[11] = (uint8_t)blocksize;
	h[18] = 0x0a;			/* 44100 << 4 | (2-1) << 1 | (16-1) */
	h[19] = 0xc4;
	h[20] = 0x42;
	h[21] = 0xf0;
}

static FLAC__StreamDecoderReadStatus
dec_read(const FLAC__StreamDecoder *d, FLAC__byte *buf, size_t *n, void *ctx)
{
	struct chd_flac *f = ctx;
	size_t total = STREAMINFO_BYTES + f->srclen, k = 0;

	(void)d;
	while (k < *n && f->pos < total) {
		buf[k++] = f->pos < STREAMINFO_BYTES ? f->head[f->pos] :
		    f->src[f->pos - STREAMINFO_BYTES];
		f->pos++;
	}
	*n = k;
	return k == 0 ? FLAC__STREAM_DECODER_READ_STATUS_END_OF_STREAM :
	    FLAC__STREAM_DECODER_READ_STATUS_CONTINUE;
}

static FLAC__StreamDecoderTellStatus
dec_tell(const FLAC__StreamDecoder *d, FLAC__uint64 *off, void *ctx)
{
	(void)d;
	*off = ((struct chd_flac *)ctx)->pos;
	return FLAC__STREAM_DECODER_TELL_STATUS_OK;
}

static FLAC__StreamDecoderWriteStatus
dec_write(const FLAC__StreamDecoder *d, const FLAC__Frame *fr,
    const FLAC__int32 *const ch[], void *ctx)
{
	struct chd_flac *f = ctx;
	unsigned n = fr->header.blocksize;

	(void)d;
	if (fr->header.channels != 2 || fr->header.bits_per_sample != 16 ||
	    n > f->want - f->got) {
		f->bad = true;
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	for (unsigned i = 0; i < n; i++) {
		uint8_t *o = f->out + (f->got + i) * 4;
		for (int c = 0; c < 2; c++) {
			uint16_t v = (uint16_t)ch[c][i];
			o[2 * c + (f->be ? 0 : 1)] = (uint8_t)(v >> 8);
			o[2 * c + (f->be ? 1 : 0)] = (uint8_t)v;
		}
	}
	f->got += n;
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void
dec_error(const FLAC__StreamDecoder *d, FLAC__StreamDecoderErrorStatus s,
    void *ctx)
{
	(void)d;
	(void)s;
	((struct chd_flac *)ctx)->bad = true;
}

int
chd_flac_decode(struct chd_flac *f, unsigned blocksize, const uint8_t *src,
    size_t srclen, uint8_t *out, size_t nsamples, bool be, size_t *used)
{
	FLAC__uint64 pos = 0;
	int rc = -1;

	make_head(f->head, blocksize);
	f->src = src;
	f->srclen = srclen;
	f->pos = 0;
	f->out = out;
	f->want = nsamples;
	f->got = 0;
	f->be = be;
	f->bad = false;
	if (FLAC__stream_decoder_init_stream(f->dec, dec_read, NULL, dec_tell,
	    NULL, NULL, dec_write, NULL, dec_error, f) !=
	    FLAC__STREAM_DECODER_INIT_STATUS_OK)
		return -1;
	while (f->got < f->want && !f->bad) {
		if (!FLAC__stream_decoder_process_single(f->dec))
			break;
		FLAC__StreamDecoderState s =
		    FLAC__stream_decoder_get_state(f->dec);
		if (s == FLAC__STREAM_DECODER_END_OF_STREAM ||
		    s == FLAC__STREAM_DECODER_ABORTED)
			break;
	}
	if (f->got == f->want && !f->bad &&
	    FLAC__stream_decoder_get_decode_position(f->dec, &pos) &&
	    pos >= STREAMINFO_BYTES && pos - STREAMINFO_BYTES <= srclen) {
		*used = (size_t)(pos - STREAMINFO_BYTES);
		rc = 0;
	}
	FLAC__stream_decoder_finish(f->dec);
	return rc;
}

static FLAC__StreamEncoderWriteStatus
enc_write(const FLAC__StreamEncoder *e, const FLAC__byte *buf, size_t n,
    uint32_t samples, uint32_t frame, void *ctx)
{
	struct chd_flac *f = ctx;

	(void)e;
	(void)frame;
	if (samples == 0)	/* "fLaC" and metadata: CHD keeps frames only */
		return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
	if (n > f->cap - f->len) {
		f->full = true;
		return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
	}
	memcpy(f->dst + f->len, buf, n);
	f->len += n;
	return FLAC__STREAM_ENCODER_WRITE_STATUS_OK;
}

long
chd_flac_encode(struct chd_flac *f, unsigned blocksize, const uint8_t *in,
    size_t nsamples, bool be, uint8_t *dst, size_t cap)
{
	FLAC__StreamEncoder *e = f->enc;
	FLAC__int32 *pcm;
	bool ok;

	if (nsamples * 2 > f->pcm_cap) {
		free(f->pcm);
		f->pcm_cap = 0;
		if ((f->pcm = malloc(nsamples * 2 * sizeof(*f->pcm))) == NULL)
			return -1;
		f->pcm_cap = nsamples * 2;
	}
	pcm = f->pcm;
	for (size_t i = 0; i < nsamples * 2; i++) {
		const uint8_t *p = in + 2 * i;
		pcm[i] = (int16_t)(be ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]));
	}
	f->dst = dst;
	f->cap = cap;
	f->len = 0;
	f->full = false;
	FLAC__stream_encoder_set_verify(e, false);
	FLAC__stream_encoder_set_compression_level(e, 8);
	/*
	 * chdman's settings plus a search of the coefficients' precision:
	 * FLAC takes twice as long, still a tenth of what LZMA takes on the
	 * same hunk, and its output is 0.1% smaller, which pays many times
	 * over for the deflate tries chd_write.c skips.
	 */
	FLAC__stream_encoder_set_do_qlp_coeff_prec_search(e, true);
	FLAC__stream_encoder_set_channels(e, 2);
	FLAC__stream_encoder_set_bits_per_sample(e, 16);
	FLAC__stream_encoder_set_sample_rate(e, 44100);
	FLAC__stream_encoder_set_total_samples_estimate(e, 0);
	FLAC__stream_encoder_set_streamable_subset(e, false);
	FLAC__stream_encoder_set_blocksize(e, blocksize);
	ok = FLAC__stream_encoder_init_stream(e, enc_write, NULL, NULL, NULL,
	    f) == FLAC__STREAM_ENCODER_INIT_STATUS_OK;
	if (ok)
		ok = FLAC__stream_encoder_process_interleaved(e, pcm,
		    (uint32_t)nsamples);
	ok = FLAC__stream_encoder_finish(e) && ok;
	return ok && !f->full ? (long)f->len : -1;
}
