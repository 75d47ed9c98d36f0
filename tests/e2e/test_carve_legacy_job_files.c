/* --carve on a legacy state file whose job has thousands of files
 * (regression `carve-legacy-files-quadratic`, src/carve/carve_input.c).
 *
 * Before carving, the bytes of every live record are handed to the carve
 * session so that copies of them are not reported again. A legacy job gives
 * one record per file and all of them share the job's source (its whole
 * record), so the job's record was hashed once per file: quadratic in the
 * files of a job (2 000 files: 1.75 s, 93 % of it hashing). Each source is now
 * handed over once. This test holds the output to what it was: every file a
 * live record, in order, with its own URL and path, and no carved copy of
 * either job or of any file. The time is printed, not asserted (speed is
 * measured by tests/bench/bench_legacy_files.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "legacy_check.h"

#define BIG_ID "0f1e2d3c-4b5a-4978-8a9b-aabbccddeeff"
#define SMALL_ID "11111111-2222-4333-8444-555555555555"

enum { FILES = 3000 };

static void url_of(size_t i, char *out, size_t size)
{
    snprintf(out, size, "http://updates.example.com/payload/part%05zu.bin", i);
}

static void path_of(size_t i, char *out, size_t size)
{
    snprintf(out, size, "C:\\ProgramData\\Updater\\part%05zu.bin", i);
}

/* Two jobs of queue 1: BIG_ID with FILES files, then SMALL_ID with two. */
static char *description(void)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *jobs = cJSON_AddArrayToObject(root, "jobs");
    cJSON *big = cJSON_CreateObject();
    cJSON_AddStringToObject(big, "id", BIG_ID);
    cJSON_AddStringToObject(big, "name", "many files");
    cJSON *files = cJSON_AddArrayToObject(big, "files");
    char text[128];
    for (size_t i = 0; i < FILES; i++) {
        cJSON *file = cJSON_CreateObject();
        url_of(i, text, sizeof text);
        cJSON_AddStringToObject(file, "remote_url", text);
        path_of(i, text, sizeof text);
        cJSON_AddStringToObject(file, "local_path", text);
        cJSON_AddItemToArray(files, file);
    }
    cJSON_AddItemToArray(jobs, big);
    cJSON *small = cJSON_Parse("{\"id\":\"" SMALL_ID "\",\"name\":\"two files\",\"files\":["
                               "{\"remote_url\":\"http://a.example/one\",\"local_path\":\"C:\\\\one\"},"
                               "{\"remote_url\":\"http://a.example/two\",\"local_path\":\"C:\\\\two\"}]}");
    cJSON_AddItemToArray(jobs, small);
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return json;
}

int main(void)
{
    char *json = description();
    CHECK(json != NULL);
    size_t size = 0;
    uint8_t *bytes = json ? legacy_build(json, &size) : NULL;
    free(json);
    if (!bytes)
        return check_exit();

    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = true;
    bp_result *result = NULL;
    clock_t started = clock();
    int status = bp_parse_memory_ex(bytes, size, "many-files.qmgr0.dat", &options, &result);
    double seconds = (double)(clock() - started) / CLOCKS_PER_SEC;
    size_t count = bp_result_count(result);
    printf("--carve on a %zu-byte state file, a job of %d files and one of 2: status %d, %zu records, %.2f s CPU\n",
           size, FILES, status, count, seconds);
    CHECK(status == 0);
    CHECK_U64(count, FILES + 2);

    size_t carved = 0, wrong_job = 0, wrong_file = 0;
    char url[128], path[128];
    for (size_t i = 0; i < count; i++) {
        const bp_record *record = bp_result_record(result, i);
        if (record->carved) {
            carved++;
            continue;
        }
        if (i < FILES) {
            url_of(i, url, sizeof url);
            path_of(i, path, sizeof path);
            if (!record->job || strcmp(record->job->job_id, BIG_ID) != 0)
                wrong_job++;
            if (!record->file || strcmp(record->file->remote_url, url) != 0 ||
                strcmp(record->file->local_path, path) != 0)
                wrong_file++;
        } else if (!record->job || strcmp(record->job->job_id, SMALL_ID) != 0) {
            wrong_job++;
        }
    }
    CHECK_U64(carved, 0);
    CHECK_U64(wrong_job, 0);
    CHECK_U64(wrong_file, 0);
    if (count == FILES + 2) {
        const bp_record *first = bp_result_record(result, 0);
        CHECK_STR(first->job->name, "many files");
        CHECK_STR(first->file->remote_url, "http://updates.example.com/payload/part00000.bin");
        CHECK_STR(first->job_source.format, "legacy");
        const bp_record *last = bp_result_record(result, FILES - 1);
        CHECK_STR(last->file->local_path, "C:\\ProgramData\\Updater\\part02999.bin");
        CHECK_U64(last->job_source.offset, first->job_source.offset);
        const bp_record *two = bp_result_record(result, FILES + 1);
        CHECK_STR(two->job->name, "two files");
        CHECK_STR(two->file->remote_url, "http://a.example/two");
        CHECK(two->job_source.offset != first->job_source.offset);
    }
    bp_result_free(result);
    free(bytes);
    return check_exit();
}
