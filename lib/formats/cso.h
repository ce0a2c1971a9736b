/*
 * cso.h - CSO v1/v2 and ZSO: fmt_cso.c reads, cso_write.c writes.
 */
#ifndef OI_CSO_H
#define OI_CSO_H

#include <zlib.h>

#include "oi_private.h"

#define OI_CSO_HEADER 24

struct oi_cso {
	struct oi_stream st;
	bool		 zso;
	unsigned	 version;
	unsigned	 shift;
	uint32_t	 block;
	uint64_t	 size;		/* uncompressed */
	uint32_t	 nblocks;
	uint32_t	*index;		/* nblocks + 1 */
	uint8_t		*cbuf, *data;
	uint32_t	 cached;	/* block in data, or UINT32_MAX */
	z_stream	 z;
	bool		 z_ok;
};

int oi_cso_parse_header(struct oi_cso *c, const uint8_t *h, size_t len,
    uint64_t file_size, struct optimg_error *err);
int oi_cso_open(struct oi_cso *c, const char *path, struct optimg_error *err);
void oi_cso_close(struct oi_cso *c);
/* Bytes [off, off + len) of the ISO the file holds. */
int oi_cso_read(struct oi_cso *c, uint64_t off, void *buf, size_t len,
    struct optimg_error *err);

#endif
