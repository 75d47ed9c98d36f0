/* What the Sigma rule loader shares between its halves: the node helpers
 * with Sigma's wording (sigma_loader.c) and the compilation of a detection
 * section into matchers (sigma_compile.c). The loader state, errors and the
 * prescan, shared with the rule file loader, are in yaml_document.h. */
#ifndef BP_DETECT_SIGMA_LOADER_INTERNAL_H
#define BP_DETECT_SIGMA_LOADER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "detect/sigma.h"
#include "detect/yaml_document.h"

#define SIGMA_MAX_YAML_DEPTH 32

bool sigma_load_compile_detection(loader *l, const yaml_node_t *detection, sigma_rule *rule);
const char *sigma_load_kind_name(const yaml_node_t *node);
const char *sigma_load_scalar_text(const yaml_node_t *node);
const char *sigma_load_scalar(loader *l, const yaml_node_t *node, const char *what);
bool sigma_load_is_null(const yaml_node_t *node);

#endif
