/*
 * mklive_boot.c - the boot loaders of a live image, taken from the host:
 * ISOLINUX for BIOS, GRUB (or shim and Debian's signed CD GRUB) in a FAT
 * EFI image for UEFI.
 *
 * UEFI without Secure Boot: GRUB is made here with grub-mkimage, its
 * modules built in and an early config that finds this image by its
 * /.disk/optimg-ID file and sets the prefix there, so GRUB's normal mode
 * reads /boot/grub/grub.cfg from the ISO, whether it started from a CD
 * (El Torito) or from the ESP of a stick.  grub-mkimage rather than
 * grub-mkstandalone: the latter puts its modules in a memdisk tar that
 * carries the build time, so two builds would differ; grub-mkimage's
 * output depends only on its inputs and is smaller.
 *
 * UEFI with Secure Boot: only signed binaries run, so nothing is made:
 * shim-signed's shimx64.efi.signed is EFI/BOOT/BOOTX64.EFI, it loads
 * EFI/BOOT/grubx64.efi, which is grub-efi-amd64-signed's gcdx64 (GRUB
 * for CD images, its modules built in).  That GRUB reads
 * $prefix/grub.cfg from the device it started from: from a CD that is
 * the ISO's /boot/grub/grub.cfg; from a stick it is the ESP's, which we
 * write to find the ISO by its id file and source the ISO's menu.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mklive.h"

static const char *const isolinux_dirs[] = {
	"/usr/lib/ISOLINUX", "/usr/lib/syslinux/bios", "/usr/share/syslinux",
	"/usr/lib/syslinux", NULL
};
static const char *const bios_module_dirs[] = {
	"/usr/lib/syslinux/modules/bios", "/usr/lib/syslinux/bios",
	"/usr/share/syslinux", NULL
};
static const char *const grub_efi_dirs[] = {
	"/usr/lib/grub/x86_64-efi", NULL
};
static const char *const shim_dirs[] = {
	"/usr/lib/shim", NULL
};
static const char *const signed_grub_dirs[] = {
	"/usr/lib/grub/x86_64-efi-signed", NULL
};

/* Built into the GRUB we make: what the menus and the search need. */
static const char *const grub_modules[] = {
	"normal", "configfile", "search", "search_fs_file", "search_label",
	"search_fs_uuid", "iso9660", "fat", "part_gpt", "part_msdos",
	"linux", "echo", "test", "true", "sleep", "ls", "cat", "all_video",
	"efi_gop", "efi_uga", "video_fb", "gzio", "xzio", "zstd", "halt",
	"reboot", "loopback", "serial", "terminal", "regexp", NULL
};

int
oi_live_find(struct oi_live *lv, const char *const dirs[], const char *name,
    const char *package, char **out)
{
	unsigned i;

	for (i = 0; dirs[i] != NULL; i++) {
		char *p = oi_live_path(lv, dirs[i], name);
		if (p == NULL)
			return OPTIMG_ENOMEM;
		if (access(p, R_OK) == 0) {
			*out = p;
			return OPTIMG_OK;
		}
		free(p);
	}
	return oi_set_error(lv->err, OPTIMG_ENOENT, "%s not found in %s%s "
	    "(Debian package %s)", name, dirs[0], dirs[1] != NULL ?
	    " or the other usual places" : "", package);
}

static int
copy_found(struct oi_live *lv, const char *const dirs[], const char *name,
    const char *package, const char *dest)
{
	char *from, *to;
	int rc;

	OI_TRY(oi_live_find(lv, dirs, name, package, &from));
	if ((to = oi_live_path(lv, lv->tree, dest)) == NULL) {
		free(from);
		return OPTIMG_ENOMEM;
	}
	rc = oi_live_copy_file(lv, from, to);
	free(from);
	free(to);
	return rc;
}

int
oi_live_bios(struct oi_live *lv)
{
	static const char *const mods[] = {
		"ldlinux.c32", "menu.c32", "libutil.c32", "libcom32.c32", NULL
	};
	struct optimg_mkiso_boot *b = &lv->boot[lv->nboot];
	char dest[64];
	unsigned i;

	OI_TRY(copy_found(lv, isolinux_dirs, "isolinux.bin", "isolinux",
	    "isolinux/isolinux.bin"));
	for (i = 0; mods[i] != NULL; i++) {
		snprintf(dest, sizeof(dest), "isolinux/%s", mods[i]);
		OI_TRY(copy_found(lv, bios_module_dirs, mods[i],
		    "syslinux-common", dest));
	}
	OI_TRY(oi_live_find(lv, isolinux_dirs, "isohdpfx.bin", "isolinux",
	    &lv->mbr));
	memset(b, 0, sizeof(*b));
	b->path = "isolinux/isolinux.bin";
	b->platform = OPTIMG_BOOT_BIOS;
	b->emul = OPTIMG_BOOT_NOEMUL;
	b->load_size = 4;
	b->info_table = true;
	lv->nboot++;
	lv->gpt = true;
	if ((lv->catalog = strdup("isolinux/boot.cat")) == NULL)
		return oi_set_error(lv->err, OPTIMG_ENOMEM, "out of memory");
	return OPTIMG_OK;
}

/* The GRUB config that finds this image and makes it GRUB's root. */
static void
search_cfg(struct oi_live *lv, char *out, size_t len, bool source)
{
	snprintf(out, len,
	    "search --no-floppy --file --set=root /.disk/optimg-%s\n"
	    "set prefix=($root)/boot/grub\n%s", lv->id,
	    source ? "source $prefix/grub.cfg\n" : "");
}

static int
make_grub(struct oi_live *lv, char **efi)
{
	const char *argv[64];
	char *dir, *cfg, text[256];
	unsigned n = 0, i;
	int rc;

	OI_TRY(oi_live_find(lv, grub_efi_dirs, "linux.mod",
	    "grub-efi-amd64-bin", &dir));
	*strrchr(dir, '/') = '\0';
	search_cfg(lv, text, sizeof(text), false);
	cfg = oi_live_path(lv, lv->work, "early.cfg");
	*efi = oi_live_path(lv, lv->work, "BOOTX64.EFI");
	rc = cfg == NULL || *efi == NULL ? OPTIMG_ENOMEM :
	    oi_live_write_file(lv, cfg, text, strlen(text));
	if (rc == 0) {
		argv[n++] = "grub-mkimage";
		argv[n++] = "-O";
		argv[n++] = "x86_64-efi";
		argv[n++] = "-d";
		argv[n++] = dir;
		argv[n++] = "-p";
		argv[n++] = "/boot/grub";
		argv[n++] = "-c";
		argv[n++] = cfg;
		argv[n++] = "-o";
		argv[n++] = *efi;
		for (i = 0; grub_modules[i] != NULL; i++)
			argv[n++] = grub_modules[i];
		argv[n] = NULL;
		rc = oi_live_run(lv, argv);
		if (rc < 0 && errno == ENOENT)
			rc = oi_set_error(lv->err, OPTIMG_ENOENT, "grub-mkimage "
			    "not found (Debian package grub-common)");
	}
	free(dir);
	free(cfg);
	return rc;
}

static int
warn_unsigned_kernel(struct oi_live *lv)
{
	bool sig = false;

	if (lv->o->kernel == NULL)
		return OPTIMG_OK;
	OI_TRY(oi_pe_signed(lv->o->kernel, &sig, lv->err));
	if (!sig)
		oi_live_warn(lv, "kernel '%s' carries no signature: Secure "
		    "Boot firmware will refuse it", lv->o->kernel);
	return OPTIMG_OK;
}

int
oi_live_efi(struct oi_live *lv)
{
	struct oi_fat_file files[4];
	struct optimg_mkiso_boot *b = &lv->boot[lv->nboot];
	char *shim = NULL, *mm = NULL, *grub = NULL, *img = NULL, cfg[256];
	unsigned n = 0;
	uint32_t serial = (uint32_t)strtoul(lv->id + 8, NULL, 16);
	int rc;

	memset(files, 0, sizeof(files));
	if (lv->o->secure_boot) {
		rc = oi_live_find(lv, shim_dirs, "shimx64.efi.signed",
		    "shim-signed", &shim);
		if (rc == 0)
			rc = oi_live_find(lv, shim_dirs, "mmx64.efi.signed",
			    "shim-signed", &mm);
		if (rc == 0)
			rc = oi_live_find(lv, signed_grub_dirs,
			    "gcdx64.efi.signed", "grub-efi-amd64-signed", &grub);
		if (rc == 0)
			rc = warn_unsigned_kernel(lv);
		search_cfg(lv, cfg, sizeof(cfg), true);
		files[n++] = (struct oi_fat_file){ "EFI/BOOT/BOOTX64.EFI", shim,
		    NULL, 0 };
		files[n++] = (struct oi_fat_file){ "EFI/BOOT/grubx64.efi", grub,
		    NULL, 0 };
		files[n++] = (struct oi_fat_file){ "EFI/BOOT/mmx64.efi", mm,
		    NULL, 0 };
		files[n++] = (struct oi_fat_file){ "boot/grub/grub.cfg", NULL,
		    cfg, strlen(cfg) };
	} else {
		rc = make_grub(lv, &grub);
		files[n++] = (struct oi_fat_file){ "EFI/BOOT/BOOTX64.EFI", grub,
		    NULL, 0 };
	}
	if (rc == 0 && (img = oi_live_path(lv, lv->tree,
	    "boot/grub/efi.img")) == NULL)
		rc = OPTIMG_ENOMEM;
	if (rc == 0)
		rc = oi_live_mkdirs(lv, img);
	if (rc == 0)
		rc = oi_fat_write(img, files, n, "EFIBOOT", serial, lv->date,
		    NULL, lv->err);
	free(shim);
	free(mm);
	free(grub);
	free(img);
	OI_TRY(rc);
	memset(b, 0, sizeof(*b));
	b->path = "boot/grub/efi.img";
	b->platform = OPTIMG_BOOT_EFI;
	b->emul = OPTIMG_BOOT_NOEMUL;
	lv->nboot++;
	return OPTIMG_OK;
}

/*
 * PE/COFF (Microsoft PE and COFF Specification): the offset of the PE
 * header is at 0x3C; after "PE\0\0" come the 20-byte COFF header and the
 * optional header, whose magic (0x10B PE32, 0x20B PE32+) says where the
 * data directories start (96 or 112 bytes in).  Entry 4 is the
 * certificate table (Authenticode): file offset and size, zero when the
 * image is not signed.
 */
int
oi_pe_signed(const char *path, bool *is_signed, struct optimg_error *err)
{
	uint8_t h[512];
	uint32_t pe, dirs, nrva, size;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*is_signed = false;
	if (fd < 0)
		return oi_set_errno(err, OPTIMG_ENOENT, "cannot open '%s'",
		    path);
	n = pread(fd, h, sizeof(h), 0);
	if (n < 0x40 || h[0] != 'M' || h[1] != 'Z') {
		close(fd);
		return OPTIMG_OK;	/* not PE: not signed */
	}
	pe = oi_le32dec(h + 0x3C);
	if (pe > (1u << 20) || pread(fd, h, sizeof(h), pe) < 24 + 96 + 8 * 5 ||
	    memcmp(h, "PE\0\0", 4) != 0) {
		close(fd);
		return OPTIMG_OK;
	}
	close(fd);
	switch (oi_le16dec(h + 24)) {
	case 0x10B: dirs = 24 + 96; break;
	case 0x20B: dirs = 24 + 112; break;
	default: return OPTIMG_OK;
	}
	nrva = oi_le32dec(h + dirs - 4);
	if (nrva < 5 || dirs + 8 * 5 > sizeof(h))
		return OPTIMG_OK;
	size = oi_le32dec(h + dirs + 8 * 4 + 4);
	*is_signed = oi_le32dec(h + dirs + 8 * 4) != 0 && size > 8;
	return OPTIMG_OK;
}
