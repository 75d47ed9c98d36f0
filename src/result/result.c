#include "result/result.h"

#include <stdlib.h>

#include <string.h>

#include "util/growable.h"

const char *bp_version(void) { return BITSPARSE_VERSION; }

bp_result *result_new(void)
{
    bp_result *result = calloc(1, sizeof(*result));
    if (result)
        util_arena_init(&result->arena);
    return result;
}

bp_record *result_add(bp_result *result)
{
    if (!util_grow((void **)&result->records, &result->capacity, result->count, sizeof(bp_record)))
        return NULL;
    bp_record *record = &result->records[result->count++];
    memset(record, 0, sizeof(*record));
    if (result->count > result->held_max)
        result->held_max = result->count;
    return record;
}

/* One parser's state (result_result_parser_state); few parsers keep one, so a list. */
struct result_parser_state {
    const void *key;
    void *data;
    struct result_parser_state *next;
};

void *result_find_parser_state(const bp_result *result, const void *key)
{
    for (const struct result_parser_state *s = result->parser_states; s; s = s->next)
        if (s->key == key)
            return s->data;
    return NULL;
}

void *result_result_parser_state(bp_result *result, const void *key, size_t size)
{
    void *data = result_find_parser_state(result, key);
    if (data)
        return data;
    struct result_parser_state *state = util_arena_alloc(&result->arena, sizeof(*state));
    data = state ? util_arena_alloc(&result->arena, size) : NULL;
    if (!data)
        return NULL;
    *state = (struct result_parser_state){key, data, result->parser_states};
    result->parser_states = state;
    return data;
}

bool result_add_database(bp_result *result, const char *path, uint32_t state, const char *state_name)
{
    if (!util_grow((void **)&result->databases, &result->database_capacity, result->database_count,
                 sizeof(bp_database_info)))
        return false;
    result->databases[result->database_count++] =
        (bp_database_info){path, state, state_name, state == 3};
    return true;
}

size_t bp_result_database_count(const bp_result *result) { return result ? result->database_count : 0; }

const bp_database_info *bp_result_database(const bp_result *result, size_t index)
{
    return result && index < result->database_count ? &result->databases[index] : NULL;
}

void result_note_status(bp_result *result, int status)
{
    if (status > result->status)
        result->status = status;
}

size_t bp_result_count(const bp_result *result) { return result ? result->count : 0; }

const bp_record *bp_result_record(const bp_result *result, size_t index)
{
    return result && index < result->count ? &result->records[index] : NULL;
}

const bp_note_list *bp_result_warnings(const bp_result *result)
{
    return result ? &result->warnings : NULL;
}

void bp_result_free(bp_result *result)
{
    if (!result)
        return;
    free(result->records);
    free(result->databases);
    free(result->inputs);
    util_string_map_free(&result->input_by_path);
    util_string_map_free(&result->input_by_sha256);
    util_string_map_free(&result->input_by_file);
    util_arena_free(&result->stream.window);
    util_arena_free(&result->arena);
    free(result);
}
