/* What the parts of the carve session share (carve.h is the outside view):
 * session.c collects candidates and de-duplicates them by their bytes;
 * session_finish.c resolves ids, links jobs to files and emits the records in
 * order; session_stale.c emits what only stale records name (file ids without
 * a blob, job ids without a job). */
#ifndef BP_CARVE_SESSION_INTERNAL_H
#define BP_CARVE_SESSION_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carve/carve.h"
#include "util/string_map.h"

typedef struct carve_version {
    bool is_job;
    bool legacy;
    bool live;                 /* a live blob: only there to drop identical carved copies; its
                                  job or file is decoded only when needed (carve_finish_wake_live) */
    bool dropped;              /* merged into another version (a cut copy of it), or a live blob
                                  with the bytes of an earlier one (session.c index_pending) */
    bool used;                 /* files: attached to a job */
    const uint8_t *bytes;      /* arena copy, or in a mapping the session keeps (live blobs) */
    size_t size;
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

/* A live job as the finish needs it: its id, the file ids it lists, its
 * source, and the job itself. When the run streams its records (result/stream.c)
 * the job is gone by the finish: `job` is NULL until carve_finish_live_job_object
 * decodes it again from its Jobs row's blob (session_live.c). */
typedef struct live_job {
    const bp_job *job;
    const bp_source *source;
    const char *job_id;
    const char *const *file_ids;
    size_t file_count;
    bp_note_list warnings;     /* streamed: the job's warnings, copied */
} live_job;

/* A live file the same way: `file` NULL until carve_finish_live_file decodes
 * it again from the blob of its Files row (path, offset). */
typedef struct live_file {
    const bp_file *file;
    const char *file_id;
    const char *path;
    uint64_t offset;
    bp_note_list warnings;     /* streamed: the file's warnings, copied */
} live_file;

/* Where the carver's walk found a live row's blob (streamed runs): the row's
 * node offset, as its record's source has it, and the live version holding
 * the bytes. */
typedef struct live_row {
    uint64_t offset;
    const char *path;
    size_t version;
} live_row;

/* The live records of a streamed run, kept as the finish needs them
 * (session_live.c) instead of as records: a few ids and a source a job. */
typedef struct live_store {
    util_arena arena;            /* ids, sources, warnings */
    live_job *jobs;
    size_t job_count, job_capacity;
    live_file *files;
    size_t file_count, file_capacity;
    live_row *rows[2];           /* [0] Files, [1] Jobs */
    size_t row_count[2], row_capacity[2];
    bool rows_sorted[2];
} live_store;

struct carve_session {
    bp_result *result;
    bp_parse_options options;
    carve_version *versions;
    size_t version_count, version_capacity;
    util_string_map index[2];    /* [0] files, [1] jobs: exact bytes -> version number */
    bool indexed;              /* index[] built (session.c index_pending): live blobs before it are not hashed */
    stale_id *job_ids;
    size_t job_id_count, job_id_capacity;
    stale_id *file_ids;        /* Files records whose blob was not read with them */
    size_t file_id_count, file_id_capacity;
    lid_evidence *lids;
    size_t lid_count, lid_capacity;
    util_string_map lid_keys;    /* "lid path id" of every entry in lids, against repeats */
    live_range *live;
    size_t live_count, live_capacity;
    bool streamed;             /* the result streams: live records are seen once, into `store` */
    live_store store;
    const char *last_path;     /* arena copy of the path of the last place added */
    struct util_mapped_file *offered;  /* the input mapping being parsed, kept if live blobs point into it */
    bool offered_used;
    struct util_mapped_file **mappings;  /* kept to the end of the finish (malloc'ed, closed then) */
    size_t mapping_count, mapping_capacity;
    bool out_of_memory;
};

/* Places kept per version; further identical copies are only counted. */
#define MAX_PLACES 4096

/* ---- collecting (session.c) ------------------------------------------------------------------ */

/* Remember one more place of a version (at most MAX_PLACES, then counted). */
bool carve_session_add_place(carve_session *s, carve_version *v, const carve_place *place);

/* Whether the finish has anything to emit: a version that is not a live blob,
 * or an id a stale record names. Without, the finish builds no index of the
 * live records (a queue with nothing deleted: 8 MiB for 10 000 jobs). */
bool carve_session_anything_carved(const carve_session *s);

/* Close the mappings the session kept (session.c); the last step of the finish. */
void carve_session_release_mappings(carve_session *s);

/* ---- finishing (session_finish.c, session_stale.c) ------------------------------------------- */


/* Lookups by id go through maps built once: a scan per lookup made --carve
 * quadratic in the number of jobs (10 000 live jobs: 4.7 s, three quarters of
 * it in strcmp). */
typedef struct finish_state {
    carve_session *s;
    util_arena *arena;
    live_job *live_jobs;
    size_t live_job_count;
    live_file *live_files;
    size_t live_file_count;
    util_string_map live_job_ids;    /* job id -> live_jobs index (its first record) */
    util_string_map live_file_ids;   /* file id -> live_files index */
    util_string_map live_listings;   /* file id -> live_jobs index of the first live job listing it */
    util_string_map listed;          /* file ids a live job or a carved version (not dropped) lists */
    util_string_map best_files;      /* file id -> its best carved version (better_file) */
    util_string_map newest_listings; /* file id -> `sorted` index of the newest carved job listing it */
    struct id_only_file *id_files; /* file ids only stale Files records name (index_id_only_files) */
    size_t id_file_count;
    const stale_id **id_file_refs; /* the entries of those records, grouped by id */
    util_string_map id_file_index;   /* file id -> id_files index */
    util_arena live_arena;           /* live versions decoded by carve_finish_wake_live, freed at the end */
    size_t added;
} finish_state;

/* One file id whose blob was not found: every Files record naming it, and the
 * record-less file that stands for it in the output. */
typedef struct id_only_file {
    const stale_id **first;    /* the records, in the order found */
    size_t count;
    bp_file *file;             /* file_id only; every other field unknown */
    bool used;                 /* linked to a carved job version */
} id_only_file;

/* session_finish.c */
/* Decode a live version (into f->live_arena) unless it is decoded already; its
 * job or file stays NULL when the bytes do not decode. */
void carve_finish_wake_live(finish_state *f, carve_version *v);
bool carve_finish_live_job_id(const finish_state *f, const char *id);
/* Append one carved record. job_v / file_v are carved versions (may be NULL);
 * live_job / live_file are live partners (may be NULL). */
bp_record *carve_finish_emit(finish_state *f, const carve_version *job_v, const carve_version *file_v,
                             live_job *live, const bp_file *file_override);
int carve_finish_compare_job_versions(const void *a, const void *b);
live_job *carve_finish_live_job_listing(const finish_state *f, const char *file_id);

/* session_live.c */
/* Start keeping the live records as they stream past (carve_session_new). */
void carve_live_store_begin(carve_session *s);
/* A live row's blob seen by the carver's walk (streamed runs only). */
void carve_live_store_row(carve_session *s, bool is_job, const char *path, uint64_t offset, size_t version);
/* Index the live jobs and files (f->live_jobs, f->live_files and the maps
 * over them) from the records kept in the result, or from the store. */
void carve_finish_collect_live(finish_state *f);
/* The live job, decoded again when the run streamed (NULL out of memory). */
const bp_job *carve_finish_live_job_object(finish_state *f, live_job *live);
/* The live file with this id, decoded again when the run streamed; NULL when none. */
const bp_file *carve_finish_live_file(finish_state *f, const char *id);
void carve_live_store_free(carve_session *s);

/* session_stale.c */
void carve_finish_index_id_only_files(finish_state *f);
id_only_file *carve_finish_id_only_file_of(const finish_state *f, const char *file_id);
void carve_finish_emit_id_only_file(finish_state *f, const carve_version *job_v, live_job *live,
                                    id_only_file *g);
void carve_finish_emit_stale_job_ids(finish_state *f, carve_version *const *sorted, size_t count);

#endif
