/*
 * full_toc.c - the sessions in a drive's full TOC (READ TOC format 2: the
 * Q of the lead-ins, 11 bytes a descriptor after a 4-byte header).  Each
 * descriptor gives its session, ADR (high nibble of byte 1) and CONTROL,
 * and a POINT: 1-99 a track's start, A0/A1 the session's first and last
 * track, A2 its lead-out at PMIN:PSEC:PFRAME (binary).  The answer comes
 * from a drive, so it is taken as hostile; a fuzz target reads it.
 */
#include "config.h"

#include <string.h>

#include "rip.h"

bool
oi_parse_full_toc(const uint8_t *buf, size_t len, struct oi_toc_sessions *ts)
{
	memset(ts, 0, sizeof(*ts));
	for (size_t off = 4; off + 11 <= len; off += 11) {
		const uint8_t *p = buf + off;
		unsigned sn = p[0], point = p[3];

		if (sn < 1 || sn > 99 || p[1] >> 4 != 1)	/* ADR 1 */
			continue;
		if (point >= 1 && point <= 99)
			ts->session[point] = (uint8_t)sn;
		else if (point == 0xa2 && p[8] < 100 && p[9] < 60 &&
		    p[10] < 75)
			ts->leadout[sn] = ((int32_t)p[8] * 60 + p[9]) *
			    OPTIMG_FRAMES_PER_SEC + p[10] - OPTIMG_MSF_OFFSET;
		else
			continue;
		ts->last = OI_MAX(ts->last, sn);
	}
	return ts->last > 0;
}
