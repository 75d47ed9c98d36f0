/* A record as the Bits-Client events a Sigma rule is written for
 * (docs/detections.md, "Sigma rules"):
 *   - every log event attached to the record that carries its data is
 *     matched as itself: its EventID and its data items by name;
 *   - a queue record (live, carved or legacy: anything not read from a log)
 *     also stands for the events BITS logs for its job: EID 3 "job created"
 *     (jobTitle, jobId, jobOwner, processPath) and, for each file, EID 16403
 *     "file added" (jobTitle, jobId, jobOwner, RemoteName, LocalName,
 *     fileCount). The queue does not keep the creator's process id, so
 *     processId is absent (a rule testing it does not match). */
#include <inttypes.h>
#include <string.h>

#include "detect/sigma.h"

static const char *or_empty(const char *text) { return text ? text : ""; }

/* The owner as the log names it (DOMAIN\user) when a log told us, else the SID. */
static const char *job_owner(const bp_record *record)
{
    if (record->owner_account && *record->owner_account)
        return record->owner_account;
    return or_empty(record->job ? record->job->owner_sid : NULL);
}

/* The log writes job ids in braces, upper case ("{6F364A04-...}"). */
static const char *logged_job_id(const bp_record *record, util_arena *scratch)
{
    const char *id = record->job ? or_empty(record->job->job_id) : "";
    if (!*id)
        return "";
    char *text = util_arena_printf(scratch, "{%s}", id);
    for (char *p = text; p && *p; p++)
        if (*p >= 'a' && *p <= 'z')
            *p = (char)(*p - 32);
    return text;
}

static bool from_log(const bp_record *record)
{
    const char *format = record->job ? record->job_source.format : record->file_source.format;
    return format && strcmp(format, "evtx") == 0;
}

bool sigma_record_events(const bp_record *record, util_arena *scratch, sigma_events *out)
{
    size_t logged = 0;
    for (size_t i = 0; record->events && i < record->event_count; i++)
        if (record->events[i].data_count)
            logged++;
    bool queue = !from_log(record);
    size_t total = logged + (queue ? 2 : 0);
    out->events = NULL;
    out->count = 0;
    if (total == 0)
        return true;
    sigma_event *events = util_arena_array(scratch, total, sizeof(*events));
    if (!events)
        return false;
    size_t n = 0;
    for (size_t i = 0; record->events && i < record->event_count; i++)
        if (record->events[i].data_count)
            events[n++] = (sigma_event){record->events[i].event_id, record->events[i].data,
                                        record->events[i].data_count};
    if (queue) {
        const bp_job *job = record->job;
        const char *id = logged_job_id(record, scratch);
        if (!id)
            return false;
        const char *title = or_empty(job ? job->name : NULL), *owner = job_owner(record);
        if (job) {
            bp_event_data *created = util_arena_array(scratch, 4, sizeof(*created));
            if (!created)
                return false;
            created[0] = (bp_event_data){"jobTitle", title};
            created[1] = (bp_event_data){"jobId", id};
            created[2] = (bp_event_data){"jobOwner", owner};
            created[3] = (bp_event_data){"processPath", or_empty(job->creator_program)};
            events[n++] = (sigma_event){3, created, 4};
        }
        if (record->file) {
            bp_event_data *added = util_arena_array(scratch, 6, sizeof(*added));
            const char *count = util_arena_printf(scratch, "%zu", job ? job->file_count : (size_t)1);
            if (!added || !count)
                return false;
            size_t k = 0;
            if (job) {
                added[k++] = (bp_event_data){"jobTitle", title};
                added[k++] = (bp_event_data){"jobId", id};
                added[k++] = (bp_event_data){"jobOwner", owner};
            }
            added[k++] = (bp_event_data){"fileCount", count};
            added[k++] = (bp_event_data){"RemoteName", or_empty(record->file->remote_url)};
            added[k++] = (bp_event_data){"LocalName", or_empty(record->file->local_path)};
            events[n++] = (sigma_event){16403, added, k};
        }
    }
    out->events = events;
    out->count = n;
    return true;
}
