/* libFuzzer target: bp_parse_memory_ex with carving (recovery of deleted and
 * unreferenced jobs from ESE input, the raw marker scan on any other input),
 * then the built-in detection rules and every output format.
 * Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_carve(data, size);
    return 0;
}
