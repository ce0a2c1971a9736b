/*
 * iso_write_eltorito.c - El Torito (Phoenix/IBM 1995) boot support.
 *
 * The boot record volume descriptor (block 17) names the catalog:
 *   0 type 0, 1..5 "CD001", 6 version 1, 7..38 "EL TORITO SPECIFICATION"
 *   zero padded, 71..74 catalog LBA (little-endian).
 * The catalog (one block) holds 32-byte entries:
 *   validation entry: 0 header 1, 1 platform, 4..27 id string, 28..29
 *     checksum making the 16 little-endian words sum to 0, 30..31 55 AA;
 *   initial/default entry: 0 0x88 bootable, 1 media type, 2..3 load
 *     segment (0: 0x7C0), 4 system type, 6..7 sector count (512-byte
 *     virtual sectors), 8..11 load LBA;
 *   for each further image a section header (0x90, or 0x91 for the last;
 *     1 platform; 2..3 number of entries) and one entry as above.
 * The boot info table (mkisofs -boot-info-table, 56 bytes at offset 8 of
 * the boot file): PVD LBA, file LBA, file length, and the 32-bit sum of
 * the file's little-endian words from offset 64; then 40 zero bytes.
 * GRUB's eltorito.img instead (or also) wants at byte 2548 the 512-byte
 * LBA of its own start + 5, as a 64-bit little-endian number.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iso_write.h"

static int
boot_media(struct optimg_mkiso *mk, struct oi_iso_boot *b,
    const struct optimg_mkiso_boot *ob)
{
	uint64_t size = b->node->size;

	switch (ob->emul) {
	case OPTIMG_BOOT_NOEMUL: {
		uint64_t sectors = (size + 511) / 512;
		b->media = 0;
		if (ob->load_size != 0)
			sectors = ob->load_size;
		else if (b->platform != 0xEF)
			sectors = (sectors + 3) / 4 * 4;
		if (sectors > 0xFFFF) {
			oi_iso_warn(mk, "boot image '%s' has %llu sectors, more "
			    "than El Torito's 16-bit load size can say; "
			    "recording 0 (firmware reads the whole image)",
			    ob->path, (unsigned long long)sectors);
			sectors = 0;
		}
		b->load_size = (uint16_t)sectors;
		return OPTIMG_OK;
	}
	case OPTIMG_BOOT_FLOPPY:
		b->media = size == 1228800 ? 1 : size == 1474560 ? 2 :
		    size == 2949120 ? 3 : 0;
		if (b->media == 0)
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "floppy boot image '%s' is %llu bytes, not 1.2, "
			    "1.44 or 2.88 MB", ob->path,
			    (unsigned long long)size);
		b->load_size = 1;
		return OPTIMG_OK;
	case OPTIMG_BOOT_HDD:
		b->media = 4;
		b->load_size = 1;
		return OPTIMG_OK;	/* system type read in boot_patch */
	}
	return oi_set_error(&mk->err, OPTIMG_EINVAL, "bad emulation mode");
}

int
oi_iso_boot_prepare(struct optimg_mkiso *mk)
{
	unsigned i;

	if (mk->o.nboot == 0) {
		if (mk->o.boot_catalog != NULL)
			oi_iso_warn(mk, "no boot image; no boot catalog made");
		return OPTIMG_OK;
	}
	mk->boot = oi_calloc(mk->o.nboot, sizeof(*mk->boot));
	if (mk->boot == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < mk->o.nboot; i++) {
		const struct optimg_mkiso_boot *ob = &mk->o.boot[i];
		struct oi_iso_boot *b = &mk->boot[i];

		b->node = oi_iso_lookup(mk, ob->path);
		if (b->node == NULL || b->node->kind != ISO_FILE)
			return oi_set_error(&mk->err, OPTIMG_ENOENT,
			    "boot image '%s' is not a file in the image",
			    ob->path);
		b->platform = ob->platform;
		b->node->boot_image = true;
		if (b->platform == 0xEF)
			b->node->efi_image = true;
		b->info_table = ob->info_table;
		b->grub2_boot_info = ob->grub2_boot_info;
		if (b->grub2_boot_info && (ob->emul != OPTIMG_BOOT_NOEMUL ||
		    b->node->size < 2556))
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "GRUB boot info needs a no-emulation image of "
			    "2556 bytes or more ('%s')", ob->path);
		if (b->info_table && (ob->emul != OPTIMG_BOOT_NOEMUL ||
		    b->node->size < 64))
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "boot info table needs a no-emulation image of "
			    "64 bytes or more ('%s')", ob->path);
		if ((b->info_table || b->grub2_boot_info) &&
		    b->node->size > (64u << 20))
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "boot image '%s' is too large for a boot info "
			    "table", ob->path);
		OI_TRY(boot_media(mk, b, ob));
	}
	mk->nboot = mk->o.nboot;
	if (mk->o.boot_catalog != NULL)
		OI_TRY(oi_iso_add_catalog(mk, mk->o.boot_catalog,
		    &mk->catalog));
	return OPTIMG_OK;
}

static int
read_all(struct optimg_mkiso *mk, const struct oi_iso_node *node,
    uint8_t *buf, uint64_t size)
{
	char srcbuf[PATH_MAX];
	const char *path = oi_iso_src(node, srcbuf, sizeof(srcbuf));
	int fd = oi_iso_open_source(mk, path, false, node->src_dev,
	    node->src_ino, node->size);
	uint64_t got = 0;

	if (fd < 0)
		return fd;
	while (got < size) {
		ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return oi_set_errno(&mk->err, OPTIMG_EIO,
			    "cannot read '%s'", path);
		}
		got += (uint64_t)n;
	}
	close(fd);
	return OPTIMG_OK;
}

/* Boot info table checksum: 32-bit words from offset 64, zero padded. */
uint32_t oi_iso_boot_checksum(const uint8_t *p, uint64_t size);
uint32_t
oi_iso_boot_checksum(const uint8_t *p, uint64_t size)
{
	uint32_t sum = 0;
	uint64_t i;

	for (i = 64; i < size; i += 4) {
		uint8_t w[4] = { 0 };
		memcpy(w, p + i, OI_MIN(4, size - i));
		sum += oi_le32dec(w);
	}
	return sum;
}

static int
patch_one(struct optimg_mkiso *mk, struct oi_iso_boot *b, const char *path)
{
	struct oi_iso_node *n = b->node->link_owner != NULL ?
	    b->node->link_owner : b->node;
	uint8_t *m;

	if (n->mem == NULL) {
		if ((n->mem = malloc(n->size)) == NULL)
			return oi_set_error(&mk->err, OPTIMG_ENOMEM,
			    "out of memory");
		OI_TRY(read_all(mk, n, n->mem, n->size));
	}
	m = n->mem;
	if (b->media == 4) {
		unsigned k;
		if (n->size < 512 || m[510] != 0x55 || m[511] != 0xAA)
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "hard-disk boot image '%s' has no MBR", path);
		for (k = 0; k < 4 && b->system_type == 0; k++)
			b->system_type = m[446 + 16 * k + 4];
	}
	if (b->grub2_boot_info) {
		/* GRUB's diskboot block list: where core.img continues when
		   boot_hybrid.img started it from a disk (xorriso's
		   grub2_boot_info).  First: the checksum covers it. */
		uint64_t at = (uint64_t)n->data_lba * 4 + 5;
		oi_le32enc(m + 2548, (uint32_t)at);
		oi_le32enc(m + 2552, (uint32_t)(at >> 32));
	}
	if (b->info_table) {
		memset(m + 8, 0, 56);
		oi_le32enc(m + 8, ISO_SYSTEM_AREA);
		oi_le32enc(m + 12, n->data_lba);
		oi_le32enc(m + 16, (uint32_t)n->size);
		oi_le32enc(m + 20, oi_iso_boot_checksum(m, n->size));
	}
	return OPTIMG_OK;
}

int
oi_iso_boot_patch(struct optimg_mkiso *mk)
{
	unsigned i;

	for (i = 0; i < mk->nboot; i++)
		if (mk->boot[i].info_table || mk->boot[i].grub2_boot_info ||
		    mk->boot[i].media == 4)
			OI_TRY(patch_one(mk, &mk->boot[i], mk->o.boot[i].path));
	return OPTIMG_OK;
}

void
oi_iso_boot_record(struct optimg_mkiso *mk, uint8_t b[ISO_BLOCK])
{
	static const char id[] = "EL TORITO SPECIFICATION";

	memset(b, 0, ISO_BLOCK);
	b[0] = 0;
	memcpy(b + 1, "CD001", 5);
	b[6] = 1;
	memcpy(b + 7, id, sizeof(id) - 1);
	oi_le32enc(b + 71, mk->catalog_lba);
}

static void
put_entry(uint8_t *e, const struct optimg_mkiso *mk,
    const struct oi_iso_boot *b)
{
	const struct oi_iso_node *n = b->node->link_owner != NULL ?
	    b->node->link_owner : b->node;

	(void)mk;
	e[0] = 0x88;			/* bootable */
	e[1] = b->media;
	e[2] = e[3] = 0;		/* load segment: default 0x7C0 */
	e[4] = b->system_type;
	e[6] = (uint8_t)b->load_size;
	e[7] = (uint8_t)(b->load_size >> 8);
	oi_le32enc(e + 8, n->data_lba);
}

void
oi_iso_boot_catalog(struct optimg_mkiso *mk, uint8_t b[ISO_BLOCK])
{
	uint16_t sum = 0;
	unsigned i;
	uint8_t *e;

	memset(b, 0, ISO_BLOCK);
	b[0] = 1;
	b[1] = mk->boot[0].platform;
	b[30] = 0x55;
	b[31] = 0xAA;
	for (i = 0; i < 32; i += 2)
		sum = (uint16_t)(sum + oi_le16dec(b + i));
	sum = (uint16_t)-sum;
	b[28] = (uint8_t)sum;
	b[29] = (uint8_t)(sum >> 8);
	put_entry(b + 32, mk, &mk->boot[0]);
	e = b + 64;
	for (i = 1; i < mk->nboot && e + 64 <= b + ISO_BLOCK; i++, e += 64) {
		e[0] = i + 1 == mk->nboot ? 0x91 : 0x90;
		e[1] = mk->boot[i].platform;
		e[2] = 1;
		put_entry(e + 32, mk, &mk->boot[i]);
	}
}
