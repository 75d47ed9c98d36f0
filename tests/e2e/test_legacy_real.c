/* End to end: the real legacy job records (testdata/legacy/, read at test time,
 * never copied into the repository) embedded into generated state files of
 * their own Windows version, read through bp_parse_path from a folder as
 * qmgr0.dat / qmgr1.dat and through the JSON writer; the known answers of
 * EXPECTED.md (legacy/); the state files cut at every 512 bytes and, inside the
 * real records, at every byte. */
#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "legacy_check.h"

#include "bits/legacy_state_file.h"
#include "result/result.h"

#define WIN7_RECORD "testdata/legacy/win7-job-record.bin"
#define WIN10_RECORD "testdata/legacy/win10early-job-record.bin"

#define WIN7_ID "81120ac0-35b5-49ef-9c1a-0ee3d5572ffc"
#define WIN10_ID "2f265c44-d606-40f4-ba5e-3c269739aa37"
#define SYNTH_ID "5c26fc39-0647-43cf-bd6b-2ca3125c7fb3"

static const char *win7_path, *win10_path;

/* A state file of `profile` holding the real record at `record` between two generated jobs. */
static uint8_t *state_with_record(const char *profile, const char *record, size_t *size)
{
    char json[2048];
    snprintf(json, sizeof json,
             "{\"profile\":\"%s\",\"size\":16384,\"jobs\":[{\"id\":\"" SYNTH_ID "\",\"name\":\"before\","
             "\"created\":\"2017-01-01T00:00:00Z\",\"files\":[{\"local_path\":\"c:\\\\a\"}]},"
             "{\"raw_file\":\"%s\"},{\"id\":\"00000000-0000-0000-0000-0000000000aa\",\"name\":\"after\","
             "\"created\":\"2017-01-02T00:00:00Z\"}]}",
             profile, record);
    return legacy_build(json, size);
}

static const bp_record *find_job(const bp_result *result, const char *id, size_t from)
{
    for (size_t i = from; i < bp_result_count(result); i++)
        if (bp_result_record(result, i)->job && strcmp(bp_result_record(result, i)->job->job_id, id) == 0)
            return bp_result_record(result, i);
    return NULL;
}

/* EXPECTED.md legacy/ through the output writer: the JSON a user sees. */
static void check_expected_json(const bp_result *result, const char *id)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    CHECK(bp_write(out, result, BP_FORMAT_JSON) == 0);
    fclose(out);
    cJSON *array = cJSON_Parse(text);
    CHECK(cJSON_IsArray(array));
    const cJSON *rec = NULL;
    for (int i = 0; i < cJSON_GetArraySize(array); i++) {
        const cJSON *item = cJSON_GetArrayItem(array, i);
        const cJSON *job_id = cJSON_GetObjectItemCaseSensitive(item, "job_id");
        if (cJSON_IsString(job_id) && strcmp(job_id->valuestring, id) == 0)
            rec = item;
    }
    CHECK(rec != NULL);
#define FIELD_IS(key, want) \
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(rec, key)), want)
    if (rec && strcmp(id, WIN7_ID) == 0) {
        FIELD_IS("job_name", "TTT");
        FIELD_IS("job_type", "BG_JOB_TYPE_DOWNLOAD");
        FIELD_IS("priority", "BG_JOB_PRIORITY_NORMAL");
        FIELD_IS("job_state", "BG_JOB_STATE_QUEUED");
        FIELD_IS("owner_sid", "S-1-5-18");
        FIELD_IS("job_command", "c:\\windows\\system32\\cmd.exe");
        FIELD_IS("url", "http://mirror.isoc.org.il/pub/videolan/vlc/2.2.4/win64/vlc-2.2.4-win64.exe");
        FIELD_IS("full_path", "c:\\temp\\_bits2\\vlc3.exe");
        FIELD_IS("tmp_fullpath", "c:\\temp\\_bits2\\BIT36BE.tmp");
        FIELD_IS("volume", "\\\\?\\Volume{9a222d92-399d-11e5-8e3a-806e6f6e6963}\\");
        FIELD_IS("created", "2017-03-06T11:12:58.8642977Z");
        FIELD_IS("modified", "2017-03-06T11:55:00.0925037Z");
        FIELD_IS("expiration", "2017-06-04T11:55:00.0925037Z");
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "bytes_transferred")) == 0);
        FIELD_IS("job_marker", "35203693-0ca0-4a10-84f3-b17e7b499cd7");
    } else if (rec) {
        FIELD_IS("job_name", "STST");
        FIELD_IS("job_state", "BG_JOB_STATE_QUEUED");
        FIELD_IS("owner_sid", "S-1-5-18");
        FIELD_IS("job_command", "c:\\windows\\System32\\cmd.exe");
        FIELD_IS("url", "http://get.videolan.org/vlc/2.2.4/win64/vlc-2.2.4-win64.exe");
        FIELD_IS("full_path", "c:\\temp\\vlc.exe");
        FIELD_IS("tmp_fullpath", "c:\\temp\\BITFFC1.tmp");
        FIELD_IS("created", "2017-07-09T10:44:34.3206223Z");
        FIELD_IS("modified", "2017-07-09T10:48:24.2379632Z");
        FIELD_IS("expiration", "2017-10-07T10:48:24.2379632Z");
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "bytes_transferred")) == 9985);
        CHECK(cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(rec, "bytes_total")) == 31717016);
        FIELD_IS("job_marker", "3ded46b3-103b-44f9-bc2f-e8378bd31986");
    }
    if (rec) {
        const cJSON *source = cJSON_GetObjectItemCaseSensitive(rec, "source");
        CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(source, "format")), "legacy");
        CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rec, "warnings")) == 0);
    }
#undef FIELD_IS
    cJSON_Delete(array);
    free(text);
}

/* ---- the real records inside state files of their version ---------------------------------------- */

static void test_embedded(const char *profile, const char *record, const char *id)
{
    size_t size;
    uint8_t *bytes = state_with_record(profile, record, &size);
    if (!bytes)
        return;
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(bytes, size, "qmgr0.dat", &result), BP_STATUS_CLEAN);
    legacy_print_notes(profile, bp_result_warnings(result));
    CHECK_U64(bp_result_count(result), 3);
    const bp_record *r = find_job(result, id, 0);
    CHECK(r != NULL);
    if (r) {
        CHECK(r->job->complete);
        CHECK_U64(r->job->warnings.count, 0);
        CHECK_U64(r->job_source.blob_size, strcmp(id, WIN7_ID) == 0 ? 1980 : 1973);
        CHECK_STR(r->job_source.generation, "");
    }
    CHECK(find_job(result, SYNTH_ID, 0) != NULL);
    CHECK(find_job(result, "00000000-0000-0000-0000-0000000000aa", 0) != NULL);
    check_expected_json(result, id);
    bp_result_free(result);

    /* cut at every 512 bytes, and at every byte inside the real record */
    bp_result *whole = result_new();
    legacy_state_info info;
    legacy_state_file_read(bytes, size, "q", whole, &info);
    const bp_record *real = find_job(whole, id, 0);
    size_t real_start = real ? real->job_source.offset : 0;
    size_t real_end = real ? real_start + real->job_source.blob_size : 0;
    size_t bad = 0;
    for (size_t cut = 0; cut < size; cut++) {
        if (cut % 512 != 0 && (cut < real_start || cut > real_end))
            continue;
        uint8_t *copy = malloc(cut ? cut : 1);
        memcpy(copy, bytes, cut);
        bp_result *damaged = NULL;
        int status = bp_parse_memory(copy, cut, "q", &damaged);
        bool ok = legacy_result_sane(damaged) && (cut >= info.end) == (status == BP_STATUS_CLEAN);
        /* job ids: a subset of the undamaged ones */
        for (size_t i = 0; ok && i < bp_result_count(damaged); i++)
            ok = find_job(whole, bp_result_record(damaged, i)->job->job_id, 0) != NULL;
        /* what precedes the damage is kept */
        const bp_record *first = find_job(damaged, SYNTH_ID, 0);
        if (cut >= real_start)
            ok = ok && first && first->job->complete;
        const bp_record *cut_real = find_job(damaged, id, 0);
        if (cut >= real_start + 0x30)  /* the record's id is read */
            ok = ok && cut_real;
        if (cut >= real_start + 0xB0)  /* and its owner */
            ok = ok && cut_real && strcmp(cut_real->job->owner_sid, "S-1-5-18") == 0;
        if (cut >= real_end)
            ok = ok && cut_real && cut_real->job->complete &&
                 cut_real->job->created == real->job->created;
        if (!ok && bad++ < 5)
            fprintf(stderr, "%s cut at %zu: wrong result (status %d)\n", profile, cut, status);
        bp_result_free(damaged);
        free(copy);
    }
    CHECK_U64(bad, 0);
    bp_result_free(whole);
    free(bytes);
}

/* Both real records in one file: the second marker differs from the learned one. */
static void test_mixed(void)
{
    char json[1024];
    snprintf(json, sizeof json, "{\"profile\":\"win7\",\"jobs\":[{\"raw_file\":\"%s\"},{\"raw_file\":\"%s\"}]}",
             win7_path, win10_path);
    size_t size;
    uint8_t *bytes = legacy_build(json, &size);
    if (!bytes)
        return;
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(bytes, size, "mixed.dat", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 2);
    CHECK(find_job(result, WIN7_ID, 0) && find_job(result, WIN10_ID, 0));
    CHECK(legacy_find_note(bp_result_warnings(result), "not the first job's"));
    bp_result_free(result);
    free(bytes);
}

/* ---- a folder with both generations ----------------------------------------------------------------- */

static bool write_file(const char *path, const uint8_t *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(bytes, 1, size, f) == size;
    if (f)
        ok = fclose(f) == 0 && ok;
    return ok;
}

static void set_mtime(const char *path, time_t when)
{
    struct timespec times[2] = {{when, 0}, {when, 0}};
    CHECK(utimensat(AT_FDCWD, path, times, 0) == 0);
}

static void test_folder(void)
{
    char dir[] = "/tmp/bitsparse-legacy-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char q0[64], q1[64];
    snprintf(q0, sizeof q0, "%s/qmgr0.dat", dir);
    snprintf(q1, sizeof q1, "%s/qmgr1.dat", dir);
    /* qmgr0: the real job alone; qmgr1: the real job and a job created later */
    char json[1024];
    snprintf(json, sizeof json, "{\"profile\":\"win10early\",\"size\":16384,\"jobs\":[{\"raw_file\":\"%s\"}]}",
             win10_path);
    size_t size0, size1;
    uint8_t *bytes0 = legacy_build(json, &size0);
    snprintf(json, sizeof json,
             "{\"profile\":\"win10early\",\"size\":16384,\"jobs\":[{\"raw_file\":\"%s\"},{\"id\":\"" SYNTH_ID
             "\",\"name\":\"new\",\"created\":\"2017-07-10T00:00:00Z\"}]}",
             win10_path);
    uint8_t *bytes1 = legacy_build(json, &size1);
    CHECK(bytes0 && bytes1 && write_file(q0, bytes0, size0) && write_file(q1, bytes1, size1));

    /* the common job did not change: the modification times decide */
    for (int newer = 0; newer < 2; newer++) {
        set_mtime(q0, newer == 0 ? 1500000200 : 1500000100);
        set_mtime(q1, newer == 0 ? 1500000100 : 1500000200);
        bp_result *result = NULL;
        CHECK_U64(bp_parse_path(dir, &result), BP_STATUS_CLEAN);
        CHECK_U64(bp_result_count(result), 3);
        size_t current = 0, previous = 0;
        for (size_t i = 0; i < bp_result_count(result); i++) {
            const bp_record *r = bp_result_record(result, i);
            bool in_q0 = strcmp(r->job_source.path, q0) == 0;
            const char *want = (in_q0 == (newer == 0)) ? "current" : "previous";
            CHECK_STR(r->job_source.generation, want);
            current += strcmp(r->job_source.generation, "current") == 0;
            previous += strcmp(r->job_source.generation, "previous") == 0;
        }
        CHECK_U64(current + previous, 3);
        /* the same through two paths */
        bp_result *paths = NULL;
        bp_parse_path(q1, &paths);
        bp_parse_path(q0, &paths);
        CHECK_STR(bp_result_record(paths, 0)->job_source.generation, newer == 0 ? "previous" : "current");
        bp_result_free(paths);
        bp_result_free(result);
    }
    unlink(q0);
    unlink(q1);
    rmdir(dir);
    free(bytes0);
    free(bytes1);
}

int main(void)
{
    win7_path = shared_path(WIN7_RECORD);
    win10_path = shared_path(WIN10_RECORD);
    test_embedded("win7", win7_path, WIN7_ID);
    test_embedded("win10early", win10_path, WIN10_ID);
    test_mixed();
    test_folder();
    return check_exit();
}
