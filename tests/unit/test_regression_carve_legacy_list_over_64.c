/* Regression: a carved legacy file list reported only its first 64 files
 * (carve_try_legacy_file_list kept the verdicts in a fixed array of 64 and
 * silently dropped the rest). A generated list of 70 files must give 70, in
 * order, the last one where it lies. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "carve/carve.h"
#include "check.h"
#include "legacy_writer.h"

enum { FILES = 70, AT = 333 };

typedef struct found_files {
    size_t starts[FILES + 1];
    carve_verdict verdicts[FILES + 1];
    size_t count;
} found_files;

static void take_file(void *context, size_t start, size_t length, carve_verdict verdict, const char *missing)
{
    (void)length;
    (void)missing;
    found_files *f = context;
    if (f->count <= FILES) {
        f->starts[f->count] = start;
        f->verdicts[f->count] = verdict;
    }
    f->count++;
}

int main(void)
{
    /* {"kind":"file_list","jobs":[{"files":[{"local_path":"C:\\f0","remote_url":"http://h/0"}, ...]}]} */
    char json[16384];
    size_t used = (size_t)snprintf(json, sizeof json, "{\"kind\":\"file_list\",\"jobs\":[{\"files\":[");
    for (int i = 0; i < FILES; i++)
        used += (size_t)snprintf(json + used, sizeof json - used,
                                 "%s{\"local_path\":\"C:\\\\f%d\",\"remote_url\":\"http://h/%d\",\"file_size\":%d}",
                                 i ? "," : "", i, i, 100 + i);
    snprintf(json + used, sizeof json - used, "]}]}");
    size_t size;
    char error[256];
    uint8_t *list = mklegacy_build_text(json, &size, error, sizeof error);
    CHECK(list != NULL);
    if (!list) {
        fprintf(stderr, "mklegacy: %s\n", error);
        return check_exit();
    }
    size_t total = AT + size + 100;
    uint8_t *buf = calloc(1, total);
    CHECK(buf != NULL);
    if (!buf) {
        free(list);
        return check_exit();
    }
    memcpy(buf + AT, list, size);

    util_arena scratch;
    util_arena_init(&scratch);
    found_files found = {.count = 0};
    size_t taken = carve_try_legacy_file_list(&scratch, buf, total, AT, take_file, &found);
    CHECK_U64(taken, size);
    CHECK_U64(found.count, FILES);   /* was 64 */
    CHECK(found.starts[0] > AT);
    for (size_t i = 1; i < FILES && i < found.count; i++)
        CHECK(found.starts[i] > found.starts[i - 1]);  /* in order, each after the one before */
    CHECK(found.verdicts[FILES - 1] == CARVE_FULL);
    CHECK(found.starts[FILES - 1] < AT + size);

    util_arena_free(&scratch);
    free(buf);
    free(list);
    return check_exit();
}
