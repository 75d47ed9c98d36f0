/* JSON description -> mk_description. Every key is checked against the list
 * of known keys so a typo fails loudly instead of silently taking a default. */
#include "description.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "blob_encoders.h"
#include "byte_buffer.h"

typedef struct parser {
    char *err;
    size_t err_size;
    bool failed;
} parser;

static bool fail(parser *p, const char *format, ...) __attribute__((format(printf, 2, 3)));

static bool fail(parser *p, const char *format, ...)
{
    if (!p->failed) {
        va_list args;
        va_start(args, format);
        vsnprintf(p->err, p->err_size, format, args);
        va_end(args);
    }
    p->failed = true;
    return false;
}

/* ---- primitives ------------------------------------------------------------------------- */

bool mk_guid_parse(const char *text, uint8_t out[16])
{
    /* xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, optional braces; stored Data1-3 little-endian */
    uint8_t be[16];
    size_t n = 0;
    const char *s = text;
    if (*s == '{')
        s++;
    for (; *s && *s != '}' && n < 32; s++) {
        if (*s == '-')
            continue;
        if (!isxdigit((unsigned char)*s))
            return false;
        int v = isdigit((unsigned char)*s) ? *s - '0' : (tolower((unsigned char)*s) - 'a' + 10);
        if (n % 2 == 0)
            be[n / 2] = (uint8_t)(v << 4);
        else
            be[n / 2] |= (uint8_t)v;
        n++;
    }
    if (n != 32 || (*s && *s != '}') || strlen(text) < 36)
        return false;
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = be[order[i]];
    return true;
}

static void guid_text(const uint8_t g[16], char out[37])
{
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", g[3], g[2], g[1],
             g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]);
}

/* Days from 1601-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_since_1601(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days_since_1970 = era * 146097 + doe - 719468;
    return days_since_1970 + 134774;
}

bool mk_filetime_parse(const char *text, uint64_t *out)
{
    if (!*text) {
        *out = 0;
        return true;
    }
    int y, mo, d, h, mi, s, used = 0;
    if (sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &used) != 6 || used != 19)
        return false;
    if (y < 1601 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59)
        return false;
    const char *p = text + used;
    uint64_t fraction = 0;
    int digits = 0;
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++) {
            if (++digits > 7)
                return false;
            fraction = fraction * 10 + (uint64_t)(*p - '0');
        }
        if (digits == 0)
            return false;
    }
    for (; digits < 7; digits++)
        fraction *= 10;
    if (strcmp(p, "Z") != 0)
        return false;
    int64_t days = days_since_1601(y, mo, d);
    *out = ((uint64_t)days * 86400 + (uint64_t)h * 3600 + (uint64_t)mi * 60 + (uint64_t)s) * MK_FILETIME_PER_SECOND +
           fraction;
    return true;
}

/* ---- JSON readers ------------------------------------------------------------------------ */

static bool check_keys(parser *p, const cJSON *object, const char *where, const char *const *known)
{
    if (!cJSON_IsObject(object))
        return fail(p, "%s: expected an object", where);
    for (const cJSON *item = object->child; item; item = item->next) {
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, item->string) == 0;
        if (!ok)
            return fail(p, "%s: unknown key \"%s\"", where, item->string);
    }
    return true;
}

/* Unsigned number: JSON number, or a string in decimal or 0x hex (for values
 * beyond 2^53 and HRESULTs). */
static bool get_u64(parser *p, const cJSON *object, const char *key, const char *where, uint64_t fallback,
                    uint64_t *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    *out = fallback;
    if (!item)
        return true;
    if (cJSON_IsNumber(item)) {
        if (item->valuedouble < 0 || item->valuedouble > 9007199254740992.0 ||
            item->valuedouble != (double)(uint64_t)item->valuedouble)
            return fail(p, "%s.%s: not an unsigned integer (use a string for large values)", where, key);
        *out = (uint64_t)item->valuedouble;
        return true;
    }
    if (cJSON_IsString(item)) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(item->valuestring, &end, 0);
        if (errno || end == item->valuestring || *end || item->valuestring[0] == '-')
            return fail(p, "%s.%s: \"%s\" is not an unsigned integer", where, key, item->valuestring);
        *out = v;
        return true;
    }
    return fail(p, "%s.%s: expected a number", where, key);
}

static bool get_u32(parser *p, const cJSON *object, const char *key, const char *where, uint32_t fallback,
                    uint32_t *out)
{
    uint64_t v;
    if (!get_u64(p, object, key, where, fallback, &v))
        return false;
    if (v > UINT32_MAX)
        return fail(p, "%s.%s: value does not fit in 32 bits", where, key);
    *out = (uint32_t)v;
    return true;
}

static bool valid_utf8(const unsigned char *s)
{
    while (*s) {
        int extra = *s < 0x80 ? 0 : (*s & 0xE0) == 0xC0 ? 1 : (*s & 0xF0) == 0xE0 ? 2 : (*s & 0xF8) == 0xF0 ? 3 : -1;
        if (extra < 0)
            return false;
        s++;
        for (int i = 0; i < extra; i++, s++)
            if ((*s & 0xC0) != 0x80)
                return false;
    }
    return true;
}

/* A string owned by the description (NULL stays NULL when absent and fallback is NULL). */
static bool get_text(parser *p, const cJSON *object, const char *key, const char *where, const char *fallback,
                     char **out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    *out = NULL;
    if (!item) {
        if (fallback)
            *out = mk_strdup(fallback);
        return true;
    }
    if (!cJSON_IsString(item))
        return fail(p, "%s.%s: expected a string", where, key);
    if (!valid_utf8((const unsigned char *)item->valuestring))
        return fail(p, "%s.%s: not valid UTF-8", where, key);
    *out = mk_strdup(item->valuestring);
    return true;
}

static bool get_bool(parser *p, const cJSON *object, const char *key, const char *where, bool *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    if (!item)
        return true;
    if (!cJSON_IsBool(item))
        return fail(p, "%s.%s: expected true or false", where, key);
    *out = cJSON_IsTrue(item);
    return true;
}

static bool get_time(parser *p, const cJSON *object, const char *key, const char *where, uint64_t *out,
                     const char **text)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    if (text)
        *text = NULL;
    if (!item)
        return true;
    if (cJSON_IsString(item) && !mk_filetime_parse(item->valuestring, out))
        return fail(p, "%s.%s: \"%s\" is not an RFC 3339 UTC time (YYYY-MM-DDThh:mm:ss[.fffffff]Z)", where, key,
                    item->valuestring);
    if (cJSON_IsString(item)) {
        if (text)
            *text = item->valuestring;
        return true;
    }
    return get_u64(p, object, key, where, 0, out);
}

/* Enumerations: a number, the Microsoft name, or the name without its prefix. */
static bool get_enum(parser *p, const cJSON *object, const char *key, const char *where,
                     const char *(*name_of)(uint32_t), uint32_t count, uint32_t fallback, uint32_t *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    *out = fallback;
    if (!item)
        return true;
    if (!cJSON_IsString(item))
        return get_u32(p, object, key, where, fallback, out);
    for (uint32_t v = 0; v < count; v++) {
        const char *name = name_of(v);
        size_t n = strlen(name), m = strlen(item->valuestring);
        if (strcmp(name, item->valuestring) == 0 ||
            (m < n && strcmp(name + n - m, item->valuestring) == 0 && name[n - m - 1] == '_')) {
            *out = v;
            return true;
        }
    }
    return get_u32(p, object, key, where, fallback, out);
}

static bool get_guid(parser *p, const cJSON *object, const char *key, const char *where, uint8_t out[16],
                     bool required)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    if (!item)
        return required ? fail(p, "%s: \"%s\" is required", where, key) : true;
    if (!cJSON_IsString(item) || !mk_guid_parse(item->valuestring, out))
        return fail(p, "%s.%s: not a GUID", where, key);
    return true;
}

/* ---- files ------------------------------------------------------------------------------- */

static const char *const file_keys[] = {"id", "local_path", "remote_url", "temp_path", "bytes_transferred",
                                        "bytes_total", "file_size", "drive", "volume", "volume_serial",
                                        "remote_file_time", NULL};

static char *default_temp_path(const char *local_path, const uint8_t id[16])
{
    const char *slash = strrchr(local_path, '\\');
    size_t dir = slash ? (size_t)(slash - local_path) + 1 : 0;
    char *out = mk_alloc(dir + 16);
    memcpy(out, local_path, dir);
    snprintf(out + dir, 16, "BIT%04X.tmp", (unsigned)(mk_hash32(id, 16, 7) & 0xFFFF));
    return out;
}

static bool parse_file(parser *p, const cJSON *object, const char *where, mk_file *f)
{
    uint64_t v;
    if (!check_keys(p, object, where, file_keys) || !get_guid(p, object, "id", where, f->id, true))
        return false;
    guid_text(f->id, f->id_text);
    if (!get_text(p, object, "local_path", where, "", &f->local_path) ||
        !get_text(p, object, "remote_url", where, "", &f->remote_url) ||
        !get_text(p, object, "temp_path", where, NULL, &f->temp_path) ||
        !get_u64(p, object, "bytes_transferred", where, 0, &f->bytes_transferred))
        return false;
    if (!f->temp_path)
        f->temp_path = default_temp_path(f->local_path, f->id);
    /* -1 = unknown total size, as BITS stores it */
    const cJSON *total = cJSON_GetObjectItemCaseSensitive(object, "bytes_total");
    if (cJSON_IsNumber(total) && total->valuedouble == -1)
        f->bytes_total = UINT64_MAX;
    else if (!get_u64(p, object, "bytes_total", where, f->bytes_transferred, &f->bytes_total))
        return false;
    const cJSON *size = cJSON_GetObjectItemCaseSensitive(object, "file_size");
    if (cJSON_IsNumber(size) && size->valuedouble == -1)
        f->file_size = -1;
    else if (!get_u64(p, object, "file_size", where, f->bytes_total == UINT64_MAX ? UINT64_MAX : f->bytes_total, &v))
        return false;
    else
        f->file_size = v == UINT64_MAX ? -1 : (int64_t)v;
    char drive[4] = "C:\\";
    if (isalpha((unsigned char)f->local_path[0]) && f->local_path[1] == ':')
        drive[0] = (char)toupper((unsigned char)f->local_path[0]);
    char volume[64];
    uint8_t vol_guid[16];
    for (int i = 0; i < 16; i++)
        vol_guid[i] = (uint8_t)mk_hash32(drive, 3, (uint32_t)i);
    char vol_text[37];
    guid_text(vol_guid, vol_text);
    snprintf(volume, sizeof volume, "\\\\?\\Volume{%s}\\", vol_text);
    if (!get_text(p, object, "drive", where, drive, &f->drive) ||
        !get_text(p, object, "volume", where, volume, &f->volume) ||
        !get_u32(p, object, "volume_serial", where, mk_hash32(f->volume, strlen(f->volume), 11),
                 &f->volume_serial) ||
        !get_time(p, object, "remote_file_time", where, &f->remote_file_time, &f->remote_file_time_text))
        return false;
    return true;
}

static void free_file(mk_file *f)
{
    free(f->local_path);
    free(f->remote_url);
    free(f->temp_path);
    free(f->drive);
    free(f->volume);
}

static size_t find_file(const mk_description *d, const uint8_t id[16])
{
    for (size_t i = 0; i < d->file_count; i++)
        if (memcmp(d->files[i].id, id, 16) == 0)
            return i;
    return SIZE_MAX;
}

static size_t add_file(mk_description *d, size_t *capacity)
{
    if (d->file_count == *capacity) {
        *capacity = *capacity ? *capacity * 2 : 64;
        d->files = mk_realloc(d->files, *capacity * sizeof(mk_file));
    }
    memset(&d->files[d->file_count], 0, sizeof(mk_file));
    return d->file_count++;
}

/* ---- jobs -------------------------------------------------------------------------------- */

static const char *const job_keys[] = {
    "id", "name", "description", "notify_program", "notify_arguments", "owner_sid", "type", "priority",
    "state", "notify_flags", "created", "modified", "completed", "expiration", "retry_delay",
    "no_progress_timeout", "transient_error_count", "error", "creator_program", "http_method", "extra_string",
    "proxy_usage", "proxy_list", "proxy_bypass_list", "cost_flags", "acl_flags", "max_download_time",
    "owner_integrity", "machine_guid", "package_family_name", "package_app_id", "deleted", "files", "comment",
    NULL};
static const char *const error_keys[] = {"hresult", "context", "class", NULL};

/* Service accounts run at system integrity (bits-format §4.6). */
static uint32_t default_integrity(const char *sid)
{
    return strcmp(sid, "S-1-5-18") == 0 || strcmp(sid, "S-1-5-19") == 0 || strcmp(sid, "S-1-5-20") == 0 ? 0x4000
                                                                                                          : 0x2000;
}

static bool parse_error(parser *p, const cJSON *object, const char *where, mk_job *j)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(object, "error");
    if (!error || cJSON_IsNull(error))
        return true;
    char at[96];
    snprintf(at, sizeof at, "%s.error", where);
    j->has_error = true;
    return check_keys(p, error, at, error_keys) && get_u32(p, error, "hresult", at, 0, &j->error_hresult) &&
           get_enum(p, error, "context", at, bp_error_context_name, 9, 5, &j->error_context) &&
           get_u32(p, error, "class", at, 4, &j->error_class);
}

static bool parse_job_files(parser *p, mk_description *d, size_t *capacity, const cJSON *object,
                            const char *where, mk_job *j)
{
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(object, "files");
    if (!files)
        return true;
    if (!cJSON_IsArray(files))
        return fail(p, "%s.files: expected an array", where);
    size_t n = (size_t)cJSON_GetArraySize(files), k = 0;
    j->file_indexes = mk_alloc(n * sizeof(size_t) + 1);
    for (const cJSON *item = files->child; item; item = item->next, k++) {
        char at[96];
        snprintf(at, sizeof at, "%s.files[%zu]", where, k);
        size_t index;
        if (cJSON_IsString(item)) {
            /* a reference to an entry of the top-level "files" */
            uint8_t id[16];
            if (!mk_guid_parse(item->valuestring, id))
                return fail(p, "%s: not a GUID", at);
            index = find_file(d, id);
            if (index == SIZE_MAX)
                return fail(p, "%s: file %s is not in the top-level \"files\"", at, item->valuestring);
        } else {
            mk_file f;
            memset(&f, 0, sizeof f);
            if (!parse_file(p, item, at, &f) || find_file(d, f.id) != SIZE_MAX) {
                free_file(&f);
                return fail(p, "%s: file id %s defined twice", at, f.id_text);
            }
            index = add_file(d, capacity);
            d->files[index] = f;
        }
        d->files[index].listed = true;
        j->file_indexes[j->file_count++] = index;
    }
    return true;
}

static bool parse_job(parser *p, mk_description *d, size_t *capacity, const cJSON *object, const char *where,
                      const uint8_t machine_guid[16], mk_job *j)
{
    if (!check_keys(p, object, where, job_keys) || !get_guid(p, object, "id", where, j->id, true))
        return false;
    guid_text(j->id, j->id_text);
    if (!cJSON_GetObjectItemCaseSensitive(object, "owner_sid") || !cJSON_GetObjectItemCaseSensitive(object, "created"))
        return fail(p, "%s: \"owner_sid\" and \"created\" are required", where);
    memcpy(j->field54_guid, machine_guid, 16);
    bool ok = get_text(p, object, "name", where, "", &j->name) &&
              get_text(p, object, "description", where, "", &j->description) &&
              get_text(p, object, "notify_program", where, "", &j->notify_program) &&
              get_text(p, object, "notify_arguments", where, "", &j->notify_arguments) &&
              get_text(p, object, "owner_sid", where, "", &j->owner_sid) &&
              get_enum(p, object, "type", where, bp_job_type_name, 3, 0, &j->type) &&
              get_enum(p, object, "priority", where, bp_job_priority_name, 4, 2, &j->priority) &&
              get_enum(p, object, "state", where, bp_job_state_name, 9, 0, &j->state) &&
              get_u32(p, object, "notify_flags", where, 3, &j->notify_flags) &&
              get_time(p, object, "created", where, &j->created, &j->created_text);
    if (!ok)
        return false;
    mk_buffer sid = {NULL, 0, 0};
    bool sid_ok = mk_encode_sid(j->owner_sid, &sid);
    mk_buffer_free(&sid);
    if (!sid_ok) /* it goes into the security descriptor in binary */
        return fail(p, "%s.owner_sid: \"%s\" is not a SID (S-1-authority-subauthorities, each < 2^32)", where,
                    j->owner_sid);
    j->modified = j->created;
    if (!get_time(p, object, "modified", where, &j->modified, &j->modified_text))
        return false;
    /* BITS sets the completion time when the transfer finishes (bits-format §4.1 #32) */
    j->completed = j->state == 6 || j->state == 7 ? j->modified : 0;
    j->expiration = j->modified + 90ULL * 86400 * MK_FILETIME_PER_SECOND;
    ok = get_time(p, object, "completed", where, &j->completed, &j->completed_text) &&
         get_time(p, object, "expiration", where, &j->expiration, &j->expiration_text) &&
         get_u32(p, object, "retry_delay", where, 600, &j->retry_delay) &&
         get_u32(p, object, "no_progress_timeout", where, 1209600, &j->no_progress_timeout) &&
         get_u32(p, object, "transient_error_count", where, 0, &j->transient_error_count) &&
         parse_error(p, object, where, j) &&
         get_text(p, object, "creator_program", where, "", &j->creator_program) &&
         get_text(p, object, "http_method", where, "GET", &j->http_method) &&
         get_text(p, object, "extra_string", where, "", &j->extra_string) &&
         get_enum(p, object, "proxy_usage", where, bp_proxy_usage_name, 4, 0, &j->proxy_usage) &&
         get_text(p, object, "proxy_list", where, NULL, &j->proxy_list) &&
         get_text(p, object, "proxy_bypass_list", where, NULL, &j->proxy_bypass_list) &&
         get_u32(p, object, "cost_flags", where, 0x80000067u, &j->cost_flags) &&
         get_u32(p, object, "acl_flags", where, 0, &j->acl_flags) &&
         get_u32(p, object, "max_download_time", where, 7776000, &j->max_download_time) &&
         get_u32(p, object, "owner_integrity", where, default_integrity(j->owner_sid), &j->owner_integrity) &&
         get_guid(p, object, "machine_guid", where, j->field54_guid, false) &&
         get_text(p, object, "package_family_name", where, NULL, &j->package_family_name) &&
         get_text(p, object, "package_app_id", where, NULL, &j->package_app_id) &&
         get_bool(p, object, "deleted", where, &j->deleted) && parse_job_files(p, d, capacity, object, where, j);
    return ok;
}

/* ---- document ---------------------------------------------------------------------------- */

static const char *const top_keys[] = {"options", "os_build", "machine_guid", "jobs", "files", "comment", NULL};
static const char *const option_keys[] = {"page_size", "lid", "reserved_tags", "state", "chunk_size", "fill",
                                          "lv_page_per_value", NULL};

static bool parse_options(parser *p, const cJSON *root, mk_options *o)
{
    o->reserved_tags = o->clean = o->lv_page_per_value = -1;
    const cJSON *options = cJSON_GetObjectItemCaseSensitive(root, "options");
    if (!options)
        return true;
    if (!check_keys(p, options, "options", option_keys) ||
        !get_u32(p, options, "page_size", "options", 0, &o->page_size) ||
        !get_u32(p, options, "lid", "options", 0, &o->lid_size) ||
        !get_u32(p, options, "chunk_size", "options", 0, &o->chunk_size) ||
        !get_u32(p, options, "fill", "options", 0, &o->fill_percent))
        return false;
    bool reserved = false;
    if (cJSON_GetObjectItemCaseSensitive(options, "reserved_tags")) {
        if (!get_bool(p, options, "reserved_tags", "options", &reserved))
            return false;
        o->reserved_tags = reserved;
    }
    bool per_value = false;
    if (cJSON_GetObjectItemCaseSensitive(options, "lv_page_per_value")) {
        if (!get_bool(p, options, "lv_page_per_value", "options", &per_value))
            return false;
        o->lv_page_per_value = per_value;
    }
    const cJSON *state = cJSON_GetObjectItemCaseSensitive(options, "state");
    if (state) {
        if (!cJSON_IsString(state) || (strcmp(state->valuestring, "clean") && strcmp(state->valuestring, "dirty")))
            return fail(p, "options.state: expected \"clean\" or \"dirty\"");
        o->clean = strcmp(state->valuestring, "clean") == 0;
    }
    return true;
}

bool mk_description_parse(const char *json_text, mk_description *d, char *err, size_t err_size)
{
    parser p = {err, err_size, false};
    memset(d, 0, sizeof(*d));
    cJSON *root = cJSON_Parse(json_text);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        return fail(&p, "not valid JSON near: %.40s", at ? at : "?");
    }
    d->json = root;
    uint8_t machine_guid[16];
    mk_guid_parse("3f0c2a5e-8d41-4b7a-9c2e-51a7d0e4b6f1", machine_guid); /* invented default */
    size_t capacity = 0;
    if (!check_keys(&p, root, "description", top_keys) || !parse_options(&p, root, &d->options) ||
        !get_u32(&p, root, "os_build", "description", 19045, &d->os_build) ||
        !get_guid(&p, root, "machine_guid", "description", machine_guid, false))
        return false;
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(root, "files");
    if (files && !cJSON_IsArray(files))
        return fail(&p, "files: expected an array");
    size_t k = 0;
    for (const cJSON *item = files ? files->child : NULL; item; item = item->next, k++) {
        char at[64];
        snprintf(at, sizeof at, "files[%zu]", k);
        mk_file f;
        memset(&f, 0, sizeof f);
        if (!parse_file(&p, item, at, &f) || find_file(d, f.id) != SIZE_MAX) {
            free_file(&f);
            return fail(&p, "%s: file id %s defined twice", at, f.id_text);
        }
        size_t index = add_file(d, &capacity); /* may move d->files */
        d->files[index] = f;
    }
    const cJSON *jobs = cJSON_GetObjectItemCaseSensitive(root, "jobs");
    if (!cJSON_IsArray(jobs))
        return fail(&p, "jobs: expected an array");
    d->jobs = mk_alloc((size_t)cJSON_GetArraySize(jobs) * sizeof(mk_job) + 1);
    k = 0;
    for (const cJSON *item = jobs->child; item; item = item->next, k++) {
        char at[64];
        snprintf(at, sizeof at, "jobs[%zu]", k);
        mk_job *j = &d->jobs[d->job_count++];
        if (!parse_job(&p, d, &capacity, item, at, machine_guid, j))
            return false;
        for (size_t i = 0; i + 1 < d->job_count; i++)
            if (memcmp(d->jobs[i].id, j->id, 16) == 0)
                return fail(&p, "%s: job id %s used twice", at, j->id_text);
    }
    mk_description_settle_deleted_files(d);
    return true;
}

bool mk_description_load(const char *path, mk_description *d, char *err, size_t err_size)
{
    memset(d, 0, sizeof(*d));
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "%s: %s", path, strerror(errno));
        return false;
    }
    mk_buffer text = {NULL, 0, 0};
    char chunk[65536];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        mk_put_bytes(&text, chunk, got);
    fclose(f);
    mk_put_u8(&text, 0);
    bool ok = mk_description_parse((const char *)text.data, d, err, err_size);
    mk_buffer_free(&text);
    return ok;
}

bool mk_description_delete_job(mk_description *d, const char *id_text)
{
    uint8_t id[16];
    if (!mk_guid_parse(id_text, id))
        return false;
    for (size_t i = 0; i < d->job_count; i++) {
        if (memcmp(d->jobs[i].id, id, 16) == 0) {
            d->jobs[i].deleted = true;
            mk_description_settle_deleted_files(d);
            return true;
        }
    }
    return false;
}

/* BITS removes a job's files with the job: a file goes when no live job lists it. */
void mk_description_settle_deleted_files(mk_description *d)
{
    bool *live = mk_alloc(d->file_count + 1);
    for (size_t i = 0; i < d->job_count; i++)
        for (size_t k = 0; k < d->jobs[i].file_count; k++)
            if (!d->jobs[i].deleted)
                live[d->jobs[i].file_indexes[k]] = true;
    for (size_t i = 0; i < d->file_count; i++)
        d->files[i].deleted = d->files[i].listed && !live[i];
    free(live);
}

void mk_description_free(mk_description *d)
{
    for (size_t i = 0; i < d->job_count; i++) {
        mk_job *j = &d->jobs[i];
        char *strings[] = {j->name, j->description, j->notify_program, j->notify_arguments, j->owner_sid,
                           j->creator_program, j->http_method, j->extra_string, j->proxy_list,
                           j->proxy_bypass_list, j->package_family_name, j->package_app_id};
        for (size_t s = 0; s < sizeof strings / sizeof strings[0]; s++)
            free(strings[s]);
        free(j->file_indexes);
    }
    for (size_t i = 0; i < d->file_count; i++)
        free_file(&d->files[i]);
    free(d->jobs);
    free(d->files);
    cJSON_Delete(d->json);
    memset(d, 0, sizeof(*d));
}
