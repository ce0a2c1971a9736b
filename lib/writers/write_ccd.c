/*
 * write_ccd.c - any single-session image out to CloneCD: NAME.img (every
 * sector from LBA 0 to the lead-out, raw 2352 bytes), NAME.sub (96 bytes
 * of subchannel a sector, each channel as 12 consecutive bytes, P first)
 * and NAME.ccd, an INI text holding the full TOC as the drive reports it
 * (one [Entry] per point: A0 first track, A1 last track, A2 lead-out, then
 * each track) and a [TRACK n] section with its mode and indices.
 *
 * The subchannel is the image's own for tracks that keep one
 * (track->subchannel; a gap in them that no file holds reads as zeros,
 * which no real Q is); elsewhere P and Q
 * are made from the table of contents (subchannel.c) and R-W are zero, as
 * CloneCD readers need a .sub.  Sectors no file stores (unstored pregaps
 * and postgaps) are written as silence or empty sectors of their mode,
 * since a CloneCD image is addressed by byte offset = LBA * 2352.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

#define CCD_BATCH 256		/* sectors a pass */

struct ccd_job {
	struct optimg_image	*img;
	const struct optimg_disc *disc;
	char			*dir, *base;
	struct oi_outfile	 img_of, sub_of, ccd_of;
	struct oi_progress	 prog;
	int32_t			 end;		/* lead-out LBA */
};

static unsigned
control_of(const struct optimg_track *t)
{
	return (t->flags & 0x0f) |
	    (t->mode != OPTIMG_TRACK_AUDIO ? OPTIMG_FLAG_DATA : 0);
}

static void
put_entry(FILE *f, unsigned n, unsigned point, unsigned control,
    int32_t plba, unsigned pmin, unsigned psec, unsigned pframe)
{
	fprintf(f, "[Entry %u]\nSession=1\nPoint=0x%02x\nADR=0x01\n"
	    "Control=0x%02x\nTrackNo=0\nAMin=0\nASec=0\nAFrame=0\n"
	    "ALBA=-150\nZero=0\nPMin=%u\nPSec=%u\nPFrame=%u\nPLBA=%ld\n",
	    n, point, control, pmin, psec, pframe, (long)plba);
}

/* PLBA of an A0/A1 entry whose P fields are not an address. */
static int32_t
plba_of(unsigned m, unsigned s, unsigned f)
{
	return (int32_t)((m * 60 + s) * OPTIMG_FRAMES_PER_SEC + f) -
	    OPTIMG_MSF_OFFSET;
}

static unsigned
disc_type(const struct optimg_disc *d)
{
	for (unsigned i = 0; i < d->ntracks; i++) {
		if (d->tracks[i].mode == OPTIMG_TRACK_CDI)
			return 0x10;
		if (d->tracks[i].mode == OPTIMG_TRACK_MODE2)
			return 0x20;
	}
	return 0x00;
}

static void
put_toc(FILE *f, const struct optimg_disc *d, int32_t end)
{
	const struct optimg_track *first = &d->tracks[0];
	const struct optimg_track *last = &d->tracks[d->ntracks - 1];
	unsigned m, s, fr, n = 0;

	put_entry(f, n++, 0xa0, control_of(first),
	    plba_of(first->number, disc_type(d), 0), first->number,
	    disc_type(d), 0);
	put_entry(f, n++, 0xa1, control_of(last),
	    plba_of(last->number, 0, 0), last->number, 0, 0);
	optimg_lba_to_msf(end, &m, &s, &fr);
	put_entry(f, n++, 0xa2, control_of(last), end, m, s, fr);
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		optimg_lba_to_msf(t->start, &m, &s, &fr);
		put_entry(f, n++, t->number, control_of(t), t->start, m, s,
		    fr);
	}
}

static void
put_tracks(FILE *f, const struct optimg_disc *d)
{
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		fprintf(f, "[TRACK %u]\nMODE=%u\n", t->number,
		    t->mode == OPTIMG_TRACK_AUDIO ? 0 :
		    t->mode == OPTIMG_TRACK_MODE1 ? 1 : 2);
		if (t->isrc[0] != '\0')
			fprintf(f, "ISRC=%.12s\n", t->isrc);
		for (unsigned k = 0; k < OPTIMG_MAX_INDEX; k++) {
			int32_t lba = k == 0 && t->index[0] == OPTIMG_NO_INDEX &&
			    t->pregap > 0 ? optimg_track_first_lba(t) :
			    t->index[k];
			if (lba != OPTIMG_NO_INDEX && lba >= 0)
				fprintf(f, "INDEX %u=%ld\n", k, (long)lba);
		}
	}
}

int
oi_ccd_sheet_text(const struct optimg_disc *d, int32_t end, char **text,
    size_t *len, struct optimg_error *err)
{
	FILE *f = open_memstream(text, len);

	if (f == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	fprintf(f, "[CloneCD]\nVersion=3\n[Disc]\nTocEntries=%u\nSessions=1\n"
	    "DataTracksScrambled=0\nCDTextLength=0\n", d->ntracks + 3);
	if (d->catalog[0] != '\0')
		fprintf(f, "CATALOG=%.13s\n", d->catalog);
	fprintf(f, "[Session 1]\nPreGapMode=%u\nPreGapSubC=0\n",
	    d->tracks[0].mode == OPTIMG_TRACK_AUDIO ? 0 :
	    d->tracks[0].mode == OPTIMG_TRACK_MODE1 ? 1 : 2);
	put_toc(f, d, end);
	put_tracks(f, d);
	if (fclose(f) != 0) {
		free(*text);
		*text = NULL;
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	return OPTIMG_OK;
}

/*
 * Whether lba's track keeps a subchannel: its own is written, else P and
 * Q are made from the TOC.  Tracks are walked with a cursor, as lba only
 * grows.
 */
static bool
track_keeps_sub(const struct optimg_disc *d, unsigned *cursor, int32_t lba)
{
	while (*cursor + 1 < d->ntracks &&
	    optimg_track_first_lba(&d->tracks[*cursor + 1]) <= lba)
		(*cursor)++;
	return d->tracks[*cursor].subchannel;
}

void
oi_ccd_make_sub(const struct optimg_disc *d, int32_t lba, uint32_t n,
    const uint8_t *buf, uint8_t *sub)
{
	uint8_t raw[OPTIMG_SUBCHANNEL];
	unsigned cursor = 0;

	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *kept = buf + (size_t)i * OPTIMG_RAW_SUB_SECTOR +
		    OPTIMG_RAW_SECTOR;
		bool own = track_keeps_sub(d, &cursor, lba + (int32_t)i);
		bool any = false;
		/* A gap no file holds has no subchannel even in such a
		   track: all zero, which no real Q is. */
		for (unsigned k = 0; own && k < OPTIMG_SUBCHANNEL && !any; k++)
			any = kept[k] != 0;
		own = own && any;
		if (!own)
			oi_sub_make(d, lba + (int32_t)i, raw);
		oi_sub_deinterleave(own ? kept : raw,
		    sub + (size_t)i * OPTIMG_SUBCHANNEL);
	}
}

static int
write_sectors(struct ccd_job *job, struct optimg_error *err)
{
	uint8_t *buf = malloc((size_t)CCD_BATCH * OPTIMG_RAW_SUB_SECTOR);
	uint8_t *main_buf = malloc((size_t)CCD_BATCH * OPTIMG_RAW_SECTOR);
	uint8_t *sub = malloc((size_t)CCD_BATCH * OPTIMG_SUBCHANNEL);
	int rc = OPTIMG_OK;

	if (buf == NULL || main_buf == NULL || sub == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (int32_t lba = 0; rc == OPTIMG_OK && lba < job->end;) {
		uint32_t n = (uint32_t)OI_MIN((int32_t)CCD_BATCH,
		    job->end - lba);
		if (optimg_image_read(job->img, lba, n, OPTIMG_RAW_SUB_SECTOR,
		    buf) < 0) {
			*err = job->img->err;
			rc = err->code;
			break;
		}
		for (uint32_t i = 0; i < n; i++)
			memcpy(main_buf + (size_t)i * OPTIMG_RAW_SECTOR,
			    buf + (size_t)i * OPTIMG_RAW_SUB_SECTOR,
			    OPTIMG_RAW_SECTOR);
		oi_ccd_make_sub(job->disc, lba, n, buf, sub);
		rc = oi_outfile_write(&job->img_of, main_buf,
		    (size_t)n * OPTIMG_RAW_SECTOR, err);
		if (rc == OPTIMG_OK)
			rc = oi_outfile_write(&job->sub_of, sub,
			    (size_t)n * OPTIMG_SUBCHANNEL, err);
		if (rc == OPTIMG_OK)
			rc = oi_progress_add(&job->prog,
			    (uint64_t)n * OPTIMG_RAW_SUB_SECTOR, err);
		lba += (int32_t)n;
	}
	free(buf);
	free(main_buf);
	free(sub);
	return rc;
}

static int
open_one(struct ccd_job *job, struct oi_outfile *of, const char *ext,
    bool force, struct optimg_error *err)
{
	size_t n = strlen(job->base) + strlen(ext) + 1;
	char *name = malloc(n), *path;
	int rc;

	if (name == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	snprintf(name, n, "%s%s", job->base, ext);
	path = oi_path_join(job->dir, name);
	free(name);
	if (path == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_check_not_input(job->img, path, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_open(of, path, force, err);
	free(path);
	return rc;
}

static int
write_all(struct ccd_job *job, const struct optimg_convert_opts *opts,
    struct optimg_error *err)
{
	struct oi_outfile *all[3] = { &job->img_of, &job->sub_of,
	    &job->ccd_of };
	char *text = NULL;
	size_t len = 0;
	int rc;

	OI_TRY(open_one(job, &job->img_of, ".img", opts->force, err));
	OI_TRY(open_one(job, &job->sub_of, ".sub", opts->force, err));
	OI_TRY(open_one(job, &job->ccd_of, ".ccd", opts->force, err));
	rc = write_sectors(job, err);
	if (rc == OPTIMG_OK)
		rc = oi_ccd_sheet_text(job->disc, job->end, &text, &len, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_write(&job->ccd_of, text, len, err);
	free(text);
	for (unsigned i = 0; i < 3 && rc == OPTIMG_OK; i++)
		rc = oi_outfile_finish(all[i], err);
	/* The sheet last: a .ccd that appears has its data beside it. */
	if (rc == OPTIMG_OK)
		rc = oi_outfile_commit_all(all, 3, err);
	return rc;
}

static int
write_ccd(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct ccd_job job;
	const struct optimg_disc *d = &img->disc;
	int rc;

	memset(&job, 0, sizeof(job));
	job.img_of.fd = job.sub_of.fd = job.ccd_of.fd = -1;
	job.img = img;
	job.disc = d;
	job.prog.fn = opts->progress;
	job.prog.ctx = opts->progress_ctx;
	if (d->ntracks == 0 || d->nsessions != 1)
		return oi_set_error(err, OPTIMG_EUNSUPP, "CloneCD output of "
		    "%u sessions is not written yet", d->nsessions);
	job.end = d->sessions[0].leadout;
	job.prog.total = (uint64_t)job.end * OPTIMG_RAW_SUB_SECTOR;
	rc = oi_output_split(out, ".ccd", &job.dir, &job.base, err);
	if (rc == OPTIMG_OK)
		rc = write_all(&job, opts, err);
	oi_outfile_abort(&job.img_of);
	oi_outfile_abort(&job.sub_of);
	oi_outfile_abort(&job.ccd_of);
	free(job.dir);
	free(job.base);
	return rc;
}

static const char *const ccd_extensions[] = { ".ccd", NULL };

const struct oi_writer oi_writer_ccd = {
	.name = "ccd",
	.alias = "clonecd",
	.description = "a CloneCD image",
	.extensions = ccd_extensions,
	.holds = OI_HOLDS_TRACKS | OI_HOLDS_SUB | OI_HOLDS_CODES,
	.write = write_ccd,
};
