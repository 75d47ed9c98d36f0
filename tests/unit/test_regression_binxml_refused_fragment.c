/* binxml_event_data_values on a hand-built event record (docs/format-evtx.md
 * §2a) whose outer template has no EventData and whose values hold two
 * nested binary XML fragments (type 0x21):
 *   A: EventData with one Data item holding two substitutions (ambiguous);
 *   B: EventData with one Data item holding one substitution "XY".
 * Each fragment alone gives what it should (A refused, B one value). With
 * both, the record's EventData (A's) is ambiguous, so the record is refused.
 * Regression for binxml-refused-fragment-fallthrough (found by
 * fuzz_binxml_values, docs/hardening.md): A's refusal fell through to B and
 * B's value came back as the record's. */
#include <string.h>

#include "check.h"
#include "evtx/binxml_values.h"

#define HEADER 4096u
#define CHUNK 4096u
#define NAME_EVENT_DATA 0x100u /* chunk offsets of the two element names */
#define NAME_DATA 0x140u
#define RECORD 0x200u

typedef struct builder {
    uint8_t file[HEADER + CHUNK];
    size_t at; /* chunk offset of the next byte */
} builder;

static void put8(builder *b, unsigned v)
{
    b->file[HEADER + b->at++] = (uint8_t)v;
}

static void put16(builder *b, unsigned v)
{
    put8(b, v & 0xff), put8(b, v >> 8);
}

static void put32(builder *b, uint32_t v)
{
    put16(b, v & 0xffff), put16(b, v >> 16);
}

static void put32_at(builder *b, size_t at, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->file[HEADER + at + (size_t)i] = (uint8_t)(v >> (8 * i));
}

/* A name structure: next, hash, length, UTF-16 text, terminator. */
static void put_name(builder *b, size_t at, const char *ascii)
{
    b->at = at;
    put32(b, 0), put16(b, 0), put16(b, (unsigned)strlen(ascii));
    for (const char *c = ascii; *c; c++)
        put16(b, (unsigned char)*c);
    put16(b, 0);
}

/* <EventData><Data>%0 [%1]</Data></EventData> with `substitutions` (1 or 2)
 * text substitutions, then its values: the UTF-16 text of each string. */
static void put_fragment(builder *b, int substitutions, const char *const *strings)
{
    put8(b, 0x0f), put8(b, 1), put8(b, 1), put8(b, 0); /* fragment header */
    put8(b, 0x0c), put8(b, 1), put32(b, 7);            /* template instance, template id */
    put32(b, (uint32_t)(b->at + 4));                   /* definition: inline, right here */
    put32(b, 0);                                       /* next definition */
    put32(b, 7);                                       /* GUID: begins with the template id */
    for (int i = 0; i < 12; i++)
        put8(b, 0);
    size_t body_size_at = b->at;
    put32(b, 0);
    size_t body = b->at;
    put8(b, 0x01), put16(b, 0xffff), put32(b, 0), put32(b, NAME_EVENT_DATA), put8(b, 0x02);
    put8(b, 0x01), put16(b, 0xffff), put32(b, 0), put32(b, NAME_DATA), put8(b, 0x02);
    for (int i = 0; i < substitutions; i++)
        put8(b, 0x0d), put16(b, (unsigned)i), put8(b, 0x01);
    put8(b, 0x04), put8(b, 0x04), put8(b, 0x00); /* </Data></EventData>, end */
    put32_at(b, body_size_at, (uint32_t)(b->at - body));
    put32(b, (uint32_t)substitutions);
    for (int i = 0; i < substitutions; i++)
        put16(b, (unsigned)(2 * strlen(strings[i]))), put8(b, 0x01), put8(b, 0);
    for (int i = 0; i < substitutions; i++)
        for (const char *c = strings[i]; *c; c++)
            put16(b, (unsigned char)*c);
}

/* The record: an outer template without EventData whose values are the
 * nested fragments asked for ("A" ambiguous, "B" fine), in that order. */
static void build(builder *b, const char *fragments)
{
    static const char *const two[] = {"P", "Q"}, *const one[] = {"XY"};
    memset(b->file, 0, sizeof b->file);
    put_name(b, NAME_EVENT_DATA, "EventData");
    put_name(b, NAME_DATA, "Data");
    b->at = RECORD;
    put32(b, 0x00002a2a), put32(b, 0); /* magic, size (below) */
    for (int i = 0; i < 16; i++)
        put8(b, 0);                     /* record id, written time */
    put8(b, 0x0f), put8(b, 1), put8(b, 1), put8(b, 0);
    put8(b, 0x0c), put8(b, 1), put32(b, 9), put32(b, (uint32_t)(b->at + 4));
    put32(b, 0);
    put32(b, 9); /* GUID: begins with the template id */
    for (int i = 0; i < 12; i++)
        put8(b, 0);
    put32(b, 1), put8(b, 0x00);         /* body: the end token only */
    size_t n = strlen(fragments);
    put32(b, (uint32_t)n);
    size_t descriptors = b->at;
    b->at += 4 * n;
    for (size_t i = 0; i < n; i++) {
        size_t start = b->at;
        if (fragments[i] == 'A')
            put_fragment(b, 2, two);
        else
            put_fragment(b, 1, one);
        size_t size = b->at - start;
        b->file[HEADER + descriptors + 4 * i] = (uint8_t)size;
        b->file[HEADER + descriptors + 4 * i + 1] = (uint8_t)(size >> 8);
        b->file[HEADER + descriptors + 4 * i + 2] = BINXML_TYPE_BINXML;
    }
    put32(b, (uint32_t)(b->at + 4 - RECORD)); /* the size again, closing the record */
    put32_at(b, RECORD + 4, (uint32_t)(b->at - RECORD));
}

int main(void)
{
    static builder b;
    binxml_value values[16];
    size_t count = 99;

    build(&b, "B");
    CHECK(binxml_event_data_values(b.file, sizeof b.file, HEADER + RECORD, values, 16, &count, NULL));
    CHECK_U64(count, 1);
    CHECK_U64(values[0].type, BINXML_TYPE_STRING);
    CHECK_U64(values[0].size, 4);
    CHECK(values[0].bytes && memcmp(values[0].bytes, "X\0Y\0", 4) == 0);

    build(&b, "A");
    count = 99;
    CHECK(!binxml_event_data_values(b.file, sizeof b.file, HEADER + RECORD, values, 16, &count, NULL));
    CHECK_U64(count, 0);

    /* the record's EventData is A's, ambiguous: nothing comes back */
    build(&b, "AB");
    count = 99;
    bool ok = binxml_event_data_values(b.file, sizeof b.file, HEADER + RECORD, values, 16, &count, NULL);
    CHECK(!ok);
    CHECK_U64(count, 0);

    return check_exit();
}
