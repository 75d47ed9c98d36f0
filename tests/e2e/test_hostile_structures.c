/* Hostile structures, each crafted from a real sample, must be read without
 * harm and reported with a clear warning (the exact text is asserted):
 *  - B+-tree page pointers that loop (a child pointing back at an ancestor);
 *  - trees deeper than an ESE tree can be;
 *  - sizes and counts larger than the data (page tags, record headers, file
 *    counts, string lengths, security descriptor lengths, range counts);
 *  - a page size of 0 or an absurd one in the database header;
 *  - a long value whose root claims gigabytes;
 *  - strings without their NUL terminator in job and file blobs.
 * ESE pages that are rewritten get their checksums recomputed, so the warning
 * asserted is the one about the structure, not a checksum mismatch.
 * Four cases here are the regression tests of bugs they found (ids of
 * docs/hardening.md "Bugs found and fixed"): tag-count-flood,
 * header-page-size, lv-size-claim, file-total-zero. */
#include <sys/resource.h>

#include "check.h"
#include "bitsparse/bitsparse.h"
#include "bits/markers.h"
#include "ese/btree.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "ese/page.h"
#include "ese/record.h"
#include "util/reader.h"

#define WIN10 "testdata/ese/win10-19045.qmgr.db"
#define JOB_BLOB "testdata/blobs/win10-19045.job.blob"
#define FILE_BLOB "testdata/blobs/win10-19045.file.blob"
#define WIN10_JOB_ID "266504ac-d974-446c-96ad-2be13a5665b0"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- results and their warnings -------------------------------------------------------- */

static bool notes_contain(const bp_note_list *notes, const char *text)
{
    for (const bp_note *n = notes ? notes->head : NULL; n; n = n->next)
        if (strstr(n->text, text))
            return true;
    return false;
}

static size_t notes_matching(const bp_note_list *notes, const char *text)
{
    size_t count = 0;
    for (const bp_note *n = notes ? notes->head : NULL; n; n = n->next)
        count += strstr(n->text, text) != NULL;
    return count;
}

/* Any warning of the result (input, record, job or file level) containing text. */
static bool result_warns(const bp_result *result, const char *text)
{
    if (notes_contain(bp_result_warnings(result), text))
        return true;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (notes_contain(&r->warnings, text) || (r->job && notes_contain(&r->job->warnings, text)) ||
            (r->file && notes_contain(&r->file->warnings, text)))
            return true;
    }
    return false;
}

static size_t result_warnings_matching(const bp_result *result, const char *text)
{
    size_t count = notes_matching(bp_result_warnings(result), text);
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        count += notes_matching(&r->warnings, text);
        if (r->job)
            count += notes_matching(&r->job->warnings, text);
        if (r->file)
            count += notes_matching(&r->file->warnings, text);
    }
    return count;
}

static void print_warnings(const char *what, const bp_result *result)
{
    size_t shown = 0;
    for (const bp_note *n = bp_result_warnings(result)->head; n && shown < 6; n = n->next, shown++)
        printf("  %s: %s\n", what, n->text);
    for (size_t i = 0; i < bp_result_count(result) && shown < 12; i++) {
        const bp_record *r = bp_result_record(result, i);
        const bp_note_list *lists[] = {&r->warnings, r->job ? &r->job->warnings : NULL,
                                       r->file ? &r->file->warnings : NULL};
        for (size_t l = 0; l < 3; l++)
            for (const bp_note *n = lists[l] ? lists[l]->head : NULL; n && shown < 12; n = n->next, shown++)
                printf("  %s: record %zu: %s\n", what, i, n->text);
    }
}

static bp_result *parse(const uint8_t *data, size_t size, int *status, const char *what)
{
    bp_result *result = NULL;
    *status = bp_parse_memory(data, size, what, &result);
    printf("%s: status %d, %zu records\n", what, *status, bp_result_count(result));
    print_warnings(what, result);
    return result;
}

static bool has_job(const bp_result *result, const char *job_id)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job && strcmp(r->job->job_id, job_id) == 0)
            return true;
    }
    return false;
}

/* ---- the win10 qmgr.db and its Jobs tree ------------------------------------------------ */

typedef struct qmgr_copy {
    uint8_t *data;
    size_t size;
    uint32_t page_size;
    uint32_t page_count;
    uint32_t jobs_root;        /* Jobs table root page (a leaf in the sample) */
    uint32_t jobs_objid;
    uint32_t free_pages[24];   /* never-written pages, usable for crafted pages */
    size_t free_count;
} qmgr_copy;

static uint8_t *page_at(qmgr_copy *q, uint32_t pgno)
{
    return q->data + ((size_t)pgno + 1) * q->page_size;
}

static bool load_qmgr(qmgr_copy *q)
{
    memset(q, 0, sizeof(*q));
    q->data = read_whole_file(shared_path(WIN10), &q->size);
    if (!q->data)
        return false;
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    bool ok = ese_db_open(&db, q->data, q->size, &arena, &warnings);
    ese_table *jobs = ok ? ese_catalog_find(&db.catalog, "Jobs") : NULL;
    if (jobs) {
        q->page_size = db.page_size;
        q->page_count = db.page_count;
        q->jobs_root = jobs->root_pgno;
        q->jobs_objid = jobs->objid;
        for (uint32_t p = 1; p <= db.page_count && q->free_count < 24; p++) {
            const uint8_t *bytes = ese_db_page_bytes(&db, p);
            size_t i = 0;
            while (i < db.page_size && !bytes[i])
                i++;
            if (i == db.page_size)
                q->free_pages[q->free_count++] = p;
        }
    }
    util_arena_free(&arena);
    return jobs != NULL;
}

/* Write a branch page (large-page layout, 80-byte header) whose nodes point at
 * `children`; root pages keep a 16-byte space header in tag 0. */
static void write_branch(qmgr_copy *q, uint32_t pgno, bool root, const uint32_t *children, size_t n)
{
    uint8_t *page = page_at(q, pgno);
    memset(page, 0, q->page_size);
    const uint32_t header = 80;
    put32(page + 8, 1);                                   /* dbtime */
    put32(page + 24, q->jobs_objid);
    put32(page + 36, root ? ESE_PAGE_ROOT : 0);
    put32(page + 64, pgno);
    uint16_t offset = 0;
    uint16_t tag0 = root ? 16 : 0;                        /* space header left zero */
    put16(page + q->page_size - 4, tag0);
    put16(page + q->page_size - 2, 0);
    offset = tag0;
    for (size_t i = 0; i < n; i++) {
        uint8_t *node = page + header + offset;
        put16(node, 0);                                   /* no key, no node flags */
        put32(node + 2, children[i]);
        uint8_t *tag = page + q->page_size - 4 * (i + 2);
        put16(tag, 6);
        put16(tag + 2, offset);
        offset = (uint16_t)(offset + 6);
    }
    put16(page + 32, offset);                             /* first free byte */
    put16(page + 28, (uint16_t)(q->page_size - header - offset - 4 * (n + 1)));
    put16(page + 34, (uint16_t)(n + 1));                  /* tags in use */
    ese_page_store_checksums(q->page_size, page, pgno);
}

/* Copy the Jobs root (a leaf) to page `to`, checksummed for its new number. */
static void copy_jobs_leaf(qmgr_copy *q, uint32_t to)
{
    memcpy(page_at(q, to), page_at(q, q->jobs_root), q->page_size);
    put32(page_at(q, to) + 64, to);
    ese_page_store_checksums(q->page_size, page_at(q, to), to);
}

static void test_tree_loop(void)
{
    qmgr_copy q;
    CHECK(load_qmgr(&q) && q.free_count >= 2);
    if (q.free_count < 2) {
        free(q.data);
        return;
    }
    /* Jobs root -> [branch Z, leaf L]; Z -> Jobs root (its own ancestor) */
    uint32_t z = q.free_pages[0], leaf = q.free_pages[1];
    copy_jobs_leaf(&q, leaf);
    uint32_t root_children[2] = {z, leaf};
    write_branch(&q, q.jobs_root, true, root_children, 2);
    write_branch(&q, z, false, &q.jobs_root, 1);
    int status;
    bp_result *result = parse(q.data, q.size, &status, "tree loop");
    char expected[160];
    snprintf(expected, sizeof expected, "ESE tree at page %u: page reached twice (loop) (page %u skipped)",
             q.jobs_root, q.jobs_root);
    CHECK(result_warns(result, expected));
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK(has_job(result, WIN10_JOB_ID)); /* the leaf outside the loop is still read */
    bp_result_free(result);
    free(q.data);
}

static void test_tree_too_deep(void)
{
    qmgr_copy q;
    CHECK(load_qmgr(&q) && q.free_count >= ESE_BTREE_MAX_DEPTH + 2);
    if (q.free_count < ESE_BTREE_MAX_DEPTH + 2) {
        free(q.data);
        return;
    }
    /* Jobs root -> Z1 -> Z2 -> ... -> Z17 -> leaf: the leaf sits at depth 18 */
    size_t chain = ESE_BTREE_MAX_DEPTH + 1;
    uint32_t leaf = q.free_pages[chain];
    copy_jobs_leaf(&q, leaf);
    write_branch(&q, q.jobs_root, true, &q.free_pages[0], 1);
    for (size_t i = 0; i < chain; i++)
        write_branch(&q, q.free_pages[i], false, i + 1 < chain ? &q.free_pages[i + 1] : &leaf, 1);
    int status;
    bp_result *result = parse(q.data, q.size, &status, "tree too deep");
    char expected[160];
    snprintf(expected, sizeof expected, "ESE tree at page %u: tree deeper than possible (page %u skipped)", q.jobs_root,
             q.free_pages[ESE_BTREE_MAX_DEPTH]);
    CHECK(result_warns(result, expected));
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK(!has_job(result, WIN10_JOB_ID));
    CHECK(result_warns(result, "orphan file: no job lists this file")); /* the Files table is still read */
    bp_result_free(result);
    free(q.data);
}

/* A tag whose size runs past the page: the node is skipped with a warning. */
static void test_tag_larger_than_page(void)
{
    qmgr_copy q;
    CHECK(load_qmgr(&q));
    uint8_t *page = page_at(&q, q.jobs_root);
    put16(page + q.page_size - 8, 0x7FFF); /* tag 1 (the job record): size 32767 */
    ese_page_store_checksums(q.page_size, page, q.jobs_root);
    int status;
    bp_result *result = parse(q.data, q.size, &status, "tag larger than the page");
    char expected[160];
    snprintf(expected, sizeof expected, "ESE tree at page %u: unreadable leaf node on page %u skipped", q.jobs_root,
             q.jobs_root);
    CHECK(result_warns(result, expected));
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK(!has_job(result, WIN10_JOB_ID));
    bp_result_free(result);
    free(q.data);
}

/* A tag count far beyond what the page holds: one clear warning, not one per
 * phantom tag (regression tag-count-flood). */
static void test_tag_count_larger_than_page(void)
{
    qmgr_copy q;
    CHECK(load_qmgr(&q));
    uint8_t *page = page_at(&q, q.jobs_root);
    put16(page + 34, 0x0FFF);
    ese_page_store_checksums(q.page_size, page, q.jobs_root);
    int status;
    bp_result *result = parse(q.data, q.size, &status, "tag count larger than the page");
    CHECK_U64(status, BP_STATUS_WARNINGS);
    size_t repeats = result_warnings_matching(result, "unreadable leaf node");
    printf("tag count 4095: %zu \"unreadable leaf node\" warnings for one page\n", repeats);
    /* regression tag-count-flood: one warning naming the count, no warning per phantom tag, and the
     * real tags (the job record) still read */
    char expected[160];
    snprintf(expected, sizeof expected, "ESE page %u: tag count 4095 exceeds the page (at most %u fit)", q.jobs_root,
             (q.page_size - 80) / 4);
    CHECK(result_warns(result, expected));
    CHECK_U64(result_warnings_matching(result, "tag count 4095"), 1);
    CHECK_U64(repeats, 0);
    CHECK(has_job(result, WIN10_JOB_ID));
    bp_result_free(result);
    free(q.data);
}

/* A record whose header says its fixed part ends past the record. */
static void test_record_header_larger_than_record(void)
{
    qmgr_copy q;
    CHECK(load_qmgr(&q));
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    ese_page page;
    ese_node node;
    bool found = ese_db_open(&db, q.data, q.size, &arena, &warnings) && ese_page_load(&db, q.jobs_root, &page) &&
                 ese_page_node(&page, page.reserved_tags, &node) && node.data_size > 4;
    CHECK(found);
    size_t at = found ? (size_t)(node.data - q.data) : 0;
    util_arena_free(&arena);
    if (found) {
        put16(q.data + at + 2, 0xFFFF); /* fixed_end */
        ese_page_store_checksums(q.page_size, page_at(&q, q.jobs_root), q.jobs_root);
        int status;
        bp_result *result = parse(q.data, q.size, &status, "record header larger than the record");
        char expected[160];
        snprintf(expected, sizeof expected, "Jobs record (page %u tag %u): record header is damaged", q.jobs_root,
                 (unsigned)page.reserved_tags);
        CHECK(result_warns(result, expected));
        CHECK_U64(status, BP_STATUS_WARNINGS);
        bp_result_free(result);
    }
    free(q.data);
}

/* The header's page size field: 0, not a power of two, absurdly large. Both
 * header copies carry it and their checksums are recomputed, so only the
 * field is wrong; the real page size (16 KiB) must still be found, and the
 * warning names the stored value. Regression header-page-size: the primary's
 * checksum alone also held at 4096 (its tail is zero), which was elected. */
static void test_header_page_size(uint32_t stored)
{
    qmgr_copy q;
    CHECK(load_qmgr(&q));
    for (int copy = 0; copy < 2; copy++) {
        uint8_t *header = q.data + (size_t)copy * q.page_size;
        put32(header + 236, stored);
        put32(header, ese_header_checksum(header, q.page_size));
    }
    char what[64];
    snprintf(what, sizeof what, "header page size %u", stored);
    int status;
    bp_result *result = parse(q.data, q.size, &status, what);
    char expected[160];
    snprintf(expected, sizeof expected, "ESE header: stored page size %u is not legal; using 16384", stored);
    CHECK(result_warns(result, expected));
    CHECK(result_warns(result, "(both header copies and page 1 check out at that size)"));
    CHECK(has_job(result, WIN10_JOB_ID));
    CHECK_U64(status, BP_STATUS_WARNINGS);
    bp_result_free(result);
    free(q.data);
}

/* ---- long values ------------------------------------------------------------------------- */

typedef struct blob_locator {
    ese_db *db;
    ese_table *table;
    uint64_t lid;
} blob_locator;

static bool find_blob_lid(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    blob_locator *b = context;
    ese_record record;
    ese_column_value value;
    const char *problem;
    const ese_column *column = ese_table_column_named(b->table, "Blob");
    if (column && ese_record_open(&record, node->data, node->data_size) &&
        ese_record_get(b->db, b->table, &record, column->id, &value, &problem) && value.present &&
        value.values[0].separated)
        b->lid = value.values[0].lid;
    return b->lid == 0;
}

static long max_rss_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/* The job blob's long-value root claims 3 GiB (the value is 2055 bytes):
 * regression lv-size-claim. */
static void test_long_value_claims_gigabytes(void)
{
    qmgr_copy q;
    CHECK(load_qmgr(&q));
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    size_t size_at = 0;
    uint32_t root_page = 0;
    if (ese_db_open(&db, q.data, q.size, &arena, &warnings)) {
        blob_locator b = {&db, ese_catalog_find(&db.catalog, "Jobs"), 0};
        if (b.table)
            ese_btree_walk(&db, b.table->root_pgno, b.table->objid, false, find_blob_lid, &b, NULL);
        const ese_lv_store *store = b.lid ? ese_table_lv_store(&db, b.table) : NULL;
        const ese_lv_root *root = store ? ese_lv_find_root(store, b.lid) : NULL;
        ese_page page;
        ese_node node;
        if (root && ese_page_load(&db, root->pgno, &page) && ese_page_node(&page, root->itag, &node) &&
            node.data_size >= 8) {
            size_at = (size_t)(node.data - q.data) + 4;
            root_page = root->pgno;
        }
    }
    util_arena_free(&arena);
    CHECK(size_at != 0);
    if (size_at) {
        CHECK_U64(util_le32(q.data + size_at), 2055);
        put32(q.data + size_at, 0xC0000000u);
        ese_page_store_checksums(q.page_size, page_at(&q, root_page), root_page);
        long before = max_rss_kib();
        int status;
        bp_result *result = parse(q.data, q.size, &status, "long value claims 3 GiB");
        long grown_mib = (max_rss_kib() - before) / 1024;
        printf("long value claims 3 GiB: peak memory grew by %ld MiB\n", grown_mib);
        CHECK_U64(status, BP_STATUS_WARNINGS);
        CHECK(has_job(result, WIN10_JOB_ID));
        /* regression lv-size-claim: the warning names the claim, and nothing near the claim is
         * allocated (it was: 256 MiB per value, zeroed) */
        CHECK(result_warns(result, "long value incomplete: root claims 3221225472 bytes, chunks hold 2055"));
        CHECK(grown_mib < 64);
        bp_result_free(result);
    }
    free(q.data);
}

/* ---- blobs --------------------------------------------------------------------------------- */

static bp_result *parse_blob_copy(const char *relative, void (*edit)(uint8_t *, size_t), int *status,
                                  const char *what)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(relative), &size);
    CHECK(data != NULL);
    if (!data)
        return NULL;
    edit(data, size);
    bp_result *result = parse(data, size, status, what);
    free(data);
    return result;
}

/* Offset just past the counted string at `at` (u32 units, then the units). */
static size_t skip_wstr(const uint8_t *data, size_t at)
{
    return at + 4 + 2 * (size_t)util_le32(data + at);
}

/* Job blob layout (format-bits §4): marker, 4 u32, job id, then 5 strings. */
enum { JOB_NAME_AT = 48 };

static size_t find_guid(const uint8_t *data, size_t size, const uint8_t *guid, size_t from)
{
    for (size_t i = from; i + BITS_GUID_SIZE <= size; i++)
        if (memcmp(data + i, guid, BITS_GUID_SIZE) == 0)
            return i;
    return SIZE_MAX;
}

static void edit_file_count(uint8_t *data, size_t size)
{
    size_t marker = find_guid(data, size, bits_transfer_marker, 0);
    CHECK(marker != SIZE_MAX);
    if (marker != SIZE_MAX)
        put32(data + marker + 16, 0x0FFFFFFFu);
}

static void edit_name_units_huge(uint8_t *data, size_t size)
{
    (void)size;
    put32(data + JOB_NAME_AT, 0x7FFFFFFFu);
}

static void edit_name_units_past_end(uint8_t *data, size_t size)
{
    (void)size;
    put32(data + JOB_NAME_AT, 5000u); /* 10000 bytes, the blob has 2055 */
}

static void edit_sd_length(uint8_t *data, size_t size)
{
    (void)size;
    size_t at = JOB_NAME_AT;
    for (int i = 0; i < 5; i++)
        at = skip_wstr(data, at);
    put32(data + at + 24, 0x7FFFFFFFu); /* after notify flags ... field 17 */
}

static void edit_name_unterminated(uint8_t *data, size_t size)
{
    (void)size;
    uint32_t units = util_le32(data + JOB_NAME_AT);
    put16(data + JOB_NAME_AT + 4 + 2 * (units - 1), 'X');
}

static void edit_file_path_unterminated(uint8_t *data, size_t size)
{
    (void)size;
    uint32_t units = util_le32(data + 16);
    put16(data + 16 + 4 + 2 * (units - 1), 'X');
}

/* File blob: the range count of the ESE-era tail (format-bits §5). */
static void edit_range_count(uint8_t *data, size_t size)
{
    size_t marker = find_guid(data, size, bits_file_tail_marker, 16);
    CHECK(marker != SIZE_MAX);
    if (marker != SIZE_MAX)
        put32(data + marker + 16 + 4 + 6, 0x10000000u);
}

static void test_blob_case(const char *relative, void (*edit)(uint8_t *, size_t), const char *what,
                           const char *expected)
{
    int status;
    bp_result *result = parse_blob_copy(relative, edit, &status, what);
    if (!result)
        return;
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    if (!result_warns(result, expected))
        fprintf(stderr, "%s: expected a warning containing \"%s\"\n", what, expected);
    CHECK(result_warns(result, expected));
    bp_result_free(result);
}

/* A file blob that ends inside "bytes total" must leave the total unknown,
 * not report 0 bytes (regression file-total-zero). */
static void test_file_blob_cut_in_total(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(FILE_BLOB), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    size_t at = 16;
    for (int i = 0; i < 3; i++)
        at = skip_wstr(data, at);
    at += 8; /* bytes transferred; "bytes total" starts here */
    bp_result *result = NULL;
    int status = bp_parse_memory(data, at + 4, "file blob cut inside bytes total", &result);
    const bp_record *record = bp_result_record(result, 0);
    CHECK_U64(status, BP_STATUS_WARNINGS);
    CHECK(record && record->file);
    if (record && record->file) {
        printf("file blob cut inside \"bytes total\": bytes_total = %llu\n",
               (unsigned long long)record->file->bytes_total);
        CHECK(result_warns(result, "while reading the bytes total"));
        CHECK(record->file->bytes_total == UINT64_MAX); /* regression file-total-zero */
    }
    bp_result_free(result);
    free(data);
}

int main(void)
{
    test_tree_loop();
    test_tree_too_deep();
    test_tag_larger_than_page();
    test_tag_count_larger_than_page();
    test_record_header_larger_than_record();
    test_header_page_size(12345);
    test_header_page_size(0);
    test_header_page_size(0x40000000u);
    test_long_value_claims_gigabytes();

    test_blob_case(JOB_BLOB, edit_file_count, "job blob file count 0x0FFFFFFF",
                   "file count 268435455 at offset 0x");
    test_blob_case(JOB_BLOB, edit_name_units_huge, "job blob name of 0x7FFFFFFF units",
                   "display name at offset 0x30 claims 2147483647 UTF-16 units (limit 32768)");
    test_blob_case(JOB_BLOB, edit_name_units_past_end, "job blob name of 5000 units",
                   "truncated at offset 0x30 while reading the display name (5000 units, ");
    test_blob_case(JOB_BLOB, edit_sd_length, "job blob security descriptor of 2 GiB",
                   "security descriptor length 2147483647 at offset 0x");
    test_blob_case(FILE_BLOB, edit_range_count, "file blob range count 0x10000000",
                   "range count 268435456 does not fit at offset 0x");
    test_blob_case(JOB_BLOB, edit_name_unterminated, "job blob name without NUL",
                   "display name at offset 0x30 is not NUL-terminated");
    test_blob_case(FILE_BLOB, edit_file_path_unterminated, "file blob path without NUL",
                   "local path at offset 0x10 is not NUL-terminated");
    test_file_blob_cut_in_total();
    return check_exit();
}
