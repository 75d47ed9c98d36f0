/* Decoded security descriptors kept by their exact bytes. The jobs of a queue
 * carry the same few descriptors (one per owner and kind of job), and decoding
 * one (SIDs to text, ACE names, rights text) cost more than the rest of the
 * job blob: with the cache each distinct descriptor is decoded once per queue.
 *
 * Only a descriptor that decoded without a single warning is kept: its decode
 * then depends on its bytes alone (warnings name the blob and the offset, the
 * rest does not), so handing the kept decode to the next job that carries the
 * same bytes gives exactly what decoding them again would. A descriptor with
 * warnings is decoded again for every job that carries it, with its warnings. */
#ifndef BP_BITS_SECURITY_DESCRIPTOR_CACHE_H
#define BP_BITS_SECURITY_DESCRIPTOR_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bits/security_descriptor.h"
#include "util/arena.h"
#include "util/reader.h"

/* Bounds: at most this many descriptors, each at most this long (Windows
 * writes 100-1300 bytes; longer ones are decoded every time). */
#define BITS_SD_CACHE_MAX_ENTRIES 32
#define BITS_SD_CACHE_MAX_BYTES 4096

/* Found by comparing the bytes with each kept descriptor's, the last one
 * found first: a queue has a handful, and a memcmp of a kilobyte is several
 * times cheaper than hashing it. */
typedef struct bits_sd_cache {
    util_arena *arena;           /* the kept decodes and their keys: must outlive every record given one */
    const uint8_t *keys[BITS_SD_CACHE_MAX_ENTRIES];  /* each descriptor's bytes (copied into arena) */
    size_t key_sizes[BITS_SD_CACHE_MAX_ENTRIES];
    bits_security_descriptor entries[BITS_SD_CACHE_MAX_ENTRIES];
    size_t count;
    size_t last;                 /* the entry found last */
    size_t hits;                 /* decodes saved (tests, docs/performance.md) */
} bits_sd_cache;

/* An empty cache whose kept decodes go to `arena` (a result's long-lived arena). */
void bits_sd_cache_init(bits_sd_cache *cache, util_arena *arena);
/* Forgets the kept decodes; they stay in the arena (records point to them). */
void bits_sd_cache_free(bits_sd_cache *cache);

/* The kept decode of these bytes into *out; false when there is none (or no
 * cache, or no warnings to tell a clean decode). Lets a caller skip preparing
 * what only a real decode needs (its warning prefix). */
bool bits_sd_cache_take(bits_sd_cache *cache, const bp_note_list *warnings, util_reader sd,
                        bits_security_descriptor *out);

/* After bits_sd_cache_take said no: the real decode, kept when it gave no
 * warning (the bytes are not looked up a second time). `cache` NULL or no
 * warnings: a plain decode. */
bool bits_sd_cache_decode_missed(bits_sd_cache *cache, util_arena *arena, util_reader sd, size_t base_offset,
                                 const char *where, bp_note_list *warnings, bits_security_descriptor *out);

/* bits_decode_security_descriptor, answered from the cache when these bytes
 * decoded without a warning before. `cache` NULL: a plain decode. The decode
 * handed out may live in the cache's arena instead of `arena`: read-only. */
bool bits_decode_security_descriptor_cached(bits_sd_cache *cache, util_arena *arena, util_reader sd,
                                            size_t base_offset, const char *where, bp_note_list *warnings,
                                            bits_security_descriptor *out);

#endif
