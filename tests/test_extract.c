/*
 * test_extract.c - optimg_fs_extract() called directly: exact modes under
 * a umask that would clip them (and the umask left alone), hard links
 * made with link(), symbolic links, directory modes, the same on the
 * calling thread and with workers; hostile names refused one by one with
 * nothing written outside the target; existing files kept unless
 * overwrite is set; device nodes skipped when asked; cancelling.
 *
 * Images are made with optimg's own writer from a tree the test builds;
 * the hostile one has placeholder Rock Ridge names of the same length
 * patched into the bytes afterwards (the writer, rightly, refuses such
 * names).  What is checked is the host tree, through stat(2).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "oi_private.h"
#include "cunit_main.h"

static char dir[64];
static char good_iso[256], evil_iso[256], outside[256];

struct seen {
	unsigned	n[OPTIMG_EXTRACT_DEVICE_SKIPPED + 1];
	char		paths[16][256];
	unsigned	npaths;
};

static void
on_report(void *ctx, const struct optimg_extract_report *r)
{
	struct seen *s = ctx;

	s->n[r->what]++;
	if (s->npaths < 16)
		snprintf(s->paths[s->npaths++], sizeof(s->paths[0]), "%s",
		    r->path != NULL ? r->path : "");
}

static bool
seen_path(const struct seen *s, const char *path)
{
	unsigned i;

	for (i = 0; i < s->npaths; i++)
		if (strcmp(s->paths[i], path) == 0)
			return true;
	return false;
}

static int
put(const char *rel, const char *text, mode_t mode)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	if ((f = fopen(p, "w")) == NULL)
		return -1;
	fputs(text, f);
	if (fclose(f) != 0)
		return -1;
	return chmod(p, mode);
}

static int
make_iso(const char *srcrel, const char *out)
{
	struct optimg_mkiso_source src = { NULL, NULL };
	struct optimg_mkiso_opts o;
	struct optimg_error err;
	char srcdir[512];

	snprintf(srcdir, sizeof(srcdir), "%s/%s", dir, srcrel);
	memset(&o, 0, sizeof(o));
	src.path = srcdir;
	o.sources = &src;
	o.nsources = 1;
	if (optimg_mkiso(&o, out, &err) < 0) {
		fprintf(stderr, "mkiso: %s\n", err.message);
		return -1;
	}
	return 0;
}

/* good/: modes, a hard link, a symlink, a directory of mode 0750. */
static int
make_good(void)
{
	char p[512], q[512];

	snprintf(p, sizeof(p), "%s/good", dir);
	if (mkdir(p, 0755) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/good/sub", dir);
	if (mkdir(p, 0755) < 0 || put("good/a.txt", "hello\n", 0666) < 0 ||
	    put("good/run.sh", "#!/bin/sh\n", 04755) < 0 ||
	    put("good/secret", "s\n", 0600) < 0 ||
	    put("good/sub/deep.txt", "deep\n", 0640) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/good/a.txt", dir);
	snprintf(q, sizeof(q), "%s/good/sub/hard.txt", dir);
	if (link(p, q) < 0)
		return -1;
	snprintf(q, sizeof(q), "%s/good/ln", dir);
	if (symlink("a.txt", q) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/good/sub", dir);
	if (chmod(p, 0750) < 0)
		return -1;
	snprintf(good_iso, sizeof(good_iso), "%s/good.iso", dir);
	return make_iso("good", good_iso);
}

/* Replaces each placeholder (found once at least) by its evil name. */
static int
patch(const char *path, const char *const (*pairs)[2], unsigned n)
{
	char *data;
	size_t len, i, k;
	struct optimg_error err;
	FILE *f;
	int found;

	if (oi_read_small_file(path, 64u << 20, &data, &len, &err) < 0)
		return -1;
	for (k = 0; k < n; k++) {
		size_t pl = strlen(pairs[k][0]);

		found = 0;
		for (i = 0; i + pl <= len; i++)
			if (memcmp(data + i, pairs[k][0], pl) == 0) {
				memcpy(data + i, pairs[k][1], pl);
				found++;
			}
		if (found == 0)
			fprintf(stderr, "placeholder %s not found\n",
			    pairs[k][0]);
		if (found == 0)
			return -1;
	}
	f = fopen(path, "wb");
	if (f == NULL || fwrite(data, 1, len, f) != len) {
		free(data);
		return -1;
	}
	free(data);
	return fclose(f);
}

/*
 * evil/: "../../escaped-1", an absolute name into outside/, a directory
 * "..", a symlink "aaaa" to outside/ followed by a directory also named
 * "aaaa" (its placeholder sorts after the symlink), and ok.txt.
 */
static int
make_evil(void)
{
	static char abs_name[512], abs_ph[512];
	const char *pairs[4][2] = {
		{ "zzzzzzzzzzzzzzz", "../../escaped-1" },
		{ abs_ph, abs_name },
		{ "yy", ".." },
		{ "aaab", "aaaa" },
	};
	char p[512];

	snprintf(outside, sizeof(outside), "%s/outside", dir);
	snprintf(abs_name, sizeof(abs_name), "%s/escaped-2", outside);
	memset(abs_ph, 'x', strlen(abs_name));
	abs_ph[strlen(abs_name)] = '\0';
	snprintf(p, sizeof(p), "%s/evil", dir);
	if (mkdir(outside, 0755) < 0 || mkdir(p, 0755) < 0)
		return -1;
	if (snprintf(p, sizeof(p), "%s/evil/%s", dir, abs_ph) >=
	    (int)sizeof(p) ||
	    put("evil/zzzzzzzzzzzzzzz", "x\n", 0644) < 0 ||
	    put(p + strlen(dir) + 1, "x\n", 0644) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/evil/yy", dir);
	if (mkdir(p, 0755) < 0 || put("evil/yy/f", "x\n", 0644) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/evil/aaaa", dir);
	if (symlink(outside, p) < 0)
		return -1;
	snprintf(p, sizeof(p), "%s/evil/aaab", dir);
	if (mkdir(p, 0755) < 0 || put("evil/aaab/via", "x\n", 0644) < 0 ||
	    put("evil/ok.txt", "ok\n", 0644) < 0)
		return -1;
	snprintf(evil_iso, sizeof(evil_iso), "%s/evil.iso", dir);
	return make_iso("evil", evil_iso) < 0 ? -1 : patch(evil_iso, pairs, 4);
}

static int
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/test_extract.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	return make_good() < 0 || make_evil() < 0;
}

static int
teardown(void)
{
	char cmd[256];

	if (snprintf(cmd, sizeof(cmd), "chmod -R u+rwx '%s'; rm -rf '%s'",
	    dir, dir) >= (int)sizeof(cmd))
		return 1;
	return system(cmd) != 0;
}

/* A new empty directory under the test's; its descriptor. */
static int
new_target(const char *name)
{
	char p[512];

	if (snprintf(p, sizeof(p), "%s/%s", dir, name) >= (int)sizeof(p) ||
	    mkdir(p, 0755) < 0)
		return -1;
	return open(p, O_RDONLY | O_DIRECTORY);
}

static int
extract(const char *image, struct optimg_extract_opts *o,
    struct optimg_extract_result *res, struct seen *seen)
{
	struct optimg_image *img = optimg_image_new();
	struct optimg_fs *fs = NULL;
	struct optimg_error err;
	int rc;

	memset(seen, 0, sizeof(*seen));
	o->report = on_report;
	o->report_ctx = seen;
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(optimg_image_open(img, image), 0);
	CU_ASSERT_EQUAL_FATAL(optimg_fs_open(img, NULL, &fs, &err), 0);
	rc = optimg_fs_extract(fs, o, res, &err);
	optimg_fs_free(fs);
	optimg_image_free(img);
	return rc;
}

static void
check_mode(int dfd, const char *rel, mode_t want)
{
	struct stat sb;

	CU_ASSERT_EQUAL_FATAL(fstatat(dfd, rel, &sb, AT_SYMLINK_NOFOLLOW), 0);
	if ((sb.st_mode & 07777) != want)
		fprintf(stderr, "%s: mode %o, want %o\n", rel,
		    (unsigned)(sb.st_mode & 07777), (unsigned)want);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, want);
}

static void
check_text(int dfd, const char *rel, const char *want)
{
	char buf[64];
	ssize_t n;
	int fd = openat(dfd, rel, O_RDONLY);

	CU_ASSERT_FATAL(fd >= 0);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	CU_ASSERT_EQUAL(n, (ssize_t)strlen(want));
	CU_ASSERT(n >= 0 && memcmp(buf, want, (size_t)n) == 0);
}

static void
good_tree(int threads, const char *name)
{
	struct optimg_extract_opts o;
	struct optimg_extract_result res;
	struct seen seen;
	struct stat a, h;
	char target[64];
	mode_t old = umask(022);
	int dfd = new_target(name);
	ssize_t n;

	CU_ASSERT_FATAL(dfd >= 0);
	optimg_extract_opts_init(&o, dfd);
	o.threads = threads;
	CU_ASSERT_EQUAL(extract(good_iso, &o, &res, &seen), 0);
	CU_ASSERT_EQUAL(umask(old), 022);	/* left as it was */
	CU_ASSERT_EQUAL(res.failures, 0);
	CU_ASSERT_EQUAL(res.files, 4);
	CU_ASSERT_EQUAL(res.hardlinks, 1);
	CU_ASSERT_EQUAL(res.symlinks, 1);
	check_mode(dfd, "a.txt", 0666);		/* past the umask */
	check_mode(dfd, "run.sh", 04755);
	check_mode(dfd, "secret", 0600);
	check_mode(dfd, "sub", 0750);
	check_mode(dfd, "sub/deep.txt", 0640);
	check_text(dfd, "a.txt", "hello\n");
	check_text(dfd, "sub/hard.txt", "hello\n");
	check_text(dfd, "sub/deep.txt", "deep\n");
	CU_ASSERT_EQUAL(fstatat(dfd, "a.txt", &a, 0), 0);
	CU_ASSERT_EQUAL(fstatat(dfd, "sub/hard.txt", &h, 0), 0);
	CU_ASSERT_EQUAL(a.st_ino, h.st_ino);	/* one file, two names */
	CU_ASSERT_EQUAL(a.st_nlink, 2);
	n = readlinkat(dfd, "ln", target, sizeof(target));
	CU_ASSERT(n == 5 && memcmp(target, "a.txt", 5) == 0);
	close(dfd);
}

static void
test_modes_links_main_thread(void)
{
	good_tree(0, "out-0");
}

static void
test_modes_links_workers(void)
{
	good_tree(3, "out-3");
}

static void
test_paths_and_parents(void)
{
	static const char *const paths[] = { "/sub/deep.txt" };
	struct optimg_extract_opts o;
	struct optimg_extract_result res;
	struct seen seen;
	struct stat sb;
	int dfd = new_target("out-paths");

	CU_ASSERT_FATAL(dfd >= 0);
	optimg_extract_opts_init(&o, dfd);
	o.paths = paths;
	o.npaths = 1;
	o.count_total = true;
	CU_ASSERT_EQUAL(extract(good_iso, &o, &res, &seen), 0);
	CU_ASSERT_EQUAL(res.files, 1);
	check_text(dfd, "sub/deep.txt", "deep\n");
	CU_ASSERT_EQUAL(fstatat(dfd, "a.txt", &sb, 0), -1);
	close(dfd);
}

static void
test_escapes_refused(void)
{
	struct optimg_extract_opts o;
	struct optimg_extract_result res;
	struct seen seen;
	struct stat sb;
	char abs_path[512], p[512];
	int dfd, i;

	for (i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), "deep%d", i);
		CU_ASSERT_FATAL(close(new_target(p)) == 0);
		snprintf(p, sizeof(p), "deep%d/a", i);
		CU_ASSERT_FATAL(close(new_target(p)) == 0);
		snprintf(p, sizeof(p), "deep%d/a/out", i);
		dfd = new_target(p);
		CU_ASSERT_FATAL(dfd >= 0);
		optimg_extract_opts_init(&o, dfd);
		o.threads = i == 0 ? 0 : 2;
		o.overwrite = i == 1;	/* changes nothing here */
		CU_ASSERT_EQUAL(extract(evil_iso, &o, &res, &seen), 0);
		CU_ASSERT_EQUAL(seen.n[OPTIMG_EXTRACT_REFUSED], 4);
		CU_ASSERT_EQUAL(res.failures, 4);
		CU_ASSERT(seen_path(&seen, "/../../escaped-1"));
		snprintf(abs_path, sizeof(abs_path), "/%s/escaped-2", outside);
		CU_ASSERT(seen_path(&seen, abs_path));
		CU_ASSERT(seen_path(&seen, "/.."));
		CU_ASSERT(seen_path(&seen, "/aaaa"));
		check_text(dfd, "ok.txt", "ok\n");
		CU_ASSERT_EQUAL(fstatat(dfd, "aaaa", &sb, AT_SYMLINK_NOFOLLOW),
		    0);
		CU_ASSERT(S_ISLNK(sb.st_mode));
		snprintf(p, sizeof(p), "%s/escaped-1", dir);
		CU_ASSERT_EQUAL(stat(p, &sb), -1);
		snprintf(p, sizeof(p), "%s/deep%d/escaped-1", dir, i);
		CU_ASSERT_EQUAL(stat(p, &sb), -1);
		snprintf(p, sizeof(p), "%s/deep%d/a/f", dir, i);
		CU_ASSERT_EQUAL(stat(p, &sb), -1);
		snprintf(p, sizeof(p), "%s/via", outside);
		CU_ASSERT_EQUAL(stat(p, &sb), -1);
		snprintf(p, sizeof(p), "%s/escaped-2", outside);
		CU_ASSERT_EQUAL(stat(p, &sb), -1);
		close(dfd);
	}
}

static void
test_dotdot_path_refused(void)
{
	static const char *const paths[] = { "/../x", "/ok.txt" };
	struct optimg_extract_opts o;
	struct optimg_extract_result res;
	struct seen seen;
	int dfd = new_target("out-dotdot");

	CU_ASSERT_FATAL(dfd >= 0);
	optimg_extract_opts_init(&o, dfd);
	o.paths = paths;
	o.npaths = 2;
	CU_ASSERT_EQUAL(extract(evil_iso, &o, &res, &seen), 0);
	CU_ASSERT_EQUAL(seen.n[OPTIMG_EXTRACT_REFUSED], 1);
	CU_ASSERT(seen_path(&seen, "/../x"));
	check_text(dfd, "ok.txt", "ok\n");
	close(dfd);
}

static void
test_existing_kept_unless_overwrite(void)
{
	static const char *const paths[] = { "/a.txt", "/sub" };
	struct optimg_extract_opts o;
	struct optimg_extract_result res;
	struct seen seen;
	int dfd = new_target("out-exists"), fd;

	CU_ASSERT_FATAL(dfd >= 0);
	fd = openat(dfd, "a.txt", O_WRONLY | O_CREAT, 0644);
	CU_ASSERT_EQUAL_FATAL(write(fd, "mine", 4), 4);
	close(fd);
	fd = openat(dfd, "sub", O_WRONLY | O_CREAT, 0644);	/* not a dir */
	close(fd);
	optimg_extract_opts_init(&o, dfd);
	o.paths = paths;
	o.npaths = 2;
	CU_ASSERT_EQUAL(extract(good_iso, &o, &res, &seen), 0);
	CU_ASSERT_EQUAL(seen.n[OPTIMG_EXTRACT_EXISTS], 1);
	CU_ASSERT_EQUAL(seen.n[OPTIMG_EXTRACT_NOT_DIR], 1);
	CU_ASSERT_EQUAL(res.failures, 2);
	check_text(dfd, "a.txt", "mine");
	o.overwrite = true;
	CU_ASSERT_EQUAL(extract(good_iso, &o, &res, &seen), 0);
	CU_ASSERT_EQUAL(res.failures, 0);
	check_text(dfd, "a.txt", "hello\n");
	check_text(dfd, "sub/deep.txt", "deep\n");
	close(dfd);
}

static void
test_devices_skipped(void)
{
	struct optimg_extract_opts o;
	struct optimg_extract_result res;
	struct seen seen;
	struct stat sb;
	char p[512], iso[512];
	int dfd;

	snprintf(p, sizeof(p), "%s/dev", dir);
	CU_ASSERT_FATAL(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/dev/null", dir);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		fprintf(stderr, "(no mknod: %s; skipped) ", strerror(errno));
		return;
	}
	snprintf(p, sizeof(p), "%s/dev/fifo", dir);
	CU_ASSERT_FATAL(mkfifo(p, 0640) == 0);
	snprintf(iso, sizeof(iso), "%s/dev.iso", dir);
	CU_ASSERT_FATAL(make_iso("dev", iso) == 0);
	dfd = new_target("out-dev");
	optimg_extract_opts_init(&o, dfd);
	o.devices = OPTIMG_EXTRACT_DEVICES_SKIP;
	CU_ASSERT_EQUAL(extract(iso, &o, &res, &seen), 0);
	CU_ASSERT_EQUAL(seen.n[OPTIMG_EXTRACT_DEVICE_SKIPPED], 1);
	CU_ASSERT_EQUAL(res.failures, 0);
	CU_ASSERT_EQUAL(res.specials, 1);
	CU_ASSERT_EQUAL(fstatat(dfd, "null", &sb, AT_SYMLINK_NOFOLLOW), -1);
	CU_ASSERT_EQUAL(fstatat(dfd, "fifo", &sb, AT_SYMLINK_NOFOLLOW), 0);
	CU_ASSERT(S_ISFIFO(sb.st_mode) && (sb.st_mode & 07777) == 0640);
	close(dfd);
}

static int
stop_now(void *ctx, uint64_t done, uint64_t total)
{
	(void)ctx;
	(void)done;
	(void)total;
	return 1;
}

static void
test_cancel(void)
{
	struct optimg_extract_opts o;
	struct optimg_extract_result res;
	struct seen seen;
	int dfd = new_target("out-cancel");

	optimg_extract_opts_init(&o, dfd);
	o.progress = stop_now;
	CU_ASSERT_EQUAL(extract(good_iso, &o, &res, &seen), OPTIMG_ECANCELED);
	CU_ASSERT_EQUAL(res.files, 0);
	close(dfd);
}

static CU_TestInfo extract_tests[] = {
	{ "modes, links, calling thread", test_modes_links_main_thread },
	{ "modes, links, workers", test_modes_links_workers },
	{ "one path with its parents", test_paths_and_parents },
	{ "escaping names refused", test_escapes_refused },
	{ "'..' in a path refused", test_dotdot_path_refused },
	{ "existing kept unless overwrite",
	  test_existing_kept_unless_overwrite },
	{ "device nodes skipped", test_devices_skipped },
	{ "cancel from progress", test_cancel },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "extract", .pInitFunc = setup, .pCleanupFunc = teardown,
	  .pTests = extract_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
