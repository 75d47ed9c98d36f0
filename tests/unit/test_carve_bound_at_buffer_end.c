/* The carving candidate decoders (src/carve/candidate.c) and the raw scan
 * (src/carve/scan.c) read nothing past their bound when the bound is the end
 * of the buffer: each sample blob is cut at every length and placed so that
 * the buffer ends right before an inaccessible page, so a read past it
 * crashes the test in every build, not only under AddressSanitizer. What a
 * decoder keeps must lie inside the window it was given.
 *
 * Companion of the fix of fuzz finding "carve-node-end-overread" (see
 * tests/e2e/test_hostile_carve.c): there a caller handed the decoders a bound
 * past the input; here the decoders are held to the bound itself. */
/* MAP_ANONYMOUS is not in POSIX 2008; glibc shows it under _DEFAULT_SOURCE */
#define _DEFAULT_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "bits/markers.h"
#include "bitsparse/bitsparse.h"
#include "carve/carve.h"
#include "check.h"

/* A mapping whose last readable byte is followed by a PROT_NONE page. */
typedef struct guard {
    uint8_t *base;
    size_t span, mapped;
} guard;

static bool guard_make(guard *g, size_t most)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    g->span = (most + page - 1) / page * page;
    g->mapped = g->span + page;
    g->base = mmap(NULL, g->mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g->base == MAP_FAILED)
        return false;
    return mprotect(g->base + g->span, page, PROT_NONE) == 0;
}

/* `noise` bytes of 0x5A, then the first `cut` bytes of `bytes`, ending at the guard. */
static uint8_t *guard_place(guard *g, size_t noise, const uint8_t *bytes, size_t cut)
{
    uint8_t *data = g->base + g->span - noise - cut;
    memset(data, 0x5A, noise);
    memcpy(data + noise, bytes, cut);
    return data;
}

static unsigned char *load(const char *relative, size_t *size)
{
    unsigned char *bytes = read_whole_file(shared_path(relative), size);
    CHECK(bytes != NULL);
    return bytes;
}

enum { NOISE = 37 };

typedef bool (*try_fn)(util_arena *, const uint8_t *, size_t, size_t, carve_candidate *);

/* Every cut of `blob` through `try`: no read past the end, what is kept fits
 * the window, and the whole blob (and only it) is found complete. */
static void every_cut(const char *what, const uint8_t *blob, size_t size, try_fn try, size_t whole_length)
{
    guard g;
    CHECK(guard_make(&g, NOISE + size));
    size_t kept = 0, bad_length = 0, complete = 0;
    util_arena scratch;
    util_arena_init(&scratch);
    for (size_t cut = 0; cut <= size; cut++) {
        uint8_t *data = guard_place(&g, NOISE, blob, cut);
        size_t bound = NOISE + cut;
        carve_candidate c;
        if (try(&scratch, data, bound, NOISE, &c)) {
            kept++;
            if (c.start != NOISE || c.length == 0 || c.length > cut)
                bad_length++;
            if (c.verdict == CARVE_FULL)
                complete++;
        }
        util_arena_free(&scratch);
        util_arena_init(&scratch);
    }
    printf("%s: %zu cuts, %zu kept, %zu complete\n", what, size + 1, kept, complete);
    CHECK(kept > 0);
    CHECK_U64(bad_length, 0);
    /* only the uncut blob holds its footer */
    CHECK_U64(complete, whole_length ? 1 : 0);
    util_arena_free(&scratch);
    munmap(g.base, g.mapped);
}

static void test_ese_job_cuts(void)
{
    size_t size;
    unsigned char *job = load("testdata/blobs/win10-19045.job.blob", &size);
    if (!job)
        return;
    every_cut("ESE job blob", job, size, carve_try_ese_job, size);
    free(job);
}

static void test_ese_file_cuts(void)
{
    size_t size;
    unsigned char *file = load("testdata/blobs/win10-19045.file.blob", &size);
    if (!file)
        return;
    every_cut("ESE file blob", file, size, carve_try_ese_file, size);
    free(file);
}

static void test_legacy_job_cuts(void)
{
    size_t size;
    unsigned char *record = load("testdata/legacy/win7-job-record.bin", &size);
    if (!record)
        return;
    every_cut("legacy job record", record, size, carve_try_legacy_job, size);
    free(record);
}

typedef struct list_check {
    size_t bound, bad;
} list_check;

static void take_file(void *context, size_t start, size_t length, carve_verdict verdict, const char *missing)
{
    (void)verdict;
    (void)missing;
    list_check *l = context;
    if (start > l->bound || length > l->bound - start)
        l->bad++;
}

static void test_legacy_file_list_cuts(void)
{
    size_t size;
    unsigned char *list = load("testdata/legacy/win81-file-list.bin", &size);
    if (!list)
        return;
    guard g;
    CHECK(guard_make(&g, NOISE + size));
    util_arena scratch;
    util_arena_init(&scratch);
    size_t taken_cuts = 0, past = 0;
    list_check check = {0, 0};
    for (size_t cut = 0; cut <= size; cut++) {
        uint8_t *data = guard_place(&g, NOISE, list, cut);
        check.bound = NOISE + cut;
        size_t taken = carve_try_legacy_file_list(&scratch, data, NOISE + cut, NOISE, take_file, &check);
        if (taken)
            taken_cuts++;
        if (taken > cut)
            past++;
        util_arena_free(&scratch);
        util_arena_init(&scratch);
    }
    printf("legacy file list: %zu cuts, %zu taken\n", size + 1, taken_cuts);
    CHECK(taken_cuts > 0);
    CHECK_U64(past, 0);
    CHECK_U64(check.bad, 0);
    util_arena_free(&scratch);
    munmap(g.base, g.mapped);
    free(list);
}

/* The whole path: carving a cut blob given as the input (recognised or not,
 * then the raw scan over it). */
static void test_scan_cuts(void)
{
    size_t size;
    unsigned char *job = load("testdata/blobs/win10-19045.job.blob", &size);
    if (!job)
        return;
    guard g;
    CHECK(guard_make(&g, NOISE + size));
    size_t failed = 0, carved = 0;
    for (size_t cut = 0; cut <= size; cut += 3) {
        uint8_t *data = guard_place(&g, NOISE, job, cut);
        bp_parse_options options;
        memset(&options, 0, sizeof options);
        options.carve = true;
        bp_result *result = NULL;
        int status = bp_parse_memory_ex(data, NOISE + cut, "cut.bin", &options, &result);
        if (!(status == 0 || status == 1 || status == 3))
            failed++;
        for (size_t i = 0; result && i < bp_result_count(result); i++) {
            const bp_record *record = bp_result_record(result, i);
            carved += record->carved;
            for (size_t k = 0; k < record->location_count; k++) {
                const bp_location *l = &record->locations[k];
                if (l->offset > NOISE + cut || l->size > NOISE + cut - l->offset)
                    failed++;
            }
        }
        bp_result_free(result);
    }
    printf("scan of cut job blobs: %zu carved records\n", carved);
    CHECK_U64(failed, 0);
    CHECK(carved > 0);
    munmap(g.base, g.mapped);
    free(job);
}

int main(void)
{
    test_ese_job_cuts();
    test_ese_file_cuts();
    test_legacy_job_cuts();
    test_legacy_file_list_cuts();
    test_scan_cuts();
    return check_exit();
}
