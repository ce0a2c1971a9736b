/*
 * test_iso9660_oracle.c - libiso9660 (libcdio's ISO 9660 reader) as an
 * independent second reader of the images our file-system reader reads:
 * libcdio's sample images and an image optimg mkiso writes.  Every entry
 * must agree: path, file or directory, first extent (LBA) and size.
 * libiso9660 names entries by Rock Ridge when an image has it, else by
 * its ISO 9660 name in lower case; ours is asked for the same name space
 * and, for ISO names, compared without regard to case.
 *
 * Within libiso9660 2.1.0's known limits (../shared/docs/library-facts
 * .md): it has a 32-bit size and one extent per stat, so a multi-extent
 * file comes back as several entries of one name, compared as their sum
 * and first LBA; it does not resolve Rock Ridge relocation, so entries
 * under RR_MOVED (its view) and below depth 7 (ours) are left out; it
 * does not tell symbolic links from files, so our links are left out.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>
#include <cdio/iso9660.h>

#include "oi_private.h"
#include "cunit_main.h"
#include "testdata.h"

#define MAX_ENTRIES	4096

struct entry {
	char		path[512];
	bool		dir;
	uint32_t	lba;
	uint64_t	size;
};

struct listing {
	struct entry	e[MAX_ENTRIES];
	unsigned	n;
};

static struct listing ours, theirs, skipped;
static bool fold_case;		/* ISO names: libiso9660 lower-cases them */

static int
same_name(const char *a, const char *b)
{
	return fold_case ? strcasecmp(a, b) == 0 : strcmp(a, b) == 0;
}

static unsigned
depth_of(const char *path)
{
	unsigned n = 0;

	for (; *path != '\0'; path++)
		n += *path == '/';
	return n;
}

/* "NAME.EXT;1" as users see it: no version, no trailing '.'. */
static void
iso_name(const char *in, char *out, size_t size)
{
	size_t n;

	snprintf(out, size, "%s", in);
	if (strchr(out, ';') != NULL)
		*strchr(out, ';') = '\0';
	n = strlen(out);
	if (n > 1 && out[n - 1] == '.')
		out[n - 1] = '\0';
}

static struct entry *
find(struct listing *l, const char *path)
{
	for (unsigned i = 0; i < l->n; i++)
		if (same_name(l->e[i].path, path))
			return &l->e[i];
	return NULL;
}

static void
list_theirs(iso9660_t *iso, const char *dir, unsigned depth)
{
	CdioList_t *entries = iso9660_ifs_readdir(iso, dir);
	CdioListNode_t *node;

	CU_ASSERT_PTR_NOT_NULL_FATAL(entries);
	_CDIO_LIST_FOREACH(node, entries) {
		iso9660_stat_t *st = _cdio_list_node_data(node);
		char name[256], path[512];
		struct entry *e;

		if (strcmp(st->filename, ".") == 0 ||
		    strcmp(st->filename, "..") == 0)
			continue;
		iso_name(st->filename, name, sizeof(name));
		snprintf(path, sizeof(path), "%s%s", dir, name);
		if ((e = find(&theirs, path)) != NULL) {
			e->size += st->size;	/* one more extent */
			continue;
		}
		CU_ASSERT_FATAL(theirs.n < MAX_ENTRIES);
		e = &theirs.e[theirs.n++];
		snprintf(e->path, sizeof(e->path), "%s", path);
		e->dir = st->type == _STAT_DIR;
		e->lba = st->lsn;
		e->size = e->dir ? 0 : st->size;
		if (e->dir && depth < 64) {
			char sub[520];

			snprintf(sub, sizeof(sub), "%s/", path);
			list_theirs(iso, sub, depth + 1);
		}
	}
	iso9660_filelist_free(entries);
}

static int
walk_ours(void *ctx, const char *path, const struct optimg_fs_stat *st,
    enum optimg_fs_visit visit)
{
	struct entry *e;

	(void)ctx;
	if (visit != OPTIMG_FS_ENTER || strcmp(path, "/") == 0)
		return 0;
	if (st->type == OPTIMG_FS_SYMLINK || depth_of(path) > 7) {
		CU_ASSERT_FATAL(skipped.n < MAX_ENTRIES);
		snprintf(skipped.e[skipped.n++].path, sizeof(e->path), "%s",
		    path);
		return 0;
	}
	CU_ASSERT_FATAL(ours.n < MAX_ENTRIES);
	e = &ours.e[ours.n++];
	snprintf(e->path, sizeof(e->path), "%s", path);
	e->dir = st->type == OPTIMG_FS_DIR;
	e->lba = st->lba;
	e->size = e->dir ? 0 : st->size;
	return 0;
}

/* Both readers list path alike; returns the entries compared. */
static unsigned
compare(const char *path)
{
	struct optimg_fs_opts o = { .ns = OPTIMG_NS_AUTO };
	struct optimg_image *img = optimg_image_new();
	struct optimg_fs *fs = NULL;
	struct optimg_error err;
	iso9660_t *iso;
	unsigned same = 0;

	ours.n = theirs.n = skipped.n = 0;
	CU_ASSERT_EQUAL_FATAL(optimg_image_open(img, path), 0);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_open(img, &o, &fs, &err), 0);
	o.ns = optimg_fs_namespaces(fs) & (1u << OPTIMG_NS_RR) ?
	    OPTIMG_NS_RR : OPTIMG_NS_ISO;
	fold_case = o.ns == OPTIMG_NS_ISO;
	optimg_fs_free(fs);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_open(img, &o, &fs, &err), 0);
	CU_ASSERT_EQUAL(optimg_fs_walk(fs, "/", walk_ours, NULL), 0);
	optimg_fs_free(fs);
	optimg_image_free(img);
	/* Plain ISO 9660 names, as our OPTIMG_NS_ISO gives them. */
	iso = iso9660_open_ext(path, ISO_EXTENSION_NONE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(iso);
	list_theirs(iso, "/", 0);
	iso9660_close(iso);
	for (unsigned i = 0; i < theirs.n; i++) {
		const struct entry *t = &theirs.e[i], *e = find(&ours, t->path);

		if (find(&skipped, t->path) != NULL ||
		    strncasecmp(t->path, "/rr_moved", 9) == 0)
			continue;	/* beyond libiso9660, see above */
		if (e == NULL || e->dir != t->dir || e->lba != t->lba ||
		    e->size != t->size) {
			fprintf(stderr, "\n  %s: %s: libiso9660 %s lba %u size "
			    "%llu; ours %s", path, t->path, t->dir ? "dir" :
			    "file", t->lba, (unsigned long long)t->size,
			    e == NULL ? "missing" : "differs");
			CU_FAIL("the readers differ");
			continue;
		}
		same++;
	}
	CU_ASSERT_EQUAL(same, ours.n);	/* and nothing only in ours */
	return same;
}

static void
test_libcdio_images(void)
{
	static const char *const names[] = {
		"copying.iso", "copying-rr.iso", "joliet.iso",
		"deep-directory.iso", "multi_extent_8k.iso",
		"multi_extent_8k_joliet.iso",
	};

	for (unsigned i = 0; i < OI_ARRAY_SIZE(names); i++) {
		const char *path = test_data_path(names[i]);

		if (path != NULL) {
			unsigned n = compare(path);

			fprintf(stderr, "\n  %s: %u entries agree", names[i], n);
			CU_ASSERT(n > 0);
		}
	}
}

/* A tree of ours: nested directories, several files, one empty. */
static void
test_mkiso_image(void)
{
	static const char *const files[] = {
		"a.txt", "docs/readme.txt", "docs/deep/er/one", "empty",
		"docs/deep/er/two.bin",
	};
	char dir[] = "/tmp/test_iso9660_oracle.XXXXXX", p[256], iso[256];
	struct optimg_mkiso_source src = { NULL, NULL };
	struct optimg_mkiso_opts o;
	struct optimg_error err;
	char cmd[300];

	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	snprintf(p, sizeof(p), "%s/src/docs/deep/er", dir);
	snprintf(cmd, sizeof(cmd), "mkdir -p '%s'", p);
	CU_ASSERT_FATAL(system(cmd) == 0);
	for (unsigned i = 0; i < OI_ARRAY_SIZE(files); i++) {
		FILE *f;

		snprintf(p, sizeof(p), "%s/src/%s", dir, files[i]);
		f = fopen(p, "w");
		CU_ASSERT_FATAL(f != NULL);
		for (unsigned k = 0; i != 3 && k < 1000u * (i + 1); k++)
			fputc('a' + (int)(k % 26), f);
		fclose(f);
	}
	memset(&o, 0, sizeof(o));
	snprintf(p, sizeof(p), "%s/src", dir);
	src.path = p;
	o.sources = &src;
	o.nsources = 1;
	snprintf(iso, sizeof(iso), "%s/t.iso", dir);
	CU_ASSERT_EQUAL_FATAL(optimg_mkiso(&o, iso, &err), 0);
	CU_ASSERT_EQUAL(compare(iso), 8);	/* 5 files, 3 directories */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CU_ASSERT(system(cmd) == 0);
}

static CU_TestInfo oracle_tests[] = {
	{ "libcdio's images", test_libcdio_images },
	{ "an image of mkiso's", test_mkiso_image },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "iso9660_oracle", .pTests = oracle_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
