/*
 * fuzz.h - the libFuzzer entry point each tests/fuzz/fuzz_*.c defines.
 * Linked with -fsanitize=fuzzer it is driven by libFuzzer; linked with
 * replay_main.c it replays a corpus under make check.
 */
#ifndef OI_FUZZ_H
#define OI_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
