/* The YAML side both rule loaders share: errors with their place
 * (LABEL:LINE:COLUMN, 1-based), the event prescan that refuses what the node
 * tree would hide or what costs too much (aliases, several documents, deep
 * nesting), and the load of the document (docs/detections.md). */
#include "detect/yaml_document.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>
#include "detect/detect_internal.h"
#include "util/arena.h"

void detect_yaml_fail_at(loader *l, yaml_mark_t mark, const char *format, ...)
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

yaml_mark_t detect_yaml_start_of_file(void)
{
    yaml_mark_t mark = {0, 0, 0};
    return mark;
}

void detect_yaml_fail_out_of_memory(loader *l) { detect_yaml_fail_at(l, detect_yaml_start_of_file(), "out of memory"); }

/* Line and column of a byte offset (reader errors carry only the offset). */
static yaml_mark_t mark_of_offset(const loader *l, size_t offset)
{
    yaml_mark_t mark = {offset, 0, 0};
    for (size_t i = 0; i < offset && i < l->size; i++) {
        if (l->text[i] == '\n') {
            mark.line++;
            mark.column = 0;
        } else {
            mark.column++;
        }
    }
    return mark;
}

/* Rule files say where a reader error is and what the parser was inside;
 * Sigma rules give libyaml's problem at its mark. */
static void syntax_error(loader *l, const yaml_parser_t *parser)
{
    const char *problem = parser->problem ? parser->problem : "unreadable YAML";
    if (parser->error == YAML_MEMORY_ERROR)
        detect_yaml_fail_out_of_memory(l);
    else if (l->language == DETECT_YAML_SIGMA_RULE)
        detect_yaml_fail_at(l, parser->problem_mark, "YAML syntax error: %s", problem);
    else if (parser->error == YAML_READER_ERROR)
        detect_yaml_fail_at(l, mark_of_offset(l, parser->problem_offset), "YAML syntax error: %s", problem);
    else if (parser->context)
        detect_yaml_fail_at(l, parser->problem_mark, "YAML syntax error: %s (%s at line %zu, column %zu)",
                            problem, parser->context, parser->context_mark.line + 1,
                            parser->context_mark.column + 1);
    else
        detect_yaml_fail_at(l, parser->problem_mark, "YAML syntax error: %s", problem);
}

static void refuse_alias(loader *l, const yaml_event_t *event)
{
    if (l->language == DETECT_YAML_SIGMA_RULE)
        detect_yaml_fail_at(l, event->start_mark, "YAML aliases are not supported in Sigma rules");
    else
        detect_yaml_fail_at(l, event->start_mark, "YAML aliases (*%s) are not allowed in rule files",
                            (const char *)event->data.alias.anchor);
}

static void refuse_second_document(loader *l, const yaml_event_t *event)
{
    if (l->language == DETECT_YAML_SIGMA_RULE)
        detect_yaml_fail_at(l, event->start_mark, "rule collections (several YAML documents in one file) "
                            "are not supported: one rule per file");
    else
        detect_yaml_fail_at(l, event->start_mark,
                            "a rule file holds one YAML document; this is a second one");
}

/* First pass over the events: syntax, one document, no aliases, at most
 * l->max_depth levels. */
static bool prescan(loader *l)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        detect_yaml_fail_out_of_memory(l);
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
            /* also keeps libyaml's scanner, whose cost grows with the square of
             * the nesting depth, away from pathological inputs */
            if (++depth > l->max_depth)
                detect_yaml_fail_at(l, event.start_mark, "YAML nested more than %d levels deep",
                                    l->max_depth);
        } else if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (event.type == YAML_ALIAS_EVENT) {
            refuse_alias(l, &event);
        } else if (event.type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
            refuse_second_document(l, &event);
        } else if (event.type == YAML_STREAM_END_EVENT) {
            done = true;
        }
        yaml_event_delete(&event);
    }
    yaml_parser_delete(&parser);
    return !l->failed;
}

detect_document *detect_yaml_load(loader *l, detect_yaml_root_reader read_root, void *context)
{
    if (l->error && l->error_size)
        l->error[0] = '\0';
    if (l->size > MAX_RULE_FILE_SIZE) {
        detect_yaml_fail_at(l, detect_yaml_start_of_file(), "rule file larger than 16 MiB");
        return NULL;
    }
    detect_document *document = calloc(1, sizeof(*document));
    if (!document) {
        detect_yaml_fail_out_of_memory(l);
        return NULL;
    }
    util_arena_init(&document->arena);
    l->document = document;
    bool kept = false;
    if (prescan(l)) {
        yaml_parser_t parser;
        yaml_document_t yaml;
        if (!yaml_parser_initialize(&parser)) {
            detect_yaml_fail_out_of_memory(l);
        } else {
            yaml_parser_set_input_string(&parser, (const unsigned char *)l->text, l->size);
            if (!yaml_parser_load(&parser, &yaml)) {
                syntax_error(l, &parser);
            } else {
                l->yaml = &yaml;
                kept = read_root(l, yaml_document_get_root_node(&yaml), context);
                l->yaml = NULL;  /* freed below */
                yaml_document_delete(&yaml);
            }
            yaml_parser_delete(&parser);
        }
    }
    l->document = NULL;
    if (!kept) {
        detect_document_free(document);
        return NULL;
    }
    return document;
}

yaml_node_t *detect_yaml_node_at(loader *l, int index) { return yaml_document_get_node(l->yaml, index); }

/* One line of printable text: no control characters (ids and titles). */
bool detect_yaml_one_line(const char *text)
{
    for (const unsigned char *c = (const unsigned char *)text; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            return false;
    return true;
}
