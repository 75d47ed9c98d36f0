/* Job blob decoder (bits-format §4): the real Windows 10 blob field by field
 * (§8.1 / EXPECTED.md), damaged copies of it, and synthetic blobs for the
 * parts the real one does not exercise (error record, timers, fallbacks). */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "random_stream.h"
#include "time_text.h"

#include "bits/enum_names.h"
#include "bits/job_blob.h"
#include "bits/markers.h"
#include "util/text.h"

#define REAL_JOB_SIZE 2055
#define REAL_JOB_ID "266504ac-d974-446c-96ad-2be13a5665b0"
#define REAL_OWNER "S-1-5-21-1079689790-2336414676-942872339-1001"

static const char *find_note(const bp_note_list *list, const char *needle)
{
    for (const bp_note *note = list->head; note; note = note->next)
        if (strstr(note->text, needle))
            return note->text;
    return NULL;
}

static void print_notes(const bp_note_list *list)
{
    for (const bp_note *note = list->head; note; note = note->next)
        fprintf(stderr, "    warning: %s\n", note->text);
}

/* Every string of a job is non-NULL and every list entry readable. */
static bool job_is_sane(const bp_job *job)
{
    const char *strings[] = {job->job_id, job->marker, job->name, job->description,
                             job->notify_program, job->notify_arguments, job->owner_sid,
                             job->sd_owner_sid, job->sd_group_sid, job->proxy_list,
                             job->proxy_bypass_list, job->field54_guid, job->creator_program,
                             job->http_method, job->extra_string, job->package_family_name,
                             job->package_app_id};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (!strings[i])
            return false;
    if (job->file_count && !job->file_ids)
        return false;
    for (size_t i = 0; i < job->file_count; i++)
        if (!job->file_ids[i] || strlen(job->file_ids[i]) != 36)
            return false;
    for (size_t i = 0; i < job->ace_count; i++) {
        const bp_ace *ace = &job->aces[i];
        if (!ace->acl || !ace->ace_type || !ace->flags || !ace->rights || !ace->sid || !ace->account)
            return false;
    }
    size_t notes = 0;
    for (const bp_note *note = job->warnings.head; note; note = note->next, notes++)
        if (!note->text)
            return false;
    return notes == job->warnings.count;
}

/* ---- the real blob (§8.1) ------------------------------------------------------------------ */

static void check_real_dacl(const bp_job *job)
{
    static const struct {
        const char *type, *sid, *account;
    } expected[] = {
        {"AccessDenied", "S-1-5-7", "ANONYMOUS LOGON"},
        {"AccessAllowed", REAL_OWNER, ""},
        {"AccessAllowed", "S-1-5-32-544", "Administrators"},
        {"AccessAllowed", "S-1-5-32-580", "Remote Management Users"},
        {"AccessAllowed", "S-1-15-2-1", "ALL APPLICATION PACKAGES"},
    };
    CHECK_U64(job->ace_count, 6);
    if (job->ace_count != 6)
        return;
    for (size_t i = 0; i < 5; i++) {  /* the DACL follows the SACL in the bytes */
        CHECK_STR(job->aces[i + 1].acl, "DACL");
        CHECK_STR(job->aces[i + 1].ace_type, expected[i].type);
        CHECK_STR(job->aces[i + 1].sid, expected[i].sid);
        CHECK_STR(job->aces[i + 1].account, expected[i].account);
        CHECK_U64(job->aces[i + 1].mask, 0xF003F);
        CHECK_STR(job->aces[i + 1].flags, "");
        CHECK_STR(job->aces[i + 1].rights, "Specific0x1|Specific0x2|Specific0x4|Specific0x8|Specific0x10|"
                                       "Specific0x20|Delete|ReadControl|WriteDac|WriteOwner");
    }
    CHECK_U64(job->aces[1].ace_type_raw, 1);
    CHECK_U64(job->aces[2].ace_type_raw, 0);
    const bp_ace *label = &job->aces[0];
    CHECK_STR(label->acl, "SACL");
    CHECK_STR(label->ace_type, "MandatoryLabel");
    CHECK_U64(label->ace_type_raw, 0x11);
    CHECK_STR(label->sid, "S-1-16-8192");
    CHECK_STR(label->account, "Medium Mandatory Level");
    CHECK_U64(label->mask, 1);
    CHECK_STR(label->rights, "NoWriteUp");
}

static void check_real_times(const bp_job *job)
{
    CHECK_U64(job->created, 0x01D914E27457A12EULL);
    CHECK_STR(time_text(job->created), "2022-12-21T02:18:03.1204654Z");
    CHECK_U64(job->modified, 0x01D914E28C5B23F0ULL);
    CHECK_STR(time_text(job->modified), "2022-12-21T02:18:43.4087920Z");
    CHECK_U64(job->modified2, job->modified);
    CHECK_STR(time_text(job->completed), "2022-12-21T02:18:43.4087920Z");
    CHECK(job->inactivity_timer.present);
    CHECK_U64(job->inactivity_timer.start, job->modified);
    CHECK_STR(time_text(job->inactivity_timer.deadline), "2023-03-21T02:18:43.4087920Z");
    CHECK(!job->no_progress_timer.present);
    CHECK(!job->error_timer.present);
    CHECK(!job->retry_timer.present);
}

static void check_real_job(const bp_job *job)
{
    char flags[BITS_FLAGS_TEXT_SIZE];
    CHECK_STR(job->marker, "e10956a1-af43-42c9-92e6-6f9856eba7f6");
    CHECK_STR(job->job_id, REAL_JOB_ID);
    CHECK_U64(job->job_type, 0);
    CHECK_STR(bp_job_type_name(job->job_type), "BG_JOB_TYPE_DOWNLOAD");
    CHECK_U64(job->priority, 2);
    CHECK_STR(bp_job_priority_name(job->priority), "BG_JOB_PRIORITY_NORMAL");
    CHECK_U64(job->state, 6);
    CHECK_STR(bp_job_state_name(job->state), "BG_JOB_STATE_TRANSFERRED");
    CHECK_STR(job->name, "Chrome Component Updater");
    CHECK_STR(job->description,
              "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3");
    CHECK_STR(job->notify_program, "");
    CHECK_STR(job->notify_arguments, "");
    CHECK_STR(job->owner_sid, REAL_OWNER);
    CHECK_U64(job->notify_flags, 3);
    CHECK_STR(bits_notify_flags_text(job->notify_flags, flags),
              "BG_NOTIFY_JOB_TRANSFERRED|BG_NOTIFY_JOB_ERROR");
    CHECK_U64(job->owner_is_local_system, 0);
    CHECK_U64(job->owner_integrity, 0x2000);
    CHECK_STR(bits_integrity_level_name(job->owner_integrity), "Medium");
    CHECK_U64(job->security_descriptor_size, 1220);
    CHECK_U64(job->sd_control, 0x801F);
    CHECK_STR(job->sd_owner_sid, REAL_OWNER);
    CHECK_STR(job->sd_group_sid, REAL_OWNER);
    check_real_dacl(job);
    CHECK_U64(job->file_count, 1);
    if (job->file_count == 1)
        CHECK_STR(job->file_ids[0], "95d6889c-b2d3-4748-8eb1-9da0650cb892");
    CHECK(!job->has_error);
    CHECK_U64(job->transient_error_count, 0);
    CHECK_U64(job->retry_delay, 60);
    CHECK_U64(job->no_progress_timeout, 86400);
    check_real_times(job);
    CHECK(job->tail_decoded);
    CHECK_U64(job->proxy_usage, 0);
    CHECK_STR(bp_proxy_usage_name(job->proxy_usage), "BG_JOB_PROXY_USAGE_PRECONFIG");
    CHECK_STR(job->proxy_list, "");
    CHECK_STR(job->proxy_bypass_list, "");
    CHECK_U64(job->acl_flags, 0);
    CHECK(!job->has_custom_headers);
    CHECK_U64(job->max_download_time, 7776000);
    CHECK_U64(job->cost_flags, 0x80000065);
    CHECK_STR(job->field54_guid, "7befb604-85b2-4191-b7bd-c5f5a263cb7b");
    CHECK_STR(job->creator_program, "C:\\Program Files\\Chromium\\Application\\chrome.exe");
    CHECK_STR(job->http_method, "GET");
    CHECK_STR(job->extra_string, "");
    CHECK_U64(job->blob_size, REAL_JOB_SIZE);
    CHECK(job->complete);
    CHECK_U64(job->warnings.count, 0);
    print_notes(&job->warnings);
}

/* Cut at every length: never a crash, the job id once 0x30 bytes exist, and
 * the fields before the cut keep their values. */
static void check_truncations(const uint8_t *blob, size_t size)
{
    int id_lost = 0, not_sane = 0, wrongly_complete = 0, silent = 0, created_lost = 0;
    for (size_t length = 0; length <= size; length++) {
        uint8_t *copy = malloc(length ? length : 1);
        memcpy(copy, blob, length);
        util_arena arena;
        util_arena_init(&arena);
        bp_job *job = bits_decode_job(&arena, copy, length);
        CHECK(job != NULL);
        if (job) {
            not_sane += !job_is_sane(job);
            id_lost += length >= 0x30 && strcmp(job->job_id, REAL_JOB_ID) != 0;
            created_lost += length >= 0x6B2 && job->created != 0x01D914E27457A12EULL;
            wrongly_complete += length < size && job->complete;
            silent += length < size && job->warnings.count == 0;
        }
        util_arena_free(&arena);
        free(copy);
    }
    CHECK_U64(not_sane, 0);
    CHECK_U64(id_lost, 0);
    CHECK_U64(created_lost, 0);
    CHECK_U64(wrongly_complete, 0);
    CHECK_U64(silent, 0);
}

static uint32_t next_random(uint32_t *state)
{
    return random_next32(state);
}

static void decode_copy_and_check(const uint8_t *copy, size_t size, int *failures)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_job *job = bits_decode_job(&arena, copy, size);
    *failures += !job || !job_is_sane(job);
    util_arena_free(&arena);
}

/* Seeded random byte flips, and every u32 position forced to 0xFFFFFFFF / 0. */
static void check_damage(const uint8_t *blob, size_t size)
{
    uint8_t *copy = malloc(size);
    uint32_t seed = 0x1197u;
    int failures = 0;
    for (int round = 0; round < 400; round++) {
        memcpy(copy, blob, size);
        int flips = 1 + (int)(next_random(&seed) % 4);
        for (int i = 0; i < flips; i++)
            copy[next_random(&seed) % size] ^= (uint8_t)(1 + next_random(&seed) % 255);
        decode_copy_and_check(copy, size, &failures);
    }
    for (size_t at = 0; at + 4 <= size; at++) {
        memcpy(copy, blob, size);
        memset(copy + at, 0xFF, 4);
        decode_copy_and_check(copy, size, &failures);
        memset(copy + at, 0x00, 4);
        decode_copy_and_check(copy, size, &failures);
    }
    CHECK_U64(failures, 0);
    free(copy);
}

/* ---- synthetic blobs ---------------------------------------------------------------------- */

typedef struct builder {
    uint8_t data[4096];
    size_t size;
} builder;

static void put_bytes(builder *b, const void *bytes, size_t n)
{
    if (b->size + n > sizeof b->data)
        abort();
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static void put_zeros(builder *b, size_t n)
{
    static const uint8_t zeros[64];
    while (n) {
        size_t step = n < sizeof zeros ? n : sizeof zeros;
        put_bytes(b, zeros, step);
        n -= step;
    }
}

static void put_u8(builder *b, uint8_t v) { put_bytes(b, &v, 1); }

static void put_u32(builder *b, uint32_t v)
{
    uint8_t bytes[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_bytes(b, bytes, 4);
}

static void put_u64(builder *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

/* Counted string of an ASCII text, NUL included. */
static void put_wstr(builder *b, const char *text)
{
    size_t n = strlen(text) + 1;
    put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put_u8(b, (uint8_t)text[i]);
        put_u8(b, 0);
    }
}

static void put_timer(builder *b, bool present, uint64_t start, uint64_t deadline)
{
    put_u8(b, present);
    if (present) {
        put_u64(b, start);
        put_u64(b, deadline);
    }
}

/* A small self-relative SD: owner = group = SYSTEM, DACL allow SYSTEM, SACL label System. */
static void put_security_descriptor(builder *b)
{
    static const uint8_t system_sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    static const uint8_t label_sid[12] = {1, 1, 0, 0, 0, 0, 0, 16, 0, 0x40, 0, 0};
    put_u32(b, 100);
    size_t start = b->size;
    put_u8(b, 1);
    put_u8(b, 0);
    put_u8(b, 0x1F);
    put_u8(b, 0x80);
    put_u32(b, 76);   /* owner */
    put_u32(b, 88);   /* group */
    put_u32(b, 20);   /* SACL */
    put_u32(b, 48);   /* DACL */
    put_bytes(b, (const uint8_t[]){4, 0, 28, 0, 1, 0, 0, 0}, 8);
    put_bytes(b, (const uint8_t[]){0x11, 0, 20, 0}, 4);
    put_u32(b, 1);
    put_bytes(b, label_sid, 12);
    put_bytes(b, (const uint8_t[]){2, 0, 28, 0, 1, 0, 0, 0}, 8);
    put_bytes(b, (const uint8_t[]){0x00, 0x03, 20, 0}, 4);
    put_u32(b, 0xF003F);
    put_bytes(b, system_sid, 12);
    put_bytes(b, system_sid, 12);
    put_bytes(b, system_sid, 12);
    if (b->size - start != 100)
        abort();
}

#define T0 0x01D92C79FD419630ULL      /* 2023-01-20T02:50:43.5739184Z */
#define SECOND 10000000ULL
#define DAY (86400ULL * SECOND)

typedef struct job_spec {
    uint32_t field2, field5;
    bool double_guid;
    int error_form;            /* 0 none, 21 or 25 */
    size_t extra_block_bytes;  /* bytes added to field 47 (a changed layout) */
    bool garbage_tail;         /* fields 39+ replaced by bytes with no anchor */
} job_spec;

static const uint8_t synthetic_id[16] = {0x5a, 0xc3, 0x54, 0x9a, 0x2f, 0xc0, 0x23, 0x49,
                                         0xa7, 0xcc, 0x53, 0xf4, 0xe4, 0x1f, 0x16, 0x5e};
static const uint8_t machine[16] = {0x04, 0xb6, 0xef, 0x7b, 0xb2, 0x85, 0x91, 0x41,
                                    0xb7, 0xbd, 0xc5, 0xf5, 0xa2, 0x63, 0xcb, 0x7b};

static void put_error_record(builder *b, int form)
{
    put_u32(b, 1);
    if (form == 21) {
        put_u32(b, 0);
        put_u32(b, 0x80072EE7);
        put_u32(b, 1);
        put_u32(b, 5);
        put_u32(b, 3);
    } else {
        put_u64(b, 0x80072EE7);
        put_u32(b, 1);
        put_u32(b, 5);
        put_u32(b, 3);
        put_u32(b, 0);
    }
    put_u8(b, 0);
}

static void put_tail(builder *b, const job_spec *spec)
{
    if (spec->garbage_tail) {
        for (int i = 0; i < 200; i++)
            put_u8(b, 0xAB);
        return;
    }
    put_u32(b, 3);           /* proxy usage AUTODETECT */
    put_u8(b, 0);            /* no proxy list */
    put_u8(b, 1);            /* bypass list */
    put_wstr(b, "<local>");
    put_u8(b, 0);
    put_u32(b, 0x5);         /* ACL flags OWNER|DACL */
    put_zeros(b, 3);
    put_u8(b, 0);            /* no custom headers */
    put_zeros(b, 32 + spec->extra_block_bytes);
    put_u32(b, 7776000);
    put_u32(b, 0);
    put_u32(b, 0);
    put_u32(b, 0x800000FF);
    put_u32(b, 0);
    put_zeros(b, 38);
    put_u8(b, 1);
    put_bytes(b, machine, 16);
    put_u8(b, 1);
    put_bytes(b, machine, 16);
    put_zeros(b, 21);
    put_wstr(b, "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe");
    put_bytes(b, bits_job_tail_anchor, 16);
    put_wstr(b, "GET");
    put_zeros(b, 3);
    put_wstr(b, "Schedule");
    put_u8(b, 0);
}

static void build_job(builder *b, const job_spec *spec)
{
    const uint8_t *marker = bits_job_markers[0].bytes;
    b->size = 0;
    put_bytes(b, marker, 16);
    if (spec->double_guid)
        put_bytes(b, bits_job_markers[1].bytes, 16);
    put_u32(b, spec->field2);
    put_u32(b, 0);           /* priority FOREGROUND */
    put_u32(b, 4);           /* state ERROR */
    put_u32(b, spec->field5);
    put_bytes(b, synthetic_id, 16);
    put_wstr(b, "Synthetic job");
    put_wstr(b, "Google Update");
    put_wstr(b, "C:\\Windows\\System32\\cmd.exe");
    put_wstr(b, "/c calc.exe");
    put_wstr(b, "S-1-5-18");
    put_u32(b, 0x0B);
    put_u32(b, 1);
    put_u32(b, 0x4000);
    put_zeros(b, 8);
    put_u32(b, 0x6788CEF2);
    put_security_descriptor(b);
    put_bytes(b, bits_transfer_marker, 16);
    put_u32(b, 1);
    put_bytes(b, machine, 16);  /* any GUID will do as the file id */
    put_bytes(b, bits_transfer_marker, 16);
    if (spec->error_form)
        put_error_record(b, spec->error_form);
    else
        put_u32(b, 0);
    put_u32(b, 1);           /* transient errors */
    put_u32(b, 60);          /* retry delay */
    put_u32(b, 0);           /* no-progress timeout */
    put_u64(b, T0 - SECOND);
    put_u64(b, T0);
    put_u64(b, T0);
    put_u64(b, 0);
    put_u8(b, 0);
    put_u32(b, 2);
    put_timer(b, true, T0, T0 + 90 * DAY);
    put_timer(b, true, T0, T0);
    put_timer(b, false, 0, 0);
    put_timer(b, true, T0, T0 + 60 * SECOND);
    put_tail(b, spec);
    put_bytes(b, marker, 16);
}

static bp_job *decode_spec(util_arena *arena, const job_spec *spec, builder *b)
{
    build_job(b, spec);
    bp_job *job = bits_decode_job(arena, b->data, b->size);
    CHECK(job != NULL && job_is_sane(job));
    if (!job)
        abort();
    return job;
}

static void check_synthetic_prefix(const bp_job *job)
{
    CHECK_STR(job->job_id, "9a54c35a-c02f-4923-a7cc-53f4e41f165e");
    CHECK_STR(job->name, "Synthetic job");
    CHECK_STR(job->notify_program, "C:\\Windows\\System32\\cmd.exe");
    CHECK_STR(job->notify_arguments, "/c calc.exe");
    CHECK_STR(job->owner_sid, "S-1-5-18");
    CHECK_U64(job->owner_is_local_system, 1);
    CHECK_U64(job->owner_integrity, 0x4000);
    CHECK_U64(job->ace_count, 2);
    CHECK_STR(job->sd_owner_sid, "S-1-5-18");
    CHECK_U64(job->file_count, 1);
    CHECK_U64(job->retry_delay, 60);
    CHECK_U64(job->created, T0 - SECOND);
}

static void check_error_record_and_timers(void)
{
    util_arena arena;
    util_arena_init(&arena);
    builder b;
    job_spec spec = {0, 0, false, 21, 0, false};
    bp_job *job = decode_spec(&arena, &spec, &b);
    check_synthetic_prefix(job);
    CHECK(job->has_error);
    CHECK_U64(job->error_hresult, 0x80072EE7);
    CHECK_U64(job->error_count, 1);
    CHECK_U64(job->error_context, 5);
    CHECK_STR(bp_error_context_name(job->error_context), "BG_ERROR_CONTEXT_REMOTE_FILE");
    CHECK_U64(job->error_class, 3);
    CHECK_U64(job->transient_error_count, 1);
    CHECK(job->no_progress_timer.present);
    CHECK_U64(job->no_progress_timer.deadline, T0);
    CHECK(!job->error_timer.present);
    CHECK(job->retry_timer.present);
    CHECK_U64(job->retry_timer.start, T0);
    CHECK_U64(job->retry_timer.deadline, T0 + 60 * SECOND);
    CHECK_U64(job->inactivity_timer.deadline, T0 + 90 * DAY);
    CHECK(job->tail_decoded);
    CHECK_U64(job->proxy_usage, 3);
    CHECK_STR(job->proxy_bypass_list, "<local>");
    CHECK_U64(job->acl_flags, 5);
    CHECK_U64(job->cost_flags, 0x800000FF);
    CHECK_STR(job->creator_program, "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe");
    CHECK_STR(job->extra_string, "Schedule");
    CHECK(job->complete);
    CHECK_U64(job->warnings.count, 0);
    print_notes(&job->warnings);

    spec.error_form = 25;  /* the older 25-byte form is recognised by what follows it */
    job = decode_spec(&arena, &spec, &b);
    CHECK(job->has_error);
    CHECK_U64(job->error_hresult, 0x80072EE7);
    CHECK_U64(job->error_context, 5);
    CHECK_U64(job->retry_delay, 60);
    CHECK(job->complete);
    CHECK(find_note(&job->warnings, "25-byte error record") != NULL);
    util_arena_free(&arena);
}

static void check_header_variants(void)
{
    util_arena arena;
    util_arena_init(&arena);
    builder b;
    job_spec spec = {1, 7, false, 0, 0, false};  /* field 5 out of range, field 2 valid */
    bp_job *job = decode_spec(&arena, &spec, &b);
    CHECK_U64(job->job_type, 1);
    CHECK(find_note(&job->warnings, "job type 7 at offset 0x1c is out of range") != NULL);
    CHECK(job->complete);

    spec = (job_spec){0, 1, true, 0, 0, false};  /* upload double-GUID header */
    job = decode_spec(&arena, &spec, &b);
    CHECK_U64(job->job_type, 1);
    CHECK_STR(bp_job_type_name(job->job_type), "BG_JOB_TYPE_UPLOAD");
    check_synthetic_prefix(job);
    CHECK(find_note(&job->warnings, "second GUID") != NULL);
    CHECK(job->complete);
    util_arena_free(&arena);
}

static void check_tail_fallbacks(void)
{
    util_arena arena;
    util_arena_init(&arena);
    builder b;
    job_spec spec = {0, 0, false, 0, 7, false};  /* 7 unknown bytes shift the tail */
    bp_job *job = decode_spec(&arena, &spec, &b);
    check_synthetic_prefix(job);
    CHECK(!job->tail_decoded);
    CHECK(find_note(&job->warnings, "resynchronised on the constant") != NULL);
    CHECK_STR(job->creator_program, "C:\\Program Files (x86)\\Google\\Update\\GoogleUpdate.exe");
    CHECK_STR(job->http_method, "GET");
    CHECK_STR(job->extra_string, "Schedule");
    CHECK_U64(job->max_download_time, 7776000);
    CHECK_U64(job->cost_flags, 0x800000FF);
    CHECK_STR(job->field54_guid, "7befb604-85b2-4191-b7bd-c5f5a263cb7b");
    CHECK(job->complete);

    spec = (job_spec){0, 0, false, 0, 0, true};  /* an unknown tail (e.g. newer Windows) */
    job = decode_spec(&arena, &spec, &b);
    check_synthetic_prefix(job);
    CHECK(job->retry_timer.present);
    CHECK(!job->tail_decoded);
    CHECK(!job->complete);
    CHECK_STR(job->creator_program, "");
    CHECK(find_note(&job->warnings, "unknown layout") != NULL);
    util_arena_free(&arena);
}

/* Hostile sizes are refused with a warning naming field and offset. */
static void check_hostile_fields(const uint8_t *blob, size_t size)
{
    static const struct {
        size_t offset;
        uint32_t value;
        const char *warning;
    } cases[] = {
        {0x30, 0x7FFFFFFF, "display name at offset 0x30 claims"},
        {0x30, 0x8001, "display name at offset 0x30 claims 32769"},
        {0x186, 0xFFFFFFF0, "security descriptor length 4294967280 at offset 0x186"},
        {0x65E, 0x1001, "file count 4097 at offset 0x65e"},
        {0x65E, 0x50, "file count 80 at offset 0x65e does not fit"},
        {0x682, 1000, "error record count 1000"},
    };
    uint8_t *copy = malloc(size);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(copy, blob, size);
        copy[cases[i].offset] = (uint8_t)cases[i].value;
        copy[cases[i].offset + 1] = (uint8_t)(cases[i].value >> 8);
        copy[cases[i].offset + 2] = (uint8_t)(cases[i].value >> 16);
        copy[cases[i].offset + 3] = (uint8_t)(cases[i].value >> 24);
        util_arena arena;
        util_arena_init(&arena);
        bp_job *job = bits_decode_job(&arena, copy, size);
        CHECK(job && job_is_sane(job));
        CHECK_STR(job->job_id, REAL_JOB_ID);
        const char *note = find_note(&job->warnings, cases[i].warning);
        CHECK(note != NULL);
        if (!note) {
            fprintf(stderr, "  wanted a warning containing \"%s\"\n", cases[i].warning);
            print_notes(&job->warnings);
        }
        /* the tail still comes back through the anchor */
        CHECK_STR(job->http_method, "GET");
        util_arena_free(&arena);
    }
    free(copy);
}

static void check_bad_utf16(const uint8_t *blob, size_t size)
{
    uint8_t *copy = malloc(size);
    memcpy(copy, blob, size);
    copy[0x34] = 0x00;  /* the name's first unit becomes a lone low surrogate */
    copy[0x35] = 0xDC;
    util_arena arena;
    util_arena_init(&arena);
    bp_job *job = bits_decode_job(&arena, copy, size);
    CHECK_STR(job->name, "\xEF\xBF\xBDhrome Component Updater");
    CHECK(find_note(&job->warnings, "display name at offset 0x30 holds invalid UTF-16") != NULL);
    CHECK(job->complete);
    util_arena_free(&arena);
    free(copy);
}

static void check_tiny_inputs(void)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_job *job = bits_decode_job(&arena, NULL, 0);
    CHECK(job && job_is_sane(job));
    CHECK(find_note(&job->warnings, "truncated at offset 0x0 while reading the job marker") != NULL);
    CHECK_U64(job->blob_size, 0);
    util_arena_free(&arena);
}

static void check_names(void)
{
    char text[BITS_FLAGS_TEXT_SIZE];
    CHECK_STR(bp_job_type_name(2), "BG_JOB_TYPE_UPLOAD_REPLY");
    CHECK_STR(bp_job_type_name(3), "UNKNOWN");
    CHECK_STR(bp_job_state_name(8), "BG_JOB_STATE_CANCELLED");
    CHECK_STR(bp_job_state_name(9), "UNKNOWN");
    CHECK_STR(bp_job_priority_name(0), "BG_JOB_PRIORITY_FOREGROUND");
    CHECK_STR(bp_job_priority_name(4), "UNKNOWN");
    CHECK_STR(bp_error_context_name(8), "BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK");
    CHECK_STR(bp_error_context_name(0xFFFFFFFF), "UNKNOWN");
    CHECK_STR(bp_proxy_usage_name(3), "BG_JOB_PROXY_USAGE_AUTODETECT");
    CHECK_STR(bits_notify_flags_text(0, text), "");
    CHECK_STR(bits_notify_flags_text(0x0B, text),
              "BG_NOTIFY_JOB_TRANSFERRED|BG_NOTIFY_JOB_ERROR|BG_NOTIFY_JOB_MODIFICATION");
    CHECK_STR(bits_notify_flags_text(0x30 | 0x40, text),
              "BG_NOTIFY_FILE_TRANSFERRED|BG_NOTIFY_FILE_RANGES_TRANSFERRED|0x40");
    CHECK_STR(bits_copy_file_flags_text(15, text),
              "BG_COPY_FILE_OWNER|BG_COPY_FILE_GROUP|BG_COPY_FILE_DACL|BG_COPY_FILE_SACL");
    CHECK_STR(bits_cost_flags_text(0x80000065, text),
              "BITS_COST_STATE_UNRESTRICTED|BITS_COST_STATE_BELOW_CAP|"
              "BITS_COST_STATE_OVERCAP_THROTTLED|BITS_COST_STATE_USAGE_BASED|"
              "BITS_COST_OPTION_IGNORE_CONGESTION");
    CHECK_STR(bits_cost_flags_text(0xFFFFFFFF, text),
              "BITS_COST_STATE_UNRESTRICTED|BITS_COST_STATE_CAPPED_USAGE_UNKNOWN|"
              "BITS_COST_STATE_BELOW_CAP|BITS_COST_STATE_NEAR_CAP|BITS_COST_STATE_OVERCAP_CHARGED|"
              "BITS_COST_STATE_OVERCAP_THROTTLED|BITS_COST_STATE_USAGE_BASED|"
              "BITS_COST_STATE_ROAMING|BITS_COST_STATE_RESERVED|BITS_COST_OPTION_IGNORE_CONGESTION|"
              "0x3fffff00");
    CHECK_STR(bits_cost_set_name(0x80000067), "BITS_COST_STATE_TRANSFER_STANDARD");
    CHECK_STR(bits_cost_set_name(0x80000065), "");
    CHECK_STR(bits_integrity_level_name(0x2100), "MediumPlus");
    CHECK_STR(bits_integrity_level_name(0x4000), "System");
    CHECK_STR(bits_integrity_level_name(0x1234), "UNKNOWN");
}

static void check_markers(void)
{
    char text[37];
    static const char *const expected[] = {
        "e10956a1-af43-42c9-92e6-6f9856eba7f6", "8f5657d0-012c-4e3e-ad2c-f4a5d7656faf",
        "03715c38-281f-40ca-9813-9de91a5a84d1", "68d31ed8-34d5-4fe1-8923-94abcbf4c1cf",
        "4cd4959f-7064-4bf2-84d7-476a7e62699f", "a92619f1-0332-4cbf-9427-898818958831",
        "ddbc33c1-5afb-4daf-b8a1-2268b39d01ad", "94416750-0357-461d-a4cc-5dd9990706e4",
        "35203693-0ca0-4a10-84f3-b17e7b499cd7", "3ded46b3-103b-44f9-bc2f-e8378bd31986",
        "c8701310-5336-41b3-83e5-81557f361b87", "64ea938c-0f03-4068-b46f-f97fe51d4dcd",
        "810ce774-bbd2-48cc-9e47-862e8d58f3c6",
    };
    CHECK_U64(bits_job_marker_count, sizeof expected / sizeof expected[0]);
    for (size_t i = 0; i < bits_job_marker_count && i < sizeof expected / sizeof expected[0]; i++) {
        util_guid_format(bits_job_markers[i].bytes, text);
        CHECK_STR(text, expected[i]);
        CHECK(bits_is_job_marker(bits_job_markers[i].bytes));
    }
    CHECK(bits_find_job_marker(bits_job_markers[8].bytes)->era == BITS_ERA_LEGACY);
    CHECK(!bits_is_job_marker(bits_transfer_marker));
    util_guid_format(bits_transfer_marker, text);
    CHECK_STR(text, "7756da36-516f-435a-acac-44a248fff34d");
    util_guid_format(bits_file_marker, text);
    CHECK_STR(text, "519ecfe4-d946-4397-b73e-268513051ab2");
    util_guid_format(bits_file_tail_marker, text);
    CHECK_STR(text, "7aadb02e-8bcf-4d2e-b82f-4319d2fb5f75");
    util_guid_format(bits_dpapi_provider, text);
    CHECK_STR(text, "df9d8cd0-1501-11d1-8c7a-00c04fc297eb");
    util_guid_format(bits_legacy_file_header, text);
    CHECK_STR(text, "c82bf713-9940-4a12-9f1a-3aaebd894eea");
    util_guid_format(bits_legacy_queue_header, text);
    CHECK_STR(text, "005f4447-bda9-44ba-9851-c47bb6c07ace");
    util_guid_format(bits_legacy_version_win7, text);
    CHECK_STR(text, "2b196af5-007c-438f-8d12-1cfca4cc9b76");
    util_guid_format(bits_legacy_version_win10, text);
    CHECK_STR(text, "09ed3228-c7a6-45e9-8f6d-36d946c27c3e");
}

/* FILETIME text (time_text.h: bp_format_filetime, which is util_filetime_format)
 * is built digit by digit (no snprintf): the first and last representable
 * times, zero padding of every part, and out-of-range values. */
static void check_filetime_text_edges(void)
{
    CHECK_STR(time_text(1), "1601-01-01T00:00:00.0000001Z");
    CHECK_STR(time_text(2650467743999999999ULL), "9999-12-31T23:59:59.9999999Z");
    CHECK_STR(time_text(2650467744000000000ULL), "");
    CHECK_STR(time_text(0), "");
    CHECK_STR(time_text(116444736000000000ULL), "1970-01-01T00:00:00.0000000Z");
    /* 2024-02-29T05:06:07.0000089Z: leap day, one-digit month/day/hour/minute/second */
    CHECK_STR(time_text(133536567670000089ULL), "2024-02-29T05:06:07.0000089Z");
}

int main(void)
{
    check_names();
    check_filetime_text_edges();
    check_markers();
    check_tiny_inputs();
    check_error_record_and_timers();
    check_header_variants();
    check_tail_fallbacks();

    if (check_failures)  /* report synthetic failures even without the shared data */
        return check_exit();
    size_t size = 0;
    uint8_t *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
    CHECK(blob != NULL);
    CHECK_U64(size, REAL_JOB_SIZE);
    if (!blob || size != REAL_JOB_SIZE)
        return check_exit();
    util_arena arena;
    util_arena_init(&arena);
    check_real_job(bits_decode_job(&arena, blob, size));
    util_arena_free(&arena);
    check_truncations(blob, size);
    check_damage(blob, size);
    check_hostile_fields(blob, size);
    check_bad_utf16(blob, size);
    free(blob);
    return check_exit();
}
