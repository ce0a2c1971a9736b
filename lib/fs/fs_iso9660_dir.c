/*
 * fs_iso9660_dir.c - directory records (ECMA-119 9.1) into entries.
 *
 * A directory is an extent of whole logical blocks.  Records do not cross
 * a block boundary (6.8.1.1); a zero length byte means the rest of the
 * block is padding.  A record is
 *   0 length, 1 extended attribute record length (blocks before the data),
 *   2 extent LBA (7.3.3), 10 data length (7.3.3), 18 recording date
 *   (9.1.5), 25 flags (1 hidden, 2 directory, 4 associated, 128 "more
 *   extents follow"), 26 file unit size, 27 interleave gap, 28 volume
 *   sequence number (7.2.3), 32 identifier length, 33 identifier, a pad
 *   byte when that length is even, then the system-use area (SUSP).
 * The first two records are "." (identifier 00) and ".." (01).
 *
 * A file of 4 GiB or more is recorded as several records of one name with
 * flag 128 on all but the last (6.5.1, multi-extent): they become one
 * entry with several extents.  Rock Ridge relocation (RRIP 4.1.5): a
 * directory nested too deep for ISO 9660 is moved under rr_moved and
 * marked RE there; at its true place a file record with CL points to it.
 * Entries with RE are hidden, CL records become that directory, and an
 * rr_moved holding only RE entries is hidden from the root.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "fs_private.h"

#define FLAG_DIR	0x02
#define FLAG_MORE	0x80

struct rec {
	const uint8_t	*p;		/* the record */
	uint32_t	 lba;		/* data: extent + extended attr. */
	uint32_t	 size;
	uint8_t		 flags;
	const uint8_t	*name;
	unsigned	 name_len;
	const uint8_t	*su;
	size_t		 su_len;
	bool		 form2;		/* CD-ROM XA Form 2 data */
};

/* Checks one record of len bytes at p (at most avail bytes to use). */
static int
parse_record(struct optimg_fs *fs, const uint8_t *p, size_t avail,
    uint32_t dir_lba, struct rec *r)
{
	unsigned len = p[0], nl;
	size_t su;

	if (len < 34 || len > avail)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "directory at LBA %lu has a record of %u bytes where %zu "
		    "are left in the block", (unsigned long)dir_lba, len,
		    avail);
	nl = p[32];
	if (nl == 0 || 33u + nl > len)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "directory at LBA %lu has a record whose name (%u bytes) "
		    "overruns it", (unsigned long)dir_lba, nl);
	/* 7.3.3: both byte orders must agree. */
	if (oi_le32dec(p + 2) != oi_be32dec(p + 6) ||
	    oi_le32dec(p + 10) != oi_be32dec(p + 14))
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "directory at LBA %lu has a record whose little- and "
		    "big-endian fields disagree", (unsigned long)dir_lba);
	r->p = p;
	r->lba = oi_le32dec(p + 2) + p[1];
	r->size = oi_le32dec(p + 10);
	r->flags = p[25];
	r->name = p + 33;
	r->name_len = nl;
	su = 33 + nl + !(nl & 1);
	r->su = p + OI_MIN(su, (size_t)len);
	r->su_len = su < len ? len - su : 0;
	r->form2 = oi_xa_is_form2(r->su, r->su_len);
	return 0;
}

/* The system-use area to parse: skip CD-XA's 14 bytes and SP's LEN_SKP. */
static void
su_area(const struct optimg_fs *fs, const struct rec *r, bool root_dot,
    const uint8_t **p, size_t *len)
{
	size_t skip = root_dot ? 0 : fs->iso.susp_skip;

	*p = r->su;
	*len = r->su_len;
	if (*len >= 14 && (*p)[6] == 'X' && (*p)[7] == 'A' &&
	    !(len[0] >= 2 && (*p)[0] == 'S' && (*p)[1] == 'P'))
		skip = OI_MAX(skip, (size_t)14);
	if (skip > *len)
		skip = *len;
	*p += skip;
	*len -= skip;
}

static struct optimg_timespec
rec_time(const struct rec *r)
{
	struct optimg_timespec t = { 0, 0 };
	bool ok;

	t.sec = oi_iso_time7(r->p + 18, &ok);
	return t;
}

static enum optimg_fs_type
type_of_mode(uint32_t mode, bool is_dir)
{
	switch (mode & S_IFMT) {
	case S_IFDIR: return OPTIMG_FS_DIR;
	case S_IFLNK: return OPTIMG_FS_SYMLINK;
	case S_IFCHR: return OPTIMG_FS_CHR;
	case S_IFBLK: return OPTIMG_FS_BLK;
	case S_IFIFO: return OPTIMG_FS_FIFO;
	case S_IFSOCK: return OPTIMG_FS_SOCK;
	case S_IFREG: return OPTIMG_FS_REG;
	default: return is_dir ? OPTIMG_FS_DIR : OPTIMG_FS_REG;
	}
}

/* Fills e's attributes from the record and its Rock Ridge entries. */

/*
 * RRIP 4.1.2 PN: writers (libisofs, libarchive, mkiso) store dev_t's high
 * and low words as the system encodes it; with the high word 0 the low
 * word is a whole dev_t (glibc: minor low byte, major in bits 8..19, the
 * rest above).  A non-zero high word is taken as (major, minor), as
 * Linux's isofs does.
 */
static void
decode_pn(struct optimg_fs_stat *st, uint32_t high, uint32_t low)
{
	if (high == 0) {
		st->rdev_major = (low >> 8) & 0xfff;
		st->rdev_minor = (low & 0xff) | ((low >> 12) & 0xfff00);
	} else {
		st->rdev_major = high;
		st->rdev_minor = low;
	}
}

static int
fill_entry(struct optimg_fs *fs, const struct rec *r, struct oi_rr *rr,
    bool root_dot, struct oi_fs_entry *e)
{
	struct optimg_fs_stat *st = &e->st;
	bool is_dir = r->flags & FLAG_DIR;

	memset(rr, 0, sizeof(*rr));
	if (fs->iso.rr) {
		const uint8_t *p;
		size_t len;

		su_area(fs, r, root_dot, &p, &len);
		OI_TRY(oi_rr_parse(fs, p, len, rr));
	}
	st->type = is_dir ? OPTIMG_FS_DIR : OPTIMG_FS_REG;
	st->mode = is_dir ? 0555 : 0444;
	st->nlink = is_dir ? 2 : 1;
	st->mtime = st->atime = st->ctime = rec_time(r);
	st->lba = r->lba;
	st->size = r->size;
	if (rr->have_px) {
		st->type = type_of_mode(rr->mode, is_dir);
		st->mode = rr->mode & 07777;
		st->uid = rr->uid;
		st->gid = rr->gid;
		st->nlink = rr->nlink;
		if (rr->have_ino && rr->ino != 0)
			st->ino = rr->ino;
	}
	if (is_dir)
		st->type = OPTIMG_FS_DIR;
	if (rr->have_mtime)
		st->mtime = rr->mtime;
	if (rr->have_atime)
		st->atime = rr->atime;
	if (rr->have_ctime)
		st->ctime = rr->ctime;
	if (rr->have_pn)
		decode_pn(st, rr->dev_high, rr->dev_low);
	if (rr->have_sl && rr->sl != NULL && (!rr->have_px ||
	    st->type == OPTIMG_FS_SYMLINK)) {
		st->type = OPTIMG_FS_SYMLINK;
		e->symlink = rr->sl;
		rr->sl = NULL;
	}
	if (st->type != OPTIMG_FS_REG && st->type != OPTIMG_FS_DIR)
		st->size = st->type == OPTIMG_FS_SYMLINK && e->symlink ?
		    strlen(e->symlink) : 0;
	return 0;
}

static int
add_extent(struct optimg_fs *fs, struct oi_fs_entry *e, const struct rec *r)
{
	struct optimg_fs_extent *x;

	if (e->st.nextents >= OI_FS_MAX_EXTENTS)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "file '%s' has more than %u extents", e->name,
		    OI_FS_MAX_EXTENTS);
	OI_TRY(oi_fs_check_extent(fs, r->lba, r->size, e->name != NULL &&
	    e->st.type == OPTIMG_FS_DIR ? "directory" : "file data"));
	x = oi_reallocarray(e->ext, e->st.nextents + 1, sizeof(*x));
	if (x == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	e->ext = x;
	memset(&x[e->st.nextents], 0, sizeof(*x));
	x[e->st.nextents].lba = r->lba;
	x[e->st.nextents].length = r->size;
	/* The record counts 2048 bytes a sector; Form 2 sectors hold 2324. */
	if (r->form2 && e->st.type == OPTIMG_FS_REG) {
		x[e->st.nextents].flags = OPTIMG_FS_EXTENT_FORM2;
		x[e->st.nextents].length = ((uint64_t)r->size + OI_FS_SECTOR -
		    1) / OI_FS_SECTOR * OI_FS_FORM2;
	}
	e->st.nextents++;
	return 0;
}

/* The entry's name in the name space in use. */
static int
set_name(struct optimg_fs *fs, const struct rec *r, struct oi_rr *rr,
    struct oi_fs_entry *e)
{
	if (rr->have_nm && rr->nm != NULL) {
		oi_fs_name_fix(rr->nm, rr->nm_len);
		e->name = rr->nm;
		rr->nm = NULL;
	} else if (fs->iso.joliet)
		e->name = oi_ucs2be_to_utf8(r->name, r->name_len);
	else
		e->name = oi_iso_name(r->name, r->name_len);
	if (e->name == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	return 0;
}

static bool
is_dot(const struct rec *r)
{
	return r->name_len == 1 && (r->name[0] == 0 || r->name[0] == 1);
}

int
oi_iso_read_dot(struct optimg_fs *fs, uint32_t lba, struct oi_fs_entry *e,
    uint32_t *size)
{
	struct rec r;
	struct oi_rr rr;
	bool root = lba == fs->iso.root_lba;
	bool probe = root && fs->iso.rr && fs->iso.susp_skip == 0 &&
	    fs->root.name == NULL;
	int rc;

	OI_TRY(oi_fs_read_sectors(fs, lba, 1, fs->bounce));
	OI_TRY(parse_record(fs, fs->bounce, OI_FS_SECTOR, lba, &r));
	if (!is_dot(&r) || r.name[0] != 0 || !(r.flags & FLAG_DIR))
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "directory at LBA %lu does not start with its \".\" "
		    "record", (unsigned long)lba);
	memset(e, 0, sizeof(*e));
	rc = fill_entry(fs, &r, &rr, root, e);
	if (rc == 0 && probe) {
		/* SUSP 5.3: Rock Ridge needs SP here, then RRIP entries. */
		fs->iso.rr = rr.sp && (rr.any || rr.er_rrip);
		fs->iso.susp_skip = rr.sp_skip;
		if (!fs->iso.rr) {
			oi_rr_release(&rr);
			memset(e, 0, sizeof(*e));
			rc = fill_entry(fs, &r, &rr, root, e);
		}
	}
	oi_rr_release(&rr);
	if (rc < 0) {
		oi_fs_entry_release(e);
		return rc;
	}
	e->st.type = OPTIMG_FS_DIR;
	e->st.lba = lba;
	e->name = strdup("");
	*size = r.size;
	if (e->name == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	return add_extent(fs, e, &r);
}

/* A CL record stands for the directory it points to (RRIP 4.1.5.1). */
static int
resolve_cl(struct optimg_fs *fs, struct oi_fs_entry *e, uint32_t cl)
{
	struct oi_fs_entry target;
	uint32_t size;

	OI_TRY(oi_iso_read_dot(fs, cl, &target, &size));
	free(e->ext);
	free(e->symlink);
	e->symlink = NULL;
	e->ext = target.ext;
	target.ext = NULL;
	e->st.nextents = target.st.nextents;
	/* The directory's own "." record speaks for it; keep the name. */
	e->st = target.st;
	e->st.size = size;
	e->child_lba = cl;
	oi_fs_entry_release(&target);
	return 0;
}

/* Adds the record to the directory: a new entry or the next extent. */
static int
add_record(struct optimg_fs *fs, struct oi_fs_dirbuf *out, const struct rec *r,
    const struct rec *prev)
{
	struct oi_fs_entry *e;
	struct oi_rr rr;
	int rc;

	if (prev != NULL && (prev->flags & FLAG_MORE) &&
	    prev->name_len == r->name_len &&
	    memcmp(prev->name, r->name, r->name_len) == 0 && out->n > 0) {
		e = &out->e[out->n - 1];
		OI_TRY(add_extent(fs, e, r));
		e->st.size += e->ext[e->st.nextents - 1].length;
		return 0;
	}
	e = oi_fs_dirbuf_add(out);
	if (e == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	rc = fill_entry(fs, r, &rr, false, e);
	if (rc == 0)
		rc = set_name(fs, r, &rr, e);
	if (rc == 0 && (e->st.type == OPTIMG_FS_REG ||
	    e->st.type == OPTIMG_FS_DIR))
		rc = add_extent(fs, e, r);
	if (rc == 0 && e->st.type == OPTIMG_FS_REG)
		e->st.size = e->ext[0].length;
	if (rc == 0 && e->st.type == OPTIMG_FS_REG && e->st.ino == 0 &&
	    fs->iso.rr && e->st.nlink > 1 && r->size > 0)
		e->st.ino = (uint64_t)1 << 32 | r->lba;
	if (rc == 0 && rr.re)
		e->hidden = 1;
	if (rc == 0 && rr.cl != 0)
		rc = resolve_cl(fs, e, rr.cl);
	oi_rr_release(&rr);
	return rc;
}

/* Reads the directory's extent and turns its records into entries. */
static int
read_records(struct optimg_fs *fs, const struct optimg_fs_stat *dir,
    struct oi_fs_dirbuf *out)
{
	uint32_t nsec = (uint32_t)((dir->size + OI_FS_SECTOR - 1) /
	    OI_FS_SECTOR), s;
	struct rec prev, r;
	bool have_prev = false;
	uint8_t *buf;
	int rc;

	if (dir->size > OI_FS_MAX_DIR_BYTES)
		return oi_set_error(&fs->err, OPTIMG_EFORMAT,
		    "directory '%s' at LBA %lu claims %llu bytes",
		    dir->name, (unsigned long)dir->lba,
		    (unsigned long long)dir->size);
	OI_TRY(oi_fs_check_extent(fs, dir->lba, dir->size, "directory"));
	buf = malloc((size_t)nsec * OI_FS_SECTOR + 1);
	if (buf == NULL)
		return oi_set_error(&fs->err, OPTIMG_ENOMEM, "out of memory");
	rc = oi_fs_read_sectors(fs, dir->lba, nsec, buf);
	for (s = 0; s < nsec && rc == 0; s++) {
		const uint8_t *blk = buf + (size_t)s * OI_FS_SECTOR;
		size_t pos = 0;

		while (pos < OI_FS_SECTOR && blk[pos] != 0 && rc == 0) {
			rc = parse_record(fs, blk + pos, OI_FS_SECTOR - pos,
			    dir->lba + s, &r);
			if (rc < 0)
				break;
			pos += r.p[0];
			if (is_dot(&r))
				continue;
			rc = add_record(fs, out, &r, have_prev ? &prev : NULL);
			prev = r;
			have_prev = true;
		}
	}
	free(buf);
	return rc;
}

static bool
is_rr_moved(const char *name)
{
	return strcasecmp(name, "rr_moved") == 0 ||
	    strcasecmp(name, ".rr_moved") == 0;
}

/* Hides root's rr_moved when all it holds is relocated directories. */
static int
hide_rr_moved(struct optimg_fs *fs, struct oi_fs_dirbuf *root)
{
	unsigned i, j;

	for (i = 0; i < root->n; i++) {
		struct oi_fs_entry *e = &root->e[i];
		struct oi_fs_dirbuf d;
		bool all = true;
		int rc;

		if (e->st.type != OPTIMG_FS_DIR || !is_rr_moved(e->name))
			continue;
		memset(&d, 0, sizeof(d));
		e->st.name = e->name;
		rc = read_records(fs, &e->st, &d);
		for (j = 0; j < d.n; j++)
			all = all && d.e[j].hidden;
		if (rc == 0 && all && d.n > 0)
			e->hidden = 1;
		oi_fs_dirbuf_release(&d);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
oi_iso_read_dir(struct optimg_fs *fs, const struct optimg_fs_stat *dir,
    struct oi_fs_dirbuf *out)
{
	OI_TRY(read_records(fs, dir, out));
	if (fs->iso.rr && dir->lba == fs->iso.root_lba)
		OI_TRY(hide_rr_moved(fs, out));
	return 0;
}
