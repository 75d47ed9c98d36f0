/* Regex operands anchored at the start only, recognised when a rule is
 * loaded and matched without regexec (glibc's regexec costs over a thousand
 * instructions a URL, most of it copying the text upper-cased, and URLs
 * differ, so the verdict memo cannot help). The local-path test of the
 * default rule BITS-015 is one.
 *
 * The shape: ^ALT or ^(ALT|ALT...) ending the pattern, each ALT a non-empty
 * run of atoms: a literal character (letters, digits, a few punctuation
 * marks, or a special character escaped with a backslash) or a bracket
 * [...] of printable characters and ranges a-z, A-Z, 0-9 (no ^, no [:, no
 * leading ] or stray -; a backslash in a bracket is itself, as in POSIX),
 * each maybe followed by one ?, * or +. Without $, regexec finds a match
 * when some alternative matches some beginning of the text: the atoms run
 * as a set of positions over the text (no backtracking), and the test holds
 * as soon as an alternative's end is reached. The program never calls
 * setlocale, so regexec works on single bytes in the C locale: REG_ICASE
 * folds A-Z only, as here (both cases put in every set). */
#include <string.h>

#include "detect/detect_internal.h"


static void add_byte(detect_prefix_atom *atom, unsigned char c, bool case_sensitive)
{
    atom->set[c >> 3] |= (uint8_t)(1u << (c & 7));
    if (!case_sensitive && detect_is_letter((char)c)) {
        unsigned char other = (unsigned char)(c ^ 0x20);
        atom->set[other >> 3] |= (uint8_t)(1u << (other & 7));
    }
}

static bool same_class(char a, char b)
{
    return (a >= 'a' && a <= 'z' && b >= 'a' && b <= 'z') || (a >= 'A' && a <= 'Z' && b >= 'A' && b <= 'Z') ||
           (detect_is_digit(a) && detect_is_digit(b));
}

/* "[...]" at *p into atom (advanced past it); false for any bracket outside the shape. */
static bool bracket(const char **p, detect_prefix_atom *atom, bool case_sensitive)
{
    const char *s = *p + 1;
    if (*s == '^' || *s == ']')
        return false;
    size_t members = 0;
    while (*s != ']') {
        char c = *s;
        if (c < 0x21 || c > 0x7e || c == '[' || c == '-')
            return false;
        if (s[1] == '-' && s[2] != ']') {  /* a range */
            char last = s[2];
            if (!same_class(c, last) || last < c)
                return false;
            for (int b = c; b <= last; b++)
                add_byte(atom, (unsigned char)b, case_sensitive);
            s += 3;
        } else {
            add_byte(atom, (unsigned char)c, case_sensitive);
            s++;
        }
        members++;
    }
    *p = s + 1;
    return members > 0;
}

/* One atom at *p; false when *p holds none the shape allows. */
static bool atom_at(const char **p, detect_prefix_atom *atom, bool case_sensitive)
{
    memset(atom, 0, sizeof(*atom));
    const char *s = *p;
    if (s[0] == '[')
        return bracket(p, atom, case_sensitive);
    if (s[0] == '\\' && s[1] && strchr(".[]()*+?{}|^$\\/-", s[1])) {
        add_byte(atom, (unsigned char)s[1], case_sensitive);
        *p = s + 2;
        return true;
    }
    if (s[0] && (detect_is_letter(s[0]) || detect_is_digit(s[0]) || strchr("_-/:@%~=,;!&'\"<> #", s[0]))) {
        add_byte(atom, (unsigned char)s[0], case_sensitive);
        *p = s + 1;
        return true;
    }
    return false;
}

/* The atoms of one alternative appended to atoms[*count]; false outside the shape. */
static bool alternative(const char **p, detect_prefix_atom *atoms, size_t capacity, size_t *count,
                        bool case_sensitive)
{
    size_t begin = *count;
    while (**p && **p != '|' && **p != ')') {
        if (*count + 2 > capacity || *count - begin + 2 > DETECT_PREFIX_REGEX_ATOMS)
            return false;
        detect_prefix_atom *atom = &atoms[(*count)++];
        if (!atom_at(p, atom, case_sensitive))
            return false;
        char quantifier = **p;
        if (quantifier == '?' || quantifier == '*') {
            atom->optional = true;
            atom->repeats = quantifier == '*';
            (*p)++;
        } else if (quantifier == '+') {  /* X+ is X X* */
            atoms[*count] = *atom;
            atoms[*count].optional = atoms[*count].repeats = true;
            (*count)++;
            (*p)++;
        }
        if (**p == '?' || **p == '*' || **p == '+' || **p == '{')
            return false;
    }
    return *count > begin;
}

detect_prefix_regex *detect_prefix_regex_parse(const char *pattern, bool case_sensitive, util_arena *arena)
{
    enum { CAPACITY = 4 * DETECT_PREFIX_REGEX_ATOMS };
    detect_prefix_atom atoms[CAPACITY];
    size_t ends[DETECT_PREFIX_REGEX_ALTERNATIVES];
    size_t count = 0, alternatives = 0;
    const char *p = pattern;
    if (*p++ != '^')
        return NULL;
    bool grouped = *p == '(';
    if (grouped)
        p++;
    for (;;) {
        if (alternatives == DETECT_PREFIX_REGEX_ALTERNATIVES ||
            !alternative(&p, atoms, CAPACITY, &count, case_sensitive))
            return NULL;
        ends[alternatives++] = count;
        if (*p != '|')
            break;
        if (!grouped)
            return NULL;  /* ^a|b: the b is not anchored */
        p++;
    }
    if (grouped && *p++ != ')')
        return NULL;
    if (*p != '\0')
        return NULL;

    detect_prefix_regex *regex = util_arena_alloc(arena, sizeof(*regex));
    detect_prefix_atom *kept = util_arena_array(arena, count, sizeof(*kept));
    if (!regex || !kept)
        return NULL;
    memcpy(kept, atoms, count * sizeof(*kept));
    memset(regex, 0, sizeof(*regex));
    regex->atoms = kept;
    memcpy(regex->ends, ends, alternatives * sizeof(ends[0]));
    for (size_t a = 0, begin = 0; a < alternatives; begin = ends[a++])
        for (size_t i = begin; i < ends[a]; i++)
            regex->optional[a] |= (uint64_t)kept[i].optional << (i - begin);
    regex->alternative_count = alternatives;
    return regex;
}

static bool takes(const detect_prefix_atom *atom, unsigned char c) { return atom->set[c >> 3] >> (c & 7) & 1u; }

/* The positions reachable without a byte: past optional atoms, a run of
 * them a round each (one round when none is). */
static uint64_t closure(uint64_t optional, uint64_t at)
{
    for (;;) {
        uint64_t more = (at & optional) << 1;
        if (!(more & ~at))
            return at;
        at |= more;
    }
}

bool detect_prefix_regex_matches(const detect_prefix_regex *regex, const char *text)
{
    size_t begin = 0;
    for (size_t a = 0; a < regex->alternative_count; a++) {
        const detect_prefix_atom *atoms = regex->atoms + begin;
        size_t count = regex->ends[a] - begin;  /* at most 62: positions 0..count fit 64 bits */
        begin = regex->ends[a];
        uint64_t done = (uint64_t)1 << count;
        uint64_t at = closure(regex->optional[a], 1);
        for (const unsigned char *s = (const unsigned char *)text; at && !(at & done) && *s; s++) {
            uint64_t next = 0;
            for (uint64_t left = at; left; left &= left - 1) {
                size_t i = (size_t)__builtin_ctzll(left);
                if (takes(&atoms[i], *s))
                    next |= (uint64_t)1 << (atoms[i].repeats ? i : i + 1);
            }
            at = closure(regex->optional[a], next);
        }
        if (at & done)
            return true;
    }
    return false;
}
