/*
 * pack.h - compressing what an output file is written with: gzip, xz
 * (several blocks, so a reader can seek), zstd (independent frames and a
 * seek table) and ECM.  outfile.c runs every byte of a file it was asked
 * to pack through this, in the order written (no seeking back).
 */
#ifndef OI_PACK_H
#define OI_PACK_H

#include "unpack.h"

struct oi_pack;

/* Bytes of input per xz block and per zstd frame: the unit of a seek. */
#define OI_PACK_UNIT (4u << 20)

/* The kind an output name's last extension asks for (.gz .xz .zst .ecm). */
enum oi_pack_kind oi_pack_kind_of(const char *path);
/* How long that extension is ("x.iso.xz" -> 3); 0 for none. */
size_t oi_pack_suffix_len(const char *path);

/* The highest level kind takes (1 is the lowest; 0: it has none). */
unsigned oi_pack_max_level(enum oi_pack_kind kind);
/* path names the file in messages; level 0 is the kind's default. */
int oi_pack_new(struct oi_pack **p, enum oi_pack_kind kind, const char *path,
    unsigned level, struct optimg_error *err);
/* Compresses len bytes and writes what that gives to fd. */
int oi_pack_write(struct oi_pack *p, int fd, const void *data, size_t len,
    struct optimg_error *err);
/* Writes the rest and the container's trailer. */
int oi_pack_finish(struct oi_pack *p, int fd, struct optimg_error *err);
void oi_pack_free(struct oi_pack *p);

/* What the codecs share (pack.c). */
struct oi_pack_codec {
	int	(*init)(struct oi_pack *p, struct optimg_error *err);
	int	(*write)(struct oi_pack *p, int fd, const uint8_t *data,
		    size_t len, struct optimg_error *err);
	int	(*finish)(struct oi_pack *p, int fd, struct optimg_error *err);
	void	(*release)(struct oi_pack *p);
};

struct oi_pack {
	const struct oi_pack_codec *codec;
	char		*path;
	unsigned	 level;		/* 0: the default */
	void		*ctx;
};

extern const struct oi_pack_codec oi_pack_ecm_codec;

int oi_pack_emit(struct oi_pack *p, int fd, const void *data, size_t len,
    struct optimg_error *err);

#endif
