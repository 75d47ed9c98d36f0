/* libFuzzer target: ESE value decompression (7-bit ASCII/Unicode,
 * Xpress) on raw bytes.
 * Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_decompress(data, size);
    return 0;
}
