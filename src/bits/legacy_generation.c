/* Generation of paired legacy state files (docs/format-legacy.md §5).
 *
 * BITS writes the whole queue alternately into qmgr0.dat and qmgr1.dat; the
 * file written last is the current state, the other the previous one. No
 * sequence number is known in the files (the registry value StateIndex that
 * points at the current one is not part of the input), so the rules, tried in
 * order, are:
 *   1. "job-times": a job present in both files only moves forward in time; the
 *      file holding the later modification time of a common job is newer (all
 *      common jobs that differ must agree);
 *   2. "mtime": the file modification times, when both are known and differ
 *      (what BITSInject uses; copies that did not keep times defeat it);
 *   3. "latest-time": the file whose latest recorded time (creation,
 *      modification, completion, timer start of any job) is later. Weak: it is
 *      wrong when the newest job was removed from the queue since.
 * When none decides, both files are labelled "unknown". */
#include "bits/legacy_generation.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The key of this module's state in a result (result_result_parser_state). */
static const char state_key;

static legacy_state_list *state_list(bp_result *result)
{
    return result_result_parser_state(result, &state_key, sizeof(legacy_state_list));
}

const legacy_state_list *legacy_generation_files(const bp_result *result)
{
    return result_find_parser_state(result, &state_key);
}

bool legacy_generation_has_files(const bp_result *result) { return legacy_generation_files(result) != NULL; }

void legacy_generation_register(bp_result *result, const char *label, size_t first_record,
                                size_t end_record)
{
    legacy_state_list *list = state_list(result);
    legacy_state_entry *entry = list ? util_arena_alloc(&result->arena, sizeof(*entry)) : NULL;
    if (!entry)
        return;
    entry->label = label ? label : "";
    entry->first_record = first_record;
    entry->end_record = end_record;
    entry->decided_by = "";
    if (list->tail)
        list->tail->next = entry;
    else
        list->head = entry;
    list->tail = entry;
    list->count++;
    legacy_generation_assign(result);
}

void legacy_generation_set_mtime(bp_result *result, const char *label, int64_t sec, long nsec)
{
    legacy_state_list *list = result_find_parser_state(result, &state_key);
    if (!list || !label)
        return;
    /* the latest registration of that path is the one just read */
    legacy_state_entry *match = NULL;
    for (legacy_state_entry *e = list->head; e; e = e->next)
        if (strcmp(e->label, label) == 0)
            match = e;
    if (!match)
        return;
    match->has_mtime = true;
    match->mtime_sec = sec;
    match->mtime_nsec = nsec;
    legacy_generation_assign(result);
}

/* ---- pairing --------------------------------------------------------------------------------- */

/* Does the name part of a's path differ from b's only in the digit of "qmgr0"/"qmgr1"? */
static bool paired_names(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b) || strcmp(a, b) == 0)
        return false;
    size_t differ = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (a[i] == b[i])
            continue;
        if (differ != SIZE_MAX)
            return false;
        differ = i;
    }
    if (differ < 4 || !((a[differ] == '0' && b[differ] == '1') || (a[differ] == '1' && b[differ] == '0')))
        return false;
    return strncasecmp(a + differ - 4, "qmgr", 4) == 0;
}

/* ---- rules ----------------------------------------------------------------------------------- */

static uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* When the job last changed: modification, second modification, completion. */
static uint64_t last_change(const bp_job *job)
{
    return max_u64(max_u64(job->modified, job->modified2), job->completed);
}

static uint64_t latest_time(const bp_job *job)
{
    uint64_t t = max_u64(last_change(job), job->created);
    const bp_timer *timers[] = {&job->inactivity_timer, &job->no_progress_timer, &job->error_timer,
                                &job->retry_timer};
    for (size_t i = 0; i < 4; i++)
        if (timers[i]->present)
            t = max_u64(t, timers[i]->start);
    return t;
}

static bool in_range(const bp_result *result, size_t i) { return i < result->count; }

/* The job of record i when it is the first record of that job, else NULL. */
static const bp_job *job_of(const bp_result *result, const legacy_state_entry *e, size_t i)
{
    if (!in_range(result, i))
        return NULL;
    const bp_job *job = result->records[i].job;
    if (!job || (i > e->first_record && result->records[i - 1].job == job))
        return NULL;
    return job;
}

typedef struct job_time {
    const char *id;
    uint64_t changed;
} job_time;

static int compare_job_times(const void *a, const void *b)
{
    return strcmp(((const job_time *)a)->id, ((const job_time *)b)->id);
}

/* The jobs of a file as (id, last change), sorted by id; NULL when none (or no memory). */
static job_time *sorted_jobs(const bp_result *result, const legacy_state_entry *e, size_t *count)
{
    *count = 0;
    size_t span = e->end_record > e->first_record ? e->end_record - e->first_record : 0;
    job_time *list = span ? malloc(span * sizeof(*list)) : NULL;
    for (size_t i = e->first_record; list && i < e->end_record; i++) {
        const bp_job *job = job_of(result, e, i);
        if (job && job->job_id[0])
            list[(*count)++] = (job_time){job->job_id, last_change(job)};
    }
    if (*count)
        qsort(list, *count, sizeof(*list), compare_job_times);
    return list;
}

/* > 0: a is newer, < 0: b is newer, 0: undecided. O((n + m) log m). */
static int by_job_times(const bp_result *result, const legacy_state_entry *a, const legacy_state_entry *b)
{
    size_t b_count;
    job_time *b_jobs = sorted_jobs(result, b, &b_count);
    size_t a_later = 0, b_later = 0;
    for (size_t i = a->first_record; b_count && i < a->end_record; i++) {
        const bp_job *job = job_of(result, a, i);
        if (!job || !job->job_id[0])
            continue;
        job_time key = {job->job_id, 0};
        const job_time *other = bsearch(&key, b_jobs, b_count, sizeof(*b_jobs), compare_job_times);
        if (!other)
            continue;
        uint64_t ta = last_change(job);
        a_later += ta > other->changed;
        b_later += other->changed > ta;
    }
    free(b_jobs);
    if (a_later && !b_later)
        return 1;
    if (b_later && !a_later)
        return -1;
    return 0;
}

static int by_mtime(const legacy_state_entry *a, const legacy_state_entry *b)
{
    if (!a->has_mtime || !b->has_mtime)
        return 0;
    if (a->mtime_sec != b->mtime_sec)
        return a->mtime_sec > b->mtime_sec ? 1 : -1;
    if (a->mtime_nsec != b->mtime_nsec)
        return a->mtime_nsec > b->mtime_nsec ? 1 : -1;
    return 0;
}

static uint64_t file_latest(const bp_result *result, const legacy_state_entry *e)
{
    uint64_t t = 0;
    for (size_t i = e->first_record; i < e->end_record; i++) {
        const bp_job *job = job_of(result, e, i);
        if (job)
            t = max_u64(t, latest_time(job));
    }
    return t;
}

static int by_latest_time(const bp_result *result, const legacy_state_entry *a, const legacy_state_entry *b)
{
    uint64_t ta = file_latest(result, a), tb = file_latest(result, b);
    if (!ta || !tb || ta == tb)
        return 0;
    return ta > tb ? 1 : -1;
}

/* ---- labelling --------------------------------------------------------------------------------- */

static void label_records(bp_result *result, legacy_state_entry *e, const char *generation,
                          const char *rule)
{
    e->decided_by = rule;
    for (size_t i = e->first_record; i < e->end_record && in_range(result, i); i++) {
        result->records[i].job_source.generation = generation;
        result->records[i].file_source.generation = generation;
    }
}

static void decide_pair(bp_result *result, legacy_state_entry *a, legacy_state_entry *b)
{
    int verdict = by_job_times(result, a, b);
    const char *rule = "job-times";
    if (!verdict) {
        verdict = by_mtime(a, b);
        rule = "mtime";
    }
    if (!verdict) {
        verdict = by_latest_time(result, a, b);
        rule = "latest-time";
    }
    if (!verdict) {
        label_records(result, a, "unknown", "");
        label_records(result, b, "unknown", "");
        return;
    }
    label_records(result, a, verdict > 0 ? "current" : "previous", rule);
    label_records(result, b, verdict > 0 ? "previous" : "current", rule);
}

void legacy_generation_assign(bp_result *result)
{
    legacy_state_list *list = result_find_parser_state(result, &state_key);
    if (!list)
        return;
    for (legacy_state_entry *e = list->head; e; e = e->next)
        label_records(result, e, "", "");
    if (list->count == 2) {
        decide_pair(result, list->head, list->head->next);
        return;
    }
    /* more than two: pair by name; a name that pairs with several others stays unpaired */
    for (legacy_state_entry *a = list->head; a; a = a->next) {
        legacy_state_entry *partner = NULL;
        size_t partners = 0;
        for (legacy_state_entry *b = list->head; b; b = b->next)
            if (b != a && paired_names(a->label, b->label)) {
                partner = b;
                partners++;
            }
        if (partners != 1)
            continue;
        size_t partner_partners = 0;
        for (legacy_state_entry *c = list->head; c; c = c->next)
            if (c != partner && paired_names(partner->label, c->label))
                partner_partners++;
        if (partner_partners == 1 && a->first_record <= partner->first_record && a != partner)
            decide_pair(result, a, partner);
    }
}
