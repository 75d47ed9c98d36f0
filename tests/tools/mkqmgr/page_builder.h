/* ESE page and B+-tree builder (ese-format §3-§6): lays sorted leaf nodes out
 * over leaf pages, adds branch levels up to a single root, and serialises each
 * page (header, nodes, tag array, checksums) into the file image. Small pages
 * (4/8 KiB) keep node flags in the tag's offset word, large pages in the
 * node's first u16. */
#ifndef MKQMGR_PAGE_BUILDER_H
#define MKQMGR_PAGE_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct mk_geometry {
    uint32_t page_size;
    bool large;                /* 16/32 KiB: 80-byte header, flags in the node */
    uint32_t header_size;
    uint32_t reserved_tags;    /* 1, or 2 for the Windows 11 24H2 layout */
    uint32_t fill_percent;     /* how much of a non-root page the packer uses */
} mk_geometry;

void mk_geometry_init(mk_geometry *g, uint32_t page_size, bool reserved_tags, uint32_t fill_percent);

/* One node: key + data (both borrowed) and ESE node flags (version/deleted;
 * the prefix flag is the builder's business). */
typedef struct mk_node {
    const uint8_t *key;
    uint16_t key_size;
    const uint8_t *data;
    uint32_t data_size;
    uint8_t flags;
    bool page_break;           /* start a new page with this node */
    size_t child;              /* branch nodes: page index in the level below */
    uint8_t child_pgno[4];     /* branch nodes: their data */
} mk_node;

typedef struct mk_page_plan {
    size_t first, count;       /* entries of the level */
    size_t tag0;               /* entry whose key tag 0 holds (non-root pages) */
    uint32_t pgno;
} mk_page_plan;

typedef struct mk_level {
    mk_node *entries;
    size_t entry_count;
    mk_page_plan *pages;
    size_t page_count;
} mk_level;

typedef struct mk_extent {
    uint32_t first, count;
} mk_extent;

#define MK_MAX_EXTENTS 4

/* A tree (table, long-value store, catalog, or the database root). */
typedef struct mk_tree {
    uint32_t objid;
    uint32_t type_flags;       /* page flags of the tree's kind, e.g. 0x80 long value */
    uint32_t parent_pgno;      /* space header: parent FDP */
    uint32_t space_flags;      /* space header: 1 multiple extents, 5 multiple extents v2 */
    uint8_t node_flags;        /* added to every leaf node (version flag of a dirty database) */
    bool branch_root;          /* root is a branch page even when one leaf would do */
    mk_level *levels;          /* levels[0] = leaves; the last level is the root */
    size_t level_count;
    uint32_t page_count;       /* tree pages + its OE and AE space-tree pages */
    uint32_t root_pgno;
    uint32_t owned_first, owned_count;  /* extent listed in the OE tree (whole file for the root) */
    mk_extent available[MK_MAX_EXTENTS]; /* listed in the AE tree: free pages (the root's gaps) */
    size_t available_count;
} mk_tree;

/* Plan the page layout of `count` sorted leaf nodes (kept by reference).
 * Page numbers are not needed to plan; they are assigned by mk_tree_write. */
void mk_tree_plan(mk_tree *t, const mk_geometry *g, mk_node *nodes, size_t count);

/* Write the planned tree with its root at base_pgno (OE = +1, AE = +2, other
 * pages after) into the file image (page pgno at (pgno + 1) * page_size).
 * Each page takes the next value of *dbtime. */
void mk_tree_write(mk_tree *t, const mk_geometry *g, uint32_t base_pgno, uint8_t *file, uint64_t *dbtime);

void mk_tree_free(mk_tree *t);

/* Strict separator: the shortest key s with left < s < right where one exists
 * (so both "<" and "<=" branch search rules find every key), written to out
 * (capacity left_size + right_size + 1). Returns its length. */
size_t mk_separator(const uint8_t *left, size_t left_size, const uint8_t *right, size_t right_size, uint8_t *out);

int mk_key_compare(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size);

#endif
