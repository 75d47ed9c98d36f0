/* Sigma's `re` values are written for PCRE-like engines; bitsparse runs them
 * as POSIX extended regexes (regcomp). What has the same meaning in both is
 * kept; the common PCRE shorthands are rewritten (\d \w \s and their
 * negations, (?:...), a leading (?i)); anything else that would silently mean
 * something different in ERE (lookaround, lazy or possessive quantifiers,
 * backreferences, \b, other flags) is refused with the reason. */
#include <string.h>

#include "detect/sigma.h"

typedef struct ere_out {
    char *text;
    size_t length;
} ere_out;

static void put(ere_out *out, const char *text)
{
    size_t n = strlen(text);
    memcpy(out->text + out->length, text, n);
    out->length += n;
}

static void put_char(ere_out *out, char c) { out->text[out->length++] = c; }

/* Shorthand class -> ERE text, outside brackets (negated allowed) or inside. */
static const char *shorthand(char c, bool in_bracket)
{
    switch (c) {
    case 'd': return in_bracket ? "0-9" : "[0-9]";
    case 'w': return in_bracket ? "[:alnum:]_" : "[[:alnum:]_]";
    case 's': return in_bracket ? "[:space:]" : "[[:space:]]";
    case 'D': return in_bracket ? NULL : "[^0-9]";
    case 'W': return in_bracket ? NULL : "[^[:alnum:]_]";
    case 'S': return in_bracket ? NULL : "[^[:space:]]";
    default: return NULL;
    }
}

static bool is_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

const char *sigma_regex_to_ere(const char *pcre, util_arena *arena, bool *case_insensitive,
                               const char **why, size_t *offset)
{
    size_t length = strlen(pcre);
    /* worst case: every character becomes "[^[:alnum:]_]" (13 bytes) */
    ere_out out = {util_arena_alloc(arena, 13 * length + 1), 0};
    if (!out.text) {
        *why = "out of memory";
        *offset = 0;
        return NULL;
    }
    *case_insensitive = false;
    size_t i = 0;
    if (strncmp(pcre, "(?i)", 4) == 0) {
        *case_insensitive = true;
        i = 4;
    }
    bool in_bracket = false;
    for (; i < length; i++) {
        char c = pcre[i];
        *offset = i;
        if (in_bracket) {
            if (c == ']' && !(out.text[out.length - 1] == '[' ||
                              (out.text[out.length - 1] == '^' && out.text[out.length - 2] == '['))) {
                in_bracket = false;
                put_char(&out, c);
            } else if (c == '\\') {
                char e = pcre[i + 1];
                const char *s = shorthand(e, true);
                if (s) {
                    put(&out, s);
                } else if (e == ']' || e == '^' || e == '-' || e == '[' || e == '\0' ||
                           is_alnum(e)) {
                    *why = "this escape inside [...] has no POSIX equivalent";
                    return NULL;
                } else {
                    put_char(&out, e);  /* "\." in brackets is a plain '.' */
                }
                i++;
            } else {
                put_char(&out, c);
            }
            continue;
        }
        if (c == '[') {
            in_bracket = true;
            put_char(&out, c);
            if (pcre[i + 1] == '^')
                put_char(&out, pcre[++i]);
            continue;
        }
        if (c == '\\') {
            char e = pcre[i + 1];
            const char *s = shorthand(e, false);
            if (s)
                put(&out, s);
            else if (e == 'n')
                put_char(&out, '\n');
            else if (e == 't')
                put_char(&out, '\t');
            else if (e == 'r')
                put_char(&out, '\r');
            else if (e == '\0') {
                *why = "the regex ends with a lone backslash";
                return NULL;
            } else if (is_alnum(e)) {
                *why = "this escape (\\b, \\A, \\1, \\x.. ...) has no POSIX equivalent";
                return NULL;
            } else {
                put_char(&out, '\\');
                put_char(&out, e);
            }
            i++;
            continue;
        }
        if (c == '(' && pcre[i + 1] == '?') {
            if (pcre[i + 2] == ':') {
                put_char(&out, '(');
                i += 2;
                continue;
            }
            *why = "(?...) groups other than (?:...) and a leading (?i) have no POSIX equivalent";
            return NULL;
        }
        if ((c == '*' || c == '+' || c == '?' || c == '}') && (pcre[i + 1] == '?' || pcre[i + 1] == '+')) {
            *offset = i + 1;
            *why = "lazy and possessive quantifiers have no POSIX equivalent";
            return NULL;
        }
        put_char(&out, c);
    }
    if (in_bracket) {
        *why = "unterminated [...]";
        return NULL;
    }
    out.text[out.length] = '\0';
    return out.text;
}
