/* Writer of legacy BITS state files (qmgr0.dat / qmgr1.dat), bare job records
 * and bare file lists from a JSON description: the fixture generator of the
 * legacy tests and of `mklegacy`. The description format is in README.md next
 * to this file and in docs/format-legacy.md §7. It writes what the notes
 * (bits-format §6) describe and is independent of the decoder: it shares no
 * code with src/ (CRC-32 from zlib, its own UTF-16 and SID encoders). */
#ifndef MKLEGACY_LEGACY_WRITER_H
#define MKLEGACY_LEGACY_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Build the bytes `desc` describes. Returns a malloc'ed buffer of *size bytes,
 * or NULL with a message in `error`. */
uint8_t *mklegacy_build(const cJSON *desc, size_t *size, char *error, size_t error_size);

/* The same from JSON text. */
uint8_t *mklegacy_build_text(const char *json, size_t *size, char *error, size_t error_size);

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (braces optional, any case) -> the 16
 * bytes in Windows memory order. */
bool mklegacy_parse_guid(const char *text, uint8_t out[16]);

/* A number of the description as the writer reads it: a JSON number (exact up
 * to 2^53; negative = two's complement), a decimal or 0x string, or an RFC 3339
 * time (-> FILETIME). false when it is none of these. */
bool mklegacy_json_u64(const cJSON *value, uint64_t *out);

/* RFC 3339 UTC "YYYY-MM-DDTHH:MM:SS[.f{1,7}]Z" -> FILETIME. */
bool mklegacy_parse_time(const char *text, uint64_t *out);

#endif
