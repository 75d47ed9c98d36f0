/* libFuzzer target: an ESE qmgr.db read through bp_parse_memory (inputs
 * without the ESE signature are skipped, so every run takes the ESE path):
 * header election, catalog, Jobs/Files records, long values, blob decoding
 * and the join.
 * Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_ese_qmgr(data, size);
    return 0;
}
