/* Timeline output (-f timeline): JSON Lines in the form Timesketch imports as
 * is. Each record gives one line per time it carries (job created, modified,
 * completed, expiration; remote file time), all lines sorted by time. A line
 * holds Timesketch's datetime, timestamp, timestamp_desc and message, then
 * data_type and every record field, flattened with the CSV column names
 * (docs/output-schema.md, "Timeline"). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/json_emit.h"
#include "fields/field_text.h"
#include "fields/record_fields.h"
#include "output/writers.h"
#include "util/text.h"

typedef enum time_kind {
    TIME_CREATED,
    TIME_MODIFIED,
    TIME_COMPLETED,
    TIME_EXPIRATION,
    TIME_REMOTE_FILE,
    TIME_KIND_COUNT,
} time_kind;

static const char *const descriptions[TIME_KIND_COUNT] = {
    "BITS job created",
    "BITS job modified",
    "BITS job completed",
    "BITS job expiration",
    "BITS remote file modified",
};

/* A line for one entry of a record's event-log events (bp_record.events). */
#define TIME_EVENT TIME_KIND_COUNT

typedef struct timeline_event {
    uint64_t filetime;
    size_t record;
    time_kind kind;
    size_t event;            /* TIME_EVENT: index in the record's events */
} timeline_event;

static uint64_t event_time(const bp_record *r, time_kind kind)
{
    switch (kind) {
    case TIME_CREATED: return r->job ? r->job->created : 0;
    case TIME_MODIFIED: return r->job ? r->job->modified : 0;
    case TIME_COMPLETED: return r->job ? r->job->completed : 0;
    case TIME_EXPIRATION: return r->job ? r->job->inactivity_timer.deadline : 0;
    case TIME_REMOTE_FILE: return r->file ? r->file->remote_file_time : 0;
    case TIME_KIND_COUNT: break;
    }
    return 0;
}

static int compare_events(const void *a, const void *b)
{
    const timeline_event *x = a, *y = b;
    if (x->filetime != y->filetime)
        return x->filetime < y->filetime ? -1 : 1;
    if (x->record != y->record)
        return x->record < y->record ? -1 : 1;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    return x->event < y->event ? -1 : x->event > y->event;
}

/* An event-log entry: "BITS job created (event 3)" ...; "BITS event N" for the rest. */
static const char *event_description(util_arena *s, const bp_event *e)
{
    static const struct { uint32_t id; const char *what; } known[] = {
        {3, "BITS job created"}, {4, "BITS job completed"}, {5, "BITS job cancelled"},
        {59, "BITS transfer started"}, {60, "BITS transfer stopped"}, {61, "BITS transfer failed"},
    };
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (known[i].id == e->event_id)
            return util_arena_printf(s, "%s (event %" PRIu32 ")", known[i].what, e->event_id);
    return util_arena_printf(s, "BITS event %" PRIu32, e->event_id);
}

static const char *or_empty(const char *text) { return text ? text : ""; }

/* A copy with control characters (line breaks, tabs ...) turned into spaces,
 * so the message stays on one line when displayed. */
static const char *one_line(util_arena *scratch, const char *text)
{
    char *copy = util_arena_strdup(scratch, or_empty(text));
    for (char *c = copy; c && *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            *c = ' ';
    return copy;
}

/* Appends to *text through the arena; NULL (and stays NULL) when out of memory. */
static void append(util_arena *scratch, const char **text, const char *more)
{
    if (*text && more)
        *text = util_arena_printf(scratch, "%s%s", *text, more);
    else
        *text = NULL;
}

static bool has_package(const bp_record *r)
{
    return r->job && ((r->job->package_family_name && *r->job->package_family_name) ||
                      (r->job->package_app_id && *r->job->package_app_id));
}

/* "BITS job "NAME" (STATE): URL -> PATH; notify: CMD ARGS; detections: ID (severity), ..."
 * With `package` (the job-created line of a job a packaged app created, Windows
 * 11 24H2, field 54b) "; packaged app: FAMILY!APP" comes before the detections:
 * the family name and application id joined, the app's Application User Model ID. */
static const char *event_message(util_arena *s, const bp_record *r, bool package)
{
    const char *text = "";
    if (r->job) {
        const char *name = one_line(s, r->job->name);
        if (name && *name)
            append(s, &text, util_arena_printf(s, "BITS job \"%s\"", name));
        else
            append(s, &text, util_arena_printf(s, "BITS job %s", or_empty(r->job->job_id)));
        const char *state = fields_record_job_state_known(r) ? bp_job_state_name(r->job->state) : NULL;
        append(s, &text, util_arena_printf(s, " (%s)", state ? state : "unknown state"));
    } else {
        append(s, &text, "BITS file without a job");
    }
    if (r->file) {
        const char *url = one_line(s, r->file->remote_url);
        const char *path = one_line(s, r->file->local_path);
        bool upload = fields_record_job_type_known(r) && r->job->job_type != 0;  /* upload, upload-reply */
        const char *from = upload ? path : url, *to = upload ? url : path;
        if (!url || !path)
            text = NULL;
        else if (*from && *to)
            append(s, &text, util_arena_printf(s, ": %s -> %s", from, to));
        else if (*from || *to)  /* one side unknown (e.g. from an event log): no arrow */
            append(s, &text, util_arena_printf(s, ": %s", *from ? from : to));
    } else if (r->job) {
        append(s, &text, ": no files");
    }
    if (r->job && r->job->notify_program && *r->job->notify_program) {
        const char *command = one_line(s, r->job->notify_program);
        const char *arguments = one_line(s, r->job->notify_arguments);
        if (command && arguments)
            append(s, &text, util_arena_printf(s, "; notify: %s%s%s", command, *arguments ? " " : "",
                                             arguments));
        else
            text = NULL;
    }
    if (package && has_package(r)) {
        const char *family = one_line(s, r->job->package_family_name);
        const char *app_id = one_line(s, r->job->package_app_id);
        if (family && app_id)
            append(s, &text, util_arena_printf(s, "; packaged app: %s%s", family, app_id));
        else
            text = NULL;
    }
    for (size_t i = 0; r->detections && i < r->detection_count; i++)
        append(s, &text, util_arena_printf(s, "%s%s (%s%s%s)", i == 0 ? "; detections: " : ", ",
                                         or_empty(r->detections[i].id),
                                         or_empty(r->detections[i].severity),
                                         r->detections[i].author && *r->detections[i].author
                                             ? "; author: " : "",
                                         or_empty(r->detections[i].author)));
    return text;
}

/* One field in flat form: lists of strings stay arrays, ACEs become the CSV
 * text, detections the array of their rule ids. */
static bool flat_item(out_json *json, util_arena *scratch, const fields_field_value *value)
{
    switch (value->kind) {
    case FIELDS_FIELD_TEXT:
        out_json_string(json, or_empty(value->text));
        return true;
    case FIELDS_FIELD_UNSIGNED:
        out_json_unsigned(json, value->unsigned_number);
        return true;
    case FIELDS_FIELD_SIGNED:
        out_json_signed(json, value->signed_number);
        return true;
    case FIELDS_FIELD_BOOL:
        out_json_bool(json, value->boolean);
        return true;
    case FIELDS_FIELD_TEXT_LIST:
        out_json_begin_array(json);
        for (size_t i = 0; value->texts && i < value->text_count; i++)
            out_json_string(json, or_empty(value->texts[i]));
        out_json_end_array(json);
        return true;
    case FIELDS_FIELD_ACES: {
        const char *text = fields_csv_aces_text(scratch, value->aces, value->ace_count);
        out_json_string(json, text);
        return text != NULL;
    }
    case FIELDS_FIELD_DETECTIONS:
        out_json_begin_array(json);
        for (size_t i = 0; value->detections && i < value->detection_count; i++) {
            const char *label = fields_detection_label(scratch, &value->detections[i]);
            if (!label)
                return false;
            out_json_string(json, label);
        }
        out_json_end_array(json);
        return true;
    case FIELDS_FIELD_EVENTS: {
        const char *text = fields_csv_events_text(scratch, value->events, value->events ? value->event_count : 0);
        out_json_string(json, text);
        return text != NULL;
    }
    }
    return false;
}

/* "2022-12-21T02:18:03.1204654Z" -> "2022-12-21T02:18:03.120465+00:00": the
 * microsecond form of ISO 8601 every Timesketch version parses. */
static bool iso_datetime(uint64_t filetime, char out[40])
{
    char full[32];
    util_filetime_format(filetime, full);
    if (strlen(full) != 28)
        return false;
    memcpy(out, full, 26);
    memcpy(out + 26, "+00:00", 7);
    return true;
}

/* Microseconds since 1970-01-01 (Timesketch's "timestamp"); negative before. */
static int64_t unix_microseconds(uint64_t filetime)
{
    return (int64_t)(filetime / 10) - INT64_C(11644473600000000);
}

/* What every line of one record repeats, made once per record rather than
 * once per line (a record has up to five lines, scattered by the sort): its
 * summary and its flattened fields, printed as the members of a JSON object
 * without the braces. Freed after the record's last line. */
typedef struct record_text {
    char *message;
    char *fields;
    size_t fields_length;
    size_t lines_left;
} record_text;

/* Bytes of record texts kept between lines. The sort puts most expiration
 * lines after most other lines, so without a limit nearly every record's text
 * would be held at once; past it a text is rebuilt for each of its lines. */
#define TEXT_CACHE_BUDGET ((size_t)32 << 20)

static void record_text_free(record_text *t)
{
    free(t->message);
    free(t->fields);
    t->message = NULL;
    t->fields = NULL;
    t->fields_length = 0;
}

static bool record_text_make(const bp_record *r, out_json *json, record_text *t)
{
    util_arena scratch;
    util_arena_init(&scratch);
    const char *message = event_message(&scratch, r, false);
    bool ok = message && (t->message = strdup(message)) != NULL;
    out_json_clear(json);
    out_json_begin_object(json);
    for (size_t i = 0; ok && i < fields_record_field_count(); i++) {
        const fields_field *field = fields_record_field(i);
        fields_field_value value;
        const char *name = NULL;
        ok = fields_record_field_value(field, r, &scratch, &value) &&
             (name = field->group ? util_arena_printf(&scratch, "%s_%s", field->group, field->name)
                                  : field->name) != NULL;
        if (ok) {
            out_json_key(json, name);
            ok = flat_item(json, &scratch, &value);
        }
    }
    out_json_end_object(json);
    util_arena_free(&scratch);
    /* "{...}" with at least one member: keep the members without the braces */
    if (ok && !json->failed && json->length > 2) {
        t->fields = strndup(json->text + 1, json->length - 2);
        t->fields_length = t->fields ? json->length - 2 : 0;
    }
    if (!t->fields) {
        record_text_free(t);
        return false;
    }
    return true;
}

/* One line: the time members, then the record's fields. */
static int write_event(FILE *out, out_json *json, const bp_record *r, const timeline_event *event,
                       const record_text *t)
{
    util_arena scratch;
    util_arena_init(&scratch);
    char datetime[40];
    const char *message = t->message;
    const char *description = event->kind == TIME_EVENT ? NULL : descriptions[event->kind];
    const char *data_type = r->job ? "windows:bits:job" : "windows:bits:file";
    if (event->kind == TIME_EVENT) {  /* "what" of the event, then the record's summary */
        description = event_description(&scratch, &r->events[event->event]);
        const char *what = one_line(&scratch, r->events[event->event].what);
        if (what && r->events[event->event].recovered)
            what = util_arena_printf(&scratch, "recovered from free space at offset %" PRIu64 ": %s",
                                   r->events[event->event].offset, what);
        message = what ? util_arena_printf(&scratch, "%s; %s", what, message) : NULL;
        data_type = "windows:bits:event";
    } else if (event->kind == TIME_CREATED && has_package(r)) {
        message = event_message(&scratch, r, true);  /* only this line names the app */
    }
    int rc = -1;
    if (message && description && iso_datetime(event->filetime, datetime)) {
        out_json_clear(json);
        out_json_begin_object(json);
        out_json_key(json, "datetime");
        out_json_string(json, datetime);
        out_json_key(json, "timestamp");
        out_json_signed(json, unix_microseconds(event->filetime));
        out_json_key(json, "timestamp_desc");
        out_json_string(json, description);
        out_json_key(json, "message");
        out_json_string(json, message);
        out_json_key(json, "data_type");
        out_json_string(json, data_type);
        out_json_raw(json, ",", 1);
        out_json_raw(json, t->fields, t->fields_length);
        out_json_end_object(json);
        out_json_raw(json, "\n", 1);
        if (!json->failed && fwrite(json->text, 1, json->length, out) == json->length)
            rc = 0;
    }
    util_arena_free(&scratch);
    return rc;
}

int out_write_timeline(FILE *out, const bp_result *result)
{
    size_t records = bp_result_count(result);
    if (records == 0)
        return 0;
    size_t log_events = 0;
    for (size_t i = 0; i < records; i++)
        log_events += bp_result_record(result, i)->events ? bp_result_record(result, i)->event_count : 0;
    if (records > SIZE_MAX / TIME_KIND_COUNT / sizeof(timeline_event) ||
        log_events > SIZE_MAX / sizeof(timeline_event) - records * TIME_KIND_COUNT)
        return -1;
    timeline_event *events = malloc((records * TIME_KIND_COUNT + log_events) * sizeof(*events));
    if (!events)
        return -1;
    size_t count = 0;
    for (size_t i = 0; i < records; i++) {
        const bp_record *r = bp_result_record(result, i);
        /* a job known only from event logs took its created/completed times from
         * events 3 and 4, which get lines of their own */
        bool from_events = r->job && r->job_source.format && strcmp(r->job_source.format, "evtx") == 0;
        for (int kind = 0; kind < TIME_KIND_COUNT; kind++) {
            char datetime[40];
            uint64_t filetime = event_time(r, (time_kind)kind);
            if (from_events && (kind == TIME_CREATED || kind == TIME_COMPLETED))
                continue;
            if (filetime && iso_datetime(filetime, datetime))  /* unset or unprintable: no line */
                events[count++] = (timeline_event){filetime, i, (time_kind)kind, 0};
        }
        for (size_t e = 0; r->events && e < r->event_count; e++) {
            char datetime[40];
            if (iso_datetime(r->events[e].time, datetime))
                events[count++] = (timeline_event){r->events[e].time, i, TIME_EVENT, e};
        }
    }
    qsort(events, count, sizeof(*events), compare_events);
    record_text *texts = calloc(records, sizeof(*texts));
    if (!texts) {
        free(events);
        return -1;
    }
    for (size_t i = 0; i < count; i++)
        texts[events[i].record].lines_left++;
    out_json json;
    out_json_init(&json, false, 0);
    int rc = 0;
    size_t cached = 0;
    for (size_t i = 0; rc == 0 && i < count; i++) {
        size_t index = events[i].record;
        record_text *t = &texts[index];
        const bp_record *r = bp_result_record(result, index);
        if (!t->fields) {
            if (!record_text_make(r, &json, t)) {
                rc = -1;
                break;
            }
            cached += t->fields_length;
        }
        rc = write_event(out, &json, r, &events[i], t);
        if (--t->lines_left == 0 || cached > TEXT_CACHE_BUDGET) {
            cached -= t->fields_length;
            record_text_free(t);
        }
    }
    out_json_free(&json);
    for (size_t i = 0; i < records; i++)
        record_text_free(&texts[i]);
    free(texts);
    free(events);
    return rc;
}
