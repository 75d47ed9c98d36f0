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
#include "detect/sigma_loader_internal.h"

void sigma_load_fail_at(sloader *l, yaml_mark_t mark, const char *format, ...)
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
        sigma_load_fail_at(l, file_start, "out of memory");
    else
        sigma_load_fail_at(l, parser->problem_mark, "YAML syntax error: %s", problem);
}

/* Syntax, one document, no aliases, bounded nesting (see loader.c). */
static bool prescan(sloader *l)
{
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        sigma_load_fail_at(l, file_start, "out of memory");
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
                sigma_load_fail_at(l, event.start_mark, "YAML nested more than %d levels deep",
                                   MAX_YAML_DEPTH);
        } else if (event.type == YAML_SEQUENCE_END_EVENT || event.type == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (event.type == YAML_ALIAS_EVENT) {
            sigma_load_fail_at(l, event.start_mark, "YAML aliases are not supported in Sigma rules");
        } else if (event.type == YAML_DOCUMENT_START_EVENT && ++documents > 1) {
            sigma_load_fail_at(l, event.start_mark, "rule collections (several YAML documents in one file) "
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

yaml_node_t *sigma_load_node_at(sloader *l, int index)
{
    return yaml_document_get_node(l->yaml, index);
}

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
const char *sigma_load_scalar(sloader *l, const yaml_node_t *node, const char *what)
{
    const char *text = sigma_load_scalar_text(node);
    if (!text) {
        sigma_load_fail_at(l, node->start_mark, "%s must be a single value, not %s", what, sigma_load_kind_name(node));
        return NULL;
    }
    const char *copy = bp_arena_strdup(&l->document->arena, text);
    if (!copy)
        sigma_load_fail_at(l, file_start, "out of memory");
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
static yaml_node_t *member(sloader *l, const yaml_node_t *map, const char *name,
                           yaml_node_t **key)
{
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start;
         pair < map->data.mapping.pairs.top; pair++) {
        yaml_node_t *k = sigma_load_node_at(l, pair->key);
        const char *text = sigma_load_scalar_text(k);
        if (text && strcmp(text, name) == 0) {
            if (key)
                *key = k;
            return sigma_load_node_at(l, pair->value);
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

/* ---- the rule ----------------------------------------------------------------- */

/* service bits-client (and product windows, when given). */
static bool is_bits_client(sloader *l, const yaml_node_t *logsource, const char **service)
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
        sigma_load_fail_at(l, node->start_mark, "%s must be a list, not %s", what, sigma_load_kind_name(node));
        return false;
    }
    size_t n = (size_t)(node->data.sequence.items.top - node->data.sequence.items.start);
    const char **list = bp_arena_array(&l->document->arena, n + 1, sizeof(*list));
    if (!list) {
        sigma_load_fail_at(l, file_start, "out of memory");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        const char *text = sigma_load_scalar(l, sigma_load_node_at(l, node->data.sequence.items.start[i]), what);
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
        sigma_load_fail_at(l, root ? root->start_mark : file_start, "a Sigma rule must be a map");
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
            sigma_load_fail_at(l, key->start_mark, "'%s': only detection rules are supported (no rule "
                               "collections, correlations or filters)", refused[i]);
            return false;
        }
    }
    detect_document *document = l->document;
    bp_arena *arena = &document->arena;
    detect_rule *rule = bp_arena_alloc(arena, sizeof(*rule));
    sigma_rule *sigma = bp_arena_alloc(arena, sizeof(*sigma));
    if (!rule || !sigma) {
        sigma_load_fail_at(l, file_start, "out of memory");
        return false;
    }
    memset(rule, 0, sizeof(*rule));
    memset(sigma, 0, sizeof(*sigma));
    bp_rule_info *info = &rule->info;
    yaml_node_t *id_node = member(l, root, "id", NULL), *title = member(l, root, "title", NULL);
    if (!id_node || !title) {
        sigma_load_fail_at(l, root->start_mark, "a Sigma rule needs an 'id' and a 'title'");
        return false;
    }
    if (!(info->id = sigma_load_scalar(l, id_node, "'id'")) || !(info->title = sigma_load_scalar(l, title, "'title'")))
        return false;
    if (!*info->id || strlen(info->id) > MAX_ID_LENGTH || strpbrk(info->id, "| \t") ||
        !one_line(info->id)) {
        sigma_load_fail_at(l, id_node->start_mark, "rule id '%s' must be 1 to %d characters without blanks "
                           "or '|'", info->id, MAX_ID_LENGTH);
        return false;
    }
    if (!*info->title || !one_line(info->title)) {
        sigma_load_fail_at(l, title->start_mark, "'title' must be one non-empty line");
        return false;
    }
    info->severity = BP_SEVERITY_MEDIUM;  /* Sigma's level is optional */
    yaml_node_t *level = member(l, root, "level", NULL);
    if (level) {
        const char *text = sigma_load_scalar(l, level, "'level'");
        if (!text)
            return false;
        if (!bp_severity_parse(text, &info->severity)) {
            sigma_load_fail_at(l, level->start_mark, "unknown level '%s' (informational, low, medium, high "
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
        sigma_load_fail_at(l, author->start_mark, "'author' '%s' may not contain '|' (it separates detections "
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
        sigma_load_fail_at(l, file_start, "out of memory");
        return false;
    }
    if (!detection) {
        sigma_load_fail_at(l, root->start_mark, "a Sigma rule needs a 'detection'");
        return false;
    }
    if (!sigma_load_compile_detection(l, detection, sigma))
        return false;
    rule->sigma = sigma;
    rule->line = id_node->start_mark.line;
    rule->column = id_node->start_mark.column;
    if (!bp_grow((void **)&document->rules, &document->rule_capacity, document->rule_count,
                 sizeof(*document->rules))) {
        sigma_load_fail_at(l, file_start, "out of memory");
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
        sigma_load_fail_at(&l, file_start, "rule file larger than 16 MiB");
        return NULL;
    }
    detect_document *document = calloc(1, sizeof(*document));
    if (!document) {
        sigma_load_fail_at(&l, file_start, "out of memory");
        return NULL;
    }
    bp_arena_init(&document->arena);
    l.document = document;
    bool ok = false;
    if (prescan(&l)) {
        yaml_parser_t parser;
        yaml_document_t yaml;
        if (!yaml_parser_initialize(&parser)) {
            sigma_load_fail_at(&l, file_start, "out of memory");
        } else {
            yaml_parser_set_input_string(&parser, (const unsigned char *)l.text, l.size);
            if (!yaml_parser_load(&parser, &yaml)) {
                syntax_error(&l, &parser);
            } else {
                l.yaml = &yaml;
                yaml_node_t *root = yaml_document_get_root_node(&yaml);
                if (!root)
                    sigma_load_fail_at(&l, file_start, "empty rule file");
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
