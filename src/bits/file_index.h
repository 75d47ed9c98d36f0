/* The Files rows of a qmgr.db as qmgr_db.c indexes them, and their order:
 * by the text of their Id ("" first), equal ids in walk order. */
#ifndef BP_BITS_FILE_INDEX_H
#define BP_BITS_FILE_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A Files row as indexed by the first walk: its id and where it is, so it is
 * decoded only when a job that lists it is emitted (or as an orphan at the
 * end), not all of them up front. 48 bytes a file. */
typedef struct file_entry {
    uint8_t key[16];           /* the Id's bytes in the order its text shows them: sorts as the text */
    const uint8_t *data;       /* the row's node data (in the input bytes) */
    uint64_t offset;
    uint32_t data_size;
    uint32_t page;
    uint32_t walk_index;       /* ties between equal ids: walk order */
    uint16_t tag;
    bool has_id;               /* false: the row has no 16-byte Id (its text is "") */
    bool used;                 /* listed by some job */
} file_entry;

/* <0, 0, >0 as x's id text orders against the id (has_id, key). */
int bits_file_entry_order(const file_entry *x, bool has_id, const uint8_t key[16]);

/* The order of the id texts, then of walk_index (unique per entry: a total order). */
int bits_file_entry_compare(const void *a, const void *b);

/* Sort the entries by bits_file_entry_compare: the same order qsort gives
 * (the order is total), in a counting pass on the key's first 12 bits and
 * insertion sorts of the few entries sharing them (buckets larger than
 * BITS_FILE_SORT_SMALL_BUCKET by qsort, so crafted keys cost n log n at
 * worst). Out of memory: qsort of the whole array. */
#define BITS_FILE_SORT_SMALL_BUCKET 32
void bits_file_index_sort(file_entry *entries, size_t count);

#endif
