/* Bits-Client events to job records (docs/format-evtx.md §3-§5).
 *
 * Events are read in log order and gathered per job id: event 3 gives the
 * title, owner account and creating process, 59/60/61 one transfer each (URL,
 * bytes, remote file time, HRESULT), 4 and 5 the end of the job. Windows 7's
 * event 3 names no job id; it is kept aside and linked to the first job with
 * the same title whose id appears later (with a warning saying so). */
#include "evtx/bits_client_internal.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evtx/evtx_log.h"
#include "util/growable.h"
#include "util/text.h"

/* ---- jobs ----------------------------------------------------------------- */

static ev_job *find_job(ev_log *log, const char *job_id)
{
    size_t index;
    return *job_id && util_string_map_get(&log->job_index, job_id, &index) ? &log->jobs[index] : NULL;
}

ev_job *evtx_bc_add_job(ev_log *log, const char *job_id, uint64_t offset, size_t seq)
{
    if (!util_grow((void **)&log->jobs, &log->job_capacity, log->job_count, sizeof(ev_job)))
        return NULL;
    ev_job *job = &log->jobs[log->job_count++];
    memset(job, 0, sizeof(*job));
    job->job_id = job_id;
    job->title = job->owner = job->process_path = "";
    job->state = STATE_UNKNOWN;
    job->offset = offset;
    job->first_seq = seq;
    /* the first job with an id stays the one found by it */
    if (*job_id && !util_string_map_add(&log->job_index, job_id, log->job_count - 1) && log->job_index.out_of_memory)
        return NULL;
    return job;
}

bool evtx_bc_add_item(ev_job *job, const bp_event *event, size_t transfer)
{
    if (!util_grow((void **)&job->items, &job->item_capacity, job->item_count, sizeof(ev_item)))
        return false;
    job->items[job->item_count].event = *event;
    job->items[job->item_count].transfer = transfer;
    job->item_count++;
    if (event->time > job->last_time)
        job->last_time = event->time;
    return true;
}

static size_t find_transfer(ev_job *job, const char *url, uint64_t offset)
{
    for (size_t i = 0; i < job->transfer_count; i++)
        if (strcmp(job->transfers[i].url, url) == 0)
            return i;
    if (!util_grow((void **)&job->transfers, &job->transfer_capacity, job->transfer_count, sizeof(ev_transfer)))
        return NO_TRANSFER;
    ev_transfer *t = &job->transfers[job->transfer_count];
    memset(t, 0, sizeof(*t));
    t->url = url;
    t->local_path = "";
    t->bytes_total = UINT64_MAX;
    t->offset = offset;
    return job->transfer_count++;
}

static void count_unknown(ev_log *log, uint32_t id)
{
    log->unknown_total++;
    for (size_t i = 0; i < MAX_COUNTED_IDS; i++) {
        if (log->unknown[i].count == 0 || log->unknown[i].id == id) {
            log->unknown[i].id = id;
            log->unknown[i].count++;
            return;
        }
    }
}

/* ---- gathering ----------------------------------------------------------------- */

static ev_job *job_by_title(ev_log *log, const char *title)
{
    ev_job *best = NULL;
    for (size_t j = 0; title && *title && j < log->job_count; j++)
        if (strcmp(log->jobs[j].title, title) == 0 && (!best || log->jobs[j].last_time >= best->last_time))
            best = &log->jobs[j];
    return best;
}

/* A new job with an id but no event 3 of its own: the Windows 7 case. Link
 * the earliest unlinked id-less event 3 with the same title (and owner, when
 * both name one) that is not later than this event. */
static bool link_creation(ev_log *log, ev_job *job, const evtx_event *e, const event_fields *f)
{
    const char *title = evtx_bc_or_empty(f->value[F_TITLE]);
    const char *owner = evtx_bc_or_empty(f->value[F_OWNER]);
    ev_creation *chosen = NULL;
    size_t candidates = 0;
    for (size_t i = 0; *title && i < log->creation_count; i++) {
        ev_creation *c = &log->creations[i];
        if (c->linked || strcmp(c->title, title) != 0 || c->time > e->time)
            continue;
        if (*owner && *c->owner && strcasecmp(owner, c->owner) != 0)
            continue;
        candidates++;
        if (!chosen)
            chosen = c;
    }
    if (!chosen)
        return true;
    chosen->linked = true;
    job->created_seen = true;
    job->created = chosen->time;
    job->title = chosen->title;
    job->owner = chosen->owner;
    job->offset = chosen->offset;
    job->first_seq = chosen->seq;
    if (!evtx_bc_add_item(job, &chosen->event, NO_TRANSFER))
        return false;
    util_notes_addf(log->arena, &job->warnings,
                  "event 3 (job created, record %" PRIu64 " at %s) names no job id (Windows 7 layout): linked "
                  "to this job by its title \"%s\" and time; the first event naming the job id is record %" PRIu64
                  " (event %" PRIu32 ") at %s%s",
                  chosen->event.record_id, evtx_bc_time_text(log->arena, chosen->time), title, e->record_id, e->event_id,
                  evtx_bc_time_text(log->arena, e->time),
                  candidates > 1 ? util_arena_printf(log->arena, "; %zu such events 3 were candidates, the earliest "
                                                               "was taken", candidates)
                                 : "");
    return true;
}

static bool remember_creation(ev_log *log, const evtx_event *e, const event_fields *f, const bp_event *event)
{
    if (!util_grow((void **)&log->creations, &log->creation_capacity, log->creation_count, sizeof(ev_creation)))
        return false;
    ev_creation *c = &log->creations[log->creation_count++];
    memset(c, 0, sizeof(*c));
    c->title = util_arena_strdup(log->arena, evtx_bc_or_empty(f->value[F_TITLE]));
    c->owner = util_arena_strdup(log->arena, evtx_bc_or_empty(f->value[F_OWNER]));
    c->time = e->time;
    c->offset = e->offset;
    c->seq = log->seq;
    c->event = *event;
    return c->title && c->owner;
}

/* Facts of one event onto its job. */
static bool apply(ev_log *log, ev_job *job, const evtx_event *e, const event_fields *f, const bp_event *event)
{
    util_arena *arena = log->arena;
    const char *title = f->value[F_TITLE];
    const char *owner = f->value[F_OWNER];
    if (title && *title && !*job->title)
        job->title = util_arena_strdup(arena, title);
    if (owner && *owner && !*job->owner)
        job->owner = util_arena_strdup(arena, owner);
    size_t transfer = NO_TRANSFER;
    /* a record from free space is an older copy or a leftover: it is listed,
     * and fills in only what the live records leave unknown */
    bool fill_only = e->recovered;
    size_t known_transfers = job->transfer_count;
    switch (e->event_id) {
    case 3:
        if (!job->created_seen) {
            job->created_seen = true;
            job->created = e->time;
            if (title && *title)
                job->title = util_arena_strdup(arena, title);
            if (owner && *owner)
                job->owner = util_arena_strdup(arena, owner);
            if (f->value[F_PROCESS_PATH])
                job->process_path = util_arena_strdup(arena, f->value[F_PROCESS_PATH]);
        }
        break;
    case 4:
        if (fill_only && job->state != STATE_UNKNOWN)
            break;
        job->state = STATE_ACKNOWLEDGED;
        job->completed = e->time;
        break;
    case 5:
        if (fill_only && job->state != STATE_UNKNOWN)
            break;
        job->state = STATE_CANCELLED;
        break;
    case 59:
    case 60:
    case 61: {
        const char *url = f->value[F_URL];
        if (!url)
            break;
        transfer = find_transfer(job, util_arena_strdup(arena, url), e->offset);
        if (transfer == NO_TRANSFER)
            return false;
        if (fill_only && transfer < known_transfers)
            break;
        ev_transfer *t = &job->transfers[transfer];
        uint64_t value;
        if (f->value[F_FILE_TIME] && evtx_parse_time(f->value[F_FILE_TIME], &value))
            t->remote_file_time = value;
        if (evtx_bc_parse_u64(f->value[F_BYTES_TOTAL], &value) && value != UINT64_MAX)
            t->bytes_total = value;
        else if (evtx_bc_parse_u64(f->value[F_FILE_LENGTH], &value) && value != UINT64_MAX)
            t->bytes_total = value;
        if (evtx_bc_parse_u64(f->value[F_BYTES_TRANSFERRED], &value))
            t->bytes_transferred = value;
        uint32_t hr;
        if (e->event_id != 59 && evtx_bc_parse_hresult(f->value[F_HR], &hr)) {
            job->has_stop = true;
            job->last_stop_hr = hr;
        }
        break;
    }
    case 16403: {  /* a file added to the job: its URL and local file, even when no transfer follows */
        const char *url = f->value[F_URL];
        if (!url || !*url)
            break;
        transfer = find_transfer(job, util_arena_strdup(arena, url), e->offset);
        if (transfer == NO_TRANSFER)
            return false;
        const char *local = f->value[F_LOCAL_NAME];
        if (local && *local && !(fill_only && *job->transfers[transfer].local_path))
            job->transfers[transfer].local_path = util_arena_strdup(arena, local);
        break;
    }
    default:
        break;
    }
    return evtx_bc_add_item(job, event, transfer);
}

/* A value that can be a job id: the GUID type, 16 bytes, and not UTF-16
 * text (8 ASCII characters: what the 1809 records hold where the GUID
 * belongs; a random GUID has its 8 odd bytes zero once in 2^64). */
static bool is_guid_value(const binxml_value *v)
{
    if (v->type != BINXML_TYPE_GUID || v->size != 16 || !v->bytes)
        return false;
    for (size_t i = 0; i < 16; i += 2)
        if (v->bytes[i + 1] != 0 || v->bytes[i] < 0x20 || v->bytes[i] > 0x7e)
            return true;
    return false;
}

/* The first 16 bytes of another value that, read as a GUID, name a job this
 * log has named before; NULL when none does. *item = that value's index. */
static ev_job *job_in_other_value(ev_log *log, const evtx_event *e, size_t skip, size_t *item)
{
    for (size_t i = 0; i < e->data_count; i++) {
        if (i == skip || e->raw[i].size < 16 || !e->raw[i].bytes)
            continue;
        char id[37];
        util_guid_format(e->raw[i].bytes, id);
        ev_job *job = find_job(log, id);
        if (job) {
            *item = i;
            return job;
        }
    }
    return NULL;
}

/* An event whose job id value is not of the GUID type: attached to the job
 * another of its values starts with, else to the log's unknown job. Both
 * with a warning: the id the text seems to be is never taken. */
static bool attach_by_other_value(ev_log *log, const evtx_event *e, const event_fields *f, const bp_event *event,
                                  const binxml_value *id_value)
{
    util_arena *arena = log->arena;
    const char *why = util_arena_printf(arena, "event %" PRIu32 " (record %" PRIu64 "): the value at the job id's "
                                             "place is not a GUID (type 0x%02x, %u bytes, read as %s)",
                                      e->event_id, e->record_id, id_value->type, id_value->size,
                                      evtx_bc_or_empty(f->value[F_JOB_ID]));
    size_t item = 0;
    ev_job *job = why ? job_in_other_value(log, e, f->index[F_JOB_ID], &item) : NULL;
    if (job) {
        util_notes_addf(arena, &job->warnings, "%s; the job id is the first 16 bytes of data item %zu%s%s%s, a job "
                                             "this log names before",
                      why, item + 1, e->names ? " (" : "", e->names ? e->names[item] : "", e->names ? ")" : "");
        return apply(log, job, e, f, event);
    }
    if (!why)
        return false;
    if (!log->unknown_job) {
        if (!evtx_bc_add_job(log, "", e->offset, log->seq))
            return false;
        log->unknown_job = log->job_count;
    }
    job = &log->jobs[log->unknown_job - 1];
    util_notes_addf(arena, &job->warnings, "%s, and no other value starts with the id of a job this log names "
                                         "before: the job is unknown",
                  why);
    return apply(log, job, e, f, event);
}

/* The event's data items copied for the record (Sigma rules match on them). */
static bool copy_event_data(util_arena *arena, const evtx_event *e, bp_event *event)
{
    if (e->data_count == 0)
        return true;
    bp_event_data *data = util_arena_array(arena, e->data_count, sizeof(*data));
    if (!data)
        return false;
    for (size_t i = 0; i < e->data_count; i++) {
        data[i].name = util_arena_strdup(arena, e->names ? e->names[i] : "");
        data[i].value = util_arena_strdup(arena, e->values[i]);
        if (!data[i].name || !data[i].value)
            return false;
    }
    event->data = data;
    event->data_count = e->data_count;
    return true;
}

static bool on_event(const evtx_event *e, void *context)
{
    ev_log *log = context;
    util_arena *arena = log->arena;
    event_fields f;
    log->seq++;
    evtx_bc_read_fields(e, &f);
    if (!f.known) {
        if (evtx_bc_is_job_event(e->event_id) || e->event_id == 209)
            count_unknown(log, e->event_id);
        return true;  /* other events without a job (service start/stop ...) are not kept */
    }
    bp_event event = {.event_id = e->event_id, .time = e->time, .record_id = e->record_id,
                      .log = log->label, .offset = e->offset, .recovered = e->recovered};
    event.what = evtx_bc_summary(arena, e, &f);
    if (!event.what || !copy_event_data(arena, e, &event)) {
        log->out_of_memory = true;
        return false;
    }
    const char *job_id = evtx_bc_normal_job_id(arena, f.value[F_JOB_ID]);
    bool ok = true;
    const binxml_value *id_value = job_id && e->raw ? &e->raw[f.index[F_JOB_ID]] : NULL;
    if (id_value && !is_guid_value(id_value)) {
        /* text where the template wants the job GUID (libevtx renders it as one) */
        ok = attach_by_other_value(log, e, &f, &event, id_value);
    } else if (!job_id && e->event_id == 3) {
        ok = remember_creation(log, e, &f, &event);
    } else if (!job_id) {
        ev_job *job = job_by_title(log, f.value[F_TITLE]);
        if (job) {
            util_notes_addf(arena, &job->warnings,
                          "event %" PRIu32 " (record %" PRIu64 ") names no job id: attached to this job by its title",
                          e->event_id, e->record_id);
            ok = apply(log, job, e, &f, &event);
        } else if (evtx_bc_is_job_event(e->event_id)) {
            log->unattached++;
        }
    } else {
        ev_job *job = find_job(log, job_id);
        if (!job) {
            job = evtx_bc_add_job(log, job_id, e->offset, log->seq);
            ok = job && (e->event_id == 3 || link_creation(log, job, e, &f));
        }
        ok = ok && apply(log, job, e, &f, &event);
    }
    if (!ok)
        log->out_of_memory = true;
    return ok;
}

static void free_log(ev_log *log)
{
    for (size_t j = 0; j < log->job_count; j++) {
        free(log->jobs[j].transfers);
        free(log->jobs[j].items);
    }
    free(log->jobs);
    util_string_map_free(&log->job_index);
    free(log->creations);
}

bits_log *bits_log_new(bp_result *result, const char *label)
{
    ev_log *log = calloc(1, sizeof(*log));
    if (log) {
        log->result = result;
        log->arena = &result->arena;
        log->label = label;
    }
    return log;
}

bool bits_log_add(bits_log *log, const evtx_event *event)
{
    return on_event(event, log);
}

bool bits_log_finish(bits_log *log, bp_note_list *notes)
{
    util_arena *arena = log->arena;
    if (!log->out_of_memory && !evtx_bc_adopt_orphan_creations(log))
        log->out_of_memory = true;
    /* records in log order of each job's first event (positions are distinct) */
    if (log->job_count > 1)
        qsort(log->jobs, log->job_count, sizeof(ev_job), evtx_bc_compare_first_seen);
    for (size_t j = 0; j < log->job_count && !log->out_of_memory; j++)
        if (!evtx_bc_emit_job(log, &log->jobs[j]))
            log->out_of_memory = true;
    if (log->unknown_total) {
        char ids[MAX_COUNTED_IDS * 48] = "";
        size_t used = 0;
        for (size_t i = 0; i < MAX_COUNTED_IDS && log->unknown[i].count && used < sizeof ids; i++)
            used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%" PRIu32 " x%zu", used ? ", " : "",
                                     log->unknown[i].id, log->unknown[i].count);
        util_notes_addf(arena, notes, "%zu %s events have a data layout this version does not know and were not "
                                    "used (event id x count: %s)",
                      log->unknown_total, BITS_CLIENT_PROVIDER, ids);
    }
    if (log->unattached)
        util_notes_addf(arena, notes, "%zu job events name neither a job id nor the title of a known job and were "
                                    "not attached to any record",
                      log->unattached);
    bool complete = !log->out_of_memory;
    if (!complete)
        util_notes_add(arena, notes, "out of memory: the records of this log are incomplete");
    free_log(log);
    free(log);
    return complete;
}

int evtx_bits_read(const uint8_t *data, size_t size, const char *label, bool carve, bp_result *result)
{
    util_arena *arena = &result->arena;
    bp_note_list notes = {NULL, NULL, 0};
    evtx_log_stats stats;
    bits_log *log = bits_log_new(result, label);
    if (!log) {
        util_notes_addf(arena, &result->warnings, "%s: out of memory", label);
        return BP_STATUS_UNREADABLE;
    }
    log->carve = carve;
    bool opened = evtx_log_read(data, size, BITS_CLIENT_PROVIDER, carve, on_event, log, arena, &notes, &stats);
    if (opened && stats.delivered == 0 && stats.records > 0)
        util_notes_addf(arena, &notes, "no %s events in this log (%zu records of other providers)",
                      BITS_CLIENT_PROVIDER, stats.other_provider);
    else if (opened && stats.other_provider)
        util_notes_addf(arena, &notes, "%zu of %zu event records are not %s events and were skipped",
                      stats.other_provider, stats.records, BITS_CLIENT_PROVIDER);
    /* free space: with --carve its Bits-Client records are events of their
     * jobs (marked recovered); without, one note says how many there are */
    if (!carve && stats.free_space_readable)
        util_notes_addf(arena, &notes, "%zu %s records lie in the log's free space (deleted, overwritten or not "
                                     "committed); --carve recovers them",
                      stats.free_space_readable, BITS_CLIENT_PROVIDER);
    if (stats.binxml_over_budget)
        util_notes_addf(arena, &notes, "%zu event records have binary XML too costly to follow (over %d steps): "
                                     "the types of their values are unknown, their text is used as it is",
                      stats.binxml_over_budget, BINXML_MAX_STEPS);
    bits_log_finish(log, &notes);
    for (bp_note *n = notes.head; n; n = n->next)
        util_notes_addf(arena, &result->warnings, "%s: %s", label, n->text);
    if (!opened)
        return BP_STATUS_UNREADABLE;
    return notes.count ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
}

