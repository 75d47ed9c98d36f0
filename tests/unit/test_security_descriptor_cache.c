/* The cache of decoded security descriptors (bits/security_descriptor_cache.h):
 * a clean descriptor is decoded once and handed out again with the same
 * values, even after the arena of the first record is gone; a damaged one is
 * never kept, so every record that carries it gets its own warnings; the
 * cache stops growing at its bound. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"

#include "bits/security_descriptor_cache.h"

/* Owner and group S-1-5-18, a DACL of two ACEs: SYSTEM allowed 0x1F01FF,
 * Everyone denied ReadControl. DACL_ACE_COUNT is the byte that claims how
 * many ACEs the DACL holds. */
enum { SD_SIZE = 80, DACL_ACE_COUNT = 36, OWNER_LAST_BYTE = 28 };
static const uint8_t clean_sd[SD_SIZE] = {
    1, 0, 0x04, 0x80,                                    /* revision, Sbz1, control SELF_RELATIVE | DACL */
    20, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0, 0,   /* owner, group, SACL, DACL offsets */
    1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0,                 /* S-1-5-18 */
    2, 0, 48, 0, 2, 0, 0, 0,                             /* DACL: 48 bytes, 2 ACEs */
    0, 0, 20, 0, 0xFF, 0x01, 0x1F, 0x00,                 /* allowed, 0x1F01FF */
    1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0,                 /* S-1-5-18 */
    1, 0, 20, 0, 0x00, 0x00, 0x02, 0x00,                 /* denied, ReadControl */
    1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,                  /* S-1-1-0 */
};

static bool decode(bits_sd_cache *cache, util_arena *arena, const uint8_t *bytes, size_t base, const char *where,
                   bp_note_list *warnings, bits_security_descriptor *out)
{
    return bits_decode_security_descriptor_cached(cache, arena, util_reader_make(bytes, SD_SIZE), base, where,
                                                  warnings, out);
}

static void check_clean_values(const bits_security_descriptor *sd, const char *owner)
{
    CHECK_U64(sd->size, SD_SIZE);
    CHECK_U64(sd->control, 0x8004);
    CHECK_STR(sd->owner_sid, owner);
    CHECK_STR(sd->group_sid, owner);
    size_t sids = strcmp(owner, "S-1-5-18") == 0 ? 2 : 3;  /* owner, ACE trustees S-1-5-18 and S-1-1-0 */
    CHECK_U64(sd->ace_count, 2);
    CHECK_U64(sd->sid_count, sids);
    if (sd->ace_count != 2 || sd->sid_count != sids)
        return;
    CHECK_STR(sd->aces[0].acl, "DACL");
    CHECK_STR(sd->aces[0].ace_type, "AccessAllowed");
    CHECK_U64(sd->aces[0].mask, 0x1F01FF);
    CHECK_STR(sd->aces[0].sid, "S-1-5-18");
    CHECK_STR(sd->aces[0].account, "SYSTEM");
    CHECK_STR(sd->aces[1].ace_type, "AccessDenied");
    CHECK_STR(sd->aces[1].rights, "ReadControl");
    CHECK_STR(sd->aces[1].sid, "S-1-1-0");
    CHECK_STR(sd->aces[1].account, "Everyone");
    CHECK_STR(sd->sids[0], owner);
    CHECK_STR(sd->sids[sids - 1], "S-1-1-0");
}

/* The second record with the same bytes gets the kept decode: the same
 * values, still readable once the first record's arena is gone. */
static void check_clean_descriptor_decoded_once(void)
{
    util_arena kept, first, second;
    util_arena_init(&kept);
    util_arena_init(&first);
    util_arena_init(&second);
    bits_sd_cache cache;
    bits_sd_cache_init(&cache, &kept);
    bp_note_list warnings = {0};
    bits_security_descriptor a, b;
    CHECK(decode(&cache, &first, clean_sd, 0x100, "job 1", &warnings, &a));
    check_clean_values(&a, "S-1-5-18");
    CHECK_U64(cache.count, 1);
    CHECK_U64(cache.hits, 0);
    CHECK(decode(&cache, &second, clean_sd, 0x200, "job 2", &warnings, &b));
    CHECK_U64(cache.hits, 1);
    CHECK_U64(warnings.count, 0);
    util_arena_free(&first);
    util_arena_free(&second);
    check_clean_values(&b, "S-1-5-18");
    CHECK_STR(b.aces[0].rights, "Specific0x1|Specific0x2|Specific0x4|Specific0x8|Specific0x10|Specific0x20|"
                                "Specific0x40|Specific0x80|Specific0x100|Delete|ReadControl|WriteDac|"
                                "WriteOwner|Synchronize");

    /* other bytes (owner S-1-5-19): another entry, not the first one's values */
    uint8_t other[SD_SIZE];
    memcpy(other, clean_sd, SD_SIZE);
    other[OWNER_LAST_BYTE] = 19;
    util_arena_init(&first);
    CHECK(decode(&cache, &first, other, 0, "job 3", &warnings, &a));
    check_clean_values(&a, "S-1-5-19");
    CHECK_U64(cache.count, 2);
    CHECK_U64(cache.hits, 1);
    util_arena_free(&first);
    bits_sd_cache_free(&cache);
    util_arena_free(&kept);
}

/* bits_sd_cache_take (the job reader asks it before preparing a warning
 * prefix): nothing before the first decode, then the kept values; never
 * without a cache or a warning list. */
static void check_take_answers_only_kept_descriptors(void)
{
    util_arena kept, first;
    util_arena_init(&kept);
    util_arena_init(&first);
    bits_sd_cache cache;
    bits_sd_cache_init(&cache, &kept);
    bp_note_list warnings = {0};
    bits_security_descriptor sd;
    util_reader bytes = util_reader_make(clean_sd, SD_SIZE);
    CHECK(!bits_sd_cache_take(&cache, &warnings, bytes, &sd));
    CHECK(!bits_sd_cache_take(NULL, &warnings, bytes, &sd));
    CHECK(decode(&cache, &first, clean_sd, 0, "job 1", &warnings, &sd));
    util_arena_free(&first);
    memset(&sd, 0, sizeof(sd));
    CHECK(bits_sd_cache_take(&cache, &warnings, bytes, &sd));
    check_clean_values(&sd, "S-1-5-18");
    CHECK_U64(cache.hits, 1);
    CHECK(!bits_sd_cache_take(&cache, NULL, bytes, &sd));
    CHECK_U64(warnings.count, 0);
    bits_sd_cache_free(&cache);
    util_arena_free(&kept);
}

/* A DACL that claims three ACEs where two fit: decoded for every record,
 * each time with its own warning (its own place), never kept. */
static void check_damaged_descriptor_warns_every_time(void)
{
    uint8_t damaged[SD_SIZE];
    memcpy(damaged, clean_sd, SD_SIZE);
    damaged[DACL_ACE_COUNT] = 3;
    util_arena kept, arena;
    util_arena_init(&kept);
    util_arena_init(&arena);
    bits_sd_cache cache;
    bits_sd_cache_init(&cache, &kept);
    bp_note_list first = {0}, second = {0};
    bits_security_descriptor a, b;
    decode(&cache, &arena, damaged, 0x100, "job 1: security descriptor", &first, &a);
    decode(&cache, &arena, damaged, 0x300, "job 2: security descriptor", &second, &b);
    CHECK_U64(first.count, 1);
    CHECK_U64(second.count, 1);
    if (first.count == 1 && second.count == 1) {
        CHECK_STR(first.head->text, "job 1: security descriptor: DACL ends at ACE 2 of 3 (offset 0x150)");
        CHECK_STR(second.head->text, "job 2: security descriptor: DACL ends at ACE 2 of 3 (offset 0x350)");
    }
    CHECK_U64(cache.count, 0);
    CHECK_U64(cache.hits, 0);
    CHECK_U64(b.ace_count, 2);  /* what decodes is still kept */
    CHECK_STR(b.aces[1].sid, "S-1-1-0");
    bits_sd_cache_free(&cache);
    util_arena_free(&arena);
    util_arena_free(&kept);
}

/* Past BITS_SD_CACHE_MAX_ENTRIES distinct descriptors nothing more is kept,
 * and every one still decodes to its own values; no cache is a plain decode. */
static void check_bounded_and_optional(void)
{
    util_arena kept, arena;
    util_arena_init(&kept);
    util_arena_init(&arena);
    bits_sd_cache cache;
    bits_sd_cache_init(&cache, &kept);
    bp_note_list warnings = {0};
    uint8_t bytes[SD_SIZE];
    memcpy(bytes, clean_sd, SD_SIZE);
    for (int i = 0; i < BITS_SD_CACHE_MAX_ENTRIES + 8; i++) {
        bytes[OWNER_LAST_BYTE] = (uint8_t)(100 + i);
        bits_security_descriptor sd;
        char owner[32];
        snprintf(owner, sizeof owner, "S-1-5-%d", 100 + i);
        CHECK(decode(&cache, &arena, bytes, 0, "job", &warnings, &sd));
        CHECK_STR(sd.owner_sid, owner);
    }
    CHECK_U64(cache.count, BITS_SD_CACHE_MAX_ENTRIES);
    bits_security_descriptor sd;
    bytes[OWNER_LAST_BYTE] = 100 + BITS_SD_CACHE_MAX_ENTRIES;  /* not kept: decoded again */
    CHECK(decode(&cache, &arena, bytes, 0, "job", &warnings, &sd));
    CHECK_U64(cache.hits, 0);
    bytes[OWNER_LAST_BYTE] = 100;  /* kept */
    CHECK(decode(&cache, &arena, bytes, 0, "job", &warnings, &sd));
    CHECK_U64(cache.hits, 1);
    CHECK_STR(sd.owner_sid, "S-1-5-100");
    CHECK(decode(NULL, &arena, clean_sd, 0, "job", &warnings, &sd));
    check_clean_values(&sd, "S-1-5-18");
    CHECK_U64(warnings.count, 0);
    bits_sd_cache_free(&cache);
    util_arena_free(&arena);
    util_arena_free(&kept);
}

/* bits_sd_cache_decode_missed (the job reader's call after a failed take):
 * a clean decode is kept, so the next take answers with its values; a
 * damaged one is decoded with its warning and never kept. */
static void check_decode_missed_keeps_only_clean(void)
{
    util_arena kept, arena;
    util_arena_init(&kept);
    util_arena_init(&arena);
    bits_sd_cache cache;
    bits_sd_cache_init(&cache, &kept);
    bp_note_list warnings = {0};
    bits_security_descriptor sd;
    util_reader bytes = util_reader_make(clean_sd, SD_SIZE);
    CHECK(!bits_sd_cache_take(&cache, &warnings, bytes, &sd));
    CHECK(bits_sd_cache_decode_missed(&cache, &arena, bytes, 0, "job 1", &warnings, &sd));
    check_clean_values(&sd, "S-1-5-18");
    CHECK_U64(cache.count, 1);
    memset(&sd, 0, sizeof(sd));
    CHECK(bits_sd_cache_take(&cache, &warnings, bytes, &sd));
    check_clean_values(&sd, "S-1-5-18");
    CHECK_U64(cache.hits, 1);

    uint8_t damaged[SD_SIZE];
    memcpy(damaged, clean_sd, SD_SIZE);
    damaged[DACL_ACE_COUNT] = 3;
    util_reader damaged_bytes = util_reader_make(damaged, SD_SIZE);
    CHECK(!bits_sd_cache_take(&cache, &warnings, damaged_bytes, &sd));
    bits_sd_cache_decode_missed(&cache, &arena, damaged_bytes, 0x40, "job 2: security descriptor", &warnings, &sd);
    CHECK_U64(warnings.count, 1);
    if (warnings.count == 1)
        CHECK_STR(warnings.head->text, "job 2: security descriptor: DACL ends at ACE 2 of 3 (offset 0x90)");
    CHECK_U64(cache.count, 1);
    CHECK(!bits_sd_cache_take(&cache, &warnings, damaged_bytes, &sd));

    /* without a cache: a plain decode */
    CHECK(bits_sd_cache_decode_missed(NULL, &arena, bytes, 0, "job 3", &warnings, &sd));
    check_clean_values(&sd, "S-1-5-18");
    bits_sd_cache_free(&cache);
    util_arena_free(&arena);
    util_arena_free(&kept);
}

int main(void)
{
    check_clean_descriptor_decoded_once();
    check_take_answers_only_kept_descriptors();
    check_damaged_descriptor_warns_every_time();
    check_bounded_and_optional();
    check_decode_missed_keeps_only_clean();
    return check_exit();
}
