/* Walk everything of any ESE database through the src/ese API: every page and
 * tag, the catalog, every table's records and every column of each record
 * (fixed, variable, tagged, multi-valued, defaults, long values, compressed
 * values), every index tree and every long value of every table.
 *
 * Used by the fuzz_ese_walk target and by the damaged-input sweep over the
 * generic ESE samples (tests/e2e/test_hostile_sweeps.c), which compares the
 * records of a damaged file with those of the intact one. For that, each
 * record can be rendered as one text line:
 *
 *   <table> TAB <column id>=<values> TAB ...
 *
 * where <values> is "-" (NULL), "!" (the record's structure did not allow the
 * column to be read), or a comma-separated list of "<size>:<fnv1a-64 hex>"
 * (prefixed "D" when the catalog default was used, replaced by "?" when the
 * value could not be fully resolved: long value incomplete, bad compression).
 * Record positions (page, tag) are not part of the line. */
#ifndef BP_FUZZ_ESE_WALK_H
#define BP_FUZZ_ESE_WALK_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ese/btree.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "ese/page.h"
#include "ese/record.h"
#include "util/arena.h"

/* Harness limits (not library limits). The fuzz target also caps the column
 * reads per input (ese_walk_database's max_reads) to keep one input fast. */
#define ESE_WALK_MAX_PAGES 65536u
#define ESE_WALK_MAX_TAGGED 512u

typedef struct ese_walk_summary {
    bool opened;
    size_t db_warnings;        /* warnings of the database (header, checksums, trees, catalog) */
    size_t tables;
    size_t records;
    size_t value_problems;     /* columns that could not be (fully) read */
    size_t pages_loaded;
    size_t nodes;              /* nodes decoded in the page pass */
    size_t index_entries;
    size_t long_values;        /* long values read through ese_lv_read */
    size_t long_value_problems;
} ese_walk_summary;

/* One record as a line (not NUL-terminated; `problems` = columns shown "?" or "!"). */
typedef void (*ese_walk_line_fn)(const char *line, size_t length, size_t problems, void *context);

typedef struct ese_walk_text {
    char *data;
    size_t length, capacity;
    bool failed;
    bool off;                  /* nobody wants the lines: build none (fuzzing) */
} ese_walk_text;

static inline void ese_walk_append(ese_walk_text *t, const char *s, size_t n)
{
    if (t->failed || t->off)
        return;
    if (t->length + n + 1 > t->capacity) {
        size_t capacity = t->capacity ? t->capacity : 256;
        while (t->length + n + 1 > capacity)
            capacity *= 2;
        char *grown = realloc(t->data, capacity);
        if (!grown) {
            t->failed = true;
            return;
        }
        t->data = grown;
        t->capacity = capacity;
    }
    memcpy(t->data + t->length, s, n);
    t->length += n;
    t->data[t->length] = '\0';
}

static inline void ese_walk_appendf(ese_walk_text *t, const char *format, ...) __attribute__((format(printf, 2, 3)));
static inline void ese_walk_appendf(ese_walk_text *t, const char *format, ...)
{
    if (t->off)
        return;
    char buffer[128];
    va_list args;
    va_start(args, format);
    int n = vsnprintf(buffer, sizeof buffer, format, args);
    va_end(args);
    if (n > 0)
        ese_walk_append(t, buffer, (size_t)n < sizeof buffer ? (size_t)n : sizeof buffer - 1);
}

static inline uint64_t ese_walk_fnv1a(const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; i++) {
        h ^= data[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

typedef struct ese_walk_state {
    ese_db *db;
    ese_table *table;
    ese_walk_summary *summary;
    ese_walk_line_fn line_fn;
    void *line_context;
    ese_walk_text line;
    size_t column_reads;
    size_t max_reads;
} ese_walk_state;

/* Append one column's values to the line; returns true when it had a problem. */
static inline bool ese_walk_column(ese_walk_state *s, const ese_record *record, uint32_t column_id)
{
    ese_column_value value;
    const char *problem = NULL;
    s->column_reads++;
    bool ok = ese_record_get(s->db, s->table, record, column_id, &value, &problem);
    ese_walk_appendf(&s->line, "\t%" PRIu32 "=", column_id);
    if (!ok) {
        ese_walk_append(&s->line, "!", 1);
        return true;
    }
    if (!value.present) {
        ese_walk_append(&s->line, "-", 1);
        return false;
    }
    bool any_problem = false;
    for (size_t i = 0; i < value.count; i++) {
        const ese_value *v = &value.values[i];
        if (i)
            ese_walk_append(&s->line, ",", 1);
        if (v->problem) {
            ese_walk_append(&s->line, "?", 1);
            any_problem = true;
            if (v->data && v->size) /* the bytes that were found must still be readable */
                (void)ese_walk_fnv1a(v->data, v->size);
            continue;
        }
        if (v->size && !v->data) {
            ese_walk_append(&s->line, "?", 1);
            any_problem = true;
            continue;
        }
        uint64_t hash = v->data ? ese_walk_fnv1a(v->data, v->size) : 0; /* reads every byte */
        ese_walk_appendf(&s->line, "%s%zu:%016" PRIx64, value.from_default ? "D" : "", v->size, hash);
    }
    return any_problem;
}

static inline bool ese_walk_record_visit(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    ese_walk_state *s = context;
    s->summary->records++;
    s->line.length = 0;
    /* the table name comes from the file: keep the line's separators out of it */
    for (const char *c = s->table->name; *c; c++)
        ese_walk_append(&s->line, *c == '\t' || *c == '=' || *c == '\n' ? "_" : c, 1);
    ese_record record;
    size_t problems = 0;
    if (!ese_record_open(&record, node->data, node->data_size)) {
        ese_walk_append(&s->line, "\t!header", 8);
        problems++;
    } else {
        /* Fixed and variable columns of the catalog, and tagged ones with a
         * default, in id order; then the tagged values the record holds, in
         * stored order (the first ESE_WALK_MAX_TAGGED). Asking for every
         * tagged column of the catalog instead would cost columns x values
         * per record: large.edb has 64994 columns and 4096 values a record. */
        for (size_t i = 0; i < s->table->column_count && s->column_reads < s->max_reads; i++) {
            const ese_column *column = &s->table->columns[i];
            if (column->id < 256 || column->default_value)
                problems += ese_walk_column(s, &record, column->id);
        }
        uint32_t ids[ESE_WALK_MAX_TAGGED];
        size_t count = ese_record_tagged_ids(s->db, &record, ids, ESE_WALK_MAX_TAGGED);
        for (size_t i = 0; i < count && s->column_reads < s->max_reads; i++) {
            const ese_column *column = ese_table_column(s->table, ids[i]);
            if (ids[i] >= 256 && !(column && column->default_value))
                problems += ese_walk_column(s, &record, ids[i]);
        }
    }
    s->summary->value_problems += problems;
    if (s->line_fn && !s->line.failed)
        s->line_fn(s->line.data, s->line.length, problems, s->line_context);
    return s->column_reads < s->max_reads;
}

static inline bool ese_walk_count_visit(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    size_t *count = context;
    (*count)++;
    /* keys and data are borrowed bytes: touch both ends */
    volatile uint8_t sink = node->key_size ? node->key[node->key_size - 1] : 0;
    if (node->data_size)
        sink ^= node->data[0] ^ node->data[node->data_size - 1];
    (void)sink;
    return true;
}

/* Every page and tag, independent of any tree. */
static inline void ese_walk_pages(ese_db *db, ese_walk_summary *summary)
{
    uint32_t pages = db->page_count < ESE_WALK_MAX_PAGES ? db->page_count : ESE_WALK_MAX_PAGES;
    for (uint32_t pgno = 1; pgno <= pages; pgno++) {
        ese_page page;
        if (!ese_page_load(db, pgno, &page))
            continue;
        summary->pages_loaded++;
        const uint8_t *external;
        uint16_t external_size;
        if (ese_page_external_header(&page, &external, &external_size) && external_size)
            (void)ese_walk_fnv1a(external, external_size);
        for (uint16_t itag = page.reserved_tags; itag < page.tag_count; itag++) {
            ese_node node;
            if (ese_page_node(&page, itag, &node))
                ese_walk_count_visit(&page, &node, &summary->nodes);
        }
    }
}

/* Open and walk. line_fn (may be NULL) receives each record's line; at most
 * max_reads column values and long values are read (SIZE_MAX: no limit). */
static inline void ese_walk_database(const uint8_t *data, size_t size, ese_walk_line_fn line_fn, void *line_context,
                                     size_t max_reads, ese_walk_summary *summary)
{
    memset(summary, 0, sizeof(*summary));
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    if (!ese_db_open(&db, data, size, &arena, &warnings)) {
        util_arena_free(&arena);
        return;
    }
    summary->opened = true;
    summary->tables = db.catalog.table_count;
    ese_walk_state s;
    memset(&s, 0, sizeof(s));
    s.db = &db;
    s.summary = summary;
    s.line_fn = line_fn;
    s.line_context = line_context;
    s.max_reads = max_reads;
    s.line.off = line_fn == NULL;
    for (size_t t = 0; t < db.catalog.table_count; t++) {
        ese_table *table = &db.catalog.tables[t];
        s.table = table;
        ese_btree_walk(&db, table->root_pgno, table->objid, false, ese_walk_record_visit, &s, NULL);
        for (size_t i = 0; i < table->index_count; i++)
            ese_btree_walk(&db, table->indexes[i].root_pgno, table->indexes[i].objid, false, ese_walk_count_visit,
                           &summary->index_entries, NULL);
        const ese_lv_store *store = ese_table_lv_store(&db, table);
        for (size_t i = 0; store && i < store->root_count && s.column_reads < s.max_reads; i++) {
            const uint8_t *bytes;
            size_t length;
            const char *problem;
            s.column_reads++;
            summary->long_values++;
            if (ese_lv_read(&db, table, store->roots[i].lid, &bytes, &length, &problem) && length)
                (void)ese_walk_fnv1a(bytes, length);
            summary->long_value_problems += problem != NULL;
        }
    }
    ese_walk_pages(&db, summary);
    summary->db_warnings = warnings.count;
    free(s.line.data);
    util_arena_free(&arena);
}

#endif
