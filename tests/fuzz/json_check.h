/* A strict JSON syntax check (RFC 8259) for the fuzz harness: the writers'
 * output must parse back. It replaces a cJSON parse per execution, which
 * built and freed a node per value (under AddressSanitizer 18 % of a
 * fuzz_carve execution); it allocates nothing. Written from the RFC's grammar,
 * independently of the emitter (src/output/json_emit.c). The tests keep
 * comparing the output with cJSON (test_json_emit, test_output).
 * UTF-8 validity of the text is checked separately (fuzz_utf8_valid). Both
 * are left without coverage instrumentation (cmake/fuzz-coverage-ignorelist.txt):
 * they look at every output byte, and a checker's branches guide nothing. */
#ifndef BP_FUZZ_JSON_CHECK_H
#define BP_FUZZ_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Levels of nesting taken: more than any record the writers produce; bounds
 * the recursion. */
#define JSON_CHECK_MAX_DEPTH 64

typedef struct jcheck_cursor {
    const char *p, *end;
} jcheck_cursor;

static inline void jcheck_skip_space(jcheck_cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static inline bool jcheck_take(jcheck_cursor *c, char ch)
{
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return true;
    }
    return false;
}

static inline bool jcheck_literal(jcheck_cursor *c, const char *word)
{
    for (; *word; word++)
        if (!jcheck_take(c, *word))
            return false;
    return true;
}

static inline int jcheck_hex_digit(char ch)
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
static inline long jcheck_hex4(jcheck_cursor *c)
{
    if (c->end - c->p < 4)
        return -1;
    long value = 0;
    for (int i = 0; i < 4; i++) {
        int digit = jcheck_hex_digit(c->p[i]);
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
static inline bool jcheck_string(jcheck_cursor *c)
{
    if (!jcheck_take(c, '"'))
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
            long unit = jcheck_hex4(c);
            if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF))
                return false;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                if (!jcheck_literal(c, "\\u"))
                    return false;
                long low = jcheck_hex4(c);
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

static inline bool jcheck_digits(jcheck_cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > start;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static inline bool jcheck_number(jcheck_cursor *c)
{
    jcheck_take(c, '-');
    if (jcheck_take(c, '0')) {
        /* no leading zeros */
    } else if (c->p < c->end && *c->p >= '1' && *c->p <= '9') {
        jcheck_digits(c);
    } else {
        return false;
    }
    if (jcheck_take(c, '.') && !jcheck_digits(c))
        return false;
    if (jcheck_take(c, 'e') || jcheck_take(c, 'E')) {
        if (!jcheck_take(c, '+'))
            jcheck_take(c, '-');
        if (!jcheck_digits(c))
            return false;
    }
    return true;
}

static inline bool jcheck_value(jcheck_cursor *c, int depth, size_t *members);

/* Object or array after its opening bracket; *members counts its members. */
static inline bool jcheck_container(jcheck_cursor *c, int depth, bool object, size_t *members)
{
    char close = object ? '}' : ']';
    jcheck_skip_space(c);
    if (jcheck_take(c, close))
        return true;
    for (;;) {
        if (object) {
            jcheck_skip_space(c);
            if (!jcheck_string(c))
                return false;
            jcheck_skip_space(c);
            if (!jcheck_take(c, ':'))
                return false;
        }
        size_t ignored;
        if (!jcheck_value(c, depth + 1, &ignored))
            return false;
        (*members)++;
        jcheck_skip_space(c);
        if (jcheck_take(c, close))
            return true;
        if (!jcheck_take(c, ','))
            return false;
    }
}

/* One value with the space around it; *members: the members of an object or
 * array, 0 for anything else. */
static inline bool jcheck_value(jcheck_cursor *c, int depth, size_t *members)
{
    *members = 0;
    jcheck_skip_space(c);
    if (c->p >= c->end)
        return false;
    bool ok;
    switch (*c->p) {
    case '{':
    case '[':
        if (depth >= JSON_CHECK_MAX_DEPTH)
            return false;
        ok = jcheck_container(c, depth, *c->p++ == '{', members);
        break;
    case '"': ok = jcheck_string(c); break;
    case 't': ok = jcheck_literal(c, "true"); break;
    case 'f': ok = jcheck_literal(c, "false"); break;
    case 'n': ok = jcheck_literal(c, "null"); break;
    default: ok = jcheck_number(c); break;
    }
    jcheck_skip_space(c);
    return ok;
}

/* The whole text is one JSON value whose first byte is `kind` ('[' or '{');
 * *members gets its member count. */
/* noinline: the coverage ignorelist works by function, and inlined into an
 * instrumented caller the check would be instrumented again. */
__attribute__((noinline, unused)) static bool json_check(const char *text, size_t size, char kind,
                                                         size_t *members)
{
    jcheck_cursor c = {text, text + size};
    jcheck_skip_space(&c);
    if (c.p >= c.end || *c.p != kind)
        return false;
    return jcheck_value(&c, 0, members) && c.p == c.end;
}

#endif
