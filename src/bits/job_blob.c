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
    LIMITS_BLOCK_SIZE = 113,     /* fields 48-55: fixed bytes between #47 and the creator */
};

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
    if ((size_t)count * BITS_GUID_SIZE + BITS_GUID_SIZE > left) {
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

/* ---- fields 48-62: the variable tail --------------------------------------------------------- */

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

/* Fields 1-38, which every known serializer shares. */
static bool decode_body(job_decoder *d)
{
    if (!decode_header(d) || !bits_job_read_owner(&d->in, d->job))
        return false;
    size_t sd_start = d->in.r.pos;
    if (!bits_job_read_security(&d->in, d->job) || !decode_file_list(d, sd_start) ||
        !bits_job_read_errors(&d->in, d->job) || !bits_job_read_times(&d->in, d->job))
        return false;
    d->resync_from = d->in.r.pos;
    return true;
}

bp_job *bits_decode_job(bp_arena *arena, const uint8_t *blob, size_t size)
{
    bp_job *job = bp_arena_alloc(arena, sizeof(*job));
    if (!job)
        return NULL;
    bits_job_init(job, size);
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
