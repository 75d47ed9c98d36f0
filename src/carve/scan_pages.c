/* Long values on ESE pages met inside scanned images (scan_pages.h). */
#include "carve/scan_pages.h"

#include <stdlib.h>
#include <string.h>

#include "ese/page.h"
#include "util/reader.h"

static const uint32_t page_sizes[] = {4096, 8192, 16384, 32768};

/* Leaf pages before the hit's page searched for continuation chunks (a page
 * split can put a later chunk on an earlier page); the rest come after it. */
#define PAGES_BEFORE 2
/* Chunks of the hit's LID gathered around one hit. */
#define CHUNKS_MAX 256

typedef struct found_chunk {
    uint32_t offset;
    size_t data_at;            /* in the searched buffer */
    size_t data_size;
    bool deleted;
} found_chunk;

typedef struct chunk_list {
    found_chunk items[CHUNKS_MAX];
    size_t count;
} chunk_list;

struct scan_pages {
    uint32_t page_size;        /* 0: no page met yet */
    uint64_t phase;            /* absolute offset of a page start, mod page_size */
    ese_node node;             /* room for one node (2 KiB of key) */
    chunk_list chunks;         /* chunks of the LID being reassembled */
};

scan_pages *scan_pages_new(void) { return calloc(1, sizeof(scan_pages)); }

void scan_pages_free(scan_pages *pages) { free(pages); }

static const size_t checksum_slots[4] = {0, 40, 48, 56};

/* The cheap part of the page test, read at every candidate start: a
 * long-value leaf page whose tag array and used space fit in it. */
static bool lv_leaf_header(const uint8_t *data, size_t size, size_t at, uint32_t page_size)
{
    if (at > size || size - at < page_size)
        return false;
    bp_reader r = bp_reader_make(data, size);
    bp_reader_seek(&r, at + 32);
    uint16_t first_free = bp_read_u16(&r);
    uint16_t tags = bp_read_u16(&r) & 0x0FFF;
    uint32_t flags = bp_read_u32(&r);
    uint32_t kind = ESE_PAGE_LEAF | ESE_PAGE_LONG_VALUE;
    /* bits above 0x10000 occur on real pages (0x1a882, 0x12882 in the win10 Jobs LV tree) */
    if (r.failed || (flags & kind) != kind || (flags & (ESE_PAGE_EMPTY | ESE_PAGE_SPACE_TREE | ESE_PAGE_INDEX)) ||
        flags > 0xFFFFF)
        return false;
    uint32_t header = page_size > 8192 ? 80 : 40;
    return tags >= 1 && header + (size_t)first_free + 4u * tags <= page_size;
}

/* Does the page checksum hold for some page number? The ECC format XORs the
 * page number into the low half, so computing with page number 0 gives it
 * back; the old XOR format stores it in bytes 4-7. */
static bool checksum_pgno(const uint8_t *page, uint32_t page_size, uint32_t *pgno)
{
    uint64_t sums[4];
    size_t blocks = ese_page_compute_checksums(page_size, page, 0, sums);
    bp_reader r = bp_reader_make(page, page_size);
    if (blocks == 0) {
        uint32_t stored = bp_read_u32(&r);
        *pgno = bp_read_u32(&r);
        return !r.failed && stored == (uint32_t)sums[0];
    }
    *pgno = bp_read_u32(&r) ^ (uint32_t)sums[0];
    for (size_t b = 0; b < blocks; b++) {
        bp_reader_seek(&r, checksum_slots[b]);
        if (bp_read_u64(&r) != (sums[b] ^ *pgno) || r.failed)
            return false;
    }
    return true;
}

static bool page_at(const uint8_t *data, size_t size, size_t at, uint32_t page_size, uint32_t *pgno)
{
    return lv_leaf_header(data, size, at, page_size) && checksum_pgno(data + at, page_size, pgno);
}

/* The page holding data[pos]: first at the geometry learned before, else
 * every start and size that could hold it (nearest first), proved by the
 * page checksum. */
static bool find_page(scan_pages *geometry, const uint8_t *data, size_t size, uint64_t base, size_t pos,
                      size_t *at, uint32_t *page_size, uint32_t *pgno)
{
    if (geometry->page_size) {
        uint32_t p = geometry->page_size;
        size_t within = (size_t)(((base + pos) % p + p - geometry->phase) % p);
        if (within <= pos && page_at(data, size, pos - within, p, pgno)) {
            *at = pos - within;
            *page_size = p;
            return true;
        }
    }
    for (size_t i = 0; i < sizeof(page_sizes) / sizeof(page_sizes[0]); i++) {
        uint32_t p = page_sizes[i];
        uint32_t header = p > 8192 ? 80 : 40;
        for (size_t within = header; within < p && within <= pos; within++) {
            if (!page_at(data, size, pos - within, p, pgno))
                continue;
            *at = pos - within;
            *page_size = p;
            geometry->page_size = p;
            geometry->phase = (base + *at) % p;
            return true;
        }
    }
    return false;
}

typedef struct chunk_key {
    uint64_t lid;
    uint32_t offset;
} chunk_key;

/* A long-value chunk key (ese-format §8): LID32 + offset in 8 bytes (first
 * bit clear), LID64 + offset in 12. */
static bool read_chunk_key(const ese_node *node, chunk_key *key)
{
    const uint8_t *k = node->key;
    if (node->key_incomplete || !(node->key_size == 12 || (node->key_size == 8 && !(k[0] & 0x80))))
        return false;
    key->lid = node->key_size == 8 ? bp_be32(k) : bp_be64(k);
    key->offset = bp_be32(k + node->key_size - 4);
    return true;
}

/* The chunks of `lid` on the leaf page at data[at] of tree `objid`. */
static void gather_page(const uint8_t *data, size_t size, size_t at, uint32_t page_size, uint32_t objid,
                        uint64_t lid, chunk_list *list, ese_node *node)
{
    if (!lv_leaf_header(data, size, at, page_size))
        return;
    ese_page page;
    if (!ese_page_view(data + at, page_size, 0, &page) || page.objid != objid)
        return;
    for (uint16_t tag = page.reserved_tags; tag < page.tag_count && list->count < CHUNKS_MAX; tag++) {
        chunk_key key;
        if (!ese_page_node(&page, tag, node) || !read_chunk_key(node, &key) || key.lid != lid)
            continue;
        found_chunk *c = &list->items[list->count++];
        c->offset = key.offset;
        c->data_at = (size_t)(node->data - data);
        c->data_size = node->data_size;
        c->deleted = (node->flags & ESE_NODE_DELETED) != 0;
    }
}

/* The chunk at value offset `offset`: a live one before one flagged
 * deleted, and one after the hit before one in front of it. */
static const found_chunk *chunk_at(const chunk_list *list, uint32_t offset, size_t pos)
{
    const found_chunk *best = NULL;
    for (size_t i = 0; i < list->count; i++) {
        const found_chunk *c = &list->items[i];
        if (c->offset != offset || c->data_size == 0)
            continue;
        if (!best || (best->deleted && !c->deleted) ||
            (best->deleted == c->deleted && (best->data_at < pos) && c->data_at > pos))
            best = c;
    }
    return best;
}

bool scan_pages_long_value(scan_pages *pages, const uint8_t *data, size_t size, uint64_t base, size_t pos,
                           uint8_t *out, size_t capacity, scan_lv_value *value)
{
    memset(value, 0, sizeof(*value));
    size_t at;
    uint32_t page_size, pgno;
    if (pos >= size || !find_page(pages, data, size, base, pos, &at, &page_size, &pgno))
        return false;
    ese_page page;
    if (!ese_page_view(data + at, page_size, pgno, &page))
        return false;
    /* the node whose data holds the hit */
    ese_node *node = &pages->node;
    chunk_key key;
    bool found = false;
    uint16_t tag = page.reserved_tags;
    for (; tag < page.tag_count && !found; tag++) {
        if (!ese_page_node(&page, tag, node) || !read_chunk_key(node, &key))
            continue;
        size_t data_at = (size_t)(node->data - data);
        found = pos >= data_at && pos - data_at < node->data_size;
    }
    if (!found)
        return false;
    value->lid = key.lid;
    value->pgno = pgno;
    value->tag = (uint16_t)(tag - 1);
    size_t node_end = (size_t)(node->data - data) + node->data_size;
    uint64_t next = (uint64_t)key.offset + node->data_size;
    value->first_part = node_end - pos;
    if (value->first_part > capacity)
        value->first_part = capacity;
    memcpy(out, data + pos, value->first_part);
    value->size = value->first_part;

    /* continuation chunks of the same LID on leaf pages of the same tree */
    chunk_list *list = &pages->chunks;
    list->count = 0;
    size_t first_page = at;
    for (int k = 0; k < PAGES_BEFORE && first_page >= page_size; k++)
        first_page -= page_size;
    size_t pages_after = capacity / page_size + 2;
    for (size_t p = first_page; p <= at + pages_after * page_size && p <= size && size - p >= page_size; p += page_size)
        gather_page(data, size, p, page_size, page.objid, key.lid, list, node);
    for (size_t steps = 0; steps < list->count && value->size < capacity; steps++) {
        if (next > UINT32_MAX)
            break;
        const found_chunk *c = chunk_at(list, (uint32_t)next, pos);
        if (!c)
            break;
        size_t take = c->data_size < capacity - value->size ? c->data_size : capacity - value->size;
        memcpy(out + value->size, data + c->data_at, take);
        value->size += take;
        next += c->data_size;
        if (value->span_count < SCAN_LV_SPANS) {
            value->spans[value->span_count].start = base + c->data_at;
            value->spans[value->span_count].end = base + c->data_at + c->data_size;
            value->span_count++;
        }
    }
    return true;
}
