/* Text conversions shared by every decoder: UTF-16LE to UTF-8, GUIDs,
 * FILETIMEs and hex. All output goes to the arena. */
#ifndef BP_UTIL_TEXT_H
#define BP_UTIL_TEXT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/arena.h"

/* Convert `units` UTF-16LE code units at `bytes` to UTF-8. Lone surrogates
 * become U+FFFD and set *lossy (when given). The first NUL ends the text. */
char *util_utf16le_to_utf8(util_arena *arena, const uint8_t *bytes, size_t units, bool *lossy);

/* Latin-1 / code page bytes to UTF-8 (each byte one code point). */
char *util_latin1_to_utf8(util_arena *arena, const uint8_t *bytes, size_t length);

/* vsnprintf into a fixed buffer, keeping the result valid UTF-8 (when the
 * arguments are): a text cut to fit must not end inside a multi-byte sequence,
 * or every writer would print invalid UTF-8 (warnings quote decoded strings). */
void util_utf8_vformat(char *out, size_t size, const char *format, va_list args)
    __attribute__((format(printf, 3, 0)));

/* GUID in Windows memory order -> "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (lower case). */
void util_guid_format(const uint8_t guid[16], char out[37]);
char *util_guid_string(util_arena *arena, const uint8_t guid[16]);
bool util_guid_is_zero(const uint8_t guid[16]);

/* Hex of a byte string, lower case. */
char *util_hex_string(util_arena *arena, const uint8_t *bytes, size_t length);

/* FILETIME (100 ns since 1601-01-01 UTC) -> RFC 3339, 7 fractional digits, Z.
 * 0 gives "". Values past year 9999 give "". */
void util_filetime_format(uint64_t filetime, char out[32]);

#endif
