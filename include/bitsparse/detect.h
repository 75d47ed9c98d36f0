/*
 * bitsparse detections: YAML rules (MITRE ATT&CK T1197) evaluated on every
 * record of a bp_result. The rule file format is described in
 * docs/detections.md; a default rule set is compiled into the library.
 *
 * A rule set is independent of any result: load it once, evaluate it on as
 * many results as needed. Each record gets the list of rules that matched it
 * (bp_record.detections), copied into the result's arena, so the rule set may
 * be freed before the result.
 */
#ifndef BITSPARSE_DETECT_H
#define BITSPARSE_DETECT_H

#include <stdbool.h>
#include <stddef.h>

#include "bitsparse/bitsparse.h"

#ifdef __cplusplus
extern "C" {
#endif

/* libbitsparse is compiled with hidden visibility: the declarations of the
 * public headers, and only they, are exported (cmake/libbitsparse.map). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

typedef enum bp_severity {
    BP_SEVERITY_INFORMATIONAL = 0,
    BP_SEVERITY_LOW,
    BP_SEVERITY_MEDIUM,
    BP_SEVERITY_HIGH,
    BP_SEVERITY_CRITICAL,
} bp_severity;

/* "informational", "low", "medium", "high", "critical"; NULL for other values. */
const char *bp_severity_name(bp_severity severity);
/* The reverse, ASCII case ignored. false when the name is not one of the five. */
bool bp_severity_parse(const char *name, bp_severity *severity);

/* A loaded rule as callers see it. Strings are never NULL. */
typedef struct bp_rule_info {
    const char *id;
    const char *title;
    bp_severity severity;
    const char *description;     /* "" when not given */
    const char *const *mitre;    /* technique ids, e.g. "T1197" */
    size_t mitre_count;
    const char *const *references;
    size_t reference_count;
    const char *origin;          /* "FILE:LINE" of the rule's id */
    const char *author;          /* Sigma rules: the rule's author ("" when not given);
                                    "" for bitsparse's own rules */
} bp_rule_info;

typedef struct bp_ruleset bp_ruleset;

/* An empty rule set; NULL when out of memory. */
bp_ruleset *bp_ruleset_new(void);
void bp_ruleset_free(bp_ruleset *rules);

/* Add the rules of one YAML document. A rule whose id is already in the set
 * replaces the earlier one in place; the same id twice in one document is an
 * error. On error nothing is added, -1 is returned and `error` (error_size
 * bytes, may be 0) holds "LABEL:LINE:COLUMN: message". Returns 0 on success. */
int bp_ruleset_add_memory(bp_ruleset *rules, const char *text, size_t size, const char *label,
                          char *error, size_t error_size);
/* The same for a file (read whole, at most 16 MiB); the path is the label. */
int bp_ruleset_add_file(bp_ruleset *rules, const char *path, char *error, size_t error_size);
/* The rules compiled into the library (src/detect/default_rules.yaml). */
int bp_ruleset_add_default(bp_ruleset *rules, char *error, size_t error_size);

/* Add one Sigma rule (docs/detections.md, "Sigma rules"): a YAML document in
 * SigmaHQ's format whose logsource is service bits-client. Returns 0 when the
 * rule was added (an id already in the set is replaced in place), 1 when it
 * was skipped because its logsource is not bits-client (`error` then says so,
 * "LABEL: ..."), and -1 on error: a rule using something outside the
 * supported subset or not well formed, with "LABEL:LINE:COLUMN: message" in
 * `error`; nothing is added then. */
int bp_ruleset_add_sigma_memory(bp_ruleset *rules, const char *text, size_t size,
                                const char *label, char *error, size_t error_size);
/* The same for a file (read whole, at most 16 MiB); the path is the label. */
int bp_ruleset_add_sigma_file(bp_ruleset *rules, const char *path, char *error,
                              size_t error_size);

/* The text of the built-in rule file (NUL-terminated; *size without the NUL). */
const char *bp_default_rules_text(size_t *size);

size_t bp_ruleset_count(const bp_ruleset *rules);
/* Rules in evaluation order; NULL past the end. */
const bp_rule_info *bp_ruleset_rule(const bp_ruleset *rules, size_t index);

/* Evaluate every rule of at least min_severity on every record of result and
 * set each record's detections (in rule order; NULL and 0 when none), replacing
 * what an earlier call set. Returns the number of detections, or -1 when out of
 * memory (records evaluated so far keep their new lists, the others their old
 * ones). A NULL rule set clears every list. */
long bp_detect(const bp_ruleset *rules, bp_result *result, bp_severity min_severity);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
