/* SHA-256 known answers (FIPS 180-4 examples / NIST CSRC example values):
 * one block, empty input, two blocks, a million 'a' fed in odd-sized pieces
 * (the partial-block path), and every split point of a two-block message. */
#include "check.h"
#include "util/sha256.h"

static void hash_of(const char *text, size_t size, char hex[BP_SHA256_HEX_SIZE])
{
    bp_sha256 ctx;
    bp_sha256_init(&ctx);
    bp_sha256_update(&ctx, text, size);
    bp_sha256_hex(&ctx, hex);
}

int main(void)
{
    char hex[BP_SHA256_HEX_SIZE];
    hash_of("abc", 3, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_of("", 0, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    static const char two_blocks[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_of(two_blocks, sizeof two_blocks - 1, hex);
    CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    for (size_t split = 0; split <= sizeof two_blocks - 1; split++) {
        bp_sha256 ctx;
        bp_sha256_init(&ctx);
        bp_sha256_update(&ctx, two_blocks, split);
        bp_sha256_update(&ctx, two_blocks + split, sizeof two_blocks - 1 - split);
        bp_sha256_hex(&ctx, hex);
        CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    static char a[1000];
    memset(a, 'a', sizeof a);
    bp_sha256 ctx;
    bp_sha256_init(&ctx);
    for (size_t done = 0, piece = 1; done < 1000000; done += piece, piece = piece % 997 + 1)
        bp_sha256_update(&ctx, a, done + piece > 1000000 ? 1000000 - done : piece);
    bp_sha256_hex(&ctx, hex);
    CHECK_STR(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    return check_exit();
}
