/*
 * mklive_recipe.c - optimg_boot_recipe(): the options that rebuild an
 * image's boot setup, as a shell script (what xorriso's
 * -report_el_torito as_mkisofs does, in optimg's own terms).
 *
 * From the El Torito catalog: one -b (BIOS, with --boot-load-size,
 * --boot-info-table, --floppy-boot or --hard-disk-boot) or --efi-boot
 * per entry, naming the file that starts at the entry's LBA; an image
 * that no file holds is cut out of the image with dd and grafted in as a
 * hidden file.  The catalog's own path, when it is a visible file.  From
 * the system area: the MBR boot code (cut out with dd: the first 432
 * bytes, or 512 for GRUB's boot_hybrid.img, recognised by the BIOS image
 * LBA + 4 it points at), --gpt, and partitions after the ISO volume,
 * cut out and given back with --append-partition.  The volume id comes
 * along.  The script ends with the mkiso line, and notes the mklive
 * --from-iso line that keeps all of it while changing the content.
 */
#include "config.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mklive.h"

struct recipe {
	struct optimg_fs	*fs;
	const char		*image;
	char			*p;
	size_t			 len, cap;
	bool			 oom;
	const struct optimg_boot_catalog *cat;
	const struct optimg_sysarea *sa;
	uint32_t		 iso_blocks;
	char			 volid[33];
	/* file names at the catalog's LBAs (entries, then the catalog) */
	char			**at;
	unsigned		 nat;
};

static void
put(struct recipe *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct recipe *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(r->p + r->len, r->cap - r->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->oom = true;
		return;
	}
	if (r->len + (size_t)n >= r->cap) {
		size_t cap = (r->cap + (size_t)n) * 2;
		char *p = realloc(r->p, cap);
		if (p == NULL) {
			r->oom = true;
			return;
		}
		r->p = p;
		r->cap = cap;
		va_start(ap, fmt);
		vsnprintf(r->p + r->len, r->cap - r->len, fmt, ap);
		va_end(ap);
	}
	r->len += (size_t)n;
}

/* A shell word: single-quoted unless it is plainly safe. */
static void
put_word(struct recipe *r, const char *s)
{
	const char *c;

	if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@+,") == strlen(s)) {
		put(r, "%s", s);
		return;
	}
	put(r, "'");
	for (c = s; *c != '\0'; c++) {
		if (*c == '\'')
			put(r, "'\\''");
		else
			put(r, "%c", *c);
	}
	put(r, "'");
}

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

static void
dd_line(struct recipe *r, const char *out, uint64_t skip, uint64_t count,
    const char *why)
{
	put(r, "dd if=");
	put_word(r, r->image);
	put(r, " of=%s bs=512 skip=%llu count=%llu status=none   # %s\n", out,
	    (unsigned long long)skip, (unsigned long long)count, why);
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

static void
boot_lines(struct recipe *r, char *const *grafts)
{
	unsigned i;

	for (i = 0; r->cat != NULL && i < r->cat->nentries; i++) {
		const struct optimg_boot_entry *e = &r->cat->entries[i];
		const char *path = r->at[i] != NULL ? r->at[i] : grafts[i];

		if (e->platform == 0xEF) {
			put(r, " \\\n    --efi-boot ");
			put_word(r, path);
			continue;
		}
		if (e->platform != 0)
			put(r, " \\\n    # entry %u is for platform 0x%02x, "
			    "which mkiso writes as x86:", i + 1, e->platform);
		put(r, " \\\n    -b ");
		put_word(r, path);
		if (e->emulation == 4)
			put(r, " --hard-disk-boot");
		else if (e->emulation != 0)
			put(r, " --floppy-boot");
		else if (e->sector_count != 0)
			put(r, " --boot-load-size %u", e->sector_count);
		if (e->boot_info_table)
			put(r, " --boot-info-table");
		if (e->emulation == 0 && grub2_patched(r, e->lba))
			put(r, " --grub2-boot-info");
	}
	if (r->cat != NULL && r->at[r->nat - 1] != NULL) {
		/* the extracted copy of the old catalog makes way */
		put(r, " \\\n    --boot-catalog ");
		put_word(r, r->at[r->nat - 1]);
		put(r, " --exclude \"$SOURCE\"/");
		put_word(r, r->at[r->nat - 1]);
	}
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

static void
system_area(struct recipe *r, struct oi_strv *parts)
{
	const struct optimg_sysarea *sa = r->sa;
	uint64_t end = (uint64_t)r->iso_blocks * 4;
	char name[32], spec[64];
	unsigned i;

	if (sa == NULL)
		return;
	if (sa->mbr_boot_code) {
		unsigned len = mbr_len(r);
		put(r, "dd if=");
		put_word(r, r->image);
		put(r, " of=mbr.bin bs=%u count=1 status=none   # MBR boot "
		    "code%s\n", len, sa->isohybrid ? " (isohybrid: isolinux's "
		    "isohdpfx.bin)" : len == 512 ? " (GRUB's boot_hybrid.img)" :
		    "");
	}
	for (i = 0; sa->gpt && i < sa->ngpt_parts; i++) {
		const struct optimg_gpt_part *p = &sa->gpt_parts[i];
		if (p->first < end || p->index > 4)
			continue;
		snprintf(name, sizeof(name), "part%u.img", p->index);
		dd_line(r, name, p->first, p->last - p->first + 1,
		    "a partition after the ISO volume");
		snprintf(spec, sizeof(spec), "%u:%s:%s", p->index,
		    strcasecmp(p->type_guid, "c12a7328-f81f-11d2-ba4b-"
		    "00a0c93ec93b") == 0 ? "ef" : "83", name);
		(void)oi_strv_push(parts, spec);
	}
	for (i = 0; !sa->gpt && i < sa->nmbr_parts; i++) {
		const struct optimg_mbr_part *p = &sa->mbr_parts[i];
		if (p->type == 0 || p->type == 0xEE || p->start < end)
			continue;
		snprintf(name, sizeof(name), "part%u.img", p->index);
		dd_line(r, name, p->start, p->sectors,
		    "a partition after the ISO volume");
		snprintf(spec, sizeof(spec), "%u:%02x:%s", p->index, p->type,
		    name);
		(void)oi_strv_push(parts, spec);
	}
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
			memcpy(r->volid, vds[i].volume_id, sizeof(r->volid));
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

static void
write_recipe(struct recipe *r, struct oi_strv *grafts, struct oi_strv *parts)
{
	unsigned i;

	put(r, "#!/bin/sh\n# The boot setup of ");
	put_word(r, r->image);
	put(r, " as optimg options.  SOURCE holds the image's files:\n"
	    "#   mkdir SOURCE && optimg extract -C SOURCE ");
	put_word(r, r->image);
	put(r, "\n# To keep all of it and change only the content:\n"
	    "#   optimg mklive --from-iso ");
	put_word(r, r->image);
	put(r, " [--add DIR] [--remove PATH] [--cmdline PARAMS] -o OUT.iso\n"
	    "set -e\nSOURCE=${SOURCE:-SOURCE}\nOUT=${OUT:-OUT.iso}\n");
	if (r->cat == NULL)
		put(r, "# no El Torito boot record: the image boots from no CD\n");
	for (i = 0; r->cat != NULL && i < r->cat->nentries; i++) {
		const struct optimg_boot_entry *e = &r->cat->entries[i];
		char name[32];
		if (r->at[i] != NULL) {
			(void)oi_strv_push(grafts, NULL);
			continue;
		}
		snprintf(name, sizeof(name), "boot%u.img", i + 1);
		dd_line(r, name, (uint64_t)e->lba * 4, loose_sectors(r, e),
		    "a boot image no file holds");
		snprintf(name, sizeof(name), "boot/boot%u.img", i + 1);
		(void)oi_strv_push(grafts, name);
	}
	system_area(r, parts);
	put(r, "optimg mkiso");
	if (r->volid[0] != '\0') {
		put(r, " -V ");
		put_word(r, r->volid);
	}
	put(r, " \"$SOURCE\"");
	for (i = 0; i < grafts->n; i++)
		if (grafts->v[i] != NULL)
			put(r, " boot%u.img=%s --hide boot%u.img", i + 1,
			    grafts->v[i], i + 1);
	if (r->cat != NULL)
		boot_lines(r, grafts->v);
	if (r->sa != NULL && r->sa->mbr_boot_code)
		put(r, " \\\n    --mbr mbr.bin");
	if (r->sa != NULL && r->sa->gpt && (r->cat != NULL || parts->n > 0))
		put(r, " --gpt");
	for (i = 0; i < parts->n; i++)
		put(r, " \\\n    --append-partition %s", parts->v[i]);
	put(r, " \\\n    -o \"$OUT\"\n");
}

int
optimg_boot_recipe(struct optimg_fs *fs, const char *image, char **out,
    struct optimg_error *err)
{
	struct recipe r;
	struct oi_strv grafts = { 0 }, parts = { 0 };
	unsigned i;
	int rc;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	r.fs = fs;
	r.image = image;
	if ((r.p = malloc(4096)) == NULL)
		return oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	r.cap = 4096;
	r.p[0] = '\0';
	rc = prepare(&r, err);
	if (rc == 0) {
		write_recipe(&r, &grafts, &parts);
		if (r.oom)
			rc = oi_set_error(err, OPTIMG_ENOMEM, "out of memory");
	}
	for (i = 0; i < r.nat; i++)
		free(r.at[i]);
	free(r.at);
	oi_strv_release(&grafts);
	oi_strv_release(&parts);
	if (rc < 0) {
		free(r.p);
		return rc;
	}
	*out = r.p;
	return OPTIMG_OK;
}
