#include "output/json_emit.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void bp_json_init(bp_json *json, bool pretty, unsigned indent)
{
    memset(json, 0, sizeof(*json));
    json->pretty = pretty;
    json->indent = indent;
}

void bp_json_clear(bp_json *json)
{
    json->length = 0;
    if (json->text)
        json->text[0] = '\0';
    json->depth = 0;
    json->failed = false;
}

void bp_json_free(bp_json *json)
{
    free(json->text);
    memset(json, 0, sizeof(*json));
}

/* Room for `more` bytes and the terminating NUL. */
static bool reserve(bp_json *json, size_t more)
{
    if (json->failed)
        return false;
    if (more > SIZE_MAX / 2 - json->length - 1) {
        json->failed = true;
        return false;
    }
    size_t needed = json->length + more + 1;
    if (needed <= json->capacity)
        return true;
    size_t capacity = json->capacity ? json->capacity : 4096;
    while (capacity < needed)
        capacity *= 2;
    char *grown = realloc(json->text, capacity);
    if (!grown) {
        json->failed = true;
        return false;
    }
    json->text = grown;
    json->capacity = capacity;
    return true;
}

static void put(bp_json *json, const char *bytes, size_t length)
{
    if (!reserve(json, length))
        return;
    memcpy(json->text + json->length, bytes, length);
    json->length += length;
    json->text[json->length] = '\0';
}

static void put_char(bp_json *json, char c) { put(json, &c, 1); }

static void put_tabs(bp_json *json, unsigned count)
{
    for (unsigned i = 0; i < count; i++)
        put_char(json, '\t');
}

/* "text" with '"', '\\' and control characters escaped; other bytes as they
 * are (the library hands over valid UTF-8). */
static void put_quoted(bp_json *json, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    put_char(json, '"');
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    while (*s) {
        const unsigned char *run = s;
        while (*s >= 0x20 && *s != '"' && *s != '\\')
            s++;
        put(json, (const char *)run, (size_t)(s - run));
        if (!*s)
            break;
        char escaped[6] = {'\\', 0, 0, 0, 0, 0};
        size_t length = 2;
        switch (*s) {
        case '"': escaped[1] = '"'; break;
        case '\\': escaped[1] = '\\'; break;
        case '\b': escaped[1] = 'b'; break;
        case '\f': escaped[1] = 'f'; break;
        case '\n': escaped[1] = 'n'; break;
        case '\r': escaped[1] = 'r'; break;
        case '\t': escaped[1] = 't'; break;
        default:
            memcpy(escaped + 1, "u00", 3);
            escaped[4] = hex[*s >> 4];
            escaped[5] = hex[*s & 0x0f];
            length = 6;
        }
        put(json, escaped, length);
        s++;
    }
    put_char(json, '"');
}

/* Separator before a value: inside an array, after the first element. */
static void before_value(bp_json *json)
{
    if (json->depth == 0 || !json->in_array[json->depth - 1])
        return;
    if (json->has_items[json->depth - 1])
        put(json, json->pretty ? ", " : ",", json->pretty ? 2 : 1);
    json->has_items[json->depth - 1] = true;
}

static void open_container(bp_json *json, char bracket, bool array)
{
    before_value(json);
    if (json->depth >= BP_JSON_MAX_DEPTH) {
        json->failed = true;
        return;
    }
    put_char(json, bracket);
    json->in_array[json->depth] = array;
    json->has_items[json->depth] = false;
    json->depth++;
    if (!array && json->pretty)
        put_char(json, '\n');
}

void bp_json_begin_object(bp_json *json) { open_container(json, '{', false); }
void bp_json_begin_array(bp_json *json) { open_container(json, '[', true); }

void bp_json_end_object(bp_json *json)
{
    if (json->depth == 0) {
        json->failed = true;
        return;
    }
    json->depth--;
    if (json->pretty) {
        if (json->has_items[json->depth])
            put_char(json, '\n');
        put_tabs(json, json->indent + json->depth);
    }
    put_char(json, '}');
}

void bp_json_end_array(bp_json *json)
{
    if (json->depth == 0) {
        json->failed = true;
        return;
    }
    json->depth--;
    put_char(json, ']');
}

void bp_json_key(bp_json *json, const char *key)
{
    if (json->depth == 0 || json->in_array[json->depth - 1]) {
        json->failed = true;
        return;
    }
    if (json->has_items[json->depth - 1])
        put(json, json->pretty ? ",\n" : ",", json->pretty ? 2 : 1);
    json->has_items[json->depth - 1] = true;
    if (json->pretty)
        put_tabs(json, json->indent + json->depth);
    put_quoted(json, key);
    put(json, json->pretty ? ":\t" : ":", json->pretty ? 2 : 1);
}

void bp_json_string(bp_json *json, const char *text)
{
    before_value(json);
    put_quoted(json, text);
}

void bp_json_raw(bp_json *json, const char *text, size_t length)
{
    before_value(json);
    put(json, text, length);
}

void bp_json_unsigned(bp_json *json, uint64_t number)
{
    char text[24];
    int length = snprintf(text, sizeof text, "%" PRIu64, number);
    bp_json_raw(json, text, (size_t)length);
}

void bp_json_signed(bp_json *json, int64_t number)
{
    char text[24];
    int length = snprintf(text, sizeof text, "%" PRId64, number);
    bp_json_raw(json, text, (size_t)length);
}

void bp_json_bool(bp_json *json, bool value)
{
    bp_json_raw(json, value ? "true" : "false", value ? 4 : 5);
}
