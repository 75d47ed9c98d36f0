#include "bits/blob_reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bits/markers.h"
#include "util/text.h"

void bits_blob_warn(bits_blob_reader *b, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    util_utf8_vformat(text, sizeof text, format, args);
    va_end(args);
    util_notes_addf(b->arena, b->warnings, "%s: %s", b->what, text);
}

bool bits_blob_truncated(bits_blob_reader *b, size_t at, const char *field)
{
    b->ran_out = true;
    bits_blob_warn(b, "truncated at offset 0x%zx while reading the %s", at, field);
    return false;
}

/* The number takers assign only after a successful read: a field the data
 * does not reach keeps the caller's "not read" default (e.g. a file's
 * bytes_total stays UINT64_MAX, unknown) instead of the reader's 0. */
bool bits_take_u8(bits_blob_reader *b, const char *field, uint8_t *out)
{
    size_t at = b->r.pos;
    uint8_t value = util_read_u8(&b->r);
    if (b->r.failed)
        return bits_blob_truncated(b, at, field);
    *out = value;
    return true;
}

bool bits_take_u32(bits_blob_reader *b, const char *field, uint32_t *out)
{
    size_t at = b->r.pos;
    uint32_t value = util_read_u32(&b->r);
    if (b->r.failed)
        return bits_blob_truncated(b, at, field);
    *out = value;
    return true;
}

bool bits_take_u64(bits_blob_reader *b, const char *field, uint64_t *out)
{
    size_t at = b->r.pos;
    uint64_t value = util_read_u64(&b->r);
    if (b->r.failed)
        return bits_blob_truncated(b, at, field);
    *out = value;
    return true;
}

bool bits_take_skip(bits_blob_reader *b, const char *field, size_t count)
{
    size_t at = b->r.pos;
    return util_reader_skip(&b->r, count) ? true : bits_blob_truncated(b, at, field);
}

bool bits_take_guid(bits_blob_reader *b, const char *field, const uint8_t **out)
{
    size_t at = b->r.pos;
    *out = util_read_bytes(&b->r, BITS_GUID_SIZE);
    return *out ? true : bits_blob_truncated(b, at, field);
}

bool bits_take_marker(bits_blob_reader *b, const char *field, const uint8_t *expected)
{
    size_t at = b->r.pos;
    const uint8_t *bytes = util_read_bytes(&b->r, BITS_GUID_SIZE);
    if (!bytes)
        return bits_blob_truncated(b, at, field);
    if (memcmp(bytes, expected, BITS_GUID_SIZE) != 0) {
        bits_blob_warn(b, "%s not found at offset 0x%zx", field, at);
        return false;
    }
    return true;
}

bool bits_take_wstr(bits_blob_reader *b, const char *field, const char **out)
{
    size_t at = b->r.pos;
    uint32_t units = util_read_u32(&b->r);
    if (b->r.failed)
        return bits_blob_truncated(b, at, field);
    if (units > BITS_WSTR_MAX_UNITS) {
        bits_blob_warn(b, "%s at offset 0x%zx claims %u UTF-16 units (limit %u)", field, at, units,
                       BITS_WSTR_MAX_UNITS);
        return false;
    }
    const uint8_t *bytes = util_read_bytes(&b->r, (size_t)units * 2);
    if (!bytes) {
        b->ran_out = true;
        bits_blob_warn(b, "truncated at offset 0x%zx while reading the %s (%u units, %zu bytes left)", at,
                       field, units, util_reader_left(&b->r));
        return false;
    }
    bool lossy = false;
    char *text = util_utf16le_to_utf8(b->arena, bytes, units, &lossy);
    if (!text)
        return false;
    if (lossy)
        bits_blob_warn(b, "%s at offset 0x%zx holds invalid UTF-16 (replaced with U+FFFD)", field, at);
    if (units > 0 && util_le16(bytes + 2 * ((size_t)units - 1)) != 0)
        bits_blob_warn(b, "%s at offset 0x%zx is not NUL-terminated", field, at);
    *out = text;
    return true;
}

bool bits_take_optional_wstr(bits_blob_reader *b, const char *field, const char **out)
{
    uint8_t present;
    if (!bits_take_u8(b, field, &present))
        return false;
    return present ? bits_take_wstr(b, field, out) : true;
}

bool bits_take_counted_block(bits_blob_reader *b, const char *field, size_t item_size, uint32_t *count)
{
    size_t at = b->r.pos;
    if (!bits_take_u32(b, field, count))
        return false;
    if (*count > util_reader_left(&b->r) / item_size) {
        bits_blob_warn(b, "%s count %u at offset 0x%zx does not fit (%zu bytes left)", field, *count, at,
                       util_reader_left(&b->r));
        return false;
    }
    return bits_take_skip(b, field, (size_t)*count * item_size);
}

size_t bits_find_bytes(const util_reader *r, size_t from, const uint8_t *needle, size_t length)
{
    if (from > r->size || r->size - from < length)
        return SIZE_MAX;
    util_reader view = util_reader_sub(r, from, r->size - from);
    const uint8_t *hay = util_read_bytes(&view, view.size);
    for (size_t i = 0; hay && i + length <= view.size; i++)
        if (hay[i] == needle[0] && memcmp(hay + i, needle, length) == 0)
            return from + i;
    return SIZE_MAX;
}
