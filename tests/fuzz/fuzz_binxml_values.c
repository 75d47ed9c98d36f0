/* libFuzzer target: an event record's binary XML as binxml_event_data_values
 * reads it (template instances, nested type-0x21 fragments, value
 * descriptors). Input: the record's offset in its chunk (u16 LE), then the
 * chunk. Build: cmake -DBITSPARSE_FUZZ=ON (clang); run: see docs/hardening.md. */
#include "fuzz_targets.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_binxml_values(data, size);
    return 0;
}
