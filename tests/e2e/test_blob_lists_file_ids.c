/* A bare job blob lists its file ids (issue 18 part 4): given alone, the
 * job's record had no trace of the files it names; the listed_file_ids field
 * now holds them, as on every row of a job. The shared win10 job blob lists
 * one file, 95d6889c-…, which the qmgr.db it came from joins live. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "output_text.h"
#include "fields/record_fields.h"

#define JOB_BLOB "testdata/blobs/win10-19045.job.blob"
#define FILE_BLOB "testdata/blobs/win10-19045.file.blob"
#define WIN10 "testdata/ese/win10-19045.qmgr.db"
#define FILE_ID "95d6889c-b2d3-4748-8eb1-9da0650cb892"

static const fields_field *field_named(const char *name)
{
    for (size_t i = 0; i < fields_record_field_count(); i++)
        if (strcmp(fields_record_field(i)->name, name) == 0)
            return fields_record_field(i);
    return NULL;
}

/* listed_file_ids of a record, as the writers see it, joined by '|'. */
static void listed_ids(const bp_record *r, char *out, size_t size)
{
    util_arena scratch;
    util_arena_init(&scratch);
    fields_field_value value;
    out[0] = '\0';
    const fields_field *field = field_named("listed_file_ids");
    CHECK(field != NULL);
    if (field && fields_record_field_value(field, r, &scratch, &value)) {
        CHECK(value.kind == FIELDS_FIELD_TEXT_LIST);
        for (size_t i = 0; i < value.text_count; i++)
            snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "|" : "", value.texts[i]);
    }
    util_arena_free(&scratch);
}

int main(void)
{
    const char *job_blob = shared_path(JOB_BLOB);
    const char *file_blob = shared_path(FILE_BLOB);
    const char *win10 = shared_path(WIN10);
    char ids[256];

    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(job_blob, &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 1);
    if (bp_result_count(result) == 1) {
        const bp_record *r = bp_result_record(result, 0);
        CHECK_STR(r->job ? r->job->job_id : "", "266504ac-d974-446c-96ad-2be13a5665b0");
        CHECK(r->file == NULL);
        CHECK_U64(r->warnings.count, 0);
        listed_ids(r, ids, sizeof ids);
        CHECK_STR(ids, FILE_ID);
    }
    char *json = output_text(result, BP_FORMAT_JSONL);
    CHECK(json && strstr(json, "\"file_id\":\"\",") != NULL);
    CHECK(json && strstr(json, "\"listed_file_ids\":[\"" FILE_ID "\"]") != NULL);
    free(json);
    char *csv = output_text(result, BP_FORMAT_CSV);
    CHECK(csv && strstr(csv, ",tmp_fullpath,listed_file_ids,bytes_total,") != NULL);
    CHECK(csv && strstr(csv, "," FILE_ID ",") != NULL);
    free(csv);
    bp_result_free(result);

    /* the file blob alone: no job, nothing listed */
    result = NULL;
    CHECK_U64(bp_parse_path(file_blob, &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 1);
    if (bp_result_count(result) == 1) {
        listed_ids(bp_result_record(result, 0), ids, sizeof ids);
        CHECK_STR(ids, "");
    }
    bp_result_free(result);

    /* the same job read live from its qmgr.db: the same list beside the joined file */
    result = NULL;
    CHECK_U64(bp_parse_path(win10, &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 1);
    if (bp_result_count(result) == 1) {
        const bp_record *r = bp_result_record(result, 0);
        CHECK_STR(r->file ? r->file->file_id : "", FILE_ID);
        listed_ids(r, ids, sizeof ids);
        CHECK_STR(ids, FILE_ID);
    }
    bp_result_free(result);
    return check_exit();
}
