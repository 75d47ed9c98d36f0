#include "database_writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blob_encoders.h"
#include "catalog.h"
#include "ese/db_header.h"
#include "ese/page.h"
#include "long_values.h"
#include "page_builder.h"

/* Object ids as in both samples (ese-format §7). */
enum {
    OBJID_ROOT = 1, OBJID_CATALOG = 2, OBJID_CATALOG_SHADOW = 3,
    OBJID_JOBS = 8, OBJID_FILES = 9, OBJID_JOBS_LV = 10, OBJID_FILES_LV = 11,
};
/* Fixed by the engine (ese-format §1); libesedb reads the shadow catalog too. */
enum { CATALOG_ROOT_PGNO = 4, CATALOG_SHADOW_ROOT_PGNO = 24 };

/* ---- options ------------------------------------------------------------------------------ */

uint32_t mk_default_chunk_size(uint32_t page_size)
{
    /* small pages: what fits beside the page header, tags and a 12-byte key */
    return page_size <= 8192 ? page_size - 82 : 4050;
}

bool mk_resolve_options(const mk_options *desc, const mk_options *cli, mk_options *o, char *err, size_t err_size)
{
    o->page_size = cli->page_size ? cli->page_size : desc->page_size ? desc->page_size : 16384;
    o->lid_size = cli->lid_size ? cli->lid_size : desc->lid_size ? desc->lid_size : 8;
    o->reserved_tags = cli->reserved_tags >= 0 ? cli->reserved_tags : desc->reserved_tags > 0;
    o->clean = cli->clean >= 0 ? cli->clean : desc->clean > 0;
    o->chunk_size = cli->chunk_size ? cli->chunk_size : desc->chunk_size;
    o->fill_percent = cli->fill_percent ? cli->fill_percent : desc->fill_percent ? desc->fill_percent : 100;
    o->lv_page_per_value = cli->lv_page_per_value >= 0 ? cli->lv_page_per_value : desc->lv_page_per_value > 0;
    if (o->page_size != 4096 && o->page_size != 8192 && o->page_size != 16384 && o->page_size != 32768) {
        snprintf(err, err_size, "page size %u is not 4096, 8192, 16384 or 32768", o->page_size);
        return false;
    }
    if (o->lid_size != 4 && o->lid_size != 8) {
        snprintf(err, err_size, "long-value ids are 4 or 8 bytes, not %u", o->lid_size);
        return false;
    }
    if (!o->chunk_size)
        o->chunk_size = mk_default_chunk_size(o->page_size);
    /* a chunk node (4 + 12-byte key + data) must fit a page beside tag 0 and three tags */
    if (o->chunk_size < 16 || o->chunk_size > o->page_size - (o->page_size > 8192 ? 80 : 40) - 40) {
        snprintf(err, err_size, "chunk size %u does not fit a %u-byte page", o->chunk_size, o->page_size);
        return false;
    }
    if (o->fill_percent < 10 || o->fill_percent > 100) {
        snprintf(err, err_size, "fill %u%% is outside 10..100", o->fill_percent);
        return false;
    }
    return true;
}

/* ---- Jobs / Files records (bits-format §3.2) ---------------------------------------------- */

typedef struct table_rows {
    mk_node *nodes;
    size_t count;
    mk_buffer storage;
} table_rows;

typedef struct row_source {
    const uint8_t *id;
    uint64_t lid;
    bool deleted;
} row_source;

static int compare_nodes(const void *a, const void *b)
{
    const mk_node *x = a, *y = b;
    return mk_key_compare(x->key, x->key_size, y->key, y->key_size);
}

/* Key 7F + Id reordered [10..15][8..9][6..7][4..5][0..3]; record
 * 01 7F 15 00 | Id | FE | 00 01 04 00 | 05 | LID. */
static void build_rows(const row_source *rows, size_t count, const mk_options *o, table_rows *t)
{
    static const int key_order[16] = {10, 11, 12, 13, 14, 15, 8, 9, 6, 7, 4, 5, 0, 1, 2, 3};
    size_t key_size = 17, record_size = 26 + o->lid_size;
    memset(t, 0, sizeof(*t));
    uint8_t *base = mk_buffer_extend(&t->storage, count * (key_size + record_size));
    t->nodes = mk_alloc(count * sizeof(mk_node) + 1);
    for (size_t i = 0; i < count; i++) {
        uint8_t *key = base + i * (key_size + record_size), *rec = key + key_size;
        key[0] = 0x7F;
        for (int k = 0; k < 16; k++)
            key[1 + k] = rows[i].id[key_order[k]];
        rec[0] = 0x01;        /* last fixed column: 1 (Id) */
        rec[1] = 0x7F;        /* no variable columns */
        mk_store_u16(rec + 2, 21);
        memcpy(rec + 4, rows[i].id, 16);
        rec[20] = 0xFE;       /* null bitmap: Id present */
        mk_store_u16(rec + 21, 256);                              /* tagged column Blob */
        /* offset 4; small pages flag that the value starts with its header byte */
        mk_store_u16(rec + 23, (uint16_t)(o->page_size <= 8192 ? 0x4004 : 0x0004));
        rec[25] = 0x05;       /* long value, separated */
        if (o->lid_size == 8)
            mk_store_u64(rec + 26, rows[i].lid);
        else
            mk_store_u32(rec + 26, (uint32_t)rows[i].lid);
        mk_node *n = &t->nodes[t->count++];
        n->key = key;
        n->key_size = (uint16_t)key_size;
        n->data = rec;
        n->data_size = (uint32_t)record_size;
        /* a removed job: the delete is flagged, the node still there */
        n->flags = rows[i].deleted ? ESE_NODE_DELETED | ESE_NODE_VERSION : 0;
    }
    qsort(t->nodes, t->count, sizeof(mk_node), compare_nodes);
}

/* ---- header page (ese-format §2) ---------------------------------------------------------- */

/* LOGTIME: seconds, minutes, hours, day, month, year - 1900, then UTC flag and milliseconds. */
static void put_logtime(uint8_t *p, uint64_t filetime)
{
    uint64_t ms_total = filetime / 10000;
    uint32_t ms = (uint32_t)(ms_total % 1000);
    int64_t secs = (int64_t)(ms_total / 1000);
    int64_t days = secs / 86400 - 134774; /* days since 1970-01-01 */
    int64_t rem = secs % 86400;
    /* civil date from days (proleptic Gregorian) */
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400, doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1, m = mp + (mp < 10 ? 3 : -9);
    y += m <= 2;
    p[0] = (uint8_t)(rem % 60);
    p[1] = (uint8_t)(rem / 60 % 60);
    p[2] = (uint8_t)(rem / 3600);
    p[3] = (uint8_t)d;
    p[4] = (uint8_t)m;
    p[5] = (uint8_t)(y - 1900);
    p[6] = (uint8_t)(1 | (ms & 0x7F) << 1);
    p[7] = (uint8_t)((ms >> 7) << 1);
}

static void put_lgpos(uint8_t *p, uint16_t ib, uint16_t sector, uint32_t generation)
{
    mk_store_u16(p, ib);
    mk_store_u16(p + 2, sector);
    mk_store_u32(p + 4, generation);
}

static void write_header(const mk_description *d, const mk_options *o, uint64_t dbtime, uint32_t seed, uint8_t *page)
{
    /* "now" and "created" come from the jobs, so the header is as deterministic as they are */
    uint64_t now = 0, created = UINT64_MAX;
    for (size_t i = 0; i < d->job_count; i++) {
        const mk_job *j = &d->jobs[i];
        uint64_t latest = j->modified > j->created ? j->modified : j->created;
        now = latest > now ? latest : now;
        created = j->created && j->created < created ? j->created : created;
    }
    if (!now)
        now = 133170048000000000ULL; /* 2023-01-01 */
    now += 60 * MK_FILETIME_PER_SECOND;
    created = created == UINT64_MAX ? now : created;
    created -= 86400 * MK_FILETIME_PER_SECOND;

    memset(page, 0, o->page_size);
    mk_store_u32(page + 4, ESE_SIGNATURE);
    mk_store_u32(page + 8, 0x620);
    mk_store_u64(page + 16, dbtime);
    mk_store_u32(page + 24, seed);                      /* database signature */
    put_logtime(page + 28, created);
    mk_store_u32(page + 52, o->clean ? 3 : 2);          /* clean / dirty shutdown */
    put_lgpos(page + 56, 54, 8, 1);                     /* consistent position and time */
    put_logtime(page + 64, now);
    put_logtime(page + 72, now);                        /* last attach */
    put_lgpos(page + 80, 616, 9, 1);
    if (o->clean) {                                     /* detached: detach time and position */
        put_logtime(page + 88, now);
        put_lgpos(page + 96, 54, 8, 1);
    }
    mk_store_u32(page + 104, 1);                        /* dbid */
    mk_store_u32(page + 108, mk_hash32(&seed, 4, 108)); /* log signature */
    put_logtime(page + 112, created);
    mk_store_u32(page + 212, OBJID_FILES_LV);           /* last object id */
    mk_store_u32(page + 216, 10);
    mk_store_u32(page + 220, 0);
    mk_store_u32(page + 224, d->os_build);
    /* Windows 11 engines (reserved tags) carry a newer format revision */
    mk_store_u32(page + 232, o->reserved_tags ? 0xC8 : 0x6E);
    mk_store_u32(page + 236, o->page_size);
    mk_store_u32(page + 296, o->clean ? 0 : 1);         /* log generations still needed */
    mk_store_u32(page + 300, o->clean ? 0 : 1);
    mk_store_u32(page + 340, 0x620);                    /* created by 0x620 rev 0x14 */
    mk_store_u32(page + 344, 0x14);
    mk_store_u32(page + 416, 1);
    memset(page + 508, 0xFF, 8);                        /* sort version */
    mk_store_u32(page + 644, o->reserved_tags ? 440 : 240);
    mk_store_u32(page + 648, o->reserved_tags ? 9400 : 9180);
    page[667] = 1;                                      /* file type: database; 668.. stay zero */
    mk_store_u32(page, ese_header_checksum(page, o->page_size));
}

/* ---- the whole file ----------------------------------------------------------------------- */

typedef struct table_build {
    table_rows rows;
    mk_lv_tree lv;
    mk_tree tree, lv_tree;
} table_build;

static void build_table(const row_source *rows, const mk_lv_value *values, size_t count, const mk_options *o,
                        const mk_geometry *g, uint32_t objid, uint32_t lv_objid, table_build *b)
{
    memset(b, 0, sizeof(*b));
    build_rows(rows, count, o, &b->rows);
    mk_lv_build(values, count, o->lid_size, o->chunk_size, o->lv_page_per_value, &b->lv);
    uint8_t version = o->clean ? 0 : ESE_NODE_VERSION; /* dirty: outstanding version entries */
    b->tree.objid = objid;
    b->tree.space_flags = 1;
    b->tree.parent_pgno = 1;
    b->tree.node_flags = version;
    mk_tree_plan(&b->tree, g, b->rows.nodes, b->rows.count);
    b->lv_tree.objid = lv_objid;
    b->lv_tree.type_flags = ESE_PAGE_LONG_VALUE;
    b->lv_tree.space_flags = 5;
    b->lv_tree.node_flags = version;
    b->lv_tree.branch_root = true;
    mk_tree_plan(&b->lv_tree, g, b->lv.nodes, b->lv.count);
}

static void free_table(table_build *b)
{
    mk_tree_free(&b->tree);
    mk_tree_free(&b->lv_tree);
    mk_lv_free(&b->lv);
    free(b->rows.nodes);
    mk_buffer_free(&b->rows.storage);
}

/* MSysObjects and its copy MSysObjectsShadow share the rows. */
static void plan_catalog(const mk_geometry *g, const mk_options *o, const mk_catalog_table tables[2], mk_catalog *c,
                         mk_tree *t, mk_tree *shadow)
{
    mk_catalog_build(tables, 2, o->page_size <= 8192, c);
    memset(t, 0, sizeof(*t));
    t->objid = OBJID_CATALOG;
    t->space_flags = 1;
    t->parent_pgno = 1;
    t->node_flags = o->clean ? 0 : ESE_NODE_VERSION;
    mk_tree_plan(t, g, c->nodes, c->count);
    *shadow = *t;
    shadow->objid = OBJID_CATALOG_SHADOW;
    shadow->levels = NULL;
    mk_tree_plan(shadow, g, c->nodes, c->count);
}

/* Page numbers of the four table trees around the shadow catalog at page 24:
 * each tree goes before it when it still fits there (first fit, in order),
 * else after it. Pages left free before it are listed in the root's AE tree. */
static uint32_t place_trees(uint32_t catalog_pages, mk_tree *const trees[4], uint32_t bases[4], mk_tree *root)
{
    uint32_t low = CATALOG_ROOT_PGNO + catalog_pages, high = CATALOG_SHADOW_ROOT_PGNO + catalog_pages;
    for (int i = 0; i < 4; i++) {
        if (low + trees[i]->page_count <= CATALOG_SHADOW_ROOT_PGNO) {
            bases[i] = low;
            low += trees[i]->page_count;
        } else {
            bases[i] = high;
            high += trees[i]->page_count;
        }
    }
    if (low < CATALOG_SHADOW_ROOT_PGNO)
        root->available[root->available_count++] = (mk_extent){low, CATALOG_SHADOW_ROOT_PGNO - low};
    return high - 1; /* last page */
}

void mk_build_database(const mk_description *d, const mk_options *o, mk_buffer *out, mk_layout *layout)
{
    mk_geometry g;
    mk_geometry_init(&g, o->page_size, o->reserved_tags, o->fill_percent);

    /* blobs and their LIDs: the n-th job / file of the description gets LID n */
    mk_buffer *job_blobs = mk_alloc(d->job_count * sizeof(mk_buffer) + 1);
    mk_buffer *file_blobs = mk_alloc(d->file_count * sizeof(mk_buffer) + 1);
    row_source *job_rows = mk_alloc(d->job_count * sizeof(row_source) + 1);
    row_source *file_rows = mk_alloc(d->file_count * sizeof(row_source) + 1);
    mk_lv_value *job_values = mk_alloc(d->job_count * sizeof(mk_lv_value) + 1);
    mk_lv_value *file_values = mk_alloc(d->file_count * sizeof(mk_lv_value) + 1);
    uint32_t seed = mk_hash32(&o->page_size, 4, o->lid_size);
    for (size_t i = 0; i < d->job_count; i++) {
        mk_encode_job_blob(d, &d->jobs[i], &job_blobs[i]);
        job_rows[i] = (row_source){d->jobs[i].id, mk_lid(o->lid_size, (uint32_t)i + 1), d->jobs[i].deleted};
        job_values[i] = (mk_lv_value){job_rows[i].lid, job_blobs[i].data, job_blobs[i].size, !d->jobs[i].deleted};
        seed = mk_hash32(job_blobs[i].data, job_blobs[i].size, seed);
    }
    for (size_t i = 0; i < d->file_count; i++) {
        mk_encode_file_blob(&d->files[i], &file_blobs[i]);
        file_rows[i] = (row_source){d->files[i].id, mk_lid(o->lid_size, (uint32_t)i + 1), d->files[i].deleted};
        file_values[i] = (mk_lv_value){file_rows[i].lid, file_blobs[i].data, file_blobs[i].size, !d->files[i].deleted};
        seed = mk_hash32(file_blobs[i].data, file_blobs[i].size, seed);
    }

    table_build jobs, files;
    build_table(job_rows, job_values, d->job_count, o, &g, OBJID_JOBS, OBJID_JOBS_LV, &jobs);
    build_table(file_rows, file_values, d->file_count, o, &g, OBJID_FILES, OBJID_FILES_LV, &files);

    /* the database root: no nodes, owns the whole file */
    mk_tree root;
    memset(&root, 0, sizeof root);
    root.objid = OBJID_ROOT;
    root.space_flags = 1;
    mk_tree_plan(&root, &g, NULL, 0);

    /* catalog size does not depend on the page numbers it holds: plan it once
     * with zeros to place everything, then again with the real numbers */
    mk_catalog_table tables[2] = {{"Jobs", "JobsById", OBJID_JOBS, 0, OBJID_JOBS_LV, 0},
                                  {"Files", "FilesById", OBJID_FILES, 0, OBJID_FILES_LV, 0}};
    mk_catalog catalog;
    mk_tree catalog_tree, shadow_tree;
    plan_catalog(&g, o, tables, &catalog, &catalog_tree, &shadow_tree);
    uint32_t catalog_pages = catalog_tree.page_count;
    mk_tree_free(&catalog_tree);
    mk_tree_free(&shadow_tree);
    mk_catalog_free(&catalog);
    if (CATALOG_ROOT_PGNO + catalog_pages > CATALOG_SHADOW_ROOT_PGNO) {
        fputs("mkqmgr: internal error: the catalog runs into the shadow catalog\n", stderr);
        exit(3);
    }

    mk_tree *const trees[4] = {&jobs.tree, &jobs.lv_tree, &files.tree, &files.lv_tree};
    uint32_t bases[4];
    uint32_t page_count = place_trees(catalog_pages, trees, bases, &root);
    tables[0].root_pgno = bases[0];
    tables[0].lv_root_pgno = bases[1];
    tables[1].root_pgno = bases[2];
    tables[1].lv_root_pgno = bases[3];
    plan_catalog(&g, o, tables, &catalog, &catalog_tree, &shadow_tree);
    jobs.lv_tree.parent_pgno = bases[0];      /* an LV tree's parent is its table */
    files.lv_tree.parent_pgno = bases[2];
    root.owned_first = 1;
    root.owned_count = page_count;

    out->size = 0;
    uint8_t *file = mk_buffer_extend(out, ((size_t)page_count + 2) * o->page_size);
    uint64_t dbtime = 16;
    mk_tree_write(&root, &g, 1, file, &dbtime);
    mk_tree_write(&catalog_tree, &g, CATALOG_ROOT_PGNO, file, &dbtime);
    for (int i = 0; i < 4; i++)
        mk_tree_write(trees[i], &g, bases[i], file, &dbtime);
    mk_tree_write(&shadow_tree, &g, CATALOG_SHADOW_ROOT_PGNO, file, &dbtime);
    write_header(d, o, dbtime, seed, file);
    memcpy(file + o->page_size, file, o->page_size); /* shadow copy */

    if (layout) {
        layout->page_count = page_count;
        layout->jobs_root = bases[0];
        layout->jobs_lv_root = bases[1];
        layout->files_root = bases[2];
        layout->files_lv_root = bases[3];
        layout->jobs_levels = jobs.tree.level_count;
        layout->jobs_lv_levels = jobs.lv_tree.level_count;
        layout->files_levels = files.tree.level_count;
        layout->files_lv_levels = files.lv_tree.level_count;
    }
    mk_tree_free(&root);
    mk_tree_free(&catalog_tree);
    mk_tree_free(&shadow_tree);
    mk_catalog_free(&catalog);
    free_table(&jobs);
    free_table(&files);
    for (size_t i = 0; i < d->job_count; i++)
        mk_buffer_free(&job_blobs[i]);
    for (size_t i = 0; i < d->file_count; i++)
        mk_buffer_free(&file_blobs[i]);
    free(job_blobs);
    free(file_blobs);
    free(job_rows);
    free(file_rows);
    free(job_values);
    free(file_values);
}
