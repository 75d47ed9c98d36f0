/* Damaged-input sweep over the real job and file blobs and the legacy samples
 * (two job records, a file list, an empty state file; the qmgr.db files are
 * swept by test_damaged_qmgr, the generic ESE databases by
 * test_hostile_sweep_ese, the event logs by test_damaged_evtx): truncation at
 * every byte, a few thousand seeded bit flips and byte stomps, every 16-byte
 * block zeroed, every pair of adjacent 16-byte blocks swapped. Each run goes
 * through bp_parse_memory and must:
 *  - return 0, 1 or 3, without a signal (the sanitizer build catches memory
 *    errors), and keep the library's own promises (fuzz_check_result: 0 only
 *    without warnings, output renders as valid JSON and CSV);
 *  - when truncated, print only what the intact blob prints: every field
 *    equal to the intact value, or left at its "not read" value (what a job
 *    or file blob cut right after its 16-byte marker prints), or (text and
 *    lists) a prefix of the intact value;
 *  - when it reports a clean status, print exactly the intact records.
 * Blobs carry no checksum: a flipped byte inside a string or a number cannot
 * be detected, so for flips and stomps "clean but different" is counted and
 * printed, not failed. The time of each run is measured and reported. */
#include <cjson/cJSON.h>
#include "check.h"
#include "sweep.h"
#include "../fuzz/fuzz_targets.h"

static uint64_t rng_state = 0x7e57b10b;

/* The records of a result as parsed JSON objects (JSONL rendering). */
static cJSON *records_json(bp_result *result)
{
    size_t size;
    char *text = fuzz_render(result, BP_FORMAT_JSON, &size);
    cJSON *array = text ? cJSON_ParseWithLength(text, size) : NULL;
    free(text);
    return array;
}

static char *render_jsonl(bp_result *result)
{
    size_t size;
    return fuzz_render(result, BP_FORMAT_JSONL, &size);
}

static bool ignored_field(const char *name)
{
    return strcmp(name, "source") == 0 || strcmp(name, "warnings") == 0;
}

/* The record of a job blob and of a file blob cut right after their marker:
 * every field at its "not read" value. A job blob is held to the first, a
 * file blob to the second; a legacy record holds both halves, so either counts. */
static cJSON *unread_job, *unread_file;

enum { UNREAD_JOB = 1, UNREAD_FILE = 2 };

/* damaged field = intact, or the value the field has when nothing was read
 * (per `unread`, a mask of the baselines above), or a prefix of the intact
 * text / list. */
static bool field_compatible(const cJSON *damaged, const cJSON *intact, const char *name, int unread)
{
    const cJSON *unread1 = unread & UNREAD_JOB ? cJSON_GetObjectItemCaseSensitive(unread_job, name) : NULL;
    const cJSON *unread2 = unread & UNREAD_FILE ? cJSON_GetObjectItemCaseSensitive(unread_file, name) : NULL;
    if (cJSON_Compare(damaged, intact, true) || (unread1 && cJSON_Compare(damaged, unread1, true)) ||
        (unread2 && cJSON_Compare(damaged, unread2, true)))
        return true;
    if (cJSON_IsString(damaged) && cJSON_IsString(intact))
        return strncmp(intact->valuestring, damaged->valuestring, strlen(damaged->valuestring)) == 0;
    if (cJSON_IsArray(damaged) && cJSON_IsArray(intact)) {
        int n = cJSON_GetArraySize(damaged);
        if (n > cJSON_GetArraySize(intact))
            return false;
        for (int i = 0; i < n; i++)
            if (!cJSON_Compare(cJSON_GetArrayItem(damaged, i), cJSON_GetArrayItem(intact, i), true))
                return false;
        return true;
    }
    return false;
}

/* First field of `damaged` that is not compatible with `intact`, NULL when all are. */
static const char *incompatible_field(const cJSON *damaged, const cJSON *intact, int unread)
{
    for (const cJSON *field = damaged->child; field; field = field->next) {
        if (ignored_field(field->string))
            continue;
        const cJSON *want = cJSON_GetObjectItemCaseSensitive(intact, field->string);
        if (!want || !field_compatible(field, want, field->string, unread))
            return field->string;
    }
    return NULL;
}

typedef struct sweep {
    const char *name;
    const uint8_t *original;
    size_t size;
    char *intact_text;      /* JSONL of the intact blob */
    cJSON *intact;          /* its records */
    int unread;             /* which "not read" baselines apply (UNREAD_JOB, UNREAD_FILE) */
    sweep_timing timing;
    size_t clean_runs, violations, clean_but_different;
    size_t total_zero;      /* truncations reporting "bytes total" 0 (bug file-total-zero) */
} sweep;

static void run_one(sweep *s, const uint8_t *data, size_t size, bool truncated, const char *what)
{
    bp_result *result = NULL;
    double start = sweep_now();
    int status = bp_parse_memory(data, size, "damaged", &result);
    double took = sweep_now() - start;
    sweep_timing_add(&s->timing, took, what);
    fuzz_check_result(result, status); /* aborts on a broken promise */
    CHECK(status == BP_STATUS_CLEAN || status == BP_STATUS_WARNINGS || status == BP_STATUS_UNREADABLE);

    if (truncated) {
        cJSON *records = records_json(result);
        int count = cJSON_GetArraySize(records);
        if (count > cJSON_GetArraySize(s->intact)) {
            s->violations++;
            fprintf(stderr, "%s: %d records, the intact blob has %d\n", what, count, cJSON_GetArraySize(s->intact));
        }
        for (int i = 0; i < count && i < cJSON_GetArraySize(s->intact); i++) {
            const char *field = incompatible_field(cJSON_GetArrayItem(records, i), cJSON_GetArrayItem(s->intact, i),
                                                   s->unread);
            /* regression file-total-zero (fixed): a file blob that ends inside "bytes total" reported a
             * total of 0; it must stay unread. Counted apart to name the bug, and a violation too. */
            if (field && strcmp(field, "bytes_total") == 0 &&
                cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(records, i), field)) == 0)
                s->total_zero++;
            if (field) {
                s->violations++;
                char *got = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(records, i), field));
                char *want = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(s->intact, i), field));
                fprintf(stderr, "%s: field %s = %.80s is neither the intact %.80s nor unread nor a prefix\n", what,
                        field, got ? got : "?", want ? want : "?");
                free(got);
                free(want);
            }
        }
        cJSON_Delete(records);
    }
    if (status == BP_STATUS_CLEAN) {
        s->clean_runs++;
        char *text = render_jsonl(result);
        if (!text || strcmp(text, s->intact_text) != 0) {
            if (truncated) {
                s->violations++;
                fprintf(stderr, "%s: clean status but the records differ from the intact blob\n", what);
            } else {
                s->clean_but_different++;
            }
        }
        free(text);
    }
    bp_result_free(result);
}

static void sweep_blob(const char *relative, int unread, int flips)
{
    sweep s;
    memset(&s, 0, sizeof s);
    s.name = relative;
    s.unread = unread;
    uint8_t *original = read_whole_file(shared_path(relative), &s.size);
    CHECK(original && s.size > 16);
    if (!original || s.size <= 16)
        return;
    s.original = original;
    bp_result *intact = NULL;
    int intact_status = bp_parse_memory(original, s.size, "damaged", &intact);
    CHECK(intact_status == BP_STATUS_CLEAN || intact_status == BP_STATUS_WARNINGS);
    s.intact_text = render_jsonl(intact);
    s.intact = records_json(intact);
    CHECK(s.intact_text && s.intact);
    uint8_t *copy = malloc(s.size);
    char what[96];

    for (size_t cut = 0; cut < s.size; cut++) {
        /* an allocation of exactly `cut` bytes, so AddressSanitizer sees any read past the cut */
        uint8_t *exact = malloc(cut ? cut : 1);
        snprintf(what, sizeof what, "%s cut to %zu bytes", relative, cut);
        memcpy(exact, original, cut);
        run_one(&s, exact, cut, true, what);
        free(exact);
    }
    size_t truncations = s.timing.runs;
    for (int i = 0; i < flips; i++) {
        memcpy(copy, original, s.size);
        size_t at = sweep_random(&rng_state) % s.size;
        sweep_flip_or_stomp(&rng_state, copy, s.size, at, i);
        snprintf(what, sizeof what, "%s damage %d at %zu", relative, i, at);
        run_one(&s, copy, s.size, false, what);
    }
    for (size_t block = 0; block * 16 < s.size; block++) {
        size_t at = block * 16, n = s.size - at < 16 ? s.size - at : 16;
        memcpy(copy, original, s.size);
        memset(copy + at, 0, n);
        snprintf(what, sizeof what, "%s 16-byte block at %zu zeroed", relative, at);
        run_one(&s, copy, s.size, false, what);
        if (at + 32 <= s.size) {
            memcpy(copy, original, s.size);
            memcpy(copy + at, original + at + 16, 16);
            memcpy(copy + at + 16, original + at, 16);
            snprintf(what, sizeof what, "%s blocks at %zu and %zu swapped", relative, at, at + 16);
            run_one(&s, copy, s.size, false, what);
        }
    }
    printf("%s: %zu runs (%zu truncations), %zu reported clean, %zu clean but different after flips/stomps "
           "(undetectable: blobs have no checksum), %zu invariant violations; time per run: mean %.3f ms, "
           "max %.3f ms (%s)\n",
           relative, s.timing.runs, truncations, s.clean_runs, s.clean_but_different, s.violations,
           1000.0 * s.timing.total_seconds / (double)s.timing.runs, 1000.0 * s.timing.max_seconds, s.timing.slowest);
    CHECK_U64(s.violations, 0);
    if (strstr(relative, "file.blob")) {
        printf("%s: %zu truncations inside \"bytes total\" report a total of 0 bytes\n", relative,
               s.total_zero);
        CHECK_U64(s.total_zero, 0); /* regression file-total-zero */
    }
    free(copy);
    free(s.intact_text);
    cJSON_Delete(s.intact);
    bp_result_free(intact);
    free(original);
}

/* The first record of `data` cut to `size` bytes, as a JSON object (caller frees). */
static cJSON *first_record(const uint8_t *data, size_t size)
{
    bp_result *result = NULL;
    bp_parse_memory(data, size, "damaged", &result);
    cJSON *records = records_json(result);
    bp_result_free(result);
    cJSON *first = records ? cJSON_DetachItemFromArray(records, 0) : NULL;
    cJSON_Delete(records);
    return first;
}

static const char *text_field(const cJSON *record, const char *name)
{
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(record, name));
    return text ? text : "(missing)";
}

/* Regression unread-job-enums: a job blob cut before its type, priority and
 * state (offsets 0x10-0x1f) printed BG_JOB_TYPE_DOWNLOAD, BG_JOB_STATE_QUEUED
 * and BG_JOB_PRIORITY_FOREGROUND, the names of the 0 they were left at; one
 * cut before its proxy usage printed BG_JOB_PROXY_USAGE_PRECONFIG. Values
 * never read must print "" (docs/output-schema.md, "Absent data"). */
static void test_regression_unread_job_enums(void)
{
    size_t size;
    uint8_t *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
    CHECK(blob && size > 0x200);
    if (!blob)
        return;
    static const size_t header_cuts[] = {16, 20, 24, 28, 31};
    for (size_t i = 0; i < sizeof header_cuts / sizeof header_cuts[0]; i++) {
        cJSON *record = first_record(blob, header_cuts[i]);
        CHECK(record != NULL);
        CHECK_STR(text_field(record, "job_type"), "");
        CHECK_STR(text_field(record, "job_state"), "");
        CHECK_STR(text_field(record, "priority"), "");
        CHECK_STR(text_field(record, "proxy_usage"), "");
        CHECK_U64((uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(record, "bytes_downloaded")), 0);
        cJSON_Delete(record);
    }
    /* header read, cut inside the job id: the header's values, proxy usage still unread */
    cJSON *record = first_record(blob, 40);
    CHECK_STR(text_field(record, "job_type"), "BG_JOB_TYPE_DOWNLOAD");
    CHECK_STR(text_field(record, "job_state"), "BG_JOB_STATE_TRANSFERRED");
    CHECK_STR(text_field(record, "priority"), "BG_JOB_PRIORITY_NORMAL");
    CHECK_STR(text_field(record, "proxy_usage"), "");
    cJSON_Delete(record);
    /* the whole blob: proxy usage read (0 = preconfigured) */
    record = first_record(blob, size);
    CHECK_STR(text_field(record, "proxy_usage"), "BG_JOB_PROXY_USAGE_PRECONFIG");
    CHECK_STR(text_field(record, "job_id"), "266504ac-d974-446c-96ad-2be13a5665b0");
    cJSON_Delete(record);
    free(blob);
}

int main(void)
{
    test_regression_unread_job_enums();
    size_t size;
    uint8_t *job = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
    unread_job = job && size > 16 ? first_record(job, 16) : NULL;
    uint8_t *file = read_whole_file(shared_path("testdata/blobs/win10-19045.file.blob"), &size);
    unread_file = file && size > 16 ? first_record(file, 16) : NULL;
    CHECK(unread_job && unread_file);
    free(job);
    free(file);
    sweep_blob("testdata/blobs/win10-19045.job.blob", UNREAD_JOB, 3000);
    sweep_blob("testdata/blobs/win10-19045.file.blob", UNREAD_FILE, 3000);
    sweep_blob("testdata/legacy/win7-job-record.bin", UNREAD_JOB | UNREAD_FILE, 3000);
    sweep_blob("testdata/legacy/win10early-job-record.bin", UNREAD_JOB | UNREAD_FILE, 3000);
    sweep_blob("testdata/legacy/win81-file-list.bin", UNREAD_FILE, 3000);
    sweep_blob("testdata/legacy/win10early-empty.qmgr0.dat", UNREAD_JOB | UNREAD_FILE, 3000);
    cJSON_Delete(unread_job);
    cJSON_Delete(unread_file);
    return check_exit();
}
