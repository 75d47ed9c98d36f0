/* Sigma rules outside the supported subset, or malformed, are refused at load
 * with LABEL:LINE:COLUMN and the reason (one case per construct); rules for
 * another logsource are skipped (return 1) with a note; the seven SigmaHQ
 * Bits-Client rules load unmodified through the public API. */
#include <dirent.h>

#include "bitsparse/detect.h"
#include "check.h"
#include "detect/sigma.h"

#define HEAD "title: T\nid: r-1\nlogsource:\n    product: windows\n    service: bits-client\n"

static void expect_error(const char *text, const char *want, int line)
{
    bp_ruleset *rules = bp_ruleset_new();
    char error[512] = "";
    int rc = bp_ruleset_add_sigma_memory(rules, text, strlen(text), "r.yml", error, sizeof error);
    check_count++;
    if (rc != -1 || strcmp(error, want) != 0) {
        check_failures++;
        fprintf(stderr, "line %d: rc %d\n   got: \"%s\"\n  want: \"%s\"\n", line, rc, error, want);
    }
    CHECK(bp_ruleset_count(rules) == 0);  /* nothing of a failed rule is kept */
    bp_ruleset_free(rules);
}

#define ERROR(text, want) expect_error(text, want, __LINE__)

static void test_errors(void)
{
    ERROR(HEAD "detection:\n    sel:\n        A|wide: x\n    condition: sel\n",
          "r.yml:8:9: field 'A|wide': modifier 'wide' is not supported (supported: contains, "
          "startswith, endswith, all, re, re|i, cidr, windash, base64, base64offset, cased, exists)");
    ERROR(HEAD "detection:\n    sel:\n        A|contains|endswith: x\n    condition: sel\n",
          "r.yml:8:9: field 'A|contains|endswith': modifier 'endswith' after another match "
          "modifier (only one of contains, startswith, endswith, re, cidr, exists)");
    ERROR(HEAD "detection:\n    keywords:\n        - evil\n    condition: keywords\n",
          "r.yml:8:11: selection 'keywords': keyword lists (plain values without a field) are "
          "not supported; each list entry must be a map of field tests");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: sel and other\n",
          "r.yml:9:24: condition 'sel and other': 'other' names no selection of the detection");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: (sel\n",
          "r.yml:9:20: condition '(sel': ')' expected");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: sel)\n",
          "r.yml:9:19: condition 'sel)': unexpected ')'");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: sel | count() > 5\n",
          "r.yml:9:20: condition 'sel | count() > 5': aggregations ('|') are not supported");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: 2 of sel*\n",
          "r.yml:9:16: condition '2 of sel*': only '1 of' and 'all of' are supported");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: sel and\n",
          "r.yml:9:23: condition 'sel and': the condition ends where a selection name was expected");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: sel*\n",
          "r.yml:9:16: condition 'sel*': a name pattern needs '1 of' or 'all of' before it");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: 1 of\n",
          "r.yml:9:20: condition '1 of': a selection name, a pattern or 'them' expected after 'of'");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: 1 of filter_*\n",
          "r.yml:9:21: condition '1 of filter_*': 'filter_*' names no selection of the detection");
    ERROR(HEAD "detection:\n    sel:\n        A|re: 'a(?=b)'\n    condition: sel\n",
          "r.yml:8:17: regex 'a(?=b)': (?...) groups other than (?:...) and a leading (?i) have "
          "no POSIX equivalent");
    ERROR(HEAD "detection:\n    sel:\n        A|re: 'a.*?b'\n    condition: sel\n",
          "r.yml:8:19: regex 'a.*?b': lazy and possessive quantifiers have no POSIX equivalent");
    ERROR(HEAD "detection:\n    sel:\n        A|re: '\\bword'\n    condition: sel\n",
          "r.yml:8:16: regex '\\bword': this escape (\\b, \\A, \\1, \\x.. ...) has no POSIX "
          "equivalent");
    ERROR(HEAD "detection:\n    sel:\n        A|re: 'a(b'\n    condition: sel\n",
          "r.yml:8:15: bad regex 'a(b': Unmatched ( or \\(");
    ERROR(HEAD "detection:\n    sel:\n        A|re|m: x\n    condition: sel\n",
          "r.yml:8:9: field 'A|re|m': modifier 'm' is not supported (supported: contains, "
          "startswith, endswith, all, re, re|i, cidr, windash, base64, base64offset, cased, exists)");
    ERROR(HEAD "detection:\n    sel:\n        A|cidr: 10.0.0.0/33\n    condition: sel\n",
          "r.yml:8:17: field 'A|cidr': '10.0.0.0/33' is not an IPv4 or IPv6 network "
          "(ADDRESS/PREFIX)");
    ERROR(HEAD "detection:\n    sel:\n        A|base64offset: x\n    condition: sel\n",
          "r.yml:8:9: field 'A|base64offset': base64offset needs contains (the encoded value "
          "sits inside a longer text)");
    ERROR(HEAD "detection:\n    sel:\n        A|base64|contains: 'a*'\n    condition: sel\n",
          "r.yml:8:28: field 'A|base64|contains': wildcards cannot be base64-encoded");
    ERROR(HEAD "detection:\n    sel:\n        A|windash|re: x\n    condition: sel\n",
          "r.yml:8:9: field 'A|windash|re': windash, base64 and base64offset apply to strings, "
          "not to re, cidr or exists");
    ERROR(HEAD "detection:\n    sel:\n        A|exists: maybe\n    condition: sel\n",
          "r.yml:8:19: field 'A|exists': exists takes true or false");
    ERROR(HEAD "detection:\n    sel:\n        A|contains: null\n    condition: sel\n",
          "r.yml:8:21: field 'A|contains': null cannot take modifiers");
    ERROR(HEAD "detection:\n    sel:\n        A|all: x\n    condition: sel\n",
          "r.yml:8:9: field 'A|all': 'all' needs a list of values");
    ERROR(HEAD "detection:\n    sel:\n        A: []\n    condition: sel\n",
          "r.yml:8:12: field 'A': an empty list of values");
    ERROR(HEAD "detection:\n    sel:\n        A:\n            B: x\n    condition: sel\n",
          "r.yml:9:13: field 'A': a value must be a single value or a list, not a map");
    ERROR(HEAD "detection:\n    sel:\n        '|contains': x\n    condition: sel\n",
          "r.yml:8:9: '|contains': keyword searches (modifiers without a field name) are not "
          "supported");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n",
          "r.yml:7:5: 'detection' has no 'condition'");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    sel:\n        B: y\n    condition: sel\n",
          "r.yml:9:5: selection 'sel' is defined twice");
    ERROR(HEAD "detection:\n    sel: x\n    condition: sel\n",
          "r.yml:7:10: selection 'sel' must be a map of field tests or a list of maps, not a "
          "single value");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    timeframe: 5m\n    condition: sel\n",
          "r.yml:9:5: 'timeframe' (correlation over time) is not supported");
    ERROR(HEAD "level: severe\ndetection:\n    sel:\n        A: x\n    condition: sel\n",
          "r.yml:6:8: unknown level 'severe' (informational, low, medium, high or critical)");
    ERROR("title: T\nlogsource:\n    service: bits-client\ndetection:\n    sel:\n        A: x\n"
          "    condition: sel\n",
          "r.yml:1:1: a Sigma rule needs an 'id' and a 'title'");
    ERROR(HEAD "detection:\n    sel:\n        A: x\n    condition: sel\n---\n" HEAD,
          "r.yml:10:1: rule collections (several YAML documents in one file) are not supported: "
          "one rule per file");
    ERROR(HEAD "action: global\n",
          "r.yml:6:1: 'action': only detection rules are supported (no rule collections, "
          "correlations or filters)");
    ERROR(HEAD "detection:\n    sel: &s\n        A: x\n    other: *s\n    condition: sel\n",
          "r.yml:9:12: YAML aliases are not supported in Sigma rules");
    {
        /* deep nesting and long chains are bounded (the parser and evaluation recurse) */
        static char text[65536];
        int n = snprintf(text, sizeof text, HEAD "detection:\n    sel:\n        A: x\n    condition: ");
        for (int i = 0; i < 70; i++)
            n += snprintf(text + n, sizeof text - (size_t)n, "not ");
        snprintf(text + n, sizeof text - (size_t)n, "sel\n");
        static char error[70000];
        bp_ruleset *rules = bp_ruleset_new();
        CHECK(bp_ruleset_add_sigma_memory(rules, text, strlen(text), "r.yml", error, sizeof error) == -1);
        CHECK(strncmp(error, "r.yml:9:272: condition 'not not ", 32) == 0);  /* the 65th not */
        CHECK(strstr(error, " sel': 'not' and parentheses nested too deep") != NULL);
        n = snprintf(text, sizeof text, HEAD "detection:\n    sel:\n        A: x\n    condition: sel");
        for (int i = 0; i < 5000; i++)
            n += snprintf(text + n, sizeof text - (size_t)n, " or sel");
        snprintf(text + n, sizeof text - (size_t)n, "\n");
        CHECK(bp_ruleset_add_sigma_memory(rules, text, strlen(text), "r.yml", error, sizeof error) == -1);
        CHECK(strstr(error, "': the condition has too many operators") != NULL);
        CHECK(strncmp(error, "r.yml:9:", 8) == 0);
        bp_ruleset_free(rules);
    }
    ERROR(HEAD "detection:\n    sel:\n        A: 'x\n",
          "r.yml:9:1: YAML syntax error: found unexpected end of stream");
}

static void test_skipped_logsource(void)
{
    const char *text = "title: T\nid: p-1\nlogsource:\n    product: windows\n    category: "
                       "process_creation\ndetection:\n    sel:\n        A|nonsense: x\n"
                       "    condition: sel\n";
    bp_ruleset *rules = bp_ruleset_new();
    char error[512] = "";
    CHECK(bp_ruleset_add_sigma_memory(rules, text, strlen(text), "p.yml", error, sizeof error) == 1);
    CHECK_STR(error, "p.yml: skipped: logsource is not windows/bits-client");
    text = "title: T\nid: p-2\nlogsource:\n    product: windows\n    service: security\n"
           "detection:\n    sel:\n        A: x\n    condition: sel\n";
    CHECK(bp_ruleset_add_sigma_memory(rules, text, strlen(text), "s.yml", error, sizeof error) == 1);
    CHECK_STR(error, "s.yml: skipped: logsource is not windows/bits-client but security");
    CHECK(bp_ruleset_count(rules) == 0);
    bp_ruleset_free(rules);
}

static void test_shared_rules_load(void)
{
    char folder[1024];
    snprintf(folder, sizeof folder, "%s/testdata/sigma", BP_SHARED_DIR);
    DIR *dir = opendir(folder);
    if (!dir)
        CHECK_SKIP("shared Sigma rules (../shared/testdata/sigma) not found");
    closedir(dir);
    static const struct {
        const char *file, *id, *level, *author;
    } expected[] = {
        {"win_bits_client_new_job_via_bitsadmin.yml", "1ff315dc-2a3a-4b71-8dde-873818d25d39",
         "low", "frack113"},
        {"win_bits_client_new_transfer_via_ip_address.yml",
         "90f138c1-f578-4ac3-8c49-eecfd847c8b7", "high",
         "Nasreddine Bencherchali (Nextron Systems)"},
        {"win_bits_client_new_transfer_via_uncommon_tld.yml",
         "6d44fb93-e7d2-475c-9d3d-54c9c1e33427", "medium", "Florian Roth (Nextron Systems)"},
    };
    bp_ruleset *rules = bp_ruleset_new();
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        char path[1200], error[512] = "";
        snprintf(path, sizeof path, "%s/%s", folder, expected[i].file);
        CHECK(bp_ruleset_add_sigma_file(rules, path, error, sizeof error) == 0);
        const bp_rule_info *info = bp_ruleset_rule(rules, i);
        CHECK(info != NULL);
        if (!info)
            continue;
        CHECK_STR(info->id, expected[i].id);
        CHECK_STR(bp_severity_name(info->severity), expected[i].level);
        CHECK_STR(info->author, expected[i].author);
        CHECK_STR(info->mitre[0], "T1197");  /* from the tag attack.t1197 */
    }
    bp_ruleset_free(rules);
}

int main(void)
{
    test_errors();
    test_skipped_logsource();
    test_shared_rules_load();
    return check_exit();
}
