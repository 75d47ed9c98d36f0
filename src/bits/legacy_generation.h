/* Which of two legacy state files (qmgr0.dat, qmgr1.dat) is the newer
 * generation of the queue (bits-format §6.5; docs/format-legacy.md §5).
 *
 * Every state file read into a result is registered with the range of records
 * it produced. Two files are a pair when they are the only two state files of
 * the result, or when their paths differ only in the digit of "qmgr0"/"qmgr1".
 * The records of a pair get source.generation "current" or "previous" ("unknown"
 * when no rule decides); records of an unpaired state file keep "". */
#ifndef BP_BITS_LEGACY_GENERATION_H
#define BP_BITS_LEGACY_GENERATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "result/result.h"

typedef struct legacy_state_entry {
    const char *label;
    size_t first_record, end_record;  /* [first, end) in result->records */
    bool has_mtime;
    int64_t mtime_sec;
    long mtime_nsec;
    const char *decided_by;           /* the rule that labelled this pair, "" when none */
    struct legacy_state_entry *next;
} legacy_state_entry;

typedef struct legacy_state_list {
    legacy_state_entry *head, *tail;
    size_t count;
} legacy_state_list;

/* Has any legacy state file been registered in this result? */
bool legacy_generation_has_files(const bp_result *result);
/* The state files registered, in order (NULL when none): for the tests. */
const legacy_state_list *legacy_generation_files(const bp_result *result);
/* Remember a state file and its records, then relabel every pair. */
void legacy_generation_register(bp_result *result, const char *label, size_t first_record,
                                size_t end_record);
/* The file's modification time (used by the second rule), then relabel. */
void legacy_generation_set_mtime(bp_result *result, const char *label, int64_t sec, long nsec);
/* Recompute the generation of every registered file's records. */
void legacy_generation_assign(bp_result *result);

#endif
