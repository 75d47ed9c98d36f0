/* Windows 11 24H2 job blobs of packaged (Store/MSIX) apps (bits-format §4.1
 * #54b): after field 54's first GUID the byte is 0 and the app's package
 * family name and application id follow, then `01`, a u32 and the GUID again.
 * Such a healthy blob decodes with both strings, no warning and every later
 * field right; the bytes mkqmgr writes are checked against the layout built by
 * hand; a blob cut at every byte of the 54b region, or damaged inside it,
 * keeps what was read and warns, never reporting a partial or wrong string;
 * and the anchor fallback recovers the package identity. */
#include <stdint.h>
#include <string.h>

#include "bits/job_blob.h"
#include "blob_encoders.h"
#include "check.h"
#include "description.h"

#define WEBVIEW \
    "C:\\\\Program Files (x86)\\\\Microsoft\\\\EdgeWebView\\\\Application\\\\131.0.2903.99\\\\" \
    "msedgewebview2.exe"
#define WEBVIEW_TEXT "C:\\Program Files (x86)\\Microsoft\\EdgeWebView\\Application\\131.0.2903.99\\msedgewebview2.exe"
#define WIDGETS_FAMILY "MicrosoftWindows.Client.WebExperience_cw5n1h2txyewy"
#define OUTLOOK_FAMILY "Microsoft.OutlookForWindows_8wekyb3d8bbwe"
#define OUTLOOK_APP "!Microsoft.OutlookforWindows"
#define FIELD54_GUID "60262afb-bfa5-4382-a0a6-f1837f9ca0a4"

/* Two jobs as the 24H2 sample holds them (bits-format §4.1 #54b): the Widgets
 * board and the new Outlook, both through Edge WebView2. */
static const char *const description =
    "{\"os_build\":26100,\"machine_guid\":\"" FIELD54_GUID "\",\"jobs\":["
    "{\"id\":\"3b8e51d2-0c47-4a9e-b6f3-7d21c9e5a084\",\"name\":\"WebExperience asset\","
    "\"owner_sid\":\"S-1-5-21-2911405682-1803554197-3650872611-1001\",\"state\":\"TRANSFERRED\","
    "\"created\":\"2024-11-19T09:12:44.5021337Z\",\"modified\":\"2024-11-19T09:12:47.0000000Z\","
    "\"max_download_time\":86400,\"cost_flags\":\"0x80000065\","
    "\"creator_program\":\"" WEBVIEW "\",\"package_family_name\":\"" WIDGETS_FAMILY "\",\"package_app_id\":\"!App\","
    "\"files\":[{\"id\":\"a7f0c3e9-58d2-4b16-9e4a-2c81d5f7b360\",\"local_path\":\"C:\\\\Users\\\\ana\\\\x.bin\","
    "\"remote_url\":\"https://assets.msn.com/x.bin\"}]},"
    "{\"id\":\"c90d4f17-e26b-4835-a1c8-5b7e03f9d246\",\"name\":\"OutlookAttachment\","
    "\"owner_sid\":\"S-1-5-21-2911405682-1803554197-3650872611-1001\",\"state\":\"SUSPENDED\","
    "\"created\":\"2024-11-20T16:03:05.0000000Z\",\"extra_string\":\"Schedule\","
    "\"creator_program\":\"" WEBVIEW "\",\"package_family_name\":\"" OUTLOOK_FAMILY "\","
    "\"package_app_id\":\"" OUTLOOK_APP "\"}]}";

static bool any_warning_contains(const bp_job *job, const char *text)
{
    for (const bp_note *n = job->warnings.head; n; n = n->next)
        if (strstr(n->text, text))
            return true;
    return false;
}

static void print_warnings(const char *what, const bp_job *job)
{
    for (const bp_note *n = job->warnings.head; n; n = n->next)
        fprintf(stderr, "  %s: %s\n", what, n->text);
}

static bool strings_set(const bp_job *job)
{
    const char *strings[] = {job->job_id, job->name, job->owner_sid, job->field54_guid, job->creator_program,
                             job->http_method, job->extra_string, job->package_family_name, job->package_app_id};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (!strings[i])
            return false;
    return true;
}

/* Offset of the first copy of `needle` in the blob, SIZE_MAX when absent. */
static size_t find(const mk_buffer *blob, const uint8_t *needle, size_t length)
{
    for (size_t i = 0; i + length <= blob->size; i++)
        if (memcmp(blob->data + i, needle, length) == 0)
            return i;
    return SIZE_MAX;
}

static void put_u32(uint8_t *out, size_t *at, uint32_t value)
{
    for (int i = 0; i < 4; i++)
        out[(*at)++] = (uint8_t)(value >> (8 * i));
}

/* `01`, u32 units (NUL included), the UTF-16LE units of ASCII text. */
static void put_flagged_wstr(uint8_t *out, size_t *at, const char *text)
{
    size_t units = strlen(text) + 1;
    out[(*at)++] = 1;
    put_u32(out, at, (uint32_t)units);
    for (size_t i = 0; i < units; i++) {
        out[(*at)++] = (uint8_t)text[i];
        out[(*at)++] = 0;
    }
}

/* Where field 54b lies in one blob: the 0 byte, the end of each string, the
 * end of the second GUID (field 55 follows, then the creator program). */
typedef struct region {
    size_t zero, family_end, app_end, guid2_end, creator;
} region;

static region locate(const mk_buffer *blob, const uint8_t guid[16], const char *family, const char *app)
{
    region r;
    r.zero = find(blob, guid, 16) + 16;
    r.family_end = r.zero + 1 + 1 + 4 + 2 * (strlen(family) + 1);
    r.app_end = r.family_end + 1 + 4 + 2 * (strlen(app) + 1);
    r.guid2_end = r.app_end + 1 + 4 + 16;
    r.creator = r.guid2_end + 21;
    return r;
}

static void check_widgets_job(const bp_job *job, size_t size)
{
    CHECK_STR(job->job_id, "3b8e51d2-0c47-4a9e-b6f3-7d21c9e5a084");
    CHECK_STR(job->name, "WebExperience asset");
    CHECK_STR(job->package_family_name, WIDGETS_FAMILY);
    CHECK_STR(job->package_app_id, "!App");
    CHECK_STR(job->field54_guid, FIELD54_GUID);
    CHECK_STR(job->creator_program, WEBVIEW_TEXT);
    CHECK_STR(job->http_method, "GET");
    CHECK_STR(job->extra_string, "");
    CHECK_U64(job->max_download_time, 86400);
    CHECK_U64(job->cost_flags, 0x80000065u);
    CHECK_U64(job->state, 6);
    CHECK_U64(job->file_count, 1);
    CHECK(job->file_count == 1 && strcmp(job->file_ids[0], "a7f0c3e9-58d2-4b16-9e4a-2c81d5f7b360") == 0);
    CHECK(job->tail_decoded);
    CHECK(job->complete);
    CHECK_U64(job->blob_size, size);
}

/* mkqmgr's 54b bytes are the layout of bits-format §4.1, built here by hand. */
static void test_encoded_layout(const mk_buffer *blob, const uint8_t guid[16])
{
    uint8_t want[256];
    size_t n = 0;
    memcpy(want + n, guid, 16);
    n += 16;
    want[n++] = 0;
    put_flagged_wstr(want, &n, WIDGETS_FAMILY);
    put_flagged_wstr(want, &n, "!App");
    want[n++] = 1;
    put_u32(want, &n, 0x25);
    memcpy(want + n, guid, 16);
    n += 16;
    CHECK_U64(want[17 + 1], 52);  /* n of the family name as in the real sample, NUL included */
    size_t at = find(blob, guid, 16);
    CHECK(at != SIZE_MAX && at + n <= blob->size && memcmp(blob->data + at, want, n) == 0);
}

static void test_healthy(util_arena *arena, const mk_buffer *widgets, const mk_buffer *outlook)
{
    bp_job *job = bits_decode_job(arena, widgets->data, widgets->size);
    CHECK(job != NULL);
    if (!job)
        return;
    check_widgets_job(job, widgets->size);
    CHECK_U64(job->warnings.count, 0);
    print_warnings("healthy widgets job", job);  /* none expected; shown when the check fails */

    job = bits_decode_job(arena, outlook->data, outlook->size);
    CHECK(job != NULL);
    if (!job)
        return;
    CHECK_STR(job->job_id, "c90d4f17-e26b-4835-a1c8-5b7e03f9d246");
    CHECK_STR(job->package_family_name, OUTLOOK_FAMILY);
    CHECK_STR(job->package_app_id, OUTLOOK_APP);
    CHECK_STR(job->field54_guid, FIELD54_GUID);
    CHECK_STR(job->creator_program, WEBVIEW_TEXT);
    CHECK_STR(job->http_method, "GET");
    CHECK_STR(job->extra_string, "Schedule");
    CHECK_U64(job->state, 3);  /* suspended: field 54's first flag is 0 */
    CHECK_U64(job->max_download_time, 7776000);
    CHECK(job->complete);
    CHECK_U64(job->warnings.count, 0);
    print_warnings("healthy outlook job", job);
}

/* Cut at every byte from field 54's 0 byte to just past field 55: each string
 * is either whole or "", the numbers of fields 48-55 are set only once field
 * 55 is whole, there is a warning and never a false one about the GUIDs or a
 * string's length. */
static void test_cut_sweep(util_arena *arena, const mk_buffer *blob, const region *r)
{
    size_t bad = 0;
    for (size_t cut = r->zero - 1; cut <= r->creator + 2; cut++) {
        bp_job *job = bits_decode_job(arena, blob->data, cut);
        bool ok = job && strings_set(job);
        if (ok) {
            const char *family = cut >= r->family_end ? WIDGETS_FAMILY : "";
            const char *app = cut >= r->app_end ? "!App" : "";
            ok = strcmp(job->package_family_name, family) == 0 && strcmp(job->package_app_id, app) == 0 &&
                 job->creator_program[0] == '\0' && !job->complete &&
                 job->max_download_time == (cut >= r->creator ? 86400u : 0u) &&
                 strcmp(job->job_id, "3b8e51d2-0c47-4a9e-b6f3-7d21c9e5a084") == 0 && job->warnings.count >= 1 &&
                 any_warning_contains(job, "truncated at offset") && !any_warning_contains(job, "differ") &&
                 !any_warning_contains(job, "claims") && !any_warning_contains(job, "resynchronised");
        }
        if (!ok) {
            bad++;
            fprintf(stderr, "cut at %zu (54b region 0x%zx-0x%zx) decoded wrongly\n", cut, r->zero, r->creator);
            if (job)
                print_warnings("cut", job);
        }
    }
    CHECK_U64(bad, 0);
    printf("cut sweep: %zu lengths from 0x%zx to 0x%zx\n", r->creator + 3 - (r->zero - 1), r->zero - 1,
           r->creator + 2);
}

/* The second GUID differs: the only inconsistency this variant can have. */
static void test_second_guid_differs(util_arena *arena, const mk_buffer *blob, const region *r)
{
    mk_buffer copy = {NULL, 0, 0};
    mk_put_bytes(&copy, blob->data, blob->size);
    copy.data[r->guid2_end - 1] ^= 0x5A;
    bp_job *job = bits_decode_job(arena, copy.data, copy.size);
    CHECK(job != NULL);
    if (job) {
        check_widgets_job(job, copy.size);
        CHECK_U64(job->warnings.count, 1);
        CHECK(any_warning_contains(job, "the two copies of the field 54 GUID differ"));
    }
    mk_buffer_free(&copy);
}

/* A presence byte that is neither 0 nor 1: no string is taken from it, the
 * tail is resynchronised on its constant (creator program, method, footer)
 * and the unreadable block leaves the limits unset. */
static void test_bad_presence_byte(util_arena *arena, const mk_buffer *blob, const region *r)
{
    mk_buffer copy = {NULL, 0, 0};
    mk_put_bytes(&copy, blob->data, blob->size);
    copy.data[r->zero + 1] = 2;
    bp_job *job = bits_decode_job(arena, copy.data, copy.size);
    CHECK(job != NULL);
    if (job) {
        CHECK_STR(job->package_family_name, "");
        CHECK_STR(job->package_app_id, "");
        CHECK_STR(job->creator_program, WEBVIEW_TEXT);
        CHECK_STR(job->http_method, "GET");
        CHECK_U64(job->max_download_time, 0);
        CHECK(job->complete);
        CHECK(any_warning_contains(job, "package family name (field 54b) at offset"));
        CHECK(any_warning_contains(job, "resynchronised"));
        CHECK(!any_warning_contains(job, "differ"));
    }
    mk_buffer_free(&copy);
}

/* A damaged timer flag stops the sequential decode before field 48; the
 * anchor fallback finds the creator program and, walking back over field
 * 54b, the package identity and the limits. */
static void test_anchor_recovery(util_arena *arena, const mk_buffer *blob)
{
    /* field 35 (inactivity timer) starts 37 bytes after the creation time
     * (#29-#34), field 36's presence byte 17 bytes later */
    static const uint8_t created[8] = {0x99, 0x6c, 0x8c, 0x31, 0x63, 0x3a, 0xdb, 0x01};
    size_t at = find(blob, created, sizeof created);
    CHECK(at != SIZE_MAX && at + 54 < blob->size);
    if (at == SIZE_MAX || at + 54 >= blob->size)
        return;
    CHECK_U64(blob->data[at + 37], 1);
    CHECK_U64(blob->data[at + 54], 0);
    mk_buffer copy = {NULL, 0, 0};
    mk_put_bytes(&copy, blob->data, blob->size);
    copy.data[at + 54] = 7;
    bp_job *job = bits_decode_job(arena, copy.data, copy.size);
    CHECK(job != NULL);
    if (job) {
        CHECK_STR(job->package_family_name, WIDGETS_FAMILY);
        CHECK_STR(job->package_app_id, "!App");
        CHECK_STR(job->field54_guid, FIELD54_GUID);
        CHECK_STR(job->creator_program, WEBVIEW_TEXT);
        CHECK_U64(job->max_download_time, 86400);
        CHECK_U64(job->cost_flags, 0x80000065u);
        CHECK(job->complete);
        CHECK(any_warning_contains(job, "field 54 GUID and package identity recovered from offset"));
        CHECK(!any_warning_contains(job, "differ"));
    }
    mk_buffer_free(&copy);
}

int main(void)
{
    mk_description d;
    char err[256];
    CHECK(mk_description_parse(description, &d, err, sizeof err));
    if (d.job_count != 2) {
        fprintf(stderr, "description: %s\n", err);
        return check_exit();
    }
    uint8_t guid[16];
    CHECK(mk_guid_parse(FIELD54_GUID, guid));
    mk_buffer widgets = {NULL, 0, 0}, outlook = {NULL, 0, 0};
    mk_encode_job_blob(&d, &d.jobs[0], &widgets);
    mk_encode_job_blob(&d, &d.jobs[1], &outlook);
    region r = locate(&widgets, guid, WIDGETS_FAMILY, "!App");

    util_arena arena;
    util_arena_init(&arena);
    test_encoded_layout(&widgets, guid);
    test_healthy(&arena, &widgets, &outlook);
    test_cut_sweep(&arena, &widgets, &r);
    test_second_guid_differs(&arena, &widgets, &r);
    test_bad_presence_byte(&arena, &widgets, &r);
    test_anchor_recovery(&arena, &widgets);
    util_arena_free(&arena);

    mk_buffer_free(&widgets);
    mk_buffer_free(&outlook);
    mk_description_free(&d);
    return check_exit();
}
