/*
 * mklive_recipe.c - optimg_boot_recipe(): what rebuilds an image's boot
 * setup, as data (what xorriso's -report_el_torito as_mkisofs reports, in
 * optimg's terms); src/ words it as a script.
 *
 * From the El Torito catalog: per entry its platform, emulation, load
 * size, boot info table and GRUB patch, and the file that starts at the
 * entry's LBA; an image that no file holds is to be cut out of the image
 * and grafted in as a hidden file.  The catalog's own path, when it is a
 * visible file.  From the system area: the MBR boot code (the first 432
 * bytes, or 512 for GRUB's boot_hybrid.img, recognised by the BIOS image
 * LBA + 4 it points at), GPT, and partitions after the ISO volume, cut
 * out to be appended again.  The volume id comes along.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mklive.h"

struct recipe {
	struct optimg_fs	*fs;
	struct optimg_boot_recipe *out;
	const struct optimg_boot_catalog *cat;
	const struct optimg_sysarea *sa;
	uint32_t		 iso_blocks;
	/* file names at the catalog's LBAs (entries, then the catalog) */
	char			**at;
	unsigned		 nat;
};

static int
find_fn(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct recipe *r = ctx;
	unsigned i;

	if (visit != OPTIMG_FS_ENTER || st->type != OPTIMG_FS_REG ||
	    st->lba == 0)
		return OPTIMG_OK;
	for (i = 0; i < r->nat; i++) {
		uint32_t lba = i < r->cat->nentries ? r->cat->entries[i].lba :
		    r->cat->lba;
		if (lba == st->lba && r->at[i] == NULL &&
		    (r->at[i] = strdup(path[0] == '/' ? path + 1 : path)) ==
		    NULL)
			return OPTIMG_ENOMEM;
	}
	return OPTIMG_OK;
}

/* Sectors (512) of an entry that no file holds. */
static uint64_t
loose_sectors(const struct recipe *r, const struct optimg_boot_entry *e)
{
	uint64_t s = (uint64_t)e->lba * 4;
	unsigned i;

	for (i = 0; r->sa != NULL && i < r->sa->nmbr_parts; i++) {
		const struct optimg_mbr_part *p = &r->sa->mbr_parts[i];
		if (p->type != 0xEE && s >= p->start &&
		    s < (uint64_t)p->start + p->sectors)
			return p->start + p->sectors - s;
	}
	for (i = 0; r->sa != NULL && i < r->sa->ngpt_parts; i++) {
		const struct optimg_gpt_part *p = &r->sa->gpt_parts[i];
		if (s >= p->first && s <= p->last && p->first > 0)
			return p->last + 1 - s;
	}
	return (e->image_bytes + 511) / 512;
}

/* Reads 512 bytes at byte offset off of the image; false if it cannot. */
static bool
read512(struct recipe *r, uint64_t off, uint8_t b[512])
{
	struct optimg_fs_extent x = { (uint32_t)(off / 2048), 0, 2048, 0 };
	struct optimg_fs_stat st;
	uint8_t blk[2048];
	size_t got = 0;

	memset(&st, 0, sizeof(st));
	st.type = OPTIMG_FS_REG;
	st.size = 2048;
	st.extents = &x;
	st.nextents = 1;
	if (optimg_fs_read(r->fs, &st, 0, blk, sizeof(blk), &got) < 0 ||
	    got < 2048)
		return false;
	memcpy(b, blk + off % 2048 / 512 * 512, 512);
	return true;
}

/* GRUB's eltorito.img patched for boot_hybrid.img (byte 2548). */
static bool
grub2_patched(struct recipe *r, uint32_t lba)
{
	uint8_t b[512];

	return read512(r, (uint64_t)lba * 2048 + 2048, b) &&
	    oi_le32dec(b + 500) == lba * 4u + 5 && oi_le32dec(b + 504) == 0;
}

/* The MBR boot code: 432 bytes (isohdpfx) or 512 (boot_hybrid.img). */
static unsigned
mbr_len(struct recipe *r)
{
	uint8_t b[512];
	unsigned i;

	if (!read512(r, 0, b))
		return 432;
	for (i = 0; r->cat != NULL && i < r->cat->nentries; i++)
		if (r->cat->entries[i].platform != 0xEF)
			return oi_le32dec(b + 432) ==
			    r->cat->entries[i].lba * 4u + 4 ? 512 : 432;
	return 432;
}

static struct optimg_recipe_cut *
add_cut(struct recipe *r, enum optimg_recipe_cut_kind kind, const char *name,
    uint64_t sector, uint64_t sectors)
{
	struct optimg_boot_recipe *o = r->out;
	struct optimg_recipe_cut *c;
	void *p = oi_reallocarray(o->cuts, o->ncuts + 1, sizeof(*o->cuts));

	if (p == NULL)
		return NULL;
	o->cuts = p;
	c = memset(&o->cuts[o->ncuts++], 0, sizeof(*c));
	c->kind = kind;
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->offset = sector * 512;
	c->length = sectors * 512;
	return c;
}

static int
add_part(struct recipe *r, unsigned index, uint64_t first, uint64_t sectors,
    const char *type)
{
	struct optimg_boot_recipe *o = r->out;
	struct optimg_recipe_part *pt;
	char name[32];
	void *p = oi_reallocarray(o->parts, o->nparts + 1, sizeof(*o->parts));

	if (p == NULL)
		return OPTIMG_ENOMEM;
	o->parts = p;
	snprintf(name, sizeof(name), "part%u.img", index);
	if (add_cut(r, OPTIMG_CUT_PARTITION, name, first, sectors) == NULL)
		return OPTIMG_ENOMEM;
	pt = &o->parts[o->nparts++];
	pt->index = index;
	snprintf(pt->type, sizeof(pt->type), "%s", type);
	pt->cut = (int)o->ncuts - 1;
	return OPTIMG_OK;
}

static int
system_area(struct recipe *r)
{
	const struct optimg_sysarea *sa = r->sa;
	uint64_t end = (uint64_t)r->iso_blocks * 4;
	char type[8];
	unsigned i;

	if (sa == NULL)
		return OPTIMG_OK;
	if (sa->mbr_boot_code) {
		unsigned len = mbr_len(r);
		struct optimg_recipe_cut *c = add_cut(r, OPTIMG_CUT_MBR,
		    "mbr.bin", 0, len / 512);
		if (c == NULL)
			return OPTIMG_ENOMEM;
		c->length = len;
		c->isohybrid = sa->isohybrid;
		c->grub_hybrid = len == 512;
		r->out->mbr_cut = (int)r->out->ncuts - 1;
	}
	for (i = 0; sa->gpt && i < sa->ngpt_parts; i++) {
		const struct optimg_gpt_part *p = &sa->gpt_parts[i];
		if (p->first < end || p->index > 4)
			continue;
		OI_TRY(add_part(r, p->index, p->first, p->last - p->first + 1,
		    strcasecmp(p->type_guid, "c12a7328-f81f-11d2-ba4b-"
		    "00a0c93ec93b") == 0 ? "ef" : "83"));
	}
	for (i = 0; !sa->gpt && i < sa->nmbr_parts; i++) {
		const struct optimg_mbr_part *p = &sa->mbr_parts[i];
		if (p->type == 0 || p->type == 0xEE || p->start < end)
			continue;
		snprintf(type, sizeof(type), "%02x", p->type);
		OI_TRY(add_part(r, p->index, p->start, p->sectors, type));
	}
	r->out->gpt = sa->gpt && (r->cat != NULL || r->out->nparts > 0);
	return OPTIMG_OK;
}

static int
prepare(struct recipe *r, struct optimg_error *err)
{
	const struct optimg_fs_vd *vds;
	unsigned n, i;
	int rc;

	if (optimg_fs_volume_descriptors(r->fs, &vds, &n) < 0)
		return oi_set_error(err, OPTIMG_EFORMAT, "%s",
		    optimg_fs_errmsg(r->fs));
	for (i = 0; i < n; i++)
		if (vds[i].type == 1) {
			r->iso_blocks = vds[i].volume_blocks;
			memcpy(r->out->volume_id, vds[i].volume_id,
			    sizeof(r->out->volume_id));
			break;
		}
	rc = optimg_fs_boot_catalog(r->fs, &r->cat);
	if (rc < 0 && rc != OPTIMG_ENOENT)
		return oi_set_error(err, rc, "%s", optimg_fs_errmsg(r->fs));
	if (rc < 0)
		r->cat = NULL;
	if (optimg_fs_system_area(r->fs, &r->sa) < 0)
		r->sa = NULL;
	if (r->cat == NULL)
		return OPTIMG_OK;
	r->nat = r->cat->nentries + 1;
	if ((r->at = oi_calloc(r->nat, sizeof(*r->at))) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	rc = optimg_fs_walk(r->fs, "/", find_fn, r);
	if (rc < 0)
		return oi_set_error(err, rc, "%s", optimg_fs_errmsg(r->fs));
	return OPTIMG_OK;
}

/* The catalog's entries; an image no file holds is cut out, grafted. */
static int
boot_entries(struct recipe *r)
{
	struct optimg_boot_recipe *o = r->out;
	unsigned i;

	o->el_torito = true;
	if ((o->boot = oi_calloc(r->cat->nentries + 1, sizeof(*o->boot))) ==
	    NULL)
		return OPTIMG_ENOMEM;
	for (i = 0; i < r->cat->nentries; i++) {
		const struct optimg_boot_entry *e = &r->cat->entries[i];
		struct optimg_recipe_boot *b = &o->boot[o->nboot++];
		char name[32];

		b->cut = -1;
		b->platform = e->platform;
		b->emulation = e->emulation;
		b->load_size = e->emulation == 0 ? e->sector_count : 0;
		b->info_table = e->boot_info_table;
		b->grub2_boot_info = e->platform != 0xEF &&
		    e->emulation == 0 && grub2_patched(r, e->lba);
		if (r->at[i] != NULL) {
			b->path = r->at[i];
			r->at[i] = NULL;
			continue;
		}
		snprintf(name, sizeof(name), "boot%u.img", i + 1);
		if (add_cut(r, OPTIMG_CUT_BOOT_IMAGE, name,
		    (uint64_t)e->lba * 4, loose_sectors(r, e)) == NULL)
			return OPTIMG_ENOMEM;
		b->cut = (int)o->ncuts - 1;
		snprintf(name, sizeof(name), "boot/boot%u.img", i + 1);
		if ((b->path = strdup(name)) == NULL)
			return OPTIMG_ENOMEM;
	}
	o->catalog_path = r->at[r->nat - 1];
	r->at[r->nat - 1] = NULL;
	return OPTIMG_OK;
}

void
optimg_boot_recipe_free(struct optimg_boot_recipe *o)
{
	unsigned i;

	if (o == NULL)
		return;
	for (i = 0; i < o->nboot; i++)
		free(o->boot[i].path);
	free(o->boot);
	free(o->cuts);
	free(o->parts);
	free(o->catalog_path);
	free(o);
}

int
optimg_boot_recipe(struct optimg_fs *fs, struct optimg_boot_recipe **out,
    struct optimg_error *err)
{
	struct recipe r;
	unsigned i;
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.fs = fs;
	if ((r.out = oi_calloc(1, sizeof(*r.out))) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	r.out->mbr_cut = -1;
	rc = prepare(&r, err);
	if (rc == 0 && r.cat != NULL)
		rc = boot_entries(&r);
	if (rc == 0)
		rc = system_area(&r);
	if (rc == OPTIMG_ENOMEM)
		rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	for (i = 0; i < r.nat; i++)
		free(r.at[i]);
	free(r.at);
	if (rc < 0) {
		optimg_boot_recipe_free(r.out);
		return rc;
	}
	*out = r.out;
	return OPTIMG_OK;
}
