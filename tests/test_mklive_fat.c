/*
 * test_mklive_fat.c - the EFI image's FAT writer, read back by a small
 * FAT reader written here from the specification (Microsoft FAT 1.03):
 * boot sector fields, FAT12 and FAT16 chains, directories, 8.3 names
 * with the NT lower-case flags, and the bytes of every file.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "mklive.h"
#include "cunit_main.h"

struct img {
	uint8_t		*p;
	size_t		 len;
	unsigned	 spc, fats, fat_sects, root_entries, data_start;
	bool		 fat12;
};

static char path[64];

static int
setup(void)
{
	snprintf(path, sizeof(path), "/tmp/optimg-fat.XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		return 1;
	close(fd);
	return 0;
}

static int
teardown(void)
{
	unlink(path);
	return 0;
}

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static bool
load(struct img *m)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL)
		return false;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	m->p = malloc((size_t)n);
	m->len = fread(m->p, 1, (size_t)n, f);
	fclose(f);
	m->spc = m->p[13];
	m->fats = m->p[16];
	m->root_entries = le16(m->p + 17);
	m->fat_sects = le16(m->p + 22);
	m->data_start = le16(m->p + 14) + m->fats * m->fat_sects +
	    m->root_entries * 32 / 512;
	m->fat12 = memcmp(m->p + 54, "FAT12   ", 8) == 0;
	return m->len == (size_t)n;
}

static uint32_t
next_cluster(const struct img *m, uint32_t c)
{
	const uint8_t *fat = m->p + 512 * le16(m->p + 14);

	if (!m->fat12)
		return le16(fat + 2 * c);
	uint16_t v = le16(fat + c * 3 / 2);
	return c & 1 ? v >> 4 : v & 0xFFF;
}

static bool
is_end(const struct img *m, uint32_t c)
{
	return m->fat12 ? c >= 0xFF8 : c >= 0xFFF8;
}

/* Reads a chain into out (cap bytes); returns the bytes read. */
static size_t
read_chain(const struct img *m, uint32_t c, uint8_t *out, size_t cap)
{
	size_t got = 0, csize = 512u * m->spc;

	while (c >= 2 && !is_end(m, c) && got + csize <= cap) {
		memcpy(out + got, m->p + 512u * (m->data_start +
		    (c - 2) * m->spc), csize);
		got += csize;
		c = next_cluster(m, c);
	}
	return got;
}

/* Finds name (11 bytes, space padded) among a directory's entries. */
static const uint8_t *
find(const uint8_t *dir, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (memcmp(dir + 32 * i, name, 11) == 0)
			return dir + 32 * i;
	return NULL;
}

static void
check_boot_sector(const struct img *m, bool fat12)
{
	CU_ASSERT_EQUAL(m->p[0], 0xEB);
	CU_ASSERT_EQUAL(le16(m->p + 11), 512);
	CU_ASSERT_EQUAL(m->fats, 2);
	CU_ASSERT_EQUAL(m->p[21], 0xF8);
	CU_ASSERT_EQUAL(m->p[38], 0x29);
	CU_ASSERT_EQUAL(le32(m->p + 39), 0x12345678);
	CU_ASSERT_EQUAL(memcmp(m->p + 43, "EFIBOOT    ", 11), 0);
	CU_ASSERT_EQUAL(m->p[510], 0x55);
	CU_ASSERT_EQUAL(m->p[511], 0xAA);
	CU_ASSERT_EQUAL(m->fat12, fat12);
	CU_ASSERT_EQUAL(m->len % 2048, 0);
	/* the two FATs are copies */
	CU_ASSERT_EQUAL(memcmp(m->p + 512, m->p + 512 + 512 * m->fat_sects,
	    512 * m->fat_sects), 0);
	/* the cluster count decides the type (spec, "FAT type determination") */
	uint32_t total = le16(m->p + 19) ? le16(m->p + 19) : le32(m->p + 32);
	uint32_t clusters = (total - m->data_start) / m->spc;
	CU_ASSERT_EQUAL(clusters < 4085, fat12);
	CU_ASSERT_EQUAL((size_t)total * 512, m->len);
}

static void
write_and_check(size_t big, bool fat12)
{
	uint8_t *data = malloc(big), *back = malloc(big + 65536);
	static const char cfg[] = "search --file /x\n";
	struct oi_fat_file files[3] = {
		{ "EFI/BOOT/BOOTX64.EFI", NULL, NULL, 0 },
		{ "EFI/BOOT/grubx64.efi", NULL, cfg, sizeof(cfg) - 1 },
		{ "boot/grub/grub.cfg", NULL, cfg, sizeof(cfg) - 1 },
	};
	struct optimg_error err;
	struct img m;
	uint8_t dir[65536];
	const uint8_t *e, *boot;
	uint64_t size = 0;
	size_t i, n;

	for (i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	files[0].data = data;
	files[0].len = big;
	memset(&err, 0, sizeof(err));
	CU_ASSERT_EQUAL_FATAL(oi_fat_write(path, files, 3, "EFIBOOT",
	    0x12345678, 1700000000, &size, &err), 0);
	CU_ASSERT_FATAL(load(&m));
	CU_ASSERT_EQUAL(size, m.len);
	check_boot_sector(&m, fat12);

	/* root: volume label, EFI, boot */
	const uint8_t *root = m.p + 512u * (le16(m.p + 14) + 2 * m.fat_sects);
	CU_ASSERT_EQUAL(root[11], 0x08);
	e = find(root, m.root_entries, "EFI        ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e[11], 0x10);
	/* 2023-11-14 22:13:20 UTC */
	CU_ASSERT_EQUAL(le16(e + 24), (43 << 9) | (11 << 5) | 14);
	n = read_chain(&m, le16(e + 26), dir, sizeof(dir));
	CU_ASSERT_PTR_NOT_NULL(find(dir, n / 32, ".          "));
	e = find(dir, n / 32, "BOOT       ");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	n = read_chain(&m, le16(e + 26), dir, sizeof(dir));
	boot = find(dir, n / 32, "BOOTX64 EFI");
	CU_ASSERT_PTR_NOT_NULL_FATAL(boot);
	CU_ASSERT_EQUAL(boot[12], 0);
	CU_ASSERT_EQUAL(le32(boot + 28), big);
	CU_ASSERT(read_chain(&m, le16(boot + 26), back, big + 65536) >= big);
	CU_ASSERT_EQUAL(memcmp(back, data, big), 0);
	e = find(dir, n / 32, "GRUBX64 EFI");
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e[12], 0x18);	/* lower-case base and extension */
	CU_ASSERT(read_chain(&m, le16(e + 26), back, 65536) >= sizeof(cfg) - 1);
	CU_ASSERT_EQUAL(memcmp(back, cfg, sizeof(cfg) - 1), 0);
	CU_ASSERT_PTR_NOT_NULL(find(root, m.root_entries, "BOOT       "));
	free(m.p);
	free(data);
	free(back);
}

static void
test_fat12(void)
{
	write_and_check(900 * 1024, true);
}

static void
test_fat16(void)
{
	write_and_check(12u << 20, false);
}

static void
test_bad_names(void)
{
	static const char *const bad[] = {
		"EFI/BOOT/LONGNAME12.EFI", "EFI/BOOT/MixedCase.efi",
		"EFI/BOOT/A.EFIX", "EFI/BOOT/a*b.efi",
	};
	struct optimg_error err;
	unsigned i;

	for (i = 0; i < 4; i++) {
		struct oi_fat_file f = { bad[i], NULL, "x", 1 };
		memset(&err, 0, sizeof(err));
		CU_ASSERT(oi_fat_write(path, &f, 1, "EFIBOOT", 1, 0, NULL,
		    &err) < 0);
		CU_ASSERT(err.message[0] != '\0');
	}
	struct oi_fat_file twice[2] = {
		{ "EFI/A.EFI", NULL, "x", 1 }, { "efi/a.efi", NULL, "y", 1 },
	};
	CU_ASSERT(oi_fat_write(path, twice, 2, "EFIBOOT", 1, 0, NULL,
	    &err) < 0);
}

static void
test_same_bytes(void)
{
	struct oi_fat_file f = { "EFI/BOOT/BOOTX64.EFI", NULL, "abc", 3 };
	struct optimg_error err;
	struct img a, b;

	CU_ASSERT_EQUAL_FATAL(oi_fat_write(path, &f, 1, "EFIBOOT", 7,
	    1700000000, NULL, &err), 0);
	CU_ASSERT_FATAL(load(&a));
	CU_ASSERT_EQUAL_FATAL(oi_fat_write(path, &f, 1, "EFIBOOT", 7,
	    1700000000, NULL, &err), 0);
	CU_ASSERT_FATAL(load(&b));
	CU_ASSERT_EQUAL(a.len, b.len);
	CU_ASSERT_EQUAL(memcmp(a.p, b.p, a.len), 0);
	free(a.p);
	free(b.p);
}

static CU_TestInfo fat_tests[] = {
	{ "FAT12 image read back", test_fat12 },
	{ "FAT16 image read back", test_fat16 },
	{ "names FAT cannot hold are refused", test_bad_names },
	{ "same inputs, same bytes", test_same_bytes },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "mklive_fat", .pInitFunc = setup, .pCleanupFunc = teardown,
	  .pTests = fat_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
