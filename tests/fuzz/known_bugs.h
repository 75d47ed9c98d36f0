/* Bugs the hardening tests found and reported, not fixed yet (the fix belongs
 * to the code's owner). A check of the correct behaviour is written as
 *
 *   KNOWN_BUG_CHECK("short-id", condition);
 *
 * While the bug exists the condition is false: the test prints "KNOWN BUG" and
 * does not fail. Once it is fixed the condition holds and the test FAILS with
 * "fixed: remove the KNOWN_BUG mark" (an unexpected pass), so the mark is
 * turned into a plain CHECK with the fix and never hides a regression for
 * long. Each id is described in docs/hardening.md ("Bugs found and fixed"). */
#ifndef BP_FUZZ_KNOWN_BUGS_H
#define BP_FUZZ_KNOWN_BUGS_H

#include "check.h"

static int known_bug_hits;

#define KNOWN_BUG_CHECK(id, cond)                                                                  \
    do {                                                                                           \
        check_count++;                                                                             \
        if (cond) {                                                                                \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: known bug %s is fixed: replace KNOWN_BUG_CHECK with CHECK\n",  \
                    __FILE__, __LINE__, id);                                                       \
        } else {                                                                                   \
            known_bug_hits++;                                                                      \
            printf("KNOWN BUG %s (reported, not fixed): %s:%d: expected %s\n", id, __FILE__,      \
                   __LINE__, #cond);                                                               \
        }                                                                                          \
    } while (0)

#endif
