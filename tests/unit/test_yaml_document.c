/* The YAML prescan and load that rule files and Sigma rules share
 * (detect/yaml_document.c): each language keeps its own words and places for
 * the same refusal (aliases, a second document, nesting, syntax and reader
 * errors, an empty or oversized file). The full messages are pinned, as they
 * were before the two loaders' copies became one. */
#include "bitsparse/detect.h"
#include "check.h"

#define SIGMA_HEAD "title: T\nid: r-1\nlogsource:\n    product: windows\n    service: bits-client\n"

/* The error of a rule file (rules) or a Sigma rule (sigma) that fails to load. */
static void expect_refusal(bool sigma, const char *text, size_t size, const char *want, int line)
{
    bp_ruleset *rules = bp_ruleset_new();
    char error[512] = "";
    int rc = sigma ? bp_ruleset_add_sigma_memory(rules, text, size, "r.yml", error, sizeof error)
                   : bp_ruleset_add_memory(rules, text, size, "r.yaml", error, sizeof error);
    check_count++;
    if (rc != -1 || strcmp(error, want) != 0) {
        check_failures++;
        fprintf(stderr, "line %d: rc %d\n   got: \"%s\"\n  want: \"%s\"\n", line, rc, error, want);
    }
    CHECK_U64(bp_ruleset_count(rules), 0);
    bp_ruleset_free(rules);
}

#define RULES(text, want) expect_refusal(false, text, strlen(text), want, __LINE__)
#define SIGMA(text, want) expect_refusal(true, text, strlen(text), want, __LINE__)

static void test_aliases_and_documents(void)
{
    RULES("x: &a [1]\nrules: *a\n", "r.yaml:2:8: YAML aliases (*a) are not allowed in rule files");
    SIGMA(SIGMA_HEAD "detection:\n    sel: &s\n        A: x\n    other: *s\n    condition: sel\n",
          "r.yml:9:12: YAML aliases are not supported in Sigma rules");
    RULES("rules: []\n---\nrules: []\n",
          "r.yaml:2:1: a rule file holds one YAML document; this is a second one");
    SIGMA(SIGMA_HEAD "detection:\n    sel:\n        A: x\n    condition: sel\n---\n" SIGMA_HEAD,
          "r.yml:10:1: rule collections (several YAML documents in one file) are not supported: "
          "one rule per file");
}

/* Rule files allow 76 levels (conditions 32 deep), Sigma rules 32. */
static void test_nesting(void)
{
    char text[512] = "rules:\n";
    for (int i = 0; i < 80; i++)
        strcat(text, "- ");
    strcat(text, "x\n");
    RULES(text, "r.yaml:2:151: YAML nested more than 76 levels deep");
    char sigma[512] = SIGMA_HEAD "detection:\n    sel:\n        A: ";
    for (int i = 0; i < 40; i++)
        strcat(sigma, "[");
    for (int i = 0; i < 40; i++)
        strcat(sigma, "]");
    strcat(sigma, "\n    condition: sel\n");
    SIGMA(sigma, "r.yml:8:41: YAML nested more than 32 levels deep");
}

/* Rule files name the parser's context and place reader errors at their
 * byte; Sigma rules give libyaml's problem at its mark. */
static void test_syntax_errors(void)
{
    RULES("rules: {a: [\n", "r.yaml:2:1: YAML syntax error: did not find expected node content "
                            "(while parsing a flow node at line 2, column 1)");
    SIGMA(SIGMA_HEAD "detection: {sel: [\n", "r.yml:7:1: YAML syntax error: did not find expected node content");
    RULES("rules: [\xff]\n", "r.yaml:1:9: YAML syntax error: invalid leading UTF-8 octet");
    SIGMA(SIGMA_HEAD "detection:\n    sel:\n        A: \xff\n    condition: sel\n",
          "r.yml:1:1: YAML syntax error: invalid leading UTF-8 octet");
}

static void test_empty_and_oversized(void)
{
    RULES("", "r.yaml:1:1: empty rule file (expected a mapping with a 'rules' list)");
    RULES("# c\n", "r.yaml:1:1: empty rule file (expected a mapping with a 'rules' list)");
    SIGMA("", "r.yml:1:1: empty rule file");
    SIGMA("# c\n", "r.yml:1:1: empty rule file");
    size_t size = ((size_t)16 << 20) + 1;
    char *big = malloc(size);
    CHECK(big != NULL);
    if (!big)
        return;
    memset(big, '#', size);
    expect_refusal(false, big, size, "r.yaml:1:1: rule file larger than 16 MiB", __LINE__);
    expect_refusal(true, big, size, "r.yml:1:1: rule file larger than 16 MiB", __LINE__);
    free(big);
}

int main(void)
{
    test_aliases_and_documents();
    test_nesting();
    test_syntax_errors();
    test_empty_and_oversized();
    return check_exit();
}
