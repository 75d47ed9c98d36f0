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
#include "util/growable.h"
#include "util/reader.h"
#include "util/text.h"

enum {
    PAGE_LOADED = 0x1,     /* non-zero page with a usable header */
    PAGE_REACHED = 0x2,    /* some tree of the catalog reaches it */
    PAGE_EMPTY = 0x4,      /* flag 0x8: emptied page */
};

typedef struct byte_range {
    size_t start, end;
    size_t reach;              /* largest end of this range and those before it in its list */
} byte_range;

typedef struct range_list {
    byte_range *items;
    size_t count, capacity;
} range_list;

typedef struct lid_set {
    uint64_t *lids;
    size_t count, capacity;
    bool sorted;               /* lids sorted (lookups are binary searches) */
} lid_set;

typedef struct ese_carver {
    carve_session *session;
    ese_db *db;
    const char *label;
    bp_arena scratch;
    bp_arena value;            /* the long value read last (read_long_value) */
    uint8_t *pages;            /* PAGE_* per page number */
    /* Byte ranges taken (claim / claimed). They come in any order while the
     * trees are walked, then in increasing order during each scan: those go
     * to `recent` as they come, the others wait in `pending` until the next
     * lookup sorts everything into `settled`. A lookup is a binary search in
     * `settled` and `recent`; nothing is moved per claim. */
    range_list settled, recent, pending;
    ese_table *jobs, *files;
    lid_set live_lids[2];      /* [0] Jobs, [1] Files: long values live records own */
    lid_set deleted_lids[2];   /* long values named by records flagged deleted */
    carve_finder finder;
    struct {
        uint32_t objid;
        const char *name;
    } names[64];               /* objidFDP -> tree name, cached */
    size_t name_count;
} ese_carver;

/* ---- small sets ------------------------------------------------------------------------------ */

static void lid_add(lid_set *set, uint64_t lid)
{
    if (bp_grow((void **)&set->lids, &set->capacity, set->count, sizeof(uint64_t))) {
        set->lids[set->count++] = lid;
        set->sorted = false;
    }
}

static int compare_lids(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Sets are filled while the trees are walked and asked afterwards, once per
 * long value: sorted on the first question, not scanned each time. */
static bool lid_has(lid_set *set, uint64_t lid)
{
    if (!set->sorted) {
        if (set->count > 1)
            qsort(set->lids, set->count, sizeof(uint64_t), compare_lids);
        set->sorted = true;
    }
    size_t lo = 0, hi = set->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (set->lids[mid] == lid)
            return true;
        if (set->lids[mid] < lid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static bool range_push(range_list *list, size_t start, size_t end)
{
    if (!bp_grow((void **)&list->items, &list->capacity, list->count, sizeof(byte_range)))
        return false;
    byte_range *range = &list->items[list->count];
    range->start = start;
    range->end = end;
    range->reach = list->count && list->items[list->count - 1].reach > end ? list->items[list->count - 1].reach : end;
    list->count++;
    return true;
}

static void claim(ese_carver *c, size_t start, size_t end)
{
    if (end <= start)
        return;
    range_list *recent = &c->recent;
    if (recent->count == 0 || start >= recent->items[recent->count - 1].start)
        range_push(recent, start, end);
    else
        range_push(&c->pending, start, end);
}

static int compare_ranges(const void *a, const void *b)
{
    const byte_range *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Fold `recent` and `pending` into `settled` (once per break in the order). */
static void settle(ese_carver *c)
{
    if (!c->pending.count)
        return;
    range_list *from[2] = {&c->recent, &c->pending};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < from[k]->count; i++)
            if (!range_push(&c->settled, from[k]->items[i].start, from[k]->items[i].end))
                break;  /* out of memory: those ranges are not claimed; copies are de-duplicated anyway */
        from[k]->count = 0;
    }
    range_list *all = &c->settled;
    qsort(all->items, all->count, sizeof(byte_range), compare_ranges);
    for (size_t i = 0; i < all->count; i++)
        all->items[i].reach = i && all->items[i - 1].reach > all->items[i].end ? all->items[i - 1].reach
                                                                               : all->items[i].end;
}

/* Does a range of a list sorted by start hold offset? */
static bool range_holds(const range_list *list, size_t offset)
{
    size_t lo = 0, hi = list->count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (list->items[mid].start <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    /* the ranges starting at or before offset: does any reach past it? */
    return lo > 0 && list->items[lo - 1].reach > offset;
}

static bool claimed(ese_carver *c, size_t offset)
{
    settle(c);
    return range_holds(&c->settled, offset) || range_holds(&c->recent, offset);
}

static void scratch_reset(ese_carver *c)
{
    bp_arena_free(&c->scratch);
    bp_arena_init(&c->scratch);
}

/* ---- which pages the trees reach ---------------------------------------------------------------- */

static void reach_tree(ese_carver *c, uint32_t root, uint32_t objid)
{
    ese_db *db = c->db;
    if (!root || root > db->page_count)
        return;
    uint32_t *stack = NULL;
    size_t count = 0, capacity = 0;
    if (!bp_grow((void **)&stack, &capacity, count, sizeof(uint32_t)))
        return;
    stack[count++] = root;
    while (count) {
        uint32_t pgno = stack[--count];
        if (!pgno || pgno > db->page_count || (c->pages[pgno] & PAGE_REACHED))
            continue;
        ese_page page;
        if (!(c->pages[pgno] & PAGE_LOADED) || !ese_page_load(db, pgno, &page))
            continue;
        if (objid == 0)
            objid = page.objid;
        if (page.objid != objid || (page.flags & ESE_PAGE_EMPTY))
            continue;
        c->pages[pgno] |= PAGE_REACHED;
        if (page.flags & ESE_PAGE_LEAF)
            continue;
        ese_node node;
        for (uint16_t itag = page.reserved_tags; itag < page.tag_count; itag++) {
            if (!ese_page_node(&page, itag, &node) || node.data_size < 4 || (node.flags & ESE_NODE_DELETED))
                continue;
            if (!bp_grow((void **)&stack, &capacity, count, sizeof(uint32_t)))
                break;
            stack[count++] = bp_le32(node.data);
        }
    }
    free(stack);
}

static void classify_pages(ese_carver *c)
{
    ese_db *db = c->db;
    for (uint32_t pgno = 1; pgno <= db->page_count; pgno++) {
        ese_page page;
        if (!ese_page_load(db, pgno, &page))
            continue;
        c->pages[pgno] |= PAGE_LOADED;
        if (page.flags & ESE_PAGE_EMPTY)
            c->pages[pgno] |= PAGE_EMPTY;
    }
    reach_tree(c, 4, 2);   /* MSysObjects */
    reach_tree(c, 24, 3);  /* MSysObjectsShadow */
    for (size_t t = 0; t < db->catalog.table_count; t++) {
        const ese_table *table = &db->catalog.tables[t];
        reach_tree(c, table->root_pgno, table->objid);
        reach_tree(c, table->lv_root_pgno, table->lv_objid);
        for (size_t i = 0; i < table->index_count; i++)
            reach_tree(c, table->indexes[i].root_pgno, table->indexes[i].objid);
    }
}

/* ---- where a byte sits ----------------------------------------------------------------------------- */

typedef struct spot {
    uint32_t pgno;             /* 0: outside the database pages */
    uint32_t tag;              /* tag or stale slot holding it, 0 none */
    bool stale_tag;
    size_t node_end;           /* file offset where that node ends (0: unknown) */
    size_t page_end;           /* file offset where the page ends */
    const char *table;
} spot;

static const char *table_name_of(ese_carver *c, uint32_t objid)
{
    for (size_t i = 0; i < c->name_count; i++)
        if (c->names[i].objid == objid)
            return c->names[i].name;
    const char *name = "";
    const ese_catalog *catalog = &c->db->catalog;
    for (size_t t = 0; t < catalog->table_count; t++) {
        const ese_table *table = &catalog->tables[t];
        if (table->objid == objid)
            name = table->name;
        else if (table->lv_objid == objid)
            name = bp_arena_printf(c->db->arena, "%s LV", table->name);
        if (!name)
            name = "";
        if (name[0])
            break;
    }
    if (c->name_count < sizeof(c->names) / sizeof(c->names[0])) {
        c->names[c->name_count].objid = objid;
        c->names[c->name_count].name = name;
        c->name_count++;
    }
    return name;
}

static spot locate(ese_carver *c, size_t offset)
{
    spot where;
    memset(&where, 0, sizeof(where));
    where.table = "";
    const ese_db *db = c->db;
    size_t file_page = offset / db->page_size;
    where.page_end = (file_page + 1) * db->page_size;
    if (where.page_end > db->size)
        where.page_end = db->size;
    if (file_page < 2 || file_page - 1 > db->page_count)
        return where;
    where.pgno = (uint32_t)(file_page - 1);
    ese_page page;
    if (!ese_page_load(db, where.pgno, &page))
        return where;
    where.table = table_name_of(c, page.objid);
    size_t in_page = offset % db->page_size;
    size_t page_start = file_page * db->page_size;
    uint32_t max_slots = (page.size - page.header_size) / 4;
    for (uint32_t i = 0; i < max_slots; i++) {
        uint16_t tag_offset, tag_size;
        if (!ese_page_tag_slot(&page, i, &tag_offset, &tag_size))
            break;
        bool live = i < page.tag_count;
        if (!live) {
            size_t slot_at = page.size - 4u * (i + 1u);
            if (tag_size == 0 || page.header_size + (size_t)tag_offset + tag_size > slot_at)
                break;  /* the first implausible stale slot ends the old tag array */
        }
        size_t start = page.header_size + (size_t)tag_offset;
        if (i >= page.reserved_tags && in_page >= start && in_page < start + tag_size) {
            where.tag = i;
            where.stale_tag = !live;
            /* a live tag's size comes from the file: node_end is bounded by the
             * page, since callers search up to it (bug carve-node-end-overread) */
            where.node_end = page_start + start + tag_size;
            if (where.node_end > where.page_end)
                where.node_end = where.page_end;
            return where;
        }
    }
    return where;
}

static carve_how how_of_blob(const ese_carver *c, const spot *where)
{
    if (!where->pgno)
        return CARVE_HOW_RAW_MARKER;
    if (c->pages[where->pgno] & PAGE_EMPTY)
        return CARVE_HOW_EMPTY_PAGE;
    if (!(c->pages[where->pgno] & PAGE_REACHED))
        return CARVE_HOW_UNREACHABLE_PAGE;
    if (where->stale_tag)
        return CARVE_HOW_STALE_TAG;
    return CARVE_HOW_RAW_MARKER;
}

static carve_how how_of_record(const ese_carver *c, const spot *where)
{
    if (where->pgno && (c->pages[where->pgno] & PAGE_EMPTY))
        return CARVE_HOW_EMPTY_PAGE;
    if (where->pgno && !(c->pages[where->pgno] & PAGE_REACHED))
        return CARVE_HOW_UNREACHABLE_PAGE;
    return CARVE_HOW_STALE_RECORD;
}

static carve_place make_place(const ese_carver *c, carve_how how, const spot *where, size_t offset, size_t size)
{
    carve_place place;
    memset(&place, 0, sizeof(place));
    place.how = how;
    place.path = c->label;
    place.format = "ese";
    place.table = where ? where->table : "";
    place.page = where ? where->pgno : 0;
    place.tag = where ? where->tag : 0;
    place.offset = offset;
    place.size = (uint32_t)size;
    return place;
}

static size_t offset_in_file(const ese_carver *c, const uint8_t *p) { return (size_t)(p - c->db->data); }

/* ---- long values, deleted chunks included ------------------------------------------------------- */


/* Long value `lid` with the chunks flagged deleted taken too (the nodes of a
 * deleted value may keep the flag). The bytes live until the next call. */
static bool read_long_value(ese_carver *c, ese_table *table, uint64_t lid, const uint8_t **data, size_t *size,
                            const char **problem)
{
    bp_arena_free(&c->value);
    bp_arena_init(&c->value);
    return ese_lv_read_into(c->db, table, lid, true, &c->value, data, size, problem);
}

/* A record (flagged deleted, or stale) whose long value holds the blob of the
 * job it names: one more place of that version, as a reference (size 0). */
static bool job_reference(ese_carver *c, uint64_t lid, const char *id, const carve_place *place)
{
    if (!c->jobs)
        return false;
    const uint8_t *bytes;
    size_t size;
    const char *problem;
    if (!read_long_value(c, c->jobs, lid, &bytes, &size, &problem) || size < 0x30)
        return false;
    char blob_id[37];
    bp_guid_format(bytes + 0x20, blob_id);
    if (strcmp(blob_id, id) != 0)
        return false;
    scratch_reset(c);
    char missing[256];
    bp_job *job = bits_decode_job(&c->scratch, bytes, size);
    carve_verdict verdict = job ? carve_check_job(job, bytes, size, missing, sizeof(missing)) : CARVE_REJECT;
    if (verdict == CARVE_REJECT)
        return true;  /* the id matches; the blob itself is not worth a record */
    if (problem && verdict == CARVE_FULL)
        verdict = CARVE_PARTIAL;
    carve_place reference = *place;
    reference.lid = lid;
    reference.size = 0;
    carve_session_add_job(c->session, bytes, size, false, verdict, missing, &reference);
    return true;
}

/* ---- step 1: the Jobs and Files trees, deleted nodes included -------------------------------------- */

typedef struct tree_walk {
    ese_carver *c;
    ese_table *table;
    int which;                 /* 0 Jobs, 1 Files */
    uint32_t id_column, blob_column;
} tree_walk;

static bool visit_record(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    tree_walk *w = context;
    ese_carver *c = w->c;
    size_t start = node->file_offset;
    size_t end = offset_in_file(c, node->data) + node->data_size;
    claim(c, start, end);
    bool deleted = (node->flags & ESE_NODE_DELETED) != 0;
    ese_record record;
    if (!ese_record_open(&record, node->data, node->data_size))
        return true;
    ese_column_value id_value, blob_value;
    const char *problem;
    char id[37] = "";
    if (ese_record_get(c->db, w->table, &record, w->id_column, &id_value, &problem) && id_value.present &&
        id_value.values[0].size == 16)
        bp_guid_format(id_value.values[0].data, id);
    if (!ese_record_get(c->db, w->table, &record, w->blob_column, &blob_value, &problem) || !blob_value.present)
        return true;
    const ese_value *blob = &blob_value.values[0];
    if (!deleted) {
        if (blob->separated)
            lid_add(&c->live_lids[w->which], blob->lid);
        if (blob->data && blob->size)
            carve_session_live_blob(c->session, w->which == 0, false, blob->data, blob->size);
        return true;
    }
    /* a record flagged deleted */
    spot where = locate(c, start);
    carve_place place = make_place(c, CARVE_HOW_DELETED_FLAG, &where, start, blob->size);
    if (blob->separated) {
        lid_add(&c->deleted_lids[w->which], blob->lid);
        place.lid = blob->lid;
        if (w->which == 1 && id[0]) {
            carve_place named = place;  /* a record naming the blob, not a copy of it */
            named.size = 0;
            carve_session_file_lid(c->session, c->label, blob->lid, id);
            carve_session_file_id(c->session, id, &named);
        }
        if (w->which == 0 && id[0] && !job_reference(c, blob->lid, id, &place))
            carve_session_job_id(c->session, id, &place);
        return true;
    }
    if (!blob->data || !blob->size)
        return true;
    place.offset = offset_in_file(c, blob->data);
    char missing[256];
    if (w->which == 0) {
        bp_job *job = bits_decode_job(&c->scratch, blob->data, blob->size);
        carve_verdict verdict = job ? carve_check_job(job, blob->data, blob->size, missing, sizeof(missing))
                                    : CARVE_REJECT;
        if (verdict != CARVE_REJECT)
            carve_session_add_job(c->session, blob->data, blob->size, false, verdict, missing, &place);
        else if (id[0])
            carve_session_job_id(c->session, id, &place);
    } else {
        bp_file *file = bits_decode_file(&c->scratch, blob->data, blob->size);
        carve_verdict verdict = file ? carve_check_file(file, blob->data, blob->size, BITS_GUID_SIZE, missing,
                                                        sizeof(missing))
                                     : CARVE_REJECT;
        if (verdict != CARVE_REJECT)
            carve_session_add_file(c->session, blob->data, blob->size, false, id, verdict, missing, &place);
        else if (id[0]) {
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
        size_t start = offset_in_file(c, store->chunks[i].data);
        claim(c, start, start + store->chunks[i].size);
    }
}

static size_t first_chunk_offset(const ese_carver *c, const ese_lv_store *store, uint64_t lid)
{
    size_t first, end;
    ese_lv_chunk_span(store, lid, &first, &end);
    for (size_t i = first; i < end; i++)
        if (store->chunks[i].offset == 0 && !store->chunks[i].deleted)
            return offset_in_file(c, store->chunks[i].data);
    return first < end ? offset_in_file(c, store->chunks[first].data) : 0;
}

static void carve_long_value(ese_carver *c, ese_table *table, int which, const ese_lv_store *store, uint64_t lid,
                             const ese_lv_root *root)
{
    claim_chunks(c, store, lid);
    if (lid_has(&c->live_lids[which], lid))
        return;
    const uint8_t *bytes;
    size_t size;
    const char *problem;
    if (!read_long_value(c, table, lid, &bytes, &size, &problem) || !size)
        return;
    scratch_reset(c);
    char missing[256];
    carve_verdict verdict;
    if (which == 0) {
        bp_job *job = bits_decode_job(&c->scratch, bytes, size);
        verdict = job ? carve_check_job(job, bytes, size, missing, sizeof(missing)) : CARVE_REJECT;
    } else {
        bp_file *file = bits_decode_file(&c->scratch, bytes, size);
        verdict = file ? carve_check_file(file, bytes, size, BITS_GUID_SIZE, missing, sizeof(missing)) : CARVE_REJECT;
    }
    if (verdict == CARVE_REJECT)
        return;
    if (problem && verdict == CARVE_FULL)
        verdict = CARVE_PARTIAL;
    if (problem && !missing[0])
        snprintf(missing, sizeof(missing), "%s", problem);
    bool deleted = (root && root->deleted) || lid_has(&c->deleted_lids[which], lid);
    spot where;
    memset(&where, 0, sizeof(where));
    where.pgno = root ? root->pgno : 0;
    where.tag = root ? root->itag : 0;
    where.table = table_name_of(c, table->lv_objid);
    carve_place place = make_place(c, deleted ? CARVE_HOW_DELETED_FLAG : CARVE_HOW_ORPHAN_LV, &where,
                                   first_chunk_offset(c, store, lid), size);
    place.lid = lid;
    if (which == 0)
        carve_session_add_job(c->session, bytes, size, false, verdict, missing, &place);
    else
        carve_session_add_file(c->session, bytes, size, false, "", verdict, missing, &place);
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
    scratch_reset(c);
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
    bp_reader r = bp_reader_make(db->data, db->size);
    bp_reader_seek(&r, at + 4);
    const uint8_t *id_bytes = bp_read_bytes(&r, 16);
    const uint8_t *mid = bp_read_bytes(&r, sizeof(middle));
    uint8_t header = bp_read_u8(&r);
    if (r.failed || memcmp(mid, middle, sizeof(middle)) != 0 || bp_guid_is_zero(id_bytes))
        return;
    char id[37];
    bp_guid_format(id_bytes, id);
    spot where = locate(c, at);
    carve_place place = make_place(c, how_of_record(c, &where), &where, at, 0);
    const char *table = where.table;
    int which = strcmp(table, "Jobs") == 0 ? 0 : strcmp(table, "Files") == 0 ? 1 : -1;
    if ((header & 0x07) == 0x05) {
        /* separated: an 8-byte LID has its top bit set, else it is a 4-byte one */
        size_t lid_at = r.pos;
        uint64_t lid = bp_read_u64(&r);
        if (r.failed || !(lid >> 63)) {
            bp_reader short_lid = bp_reader_make(db->data, db->size);
            bp_reader_seek(&short_lid, lid_at);
            lid = bp_read_u32(&short_lid);
            if (short_lid.failed)
                return;
            r = short_lid;
        }
        claim(c, at, r.pos);
        place.lid = lid;
        if (which == 0) {
            if (!job_reference(c, lid, id, &place))
                carve_session_job_id(c->session, id, &place);
        } else if (which < 0) {
            job_reference(c, lid, id, &place);
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
    bp_reader m = bp_reader_make(db->data, db->size);
    bp_reader_seek(&m, blob_at);
    const uint8_t *marker = bp_read_bytes(&m, BITS_GUID_SIZE);
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
    claim(c, at, blob_at + cand.length);
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
        size_t base = offset_in_file(c, bytes);
        for (size_t i = 0; i + 34 <= db->page_size;) {
            const uint8_t *p = memchr(bytes + i, signature[0], db->page_size - 34 - i + 1);
            if (!p)
                break;
            i = (size_t)(p - bytes);
            if (memcmp(p, signature, sizeof(signature)) == 0 && !claimed(c, base + i))
                stale_record(c, base + i);
            i++;
        }
    }
}

/* ---- step 4: markers anywhere else ---------------------------------------------------------------- */

static bool raw_hit(void *context, size_t offset, const carve_needle *needle)
{
    ese_carver *c = context;
    if (claimed(c, offset))
        return true;
    spot where = locate(c, offset);
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
    carve_place place = make_place(c, how_of_blob(c, &where), &where, offset, cand.length);
    claim(c, offset, offset + cand.length);
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
    bp_arena_init(&c.scratch);
    bp_arena_init(&c.value);
    c.pages = calloc((size_t)db->page_count + 1, 1);
    if (!c.pages) {
        bp_arena_free(&c.scratch);
        return;
    }
    carve_session_live_records(session, live_first, live_end);
    c.jobs = ese_catalog_find(&db->catalog, "Jobs");
    c.files = ese_catalog_find(&db->catalog, "Files");
    classify_pages(&c);
    walk_table(&c, c.files, 1);
    walk_table(&c, c.jobs, 0);
    carve_lv_tree(&c, c.jobs, 0);
    carve_lv_tree(&c, c.files, 1);
    scan_records(&c);
    carve_finder_init(&c.finder, CARVE_FIND_JOBS | CARVE_FIND_FILES);
    carve_finder_run(&c.finder, db->data, db->size, 0, db->size, raw_hit, &c);
    bp_arena_free(&c.scratch);
    bp_arena_free(&c.value);
    free(c.pages);
    free(c.settled.items);
    free(c.recent.items);
    free(c.pending.items);
    for (int i = 0; i < 2; i++) {
        free(c.live_lids[i].lids);
        free(c.deleted_lids[i].lids);
    }
}
