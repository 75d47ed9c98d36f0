/* The job records made of the jobs gathered from Bits-Client events, and the
 * orphaned Windows 7 creation events adopted before (docs/format-evtx.md §5). */
#include "evtx/bits_client_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "evtx/evtx_log.h"
#include "util/text.h"

/* ---- records ------------------------------------------------------------------ */

static bp_job *new_job(util_arena *arena, const ev_job *source)
{
    bp_job *job = util_arena_alloc(arena, sizeof(*job));
    if (!job)
        return NULL;
    job->job_id = source->job_id;
    job->marker = job->description = job->notify_program = job->notify_arguments = "";
    job->owner_sid = job->sd_owner_sid = job->sd_group_sid = "";
    job->proxy_list = job->proxy_bypass_list = job->field54_guid = job->package_family_name = job->package_app_id = "";
    job->http_method = job->extra_string = "";
    job->name = source->title;
    job->creator_program = source->process_path;
    job->created = source->created;
    job->completed = source->completed;
    job->state = source->state;
    /* the last transfer stop failed and the job did not complete afterwards */
    if (source->has_stop && (source->last_stop_hr & 0x80000000u) && source->state != STATE_ACKNOWLEDGED) {
        job->has_error = true;
        job->error_count = 1;
        job->error_hresult = source->last_stop_hr;
    }
    job->warnings = source->warnings;
    job->complete = true;
    return job;
}

static bp_file *new_file(util_arena *arena, const ev_transfer *t)
{
    bp_file *file = util_arena_alloc(arena, sizeof(*file));
    if (!file)
        return NULL;
    file->file_id = file->local_path = file->temp_path = file->drive = file->volume = "";
    file->remote_url = t->url;
    file->local_path = t->local_path;
    file->bytes_total = t->bytes_total;
    file->bytes_transferred = t->bytes_transferred;
    file->remote_file_time = t->remote_file_time;
    file->file_size = -1;
    file->complete = true;
    return file;
}

/* The events of record `transfer` of the job: its transfer's events, plus
 * the job-level ones on the job's first record. */
static bool attach_events(util_arena *arena, bp_record *record, const ev_job *job, size_t transfer)
{
    size_t count = 0;
    for (size_t i = 0; i < job->item_count; i++) {
        size_t t = job->items[i].transfer;
        if (t == transfer || (transfer == 0 && t == NO_TRANSFER))
            count++;
    }
    if (!count)
        return true;
    bp_event *events = util_arena_array(arena, count, sizeof(*events));
    if (!events)
        return false;
    size_t n = 0;
    for (size_t i = 0; i < job->item_count; i++) {
        size_t t = job->items[i].transfer;
        if (t == transfer || (transfer == 0 && t == NO_TRANSFER))
            events[n++] = job->items[i].event;
    }
    record->events = events;
    record->event_count = n;
    return true;
}

bool evtx_bc_emit_job(ev_log *log, const ev_job *source)
{
    util_arena *arena = log->arena;
    bp_job *job = new_job(arena, source);
    if (!job)
        return false;
    bp_source job_source = {.path = log->label, .format = "evtx", .table = "", .offset = source->offset};
    size_t records = source->transfer_count ? source->transfer_count : 1;
    for (size_t t = 0; t < records; t++) {
        bp_record *record = result_add(log->result);
        if (!record)
            return false;
        record->job = job;
        record->job_source = job_source;
        record->owner_account = *source->owner ? source->owner : NULL;
        if (source->transfer_count) {
            record->file = new_file(arena, &source->transfers[t]);
            if (!record->file)
                return false;
            record->file_source = job_source;
            record->file_source.offset = source->transfers[t].offset;
        }
        if (!attach_events(arena, record, source, source->transfer_count ? t : 0))
            return false;
    }
    return true;
}

int evtx_bc_compare_first_seen(const void *a, const void *b)
{
    const ev_job *x = a, *y = b;
    return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

/* Event 3s no job claimed become jobs of their own, without an id. */
bool evtx_bc_adopt_orphan_creations(ev_log *log)
{
    for (size_t i = 0; i < log->creation_count; i++) {
        ev_creation *c = &log->creations[i];
        if (c->linked)
            continue;
        ev_job *job = evtx_bc_add_job(log, "", c->offset, c->seq);
        if (!job)
            return false;
        job->created_seen = true;
        job->created = c->time;
        job->title = c->title;
        job->owner = c->owner;
        if (!evtx_bc_add_item(job, &c->event, NO_TRANSFER))
            return false;
        util_notes_addf(log->arena, &job->warnings,
                      "event 3 (job created, record %" PRIu64 ") names no job id and no later event with the title "
                      "\"%s\" does: the job id is unknown",
                      c->event.record_id, c->title);
    }
    return true;
}

