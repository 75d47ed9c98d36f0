/* The string map behind the carve session's lookups by job and file id
 * (regression carve-finish-quadratic, docs/hardening.md: those lookups were
 * linear scans, 10 000 live jobs took 4.7 s to carve; the speed itself is
 * measured by tests/bench/bench_scale.py, see docs/performance.md). Here: the
 * first value stays with add, set replaces, growth keeps every entry, the
 * empty string is a key like any other, keys are compared by content. Byte
 * keys (the carve session's index of blobs by their exact bytes, which had a
 * hash table of its own before issue 22): a NUL is a byte like any other, a
 * key that is a prefix of another is a different key, a string and the bytes
 * of its text are one key, and the hashed calls agree with the plain ones. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "util/string_map.h"

#define MANY 5000

static void test_add_get_set(void)
{
    util_string_map map;
    memset(&map, 0, sizeof(map));
    size_t value = 99;
    CHECK(!util_string_map_get(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", &value));
    CHECK_U64(value, 99);
    CHECK(util_string_map_add(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", 3));
    CHECK(!util_string_map_add(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", 7));  /* the first stays */
    CHECK(util_string_map_get(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", &value));
    CHECK_U64(value, 3);
    /* another buffer with the same text is the same key */
    char copy[64];
    snprintf(copy, sizeof copy, "%s", "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46");
    CHECK(util_string_map_get(&map, copy, &value));
    CHECK_U64(value, 3);
    util_string_map_set(&map, copy, 11);
    CHECK(util_string_map_get(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", &value));
    CHECK_U64(value, 11);
    CHECK_U64(map.count, 1);
    /* "" (a file version whose id is unknown) */
    CHECK(!util_string_map_get(&map, "", &value));
    util_string_map_set(&map, "", 5);
    CHECK(util_string_map_get(&map, "", &value));
    CHECK_U64(value, 5);
    CHECK_U64(map.count, 2);
    CHECK(!map.out_of_memory);
    util_string_map_free(&map);
    CHECK_U64(map.size, 0);
    CHECK(!util_string_map_get(&map, "", &value));
}

static void test_growth(void)
{
    static char keys[MANY][64];
    util_string_map map;
    memset(&map, 0, sizeof(map));
    for (size_t i = 0; i < MANY; i++) {
        snprintf(keys[i], sizeof keys[i], "{%08zx-0000-4000-8000-%012zx}", (i * 2654435761u) & 0xFFFFFFFFu, i);
        CHECK(util_string_map_add(&map, keys[i], i));
    }
    CHECK_U64(map.count, MANY);
    CHECK(map.size >= 2 * MANY);  /* load at most one half */
    size_t found = 0, right = 0, value;
    for (size_t i = 0; i < MANY; i++) {
        if (util_string_map_get(&map, keys[i], &value)) {
            found++;
            right += value == i;
        }
    }
    CHECK_U64(found, MANY);
    CHECK_U64(right, MANY);
    CHECK(!util_string_map_get(&map, "{00000000-0000-4000-8000-00000000138a}", &value));  /* not added */
    util_string_map_free(&map);
}

static void test_byte_keys(void)
{
    static const uint8_t blob[8] = {0x13, 0xF7, 0x2D, 0x40, 0x00, 0x00, 0x9A, 0x01};
    static const uint8_t same[8] = {0x13, 0xF7, 0x2D, 0x40, 0x00, 0x00, 0x9A, 0x01};
    static const uint8_t other[8] = {0x13, 0xF7, 0x2D, 0x40, 0x00, 0x01, 0x9A, 0x01};
    util_string_map map;
    memset(&map, 0, sizeof(map));
    size_t value = 0;
    CHECK(util_bytes_map_add(&map, blob, sizeof(blob), 4));
    CHECK(!util_bytes_map_add(&map, same, sizeof(same), 9));           /* same bytes elsewhere */
    CHECK(util_bytes_map_get(&map, same, sizeof(same), &value));
    CHECK_U64(value, 4);
    CHECK(!util_bytes_map_get(&map, other, sizeof(other), &value));     /* one byte after a NUL differs */
    CHECK(!util_bytes_map_get(&map, blob, 5, &value));                  /* a cut copy is another key */
    CHECK(util_bytes_map_add(&map, blob, 5, 6));
    CHECK(util_bytes_map_get(&map, same, 5, &value));
    CHECK_U64(value, 6);
    CHECK(util_bytes_map_get(&map, blob, sizeof(blob), &value));
    CHECK_U64(value, 4);
    /* a string key is its text's bytes */
    CHECK(util_string_map_add(&map, "Jobs", 12));
    CHECK(util_bytes_map_get(&map, "Jobs\0ignored", 4, &value));
    CHECK_U64(value, 12);
    CHECK(!util_bytes_map_add(&map, "Jobs", 4, 13));
    /* the hashed calls */
    uint64_t hash = util_bytes_hash(other, sizeof(other));
    CHECK(hash != util_bytes_hash(blob, sizeof(blob)));
    CHECK(util_bytes_map_add_hashed(&map, other, sizeof(other), hash, 21));
    CHECK(util_bytes_map_get(&map, other, sizeof(other), &value));
    CHECK_U64(value, 21);
    CHECK(util_bytes_map_get_hashed(&map, other, sizeof(other), hash, &value));
    CHECK_U64(value, 21);
    CHECK_U64(map.count, 4);
    CHECK(!map.out_of_memory);
    util_string_map_free(&map);
}

/* Keys that differ in one byte of a long run (blobs of one job differ in a
 * time or a counter): all kept apart through growth. */
static void test_long_byte_keys(void)
{
    static uint8_t blobs[600][300];
    util_string_map map;
    memset(&map, 0, sizeof(map));
    for (size_t i = 0; i < 600; i++) {
        memset(blobs[i], 0xA5, sizeof(blobs[i]));
        blobs[i][i % 300] ^= (uint8_t)(1 + i / 300);
        CHECK(util_bytes_map_add(&map, blobs[i], sizeof(blobs[i]), i));
    }
    size_t right = 0, value;
    for (size_t i = 0; i < 600; i++)
        right += util_bytes_map_get(&map, blobs[i], sizeof(blobs[i]), &value) && value == i;
    CHECK_U64(right, 600);
    CHECK_U64(map.count, 600);
    util_string_map_free(&map);
}

int main(void)
{
    test_add_get_set();
    test_byte_keys();
    test_long_byte_keys();
    test_growth();
    return check_exit();
}
