/* JSON array (pretty) and JSON Lines (compact) output through cJSON.
 * Records are built and printed one at a time so memory stays bounded by the
 * largest record, not by the whole result. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "output/record_fields.h"

/* cJSON keeps numbers as doubles; raw decimal text keeps every u64 exact. */
static cJSON *raw_number(bool is_signed, uint64_t unsigned_number, int64_t signed_number)
{
    char text[24];
    if (is_signed)
        snprintf(text, sizeof text, "%" PRId64, signed_number);
    else
        snprintf(text, sizeof text, "%" PRIu64, unsigned_number);
    return cJSON_CreateRaw(text);
}

static const char *or_empty(const char *text) { return text ? text : ""; }

/* Attach item to parent; on failure free it so nothing leaks when out of memory. */
static bool add_item(cJSON *parent, const char *key, cJSON *item)
{
    bool added = key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
    if (!added)
        cJSON_Delete(item);
    return added;
}

/* Key order of one ACE object; documented in docs/output-schema.md. */
static cJSON *ace_object(const bp_ace *ace)
{
    cJSON *object = cJSON_CreateObject();
    if (!object)
        return NULL;
    if (!add_item(object, "acl", cJSON_CreateString(or_empty(ace->acl))) ||
        !add_item(object, "ace_type", cJSON_CreateString(or_empty(ace->ace_type))) ||
        !add_item(object, "flags", cJSON_CreateString(or_empty(ace->flags))) ||
        !add_item(object, "mask", raw_number(false, ace->mask, 0)) ||
        !add_item(object, "rights", cJSON_CreateString(or_empty(ace->rights))) ||
        !add_item(object, "sid", cJSON_CreateString(or_empty(ace->sid))) ||
        !add_item(object, "account", cJSON_CreateString(or_empty(ace->account)))) {
        cJSON_Delete(object);
        return NULL;
    }
    return object;
}

/* Key order of one detection object; documented in docs/output-schema.md. */
static cJSON *detection_object(const bp_detection *detection)
{
    cJSON *object = cJSON_CreateObject();
    if (!object)
        return NULL;
    if (!add_item(object, "id", cJSON_CreateString(or_empty(detection->id))) ||
        !add_item(object, "title", cJSON_CreateString(or_empty(detection->title))) ||
        !add_item(object, "severity", cJSON_CreateString(or_empty(detection->severity)))) {
        cJSON_Delete(object);
        return NULL;
    }
    return object;
}

/* Key order of one event object; documented in docs/output-schema.md. */
static cJSON *event_object(const bp_event *event)
{
    char time[32];
    bp_format_filetime(event->time, time);
    cJSON *object = cJSON_CreateObject();
    if (!object)
        return NULL;
    if (!add_item(object, "event_id", raw_number(false, event->event_id, 0)) ||
        !add_item(object, "time", cJSON_CreateString(time)) ||
        !add_item(object, "what", cJSON_CreateString(or_empty(event->what))) ||
        !add_item(object, "record_id", raw_number(false, event->record_id, 0)) ||
        !add_item(object, "log", cJSON_CreateString(or_empty(event->log)))) {
        cJSON_Delete(object);
        return NULL;
    }
    return object;
}

static cJSON *value_item(const bp_field_value *value)
{
    switch (value->kind) {
    case BP_FIELD_TEXT:
        return cJSON_CreateString(value->text);
    case BP_FIELD_UNSIGNED:
        return raw_number(false, value->unsigned_number, 0);
    case BP_FIELD_SIGNED:
        return raw_number(true, 0, value->signed_number);
    case BP_FIELD_BOOL:
        return cJSON_CreateBool(value->boolean);
    case BP_FIELD_TEXT_LIST: {
        cJSON *array = cJSON_CreateArray();
        for (size_t i = 0; array && i < value->text_count; i++) {
            if (!add_item(array, NULL, cJSON_CreateString(or_empty(value->texts[i])))) {
                cJSON_Delete(array);
                array = NULL;
            }
        }
        return array;
    }
    case BP_FIELD_ACES: {
        cJSON *array = cJSON_CreateArray();
        for (size_t i = 0; array && i < value->ace_count; i++) {
            if (!add_item(array, NULL, ace_object(&value->aces[i]))) {
                cJSON_Delete(array);
                array = NULL;
            }
        }
        return array;
    }
    case BP_FIELD_DETECTIONS: {
        cJSON *array = cJSON_CreateArray();
        for (size_t i = 0; array && i < value->detection_count; i++) {
            if (!add_item(array, NULL, detection_object(&value->detections[i]))) {
                cJSON_Delete(array);
                array = NULL;
            }
        }
        return array;
    }
    case BP_FIELD_EVENTS: {
        cJSON *array = cJSON_CreateArray();
        for (size_t i = 0; array && i < value->event_count; i++) {
            if (!add_item(array, NULL, event_object(&value->events[i]))) {
                cJSON_Delete(array);
                array = NULL;
            }
        }
        return array;
    }
    }
    return NULL;
}

/* Build one record's object. Fields that share a group go into one nested
 * object, created when the group's first field comes up. */
static cJSON *record_object(const bp_record *record, bp_arena *scratch)
{
    cJSON *object = cJSON_CreateObject();
    cJSON *group = NULL;
    const char *group_name = NULL;
    for (size_t i = 0; object && i < bp_record_field_count(); i++) {
        const bp_field *field = bp_record_field(i);
        bp_field_value value;
        cJSON *item = NULL;
        if (bp_record_field_value(field, record, scratch, &value))
            item = value_item(&value);
        if (!item)
            goto fail;
        cJSON *parent = object;
        if (field->group) {
            if (!group_name || strcmp(group_name, field->group) != 0) {
                group = cJSON_CreateObject();
                group_name = field->group;
                if (!add_item(object, field->group, group)) {
                    cJSON_Delete(item);
                    goto fail;
                }
            }
            parent = group;
        } else {
            group_name = NULL;
        }
        if (!add_item(parent, field->name, item))
            goto fail;
    }
    return object;
fail:
    cJSON_Delete(object);
    return NULL;
}

/* cJSON prints an object with its own indentation starting at column 0; shift
 * it one tab so it sits inside the array. Raw newlines only occur between
 * tokens (strings escape theirs), so this cannot alter a value. */
static int put_indented(FILE *out, const char *text)
{
    for (const char *line = text; *line;) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) + 1 : strlen(line);
        if (fputc('\t', out) == EOF || fwrite(line, 1, length, out) != length)
            return -1;
        line += length;
    }
    return 0;
}

static int write_record(FILE *out, const bp_record *record, bool one_per_line, bool first)
{
    bp_arena scratch;
    bp_arena_init(&scratch);
    cJSON *object = record_object(record, &scratch);
    char *text = NULL;
    if (object)
        /* a 16 KiB first buffer holds a typical record: no regrowth while printing */
        text = cJSON_PrintBuffered(object, 16384, !one_per_line);
    int rc = text ? 0 : -1;
    if (rc == 0 && one_per_line)
        rc = fputs(text, out) == EOF || fputc('\n', out) == EOF ? -1 : 0;
    else if (rc == 0)
        rc = fputs(first ? "\n" : ",\n", out) == EOF ? -1 : put_indented(out, text);
    cJSON_free(text);
    cJSON_Delete(object);
    bp_arena_free(&scratch);
    return rc;
}

int bp_write_json(FILE *out, const bp_result *result, bool one_per_line)
{
    size_t count = bp_result_count(result);
    if (!one_per_line && fputc('[', out) == EOF)
        return -1;
    for (size_t i = 0; i < count; i++)
        if (write_record(out, bp_result_record(result, i), one_per_line, i == 0) != 0)
            return -1;
    if (!one_per_line && fputs(count ? "\n]\n" : "]\n", out) == EOF)
        return -1;
    return 0;
}
