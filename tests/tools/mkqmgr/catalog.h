/* The catalog (MSysObjects, ese-format §7) of a qmgr.db: for Jobs and Files
 * the table row, the Id and Blob column rows, the primary index row
 * (JobsById/FilesById) and the long-value tree row, encoded as the samples
 * store them (same fixed columns, NULLs, locale). */
#ifndef MKQMGR_CATALOG_H
#define MKQMGR_CATALOG_H

#include <stdbool.h>
#include <stdint.h>

#include "byte_buffer.h"
#include "page_builder.h"

typedef struct mk_catalog_table {
    const char *name;          /* "Jobs" */
    const char *index_name;    /* "JobsById" */
    uint32_t objid, root_pgno;
    uint32_t lv_objid, lv_root_pgno;
} mk_catalog_table;

typedef struct mk_catalog {
    mk_node *nodes;            /* sorted by key */
    size_t count;
    mk_buffer storage;         /* keys and records */
    size_t *offsets;           /* per node: key offset, record offset in storage */
} mk_catalog;

/* Build the rows of `count` tables (ascending objid). small_pages selects the
 * small-page tagged-column layout (header byte flagged with 0x4000). */
void mk_catalog_build(const mk_catalog_table *tables, size_t count, bool small_pages, mk_catalog *out);
void mk_catalog_free(mk_catalog *c);

#endif
