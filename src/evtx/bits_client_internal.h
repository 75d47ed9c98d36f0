/* What the parts of the Bits-Client reader share (bits_client_log.h is the
 * outside view): the fields of one event and their text
 * (bits_client_events.c), the jobs gathered from the events
 * (bits_client_log.c) and the records made of them (bits_client_records.c). */
#ifndef BP_EVTX_BITS_CLIENT_INTERNAL_H
#define BP_EVTX_BITS_CLIENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evtx/bits_client_log.h"
#include "evtx/evtx_log.h"
#include "util/string_map.h"

#define STATE_UNKNOWN UINT32_MAX
#define STATE_ACKNOWLEDGED 7u
#define STATE_CANCELLED 8u
#define NO_TRANSFER SIZE_MAX
#define MAX_COUNTED_IDS 16

enum field {
    F_TITLE, F_JOB_ID, F_OWNER, F_PROCESS_PATH, F_PROCESS_ID, F_USER, F_FILE_COUNT,
    F_BYTES_TRANSFERRED, F_TRANSFER_ID, F_URL, F_PEER, F_FILE_TIME, F_FILE_LENGTH, F_BYTES_TOTAL,
    F_HR, F_LOCAL_NAME, F_START_KEY, F_COUNT
};

/* The fields of one event, NULL where absent. */
typedef struct event_fields {
    const char *value[F_COUNT];
    size_t index[F_COUNT];  /* data item each value came from */
    bool named;         /* found by item names (else by position) */
    bool known;         /* a layout was recognised */
} event_fields;

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
    util_arena *arena;
    const char *label;
    ev_job *jobs;
    size_t job_count, job_capacity;
    util_string_map job_index;    /* job id -> index in jobs (ids "" not indexed) */
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

bool evtx_bc_is_job_event(uint32_t id);
void evtx_bc_read_fields(const evtx_event *e, event_fields *out);
const char *evtx_bc_or_empty(const char *text);
char *evtx_bc_normal_job_id(util_arena *arena, const char *text);
bool evtx_bc_parse_u64(const char *text, uint64_t *value);
bool evtx_bc_parse_hresult(const char *text, uint32_t *value);
ev_job *evtx_bc_add_job(ev_log *log, const char *job_id, uint64_t offset, size_t seq);
bool evtx_bc_add_item(ev_job *job, const bp_event *event, size_t transfer);
const char *evtx_bc_time_text(util_arena *arena, uint64_t filetime);
const char *evtx_bc_summary(util_arena *arena, const evtx_event *e, const event_fields *f);
bool evtx_bc_emit_job(ev_log *log, const ev_job *source);
int evtx_bc_compare_first_seen(const void *a, const void *b);
bool evtx_bc_adopt_orphan_creations(ev_log *log);

#endif
