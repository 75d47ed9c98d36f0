/* An open ESE database: the file bytes, its geometry, the elected header,
 * and the catalog. Everything found wrong while reading becomes a warning in
 * `warnings`; nothing aborts the read unless no header can be found at all. */
#ifndef BP_ESE_DATABASE_H
#define BP_ESE_DATABASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "ese/catalog.h"
#include "ese/db_header.h"
#include "util/arena.h"
#include "util/mapped_file.h"

typedef struct ese_db {
    const uint8_t *data;       /* whole file, read-only */
    size_t size;
    uint32_t page_size;
    uint32_t page_count;       /* database pages (file pages minus the two headers) */
    bool large_pages;          /* 16/32 KiB: 80-byte page header, node flags in the node */
    ese_db_header header;
    ese_catalog catalog;
    util_arena *arena;
    /* Where long values and decompressed values are copied: NULL = arena. A
     * table reader points it at a scratch arena that it frees once the row
     * is decoded, so reassembled blobs do not stay for the whole run.
     * Everything else (warnings, the long-value index) stays in arena. */
    util_arena *value_arena;
    bp_note_list *warnings;
    uint8_t *page_state;       /* per page: bit 0 checksum checked, bit 1 checksum bad, bit 2 tag count reported */
    /* The file mapping holding data, NULL for bytes in memory: page loads are
     * counted there so a large database never becomes resident whole. */
    util_mapped_file *mapping;
} ese_db;

/* Open an ESE database held in memory. Returns false only when no database
 * header can be found (not ESE, or too damaged to know the page size). */
bool ese_db_open(ese_db *db, const uint8_t *data, size_t size, util_arena *arena, bp_note_list *warnings);

/* Bytes of database page pgno (1-based), or NULL when outside the file. A
 * page load: counted toward trimming a mapped file (util/mapped_file.h). */
const uint8_t *ese_db_page_bytes(const ese_db *db, uint32_t pgno);

#endif
