/* Shared by the damaged-input sweeps (test_damaged_*, test_hostile_sweep_*):
 * a seeded xorshift generator, so every run applies the same damage; the one
 * kind of damage they share (a bit flip or a stomp of 1-16 equal bytes); the
 * timing of their runs (mean and slowest printed, never asserted); and whether
 * the build has AddressSanitizer, where the sweeps go sparser to stay inside
 * the test timeout. */
#ifndef BP_TEST_SWEEP_H
#define BP_TEST_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "random_stream.h"
#include <string.h>
#include <time.h>

/* gcc defines __SANITIZE_ADDRESS__, clang has __has_feature */
#if defined(__SANITIZE_ADDRESS__)
#define SWEEP_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SWEEP_SANITIZED 1
#endif
#endif
#ifndef SWEEP_SANITIZED
#define SWEEP_SANITIZED 0
#endif

static inline uint32_t sweep_random(uint64_t *state)
{
    return (uint32_t)random_next(state);
}

/* Damage number i at `at`: every third a single bit flip, the others 1-16
 * bytes (cut at the end of the buffer) set to one random value. */
static inline void sweep_flip_or_stomp(uint64_t *state, uint8_t *data, size_t size, size_t at, int i)
{
    if (i % 3 == 0) {
        data[at] ^= (uint8_t)(1u << (sweep_random(state) % 8));
    } else {
        size_t n = 1 + sweep_random(state) % 16;
        memset(data + at, (int)(sweep_random(state) & 0xFF), size - at < n ? size - at : n);
    }
}

static inline double sweep_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct sweep_timing {
    size_t runs;
    double total_seconds, max_seconds;
    char slowest[128];  /* what the slowest run did */
} sweep_timing;

static inline void sweep_timing_add(sweep_timing *t, double seconds, const char *what)
{
    t->runs++;
    t->total_seconds += seconds;
    if (seconds > t->max_seconds) {
        t->max_seconds = seconds;
        snprintf(t->slowest, sizeof t->slowest, "%s", what);
    }
}

#endif
