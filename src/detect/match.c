/* Evaluation of a compiled condition tree on one record. A test on a list
 * field holds when it holds for any entry; `empty` holds when every entry is
 * "" (or there is none). Field values are computed once per record. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect_internal.h"
#include "util/growable.h"

static bool field_values(detect_context *context, size_t field, const char *const **values,
                         size_t *count)
{
    detect_field_cache *slot = &context->cache[field];
    if (slot->record != context->record_number) {
        if (!detect_field_values(field, context, &slot->one, &slot->values, &slot->count)) {
            context->out_of_memory = true;
            return false;
        }
        slot->record = context->record_number;
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

const char *detect_context_host_of(detect_context *context, const char *text)
{
    for (unsigned i = 0; i < 2; i++)
        if (context->host_text[i] == text && context->host[i])
            return context->host[i];
    if (detect_is_plain_host(text))  /* url_host's value under host_in: extracting again gives itself */
        return text;
    unsigned slot = context->host_next;
    context->host_next ^= 1;
    context->host[slot] = detect_host_of(text, context->scratch);
    context->host_text[slot] = text;
    if (!context->host[slot])
        context->out_of_memory = true;
    return context->host[slot];
}

/* A host test on the host itself (never NULL). */
static bool host_test(const detect_node *node, const char *host)
{
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
static bool value_matches_now(const detect_node *node, const char *text)
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
        for (size_t i = 0; i < node->regex_count; i++) {
            if (node->suffix_regexes[i]   ? detect_suffix_regex_matches(node->suffix_regexes[i], text)
                : node->prefix_regexes[i] ? detect_prefix_regex_matches(node->prefix_regexes[i], text)
                                          : regexec(node->regexes[i], text, 0, NULL, 0) == 0)
                return true;
        }
        return false;
    case DETECT_IS_IP:
    case DETECT_TLD_IN:
    case DETECT_HOST_IN:
        return host_test(node, text);  /* value_matches passes the host */
    case DETECT_EMPTY:
        return false;  /* handled over the whole list */
    }
    return false;
}

void detect_verdicts_free(detect_verdicts *verdicts)
{
    util_string_map_free(&verdicts->map);
    util_arena_free(&verdicts->keys);
    free(verdicts->probe);
    memset(verdicts, 0, sizeof(*verdicts));
}

/* Regexes and host tests cost thousands of instructions a value (a host is
 * extracted, then compared with every listed suffix); the string tests are
 * cheaper than a memo lookup. */
static bool worth_remembering(const detect_node *node)
{
    switch (node->op) {
    case DETECT_REGEX:  /* a suffix or prefix test costs less than the memo lookup */
        return !node->all_suffix_regexes;
    case DETECT_IS_IP:
    case DETECT_TLD_IN:
    case DETECT_HOST_IN:
        return true;
    default:
        return node->value_count >= 8;
    }
}

/* The memo key of (test, value) in verdicts->probe: the test's address as
 * bytes, then the value's; its length, 0 when out of memory. */
static size_t verdict_key(detect_verdicts *verdicts, const detect_node *node, const char *text)
{
    size_t length = strlen(text);
    size_t needed = sizeof(node) + length;
    if (!util_grow_to((void **)&verdicts->probe, &verdicts->probe_size, needed, 1))
        return 0;
    memcpy(verdicts->probe, &node, sizeof(node));
    memcpy(verdicts->probe + sizeof(node), text, length);
    return needed;
}

/* The use count of a test's memo; NULL when DETECT_MEMO_TESTS are followed
 * already (that test is then always remembered). */
static detect_memo_use *memo_use(detect_verdicts *verdicts, const detect_node *node)
{
    size_t mask = DETECT_MEMO_TESTS - 1;
    size_t start = (size_t)(((uintptr_t)node >> 4) & mask);
    for (size_t n = 0, i = start; n < DETECT_MEMO_TESTS; n++, i = (i + 1) & mask) {
        detect_memo_use *use = &verdicts->uses[i];
        if (use->node == node)
            return use;
        if (!use->node) {
            use->node = node;
            return use;
        }
    }
    return NULL;
}

/* Still worth a lookup: on trial, or answering often enough. */
static bool memo_pays(const detect_memo_use *use)
{
    return !use || use->lookups < DETECT_MEMO_TRIAL || use->hits * DETECT_MEMO_MIN_HIT_RATE >= use->lookups;
}

/* text is the value this test last answered (its bytes, then its end). */
static bool repeats_last(const detect_memo_use *use, const char *text)
{
    return use->last_length && strncmp(text, use->last, use->last_length) == 0 && text[use->last_length] == '\0';
}

/* Keep text (length bytes, not "") and its verdict as the test's last value;
 * a longer text only forgets the one kept. */
static void keep_last(detect_memo_use *use, const char *text, size_t length, bool verdict)
{
    if (!use)
        return;
    if (length == 0 || length >= DETECT_MEMO_LAST_TEXT) {
        use->last_length = 0;
        return;
    }
    memcpy(use->last, text, length);
    use->last[length] = '\0';
    use->last_length = (uint8_t)length;
    use->last_verdict = verdict;
}

static bool is_host_test(const detect_node *node)
{
    return node->op == DETECT_IS_IP || node->op == DETECT_TLD_IN || node->op == DETECT_HOST_IN;
}

/* A host test is decided by the value's host (URLs differ, hosts repeat), so
 * its verdict is remembered under the host; other costly tests under the
 * value. */
static bool value_matches(const detect_node *node, const char *text, detect_context *context)
{
    if (is_host_test(node)) {
        text = detect_context_host_of(context, text);
        if (!text)
            return false;
    }
    detect_verdicts *verdicts = context->verdicts;
    if (!verdicts || !worth_remembering(node))
        return value_matches_now(node, text);
    detect_memo_use *use = memo_use(verdicts, node);
    size_t key_length;
    if (!memo_pays(use))
        return value_matches_now(node, text);
    if (use && repeats_last(use, text)) {
        use->lookups++;
        use->hits++;
        return use->last_verdict;
    }
    if (!(key_length = verdict_key(verdicts, node, text)))
        return value_matches_now(node, text);
    size_t verdict;
    bool known = util_bytes_map_get(&verdicts->map, verdicts->probe, key_length, &verdict);
    if (use) {
        use->lookups++;
        use->hits += known;
    }
    if (known) {
        keep_last(use, text, key_length - sizeof(node), verdict != 0);
        return verdict != 0;
    }
    bool matches = value_matches_now(node, text);
    keep_last(use, text, key_length - sizeof(node), matches);
    if (!context->out_of_memory && verdicts->map.count < DETECT_VERDICTS_MAX) {
        void *key = util_arena_alloc(&verdicts->keys, key_length);
        if (key) {
            memcpy(key, verdicts->probe, key_length);
            util_bytes_map_add(&verdicts->map, key, key_length, matches);
        }
    }
    return matches;
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
