/*
 * chd.h - MAME's Compressed Hunks of Data, version 5, inside liboptimg.
 *
 * A CHD holds "logical bytes" cut into hunks of hunk_bytes; each hunk is
 * stored compressed by one of up to four codecs named in the header, or
 * plainly, or as a copy of another hunk of this file or of a parent CHD.
 * The map says which, per hunk.  Metadata entries (CD track lists, our own
 * lossless tag) form a chain of tagged blobs.  A CD CHD's logical bytes are
 * frames of 2352 sector bytes + 96 subcode bytes, audio big-endian, each
 * track padded to a multiple of 4 frames.
 *
 * chd_huff.c   bit streams and the canonical Huffman coder (map, huff codec)
 * chd_codec.c  the hunk codecs: zlib, lzma, zstd, huff, flac, cd*
 * chd_flac.c   the libFLAC adapter (the only file that sees FLAC types)
 * chd_file.c   header, map, metadata, hunk reads with a cache, parents
 * chd_cd.c     CD track metadata (CHT2, CHTR, CHCD, CHGD) and its layout
 * chd_write.c  the writer
 *
 * Facts come from MAME's chd.cpp/chdcodec.cpp/huffman.cpp and libchdr;
 * chdman is the oracle the tests compare against.
 */
#ifndef OI_CHD_H
#define OI_CHD_H

#include "oi_private.h"
#include "unpack.h"

#define CHD_TAG(a, b, c, d) \
	(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | \
	((uint32_t)(c) << 8) | (uint32_t)(d))

#define CHD_MAGIC		"MComprHD"
#define CHD_V5_HEADER_SIZE	124
#define CHD_SHA1_SIZE		20
#define CHD_MAX_HUNK		(1u << 24)	/* map lengths are 24 bits */

/* Codec tags, as the header names them. */
#define CHD_CODEC_NONE	0
#define CHD_CODEC_ZLIB	CHD_TAG('z', 'l', 'i', 'b')
#define CHD_CODEC_LZMA	CHD_TAG('l', 'z', 'm', 'a')
#define CHD_CODEC_HUFF	CHD_TAG('h', 'u', 'f', 'f')
#define CHD_CODEC_FLAC	CHD_TAG('f', 'l', 'a', 'c')
#define CHD_CODEC_ZSTD	CHD_TAG('z', 's', 't', 'd')
#define CHD_CODEC_CDZL	CHD_TAG('c', 'd', 'z', 'l')
#define CHD_CODEC_CDLZ	CHD_TAG('c', 'd', 'l', 'z')
#define CHD_CODEC_CDFL	CHD_TAG('c', 'd', 'f', 'l')
#define CHD_CODEC_CDZS	CHD_TAG('c', 'd', 'z', 's')

/* Metadata tags. */
#define CHD_META_CHCD	CHD_TAG('C', 'H', 'C', 'D')	/* old binary CD */
#define CHD_META_CHTR	CHD_TAG('C', 'H', 'T', 'R')	/* CD track, v1 */
#define CHD_META_CHT2	CHD_TAG('C', 'H', 'T', '2')	/* CD track, v2 */
#define CHD_META_CHGT	CHD_TAG('C', 'H', 'G', 'T')	/* old GD-ROM */
#define CHD_META_CHGD	CHD_TAG('C', 'H', 'G', 'D')	/* GD-ROM track */
#define CHD_META_DVD	CHD_TAG('D', 'V', 'D', ' ')
#define CHD_META_OPTIMG	CHD_TAG('O', 'P', 'T', 'I')	/* ours: doc/chd.md */
#define CHD_MDFLAGS_CHECKSUM 0x01	/* entry counts in the overall SHA-1 */

/* Map entry types (v5). */
enum chd_map_type {
	CHD_MAP_CODEC0 = 0,	/* .. CHD_MAP_CODEC0 + 3 */
	CHD_MAP_NONE = 4,	/* stored plainly, hunk_bytes long */
	CHD_MAP_SELF = 5,	/* same as hunk 'offset' of this file */
	CHD_MAP_PARENT = 6,	/* same as unit 'offset' of the parent */
	/* pseudo-types of the compressed map only */
	CHD_MAP_RLE_SMALL, CHD_MAP_RLE_LARGE, CHD_MAP_SELF_0, CHD_MAP_SELF_1,
	CHD_MAP_PARENT_SELF, CHD_MAP_PARENT_0, CHD_MAP_PARENT_1,
};

/* CD frames. */
#define CHD_CD_SECTOR	2352
#define CHD_CD_SUB	96
#define CHD_CD_FRAME	(CHD_CD_SECTOR + CHD_CD_SUB)
#define CHD_CD_HUNK_FRAMES 8
#define CHD_CD_PAD	4	/* tracks are padded to 4-frame multiples */

/* ---- bits and Huffman (chd_huff.c) ---------------------------------- */

struct chd_bits {
	const uint8_t	*data;
	size_t		 len;
	size_t		 pos;		/* next byte to load */
	uint32_t	 buf;
	int		 nbits;
};

void chd_bits_init(struct chd_bits *b, const void *data, size_t len);
uint32_t chd_bits_read(struct chd_bits *b, int n);	/* n <= 24 */
/* True when more bits were taken than the data holds. */
bool chd_bits_overflow(const struct chd_bits *b);
/* Bytes consumed, counting a partly used byte. */
size_t chd_bits_used(const struct chd_bits *b);

struct chd_bitw {
	uint8_t		*data;
	size_t		 cap;
	size_t		 len;
	uint32_t	 acc;
	int		 nbits;
	bool		 full;		/* cap was too small */
};

void chd_bitw_init(struct chd_bitw *w, void *data, size_t cap);
void chd_bitw_put(struct chd_bitw *w, uint32_t v, int n);	/* n <= 24 */
size_t chd_bitw_flush(struct chd_bitw *w);	/* bytes written */

struct chd_huff {
	unsigned	 ncodes;	/* <= 256 */
	unsigned	 maxbits;	/* <= 16 */
	uint8_t		 len[256];
	uint32_t	 code[256];
	uint16_t	*lookup;	/* 1 << maxbits entries: sym << 5 | len */
};

int chd_huff_init(struct chd_huff *h, unsigned ncodes, unsigned maxbits);
void chd_huff_release(struct chd_huff *h);
/* Reads a tree written as run-length code lengths (the map's). */
int chd_huff_import_rle(struct chd_huff *h, struct chd_bits *b);
/* Reads a tree whose code lengths are Huffman coded (the huff codec's). */
int chd_huff_import_huff(struct chd_huff *h, struct chd_bits *b);
unsigned chd_huff_decode(const struct chd_huff *h, struct chd_bits *b);
/* Encoder: builds codes from counts (maxbits honoured), writes the tree. */
int chd_huff_build(struct chd_huff *h, const uint32_t *counts);
void chd_huff_export_rle(const struct chd_huff *h, struct chd_bitw *w);
void chd_huff_encode(const struct chd_huff *h, struct chd_bitw *w,
    unsigned sym);

/* CRC-16/CCITT-FALSE (init 0xffff), as the map and hunks are checked. */
uint16_t chd_crc16(const void *data, size_t len);

/* ---- codecs (chd_codec.c, chd_flac.c) -------------------------------- */

struct chd_codec;	/* one codec's decoder and encoder state */

int chd_codec_new(uint32_t tag, uint32_t hunk_bytes, struct chd_codec **out);
void chd_codec_free(struct chd_codec *c);
/* A short name ("cdlz") and a description ("CD LZMA"). */
const char *chd_codec_name(uint32_t tag, char buf[5]);
bool chd_codec_known(uint32_t tag);
/* Decompresses src into exactly hunk_bytes at dst; -1 on bad data. */
int chd_codec_decompress(struct chd_codec *c, const uint8_t *src,
    size_t srclen, uint8_t *dst);
/*
 * Compresses a hunk into dst (capacity cap); returns the length, or -1
 * when it does not fit or the codec cannot take the data.
 */
long chd_codec_compress(struct chd_codec *c, const uint8_t *src,
    uint8_t *dst, size_t cap);

/* libFLAC adapter: 16-bit stereo 44.1 kHz frames without a stream header. */
struct chd_flac;
int chd_flac_new(struct chd_flac **out);
void chd_flac_free(struct chd_flac *f);
/*
 * Decodes nsamples stereo samples into out (big-endian when be, else
 * little-endian); *used receives the compressed bytes the frames took.
 */
int chd_flac_decode(struct chd_flac *f, unsigned blocksize,
    const uint8_t *src, size_t srclen, uint8_t *out, size_t nsamples,
    bool be, size_t *used);
/* Encodes nsamples samples read from in (byte order as be); -1: no room. */
long chd_flac_encode(struct chd_flac *f, unsigned blocksize,
    const uint8_t *in, size_t nsamples, bool be, uint8_t *dst, size_t cap);

/* ---- files (chd_file.c) --------------------------------------------- */

struct chd_meta {
	uint32_t	 tag;
	uint8_t		 flags;
	uint8_t		*data;
	uint32_t	 len;
};

struct chd_hunk_cache;

struct oi_chd {
	struct oi_stream	 st;
	uint32_t		 version;
	uint32_t		 codecs[4];
	uint64_t		 logical_bytes;
	uint64_t		 map_offset;
	uint64_t		 meta_offset;
	uint32_t		 hunk_bytes;
	uint32_t		 unit_bytes;
	uint32_t		 hunk_count;
	uint8_t			 raw_sha1[CHD_SHA1_SIZE];
	uint8_t			 sha1[CHD_SHA1_SIZE];
	uint8_t			 parent_sha1[CHD_SHA1_SIZE];
	bool			 compressed;	/* codecs[0] != 0 */
	bool			 has_parent;
	uint8_t			*map;		/* 12 bytes a hunk, decoded */
	struct chd_meta		*meta;
	unsigned		 nmeta;
	struct chd_codec	*codec[4];
	struct oi_chd		*parent;
	uint8_t			*cbuf;		/* compressed hunk scratch */
	struct chd_hunk_cache	*cache;
	struct chd_ahead	*ahead;		/* chd_ahead.c, or NULL */
	bool			 ahead_tried;
	unsigned		 depth;		/* parent chain, for loops */
	uint32_t		 bad_hunk;	/* of the last failed read */
	struct optimg_error	 err;
};

/*
 * Opens a CHD and checks its header, map and metadata chain.  A CHD that
 * needs a parent finds it by SHA-1 among the *.chd files of its own
 * folder, or in parent_path when that is not NULL.
 */
int oi_chd_open(const char *path, const char *parent_path,
    struct oi_chd **out, struct optimg_error *err);
void oi_chd_close(struct oi_chd *chd);
/* Parses only a header (for probing and fuzzing); 0 when it is a CHD v5. */
int oi_chd_parse_header(struct oi_chd *chd, const uint8_t *buf, size_t len,
    struct optimg_error *err);
/* Decodes a v5 compressed map held in memory into chd->map. */
int oi_chd_decode_map(struct oi_chd *chd, const uint8_t *buf, size_t len,
    uint64_t file_size, struct optimg_error *err);
/* One whole hunk, decompressed and checked against its CRC. */
int oi_chd_read_hunk(struct oi_chd *chd, uint32_t hunk, uint8_t *out);
/*
 * The same with the codecs and compressed-hunk scratch given, touching
 * nothing of chd but reads of its file, so threads may decode side by
 * side (where the file is a plain one); *hunk becomes
 * the hunk whose data was read (copies are followed).  A hunk held by the
 * parent gives CHD_NEEDS_PARENT; a failure an OPTIMG_E* code and *why.
 */
#define CHD_NEEDS_PARENT 1
int oi_chd_decode_hunk(struct oi_chd *chd, uint32_t *hunk,
    uint8_t *out, struct chd_codec *const codec[4], uint8_t *cbuf,
    const char **why);
/*
 * Decoding ahead on every core (chd_ahead.c): started by the hunk cache
 * when hunks are asked for in order; NULL when it cannot help.  _get puts
 * hunk into out and returns true, or false when the caller should read it
 * (out of order, a parent's, or failed: the caller words the error).
 */
struct chd_ahead;
struct chd_ahead *oi_chd_ahead_new(struct oi_chd *chd);
void oi_chd_ahead_free(struct chd_ahead *a);
bool oi_chd_ahead_get(struct chd_ahead *a, uint32_t hunk, uint8_t *out);
/* Logical bytes [off, off + len), through a small hunk cache. */
int oi_chd_read(struct oi_chd *chd, uint64_t off, void *buf, size_t len);
/* The n-th metadata entry with tag, or NULL. */
const struct chd_meta *oi_chd_meta(const struct oi_chd *chd, uint32_t tag,
    unsigned n);
/* Per-type hunk counts: [0..3] codecs, [4] none, [5] self, [6] parent. */
void oi_chd_hunk_stats(const struct oi_chd *chd, uint32_t counts[7]);
/* The overall SHA-1 from the raw SHA-1 and the checksummed metadata. */
void oi_chd_overall_sha1(const struct chd_meta *meta, unsigned nmeta,
    const uint8_t raw[CHD_SHA1_SIZE], uint8_t out[CHD_SHA1_SIZE]);

/* ---- CD layout (chd_cd.c) ------------------------------------------- */

/*
 * A track's subcode, as MAME's cdrom.h numbers it (CHCD stores the
 * number, CHT2 the name): chdman copies the 96 bytes after each sector
 * of a cdrdao TOC's RW or RW_RAW track as they are, so RW_RAW is the raw
 * interleaved P-W a drive returns and RW cdrdao's packed R-W, whose
 * interleave spans sectors (no per-sector way back to raw P-W).
 */
enum chd_sub {
	CHD_SUB_RW = 0,		/* "RW": packed R-W */
	CHD_SUB_RW_RAW = 1,	/* "RW_RAW": raw interleaved P-W */
	CHD_SUB_NONE = 2,
};

/* What a CHD CD track holds in each 2448-byte frame. */
struct chd_cd_track {
	unsigned	 number;
	enum optimg_track_mode mode;
	unsigned	 datasize;	/* 2048, 2336 or 2352 */
	const char	*type;		/* "MODE1_RAW", ... */
	enum chd_sub	 sub;		/* what the frames' 96 bytes are */
	uint32_t	 frames;	/* stored frames, pregap included,
					   GD-ROM padding not */
	uint32_t	 pregap;	/* frames before INDEX 01 */
	bool		 pregap_stored;	/* PGTYPE V...: in 'frames' */
	uint32_t	 postgap;
	uint32_t	 pad;		/* GD-ROM PAD, else 0 */
	uint64_t	 chd_frame;	/* first frame in the CHD */
};

struct chd_cd {
	struct chd_cd_track	*tracks;
	unsigned		 ntracks;
	bool			 gdrom;
};

/* Fills cd (released by oi_chd_cd_release), or on failure leaves it
   empty. */
int oi_chd_cd_parse(const struct oi_chd *chd, struct chd_cd *cd,
    struct optimg_error *err);
void oi_chd_cd_release(struct chd_cd *cd);
/* CHT2 text for a track, CHGD when gd; its length (NUL not counted). */
int oi_chd_cd_format(const struct chd_cd_track *t, bool gd, char *buf,
    size_t len);
/* CHT2 TYPE name and frame data size for a track mode and sector size. */
const char *oi_chd_cd_type(enum optimg_track_mode mode, unsigned sector_size);

/* ---- images (fmt_chd.c, chd_meta.c) ---------------------------------- */

/* The CHD behind an image opened as one, or NULL. */
struct oi_chd *oi_chd_of_image(const struct optimg_image *img);
/*
 * Lays img out from our lossless tag (doc/chd.md) over a bin view of
 * bin_size bytes; OPTIMG_ENOENT when the CHD has no such tag or it does
 * not fit the CHD (then the caller lays the tracks out itself).
 */
int oi_chd_lossless_layout(struct oi_chd *chd, struct optimg_image *img,
    uint64_t bin_size);

/*
 * Appends our lossless tag for img to meta when img is a cue sheet whose
 * files a CHD can give back byte for byte; nothing otherwise.
 */
const char *oi_chd_sheet_unkeepable(const struct optimg_image *img);
int oi_chd_lossless_meta(struct optimg_image *img, struct chd_meta **meta,
    unsigned *nmeta, struct optimg_error *err);

/*
 * len bytes of a CD CHD image's bin view from off: the tracks' stored
 * frames cut to their data size, audio big-endian when be, else little.
 */
int oi_chd_bin_read(struct optimg_image *img, uint64_t off, void *buf,
    size_t len, bool be, struct optimg_error *err);
/*
 * Writes the cue sheet and files our tag keeps (out is the cue's path,
 * the files go beside it, named as the sheet names them, packed as pack
 * says with suffix added to their names, the sheet unchanged: readers
 * find x.bin.xz for x.bin); OPTIMG_ENOENT when img has no usable tag,
 * and nothing is written.
 */
int oi_chd_write_original(struct optimg_image *img, const char *out,
    const struct optimg_convert_opts *opts, enum oi_pack_kind pack,
    const char *suffix, struct optimg_error *err);

#endif /* OI_CHD_H */
