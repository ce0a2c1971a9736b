/*
 * mklive_remaster.c - optimg_mklive() with from_iso: a new image with the
 * content of an existing one, changed, that boots the ways it did.
 *
 * What is read from the original (with the file-system reader):
 *   - the files, into the staging tree (less what remove names), with
 *     their modes, times and symbolic links;
 *   - the primary volume descriptor's ids;
 *   - the El Torito catalog: each entry becomes a mkiso boot entry for
 *     the file that starts at its LBA, with its platform, emulation, load
 *     size, boot info table and GRUB's own block address (2548).  An
 *     image no file holds (xorriso's
 *     --interval:appended_partition_2 EFI images, bare floppy images) is
 *     copied out into a hidden file, so the catalog can point at it;
 *   - the system area: the MBR boot code (bytes 0-431; all 512 when
 *     GRUB's boot_hybrid.img is recognised by its LBA + 4 at 432), GPT
 *     or not, and partitions that lie after the ISO 9660 volume, which
 *     are copied and appended again under their numbers and types.
 * The mkiso writer then lays it all out anew: file positions move, so
 * boot info tables and MBR pointers are written afresh.
 * --cmdline is added to each kernel line (ISOLINUX "append", GRUB
 * "linux") of the .cfg files in the image.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mklive.h"

#define SECT 512u

struct remaster {
	struct oi_live		*lv;
	struct optimg_image	*img;
	struct optimg_fs	*fs;
	const struct optimg_boot_catalog *cat;
	const struct optimg_sysarea *sa;
	uint32_t		 iso_blocks;
	/* files by first LBA, for the catalog */
	uint32_t		*lbas;
	char			**paths;
	unsigned		 nfiles, capfiles;
	char			*catalog_path;
	uint8_t			 buf[64 * 1024];
};

/* ---- copying the files out ---------------------------------------------- */

static bool
removed(struct remaster *r, const char *path)
{
	const struct optimg_mklive_opts *o = r->lv->o;
	unsigned i;

	for (i = 0; i < o->nremove; i++) {
		const char *rm = o->remove[i];
		size_t n;
		while (*rm == '/')
			rm++;
		n = strlen(rm);
		while (n > 0 && rm[n - 1] == '/')
			n--;
		if (n > 0 && strncmp(path + 1, rm, n) == 0 &&
		    (path[1 + n] == '\0' || path[1 + n] == '/'))
			return true;
	}
	return false;
}

static int
note_file(struct remaster *r, uint32_t lba, const char *path)
{
	if (r->nfiles == r->capfiles) {
		unsigned cap = r->capfiles ? r->capfiles * 2 : 256;
		uint32_t *l = oi_reallocarray(r->lbas, cap, sizeof(*l));
		char **p;
		if (l == NULL)
			return oi_set_error(r->lv->err, OPTIMG_ENOMEM,
			    "out of memory");
		r->lbas = l;
		if ((p = oi_reallocarray(r->paths, cap, sizeof(*p))) == NULL)
			return oi_set_error(r->lv->err, OPTIMG_ENOMEM,
			    "out of memory");
		r->paths = p;
		r->capfiles = cap;
	}
	if ((r->paths[r->nfiles] = strdup(path)) == NULL)
		return oi_set_error(r->lv->err, OPTIMG_ENOMEM, "out of memory");
	r->lbas[r->nfiles++] = lba;
	return OPTIMG_OK;
}

static const char *
file_at(const struct remaster *r, uint32_t lba)
{
	unsigned i;

	for (i = 0; lba != 0 && i < r->nfiles; i++)
		if (r->lbas[i] == lba)
			return r->paths[i];
	return NULL;
}

static int
copy_data(struct remaster *r, const struct optimg_fs_stat *st,
    const char *to)
{
	int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	uint64_t off = 0;
	int rc = OPTIMG_OK;

	if (fd < 0)
		return oi_set_errno(r->lv->err, OPTIMG_EIO, "cannot create "
		    "'%s'", to);
	while (off < st->size && rc == 0) {
		size_t got = 0;
		rc = optimg_fs_read(r->fs, st, off, r->buf, sizeof(r->buf),
		    &got);
		if (rc < 0) {
			oi_set_error(r->lv->err, rc, "%s",
			    optimg_fs_errmsg(r->fs));
			break;
		}
		if (got == 0)
			break;
		if (write(fd, r->buf, got) != (ssize_t)got)
			rc = oi_set_errno(r->lv->err, OPTIMG_EIO,
			    "cannot write '%s'", to);
		off += got;
	}
	if (close(fd) < 0 && rc == 0)
		rc = oi_set_errno(r->lv->err, OPTIMG_EIO, "cannot write '%s'",
		    to);
	return rc;
}

static void
set_times(const char *path, const struct optimg_fs_stat *st)
{
	struct timespec ts[2];

	ts[0].tv_sec = (time_t)st->atime.sec;
	ts[0].tv_nsec = st->atime.nsec;
	ts[1].tv_sec = (time_t)st->mtime.sec;
	ts[1].tv_nsec = st->mtime.nsec;
	if (st->atime.sec == 0)
		ts[0] = ts[1];
	(void)utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static int
walk_fn(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct remaster *r = ctx;
	char *to;
	int rc = OPTIMG_OK;

	if (path[0] == '\0' || strcmp(path, "/") == 0)
		return OPTIMG_OK;	/* the root */
	if (visit == OPTIMG_FS_ENTER && removed(r, path))
		return st->type == OPTIMG_FS_DIR ? OPTIMG_FS_SKIP : OPTIMG_OK;
	if ((to = oi_live_path(r->lv, r->lv->tree, path + 1)) == NULL)
		return OPTIMG_ENOMEM;
	if (visit == OPTIMG_FS_LEAVE) {
		(void)chmod(to, st->mode & 07777);
		set_times(to, st);
		free(to);
		return OPTIMG_OK;
	}
	switch (st->type) {
	case OPTIMG_FS_DIR:
		if (mkdir(to, 0755) < 0 && errno != EEXIST)
			rc = oi_set_errno(r->lv->err, OPTIMG_EIO,
			    "cannot make '%s'", to);
		break;
	case OPTIMG_FS_REG:
		if (r->cat != NULL && st->lba == r->cat->lba &&
		    r->catalog_path == NULL) {
			/* the writer makes the catalog anew at this path */
			r->catalog_path = strdup(path + 1);
			break;
		}
		rc = note_file(r, st->lba, path + 1);
		if (rc == 0)
			rc = copy_data(r, st, to);
		if (rc == 0) {
			(void)chmod(to, st->mode & 07777);
			set_times(to, st);
		}
		break;
	case OPTIMG_FS_SYMLINK:
		if (symlink(st->symlink != NULL ? st->symlink : "", to) < 0)
			rc = oi_set_errno(r->lv->err, OPTIMG_EIO,
			    "cannot make symbolic link '%s'", to);
		else
			set_times(to, st);
		break;
	default:
		oi_live_warn(r->lv, "'%s' is a %s; left out", path,
		    optimg_fs_type_name(st->type));
		break;
	}
	free(to);
	return rc;
}

/* ---- bytes outside files: boot images, appended partitions ------------- */

/* Copies len bytes from byte offset off of the original into host path. */
static int
copy_range(struct remaster *r, uint64_t off, uint64_t len, const char *to)
{
	struct optimg_fs_extent x;
	struct optimg_fs_stat st;
	uint64_t head = off % 2048;

	memset(&x, 0, sizeof(x));
	x.lba = (uint32_t)(off / 2048);
	x.length = head + len;
	memset(&st, 0, sizeof(st));
	st.name = "range";
	st.type = OPTIMG_FS_REG;
	st.size = head + len;
	st.extents = &x;
	st.nextents = 1;
	if (head == 0)
		return copy_data(r, &st, to);
	/* not block-aligned: copy, then drop the head */
	OI_TRY(copy_data(r, &st, to));
	{
		char *data;
		size_t n;
		int rc;
		OI_TRY(oi_read_small_file(to, 256u << 20, &data, &n,
		    r->lv->err));
		rc = oi_live_write_file(r->lv, to, data + head, n - head);
		free(data);
		return rc;
	}
}

/* Bytes a FAT image says it has (BPB total sectors), 0 if not FAT. */
static uint64_t
fat_bytes(struct remaster *r, uint32_t lba)
{
	uint8_t *b = r->buf;
	uint32_t total;

	if (optimg_image_read(r->img, (int32_t)lba, 1, 2048, b) < 0)
		return 0;
	if (b[510] != 0x55 || b[511] != 0xAA || oi_le16dec(b + 11) == 0)
		return 0;
	total = oi_le16dec(b + 19);
	if (total == 0)
		total = oi_le32dec(b + 32);
	return (uint64_t)total * oi_le16dec(b + 11);
}

/* The appended partition holding 512-byte sector s, or NULL. */
static const struct optimg_mbr_part *
mbr_part_at(const struct remaster *r, uint64_t s)
{
	unsigned i;

	for (i = 0; i < r->sa->nmbr_parts; i++) {
		const struct optimg_mbr_part *p = &r->sa->mbr_parts[i];
		if (p->type != 0xEE && s >= p->start &&
		    s < (uint64_t)p->start + p->sectors)
			return p;
	}
	return NULL;
}

static int
push_part(struct remaster *r, unsigned number, uint8_t type, uint64_t first,
    uint64_t count)
{
	struct oi_live *lv = r->lv;
	char rel[32], *path;
	int rc;

	if (lv->nparts >= OI_ARRAY_SIZE(lv->parts) || number < 1 ||
	    number > 4) {
		oi_live_warn(lv, "partition %u after the ISO volume is not "
		    "kept (only 1 to 4 can be appended)", number);
		return OPTIMG_OK;
	}
	snprintf(rel, sizeof(rel), "part%u.img", number);
	if ((path = oi_live_path(lv, lv->work, rel)) == NULL)
		return OPTIMG_ENOMEM;
	rc = copy_range(r, first * SECT, count * SECT, path);
	if (rc == 0 && oi_strv_push(&lv->part_paths, path) < 0)
		rc = oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	free(path);
	OI_TRY(rc);
	lv->parts[lv->nparts].number = number;
	lv->parts[lv->nparts].type = type;
	lv->parts[lv->nparts].path = lv->part_paths.v[lv->part_paths.n - 1];
	lv->nparts++;
	return OPTIMG_OK;
}

static bool
guid_is_esp(const char *g)
{
	return strcasecmp(g, "c12a7328-f81f-11d2-ba4b-00a0c93ec93b") == 0;
}

/* Partitions that start at or after the end of the ISO volume. */
static int
appended_parts(struct remaster *r)
{
	const struct optimg_sysarea *sa = r->sa;
	uint64_t end = (uint64_t)r->iso_blocks * 4;
	unsigned i;

	if (sa->gpt) {
		for (i = 0; i < sa->ngpt_parts; i++) {
			const struct optimg_gpt_part *p = &sa->gpt_parts[i];
			if (p->first < end || p->last < p->first)
				continue;
			OI_TRY(push_part(r, p->index, guid_is_esp(p->type_guid) ?
			    0xEF : 0x83, p->first, p->last - p->first + 1));
		}
		return OPTIMG_OK;
	}
	for (i = 0; i < sa->nmbr_parts; i++) {
		const struct optimg_mbr_part *p = &sa->mbr_parts[i];
		if (p->type == 0 || p->type == 0xEE || p->start < end)
			continue;
		OI_TRY(push_part(r, p->index, p->type, p->start, p->sectors));
	}
	return OPTIMG_OK;
}

/* A boot image no file holds: copied into a hidden file in the image. */
static int
hidden_boot_file(struct remaster *r, const struct optimg_boot_entry *e,
    unsigned n, char **rel)
{
	struct oi_live *lv = r->lv;
	const struct optimg_mbr_part *p = mbr_part_at(r, (uint64_t)e->lba * 4);
	uint64_t bytes = e->image_bytes;
	char name[64], *path;
	int rc;

	if (p != NULL && e->platform == 0xEF)
		bytes = (uint64_t)p->sectors * SECT - ((uint64_t)e->lba * 4 -
		    p->start) * SECT;
	else if (e->platform == 0xEF && fat_bytes(r, e->lba) > bytes)
		bytes = fat_bytes(r, e->lba);
	if (bytes == 0)
		return oi_set_error(lv->err, OPTIMG_EFORMAT, "boot image %u "
		    "at LBA %lu has no size", n + 1, (unsigned long)e->lba);
	snprintf(name, sizeof(name), "boot/optimg-boot%u.img", n + 1);
	if ((path = oi_live_path(lv, lv->tree, name)) == NULL)
		return OPTIMG_ENOMEM;
	rc = oi_live_mkdirs(lv, path);
	if (rc == 0)
		rc = copy_range(r, (uint64_t)e->lba * 2048, bytes, path);
	free(path);
	OI_TRY(rc);
	if (oi_strv_push(&lv->hide, "optimg-boot*.img") < 0 ||
	    (*rel = strdup(name)) == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

/*
 * GRUB's eltorito.img started from a disk by boot_hybrid.img finds the
 * rest of itself through the 512-byte LBA + 5 at byte 2548 (xorriso's
 * --grub2-boot-info): when the original has it, so must the remaster.
 */
static bool
grub2_patched(struct remaster *r, uint32_t lba)
{
	uint8_t *b = r->buf;

	if (optimg_image_read(r->img, (int32_t)lba + 1, 1, 2048, b) < 0)
		return false;
	return oi_le32dec(b + 500) == lba * 4u + 5 && oi_le32dec(b + 504) == 0;
}

static int
boot_entries(struct remaster *r)
{
	struct oi_live *lv = r->lv;
	unsigned i;

	for (i = 0; r->cat != NULL && i < r->cat->nentries; i++) {
		const struct optimg_boot_entry *e = &r->cat->entries[i];
		struct optimg_mkiso_boot *b = &lv->boot[lv->nboot];
		const char *path = file_at(r, e->lba);
		char *rel = NULL;

		if (lv->nboot >= OI_ARRAY_SIZE(lv->boot)) {
			oi_live_warn(lv, "boot entries after the %u-th are "
			    "left out", lv->nboot);
			break;
		}
		if (path == NULL)
			OI_TRY(hidden_boot_file(r, e, i, &rel));
		else if ((rel = strdup(path)) == NULL)
			return oi_set_error(lv->err, OPTIMG_ENOMEM,
			    "out of memory");
		if (oi_strv_push(&lv->part_paths, rel) < 0) {
			free(rel);
			return oi_set_error(lv->err, OPTIMG_ENOMEM,
			    "out of memory");
		}
		free(rel);
		memset(b, 0, sizeof(*b));
		b->path = lv->part_paths.v[lv->part_paths.n - 1];
		b->platform = (uint8_t)e->platform;
		b->emul = e->emulation == 0 ? OPTIMG_BOOT_NOEMUL :
		    e->emulation == 4 ? OPTIMG_BOOT_HDD : OPTIMG_BOOT_FLOPPY;
		if (e->emulation == 0 && e->platform != 0xEF)
			b->load_size = e->sector_count;
		b->info_table = e->boot_info_table;
		b->grub2_boot_info = e->emulation == 0 &&
		    e->platform != 0xEF && grub2_patched(r, e->lba);
		lv->nboot++;
	}
	return OPTIMG_OK;
}

/* MBR boot code, as isohdpfx.bin (432 bytes) or boot_hybrid.img (512). */
static int
mbr_code(struct remaster *r)
{
	struct oi_live *lv = r->lv;
	uint8_t *b = r->buf;
	uint64_t at432, bios = 0;
	unsigned i;
	size_t len = 432;

	if (!r->sa->mbr_boot_code)
		return OPTIMG_OK;
	if (optimg_image_read(r->img, 0, 1, 2048, b) < 0)
		return oi_set_error(lv->err, OPTIMG_EIO, "%s",
		    optimg_image_errmsg(r->img));
	at432 = oi_le32dec(b + 432) | (uint64_t)oi_le32dec(b + 436) << 32;
	for (i = 0; r->cat != NULL && i < r->cat->nentries; i++)
		if (r->cat->entries[i].platform != 0xEF) {
			bios = (uint64_t)r->cat->entries[i].lba * 4;
			break;
		}
	if (bios != 0 && at432 == bios + 4)
		len = 512;	/* GRUB's boot_hybrid.img: the writer adds 4 */
	if ((lv->mbr = oi_live_path(lv, lv->work, "mbr.bin")) == NULL)
		return OPTIMG_ENOMEM;
	return oi_live_write_file(lv, lv->mbr, b, len);
}

/* ---- --cmdline: kernel lines of the menus ------------------------------- */

static bool
kernel_line(const char *line, size_t len)
{
	static const char *const words[] = { "append", "linux", "linuxefi",
	    "linux16", NULL };
	unsigned i;

	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	for (i = 0; words[i] != NULL; i++) {
		size_t n = strlen(words[i]);
		if (len > n && strncasecmp(line, words[i], n) == 0 &&
		    (line[n] == ' ' || line[n] == '\t'))
			return true;
	}
	return false;
}

static int
edit_cfg(struct oi_live *lv, const char *path)
{
	const char *add = lv->o->cmdline;
	char *text, *out;
	size_t len, n = 0, i = 0, o = 0;
	int rc;

	OI_TRY(oi_read_small_file(path, 4u << 20, &text, &len, lv->err));
	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	if ((out = malloc(len + (n + 1) * (strlen(add) + 2) + 1)) == NULL) {
		free(text);
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	}
	for (i = 0; i < len;) {
		char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl != NULL ? (size_t)(nl - text) : len, e = end;
		while (e > i && (text[e - 1] == '\r' || text[e - 1] == ' '))
			e--;
		memcpy(out + o, text + i, e - i);
		o += e - i;
		if (kernel_line(text + i, e - i)) {
			out[o++] = ' ';
			memcpy(out + o, add, strlen(add));
			o += strlen(add);
		}
		memcpy(out + o, text + e, end - e);
		o += end - e;
		if (nl != NULL)
			out[o++] = '\n';
		i = end + 1;
	}
	rc = oi_live_write_file(lv, path, out, o);
	free(out);
	free(text);
	return rc;
}

static int
edit_tree(struct oi_live *lv, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int rc = OPTIMG_OK;

	if (d == NULL)
		return OPTIMG_OK;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		size_t n = strlen(de->d_name);
		char *p;
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if ((p = oi_live_path(lv, dir, de->d_name)) == NULL) {
			rc = OPTIMG_ENOMEM;
			break;
		}
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			rc = edit_tree(lv, p);
		else if (S_ISREG(st.st_mode) && n > 4 &&
		    strcasecmp(de->d_name + n - 4, ".cfg") == 0) {
			struct timespec ts[2] = { st.st_atim, st.st_mtim };
			rc = edit_cfg(lv, p);
			(void)utimensat(AT_FDCWD, p, ts, 0);
		}
		free(p);
	}
	closedir(d);
	return rc;
}

/* ---- the whole ----------------------------------------------------------- */

static int
volume_ids(struct remaster *r)
{
	const struct optimg_fs_vd *vds;
	unsigned n, i;
	struct oi_live *lv = r->lv;

	if (optimg_fs_volume_descriptors(r->fs, &vds, &n) < 0)
		return oi_set_error(lv->err, OPTIMG_EFORMAT, "%s",
		    optimg_fs_errmsg(r->fs));
	for (i = 0; i < n && vds[i].type != 1; i++)
		;
	if (i == n)
		return oi_set_error(lv->err, OPTIMG_EFORMAT, "'%s' has no "
		    "primary volume descriptor", lv->o->from_iso);
	r->iso_blocks = vds[i].volume_blocks;
#define KEEP(field, src) \
	if ((src)[0] != '\0' && ((field) = strdup(src)) == NULL) \
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory")
	KEEP(lv->volume_id, vds[i].volume_id);
	KEEP(lv->publisher, vds[i].publisher);
	KEEP(lv->preparer, vds[i].preparer);
	KEEP(lv->application, vds[i].application);
	KEEP(lv->system_id, vds[i].system_id);
	KEEP(lv->volume_set, vds[i].volume_set_id);
#undef KEEP
	return OPTIMG_OK;
}

static int
open_original(struct remaster *r)
{
	struct oi_live *lv = r->lv;
	struct optimg_fs_opts fo = { OPTIMG_NS_AUTO, 0 };
	int rc;

	if ((r->img = optimg_image_new()) == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	if (optimg_image_open(r->img, lv->o->from_iso) < 0)
		return oi_set_error(lv->err, optimg_image_error(r->img)->code,
		    "%s", optimg_image_errmsg(r->img));
	OI_TRY(optimg_fs_open(r->img, &fo, &r->fs, lv->err));
	rc = optimg_fs_boot_catalog(r->fs, &r->cat);
	if (rc < 0 && rc != OPTIMG_ENOENT)
		return oi_set_error(lv->err, rc, "%s", optimg_fs_errmsg(r->fs));
	if (rc < 0)
		r->cat = NULL;
	if (optimg_fs_system_area(r->fs, &r->sa) < 0)
		return oi_set_error(lv->err, OPTIMG_EFORMAT, "%s",
		    optimg_fs_errmsg(r->fs));
	return OPTIMG_OK;
}

int
oi_live_remaster(struct oi_live *lv)
{
	struct remaster *r = calloc(1, sizeof(*r));
	unsigned i;
	int rc;

	if (r == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	r->lv = lv;
	rc = open_original(r);
	if (rc == 0)
		rc = volume_ids(r);
	if (rc == 0)
		rc = optimg_fs_walk(r->fs, "/", walk_fn, r);
	if (rc < 0 && lv->err->message[0] == '\0')
		oi_set_error(lv->err, rc, "%s", optimg_fs_errmsg(r->fs));
	if (rc == 0)
		rc = boot_entries(r);
	if (rc == 0 && r->nfiles > 0 && r->cat != NULL) {
		lv->catalog = r->catalog_path;
		r->catalog_path = NULL;
	}
	if (rc == 0)
		rc = mbr_code(r);
	if (rc == 0)
		rc = appended_parts(r);
	lv->gpt = r->sa != NULL && r->sa->gpt;
	if (lv->gpt && lv->mbr == NULL && lv->nboot == 0 && lv->nparts == 0)
		lv->gpt = false;	/* the writer wants something to point at */
	if (rc == 0 && lv->o->cmdline != NULL && lv->o->cmdline[0] != '\0')
		rc = edit_tree(lv, lv->tree);
	if (rc == 0)
		rc = oi_live_add_dirs(lv);
	for (i = 0; i < r->nfiles; i++)
		free(r->paths[i]);
	free(r->paths);
	free(r->lbas);
	free(r->catalog_path);
	optimg_fs_free(r->fs);
	optimg_image_free(r->img);
	free(r);
	return rc;
}
