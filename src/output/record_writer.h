/* Writing records one at a time as they are finished (docs/design.md
 * "Streaming"), in the same bytes bp_write() gives for the whole result. */
#ifndef BP_OUTPUT_RECORD_WRITER_H
#define BP_OUTPUT_RECORD_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#include "bitsparse/bitsparse.h"

typedef struct out_record_writer out_record_writer;

/* JSON, JSON Lines, CSV and CSV for spreadsheets; NULL for the timeline (its
 * lines are sorted over all records) and when out of memory. Nothing is
 * written before the first record or out_record_writer_end, so a run that ends
 * with nothing to write leaves the stream untouched. */
out_record_writer *out_record_writer_new(FILE *out, bp_format format);
/* 0, or -1 on a write error (errno tells which). */
int out_record_writer_put(out_record_writer *writer, const bp_record *record);
/* What follows the last record, then a flush: 0, or -1 on a write error. */
int out_record_writer_end(out_record_writer *writer);
/* Records written so far. */
size_t out_record_writer_count(const out_record_writer *writer);
void out_record_writer_free(out_record_writer *writer);

#endif
