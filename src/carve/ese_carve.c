/* Carving inside a qmgr.db (ese-format §11, bits-format §7): everything the
 * live read does not reach, most reliable first — deleted nodes of the Jobs
 * and Files trees, long values no live record owns, stale records in page
 * free space, then BITS markers anywhere else (stale tag slots, emptied and
 * unreachable pages, free space). Candidates go to the carve session. */
#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "bits/markers.h"
#include "carve/carve.h"
#include "carve/marker_finder.h"
#include "ese/btree.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "ese/page.h"
#include "ese/record.h"
#include "util/reader.h"
#include "util/text.h"
#include "carve/ese_carve_internal.h"

/* ---- step 1: the Jobs and Files trees, deleted nodes included -------------------------------------- */

typedef struct tree_walk {
    ese_carver *c;
    ese_table *table;
    int which;                 /* 0 Jobs, 1 Files */
    uint32_t id_column, blob_column;
} tree_walk;

static bool visit_record_in(tree_walk *w, const ese_node *node);

static bool visit_record(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    tree_walk *w = context;
    /* a long value read here is needed only while its record is looked at (the
     * session copies what it keeps): one arena per record, or the bytes of every
     * live long value stayed in the result's arena to the end */
    util_arena value_bytes;
    util_arena_init(&value_bytes);
    ese_db *db = w->c->db;
    util_arena *before = db->value_arena, *long_lived = db->arena;
    db->value_arena = &value_bytes;
    /* the column values' arrays too (they went to db->arena, which lasts as
     * long as the result: 3 MB per 10 000 jobs), unless the table's long-value
     * index may still be built now, in db->arena, as qmgr_db.c decides */
    if (w->table->lv || !w->table->lv_root_pgno)
        db->arena = &value_bytes;
    bool go_on = visit_record_in(w, node);
    db->value_arena = before;
    db->arena = long_lived;
    util_arena_free(&value_bytes);
    return go_on;
}

/* The bytes of a live long value where the file holds them, when it is one
 * whole, uncompressed chunk (a blob of a few KiB on large pages): the session
 * may then point into the input's mapping instead of copying the reassembled
 * value. Else the reassembled bytes themselves. */
static const uint8_t *live_value_in_file(ese_carver *c, ese_table *table, const ese_value *blob)
{
    const ese_lv_store *store = ese_table_lv_store(c->db, table);
    if (!store)
        return blob->data;
    size_t first, end;
    ese_lv_chunk_span(store, blob->lid, &first, &end);
    if (end - first != 1)
        return blob->data;
    const ese_lv_chunk *chunk = &store->chunks[first];
    if (chunk->deleted || chunk->offset != 0 || chunk->size != blob->size || memcmp(chunk->data, blob->data, blob->size) != 0)
        return blob->data;
    return chunk->data;
}

static bool visit_record_in(tree_walk *w, const ese_node *node)
{
    ese_carver *c = w->c;
    size_t start = node->file_offset;
    size_t end = carve_ese_offset_in_file(c, node->data) + node->data_size;
    carve_ese_claim(c, start, end);
    bool deleted = (node->flags & ESE_NODE_DELETED) != 0;
    ese_record record;
    if (!ese_record_open(&record, node->data, node->data_size))
        return true;
    ese_column_value id_value, blob_value;
    const char *problem;
    char id[37] = "";
    if (ese_record_get(c->db, w->table, &record, w->id_column, &id_value, &problem) && id_value.present &&
        id_value.values[0].size == 16)
        util_guid_format(id_value.values[0].data, id);
    if (!ese_record_get(c->db, w->table, &record, w->blob_column, &blob_value, &problem) || !blob_value.present)
        return true;
    const ese_value *blob = &blob_value.values[0];
    if (!deleted) {
        if (blob->separated)
            carve_ese_lid_add(&c->live_lids[w->which], blob->lid);
        if (blob->data && blob->size)
            carve_session_live_row_blob(c->session, w->which == 0, c->label, start,
                                        blob->separated ? live_value_in_file(c, w->table, blob) : blob->data,
                                        blob->size);
        return true;
    }
    /* a record flagged deleted */
    spot where = carve_ese_locate(c, start);
    carve_place place = carve_ese_make_place(c, CARVE_HOW_DELETED_FLAG, &where, start, blob->size);
    if (blob->separated) {
        carve_ese_lid_add(&c->deleted_lids[w->which], blob->lid);
        place.lid = blob->lid;
        if (w->which == 1 && id[0]) {
            carve_place named = place;  /* a record naming the blob, not a copy of it */
            named.size = 0;
            carve_session_file_lid(c->session, c->label, blob->lid, id);
            carve_session_file_id(c->session, id, &named);
        }
        if (w->which == 0 && id[0] && !carve_ese_job_reference(c, blob->lid, id, &place))
            carve_session_job_id(c->session, id, &place);
        return true;
    }
    if (!blob->data || !blob->size)
        return true;
    place.offset = carve_ese_offset_in_file(c, blob->data);
    if (w->which == 0) {
        if (carve_ese_offer(c, true, blob->data, blob->size, NULL, false, "", &place) == CARVE_REJECT && id[0])
            carve_session_job_id(c->session, id, &place);
    } else {
        if (carve_ese_offer(c, false, blob->data, blob->size, NULL, false, id, &place) == CARVE_REJECT && id[0]) {
            carve_place named = place;  /* the record; its blob does not decode */
            named.offset = start;
            named.size = 0;
            carve_session_file_id(c->session, id, &named);
        }
    }
    return true;
}

static void walk_table(ese_carver *c, ese_table *table, int which)
{
    if (!table)
        return;
    const ese_column *id = ese_table_column_named(table, "Id");
    const ese_column *blob = ese_table_column_named(table, "Blob");
    tree_walk w = {c, table, which, id ? id->id : 1, blob ? blob->id : 256};
    ese_walk_stats stats;
    ese_btree_walk(c->db, table->root_pgno, table->objid, true, visit_record, &w, &stats);
}

/* ---- step 2: long values no live record owns ------------------------------------------------------ */

static void claim_chunks(ese_carver *c, const ese_lv_store *store, uint64_t lid)
{
    size_t first, end;
    ese_lv_chunk_span(store, lid, &first, &end);
    for (size_t i = first; i < end; i++) {
        size_t start = carve_ese_offset_in_file(c, store->chunks[i].data);
        carve_ese_claim(c, start, start + store->chunks[i].size);
    }
}

static size_t first_chunk_offset(const ese_carver *c, const ese_lv_store *store, uint64_t lid)
{
    size_t first, end;
    ese_lv_chunk_span(store, lid, &first, &end);
    for (size_t i = first; i < end; i++)
        if (store->chunks[i].offset == 0 && !store->chunks[i].deleted)
            return carve_ese_offset_in_file(c, store->chunks[i].data);
    return first < end ? carve_ese_offset_in_file(c, store->chunks[first].data) : 0;
}

static void carve_long_value(ese_carver *c, ese_table *table, int which, const ese_lv_store *store, uint64_t lid,
                             const ese_lv_root *root)
{
    claim_chunks(c, store, lid);
    if (carve_ese_lid_has(&c->live_lids[which], lid))
        return;
    const uint8_t *bytes;
    size_t size;
    const char *problem;
    if (!carve_ese_read_long_value(c, table, lid, &bytes, &size, &problem) || !size)
        return;
    bool deleted = (root && root->deleted) || carve_ese_lid_has(&c->deleted_lids[which], lid);
    spot where;
    memset(&where, 0, sizeof(where));
    where.pgno = root ? root->pgno : 0;
    where.tag = root ? root->itag : 0;
    where.table = carve_ese_table_name_of(c, table->lv_objid);
    carve_place place = carve_ese_make_place(c, deleted ? CARVE_HOW_DELETED_FLAG : CARVE_HOW_ORPHAN_LV, &where,
                                             first_chunk_offset(c, store, lid), size);
    place.lid = lid;
    carve_ese_offer(c, which == 0, bytes, size, problem, true, "", &place);
}

static void carve_lv_tree(ese_carver *c, ese_table *table, int which)
{
    if (!table)
        return;
    const ese_lv_store *store = ese_table_lv_store(c->db, table);
    if (!store)
        return;
    for (size_t i = 0; i < store->root_count; i++) {
        if (i > 0 && store->roots[i].lid == store->roots[i - 1].lid)
            continue;
        carve_long_value(c, table, which, store, store->roots[i].lid, &store->roots[i]);
    }
    /* chunks whose root is gone */
    for (size_t i = 0; i < store->chunk_count; i++) {
        uint64_t lid = store->chunks[i].lid;
        if ((i > 0 && store->chunks[i - 1].lid == lid) || ese_lv_find_root(store, lid))
            continue;
        carve_long_value(c, table, which, store, lid, NULL);
    }
}

/* ---- step 3: stale records (`01 7F 15 00` Id `FE 00 01 04 00` 05 LID | 01 blob) ------------------- */

static bool try_blob(ese_carver *c, carve_needle_kind kind, size_t bound, size_t offset, carve_candidate *cand)
{
    /* the candidate decoders read up to `bound`: never past the input, whatever
     * page or tag value the bound came from */
    if (bound > c->db->size)
        bound = c->db->size;
    carve_ese_scratch_reset(c);
    if (kind == CARVE_NEEDLE_JOB_ESE)
        return carve_try_ese_job(&c->scratch, c->db->data, bound, offset, cand);
    if (kind == CARVE_NEEDLE_JOB_LEGACY)
        return carve_try_legacy_job(&c->scratch, c->db->data, bound, offset, cand);
    if (kind == CARVE_NEEDLE_FILE)
        return carve_try_ese_file(&c->scratch, c->db->data, bound, offset, cand);
    return false;
}

static void stale_record(ese_carver *c, size_t at)
{
    static const uint8_t middle[5] = {0xFE, 0x00, 0x01, 0x04, 0x00};
    const ese_db *db = c->db;
    util_reader r = util_reader_make(db->data, db->size);
    util_reader_seek(&r, at + 4);
    const uint8_t *id_bytes = util_read_bytes(&r, 16);
    const uint8_t *mid = util_read_bytes(&r, sizeof(middle));
    uint8_t header = util_read_u8(&r);
    if (r.failed || memcmp(mid, middle, sizeof(middle)) != 0 || util_guid_is_zero(id_bytes))
        return;
    char id[37];
    util_guid_format(id_bytes, id);
    spot where = carve_ese_locate(c, at);
    carve_place place = carve_ese_make_place(c, carve_ese_how_of_record(c, &where), &where, at, 0);
    const char *table = where.table;
    int which = strcmp(table, "Jobs") == 0 ? 0 : strcmp(table, "Files") == 0 ? 1 : -1;
    if ((header & 0x07) == 0x05) {
        /* separated: an 8-byte LID has its top bit set, else it is a 4-byte one */
        size_t lid_at = r.pos;
        uint64_t lid = util_read_u64(&r);
        if (r.failed || !(lid >> 63)) {
            util_reader short_lid = util_reader_make(db->data, db->size);
            util_reader_seek(&short_lid, lid_at);
            lid = util_read_u32(&short_lid);
            if (short_lid.failed)
                return;
            r = short_lid;
        }
        carve_ese_claim(c, at, r.pos);
        place.lid = lid;
        if (which == 0) {
            if (!carve_ese_job_reference(c, lid, id, &place))
                carve_session_job_id(c->session, id, &place);
        } else if (which < 0) {
            carve_ese_job_reference(c, lid, id, &place);
        } else {
            carve_session_file_lid(c->session, c->label, lid, id);
            carve_session_file_id(c->session, id, &place);
        }
        return;
    }
    if (header != 0x01)
        return;
    /* an inline blob follows: it ends with the node a tag (live or stale) gives,
     * else with the page */
    size_t blob_at = r.pos;
    size_t bound = where.node_end > blob_at ? where.node_end : where.page_end;
    util_reader m = util_reader_make(db->data, db->size);
    util_reader_seek(&m, blob_at);
    const uint8_t *marker = util_read_bytes(&m, BITS_GUID_SIZE);
    if (!marker || bound <= blob_at)
        return;
    bool is_file = memcmp(marker, bits_file_marker, BITS_GUID_SIZE) == 0;
    if (!is_file && !bits_is_job_marker(marker))
        return;
    carve_needle_kind kind = is_file ? CARVE_NEEDLE_FILE : CARVE_NEEDLE_JOB_ESE;
    carve_candidate cand;
    bool ok = try_blob(c, kind, bound, blob_at, &cand);
    if ((!ok || cand.verdict != CARVE_FULL) && bound < where.page_end) {
        carve_candidate wide;
        if (try_blob(c, kind, where.page_end, blob_at, &wide) && wide.verdict == CARVE_FULL) {
            cand = wide;
            ok = true;
        }
    }
    if (!ok)
        return;
    place.offset = blob_at;
    place.size = (uint32_t)cand.length;
    carve_ese_claim(c, at, blob_at + cand.length);
    if (is_file)
        carve_session_add_file(c->session, db->data + blob_at, cand.length, false, id, cand.verdict, cand.missing,
                               &place);
    else
        carve_session_add_job(c->session, db->data + blob_at, cand.length, false, cand.verdict, cand.missing,
                              &place);
}

static void scan_records(ese_carver *c)
{
    static const uint8_t signature[4] = {0x01, 0x7F, 0x15, 0x00};
    const ese_db *db = c->db;
    for (uint32_t pgno = 1; pgno <= db->page_count; pgno++) {
        if (!(c->pages[pgno] & PAGE_LOADED))
            continue;
        const uint8_t *bytes = ese_db_page_bytes(db, pgno);
        if (!bytes)
            continue;
        size_t base = carve_ese_offset_in_file(c, bytes);
        for (size_t i = 0; i + 34 <= db->page_size;) {
            const uint8_t *p = memchr(bytes + i, signature[0], db->page_size - 34 - i + 1);
            if (!p)
                break;
            i = (size_t)(p - bytes);
            if (memcmp(p, signature, sizeof(signature)) == 0 && !carve_ese_claimed(c, base + i))
                stale_record(c, base + i);
            i++;
        }
    }
}

/* ---- step 4: markers anywhere else ---------------------------------------------------------------- */

static bool raw_hit(void *context, size_t offset, const carve_needle *needle)
{
    ese_carver *c = context;
    if (carve_ese_claimed(c, offset))
        return true;
    spot where = carve_ese_locate(c, offset);
    size_t bound = where.node_end ? where.node_end : where.page_end;
    if (bound <= offset)
        bound = c->db->size;
    carve_candidate cand;
    bool ok = try_blob(c, needle->kind, bound, offset, &cand);
    if ((!ok || cand.verdict != CARVE_FULL) && bound < where.page_end) {
        /* a stale slot may describe an older node than the one now there */
        carve_candidate wide;
        if (try_blob(c, needle->kind, where.page_end, offset, &wide) && wide.verdict == CARVE_FULL) {
            cand = wide;
            ok = true;
        }
    }
    if (!ok)
        return true;
    bool is_job = needle->kind != CARVE_NEEDLE_FILE;
    carve_place place = carve_ese_make_place(c, carve_ese_how_of_blob(c, &where), &where, offset, cand.length);
    carve_ese_claim(c, offset, offset + cand.length);
    const uint8_t *blob = c->db->data + offset;
    if (is_job)
        carve_session_add_job(c->session, blob, cand.length, cand.legacy, cand.verdict, cand.missing, &place);
    else
        carve_session_add_file(c->session, blob, cand.length, false, cand.file_id, cand.verdict, cand.missing,
                               &place);
    return true;
}

void carve_ese_collect(carve_session *session, ese_db *db, const char *label, size_t live_first, size_t live_end)
{
    ese_carver c;
    memset(&c, 0, sizeof(c));
    c.session = session;
    c.db = db;
    c.label = label;
    util_arena_init(&c.scratch);
    util_arena_init(&c.value);
    c.pages = calloc((size_t)db->page_count + 1, 1);
    if (!c.pages) {
        util_arena_free(&c.scratch);
        return;
    }
    carve_session_live_records(session, live_first, live_end);
    c.jobs = ese_catalog_find(&db->catalog, "Jobs");
    c.files = ese_catalog_find(&db->catalog, "Files");
    carve_ese_classify_pages(&c);
    walk_table(&c, c.files, 1);
    walk_table(&c, c.jobs, 0);
    carve_lv_tree(&c, c.jobs, 0);
    carve_lv_tree(&c, c.files, 1);
    scan_records(&c);
    carve_finder_init(&c.finder, CARVE_FIND_JOBS | CARVE_FIND_FILES);
    carve_finder_run_all(&c.finder, db->data, db->size, raw_hit, &c);
    util_arena_free(&c.scratch);
    util_arena_free(&c.value);
    free(c.pages);
    free(c.settled.items);
    free(c.recent.items);
    free(c.pending.items);
    for (int i = 0; i < 2; i++) {
        free(c.live_lids[i].lids);
        free(c.deleted_lids[i].lids);
    }
}
