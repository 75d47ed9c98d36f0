/* Replays every saved fuzz finding (the .bin files of tests/fuzz/regressions) through every
 * fuzz entry point: bp_parse_memory (as is, and on the ESE path), the generic
 * ESE walk, the job and file blob decoders, decompression, carving with the
 * detection rules, an event record's binary XML values, and the Sigma loader.
 * Runs in every build; under the sanitizer build a regression is a sanitizer
 * report, elsewhere a crash or a broken invariant (abort). Extra arguments are
 * replayed too: `test_fuzz_regressions crash-1234...` reproduces a finding in
 * any build. */
#include <dirent.h>
#include <time.h>

#include "check.h"
#include "fuzz_targets.h"

#ifndef BP_REGRESSIONS_DIR
#define BP_REGRESSIONS_DIR BP_SOURCE_DIR "/tests/fuzz/regressions"
#endif

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void replay(const char *path)
{
    size_t size;
    uint8_t *buffer = read_whole_file(path, &size);
    CHECK(buffer != NULL);
    if (!buffer) {
        fprintf(stderr, "cannot read %s\n", path);
        return;
    }
    /* exactly `size` bytes, as libFuzzer passes them: read_whole_file's buffer
     * is larger, and AddressSanitizer only sees reads past the allocation */
    uint8_t *data = malloc(size ? size : 1);
    CHECK(data != NULL);
    if (!data) {
        free(buffer);
        return;
    }
    memcpy(data, buffer, size);
    free(buffer);
    double start = now();
    fuzz_parse_memory(data, size);
    fuzz_ese_qmgr(data, size);
    fuzz_ese_walk(data, size);
    fuzz_job_blob(data, size);
    fuzz_file_blob(data, size);
    fuzz_decompress(data, size);
    fuzz_carve(data, size);
    fuzz_binxml_values(data, size);
    fuzz_sigma(data, size);
    printf("%s: %zu bytes, replayed through 9 entry points in %.3f s\n", path, size, now() - start);
    free(data);
    CHECK(true);
}

int main(int argc, char **argv)
{
    size_t replayed = 0;
    DIR *dir = opendir(BP_REGRESSIONS_DIR);
    CHECK(dir != NULL);
    if (dir) {
        char *names[1024];
        size_t count = 0;
        struct dirent *entry;
        while ((entry = readdir(dir)) != NULL && count < 1024) {
            size_t n = strlen(entry->d_name);
            if (n > 4 && strcmp(entry->d_name + n - 4, ".bin") == 0)
                names[count++] = strdup(entry->d_name);
        }
        closedir(dir);
        qsort(names, count, sizeof(char *), compare_names);
        for (size_t i = 0; i < count; i++) {
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", BP_REGRESSIONS_DIR, names[i]);
            replay(path);
            replayed++;
            free(names[i]);
        }
    }
    for (int i = 1; i < argc; i++, replayed++)
        replay(argv[i]);
    printf("%zu inputs replayed\n", replayed);
    return check_exit();
}
