/*
 * optimg.h - the public interface of liboptimg, a library for optical disc
 * images: the sector codec (ECMA-130), the disc model (sessions, tracks,
 * indices) and image formats behind one interface.
 *
 * Conventions:
 *  - Functions that can fail return an int: 0 (OPTIMG_OK) on success, a
 *    negative OPTIMG_E* code on failure.  Details are kept on the object
 *    that failed (optimg_image_errmsg()), or in a caller-provided
 *    struct optimg_error where there is no object.
 *  - The library never prints and never exits.  Warnings and progress go
 *    to callbacks the caller registers.
 *  - LBAs are "logical block addresses" as MMC counts them: the first
 *    sector of the program area is LBA 0 and has MSF 00:02:00.
 *  - Strings passed in are copied.  Pointers returned are borrowed: they
 *    stay valid until the owner is freed.
 *  - Threads: the library keeps no global state except where a section
 *    says so under "Threads:".  An object (image, fs, mkiso, drive, ...)
 *    is used by one thread at a time; different objects may be used on
 *    different threads at once, even over the same file.  Functions that
 *    take no object are thread-safe.  Callbacks run on the calling
 *    thread unless their section says otherwise.
 */
#ifndef OPTIMG_H
#define OPTIMG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- status codes ------------------------------------------------------ */

enum optimg_status {
	OPTIMG_OK = 0,
	OPTIMG_ENOMEM = -1,	/* out of memory */
	OPTIMG_EIO = -2,	/* read or write failed (errno kept in message) */
	OPTIMG_EFORMAT = -3,	/* input is malformed */
	OPTIMG_EUNSUPP = -4,	/* valid, but not something we handle */
	OPTIMG_EINVAL = -5,	/* bad argument from the caller */
	OPTIMG_ENOENT = -6,	/* a file does not exist */
	OPTIMG_EEXIST = -7,	/* output exists and overwriting was not asked */
	OPTIMG_ECANCELED = -8,	/* the progress callback asked to stop */
	OPTIMG_ELOSSY = -9,	/* the operation would lose data */
	OPTIMG_ERANGE = -10,	/* an address outside the disc */
};

#define OPTIMG_ERRMSG_MAX 512

/*
 * The caller's choices, by meaning, that an error can be about or that
 * would get past it.  Messages never name a front end's flags; a front
 * end words its own hint from these (the optimg CLI says "use --force
 * to replace it" for OPTIMG_OPTION_REPLACE).
 */
enum optimg_option {
	OPTIMG_OPTION_NONE,
	OPTIMG_OPTION_REPLACE,		/* replace an existing output (force) */
	OPTIMG_OPTION_CONFIRM,		/* write to a target that looks
					   unintended (rawwrite's force) */
	OPTIMG_OPTION_RESTART,		/* drop an earlier run's progress and
					   start again (rip's force) */
	OPTIMG_OPTION_DRIVE,		/* say which drive */
	OPTIMG_OPTION_BLANK,		/* blank the medium first */
	OPTIMG_OPTION_APPEND,		/* add a session to the medium */
	OPTIMG_OPTION_OUTPUT_FORMAT,	/* say the output format */
	OPTIMG_OPTION_DATA_TRACK,	/* keep one data track */
	OPTIMG_OPTION_SPLIT,		/* one bin per track */
	OPTIMG_OPTION_OFFSET,		/* the drive's read offset */
	OPTIMG_OPTION_ROOT_DIR,		/* a root directory to squash */
	OPTIMG_OPTION_RECONSTRUCT,	/* rebuild raw sectors from user
					   data (rip's reconstruct) */
	OPTIMG_OPTION_LOSSY,		/* leave out what the output cannot
					   hold */
};

struct optimg_error {
	int			code;
	/* The option the failure is about (its value is wrong or does not
	   apply), or OPTIMG_OPTION_NONE. */
	enum optimg_option	about;
	/* Up to two options that would get past it, in order of advice. */
	enum optimg_option	remedy[2];
	char			message[OPTIMG_ERRMSG_MAX];
};

/* What an option means, in a few English words ("replace the output"). */
const char *optimg_option_meaning(enum optimg_option opt);

/* A short English phrase for a status code ("input is malformed"). */
const char *optimg_strerror(int status);

/* The library's version, "MAJOR.MINOR.PATCH". */
const char *optimg_version(void);

/* ---- sector codec (ECMA-130) ------------------------------------------ */
/* Threads: every codec call is pure and thread-safe. */

#define OPTIMG_RAW_SECTOR	2352	/* sync + header + everything */
#define OPTIMG_USER_SECTOR	2048	/* Mode 1 / Mode 2 Form 1 user data */
#define OPTIMG_FORM2_SECTOR	2324	/* Mode 2 Form 2 user data */
#define OPTIMG_MODE2_SECTOR	2336	/* Mode 2 sector without sync+header */
#define OPTIMG_SUBCHANNEL	96	/* P-W subchannel bytes per sector */
#define OPTIMG_RAW_SUB_SECTOR	2448	/* raw sector + subchannel (CD+G) */
#define OPTIMG_MSF_OFFSET	150	/* MSF 00:02:00 is LBA 0 */
#define OPTIMG_FRAMES_PER_SEC	75

enum optimg_sector_mode {
	OPTIMG_SECTOR_AUDIO,
	OPTIMG_SECTOR_MODE0,
	OPTIMG_SECTOR_MODE1,
	OPTIMG_SECTOR_MODE2,		/* formless: 2336 bytes of user data */
	OPTIMG_SECTOR_MODE2_FORM1,
	OPTIMG_SECTOR_MODE2_FORM2,
};

/* Bits returned by optimg_sector_check(): each one names a part found bad. */
#define OPTIMG_CHECK_SYNC	0x01
#define OPTIMG_CHECK_HEADER	0x02	/* MSF does not match the LBA */
#define OPTIMG_CHECK_EDC	0x04
#define OPTIMG_CHECK_ECC_P	0x08
#define OPTIMG_CHECK_ECC_Q	0x10
#define OPTIMG_CHECK_MODE	0x20	/* mode byte is not 0, 1 or 2 */

/* BCD: optimg_bcd_decode() returns -1 for a byte that is not valid BCD. */
uint8_t optimg_bcd_encode(unsigned value);
int optimg_bcd_decode(uint8_t bcd);

/*
 * LBA <-> MSF with the 150-frame offset.  Negative LBAs (down to -450150)
 * map to the lead-in area 90:00:00..99:59:74 as MMC defines.
 */
void optimg_lba_to_msf(int32_t lba, unsigned *m, unsigned *s, unsigned *f);
int32_t optimg_msf_to_lba(unsigned m, unsigned s, unsigned f);

/*
 * EDC: CRC-32 with polynomial 0x8001801B, reflected, initial 0, no final
 * xor.  Pass 0 as edc to start; feed the result back to continue.
 */
uint32_t optimg_edc(uint32_t edc, const void *buf, size_t len);

/* Computes ECC P (bytes 2076..2247) and Q (2248..2351) in place. */
void optimg_ecc_generate(uint8_t sector[OPTIMG_RAW_SECTOR]);

/*
 * Completes a raw sector whose user data (and, for Mode 2, subheader) is
 * already at its place: writes sync, header (MSF of lba, mode byte), EDC,
 * the zero gap and ECC as the mode requires.  Audio sectors are left as
 * they are.
 */
void optimg_sector_encode(uint8_t sector[OPTIMG_RAW_SECTOR], int32_t lba,
    enum optimg_sector_mode mode);

/*
 * Builds a raw sector from 2048 bytes of user data: Mode 1, or Mode 2
 * Form 1 with the given 4-byte subheader (NULL: 00 00 08 00, data).
 */
void optimg_sector_from_user(uint8_t sector[OPTIMG_RAW_SECTOR],
    const uint8_t user[OPTIMG_USER_SECTOR], int32_t lba,
    enum optimg_sector_mode mode, const uint8_t *subheader);

/* The mode a raw sector declares (sync + mode byte + subheader form bit). */
enum optimg_sector_mode optimg_sector_mode_of(
    const uint8_t sector[OPTIMG_RAW_SECTOR]);

/*
 * Checks sync, header MSF (against lba unless lba is INT32_MIN), EDC and
 * ECC of a raw data sector.  Returns 0 when all is well, else
 * OPTIMG_CHECK_* bits.
 */
unsigned optimg_sector_check(const uint8_t sector[OPTIMG_RAW_SECTOR],
    int32_t lba);

/* ECMA-130 Annex B scrambler over bytes 12..2351; its own inverse. */
void optimg_scramble(uint8_t sector[OPTIMG_RAW_SECTOR]);

/* ---- disc model -------------------------------------------------------- */

enum optimg_track_mode {
	OPTIMG_TRACK_AUDIO,
	OPTIMG_TRACK_MODE1,
	OPTIMG_TRACK_MODE2,	/* CD-ROM XA or formless Mode 2 */
	OPTIMG_TRACK_CDI,	/* CD-i: Mode 2 in a CD-i session */
};

/* Track flags, as CUE FLAGS and the Q subchannel control nibble have them. */
#define OPTIMG_FLAG_PRE		0x01	/* pre-emphasis */
#define OPTIMG_FLAG_DCP		0x02	/* digital copy permitted */
#define OPTIMG_FLAG_DATA	0x04	/* data track (implied by mode) */
#define OPTIMG_FLAG_4CH		0x08	/* four-channel audio */
#define OPTIMG_FLAG_SCMS	0x10	/* serial copy management (CUE only) */

enum optimg_cdtext_field {
	OPTIMG_CDTEXT_TITLE,
	OPTIMG_CDTEXT_PERFORMER,
	OPTIMG_CDTEXT_SONGWRITER,
	OPTIMG_CDTEXT_COMPOSER,
	OPTIMG_CDTEXT_ARRANGER,
	OPTIMG_CDTEXT_MESSAGE,
	OPTIMG_CDTEXT_DISC_ID,
	OPTIMG_CDTEXT_GENRE,
	OPTIMG_CDTEXT_UPC_EAN,
	OPTIMG_CDTEXT_NFIELDS
};

/* Name of a CD-TEXT field as a CUE sheet spells it ("SONGWRITER"). */
const char *optimg_cdtext_field_name(enum optimg_cdtext_field field);

struct optimg_cdtext {
	char	*field[OPTIMG_CDTEXT_NFIELDS];	/* NULL when absent */
};

/* A line a format keeps only to write it back (a cue's REM lines). */
struct optimg_note {
	char	*text;		/* the text after "REM " */
};

#define OPTIMG_NO_INDEX	INT32_MIN
#define OPTIMG_MAX_INDEX 100

/*
 * How an image stores a track's sectors, so that writers and verify need
 * not know which format it came from.
 */
enum optimg_storage {
	OPTIMG_STORE_RAW,	/* 2352 bytes: the whole sector */
	OPTIMG_STORE_MODE2,	/* 2336: the sector less sync and header */
	OPTIMG_STORE_USER,	/* 2048 user bytes, as the image declares
				   (a cue's MODE1/2048, a toc's MODE1) */
	OPTIMG_STORE_PLAIN,	/* 2048 user bytes of a plain sector dump (an
				   ISO): nothing says how the disc held them */
};

struct optimg_track {
	unsigned		number;		/* 1..99 */
	unsigned		session;	/* 1.. */
	enum optimg_track_mode	mode;
	enum optimg_storage	storage;
	/* Bytes per sector in the track's main file: 2048, 2336, 2352, or
	   2448 when 96 bytes of subchannel follow each sector (CDG). */
	unsigned		sector_size;
	/* The image keeps 96 bytes of P-W subchannel for each sector, in
	   the main file (sector_size 2448) or beside it (CloneCD .sub). */
	bool			subchannel;
	int32_t			start;		/* LBA of INDEX 01 */
	uint32_t		length;		/* INDEX 01 .. next track */
	uint32_t		pregap;		/* sectors before INDEX 01 */
	uint32_t		pregap_unstored; /* part of pregap in no file */
	uint32_t		postgap_unstored; /* in length, in no file */
	int32_t			index[OPTIMG_MAX_INDEX]; /* LBA or NO_INDEX */
	unsigned		flags;		/* OPTIMG_FLAG_* */
	char			isrc[13];	/* "" when none */
	struct optimg_cdtext	cdtext;
	struct optimg_note	*notes;		/* REM lines, in order */
	unsigned		nnotes;
};

struct optimg_session {
	unsigned	number;
	unsigned	first_track;	/* index into optimg_disc.tracks */
	unsigned	ntracks;
	int32_t		leadout;	/* LBA of the lead-out */
	/*
	 * Between sessions lie sectors no image stores: the lead-out of one
	 * (6750 after the first session, 2250 after later ones) and the
	 * lead-in of the next (4500); the next session's first track then
	 * has its pregap (150).  0 for the last session's lead-out and the
	 * first session's lead-in.
	 */
	uint32_t	leadout_length;
	uint32_t	leadin_length;
};

/*
 * Bytes an image keeps that the model does not interpret (an Alcohol
 * image's DPM data), so that they are not lost unseen: info names them.
 */
struct optimg_blob {
	char	*name;		/* "DPM" */
	char	*summary;	/* one line saying what they are */
	uint8_t	*data;
	size_t	 len;
};

struct optimg_disc {
	struct optimg_session	*sessions;
	unsigned		 nsessions;
	struct optimg_track	*tracks;
	unsigned		 ntracks;
	char			 catalog[14];	/* 13 digits, "" when none */
	char			*cdtextfile;	/* CDTEXTFILE name, or NULL */
	struct optimg_cdtext	 cdtext;
	struct optimg_note	*notes;		/* disc-level REM lines */
	unsigned		 nnotes;
	struct optimg_blob	*blobs;		/* kept, not interpreted */
	unsigned		 nblobs;
};

/* CUE spelling of a track's mode and size, e.g. "MODE1/2352", "AUDIO". */
const char *optimg_track_mode_name(const struct optimg_track *track);

/* First sector of the track including its pregap. */
int32_t optimg_track_first_lba(const struct optimg_track *track);

/* ---- images ------------------------------------------------------------ */
/*
 * Threads: one thread at a time per image; images of their own (even of
 * one file) on other threads.  Warnings go to the image's callback on the
 * thread making the call.
 */

struct optimg_image;

typedef void (*optimg_warning_fn)(void *ctx, const char *message);

/*
 * Progress: called every few megabytes with the bytes done and the total.
 * Return nonzero to cancel; the operation then fails with
 * OPTIMG_ECANCELED and leaves nothing behind.
 */
typedef int (*optimg_progress_fn)(void *ctx, uint64_t done, uint64_t total);

struct optimg_image *optimg_image_new(void);
void optimg_image_free(struct optimg_image *img);
void optimg_image_set_warning_cb(struct optimg_image *img,
    optimg_warning_fn fn, void *ctx);

/*
 * Names the parent of a CHD made as a difference to another CHD (before
 * optimg_image_open()); without it the parent is looked for by SHA-1
 * among the .chd files beside the image.  NULL forgets the name.
 */
int optimg_image_set_parent(struct optimg_image *img, const char *path);

/* Opens an image; its format is found from its content. */
int optimg_image_open(struct optimg_image *img, const char *path);

const char *optimg_image_errmsg(const struct optimg_image *img);
const struct optimg_error *optimg_image_error(const struct optimg_image *img);

/* "iso", "cue", "bin" ... */
const char *optimg_image_format(const struct optimg_image *img);
const char *optimg_image_path(const struct optimg_image *img);
/* Bytes of all files the image is made of. */
uint64_t optimg_image_size(const struct optimg_image *img);
const struct optimg_disc *optimg_image_disc(const struct optimg_image *img);

/*
 * Reads count sectors from lba into buf, each sector_size bytes:
 *   2048  user data of Mode 1 / Mode 2 Form 1 sectors;
 *   2336  raw sector minus sync and header;
 *   2352  raw sector, sync/header/EDC/ECC made when the file lacks them;
 *   2448  raw sector plus 96 bytes of P-W subchannel, interleaved as a
 *         drive returns it (bit 7 of each byte is P); zeros when the
 *         image keeps none.
 * Asking 2048 of an audio or Form 2 sector fails with OPTIMG_ELOSSY.
 */
int optimg_image_read(struct optimg_image *img, int32_t lba, uint32_t count,
    unsigned sector_size, void *buf);

/*
 * What holds the image's sectors when it is a compressed container: a
 * CHD (kind "chd": sizes, codec mix, checksums), or files read through a
 * decompressor (kind "gzip", "xz", "zstd" or "ecm": an ISO.xz, a cue's
 * bin.ecm; sizes summed over those files, hunk_count the restart units
 * named by units, mix one entry per kind).  Strings are borrowed from img.
 */
#define OPTIMG_CONTAINER_MIX 8

struct optimg_container {
	const char	*kind;		/* "chd" */
	unsigned	 version;
	uint64_t	 logical_bytes;	/* uncompressed */
	uint64_t	 stored_bytes;	/* the file */
	uint32_t	 hunk_bytes;
	uint32_t	 unit_bytes;
	uint32_t	 hunk_count;
	/* Hunks per storage: a codec's name, "none", "self", "parent". */
	struct {
		char		name[8];
		uint32_t	hunks;
	}		 mix[OPTIMG_CONTAINER_MIX];
	unsigned	 nmix;
	char		 sha1[41];	/* "" when the container has none */
	char		 raw_sha1[41];
	char		 parent_sha1[41];	/* "" when there is no parent */
	const char	*parent_path;	/* NULL when there is no parent */
	const char	*units;		/* "hunks", "blocks", "frames", ... */
	unsigned	 files;		/* compressed files (1 for a CHD) */
};

/* OPTIMG_EUNSUPP when the image is no compressed container. */
int optimg_image_container(struct optimg_image *img,
    struct optimg_container *out);

/*
 * Checks a container's own checksums (a CHD: the SHA-1 of its data and
 * the one over data and metadata), reading every hunk; progress counts
 * logical bytes.  OPTIMG_EFORMAT names the checksum that differs;
 * OPTIMG_EUNSUPP when the image has none.
 */
int optimg_image_verify_container(struct optimg_image *img,
    optimg_progress_fn progress, void *ctx, struct optimg_error *err);

/*
 * The subchannel Q an image keeps, held against its table of contents:
 * every sector of a track that keeps subchannel is looked at.  A Mode 1
 * Q (ADR 1) agrees when its control, track, index and both times are
 * those the TOC gives that sector (as a drive's would be).
 */
struct optimg_subq_check {
	uint32_t	sectors;	/* sectors with a kept subchannel */
	uint32_t	crc_bad;	/* Q failing its CRC */
	uint32_t	position;	/* Mode 1 Q (ADR 1), CRC good */
	uint32_t	agree;		/* of them, as the TOC says */
	uint32_t	other;		/* ADR 2 or 3 (MCN, ISRC), CRC good */
	int32_t		first_disagree;	/* LBA; OPTIMG_NO_INDEX if none */
	/* The first sectors whose Q fails its CRC, so info can name them. */
#define OPTIMG_SUBQ_NAMED 16
	int32_t		crc_bad_lba[OPTIMG_SUBQ_NAMED];
};

/* OPTIMG_EUNSUPP when no track keeps subchannel. */
int optimg_image_check_subq(struct optimg_image *img,
    struct optimg_subq_check *out);

/* ISO 9660 volume id of a data track ("" when there is none). */
int optimg_image_volume_id(struct optimg_image *img, unsigned track,
    char volid[33]);

/* ---- conversion -------------------------------------------------------- */
/*
 * Threads: optimg_convert() uses img alone for its duration; it may run a
 * helper thread of its own, and calls progress and warning on the
 * calling thread.
 */

enum optimg_output {
	OPTIMG_OUTPUT_AUTO,	/* from the output name's extension */
	OPTIMG_OUTPUT_ISO,
	OPTIMG_OUTPUT_CUE,
	OPTIMG_OUTPUT_CHD,	/* MAME CHD v5: CD, or DVD from an ISO */
	OPTIMG_OUTPUT_CCD,	/* rip: CloneCD .ccd/.img/.sub, subchannel */
};

struct optimg_convert_opts {
	/* Output format by name ("iso", "cue", "ccd", "toc"); NULL: from
	   the output name's extension. */
	const char		*format;
	/* Allow dropping what the output cannot hold (subchannel, CD-TEXT,
	   sessions ...); without it such a conversion fails with
	   OPTIMG_ELOSSY naming what would be lost. */
	bool			 lossy;
	bool			 split;		/* one bin per track */
	unsigned		 data_track;	/* 0: the only data track */
	bool			 force;		/* overwrite existing output */
	/* How hard a .xz (1-9), .zst (1-19) or .gz (1-9) output is
	   compressed; 0: xz 2, zstd 3, gzip 6.  Others take none. */
	unsigned		 level;
	optimg_progress_fn	 progress;
	void			*progress_ctx;
	optimg_warning_fn	 warning;
	void			*warning_ctx;
};

/*
 * The output format a conversion would use ("iso", "cue", ...): format by
 * name, or when format is NULL the one out_path's extension names; NULL
 * when neither names a format optimg writes.
 */
const char *optimg_convert_format(const char *format, const char *out_path);
/* The names of the output formats, "iso, cue, ..." (static storage). */
const char *optimg_convert_formats(void);

/*
 * Converts img into out_path.  Output is written under temporary names and
 * renamed into place only when all of it is written; inputs are never
 * overwritten.
 */
int optimg_convert(struct optimg_image *img, const char *out_path,
    const struct optimg_convert_opts *opts, struct optimg_error *err);

/* ---- file systems: ISO 9660, Rock Ridge, Joliet, UDF (fs*.c) ----------- */
/*
 * Threads: a file system reads through its image and shares its state
 * (directory cache, copy buffer): one thread at a time for an fs and its
 * image together.  Open one fs per thread for parallel reads, as
 * optimg_fs_extract() does.
 */

/*
 * A read-only view of the file system on an image's data track.  Open it
 * with optimg_fs_open(); it borrows the image, which must outlive it.
 * Input is treated as hostile: loops, overlong records and extents past
 * the end of the image are reported as OPTIMG_EFORMAT, never followed.
 */
struct optimg_fs;
struct optimg_fs_dir;

enum optimg_fs_namespace {
	OPTIMG_NS_AUTO,		/* Rock Ridge, else Joliet, else ISO, else UDF */
	OPTIMG_NS_ISO,		/* plain ISO 9660 names */
	OPTIMG_NS_JOLIET,
	OPTIMG_NS_RR,		/* Rock Ridge (RRIP over SUSP) */
	OPTIMG_NS_UDF,
};

struct optimg_fs_opts {
	enum optimg_fs_namespace ns;
	unsigned		 session;	/* 1..; 0: the last one */
};

enum optimg_fs_type {
	OPTIMG_FS_REG,
	OPTIMG_FS_DIR,
	OPTIMG_FS_SYMLINK,
	OPTIMG_FS_CHR,
	OPTIMG_FS_BLK,
	OPTIMG_FS_FIFO,
	OPTIMG_FS_SOCK,
};

#define OPTIMG_FS_EXTENT_SPARSE	0x01	/* not recorded: reads as zeros */
/*
 * CD-ROM XA Mode 2 Form 2 data (a Video CD's MPEG): each sector gives the
 * 2324 bytes at 24..2347 of its raw form, so length is sectors x 2324.
 */
#define OPTIMG_FS_EXTENT_FORM2	0x02

/* length bytes of file data starting offset bytes into sector lba. */
struct optimg_fs_extent {
	uint32_t	lba;		/* absolute */
	uint32_t	offset;		/* 0 except UDF data inside an ICB */
	uint64_t	length;
	unsigned	flags;
};

struct optimg_timespec {
	int64_t		sec;		/* since 1970-01-01 UTC */
	uint32_t	nsec;
};

struct optimg_fs_stat {
	const char		*name;		/* UTF-8; "" for the root */
	enum optimg_fs_type	 type;
	uint32_t		 mode;		/* permission bits, 07777 */
	uint32_t		 uid, gid, nlink;
	/* Hard links share a nonzero ino; 0 when the image does not say. */
	uint64_t		 ino;
	uint64_t		 size;
	struct optimg_timespec	 mtime, atime, ctime;
	const char		*symlink;	/* target, or NULL */
	uint32_t		 rdev_major, rdev_minor;
	uint32_t		 lba;		/* first extent; 0 when empty */
	const struct optimg_fs_extent *extents;
	unsigned		 nextents;
};

int optimg_fs_open(struct optimg_image *img, const struct optimg_fs_opts *opts,
    struct optimg_fs **out, struct optimg_error *err);
void optimg_fs_free(struct optimg_fs *fs);
const char *optimg_fs_errmsg(const struct optimg_fs *fs);
/* The name space in use and the set present (bit 1 << OPTIMG_NS_*). */
enum optimg_fs_namespace optimg_fs_namespace(const struct optimg_fs *fs);
unsigned optimg_fs_namespaces(const struct optimg_fs *fs);
/* "iso", "joliet", "rr", "udf"; optimg_fs_namespace_parse returns -1. */
const char *optimg_fs_namespace_name(enum optimg_fs_namespace ns);
int optimg_fs_namespace_parse(const char *name);
/* "file", "dir", "symlink", "chr", "blk", "fifo", "sock" */
const char *optimg_fs_type_name(enum optimg_fs_type type);

/* The root directory; borrowed from fs. */
const struct optimg_fs_stat *optimg_fs_root(const struct optimg_fs *fs);
/*
 * Looks up an absolute or root-relative path ("/a/b", "a/b").  *out is a
 * copy the caller frees with optimg_fs_stat_free().
 */
int optimg_fs_lookup(struct optimg_fs *fs, const char *path,
    struct optimg_fs_stat **out);
void optimg_fs_stat_free(struct optimg_fs_stat *st);

/* Directory iteration; entries are borrowed until optimg_fs_closedir(). */
int optimg_fs_opendir(struct optimg_fs *fs, const struct optimg_fs_stat *dir,
    struct optimg_fs_dir **out);
const struct optimg_fs_stat *optimg_fs_readdir(struct optimg_fs_dir *dir);
void optimg_fs_closedir(struct optimg_fs_dir *dir);

/*
 * Depth-first walk under start (a directory or not), parents first.  fn
 * sees each entry with visit OPTIMG_FS_ENTER (directories: once more with
 * OPTIMG_FS_LEAVE after their children).  fn returns 0 to go on,
 * OPTIMG_FS_SKIP to leave a directory's children out, or a negative
 * status to stop the walk with it.  A directory reached twice (a loop) or
 * nested deeper than 1024 stops the walk with OPTIMG_EFORMAT.  path is
 * "/"-joined from the root and borrowed for the call.
 */
enum optimg_fs_visit { OPTIMG_FS_ENTER, OPTIMG_FS_LEAVE };
#define OPTIMG_FS_SKIP 1
typedef int (*optimg_fs_walk_fn)(void *ctx, const char *path,
    const struct optimg_fs_stat *st, enum optimg_fs_visit visit);
int optimg_fs_walk(struct optimg_fs *fs, const char *start,
    optimg_fs_walk_fn fn, void *ctx);

/*
 * Reads up to len bytes of a file's data at offset into buf; *got receives
 * the count (0 at the end).  Reads whole runs of sectors at once: pass
 * large buffers.
 */
int optimg_fs_read(struct optimg_fs *fs, const struct optimg_fs_stat *st,
    uint64_t offset, void *buf, size_t len, size_t *got);

/*
 * Progress of optimg_fs_copy_out(): bytes done since the last call.  A
 * nonzero return stops the copy with OPTIMG_ECANCELED.
 */
typedef int (*optimg_fs_progress_fn)(void *ctx, uint64_t bytes);

/*
 * Writes all of regular file st's data into fd, a new, empty regular file
 * open for writing, at offsets 0..size (fd's position is not used).  Long
 * runs of zeros become holes.  When the image file holds the data as plain
 * 2048-byte sectors the kernel copies it without a pass through user
 * space; otherwise it is read through a buffer fs owns.  Failures name
 * what went wrong (reading the image, or writing fd with errno's text).
 */
int optimg_fs_copy_out(struct optimg_fs *fs, const struct optimg_fs_stat *st,
    int fd, optimg_fs_progress_fn progress, void *ctx);

/* ---- extraction into a directory (extract*.c) -------------------------- */

/*
 * What optimg_fs_extract() says about one entry it could not (or chose
 * not to) extract.  The library words no advice; the caller does, from
 * the code: OPTIMG_EXTRACT_EXISTS is what setting overwrite would change.
 */
enum optimg_extract_problem {
	OPTIMG_EXTRACT_REFUSED,	/* the name would leave the target, or a
				   symbolic link stands where a directory
				   goes; detail says which */
	OPTIMG_EXTRACT_EXISTS,	/* a non-directory is in the way and
				   overwrite is off */
	OPTIMG_EXTRACT_NOT_DIR,	/* a non-directory stands where a directory
				   goes and overwrite is off */
	OPTIMG_EXTRACT_IS_DIR,	/* a directory stands where a non-directory
				   goes; it is never replaced */
	OPTIMG_EXTRACT_SYSTEM,	/* a system call failed: detail is the
				   action ("create", "set attributes of"),
				   errnum its errno */
	OPTIMG_EXTRACT_READ,	/* the file's data could not be read or
				   written: detail is the reader's message */
	OPTIMG_EXTRACT_NOMEM,	/* out of memory */
	OPTIMG_EXTRACT_DEVICE_SKIPPED, /* a device node left out, as asked;
				   a notice, not a failure */
	OPTIMG_EXTRACT_SHARED,	/* the file's data starts where another's
				   (not a hard link) does: a notice */
	OPTIMG_EXTRACT_LARGE,	/* the files pass 10 times the image's size
				   (detail says); a notice, once */
	OPTIMG_EXTRACT_TOO_LARGE, /* past 100 times: extraction stops with
				   OPTIMG_ERANGE unless no_limits */
	OPTIMG_EXTRACT_STALE,	/* temporary files that killed runs left in
				   the directory path (existing before this
				   run) were removed: detail says which; a
				   notice */
};

struct optimg_extract_report {
	enum optimg_extract_problem what;
	const char	*path;		/* in the image, "/"-joined; it is
					   also the place under the target */
	const char	*detail;	/* English, or NULL */
	int		 errnum;	/* OPTIMG_EXTRACT_SYSTEM's errno, else 0 */
	bool		 failure;	/* counted in the result's failures */
};

/* Called from any of the extraction's threads, one call at a time. */
typedef void (*optimg_extract_report_fn)(void *ctx,
    const struct optimg_extract_report *r);

enum optimg_extract_devices {
	OPTIMG_EXTRACT_DEVICES_CREATE,	/* mknod (needs privilege) */
	OPTIMG_EXTRACT_DEVICES_SKIP,	/* reported, not made */
};

struct optimg_extract_opts {
	const char *const	*paths;		/* image paths; none: "/" */
	unsigned		 npaths;
	int			 dirfd;		/* the target directory */
	bool			 overwrite;	/* replace non-directories */
	enum optimg_extract_devices devices;
	/* Threads writing file data beside the caller's: < 0 picks 2 per
	   CPU, at most 4; 0 does everything on the calling thread. */
	int			 threads;
	/* Walk the selection once first, so progress gets a total. */
	bool			 count_total;
	/* An image whose files add up to more than 100 times its own size
	   (entries sharing data: an extraction bomb) is extracted anyway. */
	bool			 no_limits;
	/* Called on the calling thread only, with bytes of file data; a
	   nonzero return stops the extraction with OPTIMG_ECANCELED. */
	optimg_progress_fn	 progress;
	void			*progress_ctx;
	optimg_extract_report_fn report;
	void			*report_ctx;
};

struct optimg_extract_result {
	uint64_t	files;		/* regular files written */
	uint64_t	hardlinks;	/* made with link() to one of them */
	uint64_t	dirs;		/* directories made or entered */
	uint64_t	symlinks;
	uint64_t	specials;	/* devices, FIFOs, sockets */
	uint64_t	bytes;		/* file data written or linked */
	unsigned	failures;	/* reports with failure set */
};

/* Defaults: everything, into dirfd, no overwriting, automatic threads. */
void optimg_extract_opts_init(struct optimg_extract_opts *opts, int dirfd);

/*
 * Recreates each of opts->paths (with its full path in the image, as tar
 * does) under opts->dirfd, keeping modes, times, symbolic links and hard
 * links.  Every name from the image is hostile: nothing is opened by a
 * path string built from image names; directories are entered with
 * openat(O_NOFOLLOW) one at a time, files made with O_EXCL.  A name that
 * is empty, ".", ".." or holds a '/', or a directory whose place a
 * symbolic link holds, is refused through report and the rest goes on.
 * Modes are exact: the process umask is read, never changed.  A file
 * whose data could not be written whole is removed.
 *
 * Returns 0 when the walk finished, even when entries failed (res
 * counts them); OPTIMG_ECANCELED when progress asked to stop; another
 * status, with err saying why, when the image could not be walked (later
 * paths are then not tried).  Thread safety: fs is used by the calling
 * thread only (the workers open the image again); no other call may use
 * fs meanwhile.  res may be NULL.
 */
int optimg_fs_extract(struct optimg_fs *fs,
    const struct optimg_extract_opts *opts,
    struct optimg_extract_result *res, struct optimg_error *err);

/* Volume descriptors as found from sector 16 of the session on. */
struct optimg_fs_vd {
	unsigned	type;		/* 0 boot, 1 primary, 2 supplem., 255 end */
	uint32_t	lba;
	const char	*kind;		/* "primary", "joliet", "boot", ... */
	char		system_id[33];
	char		volume_id[33];
	char		volume_set_id[129];
	char		publisher[129];
	char		preparer[129];
	char		application[129];
	char		boot_system_id[33];	/* boot record only */
	bool		has_ctime, has_mtime;
	int64_t		ctime, mtime;		/* UTC seconds */
	uint32_t	volume_blocks;
	unsigned	block_size;
	unsigned	joliet_level;		/* 1..3, 0 when not Joliet */
};
int optimg_fs_volume_descriptors(const struct optimg_fs *fs,
    const struct optimg_fs_vd **vds, unsigned *n);

/* El Torito boot catalog. */
struct optimg_boot_entry {
	unsigned	section;	/* 0: the default (initial) entry */
	unsigned	platform;	/* 0 x86, 1 PPC, 2 Mac, 0xef EFI */
	bool		bootable;
	unsigned	emulation;	/* 0 none, 1-3 floppy, 4 hard disk */
	uint16_t	load_segment;
	uint8_t		system_type;
	uint16_t	sector_count;	/* 512-byte virtual sectors */
	uint32_t	lba;
	uint64_t	image_bytes;	/* size the emulation implies */
	bool		boot_info_table;
	char		id[29];		/* section header's id string */
};
struct optimg_boot_catalog {
	uint32_t		 lba;
	unsigned		 platform;	/* validation entry */
	char			 id[25];
	struct optimg_boot_entry *entries;
	unsigned		 nentries;
};
/* OPTIMG_ENOENT when the image has no boot record. */
int optimg_fs_boot_catalog(struct optimg_fs *fs,
    const struct optimg_boot_catalog **out);
/* "x86", "PowerPC", "Mac", "EFI" or "0xNN" for an unknown one. */
const char *optimg_boot_platform_name(unsigned platform, char buf[8]);
/* "none", "1.2M floppy", "1.44M floppy", "2.88M floppy", "hard disk" */
const char *optimg_boot_emulation_name(unsigned emulation);

/* System area: the first 32 KiB of the session. */
struct optimg_mbr_part {
	unsigned	index;		/* 1..4 */
	uint8_t		status;		/* 0x80 active */
	uint8_t		type;
	uint32_t	start, sectors;	/* 512-byte LBA */
};
struct optimg_gpt_part {
	unsigned	index;		/* 1.. */
	char		type_guid[37], guid[37];
	uint64_t	first, last;	/* 512-byte LBA, inclusive */
	uint64_t	attributes;
	char		name[73];	/* UTF-8 of 36 UTF-16LE units */
};
struct optimg_apm_part {
	unsigned	index;
	uint32_t	start, blocks;	/* in block_size units */
	char		name[33], type[33];
};
struct optimg_sysarea {
	bool			 zero;		/* all 32 KiB are zero */
	bool			 mbr;		/* 55 AA with a sane table */
	bool			 isohybrid;	/* MBR boot code of isohybrid */
	bool			 mbr_boot_code;	/* first 440 bytes not zero */
	struct optimg_mbr_part	 mbr_parts[4];
	unsigned		 nmbr_parts;
	bool			 gpt;
	bool			 gpt_header_crc_ok, gpt_entries_crc_ok;
	char			 gpt_disk_guid[37];
	uint64_t		 gpt_first_usable, gpt_last_usable;
	struct optimg_gpt_part	*gpt_parts;
	unsigned		 ngpt_parts;
	bool			 apm;
	unsigned		 apm_block_size;
	struct optimg_apm_part	*apm_parts;
	unsigned		 napm_parts;
};
int optimg_fs_system_area(struct optimg_fs *fs,
    const struct optimg_sysarea **out);

/* ---- writing ISO 9660 images (mkiso) ---------------------------------- */
/*
 * Threads: one thread at a time per struct optimg_mkiso; optimg_mkiso()
 * is reentrant.  The sink is called on the thread of optimg_mkiso_write().
 */

/*
 * optimg_mkiso builds an ISO 9660 image from files on the host: Rock Ridge
 * (RRIP 1.12), Joliet, El Torito and a hybrid MBR/GPT system area.  The
 * tree is scanned and laid out first, then written in one sequential pass,
 * so the size is known before the first byte is written.
 */

/* One source: a host file or directory and where it goes in the image. */
struct optimg_mkiso_source {
	const char	*path;	/* host path */
	const char	*dest;	/* NULL: a directory's contents go to the
				   root, a file goes to /basename; else the
				   image path ("docs/", "a/b.txt") */
};

enum optimg_boot_emul {
	OPTIMG_BOOT_NOEMUL,
	OPTIMG_BOOT_FLOPPY,	/* 1.2, 1.44 or 2.88 MB image */
	OPTIMG_BOOT_HDD,	/* hard-disk image with an MBR */
};

#define OPTIMG_BOOT_BIOS	0x00	/* El Torito platform ids */
#define OPTIMG_BOOT_EFI		0xEF

struct optimg_mkiso_boot {
	const char		*path;		/* image path of the boot file */
	uint8_t			 platform;	/* OPTIMG_BOOT_BIOS or _EFI */
	enum optimg_boot_emul	 emul;
	unsigned		 load_size;	/* 512-byte sectors; 0: all */
	bool			 info_table;	/* patch a boot info table */
	bool			 grub2_boot_info; /* GRUB's eltorito.img: 512-byte
						    LBA + 5 at byte 2548 */
};

/* A host file appended after the image as MBR/GPT partition number. */
struct optimg_mkiso_partition {
	unsigned	 number;	/* 1..4 */
	uint8_t		 type;		/* MBR type; 0xEF is an ESP in GPT */
	const char	*path;
};

struct optimg_mkiso_opts {
	const struct optimg_mkiso_source *sources;
	unsigned		 nsources;
	/* fnmatch(3) patterns, tried on the base name and the host path. */
	const char *const	*exclude;
	unsigned		 nexclude;
	/* Patterns on the image path or base name: hidden from ISO 9660 and
	   Rock Ridge (hide) or from Joliet (hide_joliet). */
	const char *const	*hide;
	unsigned		 nhide;
	const char *const	*hide_joliet;
	unsigned		 nhide_joliet;
	const char		*sort_file;	/* lines "PATTERN WEIGHT" */

	const char		*volume_id;	/* default "CDROM" */
	const char		*volume_set;
	const char		*publisher;
	const char		*preparer;
	const char		*application;	/* default "OPTIMG x.y.z" */
	const char		*system_id;	/* default "LINUX" */

	bool			 no_rock;
	bool			 no_joliet;
	bool			 joliet_long;	/* 103 characters, not 64 */
	/* Reproducible images: every time later than date is clamped to it
	   and volume dates are date (SOURCE_DATE_EPOCH). */
	bool			 have_date;
	int64_t			 date;

	const struct optimg_mkiso_boot *boot;
	unsigned		 nboot;
	const char		*boot_catalog;	/* image path; NULL: hidden */
	const char		*mbr;		/* host file: isohdpfx.bin, ... */
	bool			 gpt;
	bool			 mbr_force_bootable;
	const struct optimg_mkiso_partition *partitions;
	unsigned		 npartitions;

	bool			 force;		/* replace an existing output */
	/* A source that changes between the scan and its copy: false fails,
	   true scans every source again and starts over (into a file
	   only, up to a few times). */
	bool			 allow_changing;
	optimg_progress_fn	 progress;
	void			*progress_ctx;
	optimg_warning_fn	 warning;
	void			*warning_ctx;
};

/* Receives the image in order; returns 0, or a negative status to stop. */
typedef int (*optimg_sink_fn)(void *ctx, const void *buf, size_t len);

struct optimg_mkiso;

/*
 * Scans the sources and lays the image out.  On failure *out is NULL and
 * err says why.  opts and its strings must stay valid until the object is
 * freed.
 */
int optimg_mkiso_new(const struct optimg_mkiso_opts *opts,
    struct optimg_mkiso **out, struct optimg_error *err);
/* Bytes optimg_mkiso_write() will produce. */
uint64_t optimg_mkiso_size(const struct optimg_mkiso *mk);
/* Streams the image into sink; may be called once. */
int optimg_mkiso_write(struct optimg_mkiso *mk, optimg_sink_fn sink,
    void *sink_ctx, struct optimg_error *err);
void optimg_mkiso_free(struct optimg_mkiso *mk);

/*
 * Builds the image into out_path (a temporary file renamed into place
 * when complete).  Refuses to write onto one of its inputs.
 */
int optimg_mkiso(const struct optimg_mkiso_opts *opts, const char *out_path,
    struct optimg_error *err);

/* ==== drives, ripping, verifying (drive_cdio.c, rip*.c, verify.c) ====== */

/* ---- hashes of a file's bytes ------------------------------------------ */

struct optimg_hashes {
	uint64_t	size;		/* bytes hashed */
	uint32_t	crc32;
	uint8_t		md5[16];
	uint8_t		sha1[20];
};

/* Lower-case hex digits of each hash, NUL-terminated. */
void optimg_hashes_hex(const struct optimg_hashes *h, char crc32[9],
    char md5[33], char sha1[41]);

/* ---- drives ------------------------------------------------------------ */
/*
 * Threads: one thread at a time per drive; drives on other threads.
 * libcdio has one process-wide log handler: ours is installed while a
 * drive call runs and the caller's put back when the last one returns.
 * Warnings are delivered on the calling thread.
 */

/*
 * A drive through libcdio: a device (NULL: the default drive), or a .cue,
 * .toc or .nrg image opened by libcdio's image drivers, which then stands
 * in for a drive.  Its table of contents becomes the disc model of an
 * image whose sectors are read from the drive (optimg_drive_image()), so
 * every reader of images works on it.  libcdio's messages go to warn.
 */
struct optimg_drive;

struct optimg_drive_info {
	const char	*driver;	/* "linux", "bincue", "cdrdao", "nrg" ... */
	bool		 image;		/* an image driver standing in */
	bool		 mmc;		/* raw reads by MMC READ CD */
	bool		 c2;		/* the drive reports C2 error pointers */
	bool		 dvd;		/* DVD/BD: 2048-byte sectors */
	/* GET CONFIGURATION's current profile (0x08 CD-ROM, 0x10 DVD-ROM,
	 * 0x40 BD-ROM ...) and its name; 0 and NULL when unknown. */
	unsigned	 profile;
	const char	*profile_name;
	char		 vendor[9], model[17], revision[5];
};

int optimg_drive_open(const char *device, optimg_warning_fn warn,
    void *warn_ctx, struct optimg_drive **out, struct optimg_error *err);
void optimg_drive_free(struct optimg_drive *drv);
/* The drive as an image; borrowed until optimg_drive_free(). */
struct optimg_image *optimg_drive_image(struct optimg_drive *drv);
const struct optimg_drive_info *optimg_drive_info(
    const struct optimg_drive *drv);
/* Read speed in x (1x = 75 sectors a second on CD); 0: the fastest. */
int optimg_drive_set_speed(struct optimg_drive *drv, unsigned x,
    struct optimg_error *err);

/* ---- ripping ----------------------------------------------------------- */
/* Threads: optimg_rip() is reentrant (its drive is its own); callbacks on
   the calling thread. */

/*
 * optimg_rip() dumps a disc: a CD as Redump-style BIN/CUE (one bin per
 * track, "NAME (Track N).bin") or any disc's data track as an ISO.
 *
 * Sectors go into hidden ".NAME (Track N).bin.part" files beside the
 * output and a rescue map NAME.map says which extents are good, bad or
 * untried; it is replaced atomically after every batch.  Running the same
 * rip again reads only what is not good.  When every sector is good the
 * part files are renamed to their final names, the cue sheet is written
 * and NAME.hash lists each file's size, CRC32, MD5 and SHA-1 (as Logiqx
 * <rom/> lines).  The map stays, all good, as a record.
 */

struct optimg_rip_status {
	int32_t		lba;		/* where reading is */
	uint32_t	done;		/* sectors this run has dealt with */
	uint32_t	todo;		/* sectors this run set out to read */
	uint32_t	bad;		/* bad sectors so far, in all runs */
	uint32_t	retries;	/* re-reads so far in this run */
};

/*
 * Called after each batch and while a read waits; returning nonzero stops
 * the rip after the current batch, with the map saved.
 */
typedef int (*optimg_rip_progress_fn)(void *ctx,
    const struct optimg_rip_status *st);

struct optimg_rip_opts {
	/* AUTO: from .cue, .iso or .ccd.  CCD keeps the raw P-W subchannel
	 * the drive returns (NAME.sub) and takes INDEX 00 and 02-99 from
	 * its Q; it fails when the drive gives no subchannel. */
	enum optimg_output	 to;
	int			 offset;	/* read offset, samples (4 B) */
	unsigned		 retries;	/* re-reads of a failed sector */
	unsigned		 speed;		/* x; 0 leaves the drive's */
	bool			 force;		/* start anew, replace outputs */
	/*
	 * BIN/CUE: a data sector whose raw read is corrupt or impossible
	 * while its user data reads cooked is rebuilt from that user data
	 * (Mode 1 only) and marked rebuilt in the map, the summary, the cue
	 * sheet and NAME.hash; without it such sectors make the rip fail.
	 */
	bool			 reconstruct;
	/*
	 * For tests only: faults injected between the drive and the rip,
	 * "RANGE:KIND[,RANGE:KIND...]" with RANGE an LBA or LBA-LBA and KIND
	 * fail, flakyN (fails N reads, then succeeds), hang (waits until
	 * progress asks to stop, then fails), rawbad (raw reads come back
	 * with binary MSF headers and zeroed EDC/ECC, cooked reads work) or
	 * noraw (raw reads unsupported, cooked reads work).
	 */
	const char		*fault_plan;
	optimg_rip_progress_fn	 progress;
	void			*progress_ctx;
	optimg_warning_fn	 warning;
	void			*warning_ctx;
};

struct optimg_rip_file {
	char			*name;		/* base name of the output */
	unsigned		 track;		/* number; 0 for a cue sheet */
	uint32_t		 sectors;
	uint32_t		 missing;	/* bad or untried sectors */
	struct optimg_hashes	 hashes;	/* when the dump is complete */
};

/*
 * How the sectors of a dump were settled (the rescue map's statuses):
 *   good     read; a data sector read raw passed its EDC/ECC check
 *   kept     a data sector failing its EDC/ECC check the same way on every
 *            raw read, with no cooked read to say otherwise: kept as read
 *   cooked   ISO: user data from the drive's cooked read, because the raw
 *            sector failed its check or the drive cannot read raw
 *   rebuilt  BIN: raw sector rebuilt from cooked user data (reconstruct)
 *   rawfail  BIN: raw sector corrupt or unreadable, user data fine; not
 *            dumped
 *   bad, untried  not read
 * complete: every sector good, kept, cooked or rebuilt; reconstructed:
 * complete with rebuilt sectors, so not a raw dump.
 */
struct optimg_rip_result {
	bool			 complete;
	bool			 reconstructed;
	bool			 interrupted;
	bool			 resumed;	/* an earlier run's map was used */
	uint32_t		 sectors;	/* the dump's size in sectors */
	uint32_t		 good, bad, untried;
	uint32_t		 bad_extents;
	uint32_t		 retries;	/* re-reads of failed sectors */
	uint32_t		 recovered;	/* sectors a re-read saved */
	uint32_t		 kept;		/* read the same twice, bad EDC */
	uint32_t		 cooked, rebuilt, rawfail;
	/* This run: sectors whose raw read failed its check while the
	 * cooked read worked, of them those whose raw user data differed
	 * from the cooked, and sectors the drive would not read raw. */
	uint32_t		 raw_corrupt, cooked_differ, raw_unreadable;
	/* Sectors an earlier run's map called read whose part-file bytes
	 * did not match its CRC32 (or had none): read again. */
	uint32_t		 reread;
	uint64_t		 reads;		/* read calls to the drive */
	uint64_t		 sectors_read;	/* sectors those calls asked for */
	struct optimg_rip_file	*files;		/* bins (or the ISO), in order */
	unsigned		 nfiles;
	char			*map_path;
	char			*hash_path;	/* NULL unless complete */
};

/*
 * Returns 0 for a complete dump; OPTIMG_EIO when sectors stay bad or
 * untried and OPTIMG_ECANCELED when progress stopped it; in both cases
 * *res says what was done and a later run resumes.  Any other status
 * means nothing was read; err says why and *res may be NULL.  Free *res
 * with optimg_rip_result_free().
 */
int optimg_rip(const char *device, const char *out_path,
    const struct optimg_rip_opts *opts, struct optimg_rip_result **res,
    struct optimg_error *err);
void optimg_rip_result_free(struct optimg_rip_result *res);

/* ---- verifying --------------------------------------------------------- */
/* Threads: as for images: img is used alone for the call's duration. */

struct optimg_verify_opts {
	const char		*dat_path;	/* Redump/Logiqx DAT, or NULL */
	optimg_progress_fn	 progress;
	void			*progress_ctx;
	optimg_warning_fn	 warning;
	void			*warning_ctx;
};

enum optimg_dat_status {
	OPTIMG_DAT_NONE,	/* no DAT, or no entry of it came close */
	OPTIMG_DAT_MATCH,	/* size and hashes as the DAT's rom */
	OPTIMG_DAT_DIFFERS,	/* the entry's rom for this track differs */
	OPTIMG_DAT_MISSING,	/* the entry has no rom for this track */
};

struct optimg_verify_track {
	unsigned		 number;
	char			*name;		/* as Redump names its bin */
	struct optimg_hashes	 hashes;
	uint32_t		 checked;	/* data sectors EDC/ECC-checked */
	uint32_t		 bad;		/* of those, failed */
	enum optimg_dat_status	 dat;
	char			*dat_rom;	/* the rom compared, or NULL */
	struct optimg_hashes	 dat_hashes;	/* and its values */
};

struct optimg_verify_sector {
	int32_t		lba;
	unsigned	track;		/* number */
	unsigned	bad;		/* OPTIMG_CHECK_* bits */
};

#define OPTIMG_VERIFY_LISTED 1000	/* bad sectors kept in a result */

struct optimg_verify_result {
	struct optimg_verify_track *tracks;
	unsigned		 ntracks;
	struct optimg_verify_sector *bad;	/* the first LISTED of them */
	unsigned		 nlisted;
	uint64_t		 nbad;
	bool			 whole_file;	/* hashes are of the image file */
	char			*dat_game;	/* matched or closest entry */
	bool			 dat_match;	/* all of its roms matched */
	unsigned		 dat_unmatched;	/* its roms standing for no track */
	bool			 ok;		/* no bad sector; DAT matched */
};

/*
 * Hashes each track as a Redump split bin holds it (what `optimg convert
 * --split` writes; an ISO's whole file), checks EDC/ECC of every stored
 * data sector and, with a DAT, finds the entry whose roms match.  Returns
 * 0 when the checks ran (res->ok says how they went).
 */
int optimg_verify(struct optimg_image *img,
    const struct optimg_verify_opts *opts,
    struct optimg_verify_result **res, struct optimg_error *err);
void optimg_verify_result_free(struct optimg_verify_result *res);

/* ---- burning: drives, discs and USB sticks (burn*.c, rawwrite.c) ------- */
/*
 * Threads: libburn keeps process-wide state (its drive list).  It is set
 * up once and shut down when the last user releases it (see
 * optimg_burner_hold()), never around a single call, so one thread's
 * call does not end another's burn.  Calls that grab a drive (scan,
 * inquire, burn, blank, format) should not run at the same time from
 * several threads: serialise them.  optimg_burner_hold()/release() and
 * the plan calls are thread-safe.  Progress runs on the calling thread.
 * optimg_rawwrite() and optimg_target_check() are reentrant.
 */

/*
 * Optical drives are reached through libburn, which only lib/burn/burn.c sees.
 * A drive address is libburn's: "/dev/sr0", or "stdio:/path/file" for a
 * file that stands in for a drive (a pseudo-drive: data only, one
 * session, no blanking).  Errors carry libburn's own words where it gave
 * a reason.
 */

enum optimg_media_state {
	OPTIMG_MEDIA_NONE,		/* no disc, or not ready */
	OPTIMG_MEDIA_BLANK,
	OPTIMG_MEDIA_APPENDABLE,	/* has sessions, can take more */
	OPTIMG_MEDIA_CLOSED,		/* full or finalised */
	OPTIMG_MEDIA_UNSUITABLE,	/* not writable by this drive */
};

/* "none", "blank", "appendable", "closed", "unsuitable" */
const char *optimg_media_state_name(enum optimg_media_state state);

#define OPTIMG_BURNER_ADDR_MAX	1024
#define OPTIMG_BURNER_SPEEDS	16

struct optimg_burner_info {
	char			 address[OPTIMG_BURNER_ADDR_MAX];
	char			 vendor[9], product[17], revision[5];
	bool			 pseudo;	/* a stdio: file, not a drive */
	int			 profile;	/* MMC profile; 0: no media */
	char			 media[80];	/* "CD-RW", "DVD+R", "stdio file" */
	enum optimg_media_state	 state;
	bool			 erasable;	/* can be blanked */
	uint64_t		 capacity;	/* bytes free to write; 0 unknown */
	/* Write speeds the drive offers for the media, in kB/s (1000 bytes
	   a second), fastest first. */
	unsigned		 speeds[OPTIMG_BURNER_SPEEDS];
	unsigned		 nspeeds;
	uint32_t		 one_x;		/* bytes/s of speed 1x for it */
};

/*
 * libburn is set up at the first burner call and shut down when the last
 * one returns.  A program that makes burner calls from several threads,
 * or often, may hold it up for its lifetime: optimg_burner_hold() once
 * (fails only if libburn cannot start), optimg_burner_release() at the
 * end.  Holds are counted; thread-safe.
 */
int optimg_burner_hold(struct optimg_error *err);
void optimg_burner_release(void);

/* Every optical drive on the system; *n is 0 when there is none. */
int optimg_burner_scan(struct optimg_burner_info **out, unsigned *n,
    struct optimg_error *err);
/* One drive (or stdio: pseudo-drive) by address. */
int optimg_burner_inquire(const char *address, struct optimg_burner_info *out,
    struct optimg_error *err);

/*
 * What a burn writes: one session of tracks, laid out as the drive will
 * place them.  Built from an image with optimg_burn_plan_image() (each
 * Mode 1 track as 2048-byte sectors, each audio track as 2352, with its
 * pregap, indices, flags, ISRC and CD-TEXT), or for a stream of bytes
 * (an ISO being made) with optimg_burn_plan_stream().  LBAs are where the
 * sectors land on the disc, LBA 0 being the first after the lead-in's
 * two-second pregap.
 */
struct optimg_burn_track {
	unsigned		 number;
	unsigned		 image_track;	/* index in the image's disc */
	enum optimg_track_mode	 mode;		/* AUDIO or MODE1 */
	unsigned		 block_size;	/* 2352 audio, 2048 data */
	const char		*source_mode;	/* as the image had it */
	int32_t			 src_lba;	/* first image sector sent */
	uint32_t		 src_sectors;	/* image sectors sent */
	int32_t			 first;		/* disc LBA of the pregap */
	int32_t			 start;		/* disc LBA of INDEX 01 */
	uint32_t		 length;	/* INDEX 01 to the end */
	uint32_t		 pregap;	/* sectors before INDEX 01 */
	uint32_t		 pregap_zero;	/* of those, zeros (PREGAP) */
	uint32_t		 postgap_zero;	/* zeros at the end (POSTGAP) */
	int32_t			 index[OPTIMG_MAX_INDEX]; /* disc LBA/NO_INDEX */
	unsigned		 flags;		/* OPTIMG_FLAG_* */
	char			 isrc[13];
	const struct optimg_cdtext *cdtext;	/* borrowed from the image */
};

struct optimg_burn_plan {
	struct optimg_burn_track *tracks;
	unsigned		 ntracks;
	char			 catalog[14];	/* "" when none */
	const struct optimg_cdtext *cdtext;	/* disc CD-TEXT, or NULL */
	bool			 audio;		/* any audio track: CD, SAO */
	bool			 has_cdtext;
	uint32_t		 sectors;	/* disc sectors from LBA 0 */
	uint64_t		 bytes;		/* bytes sent to the drive */
};

/* Refuses (OPTIMG_EUNSUPP) Mode 2 and CD-i tracks, naming them. */
int optimg_burn_plan_image(struct optimg_image *img,
    struct optimg_burn_plan **out, struct optimg_error *err);
/* One Mode 1 track of bytes (rounded up to 2048). */
int optimg_burn_plan_stream(uint64_t bytes, struct optimg_burn_plan **out,
    struct optimg_error *err);
void optimg_burn_plan_free(struct optimg_burn_plan *plan);
/*
 * The CD-TEXT packs (18 bytes each) libburn makes of the plan for the
 * lead-in; *packs is NULL and *n 0 when there is no CD-TEXT.  The caller
 * frees *packs.
 */
int optimg_burn_plan_cdtext_packs(const struct optimg_burn_plan *plan,
    uint8_t **packs, unsigned *n, struct optimg_error *err);

/* Progress of a burn, blank or format, about twice a second. */
struct optimg_burn_progress {
	const char	*phase;		/* "blanking", "writing", "closing",
					   "verifying", "formatting" */
	uint64_t	 done, total;	/* bytes (blank, format: 0..65536) */
	unsigned	 track, ntracks;
	int		 buffer_fill;	/* drive buffer in %, -1 unknown */
	int		 fifo_fill;	/* our buffer in %, -1 unknown */
	uint32_t	 one_x;		/* bytes/s of speed 1x */
};
/* Return nonzero to cancel. */
typedef int (*optimg_burn_progress_fn)(void *ctx,
    const struct optimg_burn_progress *p);

struct optimg_burn_opts {
	const char		*drive;		/* NULL: the only drive there is */
	unsigned		 speed;		/* in x of the media; 0: fastest */
	bool			 dummy;		/* simulate: the laser stays off */
	bool			 eject;
	bool			 verify;	/* read back and compare */
	bool			 verify_only;	/* only compare what is there */
	bool			 multisession;	/* leave the disc appendable */
	bool			 append;	/* a session after the data */
	bool			 blank;		/* blank non-blank media first */
	optimg_burn_progress_fn	 progress;
	void			*progress_ctx;
	optimg_warning_fn	 warning;
	void			*warning_ctx;
};

#define OPTIMG_BURN_BAD_MAX	8	/* bad sectors listed per track */

struct optimg_burn_track_result {
	unsigned	 number;
	bool		 compared;	/* false: audio, not comparable */
	uint32_t	 sectors;	/* compared */
	uint32_t	 nbad;		/* sectors that differ or fail */
	int32_t		 bad[OPTIMG_BURN_BAD_MAX];	/* first ones, disc LBA */
};

struct optimg_burn_result {
	char		 media[80];	/* what was in the drive */
	uint64_t	 start_byte;	/* where the session began */
	bool		 written;
	bool		 verified;	/* verify ran to the end */
	struct optimg_burn_track_result *tracks;	/* plan->ntracks */
	uint32_t	 nbad;		/* over all tracks */
};
void optimg_burn_result_release(struct optimg_burn_result *res);

/*
 * Burns plan with the sectors of img (a plan made from img), or with the
 * ISO mk streams (a plan made with optimg_burn_plan_stream()); exactly
 * one of img and mk is set.  Checks everything it can before writing:
 * media state, size, audio on DVD/BD, the write type; each refusal names
 * what it saw.  A stdio: target file is cut to nothing first (to its
 * current end with append).  With verify, a difference makes the call
 * fail with OPTIMG_EIO after res says where.
 */
int optimg_burn(struct optimg_image *img, struct optimg_mkiso *mk,
    const struct optimg_burn_plan *plan, const struct optimg_burn_opts *opts,
    struct optimg_burn_result *res, struct optimg_error *err);

/* Blanks a CD-RW or DVD-RW (fast: the TOC only), or formats DVD±RW/BD-RE. */
int optimg_burner_blank(const struct optimg_burn_opts *opts, bool fast,
    struct optimg_error *err);
int optimg_burner_format(const struct optimg_burn_opts *opts,
    struct optimg_error *err);

/*
 * Raw writes of an image to a block device (a USB stick, an SD card) or
 * a file.  optimg_target_check() refuses, naming the device and why: a
 * device with a mounted partition, the disk that holds "/", a device in
 * use, a partition or a disk that is not removable (unless force).  The
 * places it looks are under root ("" or NULL for the real "/"): root/sys
 * and root/proc/self/mountinfo.
 */
struct optimg_target_info {
	char		 path[4096];
	bool		 regular;	/* a file, not a device */
	char		 name[64];	/* "sdb" */
	char		 disk[64];	/* the whole disk: "sdb" for sdb1 */
	char		 model[128];	/* vendor and model, "" unknown */
	uint64_t	 size;		/* bytes */
	bool		 removable;
	bool		 usb;
};

struct optimg_rawwrite_opts {
	const char		*root;	/* sysfs/proc prefix for tests */
	bool			 force;	/* allow fixed disks and partitions */
	bool			 verify;
	optimg_progress_fn	 progress;	/* writing, then verifying */
	void			*progress_ctx;
	optimg_progress_fn	 verify_progress;
	void			*verify_progress_ctx;
	optimg_warning_fn	 warning;	/* e.g. dead runs' files removed */
	void			*warning_ctx;
};

int optimg_target_check(const char *path,
    const struct optimg_rawwrite_opts *opts, struct optimg_target_info *info,
    struct optimg_error *err);
/*
 * Checks again, then writes image (its bytes as they are) to path with
 * large aligned writes, flushes, and reads it back when opts->verify.
 * *bad_offset is the first byte that differs, or UINT64_MAX.  A regular
 * file is written beside path and renamed into place only when written
 * and verified (a failure leaves no file, or the old one); a device is
 * written in place and a failed write names the first byte it refused.
 */
int optimg_rawwrite(const char *image, const char *path,
    const struct optimg_rawwrite_opts *opts, uint64_t *bad_offset,
    struct optimg_error *err);

/* ==== live images: mklive, remastering, boot recipes (mklive*.c) ====== */
/* Threads: optimg_mklive() and optimg_boot_recipe() are reentrant; the
   recipe reads fs, which it uses alone for the call. */

/*
 * optimg_mklive() lays out a live system's ISO and writes it through the
 * mkiso writer in one pass: ISOLINUX for BIOS, GRUB in a FAT EFI image
 * for UEFI (or, with secure_boot, Debian's signed shim and CD GRUB), an
 * isohybrid MBR and a GPT, so the image boots from CD and USB stick, on
 * BIOS and UEFI.  GRUB finds the image by a file /.disk/optimg-ID whose
 * ID is derived from the content.  With from_iso it remasters an image
 * instead: the original's files, boot catalog, system area and appended
 * partitions are kept, its content changed by add, remove and cmdline.
 * Boot loaders are taken from the host (Debian's isolinux,
 * syslinux-common, grub-efi-amd64-bin, shim-signed,
 * grub-efi-amd64-signed); a missing one is an error naming the package.
 */
enum optimg_live_layout {
	OPTIMG_LAYOUT_DEBIAN,	/* /live, live-boot: boot=live components */
	OPTIMG_LAYOUT_ARCH,	/* /arch, archiso: archisobasedir archisolabel */
	OPTIMG_LAYOUT_UBUNTU,	/* /casper, casper: boot=casper */
};

/* "debian", "arch", "ubuntu"; parse returns -1 for another name. */
const char *optimg_live_layout_name(enum optimg_live_layout layout);
int optimg_live_layout_parse(const char *name);

struct optimg_mklive_opts {
	const char		*kernel;	/* host paths */
	const char		*initrd;
	const char		*rootfs;	/* a squashfs file, or */
	const char		*root_dir;	/* a directory to squash */
	const char		*cmdline;	/* added to the layout's */
	const char		*label;		/* volume id; "OPTIMG_LIVE" */
	const char		*title;		/* menu title; "Live system" */
	/* Host directories whose contents go to the image root, or
	   "SRC=DEST" to put them under DEST. */
	const char *const	*add;
	unsigned		 nadd;
	enum optimg_live_layout	 layout;
	bool			 secure_boot;
	unsigned		 timeout;	/* menu seconds; 0: 5 */

	/* Remastering: the image to start from; kernel, initrd, rootfs and
	   root_dir stay NULL.  remove: image paths to leave out. */
	const char		*from_iso;
	const char *const	*remove;
	unsigned		 nremove;

	bool			 have_date;	/* SOURCE_DATE_EPOCH */
	int64_t			 date;
	bool			 force;
	optimg_progress_fn	 progress;
	void			*progress_ctx;
	optimg_warning_fn	 warning;
	void			*warning_ctx;
};

int optimg_mklive(const struct optimg_mklive_opts *opts, const char *out_path,
    struct optimg_error *err);

/*
 * The mkiso options that rebuild the boot setup of an image, as data: what
 * to cut out of the image first (boot images no file holds, the MBR boot
 * code, partitions after the ISO volume), then the El Torito entries, the
 * catalog's path, the MBR, GPT and appended partitions.  A front end words
 * it (the CLI: a shell script of `optimg mkiso` and `dd` lines, `optimg
 * info --boot-recipe`).  optimg_boot_recipe_free() releases *out.
 */
enum optimg_recipe_cut_kind {
	OPTIMG_CUT_BOOT_IMAGE,	/* a boot image no file holds */
	OPTIMG_CUT_MBR,		/* the MBR boot code */
	OPTIMG_CUT_PARTITION,	/* a partition after the ISO volume */
};
struct optimg_recipe_cut {
	enum optimg_recipe_cut_kind kind;
	char		 name[32];	/* file cut into: boot1.img, mbr.bin */
	uint64_t	 offset, length; /* bytes of the image (512 multiples) */
	bool		 isohybrid;	/* MBR: isolinux's isohdpfx.bin */
	bool		 grub_hybrid;	/* MBR: GRUB's boot_hybrid.img */
};
struct optimg_recipe_boot {		/* one El Torito entry */
	char		*path;		/* its file in the image, or where
					   cut goes */
	int		 cut;		/* the cut grafted at path (hidden
					   from listings), -1: a file */
	uint8_t		 platform;	/* 0 x86 BIOS, 0xEF EFI; mkiso writes
					   others as x86 */
	uint8_t		 emulation;	/* 0 none, 4 hard disk, else floppy */
	uint16_t	 load_size;	/* 512-byte sectors; 0: not given */
	bool		 info_table;	/* a boot info table is patched in */
	bool		 grub2_boot_info; /* GRUB's eltorito.img, patched */
};
struct optimg_recipe_part {		/* a partition after the volume */
	unsigned	 index;		/* partition number */
	char		 type[8];	/* "ef" (EFI), "83", or the MBR type
					   in hex */
	int		 cut;		/* the cut holding its bytes */
};
struct optimg_boot_recipe {
	char			  volume_id[33];
	bool			  el_torito;	/* has a boot catalog */
	char			 *catalog_path;	/* NULL: no visible file */
	struct optimg_recipe_cut *cuts;		/* in the order to cut */
	unsigned		  ncuts;
	struct optimg_recipe_boot *boot;	/* catalog order */
	unsigned		  nboot;
	int			  mbr_cut;	/* -1: no MBR boot code */
	bool			  gpt;
	struct optimg_recipe_part *parts;
	unsigned		  nparts;
};
int optimg_boot_recipe(struct optimg_fs *fs, struct optimg_boot_recipe **out,
    struct optimg_error *err);
void optimg_boot_recipe_free(struct optimg_boot_recipe *r);

/* ==== virtual views of an image, for mounting (mount/) ================ */
/*
 * A view is an image seen as a tree of read-only files, each computed on
 * demand from the disc model (no temporary file, no pass over the image
 * when it is made), what `optimg mount` serves through FUSE:
 *   image.iso               the first data track's 2048-byte user data,
 *                           as `optimg convert --data-track N X y.iso`
 *   image.cue, image (Track N).bin
 *                           raw bins in Redump's layout and their sheet,
 *                           byte for byte what `convert --split` writes
 *   image.ccd .img .sub     CloneCD, as `convert X image.ccd` writes it
 *                           (one-session discs only)
 *   tracks/NN.wav           each audio track's bin bytes behind a RIFF
 *                           WAVE header (44.1 kHz, 16 bits, stereo)
 *   files/                  the file system, read as `optimg extract`
 *                           reads it (only when the image has one)
 * Paths are relative to the view's root: "" or "/" is the root,
 * "files/a/b" a file of the image.
 *
 * Threads: every optimg_view_* call is thread-safe, and reads run in
 * parallel: the view opens the image again by its path (up to
 * opts.handles times) for reads that would otherwise wait.  The image
 * given to optimg_view_new() is borrowed; it must outlive the view and
 * not be used elsewhere meanwhile.
 */
struct optimg_view;
struct optimg_view_node;

struct optimg_view_opts {
	enum optimg_fs_namespace ns;		/* of files/ */
	unsigned		 session;	/* of files/: 1..; 0: last */
	unsigned		 handles;	/* images open at most; 0: 8 */
};

struct optimg_view_stat {
	enum optimg_fs_type	 type;
	uint32_t		 mode;		/* permission bits */
	uint32_t		 uid, gid, nlink;
	/* Unique in the view; hard links of files/ share theirs. */
	uint64_t		 ino;
	uint64_t		 size;
	uint64_t		 blocks;	/* 512-byte units stored (sparse
						   files have fewer) */
	struct optimg_timespec	 mtime, atime, ctime;
	const char		*symlink;	/* target, or NULL */
	uint32_t		 rdev_major, rdev_minor;
};

int optimg_view_new(struct optimg_image *img,
    const struct optimg_view_opts *opts, struct optimg_view **out,
    struct optimg_error *err);
void optimg_view_free(struct optimg_view *v);
/* Why the view has no files/ (the file system's error), or NULL. */
const char *optimg_view_fs_problem(const struct optimg_view *v);

/*
 * What path names; OPTIMG_ENOENT when nothing.  Free *out with
 * optimg_view_node_free(); a node stays usable for reads until then.
 */
int optimg_view_lookup(struct optimg_view *v, const char *path,
    struct optimg_view_node **out, struct optimg_error *err);
const struct optimg_view_stat *optimg_view_node_stat(
    const struct optimg_view_node *n);
void optimg_view_node_free(struct optimg_view_node *n);

/* Each entry of directory dir; a nonzero return from fn stops with it. */
typedef int (*optimg_view_list_fn)(void *ctx, const char *name,
    const struct optimg_view_stat *st);
int optimg_view_list(struct optimg_view *v, const struct optimg_view_node *dir,
    optimg_view_list_fn fn, void *ctx, struct optimg_error *err);

/*
 * Reads up to len bytes of file n at off; *got is the count (short only
 * at the end of the file).  When the image fails under the range (a bad
 * CHD hunk, a missing bin) the call returns that status, *got says how
 * many bytes from off are good and *bad_lba is the first sector that
 * failed (OPTIMG_NO_INDEX when no sector is to blame); err says why.
 */
int optimg_view_read(struct optimg_view *v, const struct optimg_view_node *n,
    uint64_t off, void *buf, size_t len, size_t *got, int32_t *bad_lba,
    struct optimg_error *err);

/* ==== hostile text made safe to show (quote.c) ========================= */

/*
 * Names and strings from an image, a DAT, a rescue map or a cue sheet may
 * hold terminal escapes, newlines, bidirectional controls or invalid
 * UTF-8.  Safe text is valid UTF-8 without C0/C1 controls, DEL or bidi
 * controls.  The functions below return malloc'd strings (NULL when out
 * of memory) that the caller frees.
 */
bool optimg_text_is_safe(const char *s, size_t len);
/*
 * As coreutils ls shows a name on a terminal (shell-escape style):
 * 'red'$'\033''[31m'.  Safe text comes back unchanged.
 */
char *optimg_quote_shell(const char *s, size_t len);
/* Unsafe characters as C escapes (\033, \n, \377, \u202e) in place. */
char *optimg_quote_c(const char *s, size_t len);
/*
 * Valid UTF-8 for JSON: each invalid byte (and NUL) becomes U+FFFD;
 * *changed (may be NULL) says whether any did.
 */
char *optimg_utf8_repair(const char *s, size_t len, bool *changed);

#ifdef __cplusplus
}
#endif
#endif /* OPTIMG_H */
