/* Entry points of the library: recognise an input by its content and hand it
 * to the right reader. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "bits/markers.h"
#include "bits/qmgr_db.h"
#include "core/input.h"
#include "core/result.h"
#include "ese/database.h"
#include "ese/db_header.h"
#include "util/reader.h"

typedef enum input_kind {
    INPUT_UNKNOWN,
    INPUT_ESE,
    INPUT_JOB_BLOB,
    INPUT_FILE_BLOB,
} input_kind;

static input_kind sniff(const uint8_t *data, size_t size)
{
    /* the ESE signature sits at offset 4 of the header page and of its shadow
     * copy one page later: a damaged primary must not hide a good shadow */
    static const size_t header_pages[] = {0, 4096, 8192, 16384, 32768};
    for (size_t i = 0; i < sizeof(header_pages) / sizeof(header_pages[0]); i++) {
        bp_reader r = bp_reader_make(data, size);
        bp_reader_seek(&r, header_pages[i] + 4);
        if (bp_read_u32(&r) == ESE_SIGNATURE)
            return INPUT_ESE;
    }
    if (size >= 16 && bits_is_job_marker(data))
        return INPUT_JOB_BLOB;
    if (size >= 16 && memcmp(data, bits_file_marker, BITS_GUID_SIZE) == 0)
        return INPUT_FILE_BLOB;
    return INPUT_UNKNOWN;
}

static bool record_has_warnings(const bp_record *record)
{
    return record->warnings.count || (record->job && record->job->warnings.count) ||
           (record->file && record->file->warnings.count);
}

static int parse_ese(const uint8_t *data, size_t size, const char *label, bp_result *result)
{
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    if (!ese_db_open(&db, data, size, &result->arena, &warnings)) {
        bp_notes_addf(&result->arena, &result->warnings, "%s: not a readable ESE database (no valid header)",
                      label);
        return BP_STATUS_UNREADABLE;
    }
    size_t added = qmgr_db_read(&db, label, result);
    for (bp_note *n = warnings.head; n; n = n->next)
        bp_notes_addf(&result->arena, &result->warnings, "%s: %s", label, n->text);
    if (!added && !ese_catalog_find(&db.catalog, "Jobs"))
        return BP_STATUS_UNREADABLE;
    return warnings.count ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
}

static int parse_blob(const uint8_t *data, size_t size, const char *label, bool is_job, bp_result *result)
{
    bp_record *record = bp_result_add(result);
    if (!record)
        return BP_STATUS_UNREADABLE;
    bp_source source = {label, "blob", "", 0, 0, 0, 0, (uint32_t)size};
    if (is_job) {
        record->job = bits_decode_job(&result->arena, data, size);
        record->job_source = source;
    } else {
        record->file = bits_decode_file(&result->arena, data, size);
        record->file_source = source;
    }
    return BP_STATUS_CLEAN;
}

int bp_parse_memory(const uint8_t *data, size_t size, const char *label, bp_result **result_out)
{
    if (!*result_out)
        *result_out = bp_result_new();
    bp_result *result = *result_out;
    if (!result)
        return BP_STATUS_UNREADABLE;
    label = bp_arena_strdup(&result->arena, label);
    size_t first = result->count;
    int status;
    switch (sniff(data, size)) {
    case INPUT_ESE: status = parse_ese(data, size, label, result); break;
    case INPUT_JOB_BLOB: status = parse_blob(data, size, label, true, result); break;
    case INPUT_FILE_BLOB: status = parse_blob(data, size, label, false, result); break;
    default:
        bp_notes_addf(&result->arena, &result->warnings,
                      "%s: not a BITS queue (neither an ESE qmgr.db nor a job or file blob)", label);
        status = BP_STATUS_UNREADABLE;
    }
    for (size_t i = first; i < result->count && status == BP_STATUS_CLEAN; i++)
        if (record_has_warnings(&result->records[i]))
            status = BP_STATUS_WARNINGS;
    bp_result_note_status(result, status);
    return status;
}

static int parse_file(const char *path, bp_result *result)
{
    size_t size;
    const char *error = NULL;
    uint8_t *data = bp_input_read(path, &size, &error);
    if (!data) {
        bp_notes_addf(&result->arena, &result->warnings, "%s: cannot read: %s", path, error);
        bp_result_note_status(result, BP_STATUS_UNREADABLE);
        return BP_STATUS_UNREADABLE;
    }
    int status = bp_parse_memory(data, size, path, &result);
    free(data);
    return status;
}

/* Queue files in a folder: BITS names them qmgr.db, qmgr0.dat and qmgr1.dat;
 * examiners often prefix copies with a host name, so any name containing
 * "qmgr" (any case) and ending in .db or .dat is read. */
static bool is_queue_file_name(const char *name)
{
    size_t n = strlen(name);
    bool has_qmgr = false;
    for (size_t i = 0; i + 4 <= n && !has_qmgr; i++)
        has_qmgr = strncasecmp(name + i, "qmgr", 4) == 0;
    return has_qmgr && ((n > 3 && strcasecmp(name + n - 3, ".db") == 0) ||
                        (n > 4 && strcasecmp(name + n - 4, ".dat") == 0));
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int parse_folder(const char *path, bp_result *result)
{
    DIR *dir = opendir(path);
    if (!dir) {
        bp_notes_addf(&result->arena, &result->warnings, "%s: cannot open folder: %s", path, strerror(errno));
        return BP_STATUS_UNREADABLE;
    }
    char *names[256];
    size_t count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 256)
        if (is_queue_file_name(entry->d_name))
            names[count++] = strdup(entry->d_name);
    closedir(dir);
    qsort(names, count, sizeof(char *), compare_names);
    int worst = count ? BP_STATUS_CLEAN : BP_STATUS_UNREADABLE;
    int best = BP_STATUS_UNREADABLE;
    if (!count)
        bp_notes_addf(&result->arena, &result->warnings, "%s: no qmgr.db or qmgr*.dat in this folder", path);
    for (size_t i = 0; i < count; i++) {
        char *full = names[i] ? bp_arena_printf(&result->arena, "%s/%s", path, names[i]) : NULL;
        free(names[i]);
        if (!full)
            continue;
        int status = parse_file(full, result);
        if (status > worst)
            worst = status;
        if (status < best)
            best = status;
    }
    /* some file of the folder read: the folder as a whole is not unreadable */
    if (worst == BP_STATUS_UNREADABLE && best < BP_STATUS_UNREADABLE)
        worst = BP_STATUS_WARNINGS;
    return worst;
}

int bp_parse_path(const char *path, bp_result **result_out)
{
    if (!*result_out)
        *result_out = bp_result_new();
    bp_result *result = *result_out;
    if (!result)
        return BP_STATUS_UNREADABLE;
    struct stat st;
    int status;
    if (stat(path, &st) != 0) {
        bp_notes_addf(&result->arena, &result->warnings, "%s: %s", path, strerror(errno));
        status = BP_STATUS_UNREADABLE;
    } else if (S_ISDIR(st.st_mode)) {
        status = parse_folder(path, result);
    } else {
        status = parse_file(path, result);
    }
    bp_result_note_status(result, status);
    return status;
}
