/* libFuzzer target: any ESE database walked through the src/ese API: every
 * page and tag, table, record, column, index tree and long value.
 * Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ese_walk(data, size);
    return 0;
}
