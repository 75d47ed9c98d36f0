/* The ACE lists a writer wrote last, with the text it wrote for each. A
 * queue's jobs carry the same few ACE lists over and over (the 10 000-job
 * benchmark queue: two lists, alternating), so a writer that meets a list
 * it wrote recently copies that text instead of building it again (JSON: 42
 * members for six ACEs; CSV: one cell of six ACE texts). */
#ifndef BP_OUTPUT_ACE_MEMO_H
#define BP_OUTPUT_ACE_MEMO_H

#include <stdbool.h>
#include <stddef.h>

#include "bitsparse/bitsparse.h"
#include "util/arena.h"

enum { OUT_ACE_MEMO_LISTS = 4 };

typedef struct out_ace_memo_list {
    util_arena arena;    /* the copies below */
    bp_ace *aces;        /* the written fields of each ACE, copied */
    size_t count;
    unsigned context;    /* what else the text depends on (the JSON nesting depth) */
    const char *text;
    size_t length;
    bool valid;
} out_ace_memo_list;

typedef struct out_ace_memo {
    out_ace_memo_list lists[OUT_ACE_MEMO_LISTS];
    size_t next;         /* the list kept next is put here (oldest first) */
    size_t last_found;   /* looked at first: a queue's jobs come in runs */
} out_ace_memo;

void out_ace_memo_init(out_ace_memo *memo);
void out_ace_memo_free(out_ace_memo *memo);
/* The text kept for a list equal to aces[0..count) in every written field
 * (acl, type, flags, mask, rights, SID, account; NULL equals ""), written in
 * the same context; NULL when there is none. */
const char *out_ace_memo_find(out_ace_memo *memo, const bp_ace *aces, size_t count, unsigned context,
                              size_t *length);
/* Keep text as the one written for aces[0..count) in context (copied), in
 * place of the oldest list kept. Out of memory only forgets that list. */
void out_ace_memo_keep(out_ace_memo *memo, const bp_ace *aces, size_t count, unsigned context,
                       const char *text, size_t length);

#endif
