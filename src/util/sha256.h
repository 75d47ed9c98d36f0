/* SHA-256 (FIPS 180-4), fed incrementally so a file is hashed while it is
 * read: the provenance of every input (source.sha256) costs no second pass.
 * On x86 CPUs with the SHA extensions the blocks go through them (chosen at
 * run time, src/util/sha256_x86.c); elsewhere through portable C. */
#ifndef BP_UTIL_SHA256_H
#define BP_UTIL_SHA256_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct util_sha256 {
    uint32_t state[8];
    uint64_t length;        /* bytes fed so far */
    uint8_t block[64];      /* a partial block waiting for more bytes */
    size_t block_used;
    bool use_sha_ni;        /* compress with the x86 SHA instructions */
} util_sha256;

#define UTIL_SHA256_HEX_SIZE 65  /* 64 lowercase hex digits and the NUL */

void util_sha256_init(util_sha256 *ctx);
void util_sha256_update(util_sha256 *ctx, const void *data, size_t size);
/* Finish and write the digest as lowercase hex into hex (UTIL_SHA256_HEX_SIZE bytes). */
void util_sha256_hex(util_sha256 *ctx, char hex[UTIL_SHA256_HEX_SIZE]);

/* For tests: start a hash that always takes the portable C path, and say
 * whether util_sha256_init would take the SHA instructions on this CPU. */
void util_sha256_init_portable(util_sha256 *ctx);
bool util_sha256_has_sha_ni(void);

#endif
