#include "util/string_map.h"

#include <stdlib.h>
#include <string.h>

/* Eight bytes at a time, each word mixed in by a multiply and a shift: about
 * one instruction a byte where FNV-1a took five, and the carve session hashes
 * every live blob (36 MB for 10 000 jobs). Only slots depend on it, never
 * the output. */
uint64_t util_bytes_hash(const void *key, size_t length)
{
    const unsigned char *p = key;
    uint64_t h = 0x9E3779B97F4A7C15ull ^ (uint64_t)length;
    size_t n = length;
    for (; n >= 8; n -= 8, p += 8) {
        uint64_t word;
        memcpy(&word, p, sizeof(word));  /* a hash of bytes in memory: byte order changes only the slots */
        h = (h ^ word) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    if (n)
        memcpy(&tail, p, n);
    h = (h ^ tail) * 0x94D049BB133111EBull;
    h ^= h >> 32;
    h *= 0xBF58476D1CE4E5B9ull;
    return h ^ (h >> 29);
}

void util_string_map_free(util_string_map *map)
{
    free(map->slots);
    memset(map, 0, sizeof(*map));
}

static util_string_map_slot *find_slot(const util_string_map *map, const void *key, size_t length, uint64_t hash)
{
    size_t mask = map->size - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {  /* ends: the map is never full */
        util_string_map_slot *slot = &map->slots[i];
        if (!slot->key ||
            (slot->hash == hash && slot->length == length && (length == 0 || memcmp(slot->key, key, length) == 0)))
            return slot;
    }
}

bool util_bytes_map_get_hashed(const util_string_map *map, const void *key, size_t length, uint64_t hash,
                             size_t *value)
{
    if (!map->size)
        return false;
    const util_string_map_slot *slot = find_slot(map, key, length, hash);
    if (!slot->key)
        return false;
    *value = slot->value;
    return true;
}

bool util_bytes_map_get(const util_string_map *map, const void *key, size_t length, size_t *value)
{
    return util_bytes_map_get_hashed(map, key, length, util_bytes_hash(key, length), value);
}

bool util_string_map_get(const util_string_map *map, const char *key, size_t *value)
{
    return util_bytes_map_get(map, key, strlen(key), value);
}

/* Keep the load at most one half. */
static bool make_room(util_string_map *map)
{
    if (map->size && (map->count + 1) * 2 <= map->size)
        return true;
    size_t size = map->size ? map->size * 2 : 64;
    if (size > SIZE_MAX / sizeof(util_string_map_slot))
        return false;
    util_string_map_slot *slots = calloc(size, sizeof(util_string_map_slot));
    if (!slots)
        return false;
    util_string_map old = *map;
    map->slots = slots;
    map->size = size;
    for (size_t i = 0; i < old.size; i++)
        if (old.slots[i].key)
            *find_slot(map, old.slots[i].key, old.slots[i].length, old.slots[i].hash) = old.slots[i];
    free(old.slots);
    return true;
}

/* The slot of key (found or empty), making room first when it is not there. */
static util_string_map_slot *slot_for_insert(util_string_map *map, const void *key, size_t length, uint64_t hash)
{
    if (map->size) {  /* a key already there is found without growing */
        util_string_map_slot *existing = find_slot(map, key, length, hash);
        if (existing->key)
            return existing;
    }
    if (!make_room(map)) {
        map->out_of_memory = true;
        return NULL;
    }
    return find_slot(map, key, length, hash);
}

bool util_bytes_map_add_hashed(util_string_map *map, const void *key, size_t length, uint64_t hash, size_t value)
{
    util_string_map_slot *slot = slot_for_insert(map, key, length, hash);
    if (!slot || slot->key)
        return false;
    slot->key = key;
    slot->length = length;
    slot->hash = hash;
    slot->value = value;
    map->count++;
    return true;
}

bool util_bytes_map_add(util_string_map *map, const void *key, size_t length, size_t value)
{
    return util_bytes_map_add_hashed(map, key, length, util_bytes_hash(key, length), value);
}

bool util_string_map_add(util_string_map *map, const char *key, size_t value)
{
    return util_bytes_map_add(map, key, strlen(key), value);
}

void util_string_map_set(util_string_map *map, const char *key, size_t value)
{
    size_t length = strlen(key);
    uint64_t hash = util_bytes_hash(key, length);
    util_string_map_slot *slot = slot_for_insert(map, key, length, hash);
    if (!slot)
        return;
    if (!slot->key) {
        slot->key = key;
        slot->length = length;
        slot->hash = hash;
        map->count++;
    }
    slot->value = value;
}
