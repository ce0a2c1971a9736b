/*
 * rip_ccd.c - a rip's CloneCD output.  The rip keeps each sector with the
 * raw P-W subchannel the drive returned after it (2448 bytes a sector)
 * in one part file from LBA 0 to the lead-out; a complete dump is split
 * into NAME.img (2352 bytes a sector) and NAME.sub (96 bytes a sector,
 * each channel as 12 consecutive bytes, P first, as CloneCD keeps it),
 * and NAME.ccd is written from the disc model.
 *
 * A drive's TOC says where each track's INDEX 01 is and nothing of the
 * other indices; subchannel Q says, sector by sector (Mode 1 Q: track,
 * index, times).  So the pregaps (INDEX 00) and INDEX 02-99 written into
 * the .ccd are those Q gives, counting only sectors whose Q passes its
 * CRC, names a track of the disc inside that track's sectors, and whose
 * indices rise in order.  A pregap found while the TOC was read (a
 * binary search over Q) gives way to the full scan.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "convert.h"
#include "rip.h"

#define SPLIT_BATCH	1024		/* sectors a pass */

/* The track numbered n, or NULL. */
static struct optimg_track *
track_numbered(struct optimg_disc *d, int n)
{
	for (unsigned i = 0; i < d->ntracks; i++)
		if ((int)d->tracks[i].number == n)
			return &d->tracks[i];
	return NULL;
}

/* Where the Q scan is: per track, the lowest LBA whose Q says INDEX 00. */
struct q_scan {
	int32_t		pregap[100];	/* by track number; NO_INDEX */
};

static void
scan_q(struct optimg_disc *d, struct q_scan *sc, int32_t lba,
    const uint8_t raw[OPTIMG_SUBCHANNEL])
{
	struct optimg_track *t;
	uint8_t q[12];
	int tn, ix;

	oi_sub_q(raw, q);
	if (!oi_subq_ok(q) || (q[0] & 0x0f) != 1)
		return;
	tn = optimg_bcd_decode(q[1]);
	ix = optimg_bcd_decode(q[2]);
	if (tn < 1 || tn > 99 || ix < 0 || (t = track_numbered(d, tn)) == NULL)
		return;
	if (ix == 0 && lba < t->start && t != &d->tracks[0] &&
	    lba > t[-1].start && sc->pregap[tn] == OPTIMG_NO_INDEX)
		sc->pregap[tn] = lba;
	if (ix < 2 || lba <= t->start ||
	    lba >= t->start + (int32_t)t->length ||
	    t->index[ix] != OPTIMG_NO_INDEX)
		return;
	/* INDEX k only after INDEX k-1, and later than it. */
	if (ix > 2 && (t->index[ix - 1] == OPTIMG_NO_INDEX ||
	    t->index[ix - 1] >= lba))
		return;
	t->index[ix] = lba;
}

static void
apply_pregaps(struct optimg_disc *d, const struct q_scan *sc)
{
	for (unsigned i = 1; i < d->ntracks; i++) {
		struct optimg_track *t = &d->tracks[i];
		int32_t p = sc->pregap[t->number];

		if (p == OPTIMG_NO_INDEX)
			continue;
		t->index[0] = p;
		t->pregap = (uint32_t)(t->start - p);
	}
}

static int
split_batch(struct oi_rip_ccd *c, struct optimg_disc *d, struct q_scan *sc,
    int32_t lba, uint32_t n, const uint8_t *in, uint8_t *main_buf,
    uint8_t *sub, struct optimg_error *err)
{
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *s = in + (size_t)i * OPTIMG_RAW_SUB_SECTOR;
		memcpy(main_buf + (size_t)i * OPTIMG_RAW_SECTOR, s,
		    OPTIMG_RAW_SECTOR);
		oi_sub_deinterleave(s + OPTIMG_RAW_SECTOR,
		    sub + (size_t)i * OPTIMG_SUBCHANNEL);
		scan_q(d, sc, lba + (int32_t)i, s + OPTIMG_RAW_SECTOR);
	}
	oi_hash_update(&c->hash[0], main_buf, (size_t)n * OPTIMG_RAW_SECTOR);
	oi_hash_update(&c->hash[1], sub, (size_t)n * OPTIMG_SUBCHANNEL);
	OI_TRY(oi_outfile_write(&c->img, main_buf,
	    (size_t)n * OPTIMG_RAW_SECTOR, err));
	return oi_outfile_write(&c->sub, sub, (size_t)n * OPTIMG_SUBCHANNEL,
	    err);
}

static int
split(struct oi_rip_ccd *c, struct optimg_disc *d, int fd,
    const char *part, int32_t end, struct optimg_error *err)
{
	uint8_t *in = malloc((size_t)SPLIT_BATCH * OPTIMG_RAW_SUB_SECTOR);
	uint8_t *main_buf = malloc((size_t)SPLIT_BATCH * OPTIMG_RAW_SECTOR);
	uint8_t *sub = malloc((size_t)SPLIT_BATCH * OPTIMG_SUBCHANNEL);
	struct q_scan sc;
	int rc = OPTIMG_OK;

	for (unsigned i = 0; i < OI_ARRAY_SIZE(sc.pregap); i++)
		sc.pregap[i] = OPTIMG_NO_INDEX;
	if (in == NULL || main_buf == NULL || sub == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (int32_t lba = 0; rc == OPTIMG_OK && lba < end;) {
		uint32_t n = (uint32_t)OI_MIN((int32_t)SPLIT_BATCH, end - lba);
		size_t len = (size_t)n * OPTIMG_RAW_SUB_SECTOR;
		ssize_t got = pread(fd, in, len,
		    (off_t)lba * OPTIMG_RAW_SUB_SECTOR);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 || (size_t)got != len) {
			rc = got < 0 ? oi_set_errno(err, OPTIMG_EIO, "cannot "
			    "read '%s'", part) : oi_set_error(err, OPTIMG_EIO,
			    "'%s' is shorter than the rip", part);
			break;
		}
		rc = split_batch(c, d, &sc, lba, n, in, main_buf, sub, err);
		lba += (int32_t)n;
	}
	if (rc == OPTIMG_OK)
		apply_pregaps(d, &sc);
	free(in);
	free(main_buf);
	free(sub);
	return rc;
}

static int
open_out(struct oi_outfile *of, const char *dir, const char *base,
    const char *ext, struct optimg_error *err)
{
	size_t n = strlen(base) + strlen(ext) + 1;
	char *name = malloc(n), *path;
	int rc;

	if (name == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	snprintf(name, n, "%s%s", base, ext);
	path = oi_path_join(dir, name);
	free(name);
	if (path == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	/* Outputs were checked before reading began; replace what appeared
	 * since rather than lose a finished dump. */
	rc = oi_outfile_open(of, path, true, err);
	free(path);
	return rc;
}

int
oi_rip_ccd_write(struct oi_rip_ccd *c, struct optimg_disc *d, int fd,
    const char *part, int32_t end, const char *dir, const char *base,
    struct optimg_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	OI_TRY(oi_hash_init(&c->hash[0], err));
	OI_TRY(oi_hash_init(&c->hash[1], err));
	OI_TRY(open_out(&c->img, dir, base, ".img", err));
	OI_TRY(open_out(&c->sub, dir, base, ".sub", err));
	OI_TRY(open_out(&c->ccd, dir, base, ".ccd", err));
	OI_TRY(split(c, d, fd, part, end, err));
	OI_TRY(oi_ccd_sheet_text(d, end, &text, &len, err));
	rc = oi_outfile_write(&c->ccd, text, len, err);
	free(text);
	OI_TRY(rc);
	oi_hash_final(&c->hash[0], &c->hashes[0]);
	oi_hash_final(&c->hash[1], &c->hashes[1]);
	OI_TRY(oi_outfile_finish(&c->img, err));
	OI_TRY(oi_outfile_finish(&c->sub, err));
	return oi_outfile_finish(&c->ccd, err);
}

int
oi_rip_ccd_commit(struct oi_rip_ccd *c, struct optimg_error *err)
{
	/* The sheet last: a .ccd that appears has its data beside it. */
	OI_TRY(oi_outfile_commit(&c->img, err));
	OI_TRY(oi_outfile_commit(&c->sub, err));
	return oi_outfile_commit(&c->ccd, err);
}

void
oi_rip_ccd_abort(struct oi_rip_ccd *c)
{
	oi_hash_release(&c->hash[0]);
	oi_hash_release(&c->hash[1]);
	oi_outfile_abort(&c->img);
	oi_outfile_abort(&c->sub);
	oi_outfile_abort(&c->ccd);
}
