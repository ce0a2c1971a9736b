/*
 * cunit_main.h - the main() every CUnit suite program shares.  Include it
 * once, after defining the suites array; the exit status is the number of
 * failures (capped), so automake sees a failed suite as failed.
 */
#ifndef CUNIT_MAIN_H
#define CUNIT_MAIN_H

#include <CUnit/Basic.h>

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
	return failures > 0 ? 1 : 0;					\
}

#endif
