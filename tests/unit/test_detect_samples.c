/* The default rules on the real shared samples (../shared/testdata). The
 * live ESE jobs are Chrome's and Firefox's updaters: no rule of severity high
 * or critical may fire on them, only the expected low/informational ones, and
 * the exact list of rule ids is asserted per record. The legacy Windows 7 and
 * early Windows 10 jobs are the notify-command persistence setup and must
 * light up, and so must the attack jobs of the event-log samples. Skipped (77)
 * when the shared data is missing. */
#include "bitsparse/detect.h"
#include "check.h"

static bp_ruleset *rules;

/* The ids of a record's detections joined with ",". */
static const char *ids_of(const bp_record *record)
{
    static char buf[512];
    buf[0] = '\0';
    for (size_t i = 0; i < record->detection_count; i++) {
        if (i)
            strcat(buf, ",");
        strcat(buf, record->detections[i].id);
    }
    return buf;
}

static bp_result *parse_and_detect(const char *relative)
{
    bp_result *result = NULL;
    int status = bp_parse_path(shared_path(relative), &result);
    CHECK(status <= BP_STATUS_WARNINGS);
    CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) >= 0);
    return result;
}

/* Benign updater queues: nothing of severity high or critical. */
static void check_no_high(const bp_result *result, const char *sample)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t d = 0; d < r->detection_count; d++) {
            bp_severity severity;
            CHECK(bp_severity_parse(r->detections[d].severity, &severity));
            if (severity >= BP_SEVERITY_HIGH)
                fprintf(stderr, "%s record %zu: %s (%s)\n", sample, i, r->detections[d].id,
                        r->detections[d].severity);
            CHECK(severity < BP_SEVERITY_HIGH);
        }
    }
}

static void test_win10(void)
{
    bp_result *result = parse_and_detect("testdata/ese/win10-19045.qmgr.db");
    CHECK_U64(bp_result_count(result), 1);
    check_no_high(result, "win10");
    if (bp_result_count(result) == 1) {
        /* Chrome Component Updater: gvt1.com is a known updater host; the file
         * goes to AppData\Local\Temp (low) */
        const bp_record *r = bp_result_record(result, 0);
        CHECK_STR(ids_of(r), "BITS-006");
        CHECK_STR(r->detections[0].severity, "low");
        CHECK_STR(r->detections[0].title, "Local file in a user-writable or staging folder");
    }
    bp_result_free(result);
}

static void test_win11(void)
{
    bp_result *result = parse_and_detect("testdata/ese/win11-22000.qmgr.db");
    CHECK_U64(bp_result_count(result), 4);
    check_no_high(result, "win11");
    /* four Firefox update jobs: cdn.mozilla.net is a known updater host; the
     * file goes to ProgramData (low) */
    for (size_t i = 0; i < bp_result_count(result); i++)
        CHECK_STR(ids_of(bp_result_record(result, i)), "BITS-006");
    /* at least medium: nothing at all */
    CHECK(bp_detect(rules, result, BP_SEVERITY_MEDIUM) == 0);
    bp_result_free(result);
}

static void test_blobs(void)
{
    bp_result *result = NULL;
    bp_parse_path(shared_path("testdata/blobs/win10-19045.job.blob"), &result);
    bp_parse_path(shared_path("testdata/blobs/win10-19045.file.blob"), &result);
    CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) >= 0);
    CHECK_U64(bp_result_count(result), 2);
    check_no_high(result, "blobs");
    if (bp_result_count(result) == 2) {
        CHECK_STR(ids_of(bp_result_record(result, 0)), "");          /* job without its file */
        CHECK_STR(ids_of(bp_result_record(result, 1)), "BITS-006");  /* orphan file */
    }
    bp_result_free(result);
}

/* Legacy state-file records, when the legacy reader gives them: the
 * persistence samples (SYSTEM-owned, notify command cmd.exe, .exe dropped in
 * C:\temp, third-party host). */
static void test_legacy(const char *relative, const char *name)
{
    bp_result *result = NULL;
    bp_parse_path(shared_path(relative), &result);
    CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) >= 0);
    const bp_record *job = NULL;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job && r->job->name && strcmp(r->job->name, name) == 0)
            job = r;
    }
    if (!job)
        printf("note: %s gives no job \"%s\" (legacy reader not available); not checked\n",
               relative, name);
    else
        CHECK_STR(ids_of(job), "BITS-001,BITS-002,BITS-006,BITS-007,BITS-010,BITS-012");
    bp_result_free(result);
}

static bool has_id(const bp_record *record, const char *id)
{
    for (size_t i = 0; i < record->detection_count; i++)
        if (strcmp(record->detections[i].id, id) == 0)
            return true;
    return false;
}

/* Event-log samples, when the event-log reader gives a job with a URL: the
 * rules that must be among its detections (the reader may add fields later,
 * so more rules may fire). */
static void test_evtx(const char *relative, const char *name, const char *const *ids)
{
    bp_result *result = NULL;
    bp_parse_path(shared_path(relative), &result);
    CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) >= 0);
    size_t checked = 0;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (!r->job || !r->job->name || strcmp(r->job->name, name) != 0 || !r->file ||
            !r->file->remote_url || !*r->file->remote_url)
            continue;
        checked++;
        for (const char *const *id = ids; *id; id++) {
            if (!has_id(r, *id))
                fprintf(stderr, "%s: job \"%s\" lacks %s (has %s)\n", relative, name, *id, ids_of(r));
            CHECK(has_id(r, *id));
        }
    }
    if (!checked)
        printf("note: %s gives no job \"%s\" with a URL (event-log reader not available); not checked\n",
               relative, name);
    bp_result_free(result);
}

int main(void)
{
    char error[512];
    rules = bp_ruleset_new();
    CHECK(bp_ruleset_add_default(rules, error, sizeof error) == 0);
    test_win10();
    test_win11();
    test_blobs();
    test_legacy("testdata/legacy/win7-job-record.bin", "TTT");
    test_legacy("testdata/legacy/win10early-job-record.bin", "STST");
    /* desktopimgdownldr fetching from a.uguu.se; bitsadmin fetching calc.exe from a
     * bare IP; bitsadmin "downloading" the local cmd.exe (persistence setup) */
    static const char *const lolbin[] = {"BITS-004", "BITS-013", NULL};
    static const char *const raw_ip[] = {"BITS-003", "BITS-007", "BITS-013", NULL};
    static const char *const local_copy[] = {"BITS-007", "BITS-015", NULL};
    test_evtx("testdata/evtx/win10-desktopimgdownldr.evtx", "Download LockScreen Image", lolbin);
    test_evtx("testdata/evtx/server-dc-t1197.evtx", "test", raw_ip);
    test_evtx("testdata/evtx/win7-persist-bitsadmin.evtx", "backdoor", local_copy);
    test_evtx("testdata/evtx/win7-persist-bitsadmin.evtx", "hola", local_copy);
    bp_ruleset_free(rules);
    return check_exit();
}
