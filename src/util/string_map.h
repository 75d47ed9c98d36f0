/* The one hash map of the code base: keys are strings or runs of bytes
 * (borrowed, not copied: they must outlive the map; never NULL), values array positions.
 * Used for the carve session's lookups by job and file id (which were linear
 * scans and made --carve quadratic in the number of jobs) and its index of
 * blobs by their exact bytes. Open addressing, linear probing, load at most
 * one half; each slot keeps its key's hash, so growing never hashes again. */
#ifndef BP_UTIL_STRING_MAP_H
#define BP_UTIL_STRING_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct util_string_map_slot {
    const void *key;           /* NULL = empty */
    size_t length;             /* bytes of the key (a string's without its NUL) */
    uint64_t hash;
    size_t value;
} util_string_map_slot;

typedef struct util_string_map {
    util_string_map_slot *slots;
    size_t size;               /* power of two, or 0 */
    size_t count;
    bool out_of_memory;        /* an insertion failed; lookups still work */
} util_string_map;

void util_string_map_free(util_string_map *map);

/* The value stored under key; false when there is none. */
bool util_string_map_get(const util_string_map *map, const char *key, size_t *value);

/* Store value under key unless the key is there already (the first one
 * stays). Returns true when it was stored. */
bool util_string_map_add(util_string_map *map, const char *key, size_t value);

/* Store value under key, replacing what was there. */
void util_string_map_set(util_string_map *map, const char *key, size_t value);

/* The same with a key of `length` bytes (any bytes, NUL included); a string
 * key and the bytes of its text without the NUL are the same key. */
bool util_bytes_map_get(const util_string_map *map, const void *key, size_t length, size_t *value);
bool util_bytes_map_add(util_string_map *map, const void *key, size_t length, size_t value);

/* The hash the map gives `length` bytes (64 bits, word at a time), and the
 * lookups taking it, so that a get followed by an add hashes a long key once
 * (the carve session's index of blobs by their bytes). */
uint64_t util_bytes_hash(const void *key, size_t length);
bool util_bytes_map_get_hashed(const util_string_map *map, const void *key, size_t length, uint64_t hash,
                             size_t *value);
bool util_bytes_map_add_hashed(util_string_map *map, const void *key, size_t length, uint64_t hash, size_t value);

#endif
