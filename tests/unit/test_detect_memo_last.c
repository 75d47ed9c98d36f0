/* The last value a memoised test answered (detect/match.c, repeats_last and
 * keep_last): a repeated value is answered from it without a new memo
 * entry; a value that only begins like the kept one, a different value, a
 * value too long to keep (DETECT_MEMO_LAST_TEXT) and "" each get their own
 * verdict, and the kept value is what the test last answered. */
#include <stdbool.h>

#include "check.h"
#include "detect/detect_internal.h"

static const char rules_text[] =
    "rules:\n"
    "  - id: T-HOST\n"
    "    title: host\n"
    "    severity: low\n"
    "    match:\n"
    "      field: url\n"
    "      host_in: [bad.example]\n";

#define LONG_HOST "a-very-long-subdomain-name-for-the-test.bad.example"  /* 51 bytes: not kept */

static const struct {
    const char *url;
    bool expected;
    const char *kept;      /* the last value kept afterwards ("" = none) */
    size_t map_count;      /* memo entries afterwards */
} steps[] = {
    {"https://bad.example/a", true, "bad.example", 1},
    {"https://BAD.example/b", true, "bad.example", 1},  /* the same host: from the last value */
    {"https://bad.exampl/c", false, "bad.exampl", 2},   /* begins like it, is not it */
    {"https://bad.example/d", true, "bad.example", 2},  /* from the memo, kept again */
    {"https://good.example/e", false, "good.example", 3},
    {"https://" LONG_HOST "/f", true, "", 4},          /* too long: the memo alone */
    {"https://" LONG_HOST "/g", true, "", 4},
    {"", false, "", 5},                                 /* "" is tested, never kept */
    {"https://good.example/h", false, "good.example", 5},
    {"https://good.example/i", false, "good.example", 5},
};

int main(void)
{
    CHECK(sizeof LONG_HOST - 1 >= DETECT_MEMO_LAST_TEXT);
    char error[512] = "";
    detect_document *document = detect_load(rules_text, sizeof rules_text - 1, "last.yaml", error, sizeof error);
    CHECK(document != NULL);
    if (!document) {
        fprintf(stderr, "  %s\n", error);
        return check_exit();
    }
    const detect_node *host_test = document->rules[0]->match;
    detect_verdicts verdicts;
    memset(&verdicts, 0, sizeof verdicts);
    util_arena_init(&verdicts.keys);
    detect_field_cache *cache = calloc(detect_field_count(), sizeof(*cache));
    util_arena records, scratch;
    util_arena_init(&records);
    util_arena_init(&scratch);
    const detect_memo_use *use = NULL;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        bp_file *file = util_arena_alloc(&records, sizeof(*file));
        file->remote_url = util_arena_strdup(&records, steps[i].url);
        bp_record record = {.file = file};
        util_arena_reset(&scratch);
        detect_context context = {.record = &record, .scratch = &scratch, .cache = cache,
                                  .record_number = i + 1, .verdicts = &verdicts};
        bool hit = detect_node_matches(host_test, &context);
        if (hit != steps[i].expected)
            fprintf(stderr, "  step %zu (%s): %d\n", i, steps[i].url, hit);
        CHECK(hit == steps[i].expected);
        for (size_t u = 0; !use && u < DETECT_MEMO_TESTS; u++)
            if (verdicts.uses[u].node == host_test)
                use = &verdicts.uses[u];
        CHECK(use != NULL);
        if (use) {
            CHECK_STR(use->last_length ? use->last : "", steps[i].kept);
            if (use->last_length)
                CHECK(use->last_verdict == steps[i].expected);
        }
        CHECK_U64(verdicts.map.count, steps[i].map_count);
    }
    if (use) {
        CHECK_U64(use->lookups, 10);
        CHECK_U64(use->hits, 5);  /* steps 1 and 9 (the last value), 3, 6 and 8 (the memo) */
    }
    free(cache);
    detect_verdicts_free(&verdicts);
    util_arena_free(&scratch);
    util_arena_free(&records);
    detect_document_free(document);
    return check_exit();
}
