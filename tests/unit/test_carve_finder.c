/* The multi-needle marker finder of the carver (src/carve/marker_finder.c):
 * every occurrence at every alignment, in order, exactly once, inside the
 * asked range, compared with a brute-force search on random data. */
#include <stdint.h>

#include "carve/marker_finder.h"
#include "random_stream.h"
#include "check.h"

typedef struct hits {
    size_t offsets[4096];
    const carve_needle *needles[4096];
    size_t count;
    size_t stop_after;     /* 0 = never stop */
} hits;

static bool record_hit(void *context, size_t offset, const carve_needle *needle)
{
    hits *h = context;
    if (h->count < 4096) {
        h->offsets[h->count] = offset;
        h->needles[h->count] = needle;
        h->count++;
    }
    return !(h->stop_after && h->count >= h->stop_after);
}

static uint64_t rng_state = 0x1197;

static uint32_t next_random(void)
{
    random_next(&rng_state);
    return (uint32_t)rng_state;
}

/* Every needle start in [from, to) by brute force. */
static size_t brute_force(const carve_finder *f, const uint8_t *data, size_t size, size_t from, size_t to,
                          size_t *out, size_t max)
{
    size_t n = 0;
    for (size_t p = from; p < to && p + 16 <= size; p++)
        for (size_t k = 0; k < f->needle_count; k++)
            if (memcmp(data + p, f->needles[k].bytes, 16) == 0 && n < max)
                out[n++] = p;
    return n;
}

static void test_every_alignment(void)
{
    carve_finder f;
    carve_finder_init(&f, CARVE_FIND_JOBS | CARVE_FIND_FILES | CARVE_FIND_TRANSFER);
    CHECK_U64(f.needle_count, bits_job_marker_count + 2);
    uint8_t buf[256];
    for (size_t at = 0; at + 16 <= sizeof(buf); at++) {
        memset(buf, 0, sizeof(buf));
        memcpy(buf + at, bits_file_marker, 16);
        hits h = {.count = 0};
        carve_finder_run(&f, buf, sizeof(buf), 0, sizeof(buf), record_hit, &h);
        CHECK_U64(h.count, 1);
        CHECK_U64(h.offsets[0], at);
        CHECK(h.needles[0] && h.needles[0]->kind == CARVE_NEEDLE_FILE);
    }
    /* a needle cut by the end of the data is not reported */
    memset(buf, 0, sizeof(buf));
    memcpy(buf + sizeof(buf) - 15, bits_transfer_marker, 15);
    hits h = {.count = 0};
    carve_finder_run(&f, buf, sizeof(buf), 0, sizeof(buf), record_hit, &h);
    CHECK_U64(h.count, 0);
}

static void test_kinds_and_order(void)
{
    carve_finder f;
    carve_finder_init(&f, CARVE_FIND_JOBS | CARVE_FIND_FILES | CARVE_FIND_TRANSFER);
    uint8_t buf[200];
    memset(buf, 0x41, sizeof(buf));
    /* ESE job marker, a legacy one right after it (back to back), the file
     * marker and the transfer marker, at odd offsets */
    memcpy(buf + 3, bits_job_markers[0].bytes, 16);
    size_t legacy = 0;
    while (bits_job_markers[legacy].era != BITS_ERA_LEGACY)
        legacy++;
    memcpy(buf + 19, bits_job_markers[legacy].bytes, 16);
    memcpy(buf + 77, bits_file_marker, 16);
    memcpy(buf + 150, bits_transfer_marker, 16);
    hits h = {.count = 0};
    carve_finder_run(&f, buf, sizeof(buf), 0, sizeof(buf), record_hit, &h);
    CHECK_U64(h.count, 4);
    CHECK_U64(h.offsets[0], 3);
    CHECK(h.needles[0]->kind == CARVE_NEEDLE_JOB_ESE);
    CHECK_U64(h.offsets[1], 19);
    CHECK(h.needles[1]->kind == CARVE_NEEDLE_JOB_LEGACY);
    CHECK_U64(h.offsets[2], 77);
    CHECK(h.needles[2]->kind == CARVE_NEEDLE_FILE);
    CHECK_U64(h.offsets[3], 150);
    CHECK(h.needles[3]->kind == CARVE_NEEDLE_TRANSFER);

    /* only the asked range, and only the asked needles */
    h.count = 0;
    carve_finder_run(&f, buf, sizeof(buf), 19, 78, record_hit, &h);
    CHECK_U64(h.count, 2);
    CHECK_U64(h.offsets[0], 19);
    CHECK_U64(h.offsets[1], 77);
    carve_finder only_files;
    carve_finder_init(&only_files, CARVE_FIND_FILES);
    h.count = 0;
    carve_finder_run(&only_files, buf, sizeof(buf), 0, sizeof(buf), record_hit, &h);
    CHECK_U64(h.count, 1);
    CHECK_U64(h.offsets[0], 77);

    /* the callback can stop the search */
    h.count = 0;
    h.stop_after = 2;
    CHECK(!carve_finder_run(&f, buf, sizeof(buf), 0, sizeof(buf), record_hit, &h));
    CHECK_U64(h.count, 2);

    /* empty and tiny inputs */
    h.count = 0;
    h.stop_after = 0;
    CHECK(carve_finder_run(&f, buf, 0, 0, 0, record_hit, &h));
    CHECK(carve_finder_run(&f, buf, 15, 0, 15, record_hit, &h));
    CHECK(carve_finder_run(&f, buf, sizeof(buf), 100, 50, record_hit, &h));
    CHECK_U64(h.count, 0);
}

/* Random bytes with needles planted at random offsets (some overlapping
 * others' bytes), searched over random sub-ranges: same answer as brute force. */
static void test_random_against_brute_force(void)
{
    carve_finder f;
    carve_finder_init(&f, CARVE_FIND_JOBS | CARVE_FIND_FILES | CARVE_FIND_TRANSFER);
    enum { SIZE = 1 << 16 };
    static uint8_t buf[SIZE];
    static size_t expected[4096];
    for (int round = 0; round < 40; round++) {
        for (size_t i = 0; i < SIZE; i++)
            buf[i] = (uint8_t)next_random();
        if (round % 3 == 0)
            memset(buf + 1000, 0, 20000); /* zero runs */
        size_t planted = 1 + next_random() % 200;
        for (size_t k = 0; k < planted; k++) {
            size_t at = next_random() % (SIZE - 16);
            size_t which = next_random() % f.needle_count;
            memcpy(buf + at, f.needles[which].bytes, 16);
        }
        size_t from = round % 2 ? next_random() % 5000 : 0;
        size_t to = round % 2 ? SIZE - next_random() % 5000 : SIZE;
        size_t n = brute_force(&f, buf, SIZE, from, to, expected, 4096);
        hits h = {.count = 0};
        carve_finder_run(&f, buf, SIZE, from, to, record_hit, &h);
        CHECK_U64(h.count, n);
        bool same = h.count == n;
        for (size_t i = 0; same && i < n; i++)
            same = h.offsets[i] == expected[i];
        CHECK(same);
    }
}

int main(void)
{
    test_every_alignment();
    test_kinds_and_order();
    test_random_against_brute_force();
    return check_exit();
}
