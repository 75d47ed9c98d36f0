/* Sigma conditions: and, or, not, parentheses, precedence, `1 of PATTERN`,
 * `all of PATTERN`, `1 of them`, `all of them` (without '_' selections), a
 * list of conditions. Every condition is checked against its meaning written
 * in C for all 32 combinations of five selections, each of which tests one
 * field of the event. */
#include "sigma_fixture.h"

#define SELECTIONS                                \
    "    sel_a:\n        A: 'yes'\n"              \
    "    sel_b:\n        B: 'yes'\n"              \
    "    filter_x:\n        X: 'yes'\n"           \
    "    filter_y:\n        Y: 'yes'\n"           \
    "    _hidden:\n        H: 'yes'\n"

enum { A = 1, B = 2, X = 4, Y = 8, H = 16 };

static bool event_hit(const detect_document *d, unsigned bits)
{
    return sigma_hit(d, 3, "A", bits & A ? "yes" : "no", "B", bits & B ? "yes" : "no", "X",
                     bits & X ? "yes" : "no", "Y", bits & Y ? "yes" : "no", "H",
                     bits & H ? "yes" : "no", NULL);
}

static void check_condition(const char *condition, bool (*meaning)(unsigned), int line)
{
    char detection[2048], error[512] = "";
    snprintf(detection, sizeof detection, SELECTIONS "    condition: %s\n", condition);
    detect_document *d = sigma_rule_text(detection, error, sizeof error);
    check_count++;
    if (!d) {
        check_failures++;
        fprintf(stderr, "line %d: '%s' did not load: %s\n", line, condition, error);
        return;
    }
    for (unsigned bits = 0; bits < 32; bits++) {
        if (event_hit(d, bits) != meaning(bits)) {
            check_failures++;
            fprintf(stderr, "line %d: '%s' with A=%u B=%u X=%u Y=%u H=%u: got %d\n", line,
                    condition, bits & A ? 1 : 0, bits & B ? 1 : 0, bits & X ? 1 : 0,
                    bits & Y ? 1 : 0, bits & H ? 1 : 0, !meaning(bits));
            break;
        }
    }
    detect_document_free(d);
}

static bool c_and(unsigned b) { return (b & A) && (b & B); }
static bool c_or(unsigned b) { return (b & A) || (b & B); }
static bool c_not(unsigned b) { return !(b & A); }
static bool c_and_not(unsigned b) { return (b & A) && !(b & X); }
static bool c_parens(unsigned b) { return ((b & A) || (b & B)) && !(b & X); }
static bool c_precedence_or_and(unsigned b) { return (b & A) || ((b & B) && (b & X)); }
static bool c_precedence_not_and(unsigned b) { return !(b & A) && (b & B); }
static bool c_not_parens(unsigned b) { return !((b & A) || (b & B)); }
static bool c_one_of_sel(unsigned b) { return (b & A) || (b & B); }
static bool c_all_of_sel(unsigned b) { return (b & A) && (b & B); }
static bool c_one_of_them(unsigned b) { return (b & (A | B | X | Y)) != 0; }
static bool c_all_of_them(unsigned b) { return (b & (A | B | X | Y)) == (A | B | X | Y); }
static bool c_sel_not_one_of_filter(unsigned b) { return (b & A) && !(b & (X | Y)); }
static bool c_all_of_filter_or(unsigned b) { return ((b & X) && (b & Y)) || (b & H); }
static bool c_nested(unsigned b) { return ((b & A) && ((b & B) || !(b & X))) || ((b & Y) && !(b & H)); }
static bool c_double_not(unsigned b) { return (b & A) != 0; }
static bool c_exact_one_of(unsigned b) { return (b & X) != 0; }

int main(void)
{
    check_condition("sel_a and sel_b", c_and, __LINE__);
    check_condition("sel_a or sel_b", c_or, __LINE__);
    check_condition("not sel_a", c_not, __LINE__);
    check_condition("sel_a and not filter_x", c_and_not, __LINE__);
    check_condition("(sel_a or sel_b) and not filter_x", c_parens, __LINE__);
    check_condition("sel_a or sel_b and filter_x", c_precedence_or_and, __LINE__);
    check_condition("not sel_a and sel_b", c_precedence_not_and, __LINE__);
    check_condition("not (sel_a or sel_b)", c_not_parens, __LINE__);
    check_condition("1 of sel_*", c_one_of_sel, __LINE__);
    check_condition("all of sel_*", c_all_of_sel, __LINE__);
    check_condition("1 of them", c_one_of_them, __LINE__);
    check_condition("all of them", c_all_of_them, __LINE__);
    check_condition("sel_a and not 1 of filter_*", c_sel_not_one_of_filter, __LINE__);
    check_condition("all of filter_* or _hidden", c_all_of_filter_or, __LINE__);
    check_condition("(sel_a and (sel_b or not filter_x)) or (filter_y and not _hidden)", c_nested,
                    __LINE__);
    check_condition("not not sel_a", c_double_not, __LINE__);
    check_condition("1 of filter_x", c_exact_one_of, __LINE__);
    /* the older list form: any of the conditions */
    check_condition("\n        - sel_a and sel_b\n        - sel_a and sel_b", c_and, __LINE__);
    check_condition("\n        - sel_a\n        - sel_b", c_or, __LINE__);
    return check_exit();
}
