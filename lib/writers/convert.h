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
/* Whether ct holds any CD-TEXT field; and d, on the disc or a track. */
bool oi_cdtext_any(const struct optimg_cdtext *ct);
bool oi_disc_cdtext_any(const struct optimg_disc *d);
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

/*
 * A sheet (.toc, .gdi) and the data files it names, written as one
 * (sheet_out.c).  init splits out and sizes the arrays; the writer then
 * names each track's file and says which of the nfiles holds it
 * (file_of), and adds prog.total.  copy opens every file and the sheet
 * and copies each track's stored sectors at block(t) bytes a sector;
 * commit writes text as the sheet and renames everything, the sheet last.
 * free aborts whatever was not committed.
 */
struct oi_sheet_out {
	struct optimg_image	*img;
	const struct optimg_disc *disc;
	char			*dir, *base;	/* of the sheet's path */
	char			**names;	/* each track's file */
	unsigned		*file_of;	/* each track's index in files */
	struct oi_outfile	*files, sheet;
	unsigned		 nfiles;
	struct oi_progress	 prog;
};

int oi_sheet_out_init(struct oi_sheet_out *so, struct optimg_image *img,
    const char *out, const char *ext, unsigned nfiles,
    const struct optimg_convert_opts *opts, struct optimg_error *err);
int oi_sheet_out_copy(struct oi_sheet_out *so, const char *out, bool force,
    unsigned (*block)(const struct optimg_track *), struct optimg_error *err);
int oi_sheet_out_commit(struct oi_sheet_out *so, const char *text,
    size_t len, struct optimg_error *err);
void oi_sheet_out_free(struct oi_sheet_out *so);

/*
 * The CloneCD .sub bytes (96 a sector, linear) of n sectors from lba,
 * given them read at 2448 bytes in buf: the image's own subchannel where
 * its track keeps one, else P and Q made from the TOC.
 */
void oi_ccd_make_sub(const struct optimg_disc *d, int32_t lba, uint32_t n,
    const uint8_t *buf, uint8_t *sub);
/*
 * A shallow copy of src (strings stay src's) whose tracks say how the
 * cue writer's bins store them; free only out->tracks.
 */
int oi_cue_out_disc(const struct optimg_disc *src, struct optimg_disc *out,
    struct optimg_error *err);

/* The .ccd text for a one-session disc whose lead-out is at end (the
 * CloneCD writer's, shared with rip); malloc'd. */
int oi_ccd_sheet_text(const struct optimg_disc *disc, int32_t end,
    char **text, size_t *len, struct optimg_error *err);

/*
 * What a writer's output can hold (oi_writer.holds).  convert.c refuses,
 * by name, anything the disc has that the target cannot hold, unless the
 * caller allows a lossy conversion; the writer then leaves it out.
 */
#define OI_HOLDS_CDTEXT		0x01	/* CD-TEXT, disc and tracks */
#define OI_HOLDS_CODES		0x02	/* catalog number and ISRCs */
#define OI_HOLDS_SESSIONS	0x04	/* more than one session */
#define OI_HOLDS_SUB		0x08	/* subchannel of any track */
#define OI_HOLDS_SUB_AUDIO	0x10	/* subchannel of audio tracks (CDG) */
#define OI_HOLDS_TRACKS		0x20	/* tracks: audio, Mode 2, several */

/*
 * An output format.  Adding one is a write_NAME.c defining this and one
 * line in format.c's writers[] (doc/architecture.md).
 */
struct oi_writer {
	const char		*name;		/* "iso", "cue", "ccd", "toc" */
	const char		*alias;		/* another name, or NULL */
	const char		*description;
	const char *const	*extensions;	/* ".iso", ...; NULL-ended */
	unsigned		 holds;		/* OI_HOLDS_* */
	/* Optional: refuses what only this writer can word (before the
	   losses convert.c names). */
	int			(*check)(const struct optimg_image *img,
				    const struct optimg_convert_opts *opts,
				    struct optimg_error *err);
	/*
	 * Writes img to out through outfile.c (temporary names, renamed
	 * when complete).  opts->lossy says the caller accepted losing what
	 * holds lacks; leave it out then.
	 */
	int			(*write)(struct optimg_image *img,
				    const char *out,
				    const struct optimg_convert_opts *opts,
				    struct optimg_error *err);
};

extern const struct oi_writer oi_writer_iso, oi_writer_cue, oi_writer_chd;
extern const struct oi_writer oi_writer_ccd, oi_writer_toc, oi_writer_gdi;
extern const struct oi_writer oi_writer_cso, oi_writer_zso;

/* The writer named name (or alias), else the one out's extension names. */
int oi_writer_find(const char *name, const char *out,
    const struct oi_writer **w, struct optimg_error *err);

/*
 * Bytes a sector of t takes when a writer that holds raw sectors stores it:
 * a plain 2048-byte dump (an ISO) becomes raw 2352 with EDC/ECC made anew,
 * every other track keeps how its image stores it.  The cue writer and
 * verify (Redump's hashes) share this rule.
 */
unsigned oi_track_out_size(const struct optimg_track *t);

#endif
