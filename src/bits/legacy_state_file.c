/* Legacy state file (bits-format §6.1; docs/format-legacy.md §2):
 *
 *   version GUID, [8 bytes on early Windows 10], FILE_HEADER, QUEUE_HEADER,
 *   u32 job count, job records, QUEUE_HEADER,
 *   QUEUE_HEADER, u32 count, records, QUEUE_HEADER      (second queue)
 *   FILE_HEADER, version GUID, [u32 CRC-32 on early Windows 10], padding
 *
 * Framing is read in order; where it is not where expected the reader searches
 * forward for the next known GUID and says so. Every loop advances by at least
 * 16 bytes per turn, so a file of n bytes costs at most n/16 turns. */
#include "bits/legacy_state_file.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bits/blob_reader.h"
#include "bits/legacy_generation.h"
#include "bits/legacy_job_record.h"
#include "bits/markers.h"
#include "util/crc32.h"
#include "util/reader.h"
#include "util/text.h"

enum {
    KNOWN_HEADER_WIN7 = 0x10,
    KNOWN_HEADER_WIN10 = 0x18,
};

typedef struct state_reader {
    const uint8_t *data;
    size_t size;
    util_reader r;
    const char *label;
    bp_result *result;
    legacy_state_info *info;
    const uint8_t *marker;     /* learned from the first job record */
    size_t warnings_before;
    size_t queue_searched;     /* QUEUE_HEADER was looked for from here ... */
    size_t queue_found;        /* ... and found here (SIZE_MAX: nowhere after it) */
} state_reader;

static void state_warn(state_reader *s, const char *format, ...) __attribute__((format(printf, 2, 3)));

static void state_warn(state_reader *s, const char *format, ...)
{
    char text[512];
    va_list args;
    va_start(args, format);
    util_utf8_vformat(text, sizeof text, format, args);
    va_end(args);
    util_notes_addf(&s->result->arena, &s->result->warnings, "%s: legacy state file: %s", s->label, text);
}

/* Are the 16 bytes at `at` equal to `guid`? */
static bool guid_at(const util_reader *r, size_t at, const uint8_t *guid)
{
    util_reader view = util_reader_sub(r, at, BITS_GUID_SIZE);
    const uint8_t *bytes = util_read_bytes(&view, BITS_GUID_SIZE);
    return bytes && memcmp(bytes, guid, BITS_GUID_SIZE) == 0;
}

static const uint8_t *bytes_at(const util_reader *r, size_t at, size_t length)
{
    util_reader view = util_reader_sub(r, at, length);
    return util_read_bytes(&view, length);
}

/* `guid` starting at 16 or later and ending within the first `within` bytes. */
static size_t find_early(const uint8_t *data, size_t size, const uint8_t *guid, size_t within)
{
    util_reader r = util_reader_make(data, size < within ? size : within);
    return bits_find_bytes(&r, BITS_GUID_SIZE, guid, BITS_GUID_SIZE);
}

static size_t find_file_header(const uint8_t *data, size_t size)
{
    return find_early(data, size, bits_legacy_file_header, LEGACY_HEADER_SEARCH);
}

/* QUEUE_HEADER right after a FILE_HEADER that starts within the first 64 bytes. */
static size_t find_queue_header(const uint8_t *data, size_t size)
{
    return find_early(data, size, bits_legacy_queue_header, LEGACY_HEADER_SEARCH + BITS_GUID_SIZE);
}

static bool known_version(const uint8_t *data, size_t size)
{
    util_reader r = util_reader_make(data, size);
    return guid_at(&r, 0, bits_legacy_version_win7) || guid_at(&r, 0, bits_legacy_version_win10);
}

/* Two of the three opening GUIDs where they belong: a known version at 0, FILE_HEADER
 * within the first 64 bytes, QUEUE_HEADER after it (so one damaged GUID is tolerated). */
bool legacy_is_state_file(const uint8_t *data, size_t size)
{
    size_t file_header = find_file_header(data, size);
    size_t queue_header = find_queue_header(data, size);
    bool adjacent = file_header != SIZE_MAX && queue_header == file_header + BITS_GUID_SIZE;
    return adjacent || (known_version(data, size) && (file_header != SIZE_MAX || queue_header != SIZE_MAX));
}

/* ---- records ------------------------------------------------------------------------------- */

static bp_source legacy_source(const char *label, size_t offset, size_t size)
{
    bp_source source = {.path = label, .format = "legacy", .table = "", .generation = ""};
    source.offset = offset;
    source.blob_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    return source;
}

/* One record per file of the job, or one without a file. `note` (may be NULL)
 * becomes a warning of each record. */
static void add_job_records(bp_result *result, const char *label, const legacy_job_record *rec,
                            const char *note)
{
    bp_source job_source = legacy_source(label, rec->start, rec->end - rec->start);
    size_t count = rec->files.count ? rec->files.count : 1;
    for (size_t i = 0; i < count; i++) {
        bp_record *record = result_add(result);
        if (!record)
            return;
        record->job = rec->job;
        record->job_source = job_source;
        if (rec->files.count) {
            const legacy_file_entry *entry = &rec->files.files[i];
            record->file = entry->file;
            record->file_source = legacy_source(label, entry->offset, entry->size);
        }
        if (note)
            util_notes_add(&result->arena, &record->warnings, note);
    }
}

/* ---- queues --------------------------------------------------------------------------------- */

/* First offset >= from holding the learned marker or QUEUE_HEADER, SIZE_MAX when none.
 * The QUEUE_HEADER search is remembered, so skipping garbage stays linear overall. */
static size_t next_landmark(state_reader *s, size_t from)
{
    if (from < s->queue_searched || (s->queue_found != SIZE_MAX && s->queue_found < from)) {
        s->queue_searched = from;
        s->queue_found = bits_find_bytes(&s->r, from, bits_legacy_queue_header, BITS_GUID_SIZE);
    }
    size_t queue = s->queue_found;
    size_t job = s->marker ? bits_find_bytes(&s->r, from, s->marker, BITS_GUID_SIZE) : SIZE_MAX;
    return queue < job ? queue : job;
}

/* Is the record at `at` to be read as a job record? Learns the marker. */
static bool job_record_starts(state_reader *s, size_t at, int queue, size_t index, uint32_t count)
{
    const uint8_t *bytes = bytes_at(&s->r, at, BITS_GUID_SIZE);
    if (!bytes)
        return false;
    if (s->marker && memcmp(bytes, s->marker, BITS_GUID_SIZE) == 0)
        return true;
    bool known = bits_is_job_marker(bytes);
    /* an unknown marker opens the first record only when a copy of it (the footer) follows */
    bool unknown_first = !s->marker && !known && index == 0 && count > 0 &&
                         bits_find_bytes(&s->r, at + BITS_GUID_SIZE, bytes, BITS_GUID_SIZE) != SIZE_MAX;
    if (!s->marker && (known || unknown_first)) {
        s->marker = bytes;
        s->info->marker = util_guid_string(&s->result->arena, bytes);
        if (!s->info->marker)
            s->info->marker = "";
        return true;  /* an unknown marker is reported by the record decoder */
    }
    if (known) {
        char text[37];
        util_guid_format(bytes, text);
        state_warn(s, "job record at offset 0x%zx in queue %d has the marker %s, not the first job's",
                   at, queue, text);
        return true;
    }
    return false;
}

static void read_job_at(state_reader *s, size_t at, int queue, legacy_job_record *rec)
{
    legacy_decode_job_record(&s->result->arena, s->data, s->size, at, rec);
    if (!rec->job)
        return;
    if (!rec->has_id) {
        const bp_note *first = rec->job->warnings.head;
        state_warn(s, "job record at offset 0x%zx in queue %d ends before its job id%s%s", at, queue,
                   first ? ": " : "", first ? first->text : "");
        return;
    }
    s->info->jobs_read[queue - 1]++;
    add_job_records(s->result, s->label, rec,
                    queue == 2 ? "job record from the second queue of the state file (its role is "
                                 "unknown)" : NULL);
}

/* Job records from `pos` up to the QUEUE_HEADER that ends the queue. Returns the
 * offset after that QUEUE_HEADER, or SIZE_MAX when the queue runs off the file. */
static size_t read_queue(state_reader *s, size_t pos, int queue, uint32_t count)
{
    size_t index = 0;
    bool warned_extra = false;
    while (bytes_at(&s->r, pos, BITS_GUID_SIZE)) {
        if (guid_at(&s->r, pos, bits_legacy_queue_header)) {
            if (index < count)
                state_warn(s, "queue %d announces %u job records but ends after %zu at offset 0x%zx",
                           queue, count, index, pos);
            return pos + BITS_GUID_SIZE;
        }
        if (!job_record_starts(s, pos, queue, index, count)) {
            size_t next = next_landmark(s, pos + 1);
            if (next == SIZE_MAX) {
                state_warn(s, "unexpected bytes at offset 0x%zx in queue %d, and no job marker or "
                              "queue header after them", pos, queue);
                return SIZE_MAX;
            }
            state_warn(s, "%zu unexpected bytes at offset 0x%zx in queue %d skipped", next - pos, pos,
                       queue);
            pos = next;
            continue;
        }
        if (index >= count && !warned_extra) {
            state_warn(s, "queue %d announces %u job records but holds more (from offset 0x%zx)", queue,
                       count, pos);
            warned_extra = true;
        }
        legacy_job_record rec;
        read_job_at(s, pos, queue, &rec);
        index++;
        if (rec.end <= pos + BITS_GUID_SIZE)
            pos += BITS_GUID_SIZE;  /* cannot happen by construction; keeps the loop finite */
        else
            pos = rec.end;
    }
    state_warn(s, "queue %d is cut off at offset 0x%zx (the file ends at 0x%zx)", queue, pos, s->size);
    return SIZE_MAX;
}

/* QUEUE_HEADER, u32 count, records, QUEUE_HEADER. Returns the offset after it or SIZE_MAX. */
static size_t read_counted_queue(state_reader *s, size_t pos, int queue)
{
    if (!guid_at(&s->r, pos, bits_legacy_queue_header)) {
        size_t found = bits_find_bytes(&s->r, pos, bits_legacy_queue_header, BITS_GUID_SIZE);
        if (found == SIZE_MAX) {
            state_warn(s, "queue %d header not found (expected at offset 0x%zx)", queue, pos);
            return SIZE_MAX;
        }
        state_warn(s, "queue %d header expected at offset 0x%zx found at 0x%zx", queue, pos, found);
        pos = found;
    }
    pos += BITS_GUID_SIZE;
    util_reader count_reader = s->r;
    util_reader_seek(&count_reader, pos);
    uint32_t count = util_read_u32(&count_reader);
    if (count_reader.failed) {
        state_warn(s, "truncated at offset 0x%zx while reading the job count of queue %d", pos, queue);
        return SIZE_MAX;
    }
    s->info->job_count[queue - 1] = count;
    return read_queue(s, pos + 4, queue, count);
}

/* ---- header and trailer ----------------------------------------------------------------------- */

static void read_version(state_reader *s)
{
    const uint8_t *version = bytes_at(&s->r, 0, BITS_GUID_SIZE);
    if (version && memcmp(version, bits_legacy_version_win7, BITS_GUID_SIZE) == 0) {
        s->info->version = LEGACY_VERSION_WIN7;
    } else if (version && memcmp(version, bits_legacy_version_win10, BITS_GUID_SIZE) == 0) {
        s->info->version = LEGACY_VERSION_WIN10;
    } else if (version) {
        char text[37];
        util_guid_format(version, text);
        state_warn(s, "unknown version GUID %s at offset 0x0 (a Windows version not yet seen)", text);
    }
    size_t at = s->info->header_offset;
    if (at != KNOWN_HEADER_WIN7 && at != KNOWN_HEADER_WIN10)
        state_warn(s, "FILE_HEADER at offset 0x%zx (known: 0x10 and 0x18)", at);
    s->info->crc_expected = s->info->version == LEGACY_VERSION_WIN10 || at == KNOWN_HEADER_WIN10;
}

/* FILE_HEADER and the version GUID again, then the CRC when there is one. */
static void read_trailer(state_reader *s, size_t pos)
{
    legacy_state_info *info = s->info;
    if (!guid_at(&s->r, pos, bits_legacy_file_header)) {
        state_warn(s, "closing FILE_HEADER not found at offset 0x%zx", pos);
        info->end = pos;
        return;
    }
    pos += BITS_GUID_SIZE;
    const uint8_t *first = bytes_at(&s->r, 0, BITS_GUID_SIZE);
    const uint8_t *again = bytes_at(&s->r, pos, BITS_GUID_SIZE);
    if (!again) {
        state_warn(s, "truncated at offset 0x%zx while reading the closing version GUID", pos);
        info->end = pos;
        return;
    }
    if (memcmp(first, again, BITS_GUID_SIZE) != 0)
        state_warn(s, "closing version GUID at offset 0x%zx differs from the one at offset 0x0", pos);
    pos += BITS_GUID_SIZE;
    info->trailer_found = true;
    info->crc_computed = util_crc32(0, s->data, pos);
    const uint8_t *stored = bytes_at(&s->r, pos, 4);
    info->end = pos;
    if (stored) {
        info->crc_stored = util_le32(stored);
        info->crc_present = info->crc_stored == info->crc_computed;
    }
    if (info->crc_present) {
        info->end = pos + 4;
    } else if (info->crc_expected && stored) {
        info->end = pos + 4;
        state_warn(s, "CRC-32 mismatch: stored 0x%08x at offset 0x%zx, computed 0x%08x over bytes "
                      "0x0-0x%zx (the file was changed or damaged after BITS wrote it)",
                   info->crc_stored, pos, info->crc_computed, pos - 1);
    } else if (info->crc_expected) {
        state_warn(s, "truncated at offset 0x%zx: the CRC-32 is missing", pos);
    }
}

/* Non-zero bytes after the end: state of removed jobs, which is not read (not carved). */
static void check_slack(state_reader *s)
{
    legacy_state_info *info = s->info;
    if (info->end >= s->size)
        return;
    const uint8_t *rest = bytes_at(&s->r, info->end, s->size - info->end);
    size_t first = SIZE_MAX, last = 0;
    for (size_t i = 0; rest && i < s->size - info->end; i++) {
        if (rest[i]) {
            info->stale_bytes++;
            if (first == SIZE_MAX)
                first = i;
            last = i;
        }
    }
    if (info->stale_bytes)
        state_warn(s, "%zu non-zero bytes between offsets 0x%zx and 0x%zx after the end of the queues "
                      "(stale data of earlier states; not read)", info->stale_bytes,
                   info->end + first, info->end + last);
}

int legacy_state_file_read(const uint8_t *data, size_t size, const char *label, bp_result *result,
                           legacy_state_info *info_out)
{
    legacy_state_info local;
    legacy_state_info *info = info_out ? info_out : &local;
    memset(info, 0, sizeof(*info));
    info->marker = "";
    state_reader s = {data, size, util_reader_make(data, size), label, result, info, NULL,
                      result->warnings.count, SIZE_MAX, SIZE_MAX};
    size_t first_record = result->count;
    info->header_offset = find_file_header(data, size);
    if (info->header_offset == SIZE_MAX) {
        size_t queue_header = find_queue_header(data, size);
        if (queue_header == SIZE_MAX || queue_header < 2 * BITS_GUID_SIZE) {
            state_warn(&s, "FILE_HEADER not found in the first %u bytes", LEGACY_HEADER_SEARCH);
            return BP_STATUS_UNREADABLE;
        }
        info->header_offset = queue_header - BITS_GUID_SIZE;
        state_warn(&s, "FILE_HEADER damaged or missing; reading from the queue header at offset 0x%zx",
                   queue_header);
    }
    read_version(&s);
    size_t pos = read_counted_queue(&s, info->header_offset + BITS_GUID_SIZE, 1);
    if (pos != SIZE_MAX)
        pos = read_counted_queue(&s, pos, 2);
    if (pos != SIZE_MAX) {
        read_trailer(&s, pos);
        check_slack(&s);
    }
    legacy_generation_register(result, label, first_record, result->count);
    return result->warnings.count > s.warnings_before ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
}

/* ---- bare pieces ------------------------------------------------------------------------------ */

int legacy_job_record_read(const uint8_t *data, size_t size, const char *label, bp_result *result)
{
    /* records cut out of a queue one after the other are all read */
    util_reader r = util_reader_make(data, size);
    size_t pos = 0;
    for (;;) {
        legacy_job_record rec;
        legacy_decode_job_record(&result->arena, data, size, pos, &rec);
        if (!rec.job)
            return BP_STATUS_UNREADABLE;
        add_job_records(result, label, &rec, NULL);
        if (!rec.complete || rec.end >= size || rec.end <= pos)
            break;
        const uint8_t *next = bytes_at(&r, rec.end, BITS_GUID_SIZE);
        if (!next || !bits_is_job_marker(next)) {
            util_notes_addf(&result->arena, &rec.job->warnings,
                          "legacy job record: %zu unexpected bytes after the footer at offset 0x%zx",
                          size - rec.end, rec.end);
            break;
        }
        pos = rec.end;
    }
    return BP_STATUS_CLEAN;
}

int legacy_file_list_read(const uint8_t *data, size_t size, const char *label, bp_result *result)
{
    legacy_file_list list;
    bp_note_list problems = {NULL, NULL, 0};
    legacy_decode_file_list(&result->arena, data, size, 0, &problems, "legacy file list", &list);
    for (size_t i = 0; i < list.count; i++) {
        bp_record *record = result_add(result);
        if (!record)
            return BP_STATUS_UNREADABLE;
        record->file = list.files[i].file;
        record->file_source = legacy_source(label, list.files[i].offset, list.files[i].size);
        util_notes_add(&result->arena, &record->warnings,
                     "orphan file: a legacy file list without the job record that holds it");
        for (const bp_note *n = problems.head; n && i + 1 == list.count; n = n->next)
            util_notes_add(&result->arena, &record->warnings, n->text);
    }
    if (list.count == 0) {
        for (const bp_note *n = problems.head; n; n = n->next)
            util_notes_addf(&result->arena, &result->warnings, "%s: %s", label, n->text);
        util_notes_addf(&result->arena, &result->warnings, "%s: legacy file list without a readable file "
                      "record", label);
        return BP_STATUS_UNREADABLE;
    }
    return BP_STATUS_CLEAN;
}
