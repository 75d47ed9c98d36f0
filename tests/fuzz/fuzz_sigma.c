/* libFuzzer target: the input as one Sigma rule (loader, condition parser,
 * values and regex translation); a rule that loads is evaluated on the fixed
 * queue records of testdata/sigma-queue.qmgr.db and every output format is
 * rendered. Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_sigma(data, size);
    return 0;
}
