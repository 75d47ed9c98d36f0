/* Value transformations of Sigma modifiers: escapes, base64 / base64offset,
 * literal patterns, cidr networks. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "detect/sigma.h"

/* Sigma's escapes: "\*", "\?" and "\\" stand for the character; any other
 * backslash is itself. NULL when an unescaped wildcard remains. */
const char *sigma_unescape(const char *value, util_arena *arena)
{
    char *out = util_arena_alloc(arena, strlen(value) + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const char *p = value; *p; p++) {
        if (*p == '\\' && (p[1] == '*' || p[1] == '?' || p[1] == '\\'))
            *o++ = *++p;
        else if (*p == '*' || *p == '?')
            return NULL;
        else
            *o++ = *p;
    }
    *o = '\0';
    return out;
}

static const char base64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64_bytes(const unsigned char *bytes, size_t length, util_arena *arena)
{
    char *out = util_arena_alloc(arena, (length + 2) / 3 * 4 + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (size_t i = 0; i < length; i += 3) {
        unsigned v = (unsigned)bytes[i] << 16;
        if (i + 1 < length)
            v |= (unsigned)bytes[i + 1] << 8;
        if (i + 2 < length)
            v |= bytes[i + 2];
        *o++ = base64_alphabet[(v >> 18) & 63];
        *o++ = base64_alphabet[(v >> 12) & 63];
        *o++ = i + 1 < length ? base64_alphabet[(v >> 6) & 63] : '=';
        *o++ = i + 2 < length ? base64_alphabet[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

const char *sigma_base64(const char *text, util_arena *arena)
{
    return base64_bytes((const unsigned char *)text, strlen(text), arena);
}

/* The value encoded after 0, 1 and 2 leading bytes, cut to the characters
 * that depend on the value alone: the first 0/2/3 characters (they hold the
 * unknown leading bytes) and, depending on where the value ends in its
 * 3-byte group, the last 0/3/2 (they hold the unknown following bytes). This
 * is what Sigma's specification gives for base64offset. */
bool sigma_base64_offsets(const char *text, util_arena *arena, const char *out[3])
{
    static const size_t start_cut[3] = {0, 2, 3};
    static const size_t end_cut[3] = {0, 3, 2};
    size_t length = strlen(text);
    unsigned char *shifted = util_arena_alloc(arena, length + 3);
    if (!shifted)
        return false;
    for (size_t i = 0; i < 3; i++) {
        memset(shifted, ' ', i);
        memcpy(shifted + i, text, length);
        char *encoded = base64_bytes(shifted, length + i, arena);
        if (!encoded)
            return false;
        size_t encoded_length = strlen(encoded), start = start_cut[i],
               end = end_cut[(length + i) % 3];
        if (start + end >= encoded_length) {
            encoded[0] = '\0';  /* too short to say anything: matches all */
            start = 0;
        } else {
            encoded[encoded_length - end] = '\0';
        }
        out[i] = encoded + start;
    }
    return true;
}

const char *sigma_literal_pattern(const char *text, util_arena *arena)
{
    char *out = util_arena_alloc(arena, 2 * strlen(text) + 1);
    if (!out)
        return NULL;
    char *o = out;
    for (const char *p = text; *p; p++) {
        if (*p == '*' || *p == '?' || *p == '\\')
            *o++ = '\\';
        *o++ = *p;
    }
    *o = '\0';
    return out;
}

bool sigma_parse_cidr(const char *text, sigma_value *value)
{
    char address[64];
    const char *slash = strchr(text, '/');
    size_t length = slash ? (size_t)(slash - text) : strlen(text);
    if (length == 0 || length >= sizeof address)
        return false;
    memcpy(address, text, length);
    address[length] = '\0';
    memset(value->network, 0, sizeof value->network);
    if (inet_pton(AF_INET, address, value->network) == 1)
        value->family = 4;
    else if (inet_pton(AF_INET6, address, value->network) == 1)
        value->family = 6;
    else
        return false;
    unsigned max = value->family == 4 ? 32 : 128;
    value->prefix = max;
    if (slash) {
        char *end = NULL;
        if (slash[1] < '0' || slash[1] > '9')
            return false;
        unsigned long prefix = strtoul(slash + 1, &end, 10);
        if (*end || prefix > max)
            return false;
        value->prefix = (unsigned)prefix;
    }
    return true;
}
