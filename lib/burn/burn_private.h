/*
 * burn_private.h - what the burner's files share: the plan's libburn-free
 * helpers (burn_plan.c) and the read-back comparison (burn_verify.c).
 * libburn's own types stay inside burn.c.
 */
#ifndef OI_BURN_PRIVATE_H
#define OI_BURN_PRIVATE_H

#include "oi_private.h"

/* ---- burn_plan.c ---- */
/* Holders of libburn right now (burn.c), for tests. */
unsigned oi_burn_users(void);

struct oi_burn_index {
	unsigned	number;		/* 0..99 */
	uint32_t	offset;		/* sectors from the track source start */
};
unsigned oi_burn_track_indices(const struct optimg_burn_track *t,
    struct oi_burn_index out[OPTIMG_MAX_INDEX]);

/* ---- burn_check.c: refusals from what the drive reported ---- */
bool oi_profile_is_cd(int profile);
bool oi_profile_is_bd(int profile);
/* Random-access rewritables: DVD-RAM, DVD-RW RO, DVD+RW, BD-RE. */
bool oi_profile_is_overwritable(int profile);
/* "CD-RW", or "media" when the drive named none. */
const char *oi_burn_media_name(const struct optimg_burner_info *di);
/* No media, not blank (without blank), audio on DVD/BD, --append. */
int oi_burn_check_media(const struct optimg_burn_plan *p,
    const struct optimg_burn_opts *o, const struct optimg_burner_info *di,
    struct optimg_error *err);
/* avail: bytes free as the drive says; 0 when it does not say. */
int oi_burn_check_size(const struct optimg_burn_plan *p, uint64_t avail,
    const struct optimg_burner_info *di, struct optimg_error *err);

/* ---- burn_verify.c ---- */

/*
 * Reads count sectors of block_size bytes at disc LBA lba from what was
 * written.  Returns 0, or a negative status with err set.
 */
typedef int (*oi_burn_read_fn)(void *ctx, int32_t lba, uint32_t count,
    unsigned block_size, void *buf, struct optimg_error *err);

/* CRC-32 of each 2048-byte sector of a stream, kept while it is sent. */
struct oi_sector_crcs {
	uint32_t	*crc;
	uint32_t	 n, cap;
	uint8_t		 part[OPTIMG_USER_SECTOR];	/* a partial sector */
	size_t		 partlen;
};
int oi_sector_crcs_add(struct oi_sector_crcs *c, const void *buf,
    size_t len);
/* Pads the last partial sector with zeros, as the drive does. */
int oi_sector_crcs_finish(struct oi_sector_crcs *c);
void oi_sector_crcs_release(struct oi_sector_crcs *c);

struct oi_burn_verify {
	const struct optimg_burn_plan	*plan;
	struct optimg_image		*img;	/* source sectors, or */
	const struct oi_sector_crcs	*crcs;	/* a stream's checksums */
	int32_t				 lba_base;	/* added to disc LBAs */
	oi_burn_read_fn			 read;
	void				*read_ctx;
	optimg_burn_progress_fn		 progress;
	void				*progress_ctx;
	uint32_t			 one_x;
};

/*
 * Compares each data track sector by sector and fills res->tracks and
 * res->nbad (audio tracks are marked not compared: drives read audio
 * without exact addressing).  Fails only when it cannot go on.
 */
int oi_burn_verify(const struct oi_burn_verify *v,
    struct optimg_burn_result *res, struct optimg_error *err);

#endif
