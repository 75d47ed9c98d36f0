/* JSON array (pretty) and JSON Lines (compact) output. Each record is
 * emitted into one reused buffer and written out, so memory stays bounded by
 * the largest record, not by the whole result. The array framing is written
 * by begin and end, so records can also be written as they are finished
 * (bp_record_writer, write.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/json_emit.h"
#include "fields/record_fields.h"
#include "output/writers.h"

static const char *or_empty(const char *text) { return text ? text : ""; }

/* Keys of the objects inside a record's lists, in their output order
 * (documented in docs/output-schema.md); the writer prepares them once. */
enum { ACE_ACL, ACE_TYPE, ACE_FLAGS, ACE_MASK, ACE_RIGHTS, ACE_SID, ACE_ACCOUNT, ACE_KEY_COUNT };
static const char *const ace_key_names[ACE_KEY_COUNT] = {"acl", "ace_type", "flags", "mask",
                                                         "rights", "sid", "account"};
enum { DETECTION_ID, DETECTION_TITLE, DETECTION_SEVERITY, DETECTION_AUTHOR, DETECTION_KEY_COUNT };
static const char *const detection_key_names[DETECTION_KEY_COUNT] = {"id", "title", "severity",
                                                                     "author"};

/* A list object's key: prepared when the object sits where the writer
 * expected it (a top-level field's list), built as it goes otherwise. */
static void list_key(bp_json *json, const bp_json_prepared_key *keys, size_t which,
                     const char *const *names)
{
    if (keys && keys[which].text && keys[which].depth == json->depth)
        bp_json_put_prepared_key(json, &keys[which]);
    else
        bp_json_plain_key(json, names[which], strlen(names[which]));
}

/* A list object's key and string value. */
static void list_string(bp_json *json, const bp_json_prepared_key *keys, size_t which,
                        const char *const *names, const char *text)
{
    if (keys && keys[which].text && keys[which].depth == json->depth) {
        bp_json_prepared_string(json, &keys[which], text);
        return;
    }
    bp_json_plain_key(json, names[which], strlen(names[which]));
    bp_json_string(json, text);
}

static void ace_object(bp_json *json, const bp_json_prepared_key *keys, const bp_ace *ace)
{
    bp_json_begin_object(json);
    list_string(json, keys, ACE_ACL, ace_key_names, ace->acl);
    list_string(json, keys, ACE_TYPE, ace_key_names, ace->ace_type);
    list_string(json, keys, ACE_FLAGS, ace_key_names, ace->flags);
    if (keys && keys[ACE_MASK].text && keys[ACE_MASK].depth == json->depth) {
        bp_json_prepared_unsigned(json, &keys[ACE_MASK], ace->mask);
    } else {
        list_key(json, keys, ACE_MASK, ace_key_names);
        bp_json_unsigned(json, ace->mask);
    }
    list_string(json, keys, ACE_RIGHTS, ace_key_names, ace->rights);
    list_string(json, keys, ACE_SID, ace_key_names, ace->sid);
    list_string(json, keys, ACE_ACCOUNT, ace_key_names, ace->account);
    bp_json_end_object(json);
}

static void detection_object(bp_json *json, const bp_json_prepared_key *keys,
                             const bp_detection *detection)
{
    bp_json_begin_object(json);
    list_string(json, keys, DETECTION_ID, detection_key_names, detection->id);
    list_string(json, keys, DETECTION_TITLE, detection_key_names, detection->title);
    list_string(json, keys, DETECTION_SEVERITY, detection_key_names, detection->severity);
    if (detection->author && *detection->author)  /* Sigma rules only */
        list_string(json, keys, DETECTION_AUTHOR, detection_key_names, detection->author);
    bp_json_end_object(json);
}

/* Key order of one event object; documented in docs/output-schema.md. */
static void event_object(bp_json *json, const bp_event *event)
{
    char time[32];
    bp_format_filetime(event->time, time);
    bp_json_begin_object(json);
    BP_JSON_LITERAL_KEY(json, "event_id");
    bp_json_unsigned(json, event->event_id);
    BP_JSON_LITERAL_KEY(json, "time");
    bp_json_string(json, time);
    BP_JSON_LITERAL_KEY(json, "what");
    bp_json_string(json, or_empty(event->what));
    BP_JSON_LITERAL_KEY(json, "record_id");
    bp_json_unsigned(json, event->record_id);
    BP_JSON_LITERAL_KEY(json, "log");
    bp_json_string(json, or_empty(event->log));
    BP_JSON_LITERAL_KEY(json, "offset");
    bp_json_unsigned(json, event->offset);
    BP_JSON_LITERAL_KEY(json, "recovered");
    bp_json_bool(json, event->recovered);
    bp_json_end_object(json);
}

/* What the writer does around one field's value; the same for every record,
 * so it is worked out once per writer. */
typedef struct json_field_plan {
    bool closes_group;   /* the previous field's group ends before this one */
    bool opens_group;    /* this field begins its group's object */
    bool key_prepared;
    bp_json_prepared_key key;
} json_field_plan;

typedef struct json_record_plan {
    json_field_plan *fields;   /* one per output field */
    bp_json_prepared_key ace_keys[ACE_KEY_COUNT];              /* at depth 3 */
    bp_json_prepared_key detection_keys[DETECTION_KEY_COUNT];  /* at depth 3 */
} json_record_plan;

static void value_item(bp_json *json, const json_record_plan *plan, const bp_field_value *value)
{
    switch (value->kind) {
    case BP_FIELD_TEXT:
        bp_json_string(json, value->text);
        return;
    case BP_FIELD_UNSIGNED:
        bp_json_unsigned(json, value->unsigned_number);
        return;
    case BP_FIELD_SIGNED:
        bp_json_signed(json, value->signed_number);
        return;
    case BP_FIELD_BOOL:
        bp_json_bool(json, value->boolean);
        return;
    case BP_FIELD_TEXT_LIST:
        bp_json_begin_array(json);
        for (size_t i = 0; i < value->text_count; i++)
            bp_json_string(json, or_empty(value->texts[i]));
        bp_json_end_array(json);
        return;
    case BP_FIELD_ACES:
        bp_json_begin_array(json);
        for (size_t i = 0; i < value->ace_count; i++)
            ace_object(json, plan->ace_keys, &value->aces[i]);
        bp_json_end_array(json);
        return;
    case BP_FIELD_DETECTIONS:
        bp_json_begin_array(json);
        for (size_t i = 0; i < value->detection_count; i++)
            detection_object(json, plan->detection_keys, &value->detections[i]);
        bp_json_end_array(json);
        return;
    case BP_FIELD_EVENTS:
        bp_json_begin_array(json);
        for (size_t i = 0; i < value->event_count; i++)
            event_object(json, &value->events[i]);
        bp_json_end_array(json);
        return;
    }
    json->failed = true;
}

static bool same_group(const bp_field *a, const bp_field *b)
{
    return a && a->group && b->group && strcmp(a->group, b->group) == 0;
}

static void free_plan(json_record_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; plan->fields && i < bp_record_field_count(); i++)
        bp_json_prepared_key_free(&plan->fields[i].key);
    free(plan->fields);
    for (size_t i = 0; i < ACE_KEY_COUNT; i++)
        bp_json_prepared_key_free(&plan->ace_keys[i]);
    for (size_t i = 0; i < DETECTION_KEY_COUNT; i++)
        bp_json_prepared_key_free(&plan->detection_keys[i]);
    free(plan);
}

/* NULL when out of memory. A key that cannot be prepared is built as it goes
 * (prepare leaves its text NULL). */
static json_record_plan *make_plan(const bp_json *json)
{
    size_t count = bp_record_field_count();
    json_record_plan *plan = calloc(1, sizeof(*plan));
    if (!plan || !(plan->fields = calloc(count ? count : 1, sizeof(*plan->fields)))) {
        free(plan);
        return NULL;
    }
    const bp_field *previous = NULL;
    for (size_t i = 0; i < count; i++) {
        const bp_field *field = bp_record_field(i);
        json_field_plan *step = &plan->fields[i];
        bool grouped_before = previous && previous->group;
        step->opens_group = field->group && !same_group(previous, field);
        step->closes_group = grouped_before && !same_group(previous, field);
        step->key_prepared = bp_json_prepare_key(json, field->group ? 2 : 1, field->name,
                                                 field->name_length, &step->key);
        previous = field;
    }
    /* record object, the list's array, the list's objects */
    for (size_t i = 0; i < ACE_KEY_COUNT; i++)
        bp_json_prepare_key(json, 3, ace_key_names[i], strlen(ace_key_names[i]), &plan->ace_keys[i]);
    for (size_t i = 0; i < DETECTION_KEY_COUNT; i++)
        bp_json_prepare_key(json, 3, detection_key_names[i], strlen(detection_key_names[i]),
                            &plan->detection_keys[i]);
    return plan;
}

/* One record's object. Fields that share a group go into one nested object,
 * opened when the group's first field comes up and closed when another
 * group or an ungrouped field follows. */
static bool record_object(bp_json *json, const json_record_plan *plan, const bp_record *record,
                          bp_arena *scratch)
{
    bool in_group = false;
    bp_json_begin_object(json);
    for (size_t i = 0; !json->failed && i < bp_record_field_count(); i++) {
        const bp_field *field = bp_record_field(i);
        bp_field_value value;
        if (!bp_record_field_value(field, record, scratch, &value))
            return false;
        if (plan->fields[i].closes_group) {
            bp_json_end_object(json);
            in_group = false;
        }
        if (plan->fields[i].opens_group) {
            bp_json_plain_key(json, field->group, field->group_length);
            bp_json_begin_object(json);
            in_group = true;
        }
        if (plan->fields[i].key_prepared && value.kind == BP_FIELD_TEXT) {
            bp_json_prepared_string(json, &plan->fields[i].key, value.text);  /* most fields */
            continue;
        }
        if (plan->fields[i].key_prepared && value.kind == BP_FIELD_UNSIGNED) {
            bp_json_prepared_unsigned(json, &plan->fields[i].key, value.unsigned_number);
            continue;
        }
        if (plan->fields[i].key_prepared)
            bp_json_put_prepared_key(json, &plan->fields[i].key);
        else
            bp_json_plain_key(json, field->name, field->name_length);
        value_item(json, plan, &value);
    }
    if (in_group)
        bp_json_end_object(json);
    bp_json_end_object(json);
    return !json->failed;
}

static int write_record(FILE *out, bp_json *json, const json_record_plan *plan, const bp_record *record,
                        bool one_per_line, bool first)
{
    bp_arena scratch;
    bp_arena_init(&scratch);
    bp_json_clear(json);
    if (!one_per_line)  /* inside the array: every line one tab further in */
        bp_json_raw(json, first ? "\n\t" : ",\n\t", first ? 2 : 3);
    bool ok = record_object(json, plan, record, &scratch);
    bp_arena_free(&scratch);
    if (ok && one_per_line)
        bp_json_raw(json, "\n", 1);
    if (!ok || json->failed)
        return -1;
    return fwrite(json->text, 1, json->length, out) == json->length ? 0 : -1;
}

void bp_json_writer_init(bp_json_writer *writer, FILE *out, bool one_per_line)
{
    writer->out = out;
    writer->one_per_line = one_per_line;
    writer->count = 0;
    writer->plan = NULL;
    bp_json_init(&writer->json, !one_per_line, one_per_line ? 0 : 1);
}

int bp_json_writer_begin(bp_json_writer *writer)
{
    return !writer->one_per_line && fputc('[', writer->out) == EOF ? -1 : 0;
}

int bp_json_writer_record(bp_json_writer *writer, const bp_record *record)
{
    if (!writer->plan && !(writer->plan = make_plan(&writer->json)))
        return -1;
    int rc = write_record(writer->out, &writer->json, writer->plan, record, writer->one_per_line,
                          writer->count == 0);
    writer->count++;
    return rc;
}

int bp_json_writer_end(bp_json_writer *writer)
{
    if (!writer->one_per_line && fputs(writer->count ? "\n]\n" : "]\n", writer->out) == EOF)
        return -1;
    return 0;
}

void bp_json_writer_free(bp_json_writer *writer)
{
    free_plan(writer->plan);
    writer->plan = NULL;
    bp_json_free(&writer->json);
}

int bp_write_json(FILE *out, const bp_result *result, bool one_per_line)
{
    size_t count = bp_result_count(result);
    bp_json_writer writer;
    bp_json_writer_init(&writer, out, one_per_line);
    int rc = bp_json_writer_begin(&writer);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = bp_json_writer_record(&writer, bp_result_record(result, i));
    if (rc == 0)
        rc = bp_json_writer_end(&writer);
    bp_json_writer_free(&writer);
    return rc;
}
