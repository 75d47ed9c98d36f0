/* What both rule loaders (loader.c for rule files, sigma_loader.c for Sigma
 * rules) share: the loader state, errors with their place, the event prescan
 * (syntax, one document, no aliases, bounded depth) and reading the document
 * into a detect_document (yaml_document.c). */
#ifndef BP_DETECT_YAML_DOCUMENT_H
#define BP_DETECT_YAML_DOCUMENT_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

#include "detect/detect_internal.h"

#define MAX_RULE_FILE_SIZE ((size_t)16 << 20)
#define MAX_ID_LENGTH 64

/* The two rule languages refuse the same things, but word some refusals
 * differently; the words are asserted by tests, so each keeps its own. */
typedef enum detect_yaml_language {
    DETECT_YAML_RULE_FILE,   /* bitsparse's rule files (docs/detections.md) */
    DETECT_YAML_SIGMA_RULE,  /* one Sigma rule per file */
} detect_yaml_language;

typedef struct loader {
    const char *label;
    const char *text;
    size_t size;
    detect_yaml_language language;
    int max_depth;  /* deeper nesting is refused by the prescan */
    yaml_document_t *yaml;
    detect_document *document;
    char *error;
    size_t error_size;
    bool failed;
    size_t condition_nodes;  /* rule files only: conditions read so far */
} loader;

/* Reads the root node of the loaded document into l->document; true keeps it. */
typedef bool (*detect_yaml_root_reader)(loader *l, yaml_node_t *root, void *context);

/* The whole load: size limit, prescan, libyaml's tree, read_root; the new
 * document, or NULL with the first error in l->error. */
detect_document *detect_yaml_load(loader *l, detect_yaml_root_reader read_root, void *context);

void detect_yaml_fail_at(loader *l, yaml_mark_t mark, const char *format, ...)
    __attribute__((format(printf, 3, 4)));
yaml_mark_t detect_yaml_start_of_file(void);
void detect_yaml_fail_out_of_memory(loader *l);
yaml_node_t *detect_yaml_node_at(loader *l, int index);
bool detect_yaml_one_line(const char *text);

#endif
