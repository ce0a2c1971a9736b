/*
 * chd_meta.c - our lossless tag: placeholder until the writer lands.
 */
#include "config.h"

#include "chd.h"

int
oi_chd_lossless_layout(struct oi_chd *chd, struct optimg_image *img,
    uint64_t bin_size)
{
	(void)img;
	(void)bin_size;
	if (oi_chd_meta(chd, CHD_META_OPTIMG, 0) == NULL)
		return OPTIMG_ENOENT;
	return OPTIMG_ENOENT;
}

int
oi_chd_lossless_meta(struct optimg_image *img, struct chd_meta **meta,
    unsigned *nmeta, struct optimg_error *err)
{
	(void)img;
	(void)meta;
	(void)nmeta;
	(void)err;
	return OPTIMG_OK;
}
