/* Live blobs referenced in the input's mapping (issue 21, carving round 3):
 * the carve session no longer copies a live blob that lies whole in a mapped
 * input; it keeps the mapping open to the end of the run instead. A cut copy
 * of the live job found in a log read after the queue must still be compared
 * with the live bytes at the finish (long after the queue was parsed), and an
 * exact copy dropped through the byte index whose key points into the
 * mapping. The mappings and their descriptors are gone once the run ends. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "check.h"

#define LIVE_JOB "266504ac-d974-446c-96ad-2be13a5665b0"  /* win10 sample: the one live job */

static size_t open_descriptors(void)
{
    size_t count = 0;
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 0;
    for (struct dirent *e; (e = readdir(d));)
        count += e->d_name[0] != '.';
    closedir(d);
    return count;
}

static void write_bytes(const char *dir, const char *name, const unsigned char *head, size_t head_size,
                        const unsigned char *bytes, size_t size)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    CHECK(fwrite(head, 1, head_size, f) == head_size);
    CHECK(fwrite(bytes, 1, size, f) == size);
    CHECK(fwrite(head, 1, head_size, f) == head_size);
    fclose(f);
}

static size_t rows_of_job(const bp_result *result, const char *id, size_t *carved)
{
    size_t count = 0;
    *carved = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job && strcmp(r->job->job_id, id) == 0) {
            count++;
            *carved += r->carved;
        }
    }
    return count;
}

/* A folder: the win10 queue (copied to a temporary folder at run time) and an
 * ESE log holding `copy_size` bytes of its live job's blob between zeros. */
static bp_result *queue_and_log(const unsigned char *queue, size_t queue_size, const unsigned char *blob,
                                size_t copy_size, size_t *descriptors_left)
{
    static const unsigned char zeros[4096];
    char dir[] = "/tmp/bitsparse-live-mapping-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    write_bytes(dir, "qmgr.db", (const unsigned char *)"", 0, queue, queue_size);
    write_bytes(dir, "edb.log", zeros, sizeof zeros, blob, copy_size);
    size_t before = open_descriptors();
    bp_result *result = NULL;
    bp_parse_options options = {.carve = true};
    bp_parse_path_ex(dir, &options, &result);
    *descriptors_left = open_descriptors() - before;
    char command[1200];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    CHECK(system(command) == 0);
    return result;
}

int main(void)
{
    size_t queue_size = 0, blob_size = 0;
    unsigned char *queue = read_whole_file(shared_path("testdata/ese/win10-19045.qmgr.db"), &queue_size);
    unsigned char *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &blob_size);
    CHECK(queue && blob && blob_size == 2055 && queue_size == 1310720);
    if (!queue || !blob || blob_size != 2055) {
        free(queue);
        free(blob);
        return check_exit();
    }
    /* the live job's blob lies whole in the queue file (one long-value chunk):
     * the case the session now references instead of copying */
    CHECK(memcmp(queue + 671853, blob, blob_size) == 0);

    static const size_t copies[] = {2055, 1200};  /* an exact copy, a cut one */
    for (size_t k = 0; k < 2; k++) {
        size_t left = 1, carved = 0;
        bp_result *result = queue_and_log(queue, queue_size, blob, copies[k], &left);
        CHECK(result != NULL);
        if (!result)
            continue;
        /* the queue's own 180 rows (one live, 179 carved, test_carve_live_copies);
         * the copy in the log adds none: it is the live job's */
        CHECK_U64(bp_result_count(result), 180);
        CHECK_U64(rows_of_job(result, LIVE_JOB, &carved), 1);
        CHECK_U64(carved, 0);
        CHECK_U64(left, 0);  /* the kept mapping closed with the run */
        bp_result_free(result);
    }
    free(queue);
    free(blob);
    return check_exit();
}
