/*
 * ecm.h - ECM v1 (Neill Corlett's Error Code Modeler): the sector kinds it
 * strips, shared by the reader (unpack_ecm.c) and the writer (pack_ecm.c).
 *
 * An ECM file is "ECM\0", then records, each a type and count
 * (type in bits 0-1 of the first byte, count - 1 in bits 2-6 and 7 bits of
 * every further byte while bit 7 is set, low bits first), then the
 * record's bytes; a count - 1 of 0xFFFFFFFF ends the records, and the
 * EDC (CD-ROM's CRC-32) of all the decoded bytes follows, little-endian.
 *   type 0  count literal bytes
 *   type 1  count Mode 1 sectors: 3 address bytes + 2048 user bytes each,
 *           decoded to 2352 bytes (sync, header, EDC, zeros, ECC made)
 *   type 2  count Mode 2 Form 1 blocks: 4 subheader + 2048 user bytes,
 *           decoded to the 2336 bytes after a sector's header (subheader
 *           twice, EDC, ECC computed with a zero header)
 *   type 3  count Mode 2 Form 2 blocks: 4 subheader + 2324 bytes, decoded
 *           to 2336 (subheader twice, EDC)
 * A raw Mode 2 sector is 16 literal bytes (sync, header) and a type 2 or 3
 * block: ECM finds sectors by their checks, not by a table of contents.
 */
#ifndef OI_ECM_H
#define OI_ECM_H

#include "oi_private.h"

#define OI_ECM_END 0xFFFFFFFFu

/* Bytes a record's one item takes in the file and decoded. */
unsigned oi_ecm_stored(unsigned type);
unsigned oi_ecm_decoded(unsigned type);
/*
 * Decodes one item of type 1..3 from in (oi_ecm_stored bytes) into out
 * (oi_ecm_decoded bytes).
 */
void oi_ecm_decode(unsigned type, const uint8_t *in, uint8_t *out);
/*
 * The type (1..3) ECM stores the bytes at p as, 0 for a literal byte:
 * len is how many bytes follow p (a Mode 1 sector needs 2352, Mode 2
 * blocks 2336).
 */
unsigned oi_ecm_classify(const uint8_t *p, size_t len);
/*
 * Writes a record's type and count - 1 (OI_ECM_END ends the records) to
 * out; returns how many bytes that took (1..5).
 */
size_t oi_ecm_put_head(uint8_t out[6], unsigned type, uint32_t count1);

#endif
