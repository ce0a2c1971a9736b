/*
 * test_arena.c - the bump arena mkiso keeps its tree in: pieces are
 * zeroed, aligned, distinct and intact after many chunks; big pieces
 * do not waste the current chunk; release empties it for reuse.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "arena.h"
#include "cunit_main.h"

static void
test_small_pieces(void)
{
	struct oi_arena a = { 0 };
	char *p[5000];
	unsigned i;

	/* 5000 * ~30 bytes spans several 64 KiB chunks. */
	for (i = 0; i < 5000; i++) {
		char name[40];
		snprintf(name, sizeof(name), "name-%u-%.*s", i, (int)(i % 17),
		    "xxxxxxxxxxxxxxxxx");
		p[i] = oi_arena_strdup(&a, name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p[i]);
		CU_ASSERT_EQUAL((uintptr_t)p[i] % 8, 0);
	}
	for (i = 0; i < 5000; i++) {
		char name[40];
		snprintf(name, sizeof(name), "name-%u-%.*s", i, (int)(i % 17),
		    "xxxxxxxxxxxxxxxxx");
		CU_ASSERT_STRING_EQUAL(p[i], name);
	}
	oi_arena_release(&a);
	CU_ASSERT_PTR_NULL(a.head);
}

static void
test_zeroed_and_big(void)
{
	struct oi_arena a = { 0 };
	uint8_t *s1, *big, *s2, *huge;
	size_t i;
	bool zero = true;

	s1 = oi_arena_alloc(&a, 60000);		/* most of a chunk */
	big = oi_arena_alloc(&a, 40000);	/* does not fit: apart */
	s2 = oi_arena_alloc(&a, 24);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s2);
	/* The small piece still goes into the first chunk's rest. */
	CU_ASSERT_EQUAL(s2, s1 + 60000);
	for (i = 0; i < 40000; i++)
		zero &= big[i] == 0;
	CU_ASSERT(zero);
	memset(big, 0xAA, 40000);
	huge = oi_arena_alloc(&a, 1u << 20);	/* bigger than a chunk */
	CU_ASSERT_PTR_NOT_NULL_FATAL(huge);
	CU_ASSERT_EQUAL(huge[0] | huge[(1u << 20) - 1], 0);
	CU_ASSERT_EQUAL(s1[0] | s1[59999] | s2[23], 0);
	CU_ASSERT_PTR_NOT_NULL(oi_arena_alloc(&a, 0));
	CU_ASSERT_STRING_EQUAL(oi_arena_strndup(&a, "abcdef", 3), "abc");
	oi_arena_release(&a);
	/* Usable again after release. */
	CU_ASSERT_PTR_NOT_NULL(oi_arena_strdup(&a, "again"));
	oi_arena_release(&a);
}

static CU_TestInfo arena_tests[] = {
	{ "many small pieces over many chunks", test_small_pieces },
	{ "zeroed pieces, big ones apart", test_zeroed_and_big },
	CU_TEST_INFO_NULL
};

static CU_SuiteInfo suites[] = {
	{ .pName = "arena", .pTests = arena_tests },
	CU_SUITE_INFO_NULL
};

OI_CUNIT_MAIN(suites)
