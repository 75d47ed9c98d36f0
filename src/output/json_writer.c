/* JSON array (pretty) and JSON Lines (compact) output. Each record is
 * emitted into one reused buffer and written out, so memory stays bounded by
 * the largest record, not by the whole result. The array framing is written
 * by begin and end, so records can also be written as they are finished
 * (out_record_writer, write.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "output/ace_memo.h"
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
static void list_key(out_json *json, const out_json_prepared_key *keys, size_t which,
                     const char *const *names)
{
    if (keys && keys[which].text && keys[which].depth == json->depth)
        out_json_put_prepared_key(json, &keys[which]);
    else
        out_json_plain_key(json, names[which], strlen(names[which]));
}

/* A list object's key and string value. */
static void list_string(out_json *json, const out_json_prepared_key *keys, size_t which,
                        const char *const *names, const char *text)
{
    if (keys && keys[which].text && keys[which].depth == json->depth) {
        out_json_prepared_string(json, &keys[which], text);
        return;
    }
    out_json_plain_key(json, names[which], strlen(names[which]));
    out_json_string(json, text);
}

static void ace_object(out_json *json, const out_json_prepared_key *keys, const bp_ace *ace)
{
    out_json_begin_object(json);
    list_string(json, keys, ACE_ACL, ace_key_names, ace->acl);
    list_string(json, keys, ACE_TYPE, ace_key_names, ace->ace_type);
    list_string(json, keys, ACE_FLAGS, ace_key_names, ace->flags);
    if (keys && keys[ACE_MASK].text && keys[ACE_MASK].depth == json->depth) {
        out_json_prepared_unsigned(json, &keys[ACE_MASK], ace->mask);
    } else {
        list_key(json, keys, ACE_MASK, ace_key_names);
        out_json_unsigned(json, ace->mask);
    }
    list_string(json, keys, ACE_RIGHTS, ace_key_names, ace->rights);
    list_string(json, keys, ACE_SID, ace_key_names, ace->sid);
    list_string(json, keys, ACE_ACCOUNT, ace_key_names, ace->account);
    out_json_end_object(json);
}

static void detection_object(out_json *json, const out_json_prepared_key *keys,
                             const bp_detection *detection)
{
    out_json_begin_object(json);
    list_string(json, keys, DETECTION_ID, detection_key_names, detection->id);
    list_string(json, keys, DETECTION_TITLE, detection_key_names, detection->title);
    list_string(json, keys, DETECTION_SEVERITY, detection_key_names, detection->severity);
    if (detection->author && *detection->author)  /* Sigma rules only */
        list_string(json, keys, DETECTION_AUTHOR, detection_key_names, detection->author);
    out_json_end_object(json);
}

/* Key order of one event object; documented in docs/output-schema.md. */
static void event_object(out_json *json, const bp_event *event)
{
    char time[32];
    bp_format_filetime(event->time, time);
    out_json_begin_object(json);
    OUT_JSON_LITERAL_KEY(json, "event_id");
    out_json_unsigned(json, event->event_id);
    OUT_JSON_LITERAL_KEY(json, "time");
    out_json_string(json, time);
    OUT_JSON_LITERAL_KEY(json, "what");
    out_json_string(json, or_empty(event->what));
    OUT_JSON_LITERAL_KEY(json, "record_id");
    out_json_unsigned(json, event->record_id);
    OUT_JSON_LITERAL_KEY(json, "log");
    out_json_string(json, or_empty(event->log));
    OUT_JSON_LITERAL_KEY(json, "offset");
    out_json_unsigned(json, event->offset);
    OUT_JSON_LITERAL_KEY(json, "recovered");
    out_json_bool(json, event->recovered);
    out_json_end_object(json);
}

/* What the writer does around one field's value; the same for every record,
 * so it is worked out once per writer. */
typedef struct json_field_plan {
    const fields_field *field;
    bool closes_group;   /* the previous field's group ends before this one */
    bool opens_group;    /* this field begins its group's object */
    bool key_prepared;
    out_json_prepared_key key;
} json_field_plan;

typedef struct json_record_plan {
    json_field_plan *fields;   /* one per output field */
    out_json_prepared_key ace_keys[ACE_KEY_COUNT];              /* at depth 3 */
    out_json_prepared_key detection_keys[DETECTION_KEY_COUNT];  /* at depth 3 */
    out_ace_memo aces_written;  /* the last ACE list and its text */
} json_record_plan;

/* An ACE list as an array of objects; a list equal to the one before is
 * copied from the text written for that one (an object member's value only:
 * inside an array the separator before it would differ). */
static void ace_list(out_json *json, json_record_plan *plan, const bp_ace *aces, size_t count)
{
    bool member = json->depth > 0 && !json->in_array[json->depth - 1];
    size_t length;
    const char *text = member ? out_ace_memo_find(&plan->aces_written, aces, count, json->depth, &length) : NULL;
    if (text) {
        out_json_raw(json, text, length);
        return;
    }
    size_t start = json->length;
    out_json_begin_array(json);
    for (size_t i = 0; i < count; i++)
        ace_object(json, plan->ace_keys, &aces[i]);
    out_json_end_array(json);
    if (member && count > 0 && !json->failed)
        out_ace_memo_keep(&plan->aces_written, aces, count, json->depth, json->text + start, json->length - start);
}

static void value_item(out_json *json, json_record_plan *plan, const fields_field_value *value)
{
    switch (value->kind) {
    case FIELDS_FIELD_TEXT:
        out_json_string(json, value->text);
        return;
    case FIELDS_FIELD_UNSIGNED:
        out_json_unsigned(json, value->unsigned_number);
        return;
    case FIELDS_FIELD_SIGNED:
        out_json_signed(json, value->signed_number);
        return;
    case FIELDS_FIELD_BOOL:
        out_json_bool(json, value->boolean);
        return;
    case FIELDS_FIELD_TEXT_LIST:
        out_json_begin_array(json);
        for (size_t i = 0; i < value->text_count; i++)
            out_json_string(json, or_empty(value->texts[i]));
        out_json_end_array(json);
        return;
    case FIELDS_FIELD_ACES:
        ace_list(json, plan, value->aces, value->ace_count);
        return;
    case FIELDS_FIELD_DETECTIONS:
        out_json_begin_array(json);
        for (size_t i = 0; i < value->detection_count; i++)
            detection_object(json, plan->detection_keys, &value->detections[i]);
        out_json_end_array(json);
        return;
    case FIELDS_FIELD_EVENTS:
        out_json_begin_array(json);
        for (size_t i = 0; i < value->event_count; i++)
            event_object(json, &value->events[i]);
        out_json_end_array(json);
        return;
    }
    json->failed = true;
}

static bool same_group(const fields_field *a, const fields_field *b)
{
    return a && a->group && b->group && strcmp(a->group, b->group) == 0;
}

static void free_plan(json_record_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; plan->fields && i < fields_record_field_count(); i++)
        out_json_prepared_key_free(&plan->fields[i].key);
    free(plan->fields);
    for (size_t i = 0; i < ACE_KEY_COUNT; i++)
        out_json_prepared_key_free(&plan->ace_keys[i]);
    for (size_t i = 0; i < DETECTION_KEY_COUNT; i++)
        out_json_prepared_key_free(&plan->detection_keys[i]);
    out_ace_memo_free(&plan->aces_written);
    free(plan);
}

/* NULL when out of memory. A key that cannot be prepared is built as it goes
 * (prepare leaves its text NULL). */
static json_record_plan *make_plan(const out_json *json)
{
    size_t count = fields_record_field_count();
    json_record_plan *plan = calloc(1, sizeof(*plan));
    if (!plan || !(plan->fields = calloc(count ? count : 1, sizeof(*plan->fields)))) {
        free(plan);
        return NULL;
    }
    out_ace_memo_init(&plan->aces_written);
    const fields_field *previous = NULL;
    for (size_t i = 0; i < count; i++) {
        const fields_field *field = fields_record_field(i);
        json_field_plan *step = &plan->fields[i];
        step->field = field;
        bool grouped_before = previous && previous->group;
        step->opens_group = field->group && !same_group(previous, field);
        step->closes_group = grouped_before && !same_group(previous, field);
        step->key_prepared = out_json_prepare_key(json, field->group ? 2 : 1, field->name,
                                                 field->name_length, &step->key);
        previous = field;
    }
    /* record object, the list's array, the list's objects */
    for (size_t i = 0; i < ACE_KEY_COUNT; i++)
        out_json_prepare_key(json, 3, ace_key_names[i], strlen(ace_key_names[i]), &plan->ace_keys[i]);
    for (size_t i = 0; i < DETECTION_KEY_COUNT; i++)
        out_json_prepare_key(json, 3, detection_key_names[i], strlen(detection_key_names[i]),
                            &plan->detection_keys[i]);
    return plan;
}

/* One record's object. Fields that share a group go into one nested object,
 * opened when the group's first field comes up and closed when another
 * group or an ungrouped field follows. */
static bool record_object(out_json *json, json_record_plan *plan, const bp_record *record,
                          util_arena *scratch)
{
    bool in_group = false;
    out_json_begin_object(json);
    size_t count = fields_record_field_count();
    for (size_t i = 0; !json->failed && i < count; i++) {
        const fields_field *field = plan->fields[i].field;
        fields_field_value value;
        if (!fields_record_field_value(field, record, scratch, &value))
            return false;
        if (plan->fields[i].closes_group) {
            out_json_end_object(json);
            in_group = false;
        }
        if (plan->fields[i].opens_group) {
            out_json_plain_key(json, field->group, field->group_length);
            out_json_begin_object(json);
            in_group = true;
        }
        if (plan->fields[i].key_prepared && value.kind == FIELDS_FIELD_TEXT) {
            out_json_prepared_string(json, &plan->fields[i].key, value.text);  /* most fields */
            continue;
        }
        if (plan->fields[i].key_prepared && value.kind == FIELDS_FIELD_UNSIGNED) {
            out_json_prepared_unsigned(json, &plan->fields[i].key, value.unsigned_number);
            continue;
        }
        if (plan->fields[i].key_prepared)
            out_json_put_prepared_key(json, &plan->fields[i].key);
        else
            out_json_plain_key(json, field->name, field->name_length);
        value_item(json, plan, &value);
    }
    if (in_group)
        out_json_end_object(json);
    out_json_end_object(json);
    return !json->failed;
}

/* Records are gathered in the text buffer and written out once this much is
 * held: one fwrite per record was a write system call per record (stdio's
 * buffer is smaller than a record) and a copy into that buffer. */
enum { JSON_WRITE_BATCH = 64 * 1024 };

static int flush_text(out_json_writer *writer)
{
    out_json *json = &writer->json;
    size_t length = json->length;
    int rc = fwrite(json->text, 1, length, writer->out) == length ? 0 : -1;
    out_json_clear(json);
    return rc;
}

/* One record appended to the held text; written out when the batch is full. */
static int write_record(out_json_writer *writer, const bp_record *record, bool first)
{
    out_json *json = &writer->json;
    size_t start = json->length;
    out_json_next_document(json);
    if (!writer->one_per_line)  /* inside the array: every line one tab further in */
        out_json_raw(json, first ? "\n\t" : ",\n\t", first ? 2 : 3);
    bool ok = record_object(json, writer->plan, record, &writer->scratch);
    util_arena_reset(&writer->scratch);
    if (ok && writer->one_per_line)
        out_json_raw(json, "\n", 1);
    if (!ok || json->failed) {  /* nothing of a failed record is written; the records before it are */
        out_json_truncate(json, start);
        flush_text(writer);
        return -1;
    }
    return json->length >= JSON_WRITE_BATCH ? flush_text(writer) : 0;
}

void out_json_writer_init(out_json_writer *writer, FILE *out, bool one_per_line)
{
    writer->out = out;
    writer->one_per_line = one_per_line;
    writer->count = 0;
    writer->plan = NULL;
    out_json_init(&writer->json, !one_per_line, one_per_line ? 0 : 1);
    util_arena_init(&writer->scratch);
}

int out_json_writer_begin(out_json_writer *writer)
{
    return !writer->one_per_line && fputc('[', writer->out) == EOF ? -1 : 0;
}

int out_json_writer_record(out_json_writer *writer, const bp_record *record)
{
    if (!writer->plan && !(writer->plan = make_plan(&writer->json)))
        return -1;
    int rc = write_record(writer, record, writer->count == 0);
    writer->count++;
    return rc;
}

int out_json_writer_end(out_json_writer *writer)
{
    if (writer->json.length > 0 && flush_text(writer) != 0)
        return -1;
    if (!writer->one_per_line && fputs(writer->count ? "\n]\n" : "]\n", writer->out) == EOF)
        return -1;
    return 0;
}

void out_json_writer_free(out_json_writer *writer)
{
    free_plan(writer->plan);
    writer->plan = NULL;
    out_json_free(&writer->json);
    util_arena_free(&writer->scratch);
}

int out_write_json(FILE *out, const bp_result *result, bool one_per_line)
{
    size_t count = bp_result_count(result);
    out_json_writer writer;
    out_json_writer_init(&writer, out, one_per_line);
    int rc = out_json_writer_begin(&writer);
    for (size_t i = 0; rc == 0 && i < count; i++)
        rc = out_json_writer_record(&writer, bp_result_record(result, i));
    if (rc == 0)
        rc = out_json_writer_end(&writer);
    out_json_writer_free(&writer);
    return rc;
}
