/* ESE-era file blob (bits-format §5). Fields 2-9 (paths, byte counts, volume)
 * are the prefix every version shares; the tail after them is decoded when it
 * follows the known layout and otherwise left with a warning. */
#include "bits/file_blob.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bits/markers.h"
#include "util/reader.h"
#include "util/text.h"

typedef struct file_decoder {
    bp_arena *arena;
    bp_reader r;
    bp_file *file;
} file_decoder;

/* ---- warnings and field readers ------------------------------------------------------- */

static void file_warn(file_decoder *d, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void file_warn(file_decoder *d, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    bp_notes_addf(d->arena, &d->file->warnings, "file blob: %s", text);
}

static bool truncated(file_decoder *d, size_t at, const char *field)
{
    file_warn(d, "truncated at offset 0x%zx while reading the %s", at, field);
    return false;
}

static bool take_u8(file_decoder *d, const char *field, uint8_t *out)
{
    size_t at = d->r.pos;
    *out = bp_read_u8(&d->r);
    return d->r.failed ? truncated(d, at, field) : true;
}

static bool take_u32(file_decoder *d, const char *field, uint32_t *out)
{
    size_t at = d->r.pos;
    *out = bp_read_u32(&d->r);
    return d->r.failed ? truncated(d, at, field) : true;
}

static bool take_u64(file_decoder *d, const char *field, uint64_t *out)
{
    size_t at = d->r.pos;
    *out = bp_read_u64(&d->r);
    return d->r.failed ? truncated(d, at, field) : true;
}

static bool take_skip(file_decoder *d, const char *field, size_t count)
{
    size_t at = d->r.pos;
    return bp_reader_skip(&d->r, count) ? true : truncated(d, at, field);
}

/* Reads 16 bytes and checks them against `expected`. */
static bool take_marker(file_decoder *d, const char *field, const uint8_t *expected)
{
    size_t at = d->r.pos;
    const uint8_t *bytes = bp_read_bytes(&d->r, BITS_GUID_SIZE);
    if (!bytes)
        return truncated(d, at, field);
    if (memcmp(bytes, expected, BITS_GUID_SIZE) != 0) {
        file_warn(d, "%s not found at offset 0x%zx", field, at);
        return false;
    }
    return true;
}

/* Counted UTF-16 string (§2): u32 units incl. the NUL, then the units. */
static bool take_wstr(file_decoder *d, const char *field, const char **out)
{
    size_t at = d->r.pos;
    uint32_t units = bp_read_u32(&d->r);
    if (d->r.failed)
        return truncated(d, at, field);
    if (units > BITS_WSTR_MAX_UNITS) {
        file_warn(d, "%s at offset 0x%zx claims %u UTF-16 units (limit %u)", field, at, units,
                  BITS_WSTR_MAX_UNITS);
        return false;
    }
    const uint8_t *bytes = bp_read_bytes(&d->r, (size_t)units * 2);
    if (!bytes) {
        file_warn(d, "truncated at offset 0x%zx while reading the %s (%u units, %zu bytes left)", at,
                  field, units, bp_reader_left(&d->r));
        return false;
    }
    bool lossy = false;
    char *text = bp_utf16le_to_utf8(d->arena, bytes, units, &lossy);
    if (!text)
        return false;
    if (lossy)
        file_warn(d, "%s at offset 0x%zx holds invalid UTF-16 (replaced with U+FFFD)", field, at);
    if (units > 0 && bp_le16(bytes + 2 * ((size_t)units - 1)) != 0)
        file_warn(d, "%s at offset 0x%zx is not NUL-terminated", field, at);
    *out = text;
    return true;
}

/* u32 count, then count items of item_size bytes that must fit in the blob. */
static bool take_counted_block(file_decoder *d, const char *field, size_t item_size, uint32_t *count)
{
    size_t at = d->r.pos;
    if (!take_u32(d, field, count))
        return false;
    if (*count > bp_reader_left(&d->r) / item_size) {
        file_warn(d, "%s count %u at offset 0x%zx does not fit (%zu bytes left)", field, *count, at,
                  bp_reader_left(&d->r));
        return false;
    }
    return take_skip(d, field, (size_t)*count * item_size);
}

/* ---- fields ---------------------------------------------------------------------------- */

/* Fields 1-9. */
static bool decode_prefix(file_decoder *d)
{
    bp_file *file = d->file;
    const uint8_t *marker = bp_read_bytes(&d->r, BITS_GUID_SIZE);
    if (!marker)
        return truncated(d, 0, "file marker");
    if (memcmp(marker, bits_file_marker, BITS_GUID_SIZE) != 0)
        file_warn(d, "unknown file marker at offset 0x0");
    uint8_t unknown8;
    size_t counts_at;
    if (!take_wstr(d, "local path", &file->local_path) ||
        !take_wstr(d, "remote URL", &file->remote_url) ||
        !take_wstr(d, "temporary file name", &file->temp_path))
        return false;
    counts_at = d->r.pos;
    if (!take_u64(d, "bytes transferred", &file->bytes_transferred) ||
        !take_u64(d, "bytes total", &file->bytes_total))
        return false;
    if (file->bytes_total != UINT64_MAX && file->bytes_transferred > file->bytes_total)
        file_warn(d, "bytes transferred %llu at offset 0x%zx exceed the total %llu",
                  (unsigned long long)file->bytes_transferred, counts_at,
                  (unsigned long long)file->bytes_total);
    return take_u8(d, "unknown byte (field 7)", &unknown8) &&
           take_wstr(d, "drive", &file->drive) && take_wstr(d, "volume path", &file->volume);
}

/* Fields 10-21, the part shared with the legacy per-file record (§6.4). */
static bool decode_common_tail(file_decoder *d)
{
    bp_file *file = d->file;
    uint32_t unknown32, count;
    uint64_t size, unknown64;
    uint8_t unknown8;
    if (!take_u32(d, "unknown field 10", &unknown32) ||
        !take_u32(d, "volume serial", &file->volume_serial) || !take_u64(d, "file size", &size))
        return false;
    /* i64 on disk: reinterpret without relying on implementation-defined conversion */
    file->file_size = size <= INT64_MAX ? (int64_t)size : -(int64_t)(UINT64_MAX - size) - 1;
    return take_u32(d, "file attributes (field 13)", &unknown32) &&
           take_counted_block(d, "unknown section 1 (field 14)", 1, &count) &&
           take_u8(d, "unknown flag (field 15)", &unknown8) &&
           take_counted_block(d, "unknown section 2 (field 16)", 16, &count) &&
           take_u64(d, "remote file time", &file->remote_file_time) &&
           take_skip(d, "zero block (field 18)", 16) &&
           take_u32(d, "completion flag (field 19)", &unknown32) &&
           take_u64(d, "bytes transferred (field 20)", &unknown64) &&
           take_u64(d, "unknown field 21", &unknown64);
}

/* Field 27: `count` (u64, u64) ranges, which must fit in the blob. */
static bool take_ranges(file_decoder *d, uint32_t count)
{
    if (count > bp_reader_left(&d->r) / 16) {
        file_warn(d, "range count %u does not fit at offset 0x%zx (%zu bytes left)", count, d->r.pos,
                  bp_reader_left(&d->r));
        return false;
    }
    return take_skip(d, "completed ranges", (size_t)count * 16);
}

/* Fields 22-29: ESE-era additions (ranges) and the footer. */
static bool decode_ranges_and_footer(file_decoder *d)
{
    uint32_t unknown32, ranges;
    return take_marker(d, "first range marker (field 22)", bits_file_tail_marker) &&
           take_u32(d, "unknown field 23", &unknown32) &&
           take_skip(d, "zero bytes (field 24)", 6) && take_u32(d, "range count", &ranges) &&
           take_skip(d, "zero bytes (field 26)", 12) && take_ranges(d, ranges) &&
           take_marker(d, "second range marker (field 28)", bits_file_tail_marker) &&
           take_marker(d, "footer", bits_file_marker);
}

static void init_file(bp_file *file, size_t size)
{
    file->file_id = file->local_path = file->remote_url = file->temp_path = "";
    file->drive = file->volume = "";
    file->bytes_total = UINT64_MAX;
    file->file_size = -1;
    file->blob_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
}

bp_file *bits_decode_file(bp_arena *arena, const uint8_t *blob, size_t size)
{
    bp_file *file = bp_arena_alloc(arena, sizeof(*file));
    if (!file)
        return NULL;
    init_file(file, size);
    file_decoder d = {arena, bp_reader_make(blob, size), file};
    if (!decode_prefix(&d) || !decode_common_tail(&d))
        return file;
    file->tail_decoded = true;
    if (!decode_ranges_and_footer(&d))
        return file;
    file->complete = true;
    if (bp_reader_left(&d.r))
        file_warn(&d, "%zu unexpected bytes after the footer at offset 0x%zx", bp_reader_left(&d.r),
                  d.r.pos);
    return file;
}
