/* Issue 18: live copies of a log whose file header lags its chunks (the
 * dirty flag set) are read to the last valid chunk, without a warning.
 * win10-19044-aptsimulator.evtx: the header says 1 chunk and next record 1;
 * there are 2 chunks and 115 records, 19 jobs. win10-19043-rathbunvm.evtx:
 * the header says 2 chunks and next record 133; 3 chunks, 204 records, 32
 * jobs (EXPECTED.md; `evtxexport` lists the same). A byte changed in the
 * second chunk of the dirty log is still reported as damage. */
#include <stdlib.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "result/result.h"
#include "evtx/bits_client_log.h"
#include "evtx/evtx_log.h"

typedef struct tally {
    size_t per_id[20000];
    uint64_t min_record, max_record;
    size_t recovered;
} tally;

static bool count(const evtx_event *e, void *context)
{
    tally *t = context;
    if (e->recovered) {  /* free space: test_evtx_recovered_records */
        t->recovered++;
        return true;
    }
    if (e->event_id < 20000)
        t->per_id[e->event_id]++;
    if (!t->min_record || e->record_id < t->min_record)
        t->min_record = e->record_id;
    if (e->record_id > t->max_record)
        t->max_record = e->record_id;
    return true;
}

static uint64_t le(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

static bool any_warning(const bp_result *result, const char *part)
{
    for (const bp_note *n = bp_result_warnings(result)->head; n; n = n->next)
        if (strstr(n->text, part))
            return true;
    return false;
}

/* The log through the reader (every record) and through the API (jobs). */
static void check_log(const char *name, uint64_t header_chunks, uint64_t header_next, size_t records, size_t jobs,
                      const uint32_t (*ids)[2], size_t id_count)
{
    size_t size = 0;
    uint8_t *data = read_whole_file(shared_path(name), &size);
    CHECK(data && size > 4096);
    if (!data)
        return;
    CHECK_U64(le(data + 42, 2), header_chunks);    /* what the header claims */
    CHECK_U64(le(data + 24, 8), header_next);
    CHECK_U64(le(data + 120, 4) & 1, 1);           /* dirty */

    util_arena arena;
    util_arena_init(&arena);
    bp_note_list notes = {NULL, NULL, 0};
    evtx_log_stats stats;
    tally *t = calloc(1, sizeof(*t));
    CHECK(evtx_log_read(data, size, BITS_CLIENT_PROVIDER, true, count, t, &arena, &notes, &stats));
    CHECK_U64(stats.records, records);
    CHECK_U64(stats.delivered, records);
    CHECK_U64(stats.recovered_delivered, t->recovered);
    CHECK_U64(stats.unreadable, 0);
    CHECK(stats.dirty);
    CHECK_U64(notes.count, 0);  /* not "corrupted": every chunk passes its CRC32s */
    CHECK_U64(t->min_record, 1);
    CHECK_U64(t->max_record, records);
    for (size_t i = 0; i < id_count; i++)
        CHECK_U64(t->per_id[ids[i][0]], ids[i][1]);
    free(t);
    util_arena_free(&arena);

    bp_result *result = NULL;
    bp_parse_memory(data, size, name, &result);
    CHECK_U64(bp_result_count(result), jobs);  /* one URL per job in these logs */
    size_t distinct = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const char *id = bp_result_record(result, i)->job->job_id;
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = !strcmp(bp_result_record(result, k)->job->job_id, id);
        distinct += !seen && strlen(id) == 36;
    }
    CHECK_U64(distinct, jobs);
    CHECK(!any_warning(result, "corrupted"));
    bp_result_free(result);

    /* a byte of a record in the last chunk changed: that chunk fails its CRC32 */
    size_t last_chunk = 4096 + (size_t)(records == 115 ? 1 : 2) * 65536;
    data[last_chunk + 600] ^= 0x20;
    result = NULL;
    CHECK_U64(bp_parse_memory(data, size, name, &result), BP_STATUS_WARNINGS);
    CHECK(any_warning(result, "1 chunk(s) fail their CRC32 checksums (the first at offset"));
    bp_result_free(result);
    free(data);
}

int main(void)
{
    static const uint32_t apt[][2] = {{3, 19}, {16403, 19}, {59, 25}, {60, 20}, {61, 5}, {4, 18}, {5, 1},
                                      {209, 4}, {306, 2}, {310, 2}};
    check_log("testdata/evtx/win10-19044-aptsimulator.evtx", 1, 1, 115, 19, apt, sizeof apt / sizeof apt[0]);
    static const uint32_t rathbun[][2] = {{306, 14}, {3, 32}, {16403, 32}, {59, 39}, {60, 34}, {61, 5},
                                          {4, 30}, {5, 2}, {209, 4}, {310, 11}, {313, 1}};
    check_log("testdata/evtx/win10-19043-rathbunvm.evtx", 2, 133, 204, 32, rathbun,
              sizeof rathbun / sizeof rathbun[0]);
    return check_exit();
}
