/*
 * fs_udf.c - UDF (ECMA-167 / OSTA UDF) reader: not written yet.
 */
#include "config.h"

#include "fs_private.h"

int
oi_udf_probe(struct optimg_fs *fs)
{
	(void)fs;
	return 0;
}

int
oi_udf_open(struct optimg_fs *fs)
{
	return oi_set_error(&fs->err, OPTIMG_EUNSUPP,
	    "UDF file systems are not supported yet");
}
