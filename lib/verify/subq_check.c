/*
 * subq_check.c - optimg_image_check_subq(): does the subchannel an image
 * keeps say what its table of contents says?  Q of every kept sector is
 * decoded and, when it is a position (Mode 1 Q with a good CRC), compared
 * with the Q the TOC makes for that sector (subchannel.c), so a .sub that
 * belongs to another disc, is shifted, or disagrees on an index shows.
 *
 * A CloneCD .sub is read on its own, without the sectors beside it, so
 * checking a whole CD costs its 96 bytes a sector, not 2448.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define CHECK_BATCH	1024		/* sectors a pass */

static void
check_one(const struct optimg_disc *d, int32_t lba,
    const uint8_t raw[OPTIMG_SUBCHANNEL], struct optimg_subq_check *out)
{
	uint8_t q[12], want[12];

	out->sectors++;
	oi_sub_q(raw, q);
	if (!oi_subq_ok(q)) {
		if (out->crc_bad < OPTIMG_SUBQ_NAMED)
			out->crc_bad_lba[out->crc_bad] = lba;
		out->crc_bad++;
		return;
	}
	if ((q[0] & 0x0f) != 1) {
		out->other++;
		return;
	}
	out->position++;
	oi_subq_make(d, lba, want);
	if (memcmp(q, want, 10) == 0)
		out->agree++;
	else if (out->first_disagree == OPTIMG_NO_INDEX)
		out->first_disagree = lba;
}

/* n sectors' raw P-W from lba of fragment f into buf, 96 bytes each. */
static int
read_subs(struct optimg_image *img, const struct oi_fragment *f, int32_t lba,
    uint32_t n, uint8_t *buf, uint8_t *scratch)
{
	uint8_t lin[OPTIMG_SUBCHANNEL];

	if (f->sub == OI_SUB_STREAM && f->fill == OI_FILL_FILE) {
		OI_TRY(oi_stream_pread(&img->streams[f->sub_stream], buf,
		    (size_t)n * OPTIMG_SUBCHANNEL, f->sub_offset +
		    (uint64_t)(lba - f->lba) * OPTIMG_SUBCHANNEL, &img->err));
		for (uint32_t i = 0; f->sub_linear && i < n; i++) {
			uint8_t *p = buf + (size_t)i * OPTIMG_SUBCHANNEL;
			memcpy(lin, p, sizeof(lin));
			oi_sub_interleave(lin, p);
		}
		return OPTIMG_OK;
	}
	OI_TRY(optimg_image_read(img, lba, n, OPTIMG_RAW_SUB_SECTOR, scratch));
	for (uint32_t i = 0; i < n; i++)
		memcpy(buf + (size_t)i * OPTIMG_SUBCHANNEL, scratch +
		    (size_t)i * OPTIMG_RAW_SUB_SECTOR + OPTIMG_RAW_SECTOR,
		    OPTIMG_SUBCHANNEL);
	return OPTIMG_OK;
}

static bool
keeps_sub(const struct oi_fragment *f)
{
	return (f->fill == OI_FILL_FILE || f->fill == OI_FILL_CALLBACK) &&
	    (f->sub != OI_SUB_NONE ||
	    f->sector_size == OPTIMG_RAW_SUB_SECTOR);
}

int
optimg_image_check_subq(struct optimg_image *img,
    struct optimg_subq_check *out)
{
	const struct optimg_disc *d = &img->disc;
	uint8_t *buf = malloc((size_t)CHECK_BATCH * OPTIMG_SUBCHANNEL);
	uint8_t *scratch = malloc((size_t)CHECK_BATCH * OPTIMG_RAW_SUB_SECTOR);
	bool any = false;
	int rc = OPTIMG_OK;

	memset(out, 0, sizeof(*out));
	out->first_disagree = OPTIMG_NO_INDEX;
	if (buf == NULL || scratch == NULL)
		rc = oi_set_error(&img->err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned k = 0; rc == OPTIMG_OK && k < img->nfrags; k++) {
		const struct oi_fragment *f = &img->frags[k];
		if (!keeps_sub(f))
			continue;
		any = true;
		for (uint32_t done = 0; rc == OPTIMG_OK && done < f->count;) {
			uint32_t n = OI_MIN(f->count - done, CHECK_BATCH);
			int32_t lba = f->lba + (int32_t)done;
			rc = read_subs(img, f, lba, n, buf, scratch);
			for (uint32_t i = 0; rc == OPTIMG_OK && i < n; i++)
				check_one(d, lba + (int32_t)i,
				    buf + (size_t)i * OPTIMG_SUBCHANNEL, out);
			done += n;
		}
	}
	free(buf);
	free(scratch);
	if (rc == OPTIMG_OK && !any)
		rc = oi_set_error(&img->err, OPTIMG_EUNSUPP,
		    "the image keeps no subchannel");
	return rc;
}
