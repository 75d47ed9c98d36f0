#include "ese/long_value.h"

#include <stdlib.h>
#include <string.h>

#include "ese/btree.h"
#include "ese/compression.h"
#include "util/growable.h"
#include "util/reader.h"

typedef struct lv_builder {
    ese_lv_root *roots;
    size_t root_count, root_capacity;
    ese_lv_chunk *chunks;
    size_t chunk_count, chunk_capacity;
    bool out_of_memory;
} lv_builder;

static bool collect_lv_node(const ese_page *page, const ese_node *node, void *context)
{
    lv_builder *b = context;
    bool deleted = (node->flags & ESE_NODE_DELETED) != 0;
    const uint8_t *k = node->key;
    bool is_root = node->key_size == 4 || (node->key_size == 8 && (k[0] & 0x80));
    bool is_chunk = node->key_size == 12 || (node->key_size == 8 && !(k[0] & 0x80));
    if (is_root) {
        if (node->data_size < 8)
            return true;
        if (!util_grow((void **)&b->roots, &b->root_capacity, b->root_count, sizeof(ese_lv_root))) {
            b->out_of_memory = true;
            return false;
        }
        util_reader r = util_reader_make(node->data, node->data_size);
        ese_lv_root *root = &b->roots[b->root_count++];
        root->lid = node->key_size == 4 ? util_be32(k) : util_be64(k);
        root->refcount = util_read_u32(&r);
        root->size = util_read_u32(&r);
        root->deleted = deleted;
        root->pgno = page->pgno;
        root->itag = node->itag;
    } else if (is_chunk) {
        if (!util_grow((void **)&b->chunks, &b->chunk_capacity, b->chunk_count, sizeof(ese_lv_chunk))) {
            b->out_of_memory = true;
            return false;
        }
        ese_lv_chunk *chunk = &b->chunks[b->chunk_count++];
        chunk->lid = node->key_size == 8 ? util_be32(k) : util_be64(k);
        chunk->offset = util_be32(k + node->key_size - 4);
        chunk->data = node->data;
        chunk->size = node->data_size;
        chunk->deleted = deleted;
        chunk->pgno = page->pgno;
        chunk->itag = node->itag;
    }
    return true;
}

static int compare_roots(const void *a, const void *b)
{
    const ese_lv_root *x = a, *y = b;
    if (x->lid != y->lid)
        return x->lid < y->lid ? -1 : 1;
    return (int)x->deleted - (int)y->deleted; /* live entry first */
}

static int compare_chunks(const void *a, const void *b)
{
    const ese_lv_chunk *x = a, *y = b;
    if (x->lid != y->lid)
        return x->lid < y->lid ? -1 : 1;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return (int)x->deleted - (int)y->deleted;
}

/* The tree walk visits keys in order, so the entries almost always come
 * sorted already: one pass to check, the sort only when it finds disorder.
 * Skipped, the walk order stays, as a stable sort would leave it. */
static void sort_unless_sorted(void *base, size_t count, size_t size, int (*compare)(const void *, const void *))
{
    const char *bytes = base;
    for (size_t i = 1; i < count; i++) {
        if (compare(bytes + (i - 1) * size, bytes + i * size) > 0) {
            qsort(base, count, size, compare);
            return;
        }
    }
}

const ese_lv_store *ese_table_lv_store(const ese_db *db, ese_table *table)
{
    if (table->lv || !table->lv_root_pgno)
        return table->lv;
    lv_builder b;
    memset(&b, 0, sizeof(b));
    ese_btree_walk(db, table->lv_root_pgno, table->lv_objid, true, collect_lv_node, &b, NULL);
    ese_lv_store *store = util_arena_alloc(db->arena, sizeof(*store));
    if (store && !b.out_of_memory) {
        store->roots = util_arena_array(db->arena, b.root_count, sizeof(ese_lv_root));
        store->chunks = util_arena_array(db->arena, b.chunk_count, sizeof(ese_lv_chunk));
        if (store->roots && store->chunks) {
            if (b.root_count)
                memcpy(store->roots, b.roots, b.root_count * sizeof(ese_lv_root));
            if (b.chunk_count)
                memcpy(store->chunks, b.chunks, b.chunk_count * sizeof(ese_lv_chunk));
            store->root_count = b.root_count;
            store->chunk_count = b.chunk_count;
            sort_unless_sorted(store->roots, store->root_count, sizeof(ese_lv_root), compare_roots);
            sort_unless_sorted(store->chunks, store->chunk_count, sizeof(ese_lv_chunk), compare_chunks);
        }
    }
    free(b.roots);
    free(b.chunks);
    table->lv = store;
    return store;
}

const ese_lv_root *ese_lv_find_root(const ese_lv_store *store, uint64_t lid)
{
    size_t lo = 0, hi = store->root_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (store->roots[mid].lid < lid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < store->root_count && store->roots[lo].lid == lid ? &store->roots[lo] : NULL;
}

void ese_lv_chunk_span(const ese_lv_store *store, uint64_t lid, size_t *first, size_t *end)
{
    size_t lo = 0, hi = store->chunk_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (store->chunks[mid].lid < lid)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    while (hi < store->chunk_count && store->chunks[hi].lid == lid)
        hi++;
    *end = hi;
}

/* Chunk size of a value: spacing of its first two chunk offsets, else the
 * catalog's LVChunkMax, else the whole value (ese-format §9.4). */
static uint32_t chunk_size_of(const ese_lv_store *store, size_t first, uint64_t lid, uint32_t total,
                              uint32_t catalog_max)
{
    for (size_t i = first; i + 1 < store->chunk_count && store->chunks[i + 1].lid == lid; i++) {
        if (store->chunks[i + 1].offset > store->chunks[i].offset)
            return store->chunks[i + 1].offset - store->chunks[i].offset;
    }
    return catalog_max ? catalog_max : total;
}

/* One chunk's bytes as they go into the value (decompressed when needed). */
typedef struct lv_piece {
    uint32_t offset;
    const uint8_t *bytes;
    size_t length;
} lv_piece;

/* Pieces of a value kept on the stack; more are allocated. */
#define LV_FEW_PIECES 8

/* Join problems so none hides another (a claim, gaps, a bad chunk ...). */
static void add_problem(util_arena *arena, const char **problem, const char *text)
{
    if (!*problem) {
        *problem = text;
        return;
    }
    const char *joined = util_arena_printf(arena, "%s; %s", *problem, text);
    if (joined)
        *problem = joined;
}

bool ese_lv_read(const ese_db *db, ese_table *table, uint64_t lid, const uint8_t **data, size_t *size,
                 const char **problem)
{
    return ese_lv_read_into(db, table, lid, false, db->value_arena ? db->value_arena : db->arena, data,
                            size, problem);
}

bool ese_lv_read_into(const ese_db *db, ese_table *table, uint64_t lid, bool with_deleted, util_arena *arena,
                      const uint8_t **data, size_t *size, const char **problem)
{
    *data = NULL;
    *size = 0;
    *problem = NULL;
    const ese_lv_store *store = ese_table_lv_store(db, table);
    if (!store) {
        *problem = "table has no long-value tree";
        return false;
    }
    const ese_lv_root *root = ese_lv_find_root(store, lid);
    size_t first, end;
    ese_lv_chunk_span(store, lid, &first, &end);
    uint64_t total = 0;
    if (root) {
        total = root->size;
    } else {
        /* no root: size the value from the chunks that remain */
        for (size_t i = first; i < end; i++) {
            const ese_lv_chunk *chunk = &store->chunks[i];
            if ((with_deleted || !chunk->deleted) && chunk->offset + (uint64_t)chunk->size > total)
                total = chunk->offset + (uint64_t)chunk->size;
        }
        *problem = "long-value root missing; reassembled from chunks";
    }
    if (first == end) {
        *problem = root ? "long value has no chunks" : "long value not found";
        if (root && total == 0) {
            *data = (const uint8_t *)"";
            *problem = NULL;
            return true;
        }
        return false;
    }

    /* The root's size is a claim from the file (up to 4 GiB): nothing is
     * allocated for it. First gather what the chunks hold, then allocate the
     * bytes they reach (bug lv-size-claim). */
    lv_piece few[LV_FEW_PIECES];  /* most values have a chunk or two: no allocation for them */
    lv_piece *pieces = end - first <= LV_FEW_PIECES ? few : malloc((end - first) * sizeof(lv_piece));
    if (!pieces) {
        *problem = "out of memory";
        return false;
    }
    uint32_t chunk_size = chunk_size_of(store, first, lid, (uint32_t)total, table->lv_chunk_max);
    size_t piece_count = 0;
    uint64_t reach = 0, zeros = 0;
    bool undecompressed = false;
    bool far_chunk = false;
    for (size_t i = first; i < end; i++) {
        const ese_lv_chunk *chunk = &store->chunks[i];
        if ((chunk->deleted && !with_deleted) || chunk->offset >= total)
            continue;
        /* chunks of one offset come live first: a deleted copy of an offset
         * already taken is skipped */
        if (piece_count && pieces[piece_count - 1].offset == chunk->offset)
            continue;
        uint64_t gap = chunk->offset > reach ? chunk->offset - reach : 0;
        if (zeros + gap > ESE_LV_MAX_GAP) {
            far_chunk = true;  /* sorted by offset: the rest lie further out */
            break;
        }
        zeros += gap;
        uint64_t expected = total - chunk->offset;
        if (chunk_size && expected > chunk_size)
            expected = chunk_size;
        const uint8_t *bytes = chunk->data;
        size_t length = chunk->size;
        if (db->mapping)  /* chunks are read through pointers, not page loads: announced for trimming */
            util_mapped_touched(db->mapping, bytes, length);
        unsigned scheme = ese_compression_scheme_of(bytes, length);
        if (length < expected && scheme >= 1 && scheme <= 7) {
            uint8_t *plain;
            size_t plain_size;
            const char *error;
            if (ese_decompress(arena, bytes, length, &plain, &plain_size, &error) == ESE_DECOMPRESS_OK) {
                bytes = plain;
                length = plain_size;
            } else {
                undecompressed = true;
            }
        }
        if (length > total - chunk->offset)
            length = (size_t)(total - chunk->offset);
        pieces[piece_count].offset = chunk->offset;
        pieces[piece_count].bytes = bytes;
        pieces[piece_count].length = length;
        piece_count++;
        if (chunk->offset + (uint64_t)length > reach)
            reach = chunk->offset + (uint64_t)length;
    }
    if (undecompressed)
        add_problem(arena, problem, "a compressed long-value chunk could not be decompressed");
    if (far_chunk) {
        char *text = util_arena_printf(arena, "long value chunks beyond more than %llu bytes of gaps ignored (value cut at %llu)",
                                     (unsigned long long)ESE_LV_MAX_GAP, (unsigned long long)reach);
        add_problem(arena, problem, text ? text : "long value chunks beyond the gap limit ignored");
    }

    /* The value ends where its chunks end: a tail no chunk holds is not
     * invented as zeros, whatever the root claims. */
    uint64_t value_size = reach;
    if (value_size > ESE_LV_MAX_SIZE) {
        add_problem(arena, problem, "long value holds more than 256 MiB; truncated");
        value_size = ESE_LV_MAX_SIZE;
    }
    /* not zeroed first: the pieces cover most of it (a memset of every blob
     * before copying it), holes are zeroed as they are met, and a zero byte
     * follows the value as before */
    uint8_t *out = (uint8_t *)util_arena_text(arena, (size_t)value_size);
    if (!out) {
        if (pieces != few)
            free(pieces);
        *problem = "out of memory";
        return false;
    }
    uint64_t covered = 0;
    bool gap = false;
    for (size_t i = 0; i < piece_count; i++) {
        const lv_piece *piece = &pieces[i];
        if (piece->offset != covered)
            gap = true;
        if (piece->offset >= value_size)
            continue;
        size_t n = piece->length;
        if (n > value_size - piece->offset)
            n = (size_t)(value_size - piece->offset);
        if (piece->offset > covered)  /* sorted by offset: a hole no piece before filled */
            memset(out + covered, 0, (size_t)(piece->offset - covered));
        memcpy(out + piece->offset, piece->bytes, n);
        if (piece->offset + (uint64_t)n > covered)
            covered = piece->offset + (uint64_t)n;
    }
    if (covered < value_size)  /* cut at ESE_LV_MAX_SIZE with no piece across the cut */
        memset(out + covered, 0, (size_t)(value_size - covered));
    if (pieces != few)
        free(pieces);
    if (root && reach < total) {  /* without a root, total is only where the chunks reach */
        char *text = util_arena_printf(arena, "long value incomplete: root claims %llu bytes, chunks hold %llu%s",
                                     (unsigned long long)total, (unsigned long long)reach,
                                     gap ? " with gaps" : "");
        add_problem(arena, problem, text ? text : "long value incomplete: chunks missing");
    } else if (gap) {
        add_problem(arena, problem, "long value incomplete: chunks missing");
    }
    *data = out;
    *size = (size_t)value_size;
    return true;
}
