/* The carve session, its view of the live records: the finish links carved
 * files to the live jobs that list them and carved jobs to the live files they
 * list (session_finish.c). When the records are kept, it reads them in the
 * result. When the run streams them (result/stream.c: written as they are
 * finished, gone by the finish), the session keeps, for each live job, its id,
 * the file ids it lists, its source and its warnings, and for each live file
 * its id and where its Files row is; a job or file a carved record is linked
 * to is then decoded again from its row's blob, which the carver's walk hands
 * to the session anyway (a live version, referenced in the kept mapping or
 * copied). The decode is the live read's: the same bytes through the same
 * decoder, the job id from the row when the blob has none, the row's warnings
 * as they were (docs/design.md "Streaming"). */
#include <stdlib.h>
#include <string.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "carve/carve.h"
#include "carve/session_internal.h"
#include "util/growable.h"
#include "util/string_map.h"

/* ---- keeping the live records as they stream past -------------------------------------------- */

static bp_note_list copy_notes(util_arena *arena, const bp_note_list *from)
{
    bp_note_list to = {NULL, NULL, 0};
    for (const bp_note *n = from->head; n; n = n->next)
        util_notes_add(arena, &to, n->text);
    return to;
}

/* `held`: the record is still in the result and stays there until after the
 * finish (handed over with the carved records): its job and file are used as
 * they are, not decoded again. */
static void keep_job(carve_session *s, const bp_record *record, bool held)
{
    live_store *store = &s->store;
    const bp_job *job = record->job;
    /* the records of one job follow each other: its first one stands for it */
    if (store->job_count && store->jobs[store->job_count - 1].source->offset == record->job_source.offset &&
        strcmp(store->jobs[store->job_count - 1].job_id, job->job_id) == 0 &&
        store->jobs[store->job_count - 1].source->path == record->job_source.path)
        return;
    if (!util_grow((void **)&store->jobs, &store->job_capacity, store->job_count, sizeof(live_job))) {
        s->out_of_memory = true;
        return;
    }
    util_arena *arena = &store->arena;
    bp_source *source = util_arena_alloc(arena, sizeof(bp_source));
    const char **file_ids = job->file_count ? util_arena_array(arena, job->file_count, sizeof(char *)) : NULL;
    const char *job_id = util_arena_strdup(arena, job->job_id);
    if (!source || !job_id || (job->file_count && !file_ids)) {
        s->out_of_memory = true;
        return;
    }
    *source = record->job_source;
    for (size_t k = 0; k < job->file_count; k++)
        if (!(file_ids[k] = util_arena_strdup(arena, job->file_ids[k]))) {
            s->out_of_memory = true;
            return;
        }
    live_job *live = &store->jobs[store->job_count++];
    memset(live, 0, sizeof(*live));
    live->source = source;
    live->job_id = job_id;
    live->file_ids = file_ids;
    live->file_count = job->file_count;
    live->warnings = copy_notes(arena, &job->warnings);
    if (held)
        live->job = job;
}

static void keep_file(carve_session *s, const bp_record *record, bool held)
{
    live_store *store = &s->store;
    if (!util_grow((void **)&store->files, &store->file_capacity, store->file_count, sizeof(live_file))) {
        s->out_of_memory = true;
        return;
    }
    const char *file_id = util_arena_strdup(&store->arena, record->file->file_id);
    if (!file_id) {
        s->out_of_memory = true;
        return;
    }
    live_file *live = &store->files[store->file_count++];
    memset(live, 0, sizeof(*live));
    live->file_id = file_id;
    live->path = record->file_source.path;
    live->offset = record->file_source.offset;
    live->warnings = copy_notes(&store->arena, &record->file->warnings);
    if (held)
        live->file = record->file;
}

static void keep_records(carve_session *s, const bp_record *records, size_t count, bool held)
{
    for (size_t i = 0; i < count; i++) {
        if (records[i].job)
            keep_job(s, &records[i], held);
        if (records[i].file && records[i].file->file_id[0])
            keep_file(s, &records[i], held);
    }
}

/* The stream's observer: every record it hands over while the session is open
 * is a live record of the session's input (carved ones come after the finish). */
static void observe(bp_result *result, const bp_record *records, size_t count, void *context)
{
    (void)result;
    keep_records(context, records, count, false);
}

void carve_live_store_begin(carve_session *s)
{
    if (!s->result->stream.sink)
        return;
    s->streamed = true;
    util_arena_init(&s->store.arena);
    result_stream_observe(s->result, observe, s);
}

void carve_live_store_row(carve_session *s, bool is_job, const char *path, uint64_t offset, size_t version)
{
    live_store *store = &s->store;
    int k = is_job;
    if (!s->streamed)
        return;
    if (!util_grow((void **)&store->rows[k], &store->row_capacity[k], store->row_count[k], sizeof(live_row))) {
        s->out_of_memory = true;
        return;
    }
    store->rows[k][store->row_count[k]++] = (live_row){offset, path, version};
    store->rows_sorted[k] = false;
}

void carve_live_store_free(carve_session *s)
{
    if (s->streamed && s->result->stream.observer_context == s)
        result_stream_observe(s->result, NULL, NULL);
    free(s->store.jobs);
    free(s->store.files);
    for (int k = 0; k < 2; k++)
        free(s->store.rows[k]);
    util_arena_free(&s->store.arena);
    memset(&s->store, 0, sizeof(s->store));
}

/* ---- the index the finish uses ---------------------------------------------------------------- */

/* Add key unless it is there; true when the caller holds its first
 * occurrence. When the map runs out of memory the key counts as new: an item
 * is then listed twice rather than lost. */
static bool first_time(util_string_map *map, const char *key, size_t value)
{
    size_t seen;
    return util_string_map_add(map, key, value) || !util_string_map_get(map, key, &seen);
}

static void add_job(finish_state *f, const live_job *job)
{
    if (first_time(&f->live_job_ids, job->job_id, f->live_job_count))
        f->live_jobs[f->live_job_count++] = *job;
}

static void add_file(finish_state *f, const live_file *file)
{
    if (first_time(&f->live_file_ids, file->file_id, f->live_file_count))
        f->live_files[f->live_file_count++] = *file;
}

/* The live records kept in the result, in order (the first record of an id stands for it). */
static void collect_kept(finish_state *f)
{
    bp_result *result = f->s->result;
    for (size_t r = 0; r < f->s->live_count; r++) {
        for (size_t i = f->s->live[r].first; i < f->s->live[r].end && i < result->count; i++) {
            const bp_record *record = &result->records[i];
            if (record->job) {
                /* point at a copy: the records array may move while we append */
                bp_source *source = util_arena_alloc(f->arena, sizeof(bp_source));
                live_job job = {record->job, source ? source : &record->job_source, record->job->job_id,
                                record->job->file_ids, record->job->file_count, {NULL, NULL, 0}};
                if (source)
                    *source = record->job_source;
                add_job(f, &job);
            }
            if (record->file && record->file->file_id[0]) {
                live_file file = {record->file, record->file->file_id, record->file_source.path,
                                  record->file_source.offset, {NULL, NULL, 0}};
                add_file(f, &file);
            }
        }
    }
}

void carve_finish_collect_live(finish_state *f)
{
    carve_session *s = f->s;
    size_t jobs = 0, files = 0;
    if (s->streamed) {
        /* the live records not handed over yet are still held in the result */
        for (size_t r = 0; r < s->live_count; r++)
            if (s->live[r].first < s->live[r].end && s->live[r].end <= s->result->count)
                keep_records(s, &s->result->records[s->live[r].first], s->live[r].end - s->live[r].first, true);
        jobs = s->store.job_count;
        files = s->store.file_count;
    } else {
        for (size_t r = 0; r < s->live_count; r++)
            jobs += s->live[r].end - s->live[r].first;
        files = jobs;
    }
    f->live_jobs = calloc(jobs ? jobs : 1, sizeof(live_job));
    f->live_files = calloc(files ? files : 1, sizeof(live_file));
    if (!f->live_jobs || !f->live_files)
        return;
    if (s->streamed) {
        for (size_t i = 0; i < s->store.job_count; i++)
            add_job(f, &s->store.jobs[i]);
        for (size_t i = 0; i < s->store.file_count; i++)
            add_file(f, &s->store.files[i]);
    } else {
        collect_kept(f);
    }
    for (size_t i = 0; i < f->live_job_count; i++)
        for (size_t k = 0; k < f->live_jobs[i].file_count; k++)
            util_string_map_add(&f->live_listings, f->live_jobs[i].file_ids[k], i);
}

/* ---- live jobs and files decoded again (streamed runs) ----------------------------------------- */

static int compare_rows(const void *a, const void *b)
{
    const live_row *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* The live version holding the blob of the row at (path, offset); NULL when
 * the walk found no blob there (the row had none: decoded from no bytes, as
 * the live read did). */
static const carve_version *row_version(carve_session *s, int k, const char *path, uint64_t offset)
{
    live_store *store = &s->store;
    if (!store->rows_sorted[k]) {
        if (store->row_count[k] > 1)
            qsort(store->rows[k], store->row_count[k], sizeof(live_row), compare_rows);
        store->rows_sorted[k] = true;
    }
    size_t lo = 0, hi = store->row_count[k];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (store->rows[k][mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < store->row_count[k] && store->rows[k][lo].offset == offset; lo++)
        if (strcmp(store->rows[k][lo].path, path ? path : "") == 0)
            return &s->versions[store->rows[k][lo].version];
    return NULL;
}

const bp_job *carve_finish_live_job_object(finish_state *f, live_job *live)
{
    if (live->job || !f->s->streamed)
        return live->job;
    carve_session *s = f->s;
    const carve_version *v = row_version(s, 1, live->source->path, live->source->offset);
    /* it belongs to the carved records written after the finish */
    util_arena *arena = result_record_arena(s->result);
    bp_job *job = bits_decode_job(arena, v ? v->bytes : (const uint8_t *)"", v ? v->size : 0);
    if (!job) {
        s->out_of_memory = true;
        return NULL;
    }
    /* what the store holds is freed with the session: copied to the record's arena */
    if (!job->job_id[0])  /* as qmgr_db.c: the Jobs row's Id when the blob names none */
        job->job_id = util_arena_strdup(arena, live->job_id);
    job->warnings = copy_notes(arena, &live->warnings);
    if (!job->job_id)
        job->job_id = "";
    live->job = job;
    return job;
}

const bp_file *carve_finish_live_file(finish_state *f, const char *id)
{
    size_t i;
    if (!util_string_map_get(&f->live_file_ids, id, &i))
        return NULL;
    live_file *live = &f->live_files[i];
    if (live->file || !f->s->streamed)
        return live->file;
    carve_session *s = f->s;
    const carve_version *v = row_version(s, 0, live->path, live->offset);
    util_arena *arena = result_record_arena(s->result);
    bp_file *file = bits_decode_file(arena, v ? v->bytes : (const uint8_t *)"", v ? v->size : 0);
    const char *file_id = file ? util_arena_strdup(arena, live->file_id) : NULL;
    if (!file || !file_id) {
        s->out_of_memory = true;
        return NULL;
    }
    file->file_id = file_id;  /* as qmgr_db.c: always the Files row's Id */
    file->warnings = copy_notes(arena, &live->warnings);
    live->file = file;
    return file;
}
