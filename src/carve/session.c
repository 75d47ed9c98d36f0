/* The carve session, collecting: candidates de-duplicated by their exact
 * bytes, with every place they were found (carve.h; the records are made in
 * session_finish.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "bits/legacy_job_record.h"
#include "bits/markers.h"
#include "carve/carve.h"
#include "carve/session_internal.h"
#include "util/growable.h"
#include "util/mapped_file.h"
#include "util/string_map.h"
#include "util/text.h"

static const char *const how_names[CARVE_HOW_COUNT] = {
    "orphan-lv", "deleted-flag", "stale-record", "stale-tag", "empty-page", "unreachable-page", "raw-marker", "log",
};

const char *carve_how_name(carve_how how) { return how < CARVE_HOW_COUNT ? how_names[how] : ""; }

carve_session *carve_session_new(bp_result *result, const bp_parse_options *options)
{
    carve_session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->result = result;
    if (options)
        s->options = *options;
    carve_live_store_begin(s);  /* a streaming result: its live records are seen once, as they pass */
    return s;
}

const bp_parse_options *carve_session_options(const carve_session *session) { return &session->options; }

bp_result *carve_session_result(const carve_session *session) { return session->result; }

bool carve_session_add_place(carve_session *s, carve_version *v, const carve_place *place)
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
    if (!util_grow((void **)&v->places, &v->place_capacity, v->place_count, sizeof(carve_place))) {
        s->out_of_memory = true;
        return false;
    }
    const char *path = place->path ? place->path : "";
    if (!s->last_path || strcmp(s->last_path, path) != 0)
        s->last_path = util_arena_strdup(&s->result->arena, path);
    if (!s->last_path)
        return false;
    v->places[v->place_count] = *place;
    v->places[v->place_count].path = s->last_path;
    v->place_count++;
    return true;
}

/* Live blobs are only hashed once something asks the index: a queue with
 * nothing deleted never does (30 000 blobs of the 10 000-job queue: 50 M
 * instructions). Until then each live blob is a version of its own; the
 * first question indexes them in order, and one whose bytes an earlier one
 * has already is marked dropped (a duplicate: its bytes stand in the first),
 * so the index answers as if they had been interned one by one. */
static void index_pending(carve_session *s)
{
    s->indexed = true;
    for (size_t i = 0; i < s->version_count; i++) {
        carve_version *v = &s->versions[i];
        util_string_map *index = &s->index[v->is_job];
        uint64_t hash = util_bytes_hash(v->bytes, v->size);
        size_t at;
        if (util_bytes_map_get_hashed(index, v->bytes, v->size, hash, &at))
            v->dropped = true;
        else if (!util_bytes_map_add_hashed(index, v->bytes, v->size, hash, i))
            s->out_of_memory = true;
    }
}

/* A new version (bytes copied, or only referenced when `in_place`: they stay
 * valid to the finish), or the existing one with the same bytes. Jobs and files
 * have an index each (util/string_map.c, keyed by the version's bytes); a
 * live blob before the index is asked (`unindexed`) is added without it. */
static carve_version *intern(carve_session *s, const uint8_t *blob, size_t size, bool is_job, bool in_place,
                             bool unindexed, bool *is_new)
{
    util_string_map *index = &s->index[is_job];
    uint64_t hash = 0;
    size_t at;
    *is_new = false;
    if (!unindexed) {
        if (!s->indexed)
            index_pending(s);
        hash = util_bytes_hash(blob, size);
        if (util_bytes_map_get_hashed(index, blob, size, hash, &at))
            return &s->versions[at];
    }
    if (!util_grow((void **)&s->versions, &s->version_capacity, s->version_count, sizeof(carve_version)))
        return NULL;
    const uint8_t *copy = blob;
    if (!in_place) {
        uint8_t *own = util_arena_alloc(&s->result->arena, size ? size : 1);
        if (!own)
            return NULL;
        if (size)
            memcpy(own, blob, size);
        copy = own;
    }
    carve_version *v = &s->versions[s->version_count];
    memset(v, 0, sizeof(*v));
    v->is_job = is_job;
    v->bytes = copy;
    v->size = size;
    v->file_id = "";
    v->order = s->version_count;
    /* out of memory: the version is kept, a later copy of it becomes a version of its own */
    if (!unindexed && !util_bytes_map_add_hashed(index, copy, size, hash, s->version_count))
        s->out_of_memory = true;
    s->version_count++;
    *is_new = true;
    return v;
}

static carve_version *live_version(carve_session *session, bool is_job, bool legacy, const uint8_t *blob,
                                   size_t size)
{
    /* Not decoded: its record is in the result already. The finish decodes a
     * live version only when a cut copy needs its job id or URL (carve_finish_wake_live);
     * decoding every live blob here cost half of --carve's time and memory. */
    /* bytes inside the input mapping the session keeps (carve_session_offer_mapping)
     * are referenced, not copied: a cut copy found later, even in another input,
     * is still compared with them; any other buffer may be gone by the finish */
    bool in_place = session->offered && util_mapped_find(blob, size) == session->offered;
    if (in_place)
        session->offered_used = true;
    bool is_new;
    carve_version *v = intern(session, blob, size, is_job, in_place, !session->indexed, &is_new);
    if (!v) {
        session->out_of_memory = true;
        return NULL;
    }
    v->live = true;
    v->legacy = legacy;
    v->verdict = CARVE_FULL;
    return v;
}

void carve_session_live_blob(carve_session *session, bool is_job, bool legacy, const uint8_t *blob, size_t size)
{
    live_version(session, is_job, legacy, blob, size);
}

void carve_session_live_row_blob(carve_session *session, bool is_job, const char *path, uint64_t row_offset,
                                 const uint8_t *blob, size_t size)
{
    carve_version *v = live_version(session, is_job, false, blob, size);
    if (v)
        carve_live_store_row(session, is_job, path, row_offset, (size_t)(v - session->versions));
}

void carve_session_offer_mapping(carve_session *session, util_mapped_file *mapping)
{
    /* room to keep it is made now, so keeping it cannot fail once versions
     * point into it; without room its blobs are copied as before */
    bool room = util_grow((void **)&session->mappings, &session->mapping_capacity, session->mapping_count,
                        sizeof(util_mapped_file *));
    session->offered = room ? mapping : NULL;
    session->offered_used = false;
}

bool carve_session_keep_mapping(carve_session *session, util_mapped_file *mapping)
{
    bool used = session->offered == mapping && session->offered_used;
    session->offered = NULL;
    session->offered_used = false;
    if (!used)
        return false;
    /* only address space from now on: what it holds resident is dropped, and
     * the descriptor is not needed to keep the mapping */
    util_mapped_trim(mapping);
    util_mapped_close_fd(mapping);
    session->mappings[session->mapping_count++] = mapping;
    return true;
}

void carve_session_release_mappings(carve_session *session)
{
    for (size_t i = 0; i < session->mapping_count; i++) {
        util_mapped_close(session->mappings[i]);
        free(session->mappings[i]);
    }
    free(session->mappings);
    session->mappings = NULL;
    session->mapping_count = session->mapping_capacity = 0;
}

bool carve_session_anything_carved(const carve_session *s)
{
    if (s->job_id_count || s->file_id_count)
        return true;
    for (size_t v = 0; v < s->version_count; v++)
        if (!s->versions[v].live)
            return true;
    return false;
}

void carve_session_live_records(carve_session *session, size_t first, size_t end)
{
    if (end <= first)
        return;
    if (!util_grow((void **)&session->live, &session->live_capacity, session->live_count, sizeof(live_range))) {
        session->out_of_memory = true;
        return;
    }
    session->live[session->live_count].first = first;
    session->live[session->live_count].end = end;
    session->live_count++;
}

static void note_partial(util_arena *arena, bp_note_list *warnings, size_t size, const char *missing)
{
    util_notes_addf(arena, warnings, "carved copy is cut short after %zu bytes; missing: %s", size,
                  missing && missing[0] ? missing : "the end of the blob");
}

/* `decoded` (may be NULL): the blob decoded already, into the result's arena,
 * taken when the version is new instead of decoding it again. */
static bool add_job(carve_session *session, const uint8_t *blob, size_t size, bool legacy, bp_job *decoded,
                    carve_verdict verdict, const char *missing, const carve_place *place)
{
    bool is_new;
    carve_version *v = intern(session, blob, size, true, false, false, &is_new);
    if (!v)
        return false;
    if (is_new) {
        util_arena *arena = &session->result->arena;
        v->legacy = legacy;
        v->verdict = verdict;
        if (legacy) {
            legacy_job_record record;
            legacy_decode_job_record(arena, v->bytes, v->size, 0, &record);
            v->job = record.job;
            if (record.files.count) {
                v->inline_files = util_arena_array(arena, record.files.count, sizeof(bp_file *));
                for (size_t i = 0; v->inline_files && i < record.files.count; i++)
                    if (record.files.files[i].file)
                        v->inline_files[v->inline_file_count++] = record.files.files[i].file;
            }
        } else {
            v->job = decoded ? decoded : bits_decode_job(arena, v->bytes, v->size);
        }
        if (!v->job)
            return false;
        if (verdict == CARVE_PARTIAL)
            note_partial(arena, &v->job->warnings, v->size, missing);
    }
    return v->live || carve_session_add_place(session, v, place);
}

static bool add_file(carve_session *session, const uint8_t *blob, size_t size, bool legacy, bp_file *decoded,
                     const char *file_id, carve_verdict verdict, const char *missing, const carve_place *place)
{
    bool is_new;
    carve_version *v = intern(session, blob, size, false, false, false, &is_new);
    if (!v)
        return false;
    util_arena *arena = &session->result->arena;
    if (is_new) {
        v->legacy = legacy;
        v->verdict = verdict;
        v->file = decoded                                  ? decoded
                  : legacy ? carve_decode_legacy_file(arena, v->bytes, v->size)
                           : bits_decode_file(arena, v->bytes, v->size);
        if (!v->file)
            return false;
        if (verdict == CARVE_PARTIAL) {
            carve_forget_unfinished_stage(v->file);
            note_partial(arena, &v->file->warnings, v->size, missing);
        }
    }
    if (file_id && file_id[0] && !v->file_id[0]) {
        v->file_id = util_arena_strdup(arena, file_id);
        if (!v->file_id)
            return false;
    }
    return v->live || carve_session_add_place(session, v, place);
}

bool carve_session_add_job(carve_session *session, const uint8_t *blob, size_t size, bool legacy,
                           carve_verdict verdict, const char *missing, const carve_place *place)
{
    return add_job(session, blob, size, legacy, NULL, verdict, missing, place);
}

bool carve_session_add_file(carve_session *session, const uint8_t *blob, size_t size, bool legacy,
                            const char *file_id, carve_verdict verdict, const char *missing,
                            const carve_place *place)
{
    return add_file(session, blob, size, legacy, NULL, file_id, verdict, missing, place);
}

carve_known carve_session_known(carve_session *session, bool is_job, const uint8_t *blob, size_t size)
{
    size_t at;
    if (!session->indexed)
        index_pending(session);
    if (!util_bytes_map_get(&session->index[is_job], blob, size, &at))
        return CARVE_KNOWN_NEW;
    const carve_version *v = &session->versions[at];
    return v->live || v->legacy ? CARVE_KNOWN_OTHER : CARVE_KNOWN_CARVED;
}

util_arena *carve_session_arena(carve_session *session) { return &session->result->arena; }

bool carve_session_add_decoded_job(carve_session *session, const uint8_t *blob, size_t size, bp_job *job,
                                   carve_verdict verdict, const char *missing, const carve_place *place)
{
    return add_job(session, blob, size, false, job, verdict, missing, place);
}

bool carve_session_add_decoded_file(carve_session *session, const uint8_t *blob, size_t size, bp_file *file,
                                    const char *file_id, carve_verdict verdict, const char *missing,
                                    const carve_place *place)
{
    return add_file(session, blob, size, false, file, file_id, verdict, missing, place);
}

static void add_stale_id(carve_session *session, stale_id **ids, size_t *count, size_t *capacity, const char *id,
                         const carve_place *place)
{
    if (!util_grow((void **)ids, capacity, *count, sizeof(stale_id))) {
        session->out_of_memory = true;
        return;
    }
    stale_id *entry = &(*ids)[*count];
    entry->id = util_arena_strdup(&session->result->arena, id);
    entry->place = *place;
    entry->place.path = util_arena_strdup(&session->result->arena, place->path ? place->path : "");
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
    bool repeat = util_string_map_get(&session->lid_keys, probe, &seen);
    const char *key = repeat ? NULL : util_arena_strdup(&session->result->arena, probe);
    free(probe);
    if (repeat)
        return;
    if (!key || !util_grow((void **)&session->lids, &session->lid_capacity, session->lid_count, sizeof(lid_evidence))) {
        session->out_of_memory = true;
        return;
    }
    lid_evidence *e = &session->lids[session->lid_count];
    e->path = util_arena_strdup(&session->result->arena, path);
    e->id = util_arena_strdup(&session->result->arena, file_id);
    e->lid = lid;
    if (e->path && e->id) {
        util_string_map_add(&session->lid_keys, key, session->lid_count);
        session->lid_count++;
    }
}

