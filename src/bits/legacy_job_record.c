/* Legacy job record (bits-format §6.2-6.4; docs/format-legacy.md §3-4).
 *
 * A record runs from its job marker to the same marker repeated as footer. The
 * footer is located first (the next copy of the header marker), so the record's
 * extent is known before any field is read: a field that does not decode
 * leaves the fields before it in place and the caller goes on after the footer.
 * Fields 1-19 and 24-48 are those of the ESE-era blob (job_fields.c); field 22
 * is an inline list of file records instead of file GUIDs, and what follows
 * field 48 depends on the serializer generation (Win7 family: 8 bytes, early
 * Windows 10: 55 bytes). The tail is recognised by where the footer sits. */
#include "bits/legacy_job_record.h"

#include <string.h>

#include "bits/blob_reader.h"
#include "bits/job_fields.h"
#include "bits/markers.h"
#include "util/reader.h"

enum {
    TAIL_WIN7_SIZE = 8,
    TAIL_WIN10_SIZE = 55,
    TAIL_WIN10_BLOCK = 38,  /* field 53 */
};

static const char JOB_WHAT[] = "legacy job record";
static const char FILE_WHAT[] = "legacy file record";

/* ---- file record (§6.4) ------------------------------------------------------------------- */

static void init_file(bp_file *file)
{
    file->file_id = file->local_path = file->remote_url = file->temp_path = "";
    file->drive = file->volume = "";
    file->bytes_total = UINT64_MAX;
    file->file_size = -1;
}

/* Fields 2-9 of the ESE-era file blob, without its marker. */
static bool decode_file_prefix(bits_blob_reader *c, bp_file *file)
{
    uint8_t unknown8;
    if (!bits_take_wstr(c, "local path", &file->local_path) ||
        !bits_take_wstr(c, "remote URL", &file->remote_url) ||
        !bits_take_wstr(c, "temporary file name", &file->temp_path))
        return false;
    size_t counts_at = c->r.pos;
    if (!bits_take_u64(c, "bytes transferred", &file->bytes_transferred) ||
        !bits_take_u64(c, "bytes total", &file->bytes_total))
        return false;
    if (file->bytes_total != UINT64_MAX && file->bytes_transferred > file->bytes_total)
        bits_blob_warn(c, "bytes transferred %llu at offset 0x%zx exceed the total %llu",
                         (unsigned long long)file->bytes_transferred, counts_at,
                         (unsigned long long)file->bytes_total);
    return bits_take_u8(c, "unknown byte (field 7)", &unknown8) &&
           bits_take_wstr(c, "drive", &file->drive) && bits_take_wstr(c, "volume path", &file->volume);
}

/* Fields 10-21 of the ESE-era file blob: the 73-byte tail when both counts are 0. */
static bool decode_file_tail(bits_blob_reader *c, bp_file *file)
{
    uint32_t unknown32, count;
    uint64_t size, unknown64;
    uint8_t unknown8;
    if (!bits_take_u32(c, "unknown field 10", &unknown32) ||
        !bits_take_u32(c, "volume serial", &file->volume_serial) ||
        !bits_take_u64(c, "file size", &size))
        return false;
    /* i64 on disk: reinterpret without an implementation-defined conversion */
    file->file_size = size <= INT64_MAX ? (int64_t)size : -(int64_t)(UINT64_MAX - size) - 1;
    return bits_take_u32(c, "file attributes (field 13)", &unknown32) &&
           bits_take_counted_block(c, "unknown section 1 (field 14)", 1, &count) &&
           bits_take_u8(c, "unknown flag (field 15)", &unknown8) &&
           bits_take_counted_block(c, "unknown section 2 (field 16)", 16, &count) &&
           bits_take_u64(c, "remote file time", &file->remote_file_time) &&
           bits_take_skip(c, "zero block (field 18)", 16) &&
           bits_take_u32(c, "completion flag (field 19)", &unknown32) &&
           bits_take_u64(c, "bytes transferred (field 20)", &unknown64) &&
           bits_take_u64(c, "unknown field 21", &unknown64);
}

/* One file record at r's position; r ends after what was read. NULL only when
 * out of memory. *ok: the whole record decoded. */
static bp_file *decode_file_record(util_arena *arena, util_reader *r, bool *ok)
{
    bp_file *file = util_arena_alloc(arena, sizeof(*file));
    if (!file)
        return NULL;
    init_file(file);
    size_t start = r->pos;
    bits_blob_reader c = {*r, arena, &file->warnings, FILE_WHAT, false};
    *ok = decode_file_prefix(&c, file) && decode_file_tail(&c, file);
    file->tail_decoded = file->complete = *ok;
    size_t used = c.r.pos - start;
    file->blob_size = used > UINT32_MAX ? UINT32_MAX : (uint32_t)used;
    r->pos = c.r.pos;
    return file;
}

/* ---- file list ---------------------------------------------------------------------------- */

/* Every file record that got at least its local path is kept. */
static void keep_file(legacy_file_list *list, bp_file *file, size_t offset, size_t end)
{
    if (!file || (!file->local_path[0] && file->warnings.count && !file->remote_url[0]))
        return;
    legacy_file_entry *entry = &list->files[list->count++];
    entry->file = file;
    entry->offset = offset;
    entry->size = end - offset;
}

bool legacy_decode_file_list(util_arena *arena, const uint8_t *data, size_t size, size_t start,
                             bp_note_list *warnings, const char *what, legacy_file_list *out)
{
    memset(out, 0, sizeof(*out));
    out->end = start;
    bits_blob_reader c = {util_reader_make(data, size), arena, warnings, what, false};
    util_reader_seek(&c.r, start);
    if (!bits_take_marker(&c, "transfer marker", bits_transfer_marker))
        return false;
    size_t count_at = c.r.pos;
    uint32_t count;
    if (!bits_take_u32(&c, "file count", &count)) {
        out->end = c.r.pos;
        return false;
    }
    size_t fit = util_reader_left(&c.r) / LEGACY_MIN_FILE_RECORD;
    size_t limit = count;
    if (limit > fit) {  /* the records are read in sequence: a count is only bounded by the bytes */
        limit = fit;
        bits_blob_warn(&c, "file count %u at offset 0x%zx does not fit (%zu bytes left); reading at "
                           "most %zu", count, count_at, util_reader_left(&c.r), limit);
    }
    out->files = limit ? util_arena_array(arena, limit, sizeof(*out->files)) : NULL;
    if (limit && !out->files)
        return false;
    bool all_read = limit == count;
    size_t failed_at = SIZE_MAX, failed_index = 0;
    for (size_t i = 0; i < limit; i++) {
        size_t at = c.r.pos;
        bool ok;
        bp_file *file = decode_file_record(arena, &c.r, &ok);
        keep_file(out, file, at, c.r.pos);
        if (!file || !ok) {
            all_read = false;
            failed_at = at;
            failed_index = i + 1;
            if (i + 1 < limit)
                bits_blob_warn(&c, "file record %zu of %u at offset 0x%zx did not decode; the %zu "
                                   "after it are not read", i + 1, count, at, limit - i - 1);
            break;
        }
    }
    c.r.failed = false;
    size_t closing_at = c.r.pos;
    size_t found = bits_find_bytes(&c.r, closing_at, bits_transfer_marker, BITS_GUID_SIZE);
    if (found == SIZE_MAX) {
        out->end = closing_at;
        if (failed_at != SIZE_MAX)
            bits_blob_warn(&c, "file record %zu at offset 0x%zx did not decode and no closing transfer "
                               "marker follows", failed_index, failed_at);
        else
            bits_blob_warn(&c, "closing transfer marker not found after offset 0x%zx", closing_at);
        return false;
    }
    if (found != closing_at && all_read)
        bits_blob_warn(&c, "closing transfer marker expected at offset 0x%zx found at 0x%zx",
                         closing_at, found);
    else if (found != closing_at)
        bits_blob_warn(&c, "file list resynchronised on the closing transfer marker at offset 0x%zx",
                         found);
    out->end = found + BITS_GUID_SIZE;
    out->complete = all_read && found == closing_at;
    return true;
}

/* ---- job record ----------------------------------------------------------------------------- */

static bool is_any_job_marker(const util_reader *r, size_t at)
{
    util_reader view = util_reader_sub(r, at, BITS_GUID_SIZE);
    const uint8_t *bytes = util_read_bytes(&view, BITS_GUID_SIZE);
    return bytes && bits_is_job_marker(bytes);
}

/* Fields 20-23 (§6.2): the inline file list, found by its marker after the SD. */
static bool decode_files(bits_blob_reader *c, legacy_job_record *out, size_t sd_start)
{
    size_t at = c->r.pos;
    size_t found = bits_find_bytes(&c->r, sd_start, bits_transfer_marker, BITS_GUID_SIZE);
    if (found == SIZE_MAX) {
        if (util_reader_left(&c->r) < BITS_GUID_SIZE)
            c->ran_out = true;
        bits_blob_warn(c, "transfer marker not found (expected at offset 0x%zx)", at);
        return false;
    }
    if (found != at)
        bits_blob_warn(c, "transfer marker expected at offset 0x%zx found at 0x%zx", at, found);
    bool ok = legacy_decode_file_list(c->arena, c->r.data, c->r.size, found, c->warnings, c->what,
                                      &out->files);
    util_reader_seek(&c->r, out->files.end);
    return ok;
}

/* Field 48 and the generation-specific bytes before the footer. */
static bool decode_tail(bits_blob_reader *c, legacy_job_record *out, const uint8_t *marker,
                        size_t footer_at)
{
    bp_job *job = out->job;
    if (!bits_take_u32(c, "maximum download time", &job->max_download_time))
        return false;
    size_t p = c->r.pos;
    uint32_t unknown32;
    uint8_t unknown8;
    if (footer_at == SIZE_MAX || footer_at < p) {
        /* no copy of the header marker: a different known marker may still close the record */
        if (is_any_job_marker(&c->r, p + TAIL_WIN7_SIZE))
            footer_at = p + TAIL_WIN7_SIZE;
        else if (is_any_job_marker(&c->r, p + TAIL_WIN10_SIZE))
            footer_at = p + TAIL_WIN10_SIZE;
        else {
            c->ran_out = util_reader_left(&c->r) < TAIL_WIN10_SIZE + BITS_GUID_SIZE;
            bits_blob_warn(c, "footer not found after offset 0x%zx", p);
            return false;
        }
        bits_blob_warn(c, "footer at offset 0x%zx is a job marker other than the header's",
                         footer_at);
    }
    size_t gap = footer_at - p;
    if (gap == TAIL_WIN7_SIZE || gap == TAIL_WIN7_SIZE + BITS_GUID_SIZE) {
        out->tail = LEGACY_TAIL_WIN7;
        if (!bits_take_u32(c, "unknown field 49", &unknown32) ||
            !bits_take_u32(c, "unknown field 50", &unknown32))
            return false;
    } else if (gap == TAIL_WIN10_SIZE || gap == TAIL_WIN10_SIZE + BITS_GUID_SIZE) {
        out->tail = LEGACY_TAIL_WIN10;
        if (!bits_take_u32(c, "unknown field 49", &unknown32) ||
            !bits_take_u32(c, "unknown field 50", &unknown32) ||
            !bits_take_u32(c, "transfer cost flags", &job->cost_flags) ||
            !bits_take_u32(c, "unknown field 52", &unknown32) ||
            !bits_take_skip(c, "unknown block (field 53)", TAIL_WIN10_BLOCK) ||
            !bits_take_u8(c, "unknown flag before the footer", &unknown8))
            return false;
    } else {
        out->tail = LEGACY_TAIL_OTHER;
        bits_blob_warn(c, "%zu bytes between the maximum download time and the footer at offset "
                          "0x%zx (known layouts: 8 and 55); not decoded", gap, footer_at);
        util_reader_seek(&c->r, footer_at);
    }
    job->tail_decoded = out->tail != LEGACY_TAIL_OTHER;
    size_t at = c->r.pos;
    const uint8_t *footer;
    if (!bits_take_guid(c, "footer", &footer))
        return false;
    if (memcmp(footer, marker, BITS_GUID_SIZE) == 0 || bits_is_job_marker(footer)) {
        out->end = c->r.pos;
        job->complete = out->complete = true;
        return true;
    }
    /* the footer's place holds something else, and the marker found next opens the next record */
    bits_blob_warn(c, "footer at offset 0x%zx is damaged (not a job marker)", at);
    out->end = footer_at;
    return false;
}

bool legacy_decode_job_record(util_arena *arena, const uint8_t *data, size_t size, size_t start,
                              legacy_job_record *out)
{
    memset(out, 0, sizeof(*out));
    out->start = start;
    out->end = size;
    bp_job *job = util_arena_alloc(arena, sizeof(*job));
    out->job = job;
    if (!job)
        return false;
    bits_job_init(job, 0);
    util_reader whole = util_reader_make(data, size);
    util_reader head = util_reader_sub(&whole, start, BITS_GUID_SIZE);
    const uint8_t *marker = util_read_bytes(&head, BITS_GUID_SIZE);
    size_t footer_at = marker ? bits_find_bytes(&whole, start + BITS_GUID_SIZE, marker, BITS_GUID_SIZE)
                              : SIZE_MAX;
    size_t limit = footer_at == SIZE_MAX ? size : footer_at + BITS_GUID_SIZE;
    bits_blob_reader c = {util_reader_make(data, limit), arena, &job->warnings, JOB_WHAT, false};
    util_reader_seek(&c.r, start);

    const uint8_t *header_marker = NULL;
    bool ok = bits_job_read_header(&c, job, &header_marker);
    out->has_id = ok;
    if (header_marker && !bits_is_job_marker(header_marker))
        bits_blob_warn(&c, "unknown job marker %s at offset 0x%zx", job->marker, start);
    else if (header_marker && bits_find_job_marker(header_marker)->era != BITS_ERA_LEGACY)
        bits_blob_warn(&c, "job marker %s at offset 0x%zx belongs to the ESE-era serializer",
                         job->marker, start);
    size_t sd_start = 0;
    if (ok && bits_job_read_owner(&c, job)) {
        sd_start = c.r.pos;
        ok = bits_job_read_security(&c, job, NULL) && decode_files(&c, out, sd_start) &&
             bits_job_read_errors(&c, job) && bits_job_read_times(&c, job) &&
             bits_job_read_options(&c, job) && decode_tail(&c, out, header_marker, footer_at);
    } else {
        ok = false;
    }
    if (!ok && !out->complete) {
        if (out->end == size)
            out->end = limit;
        if (footer_at != SIZE_MAX && out->end == limit)
            bits_blob_warn(&c, "record not decoded up to its footer at offset 0x%zx; the bytes "
                               "before the footer are skipped", footer_at);
    }
    if (out->end <= start)
        out->end = size > start ? size : start;
    size_t extent = out->end - start;
    job->blob_size = extent > UINT32_MAX ? UINT32_MAX : (uint32_t)extent;
    return out->complete;
}
