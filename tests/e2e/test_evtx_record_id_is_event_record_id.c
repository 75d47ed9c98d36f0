/* Issue 18: an event's record_id is its EventRecordID (System/EventRecordID,
 * what Event Viewer and `evtxexport -f xml` show), not the record header's
 * counter. win10-desktopimgdownldr.evtx is an exported log: its record headers
 * count 1-5, its events are EventRecordID 2774-2778 (EXPECTED.md). */
#include "bitsparse/bitsparse.h"
#include "check.h"

int main(void)
{
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(shared_path("testdata/evtx/win10-desktopimgdownldr.evtx"), &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 1);
    if (bp_result_count(result) == 1) {
        const bp_record *r = bp_result_record(result, 0);
        static const uint32_t ids[] = {3, 209, 59, 60, 4};
        /* offsets: the records' places in the file, from the chunk walk */
        static const uint64_t offsets[] = {4608, 6672, 7280, 8408, 9992};
        CHECK_U64(r->event_count, 5);
        for (size_t i = 0; i < 5 && i < r->event_count; i++) {
            CHECK_U64(r->events[i].event_id, ids[i]);
            CHECK_U64(r->events[i].record_id, 2774 + i);
            CHECK_U64(r->events[i].offset, offsets[i]);
            CHECK(!r->events[i].recovered);
        }
    }
    bp_result_free(result);

    /* the Windows 7 log's EventRecordIDs are not consecutive: 3815, 3817, 3818, 3825 ... */
    result = NULL;
    bp_parse_path(shared_path("testdata/evtx/win7-persist-bitsadmin.evtx"), &result);
    CHECK_U64(bp_result_count(result), 2);
    static const uint64_t win7[2][3] = {{3815, 3817, 3818}, {3825, 3827, 3828}};
    for (size_t i = 0; i < 2 && i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        CHECK_U64(r->event_count, 3);
        for (size_t e = 0; e < 3 && e < r->event_count; e++)
            CHECK_U64(r->events[e].record_id, win7[i][e]);
    }
    bp_result_free(result);
    return check_exit();
}
