/* How carving plugs into the input handling of input/parse.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "carve/carve.h"
#include "util/reader.h"

#define HEAD_SIZE ((size_t)64 << 10)

uint8_t *carve_read_head(const char *path, size_t *size)
{
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return NULL;
    uint8_t *head = malloc(HEAD_SIZE);
    while (head && *size < HEAD_SIZE) {
        ssize_t n = read(fd, head + *size, HEAD_SIZE - *size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        *size += (size_t)n;
    }
    close(fd);
    return head;
}

int carve_scan_input(carve_session *session, const char *path, char sha256[UTIL_SHA256_HEX_SIZE])
{
    int error = carve_scan_path(session, path, sha256);
    if (error == 0)
        return BP_STATUS_CLEAN;
    bp_result *r = carve_session_result(session);
    util_notes_addf(&r->arena, &r->warnings, "%s: cannot scan: %s", path,
                  error == -EINVAL ? "not a regular file or block device" : strerror(-error));
    result_note_status(r, BP_STATUS_UNREADABLE);
    return BP_STATUS_UNREADABLE;
}

bool carve_folder_entry(carve_session *session, const char *folder, const char *name)
{
    if (name[0] == '.')
        return false;
    if (carve_is_log_name(name))
        return true;
    if (!carve_session_options(session)->scan)
        return false;
    char full[4096];
    if (snprintf(full, sizeof(full), "%s/%s", folder, name) >= (int)sizeof(full))
        return false;
    struct stat st;
    return stat(full, &st) == 0 && S_ISREG(st.st_mode);
}

void carve_scan_after_live(carve_session *session, const uint8_t *data, size_t size, const char *label,
                           size_t first, size_t end)
{
    bp_result *result = carve_session_result(session);
    carve_session_live_records(session, first, end);
    /* the bytes of the live records, so that copies of them are not carved again. The records
       of one job follow each other and share its job source: each source is passed once, or a
       legacy job of N files had its whole record hashed N times (quadratic in its files). */
    bool passed[2] = {false, false};
    uint64_t passed_offset[2] = {0, 0};
    uint32_t passed_size[2] = {0, 0};
    for (size_t i = first; i < end && i < result->count; i++) {
        const bp_record *record = &result->records[i];
        const bp_source *sources[2] = {&record->job_source, &record->file_source};
        for (int k = 0; k < 2; k++) {
            const bp_source *source = sources[k];
            if ((k == 0 ? !record->job : !record->file) || !source->blob_size)
                continue;
            if (passed[k] && passed_offset[k] == source->offset && passed_size[k] == source->blob_size)
                continue;
            passed[k] = true;
            passed_offset[k] = source->offset;
            passed_size[k] = source->blob_size;
            util_reader r = util_reader_make(data, size);
            if (!util_reader_seek(&r, (size_t)source->offset))
                continue;
            const uint8_t *bytes = util_read_bytes(&r, source->blob_size);
            bool legacy = source->format && strcmp(source->format, "legacy") == 0;
            if (bytes)
                carve_session_live_blob(session, k == 0, legacy, bytes, source->blob_size);
        }
    }
    carve_scan_memory(session, data, size, label);
}

int carve_finish_input(carve_session *session, int status)
{
    bp_result *result = carve_session_result(session);
    size_t first = result->count;
    carve_session_finish(session);
    for (size_t i = first; i < result->count && status == BP_STATUS_CLEAN; i++) {
        const bp_record *record = &result->records[i];
        if (record->warnings.count || (record->job && record->job->warnings.count) ||
            (record->file && record->file->warnings.count))
            status = BP_STATUS_WARNINGS;
    }
    if (status == BP_STATUS_UNREADABLE && result->count > first)
        status = BP_STATUS_WARNINGS;  /* nothing live, but carving found records */
    result_note_status(result, status);
    bp_result_correlate_events(result);
    return status;
}
