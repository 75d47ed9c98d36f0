/* The Files index sorted by id text (file_index.h). glibc's qsort (a merge
 * sort with the comparator called through a pointer and a memcmp per call)
 * was 23 M instructions for 20 000 rows; the ids are GUIDs, spread evenly,
 * so their first 12 bits put about five rows in each of 4 096 buckets.
 * Bucketed in place, so their order within a bucket is lost: the insertion
 * sort puts it back (walk_index breaks the ties). */
#include "bits/file_index.h"

#include <stdlib.h>
#include <string.h>

int bits_file_entry_order(const file_entry *x, bool has_id, const uint8_t key[16])
{
    if (x->has_id != has_id)
        return x->has_id ? 1 : -1;
    return has_id ? memcmp(x->key, key, 16) : 0;
}

int bits_file_entry_compare(const void *a, const void *b)
{
    const file_entry *x = a, *y = b;
    int order = bits_file_entry_order(x, y->has_id, y->key);
    if (order)
        return order;
    return x->walk_index < y->walk_index ? -1 : x->walk_index > y->walk_index;
}

#define BUCKETS 4097u  /* rows without an id first, then the 4 096 values of the key's first 12 bits */

static size_t bucket_of(const file_entry *entry)
{
    return entry->has_id ? 1u + ((size_t)entry->key[0] << 4 | (size_t)(entry->key[1] >> 4)) : 0u;
}

static void insertion_sort(file_entry *entries, size_t count)
{
    for (size_t i = 1; i < count; i++) {
        if (bits_file_entry_compare(&entries[i - 1], &entries[i]) <= 0)
            continue;
        file_entry moving = entries[i];
        size_t j = i;
        while (j > 0 && bits_file_entry_compare(&entries[j - 1], &moving) > 0) {
            entries[j] = entries[j - 1];
            j--;
        }
        entries[j] = moving;
    }
}

void bits_file_index_sort(file_entry *entries, size_t count)
{
    if (count < 2)
        return;
    /* where each bucket begins, and how far it is filled; the entries are
     * swapped into their buckets in place (a second array of 48-byte entries
     * was 230 fresh pages to fault in) */
    size_t *start = calloc(2 * (BUCKETS + 1), sizeof(*start));
    if (!start) {
        qsort(entries, count, sizeof(*entries), bits_file_entry_compare);
        return;
    }
    size_t *filled = start + BUCKETS + 1;
    for (size_t i = 0; i < count; i++)
        start[bucket_of(&entries[i]) + 1]++;
    for (size_t b = 1; b <= BUCKETS; b++)
        start[b] += start[b - 1];
    memcpy(filled, start, (BUCKETS + 1) * sizeof(*start));
    for (size_t b = 0; b < BUCKETS; b++) {
        /* every swap puts one entry into its own bucket for good: count swaps at most */
        while (filled[b] < start[b + 1]) {
            size_t home = bucket_of(&entries[filled[b]]);
            if (home == b) {
                filled[b]++;
                continue;
            }
            file_entry moving = entries[filled[b]];
            entries[filled[b]] = entries[filled[home]];
            entries[filled[home]++] = moving;
        }
    }
    for (size_t b = 0; b < BUCKETS; b++) {
        size_t begin = start[b], end = start[b + 1];
        if (end - begin > BITS_FILE_SORT_SMALL_BUCKET)
            qsort(entries + begin, end - begin, sizeof(*entries), bits_file_entry_compare);
        else
            insertion_sort(entries + begin, end - begin);
    }
    free(start);
}
