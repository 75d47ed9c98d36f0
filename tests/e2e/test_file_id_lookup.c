/* A job's file ids looked up in the Files index (bits/qmgr_db.c find_file):
 * the index searches 8-byte key prefixes and reads an entry only where the
 * prefixes are equal. A generated queue whose file ids share their first 16
 * hex digits in groups (the whole key decides) and differ there otherwise,
 * each job listing its files in an order unlike the index's, and one row no
 * job lists: every record must carry the file its job names, with that
 * file's path, and the orphan comes last. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "database_writer.h"
#include "description.h"

enum { JOBS = 40, FILES_PER_JOB = 3 };

/* File f of job j: every third file shares "a1b2c3d4-0000-0000" (the whole
 * prefix) with the others of its kind, the rest differ there. */
static void file_id(int j, int f, char out[40])
{
    int n = j * FILES_PER_JOB + f;
    snprintf(out, 40, "a1b2c3d4-%04x-%04x-8000-%012x", n % 3 == 0 ? 0 : n, n % 3 == 0 ? 0 : n / 5 + 1, n);
}

static char *description_json(void)
{
    size_t cap = 1 << 16, used = 0;
    char *json = malloc(cap);
    used += (size_t)snprintf(json + used, cap - used, "{\"jobs\": [");
    for (int j = 0; j < JOBS; j++) {
        used += (size_t)snprintf(json + used, cap - used,
                                 "%s{\"id\": \"0000%04x-0000-4000-8000-000000000000\", \"owner_sid\": \"S-1-5-18\","
                                 " \"created\": \"2024-03-01T12:00:00Z\", \"files\": [",
                                 j ? ", " : "", j);
        for (int f = FILES_PER_JOB - 1; f >= 0; f--) {  /* listed last to first */
            char id[40];
            file_id(j, f, id);
            used += (size_t)snprintf(json + used, cap - used,
                                     "%s{\"id\": \"%s\", \"local_path\": \"C:\\\\data\\\\%s.bin\","
                                     " \"remote_url\": \"https://example.com/%s\"}",
                                     f == FILES_PER_JOB - 1 ? "" : ", ", id, id, id);
        }
        used += (size_t)snprintf(json + used, cap - used, "]}");
    }
    used += (size_t)snprintf(json + used, cap - used,
                             "], \"files\": [{\"id\": \"a1b2c3d4-0000-0000-8000-00000000ffff\","
                             " \"local_path\": \"C:\\\\orphan.bin\"}]}");
    CHECK(used < cap);
    return json;
}

int main(void)
{
    char *json = description_json();
    mk_description d;
    char err[256];
    bool ok = mk_description_parse(json, &d, err, sizeof err);
    free(json);
    if (!ok)
        fprintf(stderr, "description: %s\n", err);
    CHECK(ok);
    if (!ok)
        return check_exit();
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.reserved_tags = -1;
    cli.clean = -1;
    cli.lv_page_per_value = -1;
    CHECK(mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err));
    mk_buffer image = {NULL, 0, 0};
    mk_layout layout;
    mk_build_database(&d, &resolved, &image, &layout);
    bp_result *result = NULL;
    bp_parse_memory_ex(image.data, image.size, "lookup.qmgr.db", NULL, &result);
    CHECK(result != NULL);
    size_t count = bp_result_count(result);
    CHECK_U64(count, JOBS * FILES_PER_JOB + 1);
    int wrong = 0;
    for (size_t i = 0; i < count && i < JOBS * FILES_PER_JOB; i++) {
        const bp_record *r = bp_result_record(result, i);
        int j = (int)(i / FILES_PER_JOB), f = FILES_PER_JOB - 1 - (int)(i % FILES_PER_JOB);
        char id[40], path[64];
        file_id(j, f, id);
        snprintf(path, sizeof path, "C:\\data\\%s.bin", id);
        if ((!r->file || strcmp(r->file->file_id, id) != 0 || strcmp(r->file->local_path, path) != 0) &&
            wrong++ < 3)
            fprintf(stderr, "  record %zu: %s, expected %s\n", i, r->file ? r->file->file_id : "(no file)", id);
    }
    CHECK_U64(wrong, 0);
    if (count == JOBS * FILES_PER_JOB + 1) {
        const bp_record *orphan = bp_result_record(result, JOBS * FILES_PER_JOB);
        CHECK(orphan->job == NULL && orphan->file != NULL);
        if (orphan->file) {
            CHECK_STR(orphan->file->file_id, "a1b2c3d4-0000-0000-8000-00000000ffff");
            CHECK_STR(orphan->file->local_path, "C:\\orphan.bin");
        }
    }
    bp_result_free(result);
    mk_buffer_free(&image);
    mk_description_free(&d);
    return check_exit();
}
