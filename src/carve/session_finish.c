/* The carve session, finishing: file ids resolved, cut copies merged, jobs
 * linked to their files, and the carved records emitted in order (carve.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "bits/legacy_job_record.h"
#include "bits/markers.h"
#include "carve/carve.h"
#include "carve/session_internal.h"
#include "util/string_map.h"
#include "util/text.h"

/* ---- finishing: ids, links, order ------------------------------------------------------------ */

bool carve_finish_live_job_id(const finish_state *f, const char *id)
{
    size_t i;
    return util_string_map_get(&f->live_job_ids, id, &i);
}

void carve_finish_wake_live(finish_state *f, carve_version *v)
{
    if (!v->live || v->job || v->file || !v->bytes)
        return;
    util_arena *arena = &f->live_arena;
    if (v->is_job && v->legacy) {
        legacy_job_record record;
        legacy_decode_job_record(arena, v->bytes, v->size, 0, &record);
        v->job = record.job;
    } else if (v->is_job) {
        v->job = bits_decode_job(arena, v->bytes, v->size);
    } else {
        v->file = v->legacy ? carve_decode_legacy_file(arena, v->bytes, v->size) : bits_decode_file(arena, v->bytes, v->size);
    }
}

static bool listed_by_a_job(const finish_state *f, const char *file_id)
{
    size_t i;
    return util_string_map_get(&f->listed, file_id, &i);
}

static void index_listed(finish_state *f)
{
    for (size_t v = 0; v < f->s->version_count; v++) {
        const carve_version *j = &f->s->versions[v];
        if (!j->is_job || !j->job || j->dropped)
            continue;
        for (size_t i = 0; i < j->job->file_count; i++)
            util_string_map_add(&f->listed, j->job->file_ids[i], v);
    }
    for (size_t i = 0; i < f->live_job_count; i++)
        for (size_t k = 0; k < f->live_jobs[i].file_count; k++)
            util_string_map_add(&f->listed, f->live_jobs[i].file_ids[k], i);
}

/* Positions of the long-value evidence sorted by lid (then as found), so a
 * lid's entries are one binary search away. */
typedef struct lid_position {
    uint64_t lid;
    size_t at;
} lid_position;

static int compare_lid_positions(const void *a, const void *b)
{
    const lid_position *x = a, *y = b;
    if (x->lid != y->lid)
        return x->lid < y->lid ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

static size_t first_lid_position(const lid_position *sorted, size_t count, uint64_t lid)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid].lid < lid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A file blob found through its long value gets the id of the stale or deleted
 * Files record that names the long value. Long-value ids are reused, so with
 * several such records only one that a job lists is trusted. */
static void resolve_file_ids(finish_state *f)
{
    carve_session *s = f->s;
    index_listed(f);
    lid_position *by_lid = malloc((s->lid_count ? s->lid_count : 1) * sizeof(lid_position));
    size_t lid_count = by_lid ? s->lid_count : 0;  /* out of memory: no evidence, ids kept */
    if (!by_lid)
        s->out_of_memory = true;
    for (size_t i = 0; i < lid_count; i++) {
        by_lid[i].lid = s->lids[i].lid;
        by_lid[i].at = i;
    }
    if (lid_count)
        qsort(by_lid, lid_count, sizeof(lid_position), compare_lid_positions);
    for (size_t v = 0; v < s->version_count; v++) {
        carve_version *file = &s->versions[v];
        if (file->is_job || file->live || file->dropped || file->file_id[0] || !file->file)
            continue;
        for (size_t p = 0; p < file->place_count && !file->file_id[0]; p++) {
            const carve_place *place = &file->places[p];
            if (!place->lid)
                continue;
            const char *only = NULL, *listed = NULL;
            size_t candidates = 0, listed_count = 0;
            for (size_t k = first_lid_position(by_lid, lid_count, place->lid);
                 k < lid_count && by_lid[k].lid == place->lid; k++) {
                size_t i = by_lid[k].at;
                if (strcmp(s->lids[i].path, place->path) != 0)
                    continue;
                candidates++;
                only = s->lids[i].id;
                if (listed_by_a_job(f, s->lids[i].id)) {
                    listed_count++;
                    listed = s->lids[i].id;
                }
            }
            if (listed_count == 1) {
                file->file_id = listed;
            } else if (candidates == 1) {
                file->file_id = only;
                util_notes_addf(f->arena, &file->file->warnings,
                              "file id taken from a stale Files record that names long value 0x%llx; no job "
                              "lists it, and long-value ids are reused, so it is unconfirmed",
                              (unsigned long long)place->lid);
            } else if (candidates > 1) {
                util_notes_addf(f->arena, &file->file->warnings,
                              "%zu stale Files records name long value 0x%llx (ids are reused); file id unknown",
                              candidates, (unsigned long long)place->lid);
            }
        }
        if (file->file_id[0])
            file->file->file_id = file->file_id;
    }
    free(by_lid);
    for (size_t v = 0; v < s->version_count; v++) {
        carve_version *file = &s->versions[v];
        if (!file->is_job && file->file && file->file_id[0])
            file->file->file_id = file->file_id;
    }
}

static bool same_item(const carve_version *a, const carve_version *b)
{
    if (a->is_job != b->is_job)
        return false;
    if (a->is_job)
        return a->job && b->job && strcmp(a->job->job_id, b->job->job_id) == 0;
    return a->file && b->file && strcmp(a->file->remote_url, b->file->remote_url) == 0;
}

/* The job id or remote URL same_item compares; NULL when there is none. */
static const char *item_key(const carve_version *v)
{
    if (v->is_job)
        return v->job ? v->job->job_id : NULL;
    return v->file ? v->file->remote_url : NULL;
}

/* Versions of its job or file a cut copy is compared with, at most: a crafted
 * input can hold thousands of versions of one job, and comparing every cut
 * copy with all of them is quadratic (regression carve-merge-cap). */
#define MAX_MERGE_CANDIDATES 4096

/* Bytes a cut copy and a live version must share before the live version is
 * decoded for the merge below. */
#define CUT_HEAD 64

/* Live versions take part in the merge only as the whole a cut copy belongs
 * to, and the merge needs their job id or URL: decode those whose first
 * CUT_HEAD bytes are the first bytes of a cut copy of their kind (all of the
 * kind when a cut copy is shorter). False when there is no cut copy. */
static bool wake_live_wholes(finish_state *f)
{
    carve_session *s = f->s;
    util_string_map heads[2];    /* [0] files, [1] jobs: first bytes of the cut copies */
    memset(heads, 0, sizeof(heads));
    bool any[2] = {false, false}, all[2] = {false, false};
    for (size_t v = 0; v < s->version_count; v++) {
        const carve_version *cut = &s->versions[v];
        if (cut->live || cut->verdict != CARVE_PARTIAL)
            continue;
        any[cut->is_job] = true;
        if (cut->size < CUT_HEAD)
            all[cut->is_job] = true;
        else
            util_bytes_map_add(&heads[cut->is_job], cut->bytes, CUT_HEAD, v);
    }
    for (size_t v = 0; v < s->version_count; v++) {
        carve_version *whole = &s->versions[v];
        int k = whole->is_job;
        size_t at;
        if (whole->live && !whole->dropped && any[k] &&
            (all[k] || heads[k].out_of_memory ||
             (whole->size > CUT_HEAD && util_bytes_map_get(&heads[k], whole->bytes, CUT_HEAD, &at))))
            carve_finish_wake_live(f, whole);
    }
    util_string_map_free(&heads[0]);
    util_string_map_free(&heads[1]);
    return any[0] || any[1];
}

/* A cut copy whose bytes begin a complete version of the same job or file is
 * one more (partial) copy of that version, not a version of its own. The
 * versions of one item are chained in the order found (first[] by item key,
 * next[]), so only those are compared. */
static void merge_cut_copies(finish_state *f)
{
    carve_session *s = f->s;
    if (!s->version_count)
        return;
    if (!wake_live_wholes(f))
        return;  /* no cut copy */
    size_t *next = malloc(s->version_count * sizeof(size_t));
    size_t *last = malloc(s->version_count * sizeof(size_t));
    util_string_map first[2];    /* [0] files, [1] jobs: item key -> first version */
    memset(first, 0, sizeof(first));
    if (!next || !last) {
        free(next);
        free(last);
        s->out_of_memory = true;
        return;
    }
    for (size_t v = 0; v < s->version_count; v++) {
        /* dropped before the merge: only a live blob's duplicate, never compared */
        const char *key = s->versions[v].dropped ? NULL : item_key(&s->versions[v]);
        next[v] = SIZE_MAX;
        size_t head;
        if (!key)
            continue;
        if (util_string_map_get(&first[s->versions[v].is_job], key, &head)) {
            next[last[head]] = v;
            last[head] = v;
        } else {
            util_string_map_add(&first[s->versions[v].is_job], key, v);
            last[v] = v;
        }
    }
    size_t capped = 0;
    for (size_t v = 0; v < s->version_count; v++) {
        carve_version *cut = &s->versions[v];
        const char *key = item_key(cut);
        size_t w, compared = 0;
        if (cut->live || cut->verdict != CARVE_PARTIAL || !key || !util_string_map_get(&first[cut->is_job], key, &w))
            continue;
        for (; w != SIZE_MAX; w = next[w]) {
            if (++compared > MAX_MERGE_CANDIDATES) {
                capped++;
                break;
            }
            carve_version *whole = &s->versions[w];
            if (w == v || whole->dropped || whole->size <= cut->size || !same_item(cut, whole) ||
                memcmp(whole->bytes, cut->bytes, cut->size) != 0)
                continue;
            cut->dropped = true;
            if (whole->live)
                break;
            for (size_t p = 0; p < cut->place_count; p++) {
                carve_place place = cut->places[p];
                place.partial = true;
                carve_session_add_place(s, whole, &place);
            }
            if (!whole->is_job && !whole->file_id[0] && cut->file_id[0])
                whole->file_id = cut->file_id;
            break;
        }
    }
    if (capped)
        util_notes_addf(&s->result->arena, &s->result->warnings,
                      "cut copies compared only with the first %d versions of their job or file: %zu; a copy "
                      "that belongs to a later version is listed as a version of its own",
                      MAX_MERGE_CANDIDATES, capped);
    if (first[0].out_of_memory || first[1].out_of_memory)
        s->out_of_memory = true;
    util_string_map_free(&first[0]);
    util_string_map_free(&first[1]);
    free(next);
    free(last);
}

static int compare_places(const void *a, const void *b)
{
    const carve_place *x = a, *y = b;
    if (x->how != y->how)
        return x->how < y->how ? -1 : 1;
    int path = strcmp(x->path, y->path);
    if (path)
        return path;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static bp_source source_of(const carve_version *v)
{
    bp_source source;
    memset(&source, 0, sizeof(source));
    const carve_place *p = &v->places[0];
    source.path = p->path;
    source.format = p->format ? p->format : "";
    source.table = p->table ? p->table : "";
    source.page = p->page;
    source.tag = p->tag;
    source.long_value_id = p->lid;
    source.offset = p->offset;
    source.blob_size = (uint32_t)v->size;
    source.generation = "";
    return source;
}

static void add_locations(bp_location *out, size_t *count, const carve_version *v, const char *item)
{
    for (size_t i = 0; v && i < v->place_count; i++) {
        const carve_place *p = &v->places[i];
        bp_location *l = &out[(*count)++];
        l->item = item;
        l->how = carve_how_name(p->how);
        l->path = p->path;
        l->table = p->table ? p->table : "";
        l->page = p->page;
        l->tag = p->tag;
        l->long_value_id = p->lid;
        l->offset = p->offset;
        l->size = p->size;
        l->partial = p->partial;
    }
}

static uint32_t full_copies(const carve_version *v)
{
    uint64_t copies = v->more_copies;
    for (size_t i = 0; i < v->place_count; i++)
        copies += !v->places[i].partial && v->places[i].size;  /* size 0: a record naming it */
    return copies == 0 ? 1 : copies > UINT32_MAX ? UINT32_MAX : (uint32_t)copies;
}

/* Append one carved record. job_v / file_v are carved versions (may be NULL);
 * live_job / live_file are live partners (may be NULL). */
bp_record *carve_finish_emit(finish_state *f, const carve_version *job_v, const carve_version *file_v,
                             live_job *live, const bp_file *file_override)
{
    bp_record *record = result_add(f->s->result);
    if (!record) {
        f->s->out_of_memory = true;
        return NULL;
    }
    f->added++;
    record->carved = true;
    if (job_v) {
        record->job = job_v->job;
        record->job_source = source_of(job_v);
        record->recovered_from = carve_how_name(job_v->places[0].how);
        record->copies = full_copies(job_v);
    } else if (live) {
        record->job = carve_finish_live_job_object(f, live);
        record->job_source = *live->source;
    }
    if (file_v) {
        record->file = file_v->file;
        record->file_source = source_of(file_v);
        if (!job_v) {
            record->recovered_from = carve_how_name(file_v->places[0].how);
            record->copies = full_copies(file_v);
        }
    } else if (file_override) {
        record->file = file_override;
    }
    size_t total = (job_v ? job_v->place_count : 0) + (file_v ? file_v->place_count : 0);
    if (total) {
        bp_location *locations = util_arena_array(f->arena, total, sizeof(bp_location));
        size_t count = 0;
        if (locations) {
            add_locations(locations, &count, job_v, "job");
            add_locations(locations, &count, file_v, "file");
            record->locations = locations;
            record->location_count = count;
        }
    }
    return record;
}

/* The most useful of several versions of one file: complete first, then the
 * one that transferred most, then the first found. */
static bool better_file(const carve_version *a, const carve_version *b)
{
    if (!b)
        return true;
    if ((a->verdict == CARVE_FULL) != (b->verdict == CARVE_FULL))
        return a->verdict == CARVE_FULL;
    if (a->file->bytes_transferred != b->file->bytes_transferred)
        return a->file->bytes_transferred > b->file->bytes_transferred;
    return a->order < b->order;
}

static void index_best_files(finish_state *f)
{
    for (size_t v = 0; v < f->s->version_count; v++) {
        carve_version *file = &f->s->versions[v];
        size_t best;
        if (file->is_job || file->live || file->dropped || !file->file)
            continue;
        if (!util_string_map_get(&f->best_files, file->file_id, &best) || better_file(file, &f->s->versions[best]))
            util_string_map_set(&f->best_files, file->file_id, v);
    }
}

static carve_version *best_file_version(finish_state *f, const char *file_id)
{
    size_t v;
    return util_string_map_get(&f->best_files, file_id, &v) ? &f->s->versions[v] : NULL;
}

/* Versions of one job: newest modification first. */
int carve_finish_compare_job_versions(const void *a, const void *b)
{
    const carve_version *x = *(carve_version *const *)a, *y = *(carve_version *const *)b;
    int id = strcmp(x->job->job_id, y->job->job_id);
    if (id)
        return id;
    if (x->job->modified != y->job->modified)
        return x->job->modified > y->job->modified ? -1 : 1;
    if (x->job->created != y->job->created)
        return x->job->created > y->job->created ? -1 : 1;
    return x->order < y->order ? -1 : 1;
}

typedef struct job_group {
    carve_version **first;
    size_t count;
    uint64_t newest;
} job_group;

static int compare_groups(const void *a, const void *b)
{
    const job_group *x = a, *y = b;
    if (x->newest != y->newest)
        return x->newest > y->newest ? -1 : 1;
    return strcmp(x->first[0]->job->job_id, y->first[0]->job->job_id);
}

static bool file_found(finish_state *f, const char *file_id)
{
    size_t v;
    return carve_finish_live_file(f, file_id) || util_string_map_get(&f->best_files, file_id, &v) || carve_finish_id_only_file_of(f, file_id);
}

/* One row per listed file that was found (live, carved, or its id alone);
 * the listed files not found share one row with an empty file_id, where the
 * first of them is listed, a warning naming each (listed_file_ids has them
 * all). A job none of whose files was found is then one row, not one per id. */
static void emit_job_version(finish_state *f, carve_version *job_v)
{
    const bp_job *job = job_v->job;
    if (job_v->legacy && job_v->inline_file_count) {
        for (size_t i = 0; i < job_v->inline_file_count; i++)
            carve_finish_emit(f, job_v, NULL, NULL, job_v->inline_files[i]);
        return;
    }
    if (job->file_count == 0) {
        carve_finish_emit(f, job_v, NULL, NULL, NULL);
        return;
    }
    bool missing_row = false;
    for (size_t i = 0; i < job->file_count; i++) {
        const char *id = job->file_ids[i];
        const bp_file *live = carve_finish_live_file(f, id);
        carve_version *file_v = live ? NULL : best_file_version(f, id);
        id_only_file *known = live || file_v ? NULL : carve_finish_id_only_file_of(f, id);
        if (live || file_v) {
            carve_finish_emit(f, job_v, file_v, NULL, live);
            if (file_v)
                file_v->used = true;
        } else if (known) {
            carve_finish_emit_id_only_file(f, job_v, NULL, known);
            known->used = true;
        } else if (!missing_row) {
            missing_row = true;
            bp_record *record = carve_finish_emit(f, job_v, NULL, NULL, NULL);
            for (size_t k = i; record && k < job->file_count; k++)
                if (!file_found(f, job->file_ids[k]))
                    util_notes_addf(f->arena, &record->warnings, "file %s is listed by the job but was not found",
                                  job->file_ids[k]);
        }
    }
}

/* File ids no carved job version took: linked to the live job listing them, else alone. */
static void emit_id_only_files(finish_state *f)
{
    for (size_t i = 0; i < f->id_file_count; i++)
        if (!f->id_files[i].used)
            carve_finish_emit_id_only_file(f, NULL, carve_finish_live_job_listing(f, f->id_files[i].file->file_id), &f->id_files[i]);
}

/* For each file id, the newest carved job version listing it (the first in
 * `sorted` order among equals). */
static void index_newest_listings(finish_state *f, carve_version *const *sorted, size_t count)
{
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k < sorted[i]->job->file_count; k++) {
            size_t newest;
            const char *id = sorted[i]->job->file_ids[k];
            if (!util_string_map_get(&f->newest_listings, id, &newest) ||
                sorted[i]->job->modified > sorted[newest]->job->modified)
                util_string_map_set(&f->newest_listings, id, i);
        }
}

static carve_version *newest_job_listing(const finish_state *f, carve_version *const *sorted, const char *file_id)
{
    size_t i;
    return util_string_map_get(&f->newest_listings, file_id, &i) ? sorted[i] : NULL;
}

live_job *carve_finish_live_job_listing(const finish_state *f, const char *file_id)
{
    size_t i;
    return util_string_map_get(&f->live_listings, file_id, &i) ? &f->live_jobs[i] : NULL;
}

size_t carve_session_finish(carve_session *s)
{
    if (!s)
        return 0;
    finish_state f;
    memset(&f, 0, sizeof(f));
    f.s = s;
    f.arena = &s->result->arena;
    if (carve_session_anything_carved(s))  /* else the live records need no index */
        carve_finish_collect_live(&f);
    if (f.live_jobs && f.live_files) {
        merge_cut_copies(&f);
        resolve_file_ids(&f);
        index_best_files(&f);
        carve_finish_index_id_only_files(&f);
        for (size_t v = 0; v < s->version_count; v++)
            if (s->versions[v].place_count > 1)
                qsort(s->versions[v].places, s->versions[v].place_count, sizeof(carve_place), compare_places);

        /* jobs: grouped by id, newest group and newest version first */
        carve_version **sorted = calloc(s->version_count ? s->version_count : 1, sizeof(carve_version *));
        job_group *groups = calloc(s->version_count ? s->version_count : 1, sizeof(job_group));
        size_t count = 0, group_count = 0;
        for (size_t v = 0; sorted && v < s->version_count; v++)
            if (s->versions[v].is_job && !s->versions[v].live && !s->versions[v].dropped && s->versions[v].job &&
                s->versions[v].place_count)
                sorted[count++] = &s->versions[v];
        if (sorted) { /* the file linking and stale ids below search it: sorted even without groups */
            qsort(sorted, count, sizeof(carve_version *), carve_finish_compare_job_versions);
            index_newest_listings(&f, sorted, count);
        }
        if (!groups)
            s->out_of_memory = true;
        if (sorted && groups) {
            for (size_t i = 0; i < count; i++) {
                if (i == 0 || strcmp(sorted[i]->job->job_id, sorted[i - 1]->job->job_id) != 0) {
                    groups[group_count].first = &sorted[i];
                    groups[group_count].newest = sorted[i]->job->modified;
                    group_count++;
                }
                groups[group_count - 1].count++;
            }
            qsort(groups, group_count, sizeof(job_group), compare_groups);
            for (size_t g = 0; g < group_count; g++)
                for (size_t i = 0; i < groups[g].count; i++)
                    emit_job_version(&f, groups[g].first[i]);
        }

        /* files: other versions of listed files, files of live jobs, then orphans */
        for (size_t v = 0; v < s->version_count; v++) {
            carve_version *file_v = &s->versions[v];
            if (file_v->is_job || file_v->live || file_v->dropped || file_v->used || !file_v->place_count ||
                !file_v->file)
                continue;
            carve_version *job_v = file_v->file_id[0] && sorted ? newest_job_listing(&f, sorted, file_v->file_id)
                                                                : NULL;
            live_job *live = file_v->file_id[0] ? carve_finish_live_job_listing(&f, file_v->file_id) : NULL;
            if (job_v) {
                bp_record *record = carve_finish_emit(&f, job_v, file_v, NULL, NULL);
                if (record)
                    util_notes_addf(f.arena, &record->warnings,
                                  "another version of file %s (the job's own record carries the most complete one)",
                                  file_v->file_id);
                file_v->used = true;
            } else if (live) {
                carve_finish_emit(&f, NULL, file_v, live, NULL);
                file_v->used = true;
            }
        }
        for (size_t v = 0; v < s->version_count; v++) {
            carve_version *file_v = &s->versions[v];
            if (file_v->is_job || file_v->live || file_v->dropped || file_v->used || !file_v->place_count ||
                !file_v->file)
                continue;
            bp_record *record = carve_finish_emit(&f, NULL, file_v, NULL, NULL);
            if (record)
                util_notes_add(f.arena, &record->warnings, "orphan file: no job found lists this file");
        }

        carve_finish_emit_stale_job_ids(&f, sorted, sorted ? count : 0);
        emit_id_only_files(&f);
        free(sorted);
        free(groups);
    }
    util_string_map *maps[] = {&f.live_job_ids, &f.live_file_ids, &f.live_listings, &f.listed, &f.best_files,
                             &f.newest_listings, &f.id_file_index, &s->lid_keys};
    for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
        if (maps[i]->out_of_memory)
            s->out_of_memory = true;
        util_string_map_free(maps[i]);
    }
    if (s->out_of_memory)
        util_notes_add(&s->result->arena, &s->result->warnings, "carving ran out of memory; results are incomplete");
    size_t added = f.added;
    free(f.live_jobs);
    free(f.live_files);
    free(f.id_files);
    free(f.id_file_refs);
    util_arena_free(&f.live_arena);
    for (size_t v = 0; v < s->version_count; v++)
        free(s->versions[v].places);
    free(s->versions);
    for (int k = 0; k < 2; k++) {
        if (s->index[k].out_of_memory)
            s->out_of_memory = true;
        util_string_map_free(&s->index[k]);
    }
    free(s->job_ids);
    free(s->file_ids);
    free(s->lids);
    free(s->live);
    carve_live_store_free(s);
    carve_session_release_mappings(s);  /* live versions pointed into them */
    free(s);
    return added;
}

