/* The verdict memo of the detection rules (detect/match.c) on a queue's
 * records: a test whose values never repeat (one path per file) leaves the
 * memo after its trial of DETECT_MEMO_TRIAL lookups, a test whose values
 * repeat (one host) keeps answering from it, and every record still gets its
 * own verdict either way. The host of a record's URL is extracted once and
 * shared by the url tests and the url_host field. */
#include <stdbool.h>

#include "check.h"
#include "detect/detect_internal.h"

static const char rules_text[] =
    "rules:\n"
    "  - id: T-PATH\n"
    "    title: path\n"
    "    severity: low\n"
    "    match:\n"
    "      field: full_path\n"
    "      contains: ['\\AppData\\', '\\Users\\Public\\', '\\ProgramData\\', '\\Windows\\Temp\\',\n"
    "                 ':\\Temp\\', '\\Downloads\\', '\\PerfLogs\\', '\\$Recycle.Bin\\']\n"
    "  - id: T-HOST\n"
    "    title: host\n"
    "    severity: low\n"
    "    match:\n"
    "      field: url\n"
    "      host_in: [bad.example]\n";

static const detect_memo_use *use_of(const detect_verdicts *verdicts, const detect_node *node)
{
    for (size_t i = 0; i < DETECT_MEMO_TESTS; i++)
        if (verdicts->uses[i].node == node)
            return &verdicts->uses[i];
    return NULL;
}

int main(void)
{
    char error[512] = "";
    detect_document *document = detect_load(rules_text, sizeof rules_text - 1, "trial.yaml", error, sizeof error);
    CHECK(document != NULL);
    if (!document) {
        fprintf(stderr, "  %s\n", error);
        return check_exit();
    }
    CHECK_U64(document->rule_count, 2);
    const detect_node *path_test = document->rules[0]->match, *host_test = document->rules[1]->match;

    detect_verdicts verdicts;
    memset(&verdicts, 0, sizeof verdicts);
    util_arena_init(&verdicts.keys);
    detect_field_cache *cache = calloc(detect_field_count(), sizeof(*cache));
    util_arena records, scratch;
    util_arena_init(&records);
    util_arena_init(&scratch);
    enum { RECORDS = DETECT_MEMO_TRIAL + 300 };
    int wrong = 0;
    for (int i = 0; i < RECORDS; i++) {
        bp_file *file = util_arena_alloc(&records, sizeof(*file));
        file->local_path = util_arena_printf(&records, i % 5 == 0 ? "C:\\Users\\u\\AppData\\Local\\%d\\part.bin"
                                                                  : "D:\\cache\\%d\\part.bin", i);
        file->remote_url = util_arena_printf(&records, "https://%s:443/p/%d",
                                             i % 3 == 1 ? "BAD.example" : "good.example", i);
        bp_record record = {.file = file};
        util_arena_reset(&scratch);
        detect_context context = {.record = &record, .scratch = &scratch, .cache = cache,
                                  .record_number = (size_t)i + 1, .verdicts = &verdicts};
        bool path_hit = detect_node_matches(path_test, &context);
        bool host_hit = detect_node_matches(host_test, &context);
        if ((path_hit != (i % 5 == 0) || host_hit != (i % 3 == 1)) && wrong++ < 3)
            fprintf(stderr, "  record %d: path %d host %d\n", i, path_hit, host_hit);
        if (i == 1) {  /* the url_host field is the host the url test extracted, not a second copy */
            size_t url_host;
            const char *why = NULL, *one;
            const char *const *values;
            size_t count;
            CHECK(detect_field_lookup("url_host", &url_host, &why));
            CHECK(detect_field_values(url_host, &context, &one, &values, &count));
            CHECK_U64(count, 1);
            CHECK_STR(values[0], "bad.example");
            CHECK(values[0] == detect_context_host_of(&context, file->remote_url));
        }
        CHECK(!context.out_of_memory);
    }
    CHECK_U64(wrong, 0);
    const detect_memo_use *path_use = use_of(&verdicts, path_test), *host_use = use_of(&verdicts, host_test);
    CHECK(path_use != NULL && host_use != NULL);
    if (path_use && host_use) {
        CHECK_U64(path_use->lookups, DETECT_MEMO_TRIAL);  /* then evaluated directly */
        CHECK_U64(path_use->hits, 0);
        CHECK_U64(host_use->lookups, RECORDS);
        CHECK_U64(host_use->hits, RECORDS - 2);  /* the two hosts were each looked up once in vain */
    }
    CHECK_U64(verdicts.map.count, DETECT_MEMO_TRIAL + 2);
    free(cache);
    detect_verdicts_free(&verdicts);
    util_arena_free(&scratch);
    util_arena_free(&records);
    detect_document_free(document);
    return check_exit();
}
