/* A streaming JSON emitter into a reusable byte buffer: no tree, no
 * allocation per value. Its layout is the one the JSON and timeline outputs
 * have always had (cJSON's: in pretty mode members on their own lines
 * indented by tabs, "key":<tab>value, array elements separated by ", "), so
 * switching to it changed no output byte; string escaping is the same too. */
#ifndef BP_OUTPUT_JSON_EMIT_H
#define BP_OUTPUT_JSON_EMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OUT_JSON_MAX_DEPTH 16

typedef struct out_json {
    char *text;      /* what was emitted, NUL-terminated; kept by out_json_clear */
    size_t length;
    size_t capacity;
    bool pretty;
    unsigned indent;                 /* tabs added to every line (pretty) */
    unsigned depth;
    bool in_array[OUT_JSON_MAX_DEPTH];
    bool has_items[OUT_JSON_MAX_DEPTH];
    bool failed;                     /* out of memory or nesting too deep */
} out_json;

void out_json_init(out_json *json, bool pretty, unsigned indent);
/* Empty the text for the next document, keeping the buffer. */
void out_json_clear(out_json *json);
void out_json_free(out_json *json);
/* Start another document after the text already held (records gathered
 * before one write): the nesting starts over, the text stays. */
void out_json_next_document(out_json *json);
/* Drop what follows the first `length` bytes (a document that failed). */
void out_json_truncate(out_json *json, size_t length);

void out_json_begin_object(out_json *json);
void out_json_end_object(out_json *json);
void out_json_begin_array(out_json *json);
void out_json_end_array(out_json *json);
/* The next member's key; its value follows with one of the calls below. */
void out_json_key(out_json *json, const char *key);
/* The same for a key of `length` bytes known to need no escaping (a name
 * from the program's own tables): no strlen, no scan. */
void out_json_plain_key(out_json *json, const char *key, size_t length);
/* A string literal as a plain key. */
#define OUT_JSON_LITERAL_KEY(json, literal) out_json_plain_key((json), "" literal, sizeof(literal) - 1)

/* A member key written out ahead of time for one nesting depth of one
 * emitter's layout: separator, tabs, "key", colon (and tab). A record's keys
 * are the same every time, so a writer prepares them once and each key is
 * then one copy instead of a dozen small steps. */
typedef struct out_json_prepared_key {
    char *text;       /* padded to a multiple of 16 bytes; owned */
    size_t length;    /* bytes of text, separator included */
    unsigned depth;   /* nesting depth the key is written at (1 = top object) */
} out_json_prepared_key;

/* false when the key cannot be prepared (it needs escaping, the nesting is
 * too deep, or out of memory): write it with out_json_plain_key instead. */
bool out_json_prepare_key(const out_json *json, unsigned depth, const char *key, size_t length,
                         out_json_prepared_key *prepared);
void out_json_prepared_key_free(out_json_prepared_key *prepared);
/* The key, as out_json_plain_key would write it at the prepared depth. */
void out_json_put_prepared_key(out_json *json, const out_json_prepared_key *prepared);
/* The key and a string value in one step: out_json_put_prepared_key then
 * out_json_string (NULL prints ""), with one check for room. */
void out_json_prepared_string(out_json *json, const out_json_prepared_key *prepared, const char *text);
/* The same for an unsigned number. */
void out_json_prepared_unsigned(out_json *json, const out_json_prepared_key *prepared, uint64_t number);

void out_json_string(out_json *json, const char *text);  /* NULL prints "" */
void out_json_unsigned(out_json *json, uint64_t number);
void out_json_signed(out_json *json, int64_t number);
void out_json_bool(out_json *json, bool value);
/* Text that is already JSON (members without braces, a number ...). */
void out_json_raw(out_json *json, const char *text, size_t length);

#endif
