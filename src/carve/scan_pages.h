/* ESE pages met by the scanner (scan.c) inside images: a qmgr.db can lie at
 * any offset of a disk or memory image, so a marker hit may sit in a
 * long-value chunk whose value goes on in other chunks, behind the page's tag
 * array and the next page's header. This finds the page around a hit (page
 * size and page boundaries learned from the stream, a page checksum proving
 * them) and reassembles the value chunk by chunk from the leaf pages of the
 * same tree near it, as --carve does from the database (ese-format §8, §13). */
#ifndef BP_CARVE_SCAN_PAGES_H
#define BP_CARVE_SCAN_PAGES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What a scan learns about pages (the page geometry: boundaries at absolute
 * offsets ≡ phase mod page size) and the room to work in. */
typedef struct scan_pages scan_pages;

scan_pages *scan_pages_new(void);
void scan_pages_free(scan_pages *pages);

/* Most continuation chunks one value takes (64 KiB of 4 KiB pages, and more). */
#define SCAN_LV_SPANS 32

/* The bytes read from a hit on a page. */
typedef struct scan_lv_value {
    bool long_value;           /* the bytes are a long value's, written to the output */
    size_t end;                /* not in a long value: end of the bytes in data */
    size_t size;               /* long value: bytes written to the output, from the hit on */
    size_t first_part;         /* of them, the bytes in one piece at the hit */
    uint64_t lid;              /* of the long value */
    /* page number (from the page checksum) and tag of the value's root node,
     * where --carve places a long value; the hit's node when no root is met */
    uint32_t pgno;
    uint16_t tag;
    struct {
        uint64_t start, end;   /* absolute input span of a continuation chunk's data */
    } spans[SCAN_LV_SPANS];
    size_t span_count;
} scan_lv_value;

/* When data[pos] (absolute offset base + pos) lies on an ESE page inside
 * data[0, size), say how far the bytes from there belong together and return
 * true. In the data of a long-value chunk node: the value from that byte on
 * is written to out[0, capacity) (value->size bytes, long_value set), following its
 * continuation chunks (same LID, offset = bytes so far) on the leaf pages of
 * the same tree found inside data, up to where no continuation is found.
 * Otherwise value->end is where they stop in data: the end of the node
 * holding them (a record, a stale tag slot's node), else the page's data end
 * (free space; the tag array follows). The page geometry is used and updated. Returns
 * false when the hit is on no page (the caller reads the bytes as they lie). */
bool scan_pages_read(scan_pages *pages, const uint8_t *data, size_t size, uint64_t base, size_t pos, uint8_t *out,
                     size_t capacity, scan_lv_value *value);

#endif
