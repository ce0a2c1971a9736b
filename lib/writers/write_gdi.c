/*
 * write_gdi.c - a GD-ROM out to a .gdi track list and one file a track,
 * as chdman extractcd writes them (the layout fmt_gdi.c reads):
 *
 *   3
 *   1 0 4 2352 NAME01.bin 0
 *   2 450 0 2352 NAME02.raw 0
 *   3 45000 4 2352 NAME03.bin 0
 *
 * Each file holds its track's stored sectors (a stored pregap included,
 * as a .gdi has no INDEX 00), the line gives the LBA of the first; the
 * sectors between one file's end and the next track's LBA (a pregap or
 * postgap no file held, the padding up to the high-density area) stay
 * unstored, as the .gdi leaves them.  Data is raw 2352 (or 2048 where
 * the image keeps only user data), audio little-endian 2352 in a .raw.
 * Only a GD-ROM is written: a .gdi of a CD says what no disc was.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"

struct gdi_job {
	struct optimg_image	*img;
	const struct optimg_disc *disc;
	char			*dir, *base;
	char			**names;	/* each track's file */
	struct oi_outfile	*files, gdi_of;
	struct oi_progress	 prog;
};

/* Bytes a sector of t takes in its file: what the .gdi reader takes. */
static unsigned
gdi_size(const struct optimg_track *t)
{
	if (t->mode != OPTIMG_TRACK_AUDIO && t->sector_size == 2048)
		return 2048;
	return OPTIMG_RAW_SECTOR;
}

static int
check_disc(const struct optimg_disc *d, struct optimg_error *err)
{
	if (d->nsessions != 1 || oi_disc_gdrom_hd_track(d) < 0)
		return oi_set_error(err, OPTIMG_EUNSUPP, "a .gdi lists a "
		    "GD-ROM's tracks, and this image has no high-density area "
		    "(a data track at LBA %d after unstored padding)",
		    OI_GDROM_HD_LBA);
	if (d->ntracks > 99)
		return oi_set_error(err, OPTIMG_EUNSUPP, "%u tracks: a .gdi "
		    "names 99", d->ntracks);
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		if (t->mode != OPTIMG_TRACK_AUDIO &&
		    t->mode != OPTIMG_TRACK_MODE1)
			return oi_set_error(err, OPTIMG_EUNSUPP, "track %u is "
			    "Mode 2; a .gdi's data tracks are Mode 1",
			    t->number);
		if (oi_track_stored_count(t) == 0)
			return oi_set_error(err, OPTIMG_EUNSUPP, "track %u "
			    "stores no sector for a .gdi file to hold",
			    t->number);
	}
	return OPTIMG_OK;
}

static int
plan(struct gdi_job *job, struct optimg_error *err)
{
	const struct optimg_disc *d = job->disc;

	job->names = oi_calloc(d->ntracks, sizeof(*job->names));
	job->files = oi_calloc(d->ntracks, sizeof(*job->files));
	if (job->names == NULL || job->files == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		size_t n = strlen(job->base) + 8;
		job->files[i].fd = -1;
		if ((job->names[i] = malloc(n)) == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		snprintf(job->names[i], n, "%s%02u.%s", job->base, i + 1,
		    t->mode == OPTIMG_TRACK_AUDIO ? "raw" : "bin");
		job->prog.total += (uint64_t)oi_track_stored_count(t) *
		    gdi_size(t);
	}
	return OPTIMG_OK;
}

static int
sheet_text(const struct gdi_job *job, char **text, size_t *len,
    struct optimg_error *err)
{
	const struct optimg_disc *d = job->disc;
	FILE *f = open_memstream(text, len);

	if (f == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	fprintf(f, "%u\n", d->ntracks);
	for (unsigned i = 0; i < d->ntracks; i++) {
		const struct optimg_track *t = &d->tracks[i];
		bool quote = strchr(job->names[i], ' ') != NULL;
		fprintf(f, "%u %ld %d %u %s%s%s 0\n", i + 1,
		    (long)oi_track_stored_first(t),
		    t->mode == OPTIMG_TRACK_AUDIO ? 0 : 4, gdi_size(t),
		    quote ? "\"" : "", job->names[i], quote ? "\"" : "");
	}
	if (fclose(f) != 0) {
		free(*text);
		*text = NULL;
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	return OPTIMG_OK;
}

static int
open_outputs(struct gdi_job *job, const char *out, bool force,
    struct optimg_error *err)
{
	OI_TRY(oi_check_not_input(job->img, out, err));
	for (unsigned i = 0; i < job->disc->ntracks; i++) {
		char *path = oi_path_join(job->dir, job->names[i]);
		int rc;

		if (path == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		rc = oi_check_not_input(job->img, path, err);
		if (rc == OPTIMG_OK)
			rc = oi_outfile_open(&job->files[i], path, force, err);
		free(path);
		OI_TRY(rc);
	}
	return oi_outfile_open(&job->gdi_of, out, force, err);
}

static int
write_all(struct gdi_job *job, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	unsigned n = job->disc->ntracks;
	struct oi_outfile **all;
	uint8_t *bufs[2];
	char *text = NULL;
	size_t len = 0;
	int rc;

	OI_TRY(open_outputs(job, out, opts->force, err));
	bufs[0] = malloc((size_t)OI_CONVERT_CHUNK * OPTIMG_RAW_SECTOR);
	bufs[1] = malloc((size_t)OI_CONVERT_CHUNK * OPTIMG_RAW_SECTOR);
	all = oi_calloc(n + 1, sizeof(*all));
	rc = bufs[0] == NULL || bufs[1] == NULL || all == NULL ?
	    oi_set_error(err, OPTIMG_ENOMEM, "out of memory") : OPTIMG_OK;
	for (unsigned i = 0; i < n && rc == OPTIMG_OK; i++) {
		const struct optimg_track *t = &job->disc->tracks[i];
		rc = oi_copy_sectors(job->img, oi_track_stored_first(t),
		    oi_track_stored_count(t), gdi_size(t), &job->files[i],
		    &job->prog, bufs, err);
	}
	free(bufs[0]);
	free(bufs[1]);
	if (rc == OPTIMG_OK)
		rc = sheet_text(job, &text, &len, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_write(&job->gdi_of, text, len, err);
	free(text);
	for (unsigned i = 0; i < n && rc == OPTIMG_OK; i++) {
		rc = oi_outfile_finish(&job->files[i], err);
		all[i] = &job->files[i];
	}
	if (rc == OPTIMG_OK)
		rc = oi_outfile_finish(&job->gdi_of, err);
	/* The list last: a .gdi that appears has its files beside it. */
	if (rc == OPTIMG_OK) {
		all[n] = &job->gdi_of;
		rc = oi_outfile_commit_all(all, n + 1, err);
	}
	free(all);
	return rc;
}

static void
job_free(struct gdi_job *job)
{
	for (unsigned i = 0; job->files != NULL && i < job->disc->ntracks;
	    i++)
		oi_outfile_abort(&job->files[i]);
	oi_outfile_abort(&job->gdi_of);
	for (unsigned i = 0; job->names != NULL && i < job->disc->ntracks; i++)
		free(job->names[i]);
	free(job->names);
	free(job->files);
	free(job->dir);
	free(job->base);
}

static int
write_gdi(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct gdi_job job;
	int rc;

	memset(&job, 0, sizeof(job));
	job.gdi_of.fd = -1;
	job.img = img;
	job.disc = &img->disc;
	job.prog.fn = opts->progress;
	job.prog.ctx = opts->progress_ctx;
	OI_TRY(check_disc(&img->disc, err));
	rc = oi_output_split(out, ".gdi", &job.dir, &job.base, err);
	if (rc == OPTIMG_OK)
		rc = plan(&job, err);
	if (rc == OPTIMG_OK)
		rc = write_all(&job, out, opts, err);
	job_free(&job);
	return rc;
}

static const char *const gdi_extensions[] = { ".gdi", NULL };

/* A .gdi holds tracks and their sectors, nothing of CD-TEXT, codes or
 * subchannel. */
const struct oi_writer oi_writer_gdi = {
	.name = "gdi",
	.description = "a GD-ROM .gdi",
	.extensions = gdi_extensions,
	.holds = OI_HOLDS_TRACKS,
	.write = write_gdi,
};
