/* ESE-era file blob (bits-format §5). Fields 2-9 (paths, byte counts, volume)
 * are the prefix every version shares; the tail after them is decoded when it
 * follows the known layout and otherwise left with a warning. */
#include "bits/file_blob.h"

#include <string.h>

#include "bits/blob_reader.h"
#include "bits/markers.h"
#include "util/reader.h"
#include "util/text.h"

typedef struct file_decoder {
    bits_blob_reader in;           /* cursor, arena and warning list */
    bp_file *file;
} file_decoder;

/* ---- helpers ------------------------------------------------------------------------ */

/* ---- fields ---------------------------------------------------------------------------- */

/* Fields 1-9. */
static bool decode_prefix(file_decoder *d)
{
    bp_file *file = d->file;
    const uint8_t *marker = util_read_bytes(&d->in.r, BITS_GUID_SIZE);
    if (!marker)
        return bits_blob_truncated(&d->in, 0, "file marker");
    if (memcmp(marker, bits_file_marker, BITS_GUID_SIZE) != 0)
        bits_blob_warn(&d->in, "unknown file marker at offset 0x0");
    uint8_t unknown8;
    size_t counts_at;
    if (!bits_take_wstr(&d->in, "local path", &file->local_path) ||
        !bits_take_wstr(&d->in, "remote URL", &file->remote_url) ||
        !bits_take_wstr(&d->in, "temporary file name", &file->temp_path))
        return false;
    counts_at = d->in.r.pos;
    if (!bits_take_u64(&d->in, "bytes transferred", &file->bytes_transferred) ||
        !bits_take_u64(&d->in, "bytes total", &file->bytes_total))
        return false;
    if (file->bytes_total != UINT64_MAX && file->bytes_transferred > file->bytes_total)
        bits_blob_warn(&d->in, "bytes transferred %llu at offset 0x%zx exceed the total %llu",
                  (unsigned long long)file->bytes_transferred, counts_at,
                  (unsigned long long)file->bytes_total);
    return bits_take_u8(&d->in, "unknown byte (field 7)", &unknown8) &&
           bits_take_wstr(&d->in, "drive", &file->drive) && bits_take_wstr(&d->in, "volume path", &file->volume);
}

/* Fields 10-21, the part shared with the legacy per-file record (§6.4). */
static bool decode_common_tail(file_decoder *d)
{
    bp_file *file = d->file;
    uint32_t unknown32, count;
    uint64_t size, unknown64;
    uint8_t unknown8;
    if (!bits_take_u32(&d->in, "unknown field 10", &unknown32) ||
        !bits_take_u32(&d->in, "volume serial", &file->volume_serial) || !bits_take_u64(&d->in, "file size", &size))
        return false;
    /* i64 on disk: reinterpret without relying on implementation-defined conversion */
    file->file_size = size <= INT64_MAX ? (int64_t)size : -(int64_t)(UINT64_MAX - size) - 1;
    return bits_take_u32(&d->in, "file attributes (field 13)", &unknown32) &&
           bits_take_counted_block(&d->in, "unknown section 1 (field 14)", 1, &count) &&
           bits_take_u8(&d->in, "unknown flag (field 15)", &unknown8) &&
           bits_take_counted_block(&d->in, "unknown section 2 (field 16)", 16, &count) &&
           bits_take_u64(&d->in, "remote file time", &file->remote_file_time) &&
           bits_take_skip(&d->in, "zero block (field 18)", 16) &&
           bits_take_u32(&d->in, "completion flag (field 19)", &unknown32) &&
           bits_take_u64(&d->in, "bytes transferred (field 20)", &unknown64) &&
           bits_take_u64(&d->in, "unknown field 21", &unknown64);
}

/* Field 27: `count` (u64, u64) ranges, which must fit in the blob. */
static bool take_ranges(file_decoder *d, uint32_t count)
{
    if (count > util_reader_left(&d->in.r) / 16) {
        bits_blob_warn(&d->in, "range count %u does not fit at offset 0x%zx (%zu bytes left)", count, d->in.r.pos,
                  util_reader_left(&d->in.r));
        return false;
    }
    return bits_take_skip(&d->in, "completed ranges", (size_t)count * 16);
}

/* Fields 22-29: ESE-era additions (ranges) and the footer. */
static bool decode_ranges_and_footer(file_decoder *d)
{
    uint32_t unknown32, ranges;
    return bits_take_marker(&d->in, "first range marker (field 22)", bits_file_tail_marker) &&
           bits_take_u32(&d->in, "unknown field 23", &unknown32) &&
           bits_take_skip(&d->in, "zero bytes (field 24)", 6) && bits_take_u32(&d->in, "range count", &ranges) &&
           bits_take_skip(&d->in, "zero bytes (field 26)", 12) && take_ranges(d, ranges) &&
           bits_take_marker(&d->in, "second range marker (field 28)", bits_file_tail_marker) &&
           bits_take_marker(&d->in, "footer", bits_file_marker);
}

static void init_file(bp_file *file, size_t size)
{
    file->file_id = file->local_path = file->remote_url = file->temp_path = "";
    file->drive = file->volume = "";
    file->bytes_total = UINT64_MAX;
    file->file_size = -1;
    file->blob_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
}

bp_file *bits_decode_file(util_arena *arena, const uint8_t *blob, size_t size)
{
    bp_file *file = util_arena_alloc(arena, sizeof(*file));
    if (!file)
        return NULL;
    init_file(file, size);
    file_decoder d = {{util_reader_make(blob, size), arena, &file->warnings, "file blob", false}, file};
    if (!decode_prefix(&d) || !decode_common_tail(&d))
        return file;
    file->tail_decoded = true;
    if (!decode_ranges_and_footer(&d))
        return file;
    file->complete = true;
    if (util_reader_left(&d.in.r))
        bits_blob_warn(&d.in, "%zu unexpected bytes after the footer at offset 0x%zx", util_reader_left(&d.in.r),
                  d.in.r.pos);
    return file;
}
