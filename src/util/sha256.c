/* SHA-256 as FIPS 180-4 §6.2 describes it: 64-byte blocks, big-endian words,
 * the length in bits appended after a 0x80 byte and zero padding. Whole
 * blocks go to the x86 SHA instructions when the CPU has them
 * (sha256_x86.c), otherwise to the portable block function here. */
#include "util/sha256.h"

#include "util/sha256_x86.h"

#include <string.h>

const uint32_t util_sha256_round_constants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t rotate_right(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static inline uint32_t load_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* One round with the working variables named by the caller instead of moved
 * (eight rounds later the names come back around): d and h are updated. */
#define ROUND(a, b, c, d, e, f, g, h, i)                                                                 \
    do {                                                                                                 \
        uint32_t t1 = h + (rotate_right(e, 6) ^ rotate_right(e, 11) ^ rotate_right(e, 25)) +              \
                      (g ^ (e & (f ^ g))) + util_sha256_round_constants[i] + w[i];                  \
        uint32_t t2 = (rotate_right(a, 2) ^ rotate_right(a, 13) ^ rotate_right(a, 22)) +                 \
                      ((a & b) | (c & (a | b)));                                                         \
        d += t1;                                                                                         \
        h = t1 + t2;                                                                                     \
    } while (0)

static void compress_portable(uint32_t state[8], const uint8_t *data, size_t blocks)
{
    for (; blocks; blocks--, data += 64) {
        uint32_t w[64];
        for (int i = 0; i < 16; i++)
            w[i] = load_be32(data + 4 * i);
        for (int i = 16; i < 64; i++) {
            uint32_t s0 = rotate_right(w[i - 15], 7) ^ rotate_right(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint32_t s1 = rotate_right(w[i - 2], 17) ^ rotate_right(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
        uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
        for (int i = 0; i < 64; i += 8) {
            ROUND(a, b, c, d, e, f, g, h, i);
            ROUND(h, a, b, c, d, e, f, g, i + 1);
            ROUND(g, h, a, b, c, d, e, f, i + 2);
            ROUND(f, g, h, a, b, c, d, e, i + 3);
            ROUND(e, f, g, h, a, b, c, d, i + 4);
            ROUND(d, e, f, g, h, a, b, c, i + 5);
            ROUND(c, d, e, f, g, h, a, b, i + 6);
            ROUND(b, c, d, e, f, g, h, a, i + 7);
        }
        state[0] += a;
        state[1] += b;
        state[2] += c;
        state[3] += d;
        state[4] += e;
        state[5] += f;
        state[6] += g;
        state[7] += h;
    }
}

static void compress(util_sha256 *ctx, const uint8_t *data, size_t blocks)
{
#ifdef UTIL_SHA256_X86
    if (ctx->use_sha_ni) {
        util_sha256_x86_compress(ctx->state, data, blocks);
        return;
    }
#endif
    compress_portable(ctx->state, data, blocks);
}

bool util_sha256_has_sha_ni(void)
{
#ifdef UTIL_SHA256_X86
    return util_sha256_x86_supported();
#else
    return false;
#endif
}

void util_sha256_init_portable(util_sha256 *ctx)
{
    static const uint32_t initial[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(ctx->state, initial, sizeof(initial));
    ctx->length = 0;
    ctx->block_used = 0;
    ctx->use_sha_ni = false;
}

void util_sha256_init(util_sha256 *ctx)
{
    util_sha256_init_portable(ctx);
    ctx->use_sha_ni = util_sha256_has_sha_ni();  /* one CPUID per hash: a few per input at most */
}

void util_sha256_update(util_sha256 *ctx, const void *data, size_t size)
{
    const uint8_t *bytes = data;
    if (!size)
        return;
    ctx->length += size;
    if (ctx->block_used) {  /* first complete the waiting partial block */
        size_t take = 64 - ctx->block_used < size ? 64 - ctx->block_used : size;
        memcpy(ctx->block + ctx->block_used, bytes, take);
        ctx->block_used += take;
        bytes += take;
        size -= take;
        if (ctx->block_used < 64)
            return;
        compress(ctx, ctx->block, 1);
        ctx->block_used = 0;
    }
    if (size >= 64) {  /* whole blocks straight from the input */
        compress(ctx, bytes, size / 64);
        bytes += size / 64 * 64;
        size %= 64;
    }
    memcpy(ctx->block, bytes, size);
    ctx->block_used = size;
}

void util_sha256_hex(util_sha256 *ctx, char hex[UTIL_SHA256_HEX_SIZE])
{
    uint64_t bits = ctx->length * 8;
    uint8_t tail[72] = {0x80};
    size_t pad = (ctx->block_used < 56 ? 56 : 120) - ctx->block_used;
    for (int i = 0; i < 8; i++)
        tail[pad + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
    util_sha256_update(ctx, tail, pad + 8);
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        uint8_t byte = (uint8_t)(ctx->state[i / 4] >> (24 - 8 * (i % 4)));
        hex[2 * i] = digits[byte >> 4];
        hex[2 * i + 1] = digits[byte & 15];
    }
    hex[64] = '\0';
}
