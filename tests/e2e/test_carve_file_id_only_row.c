/* Carved rows (issue 18 part 4): a Files record whose blob is gone, so that
 * only its id survives, now gets a row as a Jobs record whose blob is gone
 * does: the file id, empty file fields, where the record is, a warning, and
 * the job that lists the id when one was found (else an orphan row after the
 * job-id-only rows).
 * A generated qmgr.db: a deleted job listing one file whose blob is wiped
 * from the long-value tree while its (deleted) Files record stays. Then the
 * real win11 qmgr.db: carved job 90156032… lists file 6fad07d2…, which only a
 * stale Files record on page 32 still names, and 15f6f041… is named by a
 * stale Files record that no job found lists. */
#include "carve_gone_fixture.h"

#define WIN11 "testdata/ese/win11-22000.qmgr.db"

#define JOB "7d1e8b4f-6a01-4c2d-9e3f-5a6b7c8d9e01"
#define FILE_ID "c3d4e5f6-0001-4a7b-8c9d-0e1f2a3b4c01"

static const char description[] =
    "{\"jobs\": ["
    " {\"id\": \"0f9e8d7c-6b5a-4493-8271-605f4e3d2c1b\", \"owner_sid\": \"S-1-5-18\","
    "  \"created\": \"2024-03-14T08:41:17.5581203Z\", \"name\": \"live\","
    "  \"files\": [{\"id\": \"b0b1b2b3-0000-4e5f-8a9b-0c1d2e3f4a00\", \"local_path\": \"C:\\\\live.bin\","
    "              \"remote_url\": \"https://example.org/live.bin\"}]},"
    " {\"id\": \"" JOB "\", \"owner_sid\": \"S-1-5-18\", \"created\": \"2024-03-15T09:00:00Z\","
    "  \"name\": \"blob gone\", \"deleted\": true, \"files\": ["
    "  {\"id\": \"" FILE_ID "\", \"local_path\": \"C:\\\\gone.bin\", \"remote_url\": \"https://example.org/gone.bin\"}]}"
    "]}";

static bool has_location(const bp_record *r, const char *item, const char *how, uint32_t page, const char *table)
{
    for (size_t i = 0; i < r->location_count; i++) {
        const bp_location *l = &r->locations[i];
        if (strcmp(l->item, item) == 0 && strcmp(l->how, how) == 0 && (!page || l->page == page) &&
            strcmp(l->table, table) == 0)
            return true;
    }
    return false;
}

static void generated(void)
{
    mk_description d;
    mk_buffer image = {NULL, 0, 0};
    CHECK(fixture_build(description, &d, &image));
    if (!image.data)
        return;
    const mk_file *file = fixture_file(&d, FILE_ID);
    CHECK(file != NULL);
    if (file)
        CHECK(fixture_wipe_file_blob(&image, file) >= 1);  /* the Files record stays */
    int status;
    bp_result *result = fixture_carve(&image, &status);
    CHECK_U64(status, BP_STATUS_WARNINGS);
    const bp_record *rows[4];
    size_t count = fixture_job_rows(result, JOB, rows, 4);
    CHECK_U64(count, 1);
    if (count == 1) {
        const bp_record *r = rows[0];
        CHECK_STR(r->job->name, "blob gone");
        CHECK(r->file != NULL);
        CHECK_STR(r->file ? r->file->file_id : "", FILE_ID);
        CHECK_STR(r->file ? r->file->remote_url : "x", "");
        CHECK_STR(r->file ? r->file->local_path : "x", "");
        CHECK_U64(r->file_source.blob_size, 0);
        CHECK_STR(r->file_source.table, "Files");
        CHECK(r->file_source.long_value_id != 0);
        CHECK(has_location(r, "job", "deleted-flag", 0, "Jobs"));
        CHECK(has_location(r, "file", "deleted-flag", 0, "Files"));
        CHECK_U64(r->warnings.count, 1);
        char text[200];
        snprintf(text, sizeof text,
                 "only the file id is known: a stale Files record names it, but no file blob found carries it "
                 "(long value 0x%llx holds another file or nothing)",
                 (unsigned long long)r->file_source.long_value_id);
        CHECK(fixture_has_warning(&r->warnings, text));
    }
    /* the id has no row of its own besides its job's */
    size_t with_id = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        with_id += r->file && strcmp(r->file->file_id, FILE_ID) == 0;
    }
    CHECK_U64(with_id, 1);
    bp_result_free(result);
    mk_buffer_free(&image);
    mk_description_free(&d);
}

static void real_win11(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(WIN11), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    mk_buffer image = {data, size, size};
    int status;
    bp_result *result = fixture_carve(&image, &status);
    const bp_record *rows[8];
    size_t count = fixture_job_rows(result, "90156032-17bb-485e-aaeb-80f1ebaff120", rows, 8);
    CHECK_U64(count, 2);  /* two versions of the job, each linked to the id */
    for (size_t i = 0; i < count && i < 8; i++) {
        const bp_record *r = rows[i];
        CHECK_STR(r->recovered_from, "stale-tag");
        CHECK_STR(r->file ? r->file->file_id : "", "6fad07d2-312f-41d0-afbe-fe16e83b00ae");
        CHECK_STR(r->file ? r->file->remote_url : "x", "");
        CHECK_U64(r->file_source.page, 32);
        CHECK_U64(r->file_source.tag, 6);
        CHECK_U64(r->file_source.offset, 542498);
        CHECK_U64(r->file_source.long_value_id, 0x800000008000000bull);
        CHECK(has_location(r, "file", "stale-record", 32, "Files"));
        CHECK(fixture_has_warning(&r->warnings,
                                  "only the file id is known: a stale Files record names it, but no file blob found "
                                  "carries it (long value 0x800000008000000b holds another file or nothing)"));
    }
    /* an id no job found lists: an orphan row, after the job-id-only rows */
    size_t orphan = SIZE_MAX, last_job_id_only = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->carved && r->job && r->job->blob_size == 0)
            last_job_id_only = i;
        if (!r->job && r->file && strcmp(r->file->file_id, "15f6f041-9974-4b0e-8aea-a99655a2ac9c") == 0)
            orphan = i;
    }
    CHECK(orphan != SIZE_MAX);
    if (orphan != SIZE_MAX) {
        const bp_record *r = bp_result_record(result, orphan);
        CHECK(orphan > last_job_id_only);
        CHECK_STR(r->recovered_from, "stale-record");
        CHECK_U64(r->file_source.offset, 540880);
        CHECK_U64(r->file_source.long_value_id, 0x800000008000000cull);
        CHECK(fixture_has_warning(&r->warnings, "orphan file: no job found lists this file"));
    }
    bp_result_free(result);
    free(data);
}

int main(void)
{
    generated();
    if (check_failures)  /* report the generated case even without the shared data */
        return check_exit();
    real_win11();
    return check_exit();
}
