/* Bits-Client events to records (src/evtx/bits_client_log.c) on hand-made
 * event sequences: both event 3 layouts, linking by title, several URLs per
 * job, errors, unknown layouts and events that name no job. */
#include <stdarg.h>
#include <stdlib.h>

#include "check.h"
#include "time_text.h"
#include "result/result.h"
#include "evtx/bits_client_log.h"
#include "evtx/evtx_log.h"

#define MAX_ITEMS 20

static const char *const names_3[] = {"jobTitle", "jobId", "jobOwner", "processPath", "processId"};
static const char *const names_3_win7[] = {"string", "string2", "string3"};
static const char *const names_4[] = {"User", "jobTitle", "jobId", "jobOwner", "fileCount", "bytesTransferred",
                                      "bytesTransferredFromPeer"};
static const char *const names_5[] = {"User", "jobTitle", "jobId", "jobOwner", "fileCount"};
static const char *const names_59[] = {"transferId", "name", "Id", "url", "peer", "fileTime", "fileLength",
                                       "bytesTotal", "bytesTransferred", "bytesTransferredFromPeer"};
static const char *const names_60[] = {"transferId", "name", "Id", "url", "peer", "hr", "fileTime", "fileLength",
                                       "bytesTotal", "bytesTransferred", "proxy", "peerProtocolFlags",
                                       "bytesTransferredFromPeer", "AdditionalInfoHr", "PeerContextInfo",
                                       "bandwidthLimit", "ignoreBandwidthLimitsOnLan"};

static uint64_t at(const char *text)
{
    uint64_t t = 0;
    CHECK(evtx_parse_time(text, &t));
    return t;
}

typedef struct feeder {
    bp_result *result;
    bits_log *log;
    uint64_t next_record;
} feeder;

static void start(feeder *f)
{
    f->result = result_new();
    f->log = bits_log_new(f->result, "test.evtx");
    f->next_record = 1;
}

/* One event; names NULL = the items carry no usable names. */
static void feed(feeder *f, uint32_t id, const char *time, const char *const *names, size_t count, ...)
{
    const char *values[MAX_ITEMS];
    va_list args;
    va_start(args, count);
    for (size_t i = 0; i < count && i < MAX_ITEMS; i++)
        values[i] = va_arg(args, const char *);
    va_end(args);
    evtx_event e;
    memset(&e, 0, sizeof e);
    e.record_id = f->next_record;
    e.offset = 0x1200 + 0x100 * f->next_record++;
    e.event_id = id;
    e.time = e.written_time = at(time);
    e.provider = BITS_CLIENT_PROVIDER;
    e.channel = "Microsoft-Windows-Bits-Client/Operational";
    e.data_count = count;
    e.values = values;
    e.names = names;
    CHECK(bits_log_add(f->log, &e));
}

static bp_note_list finish(feeder *f)
{
    bp_note_list notes = {NULL, NULL, 0};
    CHECK(bits_log_finish(f->log, &notes));
    return notes;
}

static bool has_note(const bp_note_list *notes, const char *part)
{
    for (const bp_note *n = notes->head; n; n = n->next)
        if (strstr(n->text, part))
            return true;
    return false;
}

/* Windows 10: 3, 59, 60, 4 give one record with everything. */
static void test_windows10(void)
{
    feeder f;
    start(&f);
    feed(&f, 3, "2021-01-02T03:04:05.1234567Z", names_3, 5, "Updater", "{AAAAAAAA-1111-2222-3333-444455556666}",
         "CORP\\alice", "C:\\Tools\\up.exe", "4242");
    feed(&f, 59, "2021-01-02T03:04:06Z", names_59, 10, "{BBBBBBBB-1111-2222-3333-444455556666}", "Updater",
         "{AAAAAAAA-1111-2222-3333-444455556666}", "https://example.org/a.bin", "", "2020-12-31T00:00:00.000000000Z",
         "1000", "1000", "0", "0");
    feed(&f, 60, "2021-01-02T03:04:07Z", names_60, 17, "{BBBBBBBB-1111-2222-3333-444455556666}", "Updater",
         "{AAAAAAAA-1111-2222-3333-444455556666}", "https://example.org/a.bin", "", "0",
         "2020-12-31T00:00:00.000000000Z", "1000", "1000", "1000", "", "0", "0", "0", "0", "18446744073709551615",
         "false");
    feed(&f, 4, "2021-01-02T03:04:08Z", names_4, 7, "CORP\\alice", "Updater", "{AAAAAAAA-1111-2222-3333-444455556666}",
         "CORP\\alice", "1", "1000", "0");
    bp_note_list notes = finish(&f);
    CHECK_U64(notes.count, 0);
    CHECK_U64(bp_result_count(f.result), 1);
    const bp_record *r = bp_result_record(f.result, 0);
    CHECK_STR(r->job->job_id, "aaaaaaaa-1111-2222-3333-444455556666");
    CHECK_STR(r->job->name, "Updater");
    CHECK_STR(r->owner_account, "CORP\\alice");
    CHECK_STR(r->job->owner_sid, "");
    CHECK_STR(r->job->creator_program, "C:\\Tools\\up.exe");
    CHECK_STR(time_text(r->job->created), "2021-01-02T03:04:05.1234567Z");
    CHECK_STR(time_text(r->job->completed), "2021-01-02T03:04:08.0000000Z");
    CHECK_STR(bp_job_state_name(r->job->state), "BG_JOB_STATE_ACKNOWLEDGED");
    CHECK(!r->job->has_error);
    CHECK_STR(r->job_source.format, "evtx");
    CHECK_STR(r->job_source.path, "test.evtx");
    CHECK_U64(r->job_source.offset, 0x1300);
    CHECK_U64(r->file_source.offset, 0x1400);
    CHECK_STR(r->file->remote_url, "https://example.org/a.bin");
    CHECK_STR(r->file->local_path, "");
    CHECK_U64(r->file->bytes_total, 1000);
    CHECK_U64(r->file->bytes_transferred, 1000);
    CHECK_STR(time_text(r->file->remote_file_time), "2020-12-31T00:00:00.0000000Z");
    CHECK_U64(r->event_count, 4);
    CHECK_U64(r->events[0].event_id, 3);
    CHECK_STR(r->events[0].what, "job \"Updater\" created by CORP\\alice, process C:\\Tools\\up.exe (pid 4242)");
    CHECK_STR(r->events[0].log, "test.evtx");
    CHECK_U64(r->events[0].record_id, 1);
    CHECK_STR(r->events[1].what, "transfer {BBBBBBBB-1111-2222-3333-444455556666} started: https://example.org/a.bin "
                                 "(0 of 1000 bytes)");
    CHECK_STR(r->events[2].what, "transfer {BBBBBBBB-1111-2222-3333-444455556666} stopped, status 0x00000000: "
                                 "https://example.org/a.bin (1000 of 1000 bytes)");
    CHECK_STR(r->events[3].what, "job \"Updater\" completed: 1 file(s), 1000 bytes transferred, by CORP\\alice");
    CHECK_STR(time_text(r->events[3].time), "2021-01-02T03:04:08.0000000Z");
    CHECK_U64(r->warnings.count + r->job->warnings.count, 0);
    bp_result_free(f.result);
}

/* Windows 7: event 3 has no job id; two jobs share a title. */
static void test_windows7_linking(void)
{
    feeder f;
    start(&f);
    feed(&f, 3, "2019-05-12T18:00:00Z", names_3_win7, 3, "same", "PC\\bob", "");
    feed(&f, 3, "2019-05-12T18:01:00Z", names_3_win7, 3, "same", "PC\\bob", "");
    feed(&f, 3, "2019-05-12T18:02:00Z", names_3_win7, 3, "lonely", "PC\\bob", "");
    feed(&f, 3, "2019-05-12T18:03:00Z", names_3_win7, 3, "later", "PC\\bob", "");
    /* the first job named: takes the earliest "same" */
    feed(&f, 59, "2019-05-12T18:02:30Z", names_59, 10, "{11111111-0000-0000-0000-000000000001}", "same",
         "{22222222-0000-0000-0000-000000000001}", "C:\\x.exe", "", "2010-11-20T12:17:00.401000000Z", "10", "10",
         "0", "0");
    feed(&f, 59, "2019-05-12T18:02:40Z", names_59, 10, "{11111111-0000-0000-0000-000000000002}", "same",
         "{22222222-0000-0000-0000-000000000002}", "C:\\y.exe", "", "2010-11-20T12:17:00.401000000Z", "20", "20",
         "0", "0");
    /* named before its event 3 was written: no link, no creation time */
    feed(&f, 59, "2019-05-12T18:02:50Z", names_59, 10, "{11111111-0000-0000-0000-000000000003}", "later",
         "{22222222-0000-0000-0000-000000000003}", "C:\\z.exe", "", "2010-11-20T12:17:00.401000000Z", "30", "30",
         "0", "0");
    bp_note_list notes = finish(&f);
    CHECK_U64(notes.count, 0);
    /* the four creations and three jobs: "same" x2 linked, "lonely" and "later" orphans + job 3 */
    CHECK_U64(bp_result_count(f.result), 5);
    const bp_record *r = bp_result_record(f.result, 0);
    CHECK_STR(r->job->job_id, "22222222-0000-0000-0000-000000000001");
    CHECK_STR(time_text(r->job->created), "2019-05-12T18:00:00.0000000Z");
    CHECK_STR(r->owner_account, "PC\\bob");
    CHECK_U64(r->event_count, 2);
    CHECK_U64(r->events[0].event_id, 3);
    CHECK_STR(r->events[0].what, "job \"same\" created by PC\\bob");
    CHECK_U64(r->job->warnings.count, 1);
    CHECK(r->job->warnings.head &&
          strstr(r->job->warnings.head->text, "event 3 (job created, record 1 at 2019-05-12T18:00:00.0000000Z) "
                                              "names no job id (Windows 7 layout): linked to this job by its title "
                                              "\"same\" and time; the first event naming the job id is record 5 "
                                              "(event 59) at 2019-05-12T18:02:30.0000000Z; 2 such events 3 were "
                                              "candidates, the earliest was taken"));
    r = bp_result_record(f.result, 1);
    CHECK_STR(r->job->job_id, "22222222-0000-0000-0000-000000000002");
    CHECK_STR(time_text(r->job->created), "2019-05-12T18:01:00.0000000Z");
    CHECK(r->job->warnings.head && !strstr(r->job->warnings.head->text, "candidates"));
    r = bp_result_record(f.result, 2);
    CHECK_STR(r->job->job_id, "");
    CHECK_STR(r->job->name, "lonely");
    CHECK_STR(time_text(r->job->created), "2019-05-12T18:02:00.0000000Z");
    CHECK(!r->file);
    CHECK(r->job->warnings.head && strstr(r->job->warnings.head->text, "the job id is unknown"));
    r = bp_result_record(f.result, 3);
    CHECK_STR(r->job->name, "later");
    CHECK_STR(r->job->job_id, "");
    r = bp_result_record(f.result, 4);
    CHECK_STR(r->job->job_id, "22222222-0000-0000-0000-000000000003");
    CHECK_U64(r->job->created, 0);
    CHECK_STR(r->job->name, "later");
    CHECK_U64(r->job->warnings.count, 0);
    bp_result_free(f.result);
}

/* Two URLs: two records; the job's own events on the first only. A failed
 * last transfer of a cancelled job is its error. */
static void test_urls_and_errors(void)
{
    feeder f;
    start(&f);
    const char *job = "{CCCCCCCC-0000-0000-0000-000000000000}";
    feed(&f, 3, "2022-01-01T00:00:00Z", names_3, 5, "two", job, "D\\u", "C:\\p.exe", "1");
    feed(&f, 59, "2022-01-01T00:00:01Z", names_59, 10, "{DDDDDDDD-0000-0000-0000-000000000001}", "two", job,
         "http://h/one", "peer1", "2021-01-01T00:00:00.000000000Z", "18446744073709551615", "18446744073709551615",
         "0", "0");
    feed(&f, 61, "2022-01-01T00:00:02Z", names_60, 17, "{DDDDDDDD-0000-0000-0000-000000000001}", "two", job,
         "http://h/one", "", "2147954407", "2021-01-01T00:00:00.000000000Z", "500", "18446744073709551615", "5", "",
         "0", "0", "0", "0", "18446744073709551615", "false");
    feed(&f, 59, "2022-01-01T00:00:03Z", names_59, 10, "{DDDDDDDD-0000-0000-0000-000000000002}", "two", job,
         "http://h/two", "", "2021-01-01T00:00:00.000000000Z", "7", "7", "0", "0");
    feed(&f, 61, "2022-01-01T00:00:04Z", names_60, 17, "{DDDDDDDD-0000-0000-0000-000000000002}", "two", job,
         "http://h/two", "", "-2145844844", "2021-01-01T00:00:00.000000000Z", "7", "7", "3", "", "0", "0", "0", "0",
         "0", "false");
    feed(&f, 209, "2022-01-01T00:00:05Z", (const char *const[]){"jobName", "jobId", "isRoaming"}, 3, "two", job, "0");
    feed(&f, 5, "2022-01-01T00:00:06Z", names_5, 5, "D\\admin", "two", job, "D\\u", "2");
    bp_note_list notes = finish(&f);
    CHECK_U64(notes.count, 0);
    CHECK_U64(bp_result_count(f.result), 2);
    const bp_record *a = bp_result_record(f.result, 0);
    const bp_record *b = bp_result_record(f.result, 1);
    CHECK(a->job == b->job);
    CHECK_STR(bp_job_state_name(a->job->state), "BG_JOB_STATE_CANCELLED");
    CHECK_U64(a->job->completed, 0);
    CHECK(a->job->has_error);
    CHECK_U64(a->job->error_count, 1);
    CHECK_U64(a->job->error_hresult, 0x80190194);  /* the last stop: -2145844844 */
    CHECK_STR(a->file->remote_url, "http://h/one");
    CHECK_U64(a->file->bytes_total, 500);           /* bytesTotal unknown: fileLength */
    CHECK_U64(a->file->bytes_transferred, 5);
    CHECK_STR(b->file->remote_url, "http://h/two");
    CHECK_U64(b->file->bytes_total, 7);
    CHECK_U64(b->file->bytes_transferred, 3);
    /* first record: 3, 59, 61, 209, 5; second: 59, 61 */
    CHECK_U64(a->event_count, 5);
    CHECK_U64(b->event_count, 2);
    if (a->event_count == 5) {
        CHECK_U64(a->events[0].event_id, 3);
        CHECK_U64(a->events[1].event_id, 59);
        CHECK_STR(a->events[1].what, "transfer {DDDDDDDD-0000-0000-0000-000000000001} started: http://h/one "
                                     "(0 bytes, total unknown), peer peer1");
        CHECK_STR(a->events[2].what, "transfer {DDDDDDDD-0000-0000-0000-000000000001} failed with 0x80072EE7: "
                                     "http://h/one (5 of 500 bytes)");
        CHECK_U64(a->events[3].event_id, 209);
        CHECK_STR(a->events[3].what, "jobName=two, isRoaming=0");
        CHECK_STR(a->events[4].what, "job \"two\" cancelled by D\\admin: 2 file(s)");
    }
    if (b->event_count == 2)
        CHECK_STR(b->events[1].what, "transfer {DDDDDDDD-0000-0000-0000-000000000002} failed with 0x80190194: "
                                     "http://h/two (3 of 7 bytes)");
    bp_result_free(f.result);

    /* a failure followed by success and completion is no error */
    start(&f);
    feed(&f, 61, "2022-01-01T00:00:02Z", names_60, 17, "{DDDDDDDD-0000-0000-0000-000000000001}", "x", job, "http://h",
         "", "2147954407", "", "1", "1", "0", "", "0", "0", "0", "0", "0", "false");
    feed(&f, 60, "2022-01-01T00:00:03Z", names_60, 17, "{DDDDDDDD-0000-0000-0000-000000000001}", "x", job, "http://h",
         "", "0", "", "1", "1", "1", "", "0", "0", "0", "0", "0", "false");
    notes = finish(&f);
    CHECK_U64(bp_result_count(f.result), 1);
    CHECK(!bp_result_record(f.result, 0)->job->has_error);
    CHECK_U64(bp_result_record(f.result, 0)->job->state, UINT32_MAX);  /* unknown */
    CHECK_U64(bp_result_record(f.result, 0)->file->remote_file_time, 0);
    bp_result_free(f.result);
}

/* Layouts this version does not know: warnings, no records, no crash. */
static void test_unknown_layouts(void)
{
    feeder f;
    start(&f);
    /* unnamed items, counts no known layout has */
    feed(&f, 59, "2022-01-01T00:00:00Z", NULL, 4, "a", "b", "c", "d");
    feed(&f, 3, "2022-01-01T00:00:00Z", NULL, 7, "a", "b", "c", "d", "e", "f", "g");
    /* the positional layout, but the ids are no GUIDs */
    feed(&f, 59, "2022-01-01T00:00:00Z", NULL, 10, "x", "t", "not-a-guid", "u", "", "", "1", "1", "0", "0");
    /* names of another version only */
    feed(&f, 60, "2022-01-01T00:00:00Z", (const char *const[]){"foo", "bar"}, 2, "1", "2");
    /* an event without items: neither a job event nor a warning */
    feed(&f, 306, "2022-01-01T00:00:00Z", NULL, 0);
    feed(&f, 310, "2022-01-01T00:00:00Z", (const char *const[]){"ErrorCode"}, 1, "2147942450");
    /* a job event naming neither a job id nor a known title */
    feed(&f, 4, "2022-01-01T00:00:00Z", (const char *const[]){"jobTitle", "User"}, 2, "nobody", "u");
    bp_note_list notes = finish(&f);
    CHECK_U64(bp_result_count(f.result), 0);
    CHECK_U64(notes.count, 2);
    CHECK(has_note(&notes, "4 Microsoft-Windows-Bits-Client events have a data layout this version does not know "
                           "and were not used (event id x count: 59 x2, 3 x1, 60 x1)"));
    CHECK(has_note(&notes, "1 job events name neither a job id nor the title of a known job"));
    bp_result_free(f.result);

    /* positional Windows 10 layouts (no names) still work; an event without
     * a job id finds its job by title, with a warning */
    start(&f);
    feed(&f, 3, "2022-01-01T00:00:00Z", NULL, 5, "pos", "{EEEEEEEE-0000-0000-0000-000000000000}", "o", "p.exe", "9");
    feed(&f, 5, "2022-01-01T00:00:01Z", (const char *const[]){"User", "jobTitle"}, 2, "o", "pos");
    notes = finish(&f);
    CHECK_U64(notes.count, 0);
    CHECK_U64(bp_result_count(f.result), 1);
    const bp_record *r = bp_result_record(f.result, 0);
    CHECK_STR(r->job->job_id, "eeeeeeee-0000-0000-0000-000000000000");
    CHECK_STR(r->job->creator_program, "p.exe");
    CHECK_STR(bp_job_state_name(r->job->state), "BG_JOB_STATE_CANCELLED");
    CHECK_U64(r->event_count, 2);
    CHECK(r->job->warnings.head &&
          strstr(r->job->warnings.head->text, "event 5 (record 2) names no job id: attached to this job by its title"));
    bp_result_free(f.result);
}

int main(void)
{
    test_windows10();
    test_windows7_linking();
    test_urls_and_errors();
    test_unknown_layouts();
    return check_exit();
}
