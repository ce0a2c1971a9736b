/*
 * image_read.c - the sector source: any LBA range of any image, as cooked
 * user data or raw sectors.
 *
 * A read finds the fragments covering the range.  When the file already
 * holds sectors of the size asked for, bytes go straight from pread() into
 * the caller's buffer.  Otherwise each sector passes through a raw 2352 (or
 * 2448) form: bytes the file lacks (sync, header, EDC, ECC) are made by the
 * sector codec, so an ISO and a raw bin look alike to every consumer.
 *
 * Subchannel comes with 2448-byte reads: from the sector itself (CDG), or
 * from a stream beside the main one (CloneCD .sub), turned into the raw
 * interleaved form a drive returns.  Sectors between sessions (lead-out,
 * lead-in) are in no image: reading them fails and says so.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "oi_private.h"

/* Sectors converted per pass through the scratch buffer. */
#define CHUNK_SECTORS 1024

static const uint8_t zero_subheader[4] = { 0, 0, 0x08, 0 };

static const struct oi_fragment *
find_fragment(struct optimg_image *img, int32_t lba)
{
	const struct oi_fragment *f;
	unsigned lo = 0, hi = img->nfrags;

	if (img->last_frag < img->nfrags) {
		f = &img->frags[img->last_frag];
		if (lba >= f->lba && lba - f->lba < (int64_t)f->count)
			return f;
	}
	/* Fragments are laid out in LBA order by every format. */
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		f = &img->frags[mid];
		if (lba < f->lba)
			hi = mid;
		else if (lba - f->lba >= (int64_t)f->count)
			lo = mid + 1;
		else {
			img->last_frag = mid;
			return f;
		}
	}
	return NULL;
}

static unsigned
track_of(const struct optimg_image *img, int32_t lba)
{
	const struct optimg_disc *d = &img->disc;
	unsigned n = 0;

	for (unsigned i = 0; i < d->ntracks; i++)
		if (optimg_track_first_lba(&d->tracks[i]) <= lba)
			n = d->tracks[i].number;
	return n;
}

static int
lossy(struct optimg_image *img, int32_t lba, const char *what)
{
	return oi_set_error(&img->err, OPTIMG_ELOSSY,
	    "sector %ld (track %u) is %s: it has no 2048-byte user data",
	    (long)lba, track_of(img, lba), what);
}

/* Makes the raw form of one sector of fragment f. */
static void
to_raw(const struct oi_fragment *f, int32_t lba, const uint8_t *src,
    uint8_t *raw)
{
	switch (f->sector_size) {
	case 2048:
		optimg_sector_from_user(raw, src, lba,
		    f->mode == OPTIMG_TRACK_MODE1 ? OPTIMG_SECTOR_MODE1 :
		    OPTIMG_SECTOR_MODE2_FORM1, zero_subheader);
		break;
	case 2336:
		memcpy(raw + 16, src, 2336);
		optimg_sector_encode(raw, lba, OPTIMG_SECTOR_MODE2);
		break;
	case 2324:	/* Form 2 user data (a cdrdao MODE2_FORM2 track) */
		memset(raw + 16, 0, 8);
		raw[18] = raw[22] = 0x20;
		memcpy(raw + 24, src, 2324);
		optimg_sector_encode(raw, lba, OPTIMG_SECTOR_MODE2_FORM2);
		break;
	default:	/* 2352 and 2448 */
		memcpy(raw, src, 2352);
		if (f->swap16)
			for (unsigned i = 0; i < 2352; i += 2) {
				uint8_t t = raw[i];
				raw[i] = raw[i + 1];
				raw[i + 1] = t;
			}
		break;
	}
	if (f->sector_size == 2448)
		memcpy(raw + 2352, src + 2352, 96);
	else
		memset(raw + 2352, 0, 96);
}

/* Raw sector of an unstored gap: silence, or empty sectors of the mode. */
static void
gap_raw(const struct oi_fragment *f, int32_t lba, uint8_t *raw)
{
	memset(raw, 0, OPTIMG_RAW_SUB_SECTOR);
	switch (f->mode) {
	case OPTIMG_TRACK_AUDIO:
		break;
	case OPTIMG_TRACK_MODE1:
		optimg_sector_encode(raw, lba, OPTIMG_SECTOR_MODE1);
		break;
	default:
		optimg_sector_encode(raw, lba, OPTIMG_SECTOR_MODE2);
		break;
	}
}

/* User data (2048) of a raw sector, or an ELOSSY error. */
static int
raw_to_user(struct optimg_image *img, const struct oi_fragment *f,
    int32_t lba, const uint8_t *raw, uint8_t *dst)
{
	if (f->mode == OPTIMG_TRACK_AUDIO)
		return lossy(img, lba, "audio");
	switch (raw[15]) {
	case 0:
		memset(dst, 0, 2048);
		return OPTIMG_OK;
	case 1:
		memcpy(dst, raw + 16, 2048);
		return OPTIMG_OK;
	case 2:
		if (f->fill == OI_FILL_ZERO) {
			memset(dst, 0, 2048);
			return OPTIMG_OK;
		}
		if (raw[18] & 0x20)
			return lossy(img, lba, "Mode 2 Form 2");
		memcpy(dst, raw + 24, 2048);
		return OPTIMG_OK;
	}
	return oi_set_error(&img->err, OPTIMG_EFORMAT,
	    "sector %ld (track %u) has an invalid mode byte 0x%02x",
	    (long)lba, track_of(img, lba), raw[15]);
}

static int
from_raw(struct optimg_image *img, const struct oi_fragment *f, int32_t lba,
    const uint8_t *raw, unsigned size, uint8_t *dst)
{
	switch (size) {
	case 2048:
		return raw_to_user(img, f, lba, raw, dst);
	case 2336:
		memcpy(dst, raw + 16, 2336);
		return OPTIMG_OK;
	case 2352:
		memcpy(dst, raw, 2352);
		return OPTIMG_OK;
	default:
		memcpy(dst, raw, 2448);
		return OPTIMG_OK;
	}
}

static int
ensure_scratch(struct optimg_image *img, size_t size)
{
	uint8_t *p;

	if (img->scratch_size >= size)
		return OPTIMG_OK;
	p = oi_io_alloc(size);	/* nothing in the old one to keep */
	if (p == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	free(img->scratch);
	img->scratch = p;
	img->scratch_size = size;
	return OPTIMG_OK;
}

static int
read_file_direct(struct optimg_image *img, const struct oi_fragment *f,
    int32_t lba, uint32_t n, uint8_t *dst)
{
	uint64_t off = f->offset + (uint64_t)(lba - f->lba) * f->sector_size;

	/* A drive's fragments deliver f->sector_size bytes a sector, as a
	 * file would; everything above cannot tell them apart. */
	if (f->fill == OI_FILL_CALLBACK)
		return img->reader.read(img->reader.ctx, lba, n,
		    f->sector_size, dst, &img->err);
	return oi_stream_pread(&img->streams[f->stream], dst,
	    (size_t)n * f->sector_size, off, &img->err);
}

/*
 * Sectors a thread reads at a time when it reads its own share of a plain
 * file: 256 KiB, and the 294 KiB of raw sectors made of it, stay in a
 * 1 MiB L2 cache between the read and the encoding, in a quarter of the
 * preadv(2) calls 64 KiB took (713 MB ISO -> BIN/CUE, 11 runs each:
 * medians 187 ms at 128 sectors, 195 ms at 32, 207 ms at 256).
 */
#define ENCODE_PIECE 128

struct encode_job {
	uint8_t		*dst;
	const uint8_t	*src;		/* NULL: read from stream at off */
	struct oi_stream *stream;
	uint64_t	 off;
	uint8_t		*piece;		/* ENCODE_PIECE sectors, for the reads */
	int32_t		 lba;
	uint32_t	 n;
	enum optimg_sector_mode mode;
	int		 rc;
	struct optimg_error err;
};

/*
 * Reads k sectors of user data from a plain file straight into their
 * places in the raw sectors at dst (one preadv), so that no copy in
 * user space follows: 0, or -1 when the read fell short or failed (the
 * caller then reads the ordinary way, which says why).
 */
static int
read_in_place(int fd, uint8_t *dst, size_t at, uint32_t k, uint64_t off)
{
	struct iovec iov[ENCODE_PIECE];
	ssize_t n;

	for (uint32_t i = 0; i < k; i++) {
		iov[i].iov_base = dst + (size_t)i * 2352 + at;
		iov[i].iov_len = 2048;
	}
	do
		n = preadv(fd, iov, (int)k, (off_t)off);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)k * 2048 ? 0 : -1;
}

static void
encode_run(void *arg)
{
	struct encode_job *j = arg;
	const uint8_t *src = j->src;
	size_t at = j->mode == OPTIMG_SECTOR_MODE1 ? 16 : 24, stride = 2048;
	int fd = j->src == NULL ? oi_stream_plain_fd(j->stream) : -1;

	for (uint32_t i = 0; i < j->n; i++) {
		if (j->src == NULL && i % ENCODE_PIECE == 0) {
			uint32_t k = OI_MIN(j->n - i, ENCODE_PIECE);
			uint64_t off = j->off + (uint64_t)i * 2048;

			if (fd >= 0 && read_in_place(fd, j->dst +
			    (size_t)i * 2352, at, k, off) == 0) {
				src = j->dst + at;
				stride = 2352;
			} else {
				j->rc = oi_stream_pread(j->stream, j->piece,
				    (size_t)k * 2048, off, &j->err);
				if (j->rc < 0)
					return;
				src = j->piece - (size_t)i * 2048;
				stride = 2048;
			}
		}
		optimg_sector_from_user(j->dst + (size_t)i * 2352,
		    src + (size_t)i * stride, j->lba + (int32_t)i, j->mode,
		    zero_subheader);
	}
}

/*
 * Cooked to raw is the one conversion bound by computation (EDC and ECC
 * for every sector), so a large batch is shared with a second thread
 * where a core is free for it.  Where it is not (two cores, one writing
 * the output), a second encoder only takes time from the writer, which
 * is the slower side: ISO -> BIN/CUE of 713 MB, 9 runs round-robin with
 * dd, medians 243 ms with it and 211 ms without (dd 156 ms).
 * From a plain file each thread reads its own half in small pieces, in
 * parallel, rather than this one reading it all into memory first: the
 * copy out of the page cache then costs a third of what it did (ISO ->
 * BIN/CUE of 713 MB, measured with perf).
 */
static int
encode_user_sectors(struct optimg_image *img, const struct oi_fragment *f,
    int32_t lba, uint32_t n, const uint8_t *src, uint8_t *dst)
{
	struct encode_job a = { .dst = dst, .src = src, .lba = lba, .n = n,
	    .mode = f->mode == OPTIMG_TRACK_MODE1 ? OPTIMG_SECTOR_MODE1 :
	    OPTIMG_SECTOR_MODE2_FORM1 };
	struct encode_job b;

	if (src == NULL) {
		a.stream = &img->streams[f->stream];
		a.off = f->offset + (uint64_t)(lba - f->lba) * 2048;
		a.piece = img->scratch;
	}
	b = a;
	if (n >= 64 && oi_cpu_count() >= 2 + img->cores_taken) {
		a.n = n / 2;
		b.n = n - a.n;
		b.lba += (int32_t)a.n;
		b.off += (uint64_t)a.n * 2048;
		b.piece = img->scratch + ENCODE_PIECE * 2048;
		if (src != NULL)
			b.src += (size_t)a.n * 2048;
		b.dst += (size_t)a.n * 2352;
		if (oi_worker_submit(&img->encoder, encode_run, &b)) {
			encode_run(&a);
			oi_worker_wait(&img->encoder);
			if (a.rc < 0 || b.rc < 0) {
				img->err = a.rc < 0 ? a.err : b.err;
				return img->err.code;
			}
			return OPTIMG_OK;
		}
		a.n = n;
	}
	encode_run(&a);
	if (a.rc < 0)
		img->err = a.err;
	return a.rc;
}

/* Converts n sectors (n <= CHUNK_SECTORS) of fragment f into dst. */
static int
read_converted(struct optimg_image *img, const struct oi_fragment *f,
    int32_t lba, uint32_t n, unsigned size, uint8_t *dst)
{
	uint8_t raw[OPTIMG_RAW_SUB_SECTOR];
	const uint8_t *src = NULL;

	if (f->fill != OI_FILL_ZERO) {
		OI_TRY(ensure_scratch(img, (size_t)CHUNK_SECTORS * 2448));
		if (f->sector_size == 2048 && size == 2352 &&
		    f->fill == OI_FILL_FILE &&
		    oi_stream_plain_fd(&img->streams[f->stream]) >= 0)
			return encode_user_sectors(img, f, lba, n, NULL, dst);
		OI_TRY(read_file_direct(img, f, lba, n, img->scratch));
		src = img->scratch;
		if (f->sector_size == 2048 && size == 2352)
			return encode_user_sectors(img, f, lba, n, src, dst);
	}
	for (uint32_t i = 0; i < n; i++, lba++, dst += size) {
		if (src == NULL)
			gap_raw(f, lba, raw);
		else if (size == 2048 && f->sector_size == 2352 &&
		    f->mode != OPTIMG_TRACK_AUDIO) {
			/* Common case: cook a raw bin without a copy. */
			OI_TRY(raw_to_user(img, f, lba,
			    src + (size_t)i * 2352, dst));
			continue;
		} else
			to_raw(f, lba, src + (size_t)i * f->sector_size, raw);
		OI_TRY(from_raw(img, f, lba, raw, size, dst));
	}
	return OPTIMG_OK;
}

/* Subchannel kept beside the main data: 96 bytes a sector, made raw. */
static int
read_sub_stream(struct optimg_image *img, const struct oi_fragment *f,
    int32_t lba, uint32_t n, uint8_t *dst)
{
	uint8_t sub[CHUNK_SECTORS * OPTIMG_SUBCHANNEL / 8];
	uint64_t off = f->sub_offset + (uint64_t)(lba - f->lba) *
	    OPTIMG_SUBCHANNEL;

	while (n > 0) {
		uint32_t k = OI_MIN(n, (uint32_t)(sizeof(sub) /
		    OPTIMG_SUBCHANNEL));
		OI_TRY(oi_stream_pread(&img->streams[f->sub_stream], sub,
		    (size_t)k * OPTIMG_SUBCHANNEL, off, &img->err));
		for (uint32_t i = 0; i < k; i++) {
			uint8_t *d = dst + (size_t)i * OPTIMG_RAW_SUB_SECTOR +
			    OPTIMG_RAW_SECTOR;
			if (f->sub_linear)
				oi_sub_interleave(sub + (size_t)i *
				    OPTIMG_SUBCHANNEL, d);
			else
				memcpy(d, sub + (size_t)i * OPTIMG_SUBCHANNEL,
				    OPTIMG_SUBCHANNEL);
		}
		off += (uint64_t)k * OPTIMG_SUBCHANNEL;
		dst += (size_t)k * OPTIMG_RAW_SUB_SECTOR;
		n -= k;
	}
	return OPTIMG_OK;
}

/* An inline subchannel kept linear (12 bytes a channel) is made raw. */
static void
interleave_inline(uint32_t n, uint8_t *dst)
{
	uint8_t lin[OPTIMG_SUBCHANNEL];

	for (uint32_t i = 0; i < n; i++) {
		uint8_t *d = dst + (size_t)i * OPTIMG_RAW_SUB_SECTOR +
		    OPTIMG_RAW_SECTOR;
		memcpy(lin, d, sizeof(lin));
		oi_sub_interleave(lin, d);
	}
}

static int
between_sessions(struct optimg_image *img, const struct oi_fragment *f,
    int32_t lba)
{
	const struct optimg_disc *d = &img->disc;
	unsigned s = 0;

	for (unsigned i = 0; i < d->nsessions; i++)
		if (d->sessions[i].leadout <= lba)
			s = d->sessions[i].number;
	return oi_set_error(&img->err, OPTIMG_ERANGE,
	    "sector %ld lies in the %s between sessions %u and %u, which no "
	    "image stores", (long)lba, f->fill == OI_FILL_LEADOUT ?
	    "lead-out" : "lead-in", s, s + 1);
}

static int
read_from_fragment(struct optimg_image *img, const struct oi_fragment *f,
    int32_t lba, uint32_t n, unsigned size, uint8_t *dst)
{
	if (f->fill == OI_FILL_LEADOUT || f->fill == OI_FILL_LEADIN)
		return between_sessions(img, f, lba);
	/* A drive returns user data itself, corrected by its own ECC, and
	 * some drives have no raw reads to cook it from. */
	if (f->fill == OI_FILL_CALLBACK && img->reader.cooked &&
	    size == 2048 && f->mode != OPTIMG_TRACK_AUDIO)
		return img->reader.read(img->reader.ctx, lba, n, size, dst,
		    &img->err);
	if (f->fill != OI_FILL_ZERO && f->sector_size == size && !f->swap16) {
		OI_TRY(read_file_direct(img, f, lba, n, dst));
		if (size == OPTIMG_RAW_SUB_SECTOR && f->sub_linear)
			interleave_inline(n, dst);
		return OPTIMG_OK;
	}
	while (n > 0) {
		uint32_t k = OI_MIN(n, CHUNK_SECTORS);
		OI_TRY(read_converted(img, f, lba, k, size, dst));
		if (size == OPTIMG_RAW_SUB_SECTOR && f->fill != OI_FILL_ZERO &&
		    f->sub == OI_SUB_STREAM)
			OI_TRY(read_sub_stream(img, f, lba, k, dst));
		else if (size == OPTIMG_RAW_SUB_SECTOR && f->sub_linear &&
		    f->sector_size == OPTIMG_RAW_SUB_SECTOR)
			interleave_inline(k, dst);
		lba += (int32_t)k;
		n -= k;
		dst += (size_t)k * size;
	}
	return OPTIMG_OK;
}

int
optimg_image_read(struct optimg_image *img, int32_t lba, uint32_t count,
    unsigned size, void *buf)
{
	uint8_t *dst = buf;

	if (size != 2048 && size != 2336 && size != 2352 && size != 2448)
		return oi_set_error(&img->err, OPTIMG_EINVAL,
		    "sector size %u is not one of 2048, 2336, 2352, 2448",
		    size);
	if (count > (uint32_t)INT32_MAX || lba > INT32_MAX - (int32_t)count)
		return oi_set_error(&img->err, OPTIMG_ERANGE,
		    "read of %lu sectors at %ld overflows", (unsigned long)count,
		    (long)lba);
	while (count > 0) {
		const struct oi_fragment *f = find_fragment(img, lba);
		uint32_t n;

		if (f == NULL)
			return oi_set_error(&img->err, OPTIMG_ERANGE,
			    "sector %ld is outside the image (sectors 0-%ld)",
			    (long)lba, (long)oi_image_end_lba(img) - 1);
		n = OI_MIN(count, f->count - (uint32_t)(lba - f->lba));
		OI_TRY(read_from_fragment(img, f, lba, n, size, dst));
		lba += (int32_t)n;
		count -= n;
		dst += (size_t)n * size;
	}
	return OPTIMG_OK;
}

int
optimg_image_volume_id(struct optimg_image *img, unsigned track,
    char volid[33])
{
	const struct optimg_disc *d = &img->disc;
	uint8_t pvd[2048];
	int len = 32;

	volid[0] = '\0';
	if (track >= d->ntracks)
		return oi_set_error(&img->err, OPTIMG_EINVAL,
		    "no track with index %u", track);
	if (d->tracks[track].mode == OPTIMG_TRACK_AUDIO ||
	    d->tracks[track].length <= 16)
		return OPTIMG_OK;
	if (optimg_image_read(img, d->tracks[track].start + 16, 1, 2048,
	    pvd) < 0) {
		oi_error_clear(&img->err);
		return OPTIMG_OK;
	}
	if (pvd[0] != 1 || memcmp(pvd + 1, "CD001", 5) != 0)
		return OPTIMG_OK;
	memcpy(volid, pvd + 40, 32);
	while (len > 0 && (volid[len - 1] == ' ' || volid[len - 1] == '\0'))
		len--;
	volid[len] = '\0';
	return OPTIMG_OK;
}

int
oi_image_plain_span(struct optimg_image *img, int32_t lba, uint32_t count,
    struct oi_plain_span *out)
{
	const struct oi_fragment *f;

	if (count == 0 || lba < 0)
		return OPTIMG_EINVAL;
	f = find_fragment(img, lba);
	if (f == NULL || f->fill != OI_FILL_FILE || f->sector_size != 2048 ||
	    f->swap16)
		return OPTIMG_EUNSUPP;
	/* Only a plain file's bytes can be copied by the kernel. */
	out->fd = oi_stream_plain_fd(&img->streams[f->stream]);
	if (out->fd < 0)
		return OPTIMG_EUNSUPP;
	out->offset = f->offset + (uint64_t)(lba - f->lba) * 2048u;
	out->count = OI_MIN(count, f->count - (uint32_t)(lba - f->lba));
	return OPTIMG_OK;
}
