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

/* Fails when path is one of the files img reads from. */
int oi_check_not_input(const struct optimg_image *img, const char *path,
    struct optimg_error *err);

int oi_write_iso(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err);
int oi_write_cue(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, struct optimg_error *err);

#endif
