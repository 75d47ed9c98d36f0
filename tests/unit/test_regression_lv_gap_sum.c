/* Regression lv-gap-sum (docs/hardening.md): ESE_LV_MAX_GAP bounded each gap
 * between the chunks of a long value, not their sum, so a value of many small
 * chunks spaced just under 64 KiB apart was allocated and zeroed at 64 KiB per
 * chunk (40 chunks of 16 bytes: 2.4 MB). Now the zeros of one value add up to
 * at most ESE_LV_MAX_GAP and the chunks past that are left out, with a problem
 * that says where the value was cut.
 * Also the reader the carver now shares (ese_lv_read_into with deleted
 * chunks): a live chunk wins over a deleted copy of its offset, deleted
 * chunks count only when asked for. Synthetic LV stores; no file needed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "ese/long_value.h"

#define CHUNKS 40
#define SPACING 60000u
#define CHUNK_BYTES 16u

typedef struct lv_fixture {
    ese_db db;
    ese_table table;
    ese_lv_store store;
    ese_lv_root root;
    ese_lv_chunk chunks[CHUNKS];
    uint8_t bytes[CHUNKS][CHUNK_BYTES];
    util_arena arena;
} lv_fixture;

/* One value (lid 7): `count` chunks of 16 bytes filled with their index + 1,
 * chunk i at offset i * spacing; the root claims the whole spread. */
static void fixture_init(lv_fixture *f, size_t count, uint32_t spacing)
{
    memset(f, 0, sizeof(*f));
    util_arena_init(&f->arena);
    f->db.arena = &f->arena;
    f->table.name = "Jobs";
    f->table.lv_root_pgno = 1;  /* "has a tree"; the store below is used as built */
    f->table.lv = &f->store;
    f->root.lid = 7;
    f->root.refcount = 1;
    f->root.size = (uint32_t)((count - 1) * spacing + CHUNK_BYTES);
    for (size_t i = 0; i < count; i++) {
        memset(f->bytes[i], (int)(i + 1), CHUNK_BYTES);
        f->chunks[i].lid = 7;
        f->chunks[i].offset = (uint32_t)(i * spacing);
        f->chunks[i].data = f->bytes[i];
        f->chunks[i].size = CHUNK_BYTES;
    }
    f->store.roots = &f->root;
    f->store.root_count = 1;
    f->store.chunks = f->chunks;
    f->store.chunk_count = count;
}

static bool all_bytes(const uint8_t *p, size_t n, uint8_t value)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != value)
            return false;
    return true;
}

/* 40 chunks 60000 bytes apart: each gap (59984) is under the limit, their sum
 * (2.3 MB) is not. Only the first two chunks are taken. */
static void test_gaps_add_up(void)
{
    lv_fixture *f = calloc(1, sizeof(*f));
    CHECK(f != NULL);
    if (!f)
        return;
    fixture_init(f, CHUNKS, SPACING);
    const uint8_t *data;
    size_t size;
    const char *problem;
    CHECK(ese_lv_read(&f->db, &f->table, 7, &data, &size, &problem));
    CHECK_U64(size, SPACING + CHUNK_BYTES);
    char want[256];
    snprintf(want, sizeof want,
             "long value chunks beyond more than 65536 bytes of gaps ignored (value cut at %u); "
             "long value incomplete: root claims %u bytes, chunks hold %u with gaps",
             SPACING + CHUNK_BYTES, f->root.size, SPACING + CHUNK_BYTES);
    CHECK_STR(problem, want);
    CHECK(size == SPACING + CHUNK_BYTES && all_bytes(data, CHUNK_BYTES, 1) &&
          all_bytes(data + CHUNK_BYTES, SPACING - CHUNK_BYTES, 0) && all_bytes(data + SPACING, CHUNK_BYTES, 2));
    util_arena_free(&f->arena);
    free(f);
}

/* Gaps that stay within the limit in all are kept as zeros (a missing chunk
 * or two): 4 chunks 20000 apart hold 3 gaps of 19984 bytes. */
static void test_small_gaps_kept(void)
{
    lv_fixture *f = calloc(1, sizeof(*f));
    CHECK(f != NULL);
    if (!f)
        return;
    fixture_init(f, 4, 20000);
    const uint8_t *data;
    size_t size;
    const char *problem;
    CHECK(ese_lv_read(&f->db, &f->table, 7, &data, &size, &problem));
    CHECK_U64(size, 60016);
    CHECK_STR(problem, "long value incomplete: chunks missing");
    CHECK(size == 60016 && all_bytes(data + 60000, CHUNK_BYTES, 4) && all_bytes(data + 20016, 19984, 0));
    util_arena_free(&f->arena);
    free(f);
}

/* The value's room is not zeroed before the pieces are copied in
 * (ese_lv_read_into): in an arena whose memory was filled with other bytes,
 * the holes between pieces still read as zeros, and so does the byte after
 * the value. */
static void test_holes_zeroed_in_reused_arena(void)
{
    lv_fixture *f = calloc(1, sizeof(*f));
    CHECK(f != NULL);
    if (!f)
        return;
    fixture_init(f, 4, 20000);
    util_arena reused;
    util_arena_init(&reused);
    const uint8_t *data;
    size_t size;
    const char *problem;
    const uint8_t *first = NULL;
    for (int round = 0; round < 2; round++) {  /* the second read lands in the first one's memory */
        CHECK(ese_lv_read_into(&f->db, &f->table, 7, false, &reused, &data, &size, &problem));
        CHECK_U64(size, 60016);
        CHECK(size == 60016 && all_bytes(data, CHUNK_BYTES, 1) && all_bytes(data + 16, 19984, 0) &&
              all_bytes(data + 20016, 19984, 0) && all_bytes(data + 40016, 19984, 0) &&
              all_bytes(data + 60000, CHUNK_BYTES, 4) && data[60016] == 0);
        if (round == 0) {  /* dirty the value's memory before the second read */
            first = data;
            memset((void *)(uintptr_t)data, 0xCD, size + 1);
        } else {
            CHECK(data == first);  /* the same memory, reused */
        }
        util_arena_reset(&reused);
    }
    util_arena_free(&reused);
    util_arena_free(&f->arena);
    free(f);
}

/* Three 16-byte chunks back to back; a deleted copy of offset 16 (bytes 0xEE)
 * sorts after the live one, and a deleted chunk at 48 extends the value.
 * The live read takes neither; with deleted chunks, the live copy of 16 still
 * wins and the chunk at 48 is added. */
static void test_deleted_chunks(void)
{
    lv_fixture *f = calloc(1, sizeof(*f));
    CHECK(f != NULL);
    if (!f)
        return;
    fixture_init(f, 5, CHUNK_BYTES);
    /* chunks: 0, 16, 16 (deleted copy), 32, 48 (deleted) */
    f->chunks[2] = f->chunks[1];
    f->chunks[2].deleted = true;
    memset(f->bytes[2], 0xEE, CHUNK_BYTES);
    f->chunks[2].data = f->bytes[2];
    f->chunks[3].offset = 32;
    f->chunks[4].offset = 48;
    f->chunks[4].deleted = true;
    f->root.size = 64;
    const uint8_t *data;
    size_t size;
    const char *problem;
    CHECK(ese_lv_read(&f->db, &f->table, 7, &data, &size, &problem));
    CHECK_U64(size, 48);
    CHECK_STR(problem, "long value incomplete: root claims 64 bytes, chunks hold 48");
    CHECK(size == 48 && all_bytes(data + 16, CHUNK_BYTES, 2) && all_bytes(data + 32, CHUNK_BYTES, 4));

    util_arena carve_arena;
    util_arena_init(&carve_arena);
    CHECK(ese_lv_read_into(&f->db, &f->table, 7, true, &carve_arena, &data, &size, &problem));
    CHECK_U64(size, 64);
    CHECK(problem == NULL);
    CHECK(size == 64 && all_bytes(data, CHUNK_BYTES, 1) && all_bytes(data + 16, CHUNK_BYTES, 2) &&
          all_bytes(data + 32, CHUNK_BYTES, 4) && all_bytes(data + 48, CHUNK_BYTES, 5));
    util_arena_free(&carve_arena);

    /* without its root, the value is sized by the chunks the read may take */
    f->store.root_count = 0;
    CHECK(ese_lv_read(&f->db, &f->table, 7, &data, &size, &problem));
    CHECK_U64(size, 48);
    CHECK_STR(problem, "long-value root missing; reassembled from chunks");
    util_arena_init(&carve_arena);
    CHECK(ese_lv_read_into(&f->db, &f->table, 7, true, &carve_arena, &data, &size, &problem));
    CHECK_U64(size, 64);
    CHECK_STR(problem, "long-value root missing; reassembled from chunks");
    util_arena_free(&carve_arena);
    util_arena_free(&f->arena);
    free(f);
}

/* Back-to-back chunks, as many as fit on the reader's stack (8) and one
 * more (allocated): every chunk's bytes land at its offset, no problem. */
static void test_contiguous_values_on_and_off_the_stack(void)
{
    for (size_t count = 1; count <= 9; count += 7) {
        for (size_t n = count; n <= count + 1; n++) {
            lv_fixture *f = calloc(1, sizeof(*f));
            CHECK(f != NULL);
            if (!f)
                return;
            fixture_init(f, n, CHUNK_BYTES);
            const uint8_t *data;
            size_t size;
            const char *problem;
            CHECK(ese_lv_read(&f->db, &f->table, 7, &data, &size, &problem));
            CHECK(problem == NULL);
            CHECK_U64(size, n * CHUNK_BYTES);
            for (size_t i = 0; i < n && size == n * CHUNK_BYTES; i++)
                CHECK(all_bytes(data + i * CHUNK_BYTES, CHUNK_BYTES, (uint8_t)(i + 1)));
            util_arena_free(&f->arena);
            free(f);
        }
    }
}

int main(void)
{
    test_contiguous_values_on_and_off_the_stack();
    test_gaps_add_up();
    test_small_gaps_kept();
    test_holes_zeroed_in_reused_arena();
    test_deleted_chunks();
    return check_exit();
}
