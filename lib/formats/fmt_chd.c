/*
 * fmt_chd.c - MAME CHD v5 images as a disc: a CD (CHT2/CHTR/CHCD/CHGD
 * track metadata) or a DVD (the "DVD " tag, or a raw CHD of 2048-byte
 * units, which is what chdman 0.251's createraw makes of an ISO).
 *
 * Every track's sectors are read through one byte view, the "bin": the
 * tracks' stored frames one after the other, each frame cut to the
 * track's data size and audio turned little-endian, which is exactly the
 * single bin chdman extractcd writes.  Fragments point into that view by
 * offset (OI_FILL_CALLBACK), and a read finds the CHD frame behind an
 * offset, so only the hunks asked for are decompressed.
 *
 * A track whose frames carry raw P-W subcode (SUBTYPE RW_RAW, after 2352
 * bytes of sector) is laid out in 2448-byte sectors with the subcode
 * inline, as a cdrdao TOC's RW_RAW track is; the bin view keeps only the
 * 2352, so a fragment's offsets step by its track's data size.  Packed
 * R-W (SUBTYPE RW) has no per-sector way back to raw P-W and is left out,
 * with a warning.
 *
 * When the CHD carries our lossless tag (chd_meta.c, doc/chd.md), the
 * original cue sheet is laid out over the same view instead, so split
 * bins, INDEX 00/02+, CD-TEXT, ISRC, catalog and REM lines come back.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "chd.h"

struct chd_img {
	struct optimg_image	*img;
	struct oi_chd		*chd;
	struct chd_cd		 cd;
	bool			 dvd;
	uint64_t		*bin_start;	/* per track, + the end */
	uint8_t			 frame[CHD_CD_FRAME];
};

static int
chd_probe(const struct oi_probe *p)
{
	return p->head_len >= 16 && memcmp(p->head, CHD_MAGIC, 8) == 0 ?
	    100 : 0;
}

static void
chd_img_close(void *ctx)
{
	struct chd_img *c = ctx;

	if (c == NULL)
		return;
	oi_chd_cd_release(&c->cd);
	oi_chd_close(c->chd);
	free(c->bin_start);
	free(c);
}

static const struct oi_fragment *
frag_at(const struct optimg_image *img, int32_t lba)
{
	unsigned lo = 0, hi = img->nfrags;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		const struct oi_fragment *f = &img->frags[mid];
		if (lba < f->lba)
			hi = mid;
		else if (lba - f->lba >= (int64_t)f->count)
			lo = mid + 1;
		else
			return f;
	}
	return NULL;
}

/* Bytes of the bin view a sector of f takes: its subcode is not there. */
static unsigned
bin_stride(const struct oi_fragment *f)
{
	return f->sub == OI_SUB_INLINE ? f->sector_size - CHD_CD_SUB :
	    f->sector_size;
}

/* Bin offset off: which track, and the byte in which CHD frame. */
static int
bin_to_frame(struct chd_img *c, uint64_t off, unsigned *track,
    uint64_t *frame, unsigned *in)
{
	for (unsigned t = 0; t < c->cd.ntracks; t++) {
		if (off >= c->bin_start[t + 1])
			continue;
		const struct chd_cd_track *ct = &c->cd.tracks[t];
		uint64_t rel = off - c->bin_start[t];
		*track = t;
		*frame = ct->chd_frame + rel / ct->datasize;
		*in = (unsigned)(rel % ct->datasize);
		return 0;
	}
	return -1;
}

/* The LBA the bin view's byte off is read at, or -1. */
static int64_t
lba_of_bin(const struct chd_img *c, uint64_t off)
{
	const struct optimg_image *img = c->img;

	for (unsigned i = 0; i < img->nfrags; i++) {
		const struct oi_fragment *f = &img->frags[i];
		if (f->fill != OI_FILL_CALLBACK || off < f->offset ||
		    off >= f->offset + (uint64_t)f->count * bin_stride(f))
			continue;
		return f->lba + (int64_t)((off - f->offset) / bin_stride(f));
	}
	return -1;
}

/* The LBA of CHD frame (unit) u, or -1 for padding. */
static int64_t
lba_of_frame(const struct chd_img *c, uint64_t u)
{
	if (c->dvd)
		return (int64_t)u;
	for (unsigned t = 0; t < c->cd.ntracks; t++) {
		const struct chd_cd_track *ct = &c->cd.tracks[t];
		if (u >= ct->chd_frame && u < ct->chd_frame + ct->frames)
			return lba_of_bin(c, c->bin_start[t] +
			    (u - ct->chd_frame) * ct->datasize);
	}
	return -1;
}

/* The CHD's one-line error, with the LBAs its bad hunk holds. */
static int
read_error(struct chd_img *c, struct optimg_error *err)
{
	const struct oi_chd *chd = c->chd;
	uint64_t units = chd->hunk_bytes / chd->unit_bytes;
	uint64_t u0 = (uint64_t)chd->bad_hunk * units;
	int64_t lo = -1, hi = -1;

	*err = chd->err;
	for (uint64_t u = u0; u < u0 + units; u++) {
		int64_t l = lba_of_frame(c, u);
		if (l < 0)
			continue;
		if (lo < 0)
			lo = l;
		hi = l;
	}
	size_t n = strlen(err->message);
	if (lo >= 0)
		snprintf(err->message + n, sizeof(err->message) - n,
		    "; it holds LBAs %lld-%lld", (long long)lo, (long long)hi);
	return err->code < 0 ? err->code : OPTIMG_EIO;
}

/* One sector of a CD fragment: size bytes from the bin view at off. */
static int
cd_data(struct chd_img *c, const struct oi_fragment *f, int32_t lba,
    uint64_t off, unsigned size, uint8_t *dst, struct optimg_error *err)
{
	unsigned done = 0;

	while (done < size) {
		unsigned t, in;
		uint64_t frame;
		if (bin_to_frame(c, off + done, &t, &frame, &in) < 0)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "'%s': LBA %ld lies past the CHD's tracks",
			    c->img->path, (long)lba);
		const struct chd_cd_track *ct = &c->cd.tracks[t];
		if (oi_chd_read(c->chd, frame * CHD_CD_FRAME, c->frame,
		    CHD_CD_FRAME) < 0)
			return read_error(c, err);
		unsigned n = OI_MIN(size - done, ct->datasize - in);
		/* CHD keeps audio big-endian; a MOTOROLA file did too. */
		if (ct->mode == OPTIMG_TRACK_AUDIO && !f->swap16)
			for (unsigned i = 0; i < n; i++)
				dst[done + i] = c->frame[(in + i) ^ 1];
		else
			memcpy(dst + done, c->frame + in, n);
		done += n;
	}
	return OPTIMG_OK;
}

/* The same, then the frame's subcode when the fragment keeps it. */
static int
cd_sector(struct chd_img *c, const struct oi_fragment *f, int32_t lba,
    uint64_t off, unsigned size, uint8_t *dst, struct optimg_error *err)
{
	if (f->sub != OI_SUB_INLINE)
		return cd_data(c, f, lba, off, size, dst, err);
	/* 2352 bytes: one frame, whose subcode c->frame still holds. */
	size -= CHD_CD_SUB;
	OI_TRY(cd_data(c, f, lba, off, size, dst, err));
	memcpy(dst + size, c->frame + CHD_CD_SECTOR, CHD_CD_SUB);
	return OPTIMG_OK;
}

int
oi_chd_bin_read(struct optimg_image *img, uint64_t off, void *buf,
    size_t len, bool be, struct optimg_error *err)
{
	struct chd_img *c = img->format == &oi_format_chd ? img->reader.ctx :
	    NULL;
	uint8_t *dst = buf;

	if (c == NULL || c->dvd)
		return oi_set_error(err, OPTIMG_EINVAL, "not a CD CHD");
	while (len > 0) {
		unsigned t, in;
		uint64_t frame;
		if (bin_to_frame(c, off, &t, &frame, &in) < 0)
			return oi_set_error(err, OPTIMG_ERANGE,
			    "'%s': read past the CHD's tracks", img->path);
		const struct chd_cd_track *ct = &c->cd.tracks[t];
		if (oi_chd_read(c->chd, frame * CHD_CD_FRAME, c->frame,
		    CHD_CD_FRAME) < 0)
			return read_error(c, err);
		size_t n = OI_MIN(len, (size_t)(ct->datasize - in));
		if (ct->mode == OPTIMG_TRACK_AUDIO && !be)
			for (size_t i = 0; i < n; i++)
				dst[i] = c->frame[(in + i) ^ 1];
		else
			memcpy(dst, c->frame + in, n);
		dst += n;
		off += n;
		len -= n;
	}
	return OPTIMG_OK;
}

static int
chd_read(void *ctx, int32_t lba, uint32_t count, unsigned size, void *buf,
    struct optimg_error *err)
{
	struct chd_img *c = ctx;
	uint8_t *dst = buf;

	for (uint32_t i = 0; i < count; i++, lba++, dst += size) {
		const struct oi_fragment *f = frag_at(c->img, lba);
		if (f == NULL)
			return oi_set_error(err, OPTIMG_ERANGE,
			    "'%s': LBA %ld is in no track", c->img->path,
			    (long)lba);
		uint64_t off = f->offset + (uint64_t)(lba - f->lba) *
		    bin_stride(f);
		if (size != f->sector_size)	/* image_read asks for no other */
			return oi_set_error(err, OPTIMG_EINVAL, "'%s': LBA %ld "
			    "read as %u bytes, stored as %u", c->img->path,
			    (long)lba, size, f->sector_size);
		if (c->dvd) {
			if (oi_chd_read(c->chd, off, dst, size) < 0)
				return read_error(c, err);
			continue;
		}
		OI_TRY(cd_sector(c, f, lba, off, size, dst, err));
	}
	return OPTIMG_OK;
}

/* ---- layout ----------------------------------------------------------- */

static int
add_frag(struct optimg_image *img, int32_t lba, uint32_t count,
    enum oi_fill fill, uint64_t off, unsigned size,
    enum optimg_track_mode mode)
{
	struct oi_fragment f = {
		.lba = lba, .count = count, .fill = fill, .offset = off,
		.sector_size = size, .mode = mode,
	};

	return oi_image_add_fragment(img, &f);
}

/*
 * A track's stored frames, from the bin view at bin_start[i]; with their
 * subcode as 2448-byte sectors when it is raw P-W after raw sectors.
 */
static int
add_stored(struct chd_img *c, const struct chd_cd_track *ct,
    struct optimg_track *t, int32_t lba)
{
	struct oi_fragment f = {
		.lba = lba, .count = ct->frames, .fill = OI_FILL_CALLBACK,
		.offset = c->bin_start[ct - c->cd.tracks],
		.sector_size = ct->datasize, .mode = ct->mode,
	};

	if (ct->sub == CHD_SUB_RW_RAW && ct->datasize == CHD_CD_SECTOR) {
		f.sub = OI_SUB_INLINE;
		f.sector_size = OPTIMG_RAW_SUB_SECTOR;
		t->subchannel = true;
	} else if (ct->sub != CHD_SUB_NONE)
		oi_image_warn(c->img, "'%s': track %u's subcode (%s after "
		    "%u-byte sectors) is not read; only raw P-W after raw "
		    "sectors is", c->img->path, ct->number,
		    ct->sub == CHD_SUB_RW ? "packed R-W" : "raw P-W",
		    ct->datasize);
	return oi_image_add_fragment(c->img, &f);
}

static int
add_cd_track(struct chd_img *c, unsigned i, int32_t *lba)
{
	const struct chd_cd_track *ct = &c->cd.tracks[i];
	struct optimg_track *t;
	uint32_t stored = ct->frames;

	OI_TRY(oi_image_add_track(c->img, &t));
	t->number = ct->number;
	t->session = 1;
	t->mode = ct->mode;
	t->sector_size = ct->datasize;
	t->storage = oi_storage_of_size(ct->datasize);
	t->flags = ct->mode != OPTIMG_TRACK_AUDIO ? OPTIMG_FLAG_DATA : 0;
	if (ct->pregap_stored) {
		t->index[0] = ct->pregap > 0 ? *lba : OPTIMG_NO_INDEX;
		t->start = *lba + (int32_t)ct->pregap;
	} else {
		t->pregap_unstored = ct->pregap;
		OI_TRY(add_frag(c->img, *lba, ct->pregap, OI_FILL_ZERO, 0,
		    ct->datasize, ct->mode));
		*lba += (int32_t)ct->pregap;
		t->start = *lba;
	}
	OI_TRY(add_stored(c, ct, t, *lba));
	*lba += (int32_t)stored;
	/* A GD-ROM's padding is the gap up to the next track, as a .gdi
	   leaves it: the track's unstored postgap. */
	t->postgap_unstored = ct->postgap + ct->pad;
	OI_TRY(add_frag(c->img, *lba, t->postgap_unstored, OI_FILL_ZERO, 0,
	    ct->datasize, ct->mode));
	*lba += (int32_t)t->postgap_unstored;
	return OPTIMG_OK;
}

static int
open_cd(struct chd_img *c)
{
	struct optimg_image *img = c->img;
	int32_t lba = 0;

	OI_TRY(oi_chd_cd_parse(c->chd, &c->cd, &img->err));
	c->bin_start = calloc(c->cd.ntracks + 1, sizeof(*c->bin_start));
	if (c->bin_start == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < c->cd.ntracks; i++)
		c->bin_start[i + 1] = c->bin_start[i] +
		    (uint64_t)c->cd.tracks[i].frames * c->cd.tracks[i].datasize;
	if (oi_chd_lossless_layout(c->chd, img, c->bin_start[c->cd.ntracks])
	    == OPTIMG_OK)
		return OPTIMG_OK;
	for (unsigned i = 0; i < c->cd.ntracks; i++)
		OI_TRY(add_cd_track(c, i, &lba));
	return oi_image_finish_layout(img);
}

static int
open_dvd(struct chd_img *c)
{
	struct optimg_image *img = c->img;
	struct optimg_track *t;
	uint64_t sectors = c->chd->logical_bytes / 2048;

	if (c->chd->logical_bytes % 2048 != 0 || sectors == 0 ||
	    sectors > INT32_MAX)
		return oi_set_error(&img->err, OPTIMG_EFORMAT,
		    "'%s': a DVD CHD of %llu bytes is not whole sectors",
		    img->path, (unsigned long long)c->chd->logical_bytes);
	c->dvd = true;
	OI_TRY(oi_image_add_track(img, &t));
	t->number = 1;
	t->session = 1;
	t->mode = OPTIMG_TRACK_MODE1;
	t->sector_size = 2048;
	t->storage = OPTIMG_STORE_PLAIN;
	t->start = 0;
	t->flags = OPTIMG_FLAG_DATA;
	OI_TRY(add_frag(img, 0, (uint32_t)sectors, OI_FILL_CALLBACK, 0, 2048,
	    OPTIMG_TRACK_MODE1));
	return oi_image_finish_layout(img);
}

static bool
is_cd(const struct oi_chd *chd)
{
	return oi_chd_meta(chd, CHD_META_CHT2, 0) != NULL ||
	    oi_chd_meta(chd, CHD_META_CHTR, 0) != NULL ||
	    oi_chd_meta(chd, CHD_META_CHCD, 0) != NULL ||
	    oi_chd_meta(chd, CHD_META_CHGD, 0) != NULL;
}

static int
chd_open(struct optimg_image *img, const char *path)
{
	struct chd_img *c = calloc(1, sizeof(*c));
	unsigned idx;

	if (c == NULL)
		return oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	c->img = img;
	img->reader.read = chd_read;
	img->reader.ctx = c;
	img->reader.close = chd_img_close;
	OI_TRY(oi_chd_open(path, img->chd_parent, &c->chd, &img->err));
	OI_TRY(oi_image_add_stream(img, path, &idx));
	if (is_cd(c->chd))
		return open_cd(c);
	if (oi_chd_meta(c->chd, CHD_META_DVD, 0) != NULL ||
	    c->chd->unit_bytes == 2048)
		return open_dvd(c);
	return oi_set_error(&img->err, OPTIMG_EUNSUPP,
	    "'%s': a CHD of neither a CD nor a DVD (hard disk or laserdisc)",
	    path);
}

/* The CHD behind an image opened by this format, or NULL. */
struct oi_chd *
oi_chd_of_image(const struct optimg_image *img)
{
	if (img->format != &oi_format_chd || img->reader.ctx == NULL)
		return NULL;
	return ((struct chd_img *)img->reader.ctx)->chd;
}

const struct oi_format oi_format_chd = {
	.name = "chd",
	.description = "MAME CHD",
	.probe = chd_probe,
	.open = chd_open,
};
