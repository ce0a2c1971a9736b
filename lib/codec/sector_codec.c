/*
 * sector_codec.c - building and checking raw 2352-byte sectors.
 *
 * Layout (ECMA-130 14, and the CD-ROM XA extension for Mode 2):
 *
 *	0     12  sync: 00, ten FF, 00
 *	12     4  header: minute, second, frame (BCD), mode
 *	Mode 0:      16..2351 zero
 *	Mode 1:      16 2048 user data, 2064 EDC over 0..2063, 2068 8 zero
 *	             bytes, 2076 ECC P (172), 2248 ECC Q (104)
 *	Mode 2:      16 2336 user data (formless)
 *	  Form 1:    16 subheader (4 bytes, twice), 24 2048 user data,
 *	             2072 EDC over 16..2071, 2076 ECC P, 2248 ECC Q; the
 *	             ECC is computed with header bytes 12..15 taken as zero
 *	  Form 2:    16 subheader, 24 2324 user data, 2348 EDC over
 *	             16..2347, 0 when the sector carries none
 *
 * The subheader's submode byte (18) tells the forms apart: bit 0x20 set
 * means Form 2.
 */
#include "config.h"

#include <assert.h>
#include <string.h>

#include "oi_private.h"

#define SYNC_LEN	12
#define HDR		12	/* minute, second, frame, mode */
#define HDR_MODE	15
#define SUBHDR		16	/* 4 bytes, then the same 4 again */
#define SUBMODE		18
#define SUBMODE_FORM2	0x20
#define M1_EDC		2064
#define M1_GAP		2068
#define M1_GAP_LEN	8
#define F1_EDC		2072
#define F1_DATA		24
#define F2_EDC		2348
#define ECC_P		2076
#define ECC_P_LEN	172
#define ECC_Q		2248
#define ECC_Q_LEN	104

static const uint8_t sync_pattern[SYNC_LEN] = {
	0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00
};

/* Submode 0x08: a data sector, Form 1. */
static const uint8_t default_subheader[4] = { 0x00, 0x00, 0x08, 0x00 };

static void
put_header(uint8_t *sector, int32_t lba, uint8_t mode)
{
	unsigned m, s, f;

	optimg_lba_to_msf(lba, &m, &s, &f);
	memcpy(sector, sync_pattern, SYNC_LEN);
	sector[HDR] = optimg_bcd_encode(m);
	sector[HDR + 1] = optimg_bcd_encode(s);
	sector[HDR + 2] = optimg_bcd_encode(f);
	sector[HDR_MODE] = mode;
}

static void
put_edc(uint8_t *sector, size_t from, size_t at)
{
	oi_le32enc(sector + at, optimg_edc(0, sector + from, at - from));
}

/* Form 1 ECC leaves the header out, so a relocated sector keeps its ECC. */
static void
ecc_without_header(uint8_t *sector)
{
	uint8_t hdr[4];

	memcpy(hdr, sector + HDR, sizeof(hdr));
	memset(sector + HDR, 0, sizeof(hdr));
	optimg_ecc_generate(sector);
	memcpy(sector + HDR, hdr, sizeof(hdr));
}

void
optimg_sector_encode(uint8_t sector[OPTIMG_RAW_SECTOR], int32_t lba,
    enum optimg_sector_mode mode)
{
	switch (mode) {
	case OPTIMG_SECTOR_AUDIO:
		break;
	case OPTIMG_SECTOR_MODE0:
		put_header(sector, lba, 0);
		memset(sector + SUBHDR, 0, OPTIMG_RAW_SECTOR - SUBHDR);
		break;
	case OPTIMG_SECTOR_MODE1:
		put_header(sector, lba, 1);
		put_edc(sector, 0, M1_EDC);
		memset(sector + M1_GAP, 0, M1_GAP_LEN);
		optimg_ecc_generate(sector);
		break;
	case OPTIMG_SECTOR_MODE2:
		put_header(sector, lba, 2);
		break;
	case OPTIMG_SECTOR_MODE2_FORM1:
		put_header(sector, lba, 2);
		put_edc(sector, SUBHDR, F1_EDC);
		ecc_without_header(sector);
		break;
	case OPTIMG_SECTOR_MODE2_FORM2:
		put_header(sector, lba, 2);
		put_edc(sector, SUBHDR, F2_EDC);
		break;
	}
}

void
optimg_sector_from_user(uint8_t sector[OPTIMG_RAW_SECTOR],
    const uint8_t user[OPTIMG_USER_SECTOR], int32_t lba,
    enum optimg_sector_mode mode, const uint8_t *subheader)
{
	/* Other modes are a caller's bug; with NDEBUG they give Mode 1. */
	assert(mode == OPTIMG_SECTOR_MODE1 ||
	    mode == OPTIMG_SECTOR_MODE2_FORM1);
	/* memmove: user data may already sit inside sector, even in its
	   place (read there by the caller): then it stays as it is. */
	if (mode == OPTIMG_SECTOR_MODE2_FORM1) {
		if (user != sector + F1_DATA)
			memmove(sector + F1_DATA, user, OPTIMG_USER_SECTOR);
		if (subheader == NULL)
			subheader = default_subheader;
		memmove(sector + SUBHDR, subheader, 4);
		memmove(sector + SUBHDR + 4, subheader, 4);
	} else {
		if (user != sector + SUBHDR)
			memmove(sector + SUBHDR, user, OPTIMG_USER_SECTOR);
		mode = OPTIMG_SECTOR_MODE1;
	}
	optimg_sector_encode(sector, lba, mode);
}

/*
 * Only CD-ROM XA repeats the subheader; without the copy the sector is
 * formless Mode 2.
 */
static enum optimg_sector_mode
mode2_kind(const uint8_t *sector)
{
	if (memcmp(sector + SUBHDR, sector + SUBHDR + 4, 4) != 0)
		return OPTIMG_SECTOR_MODE2;
	if (sector[SUBMODE] & SUBMODE_FORM2)
		return OPTIMG_SECTOR_MODE2_FORM2;
	return OPTIMG_SECTOR_MODE2_FORM1;
}

enum optimg_sector_mode
optimg_sector_mode_of(const uint8_t sector[OPTIMG_RAW_SECTOR])
{
	if (memcmp(sector, sync_pattern, SYNC_LEN) != 0)
		return OPTIMG_SECTOR_AUDIO;
	switch (sector[HDR_MODE]) {
	case 0:
		return OPTIMG_SECTOR_MODE0;
	case 1:
		return OPTIMG_SECTOR_MODE1;
	case 2:
		return mode2_kind(sector);
	default:
		/* Sync but no mode we know: nothing to decode, like audio. */
		return OPTIMG_SECTOR_AUDIO;
	}
}

/* The header must be BCD, and the address lba's unless lba is INT32_MIN. */
static unsigned
check_header(const uint8_t *sector, int32_t lba)
{
	unsigned m, s, f;

	if (optimg_bcd_decode(sector[HDR]) < 0 ||
	    optimg_bcd_decode(sector[HDR + 1]) < 0 ||
	    optimg_bcd_decode(sector[HDR + 2]) < 0)
		return OPTIMG_CHECK_HEADER;
	if (lba == INT32_MIN)
		return 0;
	optimg_lba_to_msf(lba, &m, &s, &f);
	if (sector[HDR] != optimg_bcd_encode(m) ||
	    sector[HDR + 1] != optimg_bcd_encode(s) ||
	    sector[HDR + 2] != optimg_bcd_encode(f))
		return OPTIMG_CHECK_HEADER;
	return 0;
}

static unsigned
check_edc(const uint8_t *sector, size_t from, size_t at)
{
	if (optimg_edc(0, sector + from, at - from) != oi_le32dec(sector + at))
		return OPTIMG_CHECK_EDC;
	return 0;
}

/*
 * Recomputes the ECC on a copy.  Q is computed over the recomputed P, so a
 * damaged P byte shows as a P error only, and a damaged Q byte as a Q one.
 */
static unsigned
check_ecc(const uint8_t *sector, bool zero_header)
{
	uint8_t copy[OPTIMG_RAW_SECTOR];
	unsigned bad = 0;

	memcpy(copy, sector, sizeof(copy));
	if (zero_header)
		memset(copy + HDR, 0, 4);
	optimg_ecc_generate(copy);
	if (memcmp(copy + ECC_P, sector + ECC_P, ECC_P_LEN) != 0)
		bad |= OPTIMG_CHECK_ECC_P;
	if (memcmp(copy + ECC_Q, sector + ECC_Q, ECC_Q_LEN) != 0)
		bad |= OPTIMG_CHECK_ECC_Q;
	return bad;
}

/* Mode 2 data by the form its subheader declares. */
static unsigned
check_mode2(const uint8_t *sector)
{
	switch (mode2_kind(sector)) {
	case OPTIMG_SECTOR_MODE2_FORM1:
		return check_edc(sector, SUBHDR, F1_EDC) |
		    check_ecc(sector, true);
	case OPTIMG_SECTOR_MODE2_FORM2:
		/* An EDC of 0 means the sector was written without one. */
		if (oi_le32dec(sector + F2_EDC) == 0)
			return 0;
		return check_edc(sector, SUBHDR, F2_EDC);
	default:
		return 0;	/* formless: nothing to check */
	}
}

unsigned
optimg_sector_check(const uint8_t sector[OPTIMG_RAW_SECTOR], int32_t lba)
{
	unsigned bad = 0;

	if (memcmp(sector, sync_pattern, SYNC_LEN) != 0)
		bad |= OPTIMG_CHECK_SYNC;
	bad |= check_header(sector, lba);
	switch (sector[HDR_MODE]) {
	case 0:
		break;
	case 1:
		bad |= check_edc(sector, 0, M1_EDC) | check_ecc(sector, false);
		break;
	case 2:
		bad |= check_mode2(sector);
		break;
	default:
		bad |= OPTIMG_CHECK_MODE;
		break;
	}
	return bad;
}
