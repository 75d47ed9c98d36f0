/* Legacy job record and file list decoder (bits-format §6.2-6.4,
 * docs/format-legacy.md §3-4): the two real records and the real Windows 8.1
 * file list field by field (EXPECTED.md, legacy/), every truncation and a
 * byte-corruption sweep of them, and generated records for what the real ones
 * do not exercise (every marker and tail, errors, timers, proxies, headers,
 * several files, unknown tails). */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "legacy_check.h"

#include "bits/legacy_job_record.h"
#include "bits/markers.h"
#include "util/arena.h"
#include "util/text.h"

#define WIN7_RECORD "testdata/legacy/win7-job-record.bin"
#define WIN10_RECORD "testdata/legacy/win10early-job-record.bin"
#define WIN81_LIST "testdata/legacy/win81-file-list.bin"

static const char *ft(uint64_t filetime)
{
    static char text[8][32];
    static int next;
    char *out = text[next++ % 8];
    util_filetime_format(filetime, out);
    return out;
}

/* What EXPECTED.md (legacy/) says about a real record, times with all 7 digits
 * (EXPECTED.md gives milliseconds; the digits after them are from the bytes). */
typedef struct real_job {
    const char *path;
    size_t size;
    const char *id, *name, *marker, *command, *url, *local, *temp, *volume;
    uint64_t transferred, total;
    const char *created, *modified, *expiration, *remote_time;
    uint32_t sd_size, cost_flags;
    legacy_tail_kind tail;
    const char *aces[5];  /* DACL entries "type sid" in order */
} real_job;

static const real_job WIN7 = {
    WIN7_RECORD, 1980, "81120ac0-35b5-49ef-9c1a-0ee3d5572ffc", "TTT",
    "35203693-0ca0-4a10-84f3-b17e7b499cd7", "c:\\windows\\system32\\cmd.exe",
    "http://mirror.isoc.org.il/pub/videolan/vlc/2.2.4/win64/vlc-2.2.4-win64.exe",
    "c:\\temp\\_bits2\\vlc3.exe", "c:\\temp\\_bits2\\BIT36BE.tmp",
    "\\\\?\\Volume{9a222d92-399d-11e5-8e3a-806e6f6e6963}\\", 0, UINT64_MAX,
    "2017-03-06T11:12:58.8642977Z", "2017-03-06T11:55:00.0925037Z", "2017-06-04T11:55:00.0925037Z", "",
    1144, 0, LEGACY_TAIL_WIN7,
    {"AccessDenied S-1-5-7", "AccessDenied S-1-5-2", "AccessAllowed S-1-5-18",
     "AccessAllowed S-1-5-32-544", NULL},
};

static const real_job WIN10 = {
    WIN10_RECORD, 1973, "2f265c44-d606-40f4-ba5e-3c269739aa37", "STST",
    "3ded46b3-103b-44f9-bc2f-e8378bd31986", "c:\\windows\\System32\\cmd.exe",
    "http://get.videolan.org/vlc/2.2.4/win64/vlc-2.2.4-win64.exe", "c:\\temp\\vlc.exe",
    "c:\\temp\\BITFFC1.tmp", "\\\\?\\Volume{2a13e171-4de9-43b1-870b-904239a3bf1b}\\", 9985, 31717016,
    "2017-07-09T10:44:34.3206223Z", "2017-07-09T10:48:24.2379632Z", "2017-10-07T10:48:24.2379632Z",
    "2016-06-01T14:58:18.0000000Z", 1148, 0x80000067u, LEGACY_TAIL_WIN10,
    {"AccessDenied S-1-5-7", "AccessAllowed S-1-5-18", "AccessAllowed S-1-5-32-544",
     "AccessAllowed S-1-5-32-580", NULL},
};

/* ---- the real records, whole ------------------------------------------------------------------ */

static void check_real_fields(const real_job *want, const legacy_job_record *rec)
{
    const bp_job *job = rec->job;
    CHECK(job != NULL);
    if (!job)
        return;
    CHECK(rec->complete);
    CHECK(rec->has_id);
    CHECK_U64(rec->tail, want->tail);
    CHECK_U64(rec->end, want->size);
    CHECK_U64(job->blob_size, want->size);
    CHECK_STR(job->job_id, want->id);
    CHECK_STR(job->marker, want->marker);
    CHECK_STR(job->name, want->name);
    CHECK_STR(job->description, "");
    CHECK_STR(job->notify_program, want->command);
    CHECK_STR(job->notify_arguments, "");
    CHECK_STR(job->owner_sid, "S-1-5-18");
    CHECK_U64(job->job_type, 0);        /* Download */
    CHECK_U64(job->priority, 2);        /* Normal */
    CHECK_U64(job->state, 0);           /* Queued */
    CHECK_U64(job->notify_flags, 3);
    CHECK_U64(job->owner_is_local_system, 1);
    CHECK_U64(job->owner_integrity, 0x4000);
    CHECK_U64(job->security_descriptor_size, want->sd_size);
    CHECK_STR(job->sd_owner_sid, "S-1-5-18");
    CHECK_U64(job->sd_control, 0x801F);
    size_t dacl = 0;
    for (size_t i = 0; i < job->ace_count; i++) {
        const bp_ace *ace = &job->aces[i];
        if (strcmp(ace->acl, "DACL") != 0)
            continue;
        char text[96];
        snprintf(text, sizeof text, "%s %s", ace->ace_type, ace->sid);
        CHECK(dacl < 4 && want->aces[dacl]);
        if (dacl < 4 && want->aces[dacl])
            CHECK_STR(text, want->aces[dacl]);
        dacl++;
    }
    CHECK_U64(dacl, 4);
    CHECK(!job->has_error);
    CHECK_U64(job->retry_delay, 600);
    CHECK_U64(job->no_progress_timeout, 1209600);
    CHECK_STR(ft(job->created), want->created);
    CHECK_STR(ft(job->modified), want->modified);
    CHECK_STR(ft(job->modified2), want->modified);
    CHECK_U64(job->completed, 0);
    CHECK(job->inactivity_timer.present);
    CHECK_STR(ft(job->inactivity_timer.start), want->modified);
    CHECK_STR(ft(job->inactivity_timer.deadline), want->expiration);
    CHECK(!job->no_progress_timer.present && !job->error_timer.present && !job->retry_timer.present);
    CHECK_U64(job->proxy_usage, 0);
    CHECK(!job->has_custom_headers);
    CHECK_U64(job->max_download_time, BITS_DEFAULT_MAX_DOWNLOAD_TIME);
    CHECK_U64(job->cost_flags, want->cost_flags);
    CHECK(job->tail_decoded && job->complete);
    CHECK_STR(job->creator_program, "");  /* ESE-era field, not in legacy records */
    CHECK_STR(job->http_method, "");
    CHECK_U64(job->warnings.count, 0);
    legacy_print_notes("unexpected warning", &job->warnings);

    CHECK_U64(rec->files.count, 1);
    if (rec->files.count != 1)
        return;
    const bp_file *file = rec->files.files[0].file;
    CHECK_STR(file->file_id, "");
    CHECK_STR(file->remote_url, want->url);
    CHECK_STR(file->local_path, want->local);
    CHECK_STR(file->temp_path, want->temp);
    CHECK_U64(file->bytes_transferred, want->transferred);
    CHECK_U64(file->bytes_total, want->total);
    CHECK_STR(file->drive, "c:\\");
    CHECK_STR(file->volume, want->volume);
    CHECK_U64((uint64_t)file->file_size, want->total);  /* -1 (unknown) on the Windows 7 job */
    CHECK_STR(ft(file->remote_file_time), want->remote_time);
    CHECK(file->complete && file->tail_decoded);
    CHECK_U64(file->warnings.count, 0);
    legacy_print_notes("unexpected file warning", &file->warnings);
    CHECK(rec->files.complete);
}

static uint8_t *read_real(const real_job *want, size_t *size)
{
    uint8_t *data = read_whole_file(shared_path(want->path), size);
    CHECK(data != NULL);
    CHECK_U64(*size, want->size);
    return data;
}

static void test_real_record(const real_job *want)
{
    size_t size;
    uint8_t *data = read_real(want, &size);
    if (!data)
        return;
    util_arena arena;
    util_arena_init(&arena);
    legacy_job_record rec;
    CHECK(legacy_decode_job_record(&arena, data, size, 0, &rec));
    check_real_fields(want, &rec);

    /* the same bytes inside a larger buffer, at an odd offset: offsets are absolute */
    uint8_t *shifted = calloc(1, size + 333);
    memcpy(shifted + 77, data, size);
    CHECK(legacy_decode_job_record(&arena, shifted, size + 333, 77, &rec));
    CHECK_U64(rec.start, 77);
    CHECK_U64(rec.end, 77 + size);
    CHECK_STR(rec.job->job_id, want->id);
    CHECK_U64(rec.files.files[0].offset, want == &WIN7 ? 77 + 0x542 : 77 + 0x548);
    free(shifted);

    /* through the library entry point: recognised by content, one record, clean */
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "record.bin", &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 1);
    const bp_record *r = bp_result_record(result, 0);
    if (r) {
        CHECK_STR(r->job_source.format, "legacy");
        CHECK_STR(r->file_source.format, "legacy");
        CHECK_STR(r->job_source.generation, "");
        CHECK_U64(r->job_source.blob_size, size);
        CHECK_STR(r->job->job_id, want->id);
        CHECK_STR(r->file->remote_url, want->url);
        CHECK_U64(r->warnings.count, 0);
    }
    bp_result_free(result);
    util_arena_free(&arena);
    free(data);
}

/* ---- the real records, truncated at every byte ------------------------------------------------- */

static void test_real_truncations(const real_job *want)
{
    size_t size;
    uint8_t *data = read_real(want, &size);
    if (!data)
        return;
    util_arena whole_arena;
    util_arena_init(&whole_arena);
    legacy_job_record whole;
    legacy_decode_job_record(&whole_arena, data, size, 0, &whole);
    size_t name_end = 0x30 + 4 + 2 * (strlen(want->name) + 1);
    size_t files_end = whole.files.end;
    size_t created_end = files_end + 4 + 12 + 8;  /* error count, three u32, creation time */
    size_t bad = 0;
    for (size_t n = 0; n < size; n++) {
        uint8_t *copy = malloc(n ? n : 1);
        memcpy(copy, data, n);
        util_arena arena;
        util_arena_init(&arena);
        legacy_job_record rec;
        bool complete = legacy_decode_job_record(&arena, copy, n, 0, &rec);
        const bp_job *job = rec.job;
        bool ok = job && legacy_job_sane(job) && !complete && rec.end <= n && rec.end >= rec.start &&
                  (n < 16 || job->warnings.count > 0);
        ok = ok && (strcmp(job->job_id, want->id) == 0 || (n < 0x30 && job->job_id[0] == '\0'));
        ok = ok && (n < name_end || strcmp(job->name, want->name) == 0);
        ok = ok && (n < files_end || (rec.files.count == 1 &&
                                      strcmp(rec.files.files[0].file->remote_url, want->url) == 0));
        ok = ok && (n < created_end || strcmp(ft(job->created), want->created) == 0);
        for (size_t i = 0; ok && i < rec.files.count; i++)
            ok = legacy_file_sane(rec.files.files[i].file) && rec.files.files[i].offset < n;
        /* and through the library: never "clean" for a cut record */
        bp_result *result = NULL;
        int status = bp_parse_memory(copy, n, "cut.bin", &result);
        ok = ok && legacy_result_sane(result) && status != BP_STATUS_CLEAN;
        for (size_t i = 0; ok && i < bp_result_count(result); i++) {
            const char *id = bp_result_record(result, i)->job->job_id;
            ok = id[0] == '\0' || strcmp(id, want->id) == 0;
        }
        if (!ok && bad++ < 5)
            fprintf(stderr, "%s cut at %zu: wrong result\n", want->path, n);
        bp_result_free(result);
        util_arena_free(&arena);
        free(copy);
    }
    CHECK_U64(bad, 0);
    util_arena_free(&whole_arena);
    free(data);
}

/* ---- the real records, each byte overwritten -------------------------------------------------- */

static void test_real_corruptions(const real_job *want)
{
    size_t size;
    uint8_t *data = read_real(want, &size);
    if (!data)
        return;
    static const uint8_t values[] = {0x00, 0xFF, 0x7F};
    size_t bad = 0, complete = 0;
    uint8_t *copy = malloc(size);
    for (size_t at = 0; at < size; at++) {
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, data, size);
            copy[at] = values[v] == copy[at] ? (uint8_t)~values[v] : values[v];
            util_arena arena;
            util_arena_init(&arena);
            legacy_job_record rec;
            complete += legacy_decode_job_record(&arena, copy, size, 0, &rec);
            bool ok = rec.job && legacy_job_sane(rec.job) && rec.end <= size && rec.end > rec.start;
            for (size_t i = 0; ok && i < rec.files.count; i++)
                ok = legacy_file_sane(rec.files.files[i].file);
            /* a change before the id cannot leave the id wrong but decoded */
            if (!ok && bad++ < 5)
                fprintf(stderr, "%s byte %zu = 0x%02x: insane result\n", want->path, at, copy[at]);
            util_arena_free(&arena);
        }
    }
    CHECK_U64(bad, 0);
    CHECK(complete > 0);  /* most single-byte changes inside strings still decode */
    free(copy);
    free(data);
}

/* ---- the real Windows 8.1 file list ---------------------------------------------------------- */

static void test_real_file_list(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(WIN81_LIST), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    CHECK_U64(size, 975);
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list notes = {NULL, NULL, 0};
    legacy_file_list list;
    CHECK(!legacy_decode_file_list(&arena, data, size, 0, &notes, "list", &list));
    CHECK(!list.complete);
    CHECK_U64(list.count, 1);
    if (list.count == 1) {
        const bp_file *f = list.files[0].file;
        CHECK_U64(list.files[0].offset, 20);
        CHECK_STR(f->remote_url,
                  "http://msedge.b.tlu.dl.delivery.mp.microsoft.com/filestreamingservice/files/"
                  "430ce39a-f827-4af6-95ea-5dd495961bfc?P1=1679310325&P2=404&P3=2&P4=gIq04pKnGxAu0CYD7Z4dp"
                  "926m9RhFlNWKA0S4DwXLFl0EewHwxdBHjfUgBRBgDQ2jSNekEq%2bRjDo7DvXMwXvcA%3d%3d");
        CHECK_STR(f->local_path, "C:\\Users\\bob\\AppData\\Local\\Temp\\edge_BITS_888_428908036\\"
                                 "430ce39a-f827-4af6-95ea-5dd495961bfc");
        CHECK_STR(f->temp_path,
                  "C:\\Users\\bob\\AppData\\Local\\Temp\\edge_BITS_888_428908036\\BITB403.tmp");
        CHECK_U64(f->bytes_transferred, 3226443);
        CHECK_U64(f->bytes_total, 3226443);
        CHECK_STR(f->drive, "C:\\");
        CHECK_STR(f->volume, "\\\\?\\Volume{8195d9c8-2089-11ea-824e-806e6f6e6963}\\");
        CHECK_U64(f->volume_serial, 0x7ADCE687u);
        CHECK_U64((uint64_t)f->file_size, UINT64_MAX);  /* cut inside the size: unknown */
        CHECK(!f->complete);
        CHECK(legacy_find_note(&f->warnings, "truncated at offset 0x3c9 while reading the file size"));
    }
    /* the library: one orphan file record, with warnings */
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(data, size, "list.bin", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 1);
    const bp_record *r = bp_result_record(result, 0);
    if (r) {
        CHECK(r->job == NULL && r->file != NULL);
        CHECK_STR(r->file_source.format, "legacy");
        CHECK_U64(r->file_source.offset, 20);
        CHECK(legacy_find_note(&r->warnings, "orphan file"));
    }
    bp_result_free(result);
    /* every truncation of it */
    size_t bad = 0;
    for (size_t n = 0; n <= size; n++) {
        bp_result *cut = NULL;
        int status = bp_parse_memory(data, n, "list.bin", &cut);
        bool ok = legacy_result_sane(cut) && status != BP_STATUS_CLEAN && bp_result_count(cut) <= 1;
        if (bp_result_count(cut) == 1 && n >= 20 + 4 + 2 * 0x5d)
            ok = ok && strncmp(bp_result_record(cut, 0)->file->local_path, "C:\\Users\\bob\\", 13) == 0;
        if (!ok && bad++ < 5)
            fprintf(stderr, "file list cut at %zu: wrong result\n", n);
        bp_result_free(cut);
    }
    CHECK_U64(bad, 0);
    util_arena_free(&arena);
    free(data);
}

/* ---- generated records ------------------------------------------------------------------------ */

static const char FULL_JOB[] =
    "{\"id\":\"0b7f3a24-5c1d-4e2f-9a8b-7c6d5e4f3a2b\",\"type\":0,\"priority\":1,\"state\":4,"
    "\"name\":\"Caf\\u00e9 \\ud83d\\ude00 updater\",\"description\":\"d\",\"notify_program\":"
    "\"C:\\\\Windows\\\\System32\\\\rundll32.exe\",\"notify_arguments\":\"x.dll,Run\","
    "\"owner_sid\":\"S-1-5-21-1079689790-2336414676-942872339-1001\",\"notify_flags\":11,"
    "\"owner_is_local_system\":0,\"owner_integrity\":8192,"
    "\"files\":[{\"local_path\":\"C:\\\\a.bin\",\"remote_url\":\"http://h/a\",\"temp_path\":\"C:\\\\BIT1.tmp\","
    "\"bytes_transferred\":\"4782\",\"bytes_total\":\"4782\",\"drive\":\"C:\\\\\",\"volume\":"
    "\"\\\\\\\\?\\\\Volume{08542f90-0000-0000-0000-501f00000000}\\\\\",\"volume_serial\":3567064687,"
    "\"file_size\":4782,\"remote_file_time\":\"2022-12-19T18:16:35Z\"},"
    "{\"local_path\":\"C:\\\\b.bin\",\"remote_url\":\"https://h/b?q=1\",\"temp_path\":\"\","
    "\"bytes_transferred\":0,\"bytes_total\":\"0xFFFFFFFFFFFFFFFF\",\"file_size\":-1}],"
    "\"error\":{\"hresult\":\"0x80072EE7\",\"context\":5,\"class\":3},"
    "\"transient_error_count\":1,\"retry_delay\":60,\"no_progress_timeout\":0,"
    "\"created\":\"2023-01-20T02:50:43.5515980Z\",\"modified\":\"2023-01-20T02:50:43.5749290Z\","
    "\"completed\":0,"
    "\"inactivity_timer\":{\"start\":\"2023-01-20T02:50:43.5749290Z\",\"deadline\":\"2023-04-20T02:50:43.5749290Z\"},"
    "\"no_progress_timer\":{\"start\":\"2023-01-20T02:50:43.5749290Z\",\"deadline\":\"2023-02-03T02:50:43.5749290Z\"},"
    "\"error_timer\":{\"start\":\"2023-01-20T02:50:43.5749290Z\",\"deadline\":\"2023-01-20T02:50:43.5749290Z\"},"
    "\"retry_timer\":{\"start\":\"2023-01-20T02:50:43.5749290Z\",\"deadline\":\"2023-01-20T02:51:43.5749290Z\"},"
    "\"proxy_usage\":2,\"proxy_list\":\"proxy.corp:8080\",\"proxy_bypass_list\":\"<local>\","
    "\"acl_flags\":15,\"custom_headers\":{\"plain_size\":104},\"max_download_time\":86400";

/* Every marker with both known tails, bare and through bp_parse_memory. */
static void test_generated_records(void)
{
    static const char *const markers[] = {"win7", "win10", "c8701310", "64ea938c", "810ce774"};
    static const char *const tails[] = {"win7", "win10"};
    for (size_t m = 0; m < 5; m++) {
        for (size_t t = 0; t < 2; t++) {
            char json[8192];
            snprintf(json, sizeof json,
                     "{\"kind\":\"job_record\",\"marker\":\"%s\",\"tail\":\"%s\",\"jobs\":[%s%s}]}",
                     markers[m], tails[t], FULL_JOB, t ? ",\"cost_flags\":\"0x800000FF\"" : "");
            size_t size;
            uint8_t *bytes = legacy_build(json, &size);
            if (!bytes)
                continue;
            cJSON *desc = cJSON_Parse(json);
            const cJSON *job_desc = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(desc, "jobs"), 0);
            util_arena arena;
            util_arena_init(&arena);
            legacy_job_record rec;
            CHECK(legacy_decode_job_record(&arena, bytes, size, 0, &rec));
            CHECK_U64(rec.tail, t ? LEGACY_TAIL_WIN10 : LEGACY_TAIL_WIN7);
            CHECK_U64(rec.end, size);
            const bp_file *files[4];
            for (size_t i = 0; i < rec.files.count && i < 4; i++)
                files[i] = rec.files.files[i].file;
            legacy_check_job(job_desc, rec.job, files, rec.files.count);
            CHECK_STR(rec.job->name, "Caf\xc3\xa9 \xf0\x9f\x98\x80 updater");
            CHECK_U64(rec.job->custom_headers_size, 20);
            /* warnings: none except the ones the description asks for */
            CHECK_U64(rec.job->warnings.count, 0);
            legacy_print_notes(markers[m], &rec.job->warnings);
            bp_result *result = NULL;
            CHECK_U64(bp_parse_memory(bytes, size, "gen.bin", &result), BP_STATUS_CLEAN);
            CHECK_U64(bp_result_count(result), 2);  /* one per file */
            bp_result_free(result);
            util_arena_free(&arena);
            cJSON_Delete(desc);
            free(bytes);
        }
    }
}

/* A tail of another length: the fields up to 48 are kept, the record is closed. */
static void test_unknown_tail(void)
{
    size_t size;
    uint8_t *bytes = legacy_build("{\"kind\":\"job_record\",\"tail\":\"zeros:20\",\"jobs\":[{\"name\":\"n\","
                                  "\"max_download_time\":1234}]}", &size);
    if (!bytes)
        return;
    util_arena arena;
    util_arena_init(&arena);
    legacy_job_record rec;
    CHECK(legacy_decode_job_record(&arena, bytes, size, 0, &rec));
    CHECK_U64(rec.tail, LEGACY_TAIL_OTHER);
    CHECK(!rec.job->tail_decoded);
    CHECK_U64(rec.job->max_download_time, 1234);
    CHECK_STR(rec.job->name, "n");
    CHECK(legacy_find_note(&rec.job->warnings, "20 bytes between the maximum download time and the footer"));
    CHECK_U64(rec.end, size);
    util_arena_free(&arena);
    free(bytes);
}

/* A file record whose layout is not the known one: the job still closes. */
static void test_bad_file_record(void)
{
    size_t size;
    uint8_t *bytes = legacy_build("{\"kind\":\"job_record\",\"jobs\":[{\"name\":\"n\",\"files\":["
                                  "{\"local_path\":\"a\"},{\"local_path\":\"b\"},{\"local_path\":\"c\"}]}]}",
                                  &size);
    if (!bytes)
        return;
    /* find the second file's local path count (2 units: "b" + NUL) and make it huge */
    size_t at = 0;
    for (size_t i = 0; i + 8 <= size; i++)
        if (bytes[i] == 2 && bytes[i + 1] == 0 && bytes[i + 4] == 'b' && bytes[i + 5] == 0)
            at = i;
    CHECK(at > 0);
    bytes[at + 2] = 0x7F;
    util_arena arena;
    util_arena_init(&arena);
    legacy_job_record rec;
    legacy_decode_job_record(&arena, bytes, size, 0, &rec);
    CHECK_U64(rec.files.count, 1);
    CHECK(!rec.files.complete);
    CHECK(legacy_find_note(&rec.job->warnings, "resynchronised on the closing transfer marker"));
    CHECK(rec.job->tail_decoded);  /* the fields after the list still decode */
    CHECK(rec.job->complete);
    CHECK_U64(rec.end, size);
    util_arena_free(&arena);
    free(bytes);
}

/* A generated file list (three records), bare. */
static void test_generated_file_list(void)
{
    const char *json = "{\"kind\":\"file_list\",\"jobs\":[{\"files\":[{\"local_path\":\"a\",\"remote_url\":\"u1\","
                       "\"bytes_transferred\":1,\"bytes_total\":2},{\"local_path\":\"b\",\"remote_url\":\"u2\"},"
                       "{\"local_path\":\"c\",\"remote_url\":\"u3\",\"file_size\":77}]}]}";
    size_t size;
    uint8_t *bytes = legacy_build(json, &size);
    if (!bytes)
        return;
    cJSON *desc = cJSON_Parse(json);
    const cJSON *files = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(desc, "jobs"), 0), "files");
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(bytes, size, "list.bin", &result), BP_STATUS_WARNINGS);  /* orphans */
    CHECK_U64(bp_result_count(result), 3);
    for (size_t i = 0; i < bp_result_count(result) && i < 3; i++)
        legacy_check_file(cJSON_GetArrayItem(files, (int)i), bp_result_record(result, i)->file);
    bp_result_free(result);
    cJSON_Delete(desc);
    free(bytes);
}

/* Bare records one after the other (a queue cut without its framing): all are read;
 * bytes after the last footer that are no record are a warning. */
static void test_concatenated_records(void)
{
    size_t size1, size2;
    uint8_t *one = legacy_build("{\"kind\":\"job_record\",\"jobs\":[{\"name\":\"one\"}]}", &size1);
    uint8_t *two = legacy_build("{\"kind\":\"job_record\",\"marker\":\"win10\",\"tail\":\"win10\","
                                "\"jobs\":[{\"name\":\"two\",\"files\":[{}]}]}", &size2);
    if (!one || !two) {
        free(one);
        free(two);
        return;
    }
    uint8_t *both = malloc(size1 + size2 + 5);
    memcpy(both, one, size1);
    memcpy(both + size1, two, size2);
    memcpy(both + size1 + size2, "junk!", 5);
    bp_result *result = NULL;
    CHECK_U64(bp_parse_memory(both, size1 + size2, "two.bin", &result), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(result), 2);
    if (bp_result_count(result) == 2) {
        CHECK_STR(bp_result_record(result, 0)->job->name, "one");
        CHECK_STR(bp_result_record(result, 1)->job->name, "two");
        CHECK_U64(bp_result_record(result, 1)->job_source.offset, size1);
    }
    bp_result_free(result);
    result = NULL;
    CHECK_U64(bp_parse_memory(both, size1 + size2 + 5, "two.bin", &result), BP_STATUS_WARNINGS);
    CHECK_U64(bp_result_count(result), 2);
    if (bp_result_count(result) == 2)
        CHECK(legacy_find_note(&bp_result_record(result, 1)->job->warnings, "5 unexpected bytes after the footer"));
    bp_result_free(result);
    free(both);
    free(one);
    free(two);
}

int main(void)
{
    test_generated_records();
    test_unknown_tail();
    test_bad_file_record();
    test_generated_file_list();
    test_concatenated_records();
    if (check_failures)  /* the real records below may skip (exit 77): never hide a failure */
        return check_exit();
    test_real_record(&WIN7);
    test_real_record(&WIN10);
    test_real_truncations(&WIN7);
    test_real_truncations(&WIN10);
    test_real_corruptions(&WIN7);
    test_real_corruptions(&WIN10);
    test_real_file_list();
    return check_exit();
}
