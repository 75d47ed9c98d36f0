/* The writers' memo of recently written ACE lists (src/output/ace_memo.c):
 * a list is found again only when every written field is the same (NULL and
 * "" alike) and in the same context; a fifth list pushes out the oldest; the
 * kept text and ACEs are copies, independent of the caller's strings. The
 * texts are compared 16 bytes at a time: a SID ending on the last byte
 * before an unreadable page compares as strcmp does, at every length and
 * with a difference at every place. */
/* MAP_ANONYMOUS is not in POSIX 2008; glibc shows it under _DEFAULT_SOURCE */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* The kept SID of every length up to 40 against the same SID, one differing
 * at each place, one a byte shorter and one a byte longer, all ending just
 * before a guard page (a read across it would crash the test). */
static void test_texts_ending_before_unreadable_page(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *pages = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pages != MAP_FAILED);
    if (pages == MAP_FAILED)
        return;
    CHECK(mprotect(pages + page, (size_t)page, PROT_NONE) == 0);
    size_t cases = 0, wrong = 0, length;
    for (size_t kept_length = 0; kept_length <= 40; kept_length++) {
        out_ace_memo memo;  /* this list alone: the shorter one is kept by the round before */
        out_ace_memo_init(&memo);
        char kept_sid[48];
        for (size_t i = 0; i < kept_length; i++)
            kept_sid[i] = (char)('A' + (char)(i % 26));
        kept_sid[kept_length] = '\0';
        bp_ace kept = {.acl = "DACL", .sid = kept_sid};
        out_ace_memo_keep(&memo, &kept, 1, 0, "kept", 4);
        /* asked: the same text, each place changed, one shorter, one longer */
        for (size_t variant = 0; variant <= kept_length + 2; variant++) {
            size_t asked_length = variant == kept_length + 1 ? kept_length - (kept_length > 0)
                                  : variant == kept_length + 2 ? kept_length + 1 : kept_length;
            char *sid = pages + page - 1 - asked_length;
            for (size_t i = 0; i < asked_length; i++)
                sid[i] = (char)('A' + (char)(i % 26));
            sid[asked_length] = '\0';
            if (variant < kept_length)
                sid[variant] = 'z';
            bp_ace asked = {.acl = "DACL", .sid = sid};
            bool equal = strcmp(sid, kept_sid) == 0;
            bool found = out_ace_memo_find(&memo, &asked, 1, 0, &length) != NULL;
            cases++;
            if (found != equal)
                wrong++;
        }
        out_ace_memo_free(&memo);
    }
    CHECK_U64(cases, 943);  /* (kept_length + 3) summed over 0..40 */
    CHECK_U64(wrong, 0);
    munmap(pages, (size_t)page * 2);
}

int main(void)
{
    test_found_only_when_equal();
    test_oldest_list_pushed_out();
    test_texts_ending_before_unreadable_page();
    return check_exit();
}
