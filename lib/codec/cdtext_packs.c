/*
 * cdtext_packs.c - CD-TEXT as the lead-in carries it: 18-byte packs, the
 * form NRG's CDTX chunk (and a .cdt file) stores, into the disc model.
 *
 * A pack (MMC-3 Annex J, "CD-TEXT"; IEC 61866) is
 *   byte 0   pack type: 0x80 TITLE, 0x81 PERFORMER, 0x82 SONGWRITER,
 *            0x83 COMPOSER, 0x84 ARRANGER, 0x85 MESSAGE, 0x86 DISC_ID,
 *            0x87 GENRE, 0x8E UPC/EAN (disc) or ISRC (tracks); 0x88,
 *            0x89, 0x8D and 0x8F carry TOC, closed and size information
 *   byte 1   track number of the first character in this pack (bit 7:
 *            extension flag)
 *   byte 2   sequence number
 *   byte 3   bit 7 double-byte characters, bits 6-4 block (language)
 *            number, bits 3-0 character position
 *   4..15    12 bytes of text
 *   16..17   CRC-16 (CCITT), stored inverted
 * The texts of one type follow each other across packs, each ended by a
 * NUL, one per track from the first pack's track number on (0 is the
 * disc); a text of one TAB means "as the track before".  GENRE's text
 * starts with a two-byte genre code.
 *
 * Only block 0 is read.  Its character code is the first text byte of
 * its first size-information pack (0x8F, track byte 0): 0x00 ISO 8859-1,
 * 0x01 ASCII (ISO 646), 0x80 MS-JIS (Shift-JIS as Microsoft has it,
 * CP932, in double-byte packs: characters of two bytes, ended by two
 * NULs, "as before" two TABs).  Text in these is turned into UTF-8 with
 * iconv, a byte that is not a character of the code becoming U+FFFD; a
 * block without 0x8F is taken as ISO 8859-1, the default.  Text in
 * another code (Korean, Mandarin, reserved) is kept as its bytes: its
 * printers show them as text of unknown encoding.  The CRC is not
 * checked, as tools that write packs disagree on it and a wrong CRC does
 * not make the text wrong.
 */
#include "config.h"

#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oi_private.h"

#define PACK	18
#define TEXT	12

static const struct {
	uint8_t			type;
	enum optimg_cdtext_field field;
} pack_fields[] = {
	{ 0x80, OPTIMG_CDTEXT_TITLE },
	{ 0x81, OPTIMG_CDTEXT_PERFORMER },
	{ 0x82, OPTIMG_CDTEXT_SONGWRITER },
	{ 0x83, OPTIMG_CDTEXT_COMPOSER },
	{ 0x84, OPTIMG_CDTEXT_ARRANGER },
	{ 0x85, OPTIMG_CDTEXT_MESSAGE },
	{ 0x86, OPTIMG_CDTEXT_DISC_ID },
	{ 0x87, OPTIMG_CDTEXT_GENRE },
	{ 0x8e, OPTIMG_CDTEXT_UPC_EAN },
};

/* The disc (number 0) or the track with that number, or NULL. */
static struct optimg_cdtext *
owner(struct optimg_disc *d, unsigned number, struct optimg_track **track)
{
	*track = NULL;
	if (number == 0)
		return &d->cdtext;
	for (unsigned i = 0; i < d->ntracks; i++)
		if (d->tracks[i].number == number) {
			*track = &d->tracks[i];
			return &d->tracks[i].cdtext;
		}
	return NULL;
}

/* The character codes of a size-information pack. */
#define CODE_LATIN1	0x00
#define CODE_ASCII	0x01
#define CODE_MSJIS	0x80

/* Appends U+FFFD, the replacement character. */
static char *
put_fffd(char *p)
{
	*p++ = (char)0xef;
	*p++ = (char)0xbf;
	*p++ = (char)0xbd;
	return p;
}

/*
 * n bytes in the code iconv calls from to a new UTF-8 string; a byte that
 * does not start a character is U+FFFD.  NULL when out of memory or when
 * iconv does not know the code.
 */
static char *
iconv_to_utf8(const char *from, const uint8_t *s, size_t n)
{
	iconv_t cd = iconv_open("UTF-8", from);
	size_t cap = 4 * n + 4, inleft = n, outleft = cap;
	char *out, *in = (char *)(uintptr_t)s, *p;

	if (cd == (iconv_t)-1)
		return NULL;
	if ((out = malloc(cap)) == NULL) {
		iconv_close(cd);
		return NULL;
	}
	p = out;
	while (inleft > 0)
		if (iconv(cd, &in, &inleft, &p, &outleft) == (size_t)-1) {
			/* EILSEQ, EINVAL (cut short): one byte is lost */
			p = put_fffd(p);
			outleft -= 3;
			in++;
			inleft--;
			iconv(cd, NULL, NULL, NULL, NULL);
		}
	*p = '\0';
	iconv_close(cd);
	return out;
}

/* ASCII bytes to a new string, a byte past 0x7F as U+FFFD. */
static char *
ascii_to_utf8(const uint8_t *s, size_t n)
{
	char *out = malloc(3 * n + 1), *p = out;

	if (out == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < 0x80)
			*p++ = (char)s[i];
		else
			p = put_fffd(p);
	}
	*p = '\0';
	return out;
}

/* The bytes as they are, for text of a code we cannot read. */
static char *
raw_copy(const uint8_t *s, size_t n)
{
	char *out = malloc(n + 1);

	if (out != NULL) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

/* The text of a pack in its character code, as a new string. */
static char *
text_to_utf8(unsigned code, const uint8_t *s, size_t n)
{
	char *out = NULL;

	switch (code) {
	case CODE_LATIN1:
		out = iconv_to_utf8("ISO-8859-1", s, n);
		break;
	case CODE_ASCII:
		return ascii_to_utf8(s, n);
	case CODE_MSJIS:
		if ((out = iconv_to_utf8("CP932", s, n)) == NULL)
			out = iconv_to_utf8("SHIFT_JIS", s, n);
		break;
	}
	/* Another code, or one this iconv lacks: unknown encoding. */
	return out != NULL ? out : raw_copy(s, n);
}

/* Block 0's character code, from its first size-information pack. */
static unsigned
block0_code(const uint8_t *packs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = packs + i * PACK;

		if (p[0] == 0x8f && (p[3] & 0x70) == 0 && p[1] == 0)
			return p[4];
	}
	return CODE_LATIN1;
}

/* Stores text s (n bytes) of one type for track number. */
/* How packs meet text the disc has already: replace it, or keep it. */
enum merge { REPLACE, FILL };

static int
store(struct optimg_disc *d, enum merge how, unsigned code, unsigned type,
    enum optimg_cdtext_field field, unsigned number, const uint8_t *s,
    size_t n)
{
	struct optimg_track *t;
	struct optimg_cdtext *ct = owner(d, number, &t);
	char *text;

	if (ct == NULL || n == 0)
		return OPTIMG_OK;
	if (type == 0x8e && t != NULL) {
		if (n == 12 && t->isrc[0] == '\0') {
			memcpy(t->isrc, s, 12);
			t->isrc[12] = '\0';
		}
		return OPTIMG_OK;
	}
	if (how == FILL && ct->field[field] != NULL)
		return OPTIMG_OK;
	if ((text = text_to_utf8(code, s, n)) == NULL)
		return OPTIMG_ENOMEM;
	free(ct->field[field]);
	ct->field[field] = text;
	return OPTIMG_OK;
}

/*
 * Gathers the text of one pack type (block 0) and hands it out.  In
 * double-byte packs a character is two bytes: the ends and TABs that
 * split the texts are pairs, looked for at even offsets.
 */
static int
decode_type(struct optimg_disc *d, enum merge how, const uint8_t *packs,
    size_t n, unsigned code, unsigned type, enum optimg_cdtext_field field)
{
	uint8_t *text = malloc(n * TEXT + 1);
	size_t len = 0, from = 0, prev_from = 0, prev_len = 0, step = 1;
	unsigned number = 0;
	bool first = true;
	int rc = OPTIMG_OK;

	if (text == NULL)
		return OPTIMG_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = packs + i * PACK;
		if (p[0] != type || (p[3] & 0x70) != 0)
			continue;
		if (first) {
			number = p[1] & 0x7f;
			step = p[3] & 0x80 ? 2 : 1;
		}
		first = false;
		memcpy(text + len, p + 4, TEXT);
		len += TEXT;
	}
	/* GENRE's text starts with a two-byte genre code, which may hold
	   NULs: the texts split after it. */
	if (type == 0x87 && len >= 2)
		from = prev_from = 2;
	for (size_t i = from; i + step <= len && number <= 99 && rc == 0;
	    i += step) {
		if (text[i] != '\0' || (step == 2 && text[i + 1] != '\0'))
			continue;
		if (i - from == step && text[from] == '\t')
			rc = store(d, how, code, type, field, number,
			    text + prev_from, prev_len);
		else {
			rc = store(d, how, code, type, field, number,
			    text + from, i - from);
			prev_from = from;
			prev_len = i - from;
		}
		number++;
		from = i + step;
	}
	free(text);
	return rc;
}

static int
from_packs(struct optimg_disc *d, enum merge how, const uint8_t *packs,
    size_t len, struct optimg_error *err)
{
	size_t n = len / PACK;
	unsigned code = block0_code(packs, n);

	for (unsigned k = 0; k < OI_ARRAY_SIZE(pack_fields); k++)
		if (decode_type(d, how, packs, n, code, pack_fields[k].type,
		    pack_fields[k].field) < 0)
			return oi_set_error(err, OPTIMG_ENOMEM,
			    "out of memory");
	return OPTIMG_OK;
}

int
oi_cdtext_from_packs(struct optimg_disc *d, const uint8_t *packs, size_t len,
    struct optimg_error *err)
{
	return from_packs(d, REPLACE, packs, len, err);
}

int
oi_cdtext_fill_from_packs(struct optimg_disc *d, const uint8_t *packs,
    size_t len, struct optimg_error *err)
{
	return from_packs(d, FILL, packs, len, err);
}

int
oi_cdtext_file_packs(const uint8_t *buf, size_t size, size_t *off,
    size_t *len, struct optimg_error *err)
{
	size_t n = size;

	*off = 0;
	/* READ TOC format 5: the length of what follows it, 2 reserved. */
	if (n >= 4 + PACK && ((size_t)(buf[0] << 8 | buf[1]) + 2 == n ||
	    (size_t)(buf[0] << 8 | buf[1]) + 3 == n) && buf[4] >= 0x80)
		*off = 4;
	if ((n - *off) % PACK == 1 && buf[n - 1] == 0)
		n--;
	if (n == *off || (n - *off) % PACK != 0)
		return oi_set_error(err, OPTIMG_EFORMAT,
		    "%zu bytes are not a whole number of 18-byte CD-TEXT "
		    "packs", size);
	for (size_t i = *off; i < n; i += PACK)
		if (buf[i] < 0x80 || buf[i] > 0x8f)
			return oi_set_error(err, OPTIMG_EFORMAT,
			    "byte %zu is not a CD-TEXT pack type (0x%02x)", i,
			    buf[i]);
	*len = n - *off;
	return OPTIMG_OK;
}
