/* Regression (code review, finding 3): every nested binary-XML fragment (a
 * value of type 0x21) walked its template again, each walk up to 100,000
 * tokens, with no limit across fragments: a crafted chunk cost 10^7 token
 * steps and more per record. One budget of BINXML_MAX_STEPS now covers the
 * record's fragments together; when it runs out the record's value types are
 * unknown (false) and the caller is told (over_budget).
 * Built here: a chunk holding one template whose body is 4000 tokens with no
 * EventData, and a record whose fragment uses it and lists 256 values of type
 * 0x21, each a fragment using the same template: 257 walks, 1,028,000 steps
 * unbounded. */
#include <string.h>

#include "check.h"
#include "evtx/binxml_values.h"

#define CHUNK_AT 4096u
#define RECORD_AT 512u        /* in the chunk */
#define TEMPLATE_AT 40000u    /* in the chunk */
#define BODY_TOKENS 4000u
#define NESTED 256u
#define LEAF_SIZE 18u         /* fragment header 4, template instance 10, value count 4 */

static uint8_t log_bytes[CHUNK_AT + 65536];

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }

/* A fragment instancing the template, with `values` values; returns its size. */
static size_t put_fragment_head(uint8_t *p, uint32_t values)
{
    p[0] = 0x0f, p[1] = 1, p[2] = 1, p[3] = 0;             /* fragment header */
    p[4] = 0x0c, p[5] = 0;                                  /* template instance */
    put32(p + 6, 1);                                        /* template id */
    put32(p + 10, TEMPLATE_AT);                             /* definition, not inline */
    put32(p + 14, values);
    return LEAF_SIZE;
}

static void build(void)
{
    uint8_t *chunk = log_bytes + CHUNK_AT;
    /* the template: next, GUID (its first 4 bytes: the template id), body size,
     * then tokens that open nothing */
    put32(chunk + TEMPLATE_AT + 4, 1);
    put32(chunk + TEMPLATE_AT + 20, BODY_TOKENS);
    memset(chunk + TEMPLATE_AT + 24, 0x02, BODY_TOKENS);   /* close-start tokens */
    /* the record: header, then the fragment with 256 nested fragments */
    uint8_t *record = chunk + RECORD_AT;
    put32(record, 0x00002a2a);
    size_t at = 24 + put_fragment_head(record + 24, NESTED);
    for (uint32_t i = 0; i < NESTED; i++, at += 4) {
        put16(record + at, LEAF_SIZE);
        record[at + 2] = BINXML_TYPE_BINXML;
    }
    for (uint32_t i = 0; i < NESTED; i++)
        at += put_fragment_head(record + at, 0);
    put32(record + 4, (uint32_t)(at + 4));                  /* record size (with the copy of it) */
}

int main(void)
{
    build();
    binxml_value values[16];
    size_t count = 99;
    binxml_cost cost;
    bool ok = binxml_event_data_values(log_bytes, sizeof log_bytes, CHUNK_AT + RECORD_AT, values, 16, &count,
                                       &cost);
    CHECK(!ok);                                 /* types unknown */
    CHECK_U64(count, 0);
    CHECK(cost.over_budget);                    /* and the caller is told why */
    CHECK(cost.steps <= BINXML_MAX_STEPS);      /* bounded: was 1,028,000 */
    CHECK(cost.steps >= BINXML_MAX_STEPS - BODY_TOKENS);

    /* 20 nested fragments fit the budget: followed to the end, nothing found, not over budget */
    put32(log_bytes + CHUNK_AT + RECORD_AT + 24 + 14, 20);
    uint8_t *record = log_bytes + CHUNK_AT + RECORD_AT;
    size_t at = 24 + LEAF_SIZE;
    for (uint32_t i = 0; i < 20; i++, at += 4) {
        put16(record + at, LEAF_SIZE);
        record[at + 2] = BINXML_TYPE_BINXML;
    }
    for (uint32_t i = 0; i < 20; i++)
        at += put_fragment_head(record + at, 0);
    put32(record + 4, (uint32_t)(at + 4));
    ok = binxml_event_data_values(log_bytes, sizeof log_bytes, CHUNK_AT + RECORD_AT, values, 16, &count, &cost);
    CHECK(!ok);
    CHECK(!cost.over_budget);
    CHECK_U64(cost.steps, 21u * (BODY_TOKENS + 1) + 20 + 0);  /* 21 walks and fragments, 20 listed values */
    return check_exit();
}
