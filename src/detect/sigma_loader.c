/* One Sigma rule (a YAML document in SigmaHQ's format) -> a detect_document
 * holding one detect_rule with its sigma_rule. Only the subset of Sigma in
 * docs/detections.md is accepted; anything else is refused with the place
 * (LABEL:LINE:COLUMN, 1-based) and the reason, so a rule never runs with a
 * meaning different from the one its author wrote. A rule whose logsource is
 * not Windows' bits-client is skipped before its detection is looked at. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "detect/sigma.h"
#include "util/growable.h"

#define MAX_RULE_FILE_SIZE ((size_t)16 << 20)
#define MAX_YAML_DEPTH 32
#define MAX_ID_LENGTH 64

typedef struct sloader {
    const char *label;
    const char *text;
    size_t size;
    yaml_document_t *yaml;
    detect_document *document;
    char *error;
    size_t error_size;
    bool failed;
} sloader;

static void fail_at(sloader *l, yaml_mark_t mark, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void fail_at(sloader *l, yaml_mark_t mark, const char *format, ...)
{
    if (l->failed)
        return;
    l->failed = true;
    if (!l->error || l->error_size == 0)
        return;
    int n = snprintf(l->error, l->error_size, "%s:%zu:%zu: ", l->label, mark.line + 1,
                     mark.column + 1);
    if (n < 0 || (size_t)n >= l->error_size)
        return;
    va_list args;
    va_start(args, format);
    vsnprintf(l->error + n, l->error_size - (size_t)n, format, args);
    va_end(args);
}

static const yaml_mark_t file_start = {0, 0, 0};

static void syntax_error(sloader *l, const yaml_parser_t *parser)
{
    const char *problem = parser->problem ? parser->problem : "unreadable YAML";
    if (parser->error == YAML_MEMORY_ERROR)
        fail_at(l, file_start, "out of memory");
    else
        fail_at(l, parser->problem_mark, "YAML syntax error: %s", problem);
}

/* Syntax, one document, no aliases, bounded nesting (see loader.c). */
static bool prescan(sloader *l)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)l->text, l->size);
    int documents = 0, depth = 0;
    for (bool done = false; !done && !l->failed;) {
        yaml_event_t event;
        if (!yaml_parser_parse(&parser, &event)) {
            syntax_error(l, &parser);
            break;
        }
        if (event.type == YAML_SEQUENCE_START_EVENT || event.type == YAML_MAPPING_START_EVENT) {
            if (++depth > MAX_YAML_DEPTH)
                fail_at(l, event.start_mark, "YAML nested more than %d levels deep",
                        MAX_YAML_DEPTH);
        } else if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (event.type == YAML_ALIAS_EVENT) {
            fail_at(l, event.start_mark, "YAML aliases are not supported in Sigma rules");
        } else if (event.type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
            fail_at(l, event.start_mark, "rule collections (several YAML documents in one file) "
                    "are not supported: one rule per file");
        } else if (event.type == YAML_STREAM_END_EVENT) {
            done = true;
        }
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return !l->failed;
}

/* ---- YAML helpers ---------------------------------------------------------- */

static yaml_node_t *node_at(sloader *l, int index)
{
    return yaml_document_get_node(l->yaml, index);
}

static const char *kind_name(const yaml_node_t *node)
{
    return node->type == YAML_MAPPING_NODE    ? "a map"
           : node->type == YAML_SEQUENCE_NODE ? "a list"
                                              : "a single value";
}

static const char *scalar_text(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

/* A scalar's text copied into the document (the YAML tree is freed after loading). */
static const char *scalar(sloader *l, const yaml_node_t *node, const char *what)
{
    const char *text = scalar_text(node);
    if (!text) {
        fail_at(l, node->start_mark, "%s must be a single value, not %s", what, kind_name(node));
        return NULL;
    }
    const char *copy = bp_arena_strdup(&l->document->arena, text);
    if (!copy)
        fail_at(l, file_start, "out of memory");
    return copy;
}

/* YAML's null: a plain ~, null (any case of N) or nothing. */
static bool is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *t = (const char *)node->data.scalar.value;
    return !*t || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

/* The value of a key of a map node; NULL when absent. */
static yaml_node_t *member(sloader *l, const yaml_node_t *map, const char *name,
                           yaml_node_t **key)
{
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = node_at(l, pair->key);
        const char *text = scalar_text(k);
        if (text && strcmp(text, name) == 0) {
            if (key)
                *key = k;
            return node_at(l, pair->value);
        }
    }
    return NULL;
}

static bool one_line(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}

/* ---- values and modifiers -------------------------------------------------- */

typedef enum match_kind { M_EQUALS, M_CONTAINS, M_STARTS, M_ENDS, M_RE, M_CIDR, M_EXISTS } match_kind;

typedef struct modifiers {
    match_kind match;
    bool all, cased, windash, base64, base64offset, re_i;
} modifiers;

static bool parse_modifiers(sloader *l, const yaml_node_t *key, const char *spec,
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
                fail_at(l, key->start_mark, "field '%s': modifier '%s' after another match "
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
            fail_at(l, key->start_mark, "field '%s': modifier '%s' is not supported (supported: "
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
        fail_at(l, key->start_mark, "field '%s': %s", spec, why);
        return false;
    }
    return true;
}

/* Sigma's text (escapes \* \? \\, a lone \ is itself) -> our pattern form. */
static const char *sigma_pattern(const char *text, bp_arena *arena)
{
    char *out = bp_arena_alloc(arena, 2 * strlen(text) + 1);
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

static const char *wrap(const char *pattern, match_kind match, bp_arena *arena)
{
    return bp_arena_printf(arena, "%s%s%s", match == M_CONTAINS || match == M_ENDS ? "*" : "",
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

static bool add_regex(sloader *l, const yaml_node_t *node, const char *text, bool icase,
                      sigma_value *value)
{
    detect_document *document = l->document;
    bool inline_i = false;
    const char *why = NULL;
    size_t offset = 0;
    const char *ere = sigma_regex_to_ere(text, &document->arena, &inline_i, &why, &offset);
    if (!ere) {
        fail_at(l, mark_in_scalar(node, offset), "regex '%s': %s", text, why);
        return false;
    }
    regex_t *regex = bp_arena_alloc(&document->arena, sizeof(*regex));
    if (!regex || !bp_grow((void **)&document->regexes, &document->regex_capacity,
                           document->regex_count, sizeof(regex_t *))) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    int rc = regcomp(regex, ere, REG_EXTENDED | REG_NOSUB | (icase || inline_i ? REG_ICASE : 0));
    if (rc != 0) {
        char message[128];
        regerror(rc, regex, message, sizeof message);
        fail_at(l, node->start_mark, "bad regex '%s': %s", text, message);
        return false;
    }
    document->regexes[document->regex_count++] = regex;
    value->regex = regex;
    value->case_sensitive = !(icase || inline_i);
    return true;
}

/* The sigma_values one YAML value gives (base64offset: three). */
static bool compile_value(sloader *l, const yaml_node_t *node, const char *field,
                          const modifiers *m, sigma_value *out, size_t *count)
{
    bp_arena *arena = &l->document->arena;
    const char *text = scalar_text(node);
    *count = 0;
    if (!text) {
        fail_at(l, node->start_mark, "field '%s': a value must be a single value, not %s", field,
                kind_name(node));
        return false;
    }
    sigma_value base;
    memset(&base, 0, sizeof base);
    base.case_sensitive = m->cased;
    base.windash = m->windash;
    if (m->match == M_EXISTS) {
        if (strcmp(text, "true") != 0 && strcmp(text, "false") != 0) {
            fail_at(l, node->start_mark, "field '%s': exists takes true or false", field);
            return false;
        }
        base.kind = SIGMA_EXISTS;
        base.exists = strcmp(text, "true") == 0;
        out[(*count)++] = base;
        return true;
    }
    if (is_null(node)) {
        if (m->match != M_EQUALS || m->base64 || m->base64offset || m->windash) {
            fail_at(l, node->start_mark, "field '%s': null cannot take modifiers", field);
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
            fail_at(l, node->start_mark, "field '%s': '%s' is not an IPv4 or IPv6 network "
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
            fail_at(l, node->start_mark, "field '%s': wildcards cannot be base64-encoded", field);
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
        fail_at(l, file_start, "out of memory");
        return false;
    }
    for (size_t i = 0; i < variants; i++) {
        base.pattern = wrap(encoded[i], m->match, arena);
        if (!base.pattern) {
            fail_at(l, file_start, "out of memory");
            return false;
        }
        out[(*count)++] = base;
    }
    return true;
}

/* "field|modifiers: value or list" -> one test, or one per value with `all`. */
static bool compile_tests(sloader *l, const yaml_node_t *key, const yaml_node_t *value,
                          sigma_test **tests, size_t *test_count, size_t *capacity)
{
    bp_arena *arena = &l->document->arena;
    const char *spec = scalar(l, key, "a field name");
    if (!spec)
        return false;
    const char *bar = strchr(spec, '|');
    size_t field_length = bar ? (size_t)(bar - spec) : strlen(spec);
    if (field_length == 0) {
        fail_at(l, key->start_mark, "'%s': keyword searches (modifiers without a field name) "
                "are not supported", spec);
        return false;
    }
    modifiers m;
    if (!parse_modifiers(l, key, spec, bar ? bar + 1 : "", &m))
        return false;
    const char *field = bp_arena_strndup(arena, spec, field_length);
    yaml_node_t *single[1] = {(yaml_node_t *)value};
    yaml_node_t **items = single;
    size_t item_count = 1;
    if (value->type == YAML_SEQUENCE_NODE) {
        item_count = (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
        if (item_count == 0) {
            fail_at(l, value->start_mark, "field '%s': an empty list of values", spec);
            return false;
        }
        items = bp_arena_array(arena, item_count, sizeof(*items));
        for (size_t i = 0; items && i < item_count; i++)
            items[i] = node_at(l, value->data.sequence.items.start[i]);
    } else if (value->type == YAML_MAPPING_NODE) {
        fail_at(l, value->start_mark, "field '%s': a value must be a single value or a list, "
                "not a map", spec);
        return false;
    }
    if (m.all && item_count < 2 && value->type != YAML_SEQUENCE_NODE) {
        fail_at(l, key->start_mark, "field '%s': 'all' needs a list of values", spec);
        return false;
    }
    sigma_value *values = bp_arena_array(arena, 3 * item_count, sizeof(*values));
    if (!field || !items || !values) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    size_t value_count = 0;
    for (size_t i = 0; i < item_count; i++) {
        size_t produced = 0;
        if (!compile_value(l, items[i], spec, &m, values + value_count, &produced))
            return false;
        /* `all`: one test per value (its base64offset variants OR-ed), AND-ed by the map */
        if (m.all) {
            if (!bp_grow((void **)tests, capacity, *test_count, sizeof(**tests))) {
                fail_at(l, file_start, "out of memory");
                return false;
            }
            (*tests)[(*test_count)++] = (sigma_test){field, values + value_count, produced};
        }
        value_count += produced;
    }
    if (!m.all) {
        if (!bp_grow((void **)tests, capacity, *test_count, sizeof(**tests))) {
            fail_at(l, file_start, "out of memory");
            return false;
        }
        (*tests)[(*test_count)++] = (sigma_test){field, values, value_count};
    }
    return true;
}

/* A map of tests -> one group (its tests copied into the arena). */
static bool compile_group(sloader *l, const yaml_node_t *map, sigma_group *group)
{
    sigma_test *tests = NULL;
    size_t count = 0, capacity = 0;
    bool ok = true;
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         ok && pair < map->data.mapping.pairs.top; pair++)
        ok = compile_tests(l, node_at(l, pair->key), node_at(l, pair->value), &tests, &count,
                           &capacity);
    if (ok && count == 0) {
        fail_at(l, map->start_mark, "an empty map of field tests");
        ok = false;
    }
    sigma_test *kept = ok ? bp_arena_array(&l->document->arena, count, sizeof(*kept)) : NULL;
    if (ok && !kept) {
        fail_at(l, file_start, "out of memory");
        ok = false;
    }
    if (ok) {
        memcpy(kept, tests, count * sizeof(*kept));
        *group = (sigma_group){kept, count};
    }
    free(tests);
    return ok;
}

static bool compile_selection(sloader *l, const char *name, const yaml_node_t *value,
                              sigma_selection *selection)
{
    bp_arena *arena = &l->document->arena;
    selection->name = name;
    if (value->type == YAML_MAPPING_NODE) {
        sigma_group *group = bp_arena_alloc(arena, sizeof(*group));
        if (!group) {
            fail_at(l, file_start, "out of memory");
            return false;
        }
        selection->groups = group;
        selection->group_count = 1;
        return compile_group(l, value, group);
    }
    if (value->type != YAML_SEQUENCE_NODE) {
        fail_at(l, value->start_mark, "selection '%s' must be a map of field tests or a list of "
                "maps, not %s", name, kind_name(value));
        return false;
    }
    size_t count = (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
    sigma_group *groups = bp_arena_array(arena, count ? count : 1, sizeof(*groups));
    if (!groups) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    if (count == 0) {
        fail_at(l, value->start_mark, "selection '%s' is an empty list", name);
        return false;
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *item = node_at(l, value->data.sequence.items.start[i]);
        if (item->type != YAML_MAPPING_NODE) {
            fail_at(l, item->start_mark, "selection '%s': keyword lists (plain values without "
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

static const sigma_cond *compile_condition_text(sloader *l, const yaml_node_t *node,
                                                const sigma_rule *rule)
{
    const char *text = scalar(l, node, "'condition'");
    if (!text)
        return NULL;
    const char *why = NULL;
    size_t offset = 0;
    const sigma_cond *cond = sigma_condition_parse(text, rule->selections, rule->selection_count,
                                                   &l->document->arena, &why, &offset);
    if (!cond)
        fail_at(l, mark_in_scalar(node, offset), "condition '%s': %s", text, why);
    return cond;
}

static bool compile_detection(sloader *l, const yaml_node_t *detection, sigma_rule *rule)
{
    bp_arena *arena = &l->document->arena;
    if (detection->type != YAML_MAPPING_NODE) {
        fail_at(l, detection->start_mark, "'detection' must be a map, not %s",
                kind_name(detection));
        return false;
    }
    size_t pairs = (size_t)(detection->data.mapping.pairs.top - detection->data.mapping.pairs.start);
    sigma_selection *selections = bp_arena_array(arena, pairs ? pairs : 1, sizeof(*selections));
    if (!selections) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    yaml_node_t *condition = NULL, *condition_key = NULL;
    size_t count = 0;
    for (yaml_node_pair_t *pair = detection->data.mapping.pairs.start;
         pair < detection->data.mapping.pairs.top; pair++) {
        yaml_node_t *key = node_at(l, pair->key), *value = node_at(l, pair->value);
        const char *name = scalar(l, key, "a selection name");
        if (!name)
            return false;
        if (strcmp(name, "condition") == 0) {
            condition = value;
            condition_key = key;
            continue;
        }
        if (strcmp(name, "timeframe") == 0) {
            fail_at(l, key->start_mark, "'timeframe' (correlation over time) is not supported");
            return false;
        }
        for (size_t i = 0; i < count; i++) {
            if (strcmp(selections[i].name, name) == 0) {
                fail_at(l, key->start_mark, "selection '%s' is defined twice", name);
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
        fail_at(l, detection->start_mark, "'detection' has no 'condition'");
        return false;
    }
    if (count == 0) {
        fail_at(l, detection->start_mark, "'detection' has no selection");
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
        const sigma_cond *one = compile_condition_text(l, node_at(l, *item), rule);
        if (!one)
            return false;
        if (any) {
            sigma_cond *both = bp_arena_alloc(arena, sizeof(*both));
            if (!both) {
                fail_at(l, file_start, "out of memory");
                return false;
            }
            *both = (sigma_cond){SIGMA_OR, any, one, NULL, 0};
            one = both;
        }
        any = one;
    }
    if (!any)
        fail_at(l, condition_key->start_mark, "'condition' is an empty list");
    rule->condition = any;
    return any != NULL;
}

/* ---- the rule ----------------------------------------------------------------- */

/* service bits-client (and product windows, when given). */
static bool is_bits_client(sloader *l, const yaml_node_t *logsource, const char **service)
{
    *service = "";
    if (!logsource || logsource->type != YAML_MAPPING_NODE)
        return false;
    const char *product = scalar_text(member(l, logsource, "product", NULL));
    const char *found = scalar_text(member(l, logsource, "service", NULL));
    *service = found ? found : "";
    return found && detect_text_equals(found, "bits-client", false) &&
           (!product || detect_text_equals(product, "windows", false));
}

/* "attack.t1197" -> "T1197"; NULL for other tags. */
static const char *mitre_of(const char *tag, bp_arena *arena)
{
    if (strncmp(tag, "attack.t", 8) != 0 || tag[8] < '0' || tag[8] > '9')
        return NULL;
    char *id = bp_arena_strdup(arena, tag + 7);
    for (char *p = id; p && *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return id;
}

static bool string_list(sloader *l, const yaml_node_t *node, const char *what, bool mitre,
                        const char *const **out, size_t *count)
{
    static const char *const none[1] = {NULL};
    *out = none;
    *count = 0;
    if (!node)
        return true;
    if (node->type != YAML_SEQUENCE_NODE) {
        fail_at(l, node->start_mark, "%s must be a list, not %s", what, kind_name(node));
        return false;
    }
    size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    const char **list = bp_arena_array(&l->document->arena, n + 1, sizeof(*list));
    if (!list) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *text = scalar(l, node_at(l, node->data.sequence.items.start[i]), what);
        if (!text)
            return false;
        const char *kept = mitre ? mitre_of(text, &l->document->arena) : text;
        if (kept)
            list[(*count)++] = kept;
    }
    list[*count] = NULL;
    *out = list;
    return true;
}

static bool parse_rule(sloader *l, const yaml_node_t *root, bool *skipped)
{
    if (!root || root->type != YAML_MAPPING_NODE) {
        fail_at(l, root ? root->start_mark : file_start, "a Sigma rule must be a map");
        return false;
    }
    const char *service = "";
    if (!is_bits_client(l, member(l, root, "logsource", NULL), &service)) {
        *skipped = true;
        if (l->error && l->error_size)
            snprintf(l->error, l->error_size, "%s: skipped: logsource is not windows/bits-client%s%s",
                     l->label, *service ? " but " : "", service);
        return false;
    }
    static const char *const refused[] = {"action", "correlation", "filter"};
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        yaml_node_t *key = NULL;
        if (member(l, root, refused[i], &key)) {
            fail_at(l, key->start_mark, "'%s': only detection rules are supported (no rule "
                    "collections, correlations or filters)", refused[i]);
            return false;
        }
    }
    detect_document *document = l->document;
    bp_arena *arena = &document->arena;
    detect_rule *rule = bp_arena_alloc(arena, sizeof(*rule));
    sigma_rule *sigma = bp_arena_alloc(arena, sizeof(*sigma));
    if (!rule || !sigma) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    memset(rule, 0, sizeof(*rule));
    memset(sigma, 0, sizeof(*sigma));
    bp_rule_info *info = &rule->info;
    yaml_node_t *id_node = member(l, root, "id", NULL), *title = member(l, root, "title", NULL);
    if (!id_node || !title) {
        fail_at(l, root->start_mark, "a Sigma rule needs an 'id' and a 'title'");
        return false;
    }
    if (!(info->id = scalar(l, id_node, "'id'")) || !(info->title = scalar(l, title, "'title'")))
        return false;
    if (!*info->id || strlen(info->id) > MAX_ID_LENGTH || strpbrk(info->id, "| \t") ||
        !one_line(info->id)) {
        fail_at(l, id_node->start_mark, "rule id '%s' must be 1 to %d characters without blanks "
                "or '|'", info->id, MAX_ID_LENGTH);
        return false;
    }
    if (!*info->title || !one_line(info->title)) {
        fail_at(l, title->start_mark, "'title' must be one non-empty line");
        return false;
    }
    info->severity = BP_SEVERITY_MEDIUM;  /* Sigma's level is optional */
    yaml_node_t *level = member(l, root, "level", NULL);
    if (level) {
        const char *text = scalar(l, level, "'level'");
        if (!text)
            return false;
        if (!bp_severity_parse(text, &info->severity)) {
            fail_at(l, level->start_mark, "unknown level '%s' (informational, low, medium, high "
                    "or critical)", text);
            return false;
        }
    }
    info->author = "";
    info->description = "";
    yaml_node_t *author = member(l, root, "author", NULL);
    yaml_node_t *description = member(l, root, "description", NULL);
    if ((author && !(info->author = scalar(l, author, "'author'"))) ||
        (description && !(info->description = scalar(l, description, "'description'"))))
        return false;
    /* CSV joins "ID (author: AUTHOR)" labels with '|' in one cell, so like the
     * id the author may not hold one; refused rather than altered, as the
     * rule's licence asks that the author be shown as written. */
    if (author && strchr(info->author, '|')) {
        fail_at(l, author->start_mark, "'author' '%s' may not contain '|' (it separates detections "
                "in CSV)", info->author);
        return false;
    }
    if (!string_list(l, member(l, root, "references", NULL), "'references'", false,
                     &info->references, &info->reference_count) ||
        !string_list(l, member(l, root, "tags", NULL), "'tags'", true, &info->mitre,
                     &info->mitre_count))
        return false;
    info->origin = bp_arena_printf(arena, "%s:%zu", l->label, id_node->start_mark.line + 1);
    yaml_node_t *detection = member(l, root, "detection", NULL);
    if (!info->origin) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    if (!detection) {
        fail_at(l, root->start_mark, "a Sigma rule needs a 'detection'");
        return false;
    }
    if (!compile_detection(l, detection, sigma))
        return false;
    rule->sigma = sigma;
    rule->line = id_node->start_mark.line;
    rule->column = id_node->start_mark.column;
    if (!bp_grow((void **)&document->rules, &document->rule_capacity, document->rule_count,
                 sizeof(*document->rules))) {
        fail_at(l, file_start, "out of memory");
        return false;
    }
    document->rules[document->rule_count++] = rule;
    return true;
}

detect_document *sigma_load(const char *text, size_t size, const char *label, char *error,
                            size_t error_size, bool *skipped)
{
    sloader l = {0};
    l.label = label ? label : "sigma";
    l.text = text ? text : "";
    l.size = text ? size : 0;
    l.error = error;
    l.error_size = error_size;
    *skipped = false;
    if (error && error_size)
        error[0] = '\0';
    if (l.size > MAX_RULE_FILE_SIZE) {
        fail_at(&l, file_start, "rule file larger than 16 MiB");
        return NULL;
    }
    detect_document *document = calloc(1, sizeof(*document));
    if (!document) {
        fail_at(&l, file_start, "out of memory");
        return NULL;
    }
    bp_arena_init(&document->arena);
    l.document = document;
    bool ok = false;
    if (prescan(&l)) {
        yaml_parser_t parser;
        yaml_document_t yaml;
        if (!yaml_parser_initialize(&parser)) {
            fail_at(&l, file_start, "out of memory");
        } else {
            yaml_parser_set_input_string(&parser, (const unsigned char *)l.text, l.size);
            if (!yaml_parser_load(&parser, &yaml)) {
                syntax_error(&l, &parser);
            } else {
                l.yaml = &yaml;
                yaml_node_t *root = yaml_document_get_root_node(&yaml);
                if (!root)
                    fail_at(&l, file_start, "empty rule file");
                else
                    ok = parse_rule(&l, root, skipped);
                yaml_document_delete(&yaml);
            }
            yaml_parser_delete(&parser);
        }
    }
    if (!ok) {
        detect_document_free(document);
        return NULL;
    }
    return document;
}
