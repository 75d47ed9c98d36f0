/* YAML rule files (docs/detections.md) -> compiled rules.
 *
 * libyaml reads the text twice: once as events, to report syntax errors and to
 * refuse aliases (a rule file has no use for them, and an alias can make a tree
 * recursive or exponentially large), then as a document tree that is walked
 * and checked here. Every error names the place as LABEL:LINE:COLUMN (1-based)
 * and stops the load; nothing of a failed document is kept. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "detect/detect_internal.h"
#include "util/growable.h"
#include "detect/loader_internal.h"

/* ---- conditions --------------------------------------------------------- */

static const struct {
    const char *name;
    detect_op op;
    bool takes_case;   /* case_sensitive applies */
    bool list_only;    /* operand must be a list */
} operators[] = {
    {"equals", DETECT_EQUALS, true, false},     {"in", DETECT_EQUALS, true, true},
    {"contains", DETECT_CONTAINS, true, false}, {"starts_with", DETECT_STARTS_WITH, true, false},
    {"ends_with", DETECT_ENDS_WITH, true, false}, {"regex", DETECT_REGEX, true, false},
    {"is_ip", DETECT_IS_IP, false, false},      {"tld_in", DETECT_TLD_IN, false, false},
    {"host_in", DETECT_HOST_IN, false, false},  {"empty", DETECT_EMPTY, false, false},
};
#define OPERATOR_COUNT (sizeof(operators) / sizeof(operators[0]))
#define OPERATOR_NAMES \
    "equals, in, contains, starts_with, ends_with, regex, is_ip, tld_in, host_in, empty"

static int operator_index(const char *name)
{
    for (size_t i = 0; i < OPERATOR_COUNT; i++)
        if (strcmp(operators[i].name, name) == 0)
            return (int)i;
    return -1;
}

static detect_node *new_node(loader *l, yaml_node_t *yaml_node, detect_node_kind kind)
{
    if (++l->condition_nodes > MAX_CONDITION_NODES) {
        detect_yaml_fail_at(l, yaml_node->start_mark, "more than %d conditions in one file",
                            MAX_CONDITION_NODES);
        return NULL;
    }
    detect_node *node = util_arena_alloc(&l->document->arena, sizeof(*node));
    if (!node)
        detect_yaml_fail_out_of_memory(l);
    else
        node->kind = kind;
    return node;
}

static const detect_node *parse_condition(loader *l, yaml_node_t *yaml_node, int depth);

static const detect_node *parse_logical(loader *l, yaml_node_t *mapping, const char *name,
                                        yaml_node_t *value, int depth)
{
    if (mapping->data.mapping.pairs.top - mapping->data.mapping.pairs.start != 1) {
        detect_yaml_fail_at(l, mapping->start_mark,
                            "'%s' must be the only key of its condition (put other tests inside it)", name);
        return NULL;
    }
    bool is_not = strcmp(name, "not") == 0;
    detect_node *node = new_node(l, mapping, is_not ? DETECT_NOT
                                             : strcmp(name, "all_of") == 0 ? DETECT_ALL_OF
                                                                           : DETECT_ANY_OF);
    if (!node)
        return NULL;
    size_t count = 1;
    if (!is_not) {
        if (value->type != YAML_SEQUENCE_NODE) {
            detect_yaml_fail_at(l, value->start_mark, "'%s' takes a list of conditions, not %s", name,
                                detect_yaml_kind_name(value));
            return NULL;
        }
        count = (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
        if (count == 0) {
            detect_yaml_fail_at(l, value->start_mark, "'%s' has an empty list of conditions", name);
            return NULL;
        }
    }
    const detect_node **children = util_arena_array(&l->document->arena, count, sizeof(*children));
    if (!children) {
        detect_yaml_fail_out_of_memory(l);
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        yaml_node_t *child = is_not ? value : detect_yaml_node_at(l, value->data.sequence.items.start[i]);
        if (!child || !(children[i] = parse_condition(l, child, depth + 1)))
            return NULL;
    }
    node->children = children;
    node->child_count = count;
    return node;
}

static bool compile_regexes(loader *l, detect_node *node, yaml_node_t **nodes)
{
    detect_document *document = l->document;
    node->regexes = util_arena_array(&document->arena, node->value_count, sizeof(*node->regexes));
    node->suffix_regexes = util_arena_array(&document->arena, node->value_count, sizeof(*node->suffix_regexes));
    node->prefix_regexes = util_arena_array(&document->arena, node->value_count, sizeof(*node->prefix_regexes));
    if (!node->regexes || !node->suffix_regexes || !node->prefix_regexes) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    int flags = REG_EXTENDED | REG_NOSUB | (node->case_sensitive ? 0 : REG_ICASE);
    for (size_t i = 0; i < node->value_count; i++) {
        if (!util_grow((void **)&document->regexes, &document->regex_capacity, document->regex_count,
                     sizeof(regex_t *))) {
            detect_yaml_fail_out_of_memory(l);
            return false;
        }
        regex_t *regex = util_arena_alloc(&document->arena, sizeof(*regex));
        if (!regex) {
            detect_yaml_fail_out_of_memory(l);
            return false;
        }
        int rc = regcomp(regex, node->values[i], flags);
        if (rc != 0) {
            char message[256];
            regerror(rc, regex, message, sizeof message);
            detect_yaml_fail_at(l, nodes[i]->start_mark, "bad regex '%s': %s", node->values[i], message);
            return false;
        }
        document->regexes[document->regex_count++] = regex;
        node->suffix_regexes[node->regex_count] =
            detect_suffix_regex_parse(node->values[i], node->case_sensitive, &document->arena);
        node->prefix_regexes[node->regex_count] =
            detect_prefix_regex_parse(node->values[i], node->case_sensitive, &document->arena);
        node->regexes[node->regex_count++] = regex;
    }
    node->all_suffix_regexes = true;
    for (size_t i = 0; i < node->regex_count; i++)
        node->all_suffix_regexes = node->all_suffix_regexes && (node->suffix_regexes[i] || node->prefix_regexes[i]);
    return true;
}

/* Host names and TLDs are compared in lower case without the trailing dot;
 * "*.example.com" is stored as ".example.com" (subdomains only). */
static bool normalise_hosts(loader *l, detect_node *node, yaml_node_t **nodes)
{
    for (size_t i = 0; i < node->value_count; i++) {
        char *value = (char *)node->values[i];
        for (char *c = value; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        size_t length = strlen(value);
        while (length > 0 && value[length - 1] == '.')
            value[--length] = '\0';
        if (value[0] == '*' && value[1] == '.')
            memmove(value, value + 1, length--);
        if (node->op == DETECT_TLD_IN && value[0] == '.')
            memmove(value, value + 1, length--);
        bool bad = length == 0 || (value[0] == '.' && length == 1) ||
                   strpbrk(value, "/\\:@?#* \t") != NULL;
        if (bad) {
            detect_yaml_fail_at(l, nodes[i]->start_mark, "'%s' is not a host name%s", node->values[i],
                                node->op == DETECT_TLD_IN ? " suffix (write e.g. xyz or co.uk)"
                                : " (write e.g. example.com or *.example.com)");
            return false;
        }
    }
    return true;
}

typedef struct test_keys {
    yaml_node_t *field;
    yaml_node_t *case_sensitive;
    yaml_node_t *operand;
    int op;  /* index into operators[], -1 none */
} test_keys;

static bool collect_test_keys(loader *l, yaml_node_t *mapping, test_keys *keys)
{
    keys->op = -1;
    for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top; pair++) {
        yaml_node_t *key;
        const char *name = detect_yaml_key_of(l, pair, &key);
        yaml_node_t *value = detect_yaml_node_at(l, pair->value);
        if (!name || !value)
            return false;
        int op = operator_index(name);
        if (strcmp(name, "field") == 0) {
            keys->field = value;
        } else if (strcmp(name, "case_sensitive") == 0) {
            keys->case_sensitive = value;
        } else if (op >= 0 && keys->op >= 0) {
            detect_yaml_fail_at(l, key->start_mark,
                                "one operator per condition ('%s' and '%s'); combine tests with all_of",
                                operators[keys->op].name, name);
            return false;
        } else if (op >= 0) {
            keys->op = op;
            keys->operand = value;
        } else {
            detect_yaml_fail_at(l, key->start_mark,
                                "unknown key '%s' in a condition (expected all_of, any_of, not, or field, "
                                "case_sensitive and one of " OPERATOR_NAMES ")",
                                name);
            return false;
        }
    }
    if (!keys->field) {
        detect_yaml_fail_at(l, mapping->start_mark,
                            "a condition needs 'field' and one operator, or one of all_of, any_of, not");
        return false;
    }
    if (keys->op < 0) {
        detect_yaml_fail_at(l, mapping->start_mark,
                            "a condition on a field needs one operator: " OPERATOR_NAMES);
        return false;
    }
    return true;
}

static const detect_node *parse_test(loader *l, yaml_node_t *mapping)
{
    test_keys keys = {NULL, NULL, NULL, -1};
    if (!collect_test_keys(l, mapping, &keys))
        return NULL;
    detect_node *node = new_node(l, mapping, DETECT_TEST);
    if (!node)
        return NULL;
    const char *field_name = detect_yaml_scalar(l, keys.field, "'field'");
    if (!field_name)
        return NULL;
    const char *why = NULL;
    if (!detect_field_lookup(field_name, &node->field, &why)) {
        detect_yaml_fail_at(l, keys.field->start_mark, "'%s' %s", field_name, why);
        return NULL;
    }
    const char *op_name = operators[keys.op].name;
    node->op = operators[keys.op].op;
    if (keys.case_sensitive) {
        if (!operators[keys.op].takes_case) {
            detect_yaml_fail_at(l, keys.case_sensitive->start_mark,
                                "case_sensitive applies to equals, in, contains, starts_with, ends_with and "
                                "regex, not to %s",
                                op_name);
            return NULL;
        }
        if (!detect_yaml_boolean(l, keys.case_sensitive, "'case_sensitive'", &node->case_sensitive))
            return NULL;
    }
    char what[64];
    snprintf(what, sizeof what, "the operand of '%s'", op_name);
    if (node->op == DETECT_IS_IP || node->op == DETECT_EMPTY)
        return detect_yaml_boolean(l, keys.operand, what, &node->expect) ? node : NULL;
    yaml_node_t **nodes = NULL;
    if (!detect_yaml_strings(l, keys.operand, what, operators[keys.op].list_only, &node->values,
                             &node->value_count, &nodes))
        return NULL;
    if (node->op == DETECT_REGEX && !compile_regexes(l, node, nodes))
        return NULL;
    bool hosts = node->op == DETECT_TLD_IN || node->op == DETECT_HOST_IN;
    if (hosts && !normalise_hosts(l, node, nodes))
        return NULL;
    return node;
}

static const detect_node *parse_condition(loader *l, yaml_node_t *yaml_node, int depth)
{
    if (depth > MAX_CONDITION_DEPTH) {
        detect_yaml_fail_at(l, yaml_node->start_mark, "conditions nested more than %d levels deep",
                            MAX_CONDITION_DEPTH);
        return NULL;
    }
    if (!detect_yaml_require_mapping(l, yaml_node, "a condition") || !detect_yaml_no_duplicate_keys(l, yaml_node))
        return NULL;
    for (yaml_node_pair_t *pair = yaml_node->data.mapping.pairs.start;
         pair < yaml_node->data.mapping.pairs.top; pair++) {
        yaml_node_t *key;
        const char *name = detect_yaml_key_of(l, pair, &key);
        if (!name)
            return NULL;
        if (strcmp(name, "all_of") == 0 || strcmp(name, "any_of") == 0 ||
            strcmp(name, "not") == 0) {
            yaml_node_t *value = detect_yaml_node_at(l, pair->value);
            return value ? parse_logical(l, yaml_node, name, value, depth) : NULL;
        }
    }
    if (yaml_node->data.mapping.pairs.top == yaml_node->data.mapping.pairs.start) {
        detect_yaml_fail_at(l, yaml_node->start_mark, "empty condition");
        return NULL;
    }
    return parse_test(l, yaml_node);
}

/* ---- rules -------------------------------------------------------------- */

static bool valid_id(const char *id)
{
    size_t length = strlen(id);
    if (length == 0 || length > MAX_ID_LENGTH)
        return false;
    for (const char *c = id; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              *c == '-' || *c == '_' || *c == '.'))
            return false;
    return true;
}

/* MITRE ATT&CK ids: T1197, T1197.003, TA0003. */
static bool valid_mitre(const char *id)
{
    size_t i = 0;
    if (id[i++] != 'T')
        return false;
    if (id[i] == 'A')
        i++;
    for (int n = 0; n < 4; n++, i++)
        if (id[i] < '0' || id[i] > '9')
            return false;
    if (id[i] == '\0')
        return true;
    if (id[1] == 'A' || id[i++] != '.')
        return false;
    for (int n = 0; n < 3; n++, i++)
        if (id[i] < '0' || id[i] > '9')
            return false;
    return id[i] == '\0';
}

#define RULE_KEYS "id, title, severity, description, mitre, references, match"

typedef struct rule_nodes {
    yaml_node_t *id, *title, *severity, *description, *mitre, *references, *match;
} rule_nodes;

static bool collect_rule_keys(loader *l, yaml_node_t *mapping, rule_nodes *n)
{
    for (yaml_node_pair_t *pair = mapping->data.mapping.pairs.start;
         pair < mapping->data.mapping.pairs.top; pair++) {
        yaml_node_t *key;
        const char *name = detect_yaml_key_of(l, pair, &key);
        yaml_node_t *value = detect_yaml_node_at(l, pair->value);
        if (!name || !value)
            return false;
        yaml_node_t **slot = strcmp(name, "id") == 0            ? &n->id
                             : strcmp(name, "title") == 0       ? &n->title
                             : strcmp(name, "severity") == 0    ? &n->severity
                             : strcmp(name, "description") == 0 ? &n->description
                             : strcmp(name, "mitre") == 0       ? &n->mitre
                             : strcmp(name, "references") == 0  ? &n->references
                             : strcmp(name, "match") == 0       ? &n->match
                                                                : NULL;
        if (!slot) {
            detect_yaml_fail_at(l, key->start_mark, "unknown key '%s' in a rule (expected " RULE_KEYS ")",
                                name);
            return false;
        }
        *slot = value;
    }
    const char *missing = !n->id ? "id" : !n->title ? "title" : !n->severity ? "severity"
                        : !n->match ? "match" : NULL;
    if (missing) {
        detect_yaml_fail_at(l, mapping->start_mark,
                            "rule without '%s' (a rule needs id, title, severity and match)", missing);
        return false;
    }
    return true;
}

static detect_rule *parse_rule(loader *l, yaml_node_t *mapping)
{
    rule_nodes n = {0};
    if (!detect_yaml_require_mapping(l, mapping, "a rule") || !detect_yaml_no_duplicate_keys(l, mapping) ||
                                     !collect_rule_keys(l, mapping, &n))
        return NULL;
    detect_rule *rule = util_arena_alloc(&l->document->arena, sizeof(*rule));
    if (!rule) {
        detect_yaml_fail_out_of_memory(l);
        return NULL;
    }
    bp_rule_info *info = &rule->info;
    const char *severity;
    if (!(info->id = detect_yaml_scalar(l, n.id, "'id'")) || !(info->title = detect_yaml_scalar(l, n.title, "'title'")) ||
                                        !(severity = detect_yaml_scalar(l, n.severity, "'severity'")))
        return NULL;
    if (!valid_id(info->id)) {
        detect_yaml_fail_at(l, n.id->start_mark,
                            "rule id '%s' must be 1 to %d letters, digits, '-', '_' or '.'", info->id,
                            MAX_ID_LENGTH);
        return NULL;
    }
    if (!*info->title || !detect_yaml_one_line(info->title)) {
        detect_yaml_fail_at(l, n.title->start_mark, "'title' must be one non-empty line of text");
        return NULL;
    }
    if (!bp_severity_parse(severity, &info->severity)) {
        detect_yaml_fail_at(l, n.severity->start_mark,
                            "unknown severity '%s' (use informational, low, medium, high or critical)",
                            severity);
        return NULL;
    }
    info->description = "";
    if (n.description && !(info->description = detect_yaml_scalar(l, n.description, "'description'")))
        return NULL;
    yaml_node_t **nodes = NULL;
    const char **list = NULL;
    if (n.mitre) {
        if (!detect_yaml_strings(l, n.mitre, "'mitre'", false, &list, &info->mitre_count, &nodes))
            return NULL;
        info->mitre = list;
        for (size_t i = 0; i < info->mitre_count; i++) {
            if (!valid_mitre(list[i])) {
                detect_yaml_fail_at(l, nodes[i]->start_mark,
                                    "'%s' is not a MITRE ATT&CK id (e.g. T1197, T1197.001, TA0003)", list[i]);
                return NULL;
            }
        }
    }
    if (n.references) {
        if (!detect_yaml_strings(l, n.references, "'references'", false, &list, &info->reference_count, NULL))
            return NULL;
        info->references = list;
    }
    if (!info->mitre) {
        static const char *const none[1] = {NULL};
        info->mitre = none;
    }
    if (!info->references) {
        static const char *const none[1] = {NULL};
        info->references = none;
    }
    info->author = "";  /* bitsparse's own rules name no author */
    info->origin = util_arena_printf(&l->document->arena, "%s:%zu", l->label,
                                   n.id->start_mark.line + 1);
    if (!info->origin) {
        detect_yaml_fail_out_of_memory(l);
        return NULL;
    }
    rule->match = parse_condition(l, n.match, 1);
    return rule->match ? rule : NULL;
}

static bool add_rule(loader *l, detect_rule *rule, yaml_node_t *mapping)
{
    detect_document *document = l->document;
    rule->position = document->rule_count;
    rule->line = mapping->start_mark.line;
    rule->column = mapping->start_mark.column;
    if (!util_grow((void **)&document->rules, &document->rule_capacity, document->rule_count,
                 sizeof(detect_rule *))) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    document->rules[document->rule_count++] = rule;
    return true;
}

static int compare_rules(const void *a, const void *b)
{
    const detect_rule *x = *(const detect_rule *const *)a, *y = *(const detect_rule *const *)b;
    int by_id = strcmp(x->info.id, y->info.id);
    return by_id ? by_id : (x->position > y->position) - (x->position < y->position);
}

/* The same id twice in one file: report the first repetition in file order.
 * Sorted by (id, position), so this stays fast for large files. */
static bool unique_ids(loader *l)
{
    detect_document *document = l->document;
    if (document->rule_count < 2)
        return true;
    detect_rule **sorted = malloc(document->rule_count * sizeof(*sorted));
    if (!sorted) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    memcpy(sorted, document->rules, document->rule_count * sizeof(*sorted));
    qsort(sorted, document->rule_count, sizeof(*sorted), compare_rules);
    const detect_rule *first = NULL, *repeat = NULL;
    for (size_t i = 1; i < document->rule_count; i++) {
        if (strcmp(sorted[i - 1]->info.id, sorted[i]->info.id) != 0)
            continue;
        size_t start = i - 1;  /* the earliest rule of this id */
        while (start > 0 && strcmp(sorted[start - 1]->info.id, sorted[i]->info.id) == 0)
            start--;
        if (!repeat || sorted[i]->position < repeat->position) {
            repeat = sorted[i];
            first = sorted[start];
        }
    }
    if (repeat) {
        yaml_mark_t mark = {0, repeat->line, repeat->column};
        detect_yaml_fail_at(l, mark, "duplicate rule id '%s' (first defined at %s)", repeat->info.id,
                            first->info.origin);
    }
    free(sorted);
    return !repeat;
}

static bool parse_rules(loader *l, yaml_node_t *list)
{
    if (list->type != YAML_SEQUENCE_NODE) {
        detect_yaml_fail_at(l, list->start_mark, "'rules' must be a list of rules, not %s", detect_yaml_kind_name(list));
        return false;
    }
    for (yaml_node_item_t *item = list->data.sequence.items.start;
         item < list->data.sequence.items.top; item++) {
        yaml_node_t *mapping = detect_yaml_node_at(l, *item);
        detect_rule *rule = mapping ? parse_rule(l, mapping) : NULL;
        if (!rule || !add_rule(l, rule, mapping))
            return false;
    }
    return unique_ids(l);
}

static bool parse_root(loader *l, yaml_node_t *root)
{
    if (!root || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0)) {
        detect_yaml_fail_at(l, detect_yaml_start_of_file(), "empty rule file (expected a mapping with a 'rules' list)");
        return false;
    }
    if (!detect_yaml_require_mapping(l, root, "a rule file") || !detect_yaml_no_duplicate_keys(l, root))
        return false;
    yaml_node_t *rules = NULL;
    for (yaml_node_pair_t *pair = root->data.mapping.pairs.start;
         pair < root->data.mapping.pairs.top; pair++) {
        yaml_node_t *key;
        const char *name = detect_yaml_key_of(l, pair, &key);
        yaml_node_t *value = detect_yaml_node_at(l, pair->value);
        if (!name || !value)
            return false;
        if (strcmp(name, "rules") == 0) {
            rules = value;
        } else if (strcmp(name, "version") == 0) {
            const char *version = detect_yaml_scalar(l, value, "'version'");
            if (!version)
                return false;
            if (strcmp(version, "1") != 0) {
                detect_yaml_fail_at(l, value->start_mark, "unsupported rule file version '%s' (this is 1)",
                                    version);
                return false;
            }
        } else {
            detect_yaml_fail_at(l, key->start_mark, "unknown key '%s' at the top of a rule file (expected "
                                "version and rules)", name);
            return false;
        }
    }
    if (!rules) {
        detect_yaml_fail_at(l, root->start_mark, "no 'rules' list in the rule file");
        return false;
    }
    return parse_rules(l, rules);
}

void detect_document_free(detect_document *document)
{
    if (!document)
        return;
    for (size_t i = 0; i < document->regex_count; i++)
        regfree(document->regexes[i]);
    free(document->regexes);
    free(document->rules);
    util_arena_free(&document->arena);
    free(document);
}

/* The document's root: a mapping with 'version' and the 'rules' list. Kept
 * only when nothing in it failed. */
static bool read_rule_file(loader *l, yaml_node_t *root, void *unused)
{
    (void)unused;
    parse_root(l, root);
    return !l->failed;
}

detect_document *detect_load(const char *text, size_t size, const char *label, char *error,
                             size_t error_size)
{
    loader l = {.label = label ? label : "rules",
                .text = text ? text : "",
                .size = text ? size : 0,
                .language = DETECT_YAML_RULE_FILE,
                .max_depth = MAX_YAML_DEPTH,
                .error = error,
                .error_size = error_size};
    return detect_yaml_load(&l, read_rule_file, NULL);
}
