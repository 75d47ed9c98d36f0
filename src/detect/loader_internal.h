/* What the rule file loader shares between its halves: its limits, and the
 * typed node helpers (loader_yaml.c) the rule walk (loader.c) reads the
 * document with. The loader state, errors and the prescan, shared with the
 * Sigma loader, are in yaml_document.h. */
#ifndef BP_DETECT_LOADER_INTERNAL_H
#define BP_DETECT_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "detect/detect_internal.h"
#include "detect/yaml_document.h"

#define MAX_CONDITION_DEPTH 32
#define MAX_CONDITION_NODES 100000
#define MAX_MAPPING_KEYS 16
/* 4 levels to reach a rule's match, 2 per condition level (all_of list + mapping) */
#define MAX_YAML_DEPTH (4 + 2 * MAX_CONDITION_DEPTH + 8)

const char *detect_yaml_kind_name(const yaml_node_t *node);
const char *detect_yaml_scalar(loader *l, yaml_node_t *node, const char *what);
const char *detect_yaml_key_of(loader *l, yaml_node_pair_t *pair, yaml_node_t **key_node);
bool detect_yaml_require_mapping(loader *l, yaml_node_t *node, const char *what);
bool detect_yaml_no_duplicate_keys(loader *l, yaml_node_t *mapping);
bool detect_yaml_boolean(loader *l, yaml_node_t *node, const char *what, bool *out);
bool detect_yaml_strings(loader *l, yaml_node_t *node, const char *what, bool list_required,
                         const char ***values, size_t *count, yaml_node_t ***nodes);

#endif
