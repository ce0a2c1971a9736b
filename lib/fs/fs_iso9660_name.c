/*
 * fs_iso9660_name.c - file identifiers as ISO 9660 and Joliet store them.
 *
 * ISO 9660 (7.5): "NAME.EXT;VERSION" in d-characters; the version and a
 * trailing '.' of an empty extension are not part of the name users see.
 * Joliet (Joliet specification 1995, section 5): the same shape in UCS-2
 * big-endian; writers such as genisoimage emit UTF-16 surrogate pairs for
 * characters beyond the BMP, so pairs are decoded too.  Unpaired
 * surrogates become U+FFFD.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs_private.h"

void
oi_fs_name_fix(char *name, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (name[i] == '\0')
			name[i] = '_';
	name[len] = '\0';
}

/* Drops ";version" and then one trailing '.', in place. */
static size_t
strip_version(char *s, size_t len)
{
	char *semi = memchr(s, ';', len);

	if (semi != NULL)
		len = (size_t)(semi - s);
	if (len > 1 && s[len - 1] == '.')
		len--;
	s[len] = '\0';
	return len;
}

char *
oi_iso_name(const uint8_t *p, size_t len)
{
	char *s = malloc(len + 1);

	if (s == NULL)
		return NULL;
	memcpy(s, p, len);
	oi_fs_name_fix(s, len);
	strip_version(s, len);
	return s;
}

static size_t
put_utf8(char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char)(0xc0 | c >> 6);
		o[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char)(0xe0 | c >> 12);
		o[1] = (char)(0x80 | (c >> 6 & 0x3f));
		o[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | c >> 18);
	o[1] = (char)(0x80 | (c >> 12 & 0x3f));
	o[2] = (char)(0x80 | (c >> 6 & 0x3f));
	o[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

char *
oi_ucs2be_to_utf8(const uint8_t *p, size_t len)
{
	char *s = oi_ucs2be_decode(p, len);

	if (s != NULL)
		strip_version(s, strlen(s));
	return s;
}

char *
oi_ucs2be_decode(const uint8_t *p, size_t len)
{
	size_t n = len / 2, i, o = 0;
	char *s = malloc(n * 3 + 1);	/* a pair (2 units) makes 4 bytes */

	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		uint32_t c = oi_be16dec(p + 2 * i);

		if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
			uint32_t lo = oi_be16dec(p + 2 * i + 2);

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
				i++;
			} else
				c = 0xfffd;
		} else if (c >= 0xd800 && c < 0xe000)
			c = 0xfffd;
		o += put_utf8(s + o, c);
	}
	oi_fs_name_fix(s, o);
	return s;
}
