/* Issue 18: event 16403 (a file added to a job: jobTitle, jobId, jobOwner,
 * fileCount, RemoteName, LocalName, processId, ClientProcessStartKey) gives
 * the URL and local file of a job known only from its log, even when no
 * transfer event (59/60/61) follows, and its process id goes into the event's
 * summary. Values checked against `evtxexport -f xml` of the shared logs. */
#include <stdlib.h>

#include "check.h"
#include "result/result.h"
#include "evtx/bits_client_log.h"
#include "evtx/evtx_log.h"

static const bp_record *record_of(const bp_result *result, const char *job_id)
{
    for (size_t i = 0; i < bp_result_count(result); i++)
        if (!strcmp(bp_result_record(result, i)->job->job_id, job_id))
            return bp_result_record(result, i);
    return NULL;
}

static const bp_event *event_of(const bp_record *r, uint32_t event_id)
{
    for (size_t i = 0; r && i < r->event_count; i++)
        if (r->events[i].event_id == event_id)
            return &r->events[i];
    return NULL;
}

static void check_job(const char *log, size_t records, const char *job_id, const char *url, const char *local,
                      uint64_t record_id, const char *process)
{
    bp_result *result = NULL;
    bp_parse_path(shared_path(log), &result);
    CHECK_U64(bp_result_count(result), records);
    size_t with_local = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        with_local += r->file && r->file->local_path && *r->file->local_path;
    }
    CHECK_U64(with_local, records);  /* every job of these logs has its 16403 */
    const bp_record *r = record_of(result, job_id);
    CHECK(r != NULL && r->file != NULL);
    if (r && r->file) {
        CHECK_STR(r->file->remote_url, url);
        CHECK_STR(r->file->local_path, local);
        const bp_event *e = event_of(r, 16403);
        CHECK(e != NULL);
        CHECK_U64(e ? e->record_id : 0, record_id);
        CHECK(e && strstr(e->what, process) != NULL);
    }
    bp_result_free(result);
}

/* One hand-fed event of the layout Windows 10 writes. */
static void feed(bits_log *log, uint32_t id, uint64_t record_id, const char *time, const char *const *names,
                 const char *const *values, size_t count)
{
    evtx_event e;
    memset(&e, 0, sizeof e);
    e.record_id = record_id;
    e.offset = 0x1000 + record_id * 0x100;
    e.event_id = id;
    e.provider = BITS_CLIENT_PROVIDER;
    e.channel = "Microsoft-Windows-Bits-Client/Operational";
    CHECK(evtx_parse_time(time, &e.time));
    e.data_count = count;
    e.values = values;
    e.names = names;
    CHECK(bits_log_add(log, &e));
}

/* A job whose only file is named by 16403 (fed without its transfer events): the
 * Edge job of rathbunvm, records 34 (event 3) and 35 (16403). */
static void test_no_transfer_event(void)
{
    static const char *const names_3[] = {"jobTitle", "jobId", "jobOwner", "processPath", "processId"};
    static const char *const values_3[] = {"Edge Component Updater", "{04C214C9-0D86-4E9E-BF97-CD1ED1594454}",
                                           "DESKTOP-GNCCVRK\\AndrewRathbun",
                                           "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
                                           "6764"};
    static const char *const names_16403[] = {"User", "jobTitle", "jobId", "jobOwner", "fileCount", "RemoteName",
                                              "LocalName", "processId", "ClientProcessStartKey"};
    static const char *const values_16403[] = {
        "DESKTOP-GNCCVRK\\AndrewRathbun", "Edge Component Updater", "{04C214C9-0D86-4E9E-BF97-CD1ED1594454}",
        "DESKTOP-GNCCVRK\\AndrewRathbun", "1",
        "http://msedge.b.tlu.dl.delivery.mp.microsoft.com/filestreamingservice/files/"
        "eb50bf56-41dd-4bd5-84b3-72440015f410?P1=1644531479&P2=404&P3=2&P4=W3zJ%2bRdbP%2bUeXOL3Rfu%2bKqxTeJCzBVOZ5ecj"
        "FPNKLY10aifunl8vmNtUoBOF7z2shFWdM8CuOZvzhi5cJHqcSA%3d%3d",
        "C:\\Users\\ANDREW~1\\AppData\\Local\\Temp\\edge_BITS_6764_606374798\\eb50bf56-41dd-4bd5-84b3-72440015f410",
        "6764", "844424930132126"};
    for (int unnamed = 0; unnamed < 2; unnamed++) {  /* by names, and by position when names are missing */
        bp_result *result = result_new();
        bits_log *log = bits_log_new(result, "test.evtx");
        feed(log, 3, 34, "2022-02-05T19:32:40.320403000Z", unnamed ? NULL : names_3, values_3, 5);
        feed(log, 16403, 35, "2022-02-05T19:32:40.381511100Z", unnamed ? NULL : names_16403, values_16403, 9);
        bp_note_list notes = {NULL, NULL, 0};
        CHECK(bits_log_finish(log, &notes));
        CHECK_U64(notes.count, 0);
        CHECK_U64(bp_result_count(result), 1);
        const bp_record *r = bp_result_count(result) ? bp_result_record(result, 0) : NULL;
        CHECK(r && r->file);
        if (r && r->file) {
            CHECK_STR(r->job->job_id, "04c214c9-0d86-4e9e-bf97-cd1ed1594454");
            CHECK_STR(r->file->remote_url, values_16403[5]);
            CHECK_STR(r->file->local_path, values_16403[6]);
            CHECK_U64(r->file->bytes_total, UINT64_MAX);  /* no transfer event: size unknown */
            CHECK_U64(r->file_source.offset, 0x1000 + 35 * 0x100);
            CHECK_U64(r->event_count, 2);
            if (r->event_count == 2)
                CHECK_STR(r->events[1].what,
                          "file added to job \"Edge Component Updater\" of DESKTOP-GNCCVRK\\AndrewRathbun by "
                          "DESKTOP-GNCCVRK\\AndrewRathbun: http://msedge.b.tlu.dl.delivery.mp.microsoft.com/"
                          "filestreamingservice/files/eb50bf56-41dd-4bd5-84b3-72440015f410?P1=1644531479&P2=404&P3=2&"
                          "P4=W3zJ%2bRdbP%2bUeXOL3Rfu%2bKqxTeJCzBVOZ5ecjFPNKLY10aifunl8vmNtUoBOF7z2shFWdM8CuOZvzhi5cJHqc"
                          "SA%3d%3d to C:\\Users\\ANDREW~1\\AppData\\Local\\Temp\\edge_BITS_6764_606374798\\"
                          "eb50bf56-41dd-4bd5-84b3-72440015f410 (1 file(s)), process 6764, start key 844424930132126");
        }
        bp_result_free(result);
    }
}

int main(void)
{
    /* aptsimulator record 20: Font Download, svchost (pid 2124) */
    check_job("testdata/evtx/win10-19044-aptsimulator.evtx", 19, "8f7606ee-b1ed-4e87-ade3-bfbd55e2fdf2",
              "https://fs.microsoft.com/fs/windows/config.json",
              "\\\\?\\C:\\Windows\\ServiceProfiles\\LocalService\\AppData\\Local\\FontCache\\Fonts\\Download-1.tmp", 20,
              "process 2124, start key ");
    /* rathbunvm record 45: OneDrive's UpdateBinary (pid 5376) */
    check_job("testdata/evtx/win10-19043-rathbunvm.evtx", 32, "be41e3aa-c19b-4e31-be7d-0773cf8d89c4",
              "https://oneclient.sfx.ms/Win/Prod/21.220.1024.0005/OneDriveSetup.exe",
              "C:\\Users\\ANDREW~1\\AppData\\Local\\Temp\\wct1AC1.tmp", 45, "process 5376, start key 844424930132224");
    test_no_transfer_event();
    return check_exit();
}
