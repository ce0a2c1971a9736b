/*
 * mklive_remaster.c - optimg_mklive() with from_iso: remaster an image.
 */
#include "config.h"

#include "mklive.h"

int
oi_live_remaster(struct oi_live *lv)
{
	return oi_set_error(lv->err, OPTIMG_EUNSUPP, "not yet");
}
