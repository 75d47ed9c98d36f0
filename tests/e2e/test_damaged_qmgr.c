/* Damaged-input sweep over the real qmgr.db samples and the project's own
 * fixtures (the .qmgr.db files under testdata/, mkqmgr output: 4, 16 and
 * 32 KiB pages, deleted jobs, the malicious queue): truncation at every 512
 * bytes, seeded bit flips and byte stomps, zeroed and swapped pages. Every run
 * must finish (sanitizers catch memory errors), and:
 *  - a truncated file yields only records of the undamaged result;
 *  - a run that reports a clean status yields exactly the undamaged records
 *    (damage is never silent when it changes what is printed). */
#include <stdio.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "output_text.h"
#include "sweep.h"

/* Records of a rendering, without their source/warnings, one per line. */
static bool record_ids_subset(bp_result *damaged, bp_result *clean)
{
    for (size_t i = 0; i < bp_result_count(damaged); i++) {
        const bp_record *d = bp_result_record(damaged, i);
        bool found = false;
        for (size_t j = 0; j < bp_result_count(clean) && !found; j++) {
            const bp_record *c = bp_result_record(clean, j);
            bool job_ok = !d->job || !d->job->job_id[0] || (c->job && !strcmp(d->job->job_id, c->job->job_id));
            bool file_ok =
                !d->file || !d->file->file_id[0] || (c->file && !strcmp(d->file->file_id, c->file->file_id));
            found = job_ok && file_ok;
        }
        if (!found)
            return false;
    }
    return true;
}

static uint64_t rng_state = 0x1197;

typedef struct sweep_stats {
    size_t runs, clean_runs, crashes_of_invariant;
} sweep_stats;

static void run_one(const uint8_t *data, size_t size, bp_result *clean, const char *clean_text, bool truncated,
                    sweep_stats *stats, const char *what)
{
    bp_result *result = NULL;
    int status = bp_parse_memory(data, size, "damaged", &result);
    stats->runs++;
    CHECK(status >= BP_STATUS_CLEAN && status <= BP_STATUS_UNREADABLE && status != BP_STATUS_USAGE);
    if (truncated && !record_ids_subset(result, clean)) {
        stats->crashes_of_invariant++;
        fprintf(stderr, "%s: record not in the undamaged result\n", what);
    }
    if (status == BP_STATUS_CLEAN) {
        stats->clean_runs++;
        char *text = output_text(result, BP_FORMAT_JSONL);
        /* sources name the input; compare with the clean run rendered under the same label */
        if (strcmp(text, clean_text) != 0) {
            stats->crashes_of_invariant++;
            fprintf(stderr, "%s: clean status but records differ\n", what);
        }
        free(text);
    }
    bp_result_free(result);
}

static void sweep_path(const char *path, const char *relative, uint32_t page_size)
{
    size_t size;
    uint8_t *original = read_whole_file(path, &size);
    CHECK(original != NULL);
    if (!original)
        return;
    bp_result *clean = NULL;
    CHECK_U64(bp_parse_memory(original, size, "damaged", &clean), BP_STATUS_CLEAN);
    char *clean_text = output_text(clean, BP_FORMAT_JSONL);
    uint8_t *copy = malloc(size);
    sweep_stats stats = {0, 0, 0};
    char what[128];

    for (size_t cut = 0; cut < size; cut += 512) {
        snprintf(what, sizeof what, "%s truncated at %zu", relative, cut);
        memcpy(copy, original, cut);
        run_one(copy, cut, clean, clean_text, true, &stats, what);
    }
    for (int i = 0; i < 1500; i++) {
        memcpy(copy, original, size);
        size_t at = sweep_random(&rng_state) % size;
        if (i % 3 == 0)
            copy[at] ^= (uint8_t)(1u << (sweep_random(&rng_state) % 8));
        else
            memset(copy + at, (int)(sweep_random(&rng_state) & 0xFF), size - at < 16 ? size - at : 1 + sweep_random(&rng_state) % 16);
        snprintf(what, sizeof what, "%s damage %d at %zu", relative, i, at);
        run_one(copy, size, clean, clean_text, false, &stats, what);
    }
    size_t pages = size / page_size;
    for (size_t p = 0; p < pages; p++) {
        memcpy(copy, original, size);
        memset(copy + p * page_size, 0, page_size);
        snprintf(what, sizeof what, "%s page %zu zeroed", relative, p);
        run_one(copy, size, clean, clean_text, false, &stats, what);
        if (p + 1 < pages) {
            memcpy(copy, original, size);
            memcpy(copy + p * page_size, original + (p + 1) * page_size, page_size);
            memcpy(copy + (p + 1) * page_size, original + p * page_size, page_size);
            snprintf(what, sizeof what, "%s pages %zu and %zu swapped", relative, p, p + 1);
            run_one(copy, size, clean, clean_text, false, &stats, what);
        }
    }
    printf("%s: %zu damaged runs, %zu reported clean, %zu invariant violations\n", relative, stats.runs,
           stats.clean_runs, stats.crashes_of_invariant);
    CHECK_U64(stats.crashes_of_invariant, 0);
    free(clean_text);
    bp_result_free(clean);
    free(copy);
    free(original);
}

static void sweep(const char *relative, uint32_t page_size)
{
    sweep_path(shared_path(relative), relative, page_size);
}

static void sweep_fixture(const char *name, uint32_t page_size)
{
    char path[1024], relative[128];
    snprintf(relative, sizeof relative, "testdata/%s", name);
    snprintf(path, sizeof path, "%s/%s", BP_SOURCE_DIR, relative);
    sweep_path(path, relative, page_size);
}

/* Regression: with the Files table unreadable (its only page zeroed) the join
 * searched an empty file list through bsearch with a NULL array (undefined
 * behaviour caught by UBSan). The job must still come out, with a warning
 * naming the missing file record. */
static void test_regression_files_table_unreadable(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path("testdata/ese/win10-19045.qmgr.db"), &size);
    CHECK(data && size > 34 * 16384);
    if (!data)
        return;
    memset(data + 33 * 16384, 0, 16384); /* page 32 = Files root */
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "files-page-zeroed", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    const bp_record *record = bp_result_record(result, 0);
    CHECK(record && record->job && !record->file);
    if (record && record->job) {
        CHECK_STR(record->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0");
        CHECK_STR(record->warnings.head ? record->warnings.head->text : "",
                  "file 95d6889c-b2d3-4748-8eb1-9da0650cb892 is listed by the job but has no Files record");
    }
    bp_result_free(result);
    free(data);
}

/* Regression: input recognition looked for the ESE signature only in the
 * primary header, so a damaged primary made a readable database "not a BITS
 * queue" although the shadow copy is intact. */
static void test_regression_primary_signature_damaged(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path("testdata/ese/win10-19045.qmgr.db"), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    data[5] ^= 0x10; /* inside the signature at offset 4 */
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "primary-damaged", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    const bp_note *warning = bp_result_warnings(result)->head;
    CHECK_STR(warning ? warning->text : "", "primary-damaged: ESE header: primary copy is damaged, shadow copy used");
    bp_result_free(result);
    free(data);
}

int main(void)
{
    test_regression_primary_signature_damaged();
    test_regression_files_table_unreadable();
    sweep("testdata/ese/win10-19045.qmgr.db", 16384);
    sweep("testdata/ese/win11-22000.qmgr.db", 16384);
    sweep_fixture("typical-win10.qmgr.db", 16384);
    sweep_fixture("deleted-jobs.qmgr.db", 16384);
    sweep_fixture("malicious.qmgr.db", 16384);
    sweep_fixture("page4k.qmgr.db", 4096);
    sweep_fixture("page32k.qmgr.db", 32768);
    return check_exit();
}
