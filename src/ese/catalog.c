#include "ese/catalog.h"

#include <stdlib.h>
#include <string.h>

#include "ese/btree.h"
#include "ese/database.h"
#include "ese/record.h"
#include "util/growable.h"
#include "util/reader.h"
#include "util/text.h"

enum {
    CATALOG_TYPE_TABLE = 1,
    CATALOG_TYPE_COLUMN = 2,
    CATALOG_TYPE_INDEX = 3,
    CATALOG_TYPE_LONG_VALUE = 4,
};

#define CATALOG_ROOT_PGNO 4
#define CATALOG_OBJID 2
#define CATALOG_SHADOW_ROOT_PGNO 24
#define CATALOG_SHADOW_OBJID 3

/* The catalog's own schema is fixed (ese-format §7); it is not read from the
 * catalog itself. Offsets follow from the sizes. */
static ese_column catalog_columns[] = {
    {1, ESE_COLTYP_LONG, 4, 0, 0, "ObjidTable", NULL, 0, 4, 4},
    {2, ESE_COLTYP_SHORT, 2, 0, 0, "Type", NULL, 0, 8, 2},
    {3, ESE_COLTYP_LONG, 4, 0, 0, "Id", NULL, 0, 10, 4},
    {4, ESE_COLTYP_LONG, 4, 0, 0, "ColtypOrPgnoFDP", NULL, 0, 14, 4},
    {5, ESE_COLTYP_LONG, 4, 0, 0, "SpaceUsage", NULL, 0, 18, 4},
    {6, ESE_COLTYP_LONG, 4, 0, 0, "Flags", NULL, 0, 22, 4},
    {7, ESE_COLTYP_LONG, 4, 0, 0, "PagesOrLocale", NULL, 0, 26, 4},
    {8, ESE_COLTYP_BIT, 1, 0, 0, "RootFlag", NULL, 0, 30, 1},
    {9, ESE_COLTYP_SHORT, 2, 0, 0, "RecordOffset", NULL, 0, 31, 2},
    {10, ESE_COLTYP_LONG, 4, 0, 0, "LCMapFlags", NULL, 0, 33, 4},
    {11, ESE_COLTYP_UNSIGNED_SHORT, 2, 0, 0, "KeyMost", NULL, 0, 37, 2},
    {12, ESE_COLTYP_LONG, 4, 0, 0, "LVChunkMax", NULL, 0, 39, 4},
    {13, ESE_COLTYP_DATETIME, 8, 0, 0, "PgnoFDPLastSetTime", NULL, 0, 43, 8},
    {128, ESE_COLTYP_TEXT, 255, 0, 1252, "Name", NULL, 0, 0, 0},
    {129, ESE_COLTYP_BINARY, 255, 0, 0, "Stats", NULL, 0, 0, 0},
    {130, ESE_COLTYP_TEXT, 255, 0, 1252, "TemplateTable", NULL, 0, 0, 0},
    {131, ESE_COLTYP_BINARY, 255, 0, 0, "DefaultValue", NULL, 0, 0, 0},
    {132, ESE_COLTYP_BINARY, 255, 0, 0, "KeyFldIDs", NULL, 0, 0, 0},
};

static ese_table catalog_table = {
    "MSysObjects", CATALOG_OBJID, CATALOG_ROOT_PGNO, catalog_columns,
    sizeof(catalog_columns) / sizeof(catalog_columns[0]), NULL, 0, 0, 0, 0, NULL,
};

typedef struct catalog_row {
    uint32_t objid_table;
    uint16_t type;
    uint32_t id;
    uint32_t coltyp_or_pgno;
    uint32_t space_usage;
    uint32_t flags;
    uint32_t pages_or_locale;
    uint32_t lv_chunk_max;
    const char *name;
    const uint8_t *default_value;
    size_t default_size;
} catalog_row;

typedef struct catalog_rows {
    ese_db *db;
    catalog_row *rows;
    size_t count, capacity;
    size_t unreadable;
} catalog_rows;

uint32_t ese_fixed_type_size(uint32_t type, uint32_t space_usage)
{
    switch (type) {
    case ESE_COLTYP_BIT:
    case ESE_COLTYP_UNSIGNED_BYTE: return 1;
    case ESE_COLTYP_SHORT:
    case ESE_COLTYP_UNSIGNED_SHORT: return 2;
    case ESE_COLTYP_LONG:
    case ESE_COLTYP_IEEE_SINGLE:
    case ESE_COLTYP_UNSIGNED_LONG: return 4;
    case ESE_COLTYP_CURRENCY:
    case ESE_COLTYP_IEEE_DOUBLE:
    case ESE_COLTYP_DATETIME:
    case ESE_COLTYP_LONG_LONG: return 8;
    case ESE_COLTYP_GUID: return 16;
    case ESE_COLTYP_BINARY:
    case ESE_COLTYP_TEXT: return space_usage;
    default: return 0;
    }
}

static uint32_t fixed_u32(const ese_db *db, const ese_record *record, uint32_t column_id, bool *present)
{
    ese_column_value value;
    const char *problem;
    ese_record_get(db, &catalog_table, record, column_id, &value, &problem);
    *present = value.present;
    if (!value.present)
        return 0;
    util_reader r = util_reader_make(value.values[0].data, value.values[0].size);
    return value.values[0].size >= 4 ? util_read_u32(&r) : util_read_u16(&r);
}

static bool collect_catalog_row(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    catalog_rows *rows = context;
    ese_db *db = rows->db;
    ese_record record;
    if (!ese_record_open(&record, node->data, node->data_size) || record.fixed_last < 4) {
        rows->unreadable++;
        return true;
    }
    if (!util_grow((void **)&rows->rows, &rows->capacity, rows->count, sizeof(catalog_row)))
        return false;
    catalog_row *row = &rows->rows[rows->count];
    memset(row, 0, sizeof(*row));
    bool present;
    row->objid_table = fixed_u32(db, &record, 1, &present);
    row->type = (uint16_t)fixed_u32(db, &record, 2, &present);
    row->id = fixed_u32(db, &record, 3, &present);
    row->coltyp_or_pgno = fixed_u32(db, &record, 4, &present);
    row->space_usage = fixed_u32(db, &record, 5, &present);
    row->flags = fixed_u32(db, &record, 6, &present);
    row->pages_or_locale = fixed_u32(db, &record, 7, &present);
    row->lv_chunk_max = fixed_u32(db, &record, 12, &present);

    ese_column_value value;
    const char *problem;
    ese_record_get(db, &catalog_table, &record, 128, &value, &problem);
    row->name = value.present ? util_latin1_to_utf8(db->arena, value.values[0].data, value.values[0].size) : "";
    ese_record_get(db, &catalog_table, &record, 131, &value, &problem);
    if (value.present) {
        row->default_value = value.values[0].data;
        row->default_size = value.values[0].size;
    }
    rows->count++;
    return true;
}

static int compare_columns(const void *a, const void *b)
{
    const ese_column *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static void build_table(ese_db *db, ese_table *table, const catalog_rows *rows, const catalog_row *table_row)
{
    table->name = table_row->name;
    table->objid = table_row->id;
    table->root_pgno = table_row->coltyp_or_pgno;
    table->lv_chunk_max = table_row->lv_chunk_max;
    size_t columns = 0, indexes = 0;
    for (size_t i = 0; i < rows->count; i++) {
        if (rows->rows[i].objid_table != table->objid)
            continue;
        columns += rows->rows[i].type == CATALOG_TYPE_COLUMN;
        indexes += rows->rows[i].type == CATALOG_TYPE_INDEX;
    }
    table->columns = util_arena_array(db->arena, columns, sizeof(ese_column));
    table->indexes = util_arena_array(db->arena, indexes, sizeof(ese_index));
    if (!table->columns || !table->indexes)
        return;
    for (size_t i = 0; i < rows->count; i++) {
        const catalog_row *row = &rows->rows[i];
        if (row->objid_table != table->objid)
            continue;
        if (row->type == CATALOG_TYPE_COLUMN) {
            ese_column *column = &table->columns[table->column_count++];
            column->id = row->id;
            column->type = row->coltyp_or_pgno;
            column->space_usage = row->space_usage;
            column->flags = row->flags;
            column->codepage = row->pages_or_locale;
            column->name = row->name;
            column->default_value = row->default_value;
            column->default_size = row->default_size;
            if (row->id <= 127)
                column->fixed_size = ese_fixed_type_size(column->type, column->space_usage);
        } else if (row->type == CATALOG_TYPE_INDEX) {
            ese_index *index = &table->indexes[table->index_count++];
            index->name = row->name;
            index->objid = row->id;
            index->root_pgno = row->coltyp_or_pgno;
        } else if (row->type == CATALOG_TYPE_LONG_VALUE) {
            table->lv_objid = row->id;
            table->lv_root_pgno = row->coltyp_or_pgno;
        }
    }
    qsort(table->columns, table->column_count, sizeof(ese_column), compare_columns);
    /* Fixed columns follow each other in id order. The catalog's RecordOffset
     * is not relied on: the rows describing the catalog's own columns store 4
     * for every one of them (user tables store the real offsets). */
    uint32_t offset = 4;
    for (size_t i = 0; i < table->column_count && table->columns[i].id <= 127; i++) {
        table->columns[i].fixed_offset = offset;
        offset += table->columns[i].fixed_size;
    }
}

static size_t read_catalog_rows(ese_db *db, catalog_rows *rows, uint32_t root, uint32_t objid)
{
    memset(rows, 0, sizeof(*rows));
    rows->db = db;
    ese_btree_walk(db, root, objid, false, collect_catalog_row, rows, NULL);
    return rows->count;
}

void ese_catalog_load(ese_db *db, ese_catalog *catalog)
{
    memset(catalog, 0, sizeof(*catalog));
    catalog_rows rows;
    if (read_catalog_rows(db, &rows, CATALOG_ROOT_PGNO, CATALOG_OBJID) == 0) {
        free(rows.rows);
        util_notes_add(db->arena, db->warnings, "ESE catalog (MSysObjects) unreadable; using MSysObjectsShadow");
        catalog->from_shadow = true;
        read_catalog_rows(db, &rows, CATALOG_SHADOW_ROOT_PGNO, CATALOG_SHADOW_OBJID);
    }
    if (rows.unreadable)
        util_notes_addf(db->arena, db->warnings, "ESE catalog: %zu unreadable entries skipped", rows.unreadable);
    catalog->entries = rows.count;
    size_t tables = 0;
    for (size_t i = 0; i < rows.count; i++)
        tables += rows.rows[i].type == CATALOG_TYPE_TABLE;
    catalog->tables = util_arena_array(db->arena, tables, sizeof(ese_table));
    if (catalog->tables) {
        for (size_t i = 0; i < rows.count; i++)
            if (rows.rows[i].type == CATALOG_TYPE_TABLE)
                build_table(db, &catalog->tables[catalog->table_count++], &rows, &rows.rows[i]);
    }
    free(rows.rows);
}

ese_table *ese_catalog_find(const ese_catalog *catalog, const char *name)
{
    for (size_t i = 0; i < catalog->table_count; i++)
        if (strcmp(catalog->tables[i].name, name) == 0)
            return &catalog->tables[i];
    return NULL;
}

const ese_column *ese_table_column(const ese_table *table, uint32_t column_id)
{
    size_t lo = 0, hi = table->column_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (table->columns[mid].id < column_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < table->column_count && table->columns[lo].id == column_id ? &table->columns[lo] : NULL;
}

const ese_column *ese_table_column_named(const ese_table *table, const char *name)
{
    for (size_t i = 0; i < table->column_count; i++)
        if (strcmp(table->columns[i].name, name) == 0)
            return &table->columns[i];
    return NULL;
}
