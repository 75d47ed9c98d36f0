/* Jobs with thousands of files, in both eras, parsed plainly and with --carve.
 *
 * Windows limits the files of a job (MaxFilesPerJob, 200 by default) for users
 * only: administrators and services have no limit, and before Vista nobody had.
 *
 * Regression `file-count-cap`: the decoders stopped at 4096 files per job. A
 * legacy job's files past the 4096th were dropped (with a warning that said
 * the count "does not fit" when it did), and an ESE job listing more than 4096
 * file GUIDs lost its whole file list, so its files became orphans: a job could
 * hide its 4097th download from the output and from the detections. The count
 * is now bounded only by the bytes that hold its entries.
 *
 * Regression `carve-legacy-files-quadratic` (src/carve/carve_input.c): before
 * carving, the bytes of every live record go to the carve session so that
 * copies of them are not reported again. The records of a legacy job share its
 * job source (its whole record), so the record was hashed once per file:
 * quadratic in the files of a job (2 000 files: 1.5 s of CPU, 93 % of it hashing).
 * Each source is now handed over once; the output is what it was. The time is
 * printed, not asserted (tests/bench/bench_legacy_files.sh measures it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "database_writer.h"
#include "description.h"
#include "legacy_check.h"

#define BIG_ID "0f1e2d3c-4b5a-4978-8a9b-aabbccddeeff"
#define SMALL_ID "11111111-2222-4333-8444-555555555555"

enum { FILES = 5000 };  /* more than the 4096 the decoders used to stop at */

static void url_of(size_t i, char *out, size_t size)
{
    snprintf(out, size, "http://updates.example.com/payload/part%05zu.bin", i);
}

static void path_of(size_t i, char *out, size_t size)
{
    snprintf(out, size, "C:\\ProgramData\\Updater\\part%05zu.bin", i);
}

static void file_id_of(size_t i, char *out, size_t size)
{
    snprintf(out, size, "%08zx-5eed-4000-8000-%012zx", i * 2654435761u % 0xFFFFFFFFu, i + 1);
}

/* Two jobs: BIG_ID with FILES files, then SMALL_ID with two. `ese` adds the
 * file ids a qmgr.db's Files table needs. */
static char *description(bool ese)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *jobs = cJSON_AddArrayToObject(root, "jobs");
    cJSON *big = cJSON_CreateObject();
    cJSON_AddStringToObject(big, "id", BIG_ID);
    cJSON_AddStringToObject(big, "name", "many files");
    cJSON_AddStringToObject(big, "owner_sid", "S-1-5-18");
    cJSON_AddStringToObject(big, "created", "2024-03-14T08:41:17.5581203Z");
    cJSON *files = cJSON_AddArrayToObject(big, "files");
    char text[128];
    for (size_t i = 0; i < FILES; i++) {
        cJSON *file = cJSON_CreateObject();
        if (ese) {
            file_id_of(i, text, sizeof text);
            cJSON_AddStringToObject(file, "id", text);
        }
        url_of(i, text, sizeof text);
        cJSON_AddStringToObject(file, "remote_url", text);
        path_of(i, text, sizeof text);
        cJSON_AddStringToObject(file, "local_path", text);
        cJSON_AddItemToArray(files, file);
    }
    cJSON_AddItemToArray(jobs, big);
    cJSON *small = cJSON_Parse(ese ? "{\"id\":\"" SMALL_ID "\",\"name\":\"two files\",\"owner_sid\":\"S-1-5-18\","
                                     "\"created\":\"2024-03-14T08:41:17Z\",\"files\":["
                                     "{\"id\":\"aaaaaaaa-0000-4000-8000-000000000001\","
                                     "\"remote_url\":\"http://a.example/one\",\"local_path\":\"C:\\\\one\"},"
                                     "{\"id\":\"aaaaaaaa-0000-4000-8000-000000000002\","
                                     "\"remote_url\":\"http://a.example/two\",\"local_path\":\"C:\\\\two\"}]}"
                                   : "{\"id\":\"" SMALL_ID "\",\"name\":\"two files\",\"owner_sid\":\"S-1-5-18\","
                                     "\"created\":\"2024-03-14T08:41:17Z\",\"files\":["
                                     "{\"remote_url\":\"http://a.example/one\",\"local_path\":\"C:\\\\one\"},"
                                     "{\"remote_url\":\"http://a.example/two\",\"local_path\":\"C:\\\\two\"}]}");
    cJSON_AddItemToArray(jobs, small);
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return json;
}

static size_t warnings_of(const bp_record *record)
{
    return record->warnings.count + (record->job ? record->job->warnings.count : 0) +
           (record->file ? record->file->warnings.count : 0);
}

/* Every file of both jobs a live record, in order, with its URL, path and (ESE) id. */
static void check_records(const char *label, const uint8_t *bytes, size_t size, bool carve, bool ese)
{
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = carve;
    bp_result *result = NULL;
    clock_t started = clock();
    int status = bp_parse_memory_ex(bytes, size, label, &options, &result);
    double seconds = (double)(clock() - started) / CLOCKS_PER_SEC;
    size_t count = bp_result_count(result);
    printf("%s%s: %zu bytes, a job of %d files and one of 2: status %d, %zu records, %.2f s CPU\n", label,
           carve ? " --carve" : "", size, FILES, status, count, seconds);
    CHECK(status == 0);
    CHECK_U64(count, FILES + 2);

    /* a qmgr.db lists its jobs in key order, a state file in file order: the
       files of each job keep their order either way */
    size_t carved = 0, other = 0, wrong_file = 0, warned = 0, big = 0, small = 0;
    const bp_record *big_at[FILES] = {NULL};
    const bp_record *small_at[2] = {NULL, NULL};
    char url[128], path[128], id[64];
    for (size_t i = 0; i < count; i++) {
        const bp_record *record = bp_result_record(result, i);
        carved += record->carved;
        warned += warnings_of(record) != 0;
        if (record->job && strcmp(record->job->job_id, BIG_ID) == 0 && big < FILES) {
            url_of(big, url, sizeof url);
            path_of(big, path, sizeof path);
            file_id_of(big, id, sizeof id);
            if (!record->file || strcmp(record->file->remote_url, url) != 0 ||
                strcmp(record->file->local_path, path) != 0 || (ese && strcmp(record->file->file_id, id) != 0))
                wrong_file++;
            big_at[big++] = record;
        } else if (record->job && strcmp(record->job->job_id, SMALL_ID) == 0 && small < 2) {
            small_at[small++] = record;
        } else {
            other++;
        }
    }
    CHECK_U64(big, FILES);
    CHECK_U64(small, 2);
    CHECK_U64(other, 0);
    CHECK_U64(carved, 0);
    CHECK_U64(wrong_file, 0);
    CHECK_U64(warned, 0);
    if (big == FILES && small == 2) {
        CHECK_STR(big_at[0]->job->name, "many files");
        CHECK_STR(big_at[0]->file->remote_url, "http://updates.example.com/payload/part00000.bin");
        CHECK_STR(big_at[0]->job_source.format, ese ? "ese" : "legacy");
        if (ese)
            CHECK_U64(big_at[0]->job->file_count, FILES);
        CHECK_STR(big_at[4096]->file->remote_url, "http://updates.example.com/payload/part04096.bin");
        CHECK_STR(big_at[FILES - 1]->file->local_path, "C:\\ProgramData\\Updater\\part04999.bin");
        CHECK_STR(small_at[1]->job->name, "two files");
        CHECK_STR(small_at[1]->file->remote_url, "http://a.example/two");
        if (!ese) {
            CHECK_U64(big_at[FILES - 1]->job_source.offset, big_at[0]->job_source.offset);
            CHECK(small_at[0]->job_source.offset != big_at[0]->job_source.offset);
        }
    }
    bp_result_free(result);
}

static void legacy_state_file(void)
{
    char *json = description(false);
    size_t size = 0;
    uint8_t *bytes = json ? legacy_build(json, &size) : NULL;
    free(json);
    if (!bytes)
        return;
    check_records("legacy qmgr0.dat", bytes, size, false, false);
    check_records("legacy qmgr0.dat", bytes, size, true, false);
    free(bytes);
}

static void ese_queue(void)
{
    char *json = description(true);
    mk_description d;
    char err[256];
    bool parsed = json && mk_description_parse(json, &d, err, sizeof err);
    free(json);
    CHECK(parsed);
    if (!parsed) {
        fprintf(stderr, "description: %s\n", err);
        return;
    }
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.lv_page_per_value = -1;
    bool ok = mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err);
    CHECK(ok);
    if (ok) {
        mk_buffer image = {NULL, 0, 0};
        mk_layout layout;
        mk_build_database(&d, &resolved, &image, &layout);
        check_records("qmgr.db", image.data, image.size, false, true);
        check_records("qmgr.db", image.data, image.size, true, true);
        mk_buffer_free(&image);
    } else {
        fprintf(stderr, "options: %s\n", err);
    }
    mk_description_free(&d);
}

int main(void)
{
    legacy_state_file();
    ese_queue();
    return check_exit();
}
