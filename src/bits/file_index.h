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

/* Rows without an id first, then one bucket per value of the key's first
 * 12 bits (ids are GUIDs, spread evenly: a few rows a bucket). */
#define BITS_FILE_BUCKETS 4097u
size_t bits_file_bucket_of(bool has_id, const uint8_t key[16]);

/* Sort the entries by bits_file_entry_compare: the same order qsort gives
 * (the order is total), by swapping them into their buckets and insertion
 * sorts of the few entries of each (buckets larger than
 * BITS_FILE_SORT_SMALL_BUCKET by qsort, so crafted keys cost n log n at
 * worst). When starts is not NULL it receives where each bucket begins in
 * the sorted entries (BITS_FILE_BUCKETS + 1 values, the last = count); false
 * when it was not filled (out of memory: a qsort of the whole array; fewer
 * than two entries; count above UINT32_MAX). */
#define BITS_FILE_SORT_SMALL_BUCKET 32
bool bits_file_index_sort(file_entry *entries, size_t count, uint32_t *starts);

/* The sorted entries as searched by id. */
typedef struct bits_file_lookup {
    const file_entry *entries;
    size_t count;
    const uint64_t *prefixes;  /* per entry: its key's first 8 bytes as a number; NULL: the entries are searched */
    const uint32_t *starts;    /* bits_file_index_sort's bucket starts; NULL: none */
} bits_file_lookup;

/* The first 8 bytes of a key as a big-endian number: numbers order as keys. */
uint64_t bits_file_key_prefix(const uint8_t key[16]);

/* An entry with this id, NULL when none: the one glibc's bsearch over all
 * entries finds (among equal ids, which one depends on its steps). With
 * bucket starts, an id held by one entry is found within its bucket (a few
 * entries: fewer cache misses than 15 steps over the whole index); an id
 * several entries hold goes through the whole search. */
const file_entry *bits_file_index_find(const bits_file_lookup *index, bool has_id, const uint8_t key[16]);

#endif
