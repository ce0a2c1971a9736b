/*
 * write_cue.c - any image out to a cue sheet with raw bins: one bin for
 * the whole disc, or one per track with Redump's names ("NAME (Track 1).bin",
 * "Track 01" once there are ten tracks or more).
 *
 * Each track's stored sectors run from its first stored sector (INDEX 00,
 * or INDEX 01 after an unstored PREGAP) to the end of its data before any
 * unstored POSTGAP; cue_write.c computes INDEX positions the same way.
 * A plain 2048-byte dump (an ISO) becomes MODE1/2352 with EDC/ECC made
 * anew; other tracks keep how their image stores them.  A cue holds
 * subchannel only as CDG (audio, 2448-byte sectors): an audio track with
 * subchannel becomes CDG, a data track's subchannel is dropped when the
 * caller allowed it (convert.c refuses otherwise).
 */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chd.h"
#include "convert.h"

struct cue_job {
	struct optimg_image	*img;
	struct optimg_disc	 disc;		/* copy with output sizes */
	char			*dir;
	char			*base;		/* output name without .cue */
	char			**names;	/* per track, basename of bin */
	struct oi_outfile	*bins;		/* per distinct file */
	unsigned		*bin_of_track;
	unsigned		 nbins;
	struct oi_outfile	 cue;
	struct oi_progress	 prog;
	enum oi_pack_kind	 pack;		/* how the bins are compressed */
	unsigned		 level;		/* and how hard (0: default) */
	char			*suffix;	/* ".xz" after their names */
};

unsigned
oi_track_out_size(const struct optimg_track *t)
{
	/* Cooked Mode 2 Form 1 (a toc's MODE2_FORM1) has no cue spelling. */
	if (t->storage == OPTIMG_STORE_PLAIN || (t->sector_size ==
	    OPTIMG_USER_SECTOR && t->mode != OPTIMG_TRACK_MODE1))
		return OPTIMG_RAW_SECTOR;
	return t->sector_size;
}

/* Sets t's sector size and subchannel as the bin will hold them. */
static void
cue_storage(struct optimg_track *t)
{
	unsigned size = oi_track_out_size(t);

	if (t->subchannel && t->mode == OPTIMG_TRACK_AUDIO)
		size = OPTIMG_RAW_SUB_SECTOR;		/* CDG */
	else if (size == OPTIMG_RAW_SUB_SECTOR || t->subchannel) {
		size = size == OPTIMG_RAW_SUB_SECTOR ? OPTIMG_RAW_SECTOR : size;
		t->subchannel = false;
	}
	t->sector_size = size;
}

int32_t
oi_track_stored_first(const struct optimg_track *t)
{
	int32_t first = optimg_track_first_lba(t) + (int32_t)t->pregap_unstored;

	/* Sectors before LBA 0 (track 1's lead-in pregap, which a DAO NRG
	 * or a CDI keeps) have no place in a bin, a CHD or a dump's hash:
	 * a cue's first frame is LBA 0. */
	return OI_MAX(first, 0);
}

uint32_t
oi_track_stored_count(const struct optimg_track *t)
{
	int32_t end = t->start + (int32_t)t->length -
	    (int32_t)t->postgap_unstored;

	return (uint32_t)(end - oi_track_stored_first(t));
}

int
oi_output_split(const char *out, const char *ext, char **dir, char **base,
    struct optimg_error *err)
{
	char *d = strdup(out), *b = strdup(out);
	size_t n, e = strlen(ext);

	*dir = *base = NULL;
	if (d == NULL || b == NULL) {
		free(d);
		free(b);
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	*dir = strdup(dirname(d));
	*base = strdup(basename(b));
	free(d);
	free(b);
	if (*dir == NULL || *base == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	n = strlen(*base);
	if (n > e && strcasecmp(*base + n - e, ext) == 0)
		(*base)[n - e] = '\0';
	if ((*base)[0] == '\0')
		return oi_set_error(err, OPTIMG_EINVAL,
		    "'%s' is not a usable output name", out);
	return OPTIMG_OK;
}

static int
split_name(struct cue_job *job, const char *out, struct optimg_error *err)
{
	return oi_output_split(out, ".cue", &job->dir, &job->base, err);
}

char *
oi_path_join(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *
oi_redump_track_name(const char *base, const struct optimg_disc *d,
    unsigned i)
{
	size_t n = strlen(base) + 32;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s (Track %0*u).bin", base,
		    d->ntracks >= 10 ? 2 : 1, d->tracks[i].number);
	return p;
}

static int
make_names(struct cue_job *job, bool split, struct optimg_error *err)
{
	const struct optimg_disc *d = &job->disc;

	job->names = calloc(d->ntracks, sizeof(char *));
	job->bin_of_track = calloc(d->ntracks, sizeof(unsigned));
	if (job->names == NULL || job->bin_of_track == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < d->ntracks; i++) {
		size_t n = strlen(job->base) + 8;

		if (split)
			job->names[i] = oi_redump_track_name(job->base, d, i);
		else if ((job->names[i] = malloc(n)) != NULL)
			snprintf(job->names[i], n, "%s.bin", job->base);
		if (job->names[i] == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		job->bin_of_track[i] = split ? i : 0;
	}
	job->nbins = split ? d->ntracks : 1;
	return OPTIMG_OK;
}

/* dir/name, and the compression suffix when the bins are packed. */
static char *
packed_path(const struct cue_job *job, const char *name)
{
	char *path = oi_path_join(job->dir, name), *p;
	size_t n;

	if (path == NULL || job->suffix == NULL)
		return path;
	n = strlen(path) + strlen(job->suffix) + 1;
	if ((p = malloc(n)) != NULL)
		snprintf(p, n, "%s%s", path, job->suffix);
	free(path);
	return p;
}

/*
 * "x.bin.xz": the bins are written compressed (x.bin.xz) and the cue
 * sheet, plain text, is x.cue and names them x.bin, as a cue beside
 * files that ecm(1), xz or gzip packed does; readers find x.bin.xz for
 * x.bin (oi_find_file).  *cue gets "x.cue".
 */
static int
packed_names(struct cue_job *job, const char *out, char **cue,
    struct optimg_error *err)
{
	size_t sl = oi_pack_suffix_len(out), n = strlen(out) - sl;

	*cue = NULL;
	job->pack = oi_pack_kind_of(out);
	if (sl == 0)
		return OPTIMG_OK;
	if (n < 5 || strncasecmp(out + n - 4, ".bin", 4) != 0)
		return oi_set_error(err, OPTIMG_EINVAL, "'%s': compressed "
		    "BIN/CUE output is named NAME.bin%s (the bins are "
		    "compressed, NAME.cue stays text)", out, out + n);
	job->suffix = strdup(out + n);
	*cue = strdup(out);
	if (job->suffix == NULL || *cue == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	memcpy(*cue + n - 4, ".cue", 5);
	return OPTIMG_OK;
}

/* Every output must be new (or --force) and none may be an input. */
static int
open_outputs(struct cue_job *job, const char *cue_path, bool force,
    struct optimg_error *err)
{
	job->bins = calloc(job->nbins, sizeof(*job->bins));
	if (job->bins == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < job->nbins; i++)
		job->bins[i].fd = -1;
	job->cue.fd = -1;
	OI_TRY(oi_check_not_input(job->img, cue_path, err));
	for (unsigned i = 0; i < job->disc.ntracks; i++) {
		struct oi_outfile *of = &job->bins[job->bin_of_track[i]];
		char *path = packed_path(job, job->names[i]);
		int rc;

		if (path == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		rc = oi_check_not_input(job->img, path, err);
		if (rc == OPTIMG_OK && of->path == NULL) {
			rc = oi_outfile_open(of, path, force, err);
			if (rc == OPTIMG_OK)
				rc = oi_outfile_pack(of, job->pack, job->level,
				    err);
		}
		free(path);
		OI_TRY(rc);
	}
	return oi_outfile_open(&job->cue, cue_path, force, err);
}

/* bufs: two chunk buffers, written alternately in the background. */
static int
copy_track(struct cue_job *job, unsigned i, uint8_t *bufs[2],
    struct optimg_error *err)
{
	const struct optimg_track *t = &job->disc.tracks[i];

	/* The next track may go to another bin: this waits for its writes. */
	return oi_copy_sectors(job->img, oi_track_stored_first(t),
	    oi_track_stored_count(t), t->sector_size,
	    &job->bins[job->bin_of_track[i]], &job->prog, bufs, err);
}

int
oi_cue_sheet_text(const struct optimg_disc *disc, const char *const *names,
    char **text, size_t *len, struct optimg_error *err)
{
	FILE *mem = open_memstream(text, len);
	int rc;

	if (mem == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_cue_write(mem, disc, names, err);
	if (fclose(mem) != 0 && rc == OPTIMG_OK)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	if (rc < 0) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

static int
write_sheet(struct cue_job *job, struct optimg_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = oi_cue_sheet_text(&job->disc, (const char *const *)job->names,
	    &text, &len, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_write(&job->cue, text, len, err);
	free(text);
	return rc;
}

static int
commit_outputs(struct cue_job *job, struct optimg_error *err)
{
	struct oi_outfile **v = calloc(job->nbins + 1, sizeof(*v));
	int rc;

	if (v == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < job->nbins; i++)
		v[i] = &job->bins[i];
	v[job->nbins] = &job->cue;
	rc = oi_outfile_commit_all(v, job->nbins + 1, err);
	free(v);
	return rc;
}

static int
write_all(struct cue_job *job, struct optimg_error *err)
{
	uint8_t *bufs[2];
	int rc = OPTIMG_OK;

	bufs[0] = oi_io_alloc((size_t)OI_CONVERT_CHUNK * 2448);
	bufs[1] = oi_io_alloc((size_t)OI_CONVERT_CHUNK * 2448);
	if (bufs[0] == NULL || bufs[1] == NULL)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < job->disc.ntracks && rc == OPTIMG_OK; i++)
		rc = copy_track(job, i, bufs, err);
	for (unsigned i = 0; i < job->nbins && rc == OPTIMG_OK; i++)
		rc = oi_outfile_finish(&job->bins[i], err);
	free(bufs[0]);
	free(bufs[1]);
	if (rc == OPTIMG_OK)
		rc = write_sheet(job, err);
	if (rc == OPTIMG_OK)
		rc = oi_outfile_finish(&job->cue, err);
	/* Bins first: a cue that appears always has its data beside it. */
	if (rc == OPTIMG_OK)
		rc = commit_outputs(job, err);
	return rc;
}

int
oi_cue_out_disc(const struct optimg_disc *src, struct optimg_disc *out,
    struct optimg_error *err)
{
	*out = *src;
	out->tracks = calloc(src->ntracks, sizeof(*src->tracks));
	if (out->tracks == NULL && src->ntracks > 0)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (unsigned i = 0; i < src->ntracks; i++) {
		out->tracks[i] = src->tracks[i];
		cue_storage(&out->tracks[i]);
	}
	return OPTIMG_OK;
}

static int
prepare_disc(struct cue_job *job, struct optimg_error *err)
{
	const struct optimg_disc *src = &job->img->disc;

	OI_TRY(oi_cue_out_disc(src, &job->disc, err));
	for (unsigned i = 0; i < src->ntracks; i++)
		job->prog.total += (uint64_t)oi_track_stored_count(
		    &src->tracks[i]) * job->disc.tracks[i].sector_size;
	return OPTIMG_OK;
}

static void
job_release(struct cue_job *job)
{
	for (unsigned i = 0; job->bins != NULL && i < job->nbins; i++)
		oi_outfile_abort(&job->bins[i]);
	oi_outfile_abort(&job->cue);
	for (unsigned i = 0; job->names != NULL && i < job->disc.ntracks; i++)
		free(job->names[i]);
	free(job->names);
	free(job->bins);
	free(job->bin_of_track);
	free(job->disc.tracks);	/* shallow copy: strings belong to img */
	free(job->dir);
	free(job->base);
	free(job->suffix);
}

static int
write_cue(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	struct cue_job job;
	char *cue = NULL;
	int rc;

	memset(&job, 0, sizeof(job));
	job.img = img;
	job.cue.fd = -1;
	job.prog.fn = opts->progress;
	job.level = opts->level;
	job.prog.ctx = opts->progress_ctx;
	if (opts->data_track != 0) {
		oi_set_error(err, OPTIMG_EINVAL, "keeping one data track "
		    "applies to ISO output; a cue keeps every track");
		return oi_error_about(err, OPTIMG_OPTION_DATA_TRACK);
	}
	rc = packed_names(&job, out, &cue, err);
	if (cue != NULL)
		out = cue;
	/* A CHD of ours gives back the very sheet and files. */
	if (rc == OPTIMG_OK) {
		rc = oi_chd_write_original(img, out, opts, job.pack,
		    job.suffix, err);
		if (rc != OPTIMG_ENOENT) {
			job_release(&job);
			free(cue);
			return rc;
		}
		rc = OPTIMG_OK;
	}
	if (rc == OPTIMG_OK)
		rc = prepare_disc(&job, err);
	if (rc == OPTIMG_OK)
		rc = split_name(&job, out, err);
	if (rc == OPTIMG_OK)
		rc = make_names(&job, opts->split, err);
	if (rc == OPTIMG_OK)
		rc = open_outputs(&job, out, opts->force, err);
	if (rc == OPTIMG_OK)
		rc = write_all(&job, err);
	job_release(&job);
	free(cue);
	return rc;
}

static const char *const cue_extensions[] = { ".cue", NULL };

const struct oi_writer oi_writer_cue = {
	.name = "cue",
	.alias = "bin",
	.description = "a cue sheet",
	.extensions = cue_extensions,
	.holds = OI_HOLDS_CDTEXT | OI_HOLDS_CODES | OI_HOLDS_SESSIONS |
	    OI_HOLDS_SUB_AUDIO | OI_HOLDS_TRACKS,
	.write = write_cue,
};
