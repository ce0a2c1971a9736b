/*
 * iso_write_layout.c - the second phase of the ISO writer: give every
 * structure its logical block address (LBA, 2048-byte blocks).
 *
 * The image, in order (ECMA-119 6.2, 6.7, 6.8, 6.9):
 *   0..15        system area (MBR, GPT when hybrid)
 *   16           primary volume descriptor
 *   17           El Torito boot record (when booting)
 *   next         Joliet supplementary volume descriptor (when Joliet)
 *   next         volume descriptor set terminator
 *   path tables  L and M for ISO, then L and M for Joliet
 *   directories  ISO tree in path table order, each followed by its
 *                Rock Ridge continuation area; then the Joliet tree
 *   catalog      the El Torito boot catalog
 *   file data    heaviest --sort weight first, then tree order; a file
 *                above 4 GiB - 2048 spans several extents (9.5, multi-
 *                extent), each ISO_MAX_EXTENT long but the last
 *   padding      to 1 MiB when hybrid; appended partitions; backup GPT
 * Sizes never depend on addresses, so one sizing pass suffices.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iso_write.h"

static uint32_t
blocks(uint64_t bytes)
{
	return (uint32_t)((bytes + ISO_BLOCK - 1) / ISO_BLOCK);
}

uint32_t
oi_iso_nextents(uint64_t size)
{
	if (size <= ISO_MAX_EXTENT)
		return 1;
	return (uint32_t)((size + ISO_MAX_EXTENT - 1) / ISO_MAX_EXTENT);
}

/* Path table order (6.9.1): by level, then parent number, then name. */
static int
order_dirs(struct optimg_mkiso *mk, int ns)
{
	struct oi_iso_node **q;
	size_t head = 0, tail = 0, i;

	q = oi_calloc(mk->nall + 2, sizeof(*q));
	if (q == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	q[tail++] = mk->root;
	while (head < tail) {
		struct oi_iso_node *d = q[head++];
		for (i = 0; i < d->dir->nnskids[ns]; i++) {
			struct oi_iso_node *k = d->dir->nskids[ns][i];
			if (k->kind != ISO_DIR)
				continue;
			if (ns == NS_ISO && k->relocated && !d->is_rr_moved)
				continue;	/* listed under RR_MOVED */
			q[tail++] = k;
		}
	}
	for (i = 0; i < tail; i++) {
		if (i + 1 > 0xFFFF)
			return oi_set_error(&mk->err, OPTIMG_EUNSUPP,
			    "more than 65535 directories");
		q[i]->dir->ptnum[ns] = (uint16_t)(i + 1);
	}
	mk->dirs[ns] = q;
	mk->ndirs[ns] = tail;
	return OPTIMG_OK;
}

static uint32_t
path_table_size(const struct optimg_mkiso *mk, int ns)
{
	uint32_t size = 0;
	size_t i;

	for (i = 0; i < mk->ndirs[ns]; i++) {
		const struct oi_iso_node *d = mk->dirs[ns][i];
		unsigned l = d == mk->root ? 1 : ns == NS_ISO && d->relocated ?
		    d->dir->reloc_idlen : d->idlen[ns];
		size += 8 + l + (l & 1);
	}
	return size;
}

static int
data_cmp(const void *a, const void *b)
{
	const struct oi_iso_node *x = *(struct oi_iso_node *const *)a;
	const struct oi_iso_node *y = *(struct oi_iso_node *const *)b;

	/* EFI images last, so an MBR partition before them covers the rest. */
	if (x->efi_image != y->efi_image)
		return x->efi_image ? 1 : -1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return x->serial < y->serial ? -1 : x->serial > y->serial;
}

static bool
visible(const struct optimg_mkiso *mk, const struct oi_iso_node *n)
{
	return !n->hide[NS_ISO] || (mk->joliet && !n->hide[NS_JOLIET]) ||
	    n->boot_image;
}

static int
order_files(struct optimg_mkiso *mk)
{
	size_t i, n = 0;

	mk->files = oi_calloc(mk->nall + 1, sizeof(*mk->files));
	if (mk->files == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	/* A hard link whose first name is hidden still owns the data. */
	for (i = 0; i < mk->nall; i++) {
		struct oi_iso_node *f = mk->all[i];
		if (f->kind == ISO_FILE && visible(mk, f))
			(f->link_owner != NULL ? f->link_owner : f)->needed =
			    true;
	}
	for (i = 0; i < mk->nall; i++) {
		struct oi_iso_node *f = mk->all[i];
		if (f->kind == ISO_FILE && f->link_owner == NULL && f->needed)
			mk->files[n++] = f;
	}
	qsort(mk->files, n, sizeof(*mk->files), data_cmp);
	mk->nfiles = n;
	return OPTIMG_OK;
}

/* Relocated directories above n on its real path, n included. */
static unsigned
reloc_group(const struct oi_iso_node *n)
{
	unsigned g = 0;

	for (; n != NULL; n = n->parent)
		g += n->relocated;
	return g;
}

/*
 * Order of directory extents: path table order, except that relocated
 * subtrees come after the directory holding their CL placeholder.
 * libarchive reads strictly forward and needs every directory after its
 * parent and every CL target after the placeholder.
 */
static int
extent_order(struct optimg_mkiso *mk, int ns)
{
	size_t i, k = 0;
	unsigned g, maxg = 0;

	mk->dorder[ns] = oi_calloc(mk->ndirs[ns] + 1, sizeof(*mk->dorder[ns]));
	if (mk->dorder[ns] == NULL)
		return oi_set_error(&mk->err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < mk->ndirs[ns]; i++)
		if (ns == NS_ISO)
			maxg = OI_MAX(maxg, reloc_group(mk->dirs[ns][i]));
	for (g = 0; g <= maxg; g++)
		for (i = 0; i < mk->ndirs[ns]; i++)
			if (ns != NS_ISO || reloc_group(mk->dirs[ns][i]) == g)
				mk->dorder[ns][k++] = mk->dirs[ns][i];
	return OPTIMG_OK;
}

static int
size_dirs(struct optimg_mkiso *mk, int ns, uint32_t *lba)
{
	struct oi_buf dir = { 0 }, ce = { 0 };
	size_t i;
	int rc = OPTIMG_OK;

	OI_TRY(extent_order(mk, ns));
	for (i = 0; i < mk->ndirs[ns] && rc == OPTIMG_OK; i++) {
		struct oi_iso_node *d = mk->dorder[ns][i];
		dir.len = ce.len = 0;
		rc = oi_iso_dir_build(mk, d, ns, &dir, &ce);
		d->dir->dir_lba[ns] = *lba;
		d->dir->dir_size[ns] = (uint32_t)dir.len;
		*lba += blocks(dir.len);
		if (ns == NS_ISO) {
			d->ce_lba = *lba;
			d->ce_size = (uint32_t)ce.len;
			*lba += blocks(ce.len);
		}
	}
	oi_buf_release(&dir);
	oi_buf_release(&ce);
	return rc;
}

static int
place_files(struct optimg_mkiso *mk, uint64_t *lba)
{
	size_t i;

	mk->data_bytes = 0;
	for (i = 0; i < mk->nfiles; i++) {
		struct oi_iso_node *f = mk->files[i];
		if (*lba > UINT32_MAX)
			return oi_set_error(&mk->err, OPTIMG_ERANGE,
			    "the image would exceed 8 TiB");
		f->data_lba = (uint32_t)*lba;
		*lba += blocks(f->size);
		mk->data_bytes += f->size;
		if (f->size > ISO_MAX_EXTENT)
			mk->iso_level = 3;
	}
	for (i = 0; i < mk->nall; i++) {
		struct oi_iso_node *n = mk->all[i];
		if (n->link_owner != NULL)
			n->data_lba = n->link_owner->data_lba;
		else if (n->kind == ISO_CATALOG)
			n->data_lba = mk->catalog_lba;
	}
	return OPTIMG_OK;
}

#define MIB (1024u * 1024u)

static void
place_tail(struct optimg_mkiso *mk, uint64_t lba)
{
	uint64_t end;
	unsigned i;

	mk->iso_blocks = (uint32_t)lba;
	for (i = 0; i < mk->nparts; i++) {
		mk->parts[i].lba = (uint32_t)lba;
		lba += blocks(mk->parts[i].size);
	}
	end = lba * ISO_BLOCK;
	if (mk->o.gpt)
		end += 33 * 512;
	if (mk->hybrid)
		end = (end + MIB - 1) / MIB * MIB;
	mk->image_bytes = end;
}

int
oi_iso_layout(struct optimg_mkiso *mk)
{
	uint32_t lba = ISO_SYSTEM_AREA;
	uint64_t lba64;
	int ns;

	mk->iso_level = 2;
	for (ns = 0; ns < NS_COUNT; ns++)
		if (ns == NS_ISO || mk->joliet)
			OI_TRY(order_dirs(mk, ns));
	lba++;				/* PVD */
	if (mk->nboot > 0)
		lba++;			/* boot record */
	if (mk->joliet)
		lba++;			/* SVD */
	lba++;				/* terminator */
	for (ns = 0; ns < NS_COUNT; ns++) {
		if (ns == NS_JOLIET && !mk->joliet)
			continue;
		mk->pt_size[ns] = path_table_size(mk, ns);
		mk->pt_lba[ns][0] = lba;
		lba += blocks(mk->pt_size[ns]);
		mk->pt_lba[ns][1] = lba;
		lba += blocks(mk->pt_size[ns]);
	}
	for (ns = 0; ns < NS_COUNT; ns++)
		if (ns == NS_ISO || mk->joliet)
			OI_TRY(size_dirs(mk, ns, &lba));
	if (mk->nboot > 0)
		mk->catalog_lba = lba++;
	OI_TRY(order_files(mk));
	lba64 = lba;
	OI_TRY(place_files(mk, &lba64));
	place_tail(mk, lba64);
	return OPTIMG_OK;
}
