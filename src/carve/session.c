/* The carve session: de-duplication of candidates by their exact bytes,
 * file-id resolution, linking and the order of carved records (carve.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "bits/legacy_job_record.h"
#include "bits/markers.h"
#include "carve/carve.h"
#include "util/growable.h"
#include "util/string_map.h"
#include "util/text.h"

static const char *const how_names[CARVE_HOW_COUNT] = {
    "orphan-lv", "deleted-flag", "stale-record", "stale-tag", "empty-page", "unreachable-page", "raw-marker", "log",
};

const char *carve_how_name(carve_how how) { return how < CARVE_HOW_COUNT ? how_names[how] : ""; }

typedef struct carve_version {
    bool is_job;
    bool legacy;
    bool live;                 /* a live blob: only there to drop identical carved copies */
    bool dropped;              /* merged into another version (a cut copy of it) */
    bool used;                 /* files: attached to a job */
    const uint8_t *bytes;      /* arena copy */
    size_t size;
    uint64_t hash;
    carve_verdict verdict;
    bp_job *job;
    bp_file *file;
    bp_file **inline_files;    /* legacy job records */
    size_t inline_file_count;
    const char *file_id;       /* files: "" when unknown */
    carve_place *places;       /* malloc */
    size_t place_count, place_capacity;
    uint32_t more_copies;      /* copies beyond MAX_PLACES, counted only */
    size_t order;              /* when first found */
} carve_version;

/* An id a stale or deleted Jobs or Files record names, and where that record is. */
typedef struct stale_id {
    const char *id;
    carve_place place;
} stale_id;

typedef struct lid_evidence {
    const char *path;
    uint64_t lid;
    const char *id;
} lid_evidence;

typedef struct live_range {
    size_t first, end;
} live_range;

struct carve_session {
    bp_result *result;
    bp_parse_options options;
    carve_version *versions;
    size_t version_count, version_capacity;
    size_t *index;             /* open addressing: version number + 1, 0 = empty */
    size_t index_size;
    stale_id *job_ids;
    size_t job_id_count, job_id_capacity;
    stale_id *file_ids;        /* Files records whose blob was not read with them */
    size_t file_id_count, file_id_capacity;
    lid_evidence *lids;
    size_t lid_count, lid_capacity;
    bp_string_map lid_keys;    /* "lid path id" of every entry in lids, against repeats */
    live_range *live;
    size_t live_count, live_capacity;
    const char *last_path;     /* arena copy of the path of the last place added */
    bool out_of_memory;
};

/* Places kept per version; further identical copies are only counted. */
#define MAX_PLACES 4096

carve_session *carve_session_new(bp_result *result, const bp_parse_options *options)
{
    carve_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->result = result;
    if (options)
        s->options = *options;
    return s;
}

const bp_parse_options *carve_session_options(const carve_session *session) { return &session->options; }

bp_result *carve_session_result(const carve_session *session) { return session->result; }

static uint64_t hash_bytes(const uint8_t *bytes, size_t size, bool is_job)
{
    uint64_t h = 0xcbf29ce484222325ull ^ (is_job ? 0x9E37u : 0x51EDu);
    for (size_t i = 0; i < size; i++) {
        h ^= bytes[i];
        h *= 0x100000001b3ull;
    }
    return h ^ size;
}

static bool index_rebuild(carve_session *s, size_t size)
{
    size_t *index = calloc(size, sizeof(size_t));
    if (!index)
        return false;
    for (size_t v = 0; v < s->version_count; v++) {
        size_t slot = (size_t)(s->versions[v].hash & (size - 1));
        while (index[slot])
            slot = (slot + 1) & (size - 1);
        index[slot] = v + 1;
    }
    free(s->index);
    s->index = index;
    s->index_size = size;
    return true;
}

static carve_version *find_version(carve_session *s, const uint8_t *bytes, size_t size, bool is_job, uint64_t hash)
{
    if (!s->index_size)
        return NULL;
    for (size_t slot = (size_t)(hash & (s->index_size - 1)); s->index[slot]; slot = (slot + 1) & (s->index_size - 1)) {
        carve_version *v = &s->versions[s->index[slot] - 1];
        if (v->hash == hash && v->is_job == is_job && v->size == size && memcmp(v->bytes, bytes, size) == 0)
            return v;
    }
    return NULL;
}

static bool add_place(carve_session *s, carve_version *v, const carve_place *place)
{
    for (size_t i = 0; i < v->place_count; i++)  /* the same copy reached twice (record and marker) */
        if (v->places[i].offset == place->offset && strcmp(v->places[i].path, place->path) == 0) {
            if (place->how < v->places[i].how) {
                carve_place keep = v->places[i];
                v->places[i] = *place;
                if (!v->places[i].page)
                    v->places[i].page = keep.page;
                if (!v->places[i].lid)
                    v->places[i].lid = keep.lid;
            }
            return true;
        }
    if (v->place_count >= MAX_PLACES) {
        if (v->more_copies < UINT32_MAX)
            v->more_copies++;
        return true;
    }
    if (!bp_grow((void **)&v->places, &v->place_capacity, v->place_count, sizeof(carve_place))) {
        s->out_of_memory = true;
        return false;
    }
    const char *path = place->path ? place->path : "";
    if (!s->last_path || strcmp(s->last_path, path) != 0)
        s->last_path = bp_arena_strdup(&s->result->arena, path);
    if (!s->last_path)
        return false;
    v->places[v->place_count] = *place;
    v->places[v->place_count].path = s->last_path;
    v->place_count++;
    return true;
}

/* A new version (bytes copied), or the existing one with the same bytes. */
static carve_version *intern(carve_session *s, const uint8_t *blob, size_t size, bool is_job, bool *is_new)
{
    uint64_t hash = hash_bytes(blob, size, is_job);
    *is_new = false;
    carve_version *found = find_version(s, blob, size, is_job, hash);
    if (found)
        return found;
    if ((s->version_count + 1) * 2 > s->index_size &&
        !index_rebuild(s, s->index_size ? s->index_size * 2 : 256))
        return NULL;
    if (!bp_grow((void **)&s->versions, &s->version_capacity, s->version_count, sizeof(carve_version)))
        return NULL;
    uint8_t *copy = bp_arena_alloc(&s->result->arena, size ? size : 1);
    if (!copy)
        return NULL;
    if (size)
        memcpy(copy, blob, size);
    carve_version *v = &s->versions[s->version_count];
    memset(v, 0, sizeof(*v));
    v->is_job = is_job;
    v->bytes = copy;
    v->size = size;
    v->hash = hash;
    v->file_id = "";
    v->order = s->version_count;
    size_t slot = (size_t)(hash & (s->index_size - 1));
    while (s->index[slot])
        slot = (slot + 1) & (s->index_size - 1);
    s->index[slot] = ++s->version_count;
    *is_new = true;
    return v;
}

void carve_session_live_blob(carve_session *session, bool is_job, bool legacy, const uint8_t *blob, size_t size)
{
    bool is_new;
    carve_version *v = intern(session, blob, size, is_job, &is_new);
    if (!v) {
        session->out_of_memory = true;
        return;
    }
    v->live = true;
    v->legacy = legacy;
    bp_arena *arena = &session->result->arena;
    if (is_new && is_job && legacy) {
        legacy_job_record record;
        legacy_decode_job_record(arena, v->bytes, v->size, 0, &record);
        v->job = record.job;
    } else if (is_new && is_job) {
        v->job = bits_decode_job(arena, v->bytes, v->size);
    } else if (is_new) {
        v->file = legacy ? carve_decode_legacy_file(arena, v->bytes, v->size) : bits_decode_file(arena, v->bytes, v->size);
    }
    v->verdict = CARVE_FULL;
}

void carve_session_live_records(carve_session *session, size_t first, size_t end)
{
    if (end <= first)
        return;
    if (!bp_grow((void **)&session->live, &session->live_capacity, session->live_count, sizeof(live_range))) {
        session->out_of_memory = true;
        return;
    }
    session->live[session->live_count].first = first;
    session->live[session->live_count].end = end;
    session->live_count++;
}

static void note_partial(bp_arena *arena, bp_note_list *warnings, size_t size, const char *missing)
{
    bp_notes_addf(arena, warnings, "carved copy is cut short after %zu bytes; missing: %s", size,
                  missing && missing[0] ? missing : "the end of the blob");
}

bool carve_session_add_job(carve_session *session, const uint8_t *blob, size_t size, bool legacy,
                           carve_verdict verdict, const char *missing, const carve_place *place)
{
    bool is_new;
    carve_version *v = intern(session, blob, size, true, &is_new);
    if (!v)
        return false;
    if (is_new) {
        bp_arena *arena = &session->result->arena;
        v->legacy = legacy;
        v->verdict = verdict;
        if (legacy) {
            legacy_job_record record;
            legacy_decode_job_record(arena, v->bytes, v->size, 0, &record);
            v->job = record.job;
            if (record.files.count) {
                v->inline_files = bp_arena_array(arena, record.files.count, sizeof(bp_file *));
                for (size_t i = 0; v->inline_files && i < record.files.count; i++)
                    if (record.files.files[i].file)
                        v->inline_files[v->inline_file_count++] = record.files.files[i].file;
            }
        } else {
            v->job = bits_decode_job(arena, v->bytes, v->size);
        }
        if (!v->job)
            return false;
        if (verdict == CARVE_PARTIAL)
            note_partial(arena, &v->job->warnings, v->size, missing);
    }
    return v->live || add_place(session, v, place);
}

bool carve_session_add_file(carve_session *session, const uint8_t *blob, size_t size, bool legacy,
                            const char *file_id, carve_verdict verdict, const char *missing,
                            const carve_place *place)
{
    bool is_new;
    carve_version *v = intern(session, blob, size, false, &is_new);
    if (!v)
        return false;
    bp_arena *arena = &session->result->arena;
    if (is_new) {
        v->legacy = legacy;
        v->verdict = verdict;
        v->file = legacy ? carve_decode_legacy_file(arena, v->bytes, v->size) : bits_decode_file(arena, v->bytes, v->size);
        if (!v->file)
            return false;
        if (verdict == CARVE_PARTIAL) {
            carve_forget_unfinished_stage(v->file);
            note_partial(arena, &v->file->warnings, v->size, missing);
        }
    }
    if (file_id && file_id[0] && !v->file_id[0]) {
        v->file_id = bp_arena_strdup(arena, file_id);
        if (!v->file_id)
            return false;
    }
    return v->live || add_place(session, v, place);
}

static void add_stale_id(carve_session *session, stale_id **ids, size_t *count, size_t *capacity, const char *id,
                         const carve_place *place)
{
    if (!bp_grow((void **)ids, capacity, *count, sizeof(stale_id))) {
        session->out_of_memory = true;
        return;
    }
    stale_id *entry = &(*ids)[*count];
    entry->id = bp_arena_strdup(&session->result->arena, id);
    entry->place = *place;
    entry->place.path = bp_arena_strdup(&session->result->arena, place->path ? place->path : "");
    if (entry->id && entry->place.path)
        (*count)++;
}

void carve_session_job_id(carve_session *session, const char *job_id, const carve_place *place)
{
    add_stale_id(session, &session->job_ids, &session->job_id_count, &session->job_id_capacity, job_id, place);
}

void carve_session_file_id(carve_session *session, const char *file_id, const carve_place *place)
{
    add_stale_id(session, &session->file_ids, &session->file_id_count, &session->file_id_capacity, file_id,
                 place);
}

void carve_session_file_lid(carve_session *session, const char *path, uint64_t lid, const char *file_id)
{
    /* the path comes last: ids and numbers hold no newline, a path may; the
     * key goes to the arena only when it is new (repeats are common) */
    int length = snprintf(NULL, 0, "%llx\n%s\n%s", (unsigned long long)lid, file_id, path);
    char *probe = length >= 0 ? malloc((size_t)length + 1) : NULL;
    if (!probe) {
        session->out_of_memory = true;
        return;
    }
    snprintf(probe, (size_t)length + 1, "%llx\n%s\n%s", (unsigned long long)lid, file_id, path);
    size_t seen;
    bool repeat = bp_string_map_get(&session->lid_keys, probe, &seen);
    const char *key = repeat ? NULL : bp_arena_strdup(&session->result->arena, probe);
    free(probe);
    if (repeat)
        return;
    if (!key || !bp_grow((void **)&session->lids, &session->lid_capacity, session->lid_count, sizeof(lid_evidence))) {
        session->out_of_memory = true;
        return;
    }
    lid_evidence *e = &session->lids[session->lid_count];
    e->path = bp_arena_strdup(&session->result->arena, path);
    e->id = bp_arena_strdup(&session->result->arena, file_id);
    e->lid = lid;
    if (e->path && e->id) {
        bp_string_map_add(&session->lid_keys, key, session->lid_count);
        session->lid_count++;
    }
}

/* ---- finishing: ids, links, order ------------------------------------------------------------ */

typedef struct live_job {
    const bp_job *job;
    const bp_source *source;
} live_job;

/* Lookups by id go through maps built once: a scan per lookup made --carve
 * quadratic in the number of jobs (10 000 live jobs: 4.7 s, three quarters of
 * it in strcmp). */
typedef struct finish_state {
    carve_session *s;
    bp_arena *arena;
    live_job *live_jobs;
    size_t live_job_count;
    const bp_file **live_files;
    size_t live_file_count;
    bp_string_map live_job_ids;    /* job id -> live_jobs index (its first record) */
    bp_string_map live_file_ids;   /* file id -> live_files index */
    bp_string_map live_listings;   /* file id -> live_jobs index of the first live job listing it */
    bp_string_map listed;          /* file ids a live job or a carved version (not dropped) lists */
    bp_string_map best_files;      /* file id -> its best carved version (better_file) */
    bp_string_map newest_listings; /* file id -> `sorted` index of the newest carved job listing it */
    struct id_only_file *id_files; /* file ids only stale Files records name (index_id_only_files) */
    size_t id_file_count;
    const stale_id **id_file_refs; /* the entries of those records, grouped by id */
    bp_string_map id_file_index;   /* file id -> id_files index */
    size_t added;
} finish_state;

/* Add key unless it is there; true when the caller holds its first
 * occurrence. When the map runs out of memory the key counts as new: an item
 * is then listed twice rather than lost. */
static bool first_time(bp_string_map *map, const char *key, size_t value)
{
    size_t seen;
    return bp_string_map_add(map, key, value) || !bp_string_map_get(map, key, &seen);
}

static bool live_job_id(const finish_state *f, const char *id)
{
    size_t i;
    return bp_string_map_get(&f->live_job_ids, id, &i);
}

static const bp_file *live_file(const finish_state *f, const char *id)
{
    size_t i;
    return bp_string_map_get(&f->live_file_ids, id, &i) ? f->live_files[i] : NULL;
}

static bool listed_by_a_job(const finish_state *f, const char *file_id)
{
    size_t i;
    return bp_string_map_get(&f->listed, file_id, &i);
}

static void index_listed(finish_state *f)
{
    for (size_t v = 0; v < f->s->version_count; v++) {
        const carve_version *j = &f->s->versions[v];
        if (!j->is_job || !j->job || j->dropped)
            continue;
        for (size_t i = 0; i < j->job->file_count; i++)
            bp_string_map_add(&f->listed, j->job->file_ids[i], v);
    }
    for (size_t i = 0; i < f->live_job_count; i++)
        for (size_t k = 0; k < f->live_jobs[i].job->file_count; k++)
            bp_string_map_add(&f->listed, f->live_jobs[i].job->file_ids[k], i);
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
                bp_notes_addf(f->arena, &file->file->warnings,
                              "file id taken from a stale Files record that names long value 0x%llx; no job "
                              "lists it, and long-value ids are reused, so it is unconfirmed",
                              (unsigned long long)place->lid);
            } else if (candidates > 1) {
                bp_notes_addf(f->arena, &file->file->warnings,
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

/* A cut copy whose bytes begin a complete version of the same job or file is
 * one more (partial) copy of that version, not a version of its own. The
 * versions of one item are chained in the order found (first[] by item key,
 * next[]), so only those are compared. */
static void merge_cut_copies(finish_state *f)
{
    carve_session *s = f->s;
    if (!s->version_count)
        return;
    size_t *next = malloc(s->version_count * sizeof(size_t));
    size_t *last = malloc(s->version_count * sizeof(size_t));
    bp_string_map first[2];    /* [0] files, [1] jobs: item key -> first version */
    memset(first, 0, sizeof(first));
    if (!next || !last) {
        free(next);
        free(last);
        s->out_of_memory = true;
        return;
    }
    for (size_t v = 0; v < s->version_count; v++) {
        const char *key = item_key(&s->versions[v]);
        next[v] = SIZE_MAX;
        size_t head;
        if (!key)
            continue;
        if (bp_string_map_get(&first[s->versions[v].is_job], key, &head)) {
            next[last[head]] = v;
            last[head] = v;
        } else {
            bp_string_map_add(&first[s->versions[v].is_job], key, v);
            last[v] = v;
        }
    }
    size_t capped = 0;
    for (size_t v = 0; v < s->version_count; v++) {
        carve_version *cut = &s->versions[v];
        const char *key = item_key(cut);
        size_t w, compared = 0;
        if (cut->live || cut->verdict != CARVE_PARTIAL || !key || !bp_string_map_get(&first[cut->is_job], key, &w))
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
                add_place(s, whole, &place);
            }
            if (!whole->is_job && !whole->file_id[0] && cut->file_id[0])
                whole->file_id = cut->file_id;
            break;
        }
    }
    if (capped)
        bp_notes_addf(&s->result->arena, &s->result->warnings,
                      "cut copies compared only with the first %d versions of their job or file: %zu; a copy "
                      "that belongs to a later version is listed as a version of its own",
                      MAX_MERGE_CANDIDATES, capped);
    if (first[0].out_of_memory || first[1].out_of_memory)
        s->out_of_memory = true;
    bp_string_map_free(&first[0]);
    bp_string_map_free(&first[1]);
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
static bp_record *emit(finish_state *f, const carve_version *job_v, const carve_version *file_v,
                       const live_job *live, const bp_file *file_override)
{
    bp_record *record = bp_result_add(f->s->result);
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
        record->job = live->job;
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
        bp_location *locations = bp_arena_array(f->arena, total, sizeof(bp_location));
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
        if (!bp_string_map_get(&f->best_files, file->file_id, &best) || better_file(file, &f->s->versions[best]))
            bp_string_map_set(&f->best_files, file->file_id, v);
    }
}

static carve_version *best_file_version(finish_state *f, const char *file_id)
{
    size_t v;
    return bp_string_map_get(&f->best_files, file_id, &v) ? &f->s->versions[v] : NULL;
}

/* Versions of one job: newest modification first. */
static int compare_job_versions(const void *a, const void *b)
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

/* ---- file ids only a stale Files record names ------------------------------------------------ */

/* One file id whose blob was not found: every Files record naming it, and the
 * record-less file that stands for it in the output. */
typedef struct id_only_file {
    const stale_id **first;    /* the records, in the order found */
    size_t count;
    bp_file *file;             /* file_id only; every other field unknown */
    bool used;                 /* linked to a carved job version */
} id_only_file;

static int compare_stale_ids(const void *a, const void *b);
static const live_job *live_job_listing(const finish_state *f, const char *file_id);

static int compare_id_only_files(const void *a, const void *b)
{
    const stale_id *x = *((const id_only_file *)a)->first, *y = *((const id_only_file *)b)->first;
    return x < y ? -1 : x > y;
}

/* Group the stale Files ids by id (sorting, as for job ids: a hostile page can
 * hold one such record every few dozen bytes) and keep those no live file and
 * no carved file version carries. Runs after resolve_file_ids. */
static void index_id_only_files(finish_state *f)
{
    carve_session *s = f->s;
    size_t n = s->file_id_count;
    if (!n)
        return;
    bp_string_map found = {0};
    for (size_t v = 0; v < s->version_count; v++) {
        const carve_version *file = &s->versions[v];
        if (!file->is_job && file->file && !file->dropped && file->file_id[0])
            bp_string_map_add(&found, file->file_id, v);
    }
    f->id_file_refs = malloc(n * sizeof(*f->id_file_refs));
    f->id_files = malloc(n * sizeof(*f->id_files));
    if (!f->id_file_refs || !f->id_files) {
        s->out_of_memory = true;
        n = 0;
    }
    for (size_t i = 0; i < n; i++)
        f->id_file_refs[i] = &s->file_ids[i];
    if (n)
        qsort(f->id_file_refs, n, sizeof(*f->id_file_refs), compare_stale_ids);
    for (size_t i = 0; i < n;) {
        size_t end = i + 1, at;
        while (end < n && strcmp(f->id_file_refs[end]->id, f->id_file_refs[i]->id) == 0)
            end++;
        const char *id = f->id_file_refs[i]->id;
        if (!live_file(f, id) && !bp_string_map_get(&found, id, &at)) {
            id_only_file *g = &f->id_files[f->id_file_count];
            memset(g, 0, sizeof(*g));
            g->first = &f->id_file_refs[i];
            g->count = end - i;
            g->file = bits_decode_file(f->arena, (const uint8_t *)"", 0);
            if (!g->file) {
                s->out_of_memory = true;
                break;
            }
            memset(&g->file->warnings, 0, sizeof(g->file->warnings));
            g->file->file_id = id;
            f->id_file_count++;
        }
        i = end;
    }
    if (f->id_file_count)  /* in the order first found */
        qsort(f->id_files, f->id_file_count, sizeof(*f->id_files), compare_id_only_files);
    for (size_t i = 0; i < f->id_file_count; i++)
        bp_string_map_add(&f->id_file_index, f->id_files[i].file->file_id, i);
    if (found.out_of_memory)
        s->out_of_memory = true;
    bp_string_map_free(&found);
}

static id_only_file *id_only_file_of(const finish_state *f, const char *file_id)
{
    size_t i;
    return bp_string_map_get(&f->id_file_index, file_id, &i) ? &f->id_files[i] : NULL;
}

/* A row for a file id alone, with the job (carved or live) that lists it, if any. */
static void emit_id_only_file(finish_state *f, const carve_version *job_v, const live_job *live, id_only_file *g)
{
    carve_version pseudo;
    memset(&pseudo, 0, sizeof(pseudo));
    pseudo.file = g->file;
    pseudo.file_id = g->file->file_id;
    pseudo.places = malloc(g->count * sizeof(carve_place));
    if (!pseudo.places) {
        f->s->out_of_memory = true;
        return;
    }
    for (size_t k = 0; k < g->count; k++)
        pseudo.places[pseudo.place_count++] = g->first[k]->place;
    bp_record *record = emit(f, job_v, &pseudo, live, NULL);
    free(pseudo.places);
    if (!record)
        return;
    /* A record whose blob sat inline (and does not decode) names no long
     * value: its place has lid 0, which must not be reported as one. */
    uint64_t lid = 0;
    for (size_t k = 0; k < g->count && !lid; k++)
        lid = g->first[k]->place.lid;
    if (lid)
        bp_notes_addf(f->arena, &record->warnings,
                      "only the file id is known: a stale Files record names it, but no file blob found carries it "
                      "(long value 0x%llx holds another file or nothing)",
                      (unsigned long long)lid);
    else
        bp_notes_add(f->arena, &record->warnings,
                     "only the file id is known: a stale Files record names it, but its inline blob does not "
                     "decode and no file blob found carries it");
    if (!job_v && !live)
        bp_notes_add(f->arena, &record->warnings, "orphan file: no job found lists this file");
}

static bool file_found(const finish_state *f, const char *file_id)
{
    size_t v;
    return live_file(f, file_id) || bp_string_map_get(&f->best_files, file_id, &v) || id_only_file_of(f, file_id);
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
            emit(f, job_v, NULL, NULL, job_v->inline_files[i]);
        return;
    }
    if (job->file_count == 0) {
        emit(f, job_v, NULL, NULL, NULL);
        return;
    }
    bool missing_row = false;
    for (size_t i = 0; i < job->file_count; i++) {
        const char *id = job->file_ids[i];
        const bp_file *live = live_file(f, id);
        carve_version *file_v = live ? NULL : best_file_version(f, id);
        id_only_file *known = live || file_v ? NULL : id_only_file_of(f, id);
        if (live || file_v) {
            emit(f, job_v, file_v, NULL, live);
            if (file_v)
                file_v->used = true;
        } else if (known) {
            emit_id_only_file(f, job_v, NULL, known);
            known->used = true;
        } else if (!missing_row) {
            missing_row = true;
            bp_record *record = emit(f, job_v, NULL, NULL, NULL);
            for (size_t k = i; record && k < job->file_count; k++)
                if (!file_found(f, job->file_ids[k]))
                    bp_notes_addf(f->arena, &record->warnings, "file %s is listed by the job but was not found",
                                  job->file_ids[k]);
        }
    }
}

/* File ids no carved job version took: linked to the live job listing them, else alone. */
static void emit_id_only_files(finish_state *f)
{
    for (size_t i = 0; i < f->id_file_count; i++)
        if (!f->id_files[i].used)
            emit_id_only_file(f, NULL, live_job_listing(f, f->id_files[i].file->file_id), &f->id_files[i]);
}

/* For each file id, the newest carved job version listing it (the first in
 * `sorted` order among equals). */
static void index_newest_listings(finish_state *f, carve_version *const *sorted, size_t count)
{
    for (size_t i = 0; i < count; i++)
        for (size_t k = 0; k < sorted[i]->job->file_count; k++) {
            size_t newest;
            const char *id = sorted[i]->job->file_ids[k];
            if (!bp_string_map_get(&f->newest_listings, id, &newest) ||
                sorted[i]->job->modified > sorted[newest]->job->modified)
                bp_string_map_set(&f->newest_listings, id, i);
        }
}

static carve_version *newest_job_listing(const finish_state *f, carve_version *const *sorted, const char *file_id)
{
    size_t i;
    return bp_string_map_get(&f->newest_listings, file_id, &i) ? sorted[i] : NULL;
}

static const live_job *live_job_listing(const finish_state *f, const char *file_id)
{
    size_t i;
    return bp_string_map_get(&f->live_listings, file_id, &i) ? &f->live_jobs[i] : NULL;
}

static void collect_live(finish_state *f)
{
    bp_result *result = f->s->result;
    size_t total = 0;
    for (size_t r = 0; r < f->s->live_count; r++)
        total += f->s->live[r].end - f->s->live[r].first;
    f->live_jobs = calloc(total ? total : 1, sizeof(live_job));
    f->live_files = calloc(total ? total : 1, sizeof(bp_file *));
    if (!f->live_jobs || !f->live_files)
        return;
    for (size_t r = 0; r < f->s->live_count; r++) {
        for (size_t i = f->s->live[r].first; i < f->s->live[r].end && i < result->count; i++) {
            const bp_record *record = &result->records[i];
            if (record->job && first_time(&f->live_job_ids, record->job->job_id, f->live_job_count)) {
                f->live_jobs[f->live_job_count].job = record->job;
                /* point at a copy: the records array may move while we append */
                bp_source *source = bp_arena_alloc(f->arena, sizeof(bp_source));
                if (source)
                    *source = record->job_source;
                f->live_jobs[f->live_job_count].source = source ? source : &record->job_source;
                f->live_job_count++;
            }
            if (record->file && record->file->file_id[0] &&
                first_time(&f->live_file_ids, record->file->file_id, f->live_file_count))
                f->live_files[f->live_file_count++] = record->file;
        }
    }
    for (size_t i = 0; i < f->live_job_count; i++)
        for (size_t k = 0; k < f->live_jobs[i].job->file_count; k++)
            bp_string_map_add(&f->live_listings, f->live_jobs[i].job->file_ids[k], i);
}

/* Is there a carved job version of this id? `sorted` is sorted by id first
 * (compare_job_versions). */
static bool carved_job_id(carve_version *const *sorted, size_t count, const char *id)
{
    size_t lo = 0, hi = count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int order = strcmp(sorted[mid]->job->job_id, id);
        if (order == 0)
            return true;
        if (order < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Stale job ids by id, then in the order found (their place in the array). */
static int compare_stale_ids(const void *a, const void *b)
{
    const stale_id *x = *(const stale_id *const *)a, *y = *(const stale_id *const *)b;
    int id = strcmp(x->id, y->id);
    if (id)
        return id;
    return x < y ? -1 : x > y;
}

typedef struct stale_group {
    const stale_id **first;  /* the group's entries, in the order found */
    size_t count;
} stale_group;

static int compare_stale_groups(const void *a, const void *b)
{
    const stale_id *x = *((const stale_group *)a)->first, *y = *((const stale_group *)b)->first;
    return x < y ? -1 : x > y;
}

/* Job ids only stale Jobs records still name: one record per id, with every
 * place that names it, in the order first found. Grouped by sorting, not by
 * comparing each entry with all others: every 30 bytes of a hostile page can
 * hold one such record. */
static void emit_stale_job_ids(finish_state *f, carve_version *const *sorted, size_t count)
{
    carve_session *s = f->s;
    size_t n = s->job_id_count;
    if (!n)
        return;
    const stale_id **refs = malloc(n * sizeof(*refs));
    stale_group *groups = malloc(n * sizeof(*groups));
    size_t group_count = 0;
    if (!refs || !groups) {
        s->out_of_memory = true;
        n = 0;
    }
    for (size_t i = 0; i < n; i++)
        refs[i] = &s->job_ids[i];
    if (n)
        qsort(refs, n, sizeof(*refs), compare_stale_ids);
    for (size_t i = 0; i < n;) {
        size_t end = i + 1;
        while (end < n && strcmp(refs[end]->id, refs[i]->id) == 0)
            end++;
        if (!live_job_id(f, refs[i]->id) && !carved_job_id(sorted, count, refs[i]->id)) {
            groups[group_count].first = &refs[i];
            groups[group_count].count = end - i;
            group_count++;
        }
        i = end;
    }
    if (group_count)
        qsort(groups, group_count, sizeof(*groups), compare_stale_groups);
    for (size_t g = 0; g < group_count; g++) {
        const stale_id *entry = groups[g].first[0];
        bp_job *job = bits_decode_job(f->arena, (const uint8_t *)"", 0);
        if (!job)
            break;
        memset(&job->warnings, 0, sizeof(job->warnings));
        job->job_id = entry->id;
        job->state = UINT32_MAX;  /* unknown: printed as "" */
        carve_version pseudo;
        memset(&pseudo, 0, sizeof(pseudo));
        pseudo.is_job = true;
        pseudo.job = job;
        pseudo.places = malloc(groups[g].count * sizeof(carve_place));
        if (!pseudo.places)
            break;
        for (size_t k = 0; k < groups[g].count; k++)
            pseudo.places[pseudo.place_count++] = groups[g].first[k]->place;
        bp_record *record = emit(f, &pseudo, NULL, NULL, NULL);
        free(pseudo.places);
        if (record)
            bp_notes_addf(f->arena, &record->warnings,
                          "only the job id is known: a stale Jobs record names it, but its blob is gone "
                          "(long value 0x%llx holds another job or nothing)",
                          (unsigned long long)entry->place.lid);
    }
    free(refs);
    free(groups);
}

size_t carve_session_finish(carve_session *s)
{
    if (!s)
        return 0;
    finish_state f;
    memset(&f, 0, sizeof(f));
    f.s = s;
    f.arena = &s->result->arena;
    collect_live(&f);
    if (f.live_jobs && f.live_files) {
        merge_cut_copies(&f);
        resolve_file_ids(&f);
        index_best_files(&f);
        index_id_only_files(&f);
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
            qsort(sorted, count, sizeof(carve_version *), compare_job_versions);
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
            const live_job *live = file_v->file_id[0] ? live_job_listing(&f, file_v->file_id) : NULL;
            if (job_v) {
                bp_record *record = emit(&f, job_v, file_v, NULL, NULL);
                if (record)
                    bp_notes_addf(f.arena, &record->warnings,
                                  "another version of file %s (the job's own record carries the most complete one)",
                                  file_v->file_id);
                file_v->used = true;
            } else if (live) {
                emit(&f, NULL, file_v, live, NULL);
                file_v->used = true;
            }
        }
        for (size_t v = 0; v < s->version_count; v++) {
            carve_version *file_v = &s->versions[v];
            if (file_v->is_job || file_v->live || file_v->dropped || file_v->used || !file_v->place_count ||
                !file_v->file)
                continue;
            bp_record *record = emit(&f, NULL, file_v, NULL, NULL);
            if (record)
                bp_notes_add(f.arena, &record->warnings, "orphan file: no job found lists this file");
        }

        emit_stale_job_ids(&f, sorted, sorted ? count : 0);
        emit_id_only_files(&f);
        free(sorted);
        free(groups);
    }
    bp_string_map *maps[] = {&f.live_job_ids, &f.live_file_ids, &f.live_listings, &f.listed, &f.best_files,
                             &f.newest_listings, &f.id_file_index, &s->lid_keys};
    for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
        if (maps[i]->out_of_memory)
            s->out_of_memory = true;
        bp_string_map_free(maps[i]);
    }
    if (s->out_of_memory)
        bp_notes_add(&s->result->arena, &s->result->warnings, "carving ran out of memory; results are incomplete");
    size_t added = f.added;
    free(f.live_jobs);
    free((void *)f.live_files);
    free(f.id_files);
    free(f.id_file_refs);
    for (size_t v = 0; v < s->version_count; v++)
        free(s->versions[v].places);
    free(s->versions);
    free(s->index);
    free(s->job_ids);
    free(s->file_ids);
    free(s->lids);
    free(s->live);
    free(s);
    return added;
}
