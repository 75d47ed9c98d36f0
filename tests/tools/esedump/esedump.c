/* esedump: what bitsparse's own ESE reader sees in a database, in a plain
 * format the libesedb cross-check (tests/cli/test_libesedb_crosscheck.sh)
 * compares with esedbinfo/esedbexport:
 *   column <table> <id> <name> <type>
 *   row <table> <Id as hex of its bytes> <Blob as hex>
 * Tables default to Jobs and Files; live records only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file_read.h"
#include "ese/btree.h"
#include "ese/database.h"
#include "ese/record.h"

typedef struct dump_context {
    ese_db *db;
    ese_table *table;
    int problems;
} dump_context;

static void print_hex(const uint8_t *bytes, size_t size)
{
    for (size_t i = 0; i < size; i++)
        printf("%02x", bytes[i]);
}

static bool dump_row(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    dump_context *c = context;
    ese_record record;
    ese_column_value id, blob;
    const char *problem;
    if (!ese_record_open(&record, node->data, node->data_size) ||
        !ese_record_get(c->db, c->table, &record, 1, &id, &problem) ||
        !ese_record_get(c->db, c->table, &record, 256, &blob, &problem)) {
        c->problems++;
        return true;
    }
    printf("row %s ", c->table->name);
    if (id.present)
        print_hex(id.values[0].data, id.values[0].size);
    putchar(' ');
    if (blob.present) {
        print_hex(blob.values[0].data, blob.values[0].size);
        c->problems += blob.values[0].problem != NULL;
    }
    putchar('\n');
    return true;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs("usage: esedump DATABASE [TABLE...]\n", stderr);
        return 2;
    }
    size_t size;
    const char *error;
    uint8_t *data = util_input_read(argv[1], &size, &error);
    if (!data) {
        fprintf(stderr, "esedump: %s: %s\n", argv[1], error);
        return 3;
    }
    util_arena arena;
    bp_note_list warnings = {NULL, NULL, 0};
    util_arena_init(&arena);
    ese_db db;
    int status = 0;
    if (!ese_db_open(&db, data, size, &arena, &warnings)) {
        fprintf(stderr, "esedump: %s: not an ESE database\n", argv[1]);
        status = 3;
    }
    static const char *const default_tables[] = {"Jobs", "Files"};
    int count = argc > 2 ? argc - 2 : 2;
    for (int t = 0; t < count && status == 0; t++) {
        const char *name = argc > 2 ? argv[t + 2] : default_tables[t];
        ese_table *table = ese_catalog_find(&db.catalog, name);
        if (!table) {
            fprintf(stderr, "esedump: no table %s\n", name);
            status = 1;
            continue;
        }
        for (size_t i = 0; i < table->column_count; i++)
            printf("column %s %u %s %u\n", name, table->columns[i].id, table->columns[i].name,
                   table->columns[i].type);
        dump_context c = {&db, table, 0};
        ese_btree_walk(&db, table->root_pgno, table->objid, false, dump_row, &c, NULL);
        if (c.problems)
            status = 1;
    }
    for (const bp_note *n = warnings.head; n; n = n->next) {
        fprintf(stderr, "esedump: %s\n", n->text);
        status = status ? status : 1;
    }
    util_arena_free(&arena);
    free(data);
    return status;
}
