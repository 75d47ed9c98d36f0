/* Sigma rules (SigmaHQ's format, the subset described in docs/detections.md):
 *   sigma_loader.c     YAML rule -> sigma_rule, errors as LABEL:LINE:COLUMN
 *   sigma_values.c     one value with its modifiers -> sigma_value(s)
 *   sigma_regex.c      Sigma's PCRE-style `re` -> POSIX ERE (or a refusal)
 *   sigma_condition.c  the `condition` expression -> sigma_cond tree
 *   sigma_match.c      evaluation: wildcards, case, windash, cidr, selections
 *   sigma_fields.c     a record -> the Bits-Client events it stands for
 * A loaded Sigma rule is a detect_rule whose `sigma` is set; its memory lives
 * in the detect_document's arena like that of bitsparse's own rules. */
#ifndef BP_DETECT_SIGMA_H
#define BP_DETECT_SIGMA_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "detect/detect_internal.h"
#include "util/arena.h"

typedef enum sigma_value_kind {
    SIGMA_PATTERN,  /* wildcard pattern (equals/contains/startswith/endswith) */
    SIGMA_REGEX,
    SIGMA_CIDR,
    SIGMA_NULL,     /* the field is absent or empty */
    SIGMA_EXISTS,   /* the field is there (or not: `exists` false) */
} sigma_value_kind;

typedef struct sigma_value {
    sigma_value_kind kind;
    /* PATTERN: '*' any run, '?' one character, "\c" the character c itself */
    const char *pattern;
    bool case_sensitive;  /* `cased` (patterns) or a regex without `i` */
    bool windash;         /* '-' also matches '/', U+2013, U+2014, U+2015 */
    const regex_t *regex;
    int family;           /* CIDR: 4 or 6 */
    uint8_t network[16];
    unsigned prefix;
    bool exists;          /* EXISTS: the wanted answer */
} sigma_value;

/* "field|modifiers: value(s)": any value matches (`all` gives one test per
 * value, AND-ed by its map, so that base64offset's variants stay OR-ed). */
typedef struct sigma_test {
    const char *field;
    const sigma_value *values;
    size_t value_count;
} sigma_test;

/* A map: its tests AND-ed. */
typedef struct sigma_group {
    const sigma_test *tests;
    size_t test_count;
} sigma_group;

/* A named selection: a map, or a list of maps OR-ed. */
typedef struct sigma_selection {
    const char *name;
    const sigma_group *groups;
    size_t group_count;
} sigma_selection;

typedef enum sigma_cond_kind {
    SIGMA_AND,
    SIGMA_OR,
    SIGMA_NOT,        /* left only */
    SIGMA_ONE_OF,     /* selections: a name (one), `1 of PATTERN`, `1 of them` */
    SIGMA_ALL_OF,     /* `all of PATTERN`, `all of them` */
} sigma_cond_kind;

typedef struct sigma_cond {
    sigma_cond_kind kind;
    const struct sigma_cond *left, *right;
    const size_t *selections;  /* indexes into the rule's selections */
    size_t selection_count;
} sigma_cond;

typedef struct sigma_rule {
    const sigma_selection *selections;
    size_t selection_count;
    const sigma_cond *condition;
} sigma_rule;

/* One event as a Sigma rule sees it: EventID plus named data items. */
typedef struct sigma_event {
    uint32_t event_id;
    const bp_event_data *data;
    size_t data_count;
} sigma_event;

typedef struct sigma_events {
    const sigma_event *events;
    size_t count;
} sigma_events;

/* ---- sigma_condition.c ---- */
/* Parse a condition over the rule's selections. NULL on error with *why (a
 * static text or one in arena) and *offset (byte in text where it was found). */
const sigma_cond *sigma_condition_parse(const char *text, const sigma_selection *selections,
                                        size_t selection_count, util_arena *arena,
                                        const char **why, size_t *offset);

/* ---- sigma_regex.c ---- */
/* Translate a Sigma `re` value to POSIX ERE in arena. NULL with *why (static)
 * and *offset when it uses something ERE cannot express the same way. */
const char *sigma_regex_to_ere(const char *pcre, util_arena *arena, bool *case_insensitive,
                               const char **why, size_t *offset);

/* ---- sigma_values.c ---- */
/* The text of a value with Sigma's escapes applied literally ("\*" -> "*"),
 * for base64 encodings; NULL when the value holds an unescaped wildcard. */
const char *sigma_unescape(const char *value, util_arena *arena);
/* Standard base64 of bytes, and the three shifted forms of base64offset. */
const char *sigma_base64(const char *text, util_arena *arena);
bool sigma_base64_offsets(const char *text, util_arena *arena, const char *out[3]);
/* A literal text as a pattern (wildcards escaped). */
const char *sigma_literal_pattern(const char *text, util_arena *arena);
/* "10.0.0.0/8", "fe80::/10" (prefix optional: a single address). */
bool sigma_parse_cidr(const char *text, sigma_value *value);

/* ---- sigma_match.c ---- */
bool sigma_pattern_matches(const char *pattern, const char *text, bool case_sensitive,
                           bool windash);
/* text NULL = the event has no such field. */
bool sigma_value_matches(const sigma_value *value, const char *text, util_arena *scratch);
bool sigma_rule_matches_event(const sigma_rule *rule, const sigma_event *event,
                              util_arena *scratch);
/* The rule against every event of the record (built once per record in
 * context->sigma). Sets context->out_of_memory on failure. */
bool sigma_rule_matches_record(const sigma_rule *rule, detect_context *context);

/* ---- sigma_fields.c ---- */
/* The record as Sigma events: the log events attached to it that carry data,
 * and for a queue record (not read from a log) the EID 3 and EID 16403 events
 * BITS logs for its job and file. false when out of memory. */
bool sigma_record_events(const bp_record *record, util_arena *scratch, sigma_events *out);

/* ---- sigma_loader.c ---- */
/* One Sigma rule document. NULL with *skipped when its logsource is not
 * bits-client (a note in error), NULL with an error "LABEL:LINE:COLUMN: why". */
detect_document *sigma_load(const char *text, size_t size, const char *label, char *error,
                            size_t error_size, bool *skipped);

#endif
