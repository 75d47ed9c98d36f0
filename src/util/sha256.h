/* SHA-256 (FIPS 180-4), fed incrementally so a file is hashed while it is
 * read: the provenance of every input (source.sha256) costs no second pass. */
#ifndef BP_UTIL_SHA256_H
#define BP_UTIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct bp_sha256 {
    uint32_t state[8];
    uint64_t length;        /* bytes fed so far */
    uint8_t block[64];      /* a partial block waiting for more bytes */
    size_t block_used;
} bp_sha256;

#define BP_SHA256_HEX_SIZE 65  /* 64 lowercase hex digits and the NUL */

void bp_sha256_init(bp_sha256 *ctx);
void bp_sha256_update(bp_sha256 *ctx, const void *data, size_t size);
/* Finish and write the digest as lowercase hex into hex (BP_SHA256_HEX_SIZE bytes). */
void bp_sha256_hex(bp_sha256 *ctx, char hex[BP_SHA256_HEX_SIZE]);

#endif
