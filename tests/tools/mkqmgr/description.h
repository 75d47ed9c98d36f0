/* The JSON description mkqmgr turns into a qmgr.db: every job and file field
 * bitsparse reports, plus the layout options. Format: tests/tools/mkqmgr/README.md. */
#ifndef MKQMGR_DESCRIPTION_H
#define MKQMGR_DESCRIPTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Layout options; 0 / false / NULL = not given (defaults are applied by the writer). */
typedef struct mk_options {
    uint32_t page_size;        /* 4096, 8192, 16384, 32768 */
    uint32_t lid_size;         /* 4 or 8 */
    int reserved_tags;         /* -1 not given, 0 no, 1 Windows 11 24H2 layout */
    int clean;                 /* -1 not given, 0 dirty shutdown, 1 clean shutdown */
    uint32_t chunk_size;       /* long-value chunk size */
    uint32_t fill_percent;     /* how full pages are packed, 10..100 */
    int lv_page_per_value;     /* -1 not given; 1 = each long value starts a leaf page */
} mk_options;

typedef struct mk_file {
    uint8_t id[16];
    char id_text[37];
    char *local_path, *remote_url, *temp_path, *drive, *volume;
    uint64_t bytes_transferred;
    uint64_t bytes_total;      /* UINT64_MAX = unknown */
    int64_t file_size;         /* -1 = unknown */
    uint32_t volume_serial;
    uint64_t remote_file_time; /* FILETIME */
    const char *remote_file_time_text; /* as written in the description, NULL if absent */
    bool deleted;              /* every job listing it is deleted */
    bool listed;               /* some job lists it */
} mk_file;

typedef struct mk_job {
    uint8_t id[16];
    char id_text[37];
    char *name, *description, *notify_program, *notify_arguments, *owner_sid;
    uint32_t type, priority, state, notify_flags;
    uint64_t created, modified, completed, expiration;   /* FILETIME; expiration = inactivity deadline */
    const char *created_text, *modified_text, *completed_text, *expiration_text;
    uint32_t retry_delay, no_progress_timeout, transient_error_count;
    bool has_error;
    uint32_t error_hresult, error_context, error_class;
    char *creator_program, *http_method, *extra_string;
    uint32_t proxy_usage;
    char *proxy_list, *proxy_bypass_list;   /* NULL = not present in the blob */
    uint32_t cost_flags, acl_flags, max_download_time;
    uint32_t owner_integrity;  /* mandatory label RID */
    uint8_t field54_guid[16];  /* description key "machine_guid" (bits-format §4.1 #54; not per machine) */
    /* Windows 11 24H2 package identity (#54b); both NULL = the older layout. */
    char *package_family_name, *package_app_id;
    size_t *file_indexes;      /* into mk_description.files, in job order */
    size_t file_count;
    bool deleted;              /* written, then removed (stale record, LV refcount 0) */
} mk_job;

typedef struct mk_description {
    mk_job *jobs;
    size_t job_count;
    mk_file *files;            /* every file, listed or orphan */
    size_t file_count;
    mk_options options;        /* the "options" object */
    uint32_t os_build;
    void *json;                /* parsed document; strings above point into it or are owned */
} mk_description;

/* Parse a description. Returns false with a message in err. */
bool mk_description_parse(const char *json_text, mk_description *out, char *err, size_t err_size);
bool mk_description_load(const char *path, mk_description *out, char *err, size_t err_size);
void mk_description_free(mk_description *d);

/* Mark a job deleted by id text; false when no job has that id. Its files
 * become deleted too when no live job lists them. */
bool mk_description_delete_job(mk_description *d, const char *id_text);
void mk_description_settle_deleted_files(mk_description *d);

/* Helpers shared with the tests. */
bool mk_guid_parse(const char *text, uint8_t out[16]);
bool mk_filetime_parse(const char *text, uint64_t *out);

#define MK_FILETIME_PER_SECOND 10000000ULL

#endif
