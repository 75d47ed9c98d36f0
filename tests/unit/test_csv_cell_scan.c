/* The CSV writer finds a cell's length and whether it must be quoted in one
 * pass, 16 bytes at a time, loading past the NUL only inside the text's own
 * page. A job name that ends on the last byte before an unreadable page (a
 * guard page: a read across it would crash the test), at every length up to
 * 40 with a comma, quote, CR or LF at every place (or none), gives the same
 * CSV as the same name held in ordinary memory, with the cell quoted exactly
 * when it holds one of them and its quotes doubled. A cell is copied while
 * it is scanned and started over once it turns out to need quotes
 * (test_long_cell_quoted_at_its_end: 200 000 bytes, the row grown while it
 * is copied, a quote in the last byte; in the spreadsheet variant with an
 * apostrophe before a formula too). */
/* MAP_ANONYMOUS is not in POSIX 2008; glibc shows it under _DEFAULT_SOURCE */
#define _DEFAULT_SOURCE
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "output_text.h"
#include "result/result.h"

static char *csv_of_name_as(const char *name, bp_format format)
{
    bp_result *result = result_new();
    bp_record *record = result_add(result);
    bp_job *job = util_arena_alloc(&result->arena, sizeof(*job));
    job->job_id = "9f0a3c1e-0000-4000-8000-000000000001";
    job->name = name;
    record->job = job;
    record->job_source = (bp_source){.path = "q.db", .format = "blob", .table = "", .generation = ""};
    record->file_source = record->job_source;
    char *text = output_text(result, format);
    bp_result_free(result);
    return text;
}

static char *csv_of_name(const char *name) { return csv_of_name_as(name, BP_FORMAT_CSV); }

/* The cell as RFC 4180 wants it, between the commas around it. */
static void expected_cell(char *out, const char *name)
{
    bool quoted = strpbrk(name, ",\"\r\n") != NULL;
    *out++ = ',';
    if (quoted)
        *out++ = '"';
    for (const char *c = name; *c; c++) {
        if (*c == '"')
            *out++ = '"';
        *out++ = *c;
    }
    if (quoted)
        *out++ = '"';
    *out++ = ',';
    *out = '\0';
}

static void test_long_cell_quoted_at_its_end(void)
{
    enum { LENGTH = 200000 };
    char *name = malloc(LENGTH + 1), *cell = malloc(2 * LENGTH + 16);
    CHECK(name && cell);
    if (!name || !cell) {
        free(name);
        free(cell);
        return;
    }
    for (size_t i = 0; i < LENGTH; i++)
        name[i] = (char)('a' + (char)(i % 26));
    name[LENGTH] = '\0';
    expected_cell(cell, name);  /* no mark: copied as it is */
    char *plain = csv_of_name(name);
    CHECK(plain && strstr(plain, cell));
    free(plain);
    name[LENGTH - 1] = '"';
    expected_cell(cell, name);  /* ,"abc...""", */
    CHECK_U64(strlen(cell), LENGTH + 5);
    char *quoted = csv_of_name(name);
    CHECK(quoted && strstr(quoted, cell));
    free(quoted);
    name[0] = '=';  /* a formula: the apostrophe comes inside the quotes */
    char *excel = csv_of_name_as(name, BP_FORMAT_CSV_EXCEL);
    expected_cell(cell + 1, name);
    cell[0] = ',';
    cell[1] = '"';
    cell[2] = '\'';
    CHECK(excel && strstr(excel, cell));
    free(excel);
    free(name);
    free(cell);
}

int main(void)
{
    test_long_cell_quoted_at_its_end();
    long page = sysconf(_SC_PAGESIZE);
    char *pages = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pages != MAP_FAILED);
    if (pages == MAP_FAILED)
        return check_exit();
    CHECK(mprotect(pages + page, (size_t)page, PROT_NONE) == 0);
    static const char marks[] = ",\"\r\n";
    size_t cases = 0, differ = 0, missing = 0;
    for (size_t length = 0; length <= 40; length++) {
        for (size_t place = 0; place <= length; place++) {  /* place == length: none */
            char *name = pages + page - 1 - length;
            for (size_t i = 0; i < length; i++)
                name[i] = (char)('a' + (char)(i % 26));
            if (place < length)
                name[place] = marks[place % 4];
            name[length] = '\0';
            char copy[64], cell[128];
            memcpy(copy, name, length + 1);
            expected_cell(cell, copy);
            char *at_edge = csv_of_name(name);
            char *ordinary = csv_of_name(copy);
            cases++;
            if (!at_edge || !ordinary || strcmp(at_edge, ordinary) != 0)
                differ++;
            if (!at_edge || !strstr(at_edge, cell))
                missing++;
            free(at_edge);
            free(ordinary);
        }
    }
    CHECK_U64(cases, 861);  /* (length + 1) summed over 0..40 */
    CHECK_U64(differ, 0);
    CHECK_U64(missing, 0);
    munmap(pages, (size_t)page * 2);
    return check_exit();
}
