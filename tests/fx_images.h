/*
 * fx_images.h - disc images built from their formats' constants
 * (fx_images.c says where each constant comes from).  Each builder
 * appends a whole image file to b.
 */
#ifndef TEST_FX_IMAGES_H
#define TEST_FX_IMAGES_H

#include "bytes.h"

/*
 * NRG DAO, version 1 (CUES, DAOI) or 2 (CUEX, DAOX): track 1 Mode 1/2352
 * from LBA -150 (INDEX 00), INDEX 01 at 0, 20 sectors; track 2 audio,
 * INDEX 00 at 20, 01 at 25, 02 at 28, DCP, ISRC USABC1234567; lead-out
 * at 32; MCN 0123456789012; CD-TEXT titles DISC, ONE, TWO.
 */
void fx_nrg_dao(struct bytes *b, int version);
/* The v2 DAO image with packs (18 bytes each) as its CD-TEXT. */
void fx_nrg_dao_cdtext(struct bytes *b, const struct bytes *packs);
/* Crafted CD-TEXT packs in character code 0x00, 0x01, 0x80 or another
   (see fx_images.c for the texts). */
void fx_cdtext_packs(struct bytes *b, unsigned code);
/* NRG v1 TAO: Mode 2/2336 x 30, Mode 2/2336 x 10, audio x 5. */
void fx_nrg_tao1(struct bytes *b);
/* NRG v2 TAO, the 150-sector pregap of track 2 stored: 20 + 10 sectors. */
void fx_nrg_tao2(struct bytes *b);
/* NRG v1 TAO, two sessions of 10 and 5 Mode 1/2048 sectors. */
void fx_nrg_sessions(struct bytes *b);

/*
 * Writes a .gdi named gdi_name and its three track files into dir: track
 * 1 raw Mode 1 x 300 at LBA 0, track 2 audio x 100 at 450, track 3
 * Mode 1/2048 x 50 at 45000 in "Track 03.bin".  0, or -1 when a write
 * failed.
 */
int fx_gdi_dir(const char *dir, const char *gdi_name);

/*
 * A DiscJuggler image of the given version (0x80000004 v2, 0x80000005 v3,
 * 0x80000006 v3.5) with two sessions: Mode 1/2352 from LBA -150 (INDEX 01
 * at 0, 30 sectors) and audio (INDEX 00 at 30, 01 at 180, 20 sectors,
 * ISRC USABC1234567); then Mode 2/2336 with INDEX 00 at 11450 and 01 at
 * 11600, 25 sectors.
 */
void fx_cdi(struct bytes *b, uint32_t version);

/*
 * Writes an Alcohol 120% pair into dir: mds_name and mdf_name (which must
 * be mds_name with .mdf for its extension: the footers say "*.mdf").
 * Session 1: Mode 1/2352 x 30 at LBA 0, audio with subchannel (2448) x 20
 * at 180; session 2: Mode 2/2336 x 10 at 11600; each with an unstored
 * 150-sector pregap; one DPM block of 4 entries.  0, or -1.
 */
int fx_mds_dir(const char *dir, const char *mds_name, const char *mdf_name);

/*
 * Wraps the n 2048-byte sectors of iso as one Mode 1 track in dir:
 * dao.nrg (v2 DAO, raw, from LBA -150), tao.nrg (v1 TAO, 2048), v2.cdi
 * and v35.cdi (raw, from LBA -150), disc.mds + disc.mdf (raw).
 */
int fx_wrap_iso(const char *dir, const uint8_t *iso, uint32_t n);

#endif
