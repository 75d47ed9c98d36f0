#include "bits/security_descriptor_cache.h"

#include <stdint.h>
#include <string.h>

void bits_sd_cache_init(bits_sd_cache *cache, util_arena *arena)
{
    memset(cache, 0, sizeof(*cache));
    cache->arena = arena;
}

void bits_sd_cache_free(bits_sd_cache *cache)
{
    cache->count = 0;
}

static bool same_bytes(const bits_sd_cache *cache, size_t index, util_reader sd)
{
    return cache->key_sizes[index] == sd.size && memcmp(cache->keys[index], sd.data, sd.size) == 0;
}

/* The index of the kept descriptor with exactly these bytes, or SIZE_MAX. */
static size_t find(const bits_sd_cache *cache, util_reader sd)
{
    if (cache->count == 0 || sd.size == 0)
        return SIZE_MAX;
    if (cache->last < cache->count && same_bytes(cache, cache->last, sd))
        return cache->last;
    for (size_t i = 0; i < cache->count; i++)
        if (i != cache->last && same_bytes(cache, i, sd))
            return i;
    return SIZE_MAX;
}

/* Decode the bytes a second time into the cache's arena (no warnings: the
 * first decode had none) and keep it under a copy of the bytes. */
static void keep(bits_sd_cache *cache, util_reader sd)
{
    if (cache->count >= BITS_SD_CACHE_MAX_ENTRIES || sd.size == 0 || sd.size > BITS_SD_CACHE_MAX_BYTES)
        return;
    uint8_t *key = util_arena_alloc(cache->arena, sd.size);
    if (!key)
        return;
    memcpy(key, sd.data, sd.size);
    bits_security_descriptor *entry = &cache->entries[cache->count];
    if (!bits_decode_security_descriptor(cache->arena, util_reader_make(key, sd.size), 0, NULL, NULL, entry))
        return;
    cache->keys[cache->count] = key;
    cache->key_sizes[cache->count] = sd.size;
    cache->count++;
}

bool bits_sd_cache_take(bits_sd_cache *cache, const bp_note_list *warnings, util_reader sd,
                        bits_security_descriptor *out)
{
    if (!cache || !warnings)
        return false;
    size_t index = find(cache, sd);
    if (index == SIZE_MAX)
        return false;
    *out = cache->entries[index];
    cache->last = index;
    cache->hits++;
    return true;
}

bool bits_decode_security_descriptor_cached(bits_sd_cache *cache, util_arena *arena, util_reader sd,
                                            size_t base_offset, const char *where, bp_note_list *warnings,
                                            bits_security_descriptor *out)
{
    if (bits_sd_cache_take(cache, warnings, sd, out))
        return true;
    return bits_sd_cache_decode_missed(cache, arena, sd, base_offset, where, warnings, out);
}

bool bits_sd_cache_decode_missed(bits_sd_cache *cache, util_arena *arena, util_reader sd, size_t base_offset,
                                 const char *where, bp_note_list *warnings, bits_security_descriptor *out)
{
    if (!cache || !warnings)  /* without the warnings it cannot tell a clean decode */
        return bits_decode_security_descriptor(arena, sd, base_offset, where, warnings, out);
    size_t warnings_before = warnings->count;
    bool ok = bits_decode_security_descriptor(arena, sd, base_offset, where, warnings, out);
    if (ok && warnings->count == warnings_before)
        keep(cache, sd);
    return ok;
}
