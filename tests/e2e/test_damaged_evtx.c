/* Damaged-input sweep over the four real Bits-Client event logs: truncation
 * every 512 bytes (every 4 KiB for the 1.1 MB log), seeded bit flips and byte
 * stomps, every 4 KiB block zeroed, every 64 KiB chunk zeroed and adjacent
 * chunks swapped. libevtx reads them in a child process (src/evtx/evtx_log.c),
 * so this also exercises its restarts. Every run must return 0, 1 or 3 without
 * a signal and keep the library's promises (fuzz_check_result), and:
 *  - after a truncation, zeroing or swap, every record names a job of the
 *    intact log and every event it lists is an event of the intact log
 *    (same id, time, record id and summary): damage may lose events, never
 *    invent or alter one;
 *  - after flips and stomps the same holds unless the flipped bytes still
 *    form a record libevtx decodes: libevtx returns the records of a chunk
 *    that fails its CRC32 and only calls the whole log corrupted. Such runs
 *    are counted and printed, and each must carry that warning or
 *    bitsparse's own "N chunk(s) fail their CRC32 checksums" (never a clean
 *    status): altered evidence is never silent.
 * Mean and maximum time per run are printed, not asserted. */
#include "check.h"
#include "sweep.h"
#include "../fuzz/fuzz_targets.h"

static uint64_t rng_state = 0xe7e7;

enum { CHUNK = 65536, HEADER = 4096 };

typedef struct sweep {
    const char *name;
    bp_result *intact;
    char *intact_text;  /* JSONL of the intact log */
    sweep_timing timing;
    size_t clean_runs, violations, altered_after_flips, altered_silently;
} sweep;

static bool same_event(const bp_event *a, const bp_event *b)
{
    return a->event_id == b->event_id && a->time == b->time && a->record_id == b->record_id &&
           strcmp(a->what ? a->what : "", b->what ? b->what : "") == 0;
}

static bool intact_has_event(const bp_result *intact, const bp_event *event)
{
    for (size_t i = 0; i < bp_result_count(intact); i++) {
        const bp_record *r = bp_result_record(intact, i);
        for (size_t e = 0; e < r->event_count; e++)
            if (same_event(&r->events[e], event))
                return true;
    }
    return false;
}

static bool intact_has_job(const bp_result *intact, const char *job_id)
{
    for (size_t i = 0; i < bp_result_count(intact); i++) {
        const bp_record *r = bp_result_record(intact, i);
        if (r->job && r->job->job_id && strcmp(r->job->job_id, job_id) == 0)
            return true;
    }
    return false;
}

/* NULL when every record and event of `damaged` is in the intact result, else what is not. */
static const char *foreign_part(const sweep *s, const bp_result *damaged)
{
    for (size_t i = 0; i < bp_result_count(damaged); i++) {
        const bp_record *r = bp_result_record(damaged, i);
        if (r->job && r->job->job_id && r->job->job_id[0] && !intact_has_job(s->intact, r->job->job_id))
            return "a job the intact log does not hold";
        for (size_t e = 0; e < r->event_count; e++)
            if (!intact_has_event(s->intact, &r->events[e]))
                return "an event the intact log does not hold";
    }
    return NULL;
}

/* libevtx checks the chunks' CRC32s and may call the log corrupted when one
 * fails; bitsparse checks them too and says which chunks fail. */
static bool log_flagged_corrupt(const bp_result *result)
{
    for (const bp_note *n = bp_result_warnings(result)->head; n; n = n->next)
        if (strstr(n->text, "libevtx reports the log as corrupted") ||
            strstr(n->text, "fail their CRC32 checksums"))
            return true;
    return false;
}

static void run_one(sweep *s, const uint8_t *data, size_t size, bool flipped, const char *what)
{
    bp_result *result = NULL;
    double start = sweep_now();
    int status = bp_parse_memory(data, size, "damaged.evtx", &result);
    double took = sweep_now() - start;
    sweep_timing_add(&s->timing, took, what);
    fuzz_check_result(result, status); /* aborts on a broken promise */
    CHECK(status == BP_STATUS_CLEAN || status == BP_STATUS_WARNINGS || status == BP_STATUS_UNREADABLE);
    const char *foreign = foreign_part(s, result);
    if (foreign && flipped) {
        s->altered_after_flips++;
        if (getenv("SWEEP_VERBOSE")) {
            fprintf(stderr, "%s: %s; warnings:\n", what, foreign);
            for (const bp_note *n = bp_result_warnings(result)->head; n; n = n->next)
                fprintf(stderr, "  %s\n", n->text);
        }
        if (status == BP_STATUS_CLEAN || !log_flagged_corrupt(result)) {
            s->altered_silently++;
            fprintf(stderr, "%s: %s, and no warning says the log is corrupted\n", what, foreign);
        }
    } else if (foreign) {
        s->violations++;
        fprintf(stderr, "%s: %s\n", what, foreign);
    }
    if (status == BP_STATUS_CLEAN) {
        s->clean_runs++;
        size_t length;
        char *text = fuzz_render(result, BP_FORMAT_JSONL, &length);
        if ((!text || strcmp(text, s->intact_text) != 0) && !flipped) {
            s->violations++;
            fprintf(stderr, "%s: clean status but the records differ from the intact log\n", what);
        }
        free(text);
    }
    bp_result_free(result);
}

/* Truncation every cut_step bytes, `flips` flips and stomps, a 4 KiB block
 * zeroed every block_step bytes, every chunk_step-th chunk zeroed and swapped. */
static void sweep_log(const char *relative, size_t cut_step, int flips, size_t block_step, size_t chunk_step)
{
    sweep s;
    memset(&s, 0, sizeof s);
    s.name = relative;
    size_t size;
    uint8_t *original = read_whole_file(shared_path(relative), &size);
    CHECK(original && size > HEADER + CHUNK - 1);
    if (!original || size < HEADER + CHUNK)
        return;
    /* win7's job events are linked by title with a warning: status 1; the others are clean */
    int intact_status = bp_parse_memory(original, size, "damaged.evtx", &s.intact);
    CHECK(intact_status == BP_STATUS_CLEAN || intact_status == BP_STATUS_WARNINGS);
    size_t length;
    s.intact_text = fuzz_render(s.intact, BP_FORMAT_JSONL, &length);
    CHECK(s.intact_text != NULL && bp_result_count(s.intact) > 0);
    uint8_t *copy = malloc(size);
    char what[128];

    for (size_t cut = 0; cut < size; cut += cut_step) {
        uint8_t *exact = malloc(cut ? cut : 1); /* exactly `cut` bytes: ASan sees any read past the cut */
        memcpy(exact, original, cut);
        snprintf(what, sizeof what, "%s cut to %zu bytes", relative, cut);
        run_one(&s, exact, cut, false, what);
        free(exact);
    }
    size_t truncations = s.timing.runs;
    for (int i = 0; i < flips; i++) {
        memcpy(copy, original, size);
        size_t at = sweep_random(&rng_state) % size;
        sweep_flip_or_stomp(&rng_state, copy, size, at, i);
        snprintf(what, sizeof what, "%s damage %d at %zu", relative, i, at);
        run_one(&s, copy, size, true, what);
    }
    for (size_t at = 0; at + 4096 <= size; at += block_step) {
        memcpy(copy, original, size);
        memset(copy + at, 0, 4096);
        snprintf(what, sizeof what, "%s 4 KiB block at %zu zeroed", relative, at);
        run_one(&s, copy, size, false, what);
    }
    for (size_t at = HEADER; at + CHUNK <= size; at += chunk_step * CHUNK) {
        memcpy(copy, original, size);
        memset(copy + at, 0, CHUNK);
        snprintf(what, sizeof what, "%s chunk at %zu zeroed", relative, at);
        run_one(&s, copy, size, false, what);
        if (at + 2 * CHUNK <= size) {
            memcpy(copy, original, size);
            memcpy(copy + at, original + at + CHUNK, CHUNK);
            memcpy(copy + at + CHUNK, original + at, CHUNK);
            snprintf(what, sizeof what, "%s chunks at %zu and %zu swapped", relative, at, at + CHUNK);
            run_one(&s, copy, size, false, what);
        }
    }
    printf("%s: %zu runs (%zu truncations), %zu reported clean, %zu with an altered record after flips/stomps "
           "(libevtx returns the records of a chunk that fails its checksum; %zu of them without the warning that libevtx calls the log corrupted), %zu invariant violations; time per run: mean %.2f ms, max %.2f ms (%s)\n",
           relative, s.timing.runs, truncations, s.clean_runs, s.altered_after_flips, s.altered_silently, s.violations,
           1000.0 * s.timing.total_seconds / (double)s.timing.runs, 1000.0 * s.timing.max_seconds, s.timing.slowest);
    CHECK_U64(s.violations, 0);
    CHECK_U64(s.altered_silently, 0);
    free(copy);
    free(s.intact_text);
    bp_result_free(s.intact);
    free(original);
}

int main(void)
{
    /* each run forks libevtx's reader: about 8 ms for a small log and 0.25 s for the
     * 1.1 MB one in a release build, 30 ms and 2.5 s under AddressSanitizer */
    size_t step = SWEEP_SANITIZED ? 1024 : 512;
    int flips = SWEEP_SANITIZED ? 150 : 300;
    sweep_log("testdata/evtx/win10-desktopimgdownldr.evtx", step, flips, 4096, 1);
    sweep_log("testdata/evtx/server-dc-t1197.evtx", step, flips, 4096, 1);
    sweep_log("testdata/evtx/win7-persist-bitsadmin.evtx", step, flips, 4096, 1);
    if (SWEEP_SANITIZED)
        sweep_log("testdata/evtx/win10-openvpn.evtx", 262144, 6, 262144, 4);
    else
        sweep_log("testdata/evtx/win10-openvpn.evtx", 32768, 30, 65536, 1);
    return check_exit();
}
