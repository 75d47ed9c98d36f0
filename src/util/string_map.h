/* A map from strings (borrowed, not copied) to array positions: the carve
 * session's lookups by job id and file id, which were linear scans and made
 * --carve quadratic in the number of jobs. Open addressing, FNV-1a. */
#ifndef BP_UTIL_STRING_MAP_H
#define BP_UTIL_STRING_MAP_H

#include <stdbool.h>
#include <stddef.h>

typedef struct bp_string_map_slot {
    const char *key;           /* NULL = empty */
    size_t value;
} bp_string_map_slot;

typedef struct bp_string_map {
    bp_string_map_slot *slots;
    size_t size;               /* power of two, or 0 */
    size_t count;
    bool out_of_memory;        /* an insertion failed; lookups still work */
} bp_string_map;

void bp_string_map_free(bp_string_map *map);

/* The value stored under key; false when there is none. */
bool bp_string_map_get(const bp_string_map *map, const char *key, size_t *value);

/* Store value under key unless the key is there already (the first one
 * stays). Returns true when it was stored. */
bool bp_string_map_add(bp_string_map *map, const char *key, size_t value);

/* Store value under key, replacing what was there. */
void bp_string_map_set(bp_string_map *map, const char *key, size_t value);

#endif
