/* UTF-16LE to UTF-8 (util/text.c), which takes eight (SSE2) or four ASCII
 * units at a time:
 * a special unit (0x7F, 0x80, U+00E9, U+20AC, a surrogate pair, a lone
 * surrogate, a terminating zero) at every position of an ASCII text of every
 * length up to 40 must come out exactly where it was, the text around it
 * unchanged; a zero ends the text; a lone surrogate gives U+FFFD and sets
 * lossy. */
#include "check.h"
#include "util/arena.h"
#include "util/text.h"

typedef struct special {
    uint16_t units[2];
    size_t unit_count;
    const char *utf8;      /* NULL: the text ends here */
    bool lossy;
} special;

static size_t put_units(uint8_t *out, const uint16_t *units, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        out[2 * i] = (uint8_t)units[i];
        out[2 * i + 1] = (uint8_t)(units[i] >> 8);
    }
    return count;
}

int main(void)
{
    static const special specials[] = {
        {{0x7F}, 1, "\x7f", false},
        {{0x80}, 1, "\xc2\x80", false},
        {{0x00E9}, 1, "\xc3\xa9", false},
        {{0x20AC}, 1, "\xe2\x82\xac", false},
        {{0xD83D, 0xDE00}, 2, "\xf0\x9f\x98\x80", false},
        {{0xDC00}, 1, "\xef\xbf\xbd", true},
        {{0x4100}, 1, "\xe4\x84\x80", false},  /* low byte ASCII-like, high byte set */
        {{0x0000}, 1, NULL, false},
    };
    util_arena arena;
    util_arena_init(&arena);
    size_t mismatches = 0;
    for (size_t k = 0; k < sizeof specials / sizeof specials[0]; k++) {
        for (size_t length = 0; length <= 40; length++) {
            for (size_t at = 0; at <= length; at++) {
                uint16_t units[48];
                char expected[128];
                size_t count = 0, used = 0;
                for (size_t i = 0; i < at; i++) {
                    units[count++] = (uint16_t)('a' + i % 26);
                    expected[used++] = (char)('a' + i % 26);
                }
                for (size_t i = 0; i < specials[k].unit_count; i++)
                    units[count++] = specials[k].units[i];
                if (specials[k].utf8) {
                    memcpy(expected + used, specials[k].utf8, strlen(specials[k].utf8));
                    used += strlen(specials[k].utf8);
                }
                for (size_t i = at; i < length; i++) {
                    units[count++] = (uint16_t)('A' + i % 26);
                    if (specials[k].utf8)
                        expected[used++] = (char)('A' + i % 26);
                }
                expected[used] = '\0';
                uint8_t bytes[96];
                put_units(bytes, units, count);
                bool lossy = false;
                const char *text = util_utf16le_to_utf8(&arena, bytes, count, &lossy);
                if (!text || strcmp(text, expected) != 0 || lossy != specials[k].lossy) {
                    if (mismatches++ < 5)
                        fprintf(stderr, "special %zu at %zu of %zu: got \"%s\" want \"%s\"\n", k, at, length,
                                text ? text : "(null)", expected);
                }
            }
        }
    }
    CHECK_U64(mismatches, 0);

    /* a high surrogate as the last unit, and the units count stopping short of the zero */
    uint8_t bytes[16];
    bool lossy = false;
    put_units(bytes, (const uint16_t[]){'a', 'b', 'c', 'd', 0xD800}, 5);
    CHECK_STR(util_utf16le_to_utf8(&arena, bytes, 5, &lossy), "abcd\xef\xbf\xbd");
    CHECK(lossy);
    put_units(bytes, (const uint16_t[]){'w', 'x', 'y', 'z', 'q', 0}, 6);
    CHECK_STR(util_utf16le_to_utf8(&arena, bytes, 3, NULL), "wxy");
    CHECK_STR(util_utf16le_to_utf8(&arena, bytes, 4, NULL), "wxyz");
    CHECK_STR(util_utf16le_to_utf8(&arena, bytes, 6, NULL), "wxyzq");
    /* the output room is not zeroed: in memory an earlier, longer text
     * filled, a shorter one still ends at its own NUL */
    util_arena_reset(&arena);
    util_arena_strdup(&arena, "0123456789012345678901234567890123456789");
    util_arena_reset(&arena);
    put_units(bytes, (const uint16_t[]){'h', 'i', 0, 'x', 'x', 'x'}, 6);
    CHECK_STR(util_utf16le_to_utf8(&arena, bytes, 6, NULL), "hi");
    util_arena_free(&arena);
    return check_exit();
}
