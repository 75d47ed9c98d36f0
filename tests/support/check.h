/* Minimal assertion helpers for the CTest executables. A failed check prints
 * file, line and both values and counts; main returns check_exit(). A test that
 * cannot run (shared data missing) calls CHECK_SKIP, which exits with 77 so
 * CTest reports it as skipped, never as passed. */
#ifndef BP_TESTS_CHECK_H
#define BP_TESTS_CHECK_H

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        check_count++;                                                                \
        if (!(cond)) {                                                                \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
        }                                                                             \
    } while (0)

#define CHECK_STR(actual, expected)                                                   \
    do {                                                                              \
        const char *a_ = (actual), *e_ = (expected);                                  \
        check_count++;                                                                \
        if (!a_ || strcmp(a_, e_) != 0) {                                             \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: %s\n   got: \"%s\"\n  want: \"%s\"\n", __FILE__,  \
                    __LINE__, #actual, a_ ? a_ : "(null)", e_);                       \
        }                                                                             \
    } while (0)

#define CHECK_U64(actual, expected)                                                   \
    do {                                                                              \
        unsigned long long a_ = (unsigned long long)(actual);                         \
        unsigned long long e_ = (unsigned long long)(expected);                       \
        check_count++;                                                                \
        if (a_ != e_) {                                                               \
            check_failures++;                                                         \
            fprintf(stderr, "%s:%d: %s\n   got: %llu (0x%llx)\n  want: %llu (0x%llx)\n", \
                    __FILE__, __LINE__, #actual, a_, a_, e_, e_);                     \
        }                                                                             \
    } while (0)

#define CHECK_SKIP(reason)                                                            \
    do {                                                                              \
        printf("SKIPPED: %s\n", reason);                                              \
        exit(77);                                                                     \
    } while (0)

static inline int check_exit(void)
{
    printf("%d checks, %d failed\n", check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* Path of a file under the shared folder; skips the test when it is missing. */
static inline const char *shared_path(const char *relative)
{
    static char paths[16][1024];
    static int next;
    char *path = paths[next++ % 16];
    snprintf(path, 1024, "%s/%s", BP_SHARED_DIR, relative);
    FILE *f = fopen(path, "rb");
    if (!f) {
        char reason[1200];
        snprintf(reason, sizeof reason, "shared test data not found: %s", path);
        CHECK_SKIP(reason);
    }
    fclose(f);
    return path;
}

/* Read a whole file into a malloc'ed buffer (NULL on failure). */
static inline unsigned char *read_whole_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    unsigned char *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *size = n;
    return buf;
}

#endif
