/* Long-value tree nodes (ese-format §9): per value a root (key = big-endian
 * LID, data = reference count + total size) followed by its chunks (key = LID
 * + big-endian offset, data = the bytes). */
#ifndef MKQMGR_LONG_VALUES_H
#define MKQMGR_LONG_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "byte_buffer.h"
#include "page_builder.h"

typedef struct mk_lv_value {
    uint64_t lid;
    const uint8_t *bytes;      /* borrowed; must outlive the tree */
    size_t size;
    uint32_t refcount;         /* 1 live, 0 orphaned (record deleted) */
} mk_lv_value;

typedef struct mk_lv_tree {
    mk_node *nodes;            /* sorted by key */
    size_t count;
    mk_buffer storage;         /* keys and root data */
} mk_lv_tree;

/* values sorted by ascending LID; lid_size 4 or 8. */
/* page_per_value: every value starts a new leaf page (the layout libesedb
 * 20181229 can read, see database_writer.h). */
void mk_lv_build(const mk_lv_value *values, size_t count, unsigned lid_size, uint32_t chunk_size, bool page_per_value,
                 mk_lv_tree *out);
void mk_lv_free(mk_lv_tree *t);

/* LID of the n-th value (n from 1): small integers for LID32, bit 63 set for LID64. */
uint64_t mk_lid(unsigned lid_size, uint32_t n);

#endif
