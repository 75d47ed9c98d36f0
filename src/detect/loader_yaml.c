/* The YAML side of the rule file loader: typed access to the nodes of the
 * document tree, with the rule files' wording of their errors
 * (docs/detections.md; errors and the prescan: yaml_document.c). */
#include "detect/loader_internal.h"
#include <string.h>
#include <yaml.h>
#include "detect/detect_internal.h"

/* ---- YAML node helpers -------------------------------------------------- */

const char *detect_yaml_kind_name(const yaml_node_t *node)
{
    switch (node->type) {
    case YAML_SCALAR_NODE:
        return "a single value";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

/* A scalar as a NUL-terminated string in the document's arena. */
const char *detect_yaml_scalar(loader *l, yaml_node_t *node, const char *what)
{
    if (node->type != YAML_SCALAR_NODE) {
        detect_yaml_fail_at(l, node->start_mark, "%s must be a single value, not %s", what, detect_yaml_kind_name(node));
        return NULL;
    }
    const char *value = (const char *)node->data.scalar.value;
    size_t length = node->data.scalar.length;
    if (memchr(value, '\0', length)) {
        detect_yaml_fail_at(l, node->start_mark, "%s holds a NUL character", what);
        return NULL;
    }
    char *copy = util_arena_strndup(&l->document->arena, value, length);
    if (!copy)
        detect_yaml_fail_out_of_memory(l);
    return copy;
}

/* Scalar keys of a mapping: the key text (not copied), NULL after an error. */
const char *detect_yaml_key_of(loader *l, yaml_node_pair_t *pair, yaml_node_t **key_node)
{
    yaml_node_t *key = detect_yaml_node_at(l, pair->key);
    *key_node = key;
    if (!key || key->type != YAML_SCALAR_NODE) {
        detect_yaml_fail_at(l, key ? key->start_mark : detect_yaml_start_of_file(), "mapping keys must be plain names");
        return NULL;
    }
    const char *text = (const char *)key->data.scalar.value;
    if (strlen(text) != key->data.scalar.length) {
        detect_yaml_fail_at(l, key->start_mark, "a key holds a NUL character");
        return NULL;
    }
    return text;
}

bool detect_yaml_require_mapping(loader *l, yaml_node_t *node, const char *what)
{
    if (node->type == YAML_MAPPING_NODE)
        return true;
    detect_yaml_fail_at(l, node->start_mark, "%s must be a mapping, not %s", what, detect_yaml_kind_name(node));
    return false;
}

/* Refuse a key that appears twice in one mapping (libyaml accepts it). No
 * mapping of a rule file has more than 7 valid keys, so a long one is refused
 * before the quadratic check. */
bool detect_yaml_no_duplicate_keys(loader *l, yaml_node_t *mapping)
{
    if (mapping->data.mapping.pairs.top - mapping->data.mapping.pairs.start > MAX_MAPPING_KEYS) {
        detect_yaml_fail_at(l, mapping->start_mark, "a mapping with more than %d keys", MAX_MAPPING_KEYS);
        return false;
    }
    for (yaml_node_pair_t *a = mapping->data.mapping.pairs.start;
         a < mapping->data.mapping.pairs.top; a++) {
        yaml_node_t *key_a;
        const char *name_a = detect_yaml_key_of(l, a, &key_a);
        if (!name_a)
            return false;
        for (yaml_node_pair_t *b = mapping->data.mapping.pairs.start; b < a; b++) {
            yaml_node_t *key_b;
            const char *name_b = detect_yaml_key_of(l, b, &key_b);
            if (name_b && strcmp(name_a, name_b) == 0) {
                detect_yaml_fail_at(l, key_a->start_mark, "duplicate key '%s' (first at line %zu)", name_a,
                                    key_b->start_mark.line + 1);
                return false;
            }
        }
    }
    return true;
}

static bool ascii_case_equal(const char *a, const char *b)
{
    return detect_text_equals(a, b, false);
}

bool detect_yaml_boolean(loader *l, yaml_node_t *node, const char *what, bool *out)
{
    const char *text = detect_yaml_scalar(l, node, what);
    if (!text)
        return false;
    if (ascii_case_equal(text, "true") || ascii_case_equal(text, "yes")) {
        *out = true;
        return true;
    }
    if (ascii_case_equal(text, "false") || ascii_case_equal(text, "no")) {
        *out = false;
        return true;
    }
    detect_yaml_fail_at(l, node->start_mark, "%s must be true or false, not '%s'", what, text);
    return false;
}

/* A single value or a non-empty list of single values. Each item's node is
 * returned too (for error marks) when nodes is not NULL. */
bool detect_yaml_strings(loader *l, yaml_node_t *node, const char *what, bool list_required,
                         const char ***values, size_t *count, yaml_node_t ***nodes)
{
    util_arena *arena = &l->document->arena;
    size_t n = 1;
    if (node->type == YAML_SEQUENCE_NODE)
        n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    else if (list_required) {
        detect_yaml_fail_at(l, node->start_mark, "%s must be a list, not %s", what, detect_yaml_kind_name(node));
        return false;
    }
    if (n == 0) {
        detect_yaml_fail_at(l, node->start_mark, "%s is an empty list", what);
        return false;
    }
    const char **list = util_arena_array(arena, n, sizeof(*list));
    yaml_node_t **item_nodes = util_arena_array(arena, n, sizeof(*item_nodes));
    if (!list || !item_nodes) {
        detect_yaml_fail_out_of_memory(l);
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = node->type == YAML_SEQUENCE_NODE
                                ? detect_yaml_node_at(l, node->data.sequence.items.start[i])
                                : node;
        if (!item || !(list[i] = detect_yaml_scalar(l, item, what)))
            return false;
        item_nodes[i] = item;
    }
    *values = list;
    *count = n;
    if (nodes)
        *nodes = item_nodes;
    return true;
}

