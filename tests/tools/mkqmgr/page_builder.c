#include "page_builder.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "byte_buffer.h"
#include "ese/page.h"

/* Set on every page the samples show: new record format, new checksum
 * format (ECC/XOR), first flush type. */
#define COMMON_PAGE_FLAGS (0x800u | ESE_PAGE_NEW_CHECKSUM | 0x8000u)
#define SPACE_HEADER_SIZE 16

void mk_geometry_init(mk_geometry *g, uint32_t page_size, bool reserved_tags, uint32_t fill_percent)
{
    g->page_size = page_size;
    g->large = page_size > 8192;
    g->header_size = g->large ? 80 : 40;
    g->reserved_tags = reserved_tags ? 2 : 1;
    g->fill_percent = fill_percent ? fill_percent : 100;
}

int mk_key_compare(const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size)
{
    size_t n = a_size < b_size ? a_size : b_size;
    int c = n ? memcmp(a, b, n) : 0;
    if (c)
        return c;
    return a_size < b_size ? -1 : a_size > b_size;
}

size_t mk_separator(const uint8_t *left, size_t left_size, const uint8_t *right, size_t right_size, uint8_t *out)
{
    size_t i = 0;
    while (i < left_size && i < right_size && left[i] == right[i])
        i++;
    if (i + 1 < right_size) { /* a proper prefix of the right key already separates */
        memcpy(out, right, i + 1);
        return i + 1;
    }
    if (i < left_size) {      /* left[i] < right[i] at the right key's last byte */
        if (left[i] + 1 < right[i]) {
            memcpy(out, left, i);
            out[i] = (uint8_t)(left[i] + 1);
            return i + 1;
        }
        for (size_t j = i + 1; j < left_size; j++) {
            if (left[j] != 0xFF) {
                memcpy(out, left, j);
                out[j] = (uint8_t)(left[j] + 1);
                return j + 1;
            }
        }
        memcpy(out, left, left_size);
        out[left_size] = 0;
        return left_size + 1;
    }
    /* left is a prefix of right, one byte shorter */
    memcpy(out, left, left_size);
    if (right[i] == 0) {      /* nothing fits strictly between: fall back to the right key */
        out[i] = 0;
        return right_size;
    }
    out[i] = (uint8_t)(right[i] - 1);
    return left_size + 1;
}

/* ---- planning ----------------------------------------------------------------------------- */

/* Prefix compression as real ESE lays it out (ese-format §3.5; the 4 KiB
 * text.edb LV pages show it): tag 0 of a non-root page holds one whole key,
 * and each node shares with it the longest common prefix, when that saves
 * bytes (a prefixed node spends 2 more bytes on the prefix length). */
static uint16_t shared_prefix(const mk_node *node, const mk_node *tag0)
{
    if (!tag0)
        return 0;
    size_t n = node->key_size < tag0->key_size ? node->key_size : tag0->key_size, i = 0;
    while (i < n && node->key[i] == tag0->key[i])
        i++;
    return (uint16_t)(i > 2 ? (i > 0x1FFF ? 0x1FFF : i) : 0);
}

static size_t node_bytes(const mk_node *node, const mk_node *tag0)
{
    uint16_t prefix = shared_prefix(node, tag0);
    return (prefix ? 4u : 2u) + node->key_size - prefix + node->data_size;
}

static size_t page_capacity(const mk_geometry *g)
{
    return (size_t)(g->page_size - g->header_size) * g->fill_percent / 100;
}

static size_t tags_bytes(const mk_geometry *g, size_t count)
{
    return 4 * (g->reserved_tags + count);
}

/* Bytes of a non-root page holding entries[first, first+count) with tag 0 =
 * the key of entries[tag0]. */
static size_t page_bytes_with(const mk_geometry *g, const mk_node *entries, size_t first, size_t count, size_t tag0)
{
    size_t bytes = entries[tag0].key_size + tags_bytes(g, count);
    for (size_t i = 0; i < count; i++)
        bytes += node_bytes(&entries[first + i], &entries[tag0]);
    return bytes;
}

static void add_page(mk_level *level, size_t first, size_t count, size_t tag0)
{
    level->pages = mk_realloc(level->pages, (level->page_count + 1) * sizeof(mk_page_plan));
    mk_page_plan *p = &level->pages[level->page_count++];
    p->first = first;
    p->count = count;
    p->tag0 = tag0;
    p->pgno = 0;
}

/* Does the whole level fit into the root page (16-byte space header, no prefixes)? */
static bool fits_in_root(const mk_geometry *g, const mk_level *level)
{
    size_t bytes = 16 + tags_bytes(g, level->entry_count);
    for (size_t i = 0; i < level->entry_count; i++)
        bytes += node_bytes(&level->entries[i], NULL);
    return bytes <= page_capacity(g);
}

/* Greedy packing of a non-root level: each page takes entries while they fit
 * (with tag 0 = its first key; every node's size is then fixed), then keeps
 * whichever of its first two keys as tag 0 makes the page smaller. */
static void pack_level(const mk_geometry *g, mk_level *level)
{
    size_t capacity = page_capacity(g), full = g->page_size - g->header_size;
    const mk_node *e = level->entries;
    for (size_t i = 0; i < level->entry_count;) {
        size_t bytes = e[i].key_size + tags_bytes(g, 1) + node_bytes(&e[i], &e[i]), n = 1;
        if (bytes > full) {
            fprintf(stderr, "mkqmgr: a %u-byte node does not fit in a %u-byte page (use a smaller --chunk-size)\n",
                    (unsigned)(e[i].key_size + e[i].data_size), g->page_size);
            exit(2);
        }
        while (i + n < level->entry_count && !e[i + n].page_break) {
            size_t more = 4 + node_bytes(&e[i + n], &e[i]);
            if (bytes + more > capacity)
                break;
            bytes += more;
            n++;
        }
        size_t tag0 = i;
        if (n > 1 && page_bytes_with(g, e, i, n, i + 1) <= bytes)
            tag0 = i + 1;
        add_page(level, i, n, tag0);
        i += n;
    }
}

static uint8_t *copy_key(const uint8_t *key, size_t size)
{
    uint8_t *copy = mk_alloc(size + 1);
    memcpy(copy, key, size);
    return copy;
}

/* Branch entries for the pages of `below`: separator keys, the last one empty. */
static void make_branch_level(const mk_level *below, bool below_is_leaf, mk_level *level)
{
    level->entry_count = below->page_count;
    level->entries = mk_alloc(level->entry_count * sizeof(mk_node));
    for (size_t i = 0; i < below->page_count; i++) {
        mk_node *e = &level->entries[i];
        e->child = i;
        e->data_size = 4;
        if (i + 1 == below->page_count)
            continue; /* covers everything above: empty key */
        const mk_page_plan *p = &below->pages[i], *q = &below->pages[i + 1];
        const mk_node *last = &below->entries[p->first + p->count - 1];
        if (below_is_leaf) {
            const mk_node *next = &below->entries[q->first];
            uint8_t *sep = mk_alloc((size_t)last->key_size + next->key_size + 1);
            e->key_size = (uint16_t)mk_separator(last->key, last->key_size, next->key, next->key_size, sep);
            e->key = sep;
        } else {
            /* the last node of a branch page already bounds its subtree */
            e->key = copy_key(last->key, last->key_size);
            e->key_size = last->key_size;
        }
    }
}

void mk_tree_plan(mk_tree *t, const mk_geometry *g, mk_node *nodes, size_t count)
{
    t->levels = mk_alloc(sizeof(mk_level));
    t->level_count = 1;
    mk_level *level = &t->levels[0];
    level->entries = nodes;
    level->entry_count = count;
    for (size_t i = 0; i < count; i++)
        nodes[i].flags |= t->node_flags;
    uint32_t pages = 0;
    /* long-value trees of real queues keep a branch root even over one leaf */
    bool branch_root = t->branch_root && count > 0;
    while (branch_root || !fits_in_root(g, &t->levels[t->level_count - 1])) {
        branch_root = false;
        pack_level(g, &t->levels[t->level_count - 1]);
        pages += (uint32_t)t->levels[t->level_count - 1].page_count;
        t->levels = mk_realloc(t->levels, (t->level_count + 1) * sizeof(mk_level));
        mk_level *above = &t->levels[t->level_count];
        memset(above, 0, sizeof(*above));
        make_branch_level(&t->levels[t->level_count - 1], t->level_count == 1, above);
        t->level_count++;
    }
    mk_level *root = &t->levels[t->level_count - 1];
    add_page(root, 0, root->entry_count, 0);
    t->page_count = pages + 1 + 2; /* + OE and AE */
}

/* ---- writing ------------------------------------------------------------------------------ */

typedef struct page_spec {
    uint32_t pgno, objid, flags, prev, next;
    uint64_t dbtime;
    const uint8_t *tag0;
    uint16_t tag0_size;
    const mk_node *nodes;
    size_t count;
    const mk_node *prefix_key;  /* non-root pages: the key held in tag 0 */
} page_spec;

static void write_page(const mk_geometry *g, uint8_t *file, const page_spec *s)
{
    uint8_t *page = file + ((size_t)s->pgno + 1) * g->page_size;
    uint8_t *data = page + g->header_size;
    size_t capacity = g->page_size - g->header_size;
    size_t ntags = g->reserved_tags + s->count, used = 0, deleted_bytes = 0;
    memset(page, 0, g->page_size);

    /* tag 0: external header (space header on roots, key prefix elsewhere);
     * reserved tags stay empty */
    if (s->tag0_size)
        memcpy(data, s->tag0, s->tag0_size);
    mk_store_u16(page + g->page_size - 4, s->tag0_size);
    used = s->tag0_size;
    for (size_t i = 0; i < s->count; i++) {
        const mk_node *n = &s->nodes[i];
        uint16_t prefix = shared_prefix(n, s->prefix_key);
        uint8_t flags = (uint8_t)(n->flags | (prefix ? ESE_NODE_PREFIX : 0));
        uint16_t flag_bits = g->large ? (uint16_t)(flags << 13) : 0;
        uint8_t *at = data + used;
        size_t size;
        if (prefix) { /* flags (large pages) ride on the first u16, the prefix length */
            mk_store_u16(at, (uint16_t)(prefix | flag_bits));
            mk_store_u16(at + 2, (uint16_t)(n->key_size - prefix));
            size = 4;
        } else {
            mk_store_u16(at, (uint16_t)(n->key_size | flag_bits));
            size = 2;
        }
        if (n->key_size > prefix)
            memcpy(at + size, n->key + prefix, n->key_size - prefix);
        size += n->key_size - prefix;
        if (n->data_size)
            memcpy(at + size, n->data, n->data_size);
        size += n->data_size;
        uint8_t *tag = page + g->page_size - 4 * (g->reserved_tags + i + 1);
        mk_store_u16(tag, (uint16_t)size);
        mk_store_u16(tag + 2, (uint16_t)(used | (g->large ? 0 : (uint16_t)(flags << 13))));
        if (n->flags & ESE_NODE_DELETED)
            deleted_bytes += size;
        used += size;
    }
    if (used + 4 * ntags > capacity) {
        fprintf(stderr, "mkqmgr: internal error: page %u overflows\n", s->pgno);
        exit(3);
    }
    mk_store_u64(page + 8, s->dbtime);
    mk_store_u32(page + 16, s->prev);
    mk_store_u32(page + 20, s->next);
    mk_store_u32(page + 24, s->objid);
    /* a flagged-deleted node is free space whose delete is not yet committed */
    mk_store_u16(page + 28, (uint16_t)(capacity - used - 4 * ntags + deleted_bytes));
    mk_store_u16(page + 30, (uint16_t)deleted_bytes);
    mk_store_u16(page + 32, (uint16_t)used);
    mk_store_u16(page + 34, (uint16_t)(ntags | (g->reserved_tags > 1 ? g->reserved_tags << 12 : 0)));
    mk_store_u32(page + 36, s->flags | COMMON_PAGE_FLAGS);
    if (g->large)
        mk_store_u32(page + 64, s->pgno);
    ese_page_store_checksums(g->page_size, page, s->pgno);
}

/* OE / AE space tree page (ese-format §6): one node per extent, key = BE
 * last pgno, data = page count. */
static void write_space_page(const mk_geometry *g, uint8_t *file, uint32_t pgno, uint32_t objid, uint64_t dbtime,
                             const mk_extent *extents, size_t count)
{
    static const uint8_t split_buffer[SPACE_HEADER_SIZE];
    uint8_t keys[MK_MAX_EXTENTS][4], data[MK_MAX_EXTENTS][4];
    mk_node nodes[MK_MAX_EXTENTS];
    memset(nodes, 0, sizeof nodes);
    for (size_t i = 0; i < count; i++) {
        uint32_t last = extents[i].first + extents[i].count - 1;
        keys[i][0] = (uint8_t)(last >> 24);
        keys[i][1] = (uint8_t)(last >> 16);
        keys[i][2] = (uint8_t)(last >> 8);
        keys[i][3] = (uint8_t)last;
        mk_store_u32(data[i], extents[i].count);
        nodes[i].key = keys[i];
        nodes[i].key_size = 4;
        nodes[i].data = data[i];
        nodes[i].data_size = 4;
    }
    page_spec s = {pgno, objid, ESE_PAGE_ROOT | ESE_PAGE_LEAF | ESE_PAGE_SPACE_TREE, 0, 0, dbtime,
                   split_buffer, SPACE_HEADER_SIZE, nodes, count, NULL};
    write_page(g, file, &s);
}

void mk_tree_write(mk_tree *t, const mk_geometry *g, uint32_t base_pgno, uint8_t *file, uint64_t *dbtime)
{
    t->root_pgno = base_pgno;
    uint32_t next = base_pgno + 3;
    size_t top = t->level_count - 1;
    t->levels[top].pages[0].pgno = base_pgno;
    for (size_t l = 0; l < top; l++)
        for (size_t p = 0; p < t->levels[l].page_count; p++)
            t->levels[l].pages[p].pgno = next++;
    if (!t->owned_count) {
        t->owned_first = base_pgno;
        t->owned_count = t->page_count;
    }
    for (size_t l = 1; l <= top; l++) {
        mk_level *level = &t->levels[l];
        for (size_t i = 0; i < level->entry_count; i++) {
            mk_node *e = &level->entries[i];
            mk_store_u32(e->child_pgno, t->levels[l - 1].pages[e->child].pgno);
            e->data = e->child_pgno;
        }
    }
    for (size_t l = 0; l <= top; l++) {
        const mk_level *level = &t->levels[l];
        for (size_t p = 0; p < level->page_count; p++) {
            const mk_page_plan *plan = &level->pages[p];
            bool root = l == top;
            uint32_t flags = t->type_flags | (l == 0 ? ESE_PAGE_LEAF : 0) | (l == 1 ? ESE_PAGE_PARENT_OF_LEAF : 0) |
                             (root ? ESE_PAGE_ROOT : 0);
            uint8_t space_header[SPACE_HEADER_SIZE];
            mk_store_u32(space_header, t->owned_count);
            mk_store_u32(space_header + 4, t->parent_pgno);
            mk_store_u32(space_header + 8, t->space_flags);
            mk_store_u32(space_header + 12, base_pgno + 1);
            const mk_node *tag0 = root || !level->entry_count ? NULL : &level->entries[plan->tag0];
            /* only leaves are chained: libesedb 20181229 refuses branch pages with siblings */
            bool chained = l == 0 && !root;
            page_spec s = {plan->pgno, t->objid, flags,
                           chained && p > 0 ? level->pages[p - 1].pgno : 0,
                           chained && p + 1 < level->page_count ? level->pages[p + 1].pgno : 0,
                           (*dbtime)++, root ? space_header : (tag0 ? tag0->key : NULL),
                           root ? SPACE_HEADER_SIZE : (uint16_t)(tag0 ? tag0->key_size : 0),
                           level->entry_count ? &level->entries[plan->first] : NULL, plan->count, tag0};
            write_page(g, file, &s);
        }
    }
    mk_extent owned = {t->owned_first, t->owned_count};
    write_space_page(g, file, base_pgno + 1, t->objid, (*dbtime)++, &owned, 1);
    write_space_page(g, file, base_pgno + 2, t->objid, (*dbtime)++, t->available, t->available_count);
}

void mk_tree_free(mk_tree *t)
{
    for (size_t l = 1; l < t->level_count; l++) {
        for (size_t i = 0; i < t->levels[l].entry_count; i++)
            free((void *)t->levels[l].entries[i].key);
        free(t->levels[l].entries);
    }
    for (size_t l = 0; l < t->level_count; l++)
        free(t->levels[l].pages);
    free(t->levels);
    t->levels = NULL;
    t->level_count = 0;
}
