/*
 * iso_write_records.c - the bytes of volume descriptors, path tables and
 * directories, with their Rock Ridge entries.
 *
 * Directory record (ECMA-119 9.1): length, extended attribute length,
 * extent (7.3.3 both-endian), data length (7.3.3), date (9.1.5, 7 bytes),
 * flags (9.1.6: 0x02 directory, 0x80 not the final extent), unit size,
 * gap, volume sequence number (7.2.3), identifier length, identifier, a
 * pad byte when the length is even, then the System Use field.  A record
 * never crosses a block boundary (6.8.1.1).
 *
 * System Use (SUSP 1.12, RRIP 1.12): the root's "." carries SP first and
 * ER "RRIP_1991A" (so RRIP 1.10 readers accept it); every record carries
 * PX (with the file serial number of RRIP 1.12), TF (modify, access,
 * attributes) and, for children, NM; symlinks SL; devices PN; relocated
 * directories CL/PL/RE (RRIP 4.1.5).  What does not fit into the 255-byte
 * record moves to a continuation area (CE) after the directory's extent;
 * each piece stays within one block.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "iso_write.h"

/* ---- buffers and field encoders ---------------------------------------- */

int
oi_buf_put(struct oi_buf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		void *p;
		while (cap < b->len + len)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL)
			return OPTIMG_ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	if (data != NULL)
		memcpy(b->p + b->len, data, len);
	else
		memset(b->p + b->len, 0, len);
	b->len += len;
	return OPTIMG_OK;
}

int
oi_buf_zero(struct oi_buf *b, size_t len)
{
	return oi_buf_put(b, NULL, len);
}

void
oi_buf_release(struct oi_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
oi_iso_721(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void
oi_iso_722(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
oi_iso_723(uint8_t *p, uint16_t v)
{
	oi_iso_721(p, v);
	oi_iso_722(p + 2, v);
}

void
oi_iso_731(uint8_t *p, uint32_t v)
{
	oi_le32enc(p, v);
}

void
oi_iso_732(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

void
oi_iso_733(uint8_t *p, uint32_t v)
{
	oi_iso_731(p, v);
	oi_iso_732(p + 4, v);
}

static void
utc(int64_t t, struct tm *tm)
{
	time_t tt = (time_t)t;

	if (gmtime_r(&tt, tm) == NULL || tm->tm_year < 0)
		memset(tm, 0, sizeof(*tm)), tm->tm_mday = 1, tm->tm_year = 70;
}

/* 9.1.5: years since 1900, month, day, hour, minute, second, GMT offset. */
void
oi_iso_date7(uint8_t *p, int64_t t)
{
	struct tm tm;

	utc(t, &tm);
	p[0] = (uint8_t)OI_MIN(tm.tm_year, 255);
	p[1] = (uint8_t)(tm.tm_mon + 1);
	p[2] = (uint8_t)tm.tm_mday;
	p[3] = (uint8_t)tm.tm_hour;
	p[4] = (uint8_t)tm.tm_min;
	p[5] = (uint8_t)tm.tm_sec;
	p[6] = 0;
}

/* 8.4.26.1: "YYYYMMDDHHMMSScc" digits and a GMT offset byte. */
void
oi_iso_date17(uint8_t *p, int64_t t)
{
	struct tm tm;
	char s[80];

	utc(t, &tm);
	snprintf(s, sizeof(s), "%04d%02d%02d%02d%02d%02d00",
	    OI_MIN(tm.tm_year + 1900, 9999), tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(p, s, 16);
	p[16] = 0;
}

/* ---- SUSP entries ----------------------------------------------------- */

#define SU_MAXENT 64

struct su {
	struct oi_buf	b;
	size_t		off[SU_MAXENT + 1];	/* entry starts, then end */
	unsigned	n;
};

static int
su_add(struct su *s, const char sig[2], const void *body, size_t len)
{
	uint8_t h[4] = { (uint8_t)sig[0], (uint8_t)sig[1],
	    (uint8_t)(4 + len), 1 };

	if (s->n >= SU_MAXENT || len > 251)
		return OPTIMG_EUNSUPP;
	s->off[s->n++] = s->b.len;
	OI_TRY(oi_buf_put(&s->b, h, 4));
	OI_TRY(oi_buf_put(&s->b, body, len));
	s->off[s->n] = s->b.len;
	return OPTIMG_OK;
}

static const char er_id[] = "RRIP_1991A";
static const char er_des[] = "THE ROCK RIDGE INTERCHANGE PROTOCOL PROVIDES "
    "SUPPORT FOR POSIX FILE SYSTEM SEMANTICS";
static const char er_src[] = "PLEASE CONTACT DISC PUBLISHER FOR "
    "SPECIFICATION SOURCE.  SEE PUBLISHER IDENTIFIER IN PRIMARY VOLUME "
    "DESCRIPTOR FOR CONTACT INFORMATION.";

static int
su_sp(struct su *s)
{
	static const uint8_t sp[3] = { 0xBE, 0xEF, 0 };

	return su_add(s, "SP", sp, 3);
}

static int
su_er(struct su *s)
{
	uint8_t er[4 + sizeof(er_id) + sizeof(er_des) + sizeof(er_src)];
	size_t li = strlen(er_id), ld = strlen(er_des), ls = strlen(er_src);

	er[0] = (uint8_t)li;
	er[1] = (uint8_t)ld;
	er[2] = (uint8_t)ls;
	er[3] = 1;
	memcpy(er + 4, er_id, li);
	memcpy(er + 4 + li, er_des, ld);
	memcpy(er + 4 + li + ld, er_src, ls);
	/* An entry holds at most 255 bytes; ER is 237. */
	return su_add(s, "ER", er, 4 + li + ld + ls);
}

static int
su_px(struct su *s, const struct oi_iso_node *n)
{
	uint8_t b[40];

	oi_iso_733(b, n->mode);
	oi_iso_733(b + 8, n->nlink);
	oi_iso_733(b + 16, n->uid);
	oi_iso_733(b + 24, n->gid);
	oi_iso_733(b + 32, n->serial);
	return su_add(s, "PX", b, 40);
}

static int
su_tf(struct su *s, const struct oi_iso_node *n)
{
	uint8_t b[22];

	b[0] = 0x0E;		/* modify, access, attributes */
	oi_iso_date7(b + 1, n->mtime);
	oi_iso_date7(b + 8, n->atime);
	oi_iso_date7(b + 15, n->ctime);
	return su_add(s, "TF", b, 22);
}

static int
su_nm(struct su *s, const char *name)
{
	size_t len = strlen(name);
	uint8_t b[251];

	while (len > 0) {
		size_t n = OI_MIN(len, 250);
		b[0] = len > n ? 0x01 : 0;	/* CONTINUE */
		memcpy(b + 1, name, n);
		OI_TRY(su_add(s, "NM", b, 1 + n));
		name += n;
		len -= n;
	}
	return OPTIMG_OK;
}

/*
 * PN holds dev_t's high and low 32 bits as the system encodes it, as
 * libisofs and libarchive do; Linux decodes major/minor from the low
 * word when the high one is 0.
 */
static int
su_pn(struct su *s, uint64_t rdev)
{
	uint8_t b[16];

	oi_iso_733(b, (uint32_t)(rdev >> 32));
	oi_iso_733(b + 8, (uint32_t)rdev);
	return su_add(s, "PN", b, 16);
}

static int
su_lba(struct su *s, const char sig[2], uint32_t lba)
{
	uint8_t b[8];

	oi_iso_733(b, lba);
	return su_add(s, sig, b, 8);
}

/*
 * SL (RRIP 4.1.3): component records, split over entries of at most 255
 * bytes.  An entry ends inside a component (component flag CONTINUE)
 * rather than between two: libarchive joins SL entries without a '/'.
 */
static int
su_sl(struct su *s, const char *target)
{
	uint8_t body[251];
	size_t blen = 1;	/* flags byte */
	const char *p = target;

	body[0] = 0;
	if (*p == '/') {
		body[blen++] = 0x08;	/* ROOT */
		body[blen++] = 0;
	}
	for (;;) {
		const char *e;
		size_t clen, skip = 0;
		uint8_t flags = 0;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		e = strchr(p, '/');
		clen = e != NULL ? (size_t)(e - p) : strlen(p);
		if (clen == 1 && p[0] == '.')
			flags = 0x02, skip = 1, clen = 0;
		else if (clen == 2 && p[0] == '.' && p[1] == '.')
			flags = 0x04, skip = 2, clen = 0;
		for (;;) {
			size_t room = sizeof(body) - blen, piece;
			if (room >= 2 + clen) {
				body[blen++] = flags;
				body[blen++] = (uint8_t)clen;
				memcpy(body + blen, p, clen);
				blen += clen;
				p += clen;
				break;
			}
			if (flags == 0 && room >= 3) {
				piece = OI_MIN(room - 2, clen - 1);
				body[blen++] = 0x01;	/* component continues */
				body[blen++] = (uint8_t)piece;
				memcpy(body + blen, p, piece);
				blen += piece;
				p += piece;
				clen -= piece;
			}
			body[0] = 0x01;		/* continues in next SL */
			OI_TRY(su_add(s, "SL", body, blen));
			blen = 1;
		}
		p += skip;
	}
	body[0] = 0;
	return su_add(s, "SL", body, blen);
}

enum role { R_DOT, R_DOTDOT, R_CHILD, R_PLACEHOLDER, R_RELOCATED };

static int
su_build(struct optimg_mkiso *mk, struct su *s, const struct oi_iso_node *n,
    enum role role, const struct oi_iso_node *self)
{
	s->b.len = 0;
	s->n = 0;
	if (!mk->rock)
		return OPTIMG_OK;
	if (role == R_DOT && n == mk->root)
		OI_TRY(su_sp(s));	/* must come first (SUSP 5.3) */
	OI_TRY(su_px(s, n));
	OI_TRY(su_tf(s, n));
	if (role >= R_CHILD)
		OI_TRY(su_nm(s, n->name));
	if (n->kind == ISO_SYMLINK && role == R_CHILD)
		OI_TRY(su_sl(s, n->target));
	if (n->kind == ISO_SPECIAL && (S_ISCHR(n->mode) || S_ISBLK(n->mode)))
		OI_TRY(su_pn(s, n->rdev));
	if (role == R_PLACEHOLDER)
		OI_TRY(su_lba(s, "CL", n->dir->dir_lba[NS_ISO]));
	if (role == R_DOTDOT && self->relocated)
		OI_TRY(su_lba(s, "PL", self->parent->dir->dir_lba[NS_ISO]));
	/*
	 * RE last: Linux stops reading an inode's entries at RE.  A made-up
	 * RR_MOVED carries it on its own "." and ".." too, as libisofs
	 * writes them; a source's rr_moved holding the moved ones does not.
	 */
	if (role == R_RELOCATED || (role == R_CHILD && n->reloc_marked) ||
	    (role <= R_DOTDOT && self->reloc_marked))
		OI_TRY(su_add(s, "RE", NULL, 0));
	if (role == R_DOT && n == mk->root)
		OI_TRY(su_er(s));	/* last: it goes to the CE area */
	return OPTIMG_OK;
}

/* ---- directory extents ------------------------------------------------- */

struct dirctx {
	struct optimg_mkiso	*mk;
	struct oi_iso_node	*dir;
	struct oi_buf		*out, *ce;
	struct su		 su;
};

static int
put_ce(struct dirctx *c, uint8_t *p, size_t pos, size_t len)
{
	p[0] = 'C';
	p[1] = 'E';
	p[2] = 28;
	p[3] = 1;
	oi_iso_733(p + 4, c->dir->ce_lba + (uint32_t)(pos / ISO_BLOCK));
	oi_iso_733(p + 12, (uint32_t)(pos % ISO_BLOCK));
	oi_iso_733(p + 20, (uint32_t)len);
	return OPTIMG_OK;
}

#define CE_LEN 28
#define MAX_PIECES 16

/*
 * Splits the System Use entries between the record (avail bytes) and
 * continuation pieces; writes the record's share to rec, *rlen its size.
 */
static int
place_su(struct dirctx *c, size_t avail, uint8_t *rec, size_t *rlen)
{
	struct su *s = &c->su;
	unsigned k = 0, cur, np = 0, i;
	unsigned pstart[MAX_PIECES + 1];
	size_t plen[MAX_PIECES], ppos[MAX_PIECES], used = 0, pos;

	if (s->b.len <= avail) {
		if (s->b.len > 0)
			memcpy(rec, s->b.p, s->b.len);
		*rlen = s->b.len;
		return OPTIMG_OK;
	}
	while (k < s->n && used + (s->off[k + 1] - s->off[k]) + CE_LEN <= avail)
		used += s->off[k + 1] - s->off[k], k++;
	for (cur = k; cur < s->n; ) {
		size_t total = s->off[s->n] - s->off[cur], l = 0;
		unsigned j = cur;
		if (np == MAX_PIECES)
			return oi_set_error(&c->mk->err, OPTIMG_EUNSUPP,
			    "Rock Ridge data of '%s' too large", c->dir->name);
		pstart[np] = cur;
		if (total <= ISO_BLOCK) {
			plen[np++] = total;
			cur = s->n;
			break;
		}
		while (j < s->n && l + (s->off[j + 1] - s->off[j]) + CE_LEN <=
		    ISO_BLOCK)
			l += s->off[j + 1] - s->off[j], j++;
		plen[np++] = l + CE_LEN;
		cur = j;
	}
	pstart[np] = s->n;
	pos = c->ce->len;
	for (i = 0; i < np; i++) {
		if (pos % ISO_BLOCK + plen[i] > ISO_BLOCK)
			pos = (pos + ISO_BLOCK - 1) / ISO_BLOCK * ISO_BLOCK;
		ppos[i] = pos;
		pos += plen[i];
	}
	if (oi_buf_zero(c->ce, pos - c->ce->len) < 0)
		return oi_set_error(&c->mk->err, OPTIMG_ENOMEM, "out of memory");
	memcpy(rec, s->b.p, used);
	put_ce(c, rec + used, ppos[0], plen[0]);
	*rlen = used + CE_LEN;
	for (i = 0; i < np; i++) {
		size_t l = s->off[pstart[i + 1]] - s->off[pstart[i]];
		uint8_t *dst = c->ce->p + ppos[i];
		memcpy(dst, s->b.p + s->off[pstart[i]], l);
		if (i + 1 < np)
			put_ce(c, dst + l, ppos[i + 1], plen[i + 1]);
	}
	return OPTIMG_OK;
}

static int
put_record(struct dirctx *c, const uint8_t *id, size_t idlen, uint32_t lba,
    uint32_t size, int64_t mtime, uint8_t flags)
{
	uint8_t r[256];
	size_t base = 33 + idlen + !(idlen & 1), sulen = 0, len, room;

	memset(r, 0, sizeof(r));
	/* The record length is even (9.1.1), so 254 bytes at most. */
	OI_TRY(place_su(c, ISO_RECORD_MAX - 1 - base, r + base, &sulen));
	len = base + sulen;
	len += len & 1;
	if (len > ISO_RECORD_MAX)
		return oi_set_error(&c->mk->err, OPTIMG_EUNSUPP,
		    "directory record too long");
	r[0] = (uint8_t)len;
	oi_iso_733(r + 2, lba);
	oi_iso_733(r + 10, size);
	oi_iso_date7(r + 18, mtime);
	r[25] = flags;
	oi_iso_723(r + 28, 1);
	r[32] = (uint8_t)idlen;
	memcpy(r + 33, id, idlen);
	room = ISO_BLOCK - c->out->len % ISO_BLOCK;
	if (len > room && oi_buf_zero(c->out, room) < 0)
		return oi_set_error(&c->mk->err, OPTIMG_ENOMEM, "out of memory");
	if (oi_buf_put(c->out, r, len) < 0)
		return oi_set_error(&c->mk->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

static const struct oi_iso_node *
data_owner(const struct oi_iso_node *n)
{
	return n->link_owner != NULL ? n->link_owner : n;
}

static int
put_child(struct dirctx *c, struct oi_iso_node *k, int ns)
{
	struct optimg_mkiso *mk = c->mk;
	const uint8_t *id = k->id[ns];
	size_t idlen = k->idlen[ns];
	enum role role = R_CHILD;
	uint64_t left;
	uint32_t lba, e, ne;

	if (ns == NS_ISO && k->relocated) {
		if (c->dir->is_rr_moved) {
			role = R_RELOCATED;
			id = k->dir->reloc_id;
			idlen = k->dir->reloc_idlen;
		} else {
			role = R_PLACEHOLDER;
		}
	}
	if (ns == NS_ISO)
		OI_TRY(su_build(mk, &c->su, k, role, NULL));
	else
		c->su.b.len = c->su.n = 0;
	if (role == R_PLACEHOLDER)
		return put_record(c, id, idlen, k->dir->dir_lba[NS_ISO], 0,
		    k->mtime, 0);
	if (k->kind == ISO_DIR)
		return put_record(c, id, idlen, k->dir->dir_lba[ns],
		    k->dir->dir_size[ns], k->mtime, 0x02);
	if (k->kind != ISO_FILE && k->kind != ISO_CATALOG)
		return put_record(c, id, idlen, 0, 0, k->mtime, 0);
	lba = data_owner(k)->data_lba;
	left = k->size;
	ne = oi_iso_nextents(k->size);
	for (e = 0; e < ne; e++) {
		uint32_t n = (uint32_t)OI_MIN(left, ISO_MAX_EXTENT);
		OI_TRY(put_record(c, id, idlen, lba, n, k->mtime,
		    e + 1 < ne ? 0x80 : 0));
		lba += ISO_MAX_EXTENT / ISO_BLOCK;
		left -= n;
	}
	return OPTIMG_OK;
}

int
oi_iso_dir_build(struct optimg_mkiso *mk, struct oi_iso_node *d, int ns,
    struct oi_buf *dir, struct oi_buf *ce)
{
	struct dirctx c = { mk, d, dir, ce, { { 0 }, { 0 }, 0 } };
	struct oi_iso_node *up;
	static const uint8_t dot = 0, dotdot = 1;
	unsigned i;
	int rc;

	up = ns == NS_ISO ? d->dir->iso_parent : d->parent;
	if (up == NULL)
		up = d;
	rc = ns == NS_ISO ? su_build(mk, &c.su, d, R_DOT, d) : 0;
	if (rc == 0)
		rc = put_record(&c, &dot, 1, d->dir->dir_lba[ns],
		    d->dir->dir_size[ns], d->mtime, 0x02);
	if (rc == 0 && ns == NS_ISO)
		rc = su_build(mk, &c.su, up, R_DOTDOT, d);
	else
		c.su.b.len = c.su.n = 0;
	if (rc == 0)
		rc = put_record(&c, &dotdot, 1, up->dir->dir_lba[ns],
		    up->dir->dir_size[ns], up->mtime, 0x02);
	for (i = 0; rc == 0 && i < d->dir->nnskids[ns]; i++) {
		struct oi_iso_node *k = d->dir->nskids[ns][i];
		if (ns == NS_JOLIET && (k->kind == ISO_SYMLINK ||
		    k->kind == ISO_SPECIAL))
			continue;	/* Joliet cannot say what they are */
		rc = put_child(&c, k, ns);
	}
	if (rc == 0 && dir->len % ISO_BLOCK != 0)
		rc = oi_buf_zero(dir, ISO_BLOCK - dir->len % ISO_BLOCK);
	if (rc == 0 && ce->len % ISO_BLOCK != 0)
		rc = oi_buf_zero(ce, ISO_BLOCK - ce->len % ISO_BLOCK);
	oi_buf_release(&c.su.b);
	if (rc == OPTIMG_ENOMEM)
		return oi_set_error(&mk->err, rc, "out of memory");
	if (rc == OPTIMG_EUNSUPP && mk->err.message[0] == '\0')
		return oi_set_error(&mk->err, rc, "too many Rock Ridge entries");
	return rc;
}

/* ---- path tables (9.4) ------------------------------------------------- */

int
oi_iso_path_table(struct optimg_mkiso *mk, int ns, bool msb,
    struct oi_buf *out)
{
	size_t i;

	for (i = 0; i < mk->ndirs[ns]; i++) {
		const struct oi_iso_node *d = mk->dirs[ns][i];
		const struct oi_iso_node *up = ns == NS_ISO ? d->dir->iso_parent :
		    d->parent;
		static const uint8_t root_id = 0;
		const uint8_t *id = d->id[ns];
		size_t l = d->idlen[ns];
		uint8_t h[8];

		if (d == mk->root) {
			id = &root_id;
			l = 1;
			up = d;
		} else if (ns == NS_ISO && d->relocated) {
			id = d->dir->reloc_id;
			l = d->dir->reloc_idlen;
		}
		h[0] = (uint8_t)l;
		h[1] = 0;
		if (msb) {
			oi_iso_732(h + 2, d->dir->dir_lba[ns]);
			oi_iso_722(h + 6, up->dir->ptnum[ns]);
		} else {
			oi_iso_731(h + 2, d->dir->dir_lba[ns]);
			oi_iso_721(h + 6, up->dir->ptnum[ns]);
		}
		if (oi_buf_put(out, h, 8) < 0 || oi_buf_put(out, id, l) < 0 ||
		    oi_buf_zero(out, l & 1) < 0)
			return oi_set_error(&mk->err, OPTIMG_ENOMEM,
			    "out of memory");
	}
	return OPTIMG_OK;
}

/* ---- volume descriptors (8.4, 8.5) ------------------------------------- */

/* a-/d-character field padded with spaces (PVD) or UCS-2BE (Joliet). */
static void
put_text(uint8_t *p, size_t len, const char *s, int ns, bool upper)
{
	size_t i = 0;

	if (ns == NS_ISO) {
		memset(p, ' ', len);
		for (; s != NULL && s[i] != '\0' && i < len; i++)
			p[i] = (uint8_t)(upper && s[i] >= 'a' && s[i] <= 'z' ?
			    s[i] - 'a' + 'A' : s[i]);
		return;
	}
	for (i = 0; i + 1 < len; i += 2) {
		p[i] = 0;
		p[i + 1] = ' ';
	}
	if (len & 1)
		p[len - 1] = 0;
	for (i = 0; s != NULL && *s != '\0' && i + 1 < len; i += 2) {
		unsigned char c = (unsigned char)*s++;
		p[i + 1] = c < 0x80 ? c : '_';
	}
}

void
oi_iso_volume_descriptor(struct optimg_mkiso *mk, int ns,
    uint8_t b[ISO_BLOCK])
{
	const struct optimg_mkiso_opts *o = &mk->o;
	const struct oi_iso_node *r = mk->root;
	char app[64];

	memset(b, 0, ISO_BLOCK);
	b[0] = ns == NS_ISO ? 1 : 2;
	memcpy(b + 1, "CD001", 5);
	b[6] = 1;
	put_text(b + 8, 32, o->system_id != NULL ? o->system_id : "LINUX", ns,
	    true);
	put_text(b + 40, 32, o->volume_id != NULL ? o->volume_id : "CDROM",
	    ns, false);
	oi_iso_733(b + 80, mk->iso_blocks);
	if (ns == NS_JOLIET)
		memcpy(b + 88, "%/E", 3);	/* UCS-2 level 3 */
	oi_iso_723(b + 120, 1);
	oi_iso_723(b + 124, 1);
	oi_iso_723(b + 128, ISO_BLOCK);
	oi_iso_733(b + 132, mk->pt_size[ns]);
	oi_iso_731(b + 140, mk->pt_lba[ns][0]);
	oi_iso_732(b + 148, mk->pt_lba[ns][1]);
	/* Root directory record, 34 bytes (8.4.18). */
	b[156] = 34;
	oi_iso_733(b + 158, r->dir->dir_lba[ns]);
	oi_iso_733(b + 166, r->dir->dir_size[ns]);
	oi_iso_date7(b + 174, r->mtime);
	b[181] = 0x02;
	oi_iso_723(b + 184, 1);
	b[188] = 1;
	b[189] = 0;
	snprintf(app, sizeof(app), "OPTIMG %s", PACKAGE_VERSION);
	put_text(b + 190, 128, o->volume_set, ns, false);
	put_text(b + 318, 128, o->publisher, ns, false);
	put_text(b + 446, 128, o->preparer, ns, false);
	put_text(b + 574, 128, o->application != NULL ? o->application : app,
	    ns, false);
	put_text(b + 702, 37, NULL, ns, false);
	put_text(b + 739, 37, NULL, ns, false);
	put_text(b + 776, 37, NULL, ns, false);
	oi_iso_date17(b + 813, mk->now);
	oi_iso_date17(b + 830, mk->now);
	memset(b + 847, '0', 16);	/* expiration: not specified */
	memset(b + 864, '0', 16);	/* effective: not specified */
	b[881] = 1;
}
