/* What the Sigma rule loader shares between its halves: the loader state and
 * the YAML helpers (sigma_loader.c), and the compilation of a detection
 * section into matchers (sigma_compile.c). */
#ifndef BP_DETECT_SIGMA_LOADER_INTERNAL_H
#define BP_DETECT_SIGMA_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "detect/sigma.h"

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

bool sigma_load_compile_detection(sloader *l, const yaml_node_t *detection, sigma_rule *rule);
void sigma_load_fail_at(sloader *l, yaml_mark_t mark, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
yaml_node_t *sigma_load_node_at(sloader *l, int index);
const char *sigma_load_kind_name(const yaml_node_t *node);
const char *sigma_load_scalar_text(const yaml_node_t *node);
const char *sigma_load_scalar(sloader *l, const yaml_node_t *node, const char *what);
bool sigma_load_is_null(const yaml_node_t *node);

#endif
