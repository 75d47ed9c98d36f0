/* result_result_parser_state: the slot in which a parser (the legacy generation
 * rule) keeps its state across the inputs of one result, now that bp_result
 * has no member for any one parser. */
#include <stdint.h>

#include "check.h"

#include "result/result.h"

static const char key_a, key_b;

typedef struct counter { uint64_t value; const char *name; } counter;

int main(void)
{
    bp_result *result = result_new();
    CHECK(result != NULL);
    if (!result)
        return check_exit();
    CHECK(result_find_parser_state(result, &key_a) == NULL);

    counter *a = result_result_parser_state(result, &key_a, sizeof(counter));
    CHECK(a != NULL);
    if (!a) {
        bp_result_free(result);
        return check_exit();
    }
    CHECK_U64(a->value, 0);       /* zeroed on first use */
    CHECK(a->name == NULL);
    a->value = 1197;
    a->name = "qmgr0.dat";

    /* the same key finds the same state, with what was stored */
    counter *again = result_result_parser_state(result, &key_a, sizeof(counter));
    CHECK(again == a);
    CHECK_U64(again->value, 1197);
    CHECK_STR(again->name, "qmgr0.dat");
    CHECK(result_find_parser_state(result, &key_a) == a);

    /* another key gets its own, zeroed state */
    counter *b = result_result_parser_state(result, &key_b, sizeof(counter));
    CHECK(b != NULL && b != a);
    CHECK_U64(b ? b->value : 99, 0);
    CHECK_U64(a->value, 1197);

    bp_result_free(result);
    return check_exit();
}
