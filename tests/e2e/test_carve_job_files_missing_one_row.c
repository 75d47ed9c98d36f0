/* Carved rows (issue 18 part 4): a carved job listing N files of which none
 * was found used to give N identical rows with an empty file_id. It is now one
 * row, its listed_file_ids holding the N ids in stored order and one warning
 * per missing id; the listed files that were found keep a row each, and those
 * not found share one row.
 * A generated qmgr.db: a live job, a deleted job listing three files whose
 * blobs and Files records are wiped, and a deleted job listing two files of
 * which only the second is wiped. Then the real win10 qmgr.db, whose job
 * 3a817b5d… lists three files none of which survives. */
#include "carve_gone_fixture.h"

#define WIN10 "testdata/ese/win10-19045.qmgr.db"

#define GONE_JOB "6c0d7a52-31e4-4f0b-9a57-2d1e8b4f6a01"
#define HALF_JOB "6c0d7a52-31e4-4f0b-9a57-2d1e8b4f6a02"
#define F1 "a1b2c3d4-0001-4e5f-8a9b-0c1d2e3f4a01"
#define F2 "a1b2c3d4-0002-4e5f-8a9b-0c1d2e3f4a02"
#define F3 "a1b2c3d4-0003-4e5f-8a9b-0c1d2e3f4a03"
#define H1 "a1b2c3d4-0004-4e5f-8a9b-0c1d2e3f4a04"
#define H2 "a1b2c3d4-0005-4e5f-8a9b-0c1d2e3f4a05"

static const char description[] =
    "{\"jobs\": ["
    " {\"id\": \"0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b\", \"owner_sid\": \"S-1-5-18\","
    "  \"created\": \"2024-03-14T08:41:17.5581203Z\", \"name\": \"live\","
    "  \"files\": [{\"id\": \"b0b1b2b3-0000-4e5f-8a9b-0c1d2e3f4a00\", \"local_path\": \"C:\\\\live.bin\","
    "              \"remote_url\": \"https://example.org/live.bin\"}]},"
    " {\"id\": \"" GONE_JOB "\", \"owner_sid\": \"S-1-5-18\", \"created\": \"2024-03-15T09:00:00Z\","
    "  \"name\": \"three files gone\", \"deleted\": true, \"files\": ["
    "  {\"id\": \"" F1 "\", \"local_path\": \"C:\\\\one.bin\", \"remote_url\": \"https://example.org/one.bin\"},"
    "  {\"id\": \"" F2 "\", \"local_path\": \"C:\\\\two.bin\", \"remote_url\": \"https://example.org/two.bin\"},"
    "  {\"id\": \"" F3 "\", \"local_path\": \"C:\\\\three.bin\", \"remote_url\": \"https://example.org/three.bin\"}]},"
    " {\"id\": \"" HALF_JOB "\", \"owner_sid\": \"S-1-5-18\", \"created\": \"2024-03-16T09:00:00Z\","
    "  \"name\": \"one of two gone\", \"deleted\": true, \"files\": ["
    "  {\"id\": \"" H1 "\", \"local_path\": \"C:\\\\kept.bin\", \"remote_url\": \"https://example.org/kept.bin\"},"
    "  {\"id\": \"" H2 "\", \"local_path\": \"C:\\\\lost.bin\", \"remote_url\": \"https://example.org/lost.bin\"}]}"
    "]}";

static void check_listed(const bp_record *r, const char *const *ids, size_t count)
{
    CHECK_U64(r->job->file_count, count);
    for (size_t i = 0; i < count && i < r->job->file_count; i++)
        CHECK_STR(r->job->file_ids[i], ids[i]);
}

static void generated(void)
{
    mk_description d;
    mk_buffer image = {NULL, 0, 0};
    CHECK(fixture_build(description, &d, &image));
    if (!image.data)
        return;
    static const char *const gone[] = {F1, F2, F3, H2};
    for (size_t i = 0; i < 4; i++) {
        const mk_file *file = fixture_file(&d, gone[i]);
        CHECK(file != NULL);
        if (!file)
            continue;
        CHECK(fixture_wipe_file_blob(&image, file) >= 1);
        CHECK(fixture_wipe_file_record(&image, file));
    }
    int status;
    bp_result *result = fixture_carve(&image, &status);
    CHECK_U64(status, BP_STATUS_WARNINGS);

    const bp_record *rows[8];
    size_t count = fixture_job_rows(result, GONE_JOB, rows, 8);
    CHECK_U64(count, 1);  /* was 3 identical rows */
    if (count == 1) {
        const bp_record *r = rows[0];
        static const char *const listed[] = {F1, F2, F3};
        CHECK(r->file == NULL);
        CHECK_STR(r->job->name, "three files gone");
        CHECK_STR(r->recovered_from, "deleted-flag");
        check_listed(r, listed, 3);
        CHECK_U64(r->warnings.count, 3);
        CHECK(fixture_has_warning(&r->warnings, "file " F1 " is listed by the job but was not found"));
        CHECK(fixture_has_warning(&r->warnings, "file " F2 " is listed by the job but was not found"));
        CHECK(fixture_has_warning(&r->warnings, "file " F3 " is listed by the job but was not found"));
    }

    count = fixture_job_rows(result, HALF_JOB, rows, 8);
    CHECK_U64(count, 2);  /* the file found, then one row for the file that is not */
    if (count == 2) {
        static const char *const listed[] = {H1, H2};
        CHECK(rows[0]->file != NULL);
        CHECK_STR(rows[0]->file ? rows[0]->file->file_id : "", H1);
        CHECK_STR(rows[0]->file ? rows[0]->file->remote_url : "", "https://example.org/kept.bin");
        CHECK_U64(rows[0]->warnings.count, 0);
        CHECK(rows[1]->file == NULL);
        CHECK_U64(rows[1]->warnings.count, 1);
        CHECK(fixture_has_warning(&rows[1]->warnings, "file " H2 " is listed by the job but was not found"));
        check_listed(rows[0], listed, 2);
        check_listed(rows[1], listed, 2);
    }
    /* no carved row of the wiped files anywhere */
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t k = 0; k < 4 && r->file; k++)
            CHECK(strcmp(r->file->file_id, gone[k]) != 0);
    }
    bp_result_free(result);
    mk_buffer_free(&image);
    mk_description_free(&d);
}

/* The real sample: every version of job 3a817b5d… is one row. */
static void real_win10(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(WIN10), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    mk_buffer image = {data, size, size};
    int status;
    bp_result *result = fixture_carve(&image, &status);
    static const char *const listed[] = {"9f1208f1-921e-42fb-94b6-d4e69ebfb781", "2c21e88f-d38c-424f-b8d8-16d222f0b9fa",
                                         "b92a73ef-8fea-4e3b-8d39-58c5109137c5"};
    static const size_t listed_count[6] = {3, 3, 3, 3, 2, 1};
    static const char *const modified[6] = {"2020-07-03T01:58:32.5496372Z", "2020-07-03T01:58:30.5820665Z",
                                            "2020-07-03T01:58:30.5616140Z", "2020-07-03T01:58:30.5592000Z",
                                            "2020-07-03T01:58:30.5531614Z", "2020-07-03T01:58:30.5499821Z"};
    const bp_record *rows[32];
    size_t count = fixture_job_rows(result, "3a817b5d-6a87-4d0c-b41e-7f7c6a9fae64", rows, 32);
    CHECK_U64(count, 6);  /* six versions, one row each (was 15 rows) */
    for (size_t i = 0; i < count && i < 6; i++) {
        char when[32];
        bp_format_filetime(rows[i]->job->modified, when);
        CHECK_STR(when, modified[i]);
        CHECK(rows[i]->file == NULL);
        CHECK_STR(rows[i]->recovered_from, "orphan-lv");
        check_listed(rows[i], listed, listed_count[i]);
        CHECK_U64(rows[i]->warnings.count, listed_count[i]);
        char text[96];
        snprintf(text, sizeof text, "file %s is listed by the job but was not found", listed[listed_count[i] - 1]);
        CHECK(fixture_has_warning(&rows[i]->warnings, text));
    }
    bp_result_free(result);
    free(data);
}

int main(void)
{
    generated();
    if (check_failures)  /* report the generated case even without the shared data */
        return check_exit();
    real_win10();
    return check_exit();
}
