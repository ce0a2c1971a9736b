/*
 * test_iso_write.c - the ISO writer checked byte by byte against the
 * specifications' constants (ECMA-119, SUSP/RRIP 1.12, El Torito, UEFI
 * GPT), never against optimg's own reader.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <CUnit/CUnit.h>

#include "oi_private.h"
#include "cunit_main.h"

#define B 2048u
#define KEEP (8u << 20)		/* bytes of the image kept for checks */

static char dir[64];
static unsigned failures_at_setup;

/* A sink that keeps the first KEEP bytes and counts the rest. */
struct mem {
	uint8_t		*p;
	uint64_t	 len;
};

static int
mem_sink(void *ctx, const void *buf, size_t len)
{
	struct mem *m = ctx;

	if (m->len < KEEP)
		memcpy(m->p + m->len, buf, (size_t)OI_MIN(len, KEEP - m->len));
	m->len += len;
	return 0;
}

static void
put_file(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

static void
put_dir(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	CU_ASSERT_FATAL(mkdir(p, 0755) == 0);
}

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_iso_write.XXXXXX");
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	failures_at_setup = CU_get_number_of_failures();
}

static void
teardown(void)
{
	char cmd[128];

	if (CU_get_number_of_failures() != failures_at_setup) {
		fprintf(stderr, "kept %s\n", dir);
		return;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static void
base_opts(struct optimg_mkiso_opts *o, struct optimg_mkiso_source *src)
{
	memset(o, 0, sizeof(*o));
	memset(src, 0, sizeof(*src));
	src->path = dir;
	o->sources = src;
	o->nsources = 1;
	o->volume_id = "TESTVOL";
	o->have_date = true;
	o->date = 1700000000;	/* 2023-11-14 22:13:20 UTC */
}

static struct mem
build(const struct optimg_mkiso_opts *o, int want)
{
	struct optimg_mkiso *mk = NULL;
	struct optimg_error err;
	struct mem m = { calloc(1, KEEP), 0 };
	int rc;

	memset(&err, 0, sizeof(err));
	CU_ASSERT_FATAL(m.p != NULL);
	rc = optimg_mkiso_new(o, &mk, &err);
	if (rc == 0) {
		rc = optimg_mkiso_write(mk, mem_sink, &m, &err);
		CU_ASSERT_EQUAL(m.len, optimg_mkiso_size(mk));
	}
	if (rc != want)
		fprintf(stderr, "mkiso: %d %s\n", rc, err.message);
	CU_ASSERT_EQUAL(rc, want);
	optimg_mkiso_free(mk);
	return m;
}

/* 7.3.3: both halves must agree. */
static uint32_t
both32(const uint8_t *p)
{
	CU_ASSERT_EQUAL(oi_le32dec(p), oi_be32dec(p + 4));
	return oi_le32dec(p);
}

static uint16_t
both16(const uint8_t *p)
{
	CU_ASSERT_EQUAL(oi_le16dec(p), oi_be16dec(p + 2));
	return oi_le16dec(p);
}

/* The record named id (ISO bytes) in the directory at lba. */
static const uint8_t *
find_record(const struct mem *m, uint32_t lba, const void *id, size_t idlen)
{
	const uint8_t *d = m->p + (uint64_t)lba * B;
	uint32_t size = both32(d + 10), off = 0;

	while (off < size) {
		const uint8_t *r = d + off;
		if (r[0] == 0) {
			off = (off / B + 1) * B;
			continue;
		}
		if (r[32] == idlen && memcmp(r + 33, id, idlen) == 0)
			return r;
		off += r[0];
	}
	return NULL;
}

/* A SUSP entry with signature sig in the record's System Use field. */
static const uint8_t *
find_su(const uint8_t *r, const char *sig)
{
	size_t off = 33 + r[32] + !(r[32] & 1);

	while (off + 4 <= r[0]) {
		if (r[off] == sig[0] && r[off + 1] == sig[1])
			return r + off;
		if (r[off + 2] == 0)
			break;
		off += r[off + 2];
	}
	return NULL;
}

static void
test_pvd(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct mem m;
	const uint8_t *pvd, *svd, *term;

	put_file("hello.txt", "hello, world\n");
	base_opts(&o, &src);
	o.publisher = "PUB";
	m = build(&o, 0);
	pvd = m.p + 16 * B;
	CU_ASSERT_EQUAL(pvd[0], 1);
	CU_ASSERT_EQUAL(memcmp(pvd + 1, "CD001", 5), 0);
	CU_ASSERT_EQUAL(pvd[6], 1);
	CU_ASSERT_EQUAL(memcmp(pvd + 8, "LINUX", 5), 0);
	CU_ASSERT_EQUAL(memcmp(pvd + 40, "TESTVOL                         ",
	    32), 0);
	CU_ASSERT_EQUAL((uint64_t)both32(pvd + 80) * B, m.len);
	CU_ASSERT_EQUAL(both16(pvd + 120), 1);
	CU_ASSERT_EQUAL(both16(pvd + 124), 1);
	CU_ASSERT_EQUAL(both16(pvd + 128), 2048);
	CU_ASSERT_EQUAL(oi_le32dec(pvd + 140), oi_be32dec(pvd + 148) - 1);
	CU_ASSERT_EQUAL(pvd[156], 34);
	CU_ASSERT_EQUAL(pvd[181], 0x02);
	CU_ASSERT_EQUAL(pvd[188], 1);
	CU_ASSERT_EQUAL(memcmp(pvd + 318, "PUB ", 4), 0);
	CU_ASSERT_EQUAL(memcmp(pvd + 813, "2023111422132000", 16), 0);
	CU_ASSERT_EQUAL(pvd[829], 0);
	CU_ASSERT_EQUAL(memcmp(pvd + 847, "0000000000000000", 16), 0);
	CU_ASSERT_EQUAL(pvd[881], 1);
	/* Root record date (9.1.5): 123 11 14 22 13 20, GMT. */
	CU_ASSERT_EQUAL(memcmp(pvd + 174, "\x7b\x0b\x0e\x16\x0d\x14\x00", 7),
	    0);
	svd = m.p + 17 * B;
	CU_ASSERT_EQUAL(svd[0], 2);
	CU_ASSERT_EQUAL(memcmp(svd + 88, "%/E", 3), 0);
	CU_ASSERT_EQUAL(memcmp(svd + 40, "\0T\0E\0S\0T", 8), 0);
	term = m.p + 18 * B;
	CU_ASSERT_EQUAL(term[0], 255);
	CU_ASSERT_EQUAL(memcmp(term + 1, "CD001\x01", 6), 0);
	free(m.p);
}

static void
test_records_and_rr(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct mem m;
	const uint8_t *pvd, *root, *r, *e;
	uint32_t root_lba, lba, pt;
	char link[512];

	put_file("hello.txt", "hello, world\n");
	snprintf(link, sizeof(link), "%s/sym", dir);
	CU_ASSERT_FATAL(symlink("../x/./hello.txt", link) == 0);
	base_opts(&o, &src);
	m = build(&o, 0);
	pvd = m.p + 16 * B;
	root_lba = both32(pvd + 158);
	root = m.p + (uint64_t)root_lba * B;
	/* "." first: identifier 0x00, flags directory, SP then PX. */
	CU_ASSERT_EQUAL(root[32], 1);
	CU_ASSERT_EQUAL(root[33], 0);
	CU_ASSERT_EQUAL(root[25], 0x02);
	CU_ASSERT_EQUAL(both32(root + 2), root_lba);
	CU_ASSERT_EQUAL(memcmp(root + 34, "SP\x07\x01\xbe\xef\x00", 7), 0);
	CU_ASSERT_EQUAL(memcmp(root + 41, "PX\x2c\x01", 4), 0);
	CU_ASSERT_EQUAL(both32(root + 45), S_IFDIR | 0700);
	/* ER lives in the continuation area: find CE and check it. */
	e = find_su(root, "CE");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e[2], 28);
	{
		const uint8_t *er = m.p + (uint64_t)both32(e + 4) * B +
		    both32(e + 12);
		CU_ASSERT_EQUAL(memcmp(er, "ER", 2), 0);
		CU_ASSERT_EQUAL(er[3], 1);
		CU_ASSERT_EQUAL(er[4], 10);
		CU_ASSERT_EQUAL(memcmp(er + 8, "RRIP_1991A", 10), 0);
		CU_ASSERT_EQUAL(both32(e + 20), er[2]);
	}
	/* The file: "HELLO.TXT;1", NM with the real name, data in place. */
	r = find_record(&m, root_lba, "HELLO.TXT;1", 11);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r[0] % 2, 0);
	CU_ASSERT_EQUAL(r[25], 0);
	CU_ASSERT_EQUAL(both16(r + 28), 1);
	CU_ASSERT_EQUAL(both32(r + 10), 13);
	lba = both32(r + 2);
	CU_ASSERT_EQUAL(memcmp(m.p + (uint64_t)lba * B, "hello, world\n", 13),
	    0);
	e = find_su(r, "NM");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e[2], 5 + 9);
	CU_ASSERT_EQUAL(e[4], 0);
	CU_ASSERT_EQUAL(memcmp(e + 5, "hello.txt", 9), 0);
	e = find_su(r, "TF");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e[4], 0x0E);
	/* Symlink "../x/./hello.txt": PARENT, "x", CURRENT, "hello.txt". */
	r = find_record(&m, root_lba, "SYM.;1", 6);
	CU_ASSERT_FATAL(r != NULL);
	e = find_su(r, "SL");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e[4], 0);
	CU_ASSERT_EQUAL(memcmp(e + 5, "\x04\x00\x00\x01x\x02\x00\x00\x09"
	    "hello.txt", 18), 0);
	CU_ASSERT_EQUAL(e[2], 5 + 18);
	/* L path table: root first, 1-byte identifier 0, parent 1 (9.4). */
	pt = oi_le32dec(pvd + 140);
	CU_ASSERT_EQUAL(memcmp(m.p + (uint64_t)pt * B, "\x01\x00", 2), 0);
	CU_ASSERT_EQUAL(oi_le32dec(m.p + (uint64_t)pt * B + 2), root_lba);
	CU_ASSERT_EQUAL(oi_le16dec(m.p + (uint64_t)pt * B + 6), 1);
	pt = oi_be32dec(pvd + 148);
	CU_ASSERT_EQUAL(oi_be32dec(m.p + (uint64_t)pt * B + 2), root_lba);
	CU_ASSERT_EQUAL(oi_be16dec(m.p + (uint64_t)pt * B + 6), 1);
	free(m.p);
}

static void
test_joliet(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct mem m;
	const uint8_t *svd, *r;
	/* "é.txt;1" in UCS-2BE */
	static const uint8_t id[] = { 0, 0xE9, 0, '.', 0, 't', 0, 'x', 0, 't',
	    0, ';', 0, '1' };

	put_file("\xc3\xa9.txt", "x");
	base_opts(&o, &src);
	m = build(&o, 0);
	svd = m.p + 17 * B;
	r = find_record(&m, both32(svd + 158), id, sizeof(id));
	CU_ASSERT(r != NULL);
	free(m.p);
}

static void
test_deep_relocation(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct mem m;
	const uint8_t *pvd, *r, *e;
	char path[256] = "";
	uint32_t lba;
	int i;

	for (i = 1; i <= 9; i++) {
		char c[16];
		snprintf(c, sizeof(c), "%sd%d", i > 1 ? "/" : "", i);
		strcat(path, c);
		put_dir(path);
	}
	base_opts(&o, &src);
	m = build(&o, 0);
	pvd = m.p + 16 * B;
	lba = both32(pvd + 158);
	CU_ASSERT_FATAL(find_record(&m, lba, "RR_MOVED", 8) != NULL);
	/* d1..d7 are real directories (levels 2..8); d8 at level 9 is not. */
	for (i = 1; i <= 7; i++) {
		char id[16];
		snprintf(id, sizeof(id), "D%d", i);
		r = find_record(&m, lba, id, 2);
		CU_ASSERT_FATAL(r != NULL);
		CU_ASSERT_EQUAL(r[25], 0x02);
		lba = both32(r + 2);
	}
	r = find_record(&m, lba, "D8", 2);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_EQUAL(r[25], 0);		/* a file record ... */
	e = find_su(r, "CL");			/* ... that points on */
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(e[2], 12);
	r = m.p + (uint64_t)both32(e + 4) * B;	/* relocated "." */
	CU_ASSERT_EQUAL(r[33], 0);
	r += r[0];				/* its "..": PL to d7 */
	CU_ASSERT_EQUAL(r[33], 1);
	e = find_su(r, "PL");
	CU_ASSERT_FATAL(e != NULL);
	CU_ASSERT_EQUAL(both32(e + 4), lba);
	free(m.p);
}

static void
test_multi_extent(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct mem m;
	const uint8_t *r;
	uint32_t lba;
	char p[512];
	int fd;
	const uint64_t size = (4ull << 30) + 4096 + 17;

	snprintf(p, sizeof(p), "%s/big", dir);
	fd = open(p, O_CREAT | O_WRONLY, 0644);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(ftruncate(fd, (off_t)size) == 0);
	close(fd);
	base_opts(&o, &src);
	o.no_joliet = true;
	m = build(&o, 0);
	lba = both32(m.p + 16 * B + 158);
	r = find_record(&m, lba, "BIG.;1", 6);
	CU_ASSERT_FATAL(r != NULL);
	/* 9.1.6 bit 7: not the final record; extents of 4 GiB - 2048. */
	CU_ASSERT_EQUAL(r[25], 0x80);
	CU_ASSERT_EQUAL(both32(r + 10), 0xFFFFF800u);
	lba = both32(r + 2);
	r += r[0];
	CU_ASSERT_EQUAL(r[32], 6);
	CU_ASSERT_EQUAL(memcmp(r + 33, "BIG.;1", 6), 0);
	CU_ASSERT_EQUAL(r[25], 0);
	CU_ASSERT_EQUAL(both32(r + 10), size - 0xFFFFF800u);
	CU_ASSERT_EQUAL(both32(r + 2), lba + 0xFFFFF800u / B);
	free(m.p);
}

static uint32_t
sum32_from_64(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 64; i + 4 <= len; i += 4)
		s += (uint32_t)p[i] | (uint32_t)p[i + 1] << 8 |
		    (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24;
	return s;
}

static void
test_eltorito(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct optimg_mkiso_boot boot[2];
	struct mem m;
	const uint8_t *br, *cat, *img;
	uint8_t loader[4096];
	uint16_t sum = 0;
	uint32_t lba;
	char p[512];
	FILE *f;
	int i;

	for (i = 0; i < (int)sizeof(loader); i++)
		loader[i] = (uint8_t)(i * 7 + 3);
	put_dir("boot");
	snprintf(p, sizeof(p), "%s/boot/loader.bin", dir);
	f = fopen(p, "wb");
	CU_ASSERT_FATAL(f != NULL);
	fwrite(loader, 1, sizeof(loader), f);
	fclose(f);
	put_file("boot/efi.img", "not really FAT");
	base_opts(&o, &src);
	memset(boot, 0, sizeof(boot));
	boot[0].path = "boot/loader.bin";
	boot[0].load_size = 4;
	boot[0].info_table = true;
	boot[1].path = "/boot/efi.img";
	boot[1].platform = OPTIMG_BOOT_EFI;
	o.boot = boot;
	o.nboot = 2;
	o.boot_catalog = "boot/boot.cat";
	m = build(&o, 0);
	br = m.p + 17 * B;
	CU_ASSERT_EQUAL(br[0], 0);
	CU_ASSERT_EQUAL(memcmp(br + 1, "CD001\x01", 6), 0);
	CU_ASSERT_EQUAL(memcmp(br + 7, "EL TORITO SPECIFICATION\0", 24), 0);
	cat = m.p + (uint64_t)oi_le32dec(br + 71) * B;
	/* Validation entry: header 1, platform x86, checksum, 55 AA. */
	CU_ASSERT_EQUAL(cat[0], 1);
	CU_ASSERT_EQUAL(cat[1], 0);
	CU_ASSERT_EQUAL(cat[30], 0x55);
	CU_ASSERT_EQUAL(cat[31], 0xAA);
	for (i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + (cat[i] | cat[i + 1] << 8));
	CU_ASSERT_EQUAL(sum, 0);
	/* Default entry: bootable, no emulation, load size 4. */
	CU_ASSERT_EQUAL(cat[32], 0x88);
	CU_ASSERT_EQUAL(cat[33], 0);
	CU_ASSERT_EQUAL(oi_le16dec(cat + 38), 4);
	lba = oi_le32dec(cat + 40);
	/* Final section header for EFI, one entry. */
	CU_ASSERT_EQUAL(cat[64], 0x91);
	CU_ASSERT_EQUAL(cat[65], 0xEF);
	CU_ASSERT_EQUAL(oi_le16dec(cat + 66), 1);
	CU_ASSERT_EQUAL(cat[96], 0x88);
	CU_ASSERT_EQUAL(oi_le16dec(cat + 102), 1);	/* 14 bytes -> 1 */
	CU_ASSERT_EQUAL(memcmp(m.p + (uint64_t)oi_le32dec(cat + 104) * B,
	    "not really FAT", 14), 0);
	/* Boot info table at 8: PVD 16, own LBA, length, checksum. */
	img = m.p + (uint64_t)lba * B;
	CU_ASSERT_EQUAL(oi_le32dec(img + 8), 16);
	CU_ASSERT_EQUAL(oi_le32dec(img + 12), lba);
	CU_ASSERT_EQUAL(oi_le32dec(img + 16), sizeof(loader));
	CU_ASSERT_EQUAL(oi_le32dec(img + 20), sum32_from_64(loader,
	    sizeof(loader)));
	CU_ASSERT_EQUAL(img[24], 0);
	CU_ASSERT_EQUAL(memcmp(img + 64, loader + 64, sizeof(loader) - 64), 0);
	CU_ASSERT_EQUAL(memcmp(img, loader, 8), 0);
	free(m.p);
}

static void
test_grub2_boot_info(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct optimg_mkiso_boot boot;
	struct mem m;
	const uint8_t *br, *cat, *img;
	uint8_t loader[4096];
	uint32_t lba;
	char p[512];
	FILE *f;

	memset(loader, 0x5A, sizeof(loader));
	snprintf(p, sizeof(p), "%s/eltorito.img", dir);
	f = fopen(p, "wb");
	CU_ASSERT_FATAL(f != NULL);
	fwrite(loader, 1, sizeof(loader), f);
	fclose(f);
	base_opts(&o, &src);
	memset(&boot, 0, sizeof(boot));
	boot.path = "eltorito.img";
	boot.info_table = true;
	boot.grub2_boot_info = true;
	o.boot = &boot;
	o.nboot = 1;
	m = build(&o, 0);
	br = m.p + 17 * B;
	cat = m.p + (uint64_t)oi_le32dec(br + 71) * B;
	lba = oi_le32dec(cat + 40);
	img = m.p + (uint64_t)lba * B;
	/* xorriso grub2_boot_info: 512-byte LBA + 5, 64-bit LE at 2548. */
	CU_ASSERT_EQUAL(oi_le32dec(img + 2548), lba * 4 + 5);
	CU_ASSERT_EQUAL(oi_le32dec(img + 2552), 0);
	/* The boot info table's checksum covers the patched bytes. */
	CU_ASSERT_EQUAL(oi_le32dec(img + 20), sum32_from_64(img, 4096));
	free(m.p);
}

static void
test_gpt(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct optimg_mkiso_boot boot;
	struct mem m;
	uint8_t h[92], code[432];
	const uint8_t *mbr, *gpt, *ents, *esp;
	uint64_t total;
	char p[512];
	FILE *f;

	memset(code, 0xC3, sizeof(code));
	snprintf(p, sizeof(p), "%s/mbr.bin", dir);
	f = fopen(p, "wb");
	CU_ASSERT_FATAL(f != NULL);
	fwrite(code, 1, sizeof(code), f);
	fclose(f);
	put_dir("tree");
	put_file("tree/efi.img", "ESP");
	base_opts(&o, &src);
	{
		char t[512];
		snprintf(t, sizeof(t), "%s/tree", dir);
		src.path = strdup(t);
	}
	memset(&boot, 0, sizeof(boot));
	boot.path = "efi.img";
	boot.platform = OPTIMG_BOOT_EFI;
	o.boot = &boot;
	o.nboot = 1;
	o.mbr = p;
	o.gpt = true;
	m = build(&o, 0);
	free((char *)src.path);
	CU_ASSERT_EQUAL(m.len % (1u << 20), 0);
	total = m.len / 512;
	mbr = m.p;
	CU_ASSERT_EQUAL(memcmp(mbr, code, 432), 0);
	CU_ASSERT_EQUAL(mbr[510], 0x55);
	CU_ASSERT_EQUAL(mbr[511], 0xAA);
	/* Protective MBR: type 0xEE from LBA 1 over the whole disk. */
	CU_ASSERT_EQUAL(mbr[446 + 4], 0xEE);
	CU_ASSERT_EQUAL(oi_le32dec(mbr + 446 + 8), 1);
	CU_ASSERT_EQUAL(oi_le32dec(mbr + 446 + 12), total - 1);
	gpt = m.p + 512;
	CU_ASSERT_EQUAL(memcmp(gpt, "EFI PART\0\0\1\0\x5c\0\0\0", 16), 0);
	memcpy(h, gpt, 92);
	memset(h + 16, 0, 4);
	CU_ASSERT_EQUAL(oi_le32dec(gpt + 16), (uint32_t)crc32(0, h, 92));
	CU_ASSERT_EQUAL(oi_le32dec(gpt + 24), 1);
	CU_ASSERT_EQUAL(oi_le32dec(gpt + 32), total - 1);
	CU_ASSERT_EQUAL(oi_le32dec(gpt + 72), 2);
	CU_ASSERT_EQUAL(oi_le32dec(gpt + 80), 128);
	CU_ASSERT_EQUAL(oi_le32dec(gpt + 84), 128);
	ents = m.p + 1024;
	CU_ASSERT_EQUAL(oi_le32dec(gpt + 88), (uint32_t)crc32(0, ents,
	    128 * 128));
	/* Entry 2 is the ESP, C12A7328-F81F-11D2-BA4B-00A0C93EC93B. */
	esp = ents + 128;
	CU_ASSERT_EQUAL(memcmp(esp, "\x28\x73\x2a\xc1\x1f\xf8\xd2\x11\xba\x4b"
	    "\x00\xa0\xc9\x3e\xc9\x3b", 16), 0);
	CU_ASSERT_EQUAL(memcmp(m.p + oi_le32dec(esp + 32) * 512, "ESP", 3), 0);
	CU_ASSERT_EQUAL(oi_le32dec(esp + 40), oi_le32dec(esp + 32));
	/* Partition GUIDs are version 4 layout, RFC 4122 variant. */
	CU_ASSERT_EQUAL(esp[16 + 7] >> 4, 4);
	CU_ASSERT_EQUAL(esp[16 + 8] >> 6, 2);
	free(m.p);
}

static void
test_gpt_backup(void)
{
	/* A 1 MiB image is kept whole: check the backup at its end. */
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct optimg_mkiso_boot boot;
	struct mem m;
	const uint8_t *bk;
	uint8_t h[92];
	uint64_t total;

	put_file("efi.img", "ESP");
	base_opts(&o, &src);
	memset(&boot, 0, sizeof(boot));
	boot.path = "efi.img";
	boot.platform = OPTIMG_BOOT_EFI;
	o.boot = &boot;
	o.nboot = 1;
	o.gpt = true;
	m = build(&o, 0);
	CU_ASSERT_FATAL(m.len <= KEEP);
	total = m.len / 512;
	bk = m.p + m.len - 512;
	CU_ASSERT_EQUAL(memcmp(bk, "EFI PART", 8), 0);
	CU_ASSERT_EQUAL(oi_le32dec(bk + 24), total - 1);
	CU_ASSERT_EQUAL(oi_le32dec(bk + 32), 1);
	CU_ASSERT_EQUAL(oi_le32dec(bk + 72), total - 33);
	memcpy(h, bk, 92);
	memset(h + 16, 0, 4);
	CU_ASSERT_EQUAL(oi_le32dec(bk + 16), (uint32_t)crc32(0, h, 92));
	CU_ASSERT_EQUAL(memcmp(bk - 32 * 512, m.p + 1024, 128 * 128), 0);
	CU_ASSERT_EQUAL(memcmp(bk + 56, m.p + 512 + 56, 16), 0);
	free(m.p);
}

static void
test_reproducible(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct mem a, b;

	put_file("a.txt", "a");
	put_dir("sub");
	put_file("sub/b.txt", "b");
	base_opts(&o, &src);
	o.gpt = true;
	put_file("efi.img", "E");
	{
		static struct optimg_mkiso_boot boot = { .path = "efi.img",
		    .platform = OPTIMG_BOOT_EFI };
		o.boot = &boot;
		o.nboot = 1;
	}
	a = build(&o, 0);
	sleep(1);
	b = build(&o, 0);
	CU_ASSERT_EQUAL(a.len, b.len);
	CU_ASSERT_EQUAL(memcmp(a.p, b.p, (size_t)OI_MIN(a.len, KEEP)), 0);
	free(a.p);
	free(b.p);
}

static void
test_collision(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src[2];
	struct optimg_error err;
	struct optimg_mkiso *mk = NULL;
	char a[512], b[512];

	put_file("one", "1");
	put_file("two", "2");
	snprintf(a, sizeof(a), "%s/one", dir);
	snprintf(b, sizeof(b), "%s/two", dir);
	memset(&o, 0, sizeof(o));
	src[0].path = a;
	src[0].dest = "same.txt";
	src[1].path = b;
	src[1].dest = "same.txt";
	o.sources = src;
	o.nsources = 2;
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(optimg_mkiso_new(&o, &mk, &err), OPTIMG_EINVAL);
	CU_ASSERT_PTR_NULL(mk);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, a));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, b));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "/same.txt"));
}

static void
test_no_overwrite_input(void)
{
	struct optimg_mkiso_opts o;
	struct optimg_mkiso_source src;
	struct optimg_error err;
	char a[512];

	put_file("in.iso", "data");
	snprintf(a, sizeof(a), "%s/in.iso", dir);
	memset(&o, 0, sizeof(o));
	src.path = a;
	src.dest = NULL;
	o.sources = &src;
	o.nsources = 1;
	o.force = true;
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL(optimg_mkiso(&o, a, &err), OPTIMG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "input"));
}

static CU_TestInfo write_tests[] = {
	{ "primary and Joliet volume descriptors", test_pvd },
	{ "directory records, Rock Ridge, path tables", test_records_and_rr },
	{ "Joliet UCS-2 names", test_joliet },
	{ "directories deeper than 8 relocated", test_deep_relocation },
	{ "file over 4 GiB as multi-extent", test_multi_extent },
	{ "El Torito catalog and boot info table", test_eltorito },
	{ "GRUB 2 boot info", test_grub2_boot_info },
	{ "hybrid MBR and GPT", test_gpt },
	{ "backup GPT at the end", test_gpt_backup },
	{ "two runs are identical", test_reproducible },
	{ "colliding sources named", test_collision },
	{ "never writes onto an input", test_no_overwrite_input },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "iso_write", .pSetUpFunc = setup, .pTearDownFunc = teardown,
	  .pTests = write_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
