/* Compare what bitsparse reads from a database written by mkqmgr with the
 * description it was written from: every record, every job and file field.
 * Times are compared as the RFC 3339 text bitsparse prints, against the text
 * the description gave (or the value mkqmgr derived when it gave none). */
#ifndef BP_TESTS_MKQMGR_EXPECT_H
#define BP_TESTS_MKQMGR_EXPECT_H

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "description.h"
#include "long_values.h"
#include "util/text.h"

/* One failure message per field kind is enough to debug; the counts still add up. */
#define EXPECT_LIMIT 40
static int expect_reported;

#define EXPECT(cond, ...)                                                             \
    do {                                                                              \
        check_count++;                                                                \
        if (!(cond)) {                                                                \
            check_failures++;                                                         \
            if (expect_reported++ < EXPECT_LIMIT) {                                   \
                fprintf(stderr, "%s:%d: %s: ", __FILE__, __LINE__, label);            \
                fprintf(stderr, __VA_ARGS__);                                         \
                fputc('\n', stderr);                                                  \
            }                                                                         \
        }                                                                             \
    } while (0)

#define EXPECT_STR(actual, expected, what)                                            \
    do {                                                                              \
        const char *a_ = (actual), *e_ = (expected);                                  \
        EXPECT(a_ && strcmp(a_, e_) == 0, "%s: got \"%s\", want \"%s\"", what,       \
               a_ ? a_ : "(null)", e_);                                               \
    } while (0)

#define EXPECT_NUM(actual, expected, what)                                            \
    do {                                                                              \
        unsigned long long a_ = (unsigned long long)(actual);                         \
        unsigned long long e_ = (unsigned long long)(expected);                       \
        EXPECT(a_ == e_, "%s: got 0x%llx, want 0x%llx", what, a_, e_);               \
    } while (0)

static void expect_time(const char *label, uint64_t actual, uint64_t expected, const char *text, const char *what)
{
    char got[32], want[32];
    bp_format_filetime(actual, got);
    bp_format_filetime(expected, want);
    EXPECT_STR(got, text ? text : want, what);
}

static void expect_job(const char *label, const bp_job *job, const mk_description *d, const mk_job *j)
{
    EXPECT_STR(job->job_id, j->id_text, "job_id");
    EXPECT_STR(job->marker, "e10956a1-af43-42c9-92e6-6f9856eba7f6", "marker");
    EXPECT_STR(job->name, j->name, "name");
    EXPECT_STR(job->description, j->description, "description");
    EXPECT_STR(job->notify_program, j->notify_program, "notify_program");
    EXPECT_STR(job->notify_arguments, j->notify_arguments, "notify_arguments");
    EXPECT_STR(job->owner_sid, j->owner_sid, "owner_sid");
    EXPECT_STR(bp_job_type_name(job->job_type), bp_job_type_name(j->type), "job_type");
    EXPECT_NUM(job->job_type, j->type, "job_type");
    EXPECT_NUM(job->priority, j->priority, "priority");
    EXPECT_NUM(job->state, j->state, "state");
    EXPECT_STR(bp_job_state_name(job->state), bp_job_state_name(j->state), "state name");
    EXPECT_NUM(job->notify_flags, j->notify_flags, "notify_flags");
    EXPECT_NUM(job->owner_integrity, j->owner_integrity, "owner_integrity");
    EXPECT_NUM(job->owner_is_local_system, strcmp(j->owner_sid, "S-1-5-18") == 0, "owner_is_local_system");
    EXPECT_STR(job->sd_owner_sid, j->owner_sid, "security descriptor owner");
    EXPECT_STR(job->sd_group_sid, j->owner_sid, "security descriptor group");
    EXPECT_NUM(job->sd_control, 0x801F, "security descriptor control");
    EXPECT_NUM(job->ace_count, 6, "ACE count");
    if (job->ace_count == 6) {
        char label_sid[32];
        snprintf(label_sid, sizeof label_sid, "S-1-16-%u", j->owner_integrity);
        /* stored order: the SACL's label (written first), then the DACL */
        EXPECT_STR(job->aces[0].sid, label_sid, "integrity label");
        EXPECT_STR(job->aces[2].sid, j->owner_sid, "owner ACE");
    }
    expect_time(label, job->created, j->created, j->created_text, "created");
    expect_time(label, job->modified, j->modified, j->modified_text, "modified");
    expect_time(label, job->completed, j->completed, j->completed_text, "completed");
    expect_time(label, job->inactivity_timer.deadline, j->expiration, j->expiration_text, "expiration");
    EXPECT_NUM(job->error_timer.present, j->state == 4, "error timer present");
    EXPECT_NUM(job->retry_delay, j->retry_delay, "retry_delay");
    EXPECT_NUM(job->no_progress_timeout, j->no_progress_timeout, "no_progress_timeout");
    EXPECT_NUM(job->transient_error_count, j->transient_error_count, "transient_error_count");
    EXPECT_NUM(job->has_error, j->has_error, "has_error");
    EXPECT_NUM(job->error_hresult, j->error_hresult, "error_hresult");
    EXPECT_NUM(job->error_context, j->error_context, "error_context");
    EXPECT_NUM(job->error_class, j->has_error ? j->error_class : 0, "error_class");
    EXPECT_STR(job->creator_program, j->creator_program, "creator_program");
    EXPECT_STR(job->http_method, j->http_method, "http_method");
    EXPECT_STR(job->extra_string, j->extra_string, "extra_string");
    EXPECT_NUM(job->proxy_usage, j->proxy_usage, "proxy_usage");
    EXPECT_STR(job->proxy_list, j->proxy_list ? j->proxy_list : "", "proxy_list");
    EXPECT_STR(job->proxy_bypass_list, j->proxy_bypass_list ? j->proxy_bypass_list : "", "proxy_bypass_list");
    EXPECT_NUM(job->cost_flags, j->cost_flags, "cost_flags");
    EXPECT_NUM(job->acl_flags, j->acl_flags, "acl_flags");
    EXPECT_NUM(job->max_download_time, j->max_download_time, "max_download_time");
    char machine[37];
    util_guid_format(j->field54_guid, machine);
    EXPECT_STR(job->field54_guid, machine, "field54_guid");
    EXPECT_STR(job->package_family_name, j->package_family_name ? j->package_family_name : "", "package_family_name");
    EXPECT_STR(job->package_app_id, j->package_app_id ? j->package_app_id : "", "package_app_id");
    EXPECT_NUM(job->has_custom_headers, 0, "custom headers");
    EXPECT_NUM(job->file_count, j->file_count, "file count");
    for (size_t k = 0; k < job->file_count && k < j->file_count; k++)
        EXPECT_STR(job->file_ids[k], d->files[j->file_indexes[k]].id_text, "file id list");
    EXPECT(job->complete && job->tail_decoded, "job blob not decoded completely");
    EXPECT(job->warnings.count == 0, "job warnings: %s", job->warnings.head ? job->warnings.head->text : "");
}

static void expect_file(const char *label, const bp_file *file, const mk_file *f)
{
    EXPECT_STR(file->file_id, f->id_text, "file_id");
    EXPECT_STR(file->local_path, f->local_path, "local_path");
    EXPECT_STR(file->remote_url, f->remote_url, "remote_url");
    EXPECT_STR(file->temp_path, f->temp_path, "temp_path");
    EXPECT_NUM(file->bytes_transferred, f->bytes_transferred, "bytes_transferred");
    EXPECT_NUM(file->bytes_total, f->bytes_total, "bytes_total");
    EXPECT_STR(file->drive, f->drive, "drive");
    EXPECT_STR(file->volume, f->volume, "volume");
    EXPECT_NUM(file->volume_serial, f->volume_serial, "volume_serial");
    EXPECT_NUM(file->file_size, f->file_size, "file_size");
    expect_time(label, file->remote_file_time, f->remote_file_time, f->remote_file_time_text, "remote_file_time");
    EXPECT(file->complete && file->tail_decoded, "file blob not decoded completely");
    EXPECT(file->warnings.count == 0, "file warnings: %s", file->warnings.head ? file->warnings.head->text : "");
}

static int compare_id_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Index of the job (or file) with this id text, SIZE_MAX when none. */
static size_t find_by_id(const char **sorted_ids, const size_t *order, size_t count, const char *id)
{
    const char **hit = bsearch(&id, sorted_ids, count, sizeof(char *), compare_id_text);
    return hit ? order[hit - sorted_ids] : SIZE_MAX;
}

typedef struct id_index {
    const char **ids;
    size_t *order;
    size_t count;
} id_index;

static const char *index_key_base;
static size_t index_key_stride;

static int compare_positions(const void *a, const void *b)
{
    const char *x = index_key_base + *(const size_t *)a * index_key_stride;
    const char *y = index_key_base + *(const size_t *)b * index_key_stride;
    return strcmp(x, y);
}

/* id_text members sit at the same offset in every element: sort positions by them. */
static id_index make_index(const void *items, size_t count, size_t stride, size_t id_offset)
{
    id_index x = {malloc(count * sizeof(char *) + 1), malloc(count * sizeof(size_t) + 1), count};
    index_key_base = (const char *)items + id_offset;
    index_key_stride = stride;
    for (size_t i = 0; i < count; i++)
        x.order[i] = i;
    qsort(x.order, count, sizeof(size_t), compare_positions);
    for (size_t i = 0; i < count; i++)
        x.ids[i] = index_key_base + x.order[i] * stride;
    return x;
}

/* Every live job gives one record per listed file (or one without files);
 * every file no job lists is an orphan record. Returns the records checked. */
static size_t expect_result_matches(const char *label, const bp_result *result, const mk_description *d,
                                    unsigned lid_size)
{
    id_index jobs = make_index(d->jobs, d->job_count, sizeof(mk_job), offsetof(mk_job, id_text));
    id_index files = make_index(d->files, d->file_count, sizeof(mk_file), offsetof(mk_file, id_text));
    size_t expected = 0;
    for (size_t i = 0; i < d->job_count; i++)
        if (!d->jobs[i].deleted)
            expected += d->jobs[i].file_count ? d->jobs[i].file_count : 1;
    for (size_t i = 0; i < d->file_count; i++)
        expected += !d->files[i].listed;
    EXPECT_NUM(bp_result_count(result), expected, "record count");
    EXPECT(bp_result_warnings(result)->count == 0, "input warning: %s",
           bp_result_warnings(result)->head ? bp_result_warnings(result)->head->text : "");

    size_t *seen = calloc(d->job_count + 1, sizeof(size_t));
    for (size_t r = 0; r < bp_result_count(result); r++) {
        const bp_record *rec = bp_result_record(result, r);
        if (rec->job) {
            size_t j = find_by_id(jobs.ids, jobs.order, jobs.count, rec->job->job_id);
            EXPECT(j != SIZE_MAX, "unexpected job %s", rec->job->job_id);
            if (j == SIZE_MAX)
                continue;
            const mk_job *job = &d->jobs[j];
            EXPECT(!job->deleted, "deleted job %s is reported", job->id_text);
            if (seen[j] == 0)
                expect_job(label, rec->job, d, job);
            EXPECT_NUM(rec->job_source.long_value_id, mk_lid(lid_size, (uint32_t)j + 1), "job LID");
            EXPECT_STR(rec->job_source.table, "Jobs", "job table");
            size_t k = seen[j]++;
            if (job->file_count == 0) {
                EXPECT(rec->file == NULL, "job without files has a file");
            } else if (k < job->file_count && rec->file) {
                size_t f = job->file_indexes[k];
                expect_file(label, rec->file, &d->files[f]);
                EXPECT_NUM(rec->file_source.long_value_id, mk_lid(lid_size, (uint32_t)f + 1), "file LID");
            } else {
                EXPECT(0, "job %s: record %zu has no expected file", job->id_text, k);
            }
            EXPECT(rec->warnings.count == 0, "record warning: %s", rec->warnings.head ? rec->warnings.head->text : "");
        } else if (rec->file) {
            size_t f = find_by_id(files.ids, files.order, files.count, rec->file->file_id);
            EXPECT(f != SIZE_MAX && !d->files[f].listed, "unexpected orphan file %s", rec->file->file_id);
            if (f != SIZE_MAX)
                expect_file(label, rec->file, &d->files[f]);
        }
    }
    for (size_t i = 0; i < d->job_count; i++)
        if (!d->jobs[i].deleted)
            EXPECT_NUM(seen[i], d->jobs[i].file_count ? d->jobs[i].file_count : 1, "records of a job");
    free(seen);
    free(jobs.ids);
    free(jobs.order);
    free(files.ids);
    free(files.order);
    return bp_result_count(result);
}

#endif
