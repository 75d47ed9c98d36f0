/* The writers' memo of recently written ACE lists (src/output/ace_memo.c):
 * a list is found again only when every written field is the same (NULL and
 * "" alike) and in the same context; a fifth list pushes out the oldest; the
 * kept text and ACEs are copies, independent of the caller's strings. */
#include <stdio.h>

#include "check.h"
#include "output/ace_memo.h"

static void fill(bp_ace aces[2], char sid[2][16])
{
    snprintf(sid[0], 16, "S-1-5-18");
    snprintf(sid[1], 16, "S-1-5-32-544");
    aces[0] = (bp_ace){.acl = "DACL", .ace_type = "AccessAllowed", .flags = "", .mask = 0x1F,
                       .rights = "Delete", .sid = sid[0], .account = "SYSTEM"};
    aces[1] = (bp_ace){.acl = "DACL", .ace_type = "AccessDenied", .flags = NULL, .mask = 1,
                       .rights = "ReadControl", .sid = sid[1], .account = NULL};
}

static void test_found_only_when_equal(void)
{
    out_ace_memo memo;
    out_ace_memo_init(&memo);
    bp_ace aces[2], other[2];
    char sid[2][16], other_sid[2][16];
    fill(aces, sid);
    size_t length = 0;
    CHECK(out_ace_memo_find(&memo, aces, 2, 1, &length) == NULL);
    out_ace_memo_keep(&memo, aces, 2, 1, "[two aces]", 10);
    sid[0][0] = 'X';  /* the memo holds its own copies */
    fill(other, other_sid);
    const char *text = out_ace_memo_find(&memo, other, 2, 1, &length);
    CHECK_STR(text, "[two aces]");
    CHECK_U64(length, 10);
    CHECK(out_ace_memo_find(&memo, other, 2, 2, &length) == NULL);  /* another depth */
    CHECK(out_ace_memo_find(&memo, other, 1, 1, &length) == NULL);  /* a shorter list */
    other[0].flags = NULL;  /* NULL and "" are the same text */
    other[1].flags = "";
    other[1].account = "";
    CHECK_STR(out_ace_memo_find(&memo, other, 2, 1, &length), "[two aces]");
    /* each written field on its own makes another list */
    for (int field = 0; field < 7; field++) {
        fill(other, other_sid);
        switch (field) {
        case 0: other[1].acl = "SACL"; break;
        case 1: other[1].ace_type = "AccessAllowed"; break;
        case 2: other[1].flags = "Inherited"; break;
        case 3: other[1].mask = 2; break;
        case 4: other[1].rights = "Delete"; break;
        case 5: other_sid[1][11] = '5'; break;
        case 6: other[1].account = "Administrators"; break;
        }
        CHECK(out_ace_memo_find(&memo, other, 2, 1, &length) == NULL);
    }
    /* the raw type and flag bytes are not written: they do not count */
    fill(other, other_sid);
    other[0].ace_type_raw = 9;
    other[0].flags_raw = 3;
    CHECK_STR(out_ace_memo_find(&memo, other, 2, 1, &length), "[two aces]");
    out_ace_memo_free(&memo);
}

static void test_oldest_list_pushed_out(void)
{
    out_ace_memo memo;
    out_ace_memo_init(&memo);
    bp_ace aces[OUT_ACE_MEMO_LISTS + 1][2];
    char sids[OUT_ACE_MEMO_LISTS + 1][2][16];
    char texts[OUT_ACE_MEMO_LISTS + 1][8];
    size_t length;
    for (size_t i = 0; i <= OUT_ACE_MEMO_LISTS; i++) {
        fill(aces[i], sids[i]);
        aces[i][0].mask = (uint32_t)i;
        snprintf(texts[i], sizeof texts[i], "list %zu", i);
        out_ace_memo_keep(&memo, aces[i], 2, 1, texts[i], strlen(texts[i]));
    }
    CHECK(out_ace_memo_find(&memo, aces[0], 2, 1, &length) == NULL);
    for (size_t i = 1; i <= OUT_ACE_MEMO_LISTS; i++)
        CHECK_STR(out_ace_memo_find(&memo, aces[i], 2, 1, &length), texts[i]);
    out_ace_memo_free(&memo);
}

int main(void)
{
    test_found_only_when_equal();
    test_oldest_list_pushed_out();
    return check_exit();
}
