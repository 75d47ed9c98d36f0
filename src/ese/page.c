#include "ese/page.h"

#include <string.h>

#include "ese/block_checksum.h"
#include "util/reader.h"

static bool all_zero(const uint8_t *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++)
        if (bytes[i])
            return false;
    return true;
}

/* The page header, tag array and node fields read (docs/format-ese.md §3)
 * and where the checksums are stored (§4). */
enum {
    SMALL_PAGE_MAX = 8192,       /* larger pages have the 80-byte header */
    PAGE_HEADER_SMALL = 40,
    PAGE_HEADER_LARGE = 80,
    PAGE_CHECKSUM = 0,           /* block 0; old format: u32 checksum, u32 pgno */
    PAGE_OLD_PGNO = 4,
    PAGE_DBTIME = 8,
    PAGE_FLAGS = 36,
    PAGE_CHECKSUM_BLOCK1 = 40,   /* large pages: blocks 1-3 */
    PAGE_CHECKSUM_BLOCK2 = 48,
    PAGE_CHECKSUM_BLOCK3 = 56,
    LARGE_PAGE_BLOCKS = 4,
    TAG_STATE_COUNT = 0x0FFF,    /* itagState: tags in use */
    TAG_STATE_RESERVED_SHIFT = 12,
    TAG_STATE_RESERVED = 0x7,    /* reserved tags, Windows 11 24H2+ */
    TAG_SIZE = 4,                /* u16 size, then u16 offset, from the page's end */
    TAG_OFFSET_FIELD = 2,
    TAG_FIELD_SMALL = 0x1FFF,
    TAG_FIELD_LARGE = 0x7FFF,
    NODE_FLAGS_SHIFT_SMALL = 13, /* top 3 bits of the tag's offset word */
    NODE_FLAGS_SHIFT_LARGE = 5,  /* top 3 bits of the node's first u16 (its byte 1) */
    NODE_KEY_LENGTH = 0x1FFF,    /* prefix and suffix lengths */
    ROOT_TAG0_HEADER = 16,       /* root pages: space header or split buffer before a prefix */
};
#define OLD_CHECKSUM_SEED 0x89ABCDEFu

/* db->page_state bits (database.h): the checksum was checked, it was bad,
 * the page's impossible tag count was reported. */
#define PAGE_STATE_CHECKED 1u
#define PAGE_STATE_CHECKSUM_BAD 2u
#define PAGE_STATE_TAGS_WARNED 4u

bool ese_page_tag_slot(const ese_page *page, uint32_t itag, uint16_t *offset, uint16_t *size)
{
    if (itag >= page->size / TAG_SIZE)  /* the slot would lie before the page (and 4 * (itag + 1) could wrap) */
        return false;
    util_reader r = util_reader_make(page->bytes, page->size);
    util_reader_seek(&r, page->size - TAG_SIZE * (itag + 1u));
    uint16_t size_field = util_read_u16(&r);
    uint16_t offset_field = util_read_u16(&r);
    uint16_t mask = page->large ? TAG_FIELD_LARGE : TAG_FIELD_SMALL;
    *size = size_field & mask;
    *offset = offset_field & mask;
    return !r.failed;
}

/* Number of leading tags (at most `limit`) that can be real: each data tag
 * holds at least a key length (2 bytes), and every node seen so far ends
 * before the tag array such a count implies. Stops at the first that cannot. */
static uint16_t plausible_tag_count(const ese_page *page, uint32_t limit)
{
    size_t data_end = page->header_size;
    uint32_t n = 0;
    for (; n < limit; n++) {
        uint16_t offset, size;
        if (!ese_page_tag_slot(page, n, &offset, &size))
            break;
        if (n >= page->reserved_tags && size < 2)
            break;
        size_t end = page->header_size + (size_t)offset + size;
        if (end > data_end)
            data_end = end;
        if (data_end > page->size - TAG_SIZE * (n + 1u))
            break;
    }
    return (uint16_t)n;
}

/* The header fields and tag count of page_size bytes at `bytes`; an
 * impossible tag count is cut to the plausible leading tags. Returns false
 * when the header cannot be read; *claimed_tags receives the stored count. */
static bool page_view(const uint8_t *bytes, uint32_t page_size, uint32_t pgno, ese_page *page,
                      uint16_t *claimed_tags)
{
    memset(page, 0, sizeof(*page));
    util_reader r = util_reader_make(bytes, page_size);
    page->pgno = pgno;
    page->bytes = bytes;
    page->size = page_size;
    page->large = page_size > SMALL_PAGE_MAX;
    page->header_size = page->large ? PAGE_HEADER_LARGE : PAGE_HEADER_SMALL;
    util_reader_seek(&r, PAGE_DBTIME);
    page->dbtime = util_read_u64(&r);
    page->prev = util_read_u32(&r);
    page->next = util_read_u32(&r);
    page->objid = util_read_u32(&r);
    page->free_bytes = util_read_u16(&r);
    util_read_u16(&r); /* uncommitted free bytes */
    page->first_free = util_read_u16(&r);
    uint16_t tag_state = util_read_u16(&r);
    page->flags = util_read_u32(&r);
    /* Windows 11 24H2+ keeps a reserved-tag count in bits 12-14. */
    page->tag_count = tag_state & TAG_STATE_COUNT;
    page->reserved_tags = (tag_state >> TAG_STATE_RESERVED_SHIFT) & TAG_STATE_RESERVED;
    if (page->reserved_tags == 0)
        page->reserved_tags = 1;
    *claimed_tags = page->tag_count;
    uint32_t max_tags = (page->size - page->header_size) / TAG_SIZE;
    if (page->tag_count > max_tags)
        /* An impossible count: the slots past the real tags hold node bytes or
         * free space. Read only the leading tags that point inside the page. */
        page->tag_count = plausible_tag_count(page, max_tags);
    return !r.failed;
}

bool ese_page_view(const uint8_t *bytes, uint32_t page_size, uint32_t pgno, ese_page *page)
{
    uint16_t claimed;
    return page_view(bytes, page_size, pgno, page, &claimed);
}

bool ese_page_load(const ese_db *db, uint32_t pgno, ese_page *page)
{
    memset(page, 0, sizeof(*page));
    const uint8_t *bytes = ese_db_page_bytes(db, pgno);
    if (!bytes)
        return false;
    if (all_zero(bytes, 64) && all_zero(bytes, db->page_size))
        return false; /* never written */
    if (db->page_state && !(db->page_state[pgno] & PAGE_STATE_CHECKED)) {
        /* verify once per page; a bad checksum is reported, never fatal */
        db->page_state[pgno] |= PAGE_STATE_CHECKED;
        if (!ese_page_checksum_ok(db, bytes, pgno)) {
            db->page_state[pgno] |= PAGE_STATE_CHECKSUM_BAD;
            util_notes_addf(db->arena, db->warnings, "ESE page %u: checksum mismatch (page read anyway)", pgno);
        }
    }
    uint16_t claimed;
    bool ok = page_view(bytes, db->page_size, pgno, page, &claimed);
    if (claimed != page->tag_count && (!db->page_state || !(db->page_state[pgno] & PAGE_STATE_TAGS_WARNED))) {
        /* said once per page rather than once per phantom tag */
        if (db->page_state)
            db->page_state[pgno] |= PAGE_STATE_TAGS_WARNED;
        util_notes_addf(db->arena, db->warnings,
                      "ESE page %u: tag count %u exceeds the page (at most %u fit); reading the %u tags "
                      "that point inside it",
                      pgno, (unsigned)claimed, (page->size - page->header_size) / TAG_SIZE, (unsigned)page->tag_count);
    }
    return ok;
}

bool ese_page_tag(const ese_page *page, uint16_t itag, uint16_t *offset, uint16_t *size)
{
    if (itag >= page->tag_count)
        return false;
    bool read = ese_page_tag_slot(page, itag, offset, size);
    size_t data_end = page->size - TAG_SIZE * page->tag_count;
    return read && page->header_size + (size_t)*offset + *size <= data_end;
}

bool ese_page_external_header(const ese_page *page, const uint8_t **data, uint16_t *size)
{
    uint16_t offset;
    if (!ese_page_tag(page, 0, &offset, size))
        return false;
    *data = page->bytes + page->header_size + offset;
    return true;
}

bool ese_page_node(const ese_page *page, uint16_t itag, ese_node *node)
{
    uint16_t offset, size;
    node->pgno = page->pgno;
    node->itag = itag;
    node->key_size = 0;
    node->key_incomplete = false;
    node->data = NULL;
    node->data_size = 0;
    if (!ese_page_tag(page, itag, &offset, &size) || size < 2)
        return false;
    const uint8_t *bytes = page->bytes + page->header_size + offset;
    node->file_offset = (size_t)(bytes - page->bytes) + ((size_t)page->pgno + 1) * page->size;
    util_reader r = util_reader_make(bytes, size);
    if (page->large) {
        node->flags = (uint8_t)(bytes[1] >> NODE_FLAGS_SHIFT_LARGE);
    } else {
        util_reader t = util_reader_make(page->bytes, page->size);
        util_reader_seek(&t, page->size - TAG_SIZE * (itag + 1u) + TAG_OFFSET_FIELD);
        node->flags = (uint8_t)(util_read_u16(&t) >> NODE_FLAGS_SHIFT_SMALL);
    }
    uint16_t prefix_size = 0;
    if (node->flags & ESE_NODE_PREFIX)
        prefix_size = util_read_u16(&r) & NODE_KEY_LENGTH;
    uint16_t suffix_size = util_read_u16(&r) & NODE_KEY_LENGTH;
    const uint8_t *suffix = util_read_bytes(&r, suffix_size);
    if (!suffix)
        return false;

    if (prefix_size) {
        const uint8_t *prefix = NULL;
        uint16_t available = 0;
        bool have = ese_page_external_header(page, &prefix, &available);
        if (have && (page->flags & ESE_PAGE_ROOT)) {
            /* root pages: tag 0 starts with the 16-byte space header or split
             * buffer; a prefix, if any, follows it */
            if (available >= ROOT_TAG0_HEADER) {
                prefix += ROOT_TAG0_HEADER;
                available -= ROOT_TAG0_HEADER;
            } else {
                available = 0;
            }
        }
        if (!have || prefix_size > available) {
            node->key_incomplete = true;
            prefix_size = 0;
        } else if (prefix_size + suffix_size <= ESE_KEY_MAX) {
            memcpy(node->key, prefix, prefix_size);
        }
    }
    if ((size_t)prefix_size + suffix_size > ESE_KEY_MAX)
        return false;
    memcpy(node->key + prefix_size, suffix, suffix_size);
    node->key_size = (uint16_t)(prefix_size + suffix_size);
    node->data = bytes + r.pos;
    node->data_size = util_reader_left(&r);
    return true;
}

size_t ese_page_compute_checksums(uint32_t page_size, const uint8_t *bytes, uint32_t pgno, uint64_t sums[4])
{
    bool large = page_size > SMALL_PAGE_MAX;
    util_reader r = util_reader_make(bytes, page_size);
    util_reader_seek(&r, PAGE_FLAGS);
    uint32_t flags = util_read_u32(&r);
    if (!large && !(flags & ESE_PAGE_NEW_CHECKSUM)) {
        /* old format: XOR seeded with the signature over everything after the
         * first word; the page number sits in bytes 4..7 */
        util_reader_seek(&r, PAGE_OLD_PGNO);
        uint32_t sum = OLD_CHECKSUM_SEED;
        while (util_reader_left(&r) >= 4)
            sum ^= util_read_u32(&r);
        sums[0] = ((uint64_t)pgno << 32) | sum;
        return 0;
    }
    size_t blocks = large ? LARGE_PAGE_BLOCKS : 1;
    size_t block_size = page_size / blocks;
    for (size_t b = 0; b < blocks; b++)
        sums[b] = ese_block_checksum(bytes + b * block_size, block_size, pgno, b == 0);
    return blocks;
}

static const size_t checksum_slots[4] = {PAGE_CHECKSUM, PAGE_CHECKSUM_BLOCK1, PAGE_CHECKSUM_BLOCK2, PAGE_CHECKSUM_BLOCK3};

void ese_page_store_checksums(uint32_t page_size, uint8_t *bytes, uint32_t pgno)
{
    uint64_t sums[4];
    size_t blocks = ese_page_compute_checksums(page_size, bytes, pgno, sums);
    if (blocks == 0) {
        for (int i = 0; i < 4; i++) {
            bytes[i] = (uint8_t)(sums[0] >> (8 * i));
            bytes[PAGE_OLD_PGNO + i] = (uint8_t)(pgno >> (8 * i));
        }
        return;
    }
    /* blocks 1-3 keep their checksums inside block 0: store those first, then
     * compute block 0 over them */
    for (size_t b = blocks; b-- > 0;) {
        if (b == 0)
            ese_page_compute_checksums(page_size, bytes, pgno, sums);
        for (int i = 0; i < 8; i++)
            bytes[checksum_slots[b] + i] = (uint8_t)(sums[b] >> (8 * i));
    }
}

bool ese_page_checksum_ok(const ese_db *db, const uint8_t *bytes, uint32_t pgno)
{
    return ese_page_checksum_ok_at(db->page_size, bytes, pgno);
}

bool ese_page_checksum_ok_at(uint32_t page_size, const uint8_t *bytes, uint32_t pgno)
{
    uint64_t sums[4];
    size_t blocks = ese_page_compute_checksums(page_size, bytes, pgno, sums);
    util_reader r = util_reader_make(bytes, page_size);
    if (blocks == 0)
        return util_read_u32(&r) == (uint32_t)sums[0];
    for (size_t b = 0; b < blocks; b++) {
        util_reader_seek(&r, checksum_slots[b]);
        if (util_read_u64(&r) != sums[b])
            return false;
    }
    return true;
}
