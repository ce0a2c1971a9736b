/*
 * iso_write_hybrid.c - MBR and GPT, so the same image boots as a disk.
 *
 * MBR (first 512 bytes of the 32 KiB system area):
 *   0..431   boot code from a file (isolinux isohdpfx.bin, GRUB
 *            boot_hybrid.img)
 *   432..439 512-byte LBA of the El Torito BIOS image, 64-bit LE, as
 *            isohybrid writes it (GRUB's boot_hybrid.img wants LBA + 4:
 *            it loads eltorito.img past its first 2048 bytes' header)
 *   440..443 disk signature, 444..445 zero
 *   446..509 four 16-byte partition entries: status, CHS first, type,
 *            CHS last, LBA first (LE32), sectors (LE32)
 *   510..511 55 AA
 * Without GPT: partition 1 (type 0x17, active) covers the image from 0
 * up to the EFI image, which is partition 2 (type 0xEF); appended
 * partitions take the slot they ask for.  No two overlap, as UEFI
 * firmware rejects overlapping MBR partitions.
 * With GPT (UEFI 2.x 5.3): a protective MBR entry (0xEE) from LBA 1; the
 * header at LBA 1 and 128 entries of 128 bytes at LBA 2; the backup
 * entries and header in the last 33 sectors of the padded image.  GPT
 * partitions: the ISO 9660 data from LBA 64, the ESP, appended files.
 * GUIDs and the disk signature derive from the tree digest, not from
 * randomness, so images are reproducible.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include <openssl/evp.h>

#include "iso_write.h"

#define SECT		512u
#define GPT_ENTRIES	128u
#define GPT_ENTRY_SIZE	128u

static const uint8_t guid_esp[16] = {	/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B */
	0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11,
	0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B };
static const uint8_t guid_basic[16] = {	/* EBD0A0A2-B9E5-4433-87C0-68B6B72699C7 */
	0xA2, 0xA0, 0xD0, 0xEB, 0xE5, 0xB9, 0x33, 0x44,
	0x87, 0xC0, 0x68, 0xB6, 0xB7, 0x26, 0x99, 0xC7 };
static const uint8_t guid_linux[16] = {	/* 0FC63DAF-8483-4772-8E79-3D69D8477DE4 */
	0xAF, 0x3D, 0xC6, 0x0F, 0x83, 0x84, 0x72, 0x47,
	0x8E, 0x79, 0x3D, 0x69, 0xD8, 0x47, 0x7D, 0xE4 };

void
oi_iso_guid(const struct optimg_mkiso *mk, const char *label, uint8_t g[16])
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	memset(md, 0, sizeof(md));
	if (ctx != NULL && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		EVP_DigestUpdate(ctx, mk->digest, sizeof(mk->digest));
		EVP_DigestUpdate(ctx, label, strlen(label));
		EVP_DigestFinal_ex(ctx, md, &len);
	}
	EVP_MD_CTX_free(ctx);
	memcpy(g, md, 16);
	g[7] = (uint8_t)((g[7] & 0x0F) | 0x40);	/* version 4 layout */
	g[8] = (uint8_t)((g[8] & 0x3F) | 0x80);	/* RFC 4122 variant */
}

int
oi_iso_hybrid_prepare(struct optimg_mkiso *mk)
{
	unsigned i;

	mk->hybrid = mk->o.mbr != NULL || mk->o.gpt || mk->o.npartitions > 0;
	if (mk->o.mbr != NULL) {
		char *text;
		size_t len;
		OI_TRY(oi_read_small_file(mk->o.mbr, 512, &text, &len,
		    &mk->err));
		mk->mbr_len = OI_MIN(len, 432);
		memcpy(mk->mbr_code, text, mk->mbr_len);
		/* boot_hybrid.img is a whole 512-byte sector; isohdpfx 432 */
		mk->mbr_grub2 = len == 512;
		free(text);
	}
	if (mk->o.npartitions == 0)
		return OPTIMG_OK;
	mk->parts = oi_calloc(mk->o.npartitions, sizeof(*mk->parts));
	if (mk->parts == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < mk->o.npartitions; i++) {
		const struct optimg_mkiso_partition *op = &mk->o.partitions[i];
		struct stat st;

		if (op->number < 1 || op->number > 4)
			return oi_set_error(&mk->err, OPTIMG_EINVAL,
			    "partition number %u is not 1..4", op->number);
		if (stat(op->path, &st) < 0 || !S_ISREG(st.st_mode))
			return oi_set_errno(&mk->err, OPTIMG_ENOENT,
			    "cannot use '%s' as a partition", op->path);
		mk->parts[i].number = op->number;
		mk->parts[i].type = op->type;
		mk->parts[i].path = (char *)op->path;
		mk->parts[i].size = (uint64_t)st.st_size;
		mk->parts[i].dev = st.st_dev;
		mk->parts[i].ino = st.st_ino;
	}
	mk->nparts = mk->o.npartitions;
	return OPTIMG_OK;
}

static void
le64enc(uint8_t *p, uint64_t v)
{
	oi_le32enc(p, (uint32_t)v);
	oi_le32enc(p + 4, (uint32_t)(v >> 32));
}

/* CHS as isohybrid computes it: 64 heads, 32 sectors, capped. */
static void
chs(uint8_t *p, uint64_t lba)
{
	uint64_t c = lba / (64 * 32), h = lba / 32 % 64, s = lba % 32 + 1;

	if (c > 1023) {
		p[0] = 0xFE;
		p[1] = 0xFF;
		p[2] = 0xFF;
		return;
	}
	p[0] = (uint8_t)h;
	p[1] = (uint8_t)(s | (c >> 2 & 0xC0));
	p[2] = (uint8_t)c;
}

static void
mbr_entry(uint8_t *mbr, unsigned slot, bool active, uint8_t type,
    uint64_t start, uint64_t count)
{
	uint8_t *e = mbr + 446 + 16 * (slot - 1);

	if (count == 0)
		return;
	e[0] = active ? 0x80 : 0;
	chs(e + 1, start);
	e[4] = type;
	chs(e + 5, start + count - 1);
	oi_le32enc(e + 8, (uint32_t)OI_MIN(start, UINT32_MAX));
	oi_le32enc(e + 12, (uint32_t)OI_MIN(count, UINT32_MAX));
}

/* The EFI boot image's 512-byte extent inside the image, if any. */
static bool
efi_extent(const struct optimg_mkiso *mk, uint64_t *start, uint64_t *count)
{
	unsigned i;

	for (i = 0; i < mk->nboot; i++) {
		const struct oi_iso_node *n = mk->boot[i].node;
		if (mk->boot[i].platform != 0xEF)
			continue;
		if (n->link_owner != NULL)
			n = n->link_owner;
		*start = (uint64_t)n->data_lba * 4;
		*count = (n->size + SECT - 1) / SECT;
		return *count > 0;
	}
	return false;
}

static bool
has_efi_part(const struct optimg_mkiso *mk)
{
	unsigned i;

	for (i = 0; i < mk->nparts; i++)
		if (mk->parts[i].type == 0xEF)
			return true;
	return false;
}

static void
put_mbr_parts(struct optimg_mkiso *mk, uint8_t *mbr, uint64_t total)
{
	uint64_t iso_end = (uint64_t)mk->iso_blocks * 4, es = 0, ec = 0;
	bool efi = !has_efi_part(mk) && efi_extent(mk, &es, &ec);
	unsigned i;

	if (mk->o.gpt) {
		mbr_entry(mbr, 1, mk->o.mbr_force_bootable, 0xEE, 1,
		    total - 1);
		return;
	}
	if (mk->nparts == 0)
		iso_end = total;	/* the padding belongs to the ISO */
	mbr_entry(mbr, 1, true, 0x17, 0, efi ? es : iso_end);
	if (efi)
		mbr_entry(mbr, 2, false, 0xEF, es, ec);
	for (i = 0; i < mk->nparts; i++)
		mbr_entry(mbr, mk->parts[i].number, false, mk->parts[i].type,
		    (uint64_t)mk->parts[i].lba * 4,
		    (mk->parts[i].size + SECT - 1) / SECT);
}

static void
gpt_entry(uint8_t *e, const uint8_t type[16], const uint8_t uniq[16],
    uint64_t first, uint64_t last, const char *name)
{
	unsigned i;

	memcpy(e, type, 16);
	memcpy(e + 16, uniq, 16);
	le64enc(e + 32, first);
	le64enc(e + 40, last);
	for (i = 0; name[i] != '\0' && i < 36; i++)
		e[56 + 2 * i] = (uint8_t)name[i];	/* UTF-16LE */
}

static void
put_gpt(struct optimg_mkiso *mk, uint8_t *area, uint64_t total)
{
	uint8_t *h = area + SECT, *ents = area + 2 * SECT, g[16];
	uint64_t es = 0, ec = 0, iso_end = (uint64_t)mk->iso_blocks * 4;
	bool efi = !has_efi_part(mk) && efi_extent(mk, &es, &ec);
	unsigned n = 0, i;
	char label[32];

	oi_iso_guid(mk, "gpt-part-1", g);
	gpt_entry(ents, guid_basic, g, 64, (efi ? es : iso_end) - 1,
	    "ISO9660");
	n++;
	if (efi) {
		oi_iso_guid(mk, "gpt-part-esp", g);
		gpt_entry(ents + GPT_ENTRY_SIZE * n++, guid_esp, g, es,
		    es + ec - 1, "EFI System");
	}
	for (i = 0; i < mk->nparts; i++) {
		const struct oi_iso_part *p = &mk->parts[i];
		uint64_t first = (uint64_t)p->lba * 4;
		snprintf(label, sizeof(label), "gpt-part-app-%u", i);
		oi_iso_guid(mk, label, g);
		gpt_entry(ents + GPT_ENTRY_SIZE * n++, p->type == 0xEF ?
		    guid_esp : p->type == 0x83 ? guid_linux : guid_basic, g,
		    first, first + (p->size + SECT - 1) / SECT - 1,
		    p->type == 0xEF ? "EFI System" : "Appended");
	}
	memcpy(h, "EFI PART", 8);
	oi_le32enc(h + 8, 0x00010000);
	oi_le32enc(h + 12, 92);
	le64enc(h + 24, 1);
	le64enc(h + 32, total - 1);
	le64enc(h + 40, 64);			/* first usable */
	le64enc(h + 48, total - 34);		/* last usable */
	oi_iso_guid(mk, "gpt-disk", h + 56);
	le64enc(h + 72, 2);
	oi_le32enc(h + 80, GPT_ENTRIES);
	oi_le32enc(h + 84, GPT_ENTRY_SIZE);
	oi_le32enc(h + 88, (uint32_t)crc32(0, ents,
	    GPT_ENTRIES * GPT_ENTRY_SIZE));
	oi_le32enc(h + 16, 0);
	oi_le32enc(h + 16, (uint32_t)crc32(0, h, 92));
}

int
oi_iso_system_area(struct optimg_mkiso *mk, uint8_t *area)
{
	uint64_t total = mk->image_bytes / SECT;
	uint8_t id[16];

	memset(area, 0, ISO_SYSTEM_AREA * ISO_BLOCK);
	if (!mk->hybrid)
		return OPTIMG_OK;
	memcpy(area, mk->mbr_code, mk->mbr_len);
	if (mk->o.mbr != NULL) {
		unsigned i;
		for (i = 0; i < mk->nboot; i++) {
			const struct oi_iso_node *n = mk->boot[i].node;
			if (mk->boot[i].platform == 0xEF)
				continue;
			if (n->link_owner != NULL)
				n = n->link_owner;
			le64enc(area + 432, (uint64_t)n->data_lba * 4 +
			    (mk->mbr_grub2 ? 4 : 0));
			break;
		}
	}
	oi_iso_guid(mk, "mbr-id", id);
	memcpy(area + 440, id, 4);
	put_mbr_parts(mk, area, total);
	area[510] = 0x55;
	area[511] = 0xAA;
	if (mk->o.gpt)
		put_gpt(mk, area, total);
	return OPTIMG_OK;
}

void
oi_iso_gpt_backup(struct optimg_mkiso *mk, const uint8_t *area,
    uint8_t tail[33 * 512])
{
	uint64_t total = mk->image_bytes / SECT;
	uint8_t *h = tail + 32 * SECT;

	memcpy(tail, area + 2 * SECT, 32 * SECT);
	memset(h, 0, SECT);
	memcpy(h, area + SECT, 92);
	le64enc(h + 24, total - 1);
	le64enc(h + 32, 1);
	le64enc(h + 72, total - 33);
	oi_le32enc(h + 16, 0);
	oi_le32enc(h + 16, (uint32_t)crc32(0, h, 92));
}
