/* Regression (code review, finding 1): without --carve the event-log reader
 * still had libevtx decode every record it finds in free space (its most
 * fragile path), only to count the Bits-Client ones for a note; a crash there
 * cost a reader restart and a warning in the default mode. Now libevtx reads
 * free space only with --carve; without, the note's count comes from
 * bitsparse's own chunk walk (free-space records that name the provider and
 * whose template is still in the chunk).
 * win10-19043-rathbunvm.evtx: libevtx lists 204 records, so index 204 is the
 * first free-space record. The test hook kills the reader there: without
 * --carve nothing notices (the only warning is the note, 9 records); with
 * --carve the crash is reported, and without the hook the 9 recovered EID 59
 * events (EventRecordIDs 114 ... 163) are read. */
#include "bitsparse/bitsparse.h"
#include "check.h"
#include "evtx/evtx_log.h"

#define LOG "testdata/evtx/win10-19043-rathbunvm.evtx"
#define LABEL "rathbunvm.evtx"

static bp_result *parse(const unsigned char *data, size_t size, bool carve, int *status)
{
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = carve;
    bp_result *result = NULL;
    *status = bp_parse_memory_ex(data, size, LABEL, &options, &result);
    return result;
}

static bool has_warning(const bp_result *result, const char *text)
{
    for (const bp_note *n = bp_result_warnings(result)->head; n; n = n->next)
        if (strcmp(n->text, text) == 0)
            return true;
    return false;
}

int main(void)
{
    size_t size = 0;
    unsigned char *data = read_whole_file(shared_path(LOG), &size);
    CHECK(data != NULL);
    if (!data)
        return check_exit();
    int status;

    /* default mode: free space is not decoded, so the crash is never reached */
    evtx_log_simulate_crash(204);
    bp_result *result = parse(data, size, false, &status);
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_warnings(result)->count, 1);
    CHECK(has_warning(result, LABEL ": 9 Microsoft-Windows-Bits-Client records lie in the log's free space (deleted, "
                              "overwritten or not committed); --carve recovers them"));
    size_t recovered = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t k = 0; k < r->event_count; k++)
            recovered += r->events[k].recovered;
    }
    CHECK_U64(recovered, 0);
    bp_result_free(result);

    /* --carve: libevtx reads free space, and the hook is reached there */
    result = parse(data, size, true, &status);
    CHECK(has_warning(result, LABEL ": record 0 in free space: libevtx crashed (signal 9); it was skipped and "
                              "reading went on after it"));
    bp_result_free(result);

    /* --carve without the hook: the 9 recovered events */
    evtx_log_simulate_crash(-1);
    result = parse(data, size, true, &status);
    static const uint64_t want[] = {114, 115, 122, 130, 137, 146, 155, 156, 163};
    uint64_t ids[16];
    size_t n = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t k = 0; k < r->event_count; k++)
            if (r->events[k].recovered) {
                CHECK_U64(r->events[k].event_id, 59);
                if (n < 16)
                    ids[n] = r->events[k].record_id;
                n++;
            }
    }
    CHECK_U64(n, 9);
    /* in ascending order after sorting (records list them by job) */
    for (size_t i = 0; i < n && i < 16; i++)
        for (size_t j = i + 1; j < n && j < 16; j++)
            if (ids[j] < ids[i]) {
                uint64_t t = ids[i];
                ids[i] = ids[j];
                ids[j] = t;
            }
    for (size_t i = 0; i < 9 && i < n; i++)
        CHECK_U64(ids[i], want[i]);
    CHECK(!has_warning(result, LABEL ": 9 Microsoft-Windows-Bits-Client records lie in the log's free space (deleted, "
                               "overwritten or not committed); --carve recovers them"));
    bp_result_free(result);
    free(data);
    return check_exit();
}
