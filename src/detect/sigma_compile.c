/* A Sigma rule's detection section compiled: field names with their
 * modifiers, values as matchers (regexes, wildcards), selections and the
 * condition (docs/detections.md). */
#include "detect/sigma_loader_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "detect/sigma.h"
#include "util/growable.h"

/* ---- values and modifiers -------------------------------------------------- */

typedef enum match_kind { M_EQUALS, M_CONTAINS, M_STARTS, M_ENDS, M_RE, M_CIDR, M_EXISTS } match_kind;

typedef struct modifiers {
    match_kind match;
    bool all, cased, windash, base64, base64offset, re_i;
} modifiers;

static bool parse_modifiers(loader *l, const yaml_node_t *key, const char *spec,
                            const char *list, modifiers *m)
{
    memset(m, 0, sizeof(*m));
    static const struct {
        const char *name;
        match_kind match;
    } kinds[] = {{"contains", M_CONTAINS}, {"startswith", M_STARTS}, {"endswith", M_ENDS},
                 {"re", M_RE},             {"cidr", M_CIDR},         {"exists", M_EXISTS}};
    bool transformed = false;
    for (const char *p = list; *p;) {
        const char *bar = strchr(p, '|');
        size_t length = bar ? (size_t)(bar - p) : strlen(p);
        char name[32] = "";
        if (length < sizeof name) {
            memcpy(name, p, length);
            name[length] = '\0';
        }
        p += length + (bar ? 1 : 0);
        bool known = false;
        for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
            if (strcmp(name, kinds[i].name) != 0)
                continue;
            if (m->match != M_EQUALS) {
                detect_yaml_fail_at(l, key->start_mark, "field '%s': modifier '%s' after another match "
                                    "modifier (only one of contains, startswith, endswith, re, cidr, exists)",
                                    spec, name);
                return false;
            }
            m->match = kinds[i].match;
            known = true;
        }
        if (known)
            continue;
        if (strcmp(name, "all") == 0)
            m->all = true;
        else if (strcmp(name, "cased") == 0)
            m->cased = true;
        else if (strcmp(name, "windash") == 0)
            m->windash = transformed = true;
        else if (strcmp(name, "base64") == 0)
            m->base64 = transformed = true;
        else if (strcmp(name, "base64offset") == 0)
            m->base64offset = transformed = true;
        else if (strcmp(name, "i") == 0 && m->match == M_RE)
            m->re_i = true;
        else {
            detect_yaml_fail_at(l, key->start_mark, "field '%s': modifier '%s' is not supported (supported: "
                                "contains, startswith, endswith, all, re, re|i, cidr, windash, base64, "
                                "base64offset, cased, exists)", spec, name);
            return false;
        }
    }
    const char *why = NULL;
    if (m->base64 && m->base64offset)
        why = "base64 and base64offset together";
    else if (m->base64offset && m->match != M_CONTAINS)
        why = "base64offset needs contains (the encoded value sits inside a longer text)";
    else if ((m->base64 || m->base64offset) && m->windash)
        why = "windash with base64";
    else if (transformed && (m->match == M_RE || m->match == M_CIDR || m->match == M_EXISTS))
        why = "windash, base64 and base64offset apply to strings, not to re, cidr or exists";
    else if (m->cased && (m->match == M_RE || m->match == M_CIDR || m->match == M_EXISTS))
        why = "cased applies to strings (write re|i for a case-insensitive regex)";
    if (why) {
        detect_yaml_fail_at(l, key->start_mark, "field '%s': %s", spec, why);
        return false;
    }
    return true;
}

/* Sigma's text (escapes \* \? \\, a lone \ is itself) -> our pattern form. */
static const char *sigma_pattern(const char *text, util_arena *arena)
{
    char *out = util_arena_alloc(arena, 2 * strlen(text) + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const char *p = text; *p; p++) {
        if (*p == '\\') {
            *o++ = '\\';
            *o++ = (p[1] == '*' || p[1] == '?' || p[1] == '\\') ? *++p : '\\';
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static const char *wrap(const char *pattern, match_kind match, util_arena *arena)
{
    return util_arena_printf(arena, "%s%s%s", match == M_CONTAINS || match == M_ENDS ? "*" : "",
                           pattern, match == M_CONTAINS || match == M_STARTS ? "*" : "");
}

/* Column of byte `offset` of a scalar's text (exact for one-line scalars). */
static yaml_mark_t mark_in_scalar(const yaml_node_t *node, size_t offset)
{
    yaml_mark_t mark = node->start_mark;
    bool quoted = node->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                  node->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    if (node->start_mark.line == node->end_mark.line)
        mark.column += offset + (quoted ? 1 : 0);
    return mark;
}

static bool add_regex(loader *l, const yaml_node_t *node, const char *text, bool icase,
                      sigma_value *value)
{
    detect_document *document = l->document;
    bool inline_i = false;
    const char *why = NULL;
    size_t offset = 0;
    const char *ere = sigma_regex_to_ere(text, &document->arena, &inline_i, &why, &offset);
    if (!ere) {
        detect_yaml_fail_at(l, mark_in_scalar(node, offset), "regex '%s': %s", text, why);
        return false;
    }
    regex_t *regex = util_arena_alloc(&document->arena, sizeof(*regex));
    if (!regex || !util_grow((void **)&document->regexes, &document->regex_capacity,
                           document->regex_count, sizeof(regex_t *))) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    int rc = regcomp(regex, ere, REG_EXTENDED | REG_NOSUB | (icase || inline_i ? REG_ICASE : 0));
    if (rc != 0) {
        char message[128];
        regerror(rc, regex, message, sizeof message);
        detect_yaml_fail_at(l, node->start_mark, "bad regex '%s': %s", text, message);
        return false;
    }
    document->regexes[document->regex_count++] = regex;
    value->regex = regex;
    value->case_sensitive = !(icase || inline_i);
    return true;
}

/* The sigma_values one YAML value gives (base64offset: three). */
static bool compile_value(loader *l, const yaml_node_t *node, const char *field,
                          const modifiers *m, sigma_value *out, size_t *count)
{
    util_arena *arena = &l->document->arena;
    const char *text = sigma_load_scalar_text(node);
    *count = 0;
    if (!text) {
        detect_yaml_fail_at(l, node->start_mark, "field '%s': a value must be a single value, not %s", field,
                            sigma_load_kind_name(node));
        return false;
    }
    sigma_value base;
    memset(&base, 0, sizeof base);
    base.case_sensitive = m->cased;
    base.windash = m->windash;
    if (m->match == M_EXISTS) {
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
            detect_yaml_fail_at(l, node->start_mark, "field '%s': exists takes true or false", field);
            return false;
        }
        base.kind = SIGMA_EXISTS;
        base.exists = strcmp(text, "true") == 0;
        out[(*count)++] = base;
        return true;
    }
    if (sigma_load_is_null(node)) {
        if (m->match != M_EQUALS || m->base64 || m->base64offset || m->windash) {
            detect_yaml_fail_at(l, node->start_mark, "field '%s': null cannot take modifiers", field);
            return false;
        }
        base.kind = SIGMA_NULL;
        out[(*count)++] = base;
        return true;
    }
    if (m->match == M_RE) {
        base.kind = SIGMA_REGEX;
        if (!add_regex(l, node, text, m->re_i, &base))
            return false;
        out[(*count)++] = base;
        return true;
    }
    if (m->match == M_CIDR) {
        base.kind = SIGMA_CIDR;
        if (!sigma_parse_cidr(text, &base)) {
            detect_yaml_fail_at(l, node->start_mark, "field '%s': '%s' is not an IPv4 or IPv6 network "
                                "(ADDRESS/PREFIX)", field, text);
            return false;
        }
        out[(*count)++] = base;
        return true;
    }
    base.kind = SIGMA_PATTERN;
    const char *encoded[3] = {NULL, NULL, NULL};
    size_t variants = 1;
    if (m->base64 || m->base64offset) {
        const char *literal = sigma_unescape(text, arena);
        if (!literal) {
            detect_yaml_fail_at(l, node->start_mark, "field '%s': wildcards cannot be base64-encoded", field);
            return false;
        }
        if (m->base64)
            encoded[0] = sigma_base64(literal, arena);
        else if (!sigma_base64_offsets(literal, arena, encoded))
            encoded[0] = NULL;
        variants = m->base64 ? 1 : 3;
        for (size_t i = 0; i < variants; i++)
            if (!encoded[i] || !(encoded[i] = sigma_literal_pattern(encoded[i], arena)))
                variants = 0;
    } else {
        encoded[0] = sigma_pattern(text, arena);
        if (!encoded[0])
            variants = 0;
    }
    if (variants == 0) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    for (size_t i = 0; i < variants; i++) {
        base.pattern = wrap(encoded[i], m->match, arena);
        if (!base.pattern) {
            detect_yaml_fail_out_of_memory(l);
            return false;
        }
        out[(*count)++] = base;
    }
    return true;
}

/* "field|modifiers: value or list" -> one test, or one per value with `all`. */
static bool compile_tests(loader *l, const yaml_node_t *key, const yaml_node_t *value,
                          sigma_test **tests, size_t *test_count, size_t *capacity)
{
    util_arena *arena = &l->document->arena;
    const char *spec = sigma_load_scalar(l, key, "a field name");
    if (!spec)
        return false;
    const char *bar = strchr(spec, '|');
    size_t field_length = bar ? (size_t)(bar - spec) : strlen(spec);
    if (field_length == 0) {
        detect_yaml_fail_at(l, key->start_mark, "'%s': keyword searches (modifiers without a field name) "
                            "are not supported", spec);
        return false;
    }
    modifiers m;
    if (!parse_modifiers(l, key, spec, bar ? bar + 1 : "", &m))
        return false;
    const char *field = util_arena_strndup(arena, spec, field_length);
    yaml_node_t *single[1] = {(yaml_node_t *)value};
    yaml_node_t **items = single;
    size_t item_count = 1;
    if (value->type == YAML_SEQUENCE_NODE) {
        item_count = (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
        if (item_count == 0) {
            detect_yaml_fail_at(l, value->start_mark, "field '%s': an empty list of values", spec);
            return false;
        }
        items = util_arena_array(arena, item_count, sizeof(*items));
        for (size_t i = 0; items && i < item_count; i++)
            items[i] = detect_yaml_node_at(l, value->data.sequence.items.start[i]);
    } else if (value->type == YAML_MAPPING_NODE) {
        detect_yaml_fail_at(l, value->start_mark, "field '%s': a value must be a single value or a list, "
                            "not a map", spec);
        return false;
    }
    if (m.all && item_count < 2 && value->type != YAML_SEQUENCE_NODE) {
        detect_yaml_fail_at(l, key->start_mark, "field '%s': 'all' needs a list of values", spec);
        return false;
    }
    sigma_value *values = util_arena_array(arena, 3 * item_count, sizeof(*values));
    if (!field || !items || !values) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    size_t value_count = 0;
    for (size_t i = 0; i < item_count; i++) {
        size_t produced = 0;
        if (!compile_value(l, items[i], spec, &m, values + value_count, &produced))
            return false;
        /* `all`: one test per value (its base64offset variants OR-ed), AND-ed by the map */
        if (m.all) {
            if (!util_grow((void **)tests, capacity, *test_count, sizeof(**tests))) {
                detect_yaml_fail_out_of_memory(l);
                return false;
            }
            (*tests)[(*test_count)++] = (sigma_test){field, values + value_count, produced};
        }
        value_count += produced;
    }
    if (!m.all) {
        if (!util_grow((void **)tests, capacity, *test_count, sizeof(**tests))) {
            detect_yaml_fail_out_of_memory(l);
            return false;
        }
        (*tests)[(*test_count)++] = (sigma_test){field, values, value_count};
    }
    return true;
}

/* A map of tests -> one group (its tests copied into the arena). */
static bool compile_group(loader *l, const yaml_node_t *map, sigma_group *group)
{
    sigma_test *tests = NULL;
    size_t count = 0, capacity = 0;
    bool ok = true;
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         ok && pair < map->data.mapping.pairs.top; pair++)
        ok = compile_tests(l, detect_yaml_node_at(l, pair->key), detect_yaml_node_at(l, pair->value), &tests, &count,
                                                 &capacity);
    if (ok && count == 0) {
        detect_yaml_fail_at(l, map->start_mark, "an empty map of field tests");
        ok = false;
    }
    sigma_test *kept = ok ? util_arena_array(&l->document->arena, count, sizeof(*kept)) : NULL;
    if (ok && !kept) {
        detect_yaml_fail_out_of_memory(l);
        ok = false;
    }
    if (ok) {
        memcpy(kept, tests, count * sizeof(*kept));
        *group = (sigma_group){kept, count};
    }
    free(tests);
    return ok;
}

static bool compile_selection(loader *l, const char *name, const yaml_node_t *value,
                              sigma_selection *selection)
{
    util_arena *arena = &l->document->arena;
    selection->name = name;
    if (value->type == YAML_MAPPING_NODE) {
        sigma_group *group = util_arena_alloc(arena, sizeof(*group));
        if (!group) {
            detect_yaml_fail_out_of_memory(l);
            return false;
        }
        selection->groups = group;
        selection->group_count = 1;
        return compile_group(l, value, group);
    }
    if (value->type != YAML_SEQUENCE_NODE) {
        detect_yaml_fail_at(l, value->start_mark, "selection '%s' must be a map of field tests or a list of "
                            "maps, not %s", name, sigma_load_kind_name(value));
        return false;
    }
    size_t count = (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
    sigma_group *groups = util_arena_array(arena, count ? count : 1, sizeof(*groups));
    if (!groups) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    if (count == 0) {
        detect_yaml_fail_at(l, value->start_mark, "selection '%s' is an empty list", name);
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = detect_yaml_node_at(l, value->data.sequence.items.start[i]);
        if (item->type != YAML_MAPPING_NODE) {
            detect_yaml_fail_at(l, item->start_mark, "selection '%s': keyword lists (plain values without "
                                "a field) are not supported; each list entry must be a map of field tests",
                                name);
            return false;
        }
        if (!compile_group(l, item, &groups[i]))
            return false;
    }
    selection->groups = groups;
    selection->group_count = count;
    return true;
}

static const sigma_cond *compile_condition_text(loader *l, const yaml_node_t *node,
                                                const sigma_rule *rule)
{
    const char *text = sigma_load_scalar(l, node, "'condition'");
    if (!text)
        return NULL;
    const char *why = NULL;
    size_t offset = 0;
    const sigma_cond *cond = sigma_condition_parse(text, rule->selections, rule->selection_count,
                                                   &l->document->arena, &why, &offset);
    if (!cond)
        detect_yaml_fail_at(l, mark_in_scalar(node, offset), "condition '%s': %s", text, why);
    return cond;
}

bool sigma_load_compile_detection(loader *l, const yaml_node_t *detection, sigma_rule *rule)
{
    util_arena *arena = &l->document->arena;
    if (detection->type != YAML_MAPPING_NODE) {
        detect_yaml_fail_at(l, detection->start_mark, "'detection' must be a map, not %s",
                            sigma_load_kind_name(detection));
        return false;
    }
    size_t pairs = (size_t)(detection->data.mapping.pairs.top - detection->data.mapping.pairs.start);
    sigma_selection *selections = util_arena_array(arena, pairs ? pairs : 1, sizeof(*selections));
    if (!selections) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    yaml_node_t *condition = NULL, *condition_key = NULL;
    size_t count = 0;
    for (yaml_node_pair_t *pair = detection->data.mapping.pairs.start;
         pair < detection->data.mapping.pairs.top; pair++) {
        yaml_node_t *key = detect_yaml_node_at(l, pair->key), *value = detect_yaml_node_at(l, pair->value);
        const char *name = sigma_load_scalar(l, key, "a selection name");
        if (!name)
            return false;
        if (strcmp(name, "condition") == 0) {
            condition = value;
            condition_key = key;
            continue;
        }
        if (strcmp(name, "timeframe") == 0) {
            detect_yaml_fail_at(l, key->start_mark, "'timeframe' (correlation over time) is not supported");
            return false;
        }
        for (size_t i = 0; i < count; i++) {
            if (strcmp(selections[i].name, name) == 0) {
                detect_yaml_fail_at(l, key->start_mark, "selection '%s' is defined twice", name);
                return false;
            }
        }
        if (!compile_selection(l, name, value, &selections[count]))
            return false;
        count++;
    }
    rule->selections = selections;
    rule->selection_count = count;
    if (!condition) {
        detect_yaml_fail_at(l, detection->start_mark, "'detection' has no 'condition'");
        return false;
    }
    if (count == 0) {
        detect_yaml_fail_at(l, detection->start_mark, "'detection' has no selection");
        return false;
    }
    if (condition->type != YAML_SEQUENCE_NODE) {
        rule->condition = compile_condition_text(l, condition, rule);
        return rule->condition != NULL;
    }
    /* a list of conditions: any of them (Sigma's older form) */
    const sigma_cond *any = NULL;
    for (yaml_node_item_t *item = condition->data.sequence.items.start;
         item < condition->data.sequence.items.top; item++) {
        const sigma_cond *one = compile_condition_text(l, detect_yaml_node_at(l, *item), rule);
        if (!one)
            return false;
        if (any) {
            sigma_cond *both = util_arena_alloc(arena, sizeof(*both));
            if (!both) {
                detect_yaml_fail_out_of_memory(l);
                return false;
            }
            *both = (sigma_cond){SIGMA_OR, any, one, NULL, 0};
            one = both;
        }
        any = one;
    }
    if (!any)
        detect_yaml_fail_at(l, condition_key->start_mark, "'condition' is an empty list");
    rule->condition = any;
    return any != NULL;
}

