/*
 * pack_ecm.c - writing ECM v1 (ecm.h) as ecm(1) does: a whole Mode 1
 * sector (2352 bytes) or Mode 2 Form 1/Form 2 block (2336) whose EDC/ECC
 * check out is stored without what can be made again, any other byte as
 * a literal.  Runs of one type become one record, cut at
 * REC_BYTES so memory stays small; the EDC of all input ends the file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ecm.h"
#include "pack.h"

#define REC_BYTES (1u << 20)
#define OUT_BYTES (2u << 20)
#define QUEUE_MIN (4u << 20)

struct ecmp {
	uint8_t		*q;		/* input not yet classified */
	size_t		 q_len, q_cap;
	size_t		 q_pos;		/* q's first unclassified byte */
	uint64_t	 since;		/* literal bytes since the last sector */
	uint8_t		*rec;		/* the open record's items */
	size_t		 rec_len;
	unsigned	 type;
	uint32_t	 count;
	uint8_t		*out;
	size_t		 out_len;
	uint32_t	 edc;
};

static int
ecm_init(struct oi_pack *p, struct optimg_error *err)
{
	struct ecmp *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	p->ctx = e;
	e->rec = malloc(REC_BYTES + OPTIMG_RAW_SECTOR);
	e->out = malloc(OUT_BYTES);
	if (e->rec == NULL || e->out == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	memcpy(e->out, "ECM", 4);
	e->out_len = 4;
	return OPTIMG_OK;
}

static int
put(struct oi_pack *p, struct ecmp *e, int fd, const void *b, size_t n,
    struct optimg_error *err)
{
	if (e->out_len + n > OUT_BYTES) {
		OI_TRY(oi_pack_emit(p, fd, e->out, e->out_len, err));
		e->out_len = 0;
	}
	if (n > OUT_BYTES)
		return oi_pack_emit(p, fd, b, n, err);
	memcpy(e->out + e->out_len, b, n);
	e->out_len += n;
	return OPTIMG_OK;
}

static int
close_record(struct oi_pack *p, struct ecmp *e, int fd,
    struct optimg_error *err)
{
	uint8_t head[6];

	if (e->count == 0)
		return OPTIMG_OK;
	OI_TRY(put(p, e, fd, head, oi_ecm_put_head(head, e->type,
	    e->count - 1), err));
	OI_TRY(put(p, e, fd, e->rec, e->rec_len, err));
	e->count = 0;
	e->rec_len = 0;
	return OPTIMG_OK;
}

/* Adds one item of type t (its decoded bytes at b) to the records. */
static int
add_item(struct oi_pack *p, struct ecmp *e, int fd, unsigned t,
    const uint8_t *b, struct optimg_error *err)
{
	if (e->count > 0 && (t != e->type || e->rec_len >= REC_BYTES))
		OI_TRY(close_record(p, e, fd, err));
	e->type = t;
	switch (t) {
	case 0:
		e->rec[e->rec_len++] = b[0];
		break;
	case 1:				/* address, then user data */
		memcpy(e->rec + e->rec_len, b + 12, 3);
		memcpy(e->rec + e->rec_len + 3, b + 16, 2048);
		break;
	default:			/* one subheader copy, then the rest */
		memcpy(e->rec + e->rec_len, b + 4, oi_ecm_stored(t));
		break;
	}
	if (t != 0)
		e->rec_len += oi_ecm_stored(t);
	e->count++;
	return OPTIMG_OK;
}

/*
 * ecm(1) runs the EDC check at every byte, which costs 2 KiB of work a
 * byte over audio whose samples repeat every 4 bytes.  Sectors are where
 * a sync is (Mode 1, and Mode 2 16 bytes on) or a whole number of blocks
 * after the last sector or the start (MODE2/2336 and 2352 files without
 * one), so only those places are checked: the same sectors are found, in
 * linear time, and any ECM decoder reads the result.
 */
static bool
candidate(const struct ecmp *e, size_t at)
{
	static const uint8_t sync[12] = { 0x00, 0xff, 0xff, 0xff, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0x00 };

	return e->since % 2336 == 0 || e->since % OPTIMG_RAW_SECTOR == 0 ||
	    (e->q_len - at >= 12 && memcmp(e->q + at, sync, 12) == 0) ||
	    (at >= 16 && memcmp(e->q + at - 16, sync, 12) == 0);
}

/*
 * Classifies the queue while a whole sector (or, at the end, less) waits;
 * keeps the 16 bytes before the first unclassified one for candidate().
 */
static int
drain(struct oi_pack *p, struct ecmp *e, int fd, bool last,
    struct optimg_error *err)
{
	size_t at = e->q_pos, keep;

	while (e->q_len - at >= OPTIMG_RAW_SECTOR ||
	    (last && at < e->q_len)) {
		unsigned t = candidate(e, at) ?
		    oi_ecm_classify(e->q + at, e->q_len - at) : 0;
		OI_TRY(add_item(p, e, fd, t, e->q + at, err));
		at += oi_ecm_decoded(t);
		e->since = t != 0 ? 0 : e->since + 1;
	}
	keep = OI_MIN(at, (size_t)16);
	if (at > keep)
		memmove(e->q, e->q + at - keep, e->q_len - at + keep);
	e->q_len -= at - keep;
	e->q_pos = keep;
	return OPTIMG_OK;
}

static int
ecm_write(struct oi_pack *p, int fd, const uint8_t *data, size_t len,
    struct optimg_error *err)
{
	struct ecmp *e = p->ctx;

	e->edc = optimg_edc(e->edc, data, len);
	if (e->q_len + len > e->q_cap) {
		size_t cap = OI_MAX(e->q_len + len, (size_t)QUEUE_MIN);
		uint8_t *q = realloc(e->q, cap);
		if (q == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		e->q = q;
		e->q_cap = cap;
	}
	memcpy(e->q + e->q_len, data, len);
	e->q_len += len;
	return drain(p, e, fd, false, err);
}

static int
ecm_finish(struct oi_pack *p, int fd, struct optimg_error *err)
{
	struct ecmp *e = p->ctx;
	uint8_t tail[6 + 4];
	size_t n;

	OI_TRY(drain(p, e, fd, true, err));
	OI_TRY(close_record(p, e, fd, err));
	n = oi_ecm_put_head(tail, 0, OI_ECM_END);
	oi_le32enc(tail + n, e->edc);
	OI_TRY(put(p, e, fd, tail, n + 4, err));
	OI_TRY(oi_pack_emit(p, fd, e->out, e->out_len, err));
	e->out_len = 0;
	return OPTIMG_OK;
}

static void
ecm_release(struct oi_pack *p)
{
	struct ecmp *e = p->ctx;

	if (e == NULL)
		return;
	free(e->q);
	free(e->rec);
	free(e->out);
	free(e);
}

const struct oi_pack_codec oi_pack_ecm_codec = {
	ecm_init, ecm_write, ecm_finish, ecm_release
};
