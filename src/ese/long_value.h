/* Long values (ese-format §9): the LV tree of a table, indexed once, and
 * reassembly of a value from its chunks. LID32 and LID64 entries may be mixed
 * in one tree; both are keyed here by their numeric value (a LID64 always has
 * bit 63 set, so the two never collide). */
#ifndef BP_ESE_LONG_VALUE_H
#define BP_ESE_LONG_VALUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ese/catalog.h"
#include "ese/database.h"

typedef struct ese_lv_root {
    uint64_t lid;
    uint32_t refcount;         /* 0 = no record references it (orphaned) */
    uint32_t size;             /* total uncompressed size */
    bool deleted;              /* node flagged deleted */
    uint32_t pgno;
    uint16_t itag;
} ese_lv_root;

typedef struct ese_lv_chunk {
    uint64_t lid;
    uint32_t offset;
    const uint8_t *data;
    size_t size;
    bool deleted;
    uint32_t pgno;
    uint16_t itag;
} ese_lv_chunk;

typedef struct ese_lv_store {
    ese_lv_root *roots;        /* sorted by lid */
    size_t root_count;
    ese_lv_chunk *chunks;      /* sorted by lid, then offset */
    size_t chunk_count;
} ese_lv_store;

/* Largest value we reassemble; BITS blobs are a few KiB. Bounds what the
 * chunks hold; a root's claim is never allocated, and chunk offsets are
 * bounded by ESE_LV_MAX_GAP below. */
#define ESE_LV_MAX_SIZE (256u * 1024u * 1024u)
/* Bytes of zeros a reassembled value may hold in all, for chunks that are
 * gone (a missing chunk or two); the chunks past that are left out. Chunk
 * offsets come from the file: without a limit one chunk placed far out, or
 * many spaced out, would size the value (up to the cap above). */
#define ESE_LV_MAX_GAP ((uint64_t)64 << 10)

/* The table's LV store, built on first use (NULL when the table has none). */
const ese_lv_store *ese_table_lv_store(const ese_db *db, ese_table *table);

const ese_lv_root *ese_lv_find_root(const ese_lv_store *store, uint64_t lid);
/* Chunks [*first, *end) of long value `lid` (live before deleted), found by
 * binary search: the store keeps chunks sorted by lid. */
void ese_lv_chunk_span(const ese_lv_store *store, uint64_t lid, size_t *first, size_t *end);

/* Reassemble value `lid`. On success *data and *size hold the bytes (arena) and
 * *problem is NULL, or names what is incomplete (gaps, missing root, a root
 * claiming more than the chunks hold ...; several joined by "; ") while the
 * bytes that were found are still returned. The value ends where its chunks
 * end: a gap between chunks reads as zeros, a missing tail is not invented.
 * Returns false when nothing of the value exists. */
bool ese_lv_read(const ese_db *db, ese_table *table, uint64_t lid, const uint8_t **data, size_t *size,
                 const char **problem);

/* ese_lv_read with the bytes and problem texts in `arena`, and, with
 * `with_deleted`, the chunks flagged deleted taken too (carving: the nodes of
 * a deleted value may keep the flag). Of several chunks at one offset only
 * the first in the store's order is taken, so a live chunk wins over a
 * deleted one (two live chunks at one offset: only on a damaged page). */
bool ese_lv_read_into(const ese_db *db, ese_table *table, uint64_t lid, bool with_deleted, util_arena *arena,
                      const uint8_t **data, size_t *size, const char **problem);

#endif
