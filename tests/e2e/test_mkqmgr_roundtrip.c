/* Databases written by mkqmgr, read back by bitsparse: for every layout option
 * that changes bytes (page size, LID size, reserved tags, clean/dirty, chunk
 * size, deleted jobs, trees of several levels) every job and file field must
 * come back as described, with a clean status. Also: same input, same bytes. */
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bitsparse/bitsparse.h"
#include "random_stream.h"
#include "check.h"
#include "database_writer.h"
#include "description.h"
#include "ese/btree.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "long_values.h"
#include "page_builder.h"
#include "util/reader.h"
#include "util/text.h"
#include "mkqmgr_expect.h"

/* ---- descriptions ---------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;

static uint32_t rng(void)
{
    random_next(&rng_state);
    return (uint32_t)(rng_state >> 16);
}

static void add_guid(cJSON *object, const char *key)
{
    char text[40];
    snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%04x%08x", rng(), rng() & 0xFFFF, rng() & 0xFFFF,
             rng() & 0xFFFF, rng() & 0xFFFF, rng());
    cJSON_AddStringToObject(object, key, text);
}

/* 2023-03-01T00:00:00Z plus seconds and a 7-digit fraction */
static void add_time(cJSON *object, const char *key, unsigned seconds, unsigned fraction)
{
    char text[40];
    snprintf(text, sizeof text, "2023-03-%02uT%02u:%02u:%02u.%07uZ", 1 + seconds / 86400 % 28,
             seconds / 3600 % 24, seconds / 60 % 60, seconds % 60, fraction % 10000000);
    cJSON_AddStringToObject(object, key, text);
}

static const char *const owners[] = {"S-1-5-21-3623811015-3361044348-30300820-1013", "S-1-5-18", "S-1-5-20",
                                     "S-1-5-21-1004336348-1177238915-682003330-512"};
static const char *const states[] = {"BG_JOB_STATE_QUEUED", "CONNECTING", "TRANSFERRING", "SUSPENDED", "ERROR",
                                     "TRANSIENT_ERROR", "TRANSFERRED", "ACKNOWLEDGED", "CANCELLED"};

static cJSON *make_file(unsigned job, unsigned k, bool rich)
{
    cJSON *f = cJSON_CreateObject();
    char text[512];
    add_guid(f, "id");
    snprintf(text, sizeof text, "%s:\\Users\\Public\\Downloads\\pkg-%u-%u%s", k % 3 == 2 ? "D" : "C", job, k,
             rich && job % 5 == 0 ? "-\xc3\xa9t\xc3\xa9-\xe2\x9c\x93.bin" : ".msi");
    cJSON_AddStringToObject(f, "local_path", text);
    snprintf(text, sizeof text, "https://download.example.net/builds/%u/pkg-%u.msi?token=%08x", job, k, rng());
    cJSON_AddStringToObject(f, "remote_url", text);
    unsigned total = 1000 + rng() % 5000000;
    cJSON_AddNumberToObject(f, "bytes_transferred", job % 4 == 1 ? total / 2 : total);
    if (rich && job % 9 == 4)
        cJSON_AddNumberToObject(f, "bytes_total", -1); /* size not known yet */
    else
        cJSON_AddNumberToObject(f, "bytes_total", total);
    if (rich && job % 6 == 1) {
        snprintf(text, sizeof text, "C:\\Users\\Public\\Downloads\\BIT%04X.tmp", rng() & 0xFFFF);
        cJSON_AddStringToObject(f, "temp_path", text);
        cJSON_AddStringToObject(f, "volume", "\\\\?\\Volume{0d4b7c2e-5f61-4a8e-9b3c-7e21a5d8f094}\\");
        cJSON_AddStringToObject(f, "volume_serial", "0x8E31C7A2");
    }
    if (job % 3 != 2)
        add_time(f, "remote_file_time", rng() % 2000000, rng());
    return f;
}

/* `count` jobs touching every field; rich = strings with non-ASCII text, long
 * names, unknown sizes (kept off for the big trees to keep them quick). */
static char *make_description(unsigned count, unsigned max_files, bool rich)
{
    cJSON *root = cJSON_CreateObject(), *jobs = cJSON_AddArrayToObject(root, "jobs");
    char text[1024];
    for (unsigned i = 0; i < count; i++) {
        cJSON *j = cJSON_CreateObject();
        add_guid(j, "id");
        if (rich && i % 7 == 3) {
            memset(text, 'N', 600);
            snprintf(text + 600, 40, " %u", i);
        } else if (rich && i % 5 == 0) {
            snprintf(text, sizeof text, "T\xc3\xa9l\xc3\xa9" "chargement \xf0\x9f\x98\x80 %u", i);
        } else {
            snprintf(text, sizeof text, "Update job %u", i);
        }
        cJSON_AddStringToObject(j, "name", text);
        snprintf(text, sizeof text, "package %u for %s", i, i % 2 ? "all users" : "this user");
        cJSON_AddStringToObject(j, "description", text);
        if (i % 5 == 2) {
            cJSON_AddStringToObject(j, "notify_program", "C:\\Windows\\System32\\cmd.exe");
            snprintf(text, sizeof text, "/c start /b C:\\Users\\Public\\run%u.exe", i);
            cJSON_AddStringToObject(j, "notify_arguments", text);
        }
        const char *owner = owners[i % 4];
        cJSON_AddStringToObject(j, "owner_sid", owner);
        if (i % 11 == 6)
            cJSON_AddStringToObject(j, "owner_integrity", "0x3000");
        cJSON_AddNumberToObject(j, "type", i % 10 == 9 ? 1 : i % 23 == 13 ? 2 : 0);
        if (i % 2)
            cJSON_AddNumberToObject(j, "priority", i % 4);
        else
            cJSON_AddStringToObject(j, "priority", i % 4 == 0 ? "BG_JOB_PRIORITY_FOREGROUND" : "NORMAL");
        unsigned state = i % 9;
        if (i % 2)
            cJSON_AddStringToObject(j, "state", states[state]);
        else
            cJSON_AddNumberToObject(j, "state", state);
        cJSON_AddNumberToObject(j, "notify_flags", i % 0x3F + 1);
        unsigned created = i * 97 + rng() % 50;
        add_time(j, "created", created, rng());
        add_time(j, "modified", created + 40, rng());
        if (i % 8 == 5)
            add_time(j, "expiration", created + 86400 * 7, 0);
        if (i % 13 == 7)
            add_time(j, "completed", created + 41, 1234567);
        cJSON_AddNumberToObject(j, "retry_delay", i % 3 ? 600 : 60);
        cJSON_AddNumberToObject(j, "no_progress_timeout", i % 3 ? 1209600 : 3600);
        cJSON_AddNumberToObject(j, "transient_error_count", state == 5 ? 3 : 0);
        if (state == 4 || i % 17 == 10) {
            cJSON *e = cJSON_AddObjectToObject(j, "error");
            cJSON_AddStringToObject(e, "hresult", i % 2 ? "0x80190194" : "0x80072EE7");
            if (i % 2)
                cJSON_AddStringToObject(e, "context", "BG_ERROR_CONTEXT_REMOTE_FILE");
            else
                cJSON_AddNumberToObject(e, "context", 6);
            cJSON_AddNumberToObject(e, "class", i % 2 ? 4 : 3);
        }
        snprintf(text, sizeof text, "C:\\Program Files (x86)\\Vendor %u\\Update\\updater.exe", i % 6);
        cJSON_AddStringToObject(j, "creator_program", text);
        cJSON_AddStringToObject(j, "http_method", i % 10 == 9 ? "PUT" : "GET");
        if (i % 6 == 0)
            cJSON_AddStringToObject(j, "extra_string", "Schedule");
        cJSON_AddNumberToObject(j, "proxy_usage", i % 4);
        if (i % 4 == 2) {
            cJSON_AddStringToObject(j, "proxy_list", "http://proxy.corp.example:8080;socks=10.0.0.9:1080");
            if (i % 8 == 2)
                cJSON_AddStringToObject(j, "proxy_bypass_list", "<local>;*.corp.example");
        }
        static const char *const costs[] = {"0x80000067", "0x8000006F", "0x800000FF", "0x80000021", "0x80000065"};
        cJSON_AddStringToObject(j, "cost_flags", costs[i % 5]);
        cJSON_AddNumberToObject(j, "acl_flags", i % 16);
        cJSON_AddNumberToObject(j, "max_download_time", i % 4 ? 7776000 : 3600);
        if (i % 10 == 4)
            cJSON_AddStringToObject(j, "machine_guid", "{2b8f0d51-7c3e-4a96-8d14-e07b5a9c63f2}");
        if (rich && i % 4 == 1) {  /* 24H2 package identity (#54b) of any length, app id absent once */
            size_t length = (i * 37) % 900 + 1;
            for (size_t c = 0; c < length; c++)
                text[c] = "Contoso.Widget"[c % 14];
            snprintf(text + length, 40, "%s_8wekyb3d8bbwe", i % 12 == 9 ? "\xc3\xa9" : "");
            cJSON_AddStringToObject(j, "package_family_name", text);
            if (i % 8 != 5) {
                snprintf(text, sizeof text, "!App%u", i);
                cJSON_AddStringToObject(j, "package_app_id", text);
            }
        }
        cJSON *files = cJSON_AddArrayToObject(j, "files");
        unsigned n = max_files ? (rich ? i % (max_files + 1) : max_files) : 0;
        for (unsigned k = 0; k < n; k++)
            cJSON_AddItemToArray(files, make_file(i, k, rich));
        cJSON_AddItemToArray(jobs, j);
    }
    char *json = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return json;
}

/* ---- B+-tree invariants ------------------------------------------------------------------ */

typedef struct tree_check {
    const ese_db *db;
    uint32_t objid;
    uint32_t last_leaf;        /* previous leaf in key order, for the sibling chain */
    uint8_t last_key[ESE_KEY_MAX];
    uint16_t last_key_size;
    bool have_key;
    size_t problems, leaves, depth;
} tree_check;

static int key_cmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
    int c = memcmp(a, b, an < bn ? an : bn);
    return c ? c : (an > bn) - (an < bn);
}

/* Every key of the subtree at pgno lies in [lo, hi) (hi NULL = no bound);
 * keys ascend across leaves; leaves are chained; flags fit the level. */
static void check_subtree(tree_check *t, uint32_t pgno, const uint8_t *lo, size_t lo_size, const uint8_t *hi,
                          size_t hi_size, size_t depth, bool root)
{
    ese_page page;
    ese_node node;
    if (depth > 8 || !ese_page_load(t->db, pgno, &page) || page.objid != t->objid) {
        t->problems++;
        return;
    }
    t->depth = depth > t->depth ? depth : t->depth;
    t->problems += ((page.flags & ESE_PAGE_ROOT) != 0) != root;
    if (page.flags & ESE_PAGE_LEAF) {
        t->leaves++;
        t->problems += !root && (page.prev != t->last_leaf); /* sibling chain in key order */
        if (t->last_leaf && !root) {
            ese_page previous;
            t->problems += !ese_page_load(t->db, t->last_leaf, &previous) || previous.next != pgno;
        }
        t->last_leaf = root ? 0 : pgno;
        for (uint16_t i = page.reserved_tags; i < page.tag_count; i++) {
            if (!ese_page_node(&page, i, &node)) {
                t->problems++;
                continue;
            }
            t->problems += lo && key_cmp(node.key, node.key_size, lo, lo_size) < 0;
            t->problems += hi && key_cmp(node.key, node.key_size, hi, hi_size) >= 0;
            t->problems += t->have_key && key_cmp(node.key, node.key_size, t->last_key, t->last_key_size) <= 0;
            memcpy(t->last_key, node.key, node.key_size);
            t->last_key_size = node.key_size;
            t->have_key = true;
        }
        return;
    }
    t->problems += page.prev != 0 || page.next != 0; /* branch pages are not chained */
    uint8_t child_lo[ESE_KEY_MAX];
    size_t child_lo_size = lo_size;
    if (lo)
        memcpy(child_lo, lo, lo_size);
    bool have_lo = lo != NULL;
    for (uint16_t i = page.reserved_tags; i < page.tag_count; i++) {
        if (!ese_page_node(&page, i, &node) || node.data_size < 4) {
            t->problems++;
            continue;
        }
        bool last = i + 1 == page.tag_count;
        /* separators ascend; the last node bounds the page: empty on the rightmost
         * pages of a level, else the separator its parent holds for it */
        if (!last)
            t->problems += node.key_size == 0 ||
                           (have_lo && key_cmp(node.key, node.key_size, child_lo, child_lo_size) <= 0);
        else if (!hi)
            t->problems += node.key_size != 0;
        else
            t->problems += key_cmp(node.key, node.key_size, hi, hi_size) != 0;
        uint32_t child = util_le32(node.data);
        ese_page child_page;
        if (ese_page_load(t->db, child, &child_page))
            t->problems += ((child_page.flags & ESE_PAGE_LEAF) != 0) != ((page.flags & ESE_PAGE_PARENT_OF_LEAF) != 0);
        uint8_t sep[ESE_KEY_MAX];
        memcpy(sep, node.key, node.key_size);
        check_subtree(t, child, have_lo ? child_lo : NULL, child_lo_size, last ? hi : sep,
                      last ? hi_size : node.key_size, depth + 1, false);
        memcpy(child_lo, sep, node.key_size);
        child_lo_size = node.key_size;
        have_lo = true;
    }
}

/* All five trees of a database built by mkqmgr. */
static void check_trees(const mk_buffer *image, const char *label)
{
    util_arena arena;
    bp_note_list warnings = {NULL, NULL, 0};
    util_arena_init(&arena);
    ese_db db;
    CHECK(ese_db_open(&db, image->data, image->size, &arena, &warnings));
    uint32_t roots[5][2] = {{4, 2}};
    size_t n = 1;
    const char *names[2] = {"Jobs", "Files"};
    for (int t = 0; t < 2; t++) {
        ese_table *table = ese_catalog_find(&db.catalog, names[t]);
        if (!table)
            continue;
        roots[n][0] = table->root_pgno;
        roots[n++][1] = table->objid;
        roots[n][0] = table->lv_root_pgno;
        roots[n++][1] = table->lv_objid;
    }
    CHECK_U64(n, 5);
    for (size_t i = 0; i < n; i++) {
        tree_check t;
        memset(&t, 0, sizeof t);
        t.db = &db;
        t.objid = roots[i][1];
        check_subtree(&t, roots[i][0], NULL, 0, NULL, 0, 1, true);
        CHECK_U64(t.problems, 0);
        if (t.problems)
            fprintf(stderr, "%s: tree at page %u (objid %u): %zu problems\n", label, roots[i][0], roots[i][1],
                    t.problems);
    }
    util_arena_free(&arena);
}

/* ---- building and reading -------------------------------------------------------------- */

static mk_options cli_options(uint32_t page_size, uint32_t lid, int reserved, int clean, uint32_t chunk)
{
    mk_options o;
    memset(&o, 0, sizeof o);
    o.page_size = page_size;
    o.lid_size = lid;
    o.reserved_tags = reserved;
    o.clean = clean;
    o.chunk_size = chunk;
    o.lv_page_per_value = -1;
    return o;
}

static bool build(const mk_description *d, const mk_options *cli, mk_buffer *out, mk_layout *layout,
                  mk_options *resolved)
{
    char err[256];
    mk_options o;
    bool ok = mk_resolve_options(&d->options, cli, &o, err, sizeof err);
    CHECK(ok);
    if (!ok) {
        fprintf(stderr, "options: %s\n", err);
        return false;
    }
    mk_build_database(d, &o, out, layout);
    if (resolved)
        *resolved = o;
    return true;
}

/* Build, parse with bitsparse, compare every field. Returns the parse status. */
static int roundtrip(const char *label, const mk_description *d, const mk_options *cli, mk_layout *layout,
                     mk_buffer *image)
{
    mk_buffer local = {NULL, 0, 0};
    mk_buffer *bytes = image ? image : &local;
    mk_options o;
    if (!build(d, cli, bytes, layout, &o))
        return -1;
    bp_result *result = NULL;
    int status = bp_parse_memory(bytes->data, bytes->size, label, &result);
    size_t records = expect_result_matches(label, result, d, o.lid_size);
    check_trees(bytes, label);
    printf("%-34s %8zu bytes, %5zu records, status %d\n", label, bytes->size, records, status);
    bp_result_free(result);
    mk_buffer_free(&local);
    return status;
}

static mk_description parse_description(const char *json)
{
    mk_description d;
    char err[256];
    bool ok = mk_description_parse(json, &d, err, sizeof err);
    CHECK(ok);
    if (!ok)
        fprintf(stderr, "description: %s\n", err);
    return d;
}

/* The ESE view: header state, reserved tags, LV chunks and deleted nodes. */
typedef struct ese_facts {
    uint32_t state, page_size, reserved_tags;
    size_t max_chunks;           /* most chunks of one Jobs long value */
    size_t orphan_roots;         /* Jobs + Files LV roots with refcount 0 */
    uint32_t deleted_records;    /* Jobs + Files nodes flagged deleted */
    uint32_t jobs_pages;
} ese_facts;

static bool count_nothing(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    (void)node;
    (void)context;
    return true;
}

static ese_facts inspect(const mk_buffer *image)
{
    ese_facts facts;
    memset(&facts, 0, sizeof facts);
    util_arena arena;
    bp_note_list warnings = {NULL, NULL, 0};
    util_arena_init(&arena);
    ese_db db;
    if (!ese_db_open(&db, image->data, image->size, &arena, &warnings)) {
        CHECK(!"ese_db_open");
        util_arena_free(&arena);
        return facts;
    }
    facts.state = db.header.state;
    facts.page_size = db.page_size;
    ese_page page;
    if (ese_page_load(&db, 4, &page))
        facts.reserved_tags = page.reserved_tags;
    const char *names[2] = {"Jobs", "Files"};
    for (int t = 0; t < 2; t++) {
        ese_table *table = ese_catalog_find(&db.catalog, names[t]);
        CHECK(table != NULL);
        if (!table)
            continue;
        const ese_lv_store *lv = ese_table_lv_store(&db, table);
        for (size_t i = 0; lv && i < lv->root_count; i++)
            facts.orphan_roots += lv->roots[i].refcount == 0;
        for (size_t i = 0, run = 0; t == 0 && lv && i < lv->chunk_count; i++) {
            run = i && lv->chunks[i - 1].lid == lv->chunks[i].lid ? run + 1 : 1;
            facts.max_chunks = run > facts.max_chunks ? run : facts.max_chunks;
        }
        ese_walk_stats stats;
        ese_btree_walk(&db, table->root_pgno, table->objid, true, count_nothing, NULL, &stats);
        facts.deleted_records += stats.deleted_nodes;
        if (t == 0)
            facts.jobs_pages = stats.pages;
    }
    CHECK(warnings.count == 0);
    util_arena_free(&arena);
    return facts;
}

/* ---- the cases ------------------------------------------------------------------------- */

static void test_every_layout(const mk_description *d)
{
    static const uint32_t page_sizes[] = {4096, 8192, 16384, 32768};
    for (int p = 0; p < 4; p++) {
        for (uint32_t lid = 4; lid <= 8; lid += 4) {
            char label[64];
            snprintf(label, sizeof label, "%u-byte pages, LID%u", page_sizes[p], lid * 8);
            mk_options o = cli_options(page_sizes[p], lid, 0, 0, 0);
            mk_buffer image = {NULL, 0, 0};
            CHECK_U64(roundtrip(label, d, &o, NULL, &image), BP_STATUS_CLEAN);
            ese_facts facts = inspect(&image);
            CHECK_U64(facts.page_size, page_sizes[p]);
            CHECK_U64(facts.state, 2); /* dirty shutdown */
            CHECK_U64(facts.reserved_tags, 1);
            mk_buffer_free(&image);
        }
    }
}

static void test_reserved_tags_and_state(const mk_description *d)
{
    static const uint32_t page_sizes[] = {4096, 16384};
    for (int p = 0; p < 2; p++) {
        char label[64];
        snprintf(label, sizeof label, "%u, reserved tags, clean", page_sizes[p]);
        mk_options o = cli_options(page_sizes[p], 8, 1, 1, 0);
        mk_buffer image = {NULL, 0, 0};
        CHECK_U64(roundtrip(label, d, &o, NULL, &image), BP_STATUS_CLEAN);
        ese_facts facts = inspect(&image);
        CHECK_U64(facts.reserved_tags, 2);
        CHECK_U64(facts.state, 3); /* clean shutdown */
        mk_buffer_free(&image);
    }
}

static void test_multi_chunk_blobs(const mk_description *d)
{
    static const uint32_t page_sizes[] = {4096, 32768};
    for (int p = 0; p < 2; p++) {
        char label[64];
        snprintf(label, sizeof label, "%u, 300-byte LV chunks", page_sizes[p]);
        mk_options o = cli_options(page_sizes[p], 8, 0, 0, 300);
        mk_buffer image = {NULL, 0, 0};
        CHECK_U64(roundtrip(label, d, &o, NULL, &image), BP_STATUS_CLEAN);
        ese_facts facts = inspect(&image);
        CHECK(facts.max_chunks >= 6); /* a job blob of 1.7 KB or more */
        printf("  most chunks of one job blob: %zu\n", facts.max_chunks);
        mk_buffer_free(&image);
    }
}

static void test_deleted_jobs(const char *json)
{
    mk_description d = parse_description(json);
    size_t deleted_files = 0;
    /* two jobs with files and one without */
    const char *victims[3] = {NULL, NULL, NULL};
    for (size_t i = 0, n = 0; i < d.job_count && n < 3; i++)
        if ((n < 2 && d.jobs[i].file_count >= 2) || (n == 2 && d.jobs[i].file_count == 0))
            victims[n++] = d.jobs[i].id_text;
    for (int v = 0; v < 3; v++) {
        CHECK(victims[v] && mk_description_delete_job(&d, victims[v]));
    }
    for (size_t i = 0; i < d.file_count; i++)
        deleted_files += d.files[i].deleted;
    CHECK(deleted_files >= 4);
    static const uint32_t page_sizes[] = {4096, 16384};
    for (int p = 0; p < 2; p++) {
        char label[64];
        snprintf(label, sizeof label, "%u, 3 jobs deleted", page_sizes[p]);
        mk_options o = cli_options(page_sizes[p], p ? 8 : 4, 0, 0, 0);
        mk_buffer image = {NULL, 0, 0};
        CHECK_U64(roundtrip(label, &d, &o, NULL, &image), BP_STATUS_CLEAN);
        ese_facts facts = inspect(&image);
        CHECK_U64(facts.orphan_roots, 3 + deleted_files);      /* LVs stay, refcount 0 */
        CHECK_U64(facts.deleted_records, 3 + deleted_files);   /* records flagged deleted */
        mk_buffer_free(&image);
    }
    mk_description_free(&d);
}

static void test_orphan_file(void)
{
    const char *json =
        "{\"files\":[{\"id\":\"5b1f6a2c-93d4-4e7b-a0c8-2f6e91d3b745\",\"local_path\":\"C:\\\\Temp\\\\left.bin\","
        "\"remote_url\":\"http://198.51.100.7/left.bin\",\"bytes_transferred\":10,\"bytes_total\":20}],"
        "\"jobs\":[{\"id\":\"0c7e2d94-6b1a-4f35-8e29-d5a3c1b07f68\",\"owner_sid\":\"S-1-5-18\","
        "\"created\":\"2023-05-01T10:00:00.0000000Z\",\"files\":[]}]}";
    mk_description d = parse_description(json);
    mk_options o = cli_options(8192, 8, 0, 0, 0);
    /* the orphan record carries a join warning, so the status is "warnings" */
    CHECK_U64(roundtrip("orphan file", &d, &o, NULL, NULL), BP_STATUS_WARNINGS);
    mk_description_free(&d);
}

static void big_tree_case(const char *json, uint32_t page_size, uint32_t fill, size_t jobs_levels, size_t lv_levels)
{
    mk_description d = parse_description(json);
    char label[64];
    snprintf(label, sizeof label, "%zu jobs, %u, fill %u%%", d.job_count, page_size, fill);
    mk_options o = cli_options(page_size, 8, 0, 0, 0);
    o.fill_percent = fill;
    mk_layout layout;
    mk_buffer image = {NULL, 0, 0};
    CHECK_U64(roundtrip(label, &d, &o, &layout, &image), BP_STATUS_CLEAN);
    CHECK(layout.jobs_levels >= jobs_levels);
    CHECK(layout.jobs_lv_levels >= lv_levels);
    ese_facts facts = inspect(&image);
    printf("  levels: Jobs %zu (%u pages), Jobs LV %zu, Files %zu, Files LV %zu\n", layout.jobs_levels,
           facts.jobs_pages, layout.jobs_lv_levels, layout.files_levels, layout.files_lv_levels);
    mk_buffer_free(&image);
    mk_description_free(&d);
}

/* Thousands of jobs: branch roots over leaves (and over branch pages). */
static void test_big_trees(void)
{
    char *json = make_description(2100, 2, false);
    big_tree_case(json, 4096, 100, 2, 3);
    big_tree_case(json, 16384, 100, 2, 2);
    free(json);
    /* sparse pages give the Jobs table itself three levels */
    json = make_description(700, 0, false);
    big_tree_case(json, 4096, 10, 3, 3);
    free(json);
}

static void test_determinism(const char *json)
{
    mk_description a = parse_description(json), b = parse_description(json);
    mk_options o = cli_options(4096, 8, 0, 0, 0);
    mk_buffer x = {NULL, 0, 0}, y = {NULL, 0, 0}, z = {NULL, 0, 0};
    build(&a, &o, &x, NULL, NULL);
    build(&b, &o, &y, NULL, NULL);
    CHECK(x.size == y.size && memcmp(x.data, y.data, x.size) == 0);
    o.clean = 1;
    build(&a, &o, &z, NULL, NULL);
    CHECK(z.size == x.size && memcmp(x.data, z.data, x.size) != 0);
    /* through the file system and bp_parse_path too */
    char path[] = "/tmp/mkqmgr-roundtrip-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, x.data, x.size) == (ssize_t)x.size);
    if (fd >= 0)
        close(fd);
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(path, &result), BP_STATUS_CLEAN);
    expect_result_matches("bp_parse_path", result, &a, 8);
    bp_result_free(result);
    unlink(path);
    printf("determinism: two builds of %zu bytes identical\n", x.size);
    mk_buffer_free(&x);
    mk_buffer_free(&y);
    mk_buffer_free(&z);
    mk_description_free(&a);
    mk_description_free(&b);
}

/* Separators lie strictly between their neighbours (or equal the right key
 * when nothing fits between, left + 00 = right). */
static void test_separators(void)
{
    static const char *const pairs[][2] = {
        {"\x00\x00\x00\x05\x00\x00\x0f\xd2", "\x00\x00\x00\x06"}, /* chunk, next root */
        {"\x00\x00\x00\x06", "\x00\x00\x00\x06\x00\x00\x00\x00"},   /* root, its first chunk */
        {"\x7f\x10", "\x7f\x11"}, {"\x7f\x10\xff\xff", "\x7f\x11"}, {"\x7f\x10", "\x7f\x12"},
        {"\x01\x02", "\x01\x02\x03"}, {"\x01", "\x01\x00"}, {"", "\x05"},
    };
    static const size_t sizes[][2] = {{8, 4}, {4, 8}, {2, 2}, {4, 2}, {2, 2}, {2, 3}, {1, 2}, {0, 1}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        const uint8_t *l = (const uint8_t *)pairs[i][0], *r = (const uint8_t *)pairs[i][1];
        uint8_t sep[32];
        size_t n = mk_separator(l, sizes[i][0], r, sizes[i][1], sep);
        bool degenerate = sizes[i][1] == sizes[i][0] + 1 && memcmp(l, r, sizes[i][0]) == 0 && r[sizes[i][0]] == 0;
        CHECK(key_cmp(sep, n, l, sizes[i][0]) > 0);
        CHECK(degenerate ? key_cmp(sep, n, r, sizes[i][1]) == 0 : key_cmp(sep, n, r, sizes[i][1]) < 0);
    }
    for (int round = 0; round < 20000; round++) {
        uint8_t a[6], b[6], sep[16];
        size_t an = rng() % 6, bn = rng() % 6;
        for (size_t k = 0; k < 6; k++) {
            a[k] = (uint8_t)(rng() % 3 ? rng() % 4 : 0xFF);
            b[k] = (uint8_t)(rng() % 3 ? rng() % 4 : 0xFF);
        }
        if (key_cmp(a, an, b, bn) > 0) {
            uint8_t t[6];
            memcpy(t, a, 6), memcpy(a, b, 6), memcpy(b, t, 6);
            size_t tn = an;
            an = bn, bn = tn;
        }
        if (key_cmp(a, an, b, bn) == 0)
            continue;
        size_t n = mk_separator(a, an, b, bn, sep);
        bool degenerate = bn == an + 1 && memcmp(a, b, an) == 0 && b[an] == 0;
        CHECK(key_cmp(sep, n, a, an) > 0);
        CHECK(degenerate ? key_cmp(sep, n, b, bn) == 0 : key_cmp(sep, n, b, bn) < 0);
    }
}

int main(void)
{
    test_separators();
    char *json = make_description(40, 3, true);
    mk_description d = parse_description(json);
    CHECK(d.job_count == 40);
    test_every_layout(&d);
    test_reserved_tags_and_state(&d);
    test_multi_chunk_blobs(&d);
    mk_description_free(&d);
    test_deleted_jobs(json);
    test_orphan_file();
    test_determinism(json);
    test_big_trees();
    free(json);
    return check_exit();
}
