/* End to end through the public API: the real qmgr.db samples and blobs give
 * exactly the records of ../shared/testdata/EXPECTED.md, field by field. */
#include "bitsparse/bitsparse.h"
#include "time_text.h"
#include "check.h"

static bool has_ace(const bp_job *job, const char *acl, const char *type, const char *sid, uint32_t mask)
{
    for (size_t i = 0; i < job->ace_count; i++) {
        const bp_ace *ace = &job->aces[i];
        if (!strcmp(ace->acl, acl) && !strcmp(ace->ace_type, type) && !strcmp(ace->sid, sid) && ace->mask == mask)
            return true;
    }
    return false;
}

static void check_win10_job(const bp_job *job)
{
    CHECK_STR(job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0");
    CHECK_STR(job->name, "Chrome Component Updater");
    CHECK_STR(job->description, "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3");
    CHECK_U64(job->job_type, 0);
    CHECK_STR(bp_job_type_name(job->job_type), "BG_JOB_TYPE_DOWNLOAD");
    CHECK_U64(job->priority, 2);
    CHECK_STR(bp_job_priority_name(job->priority), "BG_JOB_PRIORITY_NORMAL");
    CHECK_U64(job->state, 6);
    CHECK_STR(bp_job_state_name(job->state), "BG_JOB_STATE_TRANSFERRED");
    CHECK_STR(job->owner_sid, "S-1-5-21-1079689790-2336414676-942872339-1001");
    CHECK_STR(job->notify_program, "");
    CHECK_STR(job->notify_arguments, "");
    CHECK_U64(job->notify_flags, 3);
    CHECK_U64(job->file_count, 1);
    CHECK_STR(job->file_count ? job->file_ids[0] : "", "95d6889c-b2d3-4748-8eb1-9da0650cb892");
    CHECK(!job->has_error);
    CHECK_U64(job->transient_error_count, 0);
    CHECK_U64(job->retry_delay, 60);
    CHECK_U64(job->no_progress_timeout, 86400);
    CHECK_STR(time_text(job->created), "2022-12-21T02:18:03.1204654Z");
    CHECK_STR(time_text(job->modified), "2022-12-21T02:18:43.4087920Z");
    CHECK_STR(time_text(job->completed), "2022-12-21T02:18:43.4087920Z");
    CHECK_STR(time_text(job->inactivity_timer.deadline), "2023-03-21T02:18:43.4087920Z");
    CHECK_STR(job->creator_program, "C:\\Program Files\\Chromium\\Application\\chrome.exe");
    CHECK_STR(job->http_method, "GET");
    CHECK_U64(job->security_descriptor_size, 1220);
    CHECK_STR(job->sd_owner_sid, "S-1-5-21-1079689790-2336414676-942872339-1001");
    CHECK_STR(job->sd_group_sid, "S-1-5-21-1079689790-2336414676-942872339-1001");
    CHECK(has_ace(job, "DACL", "AccessDenied", "S-1-5-7", 0xF003F));
    CHECK(has_ace(job, "DACL", "AccessAllowed", "S-1-5-21-1079689790-2336414676-942872339-1001", 0xF003F));
    CHECK(has_ace(job, "DACL", "AccessAllowed", "S-1-5-32-544", 0xF003F));
    CHECK(has_ace(job, "DACL", "AccessAllowed", "S-1-5-32-580", 0xF003F));
    CHECK(has_ace(job, "DACL", "AccessAllowed", "S-1-15-2-1", 0xF003F));
    CHECK(has_ace(job, "SACL", "MandatoryLabel", "S-1-16-8192", 0x1));
    CHECK_U64(job->ace_count, 6);
    CHECK_U64(job->blob_size, 2055);
    CHECK(job->complete);
    CHECK_U64(job->warnings.count, 0);
}

static void check_win10_file(const bp_file *file)
{
    CHECK_STR(file->remote_url, "http://edgedl.me.gvt1.com/edgedl/release2/chrome_component/"
                                "i73exzs4s3qvwnxxzwp6zdbtbe_372/"
                                "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3");
    CHECK_STR(file->local_path, "C:\\Users\\bob\\AppData\\Local\\Temp\\chrome_BITS_9548_1667050988\\"
                                "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3");
    CHECK_STR(file->temp_path, "C:\\Users\\bob\\AppData\\Local\\Temp\\chrome_BITS_9548_1667050988\\BITAC67.tmp");
    CHECK_U64(file->bytes_transferred, 4782);
    CHECK_U64(file->bytes_total, 4782);
    CHECK_STR(file->drive, "C:\\");
    CHECK_STR(file->volume, "\\\\?\\Volume{08542f90-0000-0000-0000-501f00000000}\\");
    CHECK_STR(time_text(file->remote_file_time), "2022-12-19T18:16:35.0000000Z");
    CHECK_U64(file->blob_size, 1072);
    CHECK(file->complete);
    CHECK_U64(file->warnings.count, 0);
}

static void test_win10(void)
{
    bp_result *result = NULL;
    int status = bp_parse_path(shared_path("testdata/ese/win10-19045.qmgr.db"), &result);
    CHECK_U64(status, BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 1);
    const bp_record *record = bp_result_record(result, 0);
    CHECK(record && record->job && record->file);
    if (record && record->job && record->file) {
        check_win10_job(record->job);
        CHECK_STR(record->file->file_id, "95d6889c-b2d3-4748-8eb1-9da0650cb892");
        check_win10_file(record->file);
        CHECK_STR(record->job_source.format, "ese");
        CHECK_STR(record->job_source.table, "Jobs");
        CHECK_U64(record->job_source.page, 31);
        CHECK_U64(record->job_source.long_value_id, 0x800000008000000CULL);
        CHECK_U64(record->file_source.page, 32);
        CHECK_U64(record->file_source.blob_size, 1072);
        CHECK(!record->carved);
        CHECK_U64(record->warnings.count, 0);
    }
    CHECK_U64(bp_result_warnings(result)->count, 0);
    bp_result_free(result);
}

static void test_win11(void)
{
    static const struct {
        const char *job_id, *created, *modified, *expiration, *file_id, *temp_name;
    } expected[4] = {
        {"5c26fc39-0647-43cf-bd6b-2ca3125c7fb3", "2023-02-19T05:22:58.2369678Z", "2023-02-19T05:22:59.3678960Z",
         "2023-05-20T05:22:59.3678960Z", "9d39dd16-9979-4b37-a5aa-359b775f2f8a", "BITE88.tmp"},
        {"8e4f897b-f5b3-433e-8864-87c44edaf7d0", "2023-02-20T03:03:11.8589826Z", "2023-02-20T03:03:12.9059273Z",
         "2023-05-21T03:03:12.9059273Z", "5b9e2388-b304-4a81-88e0-d961a37923fb", "BIT2294.tmp"},
        {"364e3f0d-0423-459b-919d-ac6ea17b4101", "2023-02-19T05:08:26.5830390Z", "2023-02-19T05:08:27.4050625Z",
         "2023-05-20T05:08:27.4050625Z", "32f69bc1-d982-4450-bc6d-e037ce4e33ad", "BITC180.tmp"},
        {"c54f0fa1-7435-4369-94ca-d57cf8e63e80", "2023-02-18T19:27:58.7461545Z", "2023-02-18T19:28:00.7434524Z",
         "2023-05-19T19:28:00.7434524Z", "843c7694-516a-4719-826b-0ed3356cd41f", "BIT28AB.tmp"},
    };
    static const char folder[] = "C:\\ProgramData\\Mozilla-1de4eec8-1241-4177-a864-e594e8d1fb38\\updates\\"
                                 "308046B0AF4A39CB\\updates\\downloading\\";
    bp_result *result = NULL;
    int status = bp_parse_path(shared_path("testdata/ese/win11-22000.qmgr.db"), &result);
    CHECK_U64(status, BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 4);
    for (size_t i = 0; i < bp_result_count(result) && i < 4; i++) {
        const bp_record *r = bp_result_record(result, i);
        CHECK(r->job && r->file);
        if (!r->job || !r->file)
            continue;
        const bp_job *job = r->job;
        CHECK_STR(job->job_id, expected[i].job_id);
        CHECK_STR(job->name, "MozillaUpdate 308046B0AF4A39CB");
        CHECK_STR(job->description, "");
        CHECK_U64(job->job_type, 0);
        CHECK_U64(job->priority, 0);
        CHECK_U64(job->state, 6);
        CHECK_STR(job->owner_sid, "S-1-5-21-4066115557-1486886006-1773980413-1001");
        CHECK_U64(job->notify_flags, 3);
        CHECK_U64(job->retry_delay, 60);
        CHECK_U64(job->no_progress_timeout, 3600);
        CHECK_STR(job->creator_program, "C:\\Program Files\\Mozilla Firefox\\firefox.exe");
        CHECK_STR(job->http_method, "GET");
        CHECK_U64(job->blob_size, 1911);
        CHECK_STR(time_text(job->created), expected[i].created);
        CHECK_STR(time_text(job->modified), expected[i].modified);
        CHECK_STR(time_text(job->completed), expected[i].modified);
        CHECK_STR(time_text(job->inactivity_timer.deadline), expected[i].expiration);
        const bp_file *file = r->file;
        CHECK_STR(file->file_id, expected[i].file_id);
        CHECK_STR(file->remote_url, "https://download-installer.cdn.mozilla.net/pub/firefox/releases/110.0/update/"
                                    "win64/en-US/firefox-109.0.1-110.0.partial.mar");
        char path[512];
        snprintf(path, sizeof path, "%supdate.mar", folder);
        CHECK_STR(file->local_path, path);
        snprintf(path, sizeof path, "%s%s", folder, expected[i].temp_name);
        CHECK_STR(file->temp_path, path);
        CHECK_U64(file->bytes_transferred, 13267764);
        CHECK_U64(file->bytes_total, 13267764);
        CHECK_STR(file->volume, "\\\\?\\Volume{c3693081-ccc2-4d8c-80df-6c0dd8f26709}\\");
        CHECK_STR(time_text(file->remote_file_time), "2023-02-14T16:03:54.0000000Z");
    }
    bp_result_free(result);
}

static void test_blobs(void)
{
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(shared_path("testdata/blobs/win10-19045.job.blob"), &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_parse_path(shared_path("testdata/blobs/win10-19045.file.blob"), &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 2);
    if (bp_result_count(result) == 2) {
        const bp_record *job = bp_result_record(result, 0);
        const bp_record *file = bp_result_record(result, 1);
        CHECK(job->job && !job->file && file->file && !file->job);
        if (job->job)
            check_win10_job(job->job);
        if (file->file)
            check_win10_file(file->file);
        CHECK_STR(job->job_source.format, "blob");
    }
    bp_result_free(result);
}

static void test_folder_and_unreadable(void)
{
    /* a folder with both samples: 1 + 4 records, files in name order */
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(shared_path("testdata/ese"), &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 5);
    if (bp_result_count(result) == 5) {
        CHECK_STR(bp_result_record(result, 0)->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0");
        CHECK_STR(bp_result_record(result, 4)->job->job_id, "c54f0fa1-7435-4369-94ca-d57cf8e63e80");
    }
    bp_result_free(result);
    result = NULL;
    CHECK_U64(bp_parse_path(shared_path("testdata/EXPECTED.md"), &result), BP_STATUS_UNREADABLE);
    CHECK_U64(bp_result_count(result), 0);
    CHECK_U64(bp_result_warnings(result)->count, 1);
    bp_result_free(result);
}

int main(void)
{
    test_win10();
    test_win11();
    test_blobs();
    test_folder_and_unreadable();
    return check_exit();
}
