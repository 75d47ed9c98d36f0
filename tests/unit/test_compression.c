/* ese_decompress (ese-format §10): hand-built vectors, real compressed values
 * found in the shared ESE sample databases, and a seeded fuzz loop. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "check.h"
#include "random_stream.h"
#include "ese/compression.h"
#include "util/arena.h"

/* ---------------------------------------------------------------- helpers */

/* Decompress a copy of the input held in an exactly sized heap block, so a
 * sanitizer build catches any read past the end. */
static ese_decompress_status run(util_arena *arena, const uint8_t *data, size_t size, uint8_t **out,
                                 size_t *out_size, const char **error)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (size)
        memcpy(copy, data, size);
    ese_decompress_status st = ese_decompress(arena, size ? copy : NULL, size, out, out_size, error);
    free(copy);
    return st;
}

static bool decodes_to_v(const uint8_t *data, size_t size, const uint8_t *want, size_t want_size,
                         bool verbose)
{
    util_arena arena;
    util_arena_init(&arena);
    uint8_t *out = NULL;
    size_t out_size = 0;
    const char *error = "unset";
    ese_decompress_status st = run(&arena, data, size, &out, &out_size, &error);
    bool ok = st == ESE_DECOMPRESS_OK && out != NULL && error == NULL && out_size == want_size &&
              (want_size == 0 || memcmp(out, want, want_size) == 0);
    if (!ok && verbose)
        fprintf(stderr, "  decode: status %d, size %zu (want %zu), error %s\n", (int)st, out_size,
                want_size, error ? error : "(none)");
    util_arena_free(&arena);
    return ok;
}

static bool decodes_to(const uint8_t *data, size_t size, const uint8_t *want, size_t want_size)
{
    return decodes_to_v(data, size, want, want_size, true);
}

/* Status of a decode that must fail; also checks the failure contract. */
static ese_decompress_status status_of(const uint8_t *data, size_t size)
{
    util_arena arena;
    util_arena_init(&arena);
    uint8_t *out = (uint8_t *)"sentinel";
    size_t out_size = 12345;
    const char *error = NULL;
    ese_decompress_status st = run(&arena, data, size, &out, &out_size, &error);
    if (st != ESE_DECOMPRESS_OK) {
        CHECK(out == NULL);
        CHECK_U64(out_size, 0);
        CHECK(error != NULL && error[0] != '\0');
    }
    util_arena_free(&arena);
    return st;
}

/* Test-side 7-bit packer (the inverse of §10): LSB-first bit stream, header
 * byte = scheme << 3 | (bits used in the last byte - 1). */
static size_t pack_7bit(unsigned scheme, const char *text, size_t n, uint8_t *out)
{
    size_t total_bits = n * 7;
    size_t nbytes = (total_bits + 7) / 8;
    memset(out, 0, nbytes + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned char)text[i] & 0x7Fu;
        for (unsigned b = 0; b < 7; b++) {
            size_t bit = i * 7 + b;
            if (v & (1u << b))
                out[1 + bit / 8] |= (uint8_t)(1u << (bit % 8));
        }
    }
    size_t bits_in_last = total_bits - (nbytes - 1) * 8;
    out[0] = (uint8_t)((scheme << 3) | (bits_in_last - 1));
    return nbytes + 1;
}

/* ASCII text -> UTF-16LE bytes. */
static size_t widen(const char *text, size_t n, uint8_t *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = (uint8_t)text[i];
        out[2 * i + 1] = 0;
    }
    return 2 * n;
}

/* ------------------------------------------------------- hand-built tests */

static void test_7bit_vectors(void)
{
    /* "ab": 0x61 | 0x62 << 7 = 0x3161, 14 bits, 6 used in the last byte. */
    static const uint8_t ab[] = {0x0D, 0x61, 0x31};
    CHECK(decodes_to(ab, sizeof ab, (const uint8_t *)"ab", 2));
    static const uint8_t ab_wide[] = {0x15, 0x61, 0x31};
    CHECK(decodes_to(ab_wide, sizeof ab_wide, (const uint8_t *)"a\0b\0", 4));

    const char *text = "Hello, BITS queue! 0123456789 ~{}";
    size_t n = strlen(text);
    uint8_t packed[64];
    uint8_t wide[128];
    size_t len = pack_7bit(1, text, n, packed);
    CHECK_U64(len, 1 + (n * 7 + 7) / 8);
    CHECK(decodes_to(packed, len, (const uint8_t *)text, n));
    len = pack_7bit(2, text, n, packed);
    CHECK(decodes_to(packed, len, wide, widen(text, n, wide)));

    /* Every length 1..200 round-trips with exactly the right count (the
     * formula must not be off by one for any bits_in_last). */
    char buf[256];
    uint8_t big[260];
    uint8_t bigwide[512];
    bool all_ok = true;
    for (size_t k = 1; k <= 200; k++) {
        for (size_t i = 0; i < k; i++)
            buf[i] = (char)(0x20 + (i * 37 + k) % 95);
        len = pack_7bit(1, buf, k, big);
        if (!decodes_to(big, len, (const uint8_t *)buf, k)) {
            fprintf(stderr, "  7-bit ASCII length %zu\n", k);
            all_ok = false;
        }
        len = pack_7bit(2, buf, k, big);
        if (!decodes_to(big, len, bigwide, widen(buf, k, bigwide))) {
            fprintf(stderr, "  7-bit Unicode length %zu\n", k);
            all_ok = false;
        }
    }
    CHECK(all_ok);

    /* Length 2 with one bit in the last byte: zero characters, still OK. */
    static const uint8_t empty7[] = {0x08, 0x55};
    CHECK(decodes_to(empty7, sizeof empty7, (const uint8_t *)"", 0));

    /* Too short: only the header byte. */
    static const uint8_t hdr_only_a[] = {0x0F};
    static const uint8_t hdr_only_u[] = {0x17};
    CHECK_U64(status_of(hdr_only_a, 1), ESE_DECOMPRESS_CORRUPT);
    CHECK_U64(status_of(hdr_only_u, 1), ESE_DECOMPRESS_CORRUPT);
}

static void test_xpress_vectors(void)
{
    /* Literals "abc", an overlapping match (offset 3, length 9), literal "X".
     * Flags MSB first: 0 0 0 1 0 -> 0x10000000. Match word (offset-1)<<3 |
     * (length-3) = 2<<3 | 6 = 0x0016. */
    static const uint8_t s1[] = {0x18, 13, 0,   0x00, 0x00, 0x00, 0x10, 'a',
                                 'b',  'c', 0x16, 0x00, 'X'};
    CHECK(decodes_to(s1, sizeof s1, (const uint8_t *)"abcabcabcabcX", 13));

    /* Every proper prefix is truncated. */
    bool all_corrupt = true;
    for (size_t k = 0; k < sizeof s1; k++)
        if (status_of(s1, k) != ESE_DECOMPRESS_CORRUPT)
            all_corrupt = false;
    CHECK(all_corrupt);

    /* Announced size smaller than the match produces: CORRUPT, never a write
     * past the buffer. */
    uint8_t s_short[sizeof s1];
    memcpy(s_short, s1, sizeof s1);
    s_short[1] = 8;
    CHECK_U64(status_of(s_short, sizeof s_short), ESE_DECOMPRESS_CORRUPT);
    /* Announced size that stops exactly after the literals and the match:
     * the trailing 'X' is ignored. */
    s_short[1] = 12;
    CHECK(decodes_to(s_short, sizeof s_short, (const uint8_t *)"abcabcabcabc", 12));
    /* Announced size ending after the literals: stop before the match. */
    s_short[1] = 3;
    CHECK(decodes_to(s_short, sizeof s_short, (const uint8_t *)"abc", 3));
    /* Announced larger than the stream delivers. */
    s_short[1] = 14;
    CHECK_U64(status_of(s_short, sizeof s_short), ESE_DECOMPRESS_CORRUPT);

    /* Back reference before the start of output: offset 4 after 3 bytes. */
    uint8_t s_bad[sizeof s1];
    memcpy(s_bad, s1, sizeof s1);
    s_bad[10] = (3 << 3) | 6;
    CHECK_U64(status_of(s_bad, sizeof s_bad), ESE_DECOMPRESS_CORRUPT);
    /* A match as the very first item (offset 1, no output yet). */
    static const uint8_t s_first[] = {0x18, 4, 0, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00};
    CHECK_U64(status_of(s_first, sizeof s_first), ESE_DECOMPRESS_CORRUPT);

    /* Nibble pair: two matches with length field 7 share one length byte
     * (low nibble for the first, high nibble for the second). "abcd", match
     * offset 4 length 7+0+3 = 10, match offset 1 length 7+5+3 = 15.
     * Flags: 0 0 0 0 1 1 -> 0x0C000000. */
    static const uint8_t s2[] = {0x18, 29,   0,    0x00, 0x00, 0x00, 0x0C, 'a',  'b',
                                 'c',  'd',  0x1F, 0x00, 0x50, 0x07, 0x00};
    char want2[40];
    memcpy(want2, "abcdabcdabcdab", 14);
    memset(want2 + 14, 'b', 15);
    CHECK(decodes_to(s2, sizeof s2, (const uint8_t *)want2, 29));
    /* The second match must not consume a new length byte: an extra byte
     * after it would otherwise be taken. Cut the stream before the shared
     * byte instead: CORRUPT. */
    CHECK_U64(status_of(s2, 13), ESE_DECOMPRESS_CORRUPT);

    /* Escapes: nibble 15 then a byte < 255: length 3 + 22 + 40 = 65.
     * 'z', match offset 1. Flags: 0 1 -> 0x40000000. */
    static const uint8_t s3[] = {0x18, 66, 0, 0x00, 0x00, 0x00, 0x40, 'z', 0x07, 0x00, 0x0F, 40};
    char want3[70];
    memset(want3, 'z', 66);
    CHECK(decodes_to(s3, sizeof s3, (const uint8_t *)want3, 66));

    /* Nibble 15, byte 255, u16 = full length - 3 (997 -> 1000 bytes). */
    static const uint8_t s4[] = {0x18, 0xE9, 0x03, 0x00, 0x00, 0x00, 0x40, 'q',
                                 0x07, 0x00, 0x0F, 0xFF, 0xE5, 0x03};
    static char want4[1001];
    memset(want4, 'q', 1001);
    CHECK(decodes_to(s4, sizeof s4, (const uint8_t *)want4, 1001));
    /* Same with the u16 truncated. */
    CHECK_U64(status_of(s4, sizeof s4 - 1), ESE_DECOMPRESS_CORRUPT);

    /* u16 0 escapes to u32 (100 -> 103 bytes). */
    static const uint8_t s5[] = {0x18, 104,  0,    0x00, 0x00, 0x00, 0x40, 'r', 0x07, 0x00,
                                 0x0F, 0xFF, 0x00, 0x00, 100,  0x00, 0x00, 0x00};
    char want5[104];
    memset(want5, 'r', 104);
    CHECK(decodes_to(s5, sizeof s5, (const uint8_t *)want5, 104));
    /* A huge u32 length must be refused, not copied. */
    uint8_t s6[sizeof s5];
    memcpy(s6, s5, sizeof s5);
    s6[14] = 0xFF, s6[15] = 0xFF, s6[16] = 0xFF, s6[17] = 0xFF;
    CHECK_U64(status_of(s6, sizeof s6), ESE_DECOMPRESS_CORRUPT);

    /* Largest announced size: 'a' + one match of 65534 -> 65535 bytes. */
    static const uint8_t s7[] = {0x18, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x40, 'a',
                                 0x07, 0x00, 0x0F, 0xFF, 0xFB, 0xFF};
    uint8_t *want7 = malloc(65535);
    memset(want7, 'a', 65535);
    CHECK(decodes_to(s7, sizeof s7, want7, 65535));
    free(want7);

    /* More than 32 items: a second flag word is read after 32 literals. */
    uint8_t s8[3 + 4 + 32 + 4 + 2];
    size_t p = 0;
    s8[p++] = 0x18;
    s8[p++] = 33;
    s8[p++] = 0;
    s8[p++] = 0, s8[p++] = 0, s8[p++] = 0, s8[p++] = 0;
    char want8[34];
    for (int i = 0; i < 32; i++) {
        want8[i] = (char)('A' + i % 26);
        s8[p++] = (uint8_t)want8[i];
    }
    s8[p++] = 0, s8[p++] = 0, s8[p++] = 0, s8[p++] = 0;
    s8[p++] = '!';
    want8[32] = '!';
    CHECK(decodes_to(s8, p, (const uint8_t *)want8, 33));
    CHECK_U64(status_of(s8, p - 5), ESE_DECOMPRESS_CORRUPT); /* second flag word missing */

    /* Announced size 0: empty output, nothing read after the header. */
    static const uint8_t s_zero[] = {0x18, 0, 0};
    CHECK(decodes_to(s_zero, sizeof s_zero, (const uint8_t *)"", 0));
    /* Header truncated. */
    CHECK_U64(status_of(s_zero, 1), ESE_DECOMPRESS_CORRUPT);
    CHECK_U64(status_of(s_zero, 2), ESE_DECOMPRESS_CORRUPT);
    /* Size announced, no flags. */
    static const uint8_t s_noflags[] = {0x18, 5, 0, 0x00, 0x00};
    CHECK_U64(status_of(s_noflags, sizeof s_noflags), ESE_DECOMPRESS_CORRUPT);
}

static void test_schemes(void)
{
    static const uint8_t scrub[] = {0x20, 0xAA, 0xAA, 0xAA};
    static const uint8_t x9[] = {0x28, 1, 2, 3, 4, 5};
    static const uint8_t x10[] = {0x30, 1, 2, 3, 4, 5};
    static const uint8_t lz4[] = {0x38, 4, 0, 0x40, 'a', 'b', 'c', 'd'};
    static const uint8_t none[] = {0x00, 'a'};
    static const uint8_t s8[] = {0x40, 'a'};
    static const uint8_t s31[] = {0xFF, 'a'};
    CHECK_U64(status_of(scrub, sizeof scrub), ESE_DECOMPRESS_SCRUBBED);
    CHECK_U64(status_of(scrub, 1), ESE_DECOMPRESS_SCRUBBED);
    CHECK_U64(status_of(x9, sizeof x9), ESE_DECOMPRESS_UNSUPPORTED);
    CHECK_U64(status_of(x10, sizeof x10), ESE_DECOMPRESS_UNSUPPORTED);
    CHECK_U64(status_of(lz4, sizeof lz4), ESE_DECOMPRESS_UNSUPPORTED);
    CHECK_U64(status_of(none, sizeof none), ESE_DECOMPRESS_CORRUPT);
    CHECK_U64(status_of(s8, sizeof s8), ESE_DECOMPRESS_CORRUPT);
    CHECK_U64(status_of(s31, sizeof s31), ESE_DECOMPRESS_CORRUPT);
    CHECK_U64(status_of(NULL, 0), ESE_DECOMPRESS_CORRUPT);
    /* The low 3 header bits do not change the scheme. */
    static const uint8_t scrub7[] = {0x27};
    static const uint8_t lz4_7[] = {0x3F, 0};
    CHECK_U64(status_of(scrub7, 1), ESE_DECOMPRESS_SCRUBBED);
    CHECK_U64(status_of(lz4_7, 2), ESE_DECOMPRESS_UNSUPPORTED);
    CHECK_U64(ese_compression_scheme_of(lz4_7, 2), ESE_COMPRESSION_LZ4);

    /* Optional out-parameters may be NULL; missing arena/out is refused. */
    util_arena arena;
    util_arena_init(&arena);
    uint8_t *out = NULL;
    static const uint8_t ab[] = {0x0D, 0x61, 0x31};
    CHECK_U64(ese_decompress(&arena, ab, sizeof ab, &out, NULL, NULL), ESE_DECOMPRESS_OK);
    CHECK(out && out[0] == 'a' && out[1] == 'b');
    CHECK_U64(ese_decompress(NULL, ab, sizeof ab, &out, NULL, NULL), ESE_DECOMPRESS_CORRUPT);
    CHECK(out == NULL);
    CHECK_U64(ese_decompress(&arena, ab, sizeof ab, NULL, NULL, NULL), ESE_DECOMPRESS_CORRUPT);
    util_arena_free(&arena);
}

/* ------------------------------------------------------- real databases */

typedef struct blob {
    uint8_t *data;
    size_t size;
} blob;

static blob gunzip_shared(const char *relative)
{
    const char *path = shared_path(relative);
    blob b = {NULL, 0};
    gzFile gz = gzopen(path, "rb");
    if (!gz)
        return b;
    size_t cap = 1u << 20;
    b.data = malloc(cap);
    for (;;) {
        if (b.size == cap) {
            cap *= 2;
            b.data = realloc(b.data, cap);
        }
        size_t want = cap - b.size;
        if (want > (1u << 30))
            want = 1u << 30;
        int got = gzread(gz, b.data + b.size, (unsigned)want);
        if (got <= 0)
            break;
        b.size += (size_t)got;
    }
    gzclose(gz);
    return b;
}

/* Expected value bytes: `prefix` + `fill` * count, optionally widened to
 * UTF-16LE with `{fox}` (U+1F98A) substituted for the marker '@'. */
static size_t build_expected(const char *prefix, char fill, size_t count, bool wide, uint8_t *out)
{
    size_t n = 0;
    for (const char *c = prefix; *c; c++) {
        if (wide && *c == '@') {
            static const uint8_t fox[4] = {0x3E, 0xD8, 0x8A, 0xDD};
            memcpy(out + n, fox, 4);
            n += 4;
        } else if (wide) {
            out[n++] = (uint8_t)*c;
            out[n++] = 0;
        } else {
            out[n++] = (uint8_t)*c;
        }
    }
    for (size_t i = 0; i < count; i++) {
        out[n++] = (uint8_t)fill;
        if (wide)
            out[n++] = 0;
    }
    return n;
}

/* Scan the image for Xpress streams (0x18 + u16 LE size) that decode from
 * exactly `chunk_len` stored bytes to `want`. Returns how many did; every
 * candidate must at least not crash. */
static int find_xpress(const blob *img, size_t chunk_len, const uint8_t *want, size_t want_size)
{
    int hits = 0;
    for (size_t i = 0; i + 3 <= img->size; i++) {
        if (img->data[i] != 0x18 || img->data[i + 1] != (want_size & 0xFF) ||
            img->data[i + 2] != (want_size >> 8))
            continue;
        if (i + chunk_len > img->size)
            continue;
        if (decodes_to_v(img->data + i, chunk_len, want, want_size, false))
            hits++;
    }
    return hits;
}

/* Same for a 7-bit value of `stored_len` bytes starting with `first`. */
static int find_7bit(const blob *img, uint8_t first, size_t stored_len, const uint8_t *want,
                     size_t want_size)
{
    int hits = 0;
    for (size_t i = 0; i + stored_len <= img->size; i++) {
        if (img->data[i] != first || (img->data[i + 1] & 0x7F) != want[0])
            continue;
        util_arena arena;
        util_arena_init(&arena);
        uint8_t *out = NULL;
        size_t out_size = 0;
        const char *error = NULL;
        if (ese_decompress(&arena, img->data + i, stored_len, &out, &out_size, &error) ==
                ESE_DECOMPRESS_OK &&
            out_size == want_size && memcmp(out, want, want_size) == 0)
            hits++;
        util_arena_free(&arena);
    }
    return hits;
}

static blob g_binary, g_text, g_multi;

static void test_binary_edb(void)
{
    uint8_t want[4096];
    /* LongCompressedBinary: LV chunk, 51 bytes of Xpress -> 1033 bytes. */
    size_t n = build_expected("test long compressed binary data ", 'a', 1000, false, want);
    CHECK_U64(n, 1033);
    int hits = find_xpress(&g_binary, 51, want, n);
    CHECK(hits >= 1);
    /* 50 stored bytes are not enough. */
    for (size_t i = 0; hits && i + 51 <= g_binary.size; i++)
        if (g_binary.data[i] == 0x18 && g_binary.data[i + 1] == 0x09 && g_binary.data[i + 2] == 0x04 &&
            decodes_to_v(g_binary.data + i, 51, want, n, false)) {
            CHECK_U64(status_of(g_binary.data + i, 50), ESE_DECOMPRESS_CORRUPT);
            break;
        }

    /* MaxLongCompressedBinary: inline, 821 bytes of 7-bit ASCII, first 0x0e. */
    n = build_expected("test max long compressed binary data ", 'a', 900, false, want);
    CHECK_U64(n, 937);
    CHECK(find_7bit(&g_binary, 0x0e, 821, want, n) >= 1);
}

static void test_text_edb(void)
{
    uint8_t want[8192];
    size_t n = build_expected("Long compressed ASCII text ", 'a', 1024, false, want);
    CHECK_U64(n, 1051);
    CHECK(find_xpress(&g_text, 41, want, n) >= 1);

    n = build_expected("Long compressed Unicode text @ ", 'a', 1024, true, want);
    CHECK_U64(n, 2112);
    CHECK(find_xpress(&g_text, 72, want, n) >= 1);

    n = build_expected("Max long compressed Unicode text that can be a bit longer @ ", 'a', 900, true,
                       want);
    CHECK_U64(n, 1922);
    CHECK(find_xpress(&g_text, 111, want, n) >= 1);

    /* MaxLongCompressedASCII: inline, 838 bytes of 7-bit ASCII, first 0x0b. */
    n = build_expected("Max long compressed ASCII text that can be a bit longer ", 'a', 900, false,
                       want);
    CHECK_U64(n, 956);
    CHECK(find_7bit(&g_text, 0x0b, 838, want, n) >= 1);
}

static void test_multi_edb(void)
{
    uint8_t want[8192];
    char prefix[160];
    /* LongCompressedBinary / LongCompressedASCII values 1..3: 95-byte chunks. */
    for (int v = 1; v <= 3; v++) {
        snprintf(prefix, sizeof prefix,
                 "Some very long compressed binary data that has multiple values, this is value %d ",
                 v);
        size_t n = build_expected(prefix, 'a', 1024, false, want);
        CHECK_U64(n, 1104);
        CHECK(find_xpress(&g_multi, 95, want, n) >= 1);
        snprintf(prefix, sizeof prefix,
                 "Some very long compressed ASCII text that has multiple values, this is value %d ", v);
        n = build_expected(prefix, 'a', 1024, false, want);
        CHECK_U64(n, 1103);
        CHECK(find_xpress(&g_multi, 95, want, n) >= 1);
    }
    /* LongCompressedUnicode values 1..3: {fox}*N, chunks 141, 143, 143. */
    static const size_t chunk[3] = {141, 143, 143};
    for (int v = 1; v <= 3; v++) {
        int len = snprintf(prefix, sizeof prefix,
                           "Some very long compressed Unicode text that has multiple values, this is "
                           "value %d ",
                           v);
        for (int k = 0; k < v; k++)
            prefix[len++] = '@';
        prefix[len++] = ' ';
        prefix[len] = '\0';
        size_t n = build_expected(prefix, 'a', 1024, true, want);
        CHECK_U64(n, (size_t)2212 + 4u * (size_t)v);
        CHECK(find_xpress(&g_multi, chunk[v - 1], want, n) >= 1);
    }
    /* LongCompressedASCII (record 2) value 1: 37 bytes 7-bit, first 0x0e, 'a'*41. */
    size_t n = build_expected("", 'a', 41, false, want);
    CHECK(find_7bit(&g_multi, 0x0e, 37, want, n) >= 1);
}

/* ------------------------------------------------------------------ fuzz */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(void)
{
    return random_next(&rng_state);
}

static int fuzz_bad;
static int fuzz_status[4];

/* Decode and check the result is within the announced bounds. */
static void fuzz_one(util_arena *arena, const uint8_t *data, size_t size)
{
    uint8_t *out = NULL;
    size_t out_size = 0;
    const char *error = NULL;
    ese_decompress_status st = run(arena, data, size, &out, &out_size, &error);
    if ((unsigned)st < 4)
        fuzz_status[st]++;
    bool good;
    if (st == ESE_DECOMPRESS_OK) {
        unsigned scheme = data[0] >> 3;
        size_t limit = scheme == 3 ? (size_t)(data[1] | (data[2] << 8))
                     : scheme == 1 ? size * 8 / 7
                                   : size * 8 / 7 * 2;
        good = out != NULL && error == NULL && (scheme >= 1 && scheme <= 3) &&
               (scheme == 3 ? out_size == limit : out_size <= limit);
    } else {
        good = out == NULL && out_size == 0 && error != NULL &&
               (st == ESE_DECOMPRESS_CORRUPT || st == ESE_DECOMPRESS_SCRUBBED ||
                st == ESE_DECOMPRESS_UNSUPPORTED);
    }
    if (!good)
        fuzz_bad++;
}

static void fuzz_mutations(util_arena *arena, const uint8_t *seed, size_t seed_len, int rounds)
{
    uint8_t buf[512];
    if (seed_len > sizeof buf)
        seed_len = sizeof buf;
    for (int r = 0; r < rounds; r++) {
        memcpy(buf, seed, seed_len);
        size_t len = seed_len;
        int edits = 1 + (int)(rng() % 4);
        for (int e = 0; e < edits; e++) {
            switch (rng() % 4) {
            case 0:
                buf[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
                break;
            case 1:
                buf[rng() % len] = (uint8_t)rng();
                break;
            case 2:
                len = 1 + (size_t)(rng() % len);
                break;
            default: /* keep the scheme byte, change the announced size */
                if (len >= 3) {
                    buf[1] = (uint8_t)rng();
                    buf[2] = (uint8_t)rng();
                }
                break;
            }
        }
        if (r % 8 == 0)
            buf[0] = seed[0];
        fuzz_one(arena, buf, len);
        if (arena->total_bytes > (64u << 20)) {
            util_arena_free(arena);
            util_arena_init(arena);
        }
    }
}

static void test_fuzz(void)
{
    util_arena arena;
    util_arena_init(&arena);
    uint8_t buf[400];
    for (int i = 0; i < 30000; i++) {
        size_t len = (size_t)(rng() % sizeof buf);
        for (size_t k = 0; k < len; k++)
            buf[k] = (uint8_t)rng();
        if (len && i % 2 == 0)
            buf[0] = (uint8_t)(((1 + rng() % 3) << 3) | (rng() & 7)); /* schemes 1-3 */
        if (len >= 3 && i % 4 == 0)
            buf[2] = (uint8_t)(rng() % 4); /* small announced Xpress sizes */
        fuzz_one(&arena, buf, len);
        if (arena.total_bytes > (64u << 20)) {
            util_arena_free(&arena);
            util_arena_init(&arena);
        }
    }

    /* Mutations of hand-built and real streams. */
    static const uint8_t s2[] = {0x18, 29,   0,    0x00, 0x00, 0x00, 0x0C, 'a',  'b',
                                 'c',  'd',  0x1F, 0x00, 0x50, 0x07, 0x00};
    fuzz_mutations(&arena, s2, sizeof s2, 5000);
    const blob *imgs[3] = {&g_binary, &g_text, &g_multi};
    int seeds = 0;
    for (int b = 0; b < 3; b++) {
        const blob *img = imgs[b];
        for (size_t i = 0; i + 3 <= img->size; i++) {
            uint8_t c = img->data[i];
            bool xp = c == 0x18 && (img->data[i + 1] | (img->data[i + 2] << 8)) >= 1000 &&
                      (img->data[i + 1] | (img->data[i + 2] << 8)) <= 2300;
            uint8_t first = img->data[i + 1] & 0x7F;
            bool seven = (c == 0x0e && first == 't') || (c == 0x0b && first == 'M');
            if ((!xp && !seven) || seeds >= 60)
                continue;
            size_t len = xp ? 160 : 400;
            if (i + len > img->size)
                len = img->size - i;
            fuzz_mutations(&arena, img->data + i, len, 2000);
            seeds++;
        }
    }
    printf("fuzz: %d ok, %d unsupported, %d scrubbed, %d corrupt, %d seeds from real data\n",
           fuzz_status[ESE_DECOMPRESS_OK], fuzz_status[ESE_DECOMPRESS_UNSUPPORTED],
           fuzz_status[ESE_DECOMPRESS_SCRUBBED], fuzz_status[ESE_DECOMPRESS_CORRUPT], seeds);
    CHECK(seeds >= 10);
    CHECK(fuzz_status[ESE_DECOMPRESS_OK] > 1000); /* the success paths were exercised */
    CHECK(fuzz_status[ESE_DECOMPRESS_CORRUPT] > 1000);
    CHECK_U64(fuzz_bad, 0);
    util_arena_free(&arena);
}

int main(void)
{
    test_7bit_vectors();
    test_xpress_vectors();
    test_schemes();

    /* Report hand-built failures even if the shared data turns out to be
     * missing (shared_path exits 77 in that case). */
    if (check_failures)
        return check_exit();

    g_binary = gunzip_shared("testdata/ese-generic/binary.edb.gz");
    g_text = gunzip_shared("testdata/ese-generic/text.edb.gz");
    g_multi = gunzip_shared("testdata/ese-generic/multi.edb.gz");
    CHECK_U64(g_binary.size, 1048576);
    CHECK_U64(g_text.size, 1048576);
    CHECK_U64(g_multi.size, 1048576);
    if (g_binary.size && g_text.size && g_multi.size) {
        test_binary_edb();
        test_text_edb();
        test_multi_edb();
        test_fuzz();
    }
    free(g_binary.data);
    free(g_text.data);
    free(g_multi.data);
    return check_exit();
}
