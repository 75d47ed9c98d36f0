/* Regex operands that only ask how a text ends, recognised when a rule is
 * loaded and matched without regexec (glibc's regexec costs a few thousand
 * instructions a URL, and URLs differ, so the verdict memo cannot help).
 *
 * Two shapes are recognised, everything else stays with regexec:
 *   LIT(ALT|ALT...)$                the text ends with LIT then one ALT;
 *   ^[^S]*LIT(ALT|...)([S].*)?$     the text before its first character of
 *                                   the set S ends with LIT then one ALT.
 * The group is optional; LIT and the ALTs are literal characters (letters,
 * digits, a few punctuation marks, or a special character escaped with a
 * backslash). Why the second shape means that: [^S]* cannot pass a
 * character of S, and neither can LIT or an ALT (refused when they hold
 * one), so ([S].*)? must begin at the first character of S or at the end.
 * The program never calls setlocale, so regexec works on single bytes in the
 * C locale: '.' takes any byte, and REG_ICASE folds A-Z only, as here. */
#include <string.h>

#include "detect/detect_internal.h"

static char fold(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

/* One literal character at *p (advanced past it), or -1 when *p is not one. */
static int literal_char(const char **p)
{
    const char *s = *p;
    if (s[0] == '\\' && s[1] && strchr(".[]()*+?{}|^$\\/-", s[1])) {
        *p = s + 2;
        return (unsigned char)s[1];
    }
    if (s[0] && (detect_is_letter(s[0]) || detect_is_digit(s[0]) || strchr("_-/:@%~=,;!&'\"<> #", s[0]))) {
        *p = s + 1;
        return (unsigned char)s[0];
    }
    return -1;
}

/* A run of literal characters copied into out (up to capacity); its length. */
static size_t literal_run(const char **p, char *out, size_t capacity)
{
    size_t length = 0;
    int c;
    const char *at = *p;
    while (length < capacity && (c = literal_char(&at)) >= 0) {
        out[length++] = (char)c;
        *p = at;
    }
    return length;
}

/* "[^...]" of plain punctuation and digits (no letters: REG_ICASE would
 * fold them) into a membership table; false for any other bracket. */
static bool stop_set(const char **p, bool set[128])
{
    const char *s = *p;
    if (strncmp(s, "[^", 2) != 0)
        return false;
    memset(set, 0, 128 * sizeof(bool));
    size_t count = 0;
    for (s += 2; *s && *s != ']'; s++, count++) {
        if ((unsigned char)*s >= 128 || detect_is_letter(*s) || strchr("^-[\\", *s) || *s < 0x21)
            return false;
        set[(unsigned char)*s] = true;
    }
    if (*s != ']' || count == 0)
        return false;
    *p = s + 1;
    return true;
}

/* "[S]" written as the same set after "[^S]"; false otherwise. */
static bool same_set(const char **p, const bool set[128])
{
    const char *s = *p;
    if (*s != '[' || s[1] == '^')
        return false;
    bool seen[128] = {false};
    for (s++; *s && *s != ']'; s++) {
        if ((unsigned char)*s >= 128 || !set[(unsigned char)*s])
            return false;
        seen[(unsigned char)*s] = true;
    }
    if (*s != ']')
        return false;
    for (size_t i = 0; i < 128; i++)
        if (seen[i] != set[i])
            return false;
    *p = s + 1;
    return true;
}

static bool holds_stop(const char *text, size_t length, const char *stops)
{
    for (size_t i = 0; i < length; i++)
        if (strchr(stops, text[i]))
            return true;
    return false;
}

detect_suffix_regex *detect_suffix_regex_parse(const char *pattern, bool case_sensitive, util_arena *arena)
{
    enum { MAX_TEXT = 256, MAX_ALTERNATIVES = 64 };
    char literal[MAX_TEXT], alternatives[MAX_ALTERNATIVES][MAX_TEXT];
    size_t alternative_lengths[MAX_ALTERNATIVES];
    size_t alternative_count = 0;
    bool set[128] = {false};
    const char *p = pattern;
    bool stopped = false;
    if (p[0] == '^') {
        p++;
        if (!stop_set(&p, set) || *p++ != '*')
            return NULL;
        stopped = true;
    }
    size_t literal_length = literal_run(&p, literal, MAX_TEXT);
    if (*p == '(' && p[1] != '[') {
        p++;
        for (;;) {
            if (alternative_count == MAX_ALTERNATIVES)
                return NULL;
            size_t length = literal_run(&p, alternatives[alternative_count], MAX_TEXT);
            if (length == 0 || length == MAX_TEXT)
                return NULL;
            alternative_lengths[alternative_count++] = length;
            if (*p == ')')
                break;
            if (*p++ != '|')
                return NULL;
        }
        p++;
    } else {
        alternative_lengths[alternative_count++] = 0;  /* LIT alone */
    }
    if (literal_length == MAX_TEXT || (literal_length == 0 && alternative_lengths[0] == 0))
        return NULL;
    if (stopped) {  /* ([S].*)? */
        if (*p != '(')
            return NULL;
        p++;
        if (!same_set(&p, set) || strncmp(p, ".*)?", 4) != 0)
            return NULL;
        p += 4;
    }
    if (strcmp(p, "$") != 0)
        return NULL;

    detect_suffix_regex *regex = util_arena_alloc(arena, sizeof(*regex));
    if (!regex)
        return NULL;
    memset(regex, 0, sizeof(*regex));
    for (size_t c = 1; c < 128; c++)
        if (set[c])
            regex->stops[regex->stop_count++] = (char)c;
    if (holds_stop(literal, literal_length, regex->stops))
        return NULL;
    regex->case_sensitive = case_sensitive;
    if (!case_sensitive) {  /* stored folded: the text alone is folded while matching */
        for (size_t i = 0; i < literal_length; i++)
            literal[i] = fold(literal[i]);
        for (size_t a = 0; a < alternative_count; a++)
            for (size_t i = 0; i < alternative_lengths[a]; i++)
                alternatives[a][i] = fold(alternatives[a][i]);
    }
    /* grouped by length (a stable insertion sort: the order does not change the
     * verdict), so the literal is compared once per length while matching */
    size_t order[MAX_ALTERNATIVES];
    for (size_t i = 0; i < alternative_count; i++) {
        size_t at = i;
        while (at > 0 && alternative_lengths[order[at - 1]] > alternative_lengths[i]) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
    }
    regex->literal = util_arena_strndup(arena, literal, literal_length);
    regex->literal_length = literal_length;
    regex->alternatives = util_arena_array(arena, alternative_count, sizeof(*regex->alternatives));
    regex->alternative_lengths = util_arena_array(arena, alternative_count, sizeof(size_t));
    regex->length_group_end = util_arena_array(arena, alternative_count, sizeof(size_t));
    if (!regex->literal || !regex->alternatives || !regex->alternative_lengths || !regex->length_group_end)
        return NULL;
    for (size_t i = 0; i < alternative_count; i++) {
        size_t from = order[i];
        if (holds_stop(alternatives[from], alternative_lengths[from], regex->stops))
            return NULL;
        if (!(regex->alternatives[i] = util_arena_strndup(arena, alternatives[from], alternative_lengths[from])))
            return NULL;
        regex->alternative_lengths[i] = alternative_lengths[from];
    }
    for (size_t i = alternative_count; i-- > 0;)
        regex->length_group_end[i] = i + 1 < alternative_count &&
                                             regex->alternative_lengths[i + 1] == regex->alternative_lengths[i]
                                         ? regex->length_group_end[i + 1]
                                         : i + 1;
    regex->alternative_count = alternative_count;
    return regex;
}

/* text against a literal; the literal is stored folded when case is ignored. */
static bool same_text(const char *text, const char *literal, size_t length, bool case_sensitive)
{
    if (case_sensitive)
        return memcmp(text, literal, length) == 0;
    for (size_t i = 0; i < length; i++)
        if (fold(text[i]) != literal[i])
            return false;
    return true;
}

bool detect_suffix_regex_matches(const detect_suffix_regex *regex, const char *text)
{
    size_t end = regex->stop_count ? strcspn(text, regex->stops) : strlen(text);
    for (size_t i = 0; i < regex->alternative_count;) {
        size_t tail = regex->alternative_lengths[i], group_end = regex->length_group_end[i];
        size_t need = regex->literal_length + tail;
        if (need > end)
            break;  /* the longer ones do not fit either */
        const char *at = text + end - need;
        if (!same_text(at, regex->literal, regex->literal_length, regex->case_sensitive)) {
            i = group_end;
            continue;
        }
        char first = at[regex->literal_length];  /* most alternatives differ at once */
        if (!regex->case_sensitive)
            first = fold(first);
        for (; i < group_end; i++)
            if ((!tail || first == regex->alternatives[i][0]) &&
                same_text(at + regex->literal_length, regex->alternatives[i], tail, regex->case_sensitive))
                return true;
    }
    return false;
}
