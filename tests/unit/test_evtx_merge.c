/* bp_result_correlate_events on hand-built results: event-log records of a
 * job the queue also knows are merged into the queue's records (the one with
 * the same URL, else the job's first; live before carved) and dropped; the
 * others stay. */
#include <stdlib.h>

#include "check.h"
#include "result/result.h"
#include "evtx/event_merge.h"

static bp_job *make_job(util_arena *arena, const char *id)
{
    bp_job *job = util_arena_alloc(arena, sizeof(*job));
    job->job_id = id;
    job->marker = job->name = job->description = job->notify_program = job->notify_arguments = "";
    job->owner_sid = job->sd_owner_sid = job->sd_group_sid = job->proxy_list = job->proxy_bypass_list = "";
    job->field54_guid = job->creator_program = job->http_method = job->extra_string = "";
    job->package_family_name = job->package_app_id = "";
    return job;
}

static bp_file *make_file(util_arena *arena, const char *url)
{
    bp_file *file = util_arena_alloc(arena, sizeof(*file));
    file->file_id = file->local_path = file->temp_path = file->drive = file->volume = "";
    file->remote_url = url;
    return file;
}

static bp_record *queue_record(bp_result *result, bp_job *job, const char *url, bool carved, const char *tag)
{
    bp_record *r = result_add(result);
    r->job = job;
    r->file = url ? make_file(&result->arena, url) : NULL;
    r->job_source.path = tag;  /* tells the records apart after the merge */
    r->job_source.format = "ese";
    r->carved = carved;
    return r;
}

/* An event-log record with `count` events at times base, base+1 ... */
static bp_record *event_record(bp_result *result, const char *id, const char *url, uint32_t first_id, size_t count,
                               uint64_t base)
{
    bp_record *r = result_add(result);
    r->job = make_job(&result->arena, id);
    r->file = url ? make_file(&result->arena, url) : NULL;
    r->job_source.path = "log.evtx";
    r->job_source.format = "evtx";
    bp_event *events = util_arena_array(&result->arena, count ? count : 1, sizeof(*events));
    for (size_t i = 0; i < count; i++)
        events[i] = (bp_event){.event_id = first_id + (uint32_t)i, .time = base + i, .what = "what",
                               .record_id = 100 + i, .log = "log.evtx"};
    r->events = count ? events : NULL;
    r->event_count = count;
    return r;
}

static const bp_record *by_tag(const bp_result *result, const char *tag)
{
    for (size_t i = 0; i < bp_result_count(result); i++)
        if (strcmp(bp_result_record(result, i)->job_source.path, tag) == 0)
            return bp_result_record(result, i);
    return NULL;
}

static size_t total_events(const bp_result *result)
{
    size_t n = 0;
    for (size_t i = 0; i < bp_result_count(result); i++)
        n += bp_result_record(result, i)->event_count;
    return n;
}

static void test_merge(void)
{
    bp_result *result = result_new();
    util_arena *arena = &result->arena;
    bp_job *a = make_job(arena, "aaaaaaaa-0000-0000-0000-000000000001");
    bp_job *b = make_job(arena, "bbbbbbbb-0000-0000-0000-000000000002");
    queue_record(result, a, "http://a/1", false, "A1");
    queue_record(result, a, "http://a/2", false, "A2");
    queue_record(result, b, NULL, false, "B-live-nofile");
    queue_record(result, b, "http://b/3", true, "B-carved");
    queue_record(result, b, "http://b/9", false, "B-live");

    /* job A: transfer events of URL 2 (id in upper case), job-level events */
    bp_record *e1 = event_record(result, "AAAAAAAA-0000-0000-0000-000000000001", "http://a/2", 59, 2, 1000);
    e1->owner_account = "DOM\\alice";
    util_notes_add(arena, &((bp_job *)e1->job)->warnings, "linked by title");
    event_record(result, "aaaaaaaa-0000-0000-0000-000000000001", NULL, 3, 1, 500);
    /* job B, URL 3: the carved record has it, the live ones do not */
    event_record(result, "bbbbbbbb-0000-0000-0000-000000000002", "http://b/3", 60, 1, 2000);
    /* job B, unknown URL: the first live record */
    event_record(result, "bbbbbbbb-0000-0000-0000-000000000002", "http://b/unknown", 61, 1, 3000);
    /* a job no queue has, and one without an id: they stay */
    event_record(result, "cccccccc-0000-0000-0000-000000000003", "http://c", 3, 2, 10);
    event_record(result, "", NULL, 3, 1, 20);

    CHECK_U64(bp_result_count(result), 11);
    size_t events_before = total_events(result);
    bp_result_correlate_events(result);
    CHECK_U64(bp_result_count(result), 7);
    CHECK_U64(total_events(result), events_before);

    const bp_record *a1 = by_tag(result, "A1");
    const bp_record *a2 = by_tag(result, "A2");
    CHECK(a1 && a2);
    if (a1 && a2) {
        CHECK_U64(a2->event_count, 2);
        CHECK_U64(a2->events[0].event_id, 59);
        CHECK_STR(a2->owner_account, "DOM\\alice");
        CHECK_U64(a2->warnings.count, 1);
        CHECK_STR(a2->warnings.head ? a2->warnings.head->text : "", "event log log.evtx: linked by title");
        CHECK_STR(a2->job_source.format, "ese");
        CHECK_U64(a1->event_count, 1);
        CHECK_U64(a1->events[0].event_id, 3);
        CHECK(a1->owner_account == NULL);
    }
    const bp_record *carved = by_tag(result, "B-carved");
    const bp_record *nofile = by_tag(result, "B-live-nofile");
    const bp_record *live = by_tag(result, "B-live");
    CHECK(carved && nofile && live);
    if (carved && nofile && live) {
        CHECK_U64(carved->event_count, 1);
        CHECK_U64(carved->events[0].event_id, 60);
        CHECK_U64(nofile->event_count, 1);  /* first live record of the job */
        CHECK_U64(nofile->events[0].event_id, 61);
        CHECK_U64(live->event_count, 0);
    }
    size_t evtx_left = 0;
    for (size_t i = 0; i < bp_result_count(result); i++)
        if (evtx_record_is_event_only(bp_result_record(result, i)))
            evtx_left++;
    CHECK_U64(evtx_left, 2);

    /* again: nothing changes */
    bp_result_correlate_events(result);
    CHECK_U64(bp_result_count(result), 7);
    CHECK_U64(total_events(result), events_before);

    /* a second log for job A, earlier and later events: merged in time order */
    /* times 999, 1000, 1001 against the record's 1000, 1001 */
    event_record(result, "aaaaaaaa-0000-0000-0000-000000000001", "http://a/2", 4, 3, 999);
    bp_result_correlate_events(result);
    CHECK_U64(bp_result_count(result), 7);
    a2 = by_tag(result, "A2");
    CHECK(a2 && a2->event_count == 5);
    for (size_t i = 1; a2 && i < a2->event_count; i++)
        CHECK(a2->events[i - 1].time <= a2->events[i].time);
    if (a2 && a2->event_count == 5) {
        CHECK_U64(a2->events[0].event_id, 4);   /* 999 */
        CHECK_U64(a2->events[1].event_id, 59);  /* 1000: the record's own first */
        CHECK_U64(a2->events[2].event_id, 5);   /* 1000 */
    }
    bp_result_free(result);
}

static void test_nothing_to_do(void)
{
    bp_result_correlate_events(NULL);
    bp_result *result = result_new();
    bp_result_correlate_events(result);
    CHECK_U64(bp_result_count(result), 0);
    /* only event-log records, or only queue records */
    event_record(result, "aaaaaaaa-0000-0000-0000-000000000001", NULL, 3, 1, 1);
    bp_result_correlate_events(result);
    CHECK_U64(bp_result_count(result), 1);
    bp_result_free(result);
    result = result_new();
    queue_record(result, make_job(&result->arena, "aaaaaaaa-0000-0000-0000-000000000001"), NULL, false, "Q");
    bp_record *orphan = result_add(result);  /* an orphan file: no job */
    orphan->file = make_file(&result->arena, "http://x");
    orphan->file_source.format = "ese";
    bp_result_correlate_events(result);
    CHECK_U64(bp_result_count(result), 2);
    bp_result_free(result);
}

int main(void)
{
    test_merge();
    test_nothing_to_do();
    return check_exit();
}
