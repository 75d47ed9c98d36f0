/* The Files index sort (src/bits/file_index_sort.c): the bucketed sort gives
 * qsort's order (id text, "" first, equal ids in walk order) on GUID-like
 * keys, on ids without a text, on an all-zero id, on equal ids, and on keys
 * that all share their first 12 bits (one bucket larger than
 * BITS_FILE_SORT_SMALL_BUCKET: its qsort path) or fill a bucket exactly; its
 * bucket starts are where each bucket begins. The search by id
 * (src/bits/file_index.c) finds through the buckets the entry that glibc's
 * bsearch finds over all entries: for every id held once, held several
 * times (the whole search), absent, and "". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bits/file_index.h"
#include "check.h"

static uint64_t state = 0x9E3779B97F4A7C15u;

static uint64_t next_random(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* count entries; every `no_id`th without an id, every `duplicate`th with the
 * previous one's key, the first `shared_prefix` bits of every key fixed. */
static file_entry *make_entries(size_t count, size_t no_id, size_t duplicate, unsigned shared_prefix)
{
    file_entry *entries = calloc(count ? count : 1, sizeof(*entries));
    for (size_t i = 0; i < count; i++) {
        file_entry *e = &entries[i];
        e->walk_index = (uint32_t)i;
        e->page = (uint32_t)(1000 + i);  /* a payload that must travel with its key */
        if (no_id && i % no_id == no_id - 1)
            continue;
        e->has_id = true;
        if (duplicate && i > 0 && i % duplicate == 0 && entries[i - 1].has_id) {
            memcpy(e->key, entries[i - 1].key, 16);
            continue;
        }
        for (int b = 0; b < 16; b++)
            e->key[b] = (uint8_t)next_random();
        if (shared_prefix >= 12) {
            e->key[0] = 0xAB;
            e->key[1] = (uint8_t)(0xC0 | (e->key[1] & 0x0F));
        }
    }
    return entries;
}

typedef struct id_key {
    bool has_id;
    uint8_t key[16];
} id_key;

static int compare_key(const void *key, const void *entry)
{
    const id_key *k = key;
    return -bits_file_entry_order(entry, k->has_id, k->key);
}

/* The entry found for (has_id, key) through the buckets, through the
 * prefixes alone, and by glibc's bsearch: the same one. */
static size_t find_three_ways(const file_entry *entries, size_t count, const uint64_t *prefixes,
                              const uint32_t *starts, bool has_id, const uint8_t key[16], bool *found)
{
    bits_file_lookup buckets = {entries, count, prefixes, starts};
    bits_file_lookup prefixes_only = {entries, count, prefixes, NULL};
    bits_file_lookup plain = {entries, count, NULL, NULL};
    id_key k = {has_id, {0}};
    memcpy(k.key, key, 16);
    const file_entry *expected = bsearch(&k, entries, count, sizeof(*entries), compare_key);
    const file_entry *a = bits_file_index_find(&buckets, has_id, key);
    const file_entry *b = bits_file_index_find(&prefixes_only, has_id, key);
    const file_entry *c = bits_file_index_find(&plain, has_id, key);
    *found = expected != NULL;
    return (a != expected) + (b != expected) + (c != expected);
}

static void check_find(const char *name, const file_entry *entries, size_t count, const uint32_t *starts)
{
    uint64_t *prefixes = malloc(count * sizeof(*prefixes));
    for (size_t i = 0; i < count; i++)
        prefixes[i] = bits_file_key_prefix(entries[i].key);
    size_t wrong = 0, found = 0, lookups = 0;
    for (size_t i = 0; i < count; i++) {
        bool hit;
        wrong += find_three_ways(entries, count, prefixes, starts, entries[i].has_id, entries[i].key, &hit);
        found += hit;
        lookups++;
        uint8_t absent[16];  /* the next key up: held by no entry unless by chance */
        memcpy(absent, entries[i].key, 16);
        absent[15] ^= 1;
        wrong += find_three_ways(entries, count, prefixes, starts, true, absent, &hit);
    }
    static const uint8_t zero[16] = {0};
    bool hit;
    wrong += find_three_ways(entries, count, prefixes, starts, false, zero, &hit);
    wrong += find_three_ways(entries, count, prefixes, starts, true, zero, &hit);
    if (wrong)
        fprintf(stderr, "%s: %zu lookups disagree with bsearch\n", name, wrong);
    CHECK_U64(wrong, 0);
    CHECK_U64(found, lookups);
    free(prefixes);
}

static void check_against_qsort(const char *name, file_entry *entries, size_t count)
{
    file_entry *expected = malloc((count ? count : 1) * sizeof(*expected));
    if (count) {  /* entries is NULL for the empty case */
        memcpy(expected, entries, count * sizeof(*entries));
        qsort(expected, count, sizeof(*expected), bits_file_entry_compare);
    }
    uint32_t *starts = malloc((BITS_FILE_BUCKETS + 1) * sizeof(*starts));
    bool filled = bits_file_index_sort(entries, count, starts);
    CHECK(filled == (count >= 2));
    size_t differ = 0;
    for (size_t i = 0; i < count; i++)
        differ += memcmp(&entries[i], &expected[i], sizeof(*entries)) != 0;
    if (differ)
        fprintf(stderr, "%s: %zu of %zu entries out of place\n", name, differ, count);
    CHECK(differ == 0);
    size_t misplaced = 0;
    for (size_t b = 0; filled && b < BITS_FILE_BUCKETS; b++)
        for (size_t i = starts[b]; i < starts[b + 1]; i++)
            misplaced += bits_file_bucket_of(entries[i].has_id, entries[i].key) != b;
    CHECK(!filled || (starts[0] == 0 && starts[BITS_FILE_BUCKETS] == count));
    CHECK_U64(misplaced, 0);
    if (filled)
        check_find(name, entries, count, starts);
    free(starts);
    free(expected);
}

int main(void)
{
    check_against_qsort("empty", NULL, 0);

    file_entry one = {.has_id = true, .key = {1, 2, 3}, .walk_index = 0};
    CHECK(!bits_file_index_sort(&one, 1, NULL));  /* nothing to sort, no starts */
    CHECK(one.key[0] == 1 && one.key[2] == 3);

    /* a queue's worth of GUIDs, some rows without an id, some ids twice */
    file_entry *e = make_entries(20000, 97, 13, 0);
    check_against_qsort("random", e, 20000);
    for (size_t i = 0; i + 1 < 20000; i++)
        CHECK(bits_file_entry_compare(&e[i], &e[i + 1]) < 0);
    CHECK(!e[0].has_id);  /* "" first */
    CHECK(e[0].walk_index == 96);  /* the first row without an id in walk order */
    free(e);

    /* an all-zero id sorts after the rows without one, before the others */
    file_entry mixed[4] = {
        {.has_id = true, .key = {0x10}, .walk_index = 0},
        {.has_id = true, .key = {0}, .walk_index = 1},
        {.has_id = false, .walk_index = 2},
        {.has_id = true, .key = {0}, .walk_index = 3},
    };
    uint32_t starts[BITS_FILE_BUCKETS + 1];
    CHECK(bits_file_index_sort(mixed, 4, starts));
    CHECK_U64(starts[1], 1);  /* one row without an id */
    CHECK_U64(starts[2], 3);  /* two all-zero ids in the first bucket of ids */
    CHECK_U64(starts[BITS_FILE_BUCKETS], 4);
    CHECK(!bits_file_index_sort(mixed, 4, NULL));  /* sorted again, no starts asked for */
    CHECK(mixed[0].walk_index == 2);
    CHECK(mixed[1].walk_index == 1);
    CHECK(mixed[2].walk_index == 3);
    CHECK(mixed[3].walk_index == 0);

    /* every key in one bucket: the bucket goes to qsort */
    e = make_entries(5000, 0, 7, 12);
    check_against_qsort("one bucket", e, 5000);
    free(e);

    /* a bucket of exactly BITS_FILE_SORT_SMALL_BUCKET and one more (insertion sort, qsort) */
    e = make_entries(BITS_FILE_SORT_SMALL_BUCKET, 0, 5, 12);
    check_against_qsort("full small bucket", e, BITS_FILE_SORT_SMALL_BUCKET);
    free(e);
    e = make_entries(BITS_FILE_SORT_SMALL_BUCKET + 1, 0, 5, 12);
    check_against_qsort("bucket one over", e, BITS_FILE_SORT_SMALL_BUCKET + 1);
    free(e);

    /* only rows without an id: walk order kept, reversed input sorted back */
    e = make_entries(100, 1, 0, 0);
    for (size_t i = 0; i < 100; i++)
        e[i].walk_index = (uint32_t)(99 - i);
    check_against_qsort("no ids", e, 100);
    CHECK(e[0].walk_index == 0 && e[99].walk_index == 99 && e[0].page == 1099);
    free(e);
    return check_exit();
}
