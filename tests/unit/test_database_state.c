/* bp_result_database(): every ESE database read, with its header state, in
 * the order read (the summary's "ESE database: dirty shutdown"). */
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "check.h"

static void test_shared_win10_dirty(void)
{
    const char *path = shared_path("testdata/ese/win10-19045.qmgr.db");
    bp_result *result = NULL;
    CHECK(bp_parse_path(path, &result) == BP_STATUS_CLEAN);
    CHECK_U64(bp_result_database_count(result), 1);
    const bp_database_info *database = bp_result_database(result, 0);
    CHECK(database != NULL);
    if (database) {
        CHECK_STR(database->path, path);
        CHECK_U64(database->state, 2);
        CHECK_STR(database->state_name, "dirty shutdown");
        CHECK(!database->clean);
    }
    CHECK(bp_result_database(result, 1) == NULL);
    bp_result_free(result);
}

/* The generated fixtures: page32k was written clean, the others dirty;
 * a folder lists them in name order, blobs and event logs add none. */
static void test_fixture_folder(void)
{
    bp_result *result = NULL;
    bp_parse_path(BP_SOURCE_DIR "/testdata", &result);
    static const char *const names[] = {"deleted-jobs", "malicious",   "page32k",
                                        "page4k",       "sigma-queue", "typical-win10"};
    CHECK_U64(bp_result_database_count(result), 6);
    for (size_t i = 0; i < 6 && i < bp_result_database_count(result); i++) {
        const bp_database_info *database = bp_result_database(result, i);
        char want[512];
        snprintf(want, sizeof want, "%s/testdata/%s.qmgr.db", BP_SOURCE_DIR, names[i]);
        CHECK_STR(database->path, want);
        bool clean = strcmp(names[i], "page32k") == 0;
        CHECK_U64(database->state, clean ? 3 : 2);
        CHECK_STR(database->state_name, clean ? "clean shutdown" : "dirty shutdown");
        CHECK(database->clean == clean);
    }
    bp_result_free(result);
}

static void test_no_database(void)
{
    bp_result *result = NULL;
    const char *blob = shared_path("testdata/blobs/win10-19045.job.blob");
    CHECK(bp_parse_path(blob, &result) == BP_STATUS_CLEAN);
    CHECK_U64(bp_result_database_count(result), 0);
    CHECK(bp_result_database(result, 0) == NULL);
    CHECK_U64(bp_result_database_count(NULL), 0);
    CHECK(bp_result_database(NULL, 0) == NULL);
    bp_result_free(result);
}

int main(void)
{
    test_fixture_folder();
    test_no_database();
    test_shared_win10_dirty();
    return check_exit();
}
