/* The fields of one Bits-Client event, by item name or by known position, and
 * the text made of them (docs/format-evtx.md §3-§4). */
#include "evtx/bits_client_internal.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evtx/evtx_log.h"
#include "util/text.h"

/* ---- the event layouts --------------------------------------------------- */

/* Data item names per field, as Windows 8 and later write them. */
static const char *const field_names[F_COUNT][3] = {
    [F_TITLE] = {"jobTitle", "name", "jobName"},
    [F_JOB_ID] = {"jobId", "Id", "jobGuid"},
    [F_OWNER] = {"jobOwner", NULL, NULL},
    [F_PROCESS_PATH] = {"processPath", NULL, NULL},
    [F_PROCESS_ID] = {"processId", NULL, NULL},
    [F_USER] = {"User", NULL, NULL},
    [F_FILE_COUNT] = {"fileCount", NULL, NULL},
    [F_BYTES_TRANSFERRED] = {"bytesTransferred", NULL, NULL},
    [F_TRANSFER_ID] = {"transferId", NULL, NULL},
    [F_URL] = {"url", "RemoteName", NULL},
    [F_PEER] = {"peer", NULL, NULL},
    [F_FILE_TIME] = {"fileTime", NULL, NULL},
    [F_FILE_LENGTH] = {"fileLength", NULL, NULL},
    [F_BYTES_TOTAL] = {"bytesTotal", NULL, NULL},
    [F_HR] = {"hr", NULL, NULL},
    [F_LOCAL_NAME] = {"LocalName", NULL, NULL},
    [F_START_KEY] = {"ClientProcessStartKey", NULL, NULL},
};

/* Positions of the fields when the items carry no usable names (Windows 7
 * writes "string", "string2" ...): known (event id, item count) pairs only.
 * -1 = not in this layout; positions are 1-based here so 0 can mean "none". */
typedef struct positional_layout {
    uint32_t event_id;
    size_t min_items, max_items;
    signed char position[F_COUNT];  /* 1-based, 0 = absent */
} positional_layout;

static const positional_layout positional_layouts[] = {
    /* Windows 7 event 3: title, owner, "" */
    {3, 3, 3, {[F_TITLE] = 1, [F_OWNER] = 2}},
    /* Windows 10 event 3 */
    {3, 5, 5, {[F_TITLE] = 1, [F_JOB_ID] = 2, [F_OWNER] = 3, [F_PROCESS_PATH] = 4, [F_PROCESS_ID] = 5}},
    {4, 7, 7, {[F_USER] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_OWNER] = 4, [F_FILE_COUNT] = 5,
               [F_BYTES_TRANSFERRED] = 6}},
    {5, 5, 5, {[F_USER] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_OWNER] = 4, [F_FILE_COUNT] = 5}},
    {59, 10, 10, {[F_TRANSFER_ID] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_URL] = 4, [F_PEER] = 5,
                  [F_FILE_TIME] = 6, [F_FILE_LENGTH] = 7, [F_BYTES_TOTAL] = 8, [F_BYTES_TRANSFERRED] = 9}},
    {60, 10, 32, {[F_TRANSFER_ID] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_URL] = 4, [F_PEER] = 5, [F_HR] = 6,
                  [F_FILE_TIME] = 7, [F_FILE_LENGTH] = 8, [F_BYTES_TOTAL] = 9, [F_BYTES_TRANSFERRED] = 10}},
    {61, 10, 32, {[F_TRANSFER_ID] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_URL] = 4, [F_PEER] = 5, [F_HR] = 6,
                  [F_FILE_TIME] = 7, [F_FILE_LENGTH] = 8, [F_BYTES_TOTAL] = 9, [F_BYTES_TRANSFERRED] = 10}},
    {209, 3, 3, {[F_TITLE] = 1, [F_JOB_ID] = 2}},
    /* Windows 10 event 16403: a file added to a job */
    {16403, 9, 9, {[F_USER] = 1, [F_TITLE] = 2, [F_JOB_ID] = 3, [F_OWNER] = 4, [F_FILE_COUNT] = 5, [F_URL] = 6,
                   [F_LOCAL_NAME] = 7, [F_PROCESS_ID] = 8, [F_START_KEY] = 9}},
};

bool evtx_bc_is_job_event(uint32_t id)
{
    return id == 3 || id == 4 || id == 5 || id == 59 || id == 60 || id == 61 || id == 16403;
}

static const char *named_value(const evtx_event *e, enum field f, size_t *index)
{
    for (size_t k = 0; k < 3 && field_names[f][k]; k++)
        for (size_t i = 0; i < e->data_count; i++)
            if (strcasecmp(e->names[i], field_names[f][k]) == 0) {
                *index = i;
                return e->values[i];
            }
    return NULL;
}

/* "{GUID}" or "GUID" in any case. */
static bool looks_like_guid(const char *text)
{
    if (!text)
        return false;
    size_t n = strlen(text);
    if (n == 38 && text[0] == '{' && text[37] == '}') {
        text++;
        n = 36;
    }
    if (n != 36)
        return false;
    for (size_t i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? text[i] != '-' : !isxdigit((unsigned char)text[i]))
            return false;
    }
    return true;
}

void evtx_bc_read_fields(const evtx_event *e, event_fields *out)
{
    memset(out, 0, sizeof(*out));
    if (e->names) {
        for (int f = 0; f < F_COUNT; f++)
            out->value[f] = named_value(e, (enum field)f, &out->index[f]);
        /* names decide when they name the job or its title */
        if (out->value[F_JOB_ID] || out->value[F_TITLE] || out->value[F_URL]) {
            out->named = out->known = true;
            return;
        }
        memset(out->value, 0, sizeof(out->value));
    }
    for (size_t l = 0; l < sizeof(positional_layouts) / sizeof(positional_layouts[0]); l++) {
        const positional_layout *layout = &positional_layouts[l];
        if (layout->event_id != e->event_id || e->data_count < layout->min_items ||
            e->data_count > layout->max_items)
            continue;
        for (int f = 0; f < F_COUNT; f++)
            if (layout->position[f] > 0) {
                out->index[f] = (size_t)layout->position[f] - 1;
                out->value[f] = e->values[out->index[f]];
            }
        /* the ids of the layout must be GUIDs, or this is some other layout */
        if ((layout->position[F_JOB_ID] && !looks_like_guid(out->value[F_JOB_ID])) ||
            (layout->position[F_TRANSFER_ID] && !looks_like_guid(out->value[F_TRANSFER_ID]))) {
            memset(out->value, 0, sizeof(out->value));
            continue;
        }
        out->known = true;
        return;
    }
}

/* ---- values --------------------------------------------------------------- */

const char *evtx_bc_or_empty(const char *text) { return text ? text : ""; }

/* Lower-case GUID without braces; other text as it is (trimmed of braces). */
char *evtx_bc_normal_job_id(util_arena *arena, const char *text)
{
    if (!text || !*text)
        return NULL;
    size_t n = strlen(text);
    if (n >= 2 && text[0] == '{' && text[n - 1] == '}') {
        text++;
        n -= 2;
    }
    char *id = util_arena_strndup(arena, text, n);
    for (char *p = id; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return id;
}

bool evtx_bc_parse_u64(const char *text, uint64_t *value)
{
    if (!text || !*text || *text == '-')
        return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (errno || *end)
        return false;
    *value = v;
    return true;
}

/* An HRESULT as the events write it: unsigned or signed decimal, or 0x hex. */
bool evtx_bc_parse_hresult(const char *text, uint32_t *value)
{
    if (!text || !*text)
        return false;
    char *end;
    errno = 0;
    if (*text == '-') {
        long long v = strtoll(text, &end, 10);
        if (errno || *end || v < INT32_MIN)
            return false;
        *value = (uint32_t)(int32_t)v;
        return true;
    }
    uint64_t v;
    if (!evtx_bc_parse_u64(text, &v) || v > UINT32_MAX)
        return false;
    *value = (uint32_t)v;
    return true;
}

/* ---- what each event says -------------------------------------------------- */

const char *evtx_bc_time_text(util_arena *arena, uint64_t filetime)
{
    char buf[32];
    util_filetime_format(filetime, buf);
    return util_arena_strdup(arena, *buf ? buf : "(no time)");
}

static const char *bytes_text(util_arena *arena, const char *transferred, const char *total)
{
    uint64_t t;
    bool total_known = evtx_bc_parse_u64(total, &t) && t != UINT64_MAX;
    if (transferred && *transferred)
        return total_known ? util_arena_printf(arena, "%s of %s bytes", transferred, total)
                           : util_arena_printf(arena, "%s bytes, total unknown", transferred);
    return total_known ? util_arena_printf(arena, "%s bytes", total) : "size unknown";
}

/* Every data item as name=value (value alone when unnamed), the job id left out. */
static const char *generic_text(util_arena *arena, const evtx_event *e)
{
    size_t length = 1;
    for (size_t i = 0; i < e->data_count; i++)
        length += strlen(e->values[i]) + (e->names ? strlen(e->names[i]) + 1 : 0) + 2;
    char *text = util_arena_alloc(arena, length);
    if (!text)
        return NULL;
    char *p = text;
    for (size_t i = 0; i < e->data_count; i++) {
        if (e->names && (strcasecmp(e->names[i], "jobId") == 0 || strcasecmp(e->names[i], "Id") == 0))
            continue;
        if (p != text)
            p = stpcpy(p, ", ");
        if (e->names && *e->names[i]) {
            p = stpcpy(p, e->names[i]);
            p = stpcpy(p, "=");
        }
        p = stpcpy(p, e->values[i]);
    }
    *p = '\0';
    return text;
}

const char *evtx_bc_summary(util_arena *arena, const evtx_event *e, const event_fields *f)
{
    const char *title = evtx_bc_or_empty(f->value[F_TITLE]);
    const char *owner = evtx_bc_or_empty(f->value[F_OWNER]);
    const char *url = evtx_bc_or_empty(f->value[F_URL]);
    const char *transfer = evtx_bc_or_empty(f->value[F_TRANSFER_ID]);
    const char *total = f->value[F_BYTES_TOTAL];
    uint64_t value;
    if (!evtx_bc_parse_u64(total, &value) || value == UINT64_MAX)  /* unknown: the file length, when given */
        total = f->value[F_FILE_LENGTH];
    const char *bytes = bytes_text(arena, f->value[F_BYTES_TRANSFERRED], total);
    const char *peer = evtx_bc_or_empty(f->value[F_PEER]);
    uint32_t hr = 0;
    bool has_hr = evtx_bc_parse_hresult(f->value[F_HR], &hr);
    switch (e->event_id) {
    case 3:
        if (f->value[F_PROCESS_PATH] || f->value[F_PROCESS_ID])
            return util_arena_printf(arena, "job \"%s\" created by %s, process %s (pid %s)", title, owner,
                                   evtx_bc_or_empty(f->value[F_PROCESS_PATH]), evtx_bc_or_empty(f->value[F_PROCESS_ID]));
        return util_arena_printf(arena, "job \"%s\" created by %s", title, owner);
    case 4:
        return util_arena_printf(arena, "job \"%s\" completed: %s file(s), %s bytes transferred%s%s", title,
                               evtx_bc_or_empty(f->value[F_FILE_COUNT]), evtx_bc_or_empty(f->value[F_BYTES_TRANSFERRED]),
                               f->value[F_USER] ? ", by " : "", evtx_bc_or_empty(f->value[F_USER]));
    case 5:
        return util_arena_printf(arena, "job \"%s\" cancelled%s%s: %s file(s)", title,
                               f->value[F_USER] ? " by " : "", evtx_bc_or_empty(f->value[F_USER]),
                               evtx_bc_or_empty(f->value[F_FILE_COUNT]));
    case 59:
        return util_arena_printf(arena, "transfer %s started: %s (%s)%s%s", transfer, url, bytes,
                               *peer ? ", peer " : "", peer);
    case 60:
    case 61:
        if (has_hr)
            return util_arena_printf(arena, "transfer %s %s 0x%08" PRIX32 ": %s (%s)%s%s", transfer,
                                   e->event_id == 61 || (hr & 0x80000000u) ? "failed with" : "stopped, status",
                                   hr, url, bytes, *peer ? ", peer " : "", peer);
        return util_arena_printf(arena, "transfer %s stopped: %s (%s)%s%s", transfer, url, bytes,
                               *peer ? ", peer " : "", peer);
    case 16403:
        return util_arena_printf(arena,
                               "file added to job \"%s\" of %s%s%s: %s to %s (%s file(s)), process %s, start key %s",
                               title, owner, f->value[F_USER] ? " by " : "", evtx_bc_or_empty(f->value[F_USER]), url,
                               evtx_bc_or_empty(f->value[F_LOCAL_NAME]), evtx_bc_or_empty(f->value[F_FILE_COUNT]),
                               evtx_bc_or_empty(f->value[F_PROCESS_ID]), evtx_bc_or_empty(f->value[F_START_KEY]));
    default:
        return generic_text(arena, e);
    }
}

