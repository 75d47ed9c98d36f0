/* Evaluation of a compiled condition tree on one record. A test on a list
 * field holds when it holds for any entry; `empty` holds when every entry is
 * "" (or there is none). Field values are computed once per record. */
#include <string.h>

#include "detect/detect_internal.h"

static bool field_values(detect_context *context, size_t field, const char *const **values,
                         size_t *count)
{
    detect_field_cache *slot = &context->cache[field];
    if (!slot->computed) {
        if (!detect_field_values(field, context->record, context->scratch, &slot->values,
                                 &slot->count)) {
            context->out_of_memory = true;
            return false;
        }
        slot->computed = true;
    }
    *values = slot->values;
    *count = slot->count;
    return true;
}

static bool any_operand(const detect_node *node, const char *text,
                        bool (*test)(const char *, const char *, bool))
{
    for (size_t i = 0; i < node->value_count; i++)
        if (test(text, node->values[i], node->case_sensitive))
            return true;
    return false;
}

static bool host_test(const detect_node *node, const char *text, detect_context *context)
{
    const char *host = detect_host_of(text, context->scratch);
    if (!host) {
        context->out_of_memory = true;
        return false;
    }
    switch (node->op) {
    case DETECT_IS_IP:
        return detect_is_ip_literal(host) == node->expect;
    case DETECT_TLD_IN:
        for (size_t i = 0; i < node->value_count; i++)
            if (detect_tld_matches(host, node->values[i]))
                return true;
        return false;
    case DETECT_HOST_IN:
        for (size_t i = 0; i < node->value_count; i++)
            if (detect_host_matches(host, node->values[i]))
                return true;
        return false;
    default:
        return false;
    }
}

/* One value against the test's operator. */
static bool value_matches(const detect_node *node, const char *text, detect_context *context)
{
    switch (node->op) {
    case DETECT_EQUALS:
        return any_operand(node, text, detect_text_equals);
    case DETECT_CONTAINS:
        return any_operand(node, text, detect_text_contains);
    case DETECT_STARTS_WITH:
        return any_operand(node, text, detect_text_starts_with);
    case DETECT_ENDS_WITH:
        return any_operand(node, text, detect_text_ends_with);
    case DETECT_REGEX:
        for (size_t i = 0; i < node->regex_count; i++)
            if (regexec(node->regexes[i], text, 0, NULL, 0) == 0)
                return true;
        return false;
    case DETECT_IS_IP:
    case DETECT_TLD_IN:
    case DETECT_HOST_IN:
        return host_test(node, text, context);
    case DETECT_EMPTY:
        return false;  /* handled over the whole list */
    }
    return false;
}

static bool test_matches(const detect_node *node, detect_context *context)
{
    const char *const *values;
    size_t count;
    if (!field_values(context, node->field, &values, &count))
        return false;
    if (node->op == DETECT_EMPTY) {
        bool empty = true;
        for (size_t i = 0; i < count && empty; i++)
            empty = !values[i] || !*values[i];
        return empty == node->expect;
    }
    for (size_t i = 0; i < count; i++)
        if (value_matches(node, values[i] ? values[i] : "", context))
            return true;
    return false;
}

bool detect_node_matches(const detect_node *node, detect_context *context)
{
    switch (node->kind) {
    case DETECT_ALL_OF:
        for (size_t i = 0; i < node->child_count; i++)
            if (!detect_node_matches(node->children[i], context))
                return false;
        return true;
    case DETECT_ANY_OF:
        for (size_t i = 0; i < node->child_count; i++)
            if (detect_node_matches(node->children[i], context))
                return true;
        return false;
    case DETECT_NOT:
        return node->child_count == 1 && !detect_node_matches(node->children[0], context);
    case DETECT_TEST:
        return test_matches(node, context);
    }
    return false;
}
