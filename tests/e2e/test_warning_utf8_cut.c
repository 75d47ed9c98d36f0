/* Regression `warning-utf8-cut` (found by fuzz_carve): the blob decoders
 * format a warning into a 512-byte buffer, and a warning that quotes a long
 * decoded string ("owner SID "..." is not a SID") was cut inside a multi-byte
 * UTF-8 sequence. Every writer then printed invalid UTF-8: JSON that strict
 * readers reject. Warnings are now cut at a character boundary
 * (util_utf8_vformat, src/util/text.c).
 *
 * Checked here: util_utf8_vformat at every buffer size over 1-, 2-, 3- and
 * 4-byte characters; then job blobs whose owner SID is 250 CJK characters
 * after 0-3 ASCII ones (so the 512-byte cut falls on each byte of a
 * sequence), parsed plainly and with --carve: the owner SID is printed whole,
 * the warning quotes its start and is cut on a character, and the whole JSON
 * output is valid UTF-8. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdint.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "bits/markers.h"
#include "util/text.h"
#include "../fuzz/fuzz_targets.h"

#define JOB_ID "0f1e2d3c-4b5a-4978-8a9b-aabbccddeeff"
#define CJK "\xe6\xbc\xa2" /* U+6F22, 3 bytes in UTF-8 */

static void format(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void format(char *out, size_t size, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    util_utf8_vformat(out, size, fmt, args);
    va_end(args);
}

static void test_vformat_every_size(void)
{
    /* a, e-acute (2 bytes), U+6F22 (3), U+1F600 (4), z */
    static const char text[] = "a\xc3\xa9" CJK "\xf0\x9f\x98\x80z";
    static const size_t boundaries[] = {0, 1, 3, 6, 10, 11};
    for (size_t size = 1; size <= sizeof text + 1; size++) {
        char out[32];
        memset(out, 'X', sizeof out);
        format(out, size, "%s", text);
        size_t length = strlen(out);
        size_t want = 0; /* the longest whole-character prefix that fits */
        for (size_t i = 0; i < sizeof boundaries / sizeof boundaries[0]; i++)
            if (boundaries[i] < size)
                want = boundaries[i];
        CHECK_U64(length, want);
        CHECK(strncmp(out, text, length) == 0);
        CHECK(fuzz_utf8_valid((const unsigned char *)out, length));
    }
    char out[8];
    format(out, sizeof out, "%d-%s", 42, "ok"); /* fits: unchanged */
    CHECK_STR(out, "42-ok");
}

static char *owner_sid_of(int ascii)
{
    size_t size = (size_t)ascii + 250 * 3 + 1;
    char *sid = malloc(size);
    memset(sid, 'a', (size_t)ascii);
    for (int i = 0; i < 250; i++)
        memcpy(sid + ascii + 3 * i, CJK, 3);
    sid[size - 1] = '\0';
    return sid;
}

static void put_u32(uint8_t *out, size_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        out[(*at)++] = (uint8_t)(value >> (8 * i));
}

/* A job blob that ends after its owner SID: marker, type, priority, state,
 * type, id, four empty strings, then the SID as NUL-terminated UTF-16LE (one
 * unit per character here: ASCII and U+6F22 are both in the BMP). */
static uint8_t *job_blob_with_owner(int ascii, size_t *size)
{
    size_t units = (size_t)ascii + 250 + 1; /* with the terminating NUL */
    uint8_t *blob = calloc(1, 16 + 16 + 16 + 4 * 4 + 4 + units * 2);
    memcpy(blob, bits_job_markers[0].bytes, 16);
    size_t at = 16;
    put_u32(blob, &at, 0); /* type */
    put_u32(blob, &at, 2); /* priority: normal */
    put_u32(blob, &at, 0); /* state: queued */
    put_u32(blob, &at, 0); /* type */
    static const uint8_t id[16] = {0x3c, 0x2d, 0x1e, 0x0f, 0x5a, 0x4b, 0x78, 0x49,
                                   0x8a, 0x9b, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    memcpy(blob + at, id, 16);
    at += 16;
    for (int i = 0; i < 4; i++)
        put_u32(blob, &at, 0); /* name, description, notify program and arguments: empty */
    put_u32(blob, &at, (uint32_t)units);
    for (size_t i = 0; i < units; i++) {
        uint16_t unit = i < (size_t)ascii ? 'a' : i + 1 < units ? 0x6F22 : 0;
        blob[at++] = (uint8_t)unit;
        blob[at++] = (uint8_t)(unit >> 8);
    }
    *size = at;
    return blob;
}

static void check_queue(int ascii, bool carve)
{
    char *sid = owner_sid_of(ascii);
    size_t blob_size;
    uint8_t *blob = job_blob_with_owner(ascii, &blob_size);
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = carve;
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory_ex(blob, blob_size, "long-owner.blob", &options, &result),
              BP_STATUS_WARNINGS);
    size_t size;
    char *text = fuzz_render(result, BP_FORMAT_JSON, &size);
    CHECK(text && fuzz_utf8_valid((const unsigned char *)text, size));
    cJSON *records = text ? cJSON_ParseWithLength(text, size) : NULL;
    cJSON *record = cJSON_GetArrayItem(records, 0);
    CHECK_U64((uint64_t)cJSON_GetArraySize(records), 1);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(record, "job_id")), JOB_ID);
    const char *owner = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(record, "owner_sid"));
    CHECK_STR(owner ? owner : "", sid); /* the field itself is never cut */
    const char *warning =
        cJSON_GetStringValue(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(record, "warnings"), 0));
    char want[64];
    snprintf(want, sizeof want, "job: job blob: owner SID \"%.*s" CJK, ascii, "aaa");
    CHECK(warning && strncmp(warning, want, strlen(want)) == 0);
    /* "job: job blob: " + the 511 bytes that fit, less the first bytes of the cut character */
    size_t length = warning ? strlen(warning) : 0;
    CHECK(length <= 15 + 511 && length >= 15 + 511 - 2);
    cJSON_Delete(records);
    free(text);
    bp_result_free(result);
    free(blob);
    free(sid);
}

int main(void)
{
    test_vformat_every_size();
    for (int ascii = 0; ascii <= 3; ascii++) {
        check_queue(ascii, false);
        check_queue(ascii, true);
    }
    return check_exit();
}
