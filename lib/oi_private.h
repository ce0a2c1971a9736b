/*
 * oi_private.h - structures shared by liboptimg's own files.  Nothing here
 * is installed; programs outside lib/ see only optimg.h.
 */
#ifndef OI_PRIVATE_H
#define OI_PRIVATE_H

#ifndef OPTIMG_BUILD
#error "oi_private.h is internal to liboptimg"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <sys/types.h>

#include "optimg.h"
#include "worker.h"

#define OI_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define OI_MIN(a, b) ((a) < (b) ? (a) : (b))
#define OI_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Forward an error: OI_TRY(expr) returns expr's status when it failed. */
#define OI_TRY(expr) do { int oi_rc_ = (expr); if (oi_rc_ < 0) return oi_rc_; } while (0)

/* ---- errors (error.c) -------------------------------------------------- */

int oi_set_error(struct optimg_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* As oi_set_error, appending ": strerror(errno)". */
int oi_set_errno(struct optimg_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void oi_error_clear(struct optimg_error *err);
/* Say which option err is about / would get past it; return err's code. */
int oi_error_about(struct optimg_error *err, enum optimg_option about);
int oi_error_remedy(struct optimg_error *err, enum optimg_option first,
    enum optimg_option second);

/* ---- little helpers (util.c) ------------------------------------------- */

void *oi_calloc(size_t n, size_t size);	/* overflow-checked */
void *oi_reallocarray(void *p, size_t n, size_t size);
char *oi_strdup(const char *s);		/* NULL in, NULL out */
/* A buffer for bulk I/O, in huge pages when large (util.c); free() it. */
void *oi_io_alloc(size_t size);
/* The cores this process may run on (sched_getaffinity), at least 1. */
unsigned oi_cpu_count(void);
uint16_t oi_le16dec(const void *p);
uint32_t oi_le32dec(const void *p);
uint16_t oi_be16dec(const void *p);
uint32_t oi_be32dec(const void *p);
uint64_t oi_le64dec(const void *p);
uint64_t oi_be64dec(const void *p);
void oi_le32enc(void *p, uint32_t v);
/* Reads a whole small file (text sheets); fails when larger than max. */
/*
 * True when errno e from copy_file_range() or sendfile() means the kernel
 * cannot copy between those two files (other file systems, kinds or
 * modes), so the caller reads and writes instead; false for a failure.
 */
bool oi_kernel_copy_refused(int e);
int oi_read_small_file(const char *path, size_t max, char **out, size_t *len,
    struct optimg_error *err);
/* The same in pieces, asking cancel(ctx) between them (ECANCELED). */
int oi_read_file_until(const char *path, size_t max, int (*cancel)(void *),
    void *ctx, char **out, size_t *len, struct optimg_error *err);

/* ---- streams: the byte sources sectors come from (stream.c) ----------- */

/*
 * A stream is bytes addressed by offset: a plain file now, a decompressor,
 * a container member or a drive later.  Readers reach bytes only through
 * oi_stream_pread(); a new kind of stream is one more ops table.
 */
struct oi_stream;

struct oi_stream_ops {
	const char	*name;		/* "file", "memory", ... */
	/* Exactly len bytes at off; oi_stream_pread checked the range. */
	int		(*pread)(struct oi_stream *st, void *buf, size_t len,
			    uint64_t off, struct optimg_error *err);
	/*
	 * A descriptor holding the stream's bytes at the same offsets, for
	 * the kernel to copy from (copy_file_range); -1 when there is none
	 * (compressed, in memory).  NULL means -1.
	 */
	int		(*plain_fd)(const struct oi_stream *st);
	void		(*close)(struct oi_stream *st);	/* frees ctx */
};

struct oi_stream {
	const struct oi_stream_ops *ops;
	char		*path;		/* for messages and input checks */
	uint64_t	 size;		/* bytes the stream holds */
	int		 fd;		/* plain files */
	void		*ctx;		/* other kinds: owned by ops */
};

/*
 * A file; fails on a directory.  A gzip, xz, zstd or ECM file (by its
 * magic number) is opened decompressed (unpack.h).
 */
int oi_stream_open(struct oi_stream *st, const char *path,
    struct optimg_error *err);
/* The file's bytes as they are. */
int oi_stream_open_plain(struct oi_stream *st, const char *path,
    struct optimg_error *err);
/* An open descriptor, owned by the stream from the call on. */
int oi_stream_adopt_fd(struct oi_stream *st, int fd, const char *name,
    uint64_t size, struct optimg_error *err);
/* len bytes at data, borrowed: they must outlive the stream. */
int oi_stream_open_mem(struct oi_stream *st, const char *name,
    const void *data, size_t len, struct optimg_error *err);
void oi_stream_close(struct oi_stream *st);
/* Reads exactly len bytes at off; past the end is an EFORMAT error. */
int oi_stream_pread(struct oi_stream *st, void *buf, size_t len,
    uint64_t off, struct optimg_error *err);
/* The stream's plain-file descriptor, or -1 (see plain_fd above). */
int oi_stream_plain_fd(const struct oi_stream *st);

/* ---- fragments: LBA range -> bytes in a stream (libmirage's model) ---- */

enum oi_fill {
	OI_FILL_FILE,		/* data comes from a stream */
	OI_FILL_ZERO,		/* an unstored gap: silence or empty sectors */
	OI_FILL_CALLBACK,	/* data comes from image->reader (a drive) */
	OI_FILL_LEADOUT,	/* a session's lead-out: no sector to read */
	OI_FILL_LEADIN,		/* the next session's lead-in: likewise */
};

/* Where a fragment's subchannel (96 bytes of P-W a sector) lies. */
enum oi_sub {
	OI_SUB_NONE,		/* none kept: reads as zeros */
	OI_SUB_INLINE,		/* after each 2352 bytes (sector_size 2448) */
	OI_SUB_STREAM,		/* in sub_stream, 96 bytes a sector */
};

struct oi_fragment {
	int32_t			 lba;		/* first sector */
	uint32_t		 count;
	enum oi_fill		 fill;
	unsigned		 stream;	/* index into image->streams */
	uint64_t		 offset;	/* byte offset of lba's sector */
	unsigned		 sector_size;	/* 2048, 2324, 2336, 2352, 2448 */
	bool			 swap16;	/* big-endian audio (MOTOROLA) */
	enum optimg_track_mode	 mode;		/* how to synthesise sectors */
	/*
	 * Subchannel.  Raw P-W is interleaved as a drive returns it (bit 7
	 * of each byte is P); sub_linear says 12 bytes per channel instead,
	 * P first (CloneCD .sub).  Reads at 2448 always give it raw.
	 */
	enum oi_sub		 sub;
	bool			 sub_linear;
	unsigned		 sub_stream;	/* OI_SUB_STREAM */
	uint64_t		 sub_offset;	/* byte offset of lba's 96 */
};

/*
 * Sectors that come from no file: a drive (drive_cdio.c).  read() fills buf
 * with count sectors of sector_size bytes (the fragment's) from lba on; on
 * failure it sets err and returns its status.
 */
struct oi_reader {
	int	(*read)(void *ctx, int32_t lba, uint32_t count,
		    unsigned sector_size, void *buf, struct optimg_error *err);
	void	*ctx;
	/* Frees ctx when the image is freed; NULL when someone else owns
	   it (a drive owns its image). */
	void	(*close)(void *ctx);
	/* read() also gives the 2048 bytes of user data of a data sector,
	   corrected by the drive's own ECC (a drive does; a container such
	   as CHD gives only the sectors as stored). */
	bool	cooked;
};

/* ---- subchannel (subchannel.c) ----------------------------------------- */

/* Linear (12 bytes a channel, CloneCD) <-> raw interleaved (a drive's). */
void oi_sub_interleave(const uint8_t lin[OPTIMG_SUBCHANNEL],
    uint8_t raw[OPTIMG_SUBCHANNEL]);
void oi_sub_deinterleave(const uint8_t raw[OPTIMG_SUBCHANNEL],
    uint8_t lin[OPTIMG_SUBCHANNEL]);
/* The 12 bytes of Q out of raw P-W. */
void oi_sub_q(const uint8_t raw[OPTIMG_SUBCHANNEL], uint8_t q[12]);
/* CRC-16 of Q's first 10 bytes as ECMA-130 sends it (inverted). */
uint16_t oi_subq_crc(const uint8_t q[10]);
bool oi_subq_ok(const uint8_t q[12]);
/* Mode 1 Q (position) of lba as the disc's table of contents gives it. */
void oi_subq_make(const struct optimg_disc *d, int32_t lba, uint8_t q[12]);
/* Raw P-W of lba: P in the pause before INDEX 01, Q as above, R-W 0. */
void oi_sub_make(const struct optimg_disc *d, int32_t lba,
    uint8_t raw[OPTIMG_SUBCHANNEL]);

/* Sectors between sessions no image stores (Orange Book). */
#define OI_LEADOUT_FIRST	6750	/* after the first session */
#define OI_LEADOUT_LATER	2250	/* after later ones */
#define OI_LEADIN		4500
#define OI_SESSION_PREGAP	150	/* before a session's first track */

/* ---- images and formats ------------------------------------------------ */

/*
 * What a reader is shown to bid on: the first and last bytes of the file
 * (NRG and CDI keep their signature at the end), its size and its name
 * (for messages; a bid on the name alone is a last resort).
 */
struct oi_probe {
	const uint8_t	*head;
	size_t		 head_len;
	const uint8_t	*tail;		/* the last tail_len bytes */
	size_t		 tail_len;
	uint64_t	 size;
	const char	*path;
};

/*
 * An image format's reader.  Adding one is a new fmt_NAME.c defining this
 * and one line in format.c's table; see doc/architecture.md.
 */
struct oi_format {
	const char	*name;		/* "cue", "iso", "ccd", ... */
	const char	*description;	/* "cdrdao TOC", for --help */
	/* 0..100: how sure the format is that the file is its own. */
	int		(*probe)(const struct oi_probe *p);
	/* Fills img's disc, streams and fragments; finish with
	   oi_image_finish_layout(). */
	int		(*open)(struct optimg_image *img, const char *path);
};

/* The reader bidding highest on p, or NULL when none bids. */
const struct oi_format *oi_format_detect(const struct oi_probe *p);

extern const struct oi_format oi_format_cue;
extern const struct oi_format oi_format_ccd;
extern const struct oi_format oi_format_iso;
extern const struct oi_format oi_format_rawbin;
extern const struct oi_format oi_format_chd;
extern const struct oi_format oi_format_cso;
extern const struct oi_format oi_format_nrg;
extern const struct oi_format oi_format_gdi;
extern const struct oi_format oi_format_cdi;
extern const struct oi_format oi_format_mds;
extern const struct oi_format oi_format_toc;

struct optimg_image {
	const struct oi_format	*format;
	char			*path;
	struct optimg_disc	 disc;
	struct oi_stream	*streams;
	unsigned		 nstreams;
	struct oi_fragment	*frags;
	unsigned		 nfrags;
	unsigned		 last_frag;	/* lookup cache */
	struct optimg_error	 err;
	optimg_warning_fn	 warn;
	void			*warn_ctx;
	uint8_t			*scratch;	/* conversion buffer */
	size_t			 scratch_size;
	struct oi_worker	 encoder;	/* shares cooked-to-raw work */
	/* Cores the caller keeps busy while it reads (a writer thread):
	   the encoder is woken only when a core is left for it. */
	unsigned		 cores_taken;
	struct oi_reader	 reader;	/* for OI_FILL_CALLBACK */
	char			*chd_parent;	/* a CHD's parent, if named */
	/* Set when some audio was decoded from a lossy source (an MP3 in a
	   cue sheet): what to say when refusing to write it as a disc. */
	char			*lossy;
};

void oi_image_warn(struct optimg_image *img, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds a stream opened on path; *index receives its number. */
int oi_image_add_stream(struct optimg_image *img, const char *path,
    unsigned *index);
/* Adds an open stream of any kind (taken over, closed on failure too). */
int oi_image_adopt_stream(struct optimg_image *img, struct oi_stream *st,
    unsigned *index);
int oi_image_add_fragment(struct optimg_image *img,
    const struct oi_fragment *frag);
/* Appends a zeroed track (indices set to OPTIMG_NO_INDEX). */
int oi_image_add_track(struct optimg_image *img, struct optimg_track **out);
/*
 * Fills sessions, pregap/length of each track from the indices and the
 * end of the last fragment.  Called by formats once every track is in.
 */
int oi_image_finish_layout(struct optimg_image *img);
void oi_disc_release(struct optimg_disc *disc);
/* The storage a declared sector size means: 2048 USER, 2336 MODE2, RAW. */
enum optimg_storage oi_storage_of_size(unsigned sector_size);
/*
 * The sectors from end (a session's lead-out) to next (the next session's
 * first sector), which no image stores: a lead-out, then a lead-in of
 * OI_LEADIN sectors when the gap has room for more.  Readers whose images
 * give the sessions' addresses (NRG DAO, CDI, MDS) call it between them.
 */
int oi_image_add_session_gap(struct optimg_image *img, int32_t end,
    int32_t next);
/* Keeps a copy of len bytes of data as a blob of the disc. */
int oi_disc_add_blob(struct optimg_disc *d, const char *name,
    const char *summary, const uint8_t *data, size_t len,
    struct optimg_error *err);
int oi_note_add(struct optimg_note **notes, unsigned *n, const char *text);

/*
 * Where sectors [lba, lba + count) lie in a file as plain 2048-byte user
 * data, so that they can be copied by the kernel: the file's descriptor
 * (borrowed from the image), the byte offset of lba and how many of the
 * sectors follow on there (1..count).  OPTIMG_EUNSUPP when lba's sectors
 * are raw, synthesised or come from a drive.
 */
struct oi_plain_span {
	int		fd;
	uint64_t	offset;
	uint32_t	count;
};
int oi_image_plain_span(struct optimg_image *img, int32_t lba, uint32_t count,
    struct oi_plain_span *out);

/* Sectors the image holds: the end of its last fragment. */
int32_t oi_image_end_lba(const struct optimg_image *img);

/* ---- files a sheet names (findfile.c) ---------------------------------- */

bool oi_path_exists(const char *path);
/* The directory part of path ("." when none). */
char *oi_dir_of(const char *path);
/* dir/name (len bytes), or dir/<entry spelt as name but for case>;
   NULL if neither. */
char *oi_find_entry(const char *dir, const char *name, size_t len);
/* name under dir as written, else component by component ignoring case
   and taking \ as /; NULL when not found.  Absolute names stay so. */
char *oi_find_named(const char *dir, const char *name);
/* oi_find_named, else name.ecm, .xz, .zst or .gz (a packed bin). */
char *oi_find_file(const char *dir, const char *name);

/* ---- Nero images (fmt_nrg.c) ------------------------------------------ */

/*
 * Builds img's disc from the end of an NRG file of size bytes: buf holds
 * its last len bytes, which must take in the footer's chunk chain.  The
 * sector data is stream's.  Errors name the file by name and the byte.
 */
int oi_nrg_parse(struct optimg_image *img, const char *name,
    const uint8_t *buf, size_t len, uint64_t size, unsigned stream);
/* 0..100: how sure the last len bytes of a file of size bytes are NRG's. */
int oi_nrg_probe_tail(const uint8_t *tail, size_t len, uint64_t size);

/* ---- DiscJuggler images (fmt_cdi.c) ----------------------------------- */

/*
 * Builds img's disc from the end of a .cdi of size bytes: buf holds its
 * last len bytes, which must take in the track table.  Errors name the
 * file by name and the byte.
 */
int oi_cdi_parse(struct optimg_image *img, const char *name,
    const uint8_t *buf, size_t len, uint64_t size, unsigned stream);
int oi_cdi_probe_tail(const uint8_t *tail, size_t len, uint64_t size);

/* ---- Alcohol 120% descriptors (fmt_mds.c) ------------------------------ */

/*
 * Builds img's disc from a .mds descriptor held in buf (hostile); the
 * .mdf files it names are looked up beside name.
 */
int oi_mds_parse(struct optimg_image *img, const char *name,
    const uint8_t *buf, size_t len);

/* ---- Dreamcast track lists (fmt_gdi.c) -------------------------------- */

struct oi_gdi_track {
	unsigned	 number;
	int32_t		 lba;		/* where the track starts */
	bool		 audio;		/* type 0; else 4, data */
	unsigned	 size;		/* 2352 or 2048 bytes a sector */
	char		*name;		/* the file, as written */
	unsigned	 line;
};

struct oi_gdi {
	struct oi_gdi_track	*tracks;
	unsigned		 ntracks;
	unsigned		 want;		/* the first line's count */
};

/* Parses a .gdi held in memory (hostile); errors say "line N: ...". */
int oi_gdi_parse(const char *text, size_t len, struct oi_gdi **out,
    struct optimg_error *err);
void oi_gdi_free(struct oi_gdi *g);
/*
 * Lays g out on img: track i's sectors are in streams[i], sizes[i] bytes.
 * Errors name the .gdi by name.
 */
int oi_gdi_layout(struct optimg_image *img, const char *name,
    const struct oi_gdi *g, const unsigned *streams, const uint64_t *sizes);

/* ---- CD-TEXT packs (cdtext_packs.c) ------------------------------------ */

/*
 * Decodes len bytes of 18-byte CD-TEXT packs (block 0) into the disc's
 * and its tracks' CD-TEXT; tracks must already be in d.  Fails only for
 * lack of memory.
 */
int oi_cdtext_from_packs(struct optimg_disc *d, const uint8_t *packs,
    size_t len, struct optimg_error *err);
/* The same, but text the disc already has (a cue's own lines) is kept. */
int oi_cdtext_fill_from_packs(struct optimg_disc *d, const uint8_t *packs,
    size_t len, struct optimg_error *err);
/*
 * Where the packs are in a CD-TEXT file (.cdt: bare packs, or READ TOC
 * format 5's reply with its 4-byte header; either may end in one NUL):
 * *off and *len, or OPTIMG_EFORMAT with the byte that is not a pack.
 */
int oi_cdtext_file_packs(const uint8_t *buf, size_t size, size_t *off,
    size_t *len, struct optimg_error *err);

/* ---- CUE sheets (cue_parse.c, cue_layout.c, cue_write.c) --------------- */

enum oi_cue_filetype {
	OI_CUE_BINARY,
	OI_CUE_MOTOROLA,
	OI_CUE_WAVE,
	OI_CUE_MP3,
	OI_CUE_AIFF,
	OI_CUE_FLAC,
};

/* One INDEX line: number and position in frames inside the current FILE. */
struct oi_cue_index {
	unsigned	number;
	uint32_t	frames;
	unsigned	line;		/* in the sheet, for messages */
};

struct oi_cue_track {
	unsigned		 number;
	enum optimg_track_mode	 mode;
	unsigned		 sector_size;	/* on file */
	bool			 subchannel;	/* CDG */
	unsigned		 file;		/* FILE in force at TRACK */
	unsigned		 line;		/* of the TRACK line */
	uint32_t		 pregap;	/* PREGAP frames (unstored) */
	uint32_t		 postgap;	/* POSTGAP frames (unstored) */
	bool			 pregap_given;	/* PREGAP, or REM PREGAP */
	/*
	 * The first track of a session after the first: the lead-out of
	 * the session before and this one's lead-in, unstored, from
	 * Redump's REM LEAD-OUT / REM LEAD-IN lines or the Orange Book's
	 * lengths.  REM PREGAP sets pregap.
	 */
	bool			 session_start;
	uint32_t		 leadout;
	uint32_t		 leadin;
	unsigned		 flags;
	char			 isrc[13];
	struct optimg_cdtext	 cdtext;
	struct optimg_note	*notes;
	unsigned		 nnotes;
	/* Indices in order; each records the FILE it was given under. */
	struct oi_cue_index	 index[OPTIMG_MAX_INDEX];
	unsigned		 index_file[OPTIMG_MAX_INDEX];
	unsigned		 nindex;
};

struct oi_cue_file {
	char			*name;		/* as written in the sheet */
	enum oi_cue_filetype	 type;
	unsigned		 line;		/* of the FILE line */
};

struct oi_cue_sheet {
	struct oi_cue_file	*files;
	unsigned		 nfiles;
	struct oi_cue_track	*tracks;
	unsigned		 ntracks;
	char			 catalog[14];
	char			*cdtextfile;
	struct optimg_cdtext	 cdtext;
	struct optimg_note	*notes;		/* disc-level REM lines */
	unsigned		 nnotes;
	/* REM SESSION nn before a track: session number per track */
	unsigned		*track_session;
	/* REM HIGH-DENSITY AREA (Redump's GD-ROM sheets): 1 + the index of
	   the first track after it, 0 when there is none */
	unsigned		 hd_track;
	/* What was read other than as written ("line N: ..."), in order */
	struct optimg_note	*warnings;
	unsigned		 nwarnings;
};

/*
 * Parses a CUE sheet held in memory.  The text is hostile: any length,
 * any bytes.  On failure err says "line N: problem".
 */
/*
 * cue_audio.c: a FLAC FILE decoded into a new stream of the image (CD
 * audio only); where ("'x.cue' line N") starts its messages.  The SSND
 * sample range of an AIFF stream (big-endian, CD audio only).
 */
int oi_cue_flac_stream(struct optimg_image *img, const char *path,
    const char *where, unsigned *index);
/* An MP3 FILE decoded through libmpg123; marks the image lossy. */
int oi_cue_mp3_stream(struct optimg_image *img, const char *path,
    const char *where, unsigned *index);
int oi_cue_aiff_range(struct oi_stream *st, const char *where,
    uint64_t *start, uint64_t *size, struct optimg_error *err);

int oi_cue_parse(const char *text, size_t len, struct oi_cue_sheet **out,
    struct optimg_error *err);
void oi_cue_free(struct oi_cue_sheet *sheet);
/*
 * A REM note saying LEAD-OUT, LEAD-IN or PREGAP and a value: Redump's
 * lines about the gap before a session.  The parser takes them off the
 * track before a session's first track into the model; the writer makes
 * them again from it.
 */
bool oi_cue_gap_note(const char *text);

/* LBA where a GD-ROM's high-density area starts (MAME chdcd.cpp). */
#define OI_GDROM_HD_LBA	45000
/*
 * A GD-ROM's first track in its high-density area: a data track at LBA
 * 45000 that the track before reaches only through unstored padding (a
 * .gdi's, a Redump sheet's REM HIGH-DENSITY AREA, a CHD's CHGD); -1 when
 * the disc is no GD-ROM.
 */
int oi_disc_gdrom_hd_track(const struct optimg_disc *disc);

/*
 * Lays the sheet out on an image: tracks with absolute LBAs and fragments.
 * streams[i] is the stream index opened for sheet->files[i], data_start[i]
 * the byte where that file's sector data starts (WAVE header skipped) and
 * data_size[i] the bytes of sector data it holds.
 */
int oi_cue_layout(const struct oi_cue_sheet *sheet, struct optimg_image *img,
    const unsigned *streams, const uint64_t *data_start,
    const uint64_t *data_size);

/*
 * Writes a CUE sheet for disc whose track data is in the files named by
 * file_of_track[i] (the same pointer for tracks sharing one file).  Each
 * track's data starts at its first stored sector; bins hold sector_size
 * bytes per sector as the track says.
 */
int oi_cue_write(FILE *out, const struct optimg_disc *disc,
    const char *const *file_of_track, struct optimg_error *err);

#endif /* OI_PRIVATE_H */
