/* Legacy state files qmgr0.dat / qmgr1.dat (bits-format §6, docs/format-legacy.md):
 * generated files of every profile and framing variant round-trip field by
 * field; CRC, unknown versions, wrong counts, the second queue, stale bytes,
 * damaged records; truncation at every 512 bytes; the generation rules of a
 * pair; the real empty Windows 10 file. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "legacy_check.h"

#include "bits/legacy_generation.h"
#include "bits/legacy_state_file.h"
#include "bits/markers.h"
#include "result/result.h"

#define EMPTY_WIN10 "testdata/legacy/win10early-empty.qmgr0.dat"

/* Three jobs that together use every field the writer can vary. */
static const char JOBS[] =
    "[{\"id\":\"6f364a04-6299-4349-a8b6-34bed5e400ef\",\"type\":0,\"priority\":2,\"state\":6,"
    "\"name\":\"test\",\"description\":\"\",\"notify_program\":\"C:\\\\Windows\\\\System32\\\\cmd.exe\","
    "\"notify_arguments\":\"/c calc.exe\",\"owner_sid\":\"S-1-5-21-1-2-3-500\",\"notify_flags\":3,"
    "\"owner_is_local_system\":0,\"owner_integrity\":12288,"
    "\"files\":[{\"local_path\":\"C:\\\\Users\\\\a\\\\calc.exe\",\"remote_url\":\"http://192.168.10.254/calc.exe\","
    "\"temp_path\":\"C:\\\\Users\\\\a\\\\BIT12.tmp\",\"bytes_transferred\":32256,\"bytes_total\":32256,"
    "\"drive\":\"C:\\\\\",\"volume\":\"\\\\\\\\?\\\\Volume{c3693081-ccc2-4d8c-80df-6c0dd8f26709}\\\\\","
    "\"volume_serial\":1116771134,\"file_size\":32256,\"remote_file_time\":\"2021-06-13T06:10:00Z\"}],"
    "\"transient_error_count\":0,\"retry_delay\":600,\"no_progress_timeout\":1209600,"
    "\"created\":\"2021-06-13T06:17:18.0566727Z\",\"modified\":\"2021-06-13T06:17:20.1000000Z\","
    "\"modified2\":\"2021-06-13T06:17:20.1000000Z\",\"completed\":\"2021-06-13T06:17:20.1000000Z\","
    "\"inactivity_timer\":{\"start\":\"2021-06-13T06:17:20.1000000Z\",\"deadline\":\"2021-09-11T06:17:20.1000000Z\"},"
    "\"no_progress_timer\":false,\"proxy_usage\":0,\"acl_flags\":0,\"max_download_time\":7776000},"
    "{\"id\":\"b35c4a1d-4425-45be-92d1-b67183ae222f\",\"type\":1,\"priority\":0,\"state\":4,\"name\":\"backdoor\","
    "\"description\":\"two files and an error\",\"owner_sid\":\"S-1-5-18\",\"notify_flags\":11,"
    "\"files\":[{\"local_path\":\"C:\\\\x\",\"remote_url\":\"http://a.uguu.se/x.7z\",\"temp_path\":\"C:\\\\BIT1.tmp\","
    "\"bytes_transferred\":10,\"bytes_total\":162791,\"file_size\":162791},"
    "{\"local_path\":\"C:\\\\y\",\"remote_url\":\"http://a.uguu.se/y.7z\",\"temp_path\":\"C:\\\\BIT2.tmp\","
    "\"bytes_transferred\":0,\"bytes_total\":\"0xFFFFFFFFFFFFFFFF\",\"file_size\":-1}],"
    "\"error\":{\"hresult\":\"0x80190194\",\"context\":5,\"class\":4},\"transient_error_count\":3,"
    "\"retry_delay\":60,\"no_progress_timeout\":86400,\"created\":\"2019-05-12T18:04:50Z\","
    "\"modified\":\"2019-05-12T18:05:00Z\",\"completed\":0,"
    "\"retry_timer\":{\"start\":\"2019-05-12T18:05:00Z\",\"deadline\":\"2019-05-12T18:06:00Z\"},"
    "\"proxy_usage\":2,\"proxy_list\":\"p:3128\",\"proxy_bypass_list\":\"\",\"acl_flags\":5,"
    "\"custom_headers\":{\"plain_size\":170},\"max_download_time\":3600},"
    "{\"id\":\"51607467-5ab5-4dcb-aaf0-fb92c997c0bd\",\"name\":\"no files\",\"owner_sid\":\"S-1-5-20\","
    "\"priority\":3,\"state\":3,\"created\":\"2019-05-13T14:50:59Z\",\"modified\":\"2019-05-13T14:51:00Z\"}]";

#define JOB_COUNT 3
static const char *const JOB_IDS[JOB_COUNT] = {"6f364a04-6299-4349-a8b6-34bed5e400ef",
                                               "b35c4a1d-4425-45be-92d1-b67183ae222f",
                                               "51607467-5ab5-4dcb-aaf0-fb92c997c0bd"};

static uint8_t *build_state(const char *settings, const char *jobs, size_t *size)
{
    char json[16384];
    snprintf(json, sizeof json, "{%s%s\"jobs\":%s}", settings, settings[0] ? "," : "", jobs);
    return legacy_build(json, size);
}

/* Records of `result` from `first` on compared with the jobs of `jobs_json`, in order. */
static void check_round_trip(const bp_result *result, size_t first, const char *jobs_json, const char *what)
{
    cJSON *jobs = cJSON_Parse(jobs_json);
    size_t want = (size_t)cJSON_GetArraySize(jobs), got = 0, i = first;
    int failures_before = check_failures;
    while (i < bp_result_count(result) && got < want) {
        const bp_file *files[8];
        size_t next;
        size_t count = legacy_job_files(result, i, files, 8, &next);
        const bp_record *r = bp_result_record(result, i);
        legacy_check_job(cJSON_GetArrayItem(jobs, (int)got), r->job, files, count);
        CHECK_STR(r->job_source.format, "legacy");
        CHECK(r->job_source.offset > 0);
        got++;
        i = next;
    }
    CHECK_U64(got, want);
    CHECK_U64(i, bp_result_count(result));
    if (check_failures != failures_before)
        fprintf(stderr, "  (round trip of %s)\n", what);
    cJSON_Delete(jobs);
}

static size_t record_warnings(const bp_result *result)
{
    size_t count = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        count += r->warnings.count + (r->job ? r->job->warnings.count : 0) +
                 (r->file ? r->file->warnings.count : 0);
        if (r->job)
            legacy_print_notes("job warning", &r->job->warnings);
    }
    return count;
}

/* ---- every profile and framing variant ----------------------------------------------------------- */

static void test_variants(void)
{
    static const char *const markers[] = {"win7", "win10", "c8701310", "64ea938c", "810ce774"};
    static const unsigned offsets[] = {16, 24};
    static const char *const tails[] = {"win7", "win10"};
    static const char *const versions[] = {"win7", "win10"};
    for (size_t m = 0; m < 5; m++)
        for (size_t o = 0; o < 2; o++)
            for (size_t t = 0; t < 2; t++)
                for (size_t v = 0; v < 2; v++)
                    for (int crc = 0; crc < 2; crc++) {
                        char settings[256];
                        snprintf(settings, sizeof settings,
                                 "\"marker\":\"%s\",\"header_offset\":%u,\"tail\":\"%s\",\"version\":\"%s\","
                                 "\"crc\":%s,\"size\":16384",
                                 markers[m], offsets[o], tails[t], versions[v], crc ? "true" : "false");
                        size_t size;
                        uint8_t *bytes = build_state(settings, JOBS, &size);
                        if (!bytes)
                            continue;
                        bp_result *result = result_new();
                        legacy_state_info info;
                        int status = legacy_state_file_read(bytes, size, "qmgr0.dat", result, &info);
                        check_round_trip(result, 0, JOBS, settings);
                        bool crc_expected = offsets[o] == 24 || v == 1;
                        CHECK_U64(info.version, v ? LEGACY_VERSION_WIN10 : LEGACY_VERSION_WIN7);
                        CHECK_U64(info.header_offset, offsets[o]);
                        CHECK_U64(info.job_count[0], 3);
                        CHECK_U64(info.jobs_read[0], 3);
                        CHECK_U64(info.job_count[1], 0);
                        CHECK(info.trailer_found);
                        CHECK(info.crc_expected == crc_expected);
                        CHECK(info.crc_present == (crc == 1));
                        CHECK_U64(info.stale_bytes, 0);
                        CHECK(legacy_same_guid(info.marker, m == 0   ? "35203693-0ca0-4a10-84f3-b17e7b499cd7"
                                                           : m == 1 ? "3ded46b3-103b-44f9-bc2f-e8378bd31986"
                                                           : m == 2 ? "c8701310-5336-41b3-83e5-81557f361b87"
                                                           : m == 3 ? "64ea938c-0f03-4068-b46f-f97fe51d4dcd"
                                                                    : "810ce774-bbd2-48cc-9e47-862e8d58f3c6"));
                        CHECK_U64(record_warnings(result), 0);
                        bool missing_crc = crc_expected && !crc;
                        CHECK_U64(result->warnings.count, missing_crc ? 1 : 0);
                        if (missing_crc)
                            CHECK(legacy_find_note(&result->warnings, "CRC-32 mismatch"));
                        else
                            legacy_print_notes(settings, &result->warnings);
                        CHECK_U64(status, missing_crc ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN);
                        /* by content through the entry point */
                        bp_result *parsed = NULL;
                        CHECK_U64(bp_parse_memory(bytes, size, "x", &parsed),
                                  missing_crc ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN);
                        CHECK_U64(bp_result_count(parsed), 4);
                        bp_result_free(parsed);
                        bp_result_free(result);
                        free(bytes);
                    }
}

/* The named profiles of the writer, with default job fields. */
static void test_profiles(void)
{
    static const char *const profiles[] = {"win7", "win10early", "c8701310", "64ea938c", "810ce774"};
    for (size_t p = 0; p < 5; p++) {
        char settings[64];
        snprintf(settings, sizeof settings, "\"profile\":\"%s\"", profiles[p]);
        size_t size;
        uint8_t *bytes = build_state(settings, "[{\"name\":\"a\"},{\"name\":\"b\",\"files\":[{}]}]", &size);
        if (!bytes)
            continue;
        bp_result *result = NULL;
        CHECK_U64(bp_parse_memory(bytes, size, "q", &result), BP_STATUS_CLEAN);
        CHECK_U64(bp_result_count(result), 2);
        legacy_print_notes(profiles[p], bp_result_warnings(result));
        bp_result_free(result);
        free(bytes);
    }
}

/* ---- framing problems ----------------------------------------------------------------------------- */

static bp_result *read_state(const char *settings, const char *jobs, legacy_state_info *info, int *status)
{
    size_t size;
    uint8_t *bytes = build_state(settings, jobs, &size);
    bp_result *result = result_new();
    *status = bytes ? legacy_state_file_read(bytes, size, "q.dat", result, info) : -1;
    free(bytes);
    return result;
}

static void test_framing_problems(void)
{
    legacy_state_info info;
    int status;
    bp_result *r;

    r = read_state("\"profile\":\"win10early\",\"crc\":\"bad\"", JOBS, &info, &status);
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK(!info.crc_present && info.crc_expected);
    CHECK(info.crc_stored != info.crc_computed);
    CHECK(legacy_find_note(&r->warnings, "CRC-32 mismatch"));
    check_round_trip(r, 0, JOBS, "bad CRC");
    bp_result_free(r);

    r = read_state("\"version\":\"11111111-2222-3333-4444-555555555555\"", JOBS, &info, &status);
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK_U64(info.version, LEGACY_VERSION_UNKNOWN);
    CHECK(legacy_find_note(&r->warnings, "unknown version GUID 11111111-2222-3333-4444-555555555555"));
    check_round_trip(r, 0, JOBS, "unknown version");
    bp_result_free(r);

    r = read_state("\"header_offset\":32", JOBS, &info, &status);
    CHECK_U64(info.header_offset, 32);
    CHECK(legacy_find_note(&r->warnings, "FILE_HEADER at offset 0x20"));
    check_round_trip(r, 0, JOBS, "header at 0x20");
    bp_result_free(r);

    r = read_state("\"job_count\":5", JOBS, &info, &status);
    CHECK(legacy_find_note(&r->warnings, "queue 1 announces 5 job records but ends after 3"));
    check_round_trip(r, 0, JOBS, "count too large");
    bp_result_free(r);

    r = read_state("\"job_count\":1", JOBS, &info, &status);
    CHECK(legacy_find_note(&r->warnings, "queue 1 announces 1 job records but holds more"));
    check_round_trip(r, 0, JOBS, "count too small");
    bp_result_free(r);

    r = read_state("\"slack_hex\":\"00000000b346ed3d\",\"size\":4096", JOBS, &info, &status);
    CHECK_U64(info.stale_bytes, 4);
    CHECK(legacy_find_note(&r->warnings, "4 non-zero bytes between offsets"));
    check_round_trip(r, 0, JOBS, "slack");
    bp_result_free(r);

    /* the second queue: its records are read and flagged */
    r = read_state("\"queue2\":[{\"id\":\"22222222-2222-2222-2222-222222222222\",\"name\":\"q2\"}]",
                   "[{\"name\":\"q1\"}]", &info, &status);
    CHECK_U64(info.job_count[1], 1);
    CHECK_U64(info.jobs_read[1], 1);
    CHECK_U64(bp_result_count(r), 2);
    if (bp_result_count(r) == 2) {
        CHECK_STR(bp_result_record(r, 1)->job->name, "q2");
        CHECK(legacy_find_note(&bp_result_record(r, 1)->warnings, "second queue"));
        CHECK_U64(bp_result_record(r, 0)->warnings.count, 0);
    }
    CHECK(info.trailer_found);
    bp_result_free(r);

    /* a second job with a different known marker: read, with a warning */
    r = read_state("\"profile\":\"win7\"", "[{\"name\":\"a\"},{\"name\":\"b\",\"marker\":\"c8701310\"}]", &info,
                   &status);
    CHECK_U64(bp_result_count(r), 2);
    CHECK(legacy_find_note(&r->warnings, "has the marker c8701310-5336-41b3-83e5-81557f361b87, not the "
                                         "first job's"));
    bp_result_free(r);

    /* an unknown marker is learned from the first job */
    r = read_state("\"marker\":\"abcdefab-cdef-abcd-efab-cdefabcdefab\"", JOBS, &info, &status);
    CHECK(legacy_same_guid(info.marker, "abcdefab-cdef-abcd-efab-cdefabcdefab"));
    CHECK_U64(info.jobs_read[0], 3);
    CHECK_U64(bp_result_count(r), 4);
    for (size_t i = 0; i < bp_result_count(r); i++)
        CHECK(legacy_find_note(&bp_result_record(r, i)->job->warnings, "unknown job marker"));
    bp_result_free(r);

    /* a damaged footer of the first job: the next two jobs are still read */
    r = read_state("", "[{\"name\":\"a\",\"footer\":\"00000000-0000-0000-0000-000000000000\"},"
                       "{\"name\":\"b\"},{\"name\":\"c\"}]", &info, &status);
    CHECK_U64(bp_result_count(r), 3);
    if (bp_result_count(r) == 3) {
        CHECK(legacy_find_note(&bp_result_record(r, 0)->job->warnings, "is damaged"));
        CHECK_STR(bp_result_record(r, 1)->job->name, "b");
        CHECK_STR(bp_result_record(r, 2)->job->name, "c");
        CHECK(bp_result_record(r, 2)->job->complete);
    }
    CHECK(info.trailer_found);
    bp_result_free(r);

    /* garbage between two records is skipped with a warning */
    r = read_state("", "[{\"name\":\"a\"},{\"raw_hex\":\"0102030405060708090a0b0c0d0e0f1011\"},{\"name\":\"c\"}]",
                   &info, &status);
    CHECK_U64(bp_result_count(r), 2);
    CHECK(legacy_find_note(&r->warnings, "17 unexpected bytes"));
    CHECK(info.trailer_found);
    bp_result_free(r);
}

/* A record whose middle does not decode keeps its header and lets the next ones through. */
static void test_damaged_record(void)
{
    size_t size;
    uint8_t *bytes = build_state("", JOBS, &size);
    if (!bytes)
        return;
    /* the first job's SD length sits right after the owner fields: find the owner SID
     * "S-1-5-21-1-2-3-500" and overwrite the 4 bytes after the six u32s that follow it */
    static const uint8_t sid[] = {'5', 0, '0', 0, '0', 0, 0, 0};
    size_t at = 0;
    for (size_t i = 0; i + sizeof sid <= size && !at; i++)
        if (memcmp(bytes + i, sid, sizeof sid) == 0)
            at = i + sizeof sid + 24;
    CHECK(at > 0);
    bytes[at + 2] = 0x7F;  /* SD length becomes impossible */
    bp_result *result = result_new();
    legacy_state_info info;
    legacy_state_file_read(bytes, size, "q", result, &info);
    CHECK_U64(info.jobs_read[0], 3);
    CHECK_U64(bp_result_count(result), 4);
    if (bp_result_count(result) == 4) {
        const bp_job *first = bp_result_record(result, 0)->job;
        CHECK_STR(first->job_id, JOB_IDS[0]);
        CHECK_STR(first->name, "test");
        CHECK(legacy_find_note(&first->warnings, "security descriptor length"));
        CHECK_STR(bp_result_record(result, 0)->file->remote_url, "http://192.168.10.254/calc.exe");
        CHECK(bp_result_record(result, 3)->job->complete);
    }
    bp_result_free(result);
    free(bytes);
}

/* Every byte of a small file overwritten in turn: never a crash, never an insane record,
 * and the loop over records always ends. Also hostile counts. */
static void test_corruptions(void)
{
    size_t size;
    uint8_t *bytes = build_state("\"profile\":\"win10early\"",
                                 "[{\"name\":\"a\",\"files\":[{\"local_path\":\"x\"},{\"local_path\":\"y\"}],"
                                 "\"error\":{}},{\"name\":\"b\",\"proxy_list\":\"p\"}]", &size);
    if (!bytes)
        return;
    uint8_t *copy = malloc(size);
    static const uint8_t values[] = {0x00, 0xFF, 0x80};
    size_t bad = 0, max_records = 0;
    for (size_t at = 0; at < size; at++)
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, bytes, size);
            copy[at] = copy[at] == values[v] ? (uint8_t)~values[v] : values[v];
            bp_result *result = NULL;
            bp_parse_memory(copy, size, "q", &result);
            if (bp_result_count(result) > max_records)
                max_records = bp_result_count(result);
            if ((!legacy_result_sane(result) || bp_result_count(result) > 4) && bad++ < 5)
                fprintf(stderr, "byte %zu = 0x%02x: insane result\n", at, copy[at]);
            bp_result_free(result);
        }
    CHECK_U64(bad, 0);
    CHECK_U64(max_records, 3);
    /* the job count and a job's file count at their maximum */
    memcpy(copy, bytes, size);
    copy[0x38] = copy[0x39] = copy[0x3A] = copy[0x3B] = 0xFF;
    size_t marker = 0;
    for (size_t i = 0x40; i + 20 <= size && !marker; i++)
        if (memcmp(copy + i, bits_transfer_marker, BITS_GUID_SIZE) == 0)
            marker = i;
    CHECK(marker > 0);
    memset(copy + marker + 16, 0xFF, 4);
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(copy, size, "q", &result), BP_STATUS_WARNINGS);
    CHECK(legacy_find_note(bp_result_warnings(result), "announces 4294967295 job records but ends after 2"));
    CHECK(bp_result_count(result) >= 2);
    if (bp_result_count(result) >= 1)
        CHECK(legacy_find_note(&bp_result_record(result, 0)->job->warnings, "file count 4294967295"));
    bp_result_free(result);
    free(copy);
    free(bytes);
}

/* ---- truncation at every 512 bytes ------------------------------------------------------------------ */

static void test_truncations(void)
{
    static const char *const profiles[] = {"win7", "win10early", "c8701310"};
    char jobs[sizeof JOBS * 2 + 8];
    /* six jobs: the three of JOBS twice (the second copies with other ids) */
    char second[sizeof JOBS];
    snprintf(second, sizeof second, "%s", JOBS + 1);
    for (char *p = second; (p = strstr(p, "\"id\":\"")) != NULL; p += 6)
        p[6] = 'f';
    snprintf(jobs, sizeof jobs, "%.*s,%s", (int)(sizeof JOBS - 2), JOBS, second);
    for (size_t p = 0; p < 3; p++) {
        char settings[64];
        snprintf(settings, sizeof settings, "\"profile\":\"%s\",\"size\":16384", profiles[p]);
        size_t size;
        uint8_t *bytes = build_state(settings, jobs, &size);
        if (!bytes)
            continue;
        bp_result *whole = result_new();
        legacy_state_info info;
        CHECK_U64(legacy_state_file_read(bytes, size, "q", whole, &info), BP_STATUS_CLEAN);
        CHECK_U64(bp_result_count(whole), 8);
        size_t bad = 0;
        for (size_t cut = 0; cut < size; cut += 512) {
            uint8_t *copy = malloc(cut ? cut : 1);
            memcpy(copy, bytes, cut);
            bp_result *result = NULL;
            int status = bp_parse_memory(copy, cut, "q", &result);
            bool ok = legacy_result_sane(result);
            ok = ok && (cut < 64          ? status == BP_STATUS_UNREADABLE
                        : cut < info.end ? status == BP_STATUS_WARNINGS
                                         : status == BP_STATUS_CLEAN);  /* only padding was cut */
            /* every record is one of the undamaged ones; complete jobs equal them */
            for (size_t i = 0; ok && i < bp_result_count(result); i++) {
                const bp_record *r = bp_result_record(result, i);
                bool found = false;
                for (size_t k = 0; k < bp_result_count(whole) && !found; k++) {
                    const bp_record *w = bp_result_record(whole, k);
                    if (strcmp(w->job->job_id, r->job->job_id) != 0)
                        continue;
                    found = true;
                    if (r->job->complete)
                        ok = r->job_source.offset == w->job_source.offset &&
                             r->job->created == w->job->created && strcmp(r->job->name, w->job->name) == 0;
                }
                ok = ok && found;
            }
            /* every job whose record ends before the cut is there, whole */
            for (size_t k = 0; ok && k < bp_result_count(whole); k++) {
                const bp_record *w = bp_result_record(whole, k);
                if (w->job_source.offset + w->job_source.blob_size > cut)
                    continue;
                bool found = false;
                for (size_t i = 0; i < bp_result_count(result) && !found; i++)
                    found = bp_result_record(result, i)->job->complete &&
                            strcmp(bp_result_record(result, i)->job->job_id, w->job->job_id) == 0;
                ok = found;
            }
            if (!ok && bad++ < 5)
                fprintf(stderr, "%s cut at %zu: wrong result (status %d, %zu records)\n", profiles[p], cut,
                        status, bp_result_count(result));
            bp_result_free(result);
            free(copy);
        }
        CHECK_U64(bad, 0);
        bp_result_free(whole);
        free(bytes);
    }
}

/* ---- generations ------------------------------------------------------------------------------------ */

static const char *generation_of(const bp_result *result, const char *path)
{
    for (size_t i = 0; i < bp_result_count(result); i++)
        if (strcmp(bp_result_record(result, i)->job_source.path, path) == 0)
            return bp_result_record(result, i)->job_source.generation;
    return "(no record)";
}

static void parse_state(bp_result **result, const char *label, const char *jobs)
{
    size_t size;
    uint8_t *bytes = build_state("\"profile\":\"win10early\"", jobs, &size);
    if (bytes)
        bp_parse_memory(bytes, size, label, result);
    free(bytes);
}

static const char *decided_by(const bp_result *result)
{
    const legacy_state_list *files = legacy_generation_files(result);
    return files && files->head ? files->head->decided_by : "";
}

static void test_generations(void)
{
    const char *older = "[{\"id\":\"11111111-1111-1111-1111-111111111111\",\"modified\":\"2017-07-01T00:00:00Z\"},"
                        "{\"id\":\"33333333-1111-1111-1111-111111111111\",\"modified\":\"2017-07-01T00:00:00Z\"}]";
    const char *newer = "[{\"id\":\"11111111-1111-1111-1111-111111111111\",\"modified\":\"2017-07-02T00:00:00Z\"},"
                        "{\"id\":\"22222222-1111-1111-1111-111111111111\",\"modified\":\"2017-06-01T00:00:00Z\"}]";
    /* rule 1, either order */
    for (int order = 0; order < 2; order++) {
        bp_result *r = NULL;
        parse_state(&r, "/e/qmgr0.dat", order ? newer : older);
        CHECK_STR(generation_of(r, "/e/qmgr0.dat"), "");  /* alone: no generation */
        parse_state(&r, "/e/qmgr1.dat", order ? older : newer);
        CHECK_STR(generation_of(r, "/e/qmgr0.dat"), order ? "current" : "previous");
        CHECK_STR(generation_of(r, "/e/qmgr1.dat"), order ? "previous" : "current");
        CHECK_STR(decided_by(r), "job-times");
        /* mtimes that disagree do not override the content */
        legacy_generation_set_mtime(r, "/e/qmgr0.dat", order ? 100 : 200, 0);
        legacy_generation_set_mtime(r, "/e/qmgr1.dat", order ? 200 : 100, 0);
        CHECK_STR(generation_of(r, "/e/qmgr0.dat"), order ? "current" : "previous");
        for (size_t i = 0; i < bp_result_count(r); i++)
            CHECK_U64(bp_result_record(r, i)->warnings.count, 0);  /* a label, not a warning */
        bp_result_free(r);
    }
    /* rule 2: no common job, modification times */
    const char *a = "[{\"id\":\"aaaaaaaa-1111-1111-1111-111111111111\",\"modified\":\"2017-07-05T00:00:00Z\"}]";
    const char *b = "[{\"id\":\"bbbbbbbb-1111-1111-1111-111111111111\",\"modified\":\"2017-07-01T00:00:00Z\"}]";
    bp_result *r = NULL;
    parse_state(&r, "/e/qmgr0.dat", a);
    parse_state(&r, "/e/qmgr1.dat", b);
    /* rule 3 meanwhile (no mtimes): the latest time */
    CHECK_STR(generation_of(r, "/e/qmgr0.dat"), "current");
    CHECK_STR(decided_by(r), "latest-time");
    legacy_generation_set_mtime(r, "/e/qmgr0.dat", 100, 5);
    legacy_generation_set_mtime(r, "/e/qmgr1.dat", 100, 6);
    CHECK_STR(generation_of(r, "/e/qmgr0.dat"), "previous");
    CHECK_STR(generation_of(r, "/e/qmgr1.dat"), "current");
    CHECK_STR(decided_by(r), "mtime");
    bp_result_free(r);
    /* nothing decides: an empty file against one whose jobs it cannot be compared with */
    r = NULL;
    parse_state(&r, "/e/qmgr0.dat", "[]");
    parse_state(&r, "/e/qmgr1.dat", b);
    CHECK_STR(generation_of(r, "/e/qmgr1.dat"), "unknown");
    legacy_generation_set_mtime(r, "/e/qmgr0.dat", 300, 0);
    legacy_generation_set_mtime(r, "/e/qmgr1.dat", 200, 0);
    CHECK_STR(generation_of(r, "/e/qmgr1.dat"), "previous");  /* the empty file is newer: jobs removed */
    bp_result_free(r);
    /* more than two state files: paired by name only */
    r = NULL;
    parse_state(&r, "/e/host1_qmgr0.dat", older);
    parse_state(&r, "/e/host2_QMGR1.dat", a);
    parse_state(&r, "/e/host1_qmgr1.dat", newer);
    CHECK_STR(generation_of(r, "/e/host1_qmgr0.dat"), "previous");
    CHECK_STR(generation_of(r, "/e/host1_qmgr1.dat"), "current");
    CHECK_STR(generation_of(r, "/e/host2_QMGR1.dat"), "");
    bp_result_free(r);
    /* bare records are never part of a pair */
    r = NULL;
    parse_state(&r, "/e/qmgr0.dat", a);
    size_t size;
    uint8_t *record = legacy_build("{\"kind\":\"job_record\",\"jobs\":[{}]}", &size);
    if (record)
        bp_parse_memory(record, size, "/e/qmgr1.dat", &r);
    free(record);
    CHECK_STR(generation_of(r, "/e/qmgr0.dat"), "");
    CHECK_STR(generation_of(r, "/e/qmgr1.dat"), "");
    bp_result_free(r);
}

/* ---- recognition by content ------------------------------------------------------------------------- */

static void test_sniffing(void)
{
    size_t size;
    uint8_t *bytes = build_state("", "[{\"name\":\"x\"}]", &size);
    if (!bytes)
        return;
    CHECK(legacy_is_state_file(bytes, size));
    CHECK(legacy_is_state_file(bytes, 40));  /* version and FILE_HEADER, QUEUE_HEADER cut off */
    bytes[0x10] ^= 1;  /* FILE_HEADER damaged: version and QUEUE_HEADER still say it */
    CHECK(legacy_is_state_file(bytes, size));
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(bytes, size, "x", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    CHECK(legacy_find_note(bp_result_warnings(result), "FILE_HEADER damaged or missing"));
    bp_result_free(result);
    bytes[0x3] ^= 1;  /* and the version: two of three GUIDs gone, not a state file any more */
    CHECK(!legacy_is_state_file(bytes, size));
    result = NULL;
    CHECK_U64(bp_parse_memory(bytes, size, "x", &result), BP_STATUS_UNREADABLE);
    CHECK_U64(bp_result_count(result), 0);
    bp_result_free(result);
    free(bytes);
}

/* ---- the real empty Windows 10 state file ------------------------------------------------------------ */

static void test_real_empty(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(EMPTY_WIN10), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    CHECK_U64(size, 16384);
    bp_result *result = result_new();
    legacy_state_info info;
    CHECK_U64(legacy_state_file_read(data, size, "qmgr0.dat", result, &info), BP_STATUS_CLEAN);
    CHECK_U64(info.version, LEGACY_VERSION_WIN10);
    CHECK_U64(info.header_offset, 0x18);
    CHECK_U64(info.job_count[0], 0);
    CHECK_U64(info.job_count[1], 0);
    CHECK(info.trailer_found);
    CHECK(info.crc_expected && info.crc_present);
    CHECK_U64(info.crc_stored, 0x4FD04D6Bu);
    CHECK_U64(info.crc_computed, 0x4FD04D6Bu);
    CHECK_U64(info.end, 0x94);
    CHECK_U64(info.stale_bytes, 0);
    CHECK_U64(bp_result_count(result), 0);
    CHECK_U64(result->warnings.count, 0);
    legacy_print_notes("warning", &result->warnings);
    bp_result_free(result);

    result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "qmgr0.dat", &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 0);
    bp_result_free(result);

    /* every truncation: never a crash, never a record, never "clean" once the CRC is cut */
    size_t bad = 0;
    for (size_t n = 0; n < 0x100; n++) {
        result = NULL;
        int status = bp_parse_memory(data, n, "qmgr0.dat", &result);
        bool ok = bp_result_count(result) == 0 && (n >= 0x94 ? status == BP_STATUS_CLEAN : status != BP_STATUS_CLEAN);
        if (!ok && bad++ < 5)
            fprintf(stderr, "empty file cut at %zu: status %d\n", n, status);
        bp_result_free(result);
    }
    CHECK_U64(bad, 0);
    /* a flipped bit in the covered range: the CRC says so */
    data[0x3A] ^= 0x40;
    result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "qmgr0.dat", &result), BP_STATUS_WARNINGS);
    CHECK(legacy_find_note(bp_result_warnings(result), "CRC-32 mismatch"));
    bp_result_free(result);
    free(data);
}

int main(void)
{
    test_variants();
    test_profiles();
    test_framing_problems();
    test_damaged_record();
    test_truncations();
    test_corruptions();
    test_generations();
    test_sniffing();
    if (check_failures)  /* the real file below may skip (exit 77): never hide a failure */
        return check_exit();
    test_real_empty();
    return check_exit();
}
