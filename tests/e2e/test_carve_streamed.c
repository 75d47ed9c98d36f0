/* --carve with the live records streamed (issue 21, "Carving, round 4";
 * carve/session_live.c): the carve session keeps what its finish needs of the
 * live records and decodes a live job or file again when a carved record is
 * linked to it.
 *
 * A generated queue of 700 live jobs (one file each; three batches of
 * records) and a deleted job, with the links the finish makes to live
 * records: a file of live job 3 (handed to the sink long before the finish)
 * and one of the last live job (still held at the finish) have their Files
 * rows deleted, so they are carved and written with their live job; a deleted
 * job lists a file a live job lists too, so it is written with that live
 * file. Kept and streamed give the same bytes in JSON, JSON Lines and CSV, with
 * the default rules; the streamed run holds at most one batch plus the carved
 * records; the linked values are the live job's and file's. The command line
 * (which now streams --carve of a qmgr.db) gives the same bytes, and the same
 * run summary as a kept run (the timeline): a live job a carved record links
 * to is counted once (regression carve-stream-summary-jobs). Then live blobs
 * with the same bytes, indexed only when the carver first asks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bitsparse/bitsparse.h"
#include "bitsparse/detect.h"
#include "check.h"
#include "database_writer.h"
#include "description.h"
#include "detect/detector.h"
#include "output/record_writer.h"
#include "result/result.h"

enum { LIVE_JOBS = 700 };

#define EARLY_JOB "e0000000-0000-4000-8000-000000000003"
#define EARLY_FILE "f0000000-0000-4000-8000-000000000003"
#define LAST_JOB "e0000000-0000-4000-8000-0000000002bb"
#define LAST_FILE "f0000000-0000-4000-8000-0000000002bb"
#define SHARED_FILE "f0000000-0000-4000-8000-000000000100"
#define DELETED_JOB "d0000000-0000-4000-8000-000000000001"
#define DELETED_OWN_FILE "fd000000-0000-4000-8000-000000000001"
#define PATH_IN_RESULT "generated.qmgr.db"

static cJSON *file_object(const char *id, unsigned n)
{
    char text[160];
    cJSON *file = cJSON_CreateObject();
    cJSON_AddStringToObject(file, "id", id);
    snprintf(text, sizeof text, "C:\\Temp\\part%u.bin", n);
    cJSON_AddStringToObject(file, "local_path", text);
    snprintf(text, sizeof text, n % 9 == 0 ? "http://198.51.100.%u/part.bin" : "https://example.org/%u/part.bin",
             n % 200 + 1);
    cJSON_AddStringToObject(file, "remote_url", text);
    return file;
}

static char *description(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *jobs = cJSON_AddArrayToObject(root, "jobs");
    char id[37], file_id[37], name[64];
    for (unsigned i = 0; i < LIVE_JOBS; i++) {
        cJSON *job = cJSON_CreateObject();
        snprintf(id, sizeof id, "e0000000-0000-4000-8000-%012x", i);
        snprintf(file_id, sizeof file_id, "f0000000-0000-4000-8000-%012x", i);
        snprintf(name, sizeof name, i == 3 ? "linked early" : i == LIVE_JOBS - 1 ? "linked last" : "job %u", i);
        cJSON_AddStringToObject(job, "id", id);
        cJSON_AddStringToObject(job, "name", name);
        cJSON_AddStringToObject(job, "owner_sid", "S-1-5-21-1-2-3-1001");
        cJSON_AddStringToObject(job, "created", "2024-03-01T12:00:00Z");
        cJSON *files = cJSON_AddArrayToObject(job, "files");
        cJSON_AddItemToArray(files, file_object(file_id, i));
        cJSON_AddItemToArray(jobs, job);
    }
    cJSON *deleted = cJSON_CreateObject();
    cJSON_AddStringToObject(deleted, "id", DELETED_JOB);
    cJSON_AddStringToObject(deleted, "name", "deleted, lists a live file");
    cJSON_AddStringToObject(deleted, "owner_sid", "S-1-5-18");
    cJSON_AddStringToObject(deleted, "created", "2024-03-02T08:00:00Z");
    cJSON_AddBoolToObject(deleted, "deleted", true);
    cJSON *files = cJSON_AddArrayToObject(deleted, "files");
    cJSON_AddItemToArray(files, cJSON_CreateString(SHARED_FILE));
    cJSON_AddItemToArray(files, file_object(DELETED_OWN_FILE, 5000));
    cJSON_AddItemToArray(jobs, deleted);
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return json;
}

/* Build the queue with the Files rows of EARLY_FILE and LAST_FILE deleted
 * (their jobs stay live). */
static bool build(mk_buffer *image)
{
    char *json = description();
    mk_description d;
    char err[256];
    bool ok = json && mk_description_parse(json, &d, err, sizeof err);
    free(json);
    if (!ok) {
        fprintf(stderr, "description: %s\n", err);
        return false;
    }
    size_t marked = 0;
    for (size_t i = 0; i < d.file_count; i++)
        if (strcmp(d.files[i].id_text, EARLY_FILE) == 0 || strcmp(d.files[i].id_text, LAST_FILE) == 0) {
            d.files[i].deleted = true;
            marked++;
        }
    CHECK_U64(marked, 2);
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.lv_page_per_value = -1;
    cli.reserved_tags = -1;
    cli.clean = -1;
    ok = mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err);
    CHECK(ok);
    if (ok) {
        mk_layout layout;
        mk_build_database(&d, &resolved, image, &layout);
    }
    mk_description_free(&d);
    return ok;
}

typedef struct text {
    char *bytes;
    size_t size;
} text;

static bool same(const text *a, const text *b) { return a->size == b->size && memcmp(a->bytes, b->bytes, a->size) == 0; }

static const bp_parse_options carve_options = {.carve = true};
/* the big queue warns (the live jobs' files without a Files record); the small one is clean */
static int expected_status = BP_STATUS_WARNINGS;

static text kept_output(const mk_buffer *image, const bp_ruleset *rules, bp_format format, size_t *records)
{
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory_ex(image->data, image->size, PATH_IN_RESULT, &carve_options, &result),
              (uint64_t)expected_status);
    CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) >= 0);
    *records = bp_result_count(result);
    text out = {NULL, 0};
    FILE *stream = open_memstream(&out.bytes, &out.size);
    CHECK(stream && bp_write(stream, result, format) == 0);
    fclose(stream);
    bp_result_free(result);
    return out;
}

typedef struct stream_sink {
    detect_detector *detector;
    out_record_writer *writer;
    size_t records, batches, carved;
    int failures;
} stream_sink;

static void sink(bp_result *result, bp_record *records, size_t count, void *context)
{
    stream_sink *s = context;
    if (detect_detector_run(s->detector, result, records, count) < 0)
        s->failures++;
    for (size_t i = 0; i < count; i++) {
        s->carved += records[i].carved;
        if (out_record_writer_put(s->writer, &records[i]) != 0)
            s->failures++;
    }
    s->records += count;
    s->batches++;
}

static text streamed_output(const mk_buffer *image, const bp_ruleset *rules, bp_format format, stream_sink *s,
                            size_t *held_max)
{
    text out = {NULL, 0};
    FILE *stream = open_memstream(&out.bytes, &out.size);
    s->detector = detect_detector_new(rules, BP_SEVERITY_INFORMATIONAL);
    s->writer = out_record_writer_new(stream, format);
    CHECK(s->detector && s->writer);
    bp_result *result = result_new();
    result_stream_to(result, sink, s);
    CHECK_U64(bp_parse_memory_ex(image->data, image->size, PATH_IN_RESULT, &carve_options, &result),
              (uint64_t)expected_status);
    CHECK_U64(bp_result_count(result), 0);  /* every record handed over, the carved ones too */
    CHECK(result->stream.observer == NULL);  /* the session stopped looking when it finished */
    *held_max = result->held_max;
    CHECK(out_record_writer_end(s->writer) == 0);
    out_record_writer_free(s->writer);
    detect_detector_free(s->detector);
    bp_result_free(result);
    fclose(stream);
    return out;
}

static void streamed_equals_kept(const mk_buffer *image, const bp_ruleset *rules)
{
    static const struct { bp_format format; const char *name; } formats[] = {
        {BP_FORMAT_JSON, "json"}, {BP_FORMAT_JSONL, "jsonl"}, {BP_FORMAT_CSV, "csv"},
    };
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        size_t kept_records = 0, held_max = 0;
        text kept = kept_output(image, rules, formats[f].format, &kept_records);
        stream_sink s = {0};
        text streamed = streamed_output(image, rules, formats[f].format, &s, &held_max);
        printf("%s: %zu records (%zu carved), %zu bytes; streamed in %zu batches, at most %zu held\n",
               formats[f].name, kept_records, s.carved, kept.size, s.batches, held_max);
        /* 700 live records; carved: the two live jobs' files, the deleted job's two rows */
        CHECK_U64(kept_records, LIVE_JOBS + 4);
        CHECK_U64(s.records, LIVE_JOBS + 4);
        CHECK_U64(s.carved, 4);
        CHECK_U64(s.failures, 0);
        CHECK(s.batches >= 3);
        CHECK(held_max <= RESULT_STREAM_BATCH + 1 + s.carved);  /* a batch, a job's file, the carved rows */
        CHECK(same(&kept, &streamed));
        free(kept.bytes);
        free(streamed.bytes);
    }
}

/* The first record whose `key` is `value`, carved or live. */
static cJSON *line_with(const text *jsonl, const char *key, const char *value, bool carved)
{
    char *copy = malloc(jsonl->size + 1);
    CHECK(copy != NULL);
    if (!copy)
        return NULL;
    memcpy(copy, jsonl->bytes, jsonl->size);
    copy[jsonl->size] = '\0';
    cJSON *found = NULL;
    for (char *line = strtok(copy, "\n"); line && !found; line = strtok(NULL, "\n")) {
        cJSON *record = cJSON_Parse(line);
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(record, key));
        if (id && strcmp(id, value) == 0 && cJSON_IsTrue(cJSON_GetObjectItem(record, "carved")) == carved)
            found = record;
        else
            cJSON_Delete(record);
    }
    free(copy);
    return found;
}

static const char *string_of(const cJSON *record, const char *key)
{
    const char *value = cJSON_GetStringValue(cJSON_GetObjectItem(record, key));
    return value ? value : "(none)";
}

static const char *source_string(const cJSON *record, const char *key)
{
    return string_of(cJSON_GetObjectItem(record, "source"), key);
}

static double source_number(const cJSON *record, const char *key)
{
    const cJSON *item = cJSON_GetObjectItem(cJSON_GetObjectItem(record, "source"), key);
    return cJSON_IsNumber(item) ? item->valuedouble : -1;
}

/* The carved rows carry the live job's and the live file's values. */
static void linked_values(const mk_buffer *image, const bp_ruleset *rules)
{
    stream_sink s = {0};
    size_t held_max = 0;
    text out = streamed_output(image, rules, BP_FORMAT_JSONL, &s, &held_max);
    static const struct { const char *file, *job, *name; } links[] = {
        {EARLY_FILE, EARLY_JOB, "linked early"}, {LAST_FILE, LAST_JOB, "linked last"},
    };
    for (size_t i = 0; i < 2; i++) {
        cJSON *carved = line_with(&out, "file_id", links[i].file, true);
        cJSON *live = line_with(&out, "job_id", links[i].job, false);  /* its file has no Files record */
        CHECK(carved && live);
        if (carved && live) {
            CHECK_STR(string_of(carved, "job_id"), links[i].job);
            CHECK_STR(string_of(carved, "job_name"), links[i].name);
            CHECK_STR(string_of(carved, "owner_sid"), "S-1-5-21-1-2-3-1001");
            CHECK_STR(string_of(carved, "recovered_from"), "deleted-flag");
            CHECK_STR(source_string(carved, "job_table"), "Jobs");
            CHECK(source_number(carved, "job_page") > 0);
            CHECK(source_number(carved, "job_page") == source_number(live, "job_page"));
            CHECK(source_number(carved, "offset") == source_number(live, "offset"));
            CHECK_STR(source_string(carved, "sha256"), source_string(live, "sha256"));
            CHECK_STR(string_of(carved, "created"), string_of(live, "created"));
            CHECK(strstr(string_of(carved, "url"), "/part.bin") != NULL);
        }
        cJSON_Delete(carved);
        cJSON_Delete(live);
    }
    cJSON *shared = line_with(&out, "file_id", SHARED_FILE, true);  /* the deleted job's row with the live file */
    CHECK(shared != NULL);
    if (shared) {
        CHECK_STR(string_of(shared, "job_id"), DELETED_JOB);
        CHECK_STR(string_of(shared, "job_name"), "deleted, lists a live file");
        CHECK_STR(string_of(shared, "url"), "https://example.org/57/part.bin");  /* live file 256 */
        CHECK_STR(string_of(shared, "full_path"), "C:\\Temp\\part256.bin");
    }
    cJSON_Delete(shared);
    free(out.bytes);
}

static text run(const char *command, int exit_status)
{
    text out = {NULL, 0};
    FILE *stream = open_memstream(&out.bytes, &out.size);
    FILE *pipe = popen(command, "r");
    CHECK(stream && pipe);
    if (stream && pipe) {
        char buffer[65536];
        size_t n;
        while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0)
            fwrite(buffer, 1, n, stream);
    }
    if (pipe) {
        int rc = pclose(pipe);
        CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == exit_status);
    }
    if (stream)
        fclose(stream);
    return out;
}

/* The command line streams --carve of a qmgr.db given by name: the same bytes
 * as the records kept, and the same summary as a run that keeps them. */
static void command_line(const char *path, const bp_ruleset *rules)
{
    static const char *const formats[] = {"json", "jsonl", "csv"};
    static const bp_format values[] = {BP_FORMAT_JSON, BP_FORMAT_JSONL, BP_FORMAT_CSV};
    char command[2048];
    for (size_t f = 0; f < 3; f++) {
        bp_result *result = NULL;
        CHECK_U64(bp_parse_path_ex(path, &carve_options, &result), BP_STATUS_WARNINGS);
        CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) > 0);
        text kept = {NULL, 0};
        FILE *stream = open_memstream(&kept.bytes, &kept.size);
        CHECK(stream && bp_write(stream, result, values[f]) == 0);
        fclose(stream);
        bp_result_free(result);
        snprintf(command, sizeof command, "'%s/bitsparse' -q --carve -f %s '%s'", BP_BINARY_DIR, formats[f], path);
        text streamed = run(command, 1);
        printf("command line --carve -f %s: %zu bytes, kept %zu bytes\n", formats[f], streamed.size, kept.size);
        CHECK(same(&kept, &streamed));
        free(kept.bytes);
        free(streamed.bytes);
    }
    /* regression carve-stream-summary-jobs: JSON Lines streams, the timeline keeps */
    snprintf(command, sizeof command, "'%s/bitsparse' -q --summary --carve -f jsonl '%s' 2>&1 >/dev/null", BP_BINARY_DIR, path);
    text streamed = run(command, 1);
    snprintf(command, sizeof command, "'%s/bitsparse' -q --summary --carve -f timeline '%s' 2>&1 >/dev/null", BP_BINARY_DIR, path);
    text kept = run(command, 1);
    printf("summary streamed: %.*s", (int)streamed.size, streamed.bytes);
    CHECK(same(&kept, &streamed));
    CHECK(streamed.bytes && strstr(streamed.bytes, "704 records (700 live, 4 carved), 701 jobs") != NULL);
    free(streamed.bytes);
    free(kept.bytes);
}

/* Two live files with the same blob (a file blob holds no id) and a deleted
 * job listing a third copy and the second live file: the live blobs are
 * indexed only when the carver first asks (session.c index_pending), the
 * second marked a duplicate of the first. The rows are those of a kept run:
 * the deleted job with its own file id and with the live file's values. */
static const char duplicates[] =
    "{\"jobs\": ["
    " {\"id\": \"0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b\", \"owner_sid\": \"S-1-5-18\","
    "  \"created\": \"2024-03-14T08:41:17Z\", \"name\": \"live\", \"files\": ["
    "  {\"id\": \"b0b1b2b3-0000-4e5f-8a9b-0c1d2e3f4a00\", \"local_path\": \"C:\\\\same.bin\","
    "   \"remote_url\": \"https://example.org/same.bin\"},"
    "  {\"id\": \"b0b1b2b3-0000-4e5f-8a9b-0c1d2e3f4a01\", \"local_path\": \"C:\\\\same.bin\","
    "   \"remote_url\": \"https://example.org/same.bin\"}]},"
    " {\"id\": \"7d1e8b4f-6a01-4c2d-9e3f-5a6b7c8d9e01\", \"owner_sid\": \"S-1-5-18\","
    "  \"created\": \"2024-03-15T09:00:00Z\", \"name\": \"gone\", \"deleted\": true, \"files\": ["
    "  {\"id\": \"c3d4e5f6-0001-4a7b-8c9d-0e1f2a3b4c01\", \"local_path\": \"C:\\\\same.bin\","
    "   \"remote_url\": \"https://example.org/same.bin\"},"
    "  \"b0b1b2b3-0000-4e5f-8a9b-0c1d2e3f4a01\"]}"
    "]}";

static void duplicate_live_blobs(const bp_ruleset *rules)
{
    mk_description d;
    char err[256];
    CHECK(mk_description_parse(duplicates, &d, err, sizeof err));
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.lv_page_per_value = -1;
    cli.reserved_tags = -1;
    cli.clean = -1;
    CHECK(mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err));
    mk_buffer image = {NULL, 0, 0};
    mk_layout layout;
    mk_build_database(&d, &resolved, &image, &layout);
    mk_description_free(&d);
    expected_status = BP_STATUS_CLEAN;
    size_t records = 0, held_max = 0;
    text kept = kept_output(&image, rules, BP_FORMAT_JSONL, &records);
    stream_sink s = {0};
    text streamed = streamed_output(&image, rules, BP_FORMAT_JSONL, &s, &held_max);
    CHECK_U64(records, 4);
    CHECK_U64(s.carved, 2);
    CHECK(same(&kept, &streamed));
    static const char *const ids[] = {"c3d4e5f6-0001-4a7b-8c9d-0e1f2a3b4c01", "b0b1b2b3-0000-4e5f-8a9b-0c1d2e3f4a01"};
    for (size_t i = 0; i < 2; i++) {
        cJSON *row = line_with(&streamed, "file_id", ids[i], true);
        CHECK(row != NULL);
        CHECK_STR(string_of(row, "job_name"), "gone");
        CHECK_STR(string_of(row, "recovered_from"), "deleted-flag");
        CHECK_STR(string_of(row, "url"), "https://example.org/same.bin");
        CHECK_STR(string_of(row, "full_path"), "C:\\same.bin");
        cJSON_Delete(row);
    }
    free(kept.bytes);
    free(streamed.bytes);
    mk_buffer_free(&image);
}

int main(void)
{
    mk_buffer image = {NULL, 0, 0};
    char err[256];
    bp_ruleset *rules = bp_ruleset_new();
    CHECK(rules && bp_ruleset_add_default(rules, err, sizeof err) == 0);
    if (rules && build(&image) && image.data) {
        streamed_equals_kept(&image, rules);
        linked_values(&image, rules);
        char folder[] = "/tmp/bitsparse-carve-stream-XXXXXX";
        CHECK(mkdtemp(folder) != NULL);
        char path[1024];
        snprintf(path, sizeof path, "%s/generated.qmgr.db", folder);
        FILE *f = fopen(path, "wb");
        CHECK(f && fwrite(image.data, 1, image.size, f) == image.size);
        if (f)
            fclose(f);
        command_line(path, rules);
        duplicate_live_blobs(rules);
        remove(path);
        rmdir(folder);
    }
    mk_buffer_free(&image);
    bp_ruleset_free(rules);
    return check_exit();
}
