/* The run summary of the command line (--summary, or standard error being a
 * terminal): one line per input and a total, counted from the finished
 * result, after detection. */
#ifndef BP_CLI_SUMMARY_H
#define BP_CLI_SUMMARY_H

#include <stdbool.h>
#include <stdio.h>

#include "bitsparse/bitsparse.h"
#include "bitsparse/detect.h"

/* Per input, in input order. A record belongs to the first input that is its
 * source path or a folder holding it; input-level warnings are counted while
 * parsing (input_warnings[i]), so the caller passes them in. */
int cli_write_summary(FILE *out, const bp_result *result, char *const *inputs, int input_count,
                      const size_t *input_warnings);

/* True when some record has a detection of at least `level`. */
bool cli_any_detection_at_least(const bp_result *result, bp_severity level);

#endif
