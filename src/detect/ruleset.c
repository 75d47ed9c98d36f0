/* The public detection API (bitsparse/detect.h): rule sets made of loaded
 * documents, and bp_detect(), which evaluates them on every record of a
 * result and stores the matches in the result's arena. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file_read.h"
#include "util/growable.h"
#include "result/result.h"
#include "detect/detect_internal.h"
#include "detect/detector.h"
#include "detect/sigma.h"

struct bp_ruleset {
    detect_document *documents;  /* owns every rule; newest first */
    const detect_rule **rules;   /* evaluation order; malloc'ed */
    size_t count;
    size_t capacity;
};

static const char *const severity_names[] = {"informational", "low", "medium", "high", "critical"};
#define SEVERITY_COUNT (sizeof(severity_names) / sizeof(severity_names[0]))

const char *bp_severity_name(bp_severity severity)
{
    return (size_t)severity < SEVERITY_COUNT ? severity_names[severity] : NULL;
}

bool bp_severity_parse(const char *name, bp_severity *severity)
{
    for (size_t i = 0; name && i < SEVERITY_COUNT; i++) {
        if (detect_text_equals(name, severity_names[i], false)) {
            *severity = (bp_severity)i;
            return true;
        }
    }
    return false;
}

bp_ruleset *bp_ruleset_new(void) { return calloc(1, sizeof(bp_ruleset)); }

void bp_ruleset_free(bp_ruleset *rules)
{
    if (!rules)
        return;
    for (detect_document *d = rules->documents, *next; d; d = next) {
        next = d->next;
        detect_document_free(d);
    }
    free(rules->rules);
    free(rules);
}

static void set_error(char *error, size_t error_size, const char *label, const char *message)
{
    if (error && error_size)
        snprintf(error, error_size, "%s:1:1: %s", label, message);
}

typedef struct id_slot {
    const char *id;
    size_t index;
} id_slot;

static int compare_slots(const void *a, const void *b)
{
    return strcmp(((const id_slot *)a)->id, ((const id_slot *)b)->id);
}

/* Merge a loaded document: a known id is replaced where it stands, a new one
 * is appended (a document has no duplicate ids). All or nothing: memory is
 * obtained before anything changes. */
static int merge(bp_ruleset *rules, detect_document *document, const char *label, char *error,
                 size_t error_size)
{
    size_t needed = rules->count + document->rule_count;
    id_slot *known = rules->count ? malloc(rules->count * sizeof(*known)) : NULL;
    if ((rules->count && !known) ||
        !util_grow_to((void **)&rules->rules, &rules->capacity, needed, sizeof(*rules->rules))) {
        set_error(error, error_size, label, "out of memory");
        free(known);
        detect_document_free(document);
        return -1;
    }
    for (size_t i = 0; i < rules->count; i++)
        known[i] = (id_slot){rules->rules[i]->info.id, i};
    size_t known_count = rules->count;
    if (known_count)
        qsort(known, known_count, sizeof(*known), compare_slots);
    for (size_t i = 0; i < document->rule_count; i++) {
        const detect_rule *rule = document->rules[i];
        id_slot key = {rule->info.id, 0};
        const id_slot *found = known_count ? bsearch(&key, known, known_count, sizeof(*known),
                                                     compare_slots)
                                           : NULL;
        if (found)
            rules->rules[found->index] = rule;
        else
            rules->rules[rules->count++] = rule;
    }
    free(known);
    document->next = rules->documents;
    rules->documents = document;
    return 0;
}

int bp_ruleset_add_memory(bp_ruleset *rules, const char *text, size_t size, const char *label,
                          char *error, size_t error_size)
{
    if (!label)
        label = "rules";
    if (!rules) {
        set_error(error, error_size, label, "no rule set");
        return -1;
    }
    detect_document *document = detect_load(text, size, label, error, error_size);
    return document ? merge(rules, document, label, error, error_size) : -1;
}

/* A rule file's bytes, or NULL with the error set (both rule languages). */
static uint8_t *read_rule_file(const char *path, size_t *size, char *error, size_t error_size)
{
    const char *why = NULL;
    uint8_t *data = util_input_read(path, size, &why);
    if (!data) {
        char message[256];
        snprintf(message, sizeof message, "cannot read the rule file: %s", why ? why : "error");
        set_error(error, error_size, path, message);
    }
    return data;
}

int bp_ruleset_add_file(bp_ruleset *rules, const char *path, char *error, size_t error_size)
{
    size_t size = 0;
    uint8_t *data = read_rule_file(path, &size, error, error_size);
    if (!data)
        return -1;
    int rc = bp_ruleset_add_memory(rules, (const char *)data, size, path, error, error_size);
    free(data);
    return rc;
}

int bp_ruleset_add_sigma_memory(bp_ruleset *rules, const char *text, size_t size,
                                const char *label, char *error, size_t error_size)
{
    if (!label)
        label = "sigma";
    if (!rules) {
        set_error(error, error_size, label, "no rule set");
        return -1;
    }
    bool skipped = false;
    detect_document *document = sigma_load(text, size, label, error, error_size, &skipped);
    if (!document)
        return skipped ? 1 : -1;
    return merge(rules, document, label, error, error_size);
}

int bp_ruleset_add_sigma_file(bp_ruleset *rules, const char *path, char *error,
                              size_t error_size)
{
    size_t size = 0;
    uint8_t *data = read_rule_file(path, &size, error, error_size);
    if (!data)
        return -1;
    int rc = bp_ruleset_add_sigma_memory(rules, (const char *)data, size, path, error,
                                         error_size);
    free(data);
    return rc;
}

const char *bp_default_rules_text(size_t *size)
{
    if (size)
        *size = detect_default_rules_yaml_size;
    return (const char *)detect_default_rules_yaml;
}

int bp_ruleset_add_default(bp_ruleset *rules, char *error, size_t error_size)
{
    return bp_ruleset_add_memory(rules, (const char *)detect_default_rules_yaml,
                                 detect_default_rules_yaml_size, "default_rules.yaml", error,
                                 error_size);
}

size_t bp_ruleset_count(const bp_ruleset *rules) { return rules ? rules->count : 0; }

const bp_rule_info *bp_ruleset_rule(const bp_ruleset *rules, size_t index)
{
    return rules && index < rules->count ? &rules->rules[index]->info : NULL;
}

/* ---- evaluation --------------------------------------------------------- */

struct detect_detector {
    const bp_ruleset *rules;
    bp_severity min_severity;
    util_arena own_strings;        /* the shared id/title copies when no result keeps them */
    util_arena *strings;           /* where they go */
    bp_detection **shared;       /* per rule: its id/title copied once */
    size_t *matched;             /* scratch: indexes of the rules the current record matched */
    detect_field_cache *cache;
    size_t records;              /* records evaluated: numbers the cache's contents */
    detect_verdicts verdicts;    /* per distinct value, for the whole run */
    util_arena scratch;          /* one record's field values; reset for the next (no malloc per record) */
};

static const bp_detection *shared_detection(detect_detector *run, size_t rule_index)
{
    if (!run->shared[rule_index]) {
        const bp_rule_info *info = &run->rules->rules[rule_index]->info;
        util_arena *arena = run->strings;
        bp_detection *detection = util_arena_alloc(arena, sizeof(*detection));
        if (!detection)
            return NULL;
        detection->id = util_arena_strdup(arena, info->id);
        detection->title = util_arena_strdup(arena, info->title);
        detection->severity = bp_severity_name(info->severity);  /* static */
        detection->author = util_arena_strdup(arena, info->author ? info->author : "");
        if (!detection->id || !detection->title || !detection->author)
            return NULL;
        run->shared[rule_index] = detection;
    }
    return run->shared[rule_index];
}

/* Evaluate one record; its list goes to `lists`. -1 when out of memory (the
 * record is left as it was). */
static long detect_record(detect_detector *run, bp_record *record, util_arena *lists)
{
    util_arena_reset(&run->scratch);  /* what the previous record computed */
    detect_context context = {.record = record, .scratch = &run->scratch, .cache = run->cache,
                              .record_number = ++run->records, .verdicts = &run->verdicts};
    size_t count = 0;
    size_t *indexes = run->matched;
    for (size_t i = 0; i < run->rules->count && !context.out_of_memory; i++) {
        const detect_rule *rule = run->rules->rules[i];
        if (rule->info.severity < run->min_severity)
            continue;
        bool hit = rule->sigma ? sigma_rule_matches_record(rule->sigma, &context)
                               : detect_node_matches(rule->match, &context);
        if (hit && !context.out_of_memory)
            indexes[count++] = i;
    }
    if (context.out_of_memory)
        return -1;
    bp_detection *list = NULL;
    if (count) {
        list = util_arena_array(lists, count, sizeof(*list));
        if (!list)
            return -1;
        for (size_t i = 0; i < count; i++) {
            const bp_detection *shared = shared_detection(run, indexes[i]);
            if (!shared)
                return -1;
            list[i] = *shared;
        }
    }
    record->detections = list;
    record->detection_count = count;
    return (long)count;
}

static detect_detector *detector_new(const bp_ruleset *rules, bp_severity min_severity, util_arena *strings)
{
    detect_detector *run = calloc(1, sizeof(*run));
    if (!run)
        return NULL;
    size_t rule_count = bp_ruleset_count(rules);
    run->rules = rules;
    run->min_severity = min_severity;
    util_arena_init(&run->own_strings);
    run->strings = strings ? strings : &run->own_strings;
    util_arena_init(&run->verdicts.keys);
    util_arena_init(&run->scratch);
    run->shared = calloc(rule_count ? rule_count : 1, sizeof(*run->shared));
    run->matched = calloc(rule_count ? rule_count : 1, sizeof(*run->matched));
    run->cache = calloc(detect_field_count(), sizeof(*run->cache));
    if (!run->shared || !run->matched || !run->cache) {
        detect_detector_free(run);
        return NULL;
    }
    return run;
}

detect_detector *detect_detector_new(const bp_ruleset *rules, bp_severity min_severity)
{
    return detector_new(rules, min_severity, NULL);
}

long detect_detector_run(detect_detector *detector, bp_result *result, bp_record *records, size_t count)
{
    long total = 0;
    for (size_t i = 0; i < count; i++) {
        if (detector->rules->count == 0) {
            records[i].detections = NULL;
            records[i].detection_count = 0;
            continue;
        }
        long found = detect_record(detector, &records[i], result_record_arena(result));
        if (found < 0)
            return -1;
        total += found;
    }
    return total;
}

void detect_detector_free(detect_detector *detector)
{
    if (!detector)
        return;
    free(detector->shared);
    free(detector->matched);
    free(detector->cache);
    detect_verdicts_free(&detector->verdicts);
    util_arena_free(&detector->scratch);
    util_arena_free(&detector->own_strings);
    free(detector);
}

long bp_detect(const bp_ruleset *rules, bp_result *result, bp_severity min_severity)
{
    if (!result)
        return 0;
    size_t rule_count = bp_ruleset_count(rules);
    if (rule_count == 0) {
        for (size_t i = 0; i < result->count; i++) {
            result->records[i].detections = NULL;
            result->records[i].detection_count = 0;
        }
        return 0;
    }
    /* the shared copies live in the result: it may outlive the rule set */
    detect_detector *run = detector_new(rules, min_severity, &result->arena);
    long total = run ? detect_detector_run(run, result, result->records, result->count) : -1;
    detect_detector_free(run);
    return total;
}
