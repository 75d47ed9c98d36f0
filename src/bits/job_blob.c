/* ESE-era job blob (bits-format §4). The blob is read front to back; each
 * stage returns false when it cannot go on, leaving what it decoded in place
 * and a warning naming the field and offset. When the variable tail does not
 * parse, the creator program and HTTP method are recovered from anchors. */
#include "bits/job_blob.h"

#include <string.h>

#include "bits/blob_reader.h"
#include "bits/markers.h"
#include "bits/security_descriptor.h"
#include "util/reader.h"
#include "util/text.h"

enum {
    MAX_ERROR_RECORDS = 64,
    ERROR_RECORD_SHORT = 21,     /* the form seen on every sample (§4.5) */
    ERROR_RECORD_LONG = 25,      /* older form with a u64 code (ANSSI), unverified */
    LIMITS_BLOCK_SIZE = 113,     /* fields 48-55: fixed bytes between #47 and the creator */
};

/* 1995-01-01 and 2100-01-01 as FILETIMEs: the plausible range of job times (§7.3). */
#define FILETIME_1995 124333920000000000ULL
#define FILETIME_2100 157469184000000000ULL

typedef struct job_decoder {
    bits_blob_reader in;           /* cursor, arena and warning list */
    bp_job *job;
    const uint8_t *header_marker;  /* the blob's first 16 bytes */
    size_t resync_from;            /* earliest offset an anchor search may start at */
    bool anchor_seen;              /* the tail constant (#57) was read in sequence */
} job_decoder;

/* Fields 48-55, read as one fixed block. */
typedef struct job_limits {
    uint32_t max_download_time;
    uint32_t cost_flags;
    uint8_t machine_flag1, machine_flag2;
    const uint8_t *machine_guid1, *machine_guid2;
} job_limits;

/* ---- helpers ------------------------------------------------------------------------ */

static const char *guid_text(job_decoder *d, const uint8_t *guid)
{
    const char *text = bp_guid_string(d->in.arena, guid);
    return text ? text : "";
}

static bool filetime_plausible(uint64_t filetime)
{
    return filetime >= FILETIME_1995 && filetime < FILETIME_2100;
}

/* ---- fields 1-6: header ----------------------------------------------------------------- */

/* Priority, state and a type in range: what a real header looks like. */
static bool header_fields_plausible(bp_reader r)
{
    uint32_t field2 = bp_read_u32(&r), priority = bp_read_u32(&r);
    uint32_t state = bp_read_u32(&r), field5 = bp_read_u32(&r);
    return !r.failed && priority <= 3 && state <= 8 && (field5 <= 2 || field2 <= 2);
}

/* Upload jobs may start with two GUIDs (§4.3): skip the second one when it is a
 * marker itself, or when only the shifted fields look like a header. */
static void skip_second_guid(job_decoder *d)
{
    bp_reader shifted = d->in.r;
    const uint8_t *second = bp_read_bytes(&shifted, BITS_GUID_SIZE);
    if (!second)
        return;
    bool is_marker = bits_is_job_marker(second);
    if (!is_marker && (header_fields_plausible(d->in.r) || !header_fields_plausible(shifted)))
        return;
    bits_blob_warn(&d->in, "second GUID %s at offset 0x%zx skipped (double-GUID header of upload jobs, layout "
                "unverified)", guid_text(d, second), d->in.r.pos);
    d->in.r = shifted;
}

/* Type is field 5; field 2 is the fallback when only it is in range (§4.4). */
static void choose_type(job_decoder *d, size_t at, uint32_t field2, uint32_t field5)
{
    d->job->job_type = field5;
    if (field5 <= 2) {
        if (field2 != 0 && field2 != field5)
            bits_blob_warn(&d->in, "job type fields disagree: %u at offset 0x%zx, %u (used) at offset 0x%zx",
                     field2, at, field5, at + 12);
        return;
    }
    if (field2 <= 2) {
        d->job->job_type = field2;
        bits_blob_warn(&d->in, "job type %u at offset 0x%zx is out of range; using %u from offset 0x%zx", field5,
                 at + 12, field2, at);
    } else {
        bits_blob_warn(&d->in, "job type %u at offset 0x%zx is out of range", field5, at + 12);
    }
}

static bool decode_header(job_decoder *d)
{
    bp_job *job = d->job;
    const uint8_t *marker, *id;
    if (!bits_take_guid(&d->in, "job marker", &marker))
        return false;
    d->header_marker = marker;
    job->marker = guid_text(d, marker);
    if (!bits_is_job_marker(marker))
        bits_blob_warn(&d->in, "unknown job marker %s at offset 0x0", job->marker);
    skip_second_guid(d);
    size_t at = d->in.r.pos;
    uint32_t field2, field5;
    if (!bits_take_u32(&d->in, "job type (field 2)", &field2) || !bits_take_u32(&d->in, "priority", &job->priority) ||
        !bits_take_u32(&d->in, "state", &job->state) || !bits_take_u32(&d->in, "job type", &field5))
        return false;
    choose_type(d, at, field2, field5);
    if (job->priority > 3)
        bits_blob_warn(&d->in, "priority %u at offset 0x%zx is out of range", job->priority, at + 4);
    if (job->state > 8)
        bits_blob_warn(&d->in, "state %u at offset 0x%zx is out of range", job->state, at + 8);
    if (!bits_take_guid(&d->in, "job id", &id))
        return false;
    job->job_id = guid_text(d, id);
    d->resync_from = d->in.r.pos;
    return true;
}

/* ---- fields 7-19: strings, owner, security descriptor -------------------------------------- */

static bool decode_strings(job_decoder *d)
{
    bp_job *job = d->job;
    size_t owner_at;
    if (!bits_take_wstr(&d->in, "display name", &job->name) ||
        !bits_take_wstr(&d->in, "description", &job->description) ||
        !bits_take_wstr(&d->in, "notify program", &job->notify_program) ||
        !bits_take_wstr(&d->in, "notify arguments", &job->notify_arguments))
        return false;
    owner_at = d->in.r.pos;
    if (!bits_take_wstr(&d->in, "owner SID", &job->owner_sid))
        return false;
    if (job->owner_sid[0] && strncmp(job->owner_sid, "S-1-", 4) != 0)
        bits_blob_warn(&d->in, "owner SID \"%s\" at offset 0x%zx is not a SID", job->owner_sid, owner_at);
    return true;
}

static bool decode_owner_fields(job_decoder *d)
{
    bp_job *job = d->job;
    uint32_t unknown;
    return bits_take_u32(&d->in, "notify flags", &job->notify_flags) &&
           bits_take_u32(&d->in, "owner-is-LocalSystem flag", &job->owner_is_local_system) &&
           bits_take_u32(&d->in, "owner integrity level", &job->owner_integrity) &&
           bits_take_u32(&d->in, "unknown field 15", &unknown) && bits_take_u32(&d->in, "unknown field 16", &unknown) &&
           bits_take_u32(&d->in, "per-owner constant (field 17)", &unknown);
}

static void apply_security_descriptor(job_decoder *d, const bits_security_descriptor *sd)
{
    bp_job *job = d->job;
    job->aces = sd->aces;
    job->ace_count = sd->ace_count;
    job->sd_owner_sid = sd->owner_sid;
    job->sd_group_sid = sd->group_sid;
    job->sd_control = sd->control;
    if (sd->has_integrity_label && sd->integrity_rid != job->owner_integrity)
        bits_blob_warn(&d->in, "owner integrity 0x%x differs from the descriptor's label 0x%x",
                 job->owner_integrity, sd->integrity_rid);
}

/* A bad length is not fatal: the file list stage re-finds the transfer marker. */
static bool decode_security(job_decoder *d)
{
    size_t at = d->in.r.pos;
    uint32_t length;
    if (!bits_take_u32(&d->in, "security descriptor length", &length))
        return false;
    if (length > BITS_SD_MAX_SIZE || length > bp_reader_left(&d->in.r)) {
        bits_blob_warn(&d->in, "security descriptor length %u at offset 0x%zx is impossible (%zu bytes left, "
                    "limit %u)", length, at, bp_reader_left(&d->in.r), BITS_SD_MAX_SIZE);
        return true;
    }
    d->job->security_descriptor_size = length;
    bits_security_descriptor sd;
    bp_reader sd_bytes = bp_reader_sub(&d->in.r, d->in.r.pos, length);
    bits_decode_security_descriptor(d->in.arena, sd_bytes, d->in.r.pos, "job blob: security descriptor",
                                    &d->job->warnings, &sd);
    apply_security_descriptor(d, &sd);
    bp_reader_skip(&d->in.r, length);
    return true;
}

/* ---- fields 20-23: file list ------------------------------------------------------------ */

/* Expect the transfer marker here; else look for it further on (after a bad SD length). */
static bool expect_transfer_marker(job_decoder *d, size_t search_from)
{
    size_t at = d->in.r.pos;
    const uint8_t *marker;
    if (bp_reader_has(&d->in.r, BITS_GUID_SIZE)) {
        bp_reader peek = d->in.r;
        marker = bp_read_bytes(&peek, BITS_GUID_SIZE);
        if (memcmp(marker, bits_transfer_marker, BITS_GUID_SIZE) == 0) {
            d->in.r = peek;
            return true;
        }
    }
    size_t found = bits_find_bytes(&d->in.r, search_from, bits_transfer_marker, BITS_GUID_SIZE);
    if (found == SIZE_MAX) {
        if (!bp_reader_has(&d->in.r, BITS_GUID_SIZE))
            return bits_blob_truncated(&d->in, at, "transfer marker");
        bits_blob_warn(&d->in, "transfer marker not found (expected at offset 0x%zx)", at);
        return false;
    }
    bits_blob_warn(&d->in, "transfer marker expected at offset 0x%zx found at 0x%zx", at, found);
    bp_reader_seek(&d->in.r, found + BITS_GUID_SIZE);
    return true;
}

static bool decode_file_list(job_decoder *d, size_t sd_start)
{
    bp_job *job = d->job;
    if (!expect_transfer_marker(d, sd_start))
        return false;
    size_t at = d->in.r.pos;
    uint32_t count;
    if (!bits_take_u32(&d->in, "file count", &count))
        return false;
    size_t left = bp_reader_left(&d->in.r);
    if (count > BITS_MAX_FILE_COUNT || (size_t)count * BITS_GUID_SIZE + BITS_GUID_SIZE > left) {
        bits_blob_warn(&d->in, "file count %u at offset 0x%zx does not fit (%zu bytes left)", count, at, left);
        return false;
    }
    job->file_ids = count ? bp_arena_array(d->in.arena, count, sizeof(char *)) : NULL;
    if (count && !job->file_ids)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *guid = bp_read_bytes(&d->in.r, BITS_GUID_SIZE);
        job->file_ids[i] = guid_text(d, guid);
        job->file_count++;
    }
    const uint8_t *closing;
    at = d->in.r.pos;
    if (!bits_take_guid(&d->in, "second transfer marker", &closing))
        return false;
    if (memcmp(closing, bits_transfer_marker, BITS_GUID_SIZE) != 0) {
        bits_blob_warn(&d->in, "second transfer marker missing at offset 0x%zx", at);
        return false;
    }
    d->resync_from = d->in.r.pos;
    return true;
}

/* ---- fields 24-25: error record (§4.5) ------------------------------------------------------ */

/* End of `count` error records of `record_size` bytes, each ending in a flag byte
 * that announces an optional counted string; 0 when they do not fit. */
static size_t error_records_end(bp_reader r, size_t start, size_t record_size, uint32_t count)
{
    bp_reader_seek(&r, start);
    for (uint32_t i = 0; i < count; i++) {
        bp_reader_skip(&r, record_size - 1);
        if (bp_read_u8(&r)) {
            uint32_t units = bp_read_u32(&r);
            if (units > BITS_WSTR_MAX_UNITS)
                return 0;
            bp_reader_skip(&r, (size_t)units * 2);
        }
        if (r.failed)
            return 0;
    }
    return r.pos;
}

/* Do the counters and times that follow the error records look real? */
static bool after_errors_plausible(bp_reader r, size_t pos)
{
    if (!pos)
        return false;
    bp_reader_seek(&r, pos);
    bp_reader_skip(&r, 12);  /* transient count, retry delay, no-progress timeout */
    uint64_t created = bp_read_u64(&r), modified = bp_read_u64(&r);
    return !r.failed && filetime_plausible(created) &&
           (modified == 0 || (filetime_plausible(modified) && created <= modified));
}

/* Reads the first record into the job; the rest are skipped. */
static bool read_error_records(job_decoder *d, size_t record_size, uint32_t count)
{
    bp_job *job = d->job;
    for (uint32_t i = 0; i < count; i++) {
        bp_reader record = bp_reader_sub(&d->in.r, d->in.r.pos, record_size);
        if (i == 0 && record_size == ERROR_RECORD_SHORT) {
            bp_read_u32(&record);
            job->error_hresult = bp_read_u32(&record);
            bp_read_u32(&record);
            job->error_context = bp_read_u32(&record);
            job->error_class = bp_read_u32(&record);
        } else if (i == 0) {
            uint64_t code = bp_read_u64(&record);
            job->error_hresult = (uint32_t)code ? (uint32_t)code : (uint32_t)(code >> 32);
            bp_read_u32(&record);
            job->error_context = bp_read_u32(&record);
            job->error_class = bp_read_u32(&record);
        }
        uint8_t has_text;
        const char *text = "";
        if (!bits_take_skip(&d->in, "error record", record_size - 1) || !bits_take_u8(&d->in, "error record", &has_text))
            return false;
        if (has_text && !bits_take_wstr(&d->in, "error description", &text))
            return false;
        if (text[0])
            bits_blob_warn(&d->in, "error record %u carries the text \"%s\"", i, text);
    }
    job->has_error = true;
    return true;
}

static bool decode_errors(job_decoder *d)
{
    size_t at = d->in.r.pos;
    uint32_t count;
    if (!bits_take_u32(&d->in, "error flag", &count))
        return false;
    if (count == 0)
        return true;
    if (count > MAX_ERROR_RECORDS) {
        bits_blob_warn(&d->in, "error record count %u at offset 0x%zx is implausible", count, at);
        return false;
    }
    if (count > 1)
        bits_blob_warn(&d->in, "%u error records at offset 0x%zx; only the first is reported", count, at);
    d->job->error_count = count;
    size_t start = d->in.r.pos;
    if (after_errors_plausible(d->in.r, error_records_end(d->in.r, start, ERROR_RECORD_SHORT, count)))
        return read_error_records(d, ERROR_RECORD_SHORT, count);
    if (after_errors_plausible(d->in.r, error_records_end(d->in.r, start, ERROR_RECORD_LONG, count))) {
        bits_blob_warn(&d->in, "25-byte error record at offset 0x%zx (older form; field mapping unverified)", start);
        return read_error_records(d, ERROR_RECORD_LONG, count);
    }
    bits_blob_warn(&d->in, "error record at offset 0x%zx: the fields after it are implausible in both known "
                "forms; read as the 21-byte form", start);
    return read_error_records(d, ERROR_RECORD_SHORT, count);
}

/* ---- fields 26-38: counters, times, timers -------------------------------------------------- */

static bool decode_times(job_decoder *d)
{
    bp_job *job = d->job;
    return bits_take_u32(&d->in, "transient error count", &job->transient_error_count) &&
           bits_take_u32(&d->in, "retry delay", &job->retry_delay) &&
           bits_take_u32(&d->in, "no-progress timeout", &job->no_progress_timeout) &&
           bits_take_u64(&d->in, "creation time", &job->created) &&
           bits_take_u64(&d->in, "modification time", &job->modified) &&
           bits_take_u64(&d->in, "second modification time", &job->modified2) &&
           bits_take_u64(&d->in, "completion time", &job->completed);
}

/* TIMER = u8 present, then (when 1) FILETIME start and deadline. */
static bool take_timer(job_decoder *d, const char *field, bp_timer *timer)
{
    size_t at = d->in.r.pos;
    uint8_t present;
    if (!bits_take_u8(&d->in, field, &present))
        return false;
    if (present == 0)
        return true;
    if (present != 1) {
        bits_blob_warn(&d->in, "%s at offset 0x%zx has presence byte 0x%02x (expected 0 or 1)", field, at, present);
        return false;
    }
    timer->present = true;
    return bits_take_u64(&d->in, field, &timer->start) && bits_take_u64(&d->in, field, &timer->deadline);
}

static bool decode_timers(job_decoder *d)
{
    bp_job *job = d->job;
    uint8_t unknown8;
    uint32_t pending_kind;
    bool ok = bits_take_u8(&d->in, "unknown byte (field 33)", &unknown8) &&
              bits_take_u32(&d->in, "pending-notification kind (field 34)", &pending_kind) &&
              take_timer(d, "inactivity timer", &job->inactivity_timer) &&
              take_timer(d, "no-progress timer", &job->no_progress_timer) &&
              take_timer(d, "error timer", &job->error_timer) &&
              take_timer(d, "retry timer", &job->retry_timer);
    if (ok)
        d->resync_from = d->in.r.pos;
    return ok;
}

/* ---- fields 39-62: the variable tail --------------------------------------------------------- */

static bool take_custom_headers(job_decoder *d)
{
    bp_job *job = d->job;
    uint8_t present;
    if (!bits_take_u8(&d->in, "custom headers flag", &present))
        return false;
    job->has_custom_headers = present != 0;
    if (!present)
        return true;
    uint64_t plain_size;
    size_t at;
    uint32_t length;
    if (!bits_take_u64(&d->in, "custom headers size", &plain_size))
        return false;
    at = d->in.r.pos;
    if (!bits_take_u32(&d->in, "custom headers length", &length))
        return false;
    job->custom_headers_size = length;
    if (length > bp_reader_left(&d->in.r)) {
        bits_blob_warn(&d->in, "custom headers length %u at offset 0x%zx exceeds the %zu bytes left", length, at,
                 bp_reader_left(&d->in.r));
        return false;
    }
    return bits_take_skip(&d->in, "custom headers (DPAPI blob)", length);  /* needs SYSTEM DPAPI keys */
}

static bool read_limits(bp_reader *r, job_limits *out)
{
    out->max_download_time = bp_read_u32(r);
    bp_read_u32(r);  /* field 49 */
    bp_read_u32(r);  /* field 50 */
    out->cost_flags = bp_read_u32(r);
    bp_read_u32(r);  /* field 52 */
    bp_reader_skip(r, 38);
    out->machine_flag1 = bp_read_u8(r);
    out->machine_guid1 = bp_read_bytes(r, BITS_GUID_SIZE);
    out->machine_flag2 = bp_read_u8(r);
    out->machine_guid2 = bp_read_bytes(r, BITS_GUID_SIZE);
    bp_reader_skip(r, 21);
    return !r->failed;
}

static bool machine_guids_agree(const job_limits *limits)
{
    return memcmp(limits->machine_guid1, limits->machine_guid2, BITS_GUID_SIZE) == 0;
}

static void apply_limits(job_decoder *d, const job_limits *limits)
{
    d->job->max_download_time = limits->max_download_time;
    d->job->cost_flags = limits->cost_flags;
    d->job->machine_guid = guid_text(d, limits->machine_guid1);
}

static bool decode_limits(job_decoder *d)
{
    size_t at = d->in.r.pos;
    job_limits limits;
    if (!read_limits(&d->in.r, &limits))
        return bits_blob_truncated(&d->in, at, "transfer limits and machine GUID (fields 48-55)");
    apply_limits(d, &limits);
    if (!machine_guids_agree(&limits))
        bits_blob_warn(&d->in, "the two machine GUIDs at offset 0x%zx differ", at + 58);
    return true;
}

/* Fields 57-61: the anchor constant, HTTP method and extra string. */
static bool decode_after_creator(job_decoder *d)
{
    bp_job *job = d->job;
    size_t at = d->in.r.pos;
    const uint8_t *anchor;
    if (!bits_take_guid(&d->in, "constant before the HTTP method", &anchor))
        return false;
    if (memcmp(anchor, bits_job_tail_anchor, BITS_GUID_SIZE) != 0) {
        bits_blob_warn(&d->in, "constant before the HTTP method not found at offset 0x%zx", at);
        return false;
    }
    d->anchor_seen = true;
    return bits_take_wstr(&d->in, "HTTP method", &job->http_method) &&
           bits_take_skip(&d->in, "unknown bytes (field 59)", 3) &&
           bits_take_wstr(&d->in, "extra string", &job->extra_string) &&
           bits_take_skip(&d->in, "unknown byte (field 61)", 1);
}

static bool decode_tail(job_decoder *d)
{
    bp_job *job = d->job;
    uint8_t unknown8;
    return bits_take_u32(&d->in, "proxy usage", &job->proxy_usage) &&
           bits_take_optional_wstr(&d->in, "proxy list", &job->proxy_list) &&
           bits_take_optional_wstr(&d->in, "proxy bypass list", &job->proxy_bypass_list) &&
           bits_take_u8(&d->in, "unknown byte (field 42)", &unknown8) &&
           bits_take_u32(&d->in, "file ACL flags", &job->acl_flags) &&
           bits_take_skip(&d->in, "unknown bytes (field 44)", 3) && take_custom_headers(d) &&
           bits_take_skip(&d->in, "unknown block (field 47)", 32) && decode_limits(d) &&
           bits_take_wstr(&d->in, "creator program", &job->creator_program) && decode_after_creator(d);
}

/* Field 62: the header marker again, which must end the blob. */
static void decode_footer(job_decoder *d)
{
    size_t at = d->in.r.pos;
    const uint8_t *footer;
    if (!bits_take_guid(&d->in, "footer", &footer))
        return;
    if (memcmp(footer, d->header_marker, BITS_GUID_SIZE) != 0) {
        bits_blob_warn(&d->in, "footer at offset 0x%zx does not repeat the job marker", at);
        return;
    }
    d->job->complete = true;
    if (bp_reader_left(&d->in.r))
        bits_blob_warn(&d->in, "%zu unexpected bytes after the footer at offset 0x%zx", bp_reader_left(&d->in.r),
                 d->in.r.pos);
}

/* ---- anchor fallback (§4.1): creator program, method and limits from the constant ---------- */

/* Start of the counted string whose NUL ends right at `end`, not before `floor`;
 * tried from the shortest candidate, every unit before the NUL non-zero. */
static size_t find_wstr_ending_at(const bp_reader *r, size_t floor, size_t end)
{
    if (end < floor)
        return SIZE_MAX;
    bp_reader view = bp_reader_sub(r, floor, end - floor);
    const uint8_t *bytes = bp_read_bytes(&view, view.size);
    size_t span = view.size;
    if (!bytes || span < 6 || bp_le16(bytes + span - 2) != 0)
        return SIZE_MAX;
    for (size_t units = 1; units <= BITS_WSTR_MAX_UNITS && 4 + 2 * units <= span; units++) {
        size_t start = span - 4 - 2 * units;
        if (units > 1 && bp_le16(bytes + span - 2 * units) == 0)
            return SIZE_MAX;  /* an earlier NUL: no longer string can end here */
        if (bp_le32(bytes + start) == units)
            return floor + start;
    }
    return SIZE_MAX;
}

/* Fields 48-55 sit right before the creator program; take them when they look real. */
static void recover_limits(job_decoder *d, size_t creator_start)
{
    if (creator_start < d->resync_from + LIMITS_BLOCK_SIZE)
        return;
    bp_reader r = bp_reader_make(d->in.r.data, d->in.r.size);
    bp_reader_seek(&r, creator_start - LIMITS_BLOCK_SIZE);
    job_limits limits;
    if (!read_limits(&r, &limits) || limits.machine_flag2 != 1 || !machine_guids_agree(&limits) ||
        bp_guid_is_zero(limits.machine_guid1))
        return;
    apply_limits(d, &limits);
    bits_blob_warn(&d->in, "maximum download time, cost flags and machine GUID recovered from offset 0x%zx",
             creator_start - LIMITS_BLOCK_SIZE);
}

/* body_ok: fields 1-38 decoded, so the failure lies in the tail itself. */
static void recover_tail(job_decoder *d, bool body_ok)
{
    bp_reader whole = bp_reader_make(d->in.r.data, d->in.r.size);
    size_t anchor = bits_find_bytes(&whole, d->resync_from, bits_job_tail_anchor, BITS_GUID_SIZE);
    if (anchor == SIZE_MAX) {
        if (body_ok && !d->in.ran_out)
            bits_blob_warn(&d->in, "tail after offset 0x%zx has an unknown layout (newer Windows?); creator "
                        "program and HTTP method not recovered", d->resync_from);
        return;
    }
    bits_blob_warn(&d->in, "tail after offset 0x%zx did not parse; resynchronised on the constant at 0x%zx",
             d->resync_from, anchor);
    size_t creator = find_wstr_ending_at(&whole, d->resync_from, anchor);
    d->in.r = whole;
    if (creator != SIZE_MAX) {
        bp_reader_seek(&d->in.r, creator);
        bits_take_wstr(&d->in, "creator program", &d->job->creator_program);
        recover_limits(d, creator);
    }
    bp_reader_seek(&d->in.r, anchor);
    if (decode_after_creator(d))
        decode_footer(d);
}

/* ---- entry point -------------------------------------------------------------------------- */

static void init_job(bp_job *job, size_t size)
{
    job->job_id = job->marker = job->name = job->description = "";
    job->notify_program = job->notify_arguments = job->owner_sid = "";
    job->sd_owner_sid = job->sd_group_sid = "";
    job->proxy_list = job->proxy_bypass_list = job->machine_guid = "";
    job->creator_program = job->http_method = job->extra_string = "";
    job->blob_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
}

/* Fields 1-38, which every known serializer shares. */
static bool decode_body(job_decoder *d)
{
    if (!decode_header(d) || !decode_strings(d) || !decode_owner_fields(d))
        return false;
    size_t sd_start = d->in.r.pos;
    return decode_security(d) && decode_file_list(d, sd_start) && decode_errors(d) &&
           decode_times(d) && decode_timers(d);
}

bp_job *bits_decode_job(bp_arena *arena, const uint8_t *blob, size_t size)
{
    bp_job *job = bp_arena_alloc(arena, sizeof(*job));
    if (!job)
        return NULL;
    init_job(job, size);
    job_decoder d = {{bp_reader_make(blob, size), arena, &job->warnings, "job blob", false}, job, NULL, 0, false};
    bool body_ok = decode_body(&d);
    if (!d.header_marker)
        return job;  /* not even 16 bytes */
    if (body_ok && decode_tail(&d)) {
        job->tail_decoded = true;
        decode_footer(&d);
        return job;
    }
    if (!d.anchor_seen)  /* past the anchor there is nothing left to recover */
        recover_tail(&d, body_ok);
    return job;
}
