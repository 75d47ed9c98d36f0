/* ESE-era job blob (bits-format §4). The blob is read front to back; each
 * stage returns false when it cannot go on, leaving what it decoded in place
 * and a warning naming the field and offset. When the variable tail does not
 * parse, the creator program and HTTP method are recovered from anchors. */
#include "bits/job_blob.h"

#include <string.h>

#include "bits/blob_reader.h"
#include "bits/job_fields.h"
#include "bits/markers.h"
#include "util/reader.h"
#include "util/text.h"

enum {
    LIMITS_BLOCK_SIZE = 113,     /* fields 48-55 without 54b: fixed bytes between #47 and the creator */
    LIMITS_HEAD_SIZE = 76,       /* fields 48-53, field 54's flag and GUID, the byte that tells 54 from 54b */
    FIELD55_SIZE = 21,
};

typedef struct job_decoder {
    bits_blob_reader in;           /* cursor, arena and warning list */
    bp_job *job;
    const uint8_t *header_marker;  /* the blob's first 16 bytes */
    size_t resync_from;            /* earliest offset an anchor search may start at */
    bool anchor_seen;              /* the tail constant (#57) was read in sequence */
    bits_sd_cache *sd_cache;       /* descriptors decoded before; NULL: none */
} job_decoder;

/* Fields 48-55, including the package identity (54b) that Windows 11 24H2
 * writes in place of field 54's second flag and GUID. */
typedef struct job_limits {
    uint32_t max_download_time;
    uint32_t cost_flags;
    const uint8_t *guid;                 /* field 54's first copy of its GUID */
} job_limits;

/* ---- helpers ------------------------------------------------------------------------ */

static const char *guid_text(job_decoder *d, const uint8_t *guid)
{
    const char *text = util_guid_string(d->in.arena, guid);
    return text ? text : "";
}

/* ---- fields 1-6: header ----------------------------------------------------------------- */

/* Priority, state and a type in range: what a real header looks like. */
static bool header_fields_plausible(util_reader r)
{
    uint32_t field2 = util_read_u32(&r), priority = util_read_u32(&r);
    uint32_t state = util_read_u32(&r), field5 = util_read_u32(&r);
    return !r.failed && priority <= 3 && state <= 8 && (field5 <= 2 || field2 <= 2);
}

/* Upload jobs may start with two GUIDs (§4.3): skip the second one when it is a
 * marker itself, or when only the shifted fields look like a header. */
static void skip_second_guid(job_decoder *d)
{
    util_reader shifted = d->in.r;
    const uint8_t *second = util_read_bytes(&shifted, BITS_GUID_SIZE);
    if (!second)
        return;
    bool is_marker = bits_is_job_marker(second);
    if (!is_marker && (header_fields_plausible(d->in.r) || !header_fields_plausible(shifted)))
        return;
    bits_blob_warn(&d->in, "second GUID %s at offset 0x%zx skipped (double-GUID header of upload jobs, layout "
                "unverified)", guid_text(d, second), d->in.r.pos);
    d->in.r = shifted;
}


static bool decode_header(job_decoder *d)
{
    bp_job *job = d->job;
    const uint8_t *marker;
    if (!bits_take_guid(&d->in, "job marker", &marker))
        return false;
    d->header_marker = marker;
    job->marker = guid_text(d, marker);
    if (!bits_is_job_marker(marker))
        bits_blob_warn(&d->in, "unknown job marker %s at offset 0x0", job->marker);
    skip_second_guid(d);
    if (!bits_job_read_type_state_id(&d->in, job))
        return false;
    d->resync_from = d->in.r.pos;
    return true;
}

/* ---- fields 20-23: file list ------------------------------------------------------------ */

/* Expect the transfer marker here; else look for it further on (after a bad SD length). */
static bool expect_transfer_marker(job_decoder *d, size_t search_from)
{
    size_t at = d->in.r.pos;
    const uint8_t *marker;
    if (util_reader_has(&d->in.r, BITS_GUID_SIZE)) {
        util_reader peek = d->in.r;
        marker = util_read_bytes(&peek, BITS_GUID_SIZE);
        if (memcmp(marker, bits_transfer_marker, BITS_GUID_SIZE) == 0) {
            d->in.r = peek;
            return true;
        }
    }
    size_t found = bits_find_bytes(&d->in.r, search_from, bits_transfer_marker, BITS_GUID_SIZE);
    if (found == SIZE_MAX) {
        if (!util_reader_has(&d->in.r, BITS_GUID_SIZE))
            return bits_blob_truncated(&d->in, at, "transfer marker");
        bits_blob_warn(&d->in, "transfer marker not found (expected at offset 0x%zx)", at);
        return false;
    }
    bits_blob_warn(&d->in, "transfer marker expected at offset 0x%zx found at 0x%zx", at, found);
    util_reader_seek(&d->in.r, found + BITS_GUID_SIZE);
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
    size_t left = util_reader_left(&d->in.r);
    if ((size_t)count * BITS_GUID_SIZE + BITS_GUID_SIZE > left) {
        bits_blob_warn(&d->in, "file count %u at offset 0x%zx does not fit (%zu bytes left)", count, at, left);
        return false;
    }
    job->file_ids = count ? util_arena_array(d->in.arena, count, sizeof(char *)) : NULL;
    if (count && !job->file_ids)
        return false;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *guid = util_read_bytes(&d->in.r, BITS_GUID_SIZE);
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

/* ---- fields 48-62: the variable tail --------------------------------------------------------- */

/* Fields 48-53, field 54's first flag and GUID and the flag after it, which
 * tells the two layouts of field 54 apart (1: the GUID again; 0: 54b). */
static bool read_limits_head(util_reader *r, job_limits *out, uint8_t *second_flag)
{
    out->max_download_time = util_read_u32(r);
    util_read_u32(r);  /* field 49 */
    util_read_u32(r);  /* field 50 */
    out->cost_flags = util_read_u32(r);
    util_read_u32(r);  /* field 52 */
    util_reader_skip(r, 38);
    util_read_u8(r);   /* field 54's first flag: 0 on suspended jobs */
    out->guid = util_read_bytes(r, BITS_GUID_SIZE);
    *second_flag = util_read_u8(r);
    return !r->failed;
}

/* A presence byte (0 or 1) and, when 1, a counted string (field 54b). */
static bool take_flagged_wstr(bits_blob_reader *in, const char *field, const char **out)
{
    size_t at = in->r.pos;
    uint8_t present;
    if (!bits_take_u8(in, field, &present))
        return false;
    if (present > 1) {
        bits_blob_warn(in, "%s at offset 0x%zx has presence byte %u (0 or 1 expected)", field, at, present);
        return false;
    }
    return !present || bits_take_wstr(in, field, out);
}

/* Field 54b, after the 0 byte: package family name, application id, then
 * `01`, a u32 (0x25 in every sample; meaning unknown) and field 54's GUID
 * again. Each string is kept as soon as it is read whole. */
static bool take_package_identity(bits_blob_reader *in, bp_job *job, const uint8_t *first_guid)
{
    if (!take_flagged_wstr(in, "package family name (field 54b)", &job->package_family_name) ||
        !take_flagged_wstr(in, "package application id (field 54b)", &job->package_app_id))
        return false;
    size_t at = in->r.pos;
    uint8_t flag;
    uint32_t unknown;
    const uint8_t *guid;
    if (!bits_take_u8(in, "flag before the second field 54 GUID (field 54b)", &flag))
        return false;
    if (flag != 1) {
        bits_blob_warn(in, "byte %u at offset 0x%zx after the package identity (field 54b) is not 1", flag, at);
        return false;
    }
    if (!bits_take_u32(in, "unknown u32 of field 54b", &unknown) ||
        !bits_take_guid(in, "second field 54 GUID (field 54b)", &guid))
        return false;
    if (memcmp(guid, first_guid, BITS_GUID_SIZE) != 0)
        bits_blob_warn(in, "the two copies of the field 54 GUID differ (the second at offset 0x%zx)",
                       in->r.pos - BITS_GUID_SIZE);
    return true;
}

/* Fields 48-55 in either layout. Their numbers are kept only when the whole
 * block reads (*out is filled then); the package strings as they are read. */
static bool take_limits(bits_blob_reader *in, bp_job *job, job_limits *out)
{
    size_t at = in->r.pos;
    static const char what[] = "transfer limits and field 54 GUID (fields 48-55)";
    job_limits limits;
    uint8_t second_flag;
    if (!read_limits_head(&in->r, &limits, &second_flag))
        return bits_blob_truncated(in, at, what);
    if (second_flag == 0) {  /* Windows 11 24H2: the creating app's package identity */
        if (!take_package_identity(in, job, limits.guid) ||
            !bits_take_skip(in, "unknown bytes (field 55)", FIELD55_SIZE))
            return false;
    } else {
        const uint8_t *second = util_read_bytes(&in->r, BITS_GUID_SIZE);
        if (!util_reader_skip(&in->r, FIELD55_SIZE) || !second)
            return bits_blob_truncated(in, at, what);
        if (memcmp(second, limits.guid, BITS_GUID_SIZE) != 0)
            bits_blob_warn(in, "the two copies of the field 54 GUID at offset 0x%zx differ", at + 58);
    }
    *out = limits;
    return true;
}

static void apply_limits(job_decoder *d, const job_limits *limits)
{
    d->job->max_download_time = limits->max_download_time;
    d->job->cost_flags = limits->cost_flags;
    d->job->field54_guid = guid_text(d, limits->guid);
}

static bool decode_limits(job_decoder *d)
{
    job_limits limits;
    if (!take_limits(&d->in, d->job, &limits))
        return false;
    apply_limits(d, &limits);
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
    return bits_job_read_options(&d->in, d->job) && decode_limits(d) &&
           bits_take_wstr(&d->in, "creator program", &d->job->creator_program) && decode_after_creator(d);
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
    if (util_reader_left(&d->in.r))
        bits_blob_warn(&d->in, "%zu unexpected bytes after the footer at offset 0x%zx", util_reader_left(&d->in.r),
                 d->in.r.pos);
}

/* ---- anchor fallback (§4.1): creator program, method and limits from the constant ---------- */

/* Start of the counted string whose NUL ends right at `end`, not before `floor`;
 * tried from the shortest candidate, every unit before the NUL non-zero. */
static size_t find_wstr_ending_at(const util_reader *r, size_t floor, size_t end)
{
    if (end < floor)
        return SIZE_MAX;
    util_reader view = util_reader_sub(r, floor, end - floor);
    const uint8_t *bytes = util_read_bytes(&view, view.size);
    size_t span = view.size;
    if (!bytes || span < 6 || util_le16(bytes + span - 2) != 0)
        return SIZE_MAX;
    for (size_t units = 1; units <= BITS_WSTR_MAX_UNITS && 4 + 2 * units <= span; units++) {
        size_t start = span - 4 - 2 * units;
        if (units > 1 && util_le16(bytes + span - 2 * units) == 0)
            return SIZE_MAX;  /* an earlier NUL: no longer string can end here */
        if (util_le32(bytes + start) == units)
            return floor + start;
    }
    return SIZE_MAX;
}

/* Decode fields 48-55 from `start` on the side (no warnings, nothing kept):
 * true when they read cleanly, end right at the creator program and name a
 * non-zero GUID. */
static bool probe_limits(job_decoder *d, size_t start, size_t creator_start, bp_job *found, job_limits *limits)
{
    bp_note_list notes = {NULL, NULL, 0};
    bits_blob_reader probe = {util_reader_make(d->in.r.data, d->in.r.size), d->in.arena, &notes, "job blob", false};
    found->package_family_name = found->package_app_id = "";
    return util_reader_seek(&probe.r, start) && take_limits(&probe, found, limits) && notes.count == 0 &&
           probe.r.pos == creator_start && !util_guid_is_zero(limits->guid);
}

/* Where fields 48-55 start if they carry the 24H2 package identity (54b) and
 * field 55 starts at `end`: back over `01` + u32 + GUID and the two flagged
 * strings, then the 0 byte, the first GUID and its flag and fields 48-53. */
static size_t package_limits_start(const util_reader *whole, size_t floor, size_t end)
{
    const size_t after_strings = 1 + 4 + BITS_GUID_SIZE;
    if (end < floor + after_strings)
        return SIZE_MAX;
    size_t app_id = find_wstr_ending_at(whole, floor, end - after_strings);
    if (app_id == SIZE_MAX || app_id < floor + 1)
        return SIZE_MAX;
    size_t family = find_wstr_ending_at(whole, floor, app_id - 1);
    if (family == SIZE_MAX || family < floor + 1 + LIMITS_HEAD_SIZE)
        return SIZE_MAX;
    return family - 1 - LIMITS_HEAD_SIZE;
}

/* The byte at `offset`, or 0 outside the data. */
static uint8_t byte_at(const util_reader *whole, size_t offset)
{
    util_reader one = util_reader_sub(whole, offset, 1);
    return util_read_u8(&one);
}

/* Fields 48-55 sit right before the creator program, in either layout of
 * field 54; take them when they look real. */
static void recover_limits(job_decoder *d, size_t creator_start)
{
    if (creator_start < d->resync_from + LIMITS_BLOCK_SIZE)
        return;
    util_reader whole = util_reader_make(d->in.r.data, d->in.r.size);
    bp_job found;
    memset(&found, 0, sizeof found);
    job_limits limits;
    size_t start = creator_start - LIMITS_BLOCK_SIZE;
    bool package = false;
    bool classic = byte_at(&whole, start + LIMITS_HEAD_SIZE - 1) == 1;  /* the second flag */
    if (!classic || !probe_limits(d, start, creator_start, &found, &limits)) {
        start = package_limits_start(&whole, d->resync_from, creator_start - FIELD55_SIZE);
        if (start == SIZE_MAX || !probe_limits(d, start, creator_start, &found, &limits))
            return;
        d->job->package_family_name = found.package_family_name;
        d->job->package_app_id = found.package_app_id;
        package = true;
    }
    apply_limits(d, &limits);
    bits_blob_warn(&d->in, "%s recovered from offset 0x%zx",
                   package ? "maximum download time, cost flags, field 54 GUID and package identity"
                           : "maximum download time, cost flags and field 54 GUID",
                   start);
}

/* body_ok: fields 1-38 decoded, so the failure lies in the tail itself. */
static void recover_tail(job_decoder *d, bool body_ok)
{
    util_reader whole = util_reader_make(d->in.r.data, d->in.r.size);
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
        util_reader_seek(&d->in.r, creator);
        bits_take_wstr(&d->in, "creator program", &d->job->creator_program);
        recover_limits(d, creator);
    }
    util_reader_seek(&d->in.r, anchor);
    if (decode_after_creator(d))
        decode_footer(d);
}

/* ---- entry point -------------------------------------------------------------------------- */

/* Fields 1-38, which every known serializer shares. */
static bool decode_body(job_decoder *d)
{
    if (!decode_header(d) || !bits_job_read_owner(&d->in, d->job))
        return false;
    size_t sd_start = d->in.r.pos;
    if (!bits_job_read_security(&d->in, d->job, d->sd_cache) || !decode_file_list(d, sd_start) ||
        !bits_job_read_errors(&d->in, d->job) || !bits_job_read_times(&d->in, d->job))
        return false;
    d->resync_from = d->in.r.pos;
    return true;
}

bp_job *bits_decode_job(util_arena *arena, const uint8_t *blob, size_t size)
{
    return bits_decode_job_cached(arena, blob, size, NULL);
}

bp_job *bits_decode_job_cached(util_arena *arena, const uint8_t *blob, size_t size, bits_sd_cache *sd_cache)
{
    bp_job *job = util_arena_alloc(arena, sizeof(*job));
    if (!job)
        return NULL;
    bits_job_init(job, size);
    job_decoder d = {{util_reader_make(blob, size), arena, &job->warnings, "job blob", false}, job, NULL, 0, false, sd_cache};
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
