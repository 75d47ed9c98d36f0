/* Records written as they are finished (issue 21, docs/design.md "Streaming").
 *
 * A generated queue of 3 000 jobs (0 to 3 files each, a file shared by every
 * 100th job, two orphan files, notify command lines and bare-IP URLs the
 * default rules flag) is written once with the records kept (bp_parse_memory,
 * bp_detect, bp_write) and once streamed (a result sink running the detector
 * and the record writer); JSON, JSON Lines, CSV and CSV for spreadsheets must
 * be the same bytes. The records held at once stay within one batch plus one
 * job's files. The command line, which streams a qmgr.db given by name, gives
 * the same bytes too. The inputs half of the rule: only regular files that are
 * ESE databases stream. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bitsparse/bitsparse.h"
#include "bitsparse/detect.h"
#include "check.h"
#include "database_writer.h"
#include "description.h"
#include "detect/detector.h"
#include "input/stream_rule.h"
#include "output/record_writer.h"
#include "result/result.h"

enum { JOBS = 3000, MOST_FILES_PER_JOB = 4 };

#define SHARED_FILE "5ba7ed00-0000-4000-8000-000000000001"

static void guid_text(unsigned n, unsigned salt, char out[37])
{
    snprintf(out, 37, "%08x-%04x-4%03x-8%03x-%012x", n * 2654435761u, (n * 97 + salt) & 0xFFFF, n % 4096,
             salt % 4096, n * 7919 + salt);
}

static cJSON *file_object(const char *id, unsigned job, unsigned k)
{
    char text[160];
    cJSON *file = cJSON_CreateObject();
    cJSON_AddStringToObject(file, "id", id);
    snprintf(text, sizeof text, "C:\\Users\\dana\\AppData\\Local\\Temp\\job%u\\part%u.bin", job, k);
    cJSON_AddStringToObject(file, "local_path", text);
    if (job % 7 == 0)
        snprintf(text, sizeof text, "http://203.0.113.%u/part%u.bin", job % 250 + 1, k);
    else
        snprintf(text, sizeof text, "https://updates.example.com/%u/part%u.bin", job, k);
    cJSON_AddStringToObject(file, "remote_url", text);
    return file;
}

static char *description(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *jobs = cJSON_AddArrayToObject(root, "jobs");
    cJSON *top_files = cJSON_AddArrayToObject(root, "files");
    char id[37], text[160];
    cJSON_AddItemToArray(top_files, file_object(SHARED_FILE, 0, 99));
    for (unsigned o = 0; o < 2; o++) {  /* no job lists these */
        guid_text(900000 + o, 7, id);
        cJSON_AddItemToArray(top_files, file_object(id, 900000 + o, 0));
    }
    for (unsigned i = 0; i < JOBS; i++) {
        cJSON *job = cJSON_CreateObject();
        guid_text(i, 0, id);
        cJSON_AddStringToObject(job, "id", id);
        snprintf(text, sizeof text, "Updater job %u", i);
        cJSON_AddStringToObject(job, "name", text);
        cJSON_AddStringToObject(job, "owner_sid", i % 3 ? "S-1-5-21-1-2-3-1001" : "S-1-5-18");
        cJSON_AddStringToObject(job, "created", "2024-03-01T12:00:00.0000000Z");
        if (i % 50 == 0) {
            cJSON_AddStringToObject(job, "notify_program", "C:\\Windows\\System32\\cmd.exe");
            cJSON_AddStringToObject(job, "notify_arguments", "/c start C:\\Users\\Public\\a.exe");
        }
        cJSON *files = cJSON_AddArrayToObject(job, "files");
        for (unsigned k = 0; k < i % 4; k++) {
            guid_text(i, 1 + k, id);
            cJSON_AddItemToArray(files, file_object(id, i, k));
        }
        if (i % 100 == 0)
            cJSON_AddItemToArray(files, cJSON_CreateString(SHARED_FILE));
        cJSON_AddItemToArray(jobs, job);
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return json;
}

typedef struct stream_sink {
    detect_detector *detector;
    out_record_writer *writer;
    size_t records, batches, detections;
    int failures;
} stream_sink;

static void sink(bp_result *result, bp_record *records, size_t count, void *context)
{
    stream_sink *s = context;
    long found = detect_detector_run(s->detector, result, records, count);
    if (found < 0)
        s->failures++;
    else
        s->detections += (size_t)found;
    for (size_t i = 0; i < count; i++)
        if (out_record_writer_put(s->writer, &records[i]) != 0)
            s->failures++;
    s->records += count;
    s->batches++;
}

typedef struct text {
    char *bytes;
    size_t size;
} text;

static text kept_output(const uint8_t *db, size_t size, const bp_ruleset *rules, bp_format format,
                        size_t *records, long *detections)
{
    bp_result *result = NULL;
    int status = bp_parse_memory(db, size, "generated.qmgr.db", &result);
    CHECK_U64(status, BP_STATUS_WARNINGS);  /* the orphan files */
    *detections = bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL);
    *records = bp_result_count(result);
    text out = {NULL, 0};
    FILE *stream = open_memstream(&out.bytes, &out.size);
    CHECK(stream && bp_write(stream, result, format) == 0);
    fclose(stream);
    bp_result_free(result);
    return out;
}

static text streamed_output(const uint8_t *db, size_t size, const bp_ruleset *rules, bp_format format,
                            stream_sink *s, size_t *held_max)
{
    text out = {NULL, 0};
    FILE *stream = open_memstream(&out.bytes, &out.size);
    s->detector = detect_detector_new(rules, BP_SEVERITY_INFORMATIONAL);
    s->writer = out_record_writer_new(stream, format);
    CHECK(s->detector && s->writer);
    bp_result *result = result_new();
    result_stream_to(result, sink, s);
    int status = bp_parse_memory(db, size, "generated.qmgr.db", &result);
    CHECK_U64(status, BP_STATUS_WARNINGS);  /* the orphan files */
    CHECK_U64(bp_result_count(result), 0);  /* every record handed over */
    *held_max = result->held_max;
    CHECK(out_record_writer_end(s->writer) == 0);
    CHECK_U64(out_record_writer_count(s->writer), s->records);
    out_record_writer_free(s->writer);
    detect_detector_free(s->detector);
    bp_result_free(result);
    fclose(stream);
    return out;
}

static bool same(const text *a, const text *b)
{
    return a->size == b->size && memcmp(a->bytes, b->bytes, a->size) == 0;
}

static void streamed_equals_kept(const uint8_t *db, size_t size, const bp_ruleset *rules)
{
    static const struct { bp_format format; const char *name; } formats[] = {
        {BP_FORMAT_JSON, "json"}, {BP_FORMAT_JSONL, "jsonl"}, {BP_FORMAT_CSV, "csv"},
        {BP_FORMAT_CSV_EXCEL, "csv-excel"},
    };
    /* jobs % 4 files each, every 100th job the shared file too, 2 orphans;
     * a job without files is one record */
    size_t expected = 0;
    for (unsigned i = 0; i < JOBS; i++)
        expected += (i % 4 ? i % 4 : 1) + (i % 100 == 0 && i % 4 ? 1 : 0);
    expected += 2;
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        size_t kept_records = 0, held_max = 0;
        long kept_detections = 0;
        text kept = kept_output(db, size, rules, formats[f].format, &kept_records, &kept_detections);
        stream_sink s = {0};
        text streamed = streamed_output(db, size, rules, formats[f].format, &s, &held_max);
        printf("%s: %zu records, %ld detections, %zu bytes; streamed in %zu batches, at most %zu held\n",
               formats[f].name, kept_records, kept_detections, kept.size, s.batches, held_max);
        CHECK_U64(kept_records, expected);
        CHECK_U64(s.records, expected);
        CHECK_U64(s.detections, (size_t)kept_detections);
        CHECK(kept_detections > 0);
        CHECK_U64(s.failures, 0);
        CHECK(s.batches >= expected / RESULT_STREAM_BATCH);
        CHECK(held_max <= RESULT_STREAM_BATCH + MOST_FILES_PER_JOB);
        CHECK(same(&kept, &streamed));
        free(kept.bytes);
        free(streamed.bytes);
    }
}

/* A few values of the streamed JSON Lines: the first job and a flagged one. */
static void streamed_values(const uint8_t *db, size_t size, const bp_ruleset *rules)
{
    stream_sink s = {0};
    size_t held_max = 0;
    text out = streamed_output(db, size, rules, BP_FORMAT_JSONL, &s, &held_max);
    char *line_end = memchr(out.bytes, '\n', out.size);
    CHECK(line_end != NULL);
    if (!line_end) {
        free(out.bytes);
        return;
    }
    *line_end = '\0';
    cJSON *first = cJSON_Parse(out.bytes);
    CHECK(first != NULL);
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(first, "job_name"));
    CHECK(name && strncmp(name, "Updater job ", 12) == 0);
    cJSON_Delete(first);
    *line_end = '\n';
    /* job 0 lists no own file, only the shared one, and has a notify command */
    const char *job0 = strstr(out.bytes, "\"job_name\":\"Updater job 0\"");
    CHECK(job0 != NULL);
    const char *shared = strstr(out.bytes, "\"file_id\":\"" SHARED_FILE "\"");
    CHECK(shared != NULL);
    CHECK(strstr(out.bytes, "\"id\":\"BITS-001\"") != NULL);
    CHECK(strstr(out.bytes, "\"id\":\"BITS-003\"") != NULL);
    CHECK(strstr(out.bytes, "orphan file: no job lists this file") != NULL);
    free(out.bytes);
}

static text command_output(const char *path, const char *format)
{
    char command[2048];
    snprintf(command, sizeof command, "'%s/bitsparse' -q -f %s '%s'", BP_BINARY_DIR, format, path);
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
        CHECK(WIFEXITED(rc) && WEXITSTATUS(rc) == 1);  /* 1: the orphan files' warnings */
    }
    if (stream)
        fclose(stream);
    return out;
}

/* The command line streams a qmgr.db given by name: the same bytes. */
static void command_line_equals_kept(const char *path, const bp_ruleset *rules)
{
    static const struct { bp_format format; const char *name; } formats[] = {
        {BP_FORMAT_JSON, "json"}, {BP_FORMAT_JSONL, "jsonl"}, {BP_FORMAT_CSV, "csv"},
    };
    for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
        bp_result *result = NULL;
        CHECK_U64(bp_parse_path(path, &result), BP_STATUS_WARNINGS);
        CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) > 0);
        text kept = {NULL, 0};
        FILE *stream = open_memstream(&kept.bytes, &kept.size);
        CHECK(stream && bp_write(stream, result, formats[f].format) == 0);
        fclose(stream);
        bp_result_free(result);
        text command = command_output(path, formats[f].name);
        printf("command line -f %s: %zu bytes, kept %zu bytes\n", formats[f].name, command.size, kept.size);
        CHECK(same(&kept, &command));
        free(kept.bytes);
        free(command.bytes);
    }
}

/* The inputs half of the rule (input/stream_rule.c). */
static void stream_rule(const char *db_path, const char *folder)
{
    char text_path[1024], fake_ese[1024];
    snprintf(text_path, sizeof text_path, "%s/notes.txt", folder);
    snprintf(fake_ese, sizeof fake_ese, "%s/short.qmgr.db", folder);
    FILE *f = fopen(text_path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("not a queue\n", f);
        fclose(f);
    }
    f = fopen(fake_ese, "wb");  /* named like a queue, three bytes */
    CHECK(f != NULL);
    if (f) {
        fputs("abc", f);
        fclose(f);
    }
    char *one[] = {(char *)db_path};
    char *two[] = {(char *)db_path, (char *)db_path};
    char *with_text[] = {(char *)db_path, text_path};
    char *with_folder[] = {(char *)folder, (char *)db_path};
    char *with_stdin[] = {(char *)db_path, "-"};
    char *with_fake[] = {(char *)db_path, fake_ese};
    char *missing[] = {"/nonexistent/qmgr.db"};
    CHECK(input_inputs_allow_streaming(one, 1));
    CHECK(input_inputs_allow_streaming(two, 2));
    CHECK(!input_inputs_allow_streaming(one, 0));
    CHECK(!input_inputs_allow_streaming(with_text, 2));
    CHECK(!input_inputs_allow_streaming(with_folder, 2));
    CHECK(!input_inputs_allow_streaming(with_stdin, 2));
    CHECK(!input_inputs_allow_streaming(with_fake, 2));
    CHECK(!input_inputs_allow_streaming(missing, 1));
    char evtx_path[1024];
    snprintf(evtx_path, sizeof evtx_path, "%s/testdata/evtx/win10-desktopimgdownldr.evtx", BP_SHARED_DIR);
    if (access(evtx_path, R_OK) == 0) {
        char *with_log[] = {(char *)db_path, evtx_path};
        CHECK(!input_inputs_allow_streaming(with_log, 2));
    } else {
        printf("note: %s missing, the event log case not checked\n", evtx_path);
    }
    remove(text_path);
    remove(fake_ese);
}

int main(void)
{
    char *json = description();
    mk_description d;
    char err[256];
    bool parsed = json && mk_description_parse(json, &d, err, sizeof err);
    free(json);
    CHECK(parsed);
    if (!parsed) {
        fprintf(stderr, "description: %s\n", err);
        return check_exit();
    }
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.lv_page_per_value = -1;
    bool ok = mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err);
    CHECK(ok);
    bp_ruleset *rules = bp_ruleset_new();
    CHECK(rules && bp_ruleset_add_default(rules, err, sizeof err) == 0);
    if (ok && rules) {
        mk_buffer image = {NULL, 0, 0};
        mk_layout layout;
        mk_build_database(&d, &resolved, &image, &layout);
        streamed_equals_kept(image.data, image.size, rules);
        streamed_values(image.data, image.size, rules);

        char folder[] = "/tmp/bitsparse-stream-XXXXXX";
        CHECK(mkdtemp(folder) != NULL);
        char path[1024];
        snprintf(path, sizeof path, "%s/generated.qmgr.db", folder);
        FILE *f = fopen(path, "wb");
        CHECK(f && fwrite(image.data, 1, image.size, f) == image.size);
        if (f)
            fclose(f);
        command_line_equals_kept(path, rules);
        stream_rule(path, folder);
        remove(path);
        rmdir(folder);
        mk_buffer_free(&image);
    }
    bp_ruleset_free(rules);
    mk_description_free(&d);
    return check_exit();
}
