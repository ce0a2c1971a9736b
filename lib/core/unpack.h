/*
 * unpack.h - compressed files read as streams: gzip, xz, zstd and ECM
 * under the stream operations table, so every reader opens a
 * disc.iso.xz or a cue's x.bin.ecm as if it were the plain file.
 *
 * unpack.c is the part they share: a chunk cache and the rule that a
 * read goes on decoding forward when that is nearer than the codec's
 * restart point before it.  Each codec (unpack_gzip.c, unpack_xz.c,
 * unpack_zstd.c, unpack_ecm.c) reads its container's index at open (xz's
 * block index, zstd's frames or seek table, ECM's records; for gzip a
 * pass that keeps a copy of the inflater every few MiB, as zlib's zran
 * example does), and decodes from a restart point on.
 */
#ifndef OI_UNPACK_H
#define OI_UNPACK_H

#include "oi_private.h"

enum oi_pack_kind {
	OI_PACK_NONE,
	OI_PACK_GZIP,
	OI_PACK_XZ,
	OI_PACK_ZSTD,
	OI_PACK_ECM,
};

struct oi_unpack;

struct oi_unpack_codec {
	const char	*name;		/* "gzip", "xz", "zstd", "ecm" */
	/* Reads the index: sets u->size and u->units. */
	int		(*open)(struct oi_unpack *u, struct optimg_error *err);
	/* The nearest offset at or before off that decoding can start at. */
	uint64_t	(*restart_before)(struct oi_unpack *u, uint64_t off);
	/* Puts the decoder at restart_before(off); sets u->pos to it. */
	int		(*seek)(struct oi_unpack *u, uint64_t off,
			    struct optimg_error *err);
	/* The next 1..len bytes from u->pos on (u->pos < u->size). */
	int		(*decode)(struct oi_unpack *u, uint8_t *buf, size_t len,
			    size_t *got, struct optimg_error *err);
	void		(*close)(struct oi_unpack *u);
};

struct oi_unpack {
	const struct oi_unpack_codec *codec;
	struct oi_stream in;		/* the compressed bytes */
	const char	*name;		/* in.path, for messages */
	uint64_t	 size;		/* uncompressed bytes */
	uint64_t	 limit;		/* larger sizes are refused */
	uint32_t	 units;		/* blocks, frames, checkpoints, records */
	uint64_t	 pos;		/* the decoder's next byte */
	bool		 positioned;	/* the decoder is at pos */
	uint8_t		*cache;
	uint64_t	 cache_off;
	size_t		 cache_len;
	void		*ctx;		/* the codec's */
};

extern const struct oi_unpack_codec oi_unpack_gzip, oi_unpack_xz,
    oi_unpack_zstd, oi_unpack_ecm;

/*
 * The most bytes oi_stream_open decompresses a file to (UINT64_MAX): fuzz
 * targets lower it, so a small bomb is refused rather than decoded.
 */
extern uint64_t oi_unpack_max_bytes;

/* What the first bytes say the file is; needs at least 6 bytes. */
enum oi_pack_kind oi_pack_detect(const uint8_t *head, size_t len);
/* "xz", ...; NULL for OI_PACK_NONE. */
const char *oi_pack_name(enum oi_pack_kind kind);

/*
 * Replaces st (a plain or memory stream holding compressed bytes) by the
 * stream of what it decompresses to, refusing more than limit bytes.  st
 * is taken over: on failure it is closed.
 */
int oi_unpack_wrap(struct oi_stream *st, enum oi_pack_kind kind,
    uint64_t limit, struct optimg_error *err);

/* The unpacking stream's state, or NULL when st is not one. */
struct oi_unpack *oi_unpack_of(const struct oi_stream *st);

/* optimg_image_container() for an image read through unpacking streams. */
int oi_unpack_container(struct optimg_image *img,
    struct optimg_container *c);

/* Reads exactly len compressed bytes at off. */
int oi_unpack_read_in(struct oi_unpack *u, void *buf, size_t len,
    uint64_t off, struct optimg_error *err);
/* "'x.xz': message at byte N" errors share this wording. */
int oi_unpack_damaged(struct oi_unpack *u, uint64_t off, const char *what,
    struct optimg_error *err);

#endif
