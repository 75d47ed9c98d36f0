/* Evaluation of Sigma rules on events. Strings compare without regard to
 * ASCII case unless `cased` (Sigma's default); '*' and '?' are wildcards;
 * a test on a field the event lacks fails (only `null` and `exists: false`
 * hold then). A rule matches a record when it matches one of its events. */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "detect/sigma.h"

static unsigned char fold(unsigned char c, bool case_sensitive)
{
    return !case_sensitive && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Length of the UTF-8 character at text (1 for a stray byte). */
static size_t char_length(const unsigned char *text)
{
    size_t n = *text < 0x80 ? 1 : *text >= 0xF0 ? 4 : *text >= 0xE0 ? 3 : *text >= 0xC0 ? 2 : 1;
    for (size_t i = 1; i < n; i++)
        if ((text[i] & 0xC0) != 0x80)
            return 1;
    return n;
}

/* Bytes of text a dash of a windash pattern consumes there: '-', '/', or
 * U+2013 / U+2014 / U+2015 (E2 80 93..95); 0 when none. */
static size_t dash_length(const unsigned char *text)
{
    if (*text == '-' || *text == '/')
        return 1;
    if (text[0] == 0xE2 && text[1] == 0x80 && text[2] >= 0x93 && text[2] <= 0x95)
        return 3;
    return 0;
}

/* One non-star pattern token against the text at t: bytes consumed, 0 = no. */
static size_t token_matches(const unsigned char *p, size_t *p_length, const unsigned char *t,
                            bool case_sensitive, bool windash)
{
    if (*p == '?') {
        *p_length = 1;
        return *t ? char_length(t) : 0;
    }
    if (*p == '\\' && p[1]) {
        *p_length = 2;
        return *t && fold(p[1], case_sensitive) == fold(*t, case_sensitive) ? 1 : 0;
    }
    *p_length = 1;
    if (windash && *p == '-')
        return dash_length(t);
    return *t && fold(*p, case_sensitive) == fold(*t, case_sensitive) ? 1 : 0;
}

/* Greedy matching with backtracking to the last star only: linear in
 * practice, quadratic at worst, never exponential. */
bool sigma_pattern_matches(const char *pattern, const char *text, bool case_sensitive,
                           bool windash)
{
    const unsigned char *p = (const unsigned char *)pattern, *t = (const unsigned char *)text;
    const unsigned char *star = NULL, *resume = NULL;
    while (*t) {
        size_t p_length = 0, used = 0;
        if (*p == '*') {
            star = ++p;
            resume = t;
            continue;
        }
        if (*p && (used = token_matches(p, &p_length, t, case_sensitive, windash)) > 0) {
            p += p_length;
            t += used;
            continue;
        }
        if (!star)
            return false;
        p = star;
        resume += char_length(resume);
        t = resume;
    }
    while (*p == '*')
        p++;
    return *p == '\0';
}

/* The address in a value: the value itself, or the host of a URL / UNC path. */
static int address_of(const char *text, util_arena *scratch, uint8_t address[16])
{
    const char *candidates[2] = {text, detect_host_of(text, scratch)};
    for (size_t i = 0; i < 2; i++) {
        if (!candidates[i] || !*candidates[i])
            continue;
        if (inet_pton(AF_INET, candidates[i], address) == 1)
            return 4;
        if (inet_pton(AF_INET6, candidates[i], address) == 1)
            return 6;
    }
    return 0;
}

static bool cidr_matches(const sigma_value *value, const char *text, util_arena *scratch)
{
    uint8_t address[16];
    if (address_of(text, scratch, address) != value->family)
        return false;
    unsigned full = value->prefix / 8, rest = value->prefix % 8;
    if (memcmp(address, value->network, full) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xFF << (8 - rest));
    return (address[full] & mask) == (value->network[full] & mask);
}

bool sigma_value_matches(const sigma_value *value, const char *text, util_arena *scratch)
{
    switch (value->kind) {
    case SIGMA_NULL:
        return !text || !*text;
    case SIGMA_EXISTS:
        return (text != NULL) == value->exists;
    case SIGMA_PATTERN:
        return text && sigma_pattern_matches(value->pattern, text, value->case_sensitive,
                                             value->windash);
    case SIGMA_REGEX:
        return text && regexec(value->regex, text, 0, NULL, 0) == 0;
    case SIGMA_CIDR:
        return text && cidr_matches(value, text, scratch);
    }
    return false;
}

/* The field of an event: "EventID", else a data item by name (ASCII case
 * ignored, as the names of one provider never differ only in case). */
static const char *event_field(const sigma_event *event, const char *field, char id_text[16])
{
    if (detect_text_equals(field, "EventID", false)) {
        snprintf(id_text, 16, "%" PRIu32, event->event_id);
        return id_text;
    }
    for (size_t i = 0; i < event->data_count; i++)
        if (event->data[i].name && detect_text_equals(event->data[i].name, field, false))
            return event->data[i].value ? event->data[i].value : "";
    return NULL;
}

static bool test_matches(const sigma_test *test, const sigma_event *event, util_arena *scratch)
{
    char id_text[16];
    const char *text = event_field(event, test->field, id_text);
    for (size_t i = 0; i < test->value_count; i++)
        if (sigma_value_matches(&test->values[i], text, scratch))
            return true;
    return false;
}

static bool selection_matches(const sigma_selection *selection, const sigma_event *event,
                              util_arena *scratch)
{
    for (size_t g = 0; g < selection->group_count; g++) {
        const sigma_group *group = &selection->groups[g];
        bool all = true;
        for (size_t t = 0; all && t < group->test_count; t++)
            all = test_matches(&group->tests[t], event, scratch);
        if (all)
            return true;
    }
    return false;
}

static bool cond_matches(const sigma_rule *rule, const sigma_cond *cond, const sigma_event *event,
                         util_arena *scratch)
{
    switch (cond->kind) {
    case SIGMA_AND:
        return cond_matches(rule, cond->left, event, scratch) &&
               cond_matches(rule, cond->right, event, scratch);
    case SIGMA_OR:
        return cond_matches(rule, cond->left, event, scratch) ||
               cond_matches(rule, cond->right, event, scratch);
    case SIGMA_NOT:
        return !cond_matches(rule, cond->left, event, scratch);
    case SIGMA_ONE_OF:
        for (size_t i = 0; i < cond->selection_count; i++)
            if (selection_matches(&rule->selections[cond->selections[i]], event, scratch))
                return true;
        return false;
    case SIGMA_ALL_OF:
        for (size_t i = 0; i < cond->selection_count; i++)
            if (!selection_matches(&rule->selections[cond->selections[i]], event, scratch))
                return false;
        return true;
    }
    return false;
}

bool sigma_rule_matches_event(const sigma_rule *rule, const sigma_event *event,
                              util_arena *scratch)
{
    return cond_matches(rule, rule->condition, event, scratch);
}

bool sigma_rule_matches_record(const sigma_rule *rule, detect_context *context)
{
    if (!context->sigma) {
        sigma_events *events = util_arena_alloc(context->scratch, sizeof(*events));
        if (!events || !sigma_record_events(context->record, context->scratch, events)) {
            context->out_of_memory = true;
            return false;
        }
        context->sigma = events;
    }
    for (size_t i = 0; i < context->sigma->count; i++)
        if (sigma_rule_matches_event(rule, &context->sigma->events[i], context->scratch))
            return true;
    return false;
}
