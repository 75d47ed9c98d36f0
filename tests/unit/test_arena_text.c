/* Arena string copies without zeroing (src/util/arena.c: util_arena_text,
 * util_arena_strndup) and GUID texts formatted in place (util_guid_string):
 * each copy ends where its text does even in an arena reused after a reset
 * (old, longer bytes under it), large copies go behind the block, and the
 * zeroing allocation still zeroes reused memory. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "util/arena.h"
#include "util/text.h"

int main(void)
{
    util_arena arena;
    util_arena_init(&arena);

    char *first = util_arena_strdup(&arena, "a long text that leaves bytes behind");
    CHECK_STR(first, "a long text that leaves bytes behind");
    util_arena_reset(&arena);
    char *again = util_arena_strndup(&arena, "short, cut here", 5);
    CHECK(again == first);  /* the same bytes reused */
    CHECK_STR(again, "short");
    util_arena_reset(&arena);
    char *zeroed = util_arena_alloc(&arena, 32);
    size_t nonzero = 0;
    for (size_t i = 0; i < 32; i++)
        nonzero += zeroed[i] != 0;
    CHECK_U64(nonzero, 0);  /* util_arena_alloc still zeroes what a copy left */

    char *room = util_arena_text(&arena, 3);
    CHECK(room != NULL && room[3] == '\0');
    CHECK((uintptr_t)room % 16 == 0);
    memcpy(room, "xyz", 3);
    CHECK_STR(room, "xyz");
    CHECK_STR(util_arena_strdup(&arena, NULL), "");
    CHECK_STR(util_arena_strndup(&arena, "", 0), "");

    /* larger than any block: its own block behind the current one */
    char big[100000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    char *copy = util_arena_strdup(&arena, big);
    CHECK(copy != NULL && strlen(copy) == sizeof big - 1 && copy[0] == 'q');
    CHECK_STR(util_arena_strdup(&arena, "after"), "after");

    static const uint8_t guid[16] = {0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66,
                                     0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    util_arena_reset(&arena);
    util_arena_strdup(&arena, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
    util_arena_reset(&arena);
    CHECK_STR(util_guid_string(&arena, guid), "00112233-4455-6677-8899-aabbccddeeff");
    char text[37];
    memset(text, 'z', sizeof text);
    util_guid_format(guid, text);
    CHECK_STR(text, "00112233-4455-6677-8899-aabbccddeeff");
    static const uint8_t zero[16] = {0};
    CHECK_STR(util_guid_string(&arena, zero), "00000000-0000-0000-0000-000000000000");

    util_arena_free(&arena);
    return check_exit();
}
