/* SHA-256 digests of inputs of the lengths where padding and block counts
 * change (0, 55, 56, 63, 64, 65, 1000 and 1 MiB + 3 bytes), against digests
 * sha256sum printed for the same bytes, through the portable block function
 * and through the SHA instructions where the CPU has them. Each input is
 * hashed in one update (every whole block in one call of the block function:
 * fewer and more blocks than the x86 path prefetches ahead) and in two
 * pieces split off a block boundary. */
#include "check.h"
#include "util/sha256.h"

#include <stdint.h>
#include <stdlib.h>

/* byte i = bits 13..20 of i * 2654435761 mod 2^32; the files given to
 * sha256sum were written by the same formula (Python). */
static void fill(uint8_t *out, size_t size)
{
    for (size_t i = 0; i < size; i++)
        out[i] = (uint8_t)(((uint32_t)i * 2654435761u) >> 13);
}

typedef void (*init_fn)(util_sha256 *ctx);

static void check_lengths(init_fn init, const uint8_t *data)
{
    static const struct {
        size_t size;
        const char *sha256;
    } known[] = {
        {0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {55, "8d96a9ee32f7a2df89c4504435add6a5a0d8e9a4de80097c7a4bcc330ac31def"},
        {56, "df82d23a25b1e180b4d9eb27def14d8ada198011b1bfc08f2d4a62e544daed79"},
        {63, "d54ef68e60852bbbef6cc25985de164140cb7bd52e739508a2321cc7b18aba3c"},
        {64, "fc134a3ea0e6c07d4df416a6751701becfd8675a944dd57ed6a5bfbed3b38a3e"},
        {65, "a90613c0aa11735f82647932b199299e0acdb09f2e6fa2c44a7d009dc988257f"},
        {1000, "30a197d17dac1a0438037fd755b5b2988ec13108bac20b27b7148cd3bacb0bd4"},
        {1048579, "154d0f8ccbff620dc1c56c32d7a09eae31b9b947976865db128e707d27276348"},
    };
    char hex[UTIL_SHA256_HEX_SIZE];
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
        util_sha256 ctx;
        init(&ctx);
        util_sha256_update(&ctx, data, known[k].size);
        util_sha256_hex(&ctx, hex);
        CHECK_STR(hex, known[k].sha256);

        size_t split = known[k].size / 3;
        init(&ctx);
        util_sha256_update(&ctx, data, split);
        util_sha256_update(&ctx, data + split, known[k].size - split);
        util_sha256_hex(&ctx, hex);
        CHECK_STR(hex, known[k].sha256);
    }
}

int main(void)
{
    enum { largest = 1024 * 1024 + 3 };
    uint8_t *data = malloc(largest);
    if (!data)
        return 1;
    fill(data, largest);
    check_lengths(util_sha256_init_portable, data);
    if (util_sha256_has_sha_ni())
        check_lengths(util_sha256_init, data);
    else
        printf("SHA-NI path not run: this CPU (or build) has no x86 SHA extensions\n");
    free(data);
    return check_exit();
}
