/* The writers behind bp_write() (json_writer.c, csv_writer.c, timeline_writer.c). */
#ifndef BP_OUTPUT_WRITERS_H
#define BP_OUTPUT_WRITERS_H

#include <stdbool.h>
#include <stdio.h>

#include "bitsparse/bitsparse.h"
#include "output/ace_memo.h"
#include "output/json_emit.h"
#include "util/arena.h"

/* The writers behind bp_write(); each returns 0 or -1 (write error or out of memory). */
int out_write_json(FILE *out, const bp_result *result, bool one_per_line);
int out_write_csv(FILE *out, const bp_result *result);
/* CSV for spreadsheets: byte order mark, formula-like cells defused (csv_writer.c). */
int out_write_csv_excel(FILE *out, const bp_result *result);
int out_write_timeline(FILE *out, const bp_result *result);

/* The same writers a record at a time (out_record_writer, write.c): begin
 * writes what comes before the first record (JSON "[", the CSV byte order
 * mark and header), end what follows the last. */
typedef struct out_json_writer {
    FILE *out;
    bool one_per_line;
    size_t count;          /* records written */
    out_json json;          /* the text of records not yet written out, reused */
    util_arena scratch;     /* a record's computed values, emptied after each */
    struct json_record_plan *plan;  /* prepared keys and group changes, made once */
} out_json_writer;

void out_json_writer_init(out_json_writer *writer, FILE *out, bool one_per_line);
int out_json_writer_begin(out_json_writer *writer);
int out_json_writer_record(out_json_writer *writer, const bp_record *record);
int out_json_writer_end(out_json_writer *writer);
void out_json_writer_free(out_json_writer *writer);

/* One row's text, built in memory; rows are gathered and written together. */
typedef struct out_csv_row {
    char *text;
    size_t length;
    size_t capacity;
    bool failed;     /* out of memory */
} out_csv_row;

typedef struct out_csv_writer {
    FILE *out;
    bool excel;              /* BP_FORMAT_CSV_EXCEL */
    out_csv_row row;             /* rows not yet written out, reused */
    util_arena scratch;      /* a row's computed values, emptied after each */
    out_ace_memo aces_written;  /* ACE lists and their cells */
} out_csv_writer;

void out_csv_writer_init(out_csv_writer *writer, FILE *out, bool excel);
int out_csv_writer_begin(out_csv_writer *writer);
int out_csv_writer_record(out_csv_writer *writer, const bp_record *record);
/* Writes out the rows still held. */
int out_csv_writer_end(out_csv_writer *writer);
void out_csv_writer_free(out_csv_writer *writer);

#endif
