/* Bits-Client events to job records (docs/format-evtx.md §3-§5).
 *
 * Events are read in log order and gathered per job id: event 3 gives the
 * title, owner account and creating process, 59/60/61 one transfer each (URL,
 * bytes, remote file time, HRESULT), 4 and 5 the end of the job. Windows 7's
 * event 3 names no job id; it is kept aside and linked to the first job with
 * the same title whose id appears later (with a warning saying so). */
#include "evtx/bits_client_log.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evtx/evtx_log.h"
#include "util/growable.h"
#include "util/text.h"

#define STATE_UNKNOWN UINT32_MAX
#define STATE_ACKNOWLEDGED 7u
#define STATE_CANCELLED 8u
#define NO_TRANSFER SIZE_MAX
#define MAX_COUNTED_IDS 16

/* ---- the event layouts --------------------------------------------------- */

enum field {
    F_TITLE, F_JOB_ID, F_OWNER, F_PROCESS_PATH, F_PROCESS_ID, F_USER, F_FILE_COUNT,
    F_BYTES_TRANSFERRED, F_TRANSFER_ID, F_URL, F_PEER, F_FILE_TIME, F_FILE_LENGTH, F_BYTES_TOTAL,
    F_HR, F_LOCAL_NAME, F_START_KEY, F_COUNT
};

/* Data item names per field, as Windows 8 and later write them. */
static const char *const field_names[F_COUNT][3] = {
    [F_TITLE] = {"jobTitle", "name", "jobName"},
    [F_JOB_ID] = {"jobId", "Id", "jobGuid"},
    [F_OWNER] = {"jobOwner", NULL, NULL},
    [F_PROCESS_PATH] = {"processPath", NULL, NULL},
    [F_PROCESS_ID] = {"processId", NULL, NULL},
    [F_USER] = {"User", NULL, NULL},
    [F_FILE_COUNT] = {"fileCount", NULL, NULL},
    [F_BYTES_TRANSFERRED] = {"bytesTransferred", NULL, NULL},
    [F_TRANSFER_ID] = {"transferId", NULL, NULL},
    [F_URL] = {"url", "RemoteName", NULL},
    [F_PEER] = {"peer", NULL, NULL},
    [F_FILE_TIME] = {"fileTime", NULL, NULL},
    [F_FILE_LENGTH] = {"fileLength", NULL, NULL},
    [F_BYTES_TOTAL] = {"bytesTotal", NULL, NULL},
    [F_HR] = {"hr", NULL, NULL},
    [F_LOCAL_NAME] = {"LocalName", NULL, NULL},
    [F_START_KEY] = {"ClientProcessStartKey", NULL, NULL},
};

/* Positions of the fields when the items carry no usable names (Windows 7
 * writes "string", "string2" ...): known (event id, item count) pairs only.
 * -1 = not in this layout; positions are 1-based here so 0 can mean "none". */
typedef struct positional_layout {
    uint32_t event_id;
    size_t min_items, max_items;
    signed char position[F_COUNT];  /* 1-based, 0 = absent */
} positional_layout;

static const positional_layout positional_layouts[] = {
    /* Windows 7 event 3: title, owner, "" */
    {3, 3, 3, {[F_TITLE] = 1, [F_OWNER] = 2}},
    /* Windows 10 event 3 */
    {3, 5, 5, {[F_TITLE] = 1, [F_JOB_ID] = 2, [F_OWNER] = 3, [F_PROCESS_PATH] = 4, [F_PROCESS_ID] = 5}},
    {4, 7, 7, {[F_USER] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_OWNER] = 4, [F_FILE_COUNT] = 5,
               [F_BYTES_TRANSFERRED] = 6}},
    {5, 5, 5, {[F_USER] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_OWNER] = 4, [F_FILE_COUNT] = 5}},
    {59, 10, 10, {[F_TRANSFER_ID] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_URL] = 4, [F_PEER] = 5,
                  [F_FILE_TIME] = 6, [F_FILE_LENGTH] = 7, [F_BYTES_TOTAL] = 8, [F_BYTES_TRANSFERRED] = 9}},
    {60, 10, 32, {[F_TRANSFER_ID] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_URL] = 4, [F_PEER] = 5, [F_HR] = 6,
                  [F_FILE_TIME] = 7, [F_FILE_LENGTH] = 8, [F_BYTES_TOTAL] = 9, [F_BYTES_TRANSFERRED] = 10}},
    {61, 10, 32, {[F_TRANSFER_ID] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_URL] = 4, [F_PEER] = 5, [F_HR] = 6,
                  [F_FILE_TIME] = 7, [F_FILE_LENGTH] = 8, [F_BYTES_TOTAL] = 9, [F_BYTES_TRANSFERRED] = 10}},
    {209, 3, 3, {[F_TITLE] = 1, [F_JOB_ID] = 2}},
    /* Windows 10 event 16403: a file added to a job */
    {16403, 9, 9, {[F_USER] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_OWNER] = 4, [F_FILE_COUNT] = 5, [F_URL] = 6,
                   [F_LOCAL_NAME] = 7, [F_PROCESS_ID] = 8, [F_START_KEY] = 9}},
};

/* The fields of one event, NULL where absent. */
typedef struct event_fields {
    const char *value[F_COUNT];
    size_t index[F_COUNT];  /* data item each value came from */
    bool named;         /* found by item names (else by position) */
    bool known;         /* a layout was recognised */
} event_fields;

static bool is_job_event(uint32_t id)
{
    return id == 3 || id == 4 || id == 5 || id == 59 || id == 60 || id == 61 || id == 16403;
}

static const char *named_value(const evtx_event *e, enum field f, size_t *index)
{
    for (size_t k = 0; k < 3 && field_names[f][k]; k++)
        for (size_t i = 0; i < e->data_count; i++)
            if (strcasecmp(e->names[i], field_names[f][k]) == 0) {
                *index = i;
                return e->values[i];
            }
    return NULL;
}

/* "{GUID}" or "GUID" in any case. */
static bool looks_like_guid(const char *text)
{
    if (!text)
        return false;
    size_t n = strlen(text);
    if (n == 38 && text[0] == '{' && text[37] == '}') {
        text++;
        n = 36;
    }
    if (n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return false;
    }
    return true;
}

static void read_fields(const evtx_event *e, event_fields *out)
{
    memset(out, 0, sizeof(*out));
    if (e->names) {
        for (int f = 0; f < F_COUNT; f++)
            out->value[f] = named_value(e, (enum field)f, &out->index[f]);
        /* names decide when they name the job or its title */
        if (out->value[F_JOB_ID] || out->value[F_TITLE] || out->value[F_URL]) {
            out->named = out->known = true;
            return;
        }
        memset(out->value, 0, sizeof(out->value));
    }
    for (size_t l = 0; l < sizeof(positional_layouts) / sizeof(positional_layouts[0]); l++) {
        const positional_layout *layout = &positional_layouts[l];
        if (layout->event_id != e->event_id || e->data_count < layout->min_items ||
            e->data_count > layout->max_items)
            continue;
        for (int f = 0; f < F_COUNT; f++)
            if (layout->position[f] > 0) {
                out->index[f] = (size_t)layout->position[f] - 1;
                out->value[f] = e->values[out->index[f]];
            }
        /* the ids of the layout must be GUIDs, or this is some other layout */
        if ((layout->position[F_JOB_ID] && !looks_like_guid(out->value[F_JOB_ID])) ||
            (layout->position[F_TRANSFER_ID] && !looks_like_guid(out->value[F_TRANSFER_ID]))) {
            memset(out->value, 0, sizeof(out->value));
            continue;
        }
        out->known = true;
        return;
    }
}

/* ---- values --------------------------------------------------------------- */

static const char *or_empty(const char *text) { return text ? text : ""; }

/* Lower-case GUID without braces; other text as it is (trimmed of braces). */
static char *normal_job_id(bp_arena *arena, const char *text)
{
    if (!text || !*text)
        return NULL;
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '{' && text[n - 1] == '}') {
        text++;
        n -= 2;
    }
    char *id = bp_arena_strndup(arena, text, n);
    for (char *p = id; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return id;
}

static bool parse_u64(const char *text, uint64_t *value)
{
    if (!text || !*text || *text == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || *end)
        return false;
    *value = v;
    return true;
}

/* An HRESULT as the events write it: unsigned or signed decimal, or 0x hex. */
static bool parse_hresult(const char *text, uint32_t *value)
{
    if (!text || !*text)
        return false;
    char *end;
    errno = 0;
    if (*text == '-') {
        long long v = strtoll(text, &end, 10);
        if (errno || *end || v < INT32_MIN)
            return false;
        *value = (uint32_t)(int32_t)v;
        return true;
    }
    uint64_t v;
    if (!parse_u64(text, &v) || v > UINT32_MAX)
        return false;
    *value = (uint32_t)v;
    return true;
}

/* ---- jobs ----------------------------------------------------------------- */

typedef struct ev_item {
    bp_event event;
    size_t transfer;            /* index in the job's transfers, NO_TRANSFER = job-level */
} ev_item;

typedef struct ev_transfer {
    const char *url;
    const char *local_path;     /* LocalName of event 16403, "" when none named it */
    uint64_t remote_file_time;
    uint64_t bytes_total;       /* UINT64_MAX = unknown */
    uint64_t bytes_transferred;
    uint64_t offset;            /* first event naming the URL */
} ev_transfer;

typedef struct ev_job {
    const char *job_id;         /* lower-case GUID, "" when no event named it */
    const char *title, *owner, *process_path;
    uint64_t created, completed;
    uint32_t state;
    bool created_seen;          /* an event 3 belongs to this job */
    bool has_stop;
    uint32_t last_stop_hr;
    uint64_t offset;            /* file offset of its earliest event */
    size_t first_seq;           /* position of its earliest event in the log */
    uint64_t last_time;
    ev_transfer *transfers;
    size_t transfer_count, transfer_capacity;
    ev_item *items;
    size_t item_count, item_capacity;
    bp_note_list warnings;
} ev_job;

/* An event 3 without a job id (Windows 7), waiting for its job. */
typedef struct ev_creation {
    const char *title, *owner;
    uint64_t time, offset;
    size_t seq;
    bp_event event;
    bool linked;
} ev_creation;

typedef struct id_count {
    uint32_t id;
    size_t count;
} id_count;

struct bits_log {
    bp_result *result;
    bp_arena *arena;
    const char *label;
    ev_job *jobs;
    size_t job_count, job_capacity;
    size_t *slots;              /* hash of job ids: job index + 1, 0 = empty */
    size_t slot_count;
    ev_creation *creations;
    size_t creation_count, creation_capacity;
    id_count unknown[MAX_COUNTED_IDS];
    size_t unknown_total;
    size_t unattached;          /* job events naming neither a known job id nor a known title */
    size_t seq;                 /* events seen so far */
    size_t unknown_job;         /* job index + 1 of the events whose job id is not a GUID, 0 = none yet */
    bool carve;                 /* use the events recovered from free space */
    bool out_of_memory;
};
typedef bits_log ev_log;

static uint64_t hash_text(const char *text)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *text; text++)
        h = (h ^ (unsigned char)*text) * 1099511628211ULL;
    return h;
}

static bool rehash(ev_log *log, size_t slot_count)
{
    size_t *slots = calloc(slot_count, sizeof(*slots));
    if (!slots)
        return false;
    for (size_t j = 0; j < log->job_count; j++) {
        if (!*log->jobs[j].job_id)
            continue;
        size_t s = (size_t)hash_text(log->jobs[j].job_id) & (slot_count - 1);
        while (slots[s])
            s = (s + 1) & (slot_count - 1);
        slots[s] = j + 1;
    }
    free(log->slots);
    log->slots = slots;
    log->slot_count = slot_count;
    return true;
}

static ev_job *find_job(ev_log *log, const char *job_id)
{
    if (!log->slot_count || !*job_id)
        return NULL;
    size_t s = (size_t)hash_text(job_id) & (log->slot_count - 1);
    for (; log->slots[s]; s = (s + 1) & (log->slot_count - 1))
        if (strcmp(log->jobs[log->slots[s] - 1].job_id, job_id) == 0)
            return &log->jobs[log->slots[s] - 1];
    return NULL;
}

static ev_job *add_job(ev_log *log, const char *job_id, uint64_t offset, size_t seq)
{
    if (!bp_grow((void **)&log->jobs, &log->job_capacity, log->job_count, sizeof(ev_job)))
        return NULL;
    ev_job *job = &log->jobs[log->job_count++];
    memset(job, 0, sizeof(*job));
    job->job_id = job_id;
    job->title = job->owner = job->process_path = "";
    job->state = STATE_UNKNOWN;
    job->offset = offset;
    job->first_seq = seq;
    if (*job_id && log->job_count * 2 > log->slot_count) {
        if (!rehash(log, log->slot_count ? log->slot_count * 2 : 256))
            return NULL;
    } else if (*job_id) {
        size_t s = (size_t)hash_text(job_id) & (log->slot_count - 1);
        while (log->slots[s])
            s = (s + 1) & (log->slot_count - 1);
        log->slots[s] = log->job_count;
    }
    return job;
}

static bool add_item(ev_job *job, const bp_event *event, size_t transfer)
{
    if (!bp_grow((void **)&job->items, &job->item_capacity, job->item_count, sizeof(ev_item)))
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
    if (!bp_grow((void **)&job->transfers, &job->transfer_capacity, job->transfer_count, sizeof(ev_transfer)))
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

/* ---- what each event says -------------------------------------------------- */

static const char *time_text(bp_arena *arena, uint64_t filetime)
{
    char buf[32];
    bp_filetime_format(filetime, buf);
    return bp_arena_strdup(arena, *buf ? buf : "(no time)");
}

static const char *bytes_text(bp_arena *arena, const char *transferred, const char *total)
{
    uint64_t t;
    bool total_known = parse_u64(total, &t) && t != UINT64_MAX;
    if (transferred && *transferred)
        return total_known ? bp_arena_printf(arena, "%s of %s bytes", transferred, total)
                           : bp_arena_printf(arena, "%s bytes, total unknown", transferred);
    return total_known ? bp_arena_printf(arena, "%s bytes", total) : "size unknown";
}

/* Every data item as name=value (value alone when unnamed), the job id left out. */
static const char *generic_text(bp_arena *arena, const evtx_event *e)
{
    size_t length = 1;
    for (size_t i = 0; i < e->data_count; i++)
        length += strlen(e->values[i]) + (e->names ? strlen(e->names[i]) + 1 : 0) + 2;
    char *text = bp_arena_alloc(arena, length);
    if (!text)
        return NULL;
    char *p = text;
    for (size_t i = 0; i < e->data_count; i++) {
        if (e->names && (strcasecmp(e->names[i], "jobId") == 0 || strcasecmp(e->names[i], "Id") == 0))
            continue;
        if (p != text)
            p = stpcpy(p, ", ");
        if (e->names && *e->names[i]) {
            p = stpcpy(p, e->names[i]);
            p = stpcpy(p, "=");
        }
        p = stpcpy(p, e->values[i]);
    }
    *p = '\0';
    return text;
}

static const char *summary(bp_arena *arena, const evtx_event *e, const event_fields *f)
{
    const char *title = or_empty(f->value[F_TITLE]);
    const char *owner = or_empty(f->value[F_OWNER]);
    const char *url = or_empty(f->value[F_URL]);
    const char *transfer = or_empty(f->value[F_TRANSFER_ID]);
    const char *total = f->value[F_BYTES_TOTAL];
    uint64_t value;
    if (!parse_u64(total, &value) || value == UINT64_MAX)  /* unknown: the file length, when given */
        total = f->value[F_FILE_LENGTH];
    const char *bytes = bytes_text(arena, f->value[F_BYTES_TRANSFERRED], total);
    const char *peer = or_empty(f->value[F_PEER]);
    uint32_t hr = 0;
    bool has_hr = parse_hresult(f->value[F_HR], &hr);
    switch (e->event_id) {
    case 3:
        if (f->value[F_PROCESS_PATH] || f->value[F_PROCESS_ID])
            return bp_arena_printf(arena, "job \"%s\" created by %s, process %s (pid %s)", title, owner,
                                   or_empty(f->value[F_PROCESS_PATH]), or_empty(f->value[F_PROCESS_ID]));
        return bp_arena_printf(arena, "job \"%s\" created by %s", title, owner);
    case 4:
        return bp_arena_printf(arena, "job \"%s\" completed: %s file(s), %s bytes transferred%s%s", title,
                               or_empty(f->value[F_FILE_COUNT]), or_empty(f->value[F_BYTES_TRANSFERRED]),
                               f->value[F_USER] ? ", by " : "", or_empty(f->value[F_USER]));
    case 5:
        return bp_arena_printf(arena, "job \"%s\" cancelled%s%s: %s file(s)", title,
                               f->value[F_USER] ? " by " : "", or_empty(f->value[F_USER]),
                               or_empty(f->value[F_FILE_COUNT]));
    case 59:
        return bp_arena_printf(arena, "transfer %s started: %s (%s)%s%s", transfer, url, bytes,
                               *peer ? ", peer " : "", peer);
    case 60:
    case 61:
        if (has_hr)
            return bp_arena_printf(arena, "transfer %s %s 0x%08" PRIX32 ": %s (%s)%s%s", transfer,
                                   e->event_id == 61 || (hr & 0x80000000u) ? "failed with" : "stopped, status",
                                   hr, url, bytes, *peer ? ", peer " : "", peer);
        return bp_arena_printf(arena, "transfer %s stopped: %s (%s)%s%s", transfer, url, bytes,
                               *peer ? ", peer " : "", peer);
    case 16403:
        return bp_arena_printf(arena,
                               "file added to job \"%s\" of %s%s%s: %s to %s (%s file(s)), process %s, start key %s",
                               title, owner, f->value[F_USER] ? " by " : "", or_empty(f->value[F_USER]), url,
                               or_empty(f->value[F_LOCAL_NAME]), or_empty(f->value[F_FILE_COUNT]),
                               or_empty(f->value[F_PROCESS_ID]), or_empty(f->value[F_START_KEY]));
    default:
        return generic_text(arena, e);
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
    const char *title = or_empty(f->value[F_TITLE]);
    const char *owner = or_empty(f->value[F_OWNER]);
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
    if (!add_item(job, &chosen->event, NO_TRANSFER))
        return false;
    bp_notes_addf(log->arena, &job->warnings,
                  "event 3 (job created, record %" PRIu64 " at %s) names no job id (Windows 7 layout): linked "
                  "to this job by its title \"%s\" and time; the first event naming the job id is record %" PRIu64
                  " (event %" PRIu32 ") at %s%s",
                  chosen->event.record_id, time_text(log->arena, chosen->time), title, e->record_id, e->event_id,
                  time_text(log->arena, e->time),
                  candidates > 1 ? bp_arena_printf(log->arena, "; %zu such events 3 were candidates, the earliest "
                                                               "was taken", candidates)
                                 : "");
    return true;
}

static bool remember_creation(ev_log *log, const evtx_event *e, const event_fields *f, const bp_event *event)
{
    if (!bp_grow((void **)&log->creations, &log->creation_capacity, log->creation_count, sizeof(ev_creation)))
        return false;
    ev_creation *c = &log->creations[log->creation_count++];
    memset(c, 0, sizeof(*c));
    c->title = bp_arena_strdup(log->arena, or_empty(f->value[F_TITLE]));
    c->owner = bp_arena_strdup(log->arena, or_empty(f->value[F_OWNER]));
    c->time = e->time;
    c->offset = e->offset;
    c->seq = log->seq;
    c->event = *event;
    return c->title && c->owner;
}

/* Facts of one event onto its job. */
static bool apply(ev_log *log, ev_job *job, const evtx_event *e, const event_fields *f, const bp_event *event)
{
    bp_arena *arena = log->arena;
    const char *title = f->value[F_TITLE];
    const char *owner = f->value[F_OWNER];
    if (title && *title && !*job->title)
        job->title = bp_arena_strdup(arena, title);
    if (owner && *owner && !*job->owner)
        job->owner = bp_arena_strdup(arena, owner);
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
                job->title = bp_arena_strdup(arena, title);
            if (owner && *owner)
                job->owner = bp_arena_strdup(arena, owner);
            if (f->value[F_PROCESS_PATH])
                job->process_path = bp_arena_strdup(arena, f->value[F_PROCESS_PATH]);
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
        transfer = find_transfer(job, bp_arena_strdup(arena, url), e->offset);
        if (transfer == NO_TRANSFER)
            return false;
        if (fill_only && transfer < known_transfers)
            break;
        ev_transfer *t = &job->transfers[transfer];
        uint64_t value;
        if (f->value[F_FILE_TIME] && evtx_parse_time(f->value[F_FILE_TIME], &value))
            t->remote_file_time = value;
        if (parse_u64(f->value[F_BYTES_TOTAL], &value) && value != UINT64_MAX)
            t->bytes_total = value;
        else if (parse_u64(f->value[F_FILE_LENGTH], &value) && value != UINT64_MAX)
            t->bytes_total = value;
        if (parse_u64(f->value[F_BYTES_TRANSFERRED], &value))
            t->bytes_transferred = value;
        uint32_t hr;
        if (e->event_id != 59 && parse_hresult(f->value[F_HR], &hr)) {
            job->has_stop = true;
            job->last_stop_hr = hr;
        }
        break;
    }
    case 16403: {  /* a file added to the job: its URL and local file, even when no transfer follows */
        const char *url = f->value[F_URL];
        if (!url || !*url)
            break;
        transfer = find_transfer(job, bp_arena_strdup(arena, url), e->offset);
        if (transfer == NO_TRANSFER)
            return false;
        const char *local = f->value[F_LOCAL_NAME];
        if (local && *local && !(fill_only && *job->transfers[transfer].local_path))
            job->transfers[transfer].local_path = bp_arena_strdup(arena, local);
        break;
    }
    default:
        break;
    }
    return add_item(job, event, transfer);
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
        bp_guid_format(e->raw[i].bytes, id);
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
    bp_arena *arena = log->arena;
    const char *why = bp_arena_printf(arena, "event %" PRIu32 " (record %" PRIu64 "): the value at the job id's "
                                             "place is not a GUID (type 0x%02x, %u bytes, read as %s)",
                                      e->event_id, e->record_id, id_value->type, id_value->size,
                                      or_empty(f->value[F_JOB_ID]));
    size_t item = 0;
    ev_job *job = why ? job_in_other_value(log, e, f->index[F_JOB_ID], &item) : NULL;
    if (job) {
        bp_notes_addf(arena, &job->warnings, "%s; the job id is the first 16 bytes of data item %zu%s%s%s, a job "
                                             "this log names before",
                      why, item + 1, e->names ? " (" : "", e->names ? e->names[item] : "", e->names ? ")" : "");
        return apply(log, job, e, f, event);
    }
    if (!why)
        return false;
    if (!log->unknown_job) {
        if (!add_job(log, "", e->offset, log->seq))
            return false;
        log->unknown_job = log->job_count;
    }
    job = &log->jobs[log->unknown_job - 1];
    bp_notes_addf(arena, &job->warnings, "%s, and no other value starts with the id of a job this log names "
                                         "before: the job is unknown",
                  why);
    return apply(log, job, e, f, event);
}

/* The event's data items copied for the record (Sigma rules match on them). */
static bool copy_event_data(bp_arena *arena, const evtx_event *e, bp_event *event)
{
    if (e->data_count == 0)
        return true;
    bp_event_data *data = bp_arena_array(arena, e->data_count, sizeof(*data));
    if (!data)
        return false;
    for (size_t i = 0; i < e->data_count; i++) {
        data[i].name = bp_arena_strdup(arena, e->names ? e->names[i] : "");
        data[i].value = bp_arena_strdup(arena, e->values[i]);
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
    bp_arena *arena = log->arena;
    event_fields f;
    log->seq++;
    read_fields(e, &f);
    if (!f.known) {
        if (is_job_event(e->event_id) || e->event_id == 209)
            count_unknown(log, e->event_id);
        return true;  /* other events without a job (service start/stop ...) are not kept */
    }
    bp_event event = {.event_id = e->event_id, .time = e->time, .record_id = e->record_id,
                      .log = log->label, .offset = e->offset, .recovered = e->recovered};
    event.what = summary(arena, e, &f);
    if (!event.what || !copy_event_data(arena, e, &event)) {
        log->out_of_memory = true;
        return false;
    }
    const char *job_id = normal_job_id(arena, f.value[F_JOB_ID]);
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
            bp_notes_addf(arena, &job->warnings,
                          "event %" PRIu32 " (record %" PRIu64 ") names no job id: attached to this job by its title",
                          e->event_id, e->record_id);
            ok = apply(log, job, e, &f, &event);
        } else if (is_job_event(e->event_id)) {
            log->unattached++;
        }
    } else {
        ev_job *job = find_job(log, job_id);
        if (!job) {
            job = add_job(log, job_id, e->offset, log->seq);
            ok = job && (e->event_id == 3 || link_creation(log, job, e, &f));
        }
        ok = ok && apply(log, job, e, &f, &event);
    }
    if (!ok)
        log->out_of_memory = true;
    return ok;
}

/* ---- records ------------------------------------------------------------------ */

static bp_job *new_job(bp_arena *arena, const ev_job *source)
{
    bp_job *job = bp_arena_alloc(arena, sizeof(*job));
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

static bp_file *new_file(bp_arena *arena, const ev_transfer *t)
{
    bp_file *file = bp_arena_alloc(arena, sizeof(*file));
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
static bool attach_events(bp_arena *arena, bp_record *record, const ev_job *job, size_t transfer)
{
    size_t count = 0;
    for (size_t i = 0; i < job->item_count; i++) {
        size_t t = job->items[i].transfer;
        if (t == transfer || (transfer == 0 && t == NO_TRANSFER))
            count++;
    }
    if (!count)
        return true;
    bp_event *events = bp_arena_array(arena, count, sizeof(*events));
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

static bool emit_job(ev_log *log, const ev_job *source)
{
    bp_arena *arena = log->arena;
    bp_job *job = new_job(arena, source);
    if (!job)
        return false;
    bp_source job_source = {.path = log->label, .format = "evtx", .table = "", .offset = source->offset};
    size_t records = source->transfer_count ? source->transfer_count : 1;
    for (size_t t = 0; t < records; t++) {
        bp_record *record = bp_result_add(log->result);
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

static int compare_first_seen(const void *a, const void *b)
{
    const ev_job *x = a, *y = b;
    return x->first_seq < y->first_seq ? -1 : x->first_seq > y->first_seq;
}

/* Event 3s no job claimed become jobs of their own, without an id. */
static bool adopt_orphan_creations(ev_log *log)
{
    for (size_t i = 0; i < log->creation_count; i++) {
        ev_creation *c = &log->creations[i];
        if (c->linked)
            continue;
        ev_job *job = add_job(log, "", c->offset, c->seq);
        if (!job)
            return false;
        job->created_seen = true;
        job->created = c->time;
        job->title = c->title;
        job->owner = c->owner;
        if (!add_item(job, &c->event, NO_TRANSFER))
            return false;
        bp_notes_addf(log->arena, &job->warnings,
                      "event 3 (job created, record %" PRIu64 ") names no job id and no later event with the title "
                      "\"%s\" does: the job id is unknown",
                      c->event.record_id, c->title);
    }
    return true;
}

static void free_log(ev_log *log)
{
    for (size_t j = 0; j < log->job_count; j++) {
        free(log->jobs[j].transfers);
        free(log->jobs[j].items);
    }
    free(log->jobs);
    free(log->slots);
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
    bp_arena *arena = log->arena;
    if (!log->out_of_memory && !adopt_orphan_creations(log))
        log->out_of_memory = true;
    /* records in log order of each job's first event (positions are distinct) */
    if (log->job_count > 1)
        qsort(log->jobs, log->job_count, sizeof(ev_job), compare_first_seen);
    for (size_t j = 0; j < log->job_count && !log->out_of_memory; j++)
        if (!emit_job(log, &log->jobs[j]))
            log->out_of_memory = true;
    if (log->unknown_total) {
        char ids[MAX_COUNTED_IDS * 48] = "";
        size_t used = 0;
        for (size_t i = 0; i < MAX_COUNTED_IDS && log->unknown[i].count && used < sizeof ids; i++)
            used += (size_t)snprintf(ids + used, sizeof ids - used, "%s%" PRIu32 " x%zu", used ? ", " : "",
                                     log->unknown[i].id, log->unknown[i].count);
        bp_notes_addf(arena, notes, "%zu %s events have a data layout this version does not know and were not "
                                    "used (event id x count: %s)",
                      log->unknown_total, BITS_CLIENT_PROVIDER, ids);
    }
    if (log->unattached)
        bp_notes_addf(arena, notes, "%zu job events name neither a job id nor the title of a known job and were "
                                    "not attached to any record",
                      log->unattached);
    bool complete = !log->out_of_memory;
    if (!complete)
        bp_notes_add(arena, notes, "out of memory: the records of this log are incomplete");
    free_log(log);
    free(log);
    return complete;
}

int evtx_bits_read(const uint8_t *data, size_t size, const char *label, bool carve, bp_result *result)
{
    bp_arena *arena = &result->arena;
    bp_note_list notes = {NULL, NULL, 0};
    evtx_log_stats stats;
    bits_log *log = bits_log_new(result, label);
    if (!log) {
        bp_notes_addf(arena, &result->warnings, "%s: out of memory", label);
        return BP_STATUS_UNREADABLE;
    }
    log->carve = carve;
    bool opened = evtx_log_read(data, size, BITS_CLIENT_PROVIDER, carve, on_event, log, arena, &notes, &stats);
    if (opened && stats.delivered == 0 && stats.records > 0)
        bp_notes_addf(arena, &notes, "no %s events in this log (%zu records of other providers)",
                      BITS_CLIENT_PROVIDER, stats.other_provider);
    else if (opened && stats.other_provider)
        bp_notes_addf(arena, &notes, "%zu of %zu event records are not %s events and were skipped",
                      stats.other_provider, stats.records, BITS_CLIENT_PROVIDER);
    /* free space: with --carve its Bits-Client records are events of their
     * jobs (marked recovered); without, one note says how many there are */
    if (!carve && stats.free_space_readable)
        bp_notes_addf(arena, &notes, "%zu %s records lie in the log's free space (deleted, overwritten or not "
                                     "committed); --carve recovers them",
                      stats.free_space_readable, BITS_CLIENT_PROVIDER);
    if (stats.binxml_over_budget)
        bp_notes_addf(arena, &notes, "%zu event records have binary XML too costly to follow (over %d steps): "
                                     "the types of their values are unknown, their text is used as it is",
                      stats.binxml_over_budget, BINXML_MAX_STEPS);
    bits_log_finish(log, &notes);
    for (bp_note *n = notes.head; n; n = n->next)
        bp_notes_addf(arena, &result->warnings, "%s: %s", label, n->text);
    if (!opened)
        return BP_STATUS_UNREADABLE;
    return notes.count ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
}
