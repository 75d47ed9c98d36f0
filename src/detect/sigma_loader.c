/* One Sigma rule (a YAML document in SigmaHQ's format) -> a detect_document
 * holding one detect_rule with its sigma_rule. Only the subset of Sigma in
 * docs/detections.md is accepted; anything else is refused with the place
 * (LABEL:LINE:COLUMN, 1-based) and the reason, so a rule never runs with a
 * meaning different from the one its author wrote. A rule whose logsource is
 * not Windows' bits-client is skipped before its detection is looked at. */
#include <stdio.h>
#include <string.h>

#include <yaml.h>

#include "detect/sigma.h"
#include "util/growable.h"
#include "detect/sigma_loader_internal.h"

/* ---- YAML helpers ---------------------------------------------------------- */

const char *sigma_load_kind_name(const yaml_node_t *node)
{
    return node->type == YAML_MAPPING_NODE    ? "a map"
           : node->type == YAML_SEQUENCE_NODE ? "a list"
                                              : "a single value";
}

const char *sigma_load_scalar_text(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE ? (const char *)node->data.scalar.value : NULL;
}

/* A scalar's text copied into the document (the YAML tree is freed after loading). */
const char *sigma_load_scalar(loader *l, const yaml_node_t *node, const char *what)
{
    const char *text = sigma_load_scalar_text(node);
    if (!text) {
        detect_yaml_fail_at(l, node->start_mark, "%s must be a single value, not %s", what, sigma_load_kind_name(node));
        return NULL;
    }
    const char *copy = util_arena_strdup(&l->document->arena, text);
    if (!copy)
        detect_yaml_fail_out_of_memory(l);
    return copy;
}

/* YAML's null: a plain ~, null (any case of N) or nothing. */
bool sigma_load_is_null(const yaml_node_t *node)
{
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *t = (const char *)node->data.scalar.value;
    return !*t || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

/* The value of a key of a map node; NULL when absent. */
static yaml_node_t *member(loader *l, const yaml_node_t *map, const char *name,
                           yaml_node_t **key)
{
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = detect_yaml_node_at(l, pair->key);
        const char *text = sigma_load_scalar_text(k);
        if (text && strcmp(text, name) == 0) {
            if (key)
                *key = k;
            return detect_yaml_node_at(l, pair->value);
        }
    }
    return NULL;
}

/* ---- the rule ----------------------------------------------------------------- */

/* service bits-client (and product windows, when given). */
static bool is_bits_client(loader *l, const yaml_node_t *logsource, const char **service)
{
    *service = "";
    if (!logsource || logsource->type != YAML_MAPPING_NODE)
        return false;
    const char *product = sigma_load_scalar_text(member(l, logsource, "product", NULL));
    const char *found = sigma_load_scalar_text(member(l, logsource, "service", NULL));
    *service = found ? found : "";
    return found && detect_text_equals(found, "bits-client", false) &&
           (!product || detect_text_equals(product, "windows", false));
}

/* "attack.t1197" -> "T1197"; NULL for other tags. */
static const char *mitre_of(const char *tag, util_arena *arena)
{
    if (strncmp(tag, "attack.t", 8) != 0 || tag[8] < '0' || tag[8] > '9')
        return NULL;
    char *id = util_arena_strdup(arena, tag + 7);
    for (char *p = id; p && *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return id;
}

static bool string_list(loader *l, const yaml_node_t *node, const char *what, bool mitre,
                        const char *const **out, size_t *count)
{
    static const char *const none[1] = {NULL};
    *out = none;
    *count = 0;
    if (!node)
        return true;
    if (node->type != YAML_SEQUENCE_NODE) {
        detect_yaml_fail_at(l, node->start_mark, "%s must be a list, not %s", what, sigma_load_kind_name(node));
        return false;
    }
    size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    const char **list = util_arena_array(&l->document->arena, n + 1, sizeof(*list));
    if (!list) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *text = sigma_load_scalar(l, detect_yaml_node_at(l, node->data.sequence.items.start[i]), what);
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

static bool parse_rule(loader *l, const yaml_node_t *root, bool *skipped)
{
    if (!root || root->type != YAML_MAPPING_NODE) {
        detect_yaml_fail_at(l, root ? root->start_mark : detect_yaml_start_of_file(), "a Sigma rule must be a map");
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
            detect_yaml_fail_at(l, key->start_mark, "'%s': only detection rules are supported (no rule "
                                "collections, correlations or filters)", refused[i]);
            return false;
        }
    }
    detect_document *document = l->document;
    util_arena *arena = &document->arena;
    detect_rule *rule = util_arena_alloc(arena, sizeof(*rule));
    sigma_rule *sigma = util_arena_alloc(arena, sizeof(*sigma));
    if (!rule || !sigma) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    memset(rule, 0, sizeof(*rule));
    memset(sigma, 0, sizeof(*sigma));
    bp_rule_info *info = &rule->info;
    yaml_node_t *id_node = member(l, root, "id", NULL), *title = member(l, root, "title", NULL);
    if (!id_node || !title) {
        detect_yaml_fail_at(l, root->start_mark, "a Sigma rule needs an 'id' and a 'title'");
        return false;
    }
    if (!(info->id = sigma_load_scalar(l, id_node, "'id'")) || !(info->title = sigma_load_scalar(l, title, "'title'")))
        return false;
    if (!*info->id || strlen(info->id) > MAX_ID_LENGTH || strpbrk(info->id, "| \t") ||
        !detect_yaml_one_line(info->id)) {
        detect_yaml_fail_at(l, id_node->start_mark, "rule id '%s' must be 1 to %d characters without blanks "
                            "or '|'", info->id, MAX_ID_LENGTH);
        return false;
    }
    if (!*info->title || !detect_yaml_one_line(info->title)) {
        detect_yaml_fail_at(l, title->start_mark, "'title' must be one non-empty line");
        return false;
    }
    info->severity = BP_SEVERITY_MEDIUM;  /* Sigma's level is optional */
    yaml_node_t *level = member(l, root, "level", NULL);
    if (level) {
        const char *text = sigma_load_scalar(l, level, "'level'");
        if (!text)
            return false;
        if (!bp_severity_parse(text, &info->severity)) {
            detect_yaml_fail_at(l, level->start_mark, "unknown level '%s' (informational, low, medium, high "
                                "or critical)", text);
            return false;
        }
    }
    info->author = "";
    info->description = "";
    yaml_node_t *author = member(l, root, "author", NULL);
    yaml_node_t *description = member(l, root, "description", NULL);
    if ((author && !(info->author = sigma_load_scalar(l, author, "'author'"))) ||
                                                      (description && !(info->description = sigma_load_scalar(l, description, "'description'"))))
        return false;
    /* CSV joins "ID (author: AUTHOR)" labels with '|' in one cell, so like the
     * id the author may not hold one; refused rather than altered, as the
     * rule's licence asks that the author be shown as written. */
    if (author && strchr(info->author, '|')) {
        detect_yaml_fail_at(l, author->start_mark, "'author' '%s' may not contain '|' (it separates detections "
                            "in CSV)", info->author);
        return false;
    }
    if (!string_list(l, member(l, root, "references", NULL), "'references'", false,
                     &info->references, &info->reference_count) ||
        !string_list(l, member(l, root, "tags", NULL), "'tags'", true, &info->mitre,
                     &info->mitre_count))
        return false;
    info->origin = util_arena_printf(arena, "%s:%zu", l->label, id_node->start_mark.line + 1);
    yaml_node_t *detection = member(l, root, "detection", NULL);
    if (!info->origin) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    if (!detection) {
        detect_yaml_fail_at(l, root->start_mark, "a Sigma rule needs a 'detection'");
        return false;
    }
    if (!sigma_load_compile_detection(l, detection, sigma))
        return false;
    rule->sigma = sigma;
    rule->line = id_node->start_mark.line;
    rule->column = id_node->start_mark.column;
    if (!util_grow((void **)&document->rules, &document->rule_capacity, document->rule_count,
                 sizeof(*document->rules))) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    document->rules[document->rule_count++] = rule;
    return true;
}

/* The document's root: one rule; an empty document is refused. */
static bool read_sigma_rule(loader *l, yaml_node_t *root, void *skipped)
{
    if (!root) {
        detect_yaml_fail_at(l, detect_yaml_start_of_file(), "empty rule file");
        return false;
    }
    return parse_rule(l, root, skipped);
}

detect_document *sigma_load(const char *text, size_t size, const char *label, char *error,
                            size_t error_size, bool *skipped)
{
    loader l = {.label = label ? label : "sigma",
                .text = text ? text : "",
                .size = text ? size : 0,
                .language = DETECT_YAML_SIGMA_RULE,
                .max_depth = SIGMA_MAX_YAML_DEPTH,
                .error = error,
                .error_size = error_size};
    *skipped = false;
    return detect_yaml_load(&l, read_sigma_rule, skipped);
}
