#include "ese/btree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/growable.h"
#include "util/reader.h"

typedef struct walk_frame {
    uint32_t pgno;
    uint32_t depth;
} walk_frame;

typedef struct walk_stack {
    walk_frame *frames;
    size_t count, capacity;
} walk_stack;

static bool stack_push(walk_stack *stack, uint32_t pgno, uint32_t depth)
{
    if (!util_grow((void **)&stack->frames, &stack->capacity, stack->count, sizeof(walk_frame)))
        return false;
    stack->frames[stack->count].pgno = pgno;
    stack->frames[stack->count].depth = depth;
    stack->count++;
    return true;
}

static void problem(const ese_db *db, ese_walk_stats *stats, const char *what, uint32_t pgno, uint32_t root)
{
    stats->problems++;
    util_notes_addf(db->arena, db->warnings, "ESE tree at page %u: %s (page %u skipped)", root, what, pgno);
}

/* Unreadable nodes of one page are reported once, with their number: a
 * damaged page can hold thousands of tags and one line says it all. */
static void unreadable_nodes(const ese_db *db, ese_walk_stats *stats, const char *kind, uint32_t count,
                             uint32_t pgno, uint32_t root)
{
    if (count == 0)
        return;
    stats->unreadable_nodes += count;
    /* only those nodes are skipped: the page's other nodes are read */
    if (count == 1)
        util_notes_addf(db->arena, db->warnings, "ESE tree at page %u: unreadable %s node on page %u skipped", root,
                      kind, pgno);
    else
        util_notes_addf(db->arena, db->warnings, "ESE tree at page %u: %u unreadable %s nodes on page %u skipped",
                      root, count, kind, pgno);
}

/* Push the children of a branch page right to left, so they pop in key order. */
static bool push_children(const ese_db *db, const ese_page *page, uint32_t depth, walk_stack *stack,
                          ese_walk_stats *stats, uint32_t root)
{
    ese_node node;
    uint32_t unreadable = 0;
    bool ok = true;
    for (int itag = (int)page->tag_count - 1; ok && itag >= (int)page->reserved_tags; itag--) {
        if (!ese_page_node(page, (uint16_t)itag, &node) || node.data_size < 4) {
            unreadable++;
            continue;
        }
        if (node.flags & ESE_NODE_DELETED)
            continue;
        util_reader r = util_reader_make(node.data, node.data_size);
        uint32_t child = util_read_u32(&r);
        ok = stack_push(stack, child, depth + 1);
    }
    unreadable_nodes(db, stats, "branch", unreadable, page->pgno, root);
    return ok;
}

bool ese_btree_walk(const ese_db *db, uint32_t root_pgno, uint32_t objid, bool include_deleted,
                    ese_leaf_visitor visit, void *context, ese_walk_stats *stats)
{
    ese_walk_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof(*stats));
    uint8_t *visited = calloc((size_t)db->page_count / 8 + 1, 1);
    walk_stack stack = {NULL, 0, 0};
    bool ok = visited && stack_push(&stack, root_pgno, 0);
    bool keep_going = true;
    while (ok && keep_going && stack.count) {
        walk_frame frame = stack.frames[--stack.count];
        uint32_t pgno = frame.pgno;
        if (pgno == 0 || pgno > db->page_count) {
            problem(db, stats, "child page number outside the file", pgno, root_pgno);
            continue;
        }
        if (visited[pgno / 8] & (1u << (pgno % 8))) {
            problem(db, stats, "page reached twice (loop)", pgno, root_pgno);
            continue;
        }
        visited[pgno / 8] |= (uint8_t)(1u << (pgno % 8));
        if (frame.depth > ESE_BTREE_MAX_DEPTH) {
            problem(db, stats, "tree deeper than possible", pgno, root_pgno);
            continue;
        }
        ese_page page;
        if (!ese_page_load(db, pgno, &page)) {
            problem(db, stats, "page empty or unreadable", pgno, root_pgno);
            continue;
        }
        if (objid == 0)
            objid = page.objid;
        if (page.objid != objid) {
            problem(db, stats, "page belongs to another object", pgno, root_pgno);
            continue;
        }
        stats->pages++;
        if (!(page.flags & ESE_PAGE_LEAF)) {
            ok = push_children(db, &page, frame.depth, &stack, stats, root_pgno);
            continue;
        }
        ese_node node;
        uint32_t unreadable = 0;
        for (uint16_t itag = page.reserved_tags; itag < page.tag_count && keep_going; itag++) {
            if (!ese_page_node(&page, itag, &node)) {
                unreadable++;
                continue;
            }
            if (node.flags & ESE_NODE_DELETED) {
                stats->deleted_nodes++;
                if (!include_deleted)
                    continue;
            }
            stats->leaf_nodes++;
            keep_going = visit(&page, &node, context);
        }
        unreadable_nodes(db, stats, "leaf", unreadable, pgno, root_pgno);
    }
    free(stack.frames);
    free(visited);
    return ok;
}
