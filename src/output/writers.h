/* The writers behind bp_write() (json_writer.c, csv_writer.c, timeline_writer.c). */
#ifndef BP_OUTPUT_WRITERS_H
#define BP_OUTPUT_WRITERS_H

#include <stdbool.h>
#include <stdio.h>

#include "bitsparse/bitsparse.h"
#include "output/json_emit.h"

/* The writers behind bp_write(); each returns 0 or -1 (write error or out of memory). */
int bp_write_json(FILE *out, const bp_result *result, bool one_per_line);
int bp_write_csv(FILE *out, const bp_result *result);
/* CSV for spreadsheets: byte order mark, formula-like cells defused (csv_writer.c). */
int bp_write_csv_excel(FILE *out, const bp_result *result);
int bp_write_timeline(FILE *out, const bp_result *result);

/* The same writers a record at a time (bp_record_writer, write.c): begin
 * writes what comes before the first record (JSON "[", the CSV byte order
 * mark and header), end what follows the last. */
typedef struct bp_json_writer {
    FILE *out;
    bool one_per_line;
    size_t count;          /* records written */
    bp_json json;          /* one record's text, reused */
    struct json_record_plan *plan;  /* prepared keys and group changes, made once */
} bp_json_writer;

void bp_json_writer_init(bp_json_writer *writer, FILE *out, bool one_per_line);
int bp_json_writer_begin(bp_json_writer *writer);
int bp_json_writer_record(bp_json_writer *writer, const bp_record *record);
int bp_json_writer_end(bp_json_writer *writer);
void bp_json_writer_free(bp_json_writer *writer);

int bp_csv_writer_begin(FILE *out, bool excel);
int bp_csv_writer_record(FILE *out, const bp_record *record, bool excel);

#endif
