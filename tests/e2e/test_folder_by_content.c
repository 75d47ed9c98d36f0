/* A folder given as input is read by content (issue 18 part 5): it used to
 * take only names containing "qmgr" and ending in .db/.dat, plus *.evtx, and
 * at most 256 of them, silently. Now every regular file whose bytes are a BITS
 * input (ESE database, legacy state file or record, job or file blob, event
 * log) is read whatever its name; any other file is skipped with an input
 * warning naming it (exit status 1, not 3); ESE companion files (edb.chk,
 * *.jfm, edb*.log) and subfolders are passed over quietly; and there is no
 * 256-entry cap. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "check.h"

#define JOB_BLOB "testdata/blobs/win10-19045.job.blob"
#define FILE_BLOB "testdata/blobs/win10-19045.file.blob"

static void write_file(const char *dir, const char *name, const void *bytes, size_t size)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(bytes, 1, size, f) == size);
    fclose(f);
}

static void copy_shared(const char *dir, const char *relative, const char *name)
{
    size_t size = 0;
    unsigned char *bytes = read_whole_file(shared_path(relative), &size);
    CHECK(bytes != NULL);
    if (bytes)
        write_file(dir, name, bytes, size);
    free(bytes);
}

static size_t notes_containing(const bp_note_list *notes, const char *text)
{
    size_t count = 0;
    for (const bp_note *n = notes->head; n; n = n->next)
        count += strstr(n->text, text) != NULL;
    return count;
}

/* Exit status of the command-line tool over a folder. */
static int cli_status(const char *dir)
{
    char command[1400];
    snprintf(command, sizeof command, "'%s/bitsparse' -q -f jsonl '%s' >/dev/null 2>&1", BP_BINARY_DIR, dir);
    int status = system(command);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void remove_tree(const char *dir)
{
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
}

static void blobs_and_other_files(void)
{
    char dir[] = "/tmp/bitsparse-folder-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    copy_shared(dir, JOB_BLOB, "exhibit-A");
    copy_shared(dir, FILE_BLOB, "something.dat");
    static const char text[] = "case notes: not a BITS file\n";
    write_file(dir, "notes.txt", text, sizeof text - 1);
    write_file(dir, "edb.chk", "\0\0\0\0\0\0\0\0", 8);  /* an ESE checkpoint: passed over */
    char sub[1200];
    snprintf(sub, sizeof sub, "%s/subfolder", dir);
    CHECK(mkdir(sub, 0700) == 0);
    copy_shared(sub, JOB_BLOB, "not-searched.blob");  /* folders are not searched recursively */

    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(dir, &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 2);
    if (bp_result_count(result) == 2) {  /* in name order: exhibit-A, something.dat */
        const bp_record *job = bp_result_record(result, 0);
        const bp_record *file = bp_result_record(result, 1);
        CHECK_STR(job->job ? job->job->job_id : "", "266504ac-d974-446c-96ad-2be13a5665b0");
        CHECK_STR(job->job ? job->job->name : "", "Chrome Component Updater");
        CHECK_U64(job->job ? job->job->file_count : 0, 1);
        CHECK_STR(job->job && job->job->file_count ? job->job->file_ids[0] : "",
                  "95d6889c-b2d3-4748-8eb1-9da0650cb892");
        CHECK_STR(job->job_source.format, "blob");
        CHECK(strstr(job->job_source.path, "/exhibit-A") != NULL);
        CHECK(file->job == NULL);
        CHECK_STR(file->file ? file->file->remote_url : "",
                  "http://edgedl.me.gvt1.com/edgedl/release2/chrome_component/i73exzs4s3qvwnxxzwp6zdbtbe_372/"
                  "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3");
        CHECK_U64(file->file ? file->file->bytes_transferred : 0, 4782);
        CHECK(strstr(file->file_source.path, "/something.dat") != NULL);
    }
    const bp_note_list *warnings = bp_result_warnings(result);
    CHECK_U64(warnings->count, 1);  /* the text file only */
    CHECK_U64(notes_containing(warnings, "/notes.txt: skipped: not a BITS input"), 1);
    bp_result_free(result);
    CHECK_U64(cli_status(dir), 1);  /* records written, with a warning: not 3 */
    remove_tree(dir);
}

static void nothing_readable(void)
{
    char dir[] = "/tmp/bitsparse-folder-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    write_file(dir, "readme", "hello\n", 6);
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(dir, &result), BP_STATUS_UNREADABLE);
    CHECK_U64(bp_result_count(result), 0);
    CHECK_U64(notes_containing(bp_result_warnings(result), "/readme: skipped: not a BITS input"), 1);
    CHECK_U64(notes_containing(bp_result_warnings(result), ": no BITS input in this folder"), 1);
    bp_result_free(result);
    CHECK_U64(cli_status(dir), 3);
    remove_tree(dir);
}

/* 300 other files before the blob in name order: the blob is still read. */
static void no_256_cap(void)
{
    char dir[] = "/tmp/bitsparse-folder-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    for (int i = 0; i < 300; i++) {
        char name[32];
        snprintf(name, sizeof name, "a%03d.txt", i);
        write_file(dir, name, "x", 1);
    }
    copy_shared(dir, JOB_BLOB, "zz-last");
    bp_result *result = NULL;
    CHECK_U64(bp_parse_path(dir, &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    if (bp_result_count(result) == 1)
        CHECK_STR(bp_result_record(result, 0)->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0");
    CHECK_U64(notes_containing(bp_result_warnings(result), ": skipped: not a BITS input"), 300);
    bp_result_free(result);
    remove_tree(dir);
}

int main(void)
{
    blobs_and_other_files();
    nothing_readable();
    no_256_cap();
    return check_exit();
}
