/* One database page: its header, its tag array and the nodes the tags point
 * at (ese-format §3). A page view only borrows the database bytes. */
#ifndef BP_ESE_PAGE_H
#define BP_ESE_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ese/database.h"

enum {
    ESE_PAGE_ROOT = 0x1,
    ESE_PAGE_LEAF = 0x2,
    ESE_PAGE_PARENT_OF_LEAF = 0x4,
    ESE_PAGE_EMPTY = 0x8,
    ESE_PAGE_SPACE_TREE = 0x20,
    ESE_PAGE_INDEX = 0x40,
    ESE_PAGE_LONG_VALUE = 0x80,
    ESE_PAGE_NEW_CHECKSUM = 0x2000,
    ESE_PAGE_SCRUBBED = 0x4000,
};

enum {
    ESE_NODE_VERSION = 0x1,
    ESE_NODE_DELETED = 0x2,
    ESE_NODE_PREFIX = 0x4,
};

#define ESE_KEY_MAX 2048

typedef struct ese_page {
    uint32_t pgno;
    const uint8_t *bytes;      /* page_size bytes */
    uint32_t size;
    uint32_t header_size;      /* 40 or 80 */
    uint64_t dbtime;
    uint32_t prev, next;
    uint32_t objid;
    uint32_t flags;
    uint16_t free_bytes;
    uint16_t first_free;       /* ibMicFree, relative to the end of the header */
    uint16_t tag_count;        /* itagMicFree: tags in use, reserved ones included */
    uint16_t reserved_tags;    /* tags before the first data node (>= 1: tag 0) */
    bool large;
} ese_page;

typedef struct ese_node {
    uint32_t pgno;
    uint16_t itag;
    uint8_t flags;             /* ESE_NODE_* */
    uint16_t key_size;
    uint8_t key[ESE_KEY_MAX];
    const uint8_t *data;
    size_t data_size;
    size_t file_offset;        /* offset of the node in the file */
    bool key_incomplete;       /* prefix could not be rebuilt */
} ese_node;

/* Load page pgno. Returns false (with a warning) when the page is outside the
 * file or its header cannot be used; all-zero pages return false silently. A
 * tag count larger than the page can hold is cut to the leading tags that
 * point inside it, with one warning per page naming the count. */
bool ese_page_load(const ese_db *db, uint32_t pgno, ese_page *page);

/* The same view of page_size bytes outside an open database (the scanner
 * meets pages inside images): no checksum check, no warnings. */
bool ese_page_view(const uint8_t *bytes, uint32_t page_size, uint32_t pgno, ese_page *page);

/* Raw tag i: offset (relative to the end of the header) and size. Returns
 * false when the tag points outside the data area. */
bool ese_page_tag(const ese_page *page, uint16_t itag, uint16_t *offset, uint16_t *size);

/* Tag slot i as stored (offset and size masked for the page format), also
 * past the tags in use: the carver reads stale slots. False when the slot
 * lies outside the page. */
bool ese_page_tag_slot(const ese_page *page, uint32_t itag, uint16_t *offset, uint16_t *size);

/* Decode node itag (a data tag, >= reserved_tags) into key and data. */
bool ese_page_node(const ese_page *page, uint16_t itag, ese_node *node);

/* Data of tag 0 (root: space header; others: common key prefix). */
bool ese_page_external_header(const ese_page *page, const uint8_t **data, uint16_t *size);

/* Compute a page's checksums (ese-format §4): returns the number of 8-byte
 * ECC+XOR block checksums written to sums (1 or 4, stored at bytes 0, 40, 48,
 * 56), or 0 for the old XOR format (then sums[0] low 32 bits = the XOR). */
size_t ese_page_compute_checksums(uint32_t page_size, const uint8_t *bytes, uint32_t pgno, uint64_t sums[4]);

/* Compute and store a page's checksums in place (for tools that write pages). */
void ese_page_store_checksums(uint32_t page_size, uint8_t *bytes, uint32_t pgno);

/* Verify the page checksum (ese-format §4). Returns true when it matches. */
bool ese_page_checksum_ok(const ese_db *db, const uint8_t *bytes, uint32_t pgno);

/* The same for `page_size` bytes at `bytes`, before a database is open (the
 * header probe uses it to tell the page size). */
bool ese_page_checksum_ok_at(uint32_t page_size, const uint8_t *bytes, uint32_t pgno);

#endif
