/* The run summary of the command line (--summary, or standard error being a
 * terminal): one line per input and a total, counted from the records after
 * detection, and --fail-on. */
#ifndef BP_CLI_SUMMARY_H
#define BP_CLI_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "bitsparse/bitsparse.h"
#include "bitsparse/detect.h"

/* Counts of the records of a run, per input in input order, gathered batch
 * by batch as records are written (all at once when they were kept). A record
 * belongs to the input that is its source path or the most specific folder,
 * ZIP or image holding it. */
typedef struct cli_summary cli_summary;

cli_summary *cli_summary_new(char *const *inputs, int input_count);
/* Count records after detection. A job's records must all be in one call. */
void cli_summary_add(cli_summary *summary, const bp_record *records, size_t count);
size_t cli_summary_records(const cli_summary *summary);
/* Some record, its job or its file has a warning. */
bool cli_summary_any_record_warning(const cli_summary *summary);
/* True when some record has a detection of at least `level`. */
bool cli_summary_detection_at_least(const cli_summary *summary, bp_severity level);
/* One line per input and a total; input-level warnings are counted while
 * parsing (input_warnings[i]), so the caller passes them in; the ESE
 * databases come from the result. */
int cli_summary_write(FILE *out, const cli_summary *summary, const bp_result *result,
                      const size_t *input_warnings);
void cli_summary_free(cli_summary *summary);

#endif
