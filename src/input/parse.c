/* Entry points of the library: recognise an input by its content and hand it
 * to the right reader. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "bits/legacy_generation.h"
#include "bits/legacy_state_file.h"
#include "bits/markers.h"
#include "bits/qmgr_db.h"
#include "carve/carve.h"
#include "input/archive_zip.h"
#include "input/collector_names.h"
#include "input/image_tsk.h"
#include "util/file_read.h"
#include "util/mapped_file.h"
#include "input/parse_internal.h"
#include "result/result.h"
#include "ese/database.h"
#include "evtx/bits_client_log.h"
#include "evtx/evtx_log.h"
#include "ese/db_header.h"
#include "util/reader.h"

typedef enum input_kind {
    INPUT_UNKNOWN,
    INPUT_ESE,
    INPUT_JOB_BLOB,
    INPUT_FILE_BLOB,
    INPUT_LEGACY_STATE,      /* qmgr0.dat / qmgr1.dat */
    INPUT_LEGACY_JOB,        /* one job record cut out of a state file */
    INPUT_LEGACY_FILE_LIST,  /* a file list cut out of a legacy job record */
    INPUT_EVTX,              /* a Windows event log ("ElfFile\0") */
} input_kind;

static input_kind sniff(const uint8_t *data, size_t size)
{
    /* the ESE signature sits at offset 4 of the header page and of its shadow
     * copy one page later: a damaged primary must not hide a good shadow */
    static const size_t header_pages[] = {0, 4096, 8192, 16384, 32768};
    for (size_t i = 0; i < sizeof(header_pages) / sizeof(header_pages[0]); i++) {
        util_reader r = util_reader_make(data, size);
        util_reader_seek(&r, header_pages[i] + 4);
        if (util_read_u32(&r) == ESE_SIGNATURE)
            return INPUT_ESE;
    }
    if (evtx_is_log(data, size))
        return INPUT_EVTX;
    if (legacy_is_state_file(data, size))
        return INPUT_LEGACY_STATE;
    const bits_job_marker *marker = size >= 16 ? bits_find_job_marker(data) : NULL;
    if (marker)
        return marker->era == BITS_ERA_LEGACY ? INPUT_LEGACY_JOB : INPUT_JOB_BLOB;
    if (size >= 16 && memcmp(data, bits_transfer_marker, BITS_GUID_SIZE) == 0)
        return INPUT_LEGACY_FILE_LIST;
    if (size >= 16 && memcmp(data, bits_file_marker, BITS_GUID_SIZE) == 0)
        return INPUT_FILE_BLOB;
    return INPUT_UNKNOWN;
}

bool input_is_bits_input(const uint8_t *data, size_t size) { return sniff(data, size) != INPUT_UNKNOWN; }

bool input_is_ese_input(const uint8_t *data, size_t size) { return sniff(data, size) == INPUT_ESE; }

static bool record_has_warnings(const bp_record *record)
{
    return record->warnings.count || (record->job && record->job->warnings.count) ||
           (record->file && record->file->warnings.count);
}

static int parse_ese(const uint8_t *data, size_t size, const char *label, bp_result *result, carve_session *carve)
{
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    if (!ese_db_open(&db, data, size, &result->arena, &warnings)) {
        util_notes_addf(&result->arena, &result->warnings, "%s: not a readable ESE database (no valid header)",
                      label);
        return BP_STATUS_UNREADABLE;
    }
    if (!result_add_database(result, label, db.header.state, ese_db_state_name(db.header.state)))
        util_notes_addf(&result->arena, &warnings, "out of memory noting the database state");
    size_t live_first = result->count;
    size_t added = qmgr_db_read(&db, label, result);
    if (carve)  /* deleted and unreferenced data, after the live records (carve.h) */
        carve_ese_collect(carve, &db, label, live_first, result->count);
    for (bp_note *n = warnings.head; n; n = n->next)
        util_notes_addf(&result->arena, &result->warnings, "%s: %s", label, n->text);
    if (!added && !ese_catalog_find(&db.catalog, "Jobs"))
        return BP_STATUS_UNREADABLE;
    return warnings.count ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
}

static int parse_blob(const uint8_t *data, size_t size, const char *label, bool is_job, bp_result *result)
{
    bp_record *record = result_add(result);
    if (!record)
        return BP_STATUS_UNREADABLE;
    /* a mapped input has no 2 GiB cap any more: the size is clamped as the decoders clamp theirs */
    uint32_t blob_size = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
    bp_source source = {.path = label, .format = "blob", .table = "", .blob_size = blob_size, .generation = ""};
    if (is_job) {
        record->job = bits_decode_job(result_record_arena(result), data, size);
        record->job_source = source;
    } else {
        record->file = bits_decode_file(result_record_arena(result), data, size);
        record->file_source = source;
    }
    return BP_STATUS_CLEAN;
}

static int parse_memory(const uint8_t *data, size_t size, const char *label, bp_result **result_out,
                        carve_session *carve)
{
    if (!*result_out)
        *result_out = result_new();
    bp_result *result = *result_out;
    if (!result)
        return BP_STATUS_UNREADABLE;
    label = util_arena_strdup(&result->arena, label);
    result_stream_flush(result);  /* streaming: the records held now are all this input's */
    size_t first = result->count;
    size_t warned_before = result->stream.warned;  /* records already handed to a stream */
    int status;
    input_kind kind = sniff(data, size);
    switch (kind) {
    case INPUT_ESE: status = parse_ese(data, size, label, result, carve); break;
    case INPUT_JOB_BLOB: status = parse_blob(data, size, label, true, result); break;
    case INPUT_FILE_BLOB: status = parse_blob(data, size, label, false, result); break;
    case INPUT_LEGACY_STATE: status = legacy_state_file_read(data, size, label, result, NULL); break;
    case INPUT_LEGACY_JOB: status = legacy_job_record_read(data, size, label, result); break;
    case INPUT_LEGACY_FILE_LIST: status = legacy_file_list_read(data, size, label, result); break;
    case INPUT_EVTX: status = evtx_bits_read(data, size, label, carve != NULL, result); break;
    default:
        if (carve) {  /* carving: any other input is searched for BITS data */
            status = carve_scan_memory(carve, data, size, label);
            break;
        }
        util_notes_addf(&result->arena, &result->warnings,
                      "%s: not a BITS queue (neither an ESE qmgr.db, a legacy qmgr*.dat state file, "
                      "a job or file blob nor a Bits-Client .evtx event log)", label);
        status = BP_STATUS_UNREADABLE;
    }
    for (size_t i = first; i < result->count; i++) {  /* strings are never NULL */
        if (!result->records[i].job_source.generation)
            result->records[i].job_source.generation = "";
        if (!result->records[i].file_source.generation)
            result->records[i].file_source.generation = "";
    }
    for (size_t i = first; i < result->count && status == BP_STATUS_CLEAN; i++)
        if (record_has_warnings(&result->records[i]))
            status = BP_STATUS_WARNINGS;
    if (status == BP_STATUS_CLEAN && result->stream.warned > warned_before)
        status = BP_STATUS_WARNINGS;
    result_note_status(result, status);
    if (carve && kind != INPUT_ESE && kind != INPUT_UNKNOWN && kind != INPUT_EVTX)
        carve_scan_after_live(carve, data, size, label, first, result->count);
    return status;
}

int bp_parse_memory(const uint8_t *data, size_t size, const char *label, bp_result **result_out)
{
    return bp_parse_memory_ex(data, size, label, NULL, result_out);
}

int bp_parse_memory_ex(const uint8_t *data, size_t size, const char *label, const bp_parse_options *options,
                       bp_result **result_out)
{
    if (!*result_out)
        *result_out = result_new();
    carve_session *carve = *result_out && options && (options->carve || options->scan)
                               ? carve_session_new(*result_out, options) : NULL;
    int status = parse_memory(data, size, label, result_out, carve);
    status = carve ? carve_finish_input(carve, status) : status;
    if (*result_out)
        result_fill_provenance(*result_out);
    bp_result_correlate_events(*result_out);  /* event-log records onto queue records of the same job */
    result_stream_flush(*result_out);  /* when streaming: this input's records are final */
    return status;
}

/* An input read whole: noted with its root and sha256 for its records, unless
 * the same bytes were read already (then only a note: read once). */
int input_parse_bytes(const uint8_t *data, size_t size, const result_input_origin *origin, bp_result *result,
                   carve_session *carve)
{
    const char *earlier = result_input_with_sha256(result, origin->sha256);
    if (earlier) {
        util_notes_addf(&result->arena, &result->warnings, "%s: same content as %s (sha256 %s): read once",
                      origin->path, earlier, origin->sha256);
        return BP_STATUS_CLEAN;
    }
    result_note_origin(result, origin);
    return parse_memory(data, size, origin->path, &result, carve);
}

static int parse_read_input(const uint8_t *data, size_t size, const char *path, const char *sha256, bp_result *result,
                            carve_session *carve)
{
    result_input_origin origin = {.path = path, .root = input_system_root(&result->arena, path), .sha256 = sha256};
    return input_parse_bytes(data, size, &origin, result, carve);
}

/* A regular file is mapped, not read (util/mapped_file.h, docs/design.md):
 * hashed through the mapping and parsed in place, so its bytes never count
 * toward peak memory. Returns false when it cannot be mapped, or changed size
 * while it was hashed: the caller then reads it whole. */
static bool parse_mapped(const char *path, bp_result *result, carve_session *carve, int *status)
{
    /* carving: on the heap, as the session may keep it to its finish */
    util_mapped_file local;
    util_mapped_file *map = carve ? malloc(sizeof(*map)) : &local;
    if (!map)
        return false;
    if (!util_mapped_open(map, path)) {
        if (map != &local)
            free(map);
        return false;
    }
    bool steady = true;
    if (!carve && sniff(map->data, map->size) == INPUT_UNKNOWN) {
        /* not a BITS input and nothing to carve: said from its first bytes,
         * without hashing the rest (there is nothing of it to read once) */
        *status = parse_memory(map->data, map->size, path, &result, NULL);
    } else {
        char sha256[UTIL_SHA256_HEX_SIZE] = "";
        if (!result->no_hash)  /* --no-hash: no digest (and no size check while hashing) */
            steady = util_mapped_sha256(map, sha256);
        if (steady && carve)  /* live blobs are referenced in it, not copied (carve.h) */
            carve_session_offer_mapping(carve, map);
        if (steady)
            *status = parse_read_input(map->data, map->size, path, sha256, result, carve);
    }
    if (carve && carve_session_keep_mapping(carve, map))
        return steady;  /* the session closes it */
    util_mapped_close(map);
    if (map != &local)
        free(map);
    return steady;
}

static int parse_file(const char *path, bp_result *result, carve_session *carve)
{
    bool scan = carve && carve_session_options(carve)->scan;
    size_t head_size = 0;
    uint8_t *head = carve_read_head(path, &head_size);
    input_kind kind = head ? sniff(head, head_size) : INPUT_UNKNOWN;
    bool zip = head && kind == INPUT_UNKNOWN && !scan && zip_looks_like(head, head_size);
    bool image = head && kind == INPUT_UNKNOWN && !scan && !zip && image_looks_like(path, head, head_size);
    if (!image)
        free(head);
    if (scan && kind == INPUT_UNKNOWN) {  /* inputs of any size: streamed unless a queue */
        char sha256[UTIL_SHA256_HEX_SIZE] = "";
        int status = carve_scan_input(carve, path, result->no_hash ? NULL : sha256);  /* hashed as it is streamed */
        result_note_input(result, path, input_system_root(&result->arena, path), sha256);
        return status;
    }
    if (zip)  /* a collection delivered as a ZIP, read in place */
        return zip_parse(path, result, carve);
    if (image) {  /* a disk image: its NTFS volumes through TSK (with --carve their unallocated
                     clusters and all outside them: image_tsk.c); else read as before */
        bool opened = false;
        int status = image_parse(path, head, head_size, result, carve, &opened);
        free(head);
        if (opened)
            return status;
    }
    int status;
    if (!parse_mapped(path, result, carve, &status)) {  /* not mappable: read whole, as before */
        size_t size;
        const char *error = NULL;
        char sha256[UTIL_SHA256_HEX_SIZE] = "";
        uint8_t *data = result->no_hash ? util_input_read(path, &size, &error)
                                        : util_input_read_hashed(path, &size, &error, sha256);
        if (!data) {
            util_notes_addf(&result->arena, &result->warnings, "%s: cannot read: %s", path, error);
            result_note_status(result, BP_STATUS_UNREADABLE);
            return BP_STATUS_UNREADABLE;
        }
        status = parse_read_input(data, size, path, sha256, result, carve);
        free(data);
    }
    struct stat st;
    if (legacy_generation_has_files(result) && stat(path, &st) == 0)  /* for the generation rule */
        legacy_generation_set_mtime(result, path, (int64_t)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    return status;
}

/* With --no-hash no digest tells the same bytes given twice: the same file
 * (device and inode) opened again is read once, with a note; a copy of it is
 * read again. Files given by path only (a ZIP or a disk image as a whole, not
 * its members: they have no inode of their own). */
int input_parse_file(const char *path, bp_result *result, carve_session *carve)
{
    struct stat st;
    if (!result->no_hash || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return parse_file(path, result, carve);
    uint64_t id[2] = {(uint64_t)st.st_dev, (uint64_t)st.st_ino};
    size_t index;
    if (util_bytes_map_get(&result->input_by_file, id, sizeof(id), &index)) {
        util_notes_addf(&result->arena, &result->warnings, "%s: same file as %s (device %llu, inode %llu): read once",
                        path, result->inputs[index].path, (unsigned long long)id[0], (unsigned long long)id[1]);
        return BP_STATUS_CLEAN;
    }
    int status = parse_file(path, result, carve);
    if (status != BP_STATUS_UNREADABLE && !util_string_map_get(&result->input_by_path, path, &index))
        result_note_input(result, path, "", "");  /* a ZIP or disk image: its records name their members */
    uint64_t *key = util_string_map_get(&result->input_by_path, path, &index)
                        ? util_arena_alloc(&result->arena, sizeof(id)) : NULL;
    if (key) {  /* it was read (not skipped as no BITS input, not unreadable) */
        memcpy(key, id, sizeof(id));
        util_bytes_map_add(&result->input_by_file, key, sizeof(id), index);
    }
    return status;
}

/* "-": one input read from standard input to its end (a queue, blob or log
 * another tool streams); labelled "-". */
static int parse_stdin(bp_result *result, carve_session *carve)
{
    size_t size;
    const char *error = NULL;
    char sha256[UTIL_SHA256_HEX_SIZE] = "";
    uint8_t *data = util_input_read_stream(0, &size, &error, result->no_hash ? NULL : sha256);
    if (!data) {
        util_notes_addf(&result->arena, &result->warnings, "-: cannot read standard input: %s", error);
        return BP_STATUS_UNREADABLE;
    }
    int status = parse_read_input(data, size, "-", sha256, result, carve);
    free(data);
    return status;
}

int bp_parse_path(const char *path, bp_result **result_out)
{
    return bp_parse_path_ex(path, NULL, result_out);
}

int bp_parse_path_ex(const char *path, const bp_parse_options *options, bp_result **result_out)
{
    if (!*result_out)
        *result_out = result_new();
    bp_result *result = *result_out;
    if (!result)
        return BP_STATUS_UNREADABLE;
    result->no_hash = options && options->no_hash;
    carve_session *carve = options && (options->carve || options->scan) ? carve_session_new(result, options) : NULL;
    struct stat st;
    int status;
    if (strcmp(path, "-") == 0) {
        status = parse_stdin(result, carve);
    } else if (stat(path, &st) != 0) {
        util_notes_addf(&result->arena, &result->warnings, "%s: %s", path, strerror(errno));
        status = BP_STATUS_UNREADABLE;
    } else if (S_ISDIR(st.st_mode)) {
        status = input_parse_folder(path, result, carve);
    } else {
        status = input_parse_file(path, result, carve);
    }
    if (carve)
        status = carve_finish_input(carve, status);
    result_note_status(result, status);
    result_fill_provenance(result);  /* carved records included */
    bp_result_correlate_events(result);  /* event-log records onto queue records of the same job */
    result_stream_flush(result);  /* when streaming: this input's records are final */
    return status;
}
