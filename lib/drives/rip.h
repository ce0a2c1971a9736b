/*
 * rip.h - what rip.c and verify.c share: file hashes (hash.c), the rescue
 * map (rescue_map.c), injected faults (rip_fault.c) and Logiqx DAT files
 * (dat.c).  Internal to liboptimg.
 */
#ifndef OI_RIP_H
#define OI_RIP_H

#include "oi_private.h"
#include "outfile.h"

/* ---- hashes: CRC32 (zlib), MD5 and SHA-1 (libcrypto) at once ---------- */

struct oi_hash {
	uint64_t	 size;
	uint32_t	 crc;
	void		*md5;		/* EVP_MD_CTX */
	void		*sha1;
};

int oi_hash_init(struct oi_hash *h, struct optimg_error *err);
void oi_hash_update(struct oi_hash *h, const void *buf, size_t len);
/* Writes the results and releases h. */
void oi_hash_final(struct oi_hash *h, struct optimg_hashes *out);
/* Releases h without results; safe on a zeroed or finished h. */
void oi_hash_release(struct oi_hash *h);
/* Hashes a whole file; progress (may be NULL) gets bytes of its size. */
int oi_hash_file(const char *path, struct optimg_hashes *out,
    optimg_progress_fn progress, void *ctx, struct optimg_error *err);

/* ---- rescue map -------------------------------------------------------- */

/*
 * Which sectors of a rip are in its .part files.  The extents tile
 * [first, end) in order, with no two neighbours of the same status.  On
 * disk it is text, ddrescue's map file in spirit:
 *
 *	# comments
 *	optimg-map 1
 *	disc 1a2b3c4d		fingerprint of the TOC the rip was made from
 *	output cue		cue or iso
 *	offset 0		read offset correction, samples
 *	unit 2352		bytes a sector takes in the part files
 *	range 0 302		first sector and end (exclusive)
 *	0 200 good 9a3c01fe	first sector, count, status[, CRC32]
 *	200 10 bad
 *	210 92 untried
 *
 * A done extent carries the CRC32 of its bytes in the part files, so a
 * resumed rip can tell a .part that was cut short or changed from one
 * that holds what the map says; merged extents combine their CRCs
 * (crc32_combine), and a piece split off an extent loses its CRC.
 *
 * What each status says of a sector:
 *	untried	not read yet
 *	bad	the drive gave no data for it
 *	good	read; a data sector read raw passed its EDC/ECC check
 *	kept	data, raw: fails its EDC/ECC check the same way on every read
 *		and no cooked read says otherwise; kept as read
 *	cooked	ISO: user data from a cooked (2048-byte) read, because the
 *		raw sector failed its check or the drive cannot read raw
 *	rawfail	BIN: the raw sector is corrupt or unreadable but its user
 *		data reads cooked; not dumped (to do, as bad is)
 *	rebuilt	BIN: the raw sector rebuilt from its cooked user data
 *		(--reconstruct); not a raw dump
 *	gap	between two sessions (lead-out, lead-in): no sector to
 *		read and none in any part file
 * good, kept, cooked, rebuilt and gap are done; the others are to do.
 */
enum oi_map_status {
	OI_MAP_UNTRIED,
	OI_MAP_BAD,
	OI_MAP_GOOD,
	OI_MAP_KEPT,
	OI_MAP_COOKED,
	OI_MAP_RAWFAIL,
	OI_MAP_REBUILT,
	OI_MAP_GAP,
};

struct oi_map_extent {
	int32_t			start;
	uint32_t		count;
	enum oi_map_status	status;
	bool			hashed;		/* crc is that of its bytes */
	uint32_t		crc;
};

#define OI_MAP_DISC_MAX 64

struct oi_rescue_map {
	int32_t			 first, end;
	char			 disc[OI_MAP_DISC_MAX];
	char			 output[8];
	int			 offset;
	unsigned		 unit;		/* bytes a sector; 0 unknown */
	struct oi_map_extent	*ext;
	unsigned		 n;
};

const char *oi_map_status_name(enum oi_map_status st);
/* True for the statuses whose sectors hold their final bytes. */
bool oi_map_done(enum oi_map_status st);
/* One untried extent over [first, end). */
int oi_map_init(struct oi_rescue_map *m, int32_t first, int32_t end);
void oi_map_release(struct oi_rescue_map *m);
/* Gives [start, start + count) status st; it must lie inside the range. */
int oi_map_set(struct oi_rescue_map *m, int32_t start, uint32_t count,
    enum oi_map_status st);
/* The same for sectors whose bytes (m->unit a sector) have CRC32 crc. */
int oi_map_set_hashed(struct oi_rescue_map *m, int32_t start,
    uint32_t count, enum oi_map_status st, uint32_t crc);
enum oi_map_status oi_map_status_at(const struct oi_rescue_map *m,
    int32_t lba);
uint32_t oi_map_count(const struct oi_rescue_map *m, enum oi_map_status st);
unsigned oi_map_extents(const struct oi_rescue_map *m, enum oi_map_status st);
/* The first sector at or after lba that is not done, and how many follow
 * it that are not done either; false when there is none. */
bool oi_map_next_todo(const struct oi_rescue_map *m, int32_t lba,
    int32_t *start, uint32_t *count);
/* Text of the map, malloc'd. */
int oi_map_format(const struct oi_rescue_map *m, char **text, size_t *len);
/* Parses hostile text; on failure err says "line N: problem". */
int oi_map_parse(const char *text, size_t len, struct oi_rescue_map *m,
    struct optimg_error *err);
/* Writes a temporary file beside path, flushes it to the disk and
 * renames it over path. */
int oi_map_save(const struct oi_rescue_map *m, const char *path,
    struct optimg_error *err);
int oi_map_load(const char *path, struct oi_rescue_map *m,
    struct optimg_error *err);

/* ---- injected faults (for tests) ---------------------------------------- */

enum oi_fault_kind {
	OI_FAULT_NONE,
	OI_FAULT_FAIL,		/* every read fails */
	OI_FAULT_FLAKY,		/* the first N reads fail */
	OI_FAULT_HANG,		/* the read waits until cancelled */
	OI_FAULT_RAWBAD,	/* raw reads give headers with a binary MSF
				 * and zeroed EDC/ECC (QEMU's IDE drive) */
	OI_FAULT_NORAW,		/* raw reads unsupported (QEMU's SCSI drive) */
};

struct oi_fault {
	int32_t			first, last;	/* inclusive */
	enum oi_fault_kind	kind;
	unsigned		times;		/* FLAKY: failures a sector */
	unsigned		*left;		/* FLAKY: per sector, to come */
};

struct oi_fault_plan {
	struct oi_fault		*f;
	unsigned		 n;
};

/* "RANGE:KIND[,RANGE:KIND...]", RANGE "LBA" or "LBA-LBA". */
int oi_fault_parse(const char *text, struct oi_fault_plan *plan,
    struct optimg_error *err);
void oi_fault_release(struct oi_fault_plan *plan);
/* What a read of [lba, lba + n) meets: HANG before FAIL before FLAKY;
 * each flaky sector in the range uses up one failure. */
enum oi_fault_kind oi_fault_check(struct oi_fault_plan *plan, int32_t lba,
    uint32_t n);
/* Whether a fault of kind (RAWBAD or NORAW) covers lba; any lba when
 * lba is INT32_MIN. */
bool oi_fault_covers(const struct oi_fault_plan *plan, int32_t lba,
    enum oi_fault_kind kind);

/* ---- sessions from a drive's full TOC (full_toc.c) -------------------- */

struct oi_toc_sessions {
	uint8_t		session[100];	/* by track number; 0 unknown */
	int32_t		leadout[100];	/* by session number; 0 unknown */
	unsigned	last;		/* the highest session seen */
};

/*
 * Each track's session and each session's lead-out from the len bytes of
 * a READ TOC format 2 answer (hostile); false when it gives none.
 */
bool oi_parse_full_toc(const uint8_t *buf, size_t len,
    struct oi_toc_sessions *ts);

/* ---- CloneCD output of a rip (rip_ccd.c) ------------------------------ */

struct oi_rip_ccd {
	struct oi_outfile	img, sub, ccd;
	struct oi_hash		hash[2];
	struct optimg_hashes	hashes[2];	/* of NAME.img and NAME.sub */
};

/*
 * Splits the part file fd (sectors 0 to end, 2448 bytes each: the raw
 * sector, then its raw P-W as the drive returned it) into NAME.img and
 * NAME.sub in dir, sets d's INDEX 00 and 02-99 from subchannel Q and
 * writes NAME.ccd; all three are finished but not yet in place.  c must
 * be zeroed with its outfiles' fd at -1.
 */
int oi_rip_ccd_write(struct oi_rip_ccd *c, struct optimg_disc *d, int fd,
    const char *part, int32_t end, const char *dir, const char *base,
    struct optimg_error *err);
/* Renames them into place, the .ccd last. */
int oi_rip_ccd_commit(struct oi_rip_ccd *c, struct optimg_error *err);
void oi_rip_ccd_abort(struct oi_rip_ccd *c);

/* ---- Redump/Logiqx DAT files ------------------------------------------- */

struct oi_dat_rom {
	char		*name;
	bool		 has_size, has_crc, has_md5, has_sha1;
	uint64_t	 size;
	uint32_t	 crc;
	uint8_t		 md5[16];
	uint8_t		 sha1[20];
};

struct oi_dat_game {
	char			*name;	/* "" for roms outside any game */
	struct oi_dat_rom	*roms;
	unsigned		 nroms, caproms;
};

struct oi_dat {
	struct oi_dat_game	*games;
	unsigned		 ngames;
};

/*
 * Reads the <game>/<machine> and <rom> elements of a DAT held in memory
 * and ignores all else.  The text is hostile: a DAT that declares an
 * entity is refused, and malformed XML fails with "line N: problem".
 * cancel (may be NULL) is asked between slices of the text; nonzero
 * stops the parse with OPTIMG_ECANCELED.
 */
int oi_dat_parse(const char *text, size_t len, struct oi_dat **out,
    int (*cancel)(void *), void *ctx, struct optimg_error *err);
void oi_dat_free(struct oi_dat *dat);

#endif
