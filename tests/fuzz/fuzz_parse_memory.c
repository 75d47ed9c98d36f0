/* libFuzzer target: the whole bp_parse_memory dispatcher (every input
 * format it recognises), then the JSON and CSV writers on the result.
 * Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_parse_memory(data, size);
    return 0;
}
