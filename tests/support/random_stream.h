/* The tests' random streams: xorshift generators from fixed seeds, so every
 * run builds the same damage and the same random bytes (a failure replays).
 * The 64-bit one (shifts 13, 7, 17) is the sweeps' and most tests'; the 32-bit
 * one (13, 17, 5) is the blob damage tests' own, kept so their inputs stay the
 * same. */
#ifndef BP_TEST_RANDOM_STREAM_H
#define BP_TEST_RANDOM_STREAM_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t random_next(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

static inline uint32_t random_next32(uint32_t *state)
{
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

#endif
