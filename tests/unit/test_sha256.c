/* SHA-256 known answers (FIPS 180-4 examples / NIST CSRC example values):
 * one block, empty input, two blocks, the 896-bit message, a million 'a' fed
 * in odd-sized pieces (the partial-block path), and every split point of a
 * two-block message; each through the portable block function and through
 * the one util_sha256_init picks (the SHA instructions where the CPU has them).
 * Then both paths against each other on pseudo-random data of every length
 * 0..2000 bytes and of 3 MiB, fed in many different piece sizes. */
#include "check.h"
#include "util/sha256.h"

#include <stdbool.h>
#include <stdint.h>

typedef void (*init_fn)(util_sha256 *ctx);

static void hash_in_pieces(init_fn init, const void *data, size_t size, const size_t *pieces, size_t piece_count,
                           char hex[UTIL_SHA256_HEX_SIZE])
{
    util_sha256 ctx;
    init(&ctx);
    const uint8_t *bytes = data;
    for (size_t done = 0, i = 0; done < size; i++) {
        size_t piece = pieces[i % piece_count];
        if (piece > size - done)
            piece = size - done;
        util_sha256_update(&ctx, bytes + done, piece);
        done += piece;
    }
    util_sha256_hex(&ctx, hex);
}

static void hash_of(init_fn init, const char *text, size_t size, char hex[UTIL_SHA256_HEX_SIZE])
{
    const size_t whole[] = {SIZE_MAX};
    hash_in_pieces(init, text, size, whole, 1, hex);
}

static void known_answers(init_fn init)
{
    char hex[UTIL_SHA256_HEX_SIZE];
    hash_of(init, "abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_of(init, "", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_of(init, two_blocks, sizeof two_blocks - 1, hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    for (size_t split = 0; split <= sizeof two_blocks - 1; split++) {
        util_sha256 ctx;
        init(&ctx);
        util_sha256_update(&ctx, two_blocks, split);
        util_sha256_update(&ctx, two_blocks + split, sizeof two_blocks - 1 - split);
        util_sha256_hex(&ctx, hex);
        CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    static const char long_message[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hash_of(init, long_message, sizeof long_message - 1, hex);
    CHECK_STR(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

    static char a[1000];
    memset(a, 'a', sizeof a);
    util_sha256 ctx;
    init(&ctx);
    for (size_t done = 0, piece = 1; done < 1000000; done += piece, piece = piece % 997 + 1)
        util_sha256_update(&ctx, a, done + piece > 1000000 ? 1000000 - done : piece);
    util_sha256_hex(&ctx, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

/* xorshift64 bytes, the same as the Python that computed the digests below:
 * x ^= x << 13; x ^= x >> 7; x ^= x << 17 from 0x9E3779B97F4A7C15, 8 bytes
 * little-endian per step. */
static void fill_random(uint8_t *out, size_t size)
{
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (size_t i = 0; i < size; i += 8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (size_t k = 0; k < 8 && i + k < size; k++)
            out[i + k] = (uint8_t)(x >> (8 * k));
    }
}

int main(void)
{
    known_answers(util_sha256_init_portable);
    known_answers(util_sha256_init);

    enum { big_size = 3 * 1024 * 1024 + 17, small_max = 2000 };
    uint8_t *data = malloc(big_size);
    if (!data)
        return 1;
    fill_random(data, big_size);
    static const size_t splits[][6] = {
        {SIZE_MAX}, {1}, {63, 1}, {64}, {65, 7}, {13, 200, 64, 3}, {4096, 1, 127}, {100000, 64, 129, 2, 5000, 31},
    };
    static const size_t split_counts[] = {1, 1, 2, 1, 2, 4, 3, 6};
    const size_t split_kinds = sizeof split_counts / sizeof split_counts[0];
    char hex[UTIL_SHA256_HEX_SIZE], other[UTIL_SHA256_HEX_SIZE];

    /* The portable path alone against digests from Python's hashlib. */
    for (size_t s = 0; s < split_kinds; s++) {
        hash_in_pieces(util_sha256_init_portable, data, small_max, splits[s], split_counts[s], hex);
        CHECK_STR(hex, "9f7555927f1ea316191a77c39aa020d2470835af95a95d992ca15c87e8b1d41e");
        hash_in_pieces(util_sha256_init_portable, data, big_size, splits[s], split_counts[s], hex);
        CHECK_STR(hex, "991aa8be6ec85e9523a77dc9c3e5f5a428eeb0f8c30fc2a2766391d0cc1a2188");
    }

    if (!util_sha256_has_sha_ni()) {
        printf("SHA-NI cross-check not run: this CPU (or build) has no x86 SHA extensions; "
               "util_sha256_init takes the portable path, checked above\n");
    } else {
        size_t mismatches = 0;
        for (size_t size = 0; size <= small_max; size++) {
            for (size_t s = 0; s < split_kinds; s++) {
                hash_in_pieces(util_sha256_init_portable, data, size, splits[s], split_counts[s], hex);
                hash_in_pieces(util_sha256_init, data, size, splits[(s + 3) % split_kinds],
                               split_counts[(s + 3) % split_kinds], other);
                if (strcmp(hex, other) != 0 && mismatches++ < 5)
                    fprintf(stderr, "SHA-NI differs at %zu bytes, split kind %zu: %s vs %s\n", size, s, other, hex);
            }
        }
        CHECK_U64(mismatches, 0);
        for (size_t s = 0; s < split_kinds; s++) {
            hash_in_pieces(util_sha256_init, data, big_size, splits[s], split_counts[s], hex);
            CHECK_STR(hex, "991aa8be6ec85e9523a77dc9c3e5f5a428eeb0f8c30fc2a2766391d0cc1a2188");
        }
        printf("SHA-NI cross-check run: %u lengths x %zu split patterns and 3 MiB\n", small_max + 1, split_kinds);
    }
    free(data);
    return check_exit();
}
