/* Legacy state file writer (see legacy_writer.h and README.md). */
#include "legacy_writer.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

/* ---- constants (bits-format §4.3, §6.1, §6.3) ------------------------------------------------- */

#define GUID_SIZE 16

static const char FILE_HEADER[] = "c82bf713-9940-4a12-9f1a-3aaebd894eea";
static const char QUEUE_HEADER[] = "005f4447-bda9-44ba-9851-c47bb6c07ace";
static const char TRANSFER_MARKER[] = "7756da36-516f-435a-acac-44a248fff34d";
static const char VERSION_WIN7[] = "2b196af5-007c-438f-8d12-1cfca4cc9b76";
static const char VERSION_WIN10[] = "09ed3228-c7a6-45e9-8f6d-36d946c27c3e";

typedef struct named_guid {
    const char *name;
    const char *guid;
} named_guid;

/* Job markers by short name: the two seen on real files and the three others. */
static const named_guid MARKERS[] = {
    {"win7", "35203693-0ca0-4a10-84f3-b17e7b499cd7"},
    {"win10", "3ded46b3-103b-44f9-bc2f-e8378bd31986"},
    {"c8701310", "c8701310-5336-41b3-83e5-81557f361b87"},
    {"64ea938c", "64ea938c-0f03-4068-b46f-f97fe51d4dcd"},
    {"810ce774", "810ce774-bbd2-48cc-9e47-862e8d58f3c6"},
};

/* A profile sets version, header offset, marker, tail and CRC at once. */
typedef struct profile {
    const char *name;
    const char *version;
    unsigned header_offset;
    const char *marker;
    const char *tail;
    bool crc;
} profile;

static const profile PROFILES[] = {
    {"win7", "win7", 16, "win7", "win7", false},
    {"win10early", "win10", 24, "win10", "win10", true},
    /* the three other markers with the Windows 7 framing: an assumption, not seen */
    {"c8701310", "win7", 16, "c8701310", "win7", false},
    {"64ea938c", "win7", 16, "64ea938c", "win7", false},
    {"810ce774", "win7", 16, "810ce774", "win7", false},
};

/* The 32 bytes of field 47 as in both real legacy records. */
static const uint8_t FIELD47[32] = {0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};

/* ---- growable buffer -------------------------------------------------------------------------- */

typedef struct buffer {
    uint8_t *data;
    size_t size, capacity;
    bool failed;
} buffer;

static void put(buffer *b, const void *bytes, size_t n)
{
    if (b->failed || n == 0)
        return;
    if (b->size + n > b->capacity) {
        size_t capacity = b->capacity ? b->capacity : 4096;
        while (capacity < b->size + n)
            capacity *= 2;
        uint8_t *grown = realloc(b->data, capacity);
        if (!grown) {
            b->failed = true;
            return;
        }
        b->data = grown;
        b->capacity = capacity;
    }
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static void put_zeros(buffer *b, size_t n)
{
    static const uint8_t zeros[64];
    while (n) {
        size_t chunk = n < sizeof zeros ? n : sizeof zeros;
        put(b, zeros, chunk);
        n -= chunk;
    }
}

static void put_u8(buffer *b, uint8_t v) { put(b, &v, 1); }

static void put_u32(buffer *b, uint32_t v)
{
    uint8_t bytes[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(b, bytes, 4);
}

static void put_u64(buffer *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

/* ---- errors ----------------------------------------------------------------------------------- */

typedef struct writer {
    char *error;
    size_t error_size;
    bool failed;
} writer;

static bool fail(writer *w, const char *format, ...) __attribute__((format(printf, 2, 3)));

static bool fail(writer *w, const char *format, ...)
{
    if (!w->failed && w->error && w->error_size) {
        va_list args;
        va_start(args, format);
        vsnprintf(w->error, w->error_size, format, args);
        va_end(args);
    }
    w->failed = true;
    return false;
}

/* ---- text encoders ---------------------------------------------------------------------------- */

static int hex_value(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool mklegacy_parse_guid(const char *text, uint8_t out[16])
{
    uint8_t plain[16];  /* the 32 hex digits in text order */
    size_t digits = 0;
    if (!text)
        return false;
    if (*text == '{')
        text++;
    for (const char *p = text; *p && *p != '}'; p++) {
        if (*p == '-')
            continue;
        int v = hex_value((unsigned char)*p);
        if (v < 0 || digits >= 32)
            return false;
        if (digits % 2 == 0)
            plain[digits / 2] = (uint8_t)(v << 4);
        else
            plain[digits / 2] |= (uint8_t)v;
        digits++;
    }
    if (digits != 32)
        return false;
    /* Data1 (4 bytes), Data2 and Data3 (2 each) are little-endian on disk */
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    for (int i = 0; i < 16; i++)
        out[i] = plain[order[i]];
    return true;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;  /* days since 1970-01-01 */
}

bool mklegacy_parse_time(const char *text, uint64_t *out)
{
    int year, month, day, hour, minute, second, used = 0;
    if (!text || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                        &used) != 6)
        return false;
    const char *p = text + used;
    uint64_t fraction = 0;
    int fraction_digits = 0;
    if (*p == '.') {
        for (p++; isdigit((unsigned char)*p); p++) {
            if (fraction_digits == 7)
                return false;
            fraction = fraction * 10 + (uint64_t)(*p - '0');
            fraction_digits++;
        }
        if (!fraction_digits)
            return false;
    }
    for (int i = fraction_digits; i < 7; i++)
        fraction *= 10;
    if (strcmp(p, "Z") != 0 || year < 1601 || month < 1 || month > 12 || day < 1 || day > 31 ||
        hour > 23 || minute > 59 || second > 60)
        return false;
    int64_t days = days_from_civil(year, month, day) - days_from_civil(1601, 1, 1);
    int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second;
    *out = (uint64_t)seconds * 10000000u + fraction;
    return true;
}

/* UTF-8 -> UTF-16LE code units (invalid bytes become U+FFFD); returns the unit count. */
static size_t utf16_units(const char *text, buffer *out)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t units = 0;
    while (*p) {
        uint32_t cp = 0xFFFD;
        int extra = 0;
        if (*p < 0x80) {
            cp = *p;
        } else if ((*p & 0xE0) == 0xC0) {
            cp = *p & 0x1F;
            extra = 1;
        } else if ((*p & 0xF0) == 0xE0) {
            cp = *p & 0x0F;
            extra = 2;
        } else if ((*p & 0xF8) == 0xF0) {
            cp = *p & 0x07;
            extra = 3;
        }
        p++;
        for (int i = 0; i < extra; i++, p++) {
            if ((*p & 0xC0) != 0x80) {
                cp = 0xFFFD;
                break;
            }
            cp = (cp << 6) | (*p & 0x3F);
        }
        if (cp >= 0x10000 && cp <= 0x10FFFF) {
            cp -= 0x10000;
            uint8_t pair[4] = {(uint8_t)((0xD800 | (cp >> 10)) & 0xFF), (uint8_t)((0xD800 | (cp >> 10)) >> 8),
                               (uint8_t)((0xDC00 | (cp & 0x3FF)) & 0xFF),
                               (uint8_t)((0xDC00 | (cp & 0x3FF)) >> 8)};
            if (out)
                put(out, pair, 4);
            units += 2;
        } else {
            if (cp > 0xFFFF)
                cp = 0xFFFD;
            uint8_t unit[2] = {(uint8_t)cp, (uint8_t)(cp >> 8)};
            if (out)
                put(out, unit, 2);
            units++;
        }
    }
    return units;
}

/* Counted string: u32 units including the NUL, the units, the NUL. */
static void put_wstr(buffer *b, const char *text)
{
    size_t units = utf16_units(text ? text : "", NULL);
    put_u32(b, (uint32_t)(units + 1));
    utf16_units(text ? text : "", b);
    put_zeros(b, 2);
}

/* "S-1-5-21-..." -> binary SID. */
static bool put_sid(writer *w, buffer *b, const char *text)
{
    if (!text || strncmp(text, "S-1-", 4) != 0)
        return fail(w, "not a SID: \"%s\"", text ? text : "");
    const char *p = text + 4;
    char *end;
    errno = 0;
    unsigned long long authority = strtoull(p, &end, 10);
    if (end == p || errno || authority > 0xFFFFFFFFFFFFull)
        return fail(w, "bad SID authority in \"%s\"", text);
    uint32_t subs[15];
    size_t count = 0;
    for (p = end; *p == '-';) {
        p++;
        unsigned long long v = strtoull(p, &end, 10);
        if (end == p || v > 0xFFFFFFFFull || count == 15)
            return fail(w, "bad SID sub-authority in \"%s\"", text);
        subs[count++] = (uint32_t)v;
        p = end;
    }
    if (*p)
        return fail(w, "trailing text in SID \"%s\"", text);
    put_u8(b, 1);
    put_u8(b, (uint8_t)count);
    for (int shift = 40; shift >= 0; shift -= 8)
        put_u8(b, (uint8_t)(authority >> shift));
    for (size_t i = 0; i < count; i++)
        put_u32(b, subs[i]);
    return true;
}

static bool put_guid(writer *w, buffer *b, const char *text)
{
    uint8_t guid[GUID_SIZE];
    if (!mklegacy_parse_guid(text, guid))
        return fail(w, "not a GUID: \"%s\"", text ? text : "");
    put(b, guid, GUID_SIZE);
    return true;
}

static bool put_hex(writer *w, buffer *b, const char *text)
{
    for (const char *p = text; p && *p;) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        int hi = hex_value((unsigned char)p[0]), lo = p[1] ? hex_value((unsigned char)p[1]) : -1;
        if (hi < 0 || lo < 0)
            return fail(w, "bad hex string");
        put_u8(b, (uint8_t)(hi << 4 | lo));
        p += 2;
    }
    return true;
}

/* ---- JSON accessors --------------------------------------------------------------------------- */

static const cJSON *item(const cJSON *obj, const char *key)
{
    return obj ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
}

/* A number (exact up to 2^53), a decimal or 0x string, or an RFC 3339 time. */
static uint64_t value_u64(writer *w, const cJSON *v, const char *key, uint64_t fallback)
{
    if (!v || cJSON_IsNull(v))
        return fallback;
    if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d < 0 && d >= -9007199254740992.0 && floor(d) == d)
            return (uint64_t)(int64_t)d;  /* -1 = all ones, as the format writes "unknown" */
        if (d < 0 || d > 9007199254740992.0 || floor(d) != d) {
            fail(w, "\"%s\": %g is not an exact integer (write large values as strings)", key, d);
            return fallback;
        }
        return (uint64_t)d;
    }
    if (cJSON_IsString(v)) {
        uint64_t t;
        if (mklegacy_parse_time(v->valuestring, &t))
            return t;
        char *end;
        errno = 0;
        int negative = v->valuestring[0] == '-';
        unsigned long long n = strtoull(v->valuestring + negative, &end, 0);
        if (*end || end == v->valuestring + negative || errno) {
            fail(w, "\"%s\": \"%s\" is neither a number nor an RFC 3339 time", key, v->valuestring);
            return fallback;
        }
        return negative ? (uint64_t)0 - (uint64_t)n : (uint64_t)n;
    }
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v) ? 1 : 0;
    fail(w, "\"%s\" must be a number or a string", key);
    return fallback;
}

bool mklegacy_json_u64(const cJSON *value, uint64_t *out)
{
    writer w = {NULL, 0, false};
    uint64_t v = value_u64(&w, value, "value", 0);
    if (w.failed || !value || cJSON_IsNull(value))
        return false;
    *out = v;
    return true;
}

static uint64_t get_u64(writer *w, const cJSON *obj, const char *key, uint64_t fallback)
{
    return value_u64(w, item(obj, key), key, fallback);
}

static uint32_t get_u32(writer *w, const cJSON *obj, const char *key, uint32_t fallback)
{
    return (uint32_t)get_u64(w, obj, key, fallback);
}

static const char *get_str(const cJSON *obj, const char *key, const char *fallback)
{
    const cJSON *v = item(obj, key);
    return cJSON_IsString(v) ? v->valuestring : fallback;
}

static const char *guid_named(const named_guid *table, size_t count, const char *name)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(table[i].name, name) == 0)
            return table[i].guid;
    return name;  /* a GUID written out */
}

/* ---- file record (§6.4) ------------------------------------------------------------------------ */

static void put_file(writer *w, buffer *b, const cJSON *f)
{
    uint64_t transferred = get_u64(w, f, "bytes_transferred", 0);
    put_wstr(b, get_str(f, "local_path", ""));
    put_wstr(b, get_str(f, "remote_url", ""));
    put_wstr(b, get_str(f, "temp_path", ""));
    put_u64(b, transferred);
    put_u64(b, get_u64(w, f, "bytes_total", UINT64_MAX));
    put_u8(b, 0);
    put_wstr(b, get_str(f, "drive", "C:\\"));
    put_wstr(b, get_str(f, "volume", ""));
    put_u32(b, 3);                                     /* field 10 */
    put_u32(b, get_u32(w, f, "volume_serial", 0));
    put_u64(b, get_u64(w, f, "file_size", UINT64_MAX));
    put_u32(b, get_u32(w, f, "attributes", 0x80));
    put_u32(b, 0);                                     /* section 1: no bytes */
    put_u8(b, 0);
    put_u32(b, 0);                                     /* section 2: no entries */
    put_u64(b, get_u64(w, f, "remote_file_time", 0));
    put_zeros(b, 16);
    put_u32(b, get_u32(w, f, "complete_flag", 0));
    put_u64(b, transferred);
    put_u64(b, 0);
}

static void put_file_list(writer *w, buffer *b, const cJSON *files)
{
    int count = cJSON_IsArray(files) ? cJSON_GetArraySize(files) : 0;
    put_guid(w, b, TRANSFER_MARKER);
    put_u32(b, (uint32_t)count);
    for (int i = 0; i < count; i++)
        put_file(w, b, cJSON_GetArrayItem(files, i));
    put_guid(w, b, TRANSFER_MARKER);
}

/* ---- job record (§6.2) ------------------------------------------------------------------------- */

/* Self-relative descriptor: owner = group = the owner SID, a DACL allowing it
 * full control, and a SACL with the mandatory label of its integrity level. */
static void put_default_sd(writer *w, buffer *b, const char *owner, uint32_t integrity)
{
    buffer sid = {0}, label = {0};
    put_sid(w, &sid, owner);
    char label_text[32];
    snprintf(label_text, sizeof label_text, "S-1-16-%u", integrity ? integrity : 0x2000);
    put_sid(w, &label, label_text);
    if (w->failed || sid.failed || label.failed) {
        free(sid.data);
        free(label.data);
        return;
    }
    uint32_t sacl_size = 8 + 8 + (uint32_t)label.size, dacl_size = 8 + 8 + (uint32_t)sid.size;
    uint32_t sacl_at = 20, dacl_at = sacl_at + sacl_size, owner_at = dacl_at + dacl_size;
    uint32_t group_at = owner_at + (uint32_t)sid.size;
    uint32_t total = group_at + (uint32_t)sid.size;
    put_u32(b, total);
    put_u8(b, 1);
    put_u8(b, 0);
    put_u8(b, 0x14);   /* control 0x8014: self-relative, DACL and SACL present */
    put_u8(b, 0x80);
    put_u32(b, owner_at);
    put_u32(b, group_at);
    put_u32(b, sacl_at);
    put_u32(b, dacl_at);
    /* SACL: revision 2, one mandatory label ACE (type 0x11), no-write-up */
    put_u8(b, 2);
    put_u8(b, 0);
    put_u8(b, (uint8_t)sacl_size);
    put_u8(b, (uint8_t)(sacl_size >> 8));
    put_u8(b, 1);
    put_zeros(b, 3);
    put_u8(b, 0x11);
    put_u8(b, 0);
    put_u8(b, (uint8_t)(8 + label.size));
    put_u8(b, 0);
    put_u32(b, 1);
    put(b, label.data, label.size);
    /* DACL: revision 2, one access-allowed ACE, full control */
    put_u8(b, 2);
    put_u8(b, 0);
    put_u8(b, (uint8_t)dacl_size);
    put_u8(b, (uint8_t)(dacl_size >> 8));
    put_u8(b, 1);
    put_zeros(b, 3);
    put_u8(b, 0);
    put_u8(b, 0);
    put_u8(b, (uint8_t)(8 + sid.size));
    put_u8(b, 0);
    put_u32(b, 0x000F003F);
    put(b, sid.data, sid.size);
    put(b, sid.data, sid.size);
    put(b, sid.data, sid.size);
    free(sid.data);
    free(label.data);
}

static void put_timer(writer *w, buffer *b, const cJSON *job, const char *key, bool present_default,
                      uint64_t start_default, uint64_t deadline_default)
{
    const cJSON *t = item(job, key);
    if (cJSON_IsFalse(t) || cJSON_IsNull(t) || (!t && !present_default)) {
        put_u8(b, 0);
        return;
    }
    put_u8(b, 1);
    put_u64(b, get_u64(w, t, "start", start_default));
    put_u64(b, get_u64(w, t, "deadline", deadline_default));
}

static void put_optional_wstr(buffer *b, const cJSON *job, const char *key)
{
    const char *text = get_str(job, key, NULL);
    put_u8(b, text ? 1 : 0);
    if (text)
        put_wstr(b, text);
}

static void put_errors(writer *w, buffer *b, const cJSON *job)
{
    const cJSON *errors = item(job, "errors");
    const cJSON *one = item(job, "error");
    int count = cJSON_IsArray(errors) ? cJSON_GetArraySize(errors) : one ? 1 : 0;
    put_u32(b, (uint32_t)count);
    for (int i = 0; i < count; i++) {
        const cJSON *e = cJSON_IsArray(errors) ? cJSON_GetArrayItem(errors, i) : one;
        const char *text = get_str(e, "text", NULL);
        put_u32(b, 0);
        put_u32(b, get_u32(w, e, "hresult", 0x80190194u));
        put_u32(b, 1);
        put_u32(b, get_u32(w, e, "context", 5));
        put_u32(b, get_u32(w, e, "class", 4));
        put_u8(b, text ? 1 : 0);
        if (text)
            put_wstr(b, text);
    }
}

static void put_custom_headers(writer *w, buffer *b, const cJSON *job)
{
    const cJSON *h = item(job, "custom_headers");
    if (!h || cJSON_IsFalse(h)) {
        put_u8(b, 0);
        return;
    }
    put_u8(b, 1);
    put_u64(b, get_u64(w, h, "plain_size", 0x68));
    buffer blob = {0};
    put_hex(w, &blob, get_str(h, "blob_hex", "01000000d08c9ddf0115d1118c7a00c04fc297eb"));
    put_u32(b, (uint32_t)blob.size);
    put(b, blob.data, blob.size);
    free(blob.data);
}

/* Read a whole file (the real records the tests embed). */
static bool put_raw_file(writer *w, buffer *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(w, "cannot open %s: %s", path, strerror(errno));
    uint8_t chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        put(b, chunk, n);
    bool error = ferror(f);
    fclose(f);
    return error ? fail(w, "cannot read %s", path) : true;
}

static void put_job(writer *w, buffer *b, const cJSON *job, const char *marker, const char *tail)
{
    const char *raw_file = get_str(job, "raw_file", NULL), *raw_hex = get_str(job, "raw_hex", NULL);
    if (raw_file) {
        put_raw_file(w, b, raw_file);
        return;
    }
    if (raw_hex) {
        put_hex(w, b, raw_hex);
        return;
    }
    marker = get_str(job, "marker", marker);
    marker = guid_named(MARKERS, sizeof MARKERS / sizeof MARKERS[0], marker);
    tail = get_str(job, "tail", tail);
    const char *owner = get_str(job, "owner_sid", "S-1-5-18");
    uint32_t integrity = get_u32(w, job, "owner_integrity", strcmp(owner, "S-1-5-18") ? 0x2000 : 0x4000);
    uint64_t created = get_u64(w, job, "created", 131332519788640000ull);
    uint64_t modified = get_u64(w, job, "modified", created);

    put_guid(w, b, marker);
    put_u32(b, get_u32(w, job, "type_field2", 0));
    put_u32(b, get_u32(w, job, "priority", 2));
    put_u32(b, get_u32(w, job, "state", 0));
    put_u32(b, get_u32(w, job, "type", 0));
    put_guid(w, b, get_str(job, "id", "00000000-0000-0000-0000-000000000001"));
    put_wstr(b, get_str(job, "name", ""));
    put_wstr(b, get_str(job, "description", ""));
    put_wstr(b, get_str(job, "notify_program", ""));
    put_wstr(b, get_str(job, "notify_arguments", ""));
    put_wstr(b, owner);
    put_u32(b, get_u32(w, job, "notify_flags", 3));
    put_u32(b, get_u32(w, job, "owner_is_local_system", strcmp(owner, "S-1-5-18") == 0));
    put_u32(b, integrity);
    put_u32(b, get_u32(w, job, "field15", 0));
    put_u32(b, get_u32(w, job, "field16", 0));
    put_u32(b, get_u32(w, job, "owner_constant", 0x5AEE41AC));
    const char *sd_hex = get_str(job, "security_descriptor_hex", NULL);
    if (sd_hex) {
        buffer sd = {0};
        put_hex(w, &sd, sd_hex);
        put_u32(b, (uint32_t)sd.size);
        put(b, sd.data, sd.size);
        free(sd.data);
    } else {
        put_default_sd(w, b, owner, integrity);
    }
    put_file_list(w, b, item(job, "files"));
    put_errors(w, b, job);
    put_u32(b, get_u32(w, job, "transient_error_count", 0));
    put_u32(b, get_u32(w, job, "retry_delay", 600));
    put_u32(b, get_u32(w, job, "no_progress_timeout", 1209600));
    put_u64(b, created);
    put_u64(b, modified);
    put_u64(b, get_u64(w, job, "modified2", modified));
    put_u64(b, get_u64(w, job, "completed", 0));
    put_u8(b, 0);
    put_u32(b, get_u32(w, job, "pending_kind", 0));
    put_timer(w, b, job, "inactivity_timer", true, modified, modified + 90ull * 86400 * 10000000);
    put_timer(w, b, job, "no_progress_timer", false, modified, modified);
    put_timer(w, b, job, "error_timer", false, modified, modified);
    put_timer(w, b, job, "retry_timer", false, modified, modified);
    put_u32(b, get_u32(w, job, "proxy_usage", 0));
    put_optional_wstr(b, job, "proxy_list");
    put_optional_wstr(b, job, "proxy_bypass_list");
    put_u8(b, 0);
    put_u32(b, get_u32(w, job, "acl_flags", 0));
    put_zeros(b, 3);
    put_custom_headers(w, b, job);
    put(b, FIELD47, sizeof FIELD47);
    put_u32(b, get_u32(w, job, "max_download_time", 7776000));
    if (strcmp(tail, "win7") == 0) {
        put_zeros(b, 8);
    } else if (strcmp(tail, "win10") == 0) {
        put_u32(b, 0);
        put_u32(b, 0);
        put_u32(b, get_u32(w, job, "cost_flags", 0x80000067u));
        put_u32(b, 0);
        put_zeros(b, 38);
        put_u8(b, 1);
    } else if (strncmp(tail, "zeros:", 6) == 0) {
        put_zeros(b, (size_t)strtoul(tail + 6, NULL, 10));  /* an unknown tail length */
    } else {
        fail(w, "unknown tail \"%s\" (win7, win10 or zeros:N)", tail);
    }
    put_guid(w, b, guid_named(MARKERS, sizeof MARKERS / sizeof MARKERS[0], get_str(job, "footer", marker)));
}

static void put_queue(writer *w, buffer *b, const cJSON *jobs, const cJSON *count_override,
                      const char *marker, const char *tail)
{
    int count = cJSON_IsArray(jobs) ? cJSON_GetArraySize(jobs) : 0;
    put_guid(w, b, QUEUE_HEADER);
    put_u32(b, (uint32_t)value_u64(w, count_override, "job_count", (uint64_t)count));
    for (int i = 0; i < count; i++)
        put_job(w, b, cJSON_GetArrayItem(jobs, i), marker, tail);
    put_guid(w, b, QUEUE_HEADER);
}

/* ---- state file (§6.1) ------------------------------------------------------------------------- */

static const profile *find_profile(const char *name)
{
    for (size_t i = 0; i < sizeof PROFILES / sizeof PROFILES[0]; i++)
        if (strcmp(PROFILES[i].name, name) == 0)
            return &PROFILES[i];
    return NULL;
}

static void put_state_file(writer *w, buffer *b, const cJSON *desc, const profile *p)
{
    const char *version = get_str(desc, "version", p->version);
    version = strcmp(version, "win7") == 0 ? VERSION_WIN7 : strcmp(version, "win10") == 0 ? VERSION_WIN10
                                                                                         : version;
    unsigned header_offset = get_u32(w, desc, "header_offset", p->header_offset);
    const char *marker = get_str(desc, "marker", p->marker);
    const char *tail = get_str(desc, "tail", p->tail);
    const cJSON *crc_item = item(desc, "crc");
    bool crc = crc_item ? cJSON_IsTrue(crc_item) || cJSON_IsString(crc_item) : p->crc;
    bool bad_crc = cJSON_IsString(crc_item) && strcmp(crc_item->valuestring, "bad") == 0;
    if (header_offset < GUID_SIZE || header_offset > 48)
        fail(w, "header_offset %u: must be 16..48", header_offset);

    put_guid(w, b, version);
    put_zeros(b, header_offset - GUID_SIZE);
    put_guid(w, b, FILE_HEADER);
    put_queue(w, b, item(desc, "jobs"), item(desc, "job_count"), marker, tail);
    put_queue(w, b, item(desc, "queue2"), item(desc, "queue2_count"), marker, tail);
    put_guid(w, b, FILE_HEADER);
    put_guid(w, b, version);
    if (crc && !b->failed) {
        uint32_t value = (uint32_t)crc32(0L, b->data, (uInt)b->size);
        put_u32(b, bad_crc ? value ^ 0x01000000u : value);
    }
    const char *slack = get_str(desc, "slack_hex", NULL);
    if (slack)
        put_hex(w, b, slack);
    size_t size = (size_t)get_u64(w, desc, "size", 0);
    if (size > b->size)
        put_zeros(b, size - b->size);
}

uint8_t *mklegacy_build(const cJSON *desc, size_t *size, char *error, size_t error_size)
{
    writer w = {error, error_size, false};
    buffer b = {0};
    if (error && error_size)
        error[0] = '\0';
    if (!cJSON_IsObject(desc)) {
        fail(&w, "the description must be a JSON object");
        return NULL;
    }
    const char *profile_name = get_str(desc, "profile", "win7");
    const profile *p = find_profile(profile_name);
    if (!p) {
        fail(&w, "unknown profile \"%s\"", profile_name);
        return NULL;
    }
    const char *kind = get_str(desc, "kind", "state_file");
    const cJSON *jobs = item(desc, "jobs");
    const cJSON *first = cJSON_IsArray(jobs) ? cJSON_GetArrayItem(jobs, 0) : NULL;
    if (strcmp(kind, "state_file") == 0) {
        put_state_file(&w, &b, desc, p);
    } else if (strcmp(kind, "job_record") == 0 && first) {
        put_job(&w, &b, first, get_str(desc, "marker", p->marker), get_str(desc, "tail", p->tail));
    } else if (strcmp(kind, "file_list") == 0 && first) {
        put_file_list(&w, &b, item(first, "files"));
    } else {
        fail(&w, "unknown kind \"%s\", or no job to write", kind);
    }
    if (b.failed)
        fail(&w, "out of memory");
    if (w.failed) {
        free(b.data);
        return NULL;
    }
    *size = b.size;
    return b.data;
}

uint8_t *mklegacy_build_text(const char *json, size_t *size, char *error, size_t error_size)
{
    cJSON *desc = cJSON_Parse(json);
    if (!desc) {
        if (error && error_size)
            snprintf(error, error_size, "invalid JSON near \"%.40s\"",
                     cJSON_GetErrorPtr() ? cJSON_GetErrorPtr() : "");
        return NULL;
    }
    uint8_t *bytes = mklegacy_build(desc, size, error, error_size);
    cJSON_Delete(desc);
    return bytes;
}
