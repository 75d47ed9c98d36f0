/* Helpers for tests that open real ESE databases: gunzip a shared sample in
 * memory, open it, list a table's records and read columns by name. */
#ifndef BP_TESTS_ESE_FIXTURE_H
#define BP_TESTS_ESE_FIXTURE_H

#include <zlib.h>

#include "check.h"
#include "ese/btree.h"
#include "ese/database.h"
#include "ese/record.h"

typedef struct ese_fixture {
    unsigned char *bytes;
    size_t size;
    util_arena arena;
    bp_note_list warnings;
    ese_db db;
    bool opened;
} ese_fixture;

/* Load a shared file (".gz" is decompressed in memory); skips the test when
 * the shared folder is missing. */
static inline void fixture_load(ese_fixture *f, const char *relative)
{
    memset(f, 0, sizeof(*f));
    const char *path = shared_path(relative);
    size_t n = strlen(path);
    if (n > 3 && strcmp(path + n - 3, ".gz") == 0) {
        gzFile gz = gzopen(path, "rb");
        size_t cap = 1 << 20;
        f->bytes = malloc(cap);
        for (;;) {
            if (f->size == cap) {
                cap *= 2;
                f->bytes = realloc(f->bytes, cap);
            }
            int got = gzread(gz, f->bytes + f->size, (unsigned)(cap - f->size));
            if (got <= 0)
                break;
            f->size += (size_t)got;
        }
        gzclose(gz);
    } else {
        f->bytes = read_whole_file(path, &f->size);
    }
    util_arena_init(&f->arena);
    f->opened = f->bytes && ese_db_open(&f->db, f->bytes, f->size, &f->arena, &f->warnings);
}

static inline void fixture_free(ese_fixture *f)
{
    util_arena_free(&f->arena);
    free(f->bytes);
}

typedef struct record_list {
    ese_record *items;
    uint32_t *pages;
    size_t count, capacity;
} record_list;

static inline bool collect_record(const ese_page *page, const ese_node *node, void *context)
{
    record_list *list = context;
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 64;
        list->items = realloc(list->items, list->capacity * sizeof(ese_record));
        list->pages = realloc(list->pages, list->capacity * sizeof(uint32_t));
    }
    ese_record_open(&list->items[list->count], node->data, node->data_size);
    list->pages[list->count] = page->pgno;
    list->count++;
    return true;
}

/* Records of a table in key order. */
static inline record_list table_records(ese_fixture *f, const char *table_name)
{
    record_list list = {NULL, NULL, 0, 0};
    ese_table *table = ese_catalog_find(&f->db.catalog, table_name);
    if (table)
        ese_btree_walk(&f->db, table->root_pgno, table->objid, false, collect_record, &list, NULL);
    return list;
}

static inline void record_list_free(record_list *list)
{
    free(list->items);
    free(list->pages);
}

/* Column value by name; value->present false when NULL or unknown. */
static inline ese_column_value column(ese_fixture *f, const char *table_name, const ese_record *record,
                                      const char *column_name)
{
    ese_column_value value;
    memset(&value, 0, sizeof(value));
    ese_table *table = ese_catalog_find(&f->db.catalog, table_name);
    const ese_column *col = table ? ese_table_column_named(table, column_name) : NULL;
    const char *problem;
    if (col)
        ese_record_get(&f->db, table, record, col->id, &value, &problem);
    return value;
}

static inline bool value_is(const ese_column_value *v, size_t index, const void *bytes, size_t size)
{
    return v->present && index < v->count && v->values[index].size == size &&
           memcmp(v->values[index].data, bytes, size) == 0 && !v->values[index].problem;
}

/* "prefix" followed by `count` copies of `fill`, as bytes (fill_width 1 or 2 for UTF-16). */
static inline unsigned char *repeat_text(const char *prefix, char fill, size_t count, size_t *size)
{
    size_t p = strlen(prefix);
    unsigned char *out = malloc(p + count + 1);
    memcpy(out, prefix, p);
    memset(out + p, fill, count);
    *size = p + count;
    return out;
}

static inline int64_t le_i64(const ese_column_value *v, size_t index)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = (x << 8) | v->values[index].data[i];
    return (int64_t)x;
}

#endif
