/*
 * test_safety.c - hostile text quoting (quote.c) and the output placement
 * rule (place.c).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "oi_private.h"
#include "outfile.h"
#include "place.h"

static void
check_shell(const char *in, size_t len, const char *want)
{
	char *q = optimg_quote_shell(in, len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_STRING_EQUAL(q, want);
	free(q);
}

static void
test_shell(void)
{
	check_shell("plain name.txt", 14, "plain name.txt");
	check_shell("日本.txt", strlen("日本.txt"), "日本.txt");
	check_shell("red\033[31m", 8, "'red'$'\\033''[31m'");
	check_shell("\n", 1, "$'\\n'");
	check_shell("it's\n", 5, "'it'\\''s'$'\\n'");
	check_shell("a\xff", 2, "'a'$'\\377'");
	/* overlong '/', a surrogate, a C1 control, a bidi override */
	check_shell("\xc0\xaf", 2, "$'\\300\\257'");
	check_shell("\xed\xa0\x80", 3, "$'\\355\\240\\200'");
	check_shell("\xc2\x9b", 2, "$'\\233'");
	check_shell("x\xe2\x80\xaey", 5, "'x'$'\\u202e''y'");
	check_shell("truncated\xe6\x97", 11, "'truncated'$'\\346\\227'");
}

static void
test_c_and_repair(void)
{
	char *q = optimg_quote_c("a\033b\xff" "c", 5);
	bool changed;

	CU_ASSERT_STRING_EQUAL(q, "a\\033b\\377c");
	free(q);
	q = optimg_utf8_repair("a\xffz\xe6\x97", 5, &changed);
	CU_ASSERT_TRUE(changed);
	CU_ASSERT_STRING_EQUAL(q, "a\xef\xbf\xbdz\xef\xbf\xbd\xef\xbf\xbd");
	free(q);
	q = optimg_utf8_repair("ok \xe6\x97\xa5", 6, &changed);
	CU_ASSERT_FALSE(changed);
	CU_ASSERT_STRING_EQUAL(q, "ok \xe6\x97\xa5");
	free(q);
	CU_ASSERT_TRUE(optimg_text_is_safe("", 0));
	CU_ASSERT_FALSE(optimg_text_is_safe("\x7f", 1));
}

/* A path too long for a message is shortened in the middle, the reason
 * kept. */
static void
test_long_message(void)
{
	struct optimg_error err;
	char *path = malloc(5001);
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	memset(path, 'a', 5000);
	path[0] = '/';
	memcpy(path + 4990, "/end.txt", 9);
	errno = ENOENT;
	oi_set_errno(&err, OPTIMG_EIO, "cannot open '%s'", path);
	n = strlen(err.message);
	CU_ASSERT(n < sizeof(err.message));
	CU_ASSERT(n > sizeof(err.message) - 8);
	CU_ASSERT_NSTRING_EQUAL(err.message, "cannot open '/aaa", 17);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "..."));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message,
	    "/end.txt': No such file or directory"));
	oi_set_error(&err, OPTIMG_EIO, "short '%s'", "x");
	CU_ASSERT_STRING_EQUAL(err.message, "short 'x'");
	free(path);
}

static char dir[64];

static void
test_place(void)
{
	struct optimg_error err;
	char src[128], in_src[160], file[128], other[128], link[128];
	const char *in[1];

	snprintf(dir, sizeof(dir), "/tmp/oi-place.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(src, sizeof(src), "%s/src", dir);
	snprintf(in_src, sizeof(in_src), "%s/src/sub/../out.iso", dir);
	snprintf(file, sizeof(file), "%s/src/f", dir);
	snprintf(other, sizeof(other), "%s/out.iso", dir);
	snprintf(link, sizeof(link), "%s/l", dir);
	CU_ASSERT_EQUAL_FATAL(mkdir(src, 0700), 0);
	{
		char sub[128];
		snprintf(sub, sizeof(sub), "%s/src/sub", dir);
		CU_ASSERT_EQUAL_FATAL(mkdir(sub, 0700), 0);
	}
	fclose(fopen(file, "w"));
	CU_ASSERT_EQUAL_FATAL(symlink(src, link), 0);

	in[0] = src;
	CU_ASSERT_EQUAL(oi_place_check(other, in, 1, &err), OPTIMG_OK);
	CU_ASSERT_EQUAL(oi_place_check(in_src, in, 1, &err), OPTIMG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "lies inside the input"));
	CU_ASSERT_EQUAL(oi_place_check(file, in, 1, &err), OPTIMG_EINVAL);
	{
		char via[160];
		snprintf(via, sizeof(via), "%s/l/new.iso", dir);
		CU_ASSERT_EQUAL(oi_place_check(via, in, 1, &err),
		    OPTIMG_EINVAL);
	}
	in[0] = file;
	CU_ASSERT_EQUAL(oi_place_check(file, in, 1, &err), OPTIMG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "is the input"));
	CU_ASSERT_EQUAL(oi_place_check(other, in, 1, &err), OPTIMG_OK);
	/* An output that would hold an input: the directory above it. */
	CU_ASSERT_EQUAL(oi_place_check(src, in, 1, &err), OPTIMG_EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "holds the input"));
	{
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
}

/* Which names are our temporary files: only ".BASE.PID.TAG.part". */
static void
test_part_name(void)
{
	static const struct {
		const char	*name;
		long		 pid;	/* 0: not one of ours */
	} cases[] = {
		{ ".x.bin.1234.aB3dE9.part", 1234 },
		{ ".k (Track 1).bin.77.00000a.part", 77 },
		{ ".a.b.c.9.zzzzzz.part", 9 },
		{ ".x.bin.0123.aB3dE9.part", 0 },	/* leading zero */
		{ ".x.bin.12a.aB3dE9.part", 0 },
		{ ".x.bin.1234.aB3dE.part", 0 },	/* five-letter tag */
		{ ".x.bin.1234.aB-dE9.part", 0 },
		{ "x.bin.1234.aB3dE9.part", 0 },	/* not hidden */
		{ "..1234.aB3dE9.part", 0 },		/* no base */
		{ ".x.bin.part", 0 },			/* rip's resumable part */
		{ ".x (Track 1).bin.part", 0 },
		{ ".foo.123.iso.part", 0 },
		{ ".x.bin.1234.aB3dE9.parts", 0 },
		{ ".x.bin.99999999999999999999.aB3dE9.part", 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long pid = 0;
		bool ok = oi_part_name(cases[i].name, &pid);

		CU_ASSERT_EQUAL(ok, cases[i].pid != 0);
		if (ok)
			CU_ASSERT_EQUAL(pid, cases[i].pid);
	}
}

static CU_TestInfo quote_tests[] = {
	{ "shell-escape quoting as ls does", test_shell },
	{ "C escapes and UTF-8 repair", test_c_and_repair },
	{ "long paths shortened in the middle", test_long_message },
	CU_TEST_INFO_NULL
};

static CU_TestInfo place_tests[] = {
	{ "is, inside, holds", test_place },
	{ "temporary file names", test_part_name },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "quote", .pTests = quote_tests },
	{ .pName = "place", .pTests = place_tests },
	CU_SUITE_INFO_NULL
};

#include "cunit_main.h"
OI_CUNIT_MAIN(suites)
