/* The CSV writer keeps each ACE list's cell as it wrote it (quoted and with
 * its quotes doubled) and copies it when the same list comes again
 * (test_ace_cell_copied_as_written). Rows with a list needing quotes, the
 * same list again in other strings, another list, the first again and no
 * list: every row holds exactly its own cell, in the plain and in the
 * spreadsheet variant. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "output_text.h"
#include "result/result.h"

#define QUOTED_CELL "\"DACL:AccessAllowed:S-1-5-21-7(Smith, \"\"JJ\"\"):0x0000001F:Delete\""
#define PLAIN_CELL "DACL:AccessDenied:S-1-5-18(SYSTEM):0x00000001:ReadControl"

static void add_job(bp_result *result, const char *job_id, int list)
{
    bp_record *record = result_add(result);
    bp_job *job = util_arena_alloc(&result->arena, sizeof(*job));
    memset(job, 0, sizeof(*job));
    job->job_id = util_arena_strdup(&result->arena, job_id);
    if (list) {
        bp_ace *ace = util_arena_alloc(&result->arena, sizeof(*ace));
        /* strings of this job's own: the memo must compare texts */
        if (list == 1)
            *ace = (bp_ace){.acl = util_arena_strdup(&result->arena, "DACL"), .ace_type = "AccessAllowed",
                            .flags = "", .mask = 0x1F, .rights = "Delete",
                            .sid = util_arena_strdup(&result->arena, "S-1-5-21-7"),
                            .account = util_arena_strdup(&result->arena, "Smith, \"JJ\"")};
        else
            *ace = (bp_ace){.acl = "DACL", .ace_type = "AccessDenied", .flags = "", .mask = 1,
                            .rights = "ReadControl", .sid = "S-1-5-18", .account = "SYSTEM"};
        job->aces = ace;
        job->ace_count = 1;
    }
    record->job = job;
    record->job_source = (bp_source){.path = "q.db", .format = "blob", .table = "", .generation = ""};
    record->file_source = record->job_source;
}

/* The row of the job with this id (the line holding it), or NULL. */
static char *row_of(const char *csv, const char *job_id)
{
    const char *at = strstr(csv, job_id);
    if (!at)
        return NULL;
    const char *end = strstr(at, "\r\n");
    size_t length = end ? (size_t)(end - at) : strlen(at);
    char *row = malloc(length + 1);
    if (row) {
        memcpy(row, at, length);
        row[length] = '\0';
    }
    return row;
}

static void check_row(const char *csv, const char *job_id, const char *cell, const char *other)
{
    char *row = row_of(csv, job_id);
    CHECK(row != NULL);
    if (!row)
        return;
    CHECK(strstr(row, cell) != NULL);
    CHECK(other == NULL || strstr(row, other) == NULL);
    free(row);
}

static void test_ace_cell_copied_as_written(bp_format format)
{
    bp_result *result = result_new();
    add_job(result, "00000000-0000-4000-8000-00000000000a", 1);
    add_job(result, "00000000-0000-4000-8000-00000000000b", 1);
    add_job(result, "00000000-0000-4000-8000-00000000000c", 2);
    add_job(result, "00000000-0000-4000-8000-00000000000d", 1);
    add_job(result, "00000000-0000-4000-8000-00000000000e", 0);
    char *csv = output_text(result, format);
    CHECK(csv != NULL);
    if (csv) {
        check_row(csv, "0000000a,", "," QUOTED_CELL ",", PLAIN_CELL);
        check_row(csv, "0000000b,", "," QUOTED_CELL ",", PLAIN_CELL);
        check_row(csv, "0000000c,", "," PLAIN_CELL ",", "Smith");
        check_row(csv, "0000000d,", "," QUOTED_CELL ",", PLAIN_CELL);
        char *row = row_of(csv, "0000000e,");
        CHECK(row && !strstr(row, "DACL"));
        free(row);
        size_t quoted = 0;
        for (const char *at = csv; (at = strstr(at, QUOTED_CELL)) != NULL; at++)
            quoted++;
        CHECK_U64(quoted, 3);
    }
    free(csv);
    bp_result_free(result);
}

int main(void)
{
    test_ace_cell_copied_as_written(BP_FORMAT_CSV);
    test_ace_cell_copied_as_written(BP_FORMAT_CSV_EXCEL);
    return check_exit();
}
