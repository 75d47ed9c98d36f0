/* Carving the real qmgr.db samples (bp_parse_path_ex with carve): known
 * answers from ../shared/testdata/EXPECTED.md ("Deleted data") and
 * ../shared/docs/bits-format.md §7.4 and §8.4, and the invariants of carved
 * output: live records first and unchanged, no garbage rows, provenance on
 * every carved row, versions of one job newest first. */
#include <stdio.h>

#include "bitsparse/bitsparse.h"
#include "random_stream.h"
#include "carve/validate.h"
#include "ese/database.h"
#include "ese/page.h"
#include "check.h"

static const char *WIN10 = "testdata/ese/win10-19045.qmgr.db";
static const char *WIN11 = "testdata/ese/win11-22000.qmgr.db";

/* The output of records [first, first + count) as JSON Lines, for comparing
 * live records with and without carving. */
static char *jsonl_of(const bp_result *result, size_t count)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    bp_write(out, result, BP_FORMAT_JSONL);
    fclose(out);
    /* keep the first `count` lines */
    char *p = text;
    for (size_t i = 0; p && i < count; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (p)
        *p = '\0';
    return text;
}

static bp_result *parse(const char *relative, bool carve, int *status)
{
    bp_result *result = NULL;
    bp_parse_options options = {.carve = carve};
    *status = bp_parse_path_ex(shared_path(relative), &options, &result);
    return result;
}

static bool has_location(const bp_record *r, const char *item, const char *how, uint32_t page, uint32_t tag,
                         uint64_t lid)
{
    for (size_t i = 0; i < r->location_count; i++) {
        const bp_location *l = &r->locations[i];
        if (strcmp(l->item, item) == 0 && strcmp(l->how, how) == 0 && l->page == page && l->tag == tag &&
            l->long_value_id == lid)
            return true;
    }
    return false;
}

/* The carved record of one job version, found by its id and modification time. */
static const bp_record *find_version(const bp_result *result, const char *job_id, uint64_t modified)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->carved && r->job && strcmp(r->job->job_id, job_id) == 0 && r->job->modified == modified)
            return r;
    }
    return NULL;
}

static bool has_job(const bp_result *result, const char *job_id, bool with_blob)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job && strcmp(r->job->job_id, job_id) == 0 && (!with_blob || r->job->blob_size > 0))
            return true;
    }
    return false;
}

/* Invariants every carved output must keep. */
static void check_invariants(const bp_result *result, size_t live)
{
    const bp_record *previous = NULL;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        CHECK(r->carved == (i >= live));
        if (!r->carved) {  /* live records are the plain run's business (damaged ones may lack ids) */
            CHECK(r->recovered_from == NULL);
            CHECK_U64(r->location_count, 0);
            continue;
        }
        bool valid_id = r->job && carve_guid_text_ok(r->job->job_id);
        bool url = r->file && r->file->remote_url[0];
        bool file_id = r->file && carve_guid_text_ok(r->file->file_id);  /* a stale Files record's id alone */
        CHECK(valid_id || url || file_id);          /* no row without a job id, a URL and a file id */
        if (r->job && r->job->blob_size) {
            CHECK(carve_guid_text_ok(r->job->job_id));
            CHECK(r->job->job_type <= 2);           /* no JobType 8196 */
            CHECK(r->job->state <= 8);
            CHECK(r->job->priority <= 3);
            CHECK(carve_filetime_ok(r->job->created)); /* no 1601 dates */
            CHECK(carve_filetime_ok(r->job->modified));
            CHECK(carve_filetime_ok(r->job->completed));
            for (size_t k = 0; k < r->job->file_count; k++)
                CHECK(carve_guid_text_ok(r->job->file_ids[k]));
        }
        if (r->file)
            CHECK(carve_filetime_ok(r->file->remote_file_time));
        CHECK(r->recovered_from && r->recovered_from[0]);
        CHECK(r->copies >= 1);
        CHECK(r->location_count >= 1);
        for (size_t k = 0; k < r->location_count; k++) {
            const bp_location *l = &r->locations[k];
            CHECK(l->how && l->path && l->path[0] && l->item);
        }
        /* versions of one job: newest modification first */
        if (previous && previous->carved && r->job && previous->job && r->job->blob_size &&
            previous->job->blob_size && strcmp(previous->job->job_id, r->job->job_id) == 0)
            CHECK(previous->job->modified >= r->job->modified);
        previous = r;
    }
}

static void test_win10(void)
{
    int plain_status, carve_status;
    bp_result *plain = parse(WIN10, false, &plain_status);
    bp_result *carved = parse(WIN10, true, &carve_status);
    CHECK_U64(plain_status, BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(plain), 1);
    CHECK(bp_result_count(carved) > 100);
    /* the live record comes first, byte for byte as in a plain run */
    char *plain_text = jsonl_of(plain, 1);
    char *carved_text = jsonl_of(carved, 1);
    CHECK_STR(carved_text, plain_text);
    free(plain_text);
    free(carved_text);
    const bp_record *live = bp_result_record(carved, 0);
    CHECK(!live->carved);
    CHECK_STR(live->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0");
    check_invariants(carved, 1);

    /* all 13 job ids of the long-value trees, with their names */
    static const struct {
        const char *id, *name;
    } lv_jobs[] = {
        {"1fc1e2b8-7b81-4c8a-8864-fa5b3a1b4781", "PreSignInSettingsConfigJSON"},
        {"81be6087-edb5-4077-aa84-b76af8232df4", "Microsoft Outlook Offline Address Book 7c6f3756af5d974890e647b5338169d0"},
        {"f0762654-e1b8-4345-8f57-5c3e1d0a531d", "Microsoft Outlook Offline Address Book 7c6f3756af5d974890e647b5338169d0"},
        {"3a817b5d-6a87-4d0c-b41e-7f7c6a9fae64", "Microsoft Outlook Offline Address Book 7c6f3756af5d974890e647b5338169d0"},
        {"28ea22a5-550b-41f7-ac55-72bea70b0f1d", "PreSignInSettingsConfigJSON"},
        {"dd2a27c8-2ee7-45ae-9f06-f823835e7ba0", "UpdateDescriptionXml"},
        {"04769a81-eabd-43da-b40f-2bc34c91b752",
         "C:\\Users\\bob\\AppData\\Local\\Temp\\{C8D534E6-ADCA-45CE-996A-F9FDD542F178}-84.0.4147.89_83.0.4103.116_chrome_updater.exe"},
        {"2d101a37-d827-41c8-828c-664a276b096d", "SpeechModelDownloadJob"},
        {"266504ac-d974-446c-96ad-2be13a5665b0", "Chrome Component Updater"},
        {"940392da-0c8b-4144-bb4e-232e62b65c4b", "C:\\Users\\bob\\AppData\\Local\\{3D82CD36-E033-4C87-A037-C412B96F795E}"},
        {"629baed4-2a03-4a92-b05e-f0282b3cac56", "C:\\Users\\bob\\AppData\\Local\\{3D82CD36-E033-4C87-A037-C412B96F795E}"},
        {"f6e49435-cf18-49c9-b9f3-2be5e012f45a",
         "C:\\Program Files (x86)\\Google\\Update\\1.3.36.152\\Recovery\\GUR1B59.tmp\\GoogleUpdateSetup.crx3"},
        {"9a54c35a-c02f-4923-a7cc-53f4e41f165e",
         "C:\\Program Files (x86)\\Google\\Update\\1.3.36.152\\Recovery\\GUR1B59.tmp\\GoogleUpdateSetup.crx3"},
    };
    for (size_t i = 0; i < sizeof(lv_jobs) / sizeof(lv_jobs[0]); i++) {
        bool found = false;
        for (size_t k = 0; k < bp_result_count(carved) && !found; k++) {
            const bp_record *r = bp_result_record(carved, k);
            found = r->job && strcmp(r->job->job_id, lv_jobs[i].id) == 0 && strcmp(r->job->name, lv_jobs[i].name) == 0;
        }
        if (!found)
            fprintf(stderr, "missing LV job %s\n", lv_jobs[i].id);
        CHECK(found);
    }
    /* the 42 orphaned job blobs are 42 versions, each found as orphan-lv */
    size_t orphan_versions = 0;
    uint64_t seen[64];
    for (size_t k = 0; k < bp_result_count(carved); k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (!r->carved || !r->job || strcmp(r->recovered_from, "orphan-lv") != 0)
            continue;
        bool again = false;
        for (size_t j = 0; j < orphan_versions; j++)
            again |= seen[j] == r->job_source.long_value_id;
        if (!again && orphan_versions < 64)
            seen[orphan_versions++] = r->job_source.long_value_id;
    }
    CHECK_U64(orphan_versions, 42);
    /* the ids only raw markers in stale tags, emptied pages and free space give (§7.4: 23 in all) */
    static const char *const raw_ids[] = {
        "82e756ec-fd02-4b87-9585-d3a7f76ad813", "190496b7-9ca7-4e74-9110-ffb25a72b687",
        "10dcb050-f0fa-43b0-b7cf-785b48bb9f0a", "37eaae02-3428-4f36-b31d-06c1f95614a3",
        "0d61ffe9-5bb9-4419-9aea-469330603147", "05a8adcf-8e87-4089-8a07-bf9dc1e7a321",
        "89206c9b-cb24-4658-8a06-962803f5cdbc", "5d64d7ef-a68d-40fd-b40f-b4ab46efa2f8",
        "1298f370-8feb-4567-9084-afcc164b5b74", "d21a2ecc-f196-499a-978b-9d82edf71849",
    };
    for (size_t i = 0; i < sizeof(raw_ids) / sizeof(raw_ids[0]); i++)
        CHECK(has_job(carved, raw_ids[i], true));

    /* bits-format §8.4: the orphan with an error record */
    const bp_record *error = NULL;
    for (size_t k = 0; k < bp_result_count(carved) && !error; k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (r->job && strcmp(r->job->job_id, "9a54c35a-c02f-4923-a7cc-53f4e41f165e") == 0 && r->job->state == 4)
            error = r;
    }
    CHECK(error != NULL);
    if (error) {
        char when[32];
        CHECK_U64(error->job->state, 4); /* BG_JOB_STATE_ERROR */
        CHECK_STR(bp_job_state_name(error->job->state), "BG_JOB_STATE_ERROR");
        CHECK_U64(error->job->error_hresult, 0x80072EE7u);
        CHECK_U64(error->job->error_context, 5);
        CHECK_STR(error->job->owner_sid, "S-1-5-18");
        CHECK_STR(error->job->description, "Google Update");
        CHECK_U64(error->job->notify_flags, 0x0B);
        CHECK_U64(error->job->transient_error_count, 1);
        CHECK(error->job->has_custom_headers);
        CHECK_STR(error->job->extra_string, "Schedule");
        bp_format_filetime(error->job->created, when);
        CHECK_STR(when, "2023-01-20T02:50:43.5515985Z");
        bp_format_filetime(error->job->modified, when);
        CHECK_STR(when, "2023-01-20T02:50:43.5749295Z");
        CHECK_STR(error->recovered_from, "orphan-lv");
        CHECK_U64(error->job_source.long_value_id, 0x800000008000001Cull);
        CHECK_U64(error->job_source.page, 54);
        CHECK_U64(error->job_source.tag, 5);
        CHECK_U64(error->job_source.blob_size, 2502);
        CHECK(has_location(error, "job", "orphan-lv", 54, 5, 0x800000008000001Cull));
        /* its file: the orphaned Files long value a stale Files record names */
        CHECK(error->file != NULL);
        if (error->file) {
            CHECK_STR(error->file->file_id, "b4730cc2-dbcd-46db-a549-85fa00e1afda");
            CHECK(strncmp(error->file->remote_url, "https://clients2.google.com/service/check2?crx3=true", 52) == 0);
            CHECK_U64(error->file_source.long_value_id, 0x800000008000000Dull);
        }
    }

    /* the inline stale Files record, linked to the carved job that lists it */
    size_t d21_records = 0;
    uint64_t last_modified = UINT64_MAX;
    for (size_t k = 0; k < bp_result_count(carved); k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (!r->job || strcmp(r->job->job_id, "d21a2ecc-f196-499a-978b-9d82edf71849") != 0)
            continue;
        d21_records++;
        CHECK(r->job->modified <= last_modified);
        last_modified = r->job->modified;
        CHECK_STR(r->recovered_from, "stale-tag");
        CHECK(r->file != NULL);
        if (!r->file)
            continue;
        CHECK_STR(r->file->file_id, "5fbecf0f-2637-42b5-b452-b5eb765cd0e1");
        CHECK_U64(r->file->bytes_total, 93747240);
        CHECK_U64(r->file->bytes_transferred, 93747240);
        CHECK_U64(r->file_source.blob_size, 878);
        CHECK(strstr(r->file->remote_url, "110.0.5481.77_chrome_installer.exe") != NULL);
        CHECK(has_location(r, "file", "stale-record", 32, 2, 0));
        CHECK_STR(r->job->name,
                  "C:\\Users\\bob\\AppData\\Local\\Temp\\{E11C71AA-71AF-485B-853D-825E1024A48B}-110.0.5481.77_chrome_installer.exe");
    }
    CHECK_U64(d21_records, 2);
    const bp_record *newest = bp_result_record(carved, 1); /* the newest carved job comes first */
    CHECK_STR(newest->job->job_id, "d21a2ecc-f196-499a-978b-9d82edf71849");
    char when[32];
    bp_format_filetime(newest->job->modified, when);
    CHECK_STR(when, "2023-02-08T00:55:15.8965773Z");
    CHECK_STR(bp_job_state_name(newest->job->state), "BG_JOB_STATE_QUEUED");
    CHECK(find_version(carved, "d21a2ecc-f196-499a-978b-9d82edf71849", newest->job->modified) == newest);

    /* a job id only a stale Jobs record still names: no blob, empty enumerations */
    bool id_only = false;
    for (size_t k = 0; k < bp_result_count(carved) && !id_only; k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (r->job && strcmp(r->job->job_id, "3ae64aa4-ad6d-4e70-bfb0-c92622bfd5eb") == 0) {
            id_only = true;
            CHECK_U64(r->job->blob_size, 0);
            CHECK_STR(r->recovered_from, "stale-record");
            CHECK(has_location(r, "job", "stale-record", 31, 0, 0x19));
            CHECK(r->warnings.count == 1);
        }
    }
    CHECK(id_only);
    /* identical copies of the live blob in emptied pages are dropped, not reported */
    for (size_t k = 1; k < bp_result_count(carved); k++) {
        const bp_record *r = bp_result_record(carved, k);
        CHECK(!(r->job && strcmp(r->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0") == 0 &&
                r->job_source.blob_size == 2055));
    }
    /* a version found in nine places is one record with nine copies */
    for (size_t k = 0; k < bp_result_count(carved); k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (r->job && strcmp(r->job->job_id, "37eaae02-3428-4f36-b31d-06c1f95614a3") == 0) {
            CHECK_U64(r->copies, 9);
            /* nine for the job, one for the stale Files record that alone names its file */
            CHECK_U64(r->location_count, 10);
            CHECK_STR(r->file ? r->file->file_id : "", "7b3b3108-1c5f-4a61-bd12-98b0d05dcacf");
            CHECK_STR(r->recovered_from, "empty-page");
            CHECK(has_location(r, "job", "empty-page", 40, 10, 0));
        }
    }
    CHECK_U64(carve_status, BP_STATUS_WARNINGS);
    bp_result_free(plain);
    bp_result_free(carved);
}

static void test_win11(void)
{
    int plain_status, carve_status;
    bp_result *plain = parse(WIN11, false, &plain_status);
    bp_result *carved = parse(WIN11, true, &carve_status);
    CHECK_U64(bp_result_count(plain), 4);
    char *plain_text = jsonl_of(plain, 4);
    char *carved_text = jsonl_of(carved, 4);
    CHECK_STR(carved_text, plain_text);
    free(plain_text);
    free(carved_text);
    check_invariants(carved, 4);
    /* §7.4: 9 distinct job ids in all, 5 of them carved */
    static const char *const ids[] = {
        "5c26fc39-0647-43cf-bd6b-2ca3125c7fb3", "8e4f897b-f5b3-433e-8864-87c44edaf7d0",
        "364e3f0d-0423-459b-919d-ac6ea17b4101", "c54f0fa1-7435-4369-94ca-d57cf8e63e80",
        "90156032-17bb-485e-aaeb-80f1ebaff120", "819683cf-4a48-4735-af5f-ea51b5abd8dc",
        "5256dab3-3240-42d9-9130-45ad2316a348", "69902036-f0d6-4bce-9290-79c1fd0d8abd",
        "e49b321c-0087-4df9-b17a-840478ef71d7",
    };
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        CHECK(has_job(carved, ids[i], true));
    /* 819683cf: three versions, the error ones linked to the file of a stale Files record */
    size_t versions = 0;
    for (size_t k = 0; k < bp_result_count(carved); k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (!r->job || strcmp(r->job->job_id, "819683cf-4a48-4735-af5f-ea51b5abd8dc") != 0)
            continue;
        versions++;
        CHECK(r->file != NULL);
        if (r->file) {
            CHECK_STR(r->file->file_id, "8c5eb5b4-f900-463b-8420-3619da88718e");
            CHECK(strncmp(r->file->remote_url, "https://download.mozilla.org/?product=firefox-110.0-partial-", 60) == 0);
        }
    }
    CHECK_U64(versions, 3);
    size_t distinct = 0;
    const char *list[64];
    for (size_t k = 0; k < bp_result_count(carved); k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (!r->job || !r->job->blob_size)
            continue;
        bool again = false;
        for (size_t j = 0; j < distinct; j++)
            again |= strcmp(list[j], r->job->job_id) == 0;
        if (!again && distinct < 64)
            list[distinct++] = r->job->job_id;
    }
    CHECK_U64(distinct, 9);
    bp_result_free(plain);
    bp_result_free(carved);
}

/* Damaged copies of the win10 database: carving never crashes (this runs
 * under AddressSanitizer in CI), the live records stay first, and the carved
 * rows keep every invariant. */
static uint64_t rng_state = 0xB175;

static uint32_t next_random(void)
{
    random_next(&rng_state);
    return (uint32_t)rng_state;
}

static void test_damaged(void)
{
    size_t size;
    unsigned char *original = read_whole_file(shared_path(WIN10), &size);
    CHECK(original != NULL);
    if (!original)
        return;
    unsigned char *copy = malloc(size);
    bp_parse_options options = {.carve = true};
    for (int round = 0; round < 150; round++) {
        memcpy(copy, original, size);
        size_t length = size;
        if (round % 4 == 3) {
            length = 3 * 16384 + next_random() % (size - 3 * 16384); /* truncated */
        } else {
            int damages = 1 + (int)(next_random() % 40);
            for (int d = 0; d < damages; d++) {
                size_t at = 2 * 16384 + next_random() % (size - 2 * 16384 - 64);
                size_t n = 1 + next_random() % 64;
                for (size_t k = 0; k < n; k++)
                    copy[at + k] = round % 2 ? (uint8_t)next_random() : 0;
            }
        }
        bp_result *plain = NULL, *carved = NULL;
        bp_parse_memory(copy, length, "damaged", &plain);
        bp_parse_memory_ex(copy, length, "damaged", &options, &carved);
        size_t live = bp_result_count(plain);
        CHECK(bp_result_count(carved) >= live);
        for (size_t i = 0; i < live && i < bp_result_count(carved); i++) {
            const bp_record *a = bp_result_record(plain, i), *b = bp_result_record(carved, i);
            CHECK(!b->carved);
            CHECK(a->job == NULL ? b->job == NULL : (b->job && strcmp(a->job->job_id, b->job->job_id) == 0));
        }
        check_invariants(carved, live);
        bp_result_free(plain);
        bp_result_free(carved);
    }
    free(copy);
    free(original);
}

/* Set the "deleted" node flag (large pages: bit 0x40 of the node's second
 * byte) on tag `itag` of page `pgno`, and store the page's checksums again. */
static void flag_deleted(unsigned char *bytes, size_t size, uint32_t pgno, uint16_t itag)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    CHECK(ese_db_open(&db, bytes, size, &arena, &warnings));
    ese_page page;
    uint16_t offset, length;
    CHECK(ese_page_load(&db, pgno, &page));
    CHECK(ese_page_tag(&page, itag, &offset, &length));
    unsigned char *page_bytes = bytes + ((size_t)pgno + 1) * db.page_size;
    page_bytes[page.header_size + offset + 1] |= 0x40;
    ese_page_store_checksums(db.page_size, page_bytes, pgno);
    util_arena_free(&arena);
}

/* Records and long values flagged deleted (ese-format §11.2): the live job's
 * record on page 31 and the error version's long value on page 54. */
static void test_deleted_flag(void)
{
    size_t size;
    unsigned char *bytes = read_whole_file(shared_path(WIN10), &size);
    CHECK(bytes != NULL);
    if (!bytes)
        return;
    flag_deleted(bytes, size, 31, 1);  /* Jobs record of 266504ac */
    flag_deleted(bytes, size, 54, 5);  /* root of long value 0x800000008000001c */
    flag_deleted(bytes, size, 54, 6);  /* its chunk */
    bp_result *plain = NULL, *carved = NULL;
    bp_parse_memory(bytes, size, "deleted.db", &plain);
    bp_parse_options options = {.carve = true};
    bp_parse_memory_ex(bytes, size, "deleted.db", &options, &carved);
    /* live: the job is gone, its file is an orphan */
    CHECK_U64(bp_result_count(plain), 1);
    const bp_record *orphan = bp_result_record(plain, 0);
    CHECK(orphan->job == NULL && orphan->file && strcmp(orphan->file->file_id, "95d6889c-b2d3-4748-8eb1-9da0650cb892") == 0);
    check_invariants(carved, 1);
    const bp_record *job = NULL, *error = NULL;
    for (size_t k = 1; k < bp_result_count(carved); k++) {
        const bp_record *r = bp_result_record(carved, k);
        if (r->job && strcmp(r->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0") == 0)
            job = r;
        if (r->job && strcmp(r->job->job_id, "9a54c35a-c02f-4923-a7cc-53f4e41f165e") == 0 && r->job->state == 4)
            error = r;
    }
    CHECK(job != NULL);
    if (job) {
        CHECK_STR(job->recovered_from, "deleted-flag");
        CHECK_STR(job->job->name, "Chrome Component Updater");
        CHECK(job->job->complete);
        /* the long value and 8 stale copies in emptied pages; the record only names it */
        CHECK_U64(job->copies, 9);
        CHECK(has_location(job, "job", "deleted-flag", 51, 9, 0x800000008000000Cull));
        CHECK(has_location(job, "job", "deleted-flag", 31, 1, 0x800000008000000Cull));
        /* its file is the live one */
        CHECK(job->file == orphan->file || (job->file && strcmp(job->file->file_id, orphan->file->file_id) == 0));
    }
    CHECK(error != NULL);
    if (error) {
        CHECK_STR(error->recovered_from, "deleted-flag");
        CHECK_U64(error->job_source.blob_size, 2502);
        CHECK_U64(error->job->error_hresult, 0x80072EE7u);
        CHECK(has_location(error, "job", "deleted-flag", 54, 5, 0x800000008000001Cull));
    }
    bp_result_free(plain);
    bp_result_free(carved);
    free(bytes);
}

int main(void)
{
    test_win10();
    test_win11();
    test_deleted_flag();
    test_damaged();
    return check_exit();
}
