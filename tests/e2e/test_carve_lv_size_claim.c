/* Carving a deleted long value (src/carve/ese_carve.c read_long_value) whose
 * root claims far more than its chunks hold, or whose chunk lies far out.
 * Built from the real win10 qmgr.db: the Jobs record of the job blob and the
 * blob's chunk are flagged deleted, so the carver reassembles the value
 * itself; then the root's size (a claim from the file) or the chunk's offset
 * is changed.
 *
 * The carver sized the value by the root's claim, up to 256 MiB allocated and
 * zeroed per value (as ese_lv_read did: known bug lv-size-claim), and dropped
 * a value whose root claimed more. Now it allocates what the chunks reach,
 * with at most LV_GAP_BUDGET of zeros for missing chunks, and still recovers
 * the blob. Each case runs in a child process so that its peak memory is its
 * own. */
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "ese/btree.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "ese/page.h"
#include "ese/record.h"
#include "util/reader.h"
#include "util/text.h"

#define WIN10 "testdata/ese/win10-19045.qmgr.db"

typedef struct target {
    const ese_db *db;
    ese_table *table;
    uint64_t lid;
    size_t record_at;          /* file offset of the Jobs record's node */
    uint32_t record_page;
} target;

static bool find_separated_blob(const ese_page *page, const ese_node *node, void *context)
{
    target *t = context;
    const ese_column *column = ese_table_column_named(t->table, "Blob");
    ese_record record;
    ese_column_value value;
    const char *problem;
    if (column && ese_record_open(&record, node->data, node->data_size) &&
        ese_record_get(t->db, t->table, &record, column->id, &value, &problem) && value.present &&
        value.values[0].separated) {
        t->lid = value.values[0].lid;
        t->record_at = node->file_offset;
        t->record_page = page->pgno;
    }
    return t->lid == 0;
}

typedef struct layout {
    size_t page_size;
    size_t record_at, root_size_at, chunk_at, chunk_offset_at, chunk_data_at;
    uint32_t record_page, root_page, chunk_page;
    uint32_t value_size;
    char job_id[37];
} layout;

static bool find_layout(const uint8_t *data, size_t size, layout *out)
{
    memset(out, 0, sizeof(*out));
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    bool found = false;
    if (ese_db_open(&db, data, size, &arena, &warnings) && db.large_pages) {
        target t = {&db, ese_catalog_find(&db.catalog, "Jobs"), 0, 0, 0};
        if (t.table)
            ese_btree_walk(&db, t.table->root_pgno, t.table->objid, false, find_separated_blob, &t, NULL);
        const ese_lv_store *store = t.lid ? ese_table_lv_store(&db, t.table) : NULL;
        const ese_lv_root *root = store ? ese_lv_find_root(store, t.lid) : NULL;
        const ese_lv_chunk *chunk = NULL;
        for (size_t i = 0; store && i < store->chunk_count; i++)
            if (store->chunks[i].lid == t.lid && store->chunks[i].offset == 0)
                chunk = &store->chunks[i];
        ese_page page;
        ese_node node;
        if (root && chunk && chunk->size >= 0x30 && ese_page_load(&db, root->pgno, &page) &&
            ese_page_node(&page, root->itag, &node) && node.data_size >= 8) {
            out->root_size_at = (size_t)(node.data - data) + 4;
            out->root_page = root->pgno;
            out->value_size = root->size;
            if (ese_page_load(&db, chunk->pgno, &page) && ese_page_node(&page, chunk->itag, &node) &&
                node.key_size >= 4) {
                /* the key ends with the chunk's offset (big-endian), right before the data */
                out->chunk_at = node.file_offset;
                out->chunk_offset_at = (size_t)(node.data - data) - 4;
                out->chunk_data_at = (size_t)(chunk->data - data);
                out->chunk_page = chunk->pgno;
                out->record_at = t.record_at;
                out->record_page = t.record_page;
                out->page_size = db.page_size;
                util_guid_format(chunk->data + 0x20, out->job_id);
                found = true;
            }
        }
    }
    util_arena_free(&arena);
    return found;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void store_page(uint8_t *data, size_t page_size, uint32_t pgno)
{
    ese_page_store_checksums((uint32_t)page_size, data + ((size_t)pgno + 1) * page_size, pgno);
}

enum {
    CHILD_STATUS_OK = 1,       /* status 0 or 1 */
    CHILD_BLOB = 2,            /* the job's blob recovered from the long value's chunk */
    CHILD_OTHER = 4,           /* the job recovered from elsewhere (other copies), or by id */
    CHILD_SMALL = 8,           /* peak memory grew by less than 64 MiB */
};

static long max_rss_kib(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

/* Carve in a child; returns the CHILD_* bits it saw (0 when it crashed). */
static int carve_in_child(const uint8_t *data, size_t size, const layout *l, const char *what)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        long before = max_rss_kib();
        bp_parse_options options;
        memset(&options, 0, sizeof options);
        options.carve = true;
        bp_result *result = NULL;
        int status = bp_parse_memory_ex(data, size, what, &options, &result);
        long grown_mib = (max_rss_kib() - before) / 1024;
        int bits = (status == 0 || status == 1) ? CHILD_STATUS_OK : 0;
        for (size_t i = 0; result && i < bp_result_count(result); i++) {
            const bp_record *record = bp_result_record(result, i);
            if (!record->carved || !record->job || strcmp(record->job->job_id, l->job_id) != 0)
                continue;
            bool from_chunk = false;
            for (size_t k = 0; k < record->location_count; k++)
                from_chunk |= strcmp(record->locations[k].item, "job") == 0 && record->locations[k].size &&
                              record->locations[k].offset == l->chunk_data_at;
            bits |= from_chunk ? CHILD_BLOB : CHILD_OTHER;
        }
        if (grown_mib < 64)
            bits |= CHILD_SMALL;
        printf("%s: status %d, %zu records, job %s%s%s, peak memory grew by %ld MiB\n", what, status,
               bp_result_count(result), l->job_id, bits & CHILD_BLOB ? " carved from the chunk" : "",
               bits & CHILD_OTHER ? " carved from elsewhere" : "", grown_mib);
        fflush(stdout);
        bp_result_free(result);
        _exit(bits);
    }
    int wstatus = 0;
    if (pid < 0 || waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus))
        return 0;
    return WEXITSTATUS(wstatus);
}

int main(void)
{
    size_t size;
    uint8_t *sample = read_whole_file(shared_path(WIN10), &size);
    CHECK(sample != NULL);
    if (!sample)
        return check_exit();
    layout l;
    CHECK(find_layout(sample, size, &l));
    if (!l.page_size) {
        free(sample);
        return check_exit();
    }
    printf("job %s: %u-byte long value, record node at %zu, chunk node at %zu\n", l.job_id, l.value_size,
           l.record_at, l.chunk_at);
    CHECK_U64(util_be32(sample + l.chunk_offset_at), 0);

    /* the record and the chunk flagged deleted (large pages: top bits of the node's first u16) */
    uint8_t *base = malloc(size);
    CHECK(base != NULL);
    if (!base) {
        free(sample);
        return check_exit();
    }
    memcpy(base, sample, size);
    base[l.record_at + 1] |= (uint8_t)(ESE_NODE_DELETED << 5);
    base[l.chunk_at + 1] |= (uint8_t)(ESE_NODE_DELETED << 5);
    store_page(base, l.page_size, l.record_page);
    store_page(base, l.page_size, l.chunk_page);

    uint8_t *edited = malloc(size);
    CHECK(edited != NULL);
    if (!edited) {
        free(base);
        free(sample);
        return check_exit();
    }
    /* as built: recovered from the deleted chunk */
    memcpy(edited, base, size);
    int bits = carve_in_child(edited, size, &l, "deleted, as stored");
    CHECK(bits & CHILD_STATUS_OK);
    CHECK(bits & CHILD_BLOB);
    CHECK(bits & CHILD_SMALL);

    /* the root claims just under 256 MiB: nothing near that is allocated */
    memcpy(edited, base, size);
    put32(edited + l.root_size_at, 0x0FFFFFF0u);
    store_page(edited, l.page_size, l.root_page);
    bits = carve_in_child(edited, size, &l, "deleted, root claims 256 MiB");
    CHECK(bits & CHILD_STATUS_OK);
    CHECK(bits & CHILD_BLOB);
    CHECK(bits & CHILD_SMALL);

    /* the root claims 3 GiB: the chunk still gives the blob (it was dropped) */
    memcpy(edited, base, size);
    put32(edited + l.root_size_at, 0xC0000000u);
    store_page(edited, l.page_size, l.root_page);
    bits = carve_in_child(edited, size, &l, "deleted, root claims 3 GiB");
    CHECK(bits & CHILD_STATUS_OK);
    CHECK(bits & CHILD_BLOB);
    CHECK(bits & CHILD_SMALL);

    /* the only chunk sits at 240 MiB of a value claiming 256 MiB: nothing to
     * recover, and no 240 MiB of zeros in front of it */
    memcpy(edited, base, size);
    put32(edited + l.root_size_at, 0x0FFFFFF0u);
    edited[l.chunk_offset_at] = 0x0F;
    store_page(edited, l.page_size, l.root_page);
    store_page(edited, l.page_size, l.chunk_page);
    bits = carve_in_child(edited, size, &l, "deleted, chunk at 240 MiB");
    CHECK(bits & CHILD_STATUS_OK);
    CHECK(!(bits & CHILD_BLOB));
    CHECK(bits & CHILD_SMALL);

    free(edited);
    free(base);
    free(sample);
    return check_exit();
}
