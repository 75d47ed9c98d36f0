/* The ordered field table of the output schema (docs/output-schema.md).
 * The first block follows artemis' BitsInfo names and JSON types so existing
 * tooling keeps working; everything bitsparse adds comes after it. */
#include "fields/fields_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "bits/enum_names.h"
#include "util/text.h"

/* ---- small helpers ------------------------------------------------------ */

const char *fields_or_empty(const char *text) { return text ? text : ""; }

bool fields_set_text(fields_field_value *value, const char *text)
{
    value->text = fields_or_empty(text);
    return true;
}

bool fields_set_unsigned(fields_field_value *value, uint64_t number)
{
    value->unsigned_number = number;
    return true;
}

static bool set_filetime(util_arena *scratch, fields_field_value *value, uint64_t filetime)
{
    char *text = util_arena_text(scratch, 31);  /* formatted in place, not copied (nor zeroed first) */
    if (text)
        util_filetime_format(filetime, text);
    value->text = text;
    return text != NULL;
}

/* Enum/flag name helpers may hand back NULL for "no name"; the schema wants "". */
static bool set_name(fields_field_value *value, bool present, const char *name)
{
    value->text = present ? fields_or_empty(name) : "";
    return true;
}

/* The flag texts built last on this thread: a queue's jobs mostly carry
 * the same flags, and naming them (six names for the cost flags) cost more
 * than the copy. Keyed by the naming function and the flags. */
enum { FLAG_TEXT_MEMO_SIZE = 4 };
typedef struct flag_text_memo {
    const char *(*names)(uint32_t, char *);  /* NULL: unused */
    uint32_t flags;
    size_t length;
    char text[BITS_FLAGS_TEXT_SIZE];
} flag_text_memo;
static _Thread_local flag_text_memo flag_texts[FLAG_TEXT_MEMO_SIZE];
static _Thread_local unsigned flag_text_next;

/* Flag names are built in a stack buffer; the value must outlive this call. */
static bool set_flags(util_arena *scratch, fields_field_value *value, uint32_t flags,
                      const char *(*names)(uint32_t, char *))
{
    if (!flags) {
        value->text = "";
        return true;
    }
    const flag_text_memo *kept = NULL;
    for (unsigned i = 0; i < FLAG_TEXT_MEMO_SIZE && !kept; i++)
        if (flag_texts[i].names == names && flag_texts[i].flags == flags)
            kept = &flag_texts[i];
    if (!kept) {
        char buf[BITS_FLAGS_TEXT_SIZE];
        const char *text = names(flags, buf);
        size_t length = strlen(text);
        if (length >= BITS_FLAGS_TEXT_SIZE) {  /* cannot happen; not kept */
            value->text = util_arena_strdup(scratch, text);
            return value->text != NULL;
        }
        flag_text_memo *slot = &flag_texts[flag_text_next];
        flag_text_next = (flag_text_next + 1) % FLAG_TEXT_MEMO_SIZE;
        slot->names = names;
        slot->flags = flags;
        slot->length = length;
        memcpy(slot->text, text, length + 1);
        kept = slot;
    }
    char *copy = util_arena_text(scratch, kept->length);
    if (copy)
        memcpy(copy, kept->text, kept->length + 1);
    value->text = copy;
    return copy != NULL;
}

/* "0x" and lowercase hex digits, without printf (two per record). */
const char *fields_hex_id(util_arena *scratch, uint64_t id)
{
    if (!id)
        return "";
    static const char digits[] = "0123456789abcdef";
    char text[19];
    char *p = text + sizeof text;
    *--p = '\0';
    for (; id; id >>= 4)
        *--p = digits[id & 15];
    *--p = 'x';
    *--p = '0';
    return util_arena_strdup(scratch, p);
}

/* The source of the record as a whole: the job's when there is a job. */
const bp_source *fields_main_source(const bp_record *r)
{
    return r->job ? &r->job_source : &r->file_source;
}

/* A job known only from event logs (source.format "evtx"): the events do not
 * tell its type, priority, proxy usage or error context (docs/format-evtx.md). */
static bool from_events(const bp_record *r)
{
    if (r->job && r->carved && r->job->blob_size == 0)
        return true;  /* carved: only a stale Jobs record's id is known (src/carve/carve.h) */
    return r->job && r->job_source.format && strcmp(r->job_source.format, "evtx") == 0;
}

bool fields_record_job_type_known(const bp_record *r)
{
    return r->job && !from_events(r) && r->job->header_decoded;
}

bool fields_record_job_state_known(const bp_record *r)
{
    if (!r->job)
        return false;
    return from_events(r) ? r->job->state <= 8 : r->job->header_decoded;  /* events: 7 or 8, else unknown */
}

/* ---- artemis BitsInfo fields ------------------------------------------- */

static bool job_id(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->job_id : "");
}

static bool file_id(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->file ? r->file->file_id : "");
}

static bool owner_sid(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->owner_sid : "");
}

static bool created(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_filetime(s, v, r->job ? r->job->created : 0);
}

static bool modified(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_filetime(s, v, r->job ? r->job->modified : 0);
}

static bool completed(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_filetime(s, v, r->job ? r->job->completed : 0);
}

/* The inactivity timer's deadline is when BITS would delete the job. */
static bool expiration(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_filetime(s, v, r->job ? r->job->inactivity_timer.deadline : 0);
}

/* Only a download job's file bytes were downloaded; an orphan file's job type
 * is unknown, so it reports 0 here and its count only in bytes_transferred. */
static bool bytes_downloaded(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    bool download = fields_record_job_type_known(r) && r->job->job_type == 0;
    return fields_set_unsigned(v, download && r->file ? r->file->bytes_transferred : 0);
}

static bool bytes_transferred(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->file ? r->file->bytes_transferred : 0);
}

static bool job_name(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->name : "");
}

static bool job_description(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->description : "");
}

static bool job_command(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->notify_program : "");
}

static bool job_arguments(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->notify_arguments : "");
}

/* A job stores at most one error, so artemis' count is 0 or 1. */
static bool error_count(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job ? r->job->error_count : 0);
}

static bool job_type(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return set_name(v, fields_record_job_type_known(r), r->job ? bp_job_type_name(r->job->job_type) : NULL);
}

static bool job_state(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return set_name(v, fields_record_job_state_known(r), r->job ? bp_job_state_name(r->job->state) : NULL);
}

static bool priority(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return set_name(v, fields_record_job_type_known(r), r->job ? bp_job_priority_name(r->job->priority) : NULL);
}

static bool flags(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_flags(s, v, r->job ? r->job->notify_flags : 0, bits_notify_flags_text);
}

static bool http_method(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->http_method : "");
}

static bool full_path(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->file ? r->file->local_path : "");
}

/* Windows paths use '\', but a path may come from anywhere: split on both. */
static bool filename(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    const char *path = r->file ? fields_or_empty(r->file->local_path) : "";
    /* after the last separator of either kind (strrchr scans a word at a time) */
    const char *backslash = strrchr(path, '\\'), *slash = strrchr(path, '/');
    const char *last = backslash;
    if (slash && (!last || slash > last))
        last = slash;
    return fields_set_text(v, last ? last + 1 : path);
}

/* artemis calls the creating program "target_path". */
static bool target_path(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->creator_program : "");
}

static bool volume(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->file ? r->file->volume : "");
}

static bool url(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->file ? r->file->remote_url : "");
}

static bool carved(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    v->boolean = r->carved;
    return true;
}

static bool transient_error_count(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job ? r->job->transient_error_count : 0);
}

static bool acls(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    v->aces = r->job ? r->job->aces : NULL;
    v->ace_count = r->job && r->job->aces ? r->job->ace_count : 0;
    return true;
}

static bool timeout(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job ? r->job->no_progress_timeout : 0);
}

static bool retry_delay(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job ? r->job->retry_delay : 0);
}

static void add_distinct(const char **list, size_t *count, const char *sid)
{
    if (!sid || !*sid)
        return;
    for (size_t i = 0; i < *count; i++)
        if (strcmp(list[i], sid) == 0)
            return;
    list[(*count)++] = sid;
}

/* Every SID the security descriptor mentions, once, in the order its bytes
 * store them (the decoder's list); a job built without one (tests, tools) falls
 * back to owner, group, then each ACE's SID. */
static bool additional_sids(const bp_record *r, util_arena *s, fields_field_value *v)
{
    v->texts = NULL;
    v->text_count = 0;
    if (!r->job)
        return true;
    if (r->job->sd_sids) {
        v->texts = r->job->sd_sids;
        v->text_count = r->job->sd_sid_count;
        return true;
    }
    size_t aces = r->job->aces ? r->job->ace_count : 0;
    const char **list = util_arena_array(s, aces + 2, sizeof(*list));
    if (!list)
        return false;
    add_distinct(list, &v->text_count, r->job->sd_owner_sid);
    add_distinct(list, &v->text_count, r->job->sd_group_sid);
    for (size_t i = 0; i < aces; i++)
        add_distinct(list, &v->text_count, r->job->aces[i].sid);
    v->texts = list;
    return true;
}

static bool drive(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->file ? r->file->drive : "");
}

static bool tmp_fullpath(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->file ? r->file->temp_path : "");
}

/* ---- bitsparse extras --------------------------------------------------- */

/* The file ids the job's blob lists, in stored order, on every row of the job:
 * a job whose files were not found (a bare blob, a carved job) still names
 * them. Legacy records list their files inline, without ids: []. */
static bool listed_file_ids(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    v->texts = r->job && r->job->file_ids ? r->job->file_ids : NULL;
    v->text_count = v->texts ? r->job->file_count : 0;
    return true;
}

static bool bytes_total(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    if (!r->file)
        v->signed_number = 0;
    else if (r->file->bytes_total == UINT64_MAX)
        v->signed_number = -1;
    else if (r->file->bytes_total > INT64_MAX)
        v->signed_number = -1;  /* not a size a file can have: treat as unknown */
    else
        v->signed_number = (int64_t)r->file->bytes_total;
    return true;
}

static bool file_size(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    v->signed_number = r->file ? r->file->file_size : 0;
    return true;
}

static bool remote_file_time(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_filetime(s, v, r->file ? r->file->remote_file_time : 0);
}

static bool notify_flags(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job ? r->job->notify_flags : 0);
}

static bool error_hresult(const bp_record *r, util_arena *s, fields_field_value *v)
{
    if (!r->job || !r->job->has_error)
        return fields_set_text(v, "");
    v->text = util_arena_printf(s, "0x%08" PRIX32, r->job->error_hresult);
    return v->text != NULL;
}

static bool error_context(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    bool has_error = r->job && r->job->has_error && !from_events(r);
    return set_name(v, has_error, has_error ? bp_error_context_name(r->job->error_context) : NULL);
}

static bool proxy_usage(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    bool known = r->job && !from_events(r) && r->job->proxy_usage_decoded;
    return set_name(v, known, r->job ? bp_proxy_usage_name(r->job->proxy_usage) : NULL);
}

static bool proxy_list(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->proxy_list : "");
}

static bool proxy_bypass_list(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->proxy_bypass_list : "");
}

static bool owner_integrity(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    bool known = r->job && r->job->owner_integrity != 0;
    return set_name(v, known, known ? bits_integrity_level_name(r->job->owner_integrity) : NULL);
}

static bool creator_program(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->creator_program : "");
}

/* Windows 11 24H2: the packaged app behind the creator program (field 54b). */
static bool package_family_name(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->package_family_name : "");
}

static bool package_app_id(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->package_app_id : "");
}

static bool max_download_time(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job ? r->job->max_download_time : 0);
}

static bool cost_flags(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_flags(s, v, r->job ? r->job->cost_flags : 0, bits_cost_flags_text);
}

static bool acl_flags(const bp_record *r, util_arena *s, fields_field_value *v)
{
    return set_flags(s, v, r->job ? r->job->acl_flags : 0, bits_copy_file_flags_text);
}

static bool custom_headers(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    v->boolean = r->job && r->job->has_custom_headers;
    return true;
}

static bool job_marker(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job ? r->job->marker : "");
}

/* ---- warnings ----------------------------------------------------------- */

static bool add_notes(util_arena *s, const bp_note_list *notes, const char *prefix,
                      const char **list, size_t *count)
{
    for (const bp_note *n = notes->head; n; n = n->next) {
        const char *text = util_arena_printf(s, "%s%s", prefix, fields_or_empty(n->text));
        if (!text)
            return false;
        list[(*count)++] = text;
    }
    return true;
}

static size_t linked_notes(const bp_note_list *notes)
{
    size_t count = 0;
    for (const bp_note *n = notes->head; n; n = n->next)
        count++;
    return count;
}

/* The record's own warnings, then the job's and the file's, labelled. */
static bool warnings(const bp_record *r, util_arena *s, fields_field_value *v)
{
    static const bp_note_list none;
    const bp_note_list *job_notes = r->job ? &r->job->warnings : &none;
    const bp_note_list *file_notes = r->file ? &r->file->warnings : &none;
    /* walk the lists rather than trust their counts: the list is what gets written */
    size_t total = linked_notes(&r->warnings) + linked_notes(job_notes) + linked_notes(file_notes);
    v->texts = NULL;
    v->text_count = 0;
    if (total == 0)
        return true;
    const char **list = util_arena_array(s, total, sizeof(*list));
    if (!list)
        return false;
    size_t count = 0;
    if (!add_notes(s, &r->warnings, "", list, &count) ||
        !add_notes(s, job_notes, "job: ", list, &count) ||
        !add_notes(s, file_notes, "file: ", list, &count))
        return false;
    v->texts = list;
    v->text_count = count;
    return true;
}

/* The job owner's account name as an event log gives it (DOMAIN\user). */
static bool owner_account(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->owner_account);
}

/* Event-log entries about the record (docs/format-evtx.md). */
static bool events(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    v->events = r->events;
    v->event_count = r->events ? r->event_count : 0;
    return true;
}

/* Rules that matched the record, set by bp_detect() (docs/detections.md). */
static bool detections(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    v->detections = r->detections;
    v->detection_count = r->detections ? r->detection_count : 0;
    return true;
}

/* ---- the table ---------------------------------------------------------- */

#define FIELD(name, kind) { NULL, #name, kind, name, 0, sizeof #name - 1 }
#define SOURCE(name, kind) { "source", #name, kind, fields_source_##name, sizeof "source" - 1, sizeof #name - 1 }
#define FIELD_IN(name, kind) { NULL, #name, kind, fields_##name, 0, sizeof #name - 1 }  /* defined in source_fields.c */

static const fields_field fields[] = {
    /* artemis BitsInfo, in its order */
    FIELD(job_id, FIELDS_FIELD_TEXT),
    FIELD(file_id, FIELDS_FIELD_TEXT),
    FIELD(owner_sid, FIELDS_FIELD_TEXT),
    FIELD(created, FIELDS_FIELD_TEXT),
    FIELD(modified, FIELDS_FIELD_TEXT),
    FIELD(completed, FIELDS_FIELD_TEXT),
    FIELD(expiration, FIELDS_FIELD_TEXT),
    FIELD(bytes_downloaded, FIELDS_FIELD_UNSIGNED),
    FIELD(bytes_transferred, FIELDS_FIELD_UNSIGNED),
    FIELD(job_name, FIELDS_FIELD_TEXT),
    FIELD(job_description, FIELDS_FIELD_TEXT),
    FIELD(job_command, FIELDS_FIELD_TEXT),
    FIELD(job_arguments, FIELDS_FIELD_TEXT),
    FIELD(error_count, FIELDS_FIELD_UNSIGNED),
    FIELD(job_type, FIELDS_FIELD_TEXT),
    FIELD(job_state, FIELDS_FIELD_TEXT),
    FIELD(priority, FIELDS_FIELD_TEXT),
    FIELD(flags, FIELDS_FIELD_TEXT),
    FIELD(http_method, FIELDS_FIELD_TEXT),
    FIELD(full_path, FIELDS_FIELD_TEXT),
    FIELD(filename, FIELDS_FIELD_TEXT),
    FIELD(target_path, FIELDS_FIELD_TEXT),
    FIELD(volume, FIELDS_FIELD_TEXT),
    FIELD(url, FIELDS_FIELD_TEXT),
    FIELD(carved, FIELDS_FIELD_BOOL),
    FIELD(transient_error_count, FIELDS_FIELD_UNSIGNED),
    FIELD(acls, FIELDS_FIELD_ACES),
    FIELD(timeout, FIELDS_FIELD_UNSIGNED),
    FIELD(retry_delay, FIELDS_FIELD_UNSIGNED),
    FIELD(additional_sids, FIELDS_FIELD_TEXT_LIST),
    FIELD(drive, FIELDS_FIELD_TEXT),
    FIELD(tmp_fullpath, FIELDS_FIELD_TEXT),
    /* bitsparse extras */
    FIELD(listed_file_ids, FIELDS_FIELD_TEXT_LIST),
    FIELD(bytes_total, FIELDS_FIELD_SIGNED),
    FIELD(file_size, FIELDS_FIELD_SIGNED),
    FIELD(remote_file_time, FIELDS_FIELD_TEXT),
    FIELD(notify_flags, FIELDS_FIELD_UNSIGNED),
    FIELD(error_hresult, FIELDS_FIELD_TEXT),
    FIELD(error_context, FIELDS_FIELD_TEXT),
    FIELD(proxy_usage, FIELDS_FIELD_TEXT),
    FIELD(proxy_list, FIELDS_FIELD_TEXT),
    FIELD(proxy_bypass_list, FIELDS_FIELD_TEXT),
    FIELD(owner_integrity, FIELDS_FIELD_TEXT),
    FIELD(owner_account, FIELDS_FIELD_TEXT),
    FIELD(creator_program, FIELDS_FIELD_TEXT),
    FIELD(package_family_name, FIELDS_FIELD_TEXT),
    FIELD(package_app_id, FIELDS_FIELD_TEXT),
    FIELD(max_download_time, FIELDS_FIELD_UNSIGNED),
    FIELD(cost_flags, FIELDS_FIELD_TEXT),
    FIELD(acl_flags, FIELDS_FIELD_TEXT),
    FIELD(custom_headers, FIELDS_FIELD_BOOL),
    FIELD(job_marker, FIELDS_FIELD_TEXT),
    FIELD_IN(recovered_from, FIELDS_FIELD_TEXT),
    FIELD_IN(copies, FIELDS_FIELD_UNSIGNED),
    FIELD_IN(locations, FIELDS_FIELD_TEXT_LIST),
    FIELD(events, FIELDS_FIELD_EVENTS),
    SOURCE(path, FIELDS_FIELD_TEXT),
    SOURCE(format, FIELDS_FIELD_TEXT),
    SOURCE(job_table, FIELDS_FIELD_TEXT),
    SOURCE(job_page, FIELDS_FIELD_UNSIGNED),
    SOURCE(job_tag, FIELDS_FIELD_UNSIGNED),
    SOURCE(job_long_value_id, FIELDS_FIELD_TEXT),
    SOURCE(job_blob_size, FIELDS_FIELD_UNSIGNED),
    SOURCE(file_page, FIELDS_FIELD_UNSIGNED),
    SOURCE(file_tag, FIELDS_FIELD_UNSIGNED),
    SOURCE(file_long_value_id, FIELDS_FIELD_TEXT),
    SOURCE(file_blob_size, FIELDS_FIELD_UNSIGNED),
    SOURCE(offset, FIELDS_FIELD_UNSIGNED),
    SOURCE(generation, FIELDS_FIELD_TEXT),
    SOURCE(root, FIELDS_FIELD_TEXT),
    SOURCE(sha256, FIELDS_FIELD_TEXT),
    SOURCE(image, FIELDS_FIELD_TEXT),
    SOURCE(partition, FIELDS_FIELD_UNSIGNED),
    SOURCE(partition_offset, FIELDS_FIELD_UNSIGNED),
    SOURCE(volume_path, FIELDS_FIELD_TEXT),
    SOURCE(mft_entry, FIELDS_FIELD_UNSIGNED),
    SOURCE(found, FIELDS_FIELD_TEXT),
    SOURCE(cluster, FIELDS_FIELD_UNSIGNED),
    FIELD(warnings, FIELDS_FIELD_TEXT_LIST),
    FIELD(detections, FIELDS_FIELD_DETECTIONS),
};

size_t fields_record_field_count(void) { return sizeof(fields) / sizeof(fields[0]); }

const fields_field *fields_record_field(size_t index)
{
    return index < fields_record_field_count() ? &fields[index] : NULL;
}
