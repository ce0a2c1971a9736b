/*
 * convert.h - what the conversion writers share.  Each writer turns an
 * open image into one output layout; convert.c picks the writer.
 */
#ifndef OI_CONVERT_H
#define OI_CONVERT_H

#include "oi_private.h"
#include "outfile.h"

/* Sectors per read/write pass: a few MiB, so I/O stays in large calls. */
#define OI_CONVERT_CHUNK 1024

struct oi_progress {
	optimg_progress_fn	 fn;
	void			*ctx;
	uint64_t		 done;
	uint64_t		 total;
};

/* Adds bytes to the count and calls the callback; ECANCELED on request. */
int oi_progress_add(struct oi_progress *p, uint64_t bytes,
    struct optimg_error *err);

/*
 * Copies count sectors of size bytes from lba to of, through bufs: two
 * buffers of OI_CONVERT_CHUNK sectors, one written in the background
 * while the other fills.  Waits for the last write before returning, so
 * the buffers are free again; after a failure too.
 */
int oi_copy_sectors(struct optimg_image *img, int32_t lba, uint32_t count,
    unsigned size, struct oi_outfile *of, struct oi_progress *prog,
    uint8_t *bufs[2], struct optimg_error *err);

/* Fails when path is one of the files img reads from. */
int oi_check_not_input(const struct optimg_image *img, const char *path,
    struct optimg_error *err);

/*
 * Pieces of the BIN/CUE writer (write_cue.c) that rip and verify share.
 * A track's stored sectors run from its first stored sector (INDEX 00, or
 * INDEX 01 after an unstored PREGAP) to its end before an unstored POSTGAP.
 */
int32_t oi_track_stored_first(const struct optimg_track *t);
uint32_t oi_track_stored_count(const struct optimg_track *t);
/* Splits out into its directory and its name less ext ("/a/B.cue" ->
 * "/a", "B"); both malloc'd. */
int oi_output_split(const char *out, const char *ext, char **dir,
    char **base, struct optimg_error *err);
char *oi_path_join(const char *dir, const char *name);
/* "BASE (Track N).bin", "Track 01" once there are ten tracks; malloc'd. */
char *oi_redump_track_name(const char *base, const struct optimg_disc *d,
    unsigned i);
/* The cue sheet for disc with track i in the bin names[i]; malloc'd. */
int oi_cue_sheet_text(const struct optimg_disc *disc,
    const char *const *names, char **text, size_t *len,
    struct optimg_error *err);

int oi_write_iso(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err);
int oi_write_cue(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err);
int oi_write_chd(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err);

#endif
