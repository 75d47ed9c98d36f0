/* Validation of carved candidates before they become records (bits-format
 * §7.3). A candidate is rejected on any field that is present and wrong; a
 * candidate that is only cut short (the data ends before its footer) but is
 * right as far as it goes is kept as partial, with a note naming what is
 * missing. */
#ifndef BP_CARVE_VALIDATE_H
#define BP_CARVE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"

typedef enum carve_verdict {
    CARVE_REJECT = 0,
    CARVE_PARTIAL,     /* right as far as it goes, but cut short */
    CARVE_FULL,        /* decoded to its footer, every check passed */
} carve_verdict;

/* FILETIMEs accepted in carved data: zero, or 1990-01-01 to 2100-01-01. */
#define CARVE_FILETIME_MIN 122756256000000000ull
#define CARVE_FILETIME_MAX 157469184000000000ull

bool carve_filetime_ok(uint64_t filetime);
/* A GUID text that is neither all zeros nor all ones. */
bool carve_guid_text_ok(const char *text);
/* "S-1-" followed by dash-separated decimal numbers. */
bool carve_sid_text_ok(const char *text);

/* Strict check of `count` counted UTF-16 strings at data[offset] (bits-format
 * §7.3): 1 <= units <= 32768, last unit NUL, no other NUL, well-formed
 * surrogates. Returns false for a string that is wrong inside the data; *cut
 * is set when the data ends before the strings do. *end receives the offset
 * after the last complete string. */
bool carve_strings_ok(const uint8_t *data, size_t size, size_t offset, unsigned count, bool *cut, size_t *end);

/* A decoded ESE-era or legacy job of `size` bytes. `missing` (at least 160
 * bytes) receives what a partial job lacks. */
carve_verdict carve_check_job(const bp_job *job, const uint8_t *blob, size_t size, char *missing, size_t missing_size);

/* A decoded file (ESE-era blob or legacy file record). `strings_at` is the
 * offset of its first counted string in `blob` (16 after a file marker, 0 for
 * a legacy record). */
carve_verdict carve_check_file(const bp_file *file, const uint8_t *blob, size_t size, size_t strings_at,
                               char *missing, size_t missing_size);

#endif
