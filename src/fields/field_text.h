/* Lists of a record as one line of text each (field_text.c). */
#ifndef BP_FIELDS_FIELD_TEXT_H
#define BP_FIELDS_FIELD_TEXT_H

#include <stddef.h>

#include "bitsparse/bitsparse.h"
#include "util/arena.h"

/* parts[0..count) joined with sep in the scratch arena (NULL parts as ""); NULL when out of memory. */
const char *fields_join_text(util_arena *scratch, const char *const *parts, size_t count, const char *sep);
/* The CSV cell of an ACE list (docs/output-schema.md); NULL when out of memory. */
const char *fields_csv_aces_text(util_arena *scratch, const bp_ace *aces, size_t count);
/* A detection as CSV and timeline show it: its rule id, followed by
 * " (author: AUTHOR)" for a rule that names an author (Sigma rules: their
 * licence asks that the author be shown with every match). */
const char *fields_detection_label(util_arena *scratch, const bp_detection *detection);
/* The CSV cell of an event list: "TIME event ID: what" joined by "|"; NULL when out of memory. */
const char *fields_csv_events_text(util_arena *scratch, const bp_event *events, size_t count);

/* Detections as their labels joined by "|"; NULL when out of memory. */
const char *fields_detection_labels(util_arena *scratch, const bp_detection *detections, size_t count);

#endif
