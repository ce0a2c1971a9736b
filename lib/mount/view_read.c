/*
 * view_read.c - bytes of a view's files on demand.  A virtual file is a
 * head in memory and a run of sectors: a byte range maps onto the sectors
 * it touches, whole sectors are read straight into the caller's buffer,
 * the ragged ends through the handle's bounce buffer.  When the image
 * fails under a batch, it is read again a sector at a time so that the
 * bytes before the first bad sector are served and that sector named.
 */
#include "config.h"

#include <string.h>

#include "convert.h"
#include "view_private.h"

/*
 * Reads n sectors from lba at f->rsize into dst; *ok is how many from the
 * first are good.  On failure err is the image's error.
 */
static int
image_sectors(struct view_handle *h, const struct view_file *f, int32_t lba,
    uint32_t n, uint8_t *dst, uint32_t *ok, struct optimg_error *err)
{
	int rc;

	*ok = 0;
	if (optimg_image_read(h->img, lba, n, f->rsize, dst) == OPTIMG_OK) {
		*ok = n;
		return OPTIMG_OK;
	}
	for (uint32_t k = 0; k < n; k++) {
		rc = optimg_image_read(h->img, lba + (int32_t)k, 1, f->rsize,
		    dst + (size_t)k * f->rsize);
		if (rc < 0) {
			*err = *optimg_image_error(h->img);
			return rc;
		}
		*ok = k + 1;
	}
	return OPTIMG_OK;
}

/* Whole sectors at pos (a multiple of ssize) straight into out. */
static int
read_direct(struct view_handle *h, const struct view_file *f, uint64_t pos,
    uint8_t *out, size_t left, size_t *done, int32_t *bad_lba,
    struct optimg_error *err)
{
	int32_t lba = f->lba + (int32_t)(pos / f->ssize);
	uint32_t n = (uint32_t)OI_MIN(left / f->ssize, (size_t)VIEW_DIRECT);
	uint32_t ok;
	int rc = image_sectors(h, f, lba, n, out, &ok, err);

	*done = (size_t)ok * f->ssize;
	if (rc < 0)
		*bad_lba = lba + (int32_t)ok;
	return rc;
}

/* Up to a batch of sectors through the bounce buffer. */
static int
read_bounce(struct optimg_view *v, struct view_handle *h,
    const struct view_file *f, uint64_t pos, uint8_t *out, size_t left,
    size_t *done, int32_t *bad_lba, struct optimg_error *err)
{
	uint64_t s = pos / f->ssize;
	size_t in = (size_t)(pos % f->ssize), avail;
	int32_t lba = f->lba + (int32_t)s;
	uint32_t n = (uint32_t)OI_MIN((in + left + f->ssize - 1) / f->ssize,
	    (size_t)VIEW_BATCH), ok;
	const uint8_t *src = h->buf;
	int rc;

	n = (uint32_t)OI_MIN((uint64_t)n, f->count - s);
	rc = image_sectors(h, f, lba, n, h->buf, &ok, err);
	if (f->ccd_sub) {
		oi_ccd_make_sub(v->disc, lba, ok, h->buf, h->sub);
		src = h->sub;
	}
	avail = (size_t)ok * f->ssize;
	*done = avail > in ? OI_MIN(avail - in, left) : 0;
	memcpy(out, src + in, *done);
	if (rc < 0)
		*bad_lba = lba + (int32_t)ok;
	return rc;
}

/* len bytes at pos of the sector run (pos counted after the head). */
static int
read_run(struct optimg_view *v, const struct view_file *f, uint64_t pos,
    uint8_t *out, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err)
{
	struct view_handle *h;
	int rc = OPTIMG_OK;

	*got = 0;
	OI_TRY(oi_view_acquire(v, false, &h, err));
	while (*got < len) {
		size_t done, left = len - *got;

		if (pos % f->ssize == 0 && left >= f->ssize && !f->ccd_sub)
			rc = read_direct(h, f, pos, out + *got, left, &done,
			    bad_lba, err);
		else
			rc = read_bounce(v, h, f, pos, out + *got, left, &done,
			    bad_lba, err);
		*got += done;
		pos += done;
		if (rc < 0)
			break;
	}
	oi_view_release(v, h);
	return rc < 0 ? rc : OPTIMG_OK;
}

int
oi_view_read_file(struct optimg_view *v, const struct view_file *f,
    uint64_t off, uint8_t *buf, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err)
{
	size_t n = 0, more = 0;
	int rc = OPTIMG_OK;

	*got = 0;
	if (off >= f->size)
		return OPTIMG_OK;
	len = (size_t)OI_MIN((uint64_t)len, f->size - off);
	if (off < f->head_len) {
		n = (size_t)OI_MIN((uint64_t)len, f->head_len - off);
		memcpy(buf, f->head + off, n);
	}
	if (n < len)
		rc = read_run(v, f, off + n - f->head_len, buf + n, len - n,
		    &more, bad_lba, err);
	*got = n + more;
	return rc;
}

/* Bytes a sector of extent x gives: Form 2 data has 2324. */
static unsigned
fs_unit(const struct optimg_fs_extent *x)
{
	return x->flags & OPTIMG_FS_EXTENT_FORM2 ? OPTIMG_FORM2_SECTOR :
	    OPTIMG_USER_SECTOR;
}

/* Bytes from pos of file st to the end of its sector (2048s past the end). */
static size_t
fs_to_sector_end(const struct optimg_fs_stat *st, uint64_t pos)
{
	uint64_t base = 0;

	for (unsigned i = 0; i < st->nextents; i++) {
		const struct optimg_fs_extent *x = &st->extents[i];

		if (pos < base + x->length)
			return fs_unit(x) - (x->offset + pos - base) %
			    fs_unit(x);
		base += x->length;
	}
	return OPTIMG_USER_SECTOR - pos % OPTIMG_USER_SECTOR;
}

/* The sector holding byte pos of file st, or OPTIMG_NO_INDEX. */
static int32_t
fs_lba_at(const struct optimg_fs_stat *st, uint64_t pos)
{
	uint64_t base = 0;

	for (unsigned i = 0; i < st->nextents; i++) {
		const struct optimg_fs_extent *x = &st->extents[i];

		if (pos < base + x->length)
			return (int32_t)(x->lba + (x->offset + pos - base) /
			    fs_unit(x));
		base += x->length;
	}
	return OPTIMG_NO_INDEX;
}

/* After a failed read: the good bytes from off, a sector at a time. */
static int
fs_find_bad(struct optimg_fs *fs, const struct optimg_fs_stat *st,
    uint64_t off, uint8_t *buf, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err)
{
	uint64_t pos = off;

	while (pos < off + len) {
		size_t n = (size_t)OI_MIN(off + len - pos,
		    (uint64_t)fs_to_sector_end(st, pos)), g;
		int rc = optimg_fs_read(fs, st, pos, buf + (pos - off), n, &g);

		if (rc < 0) {
			*got = (size_t)(pos - off);
			*bad_lba = fs_lba_at(st, pos);
			return oi_set_error(err, rc, "%s", optimg_fs_errmsg(fs));
		}
		pos += n;
	}
	*got = len;
	return OPTIMG_OK;
}

int
oi_view_read_fs(struct optimg_view *v, const struct optimg_view_node *n,
    uint64_t off, uint8_t *buf, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err)
{
	struct view_handle *h;
	int rc;

	*got = 0;
	if (n->fs->type != OPTIMG_FS_REG)
		return oi_set_error(err, OPTIMG_EINVAL, "'%s' is not a file",
		    n->path);
	if (off >= n->fs->size)
		return OPTIMG_OK;
	len = (size_t)OI_MIN((uint64_t)len, n->fs->size - off);
	OI_TRY(oi_view_acquire(v, true, &h, err));
	rc = optimg_fs_read(h->fs, n->fs, off, buf, len, got);
	if (rc < 0)
		rc = fs_find_bad(h->fs, n->fs, off, buf, len, got, bad_lba,
		    err);
	oi_view_release(v, h);
	return rc;
}
