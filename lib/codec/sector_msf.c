/*
 * sector_msf.c - BCD bytes and LBA <-> MSF addresses.
 *
 * A sector header (ECMA-130 14.2) gives the sector's address as minute,
 * second and frame, each a BCD byte.  MSF counts from the start of the
 * program area's two-second pregap, so LBA 0 is 00:02:00.  MMC's LBA to
 * MSF translation maps the lead-in, whose LBAs are negative, onto the top
 * of the 100-minute clock:
 *
 *	LBA -45150 .. -151	90:00:00 .. 99:59:74	MSF = LBA + 450150
 *	LBA   -150 .. 404849	00:00:00 .. 89:59:74	MSF = LBA + 150
 *
 * so an MSF from minute 90 on reads back as a lead-in LBA.  LBAs 404850 ..
 * 449849 (the last ten minutes of a 100-minute disc) still have an MSF,
 * 90:00:00 .. 99:59:74, but it is the lead-in's and cannot be told apart
 * from it: optimg_msf_to_lba() returns the lead-in LBA, as MMC says.
 */
#include "config.h"

#include "oi_private.h"

#define SECS_PER_MIN	60
#define FRAMES_PER_MIN	(SECS_PER_MIN * OPTIMG_FRAMES_PER_SEC)
#define MSF_FRAMES	(100 * FRAMES_PER_MIN)		/* 100:00:00 */
#define LEADIN_MINUTE	90
#define LEADIN_OFFSET	(MSF_FRAMES + OPTIMG_MSF_OFFSET) /* 450150 */

uint8_t
optimg_bcd_encode(unsigned value)
{
	/* 0xff is no BCD at all, so an overflow cannot pass for an address. */
	if (value > 99)
		return 0xff;
	return (uint8_t)(value / 10 << 4 | value % 10);
}

int
optimg_bcd_decode(uint8_t bcd)
{
	unsigned hi = bcd >> 4, lo = bcd & 0x0f;

	if (hi > 9 || lo > 9)
		return -1;
	return (int)(hi * 10 + lo);
}

void
optimg_lba_to_msf(int32_t lba, unsigned *m, unsigned *s, unsigned *f)
{
	int64_t frames;

	if (lba < -OPTIMG_MSF_OFFSET)
		frames = (int64_t)lba + LEADIN_OFFSET;
	else
		frames = (int64_t)lba + OPTIMG_MSF_OFFSET;
	/*
	 * Past what three BCD bytes can hold, wrap as the 100-minute clock
	 * of a header would, rather than hand back minutes BCD cannot encode.
	 */
	frames %= MSF_FRAMES;
	if (frames < 0)
		frames += MSF_FRAMES;
	*m = (unsigned)(frames / FRAMES_PER_MIN);
	*s = (unsigned)(frames / OPTIMG_FRAMES_PER_SEC % SECS_PER_MIN);
	*f = (unsigned)(frames % OPTIMG_FRAMES_PER_SEC);
}

int32_t
optimg_msf_to_lba(unsigned m, unsigned s, unsigned f)
{
	int64_t frames;

	frames = ((int64_t)m * SECS_PER_MIN + s) * OPTIMG_FRAMES_PER_SEC + f;
	if (m >= LEADIN_MINUTE)
		return (int32_t)(frames - LEADIN_OFFSET);
	return (int32_t)(frames - OPTIMG_MSF_OFFSET);
}
