/* libFuzzer target: the file blob decoder (bits_decode_file).
 * Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_file_blob(data, size);
    return 0;
}
