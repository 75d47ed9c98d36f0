/* util/growable.c: util_grow (one more element) and util_grow_to (room for a
 * count of elements), which every appended array and byte buffer of src/
 * grows with: capacities double from 64, and a size that would overflow is
 * refused with the array left as it was. */
#include <stdint.h>

#include "check.h"
#include "util/growable.h"

static void test_grow_one_more(void)
{
    uint32_t *items = NULL;
    size_t capacity = 0;
    CHECK(util_grow((void **)&items, &capacity, 0, sizeof(*items)));
    CHECK_U64(capacity, 64);
    for (size_t i = 0; i < 64; i++) {
        CHECK(util_grow((void **)&items, &capacity, i, sizeof(*items)));
        items[i] = (uint32_t)i * 3;
    }
    CHECK_U64(capacity, 64);  /* room was there: nothing moved */
    CHECK(util_grow((void **)&items, &capacity, 64, sizeof(*items)));
    CHECK_U64(capacity, 128);
    CHECK_U64(items[0], 0);
    CHECK_U64(items[63], 189);  /* kept across the realloc */
    free(items);
}

static void test_grow_to(void)
{
    char *bytes = NULL;
    size_t capacity = 0;
    CHECK(util_grow_to((void **)&bytes, &capacity, 1000, 1));
    CHECK_U64(capacity, 1024);
    memcpy(bytes, "kept", 5);
    CHECK(util_grow_to((void **)&bytes, &capacity, 1024, 1));
    CHECK_U64(capacity, 1024);
    CHECK(util_grow_to((void **)&bytes, &capacity, 1025, 1));
    CHECK_U64(capacity, 2048);
    CHECK(util_grow_to((void **)&bytes, &capacity, 70000, 1));
    CHECK_U64(capacity, 131072);
    CHECK_STR(bytes, "kept");
    free(bytes);
}

static void test_overflow_refused(void)
{
    uint64_t *items = NULL;
    size_t capacity = 0;
    CHECK(util_grow_to((void **)&items, &capacity, 10, sizeof(*items)));
    items[9] = 99;
    CHECK(!util_grow_to((void **)&items, &capacity, SIZE_MAX / 4, sizeof(*items)));
    CHECK(!util_grow_to((void **)&items, &capacity, SIZE_MAX, 1));
    CHECK(!util_grow((void **)&items, &capacity, SIZE_MAX, sizeof(*items)));
    CHECK_U64(capacity, 64);
    CHECK_U64(items[9], 99);
    free(items);
}

int main(void)
{
    test_grow_one_more();
    test_grow_to();
    test_overflow_refused();
    return check_exit();
}
