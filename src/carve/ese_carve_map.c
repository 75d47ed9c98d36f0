/* The map of a qmgr.db the carver works from: the byte ranges already
 * claimed, the lids seen, which pages the trees reach, where a byte sits
 * (table, page, tag), and long values read with their deleted chunks. */
#include "carve/ese_carve_internal.h"
#include <stdio.h>
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

/* ---- small sets ------------------------------------------------------------------------------ */

void carve_ese_lid_add(lid_set *set, uint64_t lid)
{
    if (util_grow((void **)&set->lids, &set->capacity, set->count, sizeof(uint64_t))) {
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
bool carve_ese_lid_has(lid_set *set, uint64_t lid)
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
    if (!util_grow((void **)&list->items, &list->capacity, list->count, sizeof(byte_range)))
        return false;
    byte_range *range = &list->items[list->count];
    range->start = start;
    range->end = end;
    range->reach = list->count && list->items[list->count - 1].reach > end ? list->items[list->count - 1].reach : end;
    list->count++;
    return true;
}

void carve_ese_claim(ese_carver *c, size_t start, size_t end)
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

static void set_reach(range_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        list->items[i].reach = i && list->items[i - 1].reach > list->items[i].end ? list->items[i - 1].reach
                                                                                  : list->items[i].end;
}

/* The old way: everything appended to `settled` and sorted again (what is
 * left when there is no memory for a merge). */
static void settle_by_sorting(ese_carver *c)
{
    range_list *from[2] = {&c->recent, &c->pending};
    for (int k = 0; k < 2; k++) {
        for (size_t i = 0; i < from[k]->count; i++)
            if (!range_push(&c->settled, from[k]->items[i].start, from[k]->items[i].end))
                break;  /* out of memory: those ranges are not claimed; copies are de-duplicated anyway */
        from[k]->count = 0;
    }
    range_list *all = &c->settled;
    qsort(all->items, all->count, sizeof(byte_range), compare_ranges);
    set_reach(all);
}

/* Fold `recent` and `pending` into `settled` (once per break in the order).
 * `settled` and `recent` are in order already: only `pending` is sorted, then
 * the three are merged (sorting all of them was 33 M instructions for the
 * 10 000-job queue's 70 000 ranges). Ranges with the same start may come in
 * any order: a lookup reads only the largest end up to a start (`reach`). */
static void settle(ese_carver *c)
{
    if (!c->pending.count)
        return;
    range_list *lists[3] = {&c->settled, &c->recent, &c->pending};
    size_t total = c->settled.count + c->recent.count + c->pending.count;
    byte_range *merged = malloc(total * sizeof(byte_range));
    if (!merged) {
        settle_by_sorting(c);
        return;
    }
    qsort(c->pending.items, c->pending.count, sizeof(byte_range), compare_ranges);
    size_t at[3] = {0, 0, 0};
    for (size_t n = 0; n < total; n++) {
        int pick = -1;
        for (int k = 0; k < 3; k++)
            if (at[k] < lists[k]->count &&
                (pick < 0 || lists[k]->items[at[k]].start < lists[pick]->items[at[pick]].start))
                pick = k;
        merged[n] = lists[pick]->items[at[pick]++];
    }
    free(c->settled.items);
    c->settled.items = merged;
    c->settled.count = c->settled.capacity = total;
    c->recent.count = c->pending.count = 0;
    set_reach(&c->settled);
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

bool carve_ese_claimed(ese_carver *c, size_t offset)
{
    settle(c);
    return range_holds(&c->settled, offset) || range_holds(&c->recent, offset);
}

void carve_ese_scratch_reset(ese_carver *c)
{
    util_arena_free(&c->scratch);
    util_arena_init(&c->scratch);
}

/* ---- which pages the trees reach ---------------------------------------------------------------- */

static void reach_tree(ese_carver *c, uint32_t root, uint32_t objid)
{
    ese_db *db = c->db;
    if (!root || root > db->page_count)
        return;
    uint32_t *stack = NULL;
    size_t count = 0, capacity = 0;
    if (!util_grow((void **)&stack, &capacity, count, sizeof(uint32_t)))
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
            if (!util_grow((void **)&stack, &capacity, count, sizeof(uint32_t)))
                break;
            stack[count++] = util_le32(node.data);
        }
    }
    free(stack);
}

void carve_ese_classify_pages(ese_carver *c)
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

const char *carve_ese_table_name_of(ese_carver *c, uint32_t objid)
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
            name = util_arena_printf(carve_session_arena(c->session), "%s LV", table->name);
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

spot carve_ese_locate(ese_carver *c, size_t offset)
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
    where.table = carve_ese_table_name_of(c, page.objid);
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

carve_how carve_ese_how_of_blob(const ese_carver *c, const spot *where)
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

carve_how carve_ese_how_of_record(const ese_carver *c, const spot *where)
{
    if (where->pgno && (c->pages[where->pgno] & PAGE_EMPTY))
        return CARVE_HOW_EMPTY_PAGE;
    if (where->pgno && !(c->pages[where->pgno] & PAGE_REACHED))
        return CARVE_HOW_UNREACHABLE_PAGE;
    return CARVE_HOW_STALE_RECORD;
}

carve_place carve_ese_make_place(const ese_carver *c, carve_how how, const spot *where, size_t offset, size_t size)
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

size_t carve_ese_offset_in_file(const ese_carver *c, const uint8_t *p) { return (size_t)(p - c->db->data); }

/* ---- long values, deleted chunks included ------------------------------------------------------- */

/* Long value `lid` with the chunks flagged deleted taken too (the nodes of a
 * deleted value may keep the flag). The bytes live until the next call. */
bool carve_ese_read_long_value(ese_carver *c, ese_table *table, uint64_t lid, const uint8_t **data, size_t *size,
                               const char **problem)
{
    util_arena_free(&c->value);
    util_arena_init(&c->value);
    return ese_lv_read_into(c->db, table, lid, true, &c->value, data, size, problem);
}

carve_verdict carve_ese_offer(ese_carver *c, bool is_job, const uint8_t *bytes, size_t size, const char *problem,
                              bool problem_is_missing, const char *file_id, const carve_place *place)
{
    carve_session *s = c->session;
    carve_known known = carve_session_known(s, is_job, bytes, size);
    if (known == CARVE_KNOWN_CARVED) {  /* its verdict was given when it was found */
        if (is_job)
            carve_session_add_job(s, bytes, size, false, CARVE_FULL, "", place);
        else
            carve_session_add_file(s, bytes, size, false, file_id, CARVE_FULL, "", place);
        return CARVE_FULL;
    }
    /* a new version is decoded straight into the result, once (a rejected blob
     * leaves its decode there, rare for blobs of the Jobs and Files tables);
     * a copy of a live blob only needs the verdict */
    util_arena *arena = &c->scratch;
    if (known == CARVE_KNOWN_NEW)
        arena = carve_session_arena(s);
    else
        carve_ese_scratch_reset(c);
    char missing[256] = "";
    bp_job *job = NULL;
    bp_file *file = NULL;
    carve_verdict verdict;
    if (is_job) {
        job = bits_decode_job(arena, bytes, size);
        verdict = job ? carve_check_job(job, bytes, size, missing, sizeof(missing)) : CARVE_REJECT;
    } else {
        file = bits_decode_file(arena, bytes, size);
        verdict = file ? carve_check_file(file, bytes, size, BITS_GUID_SIZE, missing, sizeof(missing)) : CARVE_REJECT;
    }
    if (verdict == CARVE_REJECT)
        return CARVE_REJECT;
    if (problem && verdict == CARVE_FULL)
        verdict = CARVE_PARTIAL;
    if (problem && problem_is_missing && !missing[0])
        snprintf(missing, sizeof(missing), "%s", problem);
    bool decoded_here = known == CARVE_KNOWN_NEW;
    if (is_job)
        carve_session_add_decoded_job(s, bytes, size, decoded_here ? job : NULL, verdict, missing, place);
    else
        carve_session_add_decoded_file(s, bytes, size, decoded_here ? file : NULL, file_id, verdict, missing, place);
    return verdict;
}

/* A record (flagged deleted, or stale) whose long value holds the blob of the
 * job it names: one more place of that version, as a reference (size 0). */
bool carve_ese_job_reference(ese_carver *c, uint64_t lid, const char *id, const carve_place *place)
{
    if (!c->jobs)
        return false;
    const uint8_t *bytes;
    size_t size;
    const char *problem;
    if (!carve_ese_read_long_value(c, c->jobs, lid, &bytes, &size, &problem) || size < 0x30)
        return false;
    char blob_id[37];
    util_guid_format(bytes + 0x20, blob_id);
    if (strcmp(blob_id, id) != 0)
        return false;
    carve_place reference = *place;
    reference.lid = lid;
    reference.size = 0;
    carve_ese_offer(c, true, bytes, size, problem, false, "", &reference);  /* rejected: the id matches, the blob is not worth a record */
    return true;
}

