/*
 * mklive.h - what the live-image builder's files share.  Internal to
 * liboptimg.
 *
 *   mklive.c           optimg_mklive(): staging, menus, the mkiso call
 *   mklive_boot.c      boot loaders on the host, GRUB images, the ESP
 *   mklive_fat.c       the FAT12/16 writer for the EFI image
 *   mklive_remaster.c  --from-iso: the original's files and boot setup
 *   mklive_recipe.c    optimg_boot_recipe()
 */
#ifndef OI_MKLIVE_H
#define OI_MKLIVE_H

#include <stdio.h>

#include "oi_private.h"

/* One file of a FAT image: from a host file (src) or from memory. */
struct oi_fat_file {
	const char	*path;		/* "EFI/BOOT/BOOTX64.EFI" */
	const char	*src;		/* host file, or NULL */
	const void	*data;		/* else these bytes */
	size_t		 len;
};

/*
 * Writes a FAT12 or FAT16 image (whichever the size calls for) holding
 * files into out; *size receives its bytes (a multiple of 2048).
 */
int oi_fat_write(const char *out, const struct oi_fat_file *files, unsigned n,
    const char *label, uint32_t serial, int64_t date, uint64_t *size,
    struct optimg_error *err);

/* A growable list of strings the builder owns. */
struct oi_strv {
	char		**v;
	unsigned	  n, cap;
};
int oi_strv_push(struct oi_strv *sv, const char *s);	/* copies s */
void oi_strv_release(struct oi_strv *sv);

/* The state of one mklive run. */
struct oi_live {
	const struct optimg_mklive_opts	*o;
	struct optimg_error		*err;
	char		*stage;		/* temporary directory */
	char		*tree;		/* stage/tree: files made for the image */
	char		*work;		/* stage/work: files that are not */
	char		 id[17];	/* hex, from the content */
	int64_t		 date;
	/* mkiso sources: host path and image path (NULL: the root) */
	struct oi_strv	 src, dest;
	/* the mkiso options being assembled */
	struct optimg_mkiso_boot	boot[8];
	unsigned	 nboot;
	struct optimg_mkiso_partition	parts[4];
	unsigned	 nparts;
	struct oi_strv	 part_paths;
	char		*mbr;		/* host file, or NULL */
	bool		 gpt;
	char		*catalog;	/* image path, or NULL: hidden */
	char		*volume_id;
	char		*publisher, *preparer, *application, *system_id;
	char		*volume_set;
	struct oi_strv	 hide;		/* patterns hidden from listings */
};

/* ---- mklive.c ---- */
/* stage/<rel>, made with its parent directories; caller frees. */
char *oi_live_path(struct oi_live *lv, const char *base, const char *rel);
int oi_live_mkdirs(struct oi_live *lv, const char *path);
int oi_live_write_file(struct oi_live *lv, const char *path, const void *data,
    size_t len);
int oi_live_copy_file(struct oi_live *lv, const char *from, const char *to);
int oi_live_add_source(struct oi_live *lv, const char *host,
    const char *dest);
/* The --add directories (SRC or SRC=DEST) as sources. */
int oi_live_add_dirs(struct oi_live *lv);
void oi_live_warn(struct oi_live *lv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Runs argv (PATH searched) with stdout discarded; stderr in the error. */
int oi_live_run(struct oi_live *lv, const char *const argv[]);

/* ---- mklive_boot.c ---- */
/* Finds a boot loader file; the error names the Debian package. */
int oi_live_find(struct oi_live *lv, const char *const dirs[],
    const char *name, const char *package, char **out);
/* ISOLINUX files into tree/isolinux, the MBR code; BIOS boot entry. */
int oi_live_bios(struct oi_live *lv);
/* GRUB (or shim + signed GRUB) in tree/boot/grub/efi.img; EFI entry. */
int oi_live_efi(struct oi_live *lv);
/* True when a PE image carries an Authenticode certificate table. */
int oi_pe_signed(const char *path, bool *is_signed, struct optimg_error *err);

/* ---- mklive_remaster.c ---- */
int oi_live_remaster(struct oi_live *lv);

#endif
