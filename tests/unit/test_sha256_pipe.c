/* util_sha256_pipe (the --scan input's SHA-256 on a second thread) gives the
 * digest util_sha256 gives, whatever the blocks fed: known answers ("abc",
 * nothing fed, only 0-byte feeds), pseudo-random data of 9 MiB fed in many
 * split patterns (single bytes, odd sizes, whole 4 MiB blocks, one huge
 * feed, 0-byte feeds between), a reader that reuses two buffers in turn as
 * carve_scan_path does (drain(1) before overwriting one), and a shared sample
 * against its sha256sum. Each threaded and through the fallback forced
 * (no thread). */
#include "check.h"
#include "random_stream.h"
#include "util/sha256.h"
#include "util/sha256_pipe.h"

#include <stdbool.h>
#include <stdint.h>

#define DATA_SIZE ((size_t)9 << 20)

typedef void (*start_fn)(util_sha256_pipe *pipe);

static void reference_hex(const uint8_t *data, size_t size, char hex[UTIL_SHA256_HEX_SIZE])
{
    util_sha256 ctx;
    util_sha256_init(&ctx);
    util_sha256_update(&ctx, data, size);
    util_sha256_hex(&ctx, hex);
}

/* Feed data in pieces cycling through `pieces` (a 0 piece is a 0-byte feed). */
static void pipe_in_pieces(start_fn start, const uint8_t *data, size_t size, const size_t *pieces, size_t piece_count,
                           char hex[UTIL_SHA256_HEX_SIZE])
{
    util_sha256_pipe pipe;
    start(&pipe);
    for (size_t done = 0, i = 0; done < size; i++) {
        size_t piece = pieces[i % piece_count];
        if (piece > size - done)
            piece = size - done;
        util_sha256_pipe_feed(&pipe, data + done, piece);
        done += piece;
    }
    util_sha256_pipe_finish(&pipe, hex);
}

static void known_answers(start_fn start)
{
    char hex[UTIL_SHA256_HEX_SIZE];
    util_sha256_pipe pipe;
    start(&pipe);
    util_sha256_pipe_feed(&pipe, "abc", 3);
    util_sha256_pipe_finish(&pipe, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    start(&pipe);  /* nothing fed */
    util_sha256_pipe_finish(&pipe, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    start(&pipe);  /* only empty feeds, and a drain with nothing pending */
    util_sha256_pipe_feed(&pipe, "x", 0);
    util_sha256_pipe_drain(&pipe, 0);
    util_sha256_pipe_feed(&pipe, NULL, 0);
    util_sha256_pipe_finish(&pipe, hex);
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    start(&pipe);  /* stopped without a digest (an input not read to its end) */
    util_sha256_pipe_feed(&pipe, "abc", 3);
    util_sha256_pipe_finish(&pipe, NULL);
}

static void split_patterns(start_fn start, const uint8_t *data, const char *want)
{
    static const size_t one[] = {1};
    static const size_t odd[] = {63, 65, 1, 0, 4097, 127, 0, 3};
    static const size_t block[] = {(size_t)4 << 20};
    static const size_t scan_like[] = {((size_t)4 << 20) + ((size_t)128 << 10), (size_t)4 << 20};
    static const size_t huge[] = {SIZE_MAX};
    static const size_t growing[] = {0, 1, 10, 100, 1000, 10000, 100000, 1000000};
    const struct {
        const size_t *pieces;
        size_t count;
        size_t size;  /* of the data hashed (single bytes: a shorter prefix, it is slow) */
    } patterns[] = {
        {one, 1, 70000},
        {odd, sizeof odd / sizeof odd[0], DATA_SIZE},
        {block, 1, DATA_SIZE},
        {scan_like, 2, DATA_SIZE},
        {huge, 1, DATA_SIZE},
        {growing, sizeof growing / sizeof growing[0], DATA_SIZE},
    };
    char prefix_want[UTIL_SHA256_HEX_SIZE];
    reference_hex(data, 70000, prefix_want);
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        char hex[UTIL_SHA256_HEX_SIZE];
        pipe_in_pieces(start, data, patterns[i].size, patterns[i].pieces, patterns[i].count, hex);
        CHECK_STR(hex, patterns[i].size == DATA_SIZE ? want : prefix_want);
    }
}

/* As carve_scan_path: two buffers in turn, each refilled only after
 * drain(1) said the hasher is past it; the bytes copied into a buffer are
 * then overwritten with garbage on its next turn. */
static void two_buffers(start_fn start, const uint8_t *data, const char *want)
{
    enum { CHUNK = 300007 };
    static uint8_t buffers[2][CHUNK];
    util_sha256_pipe pipe;
    start(&pipe);
    int turn = 0;
    for (size_t done = 0; done < DATA_SIZE; turn ^= 1) {
        size_t piece = DATA_SIZE - done < CHUNK ? DATA_SIZE - done : CHUNK;
        util_sha256_pipe_drain(&pipe, 1);
        memset(buffers[turn], 0xA5, CHUNK);  /* would change the digest if the hasher still read it */
        memcpy(buffers[turn], data + done, piece);
        util_sha256_pipe_feed(&pipe, buffers[turn], piece);
        done += piece;
    }
    char hex[UTIL_SHA256_HEX_SIZE];
    util_sha256_pipe_finish(&pipe, hex);
    CHECK_STR(hex, want);
}

static void shared_sample(start_fn start)
{
    size_t size = 0;
    uint8_t *bytes = read_whole_file(shared_path("testdata/ese/win10-19045.qmgr.db"), &size);
    CHECK(bytes != NULL);
    if (!bytes)
        return;
    static const size_t pages[] = {4096, 16384, 1};
    char hex[UTIL_SHA256_HEX_SIZE];
    pipe_in_pieces(start, bytes, size, pages, 3, hex);
    /* sha256sum of the file */
    CHECK_STR(hex, "1a0333f6061c12c47b34f918a6055f2f60af5f51e6418e0b5189b473f2e39407");
    free(bytes);
}

int main(void)
{
    uint8_t *data = malloc(DATA_SIZE);
    CHECK(data != NULL);
    if (!data)
        return check_exit();
    uint64_t state = 0x5ca11ab1e5eedULL;
    for (size_t i = 0; i < DATA_SIZE; i += 8) {
        uint64_t word = random_next(&state);
        memcpy(data + i, &word, 8);
    }
    char want[UTIL_SHA256_HEX_SIZE];
    reference_hex(data, DATA_SIZE, want);

    const start_fn starts[] = {util_sha256_pipe_start, util_sha256_pipe_start_unthreaded};
    for (size_t k = 0; k < 2; k++) {
        known_answers(starts[k]);
        split_patterns(starts[k], data, want);
        two_buffers(starts[k], data, want);
    }
    util_sha256_pipe pipe;
    util_sha256_pipe_start(&pipe);
    CHECK(pipe.threaded);  /* a thread could be started here: the threaded path was the one tested */
    util_sha256_pipe_finish(&pipe, NULL);
    util_sha256_pipe_start_unthreaded(&pipe);
    CHECK(!pipe.threaded);
    util_sha256_pipe_finish(&pipe, NULL);
    free(data);
    for (size_t k = 0; k < 2; k++)
        shared_sample(starts[k]);  /* last: skips (77) without the shared data */
    return check_exit();
}
