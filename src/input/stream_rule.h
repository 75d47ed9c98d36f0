/* When the command line may write records as they are finished instead of
 * keeping them all to the end (docs/design.md "Streaming"). */
#ifndef BP_INPUT_STREAM_RULE_H
#define BP_INPUT_STREAM_RULE_H

#include <stdbool.h>

/* True when every path is a regular file whose first bytes are an ESE
 * database (a qmgr.db): nothing read later in such a run (no event log, no
 * legacy state file of a pair, no folder, ZIP or image that may hold them)
 * can change a record once its job is done. Carving and the sorted timeline
 * are the caller's part of the rule. */
bool input_inputs_allow_streaming(char *const *paths, int count);

#endif
