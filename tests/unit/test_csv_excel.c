/* BP_FORMAT_CSV_EXCEL (--csv-excel) on hand-built records: the byte order
 * mark, every formula-starting character of a text cell defused, quoting
 * still right after the apostrophe, numbers untouched, and plain CSV
 * unchanged. */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "output_text.h"
#include "result/result.h"

/* A job whose attacker-chosen texts start with each formula character. */
static bp_result *formula_result(void)
{
    bp_result *result = result_new();
    bp_record *record = result_add(result);
    bp_job *job = util_arena_alloc(&result->arena, sizeof(*job));
    bp_file *file = util_arena_alloc(&result->arena, sizeof(*file));
    memset(job, 0, sizeof(*job));
    memset(file, 0, sizeof(*file));
    job->job_id = "9f0a3c1e-0000-4000-8000-000000000001";
    job->name = "=HYPERLINK(\"http://203.0.113.9/\",\"x\")";
    job->description = "@SUM(A1)";
    job->notify_program = "+cmd";
    job->notify_arguments = "-c calc";
    job->owner_sid = "\tS-1-5-18";
    job->creator_program = "\r=1";
    file->file_id = "";
    file->remote_url = "http://203.0.113.9/a=b";
    file->local_path = "C:\\x,=y";
    file->file_size = -1;
    file->bytes_total = UINT64_MAX;
    record->job = job;
    record->file = file;
    record->job_source = (bp_source){.path = "q.db", .format = "blob", .table = "", .generation = ""};
    record->file_source = record->job_source;
    return result;
}

static void test_excel_cells(void)
{
    bp_result *result = formula_result();
    char *excel = output_text(result, BP_FORMAT_CSV_EXCEL);
    char *plain = output_text(result, BP_FORMAT_CSV);
    CHECK(excel && plain);
    if (!excel || !plain)
        return;
    CHECK(memcmp(excel, "\xEF\xBB\xBFjob_id,", 10) == 0);
    CHECK(strncmp(plain, "job_id,", 7) == 0);
    CHECK(strstr(excel, ",\"'=HYPERLINK(\"\"http://203.0.113.9/\"\",\"\"x\"\")\",") != NULL);
    CHECK(strstr(excel, ",'@SUM(A1),") != NULL);
    CHECK(strstr(excel, ",'+cmd,") != NULL);
    CHECK(strstr(excel, ",'-c calc,") != NULL);
    CHECK(strstr(excel, ",'\tS-1-5-18,") != NULL);
    CHECK(strstr(excel, ",\"'\r=1\",") != NULL);          /* CR: prefixed, then quoted */
    CHECK(strstr(excel, ",http://203.0.113.9/a=b,") != NULL);  /* = inside a cell is harmless */
    CHECK(strstr(excel, ",\"C:\\x,=y\",") != NULL);
    CHECK(strstr(excel, ",-1,") != NULL);                  /* a number stays a number */
    CHECK(strstr(excel, "'-1") == NULL);
    /* plain CSV keeps every cell verbatim */
    CHECK(strstr(plain, ",\"=HYPERLINK(\"\"http://203.0.113.9/\"\",\"\"x\"\")\",") != NULL);
    CHECK(strstr(plain, ",@SUM(A1),") != NULL);
    CHECK(strstr(plain, ",\"\r=1\",") != NULL);
    CHECK(strchr(plain, '\'') == NULL);
    /* apart from the mark and the apostrophes, the two are the same: six texts,
     * the creator program in two columns (artemis' target_path too) */
    size_t apostrophes = 0;
    for (const char *c = excel + 3; *c; c++)
        apostrophes += *c == '\'';
    CHECK_U64(apostrophes, 7);
    CHECK_U64(strlen(excel), strlen(plain) + 3 + 7);
    free(excel);
    free(plain);
    bp_result_free(result);
}

/* No records: the mark and the header row only. */
static void test_excel_empty(void)
{
    bp_result *result = result_new();
    char *excel = output_text(result, BP_FORMAT_CSV_EXCEL);
    char *plain = output_text(result, BP_FORMAT_CSV);
    CHECK(excel && plain);
    if (excel && plain) {
        CHECK(memcmp(excel, "\xEF\xBB\xBF", 3) == 0);
        CHECK_STR(excel + 3, plain);
    }
    free(excel);
    free(plain);
    bp_result_free(result);
}

int main(void)
{
    test_excel_cells();
    test_excel_empty();
    return check_exit();
}
