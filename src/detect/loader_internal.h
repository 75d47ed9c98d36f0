/* What the rule file loader shares between its halves: the loader state and
 * its limits, and the YAML helpers (loader_yaml.c) the rule walk
 * (loader.c) reads the document with. */
#ifndef BP_DETECT_LOADER_INTERNAL_H
#define BP_DETECT_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "detect/detect_internal.h"

#define MAX_RULE_FILE_SIZE ((size_t)16 << 20)
#define MAX_CONDITION_DEPTH 32
#define MAX_CONDITION_NODES 100000
#define MAX_ID_LENGTH 64
#define MAX_MAPPING_KEYS 16
/* 4 levels to reach a rule's match, 2 per condition level (all_of list + mapping) */
#define MAX_YAML_DEPTH (4 + 2 * MAX_CONDITION_DEPTH + 8)

typedef struct loader {
    const char *label;
    const char *text;
    size_t size;
    yaml_document_t *yaml;
    detect_document *document;
    char *error;
    size_t error_size;
    bool failed;
    size_t condition_nodes;
} loader;

void detect_yaml_fail_at(loader *l, yaml_mark_t mark, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
yaml_mark_t detect_yaml_start_of_file(void);
void detect_yaml_fail_out_of_memory(loader *l);
void detect_yaml_syntax_error(loader *l, const yaml_parser_t *parser);
bool detect_yaml_prescan(loader *l);
yaml_node_t *detect_yaml_node_at(loader *l, int index);
const char *detect_yaml_kind_name(const yaml_node_t *node);
const char *detect_yaml_scalar(loader *l, yaml_node_t *node, const char *what);
const char *detect_yaml_key_of(loader *l, yaml_node_pair_t *pair, yaml_node_t **key_node);
bool detect_yaml_require_mapping(loader *l, yaml_node_t *node, const char *what);
bool detect_yaml_no_duplicate_keys(loader *l, yaml_node_t *mapping);
bool detect_yaml_boolean(loader *l, yaml_node_t *node, const char *what, bool *out);
bool detect_yaml_strings(loader *l, yaml_node_t *node, const char *what, bool list_required,
                         const char ***values, size_t *count, yaml_node_t ***nodes);

#endif
