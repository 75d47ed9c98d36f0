/* additional_sids of a descriptor with more SIDs than the small linear check
 * takes (security_descriptor.c tells up to 16 apart by comparing, more
 * through a hash map): 20 ACEs over 12 distinct domain SIDs, then SYSTEM as
 * both owner and group, must list the 13 distinct SIDs once each in stored
 * order; and a 6-ACE descriptor with repeats (the linear way) likewise. */
#include "check.h"

#include "bits/security_descriptor.h"
#include "util/arena.h"

typedef struct builder {
    uint8_t data[1024];
    size_t size;
} builder;

static void put(builder *b, const void *bytes, size_t n)
{
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static void put_u32(builder *b, uint32_t v)
{
    uint8_t bytes[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, bytes, 4);
}

/* S-1-5-21-1-2-3-rid: 28 bytes */
static void put_domain_sid(builder *b, uint32_t rid)
{
    put(b, (const uint8_t[]){1, 5, 0, 0, 0, 0, 0, 5}, 8);
    put_u32(b, 21);
    put_u32(b, 1);
    put_u32(b, 2);
    put_u32(b, 3);
    put_u32(b, rid);
}

static void check_descriptor(size_t aces, uint32_t distinct)
{
    static const uint8_t sid_system[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    const uint32_t ace_size = 4 + 4 + 28, dacl_size = 8 + (uint32_t)aces * ace_size;
    builder b = {{0}, 0};
    put(&b, (const uint8_t[]){1, 0, 0x04, 0x80}, 4);  /* revision 1, DACL present, self-relative */
    put_u32(&b, 20 + dacl_size);                       /* owner after the DACL */
    put_u32(&b, 20 + dacl_size);                       /* group: the same bytes */
    put_u32(&b, 0);                                    /* no SACL */
    put_u32(&b, 20);                                   /* DACL */
    put(&b, (const uint8_t[]){2, 0, (uint8_t)dacl_size, (uint8_t)(dacl_size >> 8), (uint8_t)aces, 0, 0, 0}, 8);
    for (size_t i = 0; i < aces; i++) {
        put(&b, (const uint8_t[]){0x00, 0, (uint8_t)ace_size, 0}, 4);
        put_u32(&b, 0x001F0000);
        put_domain_sid(&b, 1000 + (uint32_t)i % distinct);
    }
    put(&b, sid_system, 12);

    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {0};
    bits_security_descriptor sd;
    CHECK(bits_decode_security_descriptor(&arena, util_reader_make(b.data, b.size), 0, "sd", &warnings, &sd));
    CHECK_U64(warnings.count, 0);
    CHECK_U64(sd.ace_count, aces);
    CHECK_STR(sd.owner_sid, "S-1-5-18");
    CHECK_U64(sd.sid_count, distinct + 1);
    for (uint32_t i = 0; i < distinct && i < sd.sid_count; i++) {
        char expected[64];
        snprintf(expected, sizeof expected, "S-1-5-21-1-2-3-%u", 1000 + i);
        CHECK_STR(sd.sids[i], expected);
    }
    if (sd.sid_count == distinct + 1)
        CHECK_STR(sd.sids[distinct], "S-1-5-18");
    util_arena_free(&arena);
}

int main(void)
{
    check_descriptor(20, 12);  /* 22 SIDs with owner and group: the hash map */
    check_descriptor(6, 4);    /* 8: compared one by one */
    return check_exit();
}
