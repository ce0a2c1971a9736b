/*
 * unpack_ecm.c - an ECM v1 file (ecm.h) read as a stream, with random
 * access by sector.
 *
 * Every record's sizes follow from its type and count, so open walks the
 * record heads (no decoding) into a table of compressed and decoded
 * offsets; a read finds its record by binary search and decodes the one
 * item it needs with the sector codec.  The EDC of all decoded bytes at
 * the file's end is checked whenever the bytes are read in order from the
 * start (a conversion does): a mismatch fails that read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ecm.h"
#include "unpack.h"

struct rec {
	uint64_t	 coff;		/* the record's first item */
	uint64_t	 uoff;
	uint32_t	 count;
	uint8_t		 type;
};

struct ecm {
	struct rec	*recs;
	uint32_t	 n, cap;
	uint32_t	 cur;		/* record of u->pos */
	uint32_t	 edc, want_edc;
	uint64_t	 edc_pos;	/* bytes the running EDC covers */
	uint64_t	 edc_off;	/* where the file keeps want_edc */
	uint8_t		 item[OPTIMG_RAW_SECTOR];
};

/* A record head at *off; *count1 is count - 1 or OI_ECM_END. */
static int
read_head(struct oi_unpack *u, uint64_t *off, unsigned *type,
    uint32_t *count1, struct optimg_error *err)
{
	uint64_t at = *off, n;
	unsigned bits = 5;
	uint8_t c;

	OI_TRY(oi_unpack_read_in(u, &c, 1, at++, err));
	*type = c & 3;
	n = c >> 2 & 31;
	while (c & 0x80) {
		if (bits > 32)
			return oi_unpack_damaged(u, *off, "a record count "
			    "longer than 32 bits", err);
		OI_TRY(oi_unpack_read_in(u, &c, 1, at++, err));
		n |= (uint64_t)(c & 0x7f) << bits;
		bits += 7;
	}
	if (n > UINT32_MAX || (n != OI_ECM_END && n >= 0x7fffffff))
		return oi_unpack_damaged(u, *off, "a record count over 2^31",
		    err);
	*count1 = (uint32_t)n;
	*off = at;
	return OPTIMG_OK;
}

static int
add_rec(struct oi_unpack *u, struct ecm *e, const struct rec *r,
    struct optimg_error *err)
{
	if (e->n == e->cap) {
		uint32_t cap = e->cap ? 2 * e->cap : 256;
		struct rec *p = realloc(e->recs, cap * sizeof(*p));
		if (p == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		e->recs = p;
		e->cap = cap;
	}
	e->recs[e->n++] = *r;
	(void)u;
	return OPTIMG_OK;
}

static int
walk(struct oi_unpack *u, struct ecm *e, struct optimg_error *err)
{
	uint64_t off = 4, uoff = 0;
	uint8_t b[4];

	for (;;) {
		struct rec r;
		unsigned type;
		uint32_t count1 = 0;
		uint64_t start = off;

		OI_TRY(read_head(u, &off, &type, &count1, err));
		if (count1 == OI_ECM_END)
			break;
		r = (struct rec){ off, uoff, count1 + 1, (uint8_t)type };
		off += (uint64_t)r.count * oi_ecm_stored(type);
		uoff += (uint64_t)r.count * oi_ecm_decoded(type);
		if (off > u->in.size)
			return oi_set_error(err, OPTIMG_EFORMAT, "'%s': the ECM "
			    "record at byte %llu runs past the file's end at "
			    "byte %llu (truncated?)", u->name,
			    (unsigned long long)start,
			    (unsigned long long)u->in.size);
		if (uoff > u->limit)
			return oi_set_error(err, OPTIMG_EFORMAT, "'%s' "
			    "decompresses to more than the %llu bytes allowed",
			    u->name, (unsigned long long)u->limit);
		OI_TRY(add_rec(u, e, &r, err));
	}
	OI_TRY(oi_unpack_read_in(u, b, 4, off, err));
	e->want_edc = oi_le32dec(b);
	e->edc_off = off;
	u->size = uoff;
	u->units = e->n;
	return OPTIMG_OK;
}

static int
ecm_open(struct oi_unpack *u, struct optimg_error *err)
{
	struct ecm *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	u->ctx = e;
	return walk(u, e, err);
}

static uint32_t
rec_of(const struct ecm *e, uint64_t off)
{
	uint32_t lo = 0, hi = e->n;

	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (e->recs[mid].uoff <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Every item starts afresh: a read may begin at the item holding it. */
static uint64_t
ecm_restart_before(struct oi_unpack *u, uint64_t off)
{
	struct ecm *e = u->ctx;
	const struct rec *r;
	unsigned d;

	if (e->n == 0)
		return 0;
	r = &e->recs[rec_of(e, off)];
	d = oi_ecm_decoded(r->type);
	return r->uoff + (off - r->uoff) / d * d;
}

static int
ecm_seek(struct oi_unpack *u, uint64_t off, struct optimg_error *err)
{
	struct ecm *e = u->ctx;

	if (e->n == 0)
		return oi_set_error(err, OPTIMG_EINVAL, "'%s' is empty",
		    u->name);
	e->cur = rec_of(e, off);
	u->pos = ecm_restart_before(u, off);
	return OPTIMG_OK;
}

/* Folds bytes [pos, pos + len) into the running EDC where they extend it. */
static int
check_edc(struct oi_unpack *u, struct ecm *e, const uint8_t *buf, size_t len,
    struct optimg_error *err)
{
	uint64_t end = u->pos + len;

	if (u->pos > e->edc_pos || end <= e->edc_pos)
		return OPTIMG_OK;
	e->edc = optimg_edc(e->edc, buf + (e->edc_pos - u->pos),
	    (size_t)(end - e->edc_pos));
	e->edc_pos = end;
	if (end == u->size && e->edc != e->want_edc)
		return oi_set_error(err, OPTIMG_EFORMAT, "'%s': damaged ecm "
		    "data: the EDC at byte %llu (%08x) does not match the "
		    "%llu bytes decoded (%08x)", u->name,
		    (unsigned long long)e->edc_off, e->want_edc,
		    (unsigned long long)u->size, e->edc);
	return OPTIMG_OK;
}

static int
ecm_decode(struct oi_unpack *u, uint8_t *buf, size_t len, size_t *got,
    struct optimg_error *err)
{
	struct ecm *e = u->ctx;
	const struct rec *r;
	uint64_t rel, item;
	unsigned d, at;
	size_t n;

	while (e->cur + 1 < e->n && e->recs[e->cur + 1].uoff <= u->pos)
		e->cur++;
	r = &e->recs[e->cur];
	rel = u->pos - r->uoff;
	if (r->type == 0) {
		n = (size_t)OI_MIN((uint64_t)len, r->count - rel);
		OI_TRY(oi_unpack_read_in(u, buf, n, r->coff + rel, err));
	} else {
		uint8_t in[OPTIMG_RAW_SECTOR];
		d = oi_ecm_decoded(r->type);
		item = rel / d;
		at = (unsigned)(rel % d);
		OI_TRY(oi_unpack_read_in(u, in, oi_ecm_stored(r->type),
		    r->coff + item * oi_ecm_stored(r->type), err));
		oi_ecm_decode(r->type, in, e->item);
		n = OI_MIN(len, (size_t)(d - at));
		memcpy(buf, e->item + at, n);
	}
	*got = n;
	return check_edc(u, e, buf, n, err);
}

static void
ecm_close(struct oi_unpack *u)
{
	struct ecm *e = u->ctx;

	if (e == NULL)
		return;
	free(e->recs);
	free(e);
	u->ctx = NULL;
}

const struct oi_unpack_codec oi_unpack_ecm = {
	.name = "ecm",
	.open = ecm_open,
	.restart_before = ecm_restart_before,
	.seek = ecm_seek,
	.decode = ecm_decode,
	.close = ecm_close,
};
