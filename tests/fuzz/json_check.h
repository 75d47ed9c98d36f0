/* A strict JSON syntax check (RFC 8259) for the fuzz harness: the writers'
 * output must parse back. It replaces a cJSON parse per execution, which
 * built and freed a node per value (under AddressSanitizer 18 % of a
 * fuzz_carve execution); it allocates nothing. Written from the RFC's grammar,
 * independently of the emitter (src/output/json_emit.c). The tests keep
 * comparing the output with cJSON (test_json_emit, test_output).
 * UTF-8 validity of the text is checked separately (fuzz_utf8_valid). */
#ifndef BP_FUZZ_JSON_CHECK_H
#define BP_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Levels of nesting taken: more than any record the writers produce; bounds
 * the recursion. */
#define JSON_CHECK_MAX_DEPTH 64

typedef struct json_cursor {
    const char *p, *end;
} json_cursor;

static inline void json_skip_space(json_cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static inline bool json_take(json_cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static inline bool json_literal(json_cursor *c, const char *word)
{
    for (; *word; word++)
        if (!json_take(c, *word))
            return false;
    return true;
}

static inline int json_hex_digit(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* \uXXXX after the backslash and 'u' were taken; -1 when malformed. */
static inline long json_hex4(json_cursor *c)
{
    if (c->end - c->p < 4)
        return -1;
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = json_hex_digit(c->p[i]);
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    c->p += 4;
    return value;
}

/* A string; escapes as the RFC lists them, no raw control characters, a
 * surrogate escape only as a high-low pair (stricter than the RFC's grammar,
 * as cJSON is: the emitter writes no \u escape above \u001f). */
static inline bool json_string(json_cursor *c)
{
    if (!json_take(c, '"'))
        return false;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"')
            return true;
        if (ch < 0x20)
            return false;
        if (ch != '\\')
            continue;
        if (c->p >= c->end)
            return false;
        char escape = *c->p++;
        switch (escape) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            break;
        case 'u': {
            long unit = json_hex4(c);
            if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
                return false;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                if (!json_literal(c, "\\u"))
                    return false;
                long low = json_hex4(c);
                if (low < 0xDC00 || low > 0xDFFF)
                    return false;
            }
            break;
        }
        default:
            return false;
        }
    }
    return false;
}

static inline bool json_digits(json_cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > start;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static inline bool json_number(json_cursor *c)
{
    json_take(c, '-');
    if (json_take(c, '0')) {
        /* no leading zeros */
    } else if (c->p < c->end && *c->p >= '1' && *c->p <= '9') {
        json_digits(c);
    } else {
        return false;
    }
    if (json_take(c, '.') && !json_digits(c))
        return false;
    if (json_take(c, 'e') || json_take(c, 'E')) {
        if (!json_take(c, '+'))
            json_take(c, '-');
        if (!json_digits(c))
            return false;
    }
    return true;
}

static inline bool json_value(json_cursor *c, int depth, size_t *members);

/* Object or array after its opening bracket; *members counts its members. */
static inline bool json_container(json_cursor *c, int depth, bool object, size_t *members)
{
    char close = object ? '}' : ']';
    json_skip_space(c);
    if (json_take(c, close))
        return true;
    for (;;) {
        if (object) {
            json_skip_space(c);
            if (!json_string(c))
                return false;
            json_skip_space(c);
            if (!json_take(c, ':'))
                return false;
        }
        size_t ignored;
        if (!json_value(c, depth + 1, &ignored))
            return false;
        (*members)++;
        json_skip_space(c);
        if (json_take(c, close))
            return true;
        if (!json_take(c, ','))
            return false;
    }
}

/* One value with the space around it; *members: the members of an object or
 * array, 0 for anything else. */
static inline bool json_value(json_cursor *c, int depth, size_t *members)
{
    *members = 0;
    json_skip_space(c);
    if (c->p >= c->end)
        return false;
    bool ok;
    switch (*c->p) {
    case '{':
    case '[':
        if (depth >= JSON_CHECK_MAX_DEPTH)
            return false;
        ok = json_container(c, depth, *c->p++ == '{', members);
        break;
    case '"': ok = json_string(c); break;
    case 't': ok = json_literal(c, "true"); break;
    case 'f': ok = json_literal(c, "false"); break;
    case 'n': ok = json_literal(c, "null"); break;
    default: ok = json_number(c); break;
    }
    json_skip_space(c);
    return ok;
}

/* The whole text is one JSON value whose first byte is `kind` ('[' or '{');
 * *members gets its member count. */
static inline bool json_check(const char *text, size_t size, char kind, size_t *members)
{
    json_cursor c = {text, text + size};
    json_skip_space(&c);
    if (c.p >= c.end || *c.p != kind)
        return false;
    return json_value(&c, 0, members) && c.p == c.end;
}

#endif
