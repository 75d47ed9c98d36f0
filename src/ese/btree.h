/* Bounded, cycle-safe walk over the leaves of one B+-tree (ese-format §5). */
#ifndef BP_ESE_BTREE_H
#define BP_ESE_BTREE_H

#include <stdbool.h>
#include <stdint.h>

#include "ese/database.h"
#include "ese/page.h"

/* Called for every leaf node in key order. Return false to stop the walk. */
typedef bool (*ese_leaf_visitor)(const ese_page *page, const ese_node *node, void *context);

typedef struct ese_walk_stats {
    uint32_t pages;
    uint32_t leaf_nodes;
    uint32_t deleted_nodes;    /* leaf nodes flagged deleted (passed on only when asked) */
    uint32_t problems;         /* pages skipped: loops, wrong owner, unreadable */
    uint32_t unreadable_nodes; /* nodes skipped on pages that were read */
} ese_walk_stats;

#define ESE_BTREE_MAX_DEPTH 16

/* Walk the tree rooted at root_pgno. objid 0 = take it from the root page.
 * Nodes flagged deleted are passed to the visitor only when include_deleted. */
bool ese_btree_walk(const ese_db *db, uint32_t root_pgno, uint32_t objid, bool include_deleted,
                    ese_leaf_visitor visit, void *context, ese_walk_stats *stats);

#endif
