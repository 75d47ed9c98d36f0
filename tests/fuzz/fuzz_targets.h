/* The fuzz entry points. Each libFuzzer target (fuzz_*.c) is one call to one
 * of these; the regression replay (replay_regressions.c) runs every saved
 * input through all of them in every build, sanitized or not.
 *
 * Besides "no crash, no sanitizer report, no leak", each entry checks a few
 * promises of the library and abort()s (a finding) when one is broken:
 *  - bp_parse_memory returns 0, 1 or 3, and 0 only with no warning anywhere;
 *  - every record renders as JSON that parses back and is valid UTF-8, as
 *    CSV, and as a timeline of JSON objects, without a write error;
 *  - the blob decoders always return an object with non-NULL strings;
 *  - an event record's binary XML values lie inside the record's chunk, and
 *    no more of them come back than asked for;
 *  - a Sigma rule loads as one rule or not at all, with a message. */
#ifndef BP_FUZZ_TARGETS_H
#define BP_FUZZ_TARGETS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "bitsparse/detect.h"
#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "ese/compression.h"
#include "ese_walk.h"
#include "evtx/binxml_values.h"
#include "evtx/evtx_log.h"
#include "json_check.h"

/* Input sizes above this are ignored (libFuzzer's -max_len keeps below it). */
#define FUZZ_MAX_INPUT (32u * 1024u * 1024u)

static inline void fuzz_fail(const char *what)
{
    fprintf(stderr, "fuzz invariant broken: %s\n", what);
    abort();
}

/* Strict UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). Not
 * inlined, so that the coverage ignorelist keeps it uninstrumented (json_check.h). */
__attribute__((noinline, unused)) static bool fuzz_utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t extra;
        unsigned min;
        if (c < 0x80) {
            i++;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            extra = 1, min = 0x80, c &= 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            extra = 2, min = 0x800, c &= 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            extra = 3, min = 0x10000, c &= 0x07;
        } else {
            return false;
        }
        if (n - i <= extra)
            return false;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            c = (c << 6) | (s[i + k] & 0x3F);
        }
        if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return false;
        i += extra + 1;
    }
    return true;
}

static inline bool fuzz_notes_ok(const bp_note_list *notes)
{
    size_t count = 0;
    for (const bp_note *n = notes->head; n; n = n->next, count++)
        if (!n->text)
            return false;
    return count == notes->count;
}

/* Every string of a decoded job must exist (never NULL) and be valid UTF-8. */
static inline void fuzz_check_text(const char *s, const char *field)
{
    if (!s)
        fuzz_fail(field);
    if (!fuzz_utf8_valid((const unsigned char *)s, strlen(s)))
        fuzz_fail(field);
}

static inline void fuzz_check_job(const bp_job *job)
{
    const char *strings[] = {job->job_id, job->marker, job->name, job->description, job->notify_program,
                             job->notify_arguments, job->owner_sid, job->sd_owner_sid, job->sd_group_sid,
                             job->proxy_list, job->proxy_bypass_list, job->field54_guid,
                             job->creator_program, job->http_method, job->extra_string, job->package_family_name,
                             job->package_app_id};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        fuzz_check_text(strings[i], "job string is NULL or not UTF-8");
    for (size_t i = 0; i < job->file_count; i++)
        fuzz_check_text(job->file_ids[i], "job file id is NULL or not UTF-8");
    for (size_t i = 0; i < job->ace_count; i++) {
        fuzz_check_text(job->aces[i].sid, "ACE SID is NULL or not UTF-8");
        fuzz_check_text(job->aces[i].rights, "ACE rights are NULL");
    }
    if (job->sd_sid_count > job->ace_count + 2)  /* distinct SIDs of owner, group and the ACEs */
        fuzz_fail("more descriptor SIDs than owner, group and ACEs hold");
    for (size_t i = 0; job->sd_sids && i < job->sd_sid_count; i++)
        fuzz_check_text(job->sd_sids[i], "descriptor SID is NULL or not UTF-8");
    if (!fuzz_notes_ok(&job->warnings))
        fuzz_fail("job warning list is inconsistent");
}

static inline void fuzz_check_file(const bp_file *file)
{
    const char *strings[] = {file->file_id, file->local_path, file->remote_url, file->temp_path,
                             file->drive, file->volume};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        fuzz_check_text(strings[i], "file string is NULL or not UTF-8");
    if (!fuzz_notes_ok(&file->warnings))
        fuzz_fail("file warning list is inconsistent");
}

static inline bool fuzz_any_warning(const bp_result *result)
{
    if (bp_result_warnings(result)->count)
        return true;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->warnings.count || (r->job && r->job->warnings.count) || (r->file && r->file->warnings.count))
            return true;
    }
    return false;
}

/* Render in one format into memory; NULL when the writer failed. */
static inline char *fuzz_render(const bp_result *result, bp_format format, size_t *size)
{
    char *text = NULL;
    *size = 0;
    FILE *out = open_memstream(&text, size);
    if (!out)
        return NULL;
    int rc = bp_write(out, result, format);
    fclose(out);
    if (rc != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* fuzz_render into one buffer kept for the whole process (fmemopen over it);
 * the text is valid until the next call. A fresh open_memstream buffer per
 * render, grown, copied and unmapped three times an execution, was about a
 * quarter of a fuzz_parse_memory execution under ASan (its page faults).
 * Output that does not fit is rendered again by fuzz_render and the buffer
 * grows to hold it. NULL when the writer failed. */
#ifndef FUZZ_RENDER_BUFFER_START
#define FUZZ_RENDER_BUFFER_START ((size_t)1 << 20) /* a test sets it small */
#endif

static inline const char *fuzz_render_reused(const bp_result *result, bp_format format, size_t *size)
{
    static char *buffer;
    static size_t capacity;
    *size = 0;
    if (!buffer) {
        buffer = malloc(FUZZ_RENDER_BUFFER_START);
        capacity = buffer ? FUZZ_RENDER_BUFFER_START : 0;
    }
    FILE *out = buffer ? fmemopen(buffer, capacity, "w") : NULL;
    if (out) {
        bool written = bp_write(out, result, format) == 0 && fflush(out) == 0 && !ferror(out);
        long length = ftell(out);
        fclose(out);
        if (written && length >= 0 && (size_t)length + 1 < capacity) {
            buffer[length] = '\0';
            *size = (size_t)length;
            return buffer;
        }
    }
    char *text = fuzz_render(result, format, size);
    if (!text)
        return NULL;
    if (*size + 1 > capacity) {
        char *grown = realloc(buffer, *size + 1);
        if (!grown)
            fuzz_fail("out of memory for the rendered output");
        buffer = grown;
        capacity = *size + 1;
    }
    memcpy(buffer, text, *size + 1);
    free(text);
    return buffer;
}

/* The promises of a parse (status, warnings, records); with `render`, also
 * those of every writer. */
static inline void fuzz_check_parse(const bp_result *result, int status, bool render)
{
    if (status != BP_STATUS_CLEAN && status != BP_STATUS_WARNINGS && status != BP_STATUS_UNREADABLE)
        fuzz_fail("bp_parse_memory returned a status outside {0, 1, 3}");
    if (status == BP_STATUS_CLEAN && fuzz_any_warning(result))
        fuzz_fail("clean status although something warned");
    if (status == BP_STATUS_UNREADABLE && bp_result_warnings(result)->count == 0)
        fuzz_fail("unreadable input without a warning saying why");
    if (!fuzz_notes_ok(bp_result_warnings(result)))
        fuzz_fail("input warning list is inconsistent");
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (!r || (!r->job && !r->file))
            fuzz_fail("record with neither job nor file");
        if (r->job)
            fuzz_check_job(r->job);
        if (r->file)
            fuzz_check_file(r->file);
    }
    if (!render)
        return;
    size_t size;
    const char *json = fuzz_render_reused(result, BP_FORMAT_JSON, &size);
    if (!json)
        fuzz_fail("JSON writer failed");
    if (!fuzz_utf8_valid((const unsigned char *)json, size))
        fuzz_fail("JSON output is not valid UTF-8");
    size_t members;
    if (!json_check(json, size, '[', &members) || members != bp_result_count(result))
        fuzz_fail("JSON output does not parse back to one object per record");
    const char *csv = fuzz_render_reused(result, BP_FORMAT_CSV, &size);
    if (!csv)
        fuzz_fail("CSV writer failed");
    /* the timeline: JSON Lines, every line an object */
    const char *timeline = fuzz_render_reused(result, BP_FORMAT_TIMELINE, &size);
    if (!timeline)
        fuzz_fail("timeline writer failed");
    for (const char *line = timeline, *end; line < timeline + size; line = end + 1) {
        end = memchr(line, '\n', (size_t)(timeline + size - line));
        if (!end)
            end = timeline + size;
        if (end == line)
            continue;
        if (!json_check(line, (size_t)(end - line), '{', &members))
            fuzz_fail("timeline line is not a JSON object");
    }
}

static inline void fuzz_check_result(const bp_result *result, int status)
{
    fuzz_check_parse(result, status, true);
}

/* The whole dispatcher: ESE qmgr.db, job and file blobs, legacy state files,
 * job records and file lists, event logs, and whatever else bp_parse_memory
 * learns to recognise. */
static inline void fuzz_parse_and_check(const uint8_t *data, size_t size, bool render)
{
    if (size > FUZZ_MAX_INPUT)
        return;
    bp_result *result = NULL;
    int status = bp_parse_memory(data, size, "fuzz-input", &result);
    if (!result)
        fuzz_fail("bp_parse_memory created no result");
    fuzz_check_parse(result, status, render);
    bp_result_free(result);
}

/* Long runs (long-run.sh) may leave event logs out of parse_memory and carve
 * with BITSPARSE_FUZZ_SKIP_EVENT_LOGS=1: each one forks the libevtx child
 * (src/evtx/evtx_log.c), and under AddressSanitizer that fork and the
 * copy-on-write faults after it cost about 13 ms per input against about 1 ms
 * for any other, so ten million executions would take days. The 60 s CI runs
 * and the regression replay keep them. */
static inline bool fuzz_skipped_event_log(const uint8_t *data, size_t size)
{
    static int skip = -1;
    if (skip < 0) {
        const char *value = getenv("BITSPARSE_FUZZ_SKIP_EVENT_LOGS");
        skip = value && *value && strcmp(value, "0") != 0;
    }
    return skip && size >= 8 && memcmp(data, "ElfFile\0", 8) == 0;
}

static inline void fuzz_parse_memory(const uint8_t *data, size_t size)
{
    if (fuzz_skipped_event_log(data, size))
        return;
    fuzz_parse_and_check(data, size, true);
}

/* The built-in detection rules, loaded once (still reachable at exit: not a leak). */
static inline const bp_ruleset *fuzz_default_rules(void)
{
    static bp_ruleset *rules;
    if (!rules) {
        char error[256];
        rules = bp_ruleset_new();
        if (!rules || bp_ruleset_add_default(rules, error, sizeof error) != 0)
            fuzz_fail("the built-in detection rules do not load");
    }
    return rules;
}

/* bp_parse_memory_ex with carving: on ESE input the recovery of deleted and
 * unreferenced jobs (deleted nodes, stale records and tags, orphaned long
 * values, emptied and unreachable pages), on anything else the raw scan for
 * BITS markers; then every detection rule on the records. */
static inline void fuzz_carve(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT || fuzz_skipped_event_log(data, size))
        return;
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = true;
    bp_result *result = NULL;
    int status = bp_parse_memory_ex(data, size, "fuzz-input", &options, &result);
    if (!result)
        fuzz_fail("bp_parse_memory_ex created no result");
    if (bp_detect(fuzz_default_rules(), result, BP_SEVERITY_INFORMATIONAL) < 0)
        fuzz_fail("bp_detect ran out of memory");
    fuzz_check_result(result, status);
    bp_result_free(result);
}

/* ESE path only: inputs without the ESE signature at offset 4 are skipped
 * (cheaper than copying a megabyte to force it), so every input that runs is
 * read as a qmgr.db: header election, catalog, Jobs/Files records, long
 * values, blob decoding and the join. */
static inline void fuzz_ese_qmgr(const uint8_t *data, size_t size)
{
    static const uint8_t signature[4] = {0xEF, 0xCD, 0xAB, 0x89};
    if (size < 8 || memcmp(data + 4, signature, 4) != 0)
        return;
    /* the writers see the same inputs in fuzz_parse_memory and fuzz_carve;
     * leaving them out here makes each run several times cheaper */
    fuzz_parse_and_check(data, size, false);
}

/* Any ESE database: every page and tag, every table, record and column,
 * every index tree and long value (ese_walk.h). */
static inline void fuzz_ese_walk(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return;
    ese_walk_summary summary;
    ese_walk_database(data, size, NULL, NULL, 5000, &summary);
}

static inline void fuzz_job_blob(const uint8_t *data, size_t size)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_job *job = bits_decode_job(&arena, data, size);
    if (!job)
        fuzz_fail("bits_decode_job returned NULL");
    fuzz_check_job(job);
    if (job->file_count && !job->file_ids)
        fuzz_fail("job file count without file ids");
    util_arena_free(&arena);
}

static inline void fuzz_file_blob(const uint8_t *data, size_t size)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_file *file = bits_decode_file(&arena, data, size);
    if (!file)
        fuzz_fail("bits_decode_file returned NULL");
    fuzz_check_file(file);
    util_arena_free(&arena);
}

/* ESE column / long-value decompression (7-bit ASCII and Unicode, Xpress). */
static inline void fuzz_decompress(const uint8_t *data, size_t size)
{
    util_arena arena;
    util_arena_init(&arena);
    uint8_t *out = NULL;
    size_t out_size = 0;
    const char *error = NULL;
    ese_decompress_status status = ese_decompress(&arena, data, size, &out, &out_size, &error);
    if (status == ESE_DECOMPRESS_OK) {
        if (!out && out_size)
            fuzz_fail("decompression succeeded without output");
        /* touch every byte so ASan checks the claimed size */
        volatile uint8_t sink = 0;
        for (size_t i = 0; i < out_size; i++)
            sink ^= out[i];
        (void)sink;
    } else if (!error) {
        fuzz_fail("decompression failed without saying why");
    }
    util_arena_free(&arena);
}

/* ---- event record binary XML (src/evtx/binxml_values.c) ------------------------------- */

#define FUZZ_EVTX_HEADER 4096u   /* the first chunk of a log starts here */
#define FUZZ_EVTX_CHUNK 65536u

/* One call of binxml_event_data_values with room for `max` values, and its
 * promises: a failure returns no count, no more values than asked for, an
 * empty value has no bytes, and every value's bytes lie inside the chunk
 * (each is read, so AddressSanitizer checks the claimed size). */
static inline size_t fuzz_binxml_call(const uint8_t *file, size_t file_size, size_t record, size_t max)
{
    static binxml_value values[EVTX_MAX_DATA_ITEMS];
    size_t count = 99999;
    bool ok = binxml_event_data_values(file, file_size, FUZZ_EVTX_HEADER + record, values, max, &count, NULL);
    if (!ok && count != 0)
        fuzz_fail("binxml values: failure with a count");
    if (count > max)
        fuzz_fail("binxml values: more values than asked for");
    const uint8_t *chunk = file + FUZZ_EVTX_HEADER, *end = file + file_size;
    volatile uint8_t sink = 0;
    for (size_t i = 0; i < count; i++) {
        const binxml_value *v = &values[i];
        if (!v->size) {
            if (v->bytes)
                fuzz_fail("binxml values: bytes for an empty value");
            continue;
        }
        if (!v->bytes || v->bytes < chunk || v->bytes > end || (size_t)(end - v->bytes) < v->size)
            fuzz_fail("binxml values: value bytes outside the chunk");
        for (size_t k = 0; k < v->size; k++)
            sink ^= v->bytes[k];
    }
    (void)sink;
    return count;
}

/* The input is a record's offset inside its chunk (u16, little-endian), then
 * the chunk (up to 64 KiB). It is placed after a zeroed file header, in a
 * buffer of exactly that size (AddressSanitizer sees any read past the end),
 * and binxml_event_data_values reads the record as evtx_log.c asks it to;
 * then again with room for one value less than it gave, which must refuse the
 * record (the fragment holding the EventData decides; another nested
 * fragment's values never stand in: binxml-refused-fragment-fallthrough,
 * docs/hardening.md). */
static inline void fuzz_binxml_values(const uint8_t *data, size_t size)
{
    if (size < 2 || size - 2 > FUZZ_EVTX_CHUNK)
        return;
    size_t record = (size_t)data[0] | (size_t)data[1] << 8;
    size_t chunk_size = size - 2, file_size = FUZZ_EVTX_HEADER + chunk_size;
    uint8_t *file = malloc(file_size);
    if (!file)
        fuzz_fail("out of memory for the event log");
    memset(file, 0, FUZZ_EVTX_HEADER);
    memcpy(file + FUZZ_EVTX_HEADER, data + 2, chunk_size);
    size_t count = fuzz_binxml_call(file, file_size, record, EVTX_MAX_DATA_ITEMS);
    if (count > 1 && fuzz_binxml_call(file, file_size, record, count - 1) != 0)
        fuzz_fail("binxml values: a record that gave N values is not refused with room for N - 1");
    free(file);
}

/* ---- Sigma rules (src/detect/sigma_*.c) ------------------------------------------------ */

#ifndef FUZZ_SIGMA_RECORDS
#define FUZZ_SIGMA_RECORDS BP_SOURCE_DIR "/testdata/sigma-queue.qmgr.db"
#endif
#define FUZZ_SIGMA_REPARSE 1000u /* executions between fresh parses (below) */

/* The records every loaded rule is evaluated on: the project's queue made for
 * the Sigma tests (jobs of bitsadmin and PowerShell, URLs to IP addresses and
 * file-sharing domains). bp_detect copies each detection list into the
 * result's arena, so the result is parsed again every FUZZ_SIGMA_REPARSE
 * executions (from bytes read once) to keep memory bounded on long runs. */
static inline bp_result *fuzz_sigma_records(void)
{
    static uint8_t *bytes;
    static size_t size;
    static bp_result *result;
    static unsigned uses;
    if (!bytes) {
        FILE *f = fopen(FUZZ_SIGMA_RECORDS, "rb");
        long length = -1;
        if (f && fseek(f, 0, SEEK_END) == 0)
            length = ftell(f);
        if (length > 0 && fseek(f, 0, SEEK_SET) == 0 && (bytes = malloc((size_t)length)) != NULL &&
            fread(bytes, 1, (size_t)length, f) == (size_t)length)
            size = (size_t)length;
        if (f)
            fclose(f);
        if (!size)
            fuzz_fail("cannot read the Sigma fuzz records " FUZZ_SIGMA_RECORDS);
    }
    if (result && ++uses >= FUZZ_SIGMA_REPARSE) {
        bp_result_free(result);
        result = NULL;
    }
    if (!result) {
        uses = 0;
        if (bp_parse_memory(bytes, size, "sigma-queue.qmgr.db", &result) != BP_STATUS_CLEAN || !result ||
            bp_result_count(result) == 0)
            fuzz_fail("the Sigma fuzz records do not parse cleanly");
    }
    return result;
}

/* The input as one Sigma rule; when it loads, evaluated on the fixed records
 * and rendered in every format. */
static inline void fuzz_sigma(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return;
    bp_ruleset *rules = bp_ruleset_new();
    if (!rules)
        fuzz_fail("bp_ruleset_new failed");
    char error[512];
    error[0] = '\0';
    int rc = bp_ruleset_add_sigma_memory(rules, (const char *)data, size, "fuzz-rule", error, sizeof error);
    if (rc != 0 && rc != 1 && rc != -1)
        fuzz_fail("Sigma loader returned a status outside {0, 1, -1}");
    if (rc != 0 && (!error[0] || bp_ruleset_count(rules) != 0))
        fuzz_fail("Sigma rule not added, but without a message or with rules added");
    if (rc == 0) {
        if (bp_ruleset_count(rules) != 1)
            fuzz_fail("Sigma rule added, but not exactly one rule in the set");
        const bp_rule_info *info = bp_ruleset_rule(rules, 0);
        if (!info || !info->id || !info->title || !info->description || !info->origin || !info->author ||
            !bp_severity_name(info->severity))
            fuzz_fail("Sigma rule with a NULL string or an unknown severity");
        bp_result *result = fuzz_sigma_records();
        long found = bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL);
        if (found < 0)
            fuzz_fail("bp_detect ran out of memory");
        if ((size_t)found > bp_result_count(result))
            fuzz_fail("one rule matched a record more than once");
        fuzz_check_result(result, BP_STATUS_CLEAN);
    }
    bp_ruleset_free(rules);
}

#endif
