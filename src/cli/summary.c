#include "cli/summary.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEVERITY_COUNT (BP_SEVERITY_CRITICAL + 1)

typedef struct input_counts {
    size_t records, live, carved, jobs, warnings;
    size_t detections[SEVERITY_COUNT];
    size_t databases, clean_databases;
    const char *database_state;  /* the state of the only database, else NULL */
} input_counts;

/* A job listed by several records (one per file) is counted once. */
typedef struct job_owner {
    const bp_job *job;
    int input;
} job_owner;

/* The input (index) a source path came from: the path itself, or a file at
 * any depth of an input folder ("DIR/name" as the library builds it), or a
 * file read out of an input image or ZIP ("INPUT:…"). With nested inputs
 * ("dir" and "dir/qmgr.db") the longest match wins, so each record is
 * credited to the most specific input. Whole path components only: "dir"
 * does not match "dir2/x". -1 when none (a record from an earlier run of the
 * library, say). */
static int input_of(const char *path, char *const *inputs, int input_count)
{
    if (!path)
        return -1;
    int best = -1;
    size_t best_length = 0;
    for (int i = 0; i < input_count; i++) {
        size_t length = strlen(inputs[i]);
        if (strncmp(path, inputs[i], length) != 0)
            continue;
        /* "IMAGE:p2:/…" and "ZIP:member": files read out of a disk image or a ZIP input */
        bool component = path[length] == '\0' || path[length] == '/' || path[length] == ':' ||
                         (length && inputs[i][length - 1] == '/');
        if (component && (best < 0 || length > best_length)) {
            best = i;
            best_length = length;
        }
    }
    return best;
}

static const char *record_path(const bp_record *record)
{
    return record->job ? record->job_source.path : record->file_source.path;
}

static int compare_jobs(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const job_owner *)a)->job, y = (uintptr_t)((const job_owner *)b)->job;
    return x < y ? -1 : x > y;
}

/* A carved record whose job is a live one (a carved file the live job lists):
 * it has locations, none of them the job's. That job is counted with its live
 * records; when records are kept it is the same bp_job, when they stream a
 * copy decoded again in a later batch (carve/session_live.c). */
static bool job_counted_live(const bp_record *record)
{
    if (!record->carved || !record->location_count)
        return false;
    for (size_t i = 0; i < record->location_count; i++)
        if (strcmp(record->locations[i].item, "job") == 0)
            return false;
    return true;
}

/* Jobs and their warnings, each job once (sorted by address, then
 * deduplicated). Within one batch of records: a job's records never span two
 * batches (result/stream.c hands records over after whole jobs). */
static int count_jobs(const bp_record *records, size_t total, char *const *inputs, int input_count,
                      input_counts *counts)
{
    job_owner *owners = total ? malloc(total * sizeof(*owners)) : NULL;
    if (total && !owners)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < total; i++) {
        const bp_record *record = &records[i];
        int input = input_of(record_path(record), inputs, input_count);
        if (record->job && input >= 0 && !job_counted_live(record))
            owners[n++] = (job_owner){record->job, input};
    }
    if (n)
        qsort(owners, n, sizeof(*owners), compare_jobs);
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && owners[i].job == owners[i - 1].job)
            continue;
        counts[owners[i].input].jobs++;
        counts[owners[i].input].warnings += owners[i].job->warnings.count;
    }
    free(owners);
    return 0;
}

/* A detection's severity: the library sets it to bp_severity_name()'s own
 * text, so the pointer is compared first (the summary counts every record of
 * a run; parsing the name each time was 1 % of a 10 000-job run). */
static bool severity_of(const char *name, bp_severity *severity)
{
    for (int s = BP_SEVERITY_INFORMATIONAL; s <= BP_SEVERITY_CRITICAL; s++) {
        if (name == bp_severity_name((bp_severity)s)) {
            *severity = (bp_severity)s;
            return true;
        }
    }
    return bp_severity_parse(name, severity);
}

static void count_record(const bp_record *record, input_counts *counts)
{
    counts->records++;
    if (record->carved)
        counts->carved++;
    else
        counts->live++;
    counts->warnings += record->warnings.count + (record->file ? record->file->warnings.count : 0);
    for (size_t d = 0; d < record->detection_count; d++) {
        bp_severity severity;
        if (severity_of(record->detections[d].severity, &severity))
            counts->detections[severity]++;
    }
}

static void count_database(const bp_database_info *database, input_counts *counts)
{
    counts->databases++;
    if (database->clean)
        counts->clean_databases++;
    counts->database_state = counts->databases == 1 ? database->state_name : NULL;
}

static void add_counts(input_counts *total, const input_counts *part)
{
    total->records += part->records;
    total->live += part->live;
    total->carved += part->carved;
    total->jobs += part->jobs;
    total->warnings += part->warnings;
    for (int s = 0; s < SEVERITY_COUNT; s++)
        total->detections[s] += part->detections[s];
    total->databases += part->databases;
    total->clean_databases += part->clean_databases;
}

static const char *plural(size_t count, const char *one, const char *many) { return count == 1 ? one : many; }

/* "2 records (2 live, 0 carved), 1 job, detections: 0 critical, 1 high, 0 medium,
 *  0 low, 0 informational; 3 warnings; ESE database: dirty shutdown" */
static void write_counts(FILE *out, const input_counts *c, bool total)
{
    fprintf(out, "%zu %s (%zu live, %zu carved), %zu %s, detections:", c->records,
            plural(c->records, "record", "records"), c->live, c->carved, c->jobs, plural(c->jobs, "job", "jobs"));
    for (int s = BP_SEVERITY_CRITICAL; s >= BP_SEVERITY_INFORMATIONAL; s--)
        fprintf(out, "%s %zu %s", s == BP_SEVERITY_CRITICAL ? "" : ",", c->detections[s],
                bp_severity_name((bp_severity)s));
    fprintf(out, "; %zu %s", c->warnings, plural(c->warnings, "warning", "warnings"));
    if (c->databases == 1 && !total)
        fprintf(out, "; ESE database: %s", c->database_state);
    else if (c->databases > 0)
        fprintf(out, "; ESE databases: %zu clean, %zu dirty or other", c->clean_databases,
                c->databases - c->clean_databases);
    fputc('\n', out);
}

struct cli_summary {
    char *const *inputs;
    int input_count;
    input_counts *counts;        /* per input, and the total last */
    size_t records;              /* every record, whatever its input */
    bool any_record_warning;
    bool any_detection;
    bp_severity worst;           /* highest severity detected (any_detection) */
    bool failed;                 /* out of memory counting jobs */
};

cli_summary *cli_summary_new(char *const *inputs, int input_count)
{
    cli_summary *summary = calloc(1, sizeof(*summary));
    if (!summary)
        return NULL;
    summary->inputs = inputs;
    summary->input_count = input_count;
    summary->counts = calloc((size_t)input_count + 1, sizeof(*summary->counts));
    if (!summary->counts) {
        free(summary);
        return NULL;
    }
    return summary;
}

void cli_summary_free(cli_summary *summary)
{
    if (!summary)
        return;
    free(summary->counts);
    free(summary);
}

static bool record_warned(const bp_record *r)
{
    return r->warnings.head || (r->job && r->job->warnings.head) || (r->file && r->file->warnings.head);
}

void cli_summary_add(cli_summary *summary, const bp_record *records, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        const bp_record *record = &records[i];
        summary->records++;
        summary->any_record_warning = summary->any_record_warning || record_warned(record);
        for (size_t d = 0; d < record->detection_count; d++) {
            bp_severity severity;
            if (!severity_of(record->detections[d].severity, &severity))
                continue;
            if (!summary->any_detection || severity > summary->worst)
                summary->worst = severity;
            summary->any_detection = true;
        }
        int input = input_of(record_path(record), summary->inputs, summary->input_count);
        if (input >= 0)
            count_record(record, &summary->counts[input]);
    }
    if (count_jobs(records, count, summary->inputs, summary->input_count, summary->counts) != 0)
        summary->failed = true;
}

size_t cli_summary_records(const cli_summary *summary) { return summary->records; }

bool cli_summary_any_record_warning(const cli_summary *summary) { return summary->any_record_warning; }

bool cli_summary_detection_at_least(const cli_summary *summary, bp_severity level)
{
    return summary->any_detection && summary->worst >= level;
}

int cli_summary_write(FILE *out, const cli_summary *summary, const bp_result *result,
                      const size_t *input_warnings)
{
    if (summary->failed)
        return -1;
    int input_count = summary->input_count;
    char *const *inputs = summary->inputs;
    input_counts *counts = calloc((size_t)input_count + 1, sizeof(*counts));
    if (!counts)
        return -1;
    memcpy(counts, summary->counts, ((size_t)input_count + 1) * sizeof(*counts));
    for (size_t i = 0; i < bp_result_database_count(result); i++) {
        const bp_database_info *database = bp_result_database(result, i);
        int input = input_of(database->path, inputs, input_count);
        if (input >= 0)
            count_database(database, &counts[input]);
    }
    input_counts *total = &counts[input_count];
    for (int i = 0; i < input_count; i++) {
        counts[i].warnings += input_warnings[i];
        fprintf(out, "bitsparse: summary: %s: ", inputs[i]);
        write_counts(out, &counts[i], false);
        add_counts(total, &counts[i]);
    }
    fprintf(out, "bitsparse: summary: total of %d %s: ", input_count, plural((size_t)input_count, "input", "inputs"));
    write_counts(out, total, true);
    free(counts);
    return fflush(out) == 0 ? 0 : -1;
}
