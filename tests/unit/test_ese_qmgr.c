/* ESE-level known answers of the real qmgr.db samples (ese-format §14,
 * EXPECTED.md): headers, catalog, live records, long-value trees. */
#include "ese_fixture.h"
#include "ese/long_value.h"
#include "ese/page.h"
#include "util/reader.h"
#include "util/text.h"

static void test_win10_header_and_catalog(ese_fixture *f)
{
    CHECK(f->opened);
    CHECK_U64(f->db.header.checksum, 0x41971986);
    CHECK(f->db.header.primary_valid && f->db.header.shadow_valid && !f->db.header.degraded);
    CHECK_U64(f->db.header.format_version, 0x620);
    CHECK_U64(f->db.header.format_revision, 0x6e);
    CHECK_U64(f->db.header.state, 2);
    CHECK_U64(f->db.header.dbtime, 14192);
    CHECK_U64(f->db.header.os_build, 19045);
    CHECK_U64(f->db.page_size, 16384);
    CHECK_U64(f->db.page_count, 78);
    CHECK_U64(f->db.catalog.entries, 82);
    ese_table *jobs = ese_catalog_find(&f->db.catalog, "Jobs");
    ese_table *files = ese_catalog_find(&f->db.catalog, "Files");
    CHECK(jobs && jobs->objid == 8 && jobs->root_pgno == 31 && jobs->lv_objid == 10 && jobs->lv_root_pgno == 37);
    CHECK(files && files->objid == 9 && files->root_pgno == 32 && files->lv_objid == 11 && files->lv_root_pgno == 47);
    const ese_column *blob = jobs ? ese_table_column_named(jobs, "Blob") : NULL;
    CHECK(blob && blob->id == 256 && blob->type == ESE_COLTYP_LONG_BINARY && blob->flags == 0);
    /* page checksum known answer, 16 KiB page: four blocks */
    const uint8_t *p31 = ese_db_page_bytes(&f->db, 31);
    util_reader r = util_reader_make(p31, 16384);
    CHECK_U64(util_read_u64(&r), 0x263b263b0c15ae5eULL);
    CHECK(p31 && ese_page_checksum_ok(&f->db, p31, 31));
    /* every page read so far checked out: no warning at all */
    CHECK_U64(f->warnings.count, 0);
}

static void test_win10_live_records(ese_fixture *f)
{
    record_list r = table_records(f, "Jobs");
    CHECK_U64(r.count, 1);
    if (r.count == 1) {
        CHECK_U64(r.pages[0], 31);
        ese_column_value v = column(f, "Jobs", &r.items[0], "Id");
        char id[37] = "";
        if (v.present && v.values[0].size == 16)
            util_guid_format(v.values[0].data, id);
        CHECK_STR(id, "266504ac-d974-446c-96ad-2be13a5665b0");
        v = column(f, "Jobs", &r.items[0], "Blob");
        CHECK(v.present && v.values[0].separated);
        CHECK_U64(v.values[0].lid, 0x800000008000000CULL);
        CHECK_U64(v.values[0].size, 2055);
        CHECK(v.values[0].problem == NULL);
        /* identical to the shared live blob */
        size_t size;
        unsigned char *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
        CHECK(blob && size == 2055 && memcmp(blob, v.values[0].data, 2055) == 0);
        free(blob);
    }
    record_list_free(&r);
    r = table_records(f, "Files");
    CHECK_U64(r.count, 1);
    if (r.count == 1) {
        ese_column_value v = column(f, "Files", &r.items[0], "Blob");
        CHECK(v.present && v.values[0].lid == 0x800000008000000BULL && v.values[0].size == 1072);
        size_t size;
        unsigned char *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.file.blob"), &size);
        CHECK(blob && size == 1072 && memcmp(blob, v.values[0].data, 1072) == 0);
        free(blob);
    }
    record_list_free(&r);
}

static void test_win10_long_value_trees(ese_fixture *f)
{
    ese_table *jobs = ese_catalog_find(&f->db.catalog, "Jobs");
    ese_table *files = ese_catalog_find(&f->db.catalog, "Files");
    const ese_lv_store *store = jobs ? ese_table_lv_store(&f->db, jobs) : NULL;
    CHECK(store != NULL);
    if (!store)
        return;
    size_t lid32 = 0, lid64 = 0, live = 0, complete = 0;
    for (size_t i = 0; i < store->root_count; i++) {
        const ese_lv_root *root = &store->roots[i];
        if (root->deleted)
            continue;
        if (root->lid >> 63)
            lid64++;
        else
            lid32++;
        live += root->refcount == 1;
        const uint8_t *data;
        size_t size;
        const char *problem;
        if (ese_lv_read(&f->db, jobs, root->lid, &data, &size, &problem) && !problem && size == root->size)
            complete++;
    }
    /* 43 job blobs: 26 with 4-byte ids and 17 with 8-byte ids in one tree */
    CHECK_U64(lid32, 26);
    CHECK_U64(lid64, 17);
    CHECK_U64(live, 1);
    CHECK_U64(complete, 43);
    const ese_lv_root *root = ese_lv_find_root(store, 0x800000008000000CULL);
    CHECK(root && root->pgno == 51 && root->itag == 9 && root->refcount == 1 && root->size == 2055);
    /* a multi-chunk value: chunk offsets 0, 0xFD2, 0x1FA4 of an 8218-byte value exist in the tree */
    size_t big = 0;
    for (size_t i = 0; i < store->root_count; i++)
        big += store->roots[i].size > 4050;
    CHECK(big >= 1);
    store = files ? ese_table_lv_store(&f->db, files) : NULL;
    CHECK(store && store->root_count == 8);
}

static void test_win11(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese/win11-22000.qmgr.db");
    CHECK(f.opened);
    /* libesedb's 668-byte checksum fails here; the whole-page checksum holds */
    CHECK_U64(f.db.header.checksum, 0x1438BDD5);
    CHECK(f.db.header.primary_valid && f.db.header.shadow_valid);
    CHECK_U64(f.db.header.format_revision, 0xc8);
    CHECK_U64(f.db.header.dbtime, 1671);
    CHECK_U64(f.db.header.os_build, 22000);
    ese_table *jobs = ese_catalog_find(&f.db.catalog, "Jobs");
    ese_table *files = ese_catalog_find(&f.db.catalog, "Files");
    CHECK(jobs && jobs->lv_root_pgno == 36);
    CHECK(files && files->lv_root_pgno == 40);
    record_list r = table_records(&f, "Jobs");
    CHECK_U64(r.count, 4);
    static const char *ids[4] = {"5c26fc39-0647-43cf-bd6b-2ca3125c7fb3", "8e4f897b-f5b3-433e-8864-87c44edaf7d0",
                                 "364e3f0d-0423-459b-919d-ac6ea17b4101", "c54f0fa1-7435-4369-94ca-d57cf8e63e80"};
    static const uint64_t lids[4] = {0x8000000080000014ULL, 0x8000000080000017ULL, 0x8000000080000011ULL,
                                     0x800000008000000EULL};
    for (size_t i = 0; i < r.count && i < 4; i++) {
        ese_column_value v = column(&f, "Jobs", &r.items[i], "Id");
        char id[37] = "";
        if (v.present)
            util_guid_format(v.values[0].data, id);
        CHECK_STR(id, ids[i]);
        v = column(&f, "Jobs", &r.items[i], "Blob");
        CHECK(v.present && v.values[0].lid == lids[i] && v.values[0].size == 1911);
    }
    record_list_free(&r);
    r = table_records(&f, "Files");
    CHECK_U64(r.count, 4);
    static const size_t sizes[4] = {1036, 1034, 1036, 1036};
    for (size_t i = 0; i < r.count && i < 4; i++) {
        ese_column_value v = column(&f, "Files", &r.items[i], "Blob");
        CHECK(v.present && v.values[0].size == sizes[i]);
    }
    record_list_free(&r);
    CHECK_U64(f.warnings.count, 0);
    fixture_free(&f);
}

int main(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese/win10-19045.qmgr.db");
    test_win10_header_and_catalog(&f);
    test_win10_live_records(&f);
    test_win10_long_value_trees(&f);
    fixture_free(&f);
    test_win11();
    return check_exit();
}
