/* The Files index sorted by id text (file_index.h). glibc's qsort (a merge
 * sort with the comparator called through a pointer and a memcmp per call)
 * was 23 M instructions for 20 000 rows; the ids are GUIDs, spread evenly,
 * so their first 12 bits put about five rows in each of 4 096 buckets.
 * Bucketed in place, so their order within a bucket is lost: the insertion
 * sort puts it back (walk_index breaks the ties). */
#include "bits/file_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t bucket_of(const file_entry *entry) { return bits_file_bucket_of(entry->has_id, entry->key); }

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

bool bits_file_index_sort(file_entry *entries, size_t count, uint32_t *starts)
{
    if (count < 2)
        return false;
    /* where each bucket begins, and how far it is filled; the entries are
     * swapped into their buckets in place (a second array of 48-byte entries
     * was 230 fresh pages to fault in) */
    size_t *start = calloc(2 * (BITS_FILE_BUCKETS + 1), sizeof(*start));
    if (!start) {
        qsort(entries, count, sizeof(*entries), bits_file_entry_compare);
        return false;
    }
    size_t *filled = start + BITS_FILE_BUCKETS + 1;
    for (size_t i = 0; i < count; i++)
        start[bucket_of(&entries[i]) + 1]++;
    for (size_t b = 1; b <= BITS_FILE_BUCKETS; b++)
        start[b] += start[b - 1];
    memcpy(filled, start, (BITS_FILE_BUCKETS + 1) * sizeof(*start));
    for (size_t b = 0; b < BITS_FILE_BUCKETS; b++) {
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
    for (size_t b = 0; b < BITS_FILE_BUCKETS; b++) {
        size_t begin = start[b], end = start[b + 1];
        if (end - begin > BITS_FILE_SORT_SMALL_BUCKET)
            qsort(entries + begin, end - begin, sizeof(*entries), bits_file_entry_compare);
        else
            insertion_sort(entries + begin, end - begin);
    }
    bool filled_starts = starts && count <= UINT32_MAX;
    for (size_t b = 0; filled_starts && b <= BITS_FILE_BUCKETS; b++)
        starts[b] = (uint32_t)start[b];
    free(start);
    return filled_starts;
}
