/* The string map behind the carve session's lookups by job and file id
 * (regression carve-finish-quadratic, docs/hardening.md: those lookups were
 * linear scans, 10 000 live jobs took 4.7 s to carve; the speed itself is
 * measured by tests/bench/bench_scale.py, see docs/performance.md). Here: the
 * first value stays with add, set replaces, growth keeps every entry, the
 * empty string is a key like any other, keys are compared by content. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "util/string_map.h"

#define MANY 5000

static void test_add_get_set(void)
{
    bp_string_map map;
    memset(&map, 0, sizeof(map));
    size_t value = 99;
    CHECK(!bp_string_map_get(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", &value));
    CHECK_U64(value, 99);
    CHECK(bp_string_map_add(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", 3));
    CHECK(!bp_string_map_add(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", 7));  /* the first stays */
    CHECK(bp_string_map_get(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", &value));
    CHECK_U64(value, 3);
    /* another buffer with the same text is the same key */
    char copy[64];
    snprintf(copy, sizeof copy, "%s", "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46");
    CHECK(bp_string_map_get(&map, copy, &value));
    CHECK_U64(value, 3);
    bp_string_map_set(&map, copy, 11);
    CHECK(bp_string_map_get(&map, "6f0d2b1e-94a7-4c35-b8e2-1d7a5c903f46", &value));
    CHECK_U64(value, 11);
    CHECK_U64(map.count, 1);
    /* "" (a file version whose id is unknown) */
    CHECK(!bp_string_map_get(&map, "", &value));
    bp_string_map_set(&map, "", 5);
    CHECK(bp_string_map_get(&map, "", &value));
    CHECK_U64(value, 5);
    CHECK_U64(map.count, 2);
    CHECK(!map.out_of_memory);
    bp_string_map_free(&map);
    CHECK_U64(map.size, 0);
    CHECK(!bp_string_map_get(&map, "", &value));
}

static void test_growth(void)
{
    static char keys[MANY][64];
    bp_string_map map;
    memset(&map, 0, sizeof(map));
    for (size_t i = 0; i < MANY; i++) {
        snprintf(keys[i], sizeof keys[i], "{%08zx-0000-4000-8000-%012zx}", (i * 2654435761u) & 0xFFFFFFFFu, i);
        CHECK(bp_string_map_add(&map, keys[i], i));
    }
    CHECK_U64(map.count, MANY);
    CHECK(map.size >= 2 * MANY);  /* load at most one half */
    size_t found = 0, right = 0, value;
    for (size_t i = 0; i < MANY; i++) {
        if (bp_string_map_get(&map, keys[i], &value)) {
            found++;
            right += value == i;
        }
    }
    CHECK_U64(found, MANY);
    CHECK_U64(right, MANY);
    CHECK(!bp_string_map_get(&map, "{00000000-0000-4000-8000-00000000138a}", &value));  /* not added */
    bp_string_map_free(&map);
}

int main(void)
{
    test_add_get_set();
    test_growth();
    return check_exit();
}
