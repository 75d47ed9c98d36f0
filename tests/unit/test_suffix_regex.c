/* Regex operands matched without regexec (src/detect/suffix_regex.c): which
 * patterns are taken, and that the verdict equals regexec's (REG_EXTENDED,
 * REG_NOSUB, REG_ICASE unless case-sensitive) on every text built from a
 * list of pieces chosen around the edges: the extensions in both cases, stop
 * characters before and after them, dots, bytes >= 0x80, a newline. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "detect/detect_internal.h"

#define DEFAULT_EXTENSIONS "exe|dll|com|scr|pif|cpl|ocx|sys|ps1|psm1|psd1|bat|cmd|vbs|vbe|js|jse|wsf|wsh|hta|sct|msi|msp|lnk|jar|reg|inf|application"

/* Taken: the two shapes, with and without a group, escapes as literals. */
static const char *const taken[] = {
    "\\.(" DEFAULT_EXTENSIONS ")$",
    "^[^?#]*\\.(" DEFAULT_EXTENSIONS ")([?#].*)?$",
    "\\.exe$",
    "(exe|dll)$",
    "^[^?]*/update\\.(exe|msi)([?].*)?$",
    "^[^#?]*\\.ps1([?#].*)?$",
    "a\\-b\\/c_(x|yz)$",
    "\\.(EXE|Dll|PS1)$",        /* capitals: stored folded when case is ignored */
    "^[^?#]*/UPDATE\\.(EXE|msi)([?#].*)?$",
};

/* Left to regexec: other shapes, and near misses of the two. */
static const char *const refused[] = {
    "^(cmd|powershell|pwsh)(\\.exe)?$",
    "^([a-z]:[\\/]|file:/*[a-z]:|\\\\\\\\[?.]\\\\[a-z]:)",
    "\\.(exe|dll)",          /* not anchored at the end */
    "\\.(exe|)$",            /* empty alternative */
    "\\.(exe|dll)?$",        /* optional group */
    "\\.exe.$",              /* wildcard */
    "^\\.exe$",              /* anchored without the stop class */
    "^[^?#]*\\.(exe)([?].*)?$",   /* the two sets differ */
    "^[^?#]*\\.(exe)$",           /* no stop group after */
    "^[^?#]*\\.(e#e)([?#].*)?$",  /* an alternative holds a stop character */
    "^[^?a]*\\.(exe)([?a].*)?$",  /* a letter in the set (REG_ICASE folds it) */
    "^[^?\\]*\\.(exe)([?\\].*)?$",
    "\\w+\\.exe$",
    "$",
    "",
};

static const char *const pieces[] = {
    "", "a", ".exe", ".EXE", ".eXe", "exe", ".", "..", "?", "#", "?q=1", "#frag.exe",
    "/dir/", "file.dll", ".Dll", ".dllx", "UPDATE", "x.Msi", ".psm1", ".PS1", ".ps1", ".application", "http://h/", "update",
    "a-b/c_yz", "a-b/c_X", "\n", "\xc3\xa9", ".ex", "x.msi?",
};
#define PIECE_COUNT (sizeof pieces / sizeof pieces[0])

/* Every text of up to three pieces: regexec and the suffix test agree. */
static void compare_with_regexec(const char *pattern, bool case_sensitive)
{
    util_arena arena;
    util_arena_init(&arena);
    const detect_suffix_regex *fast = detect_suffix_regex_parse(pattern, case_sensitive, &arena);
    CHECK(fast != NULL);
    regex_t regex;
    int rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB | (case_sensitive ? 0 : REG_ICASE));
    CHECK(rc == 0);
    size_t disagreements = 0, matches = 0, texts = 0;
    for (size_t a = 0; fast && rc == 0 && a < PIECE_COUNT; a++) {
        for (size_t b = 0; b < PIECE_COUNT; b++) {
            for (size_t c = 0; c < PIECE_COUNT; c++) {
                char text[128];
                snprintf(text, sizeof text, "%s%s%s", pieces[a], pieces[b], pieces[c]);
                bool expected = regexec(&regex, text, 0, NULL, 0) == 0;
                texts++;
                matches += expected;
                if (detect_suffix_regex_matches(fast, text) != expected) {
                    if (disagreements++ < 5)
                        fprintf(stderr, "  %s on '%s': regexec says %d\n", pattern, text, expected);
                }
            }
        }
    }
    CHECK_U64(texts, PIECE_COUNT * PIECE_COUNT * PIECE_COUNT);
    CHECK(matches > 0);          /* the pieces reach both verdicts */
    CHECK(matches < texts);
    CHECK_U64(disagreements, 0);
    if (rc == 0)
        regfree(&regex);
    util_arena_free(&arena);
}

static void test_refused_shapes(void)
{
    util_arena arena;
    util_arena_init(&arena);
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        if (detect_suffix_regex_parse(refused[i], false, &arena) != NULL)
            fprintf(stderr, "  taken by mistake: %s\n", refused[i]);
        CHECK(detect_suffix_regex_parse(refused[i], false, &arena) == NULL);
    }
    util_arena_free(&arena);
}

/* What a taken pattern was read as. */
static void test_parsed_parts(void)
{
    util_arena arena;
    util_arena_init(&arena);
    const detect_suffix_regex *url = detect_suffix_regex_parse(taken[1], false, &arena);
    CHECK(url != NULL);
    if (url) {
        CHECK_STR(url->stops, "#?");
        CHECK_STR(url->literal, ".");
        CHECK_U64(url->alternative_count, 28);
        /* grouped by length, the pattern's order within a length */
        CHECK_STR(url->alternatives[0], "js");
        CHECK_U64(url->length_group_end[0], 1);
        CHECK_STR(url->alternatives[1], "exe");
        CHECK_STR(url->alternatives[2], "dll");
        CHECK_U64(url->length_group_end[1], 25);
        CHECK_U64(url->length_group_end[24], 25);
        CHECK_STR(url->alternatives[24], "inf");
        CHECK_STR(url->alternatives[25], "psm1");
        CHECK_STR(url->alternatives[26], "psd1");
        CHECK_U64(url->length_group_end[25], 27);
        CHECK_STR(url->alternatives[27], "application");
        CHECK_U64(url->alternative_lengths[27], 11);
        CHECK_U64(url->length_group_end[27], 28);
        CHECK(detect_suffix_regex_matches(url, "http://h/a.JS?x"));
        CHECK(detect_suffix_regex_matches(url, "http://h/setup.psd1#f"));
        CHECK(!detect_suffix_regex_matches(url, "http://h/a.jsx"));
        CHECK(!detect_suffix_regex_matches(url, "js"));
    }
    const detect_suffix_regex *plain = detect_suffix_regex_parse("a\\-b\\/c_(x|yz)$", true, &arena);
    CHECK(plain != NULL);
    if (plain) {
        CHECK_STR(plain->stops, "");
        CHECK_STR(plain->literal, "a-b/c_");
        CHECK_U64(plain->alternative_count, 2);
        CHECK_STR(plain->alternatives[1], "yz");
        CHECK(plain->case_sensitive);
    }
    const detect_suffix_regex *folded = detect_suffix_regex_parse("\\.(EXE|Dll)$", false, &arena);
    CHECK(folded != NULL);
    if (folded) {
        CHECK_STR(folded->alternatives[0], "exe");
        CHECK_STR(folded->alternatives[1], "dll");
        CHECK(detect_suffix_regex_matches(folded, "x.eXe"));
        CHECK(!detect_suffix_regex_matches(folded, "x.exe "));
    }
    const detect_suffix_regex *exact = detect_suffix_regex_parse("\\.(EXE|Dll)$", true, &arena);
    CHECK(exact != NULL);
    if (exact) {
        CHECK_STR(exact->alternatives[0], "EXE");
        CHECK(detect_suffix_regex_matches(exact, "x.EXE"));
        CHECK(!detect_suffix_regex_matches(exact, "x.exe"));
    }
    util_arena_free(&arena);
}

int main(void)
{
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) {
        compare_with_regexec(taken[i], false);
        compare_with_regexec(taken[i], true);
    }
    test_refused_shapes();
    test_parsed_parts();
    return check_exit();
}
