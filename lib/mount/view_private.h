/*
 * view_private.h - what the files of a view share (view.c, view_files.c,
 * view_pool.c, view_read.c).  A view is a table of virtual files made from
 * the disc model when it is opened, each one either text held in memory,
 * or a header in memory followed by a run of sectors read at one size, plus
 * the image's file system under files/.  Nothing is read at open beyond
 * what the file system's root needs.
 */
#ifndef VIEW_PRIVATE_H
#define VIEW_PRIVATE_H

#ifndef OPTIMG_BUILD
#error "view_private.h is internal to liboptimg"
#endif

#include <pthread.h>

#include "oi_private.h"

#define VIEW_HANDLES	8	/* images open at most, by default */
#define VIEW_HANDLES_MAX 64
#define VIEW_BATCH	256	/* sectors a bounce pass */
#define VIEW_DIRECT	4096	/* sectors read straight into the caller's */

/* Directories of virtual files. */
enum view_dir { VIEW_ROOT, VIEW_TRACKS };

/* Fixed inode numbers; virtual files follow from VIEW_INO_FILES. */
#define VIEW_INO_ROOT	1
#define VIEW_INO_TRACKS	2
#define VIEW_INO_FILES	16

struct view_file {
	char		*name;		/* in its directory */
	enum view_dir	 dir;
	uint8_t		*head;		/* text, or a WAV header */
	size_t		 head_len;
	int32_t		 lba;		/* sectors after the head */
	uint32_t	 count;
	unsigned	 rsize;		/* bytes a sector read from the image */
	unsigned	 ssize;		/* bytes a sector in the file */
	bool		 ccd_sub;	/* ssize 96 made from rsize 2448 */
	uint64_t	 size;
};

/* One image (and its file system) that one thread at a time reads. */
struct view_handle {
	struct optimg_image	*img;
	struct optimg_fs	*fs;
	uint8_t			*buf;	/* VIEW_BATCH sectors of 2448 */
	uint8_t			*sub;	/* VIEW_BATCH * 96 */
	bool			 busy;
	bool			 dead;	/* reopening failed */
	bool			 own;	/* freed with the view */
};

enum view_kind { VIEW_N_ROOT, VIEW_N_TRACKS, VIEW_N_FILE, VIEW_N_FS };

struct optimg_view_node {
	enum view_kind		 kind;
	unsigned		 file;	/* VIEW_N_FILE: index in v->files */
	struct optimg_fs_stat	*fs;	/* VIEW_N_FS: a copy */
	char			*path;	/* VIEW_N_FS: "/a/b" in the image */
	struct optimg_view_stat	 st;
};

struct optimg_view {
	struct optimg_view_opts	 opts;
	const struct optimg_disc *disc;	/* the first image's, read-only */
	struct view_file	*files;
	unsigned		 nfiles;
	bool			 tracks_dir;	/* some WAV */
	bool			 has_fs;
	char			 fs_problem[OPTIMG_ERRMSG_MAX];
	struct optimg_view_stat	 base;	/* uid, gid, times of the image */

	pthread_mutex_t		 mu;
	pthread_cond_t		 freed;
	struct view_handle	*h;
	unsigned		 nh, maxh;
	bool			 no_reopen;
};

/* view_files.c: the table of virtual files. */
int oi_view_build_files(struct optimg_view *v, struct optimg_image *img,
    struct optimg_error *err);
void oi_view_release_files(struct optimg_view *v);

/* view_pool.c: a free handle (waiting for one when all are busy); with
   want_fs its file system is open. */
int oi_view_acquire(struct optimg_view *v, bool want_fs,
    struct view_handle **out, struct optimg_error *err);
void oi_view_release(struct optimg_view *v, struct view_handle *h);
void oi_view_pool_free(struct optimg_view *v);

/* view_read.c */
int oi_view_read_file(struct optimg_view *v, const struct view_file *f,
    uint64_t off, uint8_t *buf, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err);
int oi_view_read_fs(struct optimg_view *v, const struct optimg_view_node *n,
    uint64_t off, uint8_t *buf, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err);

/* view.c: an fs entry's stat as the view shows it (path: "/a/b"). */
void oi_view_fs_stat(const struct optimg_view *v,
    const struct optimg_fs_stat *fs, const char *path,
    struct optimg_view_stat *out);

#endif
