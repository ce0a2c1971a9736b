/*
 * boot_recipe.c - `optimg info --boot-recipe`: words the library's boot
 * recipe as a shell script of `dd` lines (what to cut out of the image)
 * and one `optimg mkiso` line that rebuilds the boot setup.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "cli.h"

/* A shell word: single-quoted unless it is plainly safe. */
static void
put_word(FILE *f, const char *s)
{
	const char *c;

	if (*s != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=@+,") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (c = s; *c != '\0'; c++) {
		if (*c == '\'')
			fputs("'\\''", f);
		else
			fputc(*c, f);
	}
	fputc('\'', f);
}

static void
cut_line(FILE *f, const struct optimg_recipe_cut *c, const char *image)
{
	fputs("dd if=", f);
	put_word(f, image);
	if (c->kind == OPTIMG_CUT_MBR) {
		fprintf(f, " of=%s bs=%llu count=1 status=none   # MBR boot "
		    "code%s\n", c->name, (unsigned long long)c->length,
		    c->isohybrid ? " (isohybrid: isolinux's isohdpfx.bin)" :
		    c->grub_hybrid ? " (GRUB's boot_hybrid.img)" : "");
		return;
	}
	fprintf(f, " of=%s bs=512 skip=%llu count=%llu status=none   # %s\n",
	    c->name, (unsigned long long)(c->offset / 512),
	    (unsigned long long)(c->length / 512),
	    c->kind == OPTIMG_CUT_BOOT_IMAGE ? "a boot image no file holds" :
	    "a partition after the ISO volume");
}

static void
boot_options(FILE *f, const struct optimg_boot_recipe *r)
{
	unsigned i;

	for (i = 0; i < r->nboot; i++) {
		const struct optimg_recipe_boot *b = &r->boot[i];

		if (b->platform == 0xEF) {
			fputs(" \\\n    --efi-boot ", f);
			put_word(f, b->path);
			continue;
		}
		if (b->platform != 0)
			fprintf(f, " \\\n    # entry %u is for platform 0x%02x, "
			    "which mkiso writes as x86:", i + 1, b->platform);
		fputs(" \\\n    -b ", f);
		put_word(f, b->path);
		if (b->emulation == 4)
			fputs(" --hard-disk-boot", f);
		else if (b->emulation != 0)
			fputs(" --floppy-boot", f);
		else if (b->load_size != 0)
			fprintf(f, " --boot-load-size %u", b->load_size);
		if (b->info_table)
			fputs(" --boot-info-table", f);
		if (b->grub2_boot_info)
			fputs(" --grub2-boot-info", f);
	}
	if (r->catalog_path != NULL) {
		/* the extracted copy of the old catalog makes way */
		fputs(" \\\n    --boot-catalog ", f);
		put_word(f, r->catalog_path);
		fputs(" --exclude \"$SOURCE\"/", f);
		put_word(f, r->catalog_path);
	}
}

static void
mkiso_line(FILE *f, const struct optimg_boot_recipe *r)
{
	unsigned i;

	fputs("optimg mkiso", f);
	if (r->volume_id[0] != '\0') {
		fputs(" -V ", f);
		put_word(f, r->volume_id);
	}
	fputs(" \"$SOURCE\"", f);
	for (i = 0; i < r->nboot; i++)
		if (r->boot[i].cut >= 0)
			fprintf(f, " %s=%s --hide %s", r->cuts[r->boot[i].cut].name,
			    r->boot[i].path, r->cuts[r->boot[i].cut].name);
	boot_options(f, r);
	if (r->mbr_cut >= 0)
		fprintf(f, " \\\n    --mbr %s", r->cuts[r->mbr_cut].name);
	if (r->gpt)
		fputs(" --gpt", f);
	for (i = 0; i < r->nparts; i++)
		fprintf(f, " \\\n    --append-partition %u:%s:%s",
		    r->parts[i].index, r->parts[i].type,
		    r->cuts[r->parts[i].cut].name);
	fputs(" \\\n    -o \"$OUT\"\n", f);
}

void
cli_print_boot_recipe(FILE *f, const struct optimg_boot_recipe *r,
    const char *image)
{
	unsigned i;

	fputs("#!/bin/sh\n# The boot setup of ", f);
	put_word(f, image);
	fputs(" as optimg options.  SOURCE holds the image's files:\n"
	    "#   mkdir SOURCE && optimg extract -C SOURCE ", f);
	put_word(f, image);
	fputs("\n# To keep all of it and change only the content:\n"
	    "#   optimg mklive --from-iso ", f);
	put_word(f, image);
	fputs(" [--add DIR] [--remove PATH] [--cmdline PARAMS] -o OUT.iso\n"
	    "set -e\nSOURCE=${SOURCE:-SOURCE}\nOUT=${OUT:-OUT.iso}\n", f);
	if (!r->el_torito)
		fputs("# no El Torito boot record: the image boots from no CD\n",
		    f);
	for (i = 0; i < r->ncuts; i++)
		cut_line(f, &r->cuts[i], image);
	mkiso_line(f, r);
}
