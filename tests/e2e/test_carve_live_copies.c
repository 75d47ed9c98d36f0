/* Copies of live blobs are not carved (issue 21, carving round 2): the carve
 * session no longer decodes or indexes live blobs the way it indexes carved
 * ones (a live blob is hashed into the session's byte map, util/string_map.c,
 * and decoded only when a cut copy needs its job id or URL). The same rows
 * must come out: exact copies of a live blob are dropped, in the same input
 * and in another input of the same run, and so is a cut copy of one, while a
 * cut copy of a blob that is not live stays a carved row. Real ids and the
 * split between live and carved rows on the fixture and the shared samples. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "check.h"

#define LIVE_JOB "266504ac-d974-446c-96ad-2be13a5665b0"  /* win10 sample: the one live job */

static bp_result *carve(const char *path)
{
    bp_result *result = NULL;
    bp_parse_options options = {.carve = true};
    bp_parse_path_ex(path, &options, &result);
    return result;
}

static size_t carved_rows(const bp_result *result)
{
    size_t count = 0;
    for (size_t i = 0; i < bp_result_count(result); i++)
        count += bp_result_record(result, i)->carved;
    return count;
}

/* Rows carrying job id `id`, and of those the carved ones. */
static size_t rows_of_job(const bp_result *result, const char *id, size_t *carved)
{
    size_t count = 0;
    *carved = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job && strcmp(r->job->job_id, id) == 0) {
            count++;
            *carved += r->carved;
        }
    }
    return count;
}

static const char *job_id_of(const bp_result *result, size_t i)
{
    const bp_record *r = bp_result_record(result, i);
    return r->job ? r->job->job_id : "";
}

static const char *file_id_of(const bp_result *result, size_t i)
{
    const bp_record *r = bp_result_record(result, i);
    return r->file ? r->file->file_id : "";
}

/* testdata/deleted-jobs.qmgr.db: two live jobs, two deleted ones whose
 * records and long values stay (three carved rows: one job has two files). */
static void test_deleted_jobs_fixture(void)
{
    bp_result *result = carve(BP_SOURCE_DIR "/testdata/deleted-jobs.qmgr.db");
    CHECK(result != NULL);
    if (!result)
        return;
    CHECK_U64(bp_result_count(result), 5);
    CHECK_U64(carved_rows(result), 3);
    CHECK(!bp_result_record(result, 0)->carved);
    CHECK(!bp_result_record(result, 1)->carved);
    size_t carved;
    CHECK_U64(rows_of_job(result, "a0f3c8e5-62d1-4b97-9e4c-18b7d2f05a63", &carved), 1);
    CHECK_U64(carved, 0);
    CHECK_U64(rows_of_job(result, "f9c04b6e-27d8-4a13-8c5f-d6e1a03b7294", &carved), 1);
    CHECK_U64(carved, 0);
    CHECK_U64(rows_of_job(result, "4e1a9d72-b36c-4f05-8a29-07c5e3d1b8f4", &carved), 2);
    CHECK_U64(carved, 2);
    CHECK_U64(rows_of_job(result, "d7b25e08-4c6a-43f1-b09d-e3a61f8c2457", &carved), 1);
    CHECK_U64(carved, 1);
    for (size_t i = 2; i < bp_result_count(result); i++) {
        CHECK(bp_result_record(result, i)->carved);
        CHECK_STR(bp_result_record(result, i)->recovered_from, "deleted-flag");
    }
    /* one deleted job met twice, by its record naming the long value (decoded
     * and checked then) and by the long value itself (the same bytes: one more
     * place, not decoded again), and its file's long value */
    const bp_record *r = bp_result_record(result, 4);
    CHECK_STR(job_id_of(result, 4), "d7b25e08-4c6a-43f1-b09d-e3a61f8c2457");
    CHECK_STR(file_id_of(result, 4), "e86c0f31-9a2b-4e75-8d14-5f7b30c9a6e2");
    CHECK_U64(r->copies, 1);
    CHECK_U64(r->job->blob_size, 1967);
    CHECK_U64(r->location_count, 3);
    if (r->location_count == 3) {
        static const struct {
            const char *item, *table;
            uint32_t page, tag, size;
            uint64_t offset;
        } want[3] = {
            {"job", "Jobs", 7, 4, 0, 131327},
            {"job", "Jobs LV", 13, 3, 1967, 231399},
            {"file", "Files LV", 20, 3, 504, 344956},
        };
        for (size_t i = 0; i < 3; i++) {
            const bp_location *l = &r->locations[i];
            CHECK_STR(l->item, want[i].item);
            CHECK_STR(l->how, "deleted-flag");
            CHECK_STR(l->table, want[i].table);
            CHECK_U64(l->page, want[i].page);
            CHECK_U64(l->tag, want[i].tag);
            CHECK_U64(l->size, want[i].size);
            CHECK_U64(l->offset, want[i].offset);
            CHECK_U64(l->long_value_id, 0x8000000080000002ull);
        }
    }
    bp_result_free(result);
}

/* win10: the live job's blob has identical copies in emptied pages; only the
 * live row carries its id. win11: four live jobs, 29 carved rows, none of
 * them a copy of a live job. */
static void test_shared_samples(void)
{
    bp_result *win10 = carve(shared_path("testdata/ese/win10-19045.qmgr.db"));
    CHECK_U64(bp_result_count(win10), 180);
    CHECK_U64(carved_rows(win10), 179);
    CHECK_STR(job_id_of(win10, 0), LIVE_JOB);
    size_t carved;
    CHECK_U64(rows_of_job(win10, LIVE_JOB, &carved), 1);
    CHECK_U64(carved, 0);
    bp_result_free(win10);

    bp_result *win11 = carve(shared_path("testdata/ese/win11-22000.qmgr.db"));
    static const char *const live[4][2] = {
        {"364e3f0d-0423-459b-919d-ac6ea17b4101", "32f69bc1-d982-4450-bc6d-e037ce4e33ad"},
        {"5c26fc39-0647-43cf-bd6b-2ca3125c7fb3", "9d39dd16-9979-4b37-a5aa-359b775f2f8a"},
        {"8e4f897b-f5b3-433e-8864-87c44edaf7d0", "5b9e2388-b304-4a81-88e0-d961a37923fb"},
        {"c54f0fa1-7435-4369-94ca-d57cf8e63e80", "843c7694-516a-4719-826b-0ed3356cd41f"},
    };
    CHECK_U64(bp_result_count(win11), 33);
    CHECK_U64(carved_rows(win11), 29);
    for (size_t k = 0; k < 4; k++) {
        CHECK_U64(rows_of_job(win11, live[k][0], &carved), 1);
        CHECK_U64(carved, 0);
        bool listed = false;
        for (size_t i = 0; i < 4; i++)
            listed |= strcmp(job_id_of(win11, i), live[k][0]) == 0 && strcmp(file_id_of(win11, i), live[k][1]) == 0;
        CHECK(listed);
    }
    bp_result_free(win11);
}

/* `bytes` between two runs of zeros, as a log's free space would hold them. */
static void write_file(const char *dir, const char *name, const unsigned char *bytes, size_t size)
{
    static const unsigned char zeros[4096];
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(zeros, 1, sizeof zeros, f) == sizeof zeros);
    CHECK(fwrite(bytes, 1, size, f) == size);
    CHECK(fwrite(zeros, 1, sizeof zeros, f) == sizeof zeros);
    fclose(f);
}

static void remove_folder(const char *dir)
{
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

/* One folder: a job blob (read live) and an ESE log holding `copy_size` bytes
 * of it (searched with --carve). Returns the rows. */
static bp_result *blob_and_log(const unsigned char *blob, size_t size, size_t copy_size, bool with_live)
{
    char dir[] = "/tmp/bitsparse-live-copies-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    if (with_live) {
        char path[1200];
        snprintf(path, sizeof path, "%s/queue.job.blob", dir);
        FILE *f = fopen(path, "wb");
        CHECK(f && fwrite(blob, 1, size, f) == size);
        if (f)
            fclose(f);
    }
    write_file(dir, "edb.log", blob, copy_size);
    bp_result *result = carve(dir);
    remove_folder(dir);
    return result;
}

/* Across inputs of one run: a whole copy and a cut copy of the live blob in a
 * log are dropped (the cut one by the merge of cut copies, which now decodes
 * the live blob only then); without the live blob the cut copy is a carved
 * row of its own, cut short after 390 bytes (the job's strings). */
static void test_copies_in_another_input(void)
{
    size_t size = 0;
    unsigned char *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
    CHECK(blob != NULL && size == 2055);
    if (!blob || size != 2055) {
        free(blob);
        return;
    }
    size_t carved;
    bp_result *whole = blob_and_log(blob, size, size, true);
    CHECK_U64(bp_result_count(whole), 1);
    CHECK_U64(rows_of_job(whole, LIVE_JOB, &carved), 1);
    CHECK_U64(carved, 0);
    bp_result_free(whole);

    bp_result *cut = blob_and_log(blob, size, 1200, true);
    CHECK_U64(bp_result_count(cut), 1);
    CHECK_U64(rows_of_job(cut, LIVE_JOB, &carved), 1);
    CHECK_U64(carved, 0);
    bp_result_free(cut);

    bp_result *alone = blob_and_log(blob, size, 1200, false);
    CHECK_U64(bp_result_count(alone), 1);
    CHECK_U64(rows_of_job(alone, LIVE_JOB, &carved), 1);
    CHECK_U64(carved, 1);
    const bp_record *r = bp_result_record(alone, 0);
    CHECK_STR(r->recovered_from, "log");
    bool cut_short = false;
    for (const bp_note *n = r->job->warnings.head; n; n = n->next)
        cut_short |= strstr(n->text, "carved copy is cut short after 390 bytes; missing: security descriptor") != NULL;
    CHECK(cut_short);
    bp_result_free(alone);
    free(blob);
}

int main(void)
{
    test_deleted_jobs_fixture();
    test_shared_samples();
    test_copies_in_another_input();
    return check_exit();
}
