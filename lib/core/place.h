/*
 * place.h - where an output may go, one rule for every command.
 *
 * An output may not be an input, hold an input (replacing a directory on
 * an input's path), or lie inside an input directory (mkiso would read
 * it back into itself).  Files are compared by device and inode, so links,
 * "..", bind mounts and other spellings of a path are all seen through.
 */
#ifndef OI_PLACE_H
#define OI_PLACE_H

#include "oi_private.h"

/*
 * OPTIMG_OK when out may be written; OPTIMG_EINVAL with a message naming
 * both files when it is, holds or lies inside one of inputs[0..n).  NULL
 * entries and inputs that do not exist are skipped.
 */
int oi_place_check(const char *out, const char *const *inputs, unsigned n,
    struct optimg_error *err);

#endif
