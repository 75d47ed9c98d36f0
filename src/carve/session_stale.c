/* The carve session, what only stale records name: file ids whose blob was
 * not found, and job ids no carved job carries (session_finish.c calls these). */
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

static int compare_stale_ids(const void *a, const void *b);

/* ---- file ids only a stale Files record names ------------------------------------------------ */

static int compare_id_only_files(const void *a, const void *b)
{
    const stale_id *x = *((const id_only_file *)a)->first, *y = *((const id_only_file *)b)->first;
    return x < y ? -1 : x > y;
}

/* Group the stale Files ids by id (sorting, as for job ids: a hostile page can
 * hold one such record every few dozen bytes) and keep those no live file and
 * no carved file version carries. Runs after resolve_file_ids. */
void carve_finish_index_id_only_files(finish_state *f)
{
    carve_session *s = f->s;
    size_t n = s->file_id_count;
    if (!n)
        return;
    util_string_map found = {0};
    for (size_t v = 0; v < s->version_count; v++) {
        carve_version *file = &s->versions[v];
        if (!file->is_job && !file->dropped && file->file_id[0])
            carve_finish_wake_live(f, file);  /* a live file a stale record named */
        if (!file->is_job && file->file && !file->dropped && file->file_id[0])
            util_string_map_add(&found, file->file_id, v);
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
        if (!carve_finish_live_file(f, id) && !util_string_map_get(&found, id, &at)) {
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
        util_string_map_add(&f->id_file_index, f->id_files[i].file->file_id, i);
    if (found.out_of_memory)
        s->out_of_memory = true;
    util_string_map_free(&found);
}

id_only_file *carve_finish_id_only_file_of(const finish_state *f, const char *file_id)
{
    size_t i;
    return util_string_map_get(&f->id_file_index, file_id, &i) ? &f->id_files[i] : NULL;
}

/* A row for a file id alone, with the job (carved or live) that lists it, if any. */
void carve_finish_emit_id_only_file(finish_state *f, const carve_version *job_v, live_job *live, id_only_file *g)
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
    bp_record *record = carve_finish_emit(f, job_v, &pseudo, live, NULL);
    free(pseudo.places);
    if (!record)
        return;
    /* A record whose blob sat inline (and does not decode) names no long
     * value: its place has lid 0, which must not be reported as one. */
    uint64_t lid = 0;
    for (size_t k = 0; k < g->count && !lid; k++)
        lid = g->first[k]->place.lid;
    if (lid)
        util_notes_addf(f->arena, &record->warnings,
                      "only the file id is known: a stale Files record names it, but no file blob found carries it "
                      "(long value 0x%llx holds another file or nothing)",
                      (unsigned long long)lid);
    else
        util_notes_add(f->arena, &record->warnings,
                     "only the file id is known: a stale Files record names it, but its inline blob does not "
                     "decode and no file blob found carries it");
    if (!job_v && !live)
        util_notes_add(f->arena, &record->warnings, "orphan file: no job found lists this file");
}

/* Is there a carved job version of this id? `sorted` is sorted by id first
 * (carve_finish_compare_job_versions). */
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
void carve_finish_emit_stale_job_ids(finish_state *f, carve_version *const *sorted, size_t count)
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
        if (!carve_finish_live_job_id(f, refs[i]->id) && !carved_job_id(sorted, count, refs[i]->id)) {
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
        bp_record *record = carve_finish_emit(f, &pseudo, NULL, NULL, NULL);
        free(pseudo.places);
        if (record)
            util_notes_addf(f->arena, &record->warnings,
                          "only the job id is known: a stale Jobs record names it, but its blob is gone "
                          "(long value 0x%llx holds another job or nothing)",
                          (unsigned long long)entry->place.lid);
    }
    free(refs);
    free(groups);
}

