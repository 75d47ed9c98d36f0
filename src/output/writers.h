/* The writers behind bp_write() (json_writer.c, csv_writer.c, timeline_writer.c). */
#ifndef BP_OUTPUT_WRITERS_H
#define BP_OUTPUT_WRITERS_H

#include <stdbool.h>
#include <stdio.h>

#include "bitsparse/bitsparse.h"

/* The writers behind bp_write(); each returns 0 or -1 (write error or out of memory). */
int bp_write_json(FILE *out, const bp_result *result, bool one_per_line);
int bp_write_csv(FILE *out, const bp_result *result);
/* CSV for spreadsheets: byte order mark, formula-like cells defused (csv_writer.c). */
int bp_write_csv_excel(FILE *out, const bp_result *result);
int bp_write_timeline(FILE *out, const bp_result *result);

#endif
