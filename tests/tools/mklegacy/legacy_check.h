/* Helpers of the legacy tests: build fixtures with the writer, compare what the
 * decoder found with the JSON description it was built from, and sanity checks
 * for damaged inputs. Include after check.h. */
#ifndef MKLEGACY_LEGACY_CHECK_H
#define MKLEGACY_LEGACY_CHECK_H

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bitsparse/bitsparse.h"
#include "legacy_writer.h"

/* Build the bytes of a description; a failure is a failed check. */
static inline uint8_t *legacy_build(const char *json, size_t *size)
{
    char error[256];
    uint8_t *bytes = mklegacy_build_text(json, size, error, sizeof error);
    check_count++;
    if (!bytes) {
        check_failures++;
        fprintf(stderr, "mklegacy: %s\n  in: %.200s\n", error, json);
    }
    return bytes;
}

static inline const char *legacy_find_note(const bp_note_list *list, const char *needle)
{
    for (const bp_note *n = list ? list->head : NULL; n; n = n->next)
        if (n->text && strstr(n->text, needle))
            return n->text;
    return NULL;
}

static inline void legacy_print_notes(const char *what, const bp_note_list *list)
{
    for (const bp_note *n = list ? list->head : NULL; n; n = n->next)
        fprintf(stderr, "    %s: %s\n", what, n->text ? n->text : "(null)");
}

static inline bool legacy_file_sane(const bp_file *f)
{
    return f && f->file_id && f->local_path && f->remote_url && f->temp_path && f->drive && f->volume;
}

static inline bool legacy_job_sane(const bp_job *j)
{
    if (!j || !j->job_id || !j->marker || !j->name || !j->description || !j->notify_program ||
        !j->notify_arguments || !j->owner_sid || !j->sd_owner_sid || !j->sd_group_sid ||
        !j->proxy_list || !j->proxy_bypass_list || !j->field54_guid || !j->creator_program ||
        !j->http_method || !j->extra_string || !j->package_family_name || !j->package_app_id)
        return false;
    for (size_t i = 0; i < j->ace_count; i++)
        if (!j->aces || !j->aces[i].sid || !j->aces[i].acl || !j->aces[i].ace_type)
            return false;
    return true;
}

/* Every record of a result: strings present, sources legacy or blob. */
static inline bool legacy_result_sane(const bp_result *result)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (!r || (!r->job && !r->file) || (r->job && !legacy_job_sane(r->job)) ||
            (r->file && !legacy_file_sane(r->file)) || !r->job_source.generation ||
            !r->file_source.generation)
            return false;
    }
    return true;
}

static inline uint64_t legacy_desc_u64(const cJSON *obj, const char *key, uint64_t fallback)
{
    uint64_t v;
    const cJSON *item = obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return item && mklegacy_json_u64(item, &v) ? v : fallback;
}

static inline bool legacy_same_guid(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    if (*b == '{')
        b++;
    for (size_t i = 0; i < 36; i++)
        if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
            return false;
    return a[36] == '\0';
}

#define LEGACY_CHECK_TEXT(obj, key, actual)                                        \
    do {                                                                           \
        const cJSON *item_ = cJSON_GetObjectItemCaseSensitive(obj, key);           \
        if (cJSON_IsString(item_))                                                 \
            CHECK_STR(actual, item_->valuestring);                                 \
    } while (0)

#define LEGACY_CHECK_NUMBER(obj, key, actual)                                      \
    do {                                                                           \
        const cJSON *item_ = cJSON_GetObjectItemCaseSensitive(obj, key);           \
        uint64_t want_;                                                            \
        if (item_ && mklegacy_json_u64(item_, &want_))                             \
            CHECK_U64(actual, want_);                                              \
    } while (0)

static inline void legacy_check_file(const cJSON *desc, const bp_file *file)
{
    CHECK(legacy_file_sane(file));
    if (!file)
        return;
    LEGACY_CHECK_TEXT(desc, "local_path", file->local_path);
    LEGACY_CHECK_TEXT(desc, "remote_url", file->remote_url);
    LEGACY_CHECK_TEXT(desc, "temp_path", file->temp_path);
    LEGACY_CHECK_TEXT(desc, "drive", file->drive);
    LEGACY_CHECK_TEXT(desc, "volume", file->volume);
    LEGACY_CHECK_NUMBER(desc, "bytes_transferred", file->bytes_transferred);
    LEGACY_CHECK_NUMBER(desc, "bytes_total", file->bytes_total);
    LEGACY_CHECK_NUMBER(desc, "volume_serial", file->volume_serial);
    LEGACY_CHECK_NUMBER(desc, "file_size", (uint64_t)file->file_size);
    LEGACY_CHECK_NUMBER(desc, "remote_file_time", file->remote_file_time);
    CHECK(file->complete);
}

static inline void legacy_check_timer(const cJSON *desc, const char *key, const bp_timer *timer)
{
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(desc, key);
    if (!t)
        return;
    CHECK(timer->present == (cJSON_IsObject(t) ? true : false));
    if (cJSON_IsObject(t)) {
        LEGACY_CHECK_NUMBER(t, "start", timer->start);
        LEGACY_CHECK_NUMBER(t, "deadline", timer->deadline);
    }
}

/* Compare a decoded job and its files with the description it was written from
 * (only the keys the description names). */
static inline void legacy_check_job(const cJSON *desc, const bp_job *job, const bp_file *const *files,
                                    size_t file_count)
{
    CHECK(legacy_job_sane(job));
    if (!job)
        return;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(desc, "id");
    if (cJSON_IsString(id)) {
        check_count++;
        if (!legacy_same_guid(job->job_id, id->valuestring)) {
            check_failures++;
            fprintf(stderr, "job id: got %s want %s\n", job->job_id, id->valuestring);
        }
    }
    LEGACY_CHECK_TEXT(desc, "name", job->name);
    LEGACY_CHECK_TEXT(desc, "description", job->description);
    LEGACY_CHECK_TEXT(desc, "notify_program", job->notify_program);
    LEGACY_CHECK_TEXT(desc, "notify_arguments", job->notify_arguments);
    LEGACY_CHECK_TEXT(desc, "owner_sid", job->owner_sid);
    LEGACY_CHECK_TEXT(desc, "proxy_list", job->proxy_list);
    LEGACY_CHECK_TEXT(desc, "proxy_bypass_list", job->proxy_bypass_list);
    LEGACY_CHECK_NUMBER(desc, "type", job->job_type);
    LEGACY_CHECK_NUMBER(desc, "priority", job->priority);
    LEGACY_CHECK_NUMBER(desc, "state", job->state);
    LEGACY_CHECK_NUMBER(desc, "notify_flags", job->notify_flags);
    LEGACY_CHECK_NUMBER(desc, "owner_is_local_system", job->owner_is_local_system);
    LEGACY_CHECK_NUMBER(desc, "owner_integrity", job->owner_integrity);
    LEGACY_CHECK_NUMBER(desc, "transient_error_count", job->transient_error_count);
    LEGACY_CHECK_NUMBER(desc, "retry_delay", job->retry_delay);
    LEGACY_CHECK_NUMBER(desc, "no_progress_timeout", job->no_progress_timeout);
    LEGACY_CHECK_NUMBER(desc, "created", job->created);
    LEGACY_CHECK_NUMBER(desc, "modified", job->modified);
    LEGACY_CHECK_NUMBER(desc, "modified2", job->modified2);
    LEGACY_CHECK_NUMBER(desc, "completed", job->completed);
    LEGACY_CHECK_NUMBER(desc, "proxy_usage", job->proxy_usage);
    LEGACY_CHECK_NUMBER(desc, "acl_flags", job->acl_flags);
    LEGACY_CHECK_NUMBER(desc, "max_download_time", job->max_download_time);
    LEGACY_CHECK_NUMBER(desc, "cost_flags", job->cost_flags);
    legacy_check_timer(desc, "inactivity_timer", &job->inactivity_timer);
    legacy_check_timer(desc, "no_progress_timer", &job->no_progress_timer);
    legacy_check_timer(desc, "error_timer", &job->error_timer);
    legacy_check_timer(desc, "retry_timer", &job->retry_timer);
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(desc, "error");
    CHECK(job->has_error == (error != NULL));
    if (error) {
        LEGACY_CHECK_NUMBER(error, "hresult", job->error_hresult);
        LEGACY_CHECK_NUMBER(error, "context", job->error_context);
        LEGACY_CHECK_NUMBER(error, "class", job->error_class);
    }
    const cJSON *headers = cJSON_GetObjectItemCaseSensitive(desc, "custom_headers");
    CHECK(job->has_custom_headers == (headers != NULL && !cJSON_IsFalse(headers)));
    const cJSON *want_files = cJSON_GetObjectItemCaseSensitive(desc, "files");
    size_t want = cJSON_IsArray(want_files) ? (size_t)cJSON_GetArraySize(want_files) : 0;
    CHECK_U64(file_count, want);
    for (size_t i = 0; i < want && i < file_count; i++)
        legacy_check_file(cJSON_GetArrayItem(want_files, (int)i), files[i]);
    CHECK(job->complete);
}

/* The files of the job whose first record is at `index` (records of one job are
 * consecutive); returns how many, sets *next to the first record after them. */
static inline size_t legacy_job_files(const bp_result *result, size_t index, const bp_file **files,
                                      size_t max, size_t *next)
{
    const bp_record *first = bp_result_record(result, index);
    size_t count = 0, i = index;
    for (; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job != first->job)
            break;
        if (r->file && count < max)
            files[count++] = r->file;
    }
    *next = i;
    return count;
}

#endif
