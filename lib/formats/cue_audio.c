/*
 * cue_audio.c - the audio FILE types of a cue sheet that are not sector
 * data as they lie: FLAC (decoded through libFLAC) and AIFF (its SSND
 * chunk is big-endian PCM, read in place like a MOTOROLA file).
 *
 * A FLAC file is decoded once, when the sheet is opened, into an
 * anonymous memory file (memfd) that then serves as the FILE's stream:
 * every reader, the kernel copy routes included, sees plain CD audio.
 * Only CD audio is taken: 44100 Hz, 2 channels, 16 bits; anything else
 * is refused by name, as resampling would change the bytes.  The length
 * is the FLAC's own sample count (STREAMINFO), checked against what the
 * decoder gave.
 *
 * An MP3 FILE is decoded the same way through libmpg123 (to 44100 Hz
 * stereo 16-bit only), so info, ls and verify can read the sheet; the
 * image is marked lossy, and convert and burn refuse it by name: a disc
 * made from it would pass decoded MP3 for the original audio.
 *
 * AIFF (Apple, "Audio IFF", EA IFF 85 chunks, big-endian): FORM AIFF,
 * then COMM (channels, frames, sample size, an 80-bit extended rate) and
 * SSND (offset, block size, then the samples).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <FLAC/stream_decoder.h>
#include <mpg123.h>

#include "oi_private.h"

#define CD_RATE		44100
#define AIFF_MAX_CHUNKS	4096

struct flac_out {
	int			 fd;
	const char		*path;
	uint8_t			 buf[1 << 16];
	size_t			 used;
	uint64_t		 samples;	/* stereo frames written */
	char			 why[200];	/* refusal or I/O failure */
};

static bool
flush_out(struct flac_out *o)
{
	size_t off = 0;

	while (off < o->used) {
		ssize_t n = write(o->fd, o->buf + off, o->used - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(o->why, sizeof(o->why), "cannot keep the "
			    "decoded audio: %s", strerror(errno));
			return false;
		}
		off += (size_t)n;
	}
	o->used = 0;
	return true;
}

static FLAC__StreamDecoderWriteStatus
on_write(const FLAC__StreamDecoder *dec, const FLAC__Frame *frame,
    const FLAC__int32 *const buffer[], void *ctx)
{
	struct flac_out *o = ctx;
	const FLAC__FrameHeader *h = &frame->header;

	(void)dec;
	if (h->sample_rate != CD_RATE || h->channels != 2 ||
	    h->bits_per_sample != 16) {
		snprintf(o->why, sizeof(o->why), "%u Hz, %u channels, %u "
		    "bits: CD audio is 44100 Hz, 2 channels, 16 bits",
		    h->sample_rate, h->channels, h->bits_per_sample);
		return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
	}
	for (unsigned i = 0; i < h->blocksize; i++) {
		if (o->used + 4 > sizeof(o->buf) && !flush_out(o))
			return FLAC__STREAM_DECODER_WRITE_STATUS_ABORT;
		for (unsigned c = 0; c < 2; c++) {
			uint16_t v = (uint16_t)buffer[c][i];

			o->buf[o->used++] = (uint8_t)v;
			o->buf[o->used++] = (uint8_t)(v >> 8);
		}
	}
	o->samples += h->blocksize;
	return FLAC__STREAM_DECODER_WRITE_STATUS_CONTINUE;
}

static void
on_error(const FLAC__StreamDecoder *dec, FLAC__StreamDecoderErrorStatus st,
    void *ctx)
{
	struct flac_out *o = ctx;

	(void)dec;
	if (o->why[0] == '\0')
		snprintf(o->why, sizeof(o->why), "%s",
		    FLAC__StreamDecoderErrorStatusString[st]);
}

/* Decodes path into o->fd; 0, or -1 with o->why said. */
static int
decode(struct flac_out *o)
{
	FLAC__StreamDecoder *dec = FLAC__stream_decoder_new();
	FLAC__uint64 total;
	bool ok;

	if (dec == NULL) {
		snprintf(o->why, sizeof(o->why), "out of memory");
		return -1;
	}
	ok = FLAC__stream_decoder_init_file(dec, o->path, on_write, NULL,
	    on_error, o) == FLAC__STREAM_DECODER_INIT_STATUS_OK &&
	    FLAC__stream_decoder_process_until_end_of_stream(dec) &&
	    o->why[0] == '\0' && flush_out(o);
	total = FLAC__stream_decoder_get_total_samples(dec);
	if (ok && total != 0 && total != o->samples) {
		snprintf(o->why, sizeof(o->why), "STREAMINFO says %llu "
		    "samples, the frames hold %llu", (unsigned long long)total,
		    (unsigned long long)o->samples);
		ok = false;
	}
	if (!ok && o->why[0] == '\0')
		snprintf(o->why, sizeof(o->why), "not a FLAC file (%s)",
		    FLAC__StreamDecoderStateString[
		    FLAC__stream_decoder_get_state(dec)]);
	FLAC__stream_decoder_delete(dec);
	return ok ? 0 : -1;
}

/* Makes o's memfd the next stream of img, named path; consumes o->fd. */
static int
add_decoded(struct optimg_image *img, struct flac_out *o, unsigned *index)
{
	struct oi_stream st;
	int fd = o->fd;

	/* Named after the file: messages and the placement rule. */
	o->fd = -1;
	OI_TRY(oi_stream_adopt_fd(&st, fd, o->path, o->samples * 4,
	    &img->err));
	return oi_image_adopt_stream(img, &st, index);
}

typedef int (*decode_fn)(struct flac_out *);

static int
decoded_stream(struct optimg_image *img, const char *path, const char *where,
    unsigned *index, decode_fn fn)
{
	struct flac_out *o = calloc(1, sizeof(*o));
	int rc = OPTIMG_OK;

	if (o == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	o->path = path;
	o->fd = memfd_create("optimg-audio", MFD_CLOEXEC);
	if (o->fd < 0)
		rc = oi_set_errno(&img->err, OPTIMG_EIO, "%s: cannot decode "
		    "'%s'", where, path);
	else if (fn(o) < 0)
		rc = oi_set_error(&img->err, OPTIMG_EFORMAT, "%s: '%s': %s",
		    where, path, o->why);
	else
		rc = add_decoded(img, o, index);
	if (o->fd >= 0)
		close(o->fd);
	free(o);
	return rc;
}

int
oi_cue_flac_stream(struct optimg_image *img, const char *path,
    const char *where, unsigned *index)
{
	return decoded_stream(img, path, where, index, decode);
}

/* ---- MP3 ----------------------------------------------------------------- */

static int
mp3_fail(struct flac_out *o, mpg123_handle *mh, const char *what)
{
	snprintf(o->why, sizeof(o->why), "%s%s%s", what, mh ? ": " : "",
	    mh ? mpg123_strerror(mh) : "");
	return -1;
}

static int
decode_mp3(struct flac_out *o)
{
	mpg123_handle *mh = mpg123_new(NULL, NULL);
	long rate;
	int ch, enc, rc = 0;
	size_t got;

	if (mh == NULL)
		return mp3_fail(o, NULL, "cannot start libmpg123");
	mpg123_param(mh, MPG123_ADD_FLAGS, MPG123_QUIET, 0);
	if (mpg123_format_none(mh) != MPG123_OK ||
	    mpg123_format(mh, 44100, MPG123_STEREO, MPG123_ENC_SIGNED_16) !=
	    MPG123_OK || mpg123_open(mh, o->path) != MPG123_OK ||
	    mpg123_getformat(mh, &rate, &ch, &enc) != MPG123_OK)
		rc = mp3_fail(o, mh, "not an MP3 of CD audio (44100 Hz "
		    "stereo)");
	while (rc == 0) {
		int e = mpg123_read(mh, o->buf + o->used,
		    sizeof(o->buf) - o->used, &got);

		o->used += got;
		o->samples += got / 4;
		if (e == MPG123_DONE)
			break;
		if (e != MPG123_OK && e != MPG123_NEW_FORMAT)
			rc = mp3_fail(o, mh, "cannot decode");
		else if (o->used + 4 > sizeof(o->buf) && !flush_out(o))
			rc = -1;
	}
	if (rc == 0 && !flush_out(o))
		rc = -1;
	mpg123_close(mh);
	mpg123_delete(mh);
	return rc;
}

int
oi_cue_mp3_stream(struct optimg_image *img, const char *path,
    const char *where, unsigned *index)
{
	OI_TRY(decoded_stream(img, path, where, index, decode_mp3));
	if (img->lossy == NULL &&
	    asprintf(&img->lossy, "%s: '%s' is MP3, a lossy source; decode "
	    "it to WAVE or FLAC knowing that it stays lossy", where,
	    path) < 0)
		img->lossy = NULL;
	return OPTIMG_OK;
}

/* ---- AIFF ---------------------------------------------------------------- */

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* 44100 as an 80-bit IEEE extended: exponent 0x400E, mantissa AC44 << 48. */
static bool
is_cd_rate(const uint8_t r[10])
{
	static const uint8_t cd[10] = { 0x40, 0x0e, 0xac, 0x44 };

	return memcmp(r, cd, 10) == 0;
}

int
oi_cue_aiff_range(struct oi_stream *st, const char *where, uint64_t *start,
    uint64_t *size, struct optimg_error *err)
{
	uint8_t h[26];
	uint64_t off = 12;
	bool comm = false;

	if (st->size < 12 || oi_stream_pread(st, h, 12, 0, err) < 0 ||
	    memcmp(h, "FORM", 4) != 0 || memcmp(h + 8, "AIFF", 4) != 0)
		return oi_set_error(err, OPTIMG_EFORMAT, "%s: '%s' is not an "
		    "AIFF file", where, st->path);
	for (unsigned n = 0; n < AIFF_MAX_CHUNKS && off + 8 <= st->size; n++) {
		uint32_t len;

		OI_TRY(oi_stream_pread(st, h, 8, off, err));
		len = be32(h + 4);
		if (memcmp(h, "COMM", 4) == 0 && len >= 18) {
			OI_TRY(oi_stream_pread(st, h + 8, 18, off + 8, err));
			if (h[8] != 0 || h[9] != 2 || h[14] != 0 ||
			    h[15] != 16 || !is_cd_rate(h + 16))
				return oi_set_error(err, OPTIMG_EFORMAT, "%s: "
				    "'%s' is not CD audio (44100 Hz, 2 "
				    "channels, 16 bits)", where, st->path);
			comm = true;
		} else if (memcmp(h, "SSND", 4) == 0 && comm && len >= 8) {
			OI_TRY(oi_stream_pread(st, h + 8, 8, off + 8, err));
			if (be32(h + 8) > len - 8 ||
			    off + 16 + (uint64_t)len - 8 > st->size)
				break;
			*start = off + 16 + be32(h + 8);
			*size = len - 8 - be32(h + 8);
			return OPTIMG_OK;
		}
		off += 8 + (uint64_t)len + (len & 1);
	}
	return oi_set_error(err, OPTIMG_EFORMAT, "%s: '%s' has no COMM chunk "
	    "followed by an SSND chunk", where, st->path);
}
