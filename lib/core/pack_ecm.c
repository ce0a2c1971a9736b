/*
 * pack_ecm.c - writing ECM v1 (ecm.h) as ecm(1) does: at each byte, a
 * whole Mode 1 sector (2352 bytes) or Mode 2 Form 1/Form 2 block (2336)
 * whose EDC/ECC check out is stored without what can be made again, any
 * other byte as a literal.  Runs of one type become one record, cut at
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

/* Classifies the queue while a whole sector (or, at the end, less) waits. */
static int
drain(struct oi_pack *p, struct ecmp *e, int fd, bool last,
    struct optimg_error *err)
{
	size_t at = 0;

	while (e->q_len - at >= OPTIMG_RAW_SECTOR ||
	    (last && at < e->q_len)) {
		unsigned t = oi_ecm_classify(e->q + at, e->q_len - at);
		OI_TRY(add_item(p, e, fd, t, e->q + at, err));
		at += oi_ecm_decoded(t);
	}
	if (at > 0)
		memmove(e->q, e->q + at, e->q_len - at);
	e->q_len -= at;
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
