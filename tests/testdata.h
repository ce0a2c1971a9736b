/*
 * testdata.h - where the CUnit suites find libcdio's test images.
 */
#ifndef TESTDATA_H
#define TESTDATA_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Tests that found their data missing; cunit_main.h exits 77 on them. */
#ifndef OI_TEST_SKIPS
#define OI_TEST_SKIPS
static unsigned oi_test_skips;
#endif

/*
 * The path of one of libcdio's test files: in $TESTDATA (set by make
 * check), else in ../shared/testdata/libcdio beside the source tree.
 * Returns NULL, after saying SKIP loudly, when the file is not there;
 * the program then exits 77 (automake's SKIP) unless a test failed.
 * The path stays valid until the next call.
 */
static inline const char *
test_data_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("TESTDATA"), *src = getenv("SRCDIR");

	if (dir != NULL && *dir != '\0')
		snprintf(path, sizeof(path), "%s/%s", dir, name);
	else if (src != NULL && *src != '\0')
		snprintf(path, sizeof(path), "%s/../shared/testdata/libcdio/%s",
		    src, name);
	else
		snprintf(path, sizeof(path), "../shared/testdata/libcdio/%s",
		    name);
	if (access(path, R_OK) != 0) {
		fflush(stdout);	/* CUnit's line may still be open */
		fprintf(stderr, "\n  SKIP: libcdio test data '%s' is missing "
		    "(set TESTDATA)\n", path);
		oi_test_skips++;
		return NULL;
	}
	return path;
}

#endif
