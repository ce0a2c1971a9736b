/*
 * sheet_out.c - a sheet (.toc, .gdi) and the data files it names, written
 * as one: every file under a temporary name, each track's stored sectors
 * copied into its file, the sheet renamed into place last, so that a
 * sheet that appears has its files beside it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "convert.h"

int
oi_sheet_out_init(struct oi_sheet_out *so, struct optimg_image *img,
    const char *out, const char *ext, unsigned nfiles,
    const struct optimg_convert_opts *opts, struct optimg_error *err)
{
	unsigned n = img->disc.ntracks;

	memset(so, 0, sizeof(*so));
	so->sheet.fd = -1;
	so->img = img;
	so->disc = &img->disc;
	so->prog.fn = opts->progress;
	so->prog.ctx = opts->progress_ctx;
	OI_TRY(oi_output_split(out, ext, &so->dir, &so->base, err));
	so->names = oi_calloc(n, sizeof(*so->names));
	so->file_of = oi_calloc(n, sizeof(*so->file_of));
	so->files = oi_calloc(nfiles, sizeof(*so->files));
	if (so->names == NULL || so->file_of == NULL || so->files == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	so->nfiles = nfiles;
	for (unsigned i = 0; i < nfiles; i++)
		so->files[i].fd = -1;
	return OPTIMG_OK;
}

static int
open_all(struct oi_sheet_out *so, const char *out, bool force,
    struct optimg_error *err)
{
	OI_TRY(oi_check_not_input(so->img, out, err));
	for (unsigned i = 0; i < so->disc->ntracks; i++) {
		struct oi_outfile *of = &so->files[so->file_of[i]];
		char *path = oi_path_join(so->dir, so->names[i]);
		int rc;

		if (path == NULL)
			return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
		rc = oi_check_not_input(so->img, path, err);
		if (rc == OPTIMG_OK && of->path == NULL)
			rc = oi_outfile_open(of, path, force, err);
		free(path);
		OI_TRY(rc);
	}
	return oi_outfile_open(&so->sheet, out, force, err);
}

int
oi_sheet_out_copy(struct oi_sheet_out *so, const char *out, bool force,
    unsigned (*block)(const struct optimg_track *), struct optimg_error *err)
{
	uint8_t *bufs[2];
	int rc;

	OI_TRY(open_all(so, out, force, err));
	bufs[0] = malloc((size_t)OI_CONVERT_CHUNK * OPTIMG_RAW_SUB_SECTOR);
	bufs[1] = malloc((size_t)OI_CONVERT_CHUNK * OPTIMG_RAW_SUB_SECTOR);
	rc = bufs[0] == NULL || bufs[1] == NULL ?
	    oi_set_error(err, OPTIMG_ENOMEM, "out of memory") : OPTIMG_OK;
	for (unsigned i = 0; i < so->disc->ntracks && rc == OPTIMG_OK; i++) {
		const struct optimg_track *t = &so->disc->tracks[i];

		rc = oi_copy_sectors(so->img, oi_track_stored_first(t),
		    oi_track_stored_count(t), block(t),
		    &so->files[so->file_of[i]], &so->prog, bufs, err);
	}
	free(bufs[0]);
	free(bufs[1]);
	return rc;
}

int
oi_sheet_out_commit(struct oi_sheet_out *so, const char *text, size_t len,
    struct optimg_error *err)
{
	struct oi_outfile **all = oi_calloc(so->nfiles + 1, sizeof(*all));
	int rc = all == NULL ?
	    oi_set_error(err, OPTIMG_ENOMEM, "out of memory") : OPTIMG_OK;

	if (rc == OPTIMG_OK)
		rc = oi_outfile_write(&so->sheet, text, len, err);
	for (unsigned i = 0; i < so->nfiles && rc == OPTIMG_OK; i++) {
		rc = oi_outfile_finish(&so->files[i], err);
		all[i] = &so->files[i];
	}
	if (rc == OPTIMG_OK)
		rc = oi_outfile_finish(&so->sheet, err);
	if (rc == OPTIMG_OK) {
		all[so->nfiles] = &so->sheet;
		rc = oi_outfile_commit_all(all, so->nfiles + 1, err);
	}
	free(all);
	return rc;
}

void
oi_sheet_out_free(struct oi_sheet_out *so)
{
	for (unsigned i = 0; so->files != NULL && i < so->nfiles; i++)
		oi_outfile_abort(&so->files[i]);
	oi_outfile_abort(&so->sheet);
	for (unsigned i = 0; so->names != NULL && i < so->disc->ntracks; i++)
		free(so->names[i]);
	free(so->names);
	free(so->file_of);
	free(so->files);
	free(so->dir);
	free(so->base);
}
