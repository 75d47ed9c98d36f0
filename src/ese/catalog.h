/* The catalog (MSysObjects, ese-format §7): tables, their columns, long-value
 * trees and indexes. */
#ifndef BP_ESE_CATALOG_H
#define BP_ESE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ese_db;
struct ese_lv_store;

enum ese_column_type {
    ESE_COLTYP_BIT = 1,
    ESE_COLTYP_UNSIGNED_BYTE = 2,
    ESE_COLTYP_SHORT = 3,
    ESE_COLTYP_LONG = 4,
    ESE_COLTYP_CURRENCY = 5,
    ESE_COLTYP_IEEE_SINGLE = 6,
    ESE_COLTYP_IEEE_DOUBLE = 7,
    ESE_COLTYP_DATETIME = 8,
    ESE_COLTYP_BINARY = 9,
    ESE_COLTYP_TEXT = 10,
    ESE_COLTYP_LONG_BINARY = 11,
    ESE_COLTYP_LONG_TEXT = 12,
    ESE_COLTYP_UNSIGNED_LONG = 14,
    ESE_COLTYP_LONG_LONG = 15,
    ESE_COLTYP_GUID = 16,
    ESE_COLTYP_UNSIGNED_SHORT = 17,
};

enum { ESE_FIELD_FLAG_COMPRESSED = 0x1000 };

typedef struct ese_column {
    uint32_t id;
    uint32_t type;
    uint32_t space_usage;      /* max length; size of fixed Binary/Text columns */
    uint32_t flags;            /* persisted field flags */
    uint32_t codepage;
    const char *name;
    const uint8_t *default_value;
    size_t default_size;
    uint32_t fixed_offset;     /* fixed columns: offset inside the record */
    uint32_t fixed_size;
} ese_column;

typedef struct ese_index {
    const char *name;
    uint32_t objid;
    uint32_t root_pgno;
} ese_index;

typedef struct ese_table {
    const char *name;
    uint32_t objid;
    uint32_t root_pgno;
    ese_column *columns;       /* sorted by id */
    size_t column_count;
    ese_index *indexes;
    size_t index_count;
    uint32_t lv_objid;         /* 0 = no long-value tree */
    uint32_t lv_root_pgno;
    uint32_t lv_chunk_max;     /* catalog LVChunkMax, 0 = not set */
    struct ese_lv_store *lv;   /* built on first use */
} ese_table;

typedef struct ese_catalog {
    ese_table *tables;
    size_t table_count;
    size_t entries;            /* catalog rows read */
    bool from_shadow;          /* MSysObjects was unreadable, MSysObjectsShadow used */
} ese_catalog;

/* Read the catalog; problems become warnings on the database. */
void ese_catalog_load(struct ese_db *db, ese_catalog *catalog);

ese_table *ese_catalog_find(const ese_catalog *catalog, const char *name);
const ese_column *ese_table_column(const ese_table *table, uint32_t column_id);
const ese_column *ese_table_column_named(const ese_table *table, const char *name);

/* Storage size of a fixed column of this type (0 for variable/tagged types). */
uint32_t ese_fixed_type_size(uint32_t type, uint32_t space_usage);

#endif
