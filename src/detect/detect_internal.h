/* Internals of the detection engine (docs/detections.md):
 *   fields.c   the record fields a rule can test: every output field by its
 *              output name, plus a few derived ones (url_host ...)
 *   hosts.c    URL host extraction and host tests (is_ip, tld_in, host_in)
 *   match.c    evaluation of a compiled condition tree on one record
 *   loader.c   YAML rule file -> compiled rules, with FILE:LINE:COLUMN errors
 *   ruleset.c  the public API of bitsparse/detect.h, bp_detect()
 *   sigma_*.c  Sigma rules (sigma.h)
 * The default rule file (default_rules.yaml) is turned into a C array at build
 * time by cmake/EmbedFile.cmake. */
#ifndef BP_DETECT_INTERNAL_H
#define BP_DETECT_INTERNAL_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "bitsparse/detect.h"
#include "util/arena.h"
#include "util/string_map.h"

/* ASCII classes in the C locale, as regexec and the host tests see bytes
 * (the program never calls setlocale). */
static inline bool detect_is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline bool detect_is_digit(char c) { return c >= '0' && c <= '9'; }

/* ---- fields ------------------------------------------------------------- */

/* Number of testable field slots (output fields + derived fields); some slots
 * (acls, detections) exist but cannot be tested. */
size_t detect_field_count(void);
/* Find a field by name. false with *why set when unknown or not testable. */
bool detect_field_lookup(const char *name, size_t *index, const char **why);
/* The values of one field of the context's record as text (a list field gives one value
 * per entry, possibly none). Computed into its scratch; a field of one value is
 * handed back as a list of one in *one (most fields: no list is allocated).
 * false when out of memory. */
struct detect_context;
bool detect_field_values(size_t index, struct detect_context *context, const char **one,
                         const char *const **values, size_t *count);

/* ---- hosts -------------------------------------------------------------- */

/* Host of a URL ("scheme://user@host:port/..."), of a UNC path ("\\host\share"),
 * or the value itself otherwise: lower case, without IPv6 brackets, zone, port
 * or trailing dot. "" when there is none (also for a local path "C:\..."). */
const char *detect_host_of(const char *value, util_arena *scratch);
/* text is a bare lower-case host name (letters a-z, digits, '.', '-', '_',
 * no trailing '.'): detect_host_of(text) is text itself. */
bool detect_is_plain_host(const char *text);
/* Scheme of a URL in lower case ("http"), "" when the value is not a URL. */
const char *detect_scheme_of(const char *value, util_arena *scratch);
/* Last path component (after the last \ or /) of a program path, with
 * surrounding blanks and quotes removed. */
const char *detect_program_name(const char *path, util_arena *scratch);
/* An IPv4 literal in any form Windows accepts (dotted decimal, fewer parts,
 * octal or hex parts: "10.1", "0x7f.1", "3232235777") or an IPv6 literal. */
bool detect_is_ip_literal(const char *host);
/* pattern "example.com": that host or any subdomain; ".example.com": only
 * subdomains. Both in lower case. */
bool detect_host_matches(const char *host, const char *pattern);
/* host ends with "." + tld (tld in lower case, may hold dots: "co.uk"). */
bool detect_tld_matches(const char *host, const char *tld);

/* ASCII case-insensitive helpers; locale independent. */
bool detect_text_equals(const char *text, const char *needle, bool case_sensitive);
bool detect_text_contains(const char *text, const char *needle, bool case_sensitive);
bool detect_text_starts_with(const char *text, const char *needle, bool case_sensitive);
bool detect_text_ends_with(const char *text, const char *needle, bool case_sensitive);

/* ---- compiled rules ----------------------------------------------------- */

typedef enum detect_node_kind {
    DETECT_ALL_OF,
    DETECT_ANY_OF,
    DETECT_NOT,
    DETECT_TEST,
} detect_node_kind;

typedef enum detect_op {
    DETECT_EQUALS,       /* also "in" */
    DETECT_CONTAINS,
    DETECT_STARTS_WITH,
    DETECT_ENDS_WITH,
    DETECT_REGEX,
    DETECT_IS_IP,
    DETECT_TLD_IN,
    DETECT_HOST_IN,
    DETECT_EMPTY,
} detect_op;

/* A regex operand that only asks how a text (up to its first stop
 * character) ends: matched without regexec (suffix_regex.c). */
typedef struct detect_suffix_regex {
    char stops[64];          /* NUL-terminated; "" = the whole text */
    size_t stop_count;
    const char *literal;     /* LIT, then one of the alternatives ("" alone) */
    size_t literal_length;
    const char **alternatives;     /* by length, shortest first (the order of the pattern within one length) */
    size_t *alternative_lengths;
    size_t *length_group_end;      /* of each alternative: the index after the last one of its length */
    size_t alternative_count;
    bool case_sensitive;
} detect_suffix_regex;

/* NULL when `pattern` has another shape than the two suffix_regex.c knows,
 * or out of memory: regexec then decides. */
detect_suffix_regex *detect_suffix_regex_parse(const char *pattern, bool case_sensitive, util_arena *arena);
/* regexec's verdict for the pattern the regex was parsed from. */
bool detect_suffix_regex_matches(const detect_suffix_regex *regex, const char *text);

/* A regex operand anchored at the start and nowhere else: alternatives of
 * literal characters and bracket sets, each maybe followed by ? * or +;
 * matched without regexec (prefix_regex.c). */
#define DETECT_PREFIX_REGEX_ATOMS 62      /* per alternative (X+ counts two) */
#define DETECT_PREFIX_REGEX_ALTERNATIVES 16
typedef struct detect_prefix_atom {
    uint8_t set[32];         /* the bytes it takes, a bit each (both cases when case is ignored) */
    bool optional;           /* ? or *: may be skipped */
    bool repeats;            /* *: may take another byte */
} detect_prefix_atom;

typedef struct detect_prefix_regex {
    const detect_prefix_atom *atoms;     /* the alternatives' atoms one after the other */
    size_t ends[DETECT_PREFIX_REGEX_ALTERNATIVES];  /* alternative a: atoms[ends[a - 1] (0 for a = 0), ends[a]) */
    uint64_t optional[DETECT_PREFIX_REGEX_ALTERNATIVES];  /* per alternative: bit i when its atom i may be skipped */
    size_t alternative_count;
} detect_prefix_regex;

/* NULL when `pattern` has another shape than prefix_regex.c knows, or out
 * of memory: regexec then decides. */
detect_prefix_regex *detect_prefix_regex_parse(const char *pattern, bool case_sensitive, util_arena *arena);
/* regexec's verdict for the pattern the regex was parsed from. */
bool detect_prefix_regex_matches(const detect_prefix_regex *regex, const char *text);

typedef struct detect_node {
    detect_node_kind kind;
    const struct detect_node **children;  /* all_of / any_of / not (one child) */
    size_t child_count;
    size_t field;                          /* test: detect_field index */
    detect_op op;
    bool case_sensitive;
    bool expect;                           /* is_ip / empty: the wanted answer */
    const char **values;                   /* string operands */
    size_t value_count;
    regex_t **regexes;                     /* compiled regex operands */
    size_t regex_count;
    /* per regex: the same test without regexec, or NULL */
    const detect_suffix_regex **suffix_regexes;
    const detect_prefix_regex **prefix_regexes;  /* per regex: the same, or NULL */
    bool all_suffix_regexes;               /* every regex has one of the two: not memoised */
} detect_node;

struct sigma_rule;
struct sigma_events;

typedef struct detect_rule {
    bp_rule_info info;
    const detect_node *match;            /* bitsparse's own rules */
    const struct sigma_rule *sigma;      /* Sigma rules (match is NULL then) */
    size_t position;            /* index in its document */
    size_t line, column;        /* of the rule's mapping, 0-based (error messages) */
} detect_rule;

/* One loaded YAML document: owns the memory of its rules and their regexes. */
typedef struct detect_document {
    util_arena arena;
    regex_t **regexes;   /* malloc'ed list of every compiled regex, for regfree */
    size_t regex_count;
    size_t regex_capacity;
    detect_rule **rules; /* malloc'ed, in file order */
    size_t rule_count;
    size_t rule_capacity;
    struct detect_document *next;
} detect_document;

/* Parse and compile one YAML rule document. Returns the new document, or NULL
 * with "LABEL:LINE:COLUMN: message" in error (nothing leaks). */
detect_document *detect_load(const char *text, size_t size, const char *label, char *error,
                             size_t error_size);
void detect_document_free(detect_document *document);

/* Evaluation state for one record: the record, a scratch arena and a cache of
 * field values (one slot per field). */
typedef struct detect_field_cache {
    size_t record;               /* the detect_context.record_number it holds; 0: none */
    const char *one;             /* the value of a single-valued field */
    const char *const *values;   /* &one, or a list field's entries */
    size_t count;
} detect_field_cache;

/* Verdicts of the costly tests (regexes, host tests) by test and value, kept
 * for a whole bp_detect() run: hosts, paths and programs repeat across the
 * records of a queue, so each distinct value is tested once. Bounded: past
 * DETECT_VERDICTS_MAX entries new values are tested but not remembered. */
#define DETECT_VERDICTS_MAX 16384
/* How often the memo answered one test. A test whose values do not repeat (a
 * path or URL per file) is evaluated directly once its first
 * DETECT_MEMO_TRIAL lookups found fewer than one in DETECT_MEMO_MIN_HIT_RATE:
 * a lookup that misses costs as much as the test. */
#define DETECT_MEMO_TRIAL 512
#define DETECT_MEMO_MIN_HIT_RATE 8
#define DETECT_MEMO_TESTS 64     /* tests followed (a power of two); others are always remembered */
#define DETECT_MEMO_LAST_TEXT 48   /* longest value kept as the last one (with its NUL) */
typedef struct detect_memo_use {
    const void *node;            /* the test (a detect_node); NULL: free slot */
    uint32_t lookups, hits;
    /* The value this test last answered from the memo and its verdict: the
     * records of one job carry the same values, so the next lookup is often
     * the same value, found by a comparison instead of a key and a hash. */
    uint8_t last_length;         /* 0: none kept */
    bool last_verdict;
    char last[DETECT_MEMO_LAST_TEXT];
} detect_memo_use;
typedef struct detect_verdicts {
    util_string_map map;   /* key: the test's address (its bytes), then the value -> verdict (0 or 1) */
    util_arena keys;       /* the keys' bytes */
    char *probe;         /* reused buffer for a key being looked up */
    size_t probe_size;
    detect_memo_use uses[DETECT_MEMO_TESTS];
} detect_verdicts;
void detect_verdicts_free(detect_verdicts *verdicts);

typedef struct detect_context {
    const bp_record *record;
    util_arena *scratch;
    detect_field_cache *cache;  /* detect_field_count() slots */
    size_t record_number;       /* counts from 1: a slot of another number is stale, so the
                                   slots need no clearing between records */
    struct sigma_events *sigma;  /* the record as Sigma events, built on first use */
    bool out_of_memory;
    detect_verdicts *verdicts;  /* NULL: no memo */
    /* the last two values whose host was extracted, and those hosts (in
     * scratch): a record's URL (its host tests and url_host) and url_host
     * itself (host_in on url_host) */
    const char *host_text[2];
    const char *host[2];
    unsigned host_next;         /* the slot to replace next */
} detect_context;

bool detect_node_matches(const detect_node *node, detect_context *context);
/* detect_host_of(text) for the record being evaluated, extracted once per
 * value (by its address); NULL when out of memory (context->out_of_memory set). */
const char *detect_context_host_of(detect_context *context, const char *text);

/* The embedded default rule file (generated at build time). */
extern const unsigned char detect_default_rules_yaml[];
extern const size_t detect_default_rules_yaml_size;

#endif
