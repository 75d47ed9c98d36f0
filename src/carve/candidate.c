/* Decoding one carving candidate at a marker hit (bits-format §7.2): find
 * where the blob ends, decode it in a scratch arena and validate it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "bits/legacy_job_record.h"
#include "bits/markers.h"
#include "carve/carve.h"
#include "util/reader.h"
#include "util/text.h"

/* Where the fields a candidate is judged by sit. Job blob (docs/format-bits.md
 * §4): the strings start after the header (marker, fields 2-6), or 16 bytes
 * later after a double-GUID header; the owner fields 12-17 are six u32, then
 * the u32 descriptor length, and the file list is a transfer marker and a u32
 * count before its 16-byte ids. File blob (§6): the marker and the local
 * path's u32 length. */
enum {
    JOB_PRIORITY_MAX = 3,   /* §4 fields 3-5, the enumerations of §7 */
    JOB_STATE_MAX = 8,
    JOB_TYPE_MAX = 2,
    JOB_STRINGS = 0x30,
    JOB_STRINGS_DOUBLE = 0x40,
    JOB_HEADER_STRINGS = 5, /* fields 7-11: four strings, then the owner SID */
    JOB_OWNER_FIELDS = 24,
    JOB_SD_LENGTH = 4,
    JOB_FILE_LIST_HEADER = BITS_GUID_SIZE + 4,
    FILE_HEADER = BITS_GUID_SIZE + 4,
};

/* A legacy file list (docs/format-legacy.md §4): the transfer marker, a u32
 * count, then records starting with the local path's u32 length. */
enum {
    LEGACY_LIST_COUNT = BITS_GUID_SIZE,
    LEGACY_LIST_HEADER = BITS_GUID_SIZE + 4,
    LEGACY_FILE_MIN = 4,
};

/* A Files blob stored inline (docs/format-bits.md §3): the record header
 * 01 7F 15 00, the 16-byte Id, then FE (null bitmap), 00 01 04 00 (tagged
 * entry: column 256 at offset 4), 01 (header: inline long value) right in
 * front of the blob. Counted back from the file marker: */
enum {
    INLINE_RECORD_ID_BACK = BITS_GUID_SIZE + 6,
    INLINE_RECORD_HEADER_BACK = 4 + BITS_GUID_SIZE + 6,
};

/* A random (version 4, RFC 4122 variant) GUID as stored: the version is the
 * high nibble of byte 7 (Data3 is little-endian), the variant the top two
 * bits of byte 8. */
enum {
    GUID_VERSION_BYTE = 7,
    GUID_VARIANT_BYTE = 8,
    GUID_VARIANT_MASK = 0xC0,
    GUID_VARIANT_RFC4122 = 0x80,
};

/* At most this many later copies of a marker are tried as the footer. */
#define FOOTER_TRIES 4

/* Offset of the next copy of a 16-byte needle in data[from, to) of a buffer of
 * `size` bytes, SIZE_MAX if none. `to` is a search bound, clamped to the
 * buffer: it may come from a tag or page value of the file. */
static size_t find16(const uint8_t *data, size_t size, size_t from, size_t to, const uint8_t *needle)
{
    if (to > size)
        to = size;
    util_reader r = util_reader_make(data, size);
    const uint8_t *bytes = util_read_bytes(&r, to);
    while (bytes && from < to && to - from >= BITS_GUID_SIZE) {
        const uint8_t *p = memchr(bytes + from, needle[0], to - BITS_GUID_SIZE + 1 - from);
        if (!p)
            break;
        size_t at = (size_t)(p - bytes);
        if (memcmp(p, needle, BITS_GUID_SIZE) == 0)
            return at;
        from = at + 1;
    }
    return SIZE_MAX;
}

/* Fields 2-6 of a job header starting at data[at] (the byte after the marker). */
static bool job_header_plausible(const uint8_t *data, size_t bound, size_t at)
{
    util_reader r = util_reader_make(data, bound);
    if (!util_reader_seek(&r, at))
        return false;
    uint32_t field2 = util_read_u32(&r), priority = util_read_u32(&r), state = util_read_u32(&r);
    uint32_t type = util_read_u32(&r);
    const uint8_t *id = util_read_bytes(&r, BITS_GUID_SIZE);
    if (!id || priority > JOB_PRIORITY_MAX || state > JOB_STATE_MAX ||
        (type > JOB_TYPE_MAX && field2 > JOB_TYPE_MAX) || util_guid_is_zero(id))
        return false;
    uint32_t name_units = util_read_u32(&r);
    return r.failed || (name_units >= 1 && name_units <= BITS_WSTR_MAX_UNITS);
}

/* Do at least `need` bytes from pos fit before bound? (no pos + need overflow) */
static bool fits(size_t pos, size_t need, size_t bound)
{
    return pos <= bound && bound - pos >= need;
}

static void candidate_reset(carve_candidate *out, size_t pos)
{
    memset(out, 0, sizeof(*out));
    out->start = pos;
    out->verdict = CARVE_REJECT;
}

/* What a decode got to: a partial blob is trimmed to the shortest prefix that
 * decodes as far, so that its bytes (and what a scan skips) end where the
 * decoder stopped, not at the end of the search window. */
static bool same_job_progress(const bp_job *a, const bp_job *b)
{
    return strcmp(a->job_id, b->job_id) == 0 && strcmp(a->name, b->name) == 0 &&
           strcmp(a->owner_sid, b->owner_sid) == 0 && a->security_descriptor_size == b->security_descriptor_size &&
           a->ace_count == b->ace_count && a->file_count == b->file_count && a->has_error == b->has_error &&
           a->created == b->created && a->modified == b->modified && a->completed == b->completed &&
           a->inactivity_timer.deadline == b->inactivity_timer.deadline && a->tail_decoded == b->tail_decoded &&
           strcmp(a->creator_program, b->creator_program) == 0 && strcmp(a->http_method, b->http_method) == 0;
}

/* Fields 1-9 of a file (paths, URL, byte counts, drive, volume); the later
 * ones only count when their stage decoded to its end (`whole->tail_decoded`):
 * a stage cut short may have read them from whatever follows the blob. */
static bool same_file_progress(const bp_file *a, const bp_file *whole)
{
    bool first = strcmp(a->local_path, whole->local_path) == 0 && strcmp(a->remote_url, whole->remote_url) == 0 &&
                 strcmp(a->temp_path, whole->temp_path) == 0 && a->bytes_total == whole->bytes_total &&
                 a->bytes_transferred == whole->bytes_transferred && strcmp(a->drive, whole->drive) == 0 &&
                 strcmp(a->volume, whole->volume) == 0;
    if (!first || !whole->tail_decoded)
        return first;
    return a->tail_decoded && a->file_size == whole->file_size && a->remote_file_time == whole->remote_file_time;
}

bp_file *carve_decode_legacy_file(util_arena *arena, const uint8_t *record, size_t size)
{
    size_t total = LEGACY_LIST_HEADER + size; /* no closing marker: its bytes must not feed a cut record */
    uint8_t *list_bytes = malloc(total);
    if (!list_bytes)
        return NULL;
    memcpy(list_bytes, bits_transfer_marker, BITS_GUID_SIZE);
    list_bytes[LEGACY_LIST_COUNT] = 1;
    list_bytes[LEGACY_LIST_COUNT + 1] = list_bytes[LEGACY_LIST_COUNT + 2] = 0;
    list_bytes[LEGACY_LIST_COUNT + 3] = 0;
    if (size)
        memcpy(list_bytes + LEGACY_LIST_HEADER, record, size);
    bp_note_list warnings = {NULL, NULL, 0};
    legacy_file_list list;
    legacy_decode_file_list(arena, list_bytes, total, 0, &warnings, "file record", &list);
    bp_file *file = list.count ? list.files[0].file : NULL;
    free(list_bytes);
    return file;
}

/* A file cut short keeps only what its completed stages say. */
void carve_forget_unfinished_stage(bp_file *file)
{
    if (file->tail_decoded)
        return;
    file->file_size = -1;
    file->volume_serial = 0;
    file->remote_file_time = 0;
}

/* Does decoding `length` bytes reach as far as decoding the whole value did? */
typedef bool (*reaches_whole_fn)(util_arena *scratch, const uint8_t *bytes, size_t length, const void *whole);

static bool legacy_file_reaches(util_arena *scratch, const uint8_t *bytes, size_t length, const void *whole)
{
    bp_file *file = carve_decode_legacy_file(scratch, bytes, length);
    return file && same_file_progress(file, whole);
}

static bool job_reaches(util_arena *scratch, const uint8_t *bytes, size_t length, const void *whole)
{
    bp_job *job = bits_decode_job(scratch, bytes, length);
    return job && same_job_progress(job, whole);
}

static bool file_reaches(util_arena *scratch, const uint8_t *bytes, size_t length, const void *whole)
{
    bp_file *file = bits_decode_file(scratch, bytes, length);
    return file && same_file_progress(file, whole);
}

/* Shortest length in [lo, hi] whose decode reaches as far as the whole one:
 * bisection, since a longer prefix never decodes less. */
static size_t shortest_whole_prefix(util_arena *scratch, const uint8_t *bytes, size_t lo, size_t hi,
                                    reaches_whole_fn reaches, const void *whole)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (reaches(scratch, bytes, mid, whole))
            hi = mid;
        else
            lo = mid + 1;
    }
    return hi;
}

static size_t trim_legacy_file(util_arena *scratch, const uint8_t *record, size_t length, const bp_file *whole)
{
    return shortest_whole_prefix(scratch, record, LEGACY_FILE_MIN, length, legacy_file_reaches, whole);
}

static size_t trim_job(util_arena *scratch, const uint8_t *blob, size_t length, const bp_job *whole)
{
    /* a job blob shorter than its fixed header holds no job */
    return shortest_whole_prefix(scratch, blob, JOB_STRINGS, length, job_reaches, whole);
}

static size_t trim_file(util_arena *scratch, const uint8_t *blob, size_t length, const bp_file *whole)
{
    return shortest_whole_prefix(scratch, blob, FILE_HEADER, length, file_reaches, whole);
}

/* How much of a job blob without its footer its own structure vouches for:
 * the five strings, the owner fields, the security descriptor when the
 * transfer marker follows it, the file list when the second transfer marker
 * closes it, and past that everything (the decoder and the validation judge
 * the rest). *file_list_end is where the file list ends, 0 when not reached. */
static size_t job_structural_length(const uint8_t *blob, size_t length, size_t *file_list_end)
{
    *file_list_end = 0;
    size_t strings_at =
        length >= JOB_STRINGS_DOUBLE && bits_is_job_marker(blob + BITS_GUID_SIZE) ? JOB_STRINGS_DOUBLE : JOB_STRINGS;
    bool cut;
    size_t end;
    if (!carve_strings_ok(blob, length, strings_at, JOB_HEADER_STRINGS, &cut, &end) || cut)
        return cut ? end : length;
    util_reader r = util_reader_make(blob, length);
    size_t sd_length_at = end + JOB_OWNER_FIELDS;  /* notify flags, LocalSystem, integrity, 3 unknown u32 */
    util_reader_seek(&r, sd_length_at);
    uint32_t sd_length = util_read_u32(&r);
    if (r.failed)
        return length;
    /* sizes and counts are checked before they take part in an offset (no wrap) */
    if (sd_length > BITS_SD_MAX_SIZE)
        return sd_length_at;
    size_t sd_end = sd_length_at + JOB_SD_LENGTH + (size_t)sd_length;
    util_reader_seek(&r, sd_end);
    const uint8_t *marker = util_read_bytes(&r, BITS_GUID_SIZE);
    if (!marker || memcmp(marker, bits_transfer_marker, BITS_GUID_SIZE) != 0)
        return sd_length_at;
    uint32_t count = util_read_u32(&r);
    if (r.failed || count > util_reader_left(&r) / BITS_GUID_SIZE)  /* its entries must fit */
        return sd_end;
    size_t second = sd_end + JOB_FILE_LIST_HEADER + BITS_GUID_SIZE * (size_t)count;
    util_reader_seek(&r, second);
    marker = util_read_bytes(&r, BITS_GUID_SIZE);
    if (!marker || memcmp(marker, bits_transfer_marker, BITS_GUID_SIZE) != 0)
        return sd_end;
    *file_list_end = second + BITS_GUID_SIZE;
    return length;
}

static bool try_ese_job(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out,
                        bool outer);

bool carve_try_ese_job(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out)
{
    return try_ese_job(scratch, data, bound, pos, out, true);
}

static bool try_ese_job(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out,
                        bool outer)
{
    candidate_reset(out, pos);
    if (!fits(pos, JOB_STRINGS, bound))
        return false;
    const uint8_t *marker = data + pos;
    size_t header = pos + BITS_GUID_SIZE;
    if (bits_is_job_marker(data + header)) {
        /* a double-GUID header (upload jobs), or the footer of one blob right
         * before the header of the next: the latter when the next decodes whole */
        carve_candidate next;
        if (outer && try_ese_job(scratch, data, bound, header, &next, false) && next.verdict == CARVE_FULL) {
            candidate_reset(out, pos);
            return false;
        }
        candidate_reset(out, pos);
        header += BITS_GUID_SIZE;
    }
    if (!job_header_plausible(data, bound, header))
        return false;
    size_t first_copy = SIZE_MAX;
    size_t from = header;
    for (int tries = 0; tries < FOOTER_TRIES; tries++) {
        size_t footer = find16(data, bound, from, bound, marker);
        if (footer == SIZE_MAX)
            break;
        if (first_copy == SIZE_MAX)
            first_copy = footer;
        size_t length = footer + BITS_GUID_SIZE - pos;
        bp_job *job = bits_decode_job(scratch, data + pos, length);
        size_t file_list_end;
        /* whole only when its structure holds: a blob cut short can reach the
         * footer of a later blob by resynchronising on that blob's tail */
        if (job && job->complete && job_structural_length(data + pos, length, &file_list_end) == length &&
            file_list_end) {
            out->verdict = carve_check_job(job, data + pos, length, out->missing, sizeof(out->missing));
            out->length = length;
            return out->verdict != CARVE_REJECT;
        }
        from = footer + 1;
    }
    /* no footer: a blob cut short. Keep what its structure vouches for (what
     * follows the cut is someone else's bytes), then what still decodes. */
    size_t window = (first_copy == SIZE_MAX ? bound : first_copy) - pos;
    size_t file_list_end = 0;
    size_t length = job_structural_length(data + pos, window, &file_list_end);
    for (int attempt = 0; attempt < 2; attempt++) {
        bp_job *job = bits_decode_job(scratch, data + pos, length);
        if (!job)
            return false;
        out->verdict = carve_check_job(job, data + pos, length, out->missing, sizeof(out->missing));
        if (out->verdict == CARVE_FULL)
            out->verdict = CARVE_PARTIAL; /* complete only up to a later copy of the marker: keep it honest */
        if (out->verdict != CARVE_REJECT) {
            out->length = length > file_list_end && file_list_end ? trim_job(scratch, data + pos, length, job) : length;
            return true;
        }
        if (!file_list_end || file_list_end >= length)
            break;
        length = file_list_end; /* the times after the file list were noise: keep the part before */
    }
    return false;
}

/* `<16-byte Id> FE 00 01 04 00 01` in front of a file marker: an inline Files
 * record (bits-format §7.2.2). Without the record header `01 7F 15 00` in
 * front, the Id must at least look like a random (version 4) GUID. */
static void inline_record_id(const uint8_t *data, size_t pos, char out[37])
{
    static const uint8_t tail[6] = {0xFE, 0x00, 0x01, 0x04, 0x00, 0x01};
    static const uint8_t head[4] = {0x01, 0x7F, 0x15, 0x00};
    out[0] = '\0';
    if (pos < INLINE_RECORD_ID_BACK)
        return;
    util_reader r = util_reader_make(data, pos);
    util_reader_seek(&r, pos - INLINE_RECORD_ID_BACK);
    const uint8_t *id = util_read_bytes(&r, BITS_GUID_SIZE);
    const uint8_t *after = util_read_bytes(&r, sizeof(tail));
    if (!id || !after || memcmp(after, tail, sizeof(tail)) != 0 || util_guid_is_zero(id))
        return;
    bool has_head = false;
    if (pos >= INLINE_RECORD_HEADER_BACK) {
        util_reader h = util_reader_make(data, pos);
        util_reader_seek(&h, pos - INLINE_RECORD_HEADER_BACK);
        const uint8_t *bytes = util_read_bytes(&h, sizeof(head));
        has_head = bytes && memcmp(bytes, head, sizeof(head)) == 0;
    }
    bool version4 = (id[GUID_VERSION_BYTE] >> 4) == 4 &&
                    (id[GUID_VARIANT_BYTE] & GUID_VARIANT_MASK) == GUID_VARIANT_RFC4122;
    if (has_head || version4)
        util_guid_format(id, out);
}

bool carve_try_ese_file(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out)
{
    candidate_reset(out, pos);
    if (!fits(pos, FILE_HEADER, bound))
        return false;
    {   /* the local path's length: a footer hit is followed by anything */
        util_reader r = util_reader_make(data, bound);
        util_reader_seek(&r, pos + BITS_GUID_SIZE);
        uint32_t units = util_read_u32(&r);
        if (units == 0 || units > BITS_WSTR_MAX_UNITS)
            return false;
    }
    size_t first_copy = SIZE_MAX;
    size_t from = pos + BITS_GUID_SIZE;
    for (int tries = 0; tries < FOOTER_TRIES; tries++) {
        size_t footer = find16(data, bound, from, bound, bits_file_marker);
        if (footer == SIZE_MAX)
            break;
        if (first_copy == SIZE_MAX)
            first_copy = footer;
        size_t length = footer + BITS_GUID_SIZE - pos;
        bp_file *file = bits_decode_file(scratch, data + pos, length);
        if (file && file->complete) {
            out->verdict = carve_check_file(file, data + pos, length, BITS_GUID_SIZE, out->missing,
                                            sizeof(out->missing));
            out->length = length;
            inline_record_id(data, pos, out->file_id);
            return out->verdict != CARVE_REJECT;
        }
        from = footer + 1;
    }
    size_t length = (first_copy == SIZE_MAX ? bound : first_copy) - pos;
    bp_file *file = bits_decode_file(scratch, data + pos, length);
    if (!file)
        return false;
    out->verdict = carve_check_file(file, data + pos, length, BITS_GUID_SIZE, out->missing, sizeof(out->missing));
    if (out->verdict == CARVE_FULL)
        out->verdict = CARVE_PARTIAL;
    out->length = out->verdict == CARVE_REJECT ? length : trim_file(scratch, data + pos, length, file);
    inline_record_id(data, pos, out->file_id);
    return out->verdict != CARVE_REJECT;
}

bool carve_try_legacy_job(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos, carve_candidate *out)
{
    candidate_reset(out, pos);
    out->legacy = true;
    if (!fits(pos, JOB_STRINGS, bound) || !job_header_plausible(data, bound, pos + BITS_GUID_SIZE))
        return false;
    legacy_job_record record;
    legacy_decode_job_record(scratch, data, bound, pos, &record);
    /* the record's end becomes the length of the bytes kept: it must lie in the window */
    if (!record.job || !record.has_id || record.end <= pos || record.end > bound)
        return false;
    size_t length = record.end - pos;
    /* re-decode the record on its own, as the session will, so offsets and the
     * strict string check see the same bytes */
    legacy_job_record alone;
    legacy_decode_job_record(scratch, data + pos, length, 0, &alone);
    if (!alone.job)
        return false;
    out->verdict = carve_check_job(alone.job, data + pos, length, out->missing, sizeof(out->missing));
    if (out->verdict == CARVE_FULL && !alone.complete)
        out->verdict = CARVE_PARTIAL;
    for (size_t i = 0; out->verdict != CARVE_REJECT && i < alone.files.count; i++) {
        const legacy_file_entry *entry = &alone.files.files[i];
        char missing[160];
        if (!entry->file)
            continue;
        if (!fits(entry->offset, entry->size, length) ||
            carve_check_file(entry->file, data + pos + entry->offset, entry->size, 0, missing, sizeof(missing)) ==
                CARVE_REJECT)
            out->verdict = CARVE_REJECT;
    }
    out->length = length;
    return out->verdict != CARVE_REJECT;
}

size_t carve_try_legacy_file_list(util_arena *scratch, const uint8_t *data, size_t bound, size_t pos,
                                  carve_file_fn each, void *context)
{
    bp_note_list warnings = {NULL, NULL, 0};
    legacy_file_list list;
    legacy_decode_file_list(scratch, data, bound, pos, &warnings, "file list", &list);
    if (list.count == 0)
        return 0;
    /* every record must be right for the list to count; all of them are
     * reported (the verdicts live in the scratch arena: a fixed array of 64
     * silently dropped the files after the 64th) */
    size_t count = list.count;
    carve_verdict *verdicts = util_arena_array(scratch, count, sizeof(*verdicts));
    char (*missing)[160] = util_arena_array(scratch, count, sizeof(*missing));
    if (!verdicts || !missing)
        return 0;
    for (size_t i = 0; i < count; i++) {
        const legacy_file_entry *entry = &list.files[i];
        if (!entry->file || entry->offset < pos || !fits(entry->offset, entry->size, bound))
            return 0;
        verdicts[i] = carve_check_file(entry->file, data + entry->offset, entry->size, 0, missing[i],
                                       sizeof(missing[i]));
        if (verdicts[i] == CARVE_REJECT)
            return 0;
    }
    for (size_t i = 0; i < count; i++) {
        size_t size = list.files[i].size;
        if (verdicts[i] == CARVE_PARTIAL)
            size = trim_legacy_file(scratch, data + list.files[i].offset, size, list.files[i].file);
        each(context, list.files[i].offset, size, verdicts[i], missing[i]);
    }
    size_t end = list.end < bound ? list.end : bound;
    return end > pos ? end - pos : 0;
}
