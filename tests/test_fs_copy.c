/*
 * test_fs_copy.c - optimg_fs_copy_out(): a file's bytes land exactly, zero
 * blocks become holes, on each of its routes: the kernel's copy between
 * two files of one file system (data page-aligned in the image or half a
 * page off), sendfile across file systems, and the buffer (raw 2352-byte
 * sectors of a BIN/CUE).  The images are made with
 * optimg's own writer; what is checked is the copy, byte for byte, against
 * the bytes the test wrote, and the holes through SEEK_DATA/SEEK_HOLE.
 */
#include "config.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "fs_private.h"
#include "cunit_main.h"

#define KIB		1024u
#define MIB		(1024u * KIB)
#define HOLES_SIZE	(3 * MIB + 1000)	/* holes.bin */
#define ZEROS_SIZE	(200 * KIB)		/* zeros.bin */

static char dir[64];
static char iso[128], cue[128], shm_iso[128];

/* holes.bin: data, then zeros over [1 MiB, 2 MiB + 64 KiB), then data. */
static uint8_t
holes_byte(size_t i)
{
	uint32_t x = (uint32_t)i * 2654435761u;

	if (i >= MIB && i < 2 * MIB + 64 * KIB)
		return 0;
	x ^= x >> 15;
	return (uint8_t)(x | 1);	/* never zero: no hole by chance */
}

static int
put_file(const char *name, size_t size, uint8_t (*byte)(size_t))
{
	char p[160];
	uint8_t *buf = malloc(size ? size : 1);
	FILE *f;
	size_t i;

	snprintf(p, sizeof(p), "%s/src/%s", dir, name);
	f = fopen(p, "wb");
	if (f == NULL || buf == NULL)
		return -1;
	for (i = 0; i < size; i++)
		buf[i] = byte != NULL ? byte(i) : 0;
	fwrite(buf, 1, size, f);
	free(buf);
	return fclose(f);
}

static uint8_t
text_byte(size_t i)
{
	return (uint8_t)"hello\n"[i % 6];
}

static int
copy_file(const char *from, const char *to)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	return system(cmd);
}

static int
setup(void)
{
	struct optimg_mkiso_source src = { NULL, NULL };
	struct optimg_mkiso_opts o;
	struct optimg_convert_opts co;
	struct optimg_error err;
	struct optimg_image *img;
	char srcdir[96];
	int rc;

	snprintf(dir, sizeof(dir), "/tmp/test_fs_copy.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(srcdir, sizeof(srcdir), "%s/src", dir);
	if (mkdir(srcdir, 0755) < 0 ||
	    put_file("holes.bin", HOLES_SIZE, holes_byte) < 0 ||
	    put_file("holes2.bin", HOLES_SIZE, holes_byte) < 0 ||
	    put_file("zeros.bin", ZEROS_SIZE, NULL) < 0 ||
	    put_file("small.txt", 6, text_byte) < 0)
		return 1;
	memset(&o, 0, sizeof(o));
	src.path = srcdir;
	o.sources = &src;
	o.nsources = 1;
	snprintf(iso, sizeof(iso), "%s/img.iso", dir);
	snprintf(cue, sizeof(cue), "%s/img.cue", dir);
	if (optimg_mkiso(&o, iso, &err) < 0) {
		fprintf(stderr, "mkiso: %s\n", err.message);
		return 1;
	}
	memset(&co, 0, sizeof(co));
	img = optimg_image_new();
	rc = img == NULL || optimg_image_open(img, iso) < 0 ||
	    optimg_convert(img, cue, &co, &err) < 0;
	optimg_image_free(img);
	/* The same image on another file system, when there is one. */
	snprintf(shm_iso, sizeof(shm_iso), "/dev/shm/test_fs_copy.%ld.iso",
	    (long)getpid());
	if (copy_file(iso, shm_iso) != 0)
		shm_iso[0] = '\0';
	return rc;
}

static int
teardown(void)
{
	char cmd[128];

	if (shm_iso[0] != '\0')
		unlink(shm_iso);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) != 0;
}

struct opened {
	struct optimg_image	*img;
	struct optimg_fs	*fs;
	struct optimg_fs_stat	*st;
};

static int
open_file(const char *image, const char *path, struct opened *o)
{
	struct optimg_error err;

	memset(o, 0, sizeof(*o));
	o->img = optimg_image_new();
	if (o->img == NULL || optimg_image_open(o->img, image) < 0 ||
	    optimg_fs_open(o->img, NULL, &o->fs, &err) < 0 ||
	    optimg_fs_lookup(o->fs, path, &o->st) < 0)
		return -1;
	return 0;
}

static void
close_file(struct opened *o)
{
	optimg_fs_stat_free(o->st);
	optimg_fs_free(o->fs);
	optimg_image_free(o->img);
}

static int
new_output(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	unlink(p);
	return open(p, O_RDWR | O_CREAT | O_EXCL, 0644);
}

/* The copy in fd holds exactly size bytes of byte(i) (NULL: zeros). */
static void
check_bytes(int fd, size_t size, uint8_t (*byte)(size_t))
{
	uint8_t *buf = malloc(size + 1);
	size_t i;

	CU_ASSERT_FATAL(buf != NULL);
	CU_ASSERT_EQUAL(pread(fd, buf, size + 1, 0), (ssize_t)size);
	for (i = 0; i < size; i++)
		if (buf[i] != (byte != NULL ? byte(i) : 0))
			break;
	CU_ASSERT_EQUAL(i, size);
	free(buf);
}

/* Copies path (holes.bin or holes2.bin) out of image: bytes and holes. */
static void
copy_holes(const char *image, const char *path, const char *outname,
    struct opened *o)
{
	int fd;

	CU_ASSERT_EQUAL_FATAL(open_file(image, path, o), 0);
	fd = new_output(outname);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(optimg_fs_copy_out(o->fs, o->st, fd, NULL, NULL), 0);
	check_bytes(fd, HOLES_SIZE, holes_byte);
	CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_HOLE), (off_t)MIB);
	CU_ASSERT_EQUAL(lseek(fd, MIB, SEEK_DATA), (off_t)(2 * MIB + 64 * KIB));
	close(fd);
}

/*
 * holes.bin is 1537 sectors long, so holes2.bin after it starts on the
 * other kind of sector: one of them lies page-aligned in the image and
 * the kernel copies it; the other is half a page off and passes through
 * the buffer.  Both come out with the same bytes and holes.
 */
static void
test_kernel_copy(void)
{
	const char *paths[] = { "/holes.bin", "/holes2.bin" };
	unsigned i, odd = 0;
	struct opened o;

	for (i = 0; i < 2; i++) {
		copy_holes(iso, paths[i], "k-holes.bin", &o);
		if ((uint64_t)o.st->lba * 2048 % 4096 != 0) {
			odd++;
			CU_ASSERT_EQUAL(o.fs->kernel_copied, 0);
		} else {
			CU_ASSERT_FALSE(o.fs->no_copy_range);
			/* The first 1 MiB and the data after the hole. */
			CU_ASSERT(o.fs->kernel_copied >= 2 * MIB - 64 * KIB);
		}
		close_file(&o);
	}
	CU_ASSERT_EQUAL(odd, 1);
}

static void
test_sendfile(void)
{
	struct statfs a, b;
	struct opened o;

	if (shm_iso[0] == '\0' || statfs(shm_iso, &a) < 0 ||
	    statfs(dir, &b) < 0 || a.f_type == b.f_type) {
		fprintf(stderr, "\nSKIP: no second file system at /dev/shm; "
		    "the sendfile route is untested\n");
		return;
	}
	copy_holes(shm_iso, "/holes.bin", "s-holes.bin", &o);
	if (o.st->lba % 2 != 0) {
		close_file(&o);
		copy_holes(shm_iso, "/holes2.bin", "s-holes.bin", &o);
	}
	CU_ASSERT_TRUE(o.fs->no_copy_range);	/* EXDEV, ... */
	CU_ASSERT_FALSE(o.fs->no_sendfile);
	CU_ASSERT(o.fs->kernel_copied >= 2 * MIB - 64 * KIB);
	close_file(&o);
}

static void
test_buffered(void)
{
	struct oi_plain_span sp;
	struct opened o;

	copy_holes(cue, "/holes.bin", "b-holes.bin", &o);
	/* Raw sectors: the kernel cannot copy them as they are. */
	CU_ASSERT_EQUAL(oi_image_plain_span(o.img, (int32_t)o.st->lba, 1, &sp),
	    OPTIMG_EUNSUPP);
	CU_ASSERT_EQUAL(o.fs->kernel_copied, 0);
	close_file(&o);
}

static void
test_small_and_zeros(void)
{
	const char *images[] = { iso, cue };
	struct opened o;
	unsigned i;
	int fd;

	for (i = 0; i < 2; i++) {
		CU_ASSERT_EQUAL_FATAL(open_file(images[i], "/small.txt", &o), 0);
		fd = new_output("small.txt");
		CU_ASSERT_EQUAL(optimg_fs_copy_out(o.fs, o.st, fd, NULL, NULL),
		    0);
		check_bytes(fd, 6, text_byte);
		close(fd);
		close_file(&o);

		CU_ASSERT_EQUAL_FATAL(open_file(images[i], "/zeros.bin", &o), 0);
		fd = new_output("zeros.bin");
		CU_ASSERT_EQUAL(optimg_fs_copy_out(o.fs, o.st, fd, NULL, NULL),
		    0);
		check_bytes(fd, ZEROS_SIZE, NULL);
		/* Three whole 64 KiB blocks are holes; the 8 KiB tail is not. */
		CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_DATA), (off_t)(192 * KIB));
		close(fd);
		close_file(&o);
	}
}

static int
stop_at_once(void *ctx, uint64_t bytes)
{
	(void)bytes;
	return ++*(unsigned *)ctx > 0;
}

static void
test_cancel(void)
{
	struct opened o;
	unsigned calls = 0;
	int fd;

	CU_ASSERT_EQUAL_FATAL(open_file(iso, "/holes.bin", &o), 0);
	fd = new_output("c-holes.bin");
	CU_ASSERT_EQUAL(optimg_fs_copy_out(o.fs, o.st, fd, stop_at_once,
	    &calls), OPTIMG_ECANCELED);
	CU_ASSERT_EQUAL(calls, 1);
	close(fd);
	close_file(&o);
}

static void
test_errors(void)
{
	char cut[128];
	struct opened o;
	int fd;

	/* A directory is not copied. */
	CU_ASSERT_EQUAL_FATAL(open_file(iso, "/", &o), 0);
	fd = new_output("dir.bin");
	CU_ASSERT_EQUAL(optimg_fs_copy_out(o.fs, o.st, fd, NULL, NULL),
	    OPTIMG_EINVAL);
	close(fd);
	close_file(&o);

	/* The image cut inside holes.bin: an error, not a short copy. */
	snprintf(cut, sizeof(cut), "%s/cut.iso", dir);
	CU_ASSERT_EQUAL_FATAL(copy_file(iso, cut), 0);
	CU_ASSERT_EQUAL_FATAL(open_file(cut, "/holes.bin", &o), 0);
	CU_ASSERT_EQUAL(truncate(cut, (off_t)o.st->lba * 2048 + MIB / 2), 0);
	fd = new_output("cut.bin");
	CU_ASSERT(optimg_fs_copy_out(o.fs, o.st, fd, NULL, NULL) < 0);
	CU_ASSERT(strstr(optimg_fs_errmsg(o.fs), "ends early") != NULL);
	close(fd);
	close_file(&o);
	/* Opened after the cut, the entry itself is refused. */
	CU_ASSERT_NOT_EQUAL(open_file(cut, "/holes.bin", &o), 0);
	CU_ASSERT_PTR_NULL(o.st);
	close_file(&o);
}

static CU_TestInfo copy_tests[] = {
	{ "kernel copy keeps bytes and holes", test_kernel_copy },
	{ "sendfile across file systems", test_sendfile },
	{ "raw sectors through the buffer", test_buffered },
	{ "small files and all-zero files", test_small_and_zeros },
	{ "progress callback stops the copy", test_cancel },
	{ "directories and cut images fail", test_errors },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "fs_copy", .pInitFunc = setup, .pCleanupFunc = teardown,
	  .pTests = copy_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
