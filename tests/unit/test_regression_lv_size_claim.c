/* Regression lv-size-claim (docs/hardening.md, "Bugs found and fixed"): a long value's
 * size was taken from its root (up to 256 MiB) and that much was allocated
 * and zeroed per value, whatever its chunks held; the problem naming the
 * claim was then replaced by "long value incomplete: chunks missing". Now a
 * value is as long as its chunks reach, and the problem names the claim.
 * Cases on the win10 qmgr.db Jobs tree: the 2055-byte job blob's root claims
 * 3 GiB; a three-chunk value loses its last chunk, then its middle one
 * (chunks flagged deleted, page checksums recomputed); a live chunk moved far
 * out (offset 0x0F000000 under a root claiming 256 MiB) must not size the
 * value, as it did before the gap limit (review finding on this fix). */
#include "ese_fixture.h"
#include "ese/long_value.h"
#include "ese/page.h"
#include "util/reader.h"

#define WIN10 "testdata/ese/win10-19045.qmgr.db"
#define JOB_LID 0x800000008000000CULL

typedef struct read_back {
    uint8_t *bytes;            /* malloc'ed copy of the value read */
    size_t size;
    char problem[256];
    bool ok;
} read_back;

/* Patch a copy of the database, open it and read long value `lid` of Jobs. */
static read_back read_patched(const ese_fixture *f, uint64_t lid, const size_t *offsets, const uint8_t *masks,
                              size_t patches, bool set_bytes)
{
    read_back out;
    memset(&out, 0, sizeof out);
    uint8_t *copy = malloc(f->size);
    memcpy(copy, f->bytes, f->size);
    uint32_t page_size = f->db.page_size;
    for (size_t i = 0; i < patches; i++) {
        if (set_bytes)
            copy[offsets[i]] = masks[i];
        else
            copy[offsets[i]] |= masks[i];
        uint32_t pgno = (uint32_t)(offsets[i] / page_size) - 1;
        ese_page_store_checksums(page_size, copy + ((size_t)pgno + 1) * page_size, pgno);
    }
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    ese_table *jobs = ese_db_open(&db, copy, f->size, &arena, &warnings) ? ese_catalog_find(&db.catalog, "Jobs")
                                                                         : NULL;
    const uint8_t *data;
    const char *problem;
    if (jobs && ese_lv_read(&db, jobs, lid, &data, &out.size, &problem)) {
        out.ok = true;
        out.bytes = malloc(out.size ? out.size : 1);
        memcpy(out.bytes, data, out.size);
        snprintf(out.problem, sizeof out.problem, "%s", problem ? problem : "");
    }
    util_arena_free(&arena);
    free(copy);
    return out;
}

/* File offset of a node (data: of its data), 0 when unreadable. */
static size_t node_offset(ese_fixture *f, uint32_t pgno, uint16_t itag, bool data)
{
    ese_page page;
    ese_node node;
    if (!ese_page_load(&f->db, pgno, &page) || !ese_page_node(&page, itag, &node))
        return 0;
    return data ? (size_t)(node.data - f->bytes) : node.file_offset;
}

/* A live value of exactly three chunks (offsets 0, 0xFD2, 0x1FA4): its root,
 * and in *first the index of its first chunk; NULL when there is none. */
static const ese_lv_root *three_chunk_value(const ese_lv_store *store, size_t *first)
{
    for (size_t i = 0; store && i + 2 < store->chunk_count; i++) {
        const ese_lv_chunk *c = &store->chunks[i];
        if (c[0].offset == 0 && c[1].lid == c[0].lid && c[2].lid == c[0].lid && c[1].offset == 0xFD2 &&
            c[2].offset == 0x1FA4 && (i + 3 == store->chunk_count || c[3].lid != c[0].lid)) {
            *first = i;
            return ese_lv_find_root(store, c[0].lid);
        }
    }
    return NULL;
}

static void test_claim_of_three_gigabytes(ese_fixture *f, ese_table *jobs)
{
    const ese_lv_root *root = ese_lv_find_root(ese_table_lv_store(&f->db, jobs), JOB_LID);
    CHECK(root && root->size == 2055);
    size_t at = root ? node_offset(f, root->pgno, root->itag, true) : 0;
    CHECK(at != 0);
    if (!at)
        return;
    /* root data: u32 reference count, u32 size */
    size_t size_at = at + 4;
    CHECK_U64(util_le32(f->bytes + size_at), 2055);
    size_t offsets[4] = {size_at, size_at + 1, size_at + 2, size_at + 3};
    const uint8_t bytes[4] = {0x00, 0x00, 0x00, 0xC0};
    read_back r = read_patched(f, JOB_LID, offsets, bytes, 4, true);
    CHECK(r.ok);
    CHECK_U64(r.size, 2055);
    CHECK_STR(r.problem, "long value incomplete: root claims 3221225472 bytes, chunks hold 2055");
    size_t blob_size;
    uint8_t *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &blob_size);
    CHECK(blob && r.ok && blob_size == r.size && memcmp(blob, r.bytes, r.size) == 0);
    free(blob);
    free(r.bytes);
}

static void test_chunk_missing(ese_fixture *f, ese_table *jobs)
{
    const ese_lv_store *store = ese_table_lv_store(&f->db, jobs);
    size_t first = 0;
    const ese_lv_root *root = three_chunk_value(store, &first);
    CHECK(root != NULL);
    if (!root)
        return;
    uint64_t lid = root->lid;
    uint32_t total = root->size;
    const uint8_t *intact_data;
    size_t intact_size;
    const char *problem;
    CHECK(ese_lv_read(&f->db, jobs, lid, &intact_data, &intact_size, &problem) && !problem);
    CHECK_U64(intact_size, total);
    uint8_t *intact = malloc(intact_size);
    memcpy(intact, intact_data, intact_size);
    printf("three-chunk value 0x%llx: %u bytes\n", (unsigned long long)lid, total);

    /* the node's deleted flag: bits 5-7 of the key length's high byte (large pages) */
    const uint8_t deleted = (uint8_t)(ESE_NODE_DELETED << 5);
    for (int which = 2; which >= 1; which--) {
        const ese_lv_chunk *chunk = &store->chunks[first + (size_t)which];
        size_t at = node_offset(f, chunk->pgno, chunk->itag, false) + 1;
        CHECK(at > 1);
        if (at <= 1)
            continue;
        read_back r = read_patched(f, lid, &at, &deleted, 1, false);
        CHECK(r.ok);
        if (which == 2) {
            /* last chunk gone: the value ends where the chunks end, no zero tail */
            char want[128];
            snprintf(want, sizeof want, "long value incomplete: root claims %u bytes, chunks hold %u", total,
                     0x1FA4u);
            CHECK_U64(r.size, 0x1FA4);
            CHECK_STR(r.problem, want);
            CHECK(r.ok && memcmp(r.bytes, intact, 0x1FA4) == 0);
        } else {
            /* middle chunk gone: the gap stays (zeros) so later bytes keep their offsets */
            CHECK_U64(r.size, total);
            CHECK_STR(r.problem, "long value incomplete: chunks missing");
            bool zeros = r.ok && r.size == total;
            for (size_t i = 0xFD2; zeros && i < 0x1FA4; i++)
                zeros = r.bytes[i] == 0;
            CHECK(zeros);
            CHECK(r.ok && r.size == total && memcmp(r.bytes, intact, 0xFD2) == 0 &&
                  memcmp(r.bytes + 0x1FA4, intact + 0x1FA4, total - 0x1FA4) == 0);
        }
        free(r.bytes);
    }
    free(intact);
}

/* The three-chunk value's root claims 0x0FFFFFFF bytes and its first chunk's
 * key says offset 0x0F000000 (only that node stores all four offset bytes;
 * the others share them through prefix compression): the two chunks at
 * 0xFD2 and 0x1FA4 are taken, with zeros before them, the far one is not,
 * nothing is allocated for the 240 MiB gap, and the problem says why. */
static void test_chunk_far_out(ese_fixture *f, ese_table *jobs)
{
    const ese_lv_store *store = ese_table_lv_store(&f->db, jobs);
    size_t first = 0;
    const ese_lv_root *root = three_chunk_value(store, &first);
    CHECK(root != NULL);
    if (!root)
        return;
    const ese_lv_chunk *moved = &store->chunks[first];
    size_t root_size_at = node_offset(f, root->pgno, root->itag, true) + 4;
    /* the chunk key ends with its offset (u32 big-endian), right before the node's data */
    size_t key_offset_at = node_offset(f, moved->pgno, moved->itag, true) - 4;
    CHECK(root_size_at > 4 && key_offset_at > 4);
    CHECK_U64(util_le32(f->bytes + root_size_at), root->size);
    CHECK(f->bytes[key_offset_at] == 0 && f->bytes[key_offset_at + 1] == 0 && f->bytes[key_offset_at + 2] == 0 &&
          f->bytes[key_offset_at + 3] == 0);
    const uint8_t *intact_data;
    size_t intact_size;
    const char *problem;
    CHECK(ese_lv_read(&f->db, jobs, root->lid, &intact_data, &intact_size, &problem) && !problem);
    size_t offsets[8] = {root_size_at, root_size_at + 1, root_size_at + 2, root_size_at + 3,
                         key_offset_at, key_offset_at + 1, key_offset_at + 2, key_offset_at + 3};
    const uint8_t bytes[8] = {0xFF, 0xFF, 0xFF, 0x0F, 0x0F, 0x00, 0x00, 0x00};
    read_back r = read_patched(f, root->lid, offsets, bytes, 8, true);
    CHECK(r.ok);
    CHECK_U64(r.size, intact_size);
    char want[256];
    snprintf(want, sizeof want,
             "long value chunks beyond more than 65536 bytes of gaps ignored (value cut at %zu); "
             "long value incomplete: root claims 268435455 bytes, chunks hold %zu with gaps",
             intact_size, intact_size);
    CHECK_STR(r.problem, want);
    bool zeros = r.ok && r.size == intact_size;
    for (size_t i = 0; zeros && i < 0xFD2; i++)
        zeros = r.bytes[i] == 0;
    CHECK(zeros);
    CHECK(r.ok && r.size == intact_size && memcmp(r.bytes + 0xFD2, intact_data + 0xFD2, intact_size - 0xFD2) == 0);
    free(r.bytes);
}

int main(void)
{
    ese_fixture f;
    fixture_load(&f, WIN10);
    CHECK(f.opened && f.db.large_pages);
    ese_table *jobs = f.opened ? ese_catalog_find(&f.db.catalog, "Jobs") : NULL;
    CHECK(jobs != NULL);
    if (jobs) {
        test_claim_of_three_gigabytes(&f, jobs);
        test_chunk_missing(&f, jobs);
        test_chunk_far_out(&f, jobs);
    }
    fixture_free(&f);
    return check_exit();
}
