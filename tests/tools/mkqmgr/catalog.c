#include "catalog.h"

#include <stdlib.h>
#include <string.h>

enum { ROW_TABLE = 1, ROW_COLUMN = 2, ROW_INDEX = 3, ROW_LONG_VALUE = 4 };
enum { COLTYP_LONG_BINARY = 11, COLTYP_GUID = 16 };
enum { FIELD_LOCALE_NAME = 261 };

/* Storage sizes of MSysObjects' fixed columns 1..10 (ese-format §7). */
static const uint8_t fixed_sizes[10] = {4, 2, 4, 4, 4, 4, 4, 1, 2, 4};

#define NULL_VALUE UINT32_MAX

typedef struct row {
    uint32_t fixed[10];        /* NULL_VALUE = NULL */
    size_t fixed_count;
    const char *var[5];        /* columns 128..; NULL = NULL */
    size_t var_sizes[5];
    size_t var_count;
    bool locale;               /* tagged LocaleName "en-US" (index rows) */
} row;

/* Record layout of ese-format §8.2: header, fixed values, null bitmap,
 * variable offsets and data, tagged area. */
static void put_record(mk_buffer *out, const row *r, bool small_pages)
{
    size_t bitmap = (r->fixed_count + 7) / 8, fixed_end = 4;
    for (size_t i = 0; i < r->fixed_count; i++)
        fixed_end += fixed_sizes[i];
    fixed_end += bitmap;
    mk_put_u8(out, (uint8_t)r->fixed_count);
    mk_put_u8(out, (uint8_t)(127 + r->var_count));
    mk_put_u16(out, (uint16_t)fixed_end);
    for (size_t i = 0; i < r->fixed_count; i++) {
        /* a NULL fixed column keeps its space; its bytes are not looked at */
        uint32_t v = r->fixed[i] == NULL_VALUE ? 0 : r->fixed[i];
        if (fixed_sizes[i] == 1)
            mk_put_u8(out, (uint8_t)v);
        else if (fixed_sizes[i] == 2)
            mk_put_u16(out, (uint16_t)v);
        else
            mk_put_u32(out, v);
    }
    uint8_t *bits = mk_buffer_extend(out, bitmap);
    for (size_t i = 0; i < bitmap * 8; i++)
        if (i >= r->fixed_count || r->fixed[i] == NULL_VALUE)
            bits[i / 8] |= (uint8_t)(1u << (i % 8));
    uint16_t end = 0;
    for (size_t i = 0; i < r->var_count; i++) {
        end = (uint16_t)(end + (r->var[i] ? r->var_sizes[i] : 0));
        mk_put_u16(out, (uint16_t)(end | (r->var[i] ? 0 : 0x8000)));
    }
    for (size_t i = 0; i < r->var_count; i++)
        if (r->var[i])
            mk_put_bytes(out, r->var[i], r->var_sizes[i]);
    if (r->locale) {
        /* one tagged entry, the value led by its header byte 0x01 (long value) */
        mk_put_u16(out, FIELD_LOCALE_NAME);
        mk_put_u16(out, (uint16_t)(4 | (small_pages ? 0x4000 : 0)));
        mk_put_u8(out, 0x01);
        for (const char *c = "en-US"; *c; c++) /* UTF-16LE, no NUL, no count */
            mk_put_u16(out, (uint16_t)*c);
    }
}

static void set_fixed(row *r, size_t count, const uint32_t *values)
{
    r->fixed_count = count;
    memcpy(r->fixed, values, count * sizeof(uint32_t));
}

static void set_name(row *r, const char *name)
{
    r->var[0] = name;
    r->var_sizes[0] = strlen(name);
    r->var_count = 1;
}

static void add_row(mk_catalog *c, uint32_t objid, uint16_t type, uint32_t id, const row *r, bool small_pages)
{
    c->offsets = mk_realloc(c->offsets, (c->count + 1) * 2 * sizeof(size_t));
    c->offsets[2 * c->count] = c->storage.size;
    /* key: 7F + ObjidTable, 7F + Type, 7F + Id, each big-endian with the sign bit flipped */
    mk_put_u8(&c->storage, 0x7F);
    mk_put_u32be(&c->storage, objid ^ 0x80000000u);
    mk_put_u8(&c->storage, 0x7F);
    mk_put_u16be(&c->storage, (uint16_t)(type ^ 0x8000u));
    mk_put_u8(&c->storage, 0x7F);
    mk_put_u32be(&c->storage, id ^ 0x80000000u);
    c->offsets[2 * c->count + 1] = c->storage.size;
    put_record(&c->storage, r, small_pages);
    c->count++;
}

void mk_catalog_build(const mk_catalog_table *tables, size_t count, bool small_pages, mk_catalog *c)
{
    memset(c, 0, sizeof(*c));
    for (size_t t = 0; t < count; t++) {
        const mk_catalog_table *tb = &tables[t];
        row r;
        memset(&r, 0, sizeof r);
        uint32_t table[] = {tb->objid, ROW_TABLE, tb->objid, tb->root_pgno, 80, 0, 0, 0xFF};
        set_fixed(&r, 8, table);
        set_name(&r, tb->name);
        add_row(c, tb->objid, ROW_TABLE, tb->objid, &r, small_pages);

        memset(&r, 0, sizeof r);
        uint32_t id[] = {tb->objid, ROW_COLUMN, 1, COLTYP_GUID, 16, 0, 0, NULL_VALUE, 4};
        set_fixed(&r, 9, id);
        set_name(&r, "Id");
        add_row(c, tb->objid, ROW_COLUMN, 1, &r, small_pages);

        memset(&r, 0, sizeof r);
        uint32_t blob[] = {tb->objid, ROW_COLUMN, 256, COLTYP_LONG_BINARY, 0, 0, 0};
        set_fixed(&r, 7, blob);
        set_name(&r, "Blob");
        add_row(c, tb->objid, ROW_COLUMN, 256, &r, small_pages);

        /* the primary index shares the table's objid and root page */
        memset(&r, 0, sizeof r);
        uint32_t index[] = {tb->objid, ROW_INDEX, tb->objid, tb->root_pgno, 80, 0x00010031, 0,
                            NULL_VALUE, NULL_VALUE, 0x00030401};
        set_fixed(&r, 10, index);
        set_name(&r, tb->index_name);
        static const char key_fields[4] = {0, 0, 1, 0}; /* key segment: column 1 ascending */
        r.var[4] = key_fields;
        r.var_sizes[4] = sizeof key_fields;
        r.var_count = 5;
        r.locale = true;
        add_row(c, tb->objid, ROW_INDEX, tb->objid, &r, small_pages);

        memset(&r, 0, sizeof r);
        uint32_t lv[] = {tb->objid, ROW_LONG_VALUE, tb->lv_objid, tb->lv_root_pgno, 100, 0, 1};
        set_fixed(&r, 7, lv);
        set_name(&r, "LV");
        add_row(c, tb->objid, ROW_LONG_VALUE, tb->lv_objid, &r, small_pages);
    }
    /* rows were added in key order; point the nodes at the final storage */
    c->nodes = mk_alloc(c->count * sizeof(mk_node));
    for (size_t i = 0; i < c->count; i++) {
        size_t key = c->offsets[2 * i], rec = c->offsets[2 * i + 1];
        size_t end = i + 1 < c->count ? c->offsets[2 * i + 2] : c->storage.size;
        c->nodes[i].key = c->storage.data + key;
        c->nodes[i].key_size = (uint16_t)(rec - key);
        c->nodes[i].data = c->storage.data + rec;
        c->nodes[i].data_size = (uint32_t)(end - rec);
    }
}

void mk_catalog_free(mk_catalog *c)
{
    free(c->nodes);
    free(c->offsets);
    mk_buffer_free(&c->storage);
    memset(c, 0, sizeof(*c));
}
