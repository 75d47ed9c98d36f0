/* The fields a rule can test. Every output field is testable by its output
 * name (grouped fields by their CSV name: source_path ...), computed by the
 * same table the writers use (fields/record_fields.c), so a rule sees exactly
 * what the output shows. A few derived fields follow the output fields. */
#include <inttypes.h>
#include <string.h>

#include "detect/detect_internal.h"
#include "fields/field_text.h"
#include "fields/record_fields.h"

typedef const char *(*derived_compute)(const bp_record *record, detect_context *context);

static const char *or_empty(const char *text) { return text ? text : ""; }

/* the host the url tests extract too: once per record */
static const char *url_host(const bp_record *r, detect_context *c)
{
    return detect_context_host_of(c, r->file ? r->file->remote_url : "");
}

static const char *url_scheme(const bp_record *r, detect_context *c)
{
    return detect_scheme_of(r->file ? r->file->remote_url : "", c->scratch);
}

static const char *job_command_name(const bp_record *r, detect_context *c)
{
    return detect_program_name(r->job ? r->job->notify_program : "", c->scratch);
}

static const char *creator_program_name(const bp_record *r, detect_context *c)
{
    return detect_program_name(r->job ? r->job->creator_program : "", c->scratch);
}

static const struct {
    const char *name;
    derived_compute compute;
} derived[] = {
    {"url_host", url_host},
    {"url_scheme", url_scheme},
    {"job_command_name", job_command_name},
    {"creator_program_name", creator_program_name},
};
#define DERIVED_COUNT (sizeof(derived) / sizeof(derived[0]))

size_t detect_field_count(void) { return fields_record_field_count() + DERIVED_COUNT; }

/* "source_path" names the field "path" of group "source". */
static bool output_name_is(const fields_field *field, const char *name)
{
    if (!field->group)
        return strcmp(field->name, name) == 0;
    size_t group_length = strlen(field->group);
    return strncmp(name, field->group, group_length) == 0 && name[group_length] == '_' &&
           strcmp(name + group_length + 1, field->name) == 0;
}

bool detect_field_lookup(const char *name, size_t *index, const char **why)
{
    for (size_t i = 0; i < fields_record_field_count(); i++) {
        const fields_field *field = fields_record_field(i);
        if (!output_name_is(field, name))
            continue;
        if (field->kind == FIELDS_FIELD_ACES) {
            *why = "cannot be tested (a list of ACEs); test owner_sid or additional_sids";
            return false;
        }
        if (field->kind == FIELDS_FIELD_DETECTIONS) {
            *why = "cannot be tested (it is the result of the rules)";
            return false;
        }
        *index = i;
        return true;
    }
    for (size_t i = 0; i < DERIVED_COUNT; i++) {
        if (strcmp(derived[i].name, name) == 0) {
            *index = fields_record_field_count() + i;
            return true;
        }
    }
    *why = "is not a field (see the field list in docs/detections.md)";
    return false;
}

static bool single(const char **one, const char *text, const char *const **values, size_t *count)
{
    if (!text)
        return false;
    *one = text;
    *values = one;
    *count = 1;
    return true;
}

bool detect_field_values(size_t index, detect_context *context, const char **one, const char *const **values,
                         size_t *count)
{
    const bp_record *record = context->record;
    util_arena *scratch = context->scratch;
    *values = NULL;
    *count = 0;
    if (index >= fields_record_field_count()) {
        size_t d = index - fields_record_field_count();
        return d < DERIVED_COUNT &&
               single(one, derived[d].compute(record, context), values, count);
    }
    fields_field_value value;
    if (!fields_record_field_value(fields_record_field(index), record, scratch, &value))
        return false;
    switch (value.kind) {
    case FIELDS_FIELD_TEXT:
        return single(one, or_empty(value.text), values, count);
    case FIELDS_FIELD_UNSIGNED:
        return single(one, util_arena_printf(scratch, "%" PRIu64, value.unsigned_number), values,
                      count);
    case FIELDS_FIELD_SIGNED:
        return single(one, util_arena_printf(scratch, "%" PRId64, value.signed_number), values,
                      count);
    case FIELDS_FIELD_BOOL:
        return single(one, value.boolean ? "true" : "false", values, count);
    case FIELDS_FIELD_TEXT_LIST:
        *values = value.texts;
        *count = value.texts ? value.text_count : 0;
        return true;
    case FIELDS_FIELD_EVENTS: {  /* one value per event: "TIME event ID: what" */
        const char **list = value.event_count ? util_arena_array(scratch, value.event_count, sizeof(*list)) : NULL;
        if (value.event_count && !list)
            return false;
        for (size_t i = 0; i < value.event_count; i++)
            if (!(list[i] = fields_csv_events_text(scratch, &value.events[i], 1)))
                return false;
        *values = list;
        *count = value.event_count;
        return true;
    }
    case FIELDS_FIELD_ACES:
    case FIELDS_FIELD_DETECTIONS:
        return true;  /* refused when the rule is loaded */
    }
    return true;
}
