/* The .evtx reader (src/evtx/evtx_log.c): time text, the signature, every
 * record of the real samples with its id, time, channel and named data, a
 * log whose provider was renamed in memory, and damaged copies (truncated,
 * bytes flipped) that must give warnings, never a crash. */
#include <stdlib.h>

#include "check.h"
#include "time_text.h"
#include "result/result.h"
#include "evtx/bits_client_log.h"
#include "evtx/evtx_log.h"

static void test_parse_time(void)
{
    uint64_t t = 12345;
    CHECK(evtx_parse_time("2020-07-03T08:55:46.352339300Z", &t));
    CHECK_STR(time_text(t), "2020-07-03T08:55:46.3523393Z");
    CHECK(evtx_parse_time("2010-11-20T12:17:00.401000000Z", &t));
    CHECK_STR(time_text(t), "2010-11-20T12:17:00.4010000Z");
    CHECK(evtx_parse_time("2021-05-19T02:42:52Z", &t));
    CHECK_STR(time_text(t), "2021-05-19T02:42:52.0000000Z");
    CHECK(evtx_parse_time("2020-02-29T23:59:59.9999999Z", &t));
    CHECK_STR(time_text(t), "2020-02-29T23:59:59.9999999Z");
    CHECK(evtx_parse_time("2000-02-29T00:00:00.5Z", &t));
    CHECK_STR(time_text(t), "2000-02-29T00:00:00.5000000Z");
    /* FILETIME 0 and 1 and the last printable one */
    CHECK(evtx_parse_time("1601-01-01T00:00:00.000000000Z", &t));
    CHECK_U64(t, 0);
    CHECK(evtx_parse_time("1601-01-01T00:00:00.0000001Z", &t));
    CHECK_U64(t, 1);
    CHECK(evtx_parse_time("9999-12-31T23:59:59.9999999Z", &t));
    CHECK_U64(t, 2650467743999999999ULL);
    /* the Unix epoch: 11644473600 s after 1601 */
    CHECK(evtx_parse_time("1970-01-01T00:00:00Z", &t));
    CHECK_U64(t, 116444736000000000ULL);

    static const char *const bad[] = {
        "", "2020", "2020-07-03", "2020-07-03 08:55:46Z", "2020-07-03T08:55:46", "2020-07-03T08:55:46.Z",
        "2020-13-01T00:00:00Z", "2020-00-01T00:00:00Z", "2020-04-31T00:00:00Z", "2019-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z", "2020-07-03T24:00:00Z", "2020-07-03T08:60:00Z", "2020-07-03T08:55:60Z",
        "1600-12-31T23:59:59Z", "2020-07-03T08:55:46ZZ", "2020-07-03T08:55:46+00:00", "-020-07-03T08:55:46Z",
        "2020-7-03T08:55:46Z", "{FCC284DB-AA62-40BB-B372-B5BA6A5AD840}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        t = 777;
        CHECK(!evtx_parse_time(bad[i], &t));
        CHECK_U64(t, 777);
    }
    CHECK(!evtx_parse_time(NULL, &t));
}

static void test_signature(void)
{
    CHECK(evtx_is_log((const uint8_t *)"ElfFile\0xx", 10));
    CHECK(evtx_is_log((const uint8_t *)"ElfFile\0", 8));
    CHECK(!evtx_is_log((const uint8_t *)"ElfFile", 7));
    CHECK(!evtx_is_log((const uint8_t *)"ElfFilex", 8));
    CHECK(!evtx_is_log((const uint8_t *)"ElfChnk\0", 8));
    CHECK(!evtx_is_log(NULL, 0));
}

/* ---- reading the samples ------------------------------------------------ */

typedef struct seen {
    size_t count;
    size_t per_id[400];
    size_t not_channel;
    size_t unnamed;
    bool times_ok;
    bool offsets_ok;
    char first_time[32];
    uint64_t first_offset;
    uint32_t first_id, first_version;
    uint64_t last_record_id;
    char first_value[64];
    char first_name[64];
    size_t first_count;
} seen;

static bool count_event(const evtx_event *e, void *context)
{
    seen *s = context;
    if (s->count == 0) {
        bp_format_filetime(e->time, s->first_time);
        s->first_offset = e->offset;
        s->first_id = e->event_id;
        s->first_version = e->version;
        s->first_count = e->data_count;
        snprintf(s->first_value, sizeof s->first_value, "%s", e->data_count ? e->values[0] : "");
        snprintf(s->first_name, sizeof s->first_name, "%s", e->names && e->data_count ? e->names[0] : "(none)");
    }
    s->count++;
    if (e->event_id < 400)
        s->per_id[e->event_id]++;
    if (strcmp(e->channel, "Microsoft-Windows-Bits-Client/Operational") != 0)
        s->not_channel++;
    if (e->data_count && !e->names)
        s->unnamed++;
    if (e->time == 0)
        s->times_ok = false;
    if (e->offset < 0x1200 || e->offset % 8 != 0)
        s->offsets_ok = false;
    s->last_record_id = e->record_id;
    CHECK_STR(e->provider, BITS_CLIENT_PROVIDER);
    return true;
}

static void read_sample(const char *name, seen *s, evtx_log_stats *stats, bp_note_list *notes, util_arena *arena)
{
    size_t size = 0;
    unsigned char *data = read_whole_file(shared_path(name), &size);
    CHECK(data != NULL);
    memset(s, 0, sizeof(*s));
    s->times_ok = s->offsets_ok = true;
    CHECK(evtx_is_log(data, size));
    CHECK(evtx_log_read(data, size, BITS_CLIENT_PROVIDER, true, count_event, s, arena, notes, stats));
    free(data);
}

static void test_samples(void)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list notes = {NULL, NULL, 0};
    evtx_log_stats stats;
    seen s;

    read_sample("testdata/evtx/win10-desktopimgdownldr.evtx", &s, &stats, &notes, &arena);
    CHECK_U64(stats.records, 5);
    CHECK_U64(stats.delivered, 5);
    CHECK_U64(stats.other_provider, 0);
    CHECK_U64(stats.unreadable, 0);
    CHECK_U64(s.count, 5);
    CHECK_U64(s.per_id[3] + s.per_id[209] + s.per_id[59] + s.per_id[60] + s.per_id[4], 5);
    /* TimeCreated of the first record (its header's written time is 08:55:46.3579880) */
    CHECK_STR(s.first_time, "2020-07-03T08:55:46.3523393Z");
    CHECK_U64(s.first_offset, 0x1200);
    CHECK_U64(s.first_id, 3);
    CHECK_U64(s.first_version, 2);
    CHECK_U64(s.first_count, 5);
    CHECK_STR(s.first_name, "jobTitle");
    CHECK_STR(s.first_value, "Download LockScreen Image");
    CHECK_U64(s.last_record_id, 2778);  /* EventRecordID, not the header counter (5) */
    CHECK_U64(s.not_channel, 0);
    CHECK_U64(s.unnamed, 0);
    CHECK(s.times_ok);
    CHECK(s.offsets_ok);
    CHECK_U64(notes.count, 0);

    read_sample("testdata/evtx/server-dc-t1197.evtx", &s, &stats, &notes, &arena);
    CHECK_U64(s.count, 7);
    CHECK_U64(s.per_id[306], 1);
    CHECK_U64(s.per_id[3], 1);
    CHECK_U64(s.per_id[310], 1);
    CHECK_U64(s.per_id[59], 1);
    CHECK_U64(s.per_id[60], 1);
    CHECK_U64(s.per_id[4], 1);
    CHECK_U64(s.per_id[308], 1);
    CHECK_STR(s.first_time, "2021-06-13T06:17:17.9901393Z");
    CHECK(s.times_ok);
    CHECK(s.offsets_ok);

    read_sample("testdata/evtx/win7-persist-bitsadmin.evtx", &s, &stats, &notes, &arena);
    CHECK_U64(s.count, 6);
    CHECK_U64(s.per_id[3], 2);
    CHECK_U64(s.per_id[59], 2);
    CHECK_U64(s.per_id[60], 2);
    CHECK_U64(s.first_id, 3);
    CHECK_U64(s.first_version, 0);  /* the Windows 7 layout */
    CHECK_U64(s.first_count, 3);
    CHECK_STR(s.first_name, "string");
    CHECK_STR(s.first_value, "backdoor");
    CHECK_STR(s.first_time, "2019-05-12T18:02:05.2151977Z");

    /* EXPECTED.md: 1537 events: 3 x254, 59 x162, 60 x129, 61 x492, 4 x125,
     * 5 x84, 209 x101, 306 x150, 310 x40 */
    read_sample("testdata/evtx/win10-openvpn.evtx", &s, &stats, &notes, &arena);
    CHECK_U64(stats.records, 1537);
    CHECK_U64(s.count, 1537);
    CHECK_U64(s.per_id[3], 254);
    CHECK_U64(s.per_id[59], 162);
    CHECK_U64(s.per_id[60], 129);
    CHECK_U64(s.per_id[61], 492);
    CHECK_U64(s.per_id[4], 125);
    CHECK_U64(s.per_id[5], 84);
    CHECK_U64(s.per_id[209], 101);
    CHECK_U64(s.per_id[306], 150);
    CHECK_U64(s.per_id[310], 40);
    CHECK_U64(s.not_channel, 0);
    CHECK_U64(s.unnamed, 0);
    CHECK(s.times_ok);
    CHECK(s.offsets_ok);
    CHECK_U64(stats.unreadable, 0);
    util_arena_free(&arena);
}

/* ---- another provider, damaged copies ------------------------------------ */

/* Replace every UTF-16LE "Bits-Client" by "Xits-Client": the records now
 * belong to another provider (and the chunk checksums no longer match). */
static void rename_provider(unsigned char *data, size_t size)
{
    static const char name[] = "Bits-Client";
    size_t length = (sizeof name - 1) * 2;
    for (size_t i = 0; i + length <= size; i++) {
        size_t k = 0;
        while (k < sizeof name - 1 && data[i + 2 * k] == (unsigned char)name[k] && data[i + 2 * k + 1] == 0)
            k++;
        if (k == sizeof name - 1)
            data[i] = 'X';
    }
}

static void test_other_provider(void)
{
    size_t size = 0;
    unsigned char *data = read_whole_file(shared_path("testdata/evtx/win10-desktopimgdownldr.evtx"), &size);
    CHECK(data != NULL);
    rename_provider(data, size);
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list notes = {NULL, NULL, 0};
    evtx_log_stats stats;
    seen s;
    memset(&s, 0, sizeof s);
    CHECK(evtx_log_read(data, size, BITS_CLIENT_PROVIDER, true, count_event, &s, &arena, &notes, &stats));
    CHECK_U64(stats.records, 5);
    CHECK_U64(stats.delivered, 0);
    CHECK_U64(stats.other_provider, 5);
    CHECK_U64(s.count, 0);

    /* through the library: no record, a note naming the count, status 1 */
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "renamed.evtx", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 0);
    bool named = false;
    for (const bp_note *n = bp_result_warnings(result)->head; n; n = n->next)
        named = named || strstr(n->text, "renamed.evtx: no Microsoft-Windows-Bits-Client events in this log "
                                         "(5 records of other providers)") != NULL;
    CHECK(named);
    bp_result_free(result);
    util_arena_free(&arena);
    free(data);
}

static bool count_only(const evtx_event *e, void *context)
{
    (void)e;
    (*(size_t *)context)++;
    return true;
}

/* Truncated and bit-flipped copies: whatever libevtx makes of them, the
 * reader and the record builder return normally (run under ASan in CI). */
static void test_damaged(void)
{
    size_t size = 0;
    unsigned char *data = read_whole_file(shared_path("testdata/evtx/win10-desktopimgdownldr.evtx"), &size);
    CHECK(data != NULL && size > 0x3000);
    unsigned char *copy = malloc(size);
    size_t opened = 0, runs = 0;
    /* truncations around the file header, the chunk header and the records */
    for (size_t cut = 0; cut <= size; cut += cut < 0x2c00 ? 97 : 4093) {
        memcpy(copy, data, size);
        util_arena arena;
        util_arena_init(&arena);
        bp_note_list notes = {NULL, NULL, 0};
        evtx_log_stats stats;
        size_t events = 0;
        if (evtx_log_read(copy, cut, BITS_CLIENT_PROVIDER, true, count_only, &events, &arena, &notes, &stats))
            opened++;
        CHECK(events <= 5);
        bp_result *result = NULL;
        int status = bp_parse_memory(copy, cut, "cut.evtx", &result);
        CHECK(status >= BP_STATUS_CLEAN && status <= BP_STATUS_UNREADABLE);
        CHECK(bp_result_count(result) <= 1);
        bp_result_free(result);
        util_arena_free(&arena);
        runs++;
    }
    CHECK(runs > 100);
    CHECK(opened > 0);
    /* flipped bytes in the records area (deterministic positions) */
    uint32_t seed = 12345;
    size_t crashes = 0;
    for (int round = 0; round < 400; round++) {
        memcpy(copy, data, size);
        for (int k = 0; k < 1 + round % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = 0x1000 + (seed >> 8) % 0x1f00;
            copy[at] ^= (unsigned char)(1u << (seed % 8));
        }
        bp_result *result = NULL;
        int status = bp_parse_memory(copy, size, "flipped.evtx", &result);
        CHECK(status >= BP_STATUS_CLEAN && status <= BP_STATUS_UNREADABLE);
        CHECK(bp_result_count(result) <= 5);
        for (const bp_note *n = bp_result_warnings(result)->head; n; n = n->next)
            if (strstr(n->text, "libevtx crashed")) {
                crashes++;
                if (getenv("EVTX_VERBOSE"))
                    printf("round %d: %s (%zu records)\n", round, n->text, bp_result_count(result));
            }
        for (size_t i = 0; i < bp_result_count(result); i++) {
            const bp_record *r = bp_result_record(result, i);
            CHECK(r->job && r->job->job_id && r->job->name && r->job->creator_program);
            CHECK(!r->file || (r->file->remote_url && r->file->local_path));
            for (size_t e = 0; e < r->event_count; e++)
                CHECK(r->events[e].what != NULL);
        }
        bp_result_free(result);
    }
    printf("%zu of 400 flipped copies crashed libevtx's reader process\n", crashes);
    /* not an event log at all, though it starts like one */
    static const uint8_t fake[] = "ElfFile\0 nothing else";
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(fake, sizeof fake, "fake.evtx", &result), BP_STATUS_UNREADABLE);
    CHECK_U64(bp_result_count(result), 0);
    const bp_note *n = bp_result_warnings(result)->head;
    CHECK(n && strstr(n->text, "fake.evtx: libevtx cannot open the event log") != NULL);
    bp_result_free(result);
    free(copy);
    free(data);
}

/* libevtx dying on a record costs that record only: the reader process is
 * started again after it. */
static void test_reader_crash(void)
{
    size_t size = 0;
    unsigned char *data = read_whole_file(shared_path("testdata/evtx/server-dc-t1197.evtx"), &size);
    CHECK(data != NULL);
    evtx_log_simulate_crash(2);  /* record index 2 is event 310 (record id 3) */
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list notes = {NULL, NULL, 0};
    evtx_log_stats stats;
    seen s;
    memset(&s, 0, sizeof s);
    s.times_ok = s.offsets_ok = true;
    CHECK(evtx_log_read(data, size, BITS_CLIENT_PROVIDER, true, count_event, &s, &arena, &notes, &stats));
    CHECK_U64(s.count, 6);
    CHECK_U64(s.per_id[310], 0);
    CHECK_U64(s.per_id[3] + s.per_id[59] + s.per_id[60] + s.per_id[4] + s.per_id[306] + s.per_id[308], 6);
    CHECK_U64(stats.unreadable, 1);
    CHECK_U64(stats.delivered, 6);
    bool noted = false;
    for (const bp_note *n = notes.head; n; n = n->next)
        noted = noted || strcmp(n->text, "record 2: libevtx crashed (signal 9); it was skipped and reading went on "
                                         "after it") == 0;
    CHECK(noted);

    /* the job is still there, with a warning on the input */
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "server.evtx", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    if (bp_result_count(result) == 1)
        CHECK_U64(bp_result_record(result, 0)->event_count, 4);

    /* a crash on the very first record: the rest is read */
    evtx_log_simulate_crash(0);
    bp_result_free(result);
    result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "server.evtx", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    evtx_log_simulate_crash(-1);
    bp_result_free(result);
    util_arena_free(&arena);
    free(data);
}

int main(void)
{
    test_parse_time();
    test_signature();
    test_samples();
    test_other_provider();
    test_damaged();
    test_reader_crash();
    return check_exit();
}
