/*
 * burn_verify.c - after a burn, read the written area back and compare it
 * with the source, track by track.
 *
 * The source is either the image the plan was made from (read through
 * the same sector source as every other command: 2048 bytes of a Mode 1
 * track) or, for a stream made while burning (an ISO built from a
 * folder), the CRC-32 of each sector taken as it was sent.  What was
 * written comes through a read callback: a drive's READ, or the target
 * file of a stdio: pseudo-drive opened as an image.
 *
 * Audio tracks are not compared: drives read audio without exact
 * addressing (libburn: "expect leading and trailing zeros"), so a byte
 * comparison would fail on a perfect disc.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "burn_private.h"

#define CHUNK	64u	/* sectors per read: 128 KiB of data */

static int
push_crc(struct oi_sector_crcs *c)
{
	if (c->n == c->cap) {
		uint32_t cap = c->cap ? c->cap * 2 : 4096;
		uint32_t *n = oi_reallocarray(c->crc, cap, sizeof(*n));

		if (n == NULL)
			return OPTIMG_ENOMEM;
		c->crc = n;
		c->cap = cap;
	}
	c->crc[c->n++] = (uint32_t)crc32(0, c->part, OPTIMG_USER_SECTOR);
	c->partlen = 0;
	return OPTIMG_OK;
}

int
oi_sector_crcs_add(struct oi_sector_crcs *c, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		size_t take = OI_MIN(len, OPTIMG_USER_SECTOR - c->partlen);

		memcpy(c->part + c->partlen, p, take);
		c->partlen += take;
		p += take;
		len -= take;
		if (c->partlen == OPTIMG_USER_SECTOR)
			OI_TRY(push_crc(c));
	}
	return OPTIMG_OK;
}

int
oi_sector_crcs_finish(struct oi_sector_crcs *c)
{
	if (c->partlen == 0)
		return OPTIMG_OK;
	memset(c->part + c->partlen, 0, OPTIMG_USER_SECTOR - c->partlen);
	return push_crc(c);
}

void
oi_sector_crcs_release(struct oi_sector_crcs *c)
{
	free(c->crc);
	memset(c, 0, sizeof(*c));
}

static void
note_bad(struct optimg_burn_track_result *tr, int32_t lba)
{
	if (tr->nbad < OPTIMG_BURN_BAD_MAX)
		tr->bad[tr->nbad] = lba;
	tr->nbad++;
}

/* Reads the source's sectors i..i+n of track t into buf. */
static int
read_source(const struct oi_burn_verify *v, const struct optimg_burn_track *t,
    uint32_t i, uint32_t n, uint8_t *buf, struct optimg_error *err)
{
	if (v->img == NULL)
		return OPTIMG_OK;	/* compared by CRC */
	if (optimg_image_read(v->img, t->src_lba + (int32_t)i, n,
	    t->block_size, buf) < 0)
		return oi_set_error(err, OPTIMG_EIO, "verify: %s",
		    optimg_image_errmsg(v->img));
	return OPTIMG_OK;
}

static bool
same_sector(const struct oi_burn_verify *v, uint32_t i, const uint8_t *src,
    const uint8_t *got, unsigned size)
{
	if (v->img != NULL)
		return memcmp(src, got, size) == 0;
	return i < v->crcs->n && crc32(0, got, size) == v->crcs->crc[i];
}

/*
 * A failed read counts its sectors as bad, one by one, so one unreadable
 * sector does not hide the rest of a chunk.
 */
static int
compare_chunk(const struct oi_burn_verify *v,
    const struct optimg_burn_track *t, struct optimg_burn_track_result *tr,
    uint32_t i, uint32_t n, uint8_t *src, uint8_t *got)
{
	int32_t disc = t->first + (int32_t)t->pregap_zero + (int32_t)i;
	struct optimg_error rerr;
	unsigned bs = t->block_size;

	if (v->read(v->read_ctx, disc + v->lba_base, n, bs, got, &rerr) < 0) {
		if (n > 1) {
			for (uint32_t k = 0; k < n; k++)
				OI_TRY(compare_chunk(v, t, tr, i + k, 1,
				    src + (size_t)k * bs,
				    got + (size_t)k * bs));
			return OPTIMG_OK;
		}
		note_bad(tr, disc);
		return OPTIMG_OK;
	}
	for (uint32_t k = 0; k < n; k++)
		if (!same_sector(v, i + k, src + (size_t)k * bs,
		    got + (size_t)k * bs, bs))
			note_bad(tr, disc + (int32_t)k);
	return OPTIMG_OK;
}

static int
report(const struct oi_burn_verify *v, uint64_t done, uint64_t total,
    unsigned track, struct optimg_error *err)
{
	struct optimg_burn_progress p = {
		.phase = "verifying",
		.done = done,
		.total = total,
		.track = track,
		.ntracks = v->plan->ntracks,
		.buffer_fill = -1,
		.fifo_fill = -1,
		.one_x = v->one_x,
	};

	if (v->progress != NULL && v->progress(v->progress_ctx, &p) != 0)
		return oi_set_error(err, OPTIMG_ECANCELED, "verify canceled");
	return OPTIMG_OK;
}

int
oi_burn_verify(const struct oi_burn_verify *v, struct optimg_burn_result *res,
    struct optimg_error *err)
{
	const struct optimg_burn_plan *p = v->plan;
	uint8_t *src = malloc((size_t)CHUNK * OPTIMG_RAW_SECTOR);
	uint8_t *got = malloc((size_t)CHUNK * OPTIMG_RAW_SECTOR);
	uint64_t done = 0;
	int rc = OPTIMG_OK;

	if (src == NULL || got == NULL) {
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		goto out;
	}
	res->nbad = 0;
	for (unsigned ti = 0; ti < p->ntracks && rc == OPTIMG_OK; ti++) {
		const struct optimg_burn_track *t = &p->tracks[ti];
		struct optimg_burn_track_result *tr = &res->tracks[ti];

		tr->number = t->number;
		tr->compared = t->mode != OPTIMG_TRACK_AUDIO;
		if (!tr->compared) {
			done += (uint64_t)t->src_sectors * t->block_size;
			continue;
		}
		for (uint32_t i = 0; i < t->src_sectors; i += CHUNK) {
			uint32_t n = OI_MIN(CHUNK, t->src_sectors - i);

			if ((rc = read_source(v, t, i, n, src, err)) < 0 ||
			    (rc = compare_chunk(v, t, tr, i, n, src, got)) < 0)
				break;
			tr->sectors += n;
			done += (uint64_t)n * t->block_size;
			if ((rc = report(v, done, p->bytes, ti + 1, err)) < 0)
				break;
		}
		res->nbad += tr->nbad;
	}
	if (rc == OPTIMG_OK)
		res->verified = true;
out:
	free(src);
	free(got);
	return rc;
}
