/* The result of a parse: an arena that owns everything, the records in
 * output order, and input-level warnings. */
#ifndef BP_CORE_RESULT_H
#define BP_CORE_RESULT_H

#include "bitsparse/bitsparse.h"
#include "util/arena.h"

struct bp_result {
    bp_arena arena;
    bp_record *records;   /* malloc'ed, grows */
    size_t count;
    size_t capacity;
    bp_note_list warnings;
    int status;           /* worst bp_status seen so far */
    struct legacy_state_list *legacy_states;  /* legacy state files read (bits/legacy_generation.h) */
    bp_database_info *databases;  /* malloc'ed, grows: ESE databases read, in order */
    size_t database_count;
    size_t database_capacity;
};

bp_result *bp_result_new(void);
/* Append a zeroed record and return it (NULL when out of memory). */
bp_record *bp_result_add(bp_result *result);
/* Remember an ESE database and its header state (bp_result_database). path
 * must live in the result's arena. false when out of memory. */
bool bp_result_add_database(bp_result *result, const char *path, uint32_t state);
/* Raise the result's status to at least `status`. */
void bp_result_note_status(bp_result *result, int status);

#endif
