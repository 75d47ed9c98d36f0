/* End to end through the public API: the Bits-Client event logs of
 * ../shared/testdata/evtx give the jobs EXPECTED.md lists, field by field; a
 * folder holding logs and a queue; and a queue plus a log naming the same job
 * id give one record carrying the events.
 *
 * Times: bitsparse takes an event's time from its TimeCreated. EXPECTED.md's
 * creation times are the record headers' written times as `evtxexport -f text`
 * prints them; in these logs the header of a record carries a later time
 * (e.g. win7 "backdoor": TimeCreated 18:02:05.2151977, header 18:04:50.1058227;
 * the last record of win10-desktopimgdownldr.evtx has no header time at all).
 * The values below are TimeCreated, as `evtxexport -f xml` shows it. */
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "time_text.h"
#include "check.h"

static const bp_record *only_record(const bp_result *result)
{
    CHECK_U64(bp_result_count(result), 1);
    return bp_result_count(result) == 1 ? bp_result_record(result, 0) : NULL;
}

static void check_event_ids(const bp_record *r, const uint32_t *ids, size_t count)
{
    CHECK_U64(r->event_count, count);
    for (size_t i = 0; i < count && i < r->event_count; i++)
        CHECK_U64(r->events[i].event_id, ids[i]);
}

static bool input_warning(const bp_result *result, const char *part)
{
    for (const bp_note *n = bp_result_warnings(result)->head; n; n = n->next)
        if (strstr(n->text, part))
            return true;
    return false;
}

static void test_desktopimgdownldr(void)
{
    const char *path = shared_path("testdata/evtx/win10-desktopimgdownldr.evtx");
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(path, &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_warnings(result)->count, 0);
    const bp_record *r = only_record(result);
    if (!r)
        goto done;
    CHECK_STR(r->job->job_id, "ff819706-9ff9-490b-ade5-b069232c5d23");
    CHECK_STR(r->job->name, "Download LockScreen Image");
    CHECK_STR(r->owner_account, "MSEDGEWIN10\\IEUser");
    CHECK_STR(r->job->owner_sid, "");
    CHECK_STR(r->job->creator_program, "C:\\Windows\\System32\\desktopimgdownldr.exe");
    CHECK_STR(time_text(r->job->created), "2020-07-03T08:55:46.3523393Z");
    CHECK_STR(time_text(r->job->completed), "2020-07-03T08:55:51.3562594Z");
    CHECK_STR(bp_job_state_name(r->job->state), "BG_JOB_STATE_ACKNOWLEDGED");
    CHECK(!r->job->has_error);
    CHECK(r->file != NULL);
    if (r->file) {
        CHECK_STR(r->file->remote_url, "https://a.uguu.se/Hv0bgvgHGNeH_Bin.7z");
        CHECK_U64(r->file->bytes_total, 162791);
        CHECK_U64(r->file->bytes_transferred, 162791);
        CHECK_STR(time_text(r->file->remote_file_time), "2020-07-03T08:44:00.0000000Z");
    }
    CHECK_STR(r->job_source.format, "evtx");
    CHECK_STR(r->job_source.path, path);
    CHECK_U64(r->job_source.offset, 0x1200);
    static const uint32_t ids[] = {3, 209, 59, 60, 4};
    check_event_ids(r, ids, 5);
    if (r->event_count == 5) {
        CHECK_STR(r->events[0].what, "job \"Download LockScreen Image\" created by MSEDGEWIN10\\IEUser, process "
                                     "C:\\Windows\\System32\\desktopimgdownldr.exe (pid 1996)");
        CHECK_STR(time_text(r->events[1].time), "2020-07-03T08:55:46.3579880Z");
        CHECK_STR(r->events[3].what, "transfer {FCC284DB-AA62-40BB-B372-B5BA6A5AD840} stopped, status 0x00000000: "
                                     "https://a.uguu.se/Hv0bgvgHGNeH_Bin.7z (162791 of 162791 bytes)");
        CHECK_U64(r->events[4].record_id, 2778);
        CHECK_STR(r->events[4].log, path);
    }
    CHECK_U64(r->warnings.count + r->job->warnings.count, 0);
done:
    bp_result_free(result);
}

static void test_server_t1197(void)
{
    bp_result *result = NULL;
    /* libevtx counts 149 "recovered" records in free space, but none of them is
     * a record it can read (`evtxexport -m recovered` exports none): a log read
     * completely, no note */
    CHECK_U64(bp_parse_path(shared_path("testdata/evtx/server-dc-t1197.evtx"), &result), BP_STATUS_CLEAN);
    CHECK(!input_warning(result, "free space"));
    CHECK_U64(bp_result_warnings(result)->count, 0);
    const bp_record *r = only_record(result);
    if (!r)
        goto done;
    CHECK_STR(r->job->job_id, "6f364a04-6299-4349-a8b6-34bed5e400ef");
    CHECK_STR(r->job->name, "test");
    CHECK_STR(r->owner_account, "hns\\Administrator");
    CHECK_STR(r->job->creator_program, "C:\\Windows\\System32\\bitsadmin.exe");
    CHECK_STR(time_text(r->job->created), "2021-06-13T06:17:18.0443734Z");
    CHECK_STR(time_text(r->job->completed), "2021-06-13T06:17:28.3341955Z");
    CHECK_STR(bp_job_state_name(r->job->state), "BG_JOB_STATE_ACKNOWLEDGED");
    CHECK_STR(r->file ? r->file->remote_url : "", "http://192.168.10.254:80/calc.exe");
    CHECK_U64(r->file ? r->file->bytes_total : 0, 32256);
    CHECK_U64(r->file ? r->file->bytes_transferred : 0, 32256);
    /* 306, 310 and 308 concern the service, not a job */
    static const uint32_t ids[] = {3, 59, 60, 4};
    check_event_ids(r, ids, 4);
    if (r->event_count == 4)
        CHECK_STR(r->events[0].what, "job \"test\" created by hns\\Administrator, process "
                                     "C:\\Windows\\System32\\bitsadmin.exe (pid 1020)");
done:
    bp_result_free(result);
}

static void test_win7(void)
{
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(shared_path("testdata/evtx/win7-persist-bitsadmin.evtx"), &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 2);
    static const struct {
        const char *id, *name, *created, *linked;
    } jobs[] = {
        {"b35c4a1d-4425-45be-92d1-b67183ae222f", "backdoor", "2019-05-12T18:02:05.2151977Z",
         "event 3 (job created, record 3815 at 2019-05-12T18:02:05.2151977Z) names no job id (Windows 7 layout): linked "
         "to this job by its title \"backdoor\" and time; the first event naming the job id is record 3817 (event 59) "
         "at 2019-05-12T18:04:50.1214477Z"},
        {"51607467-5ab5-4dcb-aaf0-fb92c997c0bd", "hola", "2019-05-13T14:50:01.9990511Z",
         "event 3 (job created, record 3825 at 2019-05-13T14:50:01.9990511Z) names no job id (Windows 7 layout): linked "
         "to this job by its title \"hola\" and time; the first event naming the job id is record 3827 (event 59) at "
         "2019-05-13T14:50:59.3896761Z"},
    };
    for (size_t i = 0; i < 2 && i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        CHECK_STR(r->job->job_id, jobs[i].id);
        CHECK_STR(r->job->name, jobs[i].name);
        CHECK_STR(time_text(r->job->created), jobs[i].created);
        CHECK_STR(r->owner_account, "IEWIN7\\IEUser");
        CHECK_STR(r->job->creator_program, "");
        CHECK_U64(r->job->completed, 0);
        CHECK_U64(r->job->state, UINT32_MAX);  /* neither 4 nor 5: unknown */
        CHECK_STR(r->file ? r->file->remote_url : "", "C:\\Windows\\system32\\cmd.exe");
        CHECK_U64(r->file ? r->file->bytes_total : 0, 302592);
        CHECK_U64(r->file ? r->file->bytes_transferred : 0, 302592);
        CHECK_STR(time_text(r->file ? r->file->remote_file_time : 0), "2010-11-20T12:17:00.4010000Z");
        static const uint32_t ids[] = {3, 59, 60};
        check_event_ids(r, ids, 3);
        CHECK_U64(r->job->warnings.count, 1);
        CHECK_STR(r->job->warnings.head ? r->job->warnings.head->text : "", jobs[i].linked);
    }
    bp_result_free(result);
}

static void test_openvpn_volume(void)
{
    bp_result *result = NULL;
    bp_parse_path(shared_path("testdata/evtx/win10-openvpn.evtx"), &result);
    /* 254 jobs created in the log, two more known only from their event 5 */
    CHECK_U64(bp_result_count(result), 256);
    size_t per_id[400] = {0}, created = 0, acknowledged = 0, cancelled = 0, with_error = 0, with_url = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t e = 0; e < r->event_count; e++)
            if (r->events[e].event_id < 400)
                per_id[r->events[e].event_id]++;
        created += r->job->created != 0;
        acknowledged += r->job->state == 7;
        cancelled += r->job->state == 8;
        with_error += r->job->has_error;
        with_url += r->file != NULL;
        CHECK_STR(r->job_source.format, "evtx");
        CHECK_U64(strlen(r->job->job_id), 36);
        for (size_t k = 0; k < i; k++)
            if (!strcmp(bp_result_record(result, k)->job->job_id, r->job->job_id))
                CHECK(!"job id twice");
    }
    /* EXPECTED.md: 3 x254, 59 x162, 60 x129, 61 x492, 4 x125, 5 x84, 209 x101;
     * 306 x150 and 310 x40 name no job */
    CHECK_U64(per_id[3], 254);
    CHECK_U64(per_id[59], 162);
    CHECK_U64(per_id[60], 129);
    CHECK_U64(per_id[61], 492);
    CHECK_U64(per_id[4], 125);
    CHECK_U64(per_id[5], 84);
    CHECK_U64(per_id[209], 101);
    CHECK_U64(per_id[306] + per_id[310], 0);
    CHECK_U64(created, 254);
    CHECK_U64(acknowledged, 125);
    CHECK_U64(cancelled, 84);
    CHECK_U64(with_error, 96);  /* last transfer stop failed, job not completed */
    CHECK_U64(with_url, 223);
    bp_result_free(result);
}

/* A folder: every file in it is recognised by its content, whatever its name
 * (a renamed log included; issue 18 part 5). */
static void test_folder(void)
{
    char dir[] = "/tmp/bitsparse-evtx-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    static const char *const links[][2] = {
        {"testdata/evtx/win10-desktopimgdownldr.evtx", "Microsoft-Windows-Bits-Client%4Operational.evtx"},
        {"testdata/evtx/win7-persist-bitsadmin.evtx", "old.EVTX"},
        {"testdata/ese/win10-19045.qmgr.db", "qmgr.db"},
        {"testdata/evtx/server-dc-t1197.evtx", "renamed.evtx.bak"},
    };
    char paths[4][1200];
    for (size_t i = 0; i < 4; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, links[i][1]);
        CHECK(symlink(shared_path(links[i][0]), paths[i]) == 0);
    }
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(dir, &result), BP_STATUS_WARNINGS);  /* the win7 linking warnings */
    CHECK_U64(bp_result_count(result), 5);
    size_t evtx = 0, ese = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const char *format = bp_result_record(result, i)->job_source.format;
        evtx += !strcmp(format, "evtx");
        ese += !strcmp(format, "ese");
    }
    CHECK_U64(evtx, 4);
    CHECK_U64(ese, 1);
    bp_result_free(result);
    for (size_t i = 0; i < 4; i++)
        unlink(paths[i]);
    rmdir(dir);
}

/* The job id of a log replaced in memory by one the queue has (the 16-byte
 * GUID value of the events): queue + log give one record with the events,
 * whatever the order of the inputs. */
static void test_merge_with_queue(void)
{
    static const uint8_t log_id[16] = {0x06, 0x97, 0x81, 0xff, 0xf9, 0x9f, 0x0b, 0x49,
                                       0xad, 0xe5, 0xb0, 0x69, 0x23, 0x2c, 0x5d, 0x23};
    static const uint8_t queue_id[16] = {0xac, 0x04, 0x65, 0x26, 0x74, 0xd9, 0x6c, 0x44,
                                         0x96, 0xad, 0x2b, 0xe1, 0x3a, 0x56, 0x65, 0xb0};
    size_t log_size = 0, db_size = 0;
    unsigned char *log = read_whole_file(shared_path("testdata/evtx/win10-desktopimgdownldr.evtx"), &log_size);
    unsigned char *db = read_whole_file(shared_path("testdata/ese/win10-19045.qmgr.db"), &db_size);
    CHECK(log && db);
    size_t replaced = 0;
    for (size_t i = 0; log && i + 16 <= log_size; i++)
        if (memcmp(log + i, log_id, 16) == 0) {
            memcpy(log + i, queue_id, 16);
            replaced++;
        }
    CHECK_U64(replaced, 5);
    for (int order = 0; order < 2; order++) {
        bp_result *result = NULL;
        if (order == 0) {
            bp_parse_memory(db, db_size, "qmgr.db", &result);
            bp_parse_memory(log, log_size, "bits.evtx", &result);
        } else {
            bp_parse_memory(log, log_size, "bits.evtx", &result);
            bp_parse_memory(db, db_size, "qmgr.db", &result);
        }
        const bp_record *r = only_record(result);
        if (r) {
            CHECK_STR(r->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0");
            CHECK_STR(r->job_source.format, "ese");
            CHECK_STR(r->job->name, "Chrome Component Updater");  /* the queue's facts stay */
            CHECK_STR(r->owner_account, "MSEDGEWIN10\\IEUser");
            static const uint32_t ids[] = {3, 209, 59, 60, 4};
            check_event_ids(r, ids, 5);
            if (r->event_count)
                CHECK_STR(r->events[0].log, "bits.evtx");
        }
        bp_result_free(result);
    }
    free(log);
    free(db);
}

int main(void)
{
    test_desktopimgdownldr();
    test_server_t1197();
    test_win7();
    test_openvpn_volume();
    test_folder();
    test_merge_with_queue();
    return check_exit();
}
