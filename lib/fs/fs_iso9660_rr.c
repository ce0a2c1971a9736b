/*
 * fs_iso9660_rr.c - System Use Sharing Protocol (IEEE P1281, SUSP 1.12)
 * and Rock Ridge (IEEE P1282, RRIP 1.12) entries of a directory record.
 *
 * A system-use area is a run of entries, each
 *   0 signature (2 bytes), 2 length (including this header), 3 version,
 *   4 data.
 * SUSP entries used here: SP (5.3, in the root's "." record: BE EF and
 * LEN_SKP), CE (5.1: LBA, offset and length of a continuation area, each
 * 7.3.3), ST (5.4, end), ER (5.5, names the extension).  RRIP entries:
 *   PX (4.1.1) mode, links, uid, gid [, serial number in 1.12] (7.3.3)
 *   PN (4.1.2) device number high and low (7.3.3)
 *   SL (4.1.3) flags, then components: flags, length, content; component
 *      flags 1 continue, 2 ".", 4 "..", 8 root
 *   NM (4.1.4) flags (1 continue, 2 ".", 4 ".."), then name bytes
 *   CL, PL (4.1.5.1-2) child / parent directory LBA (7.3.3); RE (4.1.5.3)
 *   TF (4.1.6) flags say which stamps follow, 7 bytes each (9.1.5) or 17
 *      (8.4.26.1) when bit 7 is set: creation, modify, access, attributes,
 *      backup, expiration, effective.
 * Every length is checked against what is left; a CE chain is followed at
 * most OI_FS_MAX_CE times and a continuation seen twice is a loop.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fs_private.h"

#define SIG(a, b) ((unsigned)(a) << 8 | (unsigned)(b))

struct ce {
	uint32_t	lba, offset, length;
	bool		set;
};

static int
append(struct optimg_fs *fs, char **buf, size_t *len, const void *p,
    size_t n)
{
	char *b;

	if (*len + n > OI_FS_MAX_NAME)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "Rock Ridge name or link target longer than %u bytes",
		    OI_FS_MAX_NAME);
	b = realloc(*buf, *len + n + 1);
	if (b == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	memcpy(b + *len, p, n);
	*len += n;
	b[*len] = '\0';
	*buf = b;
	return 0;
}

static int
do_nm(struct optimg_fs *fs, const uint8_t *p, size_t len, struct oi_rr *rr,
    bool *nm_more)
{
	unsigned flags;

	if (len < 5)
		return 0;
	flags = p[4];
	if (!*nm_more) {	/* a new name replaces a finished one */
		free(rr->nm);
		rr->nm = NULL;
		rr->nm_len = 0;
	}
	*nm_more = flags & 1;
	rr->have_nm = true;
	if (flags & 2)
		return append(fs, &rr->nm, &rr->nm_len, ".", 1);
	if (flags & 4)
		return append(fs, &rr->nm, &rr->nm_len, "..", 2);
	return append(fs, &rr->nm, &rr->nm_len, p + 5, len - 5);
}

static int
do_sl(struct optimg_fs *fs, const uint8_t *p, size_t len, struct oi_rr *rr)
{
	size_t pos = 5;

	if (len < 5)
		return 0;
	rr->have_sl = true;
	while (pos + 2 <= len) {
		unsigned cf = p[pos], cl = p[pos + 1];
		const char *s = (const char *)p + pos + 2;
		size_t n = cl;

		if (pos + 2 + cl > len)
			break;
		if (cf & 8) {
			s = "/";
			n = 1;
		} else if (cf & 2) {
			s = ".";
			n = 1;
		} else if (cf & 4) {
			s = "..";
			n = 2;
		}
		/* A separator goes between components, not after the root. */
		if (rr->sl_len > 0 && !rr->sl_more &&
		    rr->sl[rr->sl_len - 1] != '/')
			OI_TRY(append(fs, &rr->sl, &rr->sl_len, "/", 1));
		OI_TRY(append(fs, &rr->sl, &rr->sl_len, s, n));
		rr->sl_more = (cf & 1) != 0;
		pos += 2 + cl;
	}
	return 0;
}

static void
do_tf(const uint8_t *p, size_t len, struct oi_rr *rr)
{
	unsigned flags, bit, size;
	size_t pos = 5;

	if (len < 5)
		return;
	flags = p[4];
	size = flags & 0x80 ? 17 : 7;
	rr->have_tf = true;
	for (bit = 0; bit < 7; bit++) {
		struct optimg_timespec t = { 0, 0 };
		bool ok;

		if (!(flags & 1u << bit))
			continue;
		if (pos + size > len)
			return;
		if (size == 17)
			t.sec = oi_iso_time17(p + pos, &t.nsec, &ok);
		else
			t.sec = oi_iso_time7(p + pos, &ok);
		pos += size;
		if (!ok)
			continue;
		switch (bit) {
		case 0: rr->crtime = t; break;
		case 1: rr->mtime = t; rr->have_mtime = true; break;
		case 2: rr->atime = t; rr->have_atime = true; break;
		case 3: rr->ctime = t; rr->have_ctime = true; break;
		default: break;
		}
	}
}

static void
do_er(const uint8_t *p, size_t len, struct oi_rr *rr)
{
	static const char *const ids[] = {
		"RRIP_1991A", "IEEE_P1282", "IEEE_1282"
	};
	unsigned i, idlen;

	if (len < 8)
		return;
	idlen = p[4];
	if (8 + (size_t)idlen > len)
		return;
	for (i = 0; i < OI_ARRAY_SIZE(ids); i++)
		if (idlen == strlen(ids[i]) && memcmp(p + 8, ids[i], idlen) == 0)
			rr->er_rrip = true;
}

/* One area; sets *ce to the continuation it names, *stop at ST. */
static int
parse_area(struct optimg_fs *fs, const uint8_t *p, size_t len,
    struct oi_rr *rr, struct ce *ce, bool *nm_more, bool *stop)
{
	while (len >= 4) {
		unsigned sig = SIG(p[0], p[1]);
		size_t elen = p[2];

		if (elen < 4 || elen > len)
			break;		/* padding or garbage: stop quietly */
		switch (sig) {
		case SIG('S', 'P'):
			if (elen >= 7 && p[4] == 0xbe && p[5] == 0xef) {
				rr->sp = true;
				rr->sp_skip = p[6];
			}
			break;
		case SIG('C', 'E'):
			if (elen >= 28) {
				ce->lba = oi_le32dec(p + 4);
				ce->offset = oi_le32dec(p + 12);
				ce->length = oi_le32dec(p + 20);
				ce->set = true;
			}
			break;
		case SIG('S', 'T'):
			*stop = true;
			return 0;
		case SIG('E', 'R'):
			do_er(p, elen, rr);
			break;
		case SIG('P', 'X'):
			if (elen >= 36) {
				rr->mode = oi_le32dec(p + 4);
				rr->nlink = oi_le32dec(p + 12);
				rr->uid = oi_le32dec(p + 20);
				rr->gid = oi_le32dec(p + 28);
				rr->have_px = rr->any = true;
			}
			if (elen >= 44) {
				rr->ino = oi_le32dec(p + 36);
				rr->have_ino = true;
			}
			break;
		case SIG('P', 'N'):
			if (elen >= 20) {
				rr->dev_high = oi_le32dec(p + 4);
				rr->dev_low = oi_le32dec(p + 12);
				rr->have_pn = rr->any = true;
			}
			break;
		case SIG('S', 'L'):
			rr->any = true;
			OI_TRY(do_sl(fs, p, elen, rr));
			break;
		case SIG('N', 'M'):
			rr->any = true;
			OI_TRY(do_nm(fs, p, elen, rr, nm_more));
			break;
		case SIG('C', 'L'):
			if (elen >= 12)
				rr->cl = oi_le32dec(p + 4);
			rr->any = true;
			break;
		case SIG('P', 'L'):
			if (elen >= 12)
				rr->pl = oi_le32dec(p + 4);
			rr->any = true;
			break;
		case SIG('R', 'E'):
			rr->re = rr->any = true;
			break;
		case SIG('T', 'F'):
			rr->any = true;
			do_tf(p, elen, rr);
			break;
		case SIG('R', 'R'):
			rr->any = true;
			break;
		default:
			break;
		}
		p += elen;
		len -= elen;
	}
	return 0;
}

int
oi_rr_parse(struct optimg_fs *fs, const uint8_t *su, size_t len,
    struct oi_rr *rr)
{
	struct ce seen[OI_FS_MAX_CE];
	uint8_t *area = NULL;
	bool nm_more = false, stop = false;
	unsigned nseen = 0, i;
	int rc = 0;

	for (;;) {
		struct ce ce = { 0, 0, 0, false };
		uint32_t sectors;

		rc = parse_area(fs, su, len, rr, &ce, &nm_more, &stop);
		if (rc < 0 || stop || !ce.set)
			break;
		for (i = 0; i < nseen; i++)
			if (seen[i].lba == ce.lba &&
			    seen[i].offset == ce.offset) {
				rc = oi_set_error(&fs->err, OPTIMG_EFORMAT,
				    "Rock Ridge continuation area at LBA %lu "
				    "loops back on itself",
				    (unsigned long)ce.lba);
				goto out;
			}
		if (nseen == OI_FS_MAX_CE) {
			rc = oi_set_error(&fs->err, OPTIMG_EFORMAT,
			    "more than %u Rock Ridge continuation areas",
			    OI_FS_MAX_CE);
			break;
		}
		seen[nseen++] = ce;
		/* SUSP 5.1: the area lies inside one logical block. */
		if (ce.offset >= OI_FS_SECTOR ||
		    ce.length > OI_FS_SECTOR - ce.offset) {
			rc = oi_set_error(&fs->err, OPTIMG_EFORMAT,
			    "Rock Ridge continuation area at LBA %lu has "
			    "offset %lu and length %lu", (unsigned long)ce.lba,
			    (unsigned long)ce.offset,
			    (unsigned long)ce.length);
			break;
		}
		sectors = 1;
		if (area == NULL && (area = malloc(OI_FS_SECTOR)) == NULL) {
			rc = oi_set_error(&fs->err, OPTIMG_ENOMEM,
			    "out of memory");
			break;
		}
		rc = oi_fs_read_sectors(fs, ce.lba, sectors, area);
		if (rc < 0)
			break;
		su = area + ce.offset;
		len = ce.length;
	}
out:
	free(area);
	return rc;
}

void
oi_rr_release(struct oi_rr *rr)
{
	free(rr->nm);
	free(rr->sl);
	memset(rr, 0, sizeof(*rr));
}
