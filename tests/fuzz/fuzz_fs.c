/*
 * fuzz_fs.c - fuzz target for the file-system reader: the input is an
 * .iso image held in memory.  Each name space is opened and walked; every
 * file is read (the first 64 KiB) and, when under 256 KiB, copied out into
 * a memfd as extract does (holes and all); the boot catalog and system
 * area are decoded; the input is also taken as raw 2352-byte sectors,
 * where CD-ROM XA Form 2 files are read; the El Torito and partition decoders also run on the
 * raw input.  Errors are fine; crashes, leaks and hangs are not.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fs_private.h"
#include "fuzz.h"

struct ctx {
	struct optimg_fs	*fs;
	uint8_t			 buf[65536];
	unsigned		 entries;
	int			 out;		/* a memfd, or -1 */
};

static int
visit(void *arg, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit v)
{
	struct ctx *c = arg;
	size_t got;

	(void)path;
	if (v != OPTIMG_FS_ENTER)
		return 0;
	if (++c->entries > 20000)
		return OPTIMG_ECANCELED;
	if (st->type == OPTIMG_FS_REG)
		optimg_fs_read(c->fs, st, 0, c->buf, sizeof(c->buf), &got);
	if (st->type == OPTIMG_FS_REG && st->size <= (256u << 10) &&
	    c->out >= 0) {
		optimg_fs_copy_out(c->fs, st, c->out, NULL, NULL);
		if (ftruncate(c->out, 0) < 0)
			abort();
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum optimg_fs_namespace ns[] = {
		OPTIMG_NS_AUTO, OPTIMG_NS_ISO, OPTIMG_NS_JOLIET, OPTIMG_NS_RR,
	};
	struct optimg_boot_catalog *cat;
	struct optimg_sysarea *sa;
	struct optimg_error err;
	struct ctx *c = calloc(1, sizeof(*c));
	unsigned i;

	if (c == NULL)
		return 0;
	c->out = memfd_create("fuzz_fs", MFD_CLOEXEC);
	for (i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
		struct optimg_fs_opts o = { ns[i], 0 };
		const struct optimg_boot_catalog *bc;
		const struct optimg_sysarea *s;
		struct optimg_fs_stat *st;

		if (oi_fs_open_mem(data, size, &o, &c->fs, &err) < 0)
			continue;
		c->entries = 0;
		optimg_fs_walk(c->fs, "/", visit, c);
		if (optimg_fs_lookup(c->fs, "/a/b", &st) == 0)
			optimg_fs_stat_free(st);
		optimg_fs_boot_catalog(c->fs, &bc);
		optimg_fs_system_area(c->fs, &s);
		optimg_fs_free(c->fs);
	}
	if (oi_fs_open_mem_raw(data, size, NULL, &c->fs, &err) == 0) {
		c->entries = 0;
		optimg_fs_walk(c->fs, "/", visit, c);
		optimg_fs_free(c->fs);
	}
	if (oi_eltorito_parse(data, size, 0, &cat, &err) == 0)
		oi_boot_catalog_free(cat);
	if (oi_sysarea_parse(data, size, &sa, &err) == 0)
		oi_sysarea_free(sa);
	if (c->out >= 0)
		close(c->out);
	free(c);
	return 0;
}
