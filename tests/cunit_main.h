/*
 * cunit_main.h - the main() every CUnit suite program shares.  Include it
 * once, after defining the suites array; the exit status is 1 when a
 * test failed, so automake sees a failed suite as failed, else 77 (SKIP)
 * when a test found its data missing (testdata.h), else 0.
 */
#ifndef CUNIT_MAIN_H
#define CUNIT_MAIN_H

#include <CUnit/Basic.h>

#ifndef OI_TEST_SKIPS
#define OI_TEST_SKIPS
static unsigned oi_test_skips;
#endif

#define OI_CUNIT_MAIN(suites)						\
int									\
main(void)								\
{									\
	unsigned failures;						\
									\
	if (CU_initialize_registry() != CUE_SUCCESS)			\
		return 99;						\
	if (CU_register_suites(suites) != CUE_SUCCESS)			\
		return 99;						\
	CU_basic_set_mode(CU_BRM_VERBOSE);				\
	CU_basic_run_tests();						\
	failures = CU_get_number_of_failures() +			\
	    CU_get_number_of_suites_failed();				\
	CU_cleanup_registry();						\
	if (failures > 0)						\
		return 1;						\
	return oi_test_skips > 0 ? 77 : 0;				\
}

#endif
