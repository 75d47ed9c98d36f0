/*
 * bitsparse — read Windows BITS queues (qmgr.db) into BitsInfo records.
 *
 * Public interface of libbitsparse. Everything a caller sees is plain data:
 * a result owns an arena, and every string, job, file and record in it lives
 * until bp_result_free(). Strings are UTF-8 and never NULL ("" when absent).
 */
#ifndef BITSPARSE_BITSPARSE_H
#define BITSPARSE_BITSPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libbitsparse is compiled with hidden visibility: the declarations of the
 * public headers, and only they, are exported (cmake/libbitsparse.map). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* The version of these headers; the single source of the project version
 * (CMakeLists.txt reads it from here). */
#define BITSPARSE_VERSION "0.2.0"

/* Process exit statuses; the CLI returns these and the library reports them. */
enum bp_status {
    BP_STATUS_CLEAN = 0,       /* everything read, no warnings */
    BP_STATUS_WARNINGS = 1,    /* finished, but with warnings or unreadable parts */
    BP_STATUS_USAGE = 2,       /* bad command line */
    BP_STATUS_UNREADABLE = 3,  /* nothing could be read */
    BP_STATUS_DETECTED = 4,    /* CLI --fail-on: a detection at or above the level */
};

/* The version of the library actually linked (BITSPARSE_VERSION of its build). */
const char *bp_version(void);

/* A singly linked list of text lines (warnings, SIDs) kept in the arena. */
typedef struct bp_note {
    const char *text;
    struct bp_note *next;
} bp_note;

typedef struct bp_note_list {
    bp_note *head;
    bp_note *tail;
    size_t count;
} bp_note_list;

/* One access control entry of the job's security descriptor. */
typedef struct bp_ace {
    const char *acl;         /* "DACL" or "SACL" */
    const char *ace_type;    /* e.g. "AccessAllowed", "AccessDenied", "MandatoryLabel" */
    uint8_t ace_type_raw;
    uint8_t flags_raw;
    const char *flags;       /* ACE flag names joined with "|", "" when none */
    uint32_t mask;
    const char *rights;      /* access right names joined with "|" */
    const char *sid;         /* textual SID */
    const char *account;     /* well-known account name, "" when not well known */
} bp_ace;

/* A timer of the job (inactivity, no-progress, error, retry). 0 = unset. */
typedef struct bp_timer {
    bool present;
    uint64_t start;          /* FILETIME */
    uint64_t deadline;       /* FILETIME */
} bp_timer;

/* Where a job or file came from. */
typedef struct bp_source {
    const char *path;        /* input file */
    const char *format;      /* "ese" (qmgr.db), "blob", "legacy" */
    const char *table;       /* "Jobs"/"Files" for ESE, "" otherwise */
    uint32_t page;           /* ESE page number of the record, 0 when none */
    uint32_t tag;            /* tag (node index) on that page */
    uint64_t long_value_id;  /* LID of the blob, 0 when stored inline */
    uint64_t offset;         /* byte offset in the input of the record */
    uint32_t blob_size;
    /* Legacy state files read as a pair (qmgr0.dat, qmgr1.dat): "current" or
     * "previous" generation of the queue, "unknown" when no rule decides;
     * "" otherwise (docs/format-legacy.md). */
    const char *generation;
    /* Where the input was found (issue 19): the system root a tree search
     * found it under (the folder holding ProgramData/… or Windows/…: a mounted
     * volume, a collector's C/ or uploads/auto/C%3A folder), "" when the path
     * shows none; and the sha256 of the input file, "" when it was not read
     * whole (streamed by --scan). */
    const char *root;
    const char *sha256;
    /* A file read out of a disk image through The Sleuth Kit; "" and 0 otherwise.
     * partition is TSK's address of the partition in the partition table (0
     * for a volume without one), partition_offset its byte offset in the
     * image, volume_path the file's path inside the NTFS volume, mft_entry its
     * MFT entry; found is "allocated" or "deleted" (a deleted file whose MFT
     * entry still named it: its records are carved). */
    const char *image;
    uint32_t partition;
    uint64_t partition_offset;
    const char *volume_path;
    uint64_t mft_entry;
    const char *found;
    /* --carve on a disk image: found is also "unallocated" (a record carved
     * from an NTFS volume's unallocated clusters; offset is then its byte
     * offset in the image and cluster the volume's cluster holding that byte)
     * or "outside NTFS volumes" (partition gaps, other file systems; offset in
     * the image). cluster is 0 otherwise. */
    uint64_t cluster;
} bp_source;

/* Decoded job blob (bits-format §4). Numbers not present in the blob stay 0. */
typedef struct bp_job {
    const char *job_id;
    const char *marker;            /* job marker GUID, identifies the serializer version */
    uint32_t job_type;             /* BG_JOB_TYPE */
    uint32_t priority;             /* BG_JOB_PRIORITY */
    uint32_t state;                /* BG_JOB_STATE */
    bool header_decoded;           /* type, priority and state were read (else they are unknown) */
    const char *name;
    const char *description;
    const char *notify_program;
    const char *notify_arguments;
    const char *owner_sid;
    uint32_t notify_flags;
    uint32_t owner_is_local_system;
    uint32_t owner_integrity;      /* mandatory label RID: 0x2000 medium, 0x3000 high, 0x4000 system */
    uint32_t security_descriptor_size;
    bp_ace *aces;
    size_t ace_count;
    const char *sd_owner_sid;
    const char *sd_group_sid;
    uint32_t sd_control;
    const char **sd_sids;          /* distinct SIDs of the descriptor in the order stored; NULL = none */
    size_t sd_sid_count;
    const char **file_ids;
    size_t file_count;
    bool has_error;
    uint32_t error_count;          /* error records in the blob (normally 0 or 1) */
    uint32_t error_hresult;
    uint32_t error_context;        /* BG_ERROR_CONTEXT */
    uint32_t error_class;          /* unknown u32 after the context (protocol/error class) */
    uint32_t transient_error_count;
    uint32_t retry_delay;          /* seconds */
    uint32_t no_progress_timeout;  /* seconds */
    uint64_t created, modified, modified2, completed;  /* FILETIME */
    bp_timer inactivity_timer, no_progress_timer, error_timer, retry_timer;
    bool tail_decoded;             /* fields after the timers were read */
    uint32_t proxy_usage;          /* BG_JOB_PROXY_USAGE */
    bool proxy_usage_decoded;      /* proxy_usage was read (else it is unknown) */
    const char *proxy_list;
    const char *proxy_bypass_list;
    uint32_t acl_flags;            /* BG_COPY_FILE_* */
    bool has_custom_headers;
    uint32_t custom_headers_size;  /* bytes of the DPAPI blob */
    uint32_t max_download_time;    /* seconds */
    uint32_t cost_flags;           /* BITS_COST_STATE */
    const char *field54_guid;      /* GUID stored twice in field 54; not per machine, meaning unknown */
    const char *creator_program;
    const char *http_method;
    const char *extra_string;
    uint32_t blob_size;
    bool complete;                 /* footer marker found where expected */
    bp_note_list warnings;
    /* Windows 11 24H2 (field 54b): the package identity of the packaged (Store/MSIX)
     * app that created the job, which the creator program (often a host process
     * such as msedgewebview2.exe) does not name; "" when the blob has none. */
    const char *package_family_name;  /* e.g. "Microsoft.OutlookForWindows_8wekyb3d8bbwe" */
    const char *package_app_id;       /* as stored, with its leading "!": e.g. "!App" */
} bp_job;

/* Decoded file blob (bits-format §5). */
typedef struct bp_file {
    const char *file_id;           /* Files.Id; "" when unknown */
    const char *local_path;
    const char *remote_url;
    const char *temp_path;
    uint64_t bytes_transferred;
    uint64_t bytes_total;          /* UINT64_MAX = unknown */
    const char *drive;
    const char *volume;
    uint32_t volume_serial;
    int64_t file_size;             /* -1 unknown */
    uint64_t remote_file_time;     /* FILETIME */
    bool tail_decoded;
    bool complete;
    uint32_t blob_size;
    bp_note_list warnings;
} bp_file;

/* A detection rule that matched a record (docs/detections.md). */
typedef struct bp_detection {
    const char *id;                /* e.g. "BITS-002" */
    const char *title;
    const char *severity;          /* "informational", "low", "medium", "high", "critical" */
    const char *author;            /* a Sigma rule's author (shown wherever the match is, as
                                      its licence asks); "" for bitsparse's own rules */
} bp_detection;

/* One item of an event's data (EventData/Data): its Name attribute ("" when
 * unnamed) and its text. */
typedef struct bp_event_data {
    const char *name;
    const char *value;
} bp_event_data;

/* One event-log entry about a job (Bits-Client .evtx; docs/format-evtx.md). */
typedef struct bp_event {
    uint32_t event_id;             /* 3 created, 4 completed, 5 cancelled, 59/60/61 transfer ... */
    uint64_t time;                 /* FILETIME: the event's TimeCreated */
    const char *what;              /* one-line summary of the event's data */
    uint64_t record_id;            /* EventRecordID in its log */
    const char *log;               /* path of the .evtx it came from */
    uint64_t offset;               /* byte offset of the event record in that log */
    bool recovered;                /* read from the log's free space (--carve), not a live record */
    const bp_event_data *data;     /* the event's data items, in order; NULL = none */
    size_t data_count;
} bp_event;

/* One place where a carved job or file was found (one per copy; docs/output-schema.md). */
typedef struct bp_location {
    const char *item;              /* "job" or "file" */
    const char *how;               /* "orphan-lv", "deleted-flag", "stale-record", "stale-tag",
                                      "empty-page", "unreachable-page", "raw-marker", "log" */
    const char *path;              /* input file */
    const char *table;             /* ESE tree the bytes belong to ("Jobs", "Files LV" ...), "" */
    uint32_t page;                 /* ESE page, 0 when none */
    uint32_t tag;                  /* tag or stale tag slot on that page, 0 when none */
    uint64_t long_value_id;        /* 0 when none */
    uint64_t offset;               /* byte offset of the blob (or inline record) in path */
    uint32_t size;                 /* bytes of the blob found at this place */
    bool partial;                  /* only a cut copy (the first `size` bytes) survives here */
} bp_location;

/* One output row: a (job, file) pair, a job without files, or an orphan file. */
typedef struct bp_record {
    const bp_job *job;             /* NULL for an orphan file */
    const bp_file *file;           /* NULL for a job without files */
    bp_source job_source;
    bp_source file_source;
    bool carved;
    bp_note_list warnings;         /* warnings of the join (missing file record ...) */
    const bp_detection *detections;  /* set by bp_detect() (bitsparse/detect.h); NULL = none */
    size_t detection_count;
    const bp_event *events;        /* event-log entries about this record, in log order; NULL = none */
    size_t event_count;
    const char *owner_account;     /* account (DOMAIN\user) named by an event log; NULL = none */
    /* Carved records only (carved == true); NULL / 0 for records read live. */
    const char *recovered_from;    /* how the job (else the file) was found: a bp_location.how */
    uint32_t copies;               /* identical copies merged into this record (>= 1) */
    const bp_location *locations;  /* every copy: the job's, then the file's */
    size_t location_count;
} bp_record;

typedef struct bp_result bp_result;

typedef enum bp_format {
    BP_FORMAT_JSON = 0,
    BP_FORMAT_JSONL,
    BP_FORMAT_CSV,
    BP_FORMAT_TIMELINE,            /* JSON Lines, one line per timestamp (Timesketch) */
    /* CSV for spreadsheets: a UTF-8 byte order mark first, and every cell that
     * starts with =, +, -, @, a tab or a CR gets a leading ' so that no text
     * from the input (job names, URLs ...) is run as a formula. */
    BP_FORMAT_CSV_EXCEL,
} bp_format;

/* Parse one input (qmgr.db, a job/file blob, or a folder: every file in it
 * recognised by its content, not recursively) and
 * append its records to *result. Creates the result when *result is NULL.
 * Returns a bp_status for this input. Problems go to the result's warnings. */
int bp_parse_path(const char *path, bp_result **result);

/* Parse bytes already in memory (label is used as the source path). */
int bp_parse_memory(const uint8_t *data, size_t size, const char *label, bp_result **result);

/* Called while a scan runs (bytes done out of total; total 0 = unknown). */
typedef void (*bp_progress_fn)(uint64_t done, uint64_t total, void *context);

/* Options of bp_parse_path_ex / bp_parse_memory_ex. A NULL options pointer or
 * all-zero options give exactly bp_parse_path / bp_parse_memory. */
typedef struct bp_parse_options {
    /* Also recover deleted and unreferenced jobs and files (src/carve/carve.h):
     * qmgr.db deleted nodes, stale records and tags, orphaned long values,
     * emptied and unreachable pages, raw markers; in a folder also the ESE
     * transaction logs (edb*.log, edb*.jrs); any other input is searched for
     * BITS data. Carved records follow the live ones, which stay unchanged. */
    bool carve;
    /* Carving for inputs of any size and kind (disk and memory images,
     * pagefiles, logs): read in blocks, memory independent of the input size.
     * Implies carve. A folder is scanned file by file. */
    bool scan;
    bp_progress_fn progress;       /* NULL = no progress reports */
    void *progress_context;
    /* Do not compute the SHA-256 of inputs (any kind): source.sha256 is "".
     * The same input given twice is then known only as the same file (device
     * and inode) opened again, not by its bytes (docs/hardening.md). */
    bool no_hash;
} bp_parse_options;

int bp_parse_path_ex(const char *path, const bp_parse_options *options, bp_result **result);
int bp_parse_memory_ex(const uint8_t *data, size_t size, const char *label, const bp_parse_options *options,
                       bp_result **result);

/* Move the events of event-log records (source.format "evtx") onto the queue
 * records (qmgr.db, carved, blobs) of the same job id and drop the event-log
 * records so merged. bp_parse_path/bp_parse_memory call it after every input,
 * so the order of inputs does not matter; calling it again changes nothing. */
void bp_result_correlate_events(bp_result *result);

size_t bp_result_count(const bp_result *result);
const bp_record *bp_result_record(const bp_result *result, size_t index);
/* Input-level warnings (unreadable files, header problems ...). */
const bp_note_list *bp_result_warnings(const bp_result *result);
void bp_result_free(bp_result *result);

/* An ESE database (qmgr.db) read into a result, in the order read, with the
 * state its header records (docs/format-ese.md). A database not shut down
 * cleanly may hold changes only in its transaction logs. */
typedef struct bp_database_info {
    const char *path;              /* the input file (as its records' source.path) */
    uint32_t state;                /* header database state: 2 dirty shutdown, 3 clean shutdown ... */
    const char *state_name;        /* "dirty shutdown", "clean shutdown", ... */
    bool clean;                    /* state == 3 (clean shutdown) */
} bp_database_info;

size_t bp_result_database_count(const bp_result *result);
/* NULL past the end. */
const bp_database_info *bp_result_database(const bp_result *result, size_t index);

/* Write all records. Returns 0 on success, -1 on a write error. */
int bp_write(FILE *out, const bp_result *result, bp_format format);

/* Format helpers shared with callers and tests. buf must hold 29 bytes. */
void bp_format_filetime(uint64_t filetime, char buf[32]);

const char *bp_job_type_name(uint32_t value);
const char *bp_job_state_name(uint32_t value);
const char *bp_job_priority_name(uint32_t value);
const char *bp_error_context_name(uint32_t value);
const char *bp_proxy_usage_name(uint32_t value);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
