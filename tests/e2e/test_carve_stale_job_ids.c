/* Job ids that only stale Jobs records name (src/carve/session.c): one carved
 * record per id, with every place naming it, in the order first found, and
 * none for an id a live job has. Built from the real win10 qmgr.db with pages
 * appended that hold nothing but stale Jobs records (`01 7F 15 00` Id
 * `FE 00 01 04 00` 05 LID, 30 bytes each, so a page holds over 500).
 *
 * Such records used to be grouped by comparing each with every earlier one:
 * about 20 000 of them took seconds, and a hostile input of a few MiB could
 * hold enough to stall carving. They are now grouped by sorting; this test
 * holds the grouping and the order to what the quadratic loop gave. */
#include <time.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "ese/database.h"
#include "ese/page.h"
#include "util/text.h"

#define WIN10 "testdata/ese/win10-19045.qmgr.db"

enum {
    RECORD = 30,        /* bytes of one stale record with a 4-byte LID */
    PAGES = 24,         /* appended pages */
    REPEAT = 3,         /* each id is named by this many records */
};

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* A random-looking (version 4) id for number i; distinct for distinct i. */
static void make_id(uint32_t i, uint8_t id[16])
{
    uint64_t x = 0x9E3779B97F4A7C15ull * (i + 1);
    for (int k = 0; k < 16; k++) {
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9ull;
        id[k] = (uint8_t)(x >> 56);
    }
    put32(id, i + 1);   /* distinct whatever the mixing does */
    id[7] = (uint8_t)(0x40 | (id[7] & 0x0F));
    id[8] = (uint8_t)(0x80 | (id[8] & 0x3F));
}

/* Objid and page size of the Jobs table, and the file page of one of its leaves. */
static bool jobs_leaf(const uint8_t *data, size_t size, uint32_t *objid, uint32_t *page_size, uint32_t *leaf)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    bool found = false;
    if (ese_db_open(&db, data, size, &arena, &warnings)) {
        ese_table *jobs = ese_catalog_find(&db.catalog, "Jobs");
        for (uint32_t pgno = 1; jobs && pgno <= db.page_count && !found; pgno++) {
            ese_page page;
            if (ese_page_load(&db, pgno, &page) && page.objid == jobs->objid && (page.flags & ESE_PAGE_LEAF)) {
                *objid = jobs->objid;
                *page_size = db.page_size;
                *leaf = pgno;
                found = true;
            }
        }
    }
    util_arena_free(&arena);
    return found;
}

int main(void)
{
    size_t size;
    uint8_t *sample = read_whole_file(shared_path(WIN10), &size);
    CHECK(sample != NULL);
    if (!sample)
        return check_exit();
    uint32_t objid = 0, page_size = 0, leaf = 0;
    CHECK(jobs_leaf(sample, size, &objid, &page_size, &leaf));
    if (!leaf) {
        free(sample);
        return check_exit();
    }
    /* the id of a live job: a stale record naming it adds no record */
    bp_result *live = NULL;
    bp_parse_memory(sample, size, "win10", &live);
    CHECK(live && bp_result_count(live) > 0);
    char live_id[37] = "";
    if (live && bp_result_count(live) && bp_result_record(live, 0)->job)
        snprintf(live_id, sizeof live_id, "%s", bp_result_record(live, 0)->job->job_id);
    bp_result_free(live);
    CHECK(live_id[0] != '\0');
    uint8_t live_bytes[16] = {0};
    {   /* back to on-disk order: the first three groups are little-endian */
        static const int at[16] = {6, 4, 2, 0, 11, 9, 16, 14, 19, 21, 24, 26, 28, 30, 32, 34};
        for (int k = 0; k < 16; k++) {
            unsigned byte = 0;
            sscanf(live_id + at[k], "%2x", &byte);
            live_bytes[k] = (uint8_t)byte;
        }
        char back[37];
        util_guid_format(live_bytes, back);
        CHECK_STR(back, live_id);
    }

    /* the appended pages: copies of the Jobs leaf, their tags dropped, their
     * data area filled with stale records; the tag area stays zero */
    size_t per_page = (page_size - 80 - 64) / RECORD;
    size_t total = per_page * PAGES;
    size_t ids = total / REPEAT;
    size_t crafted_size = size + (size_t)PAGES * page_size;
    uint8_t *crafted = calloc(1, crafted_size);
    CHECK(crafted != NULL);
    if (!crafted) {
        free(sample);
        return check_exit();
    }
    memcpy(crafted, sample, size);
    const uint8_t *leaf_page = sample + ((size_t)leaf + 1) * page_size;
    static const uint8_t head[4] = {0x01, 0x7F, 0x15, 0x00};
    static const uint8_t middle[6] = {0xFE, 0x00, 0x01, 0x04, 0x00, 0x05};
    for (size_t p = 0; p < PAGES; p++) {
        uint8_t *page = crafted + size + p * page_size;
        memcpy(page, leaf_page, 80);
        page[34] = page[35] = 0;   /* no tags: every record is in free space */
        for (size_t r = 0; r < per_page; r++) {
            size_t n = p * per_page + r;
            uint8_t *rec = page + 80 + r * RECORD;
            memcpy(rec, head, 4);
            if (n == total / 2)
                memcpy(rec + 4, live_bytes, 16);
            else
                make_id((uint32_t)(n % ids), rec + 4);
            memcpy(rec + 20, middle, 6);
            put32(rec + 26, 0x7FFF0000u + (uint32_t)n);  /* a long value nobody has */
        }
        ese_page_store_checksums(page_size, page, (uint32_t)(size / page_size - 1 + p));
    }
    free(sample);

    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = true;
    bp_result *result = NULL;
    clock_t started = clock();
    int status = bp_parse_memory_ex(crafted, crafted_size, "stale-ids", &options, &result);
    double seconds = (double)(clock() - started) / CLOCKS_PER_SEC;
    printf("%zu stale records naming %zu ids (and one live id): status %d, %zu records, %.2f s\n", total, ids,
           status, bp_result_count(result), seconds);
    CHECK(status == 0 || status == 1);

    /* the records of our ids, in order, each with REPEAT places (the id whose
     * record was replaced by the live id has one place less) */
    size_t next = 0, out_of_order = 0, wrong_places = 0, live_named = 0;
    size_t replaced = (total / 2) % ids;
    for (size_t i = 0; result && i < bp_result_count(result); i++) {
        const bp_record *record = bp_result_record(result, i);
        if (!record->carved || !record->job || record->job_source.blob_size != 0)
            continue;
        if (strcmp(record->job->job_id, live_id) == 0) {
            live_named++;
            continue;
        }
        /* ours: the first group is the number plus one (the sample has stale ids of its own) */
        unsigned long number = strtoul(record->job->job_id, NULL, 16);
        uint8_t id[16];
        char ours[37] = "";
        if (number >= 1 && number <= ids) {
            make_id((uint32_t)(number - 1), id);
            util_guid_format(id, ours);
        }
        if (strcmp(record->job->job_id, ours) != 0)
            continue;
        char expected[37] = "";
        if (next < ids) {
            make_id((uint32_t)next, id);
            util_guid_format(id, expected);
        }
        if (strcmp(record->job->job_id, expected) != 0) {
            if (out_of_order++ < 3)
                printf("record %zu: job %s, expected %s\n", i, record->job->job_id, expected);
            continue;
        }
        size_t places = next == replaced ? REPEAT - 1 : REPEAT;
        if (record->location_count != places || strcmp(record->recovered_from, "unreachable-page") != 0)
            wrong_places++;
        next++;
    }
    CHECK_U64(next, ids);
    CHECK_U64(out_of_order, 0);
    CHECK_U64(wrong_places, 0);
    CHECK_U64(live_named, 0);
    bp_result_free(result);
    free(crafted);
    return check_exit();
}
