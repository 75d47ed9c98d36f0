#include "output/json_emit.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "output/text_block.h"
#include "util/growable.h"

void out_json_init(out_json *json, bool pretty, unsigned indent)
{
    memset(json, 0, sizeof(*json));
    json->pretty = pretty;
    json->indent = indent;
}

void out_json_clear(out_json *json)
{
    json->length = 0;
    if (json->text)
        json->text[0] = '\0';
    json->depth = 0;
    json->failed = false;
}

void out_json_next_document(out_json *json)
{
    json->depth = 0;
    json->failed = false;
}

void out_json_truncate(out_json *json, size_t length)
{
    if (length < json->length) {
        json->length = length;
        json->text[length] = '\0';
    }
}

void out_json_free(out_json *json)
{
    free(json->text);
    memset(json, 0, sizeof(*json));
}

/* Room for `more` bytes and the terminating NUL; the rare growth is kept out
 * of line so the common case is one comparison. */
static bool grow(out_json *json, size_t more)
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
    if (!util_grow_to((void **)&json->text, &json->capacity, needed, 1)) {
        json->failed = true;
        return false;
    }
    return true;
}

static inline bool reserve(out_json *json, size_t more)
{
    /* capacity > length always holds once a buffer exists */
    if (!json->failed && json->text && more < json->capacity - json->length)
        return true;
    return grow(json, more);
}

static inline void put(out_json *json, const char *bytes, size_t length)
{
    if (!reserve(json, length))
        return;
    memcpy(json->text + json->length, bytes, length);
    json->length += length;
    json->text[json->length] = '\0';
}

static inline void put_char(out_json *json, char c)
{
    if (!reserve(json, 1))
        return;
    json->text[json->length++] = c;
    json->text[json->length] = '\0';
}

static void put_tabs(out_json *json, unsigned count)
{
    static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    while (count > 0) {
        unsigned run = count < sizeof tabs - 1 ? count : (unsigned)(sizeof tabs - 1);
        put(json, tabs, run);
        count -= run;
    }
}

/* Bytes that JSON strings must escape: '"', '\\' and control characters. */
static const bool needs_escape[256] = {
    [0x00] = true, [0x01] = true, [0x02] = true, [0x03] = true, [0x04] = true, [0x05] = true,
    [0x06] = true, [0x07] = true, [0x08] = true, [0x09] = true, [0x0a] = true, [0x0b] = true,
    [0x0c] = true, [0x0d] = true, [0x0e] = true, [0x0f] = true, [0x10] = true, [0x11] = true,
    [0x12] = true, [0x13] = true, [0x14] = true, [0x15] = true, [0x16] = true, [0x17] = true,
    [0x18] = true, [0x19] = true, [0x1a] = true, [0x1b] = true, [0x1c] = true, [0x1d] = true,
    [0x1e] = true, [0x1f] = true, ['"'] = true, ['\\'] = true,
};

/* Offset of the first of the `length` bytes that needs escaping, or length.
 * Eight bytes at a time: a byte below 0x20, '"' or '\\' sets the high bit
 * of its lane, so words without one are skipped in a few instructions. */
static inline bool word_has_escape(const char *text)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t word;
    memcpy(&word, text, 8);
    uint64_t quote = word ^ (ones * '"'), backslash = word ^ (ones * '\\');
    return (((word - ones * 0x20) | (quote - ones) | (backslash - ones)) & ~word & highs) != 0;
}

#ifdef __SSE2__
/* Sixteen bytes at once where SSE2 is part of the base instruction set
 * (x86-64): a bit per byte that is '"', '\\' or below 0x20. */
static inline unsigned escapes_in(__m128i bytes)
{
    __m128i control = _mm_cmpeq_epi8(_mm_subs_epu8(bytes, _mm_set1_epi8(0x1F)), _mm_setzero_si128());
    __m128i quote = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('"'));
    __m128i backslash = _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'));
    return (unsigned)_mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash)));
}

static inline unsigned block_escapes(const char *text)
{
    return escapes_in(_mm_loadu_si128((const __m128i *)(const void *)text));
}
#endif

static size_t escape_offset(const char *text, size_t length)
{
    size_t i = 0;
#ifdef __SSE2__
    if (length >= 16) {
        for (; i + 16 <= length; i += 16) {
            unsigned hits = block_escapes(text + i);
            if (hits)
                return i + (size_t)__builtin_ctz(hits);
        }
        if (i == length)
            return length;
        /* the rest as the 16 bytes ending the text: what overlaps was clean */
        unsigned hits = block_escapes(text + length - 16);
        return hits ? length - 16 + (size_t)__builtin_ctz(hits) : length;
    }
#endif
    if (length >= 8) {
        while (i + 8 <= length && !word_has_escape(text + i))
            i += 8;
        /* the last, partial word: checked as the 8 bytes ending the text */
        if (i + 8 > length && !word_has_escape(text + length - 8))
            return length;
    }
    for (; i < length; i++)
        if (needs_escape[(unsigned char)text[i]])
            return i;
    return length;
}

/* The escape of one byte ('"', '\\' or a control character) at out; its length. */
static size_t escape_byte(char *out, unsigned char c)
{
    static const char hex[] = "0123456789abcdef";
    out[0] = '\\';
    switch (c) {
    case '"': out[1] = '"'; return 2;
    case '\\': out[1] = '\\'; return 2;
    case '\b': out[1] = 'b'; return 2;
    case '\f': out[1] = 'f'; return 2;
    case '\n': out[1] = 'n'; return 2;
    case '\r': out[1] = 'r'; return 2;
    case '\t': out[1] = 't'; return 2;
    default:
        memcpy(out + 1, "u00", 3);
        out[4] = hex[c >> 4];
        out[5] = hex[c & 0x0f];
        return 6;
    }
}

#ifndef __SSE2__
/* The bytes of s (length of them) escaped into out; returns the end. Room
 * for the worst case plus 16 bytes is reserved by the caller, so short
 * texts are copied as two overlapping words. Without SSE2 only: with it,
 * append_escaped_text finds the end and escapes in one pass. */
static char *copy_escaped(char *out, const char *s, size_t length)
{
    if (length >= 8 && length <= 16 && !word_has_escape(s) && !word_has_escape(s + length - 8)) {
        memcpy(out, s, 8);
        memcpy(out + length - 8, s + length - 8, 8);
        return out + length;
    }
    for (;;) {  /* the runs between escapes, copied in blocks */
        size_t run = escape_offset(s, length);
        memcpy(out, s, run);
        out += run;
        if (run == length)
            return out;
        out += escape_byte(out, (unsigned char)s[run]);
        s += run + 1;
        length -= run + 1;
    }
}
#endif

#ifdef __SSE2__
/* The NUL-terminated s escaped at out (the end of the text), finding its
 * end while copying: one pass instead of strlen and then the copy (a
 * record's hundred values were 4 % of the run in strlen alone). Each block
 * is stored before it is looked at, so 32 bytes of room are kept ahead.
 * Loads stay inside the page of their first byte (text_block.h). Sets the
 * length; on return room for 16 more bytes is left, unless out of memory.
 * Inline, so a caller that has just written a key keeps `out` in a
 * register. */
static inline void escape_text_at(out_json *json, char *out, const char *s)
{
    /* out and limit in locals: a store through a char pointer could alias
     * json->length, which would otherwise be reloaded after every byte */
    char *limit = json->text + json->capacity - 32;
    for (;;) {
        if (out >= limit) {  /* fewer than 32 bytes of room left */
            json->length = (size_t)(out - json->text);
            if (!reserve(json, 64))
                return;
            out = json->text + json->length;
            limit = json->text + json->capacity - 32;
        }
        if (!out_text_block_in_page(s)) {  /* one byte at a time up to the next page */
            unsigned char c = (unsigned char)*s++;
            if (c == '\0')
                break;
            if (needs_escape[c])
                out += escape_byte(out, c);
            else
                *out++ = (char)c;
            continue;
        }
        __m128i bytes = out_text_block_load(s);
        _mm_storeu_si128((__m128i *)(void *)out, bytes);
        unsigned hits = escapes_in(bytes);  /* a NUL is a control character too */
        if (!hits) {
            out += 16;
            s += 16;
            continue;
        }
        unsigned run = (unsigned)__builtin_ctz(hits);
        out += run;
        if (s[run] == '\0')
            break;
        out += escape_byte(out, (unsigned char)s[run]);
        s += run + 1;
    }
    json->length = (size_t)(out - json->text);
}

static void append_escaped_text(out_json *json, const char *s)
{
    if (reserve(json, 64))
        escape_text_at(json, json->text + json->length, s);
}
#else
static void append_escaped_text(out_json *json, const char *s)
{
    size_t length = strlen(s);
    if (length > SIZE_MAX / 8 || !reserve(json, 6 * length + 16)) {
        json->failed = true;
        return;
    }
    json->length = (size_t)(copy_escaped(json->text + json->length, s, length) - json->text);
}
#endif

/* "text" with '"', '\\' and control characters escaped; other bytes as they
 * are (the library hands over valid UTF-8), then `suffix` (the ":\t" after a
 * key, at most 2 bytes). append_escaped_text leaves room for 16 more bytes. */
static void put_quoted(out_json *json, const char *text, const char *suffix, size_t suffix_length)
{
    if (!reserve(json, 16))
        return;
    json->text[json->length++] = '"';
    append_escaped_text(json, text ? text : "");
    if (json->failed || !reserve(json, 16))
        return;
    char *out = json->text + json->length;
    *out++ = '"';
    memcpy(out, suffix, suffix_length);
    out += suffix_length;
    *out = '\0';
    json->length = (size_t)(out - json->text);
}

/* Separator before a value: inside an array, after the first element. */
static inline void before_value(out_json *json)
{
    if (json->depth == 0 || !json->in_array[json->depth - 1])
        return;
    if (json->has_items[json->depth - 1])
        put(json, json->pretty ? ", " : ",", json->pretty ? 2 : 1);
    json->has_items[json->depth - 1] = true;
}

static void open_container(out_json *json, char bracket, bool array)
{
    before_value(json);
    if (json->depth >= OUT_JSON_MAX_DEPTH) {
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

void out_json_begin_object(out_json *json) { open_container(json, '{', false); }
void out_json_begin_array(out_json *json) { open_container(json, '[', true); }

void out_json_end_object(out_json *json)
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

void out_json_end_array(out_json *json)
{
    if (json->depth == 0) {
        json->failed = true;
        return;
    }
    json->depth--;
    put_char(json, ']');
}

/* Separator, tabs, "key", colon (and tab) in one block; false when the
 * key does not fit that shape (deep nesting, or the member is misplaced). */
static bool plain_key(out_json *json, const char *name, size_t length)
{
    if (json->depth == 0 || json->in_array[json->depth - 1]) {
        json->failed = true;
        return true;
    }
    unsigned tabs = json->pretty ? json->indent + json->depth : 0;
    if (tabs > 16 || !reserve(json, length + 22))
        return false;
    bool first = !json->has_items[json->depth - 1];
    json->has_items[json->depth - 1] = true;
    static const char tab_run[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    char *out = json->text + json->length;
    if (!first)
        *out++ = ',';
    if (json->pretty) {
        if (!first)
            *out++ = '\n';
        memcpy(out, tab_run, tabs);
        out += tabs;
    }
    *out++ = '"';
    memcpy(out, name, length);
    out += length;
    *out++ = '"';
    *out++ = ':';
    if (json->pretty)
        *out++ = '\t';
    *out = '\0';
    json->length = (size_t)(out - json->text);
    return true;
}

/* A key that needs escaping, or one plain_key could not take. */
static void quoted_key(out_json *json, const char *key)
{
    if (json->depth == 0 || json->in_array[json->depth - 1]) {
        json->failed = true;
        return;
    }
    bool first = !json->has_items[json->depth - 1];
    json->has_items[json->depth - 1] = true;
    if (!first)
        put(json, json->pretty ? ",\n" : ",", json->pretty ? 2 : 1);
    if (json->pretty)
        put_tabs(json, json->indent + json->depth);
    put_quoted(json, key, json->pretty ? ":\t" : ":", json->pretty ? 2 : 1);
}

void out_json_key(out_json *json, const char *key)
{
    const char *name = key ? key : "";
    size_t length = strlen(name);
    if (escape_offset(name, length) == length && plain_key(json, name, length))
        return;
    quoted_key(json, name);
}

void out_json_plain_key(out_json *json, const char *key, size_t length)
{
    if (!plain_key(json, key, length))
        quoted_key(json, key);
}

/* The bytes a separator takes before a key that is not its object's first. */
static size_t key_separator_length(const out_json *json) { return json->pretty ? 2 : 1; }

bool out_json_prepare_key(const out_json *json, unsigned depth, const char *key, size_t length,
                         out_json_prepared_key *prepared)
{
    memset(prepared, 0, sizeof(*prepared));
    unsigned tabs = json->pretty ? json->indent + depth : 0;
    if (depth == 0 || depth > OUT_JSON_MAX_DEPTH || tabs > 16 || length > 4096 ||
        escape_offset(key, length) != length)
        return false;
    size_t total = key_separator_length(json) + tabs + length + 4;
    /* padded so out_json_put_prepared_key can copy whole 16-byte blocks,
     * at least two, from the start or from just after the separator */
    char *text = calloc((total + 15) / 16 + 2, 16);
    if (!text)
        return false;
    char *out = text;
    *out++ = ',';
    if (json->pretty)
        *out++ = '\n';
    memset(out, '\t', tabs);
    out += tabs;
    *out++ = '"';
    memcpy(out, key, length);
    out += length;
    *out++ = '"';
    *out++ = ':';
    if (json->pretty)
        *out++ = '\t';
    prepared->text = text;
    prepared->length = (size_t)(out - text);
    prepared->depth = depth;
    return true;
}

void out_json_prepared_key_free(out_json_prepared_key *prepared)
{
    free(prepared->text);
    memset(prepared, 0, sizeof(*prepared));
}

/* The prepared key at the end of the text, room for `more` bytes after it
 * reserved as well; NULL when the emitter is elsewhere or out of memory. */
static char *write_prepared_key(out_json *json, const out_json_prepared_key *prepared, size_t more)
{
    if (json->depth != prepared->depth || json->in_array[json->depth - 1]) {
        json->failed = true;  /* the writer's plan and the emitter disagree */
        return NULL;
    }
    size_t skip = json->has_items[json->depth - 1] ? 0 : key_separator_length(json);
    size_t length = prepared->length - skip;
    if (more > SIZE_MAX / 2 || !reserve(json, prepared->length + 32 + more))
        return NULL;
    json->has_items[json->depth - 1] = true;
    /* whole blocks from the padded text: the room beyond is reserved above;
     * two blocks hold nearly every key */
    char *out = json->text + json->length;
    const char *in = prepared->text + skip;
    memcpy(out, in, 16);
    memcpy(out + 16, in + 16, 16);
    for (size_t done = 32; done < length; done += 16)
        memcpy(out + done, in + done, 16);
    return out + length;
}

void out_json_put_prepared_key(out_json *json, const out_json_prepared_key *prepared)
{
    char *out = write_prepared_key(json, prepared, 0);
    if (!out)
        return;
    *out = '\0';
    json->length = (size_t)(out - json->text);
}

#ifdef __SSE2__
/* The key, the opening quote and the escaped text written at one moving
 * position: no second room check or call for the text, and an empty text
 * (two in five of a record's strings) is just the two quotes. */
void out_json_prepared_string(out_json *json, const out_json_prepared_key *prepared,
                                                    const char *text)
{
    char *out = write_prepared_key(json, prepared, 64);
    if (!out) {
        json->failed = true;
        return;
    }
    *out++ = '"';
    if (!text || !*text) {
        *out++ = '"';
        *out = '\0';
        json->length = (size_t)(out - json->text);
        return;
    }
    escape_text_at(json, out, text);
    if (json->failed)
        return;
    /* escape_text_at leaves room for 16 bytes */
    json->text[json->length++] = '"';
    json->text[json->length] = '\0';
}
#else
void out_json_prepared_string(out_json *json, const out_json_prepared_key *prepared, const char *text)
{
    char *out = write_prepared_key(json, prepared, 16);
    if (!out) {
        json->failed = true;
        return;
    }
    *out++ = '"';
    json->length = (size_t)(out - json->text);
    append_escaped_text(json, text ? text : "");
    if (json->failed || !reserve(json, 2))
        return;
    json->text[json->length++] = '"';
    json->text[json->length] = '\0';
}
#endif

void out_json_string(out_json *json, const char *text)
{
    before_value(json);
    if (!text || !*text) {  /* a fifth of all values */
        put(json, "\"\"", 2);
        return;
    }
    put_quoted(json, text, "", 0);
}

void out_json_raw(out_json *json, const char *text, size_t length)
{
    before_value(json);
    put(json, text, length);
}

/* Decimal digits of `number` written backwards ending at `end`; returns the
 * first digit (snprintf costs ten times as much and this runs per field). */
static char *decimal(char *end, uint64_t number)
{
    /* two digits per division */
    static const char pairs[] = "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
                                "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
    char *p = end;
    while (number >= 100) {
        size_t two = (size_t)(number % 100) * 2;
        number /= 100;
        p -= 2;
        p[0] = pairs[two];
        p[1] = pairs[two + 1];
    }
    if (number >= 10) {
        p -= 2;
        p[0] = pairs[number * 2];
        p[1] = pairs[number * 2 + 1];
    } else {
        *--p = (char)('0' + number);
    }
    return p;
}

void out_json_unsigned(out_json *json, uint64_t number)
{
    char text[24];
    char *end = text + sizeof text;
    char *start = decimal(end, number);
    out_json_raw(json, start, (size_t)(end - start));
}

void out_json_prepared_unsigned(out_json *json, const out_json_prepared_key *prepared, uint64_t number)
{
    /* the digits (at most 20) end 24 bytes in, so a 16-byte block from the
     * first digit, and a second one for more than 16 digits, stays inside
     * text: no memcpy call of the length */
    char text[48] = {0};
    char *end = text + 24;
    char *start = decimal(end, number);
    size_t length = (size_t)(end - start);
    char *out = write_prepared_key(json, prepared, 32);
    if (!out)
        return;
    memcpy(out, start, 16);
    if (length > 16)
        memcpy(out + 16, start + 16, 16);
    out += length;
    *out = '\0';
    json->length = (size_t)(out - json->text);
}

void out_json_signed(out_json *json, int64_t number)
{
    char text[24];
    char *end = text + sizeof text;
    /* the magnitude as unsigned, so INT64_MIN does not overflow */
    uint64_t magnitude = number < 0 ? 0 - (uint64_t)number : (uint64_t)number;
    char *start = decimal(end, magnitude);
    if (number < 0)
        *--start = '-';
    out_json_raw(json, start, (size_t)(end - start));
}

void out_json_bool(out_json *json, bool value)
{
    out_json_raw(json, value ? "true" : "false", value ? 4 : 5);
}
