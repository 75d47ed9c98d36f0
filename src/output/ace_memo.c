#include "output/ace_memo.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "output/text_block.h"

static const char *or_empty(const char *text) { return text ? text : ""; }

#ifdef __SSE2__
/* strcmp(a, b) == 0 without a call, 16 bytes at a time: the lists are
 * compared for every record, six ACEs of six texts (text_block.h). */
static inline __attribute__((always_inline)) bool same_text(const char *a, const char *b)
{
    a = or_empty(a);
    b = or_empty(b);
    for (;;) {
        if (!out_text_block_in_page(a) || !out_text_block_in_page(b)) {
            if (*a != *b)
                return false;
            if (*a == '\0')
                return true;
            a++;
            b++;
            continue;
        }
        __m128i left = out_text_block_load(a);
        __m128i right = out_text_block_load(b);
        unsigned differ = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(left, right)) ^ 0xFFFFu;
        unsigned ends = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(left, _mm_setzero_si128()));
        if (differ | ends) {  /* equal texts end in the same place with nothing different before */
            unsigned first = (unsigned)__builtin_ctz(differ | ends);
            return a[first] == b[first];
        }
        a += 16;
        b += 16;
    }
}
#else
static bool same_text(const char *a, const char *b) { return strcmp(or_empty(a), or_empty(b)) == 0; }
#endif

/* The SID first: lists of one queue differ in their SIDs (the owner's),
 * and the rights text, the longest, last. */
static bool same_ace(const bp_ace *a, const bp_ace *b)
{
    return a->mask == b->mask && same_text(a->sid, b->sid) && same_text(a->acl, b->acl) &&
           same_text(a->ace_type, b->ace_type) && same_text(a->flags, b->flags) &&
           same_text(a->account, b->account) && same_text(a->rights, b->rights);
}

void out_ace_memo_init(out_ace_memo *memo)
{
    memset(memo, 0, sizeof(*memo));
    for (size_t i = 0; i < OUT_ACE_MEMO_LISTS; i++)
        util_arena_init(&memo->lists[i].arena);
}

void out_ace_memo_free(out_ace_memo *memo)
{
    for (size_t i = 0; i < OUT_ACE_MEMO_LISTS; i++)
        util_arena_free(&memo->lists[i].arena);
    memset(memo, 0, sizeof(*memo));
}

static bool same_list(const out_ace_memo_list *list, const bp_ace *aces, size_t count, unsigned context)
{
    if (!list->valid || list->count != count || list->context != context)
        return false;
    for (size_t i = 0; i < count; i++)
        if (!same_ace(&list->aces[i], &aces[i]))
            return false;
    return true;
}

const char *out_ace_memo_find(out_ace_memo *memo, const bp_ace *aces, size_t count, unsigned context,
                              size_t *length)
{
    for (size_t n = 0; n < OUT_ACE_MEMO_LISTS; n++) {
        size_t i = (memo->last_found + n) % OUT_ACE_MEMO_LISTS;
        const out_ace_memo_list *list = &memo->lists[i];
        if (same_list(list, aces, count, context)) {
            memo->last_found = i;
            *length = list->length;
            return list->text;
        }
    }
    return NULL;
}

static const char *copy(util_arena *arena, const char *text, bool *ok)
{
    const char *kept = util_arena_strdup(arena, or_empty(text));
    *ok = *ok && kept;
    return kept;
}

void out_ace_memo_keep(out_ace_memo *memo, const bp_ace *aces, size_t count, unsigned context,
                       const char *text, size_t length)
{
    out_ace_memo_list *list = &memo->lists[memo->next];
    memo->next = (memo->next + 1) % OUT_ACE_MEMO_LISTS;
    list->valid = false;
    util_arena_reset(&list->arena);
    list->aces = count ? util_arena_array(&list->arena, count, sizeof(*list->aces)) : NULL;
    list->text = util_arena_strndup(&list->arena, text, length);
    bool ok = (list->aces || !count) && list->text;
    for (size_t i = 0; ok && i < count; i++) {
        bp_ace *kept = &list->aces[i];
        kept->mask = aces[i].mask;
        kept->acl = copy(&list->arena, aces[i].acl, &ok);
        kept->ace_type = copy(&list->arena, aces[i].ace_type, &ok);
        kept->flags = copy(&list->arena, aces[i].flags, &ok);
        kept->rights = copy(&list->arena, aces[i].rights, &ok);
        kept->sid = copy(&list->arena, aces[i].sid, &ok);
        kept->account = copy(&list->arena, aces[i].account, &ok);
    }
    list->count = count;
    list->context = context;
    list->length = length;
    list->valid = ok;
}
