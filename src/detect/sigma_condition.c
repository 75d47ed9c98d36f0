/* The `condition` of a Sigma rule:
 *     expr    = and { "or" and }
 *     and     = unary { "and" unary }
 *     unary   = "not" unary | "(" expr ")" | quant "of" target | NAME
 *     quant   = "1" | "all"            target = "them" | NAME-PATTERN
 * `not` binds tighter than `and`, `and` tighter than `or`. A pattern holds
 * '*' wildcards; `them` means every selection whose name does not start with
 * '_'. Names are resolved here, so a condition naming no selection is an
 * error at load time. Aggregations ("| count() ...") are refused. */
#include <string.h>

#include "detect/sigma.h"

#define MAX_DEPTH 64     /* nested parentheses and `not`s (the parser recurses) */
#define MAX_NODES 4096   /* operators: evaluation recurses once per operator */

typedef struct parser {
    const char *text;
    size_t at;                 /* next unread byte */
    size_t token, token_length;  /* current token */
    const sigma_selection *selections;
    size_t selection_count;
    util_arena *arena;
    const char *why;
    size_t error_at;
    int depth;
    size_t nodes;
} parser;

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Read the next token: "(", ")", "|" or a word; length 0 at the end. */
static void next(parser *p)
{
    while (is_space(p->text[p->at]))
        p->at++;
    p->token = p->at;
    char c = p->text[p->at];
    if (c == '(' || c == ')' || c == '|') {
        p->at++;
    } else {
        while (p->text[p->at] && !is_space(p->text[p->at]) && p->text[p->at] != '(' &&
               p->text[p->at] != ')' && p->text[p->at] != '|')
            p->at++;
    }
    p->token_length = p->at - p->token;
}

static bool token_is(const parser *p, const char *word)
{
    return p->token_length == strlen(word) && strncmp(p->text + p->token, word, p->token_length) == 0;
}

static const sigma_cond *fail(parser *p, const char *why)
{
    if (!p->why) {
        p->why = why;
        p->error_at = p->token;
    }
    return NULL;
}

static sigma_cond *node(parser *p, sigma_cond_kind kind)
{
    if (++p->nodes > MAX_NODES) {
        fail(p, "the condition has too many operators");
        return NULL;
    }
    sigma_cond *n = util_arena_alloc(p->arena, sizeof(*n));
    if (!n) {
        fail(p, "out of memory");
        return NULL;
    }
    memset(n, 0, sizeof(*n));
    n->kind = kind;
    return n;
}

/* The selections a name or pattern (or `them`) stands for. */
static const sigma_cond *selections_of(parser *p, sigma_cond_kind kind, bool them)
{
    char *name = util_arena_strndup(p->arena, p->text + p->token, p->token_length);
    size_t *list = util_arena_array(p->arena, p->selection_count ? p->selection_count : 1,
                                  sizeof(*list));
    sigma_cond *n = node(p, kind);
    if (!name || !list || !n)
        return fail(p, "out of memory");
    size_t count = 0;
    for (size_t i = 0; i < p->selection_count; i++) {
        const char *candidate = p->selections[i].name;
        bool hit = them ? candidate[0] != '_' : sigma_pattern_matches(name, candidate, true, false);
        if (hit)
            list[count++] = i;
    }
    if (count == 0) {
        const char *why = util_arena_printf(p->arena, "'%s' names no selection of the detection",
                                          name);
        return fail(p, why ? why : "out of memory");
    }
    n->selections = list;
    n->selection_count = count;
    next(p);
    return n;
}

static const sigma_cond *expression(parser *p);

static const sigma_cond *unary(parser *p)
{
    if (p->token_length == 0)
        return fail(p, "the condition ends where a selection name was expected");
    if (token_is(p, "|"))
        return fail(p, "aggregations ('|') are not supported");
    if (token_is(p, "not")) {
        if (++p->depth > MAX_DEPTH)
            return fail(p, "'not' and parentheses nested too deep");
        next(p);
        sigma_cond *n = node(p, SIGMA_NOT);
        if (!n || !(n->left = unary(p)))
            return NULL;
        p->depth--;
        return n;
    }
    if (token_is(p, "(")) {
        if (++p->depth > MAX_DEPTH)
            return fail(p, "'not' and parentheses nested too deep");
        next(p);
        const sigma_cond *inner = expression(p);
        if (!inner)
            return NULL;
        if (!token_is(p, ")"))
            return fail(p, "')' expected");
        p->depth--;
        next(p);
        return inner;
    }
    if (token_is(p, ")"))
        return fail(p, "unexpected ')'");
    if (token_is(p, "1") || token_is(p, "all")) {
        sigma_cond_kind kind = token_is(p, "1") ? SIGMA_ONE_OF : SIGMA_ALL_OF;
        next(p);
        if (!token_is(p, "of"))
            return fail(p, "'of' expected after '1' or 'all'");
        next(p);
        if (p->token_length == 0 || token_is(p, "(") || token_is(p, ")") || token_is(p, "|"))
            return fail(p, "a selection name, a pattern or 'them' expected after 'of'");
        return selections_of(p, kind, token_is(p, "them"));
    }
    if (token_is(p, "and") || token_is(p, "or") || token_is(p, "of") || token_is(p, "them"))
        return fail(p, "a selection name was expected here");
    {
        /* "2 of x", "any of x": quantifiers Sigma does not define (any more) */
        parser ahead = *p;
        next(&ahead);
        if (token_is(&ahead, "of"))
            return fail(p, "only '1 of' and 'all of' are supported");
    }
    if (memchr(p->text + p->token, '*', p->token_length))
        return fail(p, "a name pattern needs '1 of' or 'all of' before it");
    return selections_of(p, SIGMA_ONE_OF, false);
}

static const sigma_cond *chain(parser *p, const char *op, sigma_cond_kind kind,
                               const sigma_cond *(*operand)(parser *))
{
    const sigma_cond *left = operand(p);
    while (left && token_is(p, op)) {
        next(p);
        sigma_cond *n = node(p, kind);
        if (!n)
            return NULL;
        n->left = left;
        if (!(n->right = operand(p)))
            return NULL;
        left = n;
    }
    return left;
}

static const sigma_cond *conjunction(parser *p) { return chain(p, "and", SIGMA_AND, unary); }

static const sigma_cond *expression(parser *p) { return chain(p, "or", SIGMA_OR, conjunction); }

const sigma_cond *sigma_condition_parse(const char *text, const sigma_selection *selections,
                                        size_t selection_count, util_arena *arena,
                                        const char **why, size_t *offset)
{
    parser p = {text, 0, 0, 0, selections, selection_count, arena, NULL, 0, 0, 0};
    next(&p);
    const sigma_cond *root = expression(&p);
    if (root && p.token_length != 0)
        root = fail(&p, token_is(&p, "|") ? "aggregations ('|') are not supported"
                        : token_is(&p, ")") ? "unexpected ')'"
                                            : "'and', 'or' or the end of the condition expected");
    if (!root) {
        *why = p.why ? p.why : "invalid condition";
        *offset = p.error_at;
    }
    return root;
}
