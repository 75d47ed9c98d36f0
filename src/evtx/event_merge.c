/* Event-log records meet queue records: a job id that both an event log and a
 * queue (qmgr.db, a carved job, a blob, a legacy state file) know gives one
 * record, the queue's, carrying the events. The event-log records so merged
 * are dropped. */
#include "evtx/event_merge.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "result/result.h"

bool evtx_record_is_event_only(const bp_record *record)
{
    return record->job && record->job_source.format && strcmp(record->job_source.format, "evtx") == 0;
}

static const char *job_id_of(const bp_record *record)
{
    return record->job && record->job->job_id ? record->job->job_id : "";
}

/* A queue record by its job id; sorted by id, then by position. */
typedef struct queue_entry {
    const char *job_id;
    size_t index;
} queue_entry;

static int compare_entries(const void *a, const void *b)
{
    const queue_entry *x = a, *y = b;
    int c = strcasecmp(x->job_id, y->job_id);
    if (c)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* The queue record of the job that should carry the events of `from`: the
 * one with the same URL, else the job's first one; live before carved. */
static bp_record *choose_target(bp_result *result, const queue_entry *queue, size_t first, size_t last,
                                const bp_record *from)
{
    const char *url = from->file && from->file->remote_url ? from->file->remote_url : "";
    bp_record *best = NULL;
    int best_rank = 99;
    for (size_t k = first; k < last; k++) {
        bp_record *r = &result->records[queue[k].index];
        bool same_url = *url && r->file && r->file->remote_url && strcmp(r->file->remote_url, url) == 0;
        int rank = (same_url ? 0 : 2) + (r->carved ? 1 : 0);
        if (rank < best_rank) {
            best = r;
            best_rank = rank;
        }
    }
    return best;
}

/* Both lists are in time order as far as their logs are: merge them by time,
 * the target's entries first among equal times. */
static bool append_events(util_arena *arena, bp_record *to, const bp_record *from)
{
    size_t total = to->event_count + from->event_count;
    if (!from->event_count)
        return true;
    bp_event *events = util_arena_array(arena, total, sizeof(*events));
    if (!events)
        return false;
    size_t i = 0, j = 0, n = 0;
    while (i < to->event_count || j < from->event_count) {
        bool take_to = j >= from->event_count ||
                       (i < to->event_count && to->events[i].time <= from->events[j].time);
        events[n++] = take_to ? to->events[i++] : from->events[j++];
    }
    to->events = events;
    to->event_count = n;
    return true;
}

static bool merge_into(util_arena *arena, bp_record *to, const bp_record *from)
{
    if (!append_events(arena, to, from))
        return false;
    if ((!to->owner_account || !*to->owner_account) && from->owner_account)
        to->owner_account = from->owner_account;
    /* what the event log had to say about itself stays visible */
    const char *log = from->job_source.path ? from->job_source.path : "";
    for (const bp_note *n = from->warnings.head; n; n = n->next)
        util_notes_addf(arena, &to->warnings, "event log %s: %s", log, n->text);
    for (const bp_note *n = from->job->warnings.head; n; n = n->next)
        util_notes_addf(arena, &to->warnings, "event log %s: %s", log, n->text);
    return true;
}

void bp_result_correlate_events(bp_result *result)
{
    if (!result || !result->count)
        return;
    queue_entry *queue = malloc(result->count * sizeof(*queue));
    bool *drop = calloc(result->count, sizeof(*drop));
    if (!queue || !drop) {
        free(queue);
        free(drop);
        return;
    }
    size_t queue_count = 0;
    bool any_events = false;
    for (size_t i = 0; i < result->count; i++) {
        const bp_record *r = &result->records[i];
        if (evtx_record_is_event_only(r))
            any_events = any_events || *job_id_of(r);
        else if (*job_id_of(r))
            queue[queue_count++] = (queue_entry){job_id_of(r), i};
    }
    if (any_events && queue_count) {
        qsort(queue, queue_count, sizeof(*queue), compare_entries);
        for (size_t i = 0; i < result->count; i++) {
            const bp_record *r = &result->records[i];
            const char *id = job_id_of(r);
            if (!evtx_record_is_event_only(r) || !*id)
                continue;
            /* lower bound of the id among the queue records */
            size_t low = 0, high = queue_count;
            while (low < high) {
                size_t mid = low + (high - low) / 2;
                if (strcasecmp(queue[mid].job_id, id) < 0)
                    low = mid + 1;
                else
                    high = mid;
            }
            size_t last = low;
            while (last < queue_count && strcasecmp(queue[last].job_id, id) == 0)
                last++;
            if (last == low)
                continue;
            bp_record *target = choose_target(result, queue, low, last, r);
            if (target && merge_into(&result->arena, target, r))
                drop[i] = true;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < result->count; i++)
        if (!drop[i])
            result->records[kept++] = result->records[i];
    result->count = kept;
    free(queue);
    free(drop);
}
