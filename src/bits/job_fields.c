/* Shared job field readers (bits-format §4.1 fields 1-19 and 24-48). */
#include "bits/job_fields.h"

#include <stdio.h>
#include <string.h>

#include "bits/markers.h"
#include "bits/security_descriptor.h"
#include "util/text.h"

enum {
    MAX_ERROR_RECORDS = 64,
    ERROR_RECORD_SHORT = 21,  /* u32, HRESULT, u32, context, class, u8 text flag */
    ERROR_RECORD_LONG = 25,   /* u64 code, u32, context, class, u32?, u8 text flag (ANSSI) */
    OPTIONS_BLOCK_SIZE = 32,  /* field 47 */
};

/* 1995-01-01 and 2100-01-01 as FILETIMEs: the plausible range of job times (§7.3). */
#define FILETIME_1995 124333920000000000ULL
#define FILETIME_2100 157469184000000000ULL

static const char *guid_text(bits_blob_reader *b, const uint8_t *guid)
{
    const char *text = util_guid_string(b->arena, guid);
    return text ? text : "";
}

static bool filetime_plausible(uint64_t filetime)
{
    return filetime >= FILETIME_1995 && filetime < FILETIME_2100;
}

/* ---- fields 1-6 ------------------------------------------------------------------------ */

bool bits_job_read_header(bits_blob_reader *b, bp_job *job, const uint8_t **marker)
{
    if (!bits_take_guid(b, "job marker", marker))
        return false;
    job->marker = guid_text(b, *marker);
    return bits_job_read_type_state_id(b, job);
}

bool bits_job_read_type_state_id(bits_blob_reader *b, bp_job *job)
{
    const uint8_t *id;
    size_t at = b->r.pos;
    uint32_t field2, priority, state, field5;
    /* all four or none: a value never read must not print as the name of 0 */
    if (!bits_take_u32(b, "job type (field 2)", &field2) || !bits_take_u32(b, "priority", &priority) ||
        !bits_take_u32(b, "state", &state) || !bits_take_u32(b, "job type", &field5))
        return false;
    job->priority = priority;
    job->state = state;
    job->header_decoded = true;
    job->job_type = field5;
    if (field5 > 2 && field2 <= 2) {
        job->job_type = field2;
        bits_blob_warn(b, "job type %u at offset 0x%zx is out of range; using %u from offset 0x%zx",
                         field5, at + 12, field2, at);
    } else if (field5 > 2) {
        bits_blob_warn(b, "job type %u at offset 0x%zx is out of range", field5, at + 12);
    } else if (field2 != 0 && field2 != field5) {
        bits_blob_warn(b, "job type fields disagree: %u at offset 0x%zx, %u (used) at offset 0x%zx",
                         field2, at, field5, at + 12);
    }
    if (job->priority > 3)
        bits_blob_warn(b, "priority %u at offset 0x%zx is out of range", job->priority, at + 4);
    if (job->state > 8)
        bits_blob_warn(b, "state %u at offset 0x%zx is out of range", job->state, at + 8);
    if (!bits_take_guid(b, "job id", &id))
        return false;
    job->job_id = guid_text(b, id);
    return true;
}

/* ---- fields 7-19 ----------------------------------------------------------------------- */

bool bits_job_read_owner(bits_blob_reader *b, bp_job *job)
{
    uint32_t unknown;
    if (!bits_take_wstr(b, "display name", &job->name) ||
        !bits_take_wstr(b, "description", &job->description) ||
        !bits_take_wstr(b, "notify program", &job->notify_program) ||
        !bits_take_wstr(b, "notify arguments", &job->notify_arguments))
        return false;
    size_t owner_at = b->r.pos;
    if (!bits_take_wstr(b, "owner SID", &job->owner_sid))
        return false;
    if (job->owner_sid[0] && strncmp(job->owner_sid, "S-1-", 4) != 0)
        bits_blob_warn(b, "owner SID \"%s\" at offset 0x%zx is not a SID", job->owner_sid, owner_at);
    return bits_take_u32(b, "notify flags", &job->notify_flags) &&
           bits_take_u32(b, "owner-is-LocalSystem flag", &job->owner_is_local_system) &&
           bits_take_u32(b, "owner integrity level", &job->owner_integrity) &&
           bits_take_u32(b, "unknown field 15", &unknown) &&
           bits_take_u32(b, "unknown field 16", &unknown) &&
           bits_take_u32(b, "per-owner constant (field 17)", &unknown);
}

bool bits_job_read_security(bits_blob_reader *b, bp_job *job, bits_sd_cache *cache)
{
    size_t at = b->r.pos;
    uint32_t length;
    if (!bits_take_u32(b, "security descriptor length", &length))
        return false;
    if (length > BITS_SD_MAX_SIZE || length > util_reader_left(&b->r)) {
        bits_blob_warn(b, "security descriptor length %u at offset 0x%zx is impossible (%zu bytes "
                          "left, limit %u)", length, at, util_reader_left(&b->r), BITS_SD_MAX_SIZE);
        return true;
    }
    job->security_descriptor_size = length;
    bits_security_descriptor sd;
    util_reader bytes = util_reader_sub(&b->r, b->r.pos, length);
    if (!bits_sd_cache_take(cache, b->warnings, bytes, &sd)) {  /* a hit needs no warning prefix */
        char where[128];
        snprintf(where, sizeof where, "%s: security descriptor", b->what);
        /* the descriptor decoder counts offsets from base_offset, and the sub-reader from 0 */
        bits_sd_cache_decode_missed(cache, b->arena, bytes, b->r.pos, where, b->warnings, &sd);
    }
    job->aces = sd.aces;
    job->ace_count = sd.ace_count;
    job->sd_owner_sid = sd.owner_sid;
    job->sd_group_sid = sd.group_sid;
    job->sd_control = sd.control;
    job->sd_sids = sd.sids;
    job->sd_sid_count = sd.sids ? sd.sid_count : 0;
    if (sd.has_integrity_label && sd.integrity_rid != job->owner_integrity)
        bits_blob_warn(b, "owner integrity 0x%x differs from the descriptor's label 0x%x",
                         job->owner_integrity, sd.integrity_rid);
    util_reader_skip(&b->r, length);
    return true;
}

/* ---- fields 24-25: error records (§4.5) --------------------------------------------------- */

/* End of `count` records of `size` bytes (each ending in a flag byte that announces
 * a counted string) starting at `start`; 0 when they do not fit. */
static size_t error_records_end(util_reader r, size_t start, size_t size, uint32_t count)
{
    util_reader_seek(&r, start);
    for (uint32_t i = 0; i < count; i++) {
        util_reader_skip(&r, size - 1);
        if (util_read_u8(&r)) {
            uint32_t units = util_read_u32(&r);
            if (units > BITS_WSTR_MAX_UNITS)
                return 0;
            util_reader_skip(&r, (size_t)units * 2);
        }
        if (r.failed)
            return 0;
    }
    return r.pos;
}

/* Do the three u32s and two FILETIMEs after the records look like real ones? */
static bool after_errors_plausible(util_reader r, size_t pos)
{
    if (!pos)
        return false;
    util_reader_seek(&r, pos);
    util_reader_skip(&r, 12);
    uint64_t created = util_read_u64(&r), modified = util_read_u64(&r);
    return !r.failed && filetime_plausible(created) &&
           (modified == 0 || (filetime_plausible(modified) && created <= modified));
}

static bool read_error_records(bits_blob_reader *b, bp_job *job, size_t size, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (i == 0) {
            util_reader record = util_reader_sub(&b->r, b->r.pos, size);
            if (size == ERROR_RECORD_SHORT) {
                util_read_u32(&record);
                job->error_hresult = util_read_u32(&record);
            } else {
                uint64_t code = util_read_u64(&record);
                job->error_hresult = (uint32_t)code ? (uint32_t)code : (uint32_t)(code >> 32);
            }
            util_read_u32(&record);
            job->error_context = util_read_u32(&record);
            job->error_class = util_read_u32(&record);
        }
        uint8_t has_text;
        const char *text = "";
        if (!bits_take_skip(b, "error record", size - 1) || !bits_take_u8(b, "error record", &has_text))
            return false;
        if (has_text && !bits_take_wstr(b, "error description", &text))
            return false;
        if (text[0])
            bits_blob_warn(b, "error record %u carries the text \"%s\"", i, text);
    }
    job->has_error = true;
    return true;
}

bool bits_job_read_errors(bits_blob_reader *b, bp_job *job)
{
    size_t at = b->r.pos;
    uint32_t count;
    if (!bits_take_u32(b, "error count", &count))
        return false;
    if (count == 0)
        return true;
    if (count > MAX_ERROR_RECORDS) {
        bits_blob_warn(b, "error record count %u at offset 0x%zx is implausible", count, at);
        return false;
    }
    job->error_count = count;
    if (count > 1)
        bits_blob_warn(b, "%u error records at offset 0x%zx; only the first is reported", count, at);
    size_t start = b->r.pos;
    if (after_errors_plausible(b->r, error_records_end(b->r, start, ERROR_RECORD_SHORT, count)))
        return read_error_records(b, job, ERROR_RECORD_SHORT, count);
    if (after_errors_plausible(b->r, error_records_end(b->r, start, ERROR_RECORD_LONG, count))) {
        bits_blob_warn(b, "25-byte error record at offset 0x%zx (older form; field mapping "
                          "unverified)", start);
        return read_error_records(b, job, ERROR_RECORD_LONG, count);
    }
    bits_blob_warn(b, "error record at offset 0x%zx: the fields after it are implausible in both "
                      "known forms; read as the 21-byte form", start);
    return read_error_records(b, job, ERROR_RECORD_SHORT, count);
}

/* ---- fields 26-38 ---------------------------------------------------------------------- */

/* TIMER = u8 present, then (when 1) FILETIME start and deadline. */
static bool take_timer(bits_blob_reader *b, const char *field, bp_timer *timer)
{
    size_t at = b->r.pos;
    uint8_t present;
    if (!bits_take_u8(b, field, &present))
        return false;
    if (present == 0)
        return true;
    if (present != 1) {
        bits_blob_warn(b, "%s at offset 0x%zx has presence byte 0x%02x (expected 0 or 1)", field, at,
                         present);
        return false;
    }
    timer->present = true;
    return bits_take_u64(b, field, &timer->start) && bits_take_u64(b, field, &timer->deadline);
}

bool bits_job_read_times(bits_blob_reader *b, bp_job *job)
{
    uint8_t unknown8;
    uint32_t pending_kind;
    return bits_take_u32(b, "transient error count", &job->transient_error_count) &&
           bits_take_u32(b, "retry delay", &job->retry_delay) &&
           bits_take_u32(b, "no-progress timeout", &job->no_progress_timeout) &&
           bits_take_u64(b, "creation time", &job->created) &&
           bits_take_u64(b, "modification time", &job->modified) &&
           bits_take_u64(b, "second modification time", &job->modified2) &&
           bits_take_u64(b, "completion time", &job->completed) &&
           bits_take_u8(b, "unknown byte (field 33)", &unknown8) &&
           bits_take_u32(b, "pending-notification kind (field 34)", &pending_kind) &&
           take_timer(b, "inactivity timer", &job->inactivity_timer) &&
           take_timer(b, "no-progress timer", &job->no_progress_timer) &&
           take_timer(b, "error timer", &job->error_timer) &&
           take_timer(b, "retry timer", &job->retry_timer);
}

/* ---- fields 39-47 ---------------------------------------------------------------------- */

static bool take_custom_headers(bits_blob_reader *b, bp_job *job)
{
    uint8_t present;
    if (!bits_take_u8(b, "custom headers flag", &present))
        return false;
    job->has_custom_headers = present != 0;
    if (!present)
        return true;
    uint64_t plain_size;
    uint32_t length;
    if (!bits_take_u64(b, "custom headers size", &plain_size))
        return false;
    size_t at = b->r.pos;
    if (!bits_take_u32(b, "custom headers length", &length))
        return false;
    job->custom_headers_size = length;
    if (length > util_reader_left(&b->r)) {
        bits_blob_warn(b, "custom headers length %u at offset 0x%zx exceeds the %zu bytes left", length,
                         at, util_reader_left(&b->r));
        return false;
    }
    return bits_take_skip(b, "custom headers (DPAPI blob)", length);
}

bool bits_job_read_options(bits_blob_reader *b, bp_job *job)
{
    uint8_t unknown8;
    if (!bits_take_u32(b, "proxy usage", &job->proxy_usage))
        return false;
    job->proxy_usage_decoded = true;
    return bits_take_optional_wstr(b, "proxy list", &job->proxy_list) &&
           bits_take_optional_wstr(b, "proxy bypass list", &job->proxy_bypass_list) &&
           bits_take_u8(b, "unknown byte (field 42)", &unknown8) &&
           bits_take_u32(b, "file ACL flags", &job->acl_flags) &&
           bits_take_skip(b, "unknown bytes (field 44)", 3) && take_custom_headers(b, job) &&
           bits_take_skip(b, "unknown block (field 47)", OPTIONS_BLOCK_SIZE);
}

void bits_job_init(bp_job *job, size_t size)
{
    job->job_id = job->marker = job->name = job->description = "";
    job->notify_program = job->notify_arguments = job->owner_sid = "";
    job->sd_owner_sid = job->sd_group_sid = "";
    job->proxy_list = job->proxy_bypass_list = job->field54_guid = "";
    job->package_family_name = job->package_app_id = "";
    job->creator_program = job->http_method = job->extra_string = "";
    job->blob_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
}
