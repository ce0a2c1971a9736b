/*
 * test_fs_iso9660.c - the ISO 9660 / Rock Ridge / Joliet reader against
 * images built here byte by byte from ECMA-119, SUSP and RRIP constants
 * (no writer is the oracle).  Each test lays out a small image in memory
 * and opens it with oi_fs_open_mem().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "fs_private.h"

#define SEC 2048
#define NSEC 64

static uint8_t *img;
static uint8_t *raw;		/* build_xa(): 2352-byte sectors */

static int
setup(void)
{
	img = calloc(NSEC, SEC);
	raw = calloc(NSEC, 2352);
	return img == NULL || raw == NULL;
}

static int
teardown(void)
{
	free(img);
	free(raw);
	return 0;
}

static void
fresh(void)
{
	memset(img, 0, NSEC * SEC);
}

/* ---- byte builders ----------------------------------------------------- */

static void
put733(uint8_t *p, uint32_t v)		/* 7.3.3: LE then BE */
{
	p[0] = v & 0xff; p[1] = v >> 8 & 0xff;
	p[2] = v >> 16 & 0xff; p[3] = v >> 24;
	p[4] = v >> 24; p[5] = v >> 16 & 0xff;
	p[6] = v >> 8 & 0xff; p[7] = v & 0xff;
}

static void
put723(uint8_t *p, uint16_t v)		/* 7.2.3 */
{
	p[0] = v & 0xff; p[1] = v >> 8;
	p[2] = v >> 8; p[3] = v & 0xff;
}

/* A directory record (9.1) at p; returns its length. */
static size_t
rec(uint8_t *p, uint32_t lba, uint32_t size, uint8_t flags,
    const void *name, size_t nlen, const uint8_t *su, size_t sulen)
{
	size_t len = 33 + nlen + !(nlen & 1) + sulen;

	len += len & 1;
	memset(p, 0, len);
	p[0] = (uint8_t)len;
	put733(p + 2, lba);
	put733(p + 10, size);
	p[18] = 120; p[19] = 6; p[20] = 15;	/* 2020-06-15 12:30:00 GMT */
	p[21] = 12; p[22] = 30;
	p[25] = flags;
	put723(p + 28, 1);
	p[32] = (uint8_t)nlen;
	memcpy(p + 33, name, nlen);
	if (sulen > 0)
		memcpy(p + 33 + nlen + !(nlen & 1), su, sulen);
	return len;
}

/* "." and ".." records of a directory at lba; returns bytes used. */
static size_t
dots(uint32_t lba, uint32_t parent, const uint8_t *su, size_t sulen)
{
	uint8_t *p = img + (size_t)lba * SEC;
	size_t n;

	n = rec(p, lba, SEC, 2, "\0", 1, su, sulen);
	n += rec(p + n, parent, SEC, 2, "\1", 1, NULL, 0);
	return n;
}

/* A primary (type 1) or Joliet (type 2) descriptor at lba. */
static void
vd(uint32_t lba, unsigned type, uint32_t root)
{
	uint8_t *p = img + (size_t)lba * SEC;

	p[0] = (uint8_t)type;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;
	memset(p + 8, ' ', 64);
	memcpy(p + 40, "TESTVOL", 7);
	put733(p + 80, NSEC);
	put723(p + 120, 1);
	put723(p + 124, 1);
	put723(p + 128, SEC);
	if (type == 2)
		memcpy(p + 88, "%/E", 3);
	rec(p + 156, root, SEC, 2, "\0", 1, NULL, 0);
}

static void
terminator(uint32_t lba)
{
	uint8_t *p = img + (size_t)lba * SEC;

	p[0] = 255;
	memcpy(p + 1, "CD001", 5);
	p[6] = 1;
}

/* SUSP / RRIP entries: each returns its length. */
static size_t
su_sp(uint8_t *p)
{
	memcpy(p, "SP\7\1\xbe\xef\0", 7);
	return 7;
}

static size_t
su_px(uint8_t *p, uint32_t mode, uint32_t nlink, uint32_t uid, uint32_t gid)
{
	memset(p, 0, 36);
	memcpy(p, "PX", 2);
	p[2] = 36;
	p[3] = 1;
	put733(p + 4, mode);
	put733(p + 12, nlink);
	put733(p + 20, uid);
	put733(p + 28, gid);
	return 36;
}

static size_t
su_nm(uint8_t *p, const char *name)
{
	size_t n = strlen(name);

	memcpy(p, "NM", 2);
	p[2] = (uint8_t)(5 + n);
	p[3] = 1;
	p[4] = 0;
	memcpy(p + 5, name, n);
	return 5 + n;
}

static size_t
su_lba(uint8_t *p, const char *sig, uint32_t lba)	/* CL, PL */
{
	memcpy(p, sig, 2);
	p[2] = 12;
	p[3] = 1;
	put733(p + 4, lba);
	return 12;
}

static size_t
su_re(uint8_t *p)
{
	memcpy(p, "RE\4\1", 4);
	return 4;
}

static size_t
su_ce(uint8_t *p, uint32_t lba, uint32_t off, uint32_t len)
{
	memcpy(p, "CE", 2);
	p[2] = 28;
	p[3] = 1;
	put733(p + 4, lba);
	put733(p + 12, off);
	put733(p + 20, len);
	return 28;
}

/* SL for "../lib/x": components "..", "lib", "x". */
static size_t
su_sl_rel(uint8_t *p)
{
	static const uint8_t sl[] = {
		'S', 'L', 17, 1, 0,
		0x04, 0,		/* ".." */
		0, 3, 'l', 'i', 'b',
		0, 1, 'x',
		0, 0,			/* padding component is empty */
	};

	memcpy(p, sl, sizeof(sl));
	p[2] = 15;			/* leave out the empty one */
	return 15;
}

static size_t
su_sl_abs(uint8_t *p)		/* "/etc" */
{
	static const uint8_t sl[] = {
		'S', 'L', 12, 1, 0, 0x08, 0, 0, 3, 'e', 't', 'c'
	};

	memcpy(p, sl, sizeof(sl));
	return sizeof(sl);
}

static struct optimg_fs *
open_fs(enum optimg_fs_namespace ns, struct optimg_error *err)
{
	struct optimg_fs_opts o = { ns, 0 };
	struct optimg_fs *fs = NULL;

	memset(err, 0, sizeof(*err));
	if (oi_fs_open_mem(img, NSEC * SEC, &o, &fs, err) < 0)
		return NULL;
	return fs;
}

static char *
read_all(struct optimg_fs *fs, const char *path, size_t *len)
{
	struct optimg_fs_stat *st;
	char *buf;
	size_t got;

	if (optimg_fs_lookup(fs, path, &st) < 0)
		return NULL;
	buf = malloc(st->size + 1);
	if (optimg_fs_read(fs, st, 0, buf, st->size, &got) < 0) {
		free(buf);
		buf = NULL;
	} else {
		buf[got] = '\0';
		*len = got;
	}
	optimg_fs_stat_free(st);
	return buf;
}

/* ---- a plain ISO 9660 tree --------------------------------------------- */

static void
build_plain(void)
{
	uint8_t *root;
	size_t n;

	fresh();
	vd(16, 1, 20);
	terminator(17);
	n = dots(20, 20, NULL, 0);
	root = img + 20 * SEC;
	n += rec(root + n, 30, 5, 0, "HELLO.TXT;1", 11, NULL, 0);
	n += rec(root + n, 21, SEC, 2, "SUB", 3, NULL, 0);
	dots(21, 20, NULL, 0);
	memcpy(img + 30 * SEC, "hello", 5);
}

static void
test_plain(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_dir *d;
	const struct optimg_fs_stat *e;
	char *data;
	size_t len;

	build_plain();
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_namespace(fs), OPTIMG_NS_ISO);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d), 0);
	e = optimg_fs_readdir(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->name, "HELLO.TXT");
	CU_ASSERT_EQUAL(e->size, 5);
	CU_ASSERT_EQUAL(e->lba, 30);
	CU_ASSERT_EQUAL(e->type, OPTIMG_FS_REG);
	/* 2020-06-15 12:30:00 UTC */
	CU_ASSERT_EQUAL(e->mtime.sec, 1592224200);
	e = optimg_fs_readdir(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->name, "SUB");
	CU_ASSERT_EQUAL(e->type, OPTIMG_FS_DIR);
	CU_ASSERT_PTR_NULL(optimg_fs_readdir(d));
	optimg_fs_closedir(d);
	data = read_all(fs, "/hello.txt", &len);	/* case-blind in ISO */
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_STRING_EQUAL(data, "hello");
	free(data);
	optimg_fs_free(fs);
}

/* ---- Rock Ridge: names, modes, symlinks -------------------------------- */

static void
build_rr(void)
{
	uint8_t su[256], *root;
	size_t n, s;

	fresh();
	vd(16, 1, 20);
	terminator(17);
	s = su_sp(su);
	s += su_px(su + s, 040755, 3, 0, 0);
	n = dots(20, 20, su, s);
	root = img + 20 * SEC;
	s = su_px(su, 0100640, 1, 1000, 100);
	s += su_nm(su + s, "Long Mixed-Case name.text");
	n += rec(root + n, 30, 5, 0, "LONGMIXE.TXT;1", 14, su, s);
	s = su_px(su, 0120777, 1, 0, 0);
	s += su_nm(su + s, "rel");
	s += su_sl_rel(su + s);
	n += rec(root + n, 0, 0, 0, "REL.;1", 6, su, s);
	s = su_px(su, 0120777, 1, 0, 0);
	s += su_nm(su + s, "abs");
	s += su_sl_abs(su + s);
	n += rec(root + n, 0, 0, 0, "ABS.;1", 6, su, s);
	memcpy(img + 30 * SEC, "hello", 5);
}

static void
test_rr(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_stat *st;

	build_rr();
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_namespace(fs), OPTIMG_NS_RR);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs,
	    "/Long Mixed-Case name.text", &st), 0);
	CU_ASSERT_EQUAL(st->mode, 0640);
	CU_ASSERT_EQUAL(st->uid, 1000);
	CU_ASSERT_EQUAL(st->gid, 100);
	CU_ASSERT_EQUAL(st->size, 5);
	optimg_fs_stat_free(st);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "rel", &st), 0);
	CU_ASSERT_EQUAL(st->type, OPTIMG_FS_SYMLINK);
	CU_ASSERT_STRING_EQUAL(st->symlink, "../lib/x");
	optimg_fs_stat_free(st);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "abs", &st), 0);
	CU_ASSERT_STRING_EQUAL(st->symlink, "/etc");
	optimg_fs_stat_free(st);
	CU_ASSERT_EQUAL(optimg_fs_root(fs)->mode, 0755);
	optimg_fs_free(fs);
	/* The same image read without Rock Ridge shows ISO names. */
	fs = open_fs(OPTIMG_NS_ISO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_lookup(fs, "/LONGMIXE.TXT", &st), 0);
	optimg_fs_stat_free(st);
	optimg_fs_free(fs);
	/* Joliet was not recorded. */
	CU_ASSERT_PTR_NULL(open_fs(OPTIMG_NS_JOLIET, &err));
	CU_ASSERT_EQUAL(err.code, OPTIMG_ENOENT);
}

/* ---- multi-extent file (6.5.1) ----------------------------------------- */

static void
test_multi_extent(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_stat *st;
	uint8_t *root, buf[2 * SEC + 100];
	size_t n, got, i;

	fresh();
	vd(16, 1, 20);
	terminator(17);
	n = dots(20, 20, NULL, 0);
	root = img + 20 * SEC;
	/* Parts out of order on disc: 40, 33, 50. */
	n += rec(root + n, 40, SEC, 0x80, "BIG.DAT;1", 9, NULL, 0);
	n += rec(root + n, 33, SEC, 0x80, "BIG.DAT;1", 9, NULL, 0);
	n += rec(root + n, 50, 100, 0, "BIG.DAT;1", 9, NULL, 0);
	n += rec(root + n, 51, 1, 0, "NEXT.DAT;1", 10, NULL, 0);
	memset(img + 40 * SEC, 'a', SEC);
	memset(img + 33 * SEC, 'b', SEC);
	memset(img + 50 * SEC, 'c', 100);
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "/BIG.DAT", &st), 0);
	CU_ASSERT_EQUAL(st->size, 2 * SEC + 100);
	CU_ASSERT_EQUAL(st->nextents, 3);
	CU_ASSERT_EQUAL(st->lba, 40);
	CU_ASSERT_EQUAL(optimg_fs_read(fs, st, 0, buf, sizeof(buf), &got), 0);
	CU_ASSERT_EQUAL(got, sizeof(buf));
	for (i = 0; i < got; i++)
		if (buf[i] != (i < SEC ? 'a' : i < 2 * SEC ? 'b' : 'c'))
			break;
	CU_ASSERT_EQUAL(i, got);
	/* A read across the first boundary, not sector aligned. */
	CU_ASSERT_EQUAL(optimg_fs_read(fs, st, SEC - 3, buf, 6, &got), 0);
	CU_ASSERT_EQUAL(got, 6);
	CU_ASSERT_NSTRING_EQUAL(buf, "aaabbb", 6);
	optimg_fs_stat_free(st);
	CU_ASSERT_EQUAL(optimg_fs_lookup(fs, "/NEXT.DAT", &st), 0);
	optimg_fs_stat_free(st);
	optimg_fs_free(fs);
}

/* ---- Rock Ridge relocation (RRIP 4.1.5) -------------------------------- */

static int
collect(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	char *out = ctx;

	(void)st;
	if (visit == OPTIMG_FS_ENTER) {
		strcat(out, path);
		strcat(out, ";");
	}
	return 0;
}

static void
build_reloc(void)
{
	uint8_t su[128], *root, *moved, *deep;
	size_t n, s;

	fresh();
	vd(16, 1, 20);
	terminator(17);
	s = su_sp(su);
	s += su_px(su + s, 040755, 3, 0, 0);
	n = dots(20, 20, su, s);
	root = img + 20 * SEC;
	/* /a: a file record standing for the directory at LBA 22. */
	s = su_px(su, 0100644, 1, 0, 0);
	s += su_nm(su + s, "a");
	s += su_lba(su + s, "CL", 22);
	n += rec(root + n, 40, 0, 0, "A.;1", 4, su, s);
	s = su_px(su, 040755, 2, 0, 0);
	s += su_nm(su + s, "rr_moved");
	n += rec(root + n, 21, SEC, 2, "RR_MOVED", 8, su, s);
	/* /rr_moved: holds a, marked RE. */
	s = su_px(su, 040755, 2, 0, 0);
	n = dots(21, 20, su, s);
	moved = img + 21 * SEC;
	s = su_px(su, 040700, 2, 0, 0);
	s += su_nm(su + s, "a");
	s += su_re(su + s);
	n += rec(moved + n, 22, SEC, 2, "A", 1, su, s);
	/* the relocated directory: its ".." has PL to the root */
	s = su_px(su, 040700, 2, 7, 8);
	n = dots(22, 21, su, s);
	deep = img + 22 * SEC;
	s = su_px(su, 0100644, 1, 0, 0);
	s += su_nm(su + s, "inner");
	n += rec(deep + n, 30, 3, 0, "INNER.;1", 8, su, s);
	memcpy(img + 30 * SEC, "abc", 3);
}

static void
test_relocation(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_stat *st;
	char seen[512] = "";

	build_reloc();
	fs = open_fs(OPTIMG_NS_RR, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_walk(fs, "/", collect, seen), 0);
	CU_ASSERT_STRING_EQUAL(seen, "/;/a;/a/inner;");
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "/a", &st), 0);
	CU_ASSERT_EQUAL(st->type, OPTIMG_FS_DIR);
	CU_ASSERT_EQUAL(st->mode, 0700);
	CU_ASSERT_EQUAL(st->uid, 7);
	CU_ASSERT_EQUAL(st->lba, 22);
	optimg_fs_stat_free(st);
	optimg_fs_free(fs);
	/* Plain ISO shows the placeholder file and RR_MOVED as they are. */
	fs = open_fs(OPTIMG_NS_ISO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	seen[0] = '\0';
	CU_ASSERT_EQUAL(optimg_fs_walk(fs, "/", collect, seen), 0);
	CU_ASSERT_STRING_EQUAL(seen, "/;/A;/RR_MOVED;/RR_MOVED/A;"
	    "/RR_MOVED/A/INNER;");
	optimg_fs_free(fs);
}

/* ---- hostile images ---------------------------------------------------- */

static void
test_loop(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	uint8_t *sub;
	char seen[512] = "";
	size_t n;

	build_plain();
	/* /SUB/BACK points at the root directory again. */
	n = dots(21, 20, NULL, 0);
	sub = img + 21 * SEC;
	rec(sub + n, 20, SEC, 2, "BACK", 4, NULL, 0);
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_walk(fs, "/", collect, seen),
	    OPTIMG_EFORMAT);
	CU_ASSERT_STRING_EQUAL(optimg_fs_errmsg(fs),
	    "directory at LBA 21 loops back to LBA 20");
	optimg_fs_free(fs);
}

static void
test_ce_loop(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_dir *d;
	uint8_t su[128], *root;
	size_t n, s;

	build_rr();
	/* A file whose continuation area continues into itself. */
	root = img + 20 * SEC;
	n = 0;
	while (root[n] != 0)
		n += root[n];
	s = su_nm(su, "ce");
	s += su_ce(su + s, 45, 100, 28);
	rec(root + n, 30, 5, 0, "CE.;1", 5, su, s);
	su_ce(img + 45 * SEC + 100, 45, 100, 28);
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d),
	    OPTIMG_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(optimg_fs_errmsg(fs), "loops"));
	optimg_fs_free(fs);
	/* A continuation area that leaves its block is refused too. */
	su_ce(img + 45 * SEC + 100, 45, 2000, 100);
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d),
	    OPTIMG_EFORMAT);
	optimg_fs_free(fs);
}

static void
test_bad_records(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_dir *d = NULL;
	uint8_t *root = img + 20 * SEC;
	size_t n;

	/* A name longer than its record. */
	build_plain();
	n = dots(20, 20, NULL, 0);
	root[n + 32] = 100;
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d),
	    OPTIMG_EFORMAT);
	optimg_fs_free(fs);

	/* A record too short to hold its fixed part. */
	build_plain();
	root[n] = 20;
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d),
	    OPTIMG_EFORMAT);
	optimg_fs_free(fs);

	/* A zero length byte: the rest of the block is padding. */
	build_plain();
	root[n] = 0;
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d), 0);
	CU_ASSERT_PTR_NULL(optimg_fs_readdir(d));
	optimg_fs_closedir(d);
	optimg_fs_free(fs);

	/* Both-endian fields that disagree. */
	build_plain();
	n = dots(20, 20, NULL, 0);
	root[n + 9] ^= 1;
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d),
	    OPTIMG_EFORMAT);
	optimg_fs_free(fs);

	/* A file past the end of the image. */
	build_plain();
	n = dots(20, 20, NULL, 0);
	put733(root + n + 2, NSEC - 1);
	put733(root + n + 10, 3 * SEC);
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d),
	    OPTIMG_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(optimg_fs_errmsg(fs), "past the end"));
	optimg_fs_free(fs);

	/* A directory of 4 GiB - 1 bytes. */
	build_plain();
	put733(img + 16 * SEC + 156 + 10, 0xffffffffu);
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NULL(fs);
	CU_ASSERT_EQUAL(err.code, OPTIMG_EFORMAT);

	/* No volume descriptor at all. */
	fresh();
	CU_ASSERT_PTR_NULL(open_fs(OPTIMG_NS_AUTO, &err));
	CU_ASSERT_EQUAL(err.code, OPTIMG_EUNSUPP);
}

static int
count(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	(void)path;
	(void)st;
	if (visit == OPTIMG_FS_ENTER)
		++*(unsigned *)ctx;
	return 0;
}

static void
test_depth(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_opts o = { OPTIMG_NS_AUTO, 0 };
	const unsigned levels = 1100, base = 20;
	size_t size = (size_t)(base + levels + 1) * SEC;
	uint8_t *big = calloc(1, size), *save = img;
	unsigned i, seen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	img = big;
	vd(16, 1, base);
	put733(img + 16 * SEC + 80, base + levels + 1);
	terminator(17);
	for (i = 0; i < levels; i++) {
		size_t n = dots(base + i, i ? base + i - 1 : base, NULL, 0);

		rec(img + (size_t)(base + i) * SEC + n, base + i + 1, SEC, 2,
		    "D", 1, NULL, 0);
	}
	dots(base + levels, base + levels - 1, NULL, 0);
	img = save;
	CU_ASSERT_EQUAL_FATAL(oi_fs_open_mem(big, size, &o, &fs, &err), 0);
	CU_ASSERT_EQUAL(optimg_fs_walk(fs, "/", count, &seen),
	    OPTIMG_EFORMAT);
	CU_ASSERT_EQUAL(seen, 1025);
	CU_ASSERT_PTR_NOT_NULL(strstr(optimg_fs_errmsg(fs), "deeper"));
	optimg_fs_free(fs);
	free(big);
}

/* ---- Joliet ------------------------------------------------------------ */

static void
test_joliet(void)
{
	static const uint8_t name[] = {	/* "Ünï 😀.txt;1" in UTF-16BE */
		0x00, 0xdc, 0x00, 'n', 0x00, 0xef, 0x00, ' ',
		0xd8, 0x3d, 0xde, 0x00, 0x00, '.', 0x00, 't', 0x00, 'x',
		0x00, 't', 0x00, ';', 0x00, '1',
	};
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_dir *d;
	const struct optimg_fs_stat *e;
	size_t n;

	build_plain();
	vd(17, 2, 24);
	terminator(18);
	n = dots(24, 24, NULL, 0);
	rec(img + 24 * SEC + n, 30, 5, 0, name, sizeof(name), NULL, 0);
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL(optimg_fs_namespace(fs), OPTIMG_NS_JOLIET);
	CU_ASSERT_EQUAL(optimg_fs_namespaces(fs),
	    1u << OPTIMG_NS_ISO | 1u << OPTIMG_NS_JOLIET);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_opendir(fs, optimg_fs_root(fs), &d), 0);
	e = optimg_fs_readdir(d);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_STRING_EQUAL(e->name, "\xc3\x9cn\xc3\xaf \xf0\x9f\x98\x80.txt");
	optimg_fs_closedir(d);
	optimg_fs_free(fs);
}

/* ---- CD-ROM XA Mode 2 Form 2 files ------------------------------------- */

#define RAW 2352
#define XA_LBA 30
#define XA_N 6
#define XA_FORM1 2		/* an interleaved Form 1 sector */
#define XA_NOEDC 4		/* a Form 2 sector without EDC */


/* The 14-byte XA system-use entry: ids 0, attributes, "XA", file 0. */
static size_t
su_xa(uint8_t *p, uint16_t attr)
{
	memset(p, 0, 14);
	p[4] = attr >> 8;
	p[5] = attr & 0xff;
	p[6] = 'X';
	p[7] = 'A';
	return 14;
}

static void
put_edc(uint8_t *sec, size_t end)
{
	uint32_t e = optimg_edc(0, sec + 16, end - 16);

	sec[end] = e & 0xff; sec[end + 1] = e >> 8 & 0xff;
	sec[end + 2] = e >> 16 & 0xff; sec[end + 3] = e >> 24;
}

/*
 * The 2048-byte image as raw Mode 2 sectors (Form 1, sync and address
 * left out: the reader looks at neither), and XA_N Form 2 sectors of
 * bytes (lba * 7 + i) at XA_LBA.
 */
static void
build_xa(void)
{
	uint8_t su[14], *root;
	size_t n;

	fresh();
	vd(16, 1, 20);
	terminator(17);
	n = dots(20, 20, NULL, 0);
	root = img + 20 * SEC;
	su_xa(su, 0x1555);
	n += rec(root + n, XA_LBA, XA_N * SEC, 0, "AVSEQ01.DAT;1", 13, su, 14);
	su_xa(su, 0x0d55);
	n += rec(root + n, 40, 5, 0, "HELLO.TXT;1", 11, su, 14);
	memcpy(img + 40 * SEC, "hello", 5);
	memset(raw, 0, (size_t)NSEC * RAW);
	for (unsigned l = 0; l < NSEC; l++) {
		uint8_t *sec = raw + (size_t)l * RAW;
		bool f2 = l >= XA_LBA && l < XA_LBA + XA_N &&
		    l != XA_LBA + XA_FORM1;

		sec[15] = 2;
		if (!f2) {
			memcpy(sec + 24, img + (size_t)l * SEC, SEC);
			if (l >= XA_LBA && l < XA_LBA + XA_N)
				for (unsigned i = 0; i < SEC; i++)
					sec[24 + i] = (uint8_t)(l * 7 + i);
			put_edc(sec, 2072);
			continue;
		}
		sec[18] = sec[22] = 0x62;	/* Form 2, real-time video */
		for (unsigned i = 0; i < 2324; i++)
			sec[24 + i] = (uint8_t)(l * 7 + i);
		if (l != XA_LBA + XA_NOEDC)
			put_edc(sec, 2348);
	}
}

static struct optimg_fs *
open_raw(struct optimg_error *err)
{
	struct optimg_fs *fs = NULL;

	memset(err, 0, sizeof(*err));
	if (oi_fs_open_mem_raw(raw, (size_t)NSEC * RAW, NULL, &fs, err) < 0)
		return NULL;
	return fs;
}

static void
test_xa_detect(void)
{
	uint8_t su[20];

	su_xa(su, 0x1555);
	CU_ASSERT_TRUE(oi_xa_is_form2(su, 14));
	CU_ASSERT_FALSE(oi_xa_is_form2(su, 13));
	su_xa(su, 0x0d55);		/* Form 1 */
	CU_ASSERT_FALSE(oi_xa_is_form2(su, 14));
	su_xa(su, 0x2555);		/* interleaved alone */
	CU_ASSERT_FALSE(oi_xa_is_form2(su, 14));
	su_xa(su, 0x1555);
	su[7] = 'B';
	CU_ASSERT_FALSE(oi_xa_is_form2(su, 14));
}

static void
test_xa_read(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_stat *st;
	uint8_t *want = malloc(XA_N * 2324), buf[3000];
	char *data;
	size_t len, got;

	CU_ASSERT_PTR_NOT_NULL_FATAL(want);
	build_xa();
	for (unsigned k = 0; k < XA_N; k++)
		memcpy(want + k * 2324, raw + (size_t)(XA_LBA + k) * RAW + 24,
		    2324);
	fs = open_raw(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "/AVSEQ01.DAT", &st), 0);
	CU_ASSERT_EQUAL(st->size, XA_N * 2324);
	CU_ASSERT_EQUAL(st->nextents, 1);
	CU_ASSERT_EQUAL(st->extents[0].flags, OPTIMG_FS_EXTENT_FORM2);
	optimg_fs_stat_free(st);
	data = read_all(fs, "/AVSEQ01.DAT", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_EQUAL(len, XA_N * 2324);
	CU_ASSERT_EQUAL(memcmp(data, want, len), 0);
	free(data);
	/* Across a sector boundary, from an odd offset. */
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "/AVSEQ01.DAT", &st), 0);
	CU_ASSERT_EQUAL(optimg_fs_read(fs, st, 2324 * 2 - 5, buf,
	    sizeof(buf), &got), 0);
	CU_ASSERT_EQUAL(got, sizeof(buf));
	CU_ASSERT_EQUAL(memcmp(buf, want + 2324 * 2 - 5, got), 0);
	optimg_fs_stat_free(st);
	/* The Form 1 file beside it reads as ever. */
	data = read_all(fs, "/HELLO.TXT", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	CU_ASSERT_STRING_EQUAL(data, "hello");
	free(data);
	optimg_fs_free(fs);
	free(want);
}

static void
test_xa_bad_edc(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_stat *st;
	uint8_t buf[2324];
	size_t got;

	build_xa();
	raw[(size_t)(XA_LBA + 1) * RAW + 100] ^= 1;
	fs = open_raw(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "/AVSEQ01.DAT", &st), 0);
	CU_ASSERT_EQUAL(optimg_fs_read(fs, st, 0, buf, sizeof(buf), &got), 0);
	CU_ASSERT_EQUAL(optimg_fs_read(fs, st, 2324, buf, sizeof(buf), &got),
	    OPTIMG_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(optimg_fs_errmsg(fs), "sector 31"));
	CU_ASSERT_PTR_NOT_NULL(strstr(optimg_fs_errmsg(fs), "EDC"));
	/* The Form 1 sector's EDC is checked too. */
	raw[(size_t)(XA_LBA + XA_FORM1) * RAW + 2072] ^= 1;
	CU_ASSERT_EQUAL(optimg_fs_read(fs, st, 2324 * XA_FORM1, buf,
	    sizeof(buf), &got), OPTIMG_EFORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(optimg_fs_errmsg(fs), "Form 1"));
	optimg_fs_stat_free(st);
	optimg_fs_free(fs);
}

static void
test_xa_cooked(void)
{
	struct optimg_error err;
	struct optimg_fs *fs;
	struct optimg_fs_stat *st;
	uint8_t buf[64];
	size_t got;

	build_xa();
	fs = open_fs(OPTIMG_NS_AUTO, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fs);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_lookup(fs, "/AVSEQ01.DAT", &st), 0);
	CU_ASSERT_EQUAL(st->size, XA_N * 2324);
	CU_ASSERT_EQUAL(optimg_fs_read(fs, st, 0, buf, sizeof(buf), &got),
	    OPTIMG_ELOSSY);
	CU_ASSERT_EQUAL(got, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(optimg_fs_errmsg(fs), "'AVSEQ01.DAT'"));
	optimg_fs_stat_free(st);
	optimg_fs_free(fs);
}

static CU_TestInfo iso_tests[] = {
	{ "plain ISO 9660 tree", test_plain },
	{ "Rock Ridge names, modes, symlinks", test_rr },
	{ "multi-extent file", test_multi_extent },
	{ "Rock Ridge relocation CL/RE", test_relocation },
	{ "Joliet UTF-16 names", test_joliet },
	{ "XA Form 2 entry detection", test_xa_detect },
	{ "XA Form 2 file: 2324 bytes a sector", test_xa_read },
	{ "XA Form 2 file: EDC mismatch is an error", test_xa_bad_edc },
	{ "XA Form 2 file in a cooked image", test_xa_cooked },
	CU_TEST_INFO_NULL
};

static CU_TestInfo hostile_tests[] = {
	{ "directory loop", test_loop },
	{ "CE continuation loop", test_ce_loop },
	{ "bad records and extents", test_bad_records },
	{ "nesting depth cap", test_depth },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "fs_iso9660", .pInitFunc = setup,
	  .pCleanupFunc = teardown, .pTests = iso_tests },
	{ .pName = "fs_iso9660 hostile", .pInitFunc = setup,
	  .pCleanupFunc = teardown, .pTests = hostile_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
