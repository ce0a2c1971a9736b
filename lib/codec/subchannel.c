/*
 * subchannel.c - the 96 bytes of P-W subchannel that go with each sector.
 *
 * Two layouts exist.  A drive returns them raw, interleaved: byte i holds
 * bit i of each channel, P in bit 7 down to W in bit 0 (MMC READ CD,
 * sub-channel selection 001b).  CloneCD's .sub keeps each channel as 12
 * consecutive bytes, P first, most significant bit first.  The disc model
 * and optimg_image_read() speak raw; readers and writers of the linear
 * layout convert here.
 *
 * Q (ECMA-130 22.3.3) in mode 1 gives the position: CONTROL and ADR, track
 * number, index, time in the track, a zero byte, absolute time, and a
 * CRC-16 (polynomial x^16+x^12+x^5+1, initial 0, sent inverted, MSB
 * first).  P (22.3.2) is set in the pause between tracks.  A disc without
 * a stored subchannel gets P and Q made from its table of contents, R-W
 * zero, as a CloneCD image needs a .sub.
 */
#include "config.h"

#include <string.h>

#include "oi_private.h"

void
oi_sub_interleave(const uint8_t lin[OPTIMG_SUBCHANNEL],
    uint8_t raw[OPTIMG_SUBCHANNEL])
{
	memset(raw, 0, OPTIMG_SUBCHANNEL);
	for (unsigned c = 0; c < 8; c++)
		for (unsigned i = 0; i < OPTIMG_SUBCHANNEL; i++)
			if (lin[c * 12 + i / 8] & (0x80 >> (i % 8)))
				raw[i] |= (uint8_t)(0x80 >> c);
}

void
oi_sub_deinterleave(const uint8_t raw[OPTIMG_SUBCHANNEL],
    uint8_t lin[OPTIMG_SUBCHANNEL])
{
	memset(lin, 0, OPTIMG_SUBCHANNEL);
	for (unsigned c = 0; c < 8; c++)
		for (unsigned i = 0; i < OPTIMG_SUBCHANNEL; i++)
			if (raw[i] & (0x80 >> c))
				lin[c * 12 + i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

void
oi_sub_q(const uint8_t raw[OPTIMG_SUBCHANNEL], uint8_t q[12])
{
	memset(q, 0, 12);
	for (unsigned i = 0; i < OPTIMG_SUBCHANNEL; i++)
		if (raw[i] & 0x40)
			q[i / 8] |= (uint8_t)(0x80 >> (i % 8));
}

uint16_t
oi_subq_crc(const uint8_t q[10])
{
	uint16_t crc = 0;

	for (unsigned i = 0; i < 10; i++) {
		crc ^= (uint16_t)(q[i] << 8);
		for (unsigned b = 0; b < 8; b++)
			crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 :
			    crc << 1);
	}
	return (uint16_t)~crc;
}

bool
oi_subq_ok(const uint8_t q[12])
{
	uint16_t crc = oi_subq_crc(q);

	return q[10] == (crc >> 8) && q[11] == (crc & 0xff);
}

static void
put_msf(uint8_t *p, int32_t frames)
{
	unsigned m, s, f;

	if (frames < 0)
		frames = -frames;
	m = (unsigned)(frames / (60 * OPTIMG_FRAMES_PER_SEC));
	s = (unsigned)(frames / OPTIMG_FRAMES_PER_SEC % 60);
	f = (unsigned)(frames % OPTIMG_FRAMES_PER_SEC);
	p[0] = optimg_bcd_encode(m % 100);
	p[1] = optimg_bcd_encode(s);
	p[2] = optimg_bcd_encode(f);
}

/* The track holding lba (its pregap included), or NULL. */
static const struct optimg_track *
track_at(const struct optimg_disc *d, int32_t lba)
{
	const struct optimg_track *hit = NULL;

	for (unsigned i = 0; i < d->ntracks; i++)
		if (optimg_track_first_lba(&d->tracks[i]) <= lba &&
		    lba < d->tracks[i].start + (int32_t)d->tracks[i].length)
			hit = &d->tracks[i];
	return hit;
}

static unsigned
index_at(const struct optimg_track *t, int32_t lba)
{
	unsigned ix = 1;

	if (lba < t->start)
		return 0;
	for (unsigned n = 2; n < OPTIMG_MAX_INDEX; n++)
		if (t->index[n] != OPTIMG_NO_INDEX && t->index[n] <= lba)
			ix = n;
	return ix;
}

void
oi_subq_make(const struct optimg_disc *d, int32_t lba, uint8_t q[12])
{
	const struct optimg_track *t = track_at(d, lba);
	uint16_t crc;
	unsigned ix;

	memset(q, 0, 12);
	if (t == NULL)
		return;
	ix = index_at(t, lba);
	q[0] = (uint8_t)(((t->flags & 0x0f) << 4) | 1);
	q[1] = optimg_bcd_encode(t->number);
	q[2] = optimg_bcd_encode(ix);
	put_msf(q + 3, lba - t->start);		/* counts down in the pause */
	put_msf(q + 7, lba + OPTIMG_MSF_OFFSET);
	crc = oi_subq_crc(q);
	q[10] = (uint8_t)(crc >> 8);
	q[11] = (uint8_t)crc;
}

void
oi_sub_make(const struct optimg_disc *d, int32_t lba,
    uint8_t raw[OPTIMG_SUBCHANNEL])
{
	const struct optimg_track *t = track_at(d, lba);
	uint8_t q[12];
	bool pause = t != NULL && lba < t->start;

	oi_subq_make(d, lba, q);
	for (unsigned i = 0; i < OPTIMG_SUBCHANNEL; i++)
		raw[i] = (uint8_t)((pause ? 0x80 : 0) |
		    (q[i / 8] & (0x80 >> (i % 8)) ? 0x40 : 0));
}
