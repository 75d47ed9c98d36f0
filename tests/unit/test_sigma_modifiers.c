/* Sigma value matching: each modifier (contains, startswith, endswith, all,
 * re, re|i, cidr, windash, base64, base64offset|contains, cased, exists),
 * null, wildcards and escapes, case-insensitivity, EventID, lists OR-ed and
 * lists of maps; each with a value that matches and one that does not. */
#include "sigma_fixture.h"

#define RULE(document, text)                                               \
    do {                                                                   \
        char error_[512] = "";                                             \
        (document) = sigma_rule_text(text, error_, sizeof error_);         \
        if (!(document))                                                   \
            fprintf(stderr, "%s:%d: load failed: %s\n", __FILE__, __LINE__, error_); \
        CHECK((document) != NULL);                                         \
    } while (0)

#define HIT(document, ...) ((document) && sigma_hit((document), __VA_ARGS__, NULL))

static void test_equals_case_and_event_id(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        EventID: 16403\n"
            "        LocalName: 'C:\\Users\\Public\\run.exe'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 16403, "LocalName", "C:\\Users\\Public\\run.exe"));
    CHECK(HIT(d, 16403, "LocalName", "c:\\users\\PUBLIC\\RUN.EXE"));  /* case ignored */
    CHECK(!HIT(d, 3, "LocalName", "C:\\Users\\Public\\run.exe"));     /* other EventID */
    CHECK(!HIT(d, 16403, "LocalName", "C:\\Users\\Public\\run.exe.txt"));
    CHECK(!HIT(d, 16403, "RemoteName", "C:\\Users\\Public\\run.exe")); /* field absent */
    CHECK(HIT(d, 16403, "localname", "C:\\Users\\Public\\run.exe"));   /* field name case */
    detect_document_free(d);

    RULE(d, "    selection:\n"
            "        LocalName|cased: 'C:\\Users\\Public\\run.exe'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 16403, "LocalName", "C:\\Users\\Public\\run.exe"));
    CHECK(!HIT(d, 16403, "LocalName", "c:\\users\\public\\run.exe"));
    detect_document_free(d);
}

static void test_wildcards_and_escapes(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        LocalName: 'C:\\Users\\\\*\\Desktop\\file?.exe'\n"  /* "\\" + wildcard */
            "    condition: selection\n");
    CHECK(HIT(d, 16403, "LocalName", "C:\\Users\\bob\\Desktop\\file1.exe"));
    CHECK(HIT(d, 16403, "LocalName", "C:\\Users\\a\\b\\Desktop\\fileé.exe"));  /* ? = one UTF-8 char */
    CHECK(!HIT(d, 16403, "LocalName", "C:\\Users\\bob\\Desktop\\file12.exe"));
    CHECK(!HIT(d, 16403, "LocalName", "D:\\Users\\bob\\Desktop\\file1.exe"));
    detect_document_free(d);

    /* "\*" is a star, "\\" one backslash, a lone "\" itself */
    RULE(d, "    selection:\n"
            "        jobTitle: 'a\\*b\\\\c\\d'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "jobTitle", "a*b\\c\\d"));
    CHECK(!HIT(d, 3, "jobTitle", "axb\\c\\d"));
    detect_document_free(d);

    RULE(d, "    selection:\n"
            "        processPath: '*'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "processPath", ""));
    CHECK(!HIT(d, 3, "jobTitle", "x"));
    detect_document_free(d);
}

static void test_contains_starts_ends_and_lists(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        RemoteName|contains: '.GitHubUserContent.com'\n"
            "        LocalName|startswith: 'C:\\PerfLogs\\'\n"
            "        processPath|endswith:\n"
            "            - '\\powershell.exe'\n"
            "            - '\\pwsh.exe'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "RemoteName", "https://raw.githubusercontent.com/x", "LocalName",
              "C:\\PerfLogs\\a.ps1", "processPath", "C:\\Windows\\pwsh.exe"));
    CHECK(HIT(d, 3, "RemoteName", "https://raw.githubusercontent.com/x", "LocalName",
              "c:\\perflogs\\a.ps1", "processPath", "C:\\x\\POWERSHELL.EXE"));
    CHECK(!HIT(d, 3, "RemoteName", "https://raw.githubusercontent.com/x", "LocalName",
               "D:\\C:\\PerfLogs\\a.ps1", "processPath", "C:\\Windows\\pwsh.exe"));
    CHECK(!HIT(d, 3, "RemoteName", "https://example.org/x", "LocalName", "C:\\PerfLogs\\a.ps1",
               "processPath", "C:\\Windows\\pwsh.exe"));
    CHECK(!HIT(d, 3, "RemoteName", "https://raw.githubusercontent.com/x", "LocalName",
               "C:\\PerfLogs\\a.ps1", "processPath", "C:\\Windows\\pwsh.exe.bak"));
    detect_document_free(d);

    RULE(d, "    selection:\n"
            "        RemoteName|contains|all:\n"
            "            - 'evil'\n"
            "            - '.exe'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 16403, "RemoteName", "http://evil.example/x.exe"));
    CHECK(!HIT(d, 16403, "RemoteName", "http://evil.example/x.dll"));
    CHECK(!HIT(d, 16403, "RemoteName", "http://good.example/x.exe"));
    detect_document_free(d);

    /* a list of maps: the maps OR-ed, each map AND-ed */
    RULE(d, "    selection:\n"
            "        - EventID: 3\n"
            "          processPath|endswith: '\\bitsadmin.exe'\n"
            "        - EventID: 16403\n"
            "          LocalName|endswith: '.hta'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "processPath", "C:\\Windows\\System32\\bitsadmin.exe"));
    CHECK(HIT(d, 16403, "LocalName", "C:\\t\\a.hta"));
    CHECK(!HIT(d, 16403, "processPath", "C:\\Windows\\System32\\bitsadmin.exe"));
    CHECK(!HIT(d, 3, "LocalName", "C:\\t\\a.hta"));
    detect_document_free(d);
}

static void test_re(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        RemoteName|re: '^https?://\\d{1,3}(?:\\.\\d{1,3}){3}[:/]'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 16403, "RemoteName", "http://192.168.10.254:80/calc.exe"));
    CHECK(HIT(d, 16403, "RemoteName", "https://8.8.8.8/a"));
    CHECK(!HIT(d, 16403, "RemoteName", "http://a.uguu.se/x"));
    CHECK(!HIT(d, 16403, "RemoteName", "HTTP://8.8.8.8/a"));  /* re is case-sensitive */
    detect_document_free(d);

    RULE(d, "    selection:\n"
            "        jobTitle|re|i: '^evil\\s+job$'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "jobTitle", "EVIL  Job"));
    CHECK(!HIT(d, 3, "jobTitle", "evil-job"));
    detect_document_free(d);

    RULE(d, "    selection:\n"
            "        jobTitle|re: '(?i)^[\\w.]+\\.EXE$'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "jobTitle", "run_me.exe"));
    CHECK(!HIT(d, 3, "jobTitle", "run me.exe"));
    detect_document_free(d);
}

static void test_cidr(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        RemoteName|cidr:\n"
            "            - '192.168.0.0/16'\n"
            "            - 'fe80::/10'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 16403, "RemoteName", "http://192.168.10.254:80/calc.exe"));
    CHECK(HIT(d, 16403, "RemoteName", "192.168.0.1"));
    CHECK(HIT(d, 16403, "RemoteName", "http://[fe80::1]:8080/x"));
    CHECK(!HIT(d, 16403, "RemoteName", "http://192.169.0.1/x"));
    CHECK(!HIT(d, 16403, "RemoteName", "http://[2001:db8::1]/x"));
    CHECK(!HIT(d, 16403, "RemoteName", "http://example.com/x"));
    detect_document_free(d);

    RULE(d, "    selection:\n"
            "        RemoteName|cidr: '172.16.0.0/12'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 16403, "RemoteName", "https://172.31.255.255/x"));
    CHECK(!HIT(d, 16403, "RemoteName", "https://172.32.0.1/x"));
    detect_document_free(d);
}

static void test_windash(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        jobTitle|windash|contains: ' -transfer '\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "jobTitle", "bitsadmin -transfer x"));
    CHECK(HIT(d, 3, "jobTitle", "bitsadmin /transfer x"));
    CHECK(HIT(d, 3, "jobTitle", "bitsadmin \xE2\x80\x93transfer x"));  /* en dash */
    CHECK(HIT(d, 3, "jobTitle", "bitsadmin \xE2\x80\x94transfer x"));  /* em dash */
    CHECK(HIT(d, 3, "jobTitle", "bitsadmin \xE2\x80\x95TRANSFER x"));  /* horizontal bar */
    CHECK(!HIT(d, 3, "jobTitle", "bitsadmin +transfer x"));
    CHECK(!HIT(d, 3, "jobTitle", "bitsadmin transfer x"));
    detect_document_free(d);
}

static void test_base64(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        jobTitle|base64: 'evil'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "jobTitle", "ZXZpbA=="));
    CHECK(!HIT(d, 3, "jobTitle", "evil"));
    detect_document_free(d);

    /* "http://" at each of the three offsets of a base64 text */
    RULE(d, "    selection:\n"
            "        jobTitle|base64offset|contains: 'http://'\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "jobTitle", "aHR0cDovL2V2aWwuZXhhbXBsZS9h"));     /* "http://evil.example/a" */
    CHECK(HIT(d, 3, "jobTitle", "eGh0dHA6Ly9ldmlsLmV4YW1wbGUvYQ=="));  /* "xhttp://..." */
    CHECK(HIT(d, 3, "jobTitle", "eHlodHRwOi8vZXZpbC5leGFtcGxlL2E="));  /* "xyhttp://..." */
    CHECK(!HIT(d, 3, "jobTitle", "ZXZpbA=="));
    CHECK(!HIT(d, 3, "jobTitle", "http://evil.example/a"));
    detect_document_free(d);

    const char *out[3];
    util_arena arena;
    util_arena_init(&arena);
    CHECK(sigma_base64_offsets("http://", &arena, out));
    CHECK_STR(out[0], "aHR0cDovL");
    CHECK_STR(out[1], "h0dHA6Ly");
    CHECK_STR(out[2], "odHRwOi8v");
    util_arena_free(&arena);
}

static void test_null_and_exists(void)
{
    detect_document *d;
    RULE(d, "    selection:\n"
            "        EventID: 3\n"
            "        processPath: null\n"
            "    condition: selection\n");
    CHECK(HIT(d, 3, "jobTitle", "x"));                     /* absent */
    CHECK(HIT(d, 3, "processPath", ""));                   /* empty */
    CHECK(!HIT(d, 3, "processPath", "C:\\a.exe"));
    detect_document_free(d);

    RULE(d, "    selection:\n"
            "        processId|exists: true\n"
            "    filter:\n"
            "        LocalName|exists: false\n"
            "    condition: selection and filter\n");
    CHECK(HIT(d, 3, "processId", "1020"));
    CHECK(!HIT(d, 3, "processPath", "x"));
    CHECK(!HIT(d, 3, "processId", "1020", "LocalName", "C:\\x"));
    detect_document_free(d);
}

static void test_pattern_engine(void)
{
    CHECK(sigma_pattern_matches("*a*b*c*", "xxaxxbxxcxx", false, false));
    CHECK(!sigma_pattern_matches("*a*b*c", "xxaxxbxxcxx", false, false));
    CHECK(sigma_pattern_matches("\\*", "*", false, false));
    CHECK(!sigma_pattern_matches("\\*", "x", false, false));
    CHECK(sigma_pattern_matches("", "", false, false));
    CHECK(!sigma_pattern_matches("", "x", false, false));
    CHECK(sigma_pattern_matches("**", "", false, false));
    /* many stars over a long text stays quick (no exponential backtracking) */
    char text[4097];
    memset(text, 'a', 4096);
    text[4096] = '\0';
    CHECK(!sigma_pattern_matches("*a*a*a*a*a*a*a*a*b", text, false, false));
}

int main(void)
{
    test_equals_case_and_event_id();
    test_wildcards_and_escapes();
    test_contains_starts_ends_and_lists();
    test_re();
    test_cidr();
    test_windash();
    test_base64();
    test_null_and_exists();
    test_pattern_engine();
    return check_exit();
}
