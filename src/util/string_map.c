#include "util/string_map.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Eight bytes per step (keys are SIDs, URLs, verdict keys of 20-200 bytes):
 * multiply-xorshift over native words, the length mixed in first. */
static size_t hash_text(const char *key)
{
    const uint64_t multiplier = 0x9E3779B97F4A7C15ull;
    size_t length = strlen(key);
    const unsigned char *p = (const unsigned char *)key;
    uint64_t h = 0xcbf29ce484222325ull ^ length;
    for (; length >= 8; p += 8, length -= 8) {
        uint64_t word;
        memcpy(&word, p, 8);  /* one load; the byte order only changes the hash */
        h = (h ^ word) * multiplier;
        h ^= h >> 32;
    }
    uint64_t tail = 0;
    for (size_t i = 0; i < length; i++)
        tail |= (uint64_t)p[i] << (8 * i);
    h = (h ^ tail) * multiplier;
    h ^= h >> 29;
    h *= multiplier;
    return (size_t)(h ^ (h >> 32));
}

void bp_string_map_free(bp_string_map *map)
{
    free(map->slots);
    memset(map, 0, sizeof(*map));
}

static bp_string_map_slot *find_slot(const bp_string_map *map, const char *key)
{
    size_t mask = map->size - 1;
    for (size_t i = hash_text(key) & mask;; i = (i + 1) & mask)  /* ends: the map is never full */
        if (!map->slots[i].key || strcmp(map->slots[i].key, key) == 0)
            return &map->slots[i];
}

bool bp_string_map_get(const bp_string_map *map, const char *key, size_t *value)
{
    if (!map->size)
        return false;
    const bp_string_map_slot *slot = find_slot(map, key);
    if (!slot->key)
        return false;
    *value = slot->value;
    return true;
}

/* Keep the load at most one half. */
static bool make_room(bp_string_map *map)
{
    if (map->size && (map->count + 1) * 2 <= map->size)
        return true;
    size_t size = map->size ? map->size * 2 : 64;
    if (size > SIZE_MAX / sizeof(bp_string_map_slot))
        return false;
    bp_string_map_slot *slots = calloc(size, sizeof(bp_string_map_slot));
    if (!slots)
        return false;
    bp_string_map old = *map;
    map->slots = slots;
    map->size = size;
    for (size_t i = 0; i < old.size; i++)
        if (old.slots[i].key)
            *find_slot(map, old.slots[i].key) = old.slots[i];
    free(old.slots);
    return true;
}

static bp_string_map_slot *slot_for_insert(bp_string_map *map, const char *key)
{
    if (!make_room(map)) {
        map->out_of_memory = true;
        return NULL;
    }
    return find_slot(map, key);
}

bool bp_string_map_add(bp_string_map *map, const char *key, size_t value)
{
    if (map->size) {
        size_t existing;
        if (bp_string_map_get(map, key, &existing))
            return false;
    }
    bp_string_map_slot *slot = slot_for_insert(map, key);
    if (!slot)
        return false;
    slot->key = key;
    slot->value = value;
    map->count++;
    return true;
}

void bp_string_map_set(bp_string_map *map, const char *key, size_t value)
{
    if (map->size) {  /* a key already there is updated without growing */
        bp_string_map_slot *existing = find_slot(map, key);
        if (existing->key) {
            existing->value = value;
            return;
        }
    }
    bp_string_map_slot *slot = slot_for_insert(map, key);
    if (!slot)
        return;
    if (!slot->key) {
        slot->key = key;
        map->count++;
    }
    slot->value = value;
}
