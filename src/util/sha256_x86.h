/* The SHA-256 block function on the x86 SHA extensions (SHA256RNDS2,
 * SHA256MSG1, SHA256MSG2) with SSSE3/SSE4.1 shuffles; sha256.c picks it at
 * run time. On other architectures both functions are absent. */
#ifndef BP_UTIL_SHA256_X86_H
#define BP_UTIL_SHA256_X86_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* K0..K63 of FIPS 180-4 §4.2.2, defined in sha256.c. */
extern const uint32_t util_sha256_round_constants[64];

#if defined(__x86_64__) || defined(__i386__)
#define UTIL_SHA256_X86 1
/* True when CPUID reports SHA, SSSE3 and SSE4.1. */
bool util_sha256_x86_supported(void);
/* Compress `blocks` consecutive 64-byte blocks into state (a..h). */
void util_sha256_x86_compress(uint32_t state[8], const uint8_t *data, size_t blocks);
#endif

#endif
