/* Issue 18: records libevtx finds in a log's free space. With --carve the
 * Bits-Client ones are events of their jobs, marked recovered, with their
 * offsets; without, one note says how many --carve would recover, and none
 * when there are none. win10-19043-rathbunvm.evtx: 9 such records, all event
 * 59 (`evtxexport -m recovered`: EventRecordID 114, 115, 122, 130, 137, 146,
 * 155, 156, 163), copies of live records left in chunk 3's free space. The
 * other logs hold none that libevtx can read (server-dc-t1197.evtx: libevtx
 * counts 149, exports none) and are read completely: status 0. */
#include <stdlib.h>

#include "bitsparse/bitsparse.h"
#include "check.h"

#define RATHBUN "testdata/evtx/win10-19043-rathbunvm.evtx"

static const struct {
    uint64_t record_id, offset;
    const char *job_id, *transfer;
} expected[] = {
    {114, 164512, "2cf7b874-a0a3-468d-b19a-b585be2a0fbe", "transfer {ABE45016-B9F6-466C-8EA5-CE97CC778F61} started: "},
    {115, 165168, "f5f67bfb-f46e-4db1-9c0c-3204e23f9a57", "transfer {0C38774A-1841-4C2C-AE8B-1756BDDBF085} started: "},
    {122, 170024, "b2a4a90a-42cc-45d8-84d9-175b466c79c5", "transfer {83EA6BF9-A234-460C-988E-F23B3AC806EE} started: "},
    {130, 174528, "1fdb2906-505a-4541-a7f2-a8f50d86a251", "transfer {DA22DF55-220E-4C27-9FC2-50AD296A9A02} started: "},
    {137, 179096, "8cd24e4e-bc15-458b-a0f4-c4aa566449e3", "transfer {02B09C68-1C1B-43D5-AED5-1C7E2D4C4CD5} started: "},
    {146, 184784, "fa899976-1a16-4c1b-8801-b18d2d9437c9", "transfer {185B480E-91EF-4536-8D95-46835C39B3D0} started: "},
    {155, 190616, "5e4a5c0a-707c-4b2e-8b72-7c92c45d91cb", "transfer {DC6A016A-3B70-45A2-AC37-D5DA46B88F56} started: "},
    {156, 191232, "b6120e68-c671-44bf-9ffa-0ceb96a33b1c", "transfer {DE3E0A98-FD90-4172-AF33-E61DEFB3CD07} started: "},
    {163, 195928, "b1146e1a-c802-420e-9488-69c4fc8fa59a", "transfer {75F6EB97-5EAF-47A2-BC76-C010F6162B46} started: "},
};

static size_t input_warnings(const bp_result *result, const char *part)
{
    size_t n = 0;
    for (const bp_note *note = bp_result_warnings(result)->head; note; note = note->next)
        n += strstr(note->text, part) != NULL;
    return n;
}

static const bp_event *recovered_event(const bp_result *result, uint64_t record_id, const char **job_id)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t e = 0; e < r->event_count; e++)
            if (r->events[e].recovered && r->events[e].record_id == record_id) {
                *job_id = r->job->job_id;
                return &r->events[e];
            }
    }
    return NULL;
}

static size_t count_recovered(const bp_result *result)
{
    size_t n = 0;
    for (size_t i = 0; i < bp_result_count(result); i++)
        for (size_t e = 0; e < bp_result_record(result, i)->event_count; e++)
            n += bp_result_record(result, i)->events[e].recovered;
    return n;
}

static void test_carving(void)
{
    bp_parse_options carve = {.carve = true};
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path_ex(shared_path(RATHBUN), &carve, &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_warnings(result)->count, 0);
    CHECK_U64(bp_result_count(result), 32);  /* the same jobs: every recovered record names a live one */
    CHECK_U64(count_recovered(result), 9);
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        const char *job_id = "";
        const bp_event *e = recovered_event(result, expected[i].record_id, &job_id);
        CHECK(e != NULL);
        if (!e)
            continue;
        CHECK_U64(e->event_id, 59);
        CHECK_U64(e->offset, expected[i].offset);
        CHECK_STR(job_id, expected[i].job_id);
        CHECK(strncmp(e->what, expected[i].transfer, strlen(expected[i].transfer)) == 0);
    }
    const char *job_id = "";
    const bp_event *first = recovered_event(result, 114, &job_id);
    if (first) {
        CHECK_STR(first->what, "transfer {ABE45016-B9F6-466C-8EA5-CE97CC778F61} started: "
                               "https://oneclient.sfx.ms/Win/Prod/22.002.0103.0004/amd64/OneDriveSetup.exe "
                               "(0 of 49568616 bytes)");
        char time[32];
        bp_format_filetime(first->time, time);
        CHECK_STR(time, "2022-02-06T19:32:59.3539373Z");
    }
    /* the copy fills in nothing the live records tell: that job's file stays
     * as its live event 60 left it */
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (!strcmp(r->job->job_id, "2cf7b874-a0a3-468d-b19a-b585be2a0fbe") && r->file) {
            CHECK_U64(r->file->bytes_transferred, 49568616);
            CHECK_STR(bp_job_state_name(r->job->state), "BG_JOB_STATE_ACKNOWLEDGED");
        }
    }
    bp_result_free(result);
}

static void test_not_carving(void)
{
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(shared_path(RATHBUN), &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_warnings(result)->count, 1);
    CHECK_U64(input_warnings(result, "win10-19043-rathbunvm.evtx: 9 Microsoft-Windows-Bits-Client records lie in "
                                    "the log's free space (deleted, overwritten or not committed); --carve "
                                    "recovers them"),
              1);
    CHECK_U64(bp_result_count(result), 32);
    CHECK_U64(count_recovered(result), 0);
    bp_result_free(result);
}

/* Logs without Bits-Client records in free space: no note, status 0, with
 * or without --carve. */
static void test_read_completely(void)
{
    static const char *const logs[] = {"testdata/evtx/win10-desktopimgdownldr.evtx",
                                       "testdata/evtx/server-dc-t1197.evtx",
                                       "testdata/evtx/win10-19044-aptsimulator.evtx",
                                       "testdata/evtx/win10-openvpn.evtx"};
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++) {
        for (int carving = 0; carving < 2; carving++) {
            bp_parse_options options = {.carve = carving != 0};
            bp_result *result = NULL;
            CHECK_U64(bp_parse_path_ex(shared_path(logs[i]), &options, &result), BP_STATUS_CLEAN);
            CHECK_U64(bp_result_warnings(result)->count, 0);
            CHECK_U64(count_recovered(result), 0);
            bp_result_free(result);
        }
    }
}

int main(void)
{
    test_carving();
    test_not_carving();
    test_read_completely();
    return check_exit();
}
