/* Regex operands anchored at the start only, matched without regexec
 * (src/detect/prefix_regex.c): which patterns are taken, what BITS-015's
 * was read as, and that the verdict equals regexec's (REG_EXTENDED,
 * REG_NOSUB, REG_ICASE unless case-sensitive) on every text of up to three
 * pieces chosen around the edges (drive letters in both cases, slashes,
 * backslashes, file: with many slashes, bytes >= 0x80, a newline) and on
 * random texts over the patterns' own characters. */
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "detect/detect_internal.h"

#define BITS_015 "^([a-z]:[\\/]|file:/*[a-z]:|\\\\\\\\[?.]\\\\[a-z]:)"

static const char *const taken[] = {
    BITS_015,
    "^file:",
    "^(https?:|ftp:)",
    "^[A-Z]+:x",
    "^a*b?c+[0-9]",
    "^(a|ab|abc)",
    "^\\.\\.[\\/]",
    "^[a-c_]x",  /* a range and a plain member */
};

static const char *const refused[] = {
    "^(cmd|powershell|pwsh)(\\.exe)?$",   /* $ and a second group */
    "\\.(exe|dll)$",                      /* not anchored at the start */
    "^a|b",                               /* b not anchored */
    "^(a|)",                              /* empty alternative */
    "^()",
    "^",
    "^a.b",                               /* wildcard */
    "^[^a]b",                             /* negated bracket */
    "^[[:alpha:]]",                       /* class */
    "^[]a]",                              /* leading ] */
    "^[a-]",                              /* stray - */
    "^[z-a]",                             /* reversed range */
    "^[a-Z]",                             /* range across classes */
    "^a{2}",                              /* interval */
    "^a**",                               /* quantifier twice */
    "^((a))",                             /* nested group */
    "^(a)b",                              /* something after the group */
    "^\\w",                               /* other escapes */
    "^a$",
    "",
};

static const char *const pieces[] = {
    "", "c", "C", "z", ":", "/", "\\", "\\\\", "?", ".", "file:", "FILE:", "File:///", "//", "c:\\",
    "C:/", "\\\\?\\", "\\\\.\\", "http://h/", "https://", "ftp://", "a", "ab", "b", "1", "\n", "\xc3\xa9", "_", "-",
};
#define PIECE_COUNT (sizeof pieces / sizeof pieces[0])

static unsigned long long state = 0x2545F4914F6CDD1Dull;

static unsigned next_random(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return (unsigned)(state >> 32);
}

static size_t check_text(const detect_prefix_regex *fast, const regex_t *regex, const char *pattern,
                         const char *text, size_t *matches, size_t disagreements)
{
    bool expected = regexec(regex, text, 0, NULL, 0) == 0;
    *matches += expected;
    if (detect_prefix_regex_matches(fast, text) != expected) {
        if (disagreements < 5)
            fprintf(stderr, "  %s on '%s': regexec says %d\n", pattern, text, expected);
        return 1;
    }
    return 0;
}

static void compare_with_regexec(const char *pattern, bool case_sensitive)
{
    util_arena arena;
    util_arena_init(&arena);
    const detect_prefix_regex *fast = detect_prefix_regex_parse(pattern, case_sensitive, &arena);
    if (!fast)
        fprintf(stderr, "  not taken: %s\n", pattern);
    CHECK(fast != NULL);
    regex_t regex;
    int rc = regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB | (case_sensitive ? 0 : REG_ICASE));
    CHECK(rc == 0);
    size_t disagreements = 0, matches = 0, texts = 0;
    for (size_t a = 0; fast && rc == 0 && a < PIECE_COUNT; a++)
        for (size_t b = 0; b < PIECE_COUNT; b++)
            for (size_t c = 0; c < PIECE_COUNT; c++) {
                char text[128];
                snprintf(text, sizeof text, "%s%s%s", pieces[a], pieces[b], pieces[c]);
                texts++;
                disagreements += check_text(fast, &regex, pattern, text, &matches, disagreements);
            }
    /* random texts over the pattern's own bytes and a few others */
    char alphabet[160];
    size_t letters = 0;
    for (const char *p = pattern; *p && letters < sizeof alphabet - 8; p++)
        alphabet[letters++] = *p;
    memcpy(alphabet + letters, "AbZ9\x80\xff\n", 7);
    letters += 7;
    for (size_t n = 0; fast && rc == 0 && n < 100000; n++) {
        char text[16];
        size_t length = next_random() % sizeof text;
        for (size_t i = 0; i < length; i++)
            text[i] = alphabet[next_random() % letters];
        text[length] = '\0';
        texts++;
        disagreements += check_text(fast, &regex, pattern, text, &matches, disagreements);
    }
    CHECK(matches > 0);
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
        bool taken_by_mistake = detect_prefix_regex_parse(refused[i], false, &arena) != NULL;
        if (taken_by_mistake)
            fprintf(stderr, "  taken by mistake: %s\n", refused[i]);
        CHECK(!taken_by_mistake);
    }
    util_arena_free(&arena);
}

/* BITS-015's pattern as read: three alternatives of 3, 8 and 6 atoms. */
static void test_bits_015(void)
{
    util_arena arena;
    util_arena_init(&arena);
    const detect_prefix_regex *regex = detect_prefix_regex_parse(BITS_015, false, &arena);
    CHECK(regex != NULL);
    if (regex) {
        CHECK_U64(regex->alternative_count, 3);
        CHECK_U64(regex->ends[0], 3);
        CHECK_U64(regex->ends[1], 11);
        CHECK_U64(regex->ends[2], 17);
        CHECK(regex->atoms[8].optional && regex->atoms[8].repeats);  /* the slash before the star: any number of them */
        CHECK(!regex->atoms[0].optional);
        CHECK_U64(regex->optional[0], 0);
        CHECK_U64(regex->optional[1], 1u << 5);  /* the run of optional atoms the matcher skips */
        CHECK_U64(regex->optional[2], 0);
        CHECK(detect_prefix_regex_matches(regex, "C:\\Windows\\System32\\cmd.exe"));
        CHECK(detect_prefix_regex_matches(regex, "file:///c:/x"));
        CHECK(detect_prefix_regex_matches(regex, "FILE:C:"));
        CHECK(detect_prefix_regex_matches(regex, "\\\\?\\C:\\x"));
        CHECK(!detect_prefix_regex_matches(regex, "https://example.com/c:/x"));
        CHECK(!detect_prefix_regex_matches(regex, "\\\\server\\share\\x"));
        CHECK(!detect_prefix_regex_matches(regex, "c:"));
        CHECK(!detect_prefix_regex_matches(regex, ""));
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
    test_bits_015();
    return check_exit();
}
