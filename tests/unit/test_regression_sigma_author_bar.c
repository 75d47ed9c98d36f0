/* Regression (code review, finding 7): a Sigma rule's author was written into
 * the CSV detections cell as "ID (author: AUTHOR)", the labels joined by '|';
 * an author holding '|' made one detection read as two. Such a rule is now
 * refused at load (like an id with '|'), with the position and the reason;
 * an author without '|' still loads and is shown as written. */
#include "bitsparse/detect.h"
#include "check.h"

#define RULE(author_line)                                                             \
    "title: T\nid: r-1\n" author_line "logsource:\n    product: windows\n"          \
    "    service: bits-client\ndetection:\n    sel:\n        A: x\n    condition: sel\n"

static void test_bar_refused(void)
{
    const char *text = RULE("author: Alice | Bob\n");
    bp_ruleset *rules = bp_ruleset_new();
    char error[512] = "";
    CHECK(bp_ruleset_add_sigma_memory(rules, text, strlen(text), "r.yml", error, sizeof error) == -1);
    CHECK_STR(error, "r.yml:3:9: 'author' 'Alice | Bob' may not contain '|' (it separates detections in CSV)");
    CHECK_U64(bp_ruleset_count(rules), 0);
    bp_ruleset_free(rules);
}

static void test_other_author_kept(void)
{
    const char *text = RULE("author: Alice / Bob (Example, Inc.)\n");
    bp_ruleset *rules = bp_ruleset_new();
    char error[512] = "";
    CHECK(bp_ruleset_add_sigma_memory(rules, text, strlen(text), "r.yml", error, sizeof error) == 0);
    CHECK_U64(bp_ruleset_count(rules), 1);
    const bp_rule_info *info = bp_ruleset_count(rules) ? bp_ruleset_rule(rules, 0) : NULL;
    CHECK(info != NULL);
    if (info) {
        CHECK_STR(info->id, "r-1");
        CHECK_STR(info->author, "Alice / Bob (Example, Inc.)");
    }
    bp_ruleset_free(rules);
}

int main(void)
{
    test_bar_refused();
    test_other_author_kept();
    return check_exit();
}
