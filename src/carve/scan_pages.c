/* ESE pages met inside scanned images: finding them, and reading a hit only
 * as far as its node or, in a long value, chunk by chunk (scan_pages.h). */
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
    size_t root_page;          /* page of the LID's root node (SIZE_MAX: none met) */
    size_t root_at;            /* the root node, in the searched buffer */
    uint16_t root_tag;
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

/* Page flags every page of a qmgr.db carries (Windows 10 and later): 0x2000
 * new checksum format and 0x800 new record format. Every non-empty page of
 * the 17 sample databases has both; requiring them keeps the checksum from
 * being computed at candidate starts inside blob bytes (small numbers). */
#define PAGE_FLAGS_ALWAYS 0x2800u  /* find_page tests its second byte (0x28) first */

/* The cheap part of the page test, read at every candidate start: flags
 * within the known bits (bits above 0x10000 occur on real pages: 0x1a882,
 * 0x12882 in the win10 Jobs LV tree) and a tag array and used space that fit
 * in the page. */
static bool header_fits(const uint8_t *data, size_t size, size_t at, uint32_t page_size, uint32_t *flags)
{
    if (at > size || size - at < page_size)
        return false;
    util_reader r = util_reader_make(data, size);
    util_reader_seek(&r, at + 32);
    uint16_t first_free = util_read_u16(&r);
    uint16_t tags = util_read_u16(&r) & 0x0FFF;
    *flags = util_read_u32(&r);
    if (r.failed || (*flags & PAGE_FLAGS_ALWAYS) != PAGE_FLAGS_ALWAYS || *flags > 0xFFFFF)
        return false;
    uint32_t header = page_size > 8192 ? 80 : 40;
    return tags >= 1 && header + (size_t)first_free + 4u * tags <= page_size;
}

/* A leaf page of a long-value tree, in use. */
static bool is_lv_leaf(uint32_t flags)
{
    uint32_t kind = ESE_PAGE_LEAF | ESE_PAGE_LONG_VALUE;
    return (flags & kind) == kind && !(flags & (ESE_PAGE_EMPTY | ESE_PAGE_SPACE_TREE | ESE_PAGE_INDEX));
}

static bool lv_leaf_header(const uint8_t *data, size_t size, size_t at, uint32_t page_size)
{
    uint32_t flags;
    return header_fits(data, size, at, page_size, &flags) && is_lv_leaf(flags);
}

/* Does the page checksum hold for some page number? The ECC format XORs the
 * page number into the low half, so computing with page number 0 gives it
 * back; the old XOR format stores it in bytes 4-7. */
static bool checksum_pgno(const uint8_t *page, uint32_t page_size, uint32_t *pgno)
{
    uint64_t sums[4];
    size_t blocks = ese_page_compute_checksums(page_size, page, 0, sums);
    util_reader r = util_reader_make(page, page_size);
    if (blocks == 0) {
        uint32_t stored = util_read_u32(&r);
        *pgno = util_read_u32(&r);
        return !r.failed && stored == (uint32_t)sums[0];
    }
    *pgno = util_read_u32(&r) ^ (uint32_t)sums[0];
    for (size_t b = 0; b < blocks; b++) {
        util_reader_seek(&r, checksum_slots[b]);
        if (util_read_u64(&r) != (sums[b] ^ *pgno) || r.failed)
            return false;
    }
    return true;
}

/* The ECC half of a stored block checksum (ese-format §4) is redundant: its
 * row and column fields come in pairs (rp, rq) and (cp, cq) that are equal
 * or complements, both complemented when the block holds an odd number of
 * odd-parity words. Eight bytes tell most non-pages before the whole page is
 * summed (random bytes pass about once in 2^15). */
static bool ecc_plausible(const uint8_t *data, size_t size, size_t at, uint32_t page_size)
{
    util_reader r = util_reader_make(data, size);
    util_reader_seek(&r, at + 4);
    uint32_t ecc = util_read_u32(&r);
    uint32_t block = page_size > 8192 ? page_size / 4 : page_size;
    uint32_t m = block / 4 - 1;
    uint32_t rp = (ecc >> 5) & m, rq = (ecc >> 21) & m, cp = ecc & 31, cq = (ecc >> 16) & 31;
    bool even = rq == rp && cq == cp, odd = rq == (~rp & m) && cq == (~cp & 31u);
    uint32_t used = (m << 21) | (31u << 16) | (m << 5) | 31u;
    return !r.failed && (even || odd) && (ecc & ~used) == 0;
}

static bool page_at(const uint8_t *data, size_t size, size_t at, uint32_t page_size, uint32_t *pgno)
{
    uint32_t flags;
    return header_fits(data, size, at, page_size, &flags) && ecc_plausible(data, size, at, page_size) &&
           checksum_pgno(data + at, page_size, pgno);
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
    /* the bytes are checked once here; the loop reads inside them */
    util_reader r = util_reader_make(data, size);
    const uint8_t *bytes = util_read_bytes(&r, size);
    if (!bytes)
        return false;
    /* nearest start first; at each start the page sizes that can hold pos */
    for (size_t within = 40; within < 32768 && within <= pos; within++) {
        size_t start = pos - within;
        /* the flags' upper three bytes first: three loads reject almost every start */
        if ((bytes[start + 37] & 0x28) != 0x28 || bytes[start + 38] > 0x0F || bytes[start + 39] != 0)
            continue;
        /* largest first: the first quarter of a 16 or 32 KiB page sums like a
         * whole 4 or 8 KiB page (same block checksum at offset 0) */
        for (size_t i = sizeof(page_sizes) / sizeof(page_sizes[0]); i-- > 0;) {
            uint32_t p = page_sizes[i];
            if (within >= p || within < (p > 8192 ? 80u : 40u) || size - start < p ||
                !page_at(data, size, start, p, pgno))
                continue;
            *at = start;
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
    key->lid = node->key_size == 8 ? util_be32(k) : util_be64(k);
    key->offset = util_be32(k + node->key_size - 4);
    return true;
}

/* A long-value root key: the LID alone, 4 bytes, or 8 with the first bit set. */
static bool read_root_key(const ese_node *node, uint64_t *lid)
{
    const uint8_t *k = node->key;
    if (node->key_incomplete || !(node->key_size == 4 || (node->key_size == 8 && (k[0] & 0x80))))
        return false;
    *lid = node->key_size == 4 ? util_be32(k) : util_be64(k);
    return true;
}

/* The root of the value is where --carve locates a long value: the one
 * nearest before the hit, else the first after it. */
static void note_root(chunk_list *list, size_t page_at, uint16_t tag, size_t node_at, size_t pos)
{
    bool better = list->root_page == SIZE_MAX || (node_at < pos && (list->root_at > pos || node_at > list->root_at));
    if (better) {
        list->root_page = page_at;
        list->root_at = node_at;
        list->root_tag = tag;
    }
}

/* The chunks (and the root) of `lid` on the leaf page at data[at] of tree `objid`. */
static void gather_page(const uint8_t *data, size_t size, size_t at, uint32_t page_size, uint32_t objid,
                        uint64_t lid, size_t pos, chunk_list *list, ese_node *node)
{
    if (!lv_leaf_header(data, size, at, page_size))
        return;
    ese_page page;
    if (!ese_page_view(data + at, page_size, 0, &page) || page.objid != objid)
        return;
    for (uint16_t tag = page.reserved_tags; tag < page.tag_count && list->count < CHUNKS_MAX; tag++) {
        chunk_key key;
        uint64_t root_lid;
        if (!ese_page_node(&page, tag, node))
            continue;
        if (read_root_key(node, &root_lid) && root_lid == lid)
            note_root(list, at, tag, (size_t)(node->data - data), pos);
        if (!read_chunk_key(node, &key) || key.lid != lid)
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

/* Where the bytes at data[pos] may run to on the page at data[at]: the end of
 * the live node holding them (*tag set, *node decoded when it can be), else of
 * a stale tag slot's node (as --carve's stale-tag), else the end of the data
 * area (free space: the tag array follows). 0 when pos lies in the header or
 * the tag array. */
static size_t bytes_end(const ese_page *page, const uint8_t *data, size_t at, size_t pos, ese_node *node,
                        uint16_t *tag, bool *in_node)
{
    *in_node = false;
    size_t in_page = pos - at;
    size_t data_end = page->size - 4u * page->tag_count;
    if (in_page < page->header_size || in_page >= data_end)
        return 0;
    uint32_t max_slots = (page->size - page->header_size) / 4;
    for (uint32_t i = page->reserved_tags; i < max_slots; i++) {
        uint16_t offset, length;
        if (!ese_page_tag_slot(page, i, &offset, &length))
            break;
        size_t start = page->header_size + (size_t)offset, end = start + length;
        if (i >= page->tag_count && (length == 0 || end > page->size - 4u * (i + 1u)))
            break;  /* the first implausible stale slot ends the old tag array */
        if (in_page < start || in_page >= end)
            continue;
        *tag = (uint16_t)i;
        if (i < page->tag_count && ese_page_node(page, (uint16_t)i, node) && pos >= (size_t)(node->data - data))
            *in_node = true;
        return at + (end < data_end ? end : data_end);
    }
    return at + data_end;
}

bool scan_pages_read(scan_pages *pages, const uint8_t *data, size_t size, uint64_t base, size_t pos, uint8_t *out,
                     size_t capacity, scan_lv_value *value)
{
    memset(value, 0, sizeof(*value));
    size_t at;
    uint32_t page_size, pgno;
    if (pos >= size || !find_page(pages, data, size, base, pos, &at, &page_size, &pgno))
        return false;
    ese_page page;
    if (!ese_page_view(data + at, page_size, pgno, &page))
        return false;
    ese_node *node = &pages->node;
    uint16_t tag = 0;
    bool in_node;
    size_t end = bytes_end(&page, data, at, pos, node, &tag, &in_node);
    if (end <= pos)
        return false;
    value->pgno = pgno;
    value->tag = tag;
    chunk_key key;
    if (!in_node || !is_lv_leaf(page.flags) || !read_chunk_key(node, &key)) {
        /* no long value to follow: the bytes up to the end of their node or area */
        value->end = end;
        return true;
    }
    value->long_value = true;
    value->lid = key.lid;
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
    list->root_page = SIZE_MAX;
    size_t first_page = at;
    for (int k = 0; k < PAGES_BEFORE && first_page >= page_size; k++)
        first_page -= page_size;
    size_t pages_after = capacity / page_size + 2;
    for (size_t p = first_page; p <= at + pages_after * page_size && p <= size && size - p >= page_size; p += page_size)
        gather_page(data, size, p, page_size, page.objid, key.lid, pos, list, node);
    uint32_t root_pgno;
    if (list->root_page != SIZE_MAX && checksum_pgno(data + list->root_page, page_size, &root_pgno)) {
        value->pgno = root_pgno;
        value->tag = list->root_tag;
    }
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
