/* The output schema: one ordered table of fields and how each one is computed
 * from a bp_record. Every writer walks this table, so JSON, JSONL and CSV can
 * never disagree about names, order or values (docs/output-schema.md). */
#ifndef BP_FIELDS_RECORD_FIELDS_H
#define BP_FIELDS_RECORD_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bitsparse/bitsparse.h"
#include "util/arena.h"

typedef enum fields_field_kind {
    FIELDS_FIELD_TEXT,       /* UTF-8 string, never NULL */
    FIELDS_FIELD_UNSIGNED,   /* unsigned 64-bit number */
    FIELDS_FIELD_SIGNED,     /* signed 64-bit number (-1 = unknown) */
    FIELDS_FIELD_BOOL,
    FIELDS_FIELD_TEXT_LIST,  /* array of strings */
    FIELDS_FIELD_ACES,       /* array of ACE objects */
    FIELDS_FIELD_DETECTIONS, /* array of detection objects {id, title, severity} */
    FIELDS_FIELD_EVENTS,     /* array of event objects {event_id, time, what, record_id, log} */
} fields_field_kind;

/* One computed value; only the member that matches the kind is meaningful. */
typedef struct fields_field_value {
    fields_field_kind kind;
    const char *text;
    uint64_t unsigned_number;
    int64_t signed_number;
    bool boolean;
    const char **texts;
    size_t text_count;
    const bp_ace *aces;
    size_t ace_count;
    const bp_detection *detections;
    size_t detection_count;
    const bp_event *events;
    size_t event_count;
} fields_field_value;

typedef struct fields_field {
    /* NULL for a top-level key; otherwise the nested object the key lives in
     * (JSON nests consecutive fields of a group, CSV names them group_name). */
    const char *group;
    const char *name;
    fields_field_kind kind;
    /* Fills *value; scratch holds anything computed. false = out of memory. */
    bool (*compute)(const bp_record *record, util_arena *scratch, fields_field_value *value);
    /* strlen of group (0 without one) and name, so writers need not count */
    size_t group_length;
    size_t name_length;
} fields_field;

/* Whether the job's type and priority, and its state, were read: a value left
 * at 0 because its bytes were missing prints as "" (never as the name of 0). */
bool fields_record_job_type_known(const bp_record *record);
bool fields_record_job_state_known(const bp_record *record);

size_t fields_record_field_count(void);
const fields_field *fields_record_field(size_t index);

/* Compute one field of a record. false only when out of memory. Inline:
 * the writers call it for every field of every record. */
static inline bool fields_record_field_value(const fields_field *field, const bp_record *record,
                                             util_arena *scratch, fields_field_value *value)
{
    /* member by member: the compound literal was cleared with `rep stos`,
     * whose start-up cost made it the writers' hottest instruction */
    value->kind = field->kind;
    value->text = "";
    value->unsigned_number = 0;
    value->signed_number = 0;
    value->boolean = false;
    value->texts = NULL;
    value->text_count = 0;
    value->aces = NULL;
    value->ace_count = 0;
    value->detections = NULL;
    value->detection_count = 0;
    value->events = NULL;
    value->event_count = 0;
    return field->compute(record, scratch, value);
}

#endif
