/*
 * mkfixture.c - builds test and demo images from spec constants, so that no
 * image is committed.
 *
 *   mkfixture iso OUT.iso VOLID [FILE...]
 *	a minimal ISO 9660 image (ECMA-119 level 1, one root directory) that
 *	holds the given files under upper-cased 8.3 names
 *   mkfixture redump DIR NAME SEED
 *	a Redump-style split dump: "NAME (Track 1).bin" MODE1/2352 (a small
 *	ISO, EDC/ECC from the codec), two AUDIO tracks of seeded noise with
 *	stored 2-second INDEX 00 pregaps, and NAME.cue with CATALOG, CD-TEXT,
 *	FLAGS, ISRC, INDEX 02 and REM lines
 *   mkfixture random OUT SIZE SEED
 *	SIZE bytes of seeded noise (git's test-genrandom), so a failing
 *	test can be run again on the same bytes
 *   mkfixture image KIND OUT
 *	one of the reader fixtures of fx_images.c (nrg-dao1, nrg-dao2,
 *	nrg-tao1, nrg-tao2, nrg-sessions, ...), as the suites build them;
 *	"mkfixture image list" names them all
 *   mkfixture wrap ISO DIR
 *	ISO as one data track in every reader's format (fx_wrap_iso)
 *   mkfixture gdi DIR NAME SEED
 *	a Dreamcast GD-ROM set: NAME.gdi, track01.bin (300 raw Mode 1
 *	sectors of seeded data), track02.raw (200 sectors of seeded audio,
 *	from LBA 450), track03.bin (500 raw Mode 1 sectors in the
 *	high-density area, from LBA 45000)
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oi_private.h"
#include "fx_images.h"

#define SECTOR 2048

static void
both16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
	p[2] = v >> 8;
	p[3] = v & 0xff;
}

static void
both32(uint8_t *p, uint32_t v)
{
	oi_le32enc(p, v);
	p[4] = v >> 24;
	p[5] = v >> 16 & 0xff;
	p[6] = v >> 8 & 0xff;
	p[7] = v & 0xff;
}

static void
padded(uint8_t *p, const char *s, size_t len)
{
	memset(p, ' ', len);
	memcpy(p, s, OI_MIN(strlen(s), len));
}

/* ECMA-119 9.1: a directory record; returns its length. */
static size_t
dir_record(uint8_t *p, uint32_t lba, uint32_t size, uint8_t flags,
    const char *name, size_t nlen)
{
	size_t len = 33 + nlen + (nlen % 2 == 0);

	memset(p, 0, len);
	p[0] = (uint8_t)len;
	both32(p + 2, lba);
	both32(p + 10, size);
	p[18] = 126;	/* 2026 */
	p[19] = 1;
	p[20] = 1;
	p[25] = flags;
	both16(p + 28, 1);
	p[32] = (uint8_t)nlen;
	memcpy(p + 33, name, nlen);
	return len;
}

static void
iso_name(const char *path, char out[16])
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	size_t o = 0, n = 0;
	bool ext = false;

	for (const char *s = base; *s && o < 12; s++) {
		if (*s == '.' && !ext) {
			ext = true;
			out[o++] = '.';
			n = 0;
		} else if (n < (ext ? 3u : 8u) && isalnum((unsigned char)*s)) {
			out[o++] = (char)toupper((unsigned char)*s);
			n++;
		}
	}
	memcpy(out + o, ";1", 3);
}

struct file_in {
	char		name[16];
	uint8_t		*data;
	size_t		 size;
	uint32_t	 lba;
};

static uint8_t *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0)
		goto out;
	rewind(f);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	*len = (size_t)n;
out:
	if (f != NULL)
		fclose(f);
	return buf;
}

static void
write_pvd(uint8_t *pvd, const char *volid, uint32_t total, uint8_t *root)
{
	pvd[0] = 1;
	memcpy(pvd + 1, "CD001", 5);
	pvd[6] = 1;
	padded(pvd + 8, "LINUX", 32);
	padded(pvd + 40, volid, 32);
	both32(pvd + 80, total);
	both16(pvd + 120, 1);
	both16(pvd + 124, 1);
	both16(pvd + 128, SECTOR);
	both32(pvd + 132, 10);
	oi_le32enc(pvd + 140, 18);
	pvd[148] = 0; pvd[149] = 0; pvd[150] = 0; pvd[151] = 19;
	memcpy(pvd + 156, root, 34);
	padded(pvd + 190, "", 128);
	padded(pvd + 318, "", 128);
	padded(pvd + 446, "", 128);
	padded(pvd + 574, "OPTIMG MKFIXTURE", 128);
	padded(pvd + 702, "", 37 * 3);
	for (int i = 0; i < 4; i++)
		memcpy(pvd + 813 + 17 * i, "0000000000000000", 16);
	memcpy(pvd + 813, "2026010100000000", 16);
	memcpy(pvd + 830, "2026010100000000", 16);
	pvd[881] = 1;
}

/* Builds the image in memory: fixtures are small. */
static uint8_t *
build_iso(const char *volid, struct file_in *files, int nfiles,
    uint32_t *sectors)
{
	uint32_t lba = 21, total;
	uint8_t *img, root[34], *dir, *pt;
	size_t off;

	for (int i = 0; i < nfiles; i++) {
		files[i].lba = lba;
		lba += (uint32_t)((files[i].size + SECTOR - 1) / SECTOR);
	}
	total = lba < 32 ? 32 : lba;
	img = calloc(total, SECTOR);
	if (img == NULL)
		return NULL;
	dir = img + 20 * SECTOR;
	off = dir_record(dir, 20, SECTOR, 2, "\0", 1);
	off += dir_record(dir + off, 20, SECTOR, 2, "\1", 1);
	for (int i = 0; i < nfiles; i++) {
		off += dir_record(dir + off, files[i].lba,
		    (uint32_t)files[i].size, 0, files[i].name,
		    strlen(files[i].name));
		memcpy(img + (size_t)files[i].lba * SECTOR, files[i].data,
		    files[i].size);
	}
	dir_record(root, 20, SECTOR, 2, "\0", 1);
	write_pvd(img + 16 * SECTOR, volid, total, root);
	img[17 * SECTOR] = 255;
	memcpy(img + 17 * SECTOR + 1, "CD001", 5);
	img[17 * SECTOR + 6] = 1;
	pt = img + 18 * SECTOR;	/* L path table: root only */
	pt[0] = 1;
	oi_le32enc(pt + 2, 20);
	pt[6] = 1;
	pt = img + 19 * SECTOR;	/* M path table */
	pt[0] = 1;
	pt[5] = 20;
	pt[7] = 1;
	*sectors = total;
	return img;
}

static int
cmd_iso(int argc, char **argv)
{
	struct file_in files[32];
	int n = argc - 4;
	uint32_t sectors;
	uint8_t *img;
	FILE *out;

	if (argc < 4 || n > 32) {
		fprintf(stderr, "usage: mkfixture iso OUT VOLID [FILE...]\n");
		return 2;
	}
	for (int i = 0; i < n; i++) {
		files[i].data = slurp(argv[4 + i], &files[i].size);
		if (files[i].data == NULL) {
			perror(argv[4 + i]);
			return 1;
		}
		iso_name(argv[4 + i], files[i].name);
	}
	img = build_iso(argv[3], files, n, &sectors);
	out = fopen(argv[2], "wb");
	if (img == NULL || out == NULL ||
	    fwrite(img, SECTOR, sectors, out) != sectors || fclose(out) != 0) {
		perror(argv[2]);
		return 1;
	}
	for (int i = 0; i < n; i++)
		free(files[i].data);
	free(img);
	return 0;
}

static uint32_t rng_state;

static uint8_t
rng_byte(void)
{
	rng_state = rng_state * 1103515245u + 12345u;
	return (uint8_t)(rng_state >> 16);
}

static FILE *
open_track(const char *dir, const char *name, unsigned n)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s (Track %u).bin", dir, name, n);
	return fopen(path, "wb");
}

static int
write_data_track(const char *dir, const char *name, uint32_t *sectors)
{
	static uint8_t readme[] = "optimg test data track\n";
	struct file_in f = { .data = readme, .size = sizeof(readme) - 1 };
	uint8_t raw[2352], *iso;
	FILE *out = open_track(dir, name, 1);

	memcpy(f.name, "README.TXT;1", 13);
	iso = build_iso("OPTIMG_MIXED", &f, 1, sectors);
	if (out == NULL || iso == NULL)
		return 1;
	for (uint32_t i = 0; i < *sectors; i++) {
		optimg_sector_from_user(raw, iso + (size_t)i * SECTOR,
		    (int32_t)i, OPTIMG_SECTOR_MODE1, NULL);
		fwrite(raw, 1, sizeof(raw), out);
	}
	free(iso);
	return fclose(out) != 0;
}

static int
write_audio_track(const char *dir, const char *name, unsigned n,
    uint32_t sectors)
{
	FILE *out = open_track(dir, name, n);

	if (out == NULL)
		return 1;
	for (uint32_t i = 0; i < sectors * 2352u; i++)
		putc(rng_byte(), out);
	return fclose(out) != 0;
}

static int
cmd_redump(int argc, char **argv)
{
	char path[4096];
	uint32_t data_sectors;
	FILE *cue;

	if (argc != 5) {
		fprintf(stderr, "usage: mkfixture redump DIR NAME SEED\n");
		return 2;
	}
	rng_state = (uint32_t)strtoul(argv[4], NULL, 10);
	if (write_data_track(argv[2], argv[3], &data_sectors) ||
	    write_audio_track(argv[2], argv[3], 2, 150 + 300) ||
	    write_audio_track(argv[2], argv[3], 3, 150 + 1200)) {
		perror(argv[2]);
		return 1;
	}
	snprintf(path, sizeof(path), "%s/%s.cue", argv[2], argv[3]);
	cue = fopen(path, "w");
	if (cue == NULL) {
		perror(path);
		return 1;
	}
	fprintf(cue,
	    "REM GENRE \"Test\"\r\n"
	    "CATALOG 0123456789012\r\n"
	    "PERFORMER \"optimg tests\"\r\n"
	    "TITLE \"Mixed mode fixture\"\r\n"
	    "FILE \"%1$s (Track 1).bin\" BINARY\r\n"
	    "  TRACK 01 MODE1/2352\r\n"
	    "    INDEX 01 00:00:00\r\n"
	    "FILE \"%1$s (Track 2).bin\" BINARY\r\n"
	    "  TRACK 02 AUDIO\r\n"
	    "    TITLE \"Noise one\"\r\n"
	    "    FLAGS DCP PRE\r\n"
	    "    ISRC USXYZ2600001\r\n"
	    "    INDEX 00 00:00:00\r\n"
	    "    INDEX 01 00:02:00\r\n"
	    "FILE \"%1$s (Track 3).bin\" BINARY\r\n"
	    "  TRACK 03 AUDIO\r\n"
	    "    TITLE \"Noise two\"\r\n"
	    "    INDEX 00 00:00:00\r\n"
	    "    INDEX 01 00:02:00\r\n"
	    "    INDEX 02 00:10:00\r\n", argv[3]);
	return fclose(cue) != 0;
}

static int
cmd_random(int argc, char **argv)
{
	unsigned long long size, i;
	FILE *out;

	if (argc != 5) {
		fprintf(stderr, "usage: mkfixture random OUT SIZE SEED\n");
		return 2;
	}
	size = strtoull(argv[3], NULL, 10);
	rng_state = (uint32_t)strtoul(argv[4], NULL, 10);
	if ((out = fopen(argv[2], "wb")) == NULL) {
		perror(argv[2]);
		return 1;
	}
	for (i = 0; i < size; i++)
		putc(rng_byte(), out);
	return fclose(out) != 0;
}

static void
nrg_dao1(struct bytes *b)
{
	fx_nrg_dao(b, 1);
}

static void
nrg_dao2(struct bytes *b)
{
	fx_nrg_dao(b, 2);
}

static void
cdi_v2(struct bytes *b)
{
	fx_cdi(b, 0x80000004u);
}

static void
cdi_v3(struct bytes *b)
{
	fx_cdi(b, 0x80000005u);
}

static void
cdi_v35(struct bytes *b)
{
	fx_cdi(b, 0x80000006u);
}

/* The descriptor alone: the fuzz target supplies a .mdf of its own. */
static void
mds_only(struct bytes *b)
{
	char dir[] = "/tmp/mkfixture.XXXXXX", path[64];
	FILE *f;
	long n;

	if (mkdtemp(dir) == NULL || fx_mds_dir(dir, "x.mds", "x.mdf") != 0)
		exit(1);
	snprintf(path, sizeof(path), "%s/x.mds", dir);
	if ((f = fopen(path, "rb")) == NULL)
		exit(1);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n <= 0 || fread(b_grow(b, (size_t)n), 1, (size_t)n, f) !=
	    (size_t)n)
		exit(1);
	fclose(f);
	remove(path);
	snprintf(path, sizeof(path), "%s/x.mdf", dir);
	remove(path);
	rmdir(dir);
}

/* The DAO image with CD-TEXT in one character code. */
static void
nrg_cdtext(struct bytes *b, unsigned code)
{
	struct bytes packs = { 0 };

	fx_cdtext_packs(&packs, code);
	fx_nrg_dao_cdtext(b, &packs);
	free(packs.p);
}

static void
nrg_cdtext_latin1(struct bytes *b)
{
	nrg_cdtext(b, 0x00);
}

static void
nrg_cdtext_ascii(struct bytes *b)
{
	nrg_cdtext(b, 0x01);
}

static void
nrg_cdtext_msjis(struct bytes *b)
{
	nrg_cdtext(b, 0x80);
}

static void
nrg_cdtext_korean(struct bytes *b)
{
	nrg_cdtext(b, 0x81);
}

static const struct {
	const char	*kind;
	void		(*build)(struct bytes *);
} images[] = {
	{ "nrg-dao1", nrg_dao1 },
	{ "nrg-dao2", nrg_dao2 },
	{ "nrg-tao1", fx_nrg_tao1 },
	{ "nrg-tao2", fx_nrg_tao2 },
	{ "nrg-sessions", fx_nrg_sessions },
	{ "nrg-cdtext-latin1", nrg_cdtext_latin1 },
	{ "nrg-cdtext-ascii", nrg_cdtext_ascii },
	{ "nrg-cdtext-msjis", nrg_cdtext_msjis },
	{ "nrg-cdtext-korean", nrg_cdtext_korean },
	{ "cdi-v2", cdi_v2 },
	{ "cdi-v3", cdi_v3 },
	{ "cdi-v35", cdi_v35 },
	{ "mds-disc", mds_only },
};

static int
cmd_image(int argc, char **argv)
{
	struct bytes b = { 0 };
	FILE *f;

	if (argc == 3 && strcmp(argv[2], "list") == 0) {
		for (unsigned i = 0; i < OI_ARRAY_SIZE(images); i++)
			printf("%s\n", images[i].kind);
		return 0;
	}
	if (argc != 4)
		return 2;
	for (unsigned i = 0; i < OI_ARRAY_SIZE(images); i++) {
		if (strcmp(argv[2], images[i].kind) != 0)
			continue;
		images[i].build(&b);
		if ((f = fopen(argv[3], "wb")) == NULL ||
		    fwrite(b.p, 1, b.len, f) != b.len || fclose(f) != 0) {
			perror(argv[3]);
			return 1;
		}
		b_free(&b);
		return 0;
	}
	fprintf(stderr, "mkfixture: no image kind '%s'\n", argv[2]);
	return 2;
}

/* mkfixture wrap ISO DIR: the ISO in every reader's format (fx_images). */
static int
cmd_wrap(int argc, char **argv)
{
	uint8_t *iso;
	long n;
	FILE *f;
	int rc;

	if (argc != 4 || (f = fopen(argv[2], "rb")) == NULL) {
		fprintf(stderr, "usage: mkfixture wrap ISO DIR\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	if (n <= 0 || n % 2048 != 0 || (iso = malloc((size_t)n)) == NULL ||
	    fread(iso, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "mkfixture: '%s' is not whole 2048-byte "
		    "sectors\n", argv[2]);
		fclose(f);
		return 1;
	}
	fclose(f);
	rc = fx_wrap_iso(argv[3], iso, (uint32_t)(n / 2048));
	free(iso);
	return rc != 0;
}

/* count raw sectors from lba, Mode 1 of seeded bytes or seeded audio. */
static int
gdi_file(const char *dir, const char *name, int32_t lba, uint32_t count,
    bool audio)
{
	char path[1024];
	uint8_t s[2352];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL) {
		perror(path);
		return 1;
	}
	for (uint32_t i = 0; i < count; i++) {
		memset(s, 0, sizeof(s));
		if (audio) {
			/* A tone with a little noise: sound, not data. */
			for (int k = 0; k < 2352; k += 2) {
				int v = ((k / 4 + (int)i * 588) % 147 - 73) *
				    200 + (int)(rng_byte() % 32);
				s[k] = (uint8_t)v;
				s[k + 1] = (uint8_t)(v >> 8);
			}
		} else {
			for (int k = 16; k < 16 + SECTOR; k++)
				s[k] = (uint8_t)(rng_byte() % 16);
			optimg_sector_encode(s, lba + (int32_t)i,
			    OPTIMG_SECTOR_MODE1);
		}
		fwrite(s, 1, sizeof(s), f);
	}
	return fclose(f) != 0;
}

static int
cmd_gdi(int argc, char **argv)
{
	char path[1024];
	FILE *f;
	int rc;

	if (argc != 5) {
		fprintf(stderr, "usage: mkfixture gdi DIR NAME SEED\n");
		return 2;
	}
	rng_state = (uint32_t)strtoul(argv[4], NULL, 10);
	rc = gdi_file(argv[2], "track01.bin", 0, 300, false);
	rc |= gdi_file(argv[2], "track02.raw", 450, 200, true);
	rc |= gdi_file(argv[2], "track03.bin", OI_GDROM_HD_LBA, 500, false);
	snprintf(path, sizeof(path), "%s/%s.gdi", argv[2], argv[3]);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	fprintf(f, "3\n1 0 4 2352 track01.bin 0\n2 450 0 2352 track02.raw 0\n"
	    "3 %d 4 2352 track03.bin 0\n", OI_GDROM_HD_LBA);
	return (fclose(f) != 0) | rc;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "wrap") == 0)
		return cmd_wrap(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "random") == 0)
		return cmd_random(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "image") == 0)
		return cmd_image(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "iso") == 0)
		return cmd_iso(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "redump") == 0)
		return cmd_redump(argc, argv);
	if (argc >= 2 && strcmp(argv[1], "gdi") == 0)
		return cmd_gdi(argc, argv);
	fprintf(stderr, "usage: mkfixture iso|redump|random|image|wrap|gdi "
	    "...\n");
	return 2;
}
