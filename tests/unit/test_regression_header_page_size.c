/* Regression header-page-size (docs/hardening.md, "Bugs found and fixed"): the page size
 * was taken from the header field (0 read as 4096) or, when illegal, from the
 * first legal size at which the primary header's checksum held. The XOR
 * checksum of a 16 or 32 KiB header page whose tail is zero also holds at
 * 4096, so 4096 was elected and every page misread. Now the size is elected
 * by what checks out at it (primary, shadow, database page 1) and the stored
 * value is named. Cases on the 32 KiB large.edb and the 4 KiB basic.edb, with
 * the field rewritten in both copies and their checksums recomputed. */
#include "ese_fixture.h"
#include "ese/db_header.h"

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static bool notes_contain(const bp_note_list *notes, const char *text)
{
    for (const bp_note *n = notes->head; n; n = n->next)
        if (strstr(n->text, text))
            return true;
    return false;
}

/* Header election over a copy of `f` whose stored page size is `stored` in
 * both copies (checksums recomputed at the real size); the shadow is then
 * damaged when asked. Returns the elected size (0 when none). */
static uint32_t elect(const ese_fixture *f, uint32_t stored, bool damage_shadow, util_arena *arena,
                      bp_note_list *warnings)
{
    uint32_t real = f->db.page_size;
    uint8_t *copy = malloc(f->size);
    if (!copy)
        return 0;
    memcpy(copy, f->bytes, f->size);
    for (int i = 0; i < 2; i++) {
        uint8_t *header = copy + (size_t)i * real;
        put32(header + 236, stored);
        put32(header, ese_header_checksum(header, real));
    }
    if (damage_shadow)
        copy[real + 100] ^= 0x55;
    ese_db_header h;
    memset(&h, 0, sizeof h);
    uint32_t size = ese_db_header_read(&h, copy, f->size, arena, warnings) ? h.page_size : 0;
    for (const bp_note *n = warnings->head; n; n = n->next)
        printf("  stored %u%s: %s\n", stored, damage_shadow ? ", shadow damaged" : "", n->text);
    free(copy);
    return size;
}

static void expect(const ese_fixture *f, uint32_t stored, bool damage_shadow, uint32_t want_size,
                   const char *want_warning)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    CHECK_U64(elect(f, stored, damage_shadow, &arena, &warnings), want_size);
    if (want_warning) {
        if (!notes_contain(&warnings, want_warning))
            fprintf(stderr, "stored %u: expected a warning \"%s\"\n", stored, want_warning);
        CHECK(notes_contain(&warnings, want_warning));
    } else {
        CHECK(!notes_contain(&warnings, "stored page size"));
    }
    util_arena_free(&arena);
}

static void test_large_pages(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/large.edb.gz");
    CHECK(f.opened && f.db.page_size == 32768);
    if (!f.opened) {
        fixture_free(&f);
        return;
    }
    expect(&f, 32768, false, 32768, NULL);
    expect(&f, 0, false, 32768,
           "ESE header: stored page size 0 is not legal; using 32768 (both header copies and page 1 check "
           "out at that size)");
    expect(&f, 12345, false, 32768, "ESE header: stored page size 12345 is not legal; using 32768 (");
    expect(&f, 0x40000000u, false, 32768, "ESE header: stored page size 1073741824 is not legal; using 32768 (");
    /* legal but wrong: the primary alone also checks out at 4096 */
    expect(&f, 4096, false, 32768,
           "ESE header: stored page size 4096 does not check out; using 32768 (both header copies and page 1 "
           "check out at that size)");
    /* without the shadow, page 1 still tells 32768 from 4096 */
    expect(&f, 0, true, 32768,
           "ESE header: stored page size 0 is not legal; using 32768 (the primary header and page 1 check out "
           "at that size)");
    expect(&f, 0, true, 32768, "ESE header: shadow copy is damaged (primary used)");
    fixture_free(&f);
}

static void test_small_pages(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/basic.edb.gz");
    CHECK(f.opened && f.db.page_size == 4096);
    if (!f.opened) {
        fixture_free(&f);
        return;
    }
    expect(&f, 4096, false, 4096, NULL);
    /* 0 on a 4 KiB file whose copies agree: old engines' default, not damage */
    expect(&f, 0, false, 4096, NULL);
    expect(&f, 12345, false, 4096,
           "ESE header: stored page size 12345 is not legal; using 4096 (both header copies and page 1 check "
           "out at that size)");
    expect(&f, 32768, false, 4096, "ESE header: stored page size 32768 does not check out; using 4096 (");
    fixture_free(&f);
}

int main(void)
{
    test_large_pages();
    test_small_pages();
    return check_exit();
}
