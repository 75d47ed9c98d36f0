/* --scan of a qmgr.db lying inside a larger image (issue 18): job blobs that
 * span several long-value chunks must be read chunk by chunk, never through
 * the page end. mkqmgr databases whose jobs span two or three chunks (4, 16
 * and 32 KiB pages) and the two shared real databases are embedded at offset
 * 0, at a page-aligned offset, at the odd offset 1237, across the scanner's
 * 4 MiB block boundary and at seeded random offsets, between seeded random
 * bytes. Every job record --scan reports must carry the same field values as
 * a record --carve gives for the bare database file (compared field by
 * field: blob size, max_download_time, cost_flags, creator_program ...), and
 * for the generated databases every job --carve reads must be found. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "random_stream.h"
#include "check.h"
#include "database_writer.h"
#include "description.h"

#define KIB ((size_t)1 << 10)
#define MIB ((size_t)1 << 20)

static uint64_t rng_state = 0x5ca9;

static uint64_t next_random(void)
{
    random_next(&rng_state);
    return rng_state;
}

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(next_random() >> 11);
}

static char folder[256];

static const char *temp_path(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    return path;
}

static bool write_file(const char *path, const uint8_t *a, size_t a_size, const uint8_t *b, size_t b_size,
                       const uint8_t *c, size_t c_size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return false;
    const uint8_t *parts[3] = {a, b, c};
    size_t sizes[3] = {a_size, b_size, c_size};
    bool ok = true;
    for (int i = 0; i < 3; i++)  /* fwrite is not given NULL, even for 0 bytes */
        if (sizes[i])
            ok = ok && fwrite(parts[i], 1, sizes[i], f) == sizes[i];
    CHECK(ok);
    fclose(f);
    return ok;
}

/* Every decoded job field the output shows, as one line. */
static char *job_signature(const bp_record *r)
{
    const bp_job *j = r->job;
    size_t size = 16384;
    char *s = malloc(size);
    if (!s)
        return NULL;
    snprintf(s, size,
             "id=%s name=%s desc=%s notify=%s|%s owner=%s type=%u prio=%u state=%u nflags=%u integrity=%u "
             "sd=%u aces=%zu files=%zu created=%llu modified=%llu completed=%llu error=%d/%u/%u transient=%u "
             "retry=%u noprogress=%u proxy=%u|%s|%s acl=%u max_download_time=%u cost_flags=0x%x field54=%s "
             "package=%s|%s creator_program=%s method=%s blob_size=%u source_blob_size=%u complete=%d tail=%d",
             j->job_id, j->name, j->description, j->notify_program, j->notify_arguments, j->owner_sid, j->job_type,
             j->priority, j->state, j->notify_flags, j->owner_integrity, j->security_descriptor_size, j->ace_count,
             j->file_count, (unsigned long long)j->created, (unsigned long long)j->modified,
             (unsigned long long)j->completed, j->has_error, j->error_hresult, j->error_context,
             j->transient_error_count, j->retry_delay, j->no_progress_timeout, j->proxy_usage, j->proxy_list,
             j->proxy_bypass_list, j->acl_flags, j->max_download_time, j->cost_flags, j->field54_guid,
             j->package_family_name, j->package_app_id, j->creator_program, j->http_method, j->blob_size, r->job_source.blob_size, j->complete,
             j->tail_decoded);
    return s;
}

typedef struct signatures {
    char **items;
    size_t count;
} signatures;

static signatures collect(const bp_result *result)
{
    signatures set = {calloc(bp_result_count(result) + 1, sizeof(char *)), 0};
    for (size_t i = 0; set.items && i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job)
            set.items[set.count++] = job_signature(r);
    }
    return set;
}

static bool has(const signatures *set, const char *signature)
{
    for (size_t i = 0; i < set->count; i++)
        if (set->items[i] && strcmp(set->items[i], signature) == 0)
            return true;
    return false;
}

static void release(signatures *set)
{
    for (size_t i = 0; i < set->count; i++)
        free(set->items[i]);
    free(set->items);
}

static bp_result *parse(const char *path, bool scan)
{
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = true;
    options.scan = scan;
    bp_result *result = NULL;
    bp_parse_path_ex(path, &options, &result);
    return result;
}

/* Scan `db` embedded at `offset` in random bytes; compare with the carve. */
static void check_embedded(const char *label, const uint8_t *db, size_t db_size, const signatures *carved,
                           size_t offset, bool every_job)
{
    size_t tail = 4096 + (size_t)(next_random() % 5000);
    uint8_t *before = malloc(offset ? offset : 1), *after = malloc(tail);
    CHECK(before && after);
    if (!before || !after) {
        free(before);
        free(after);
        return;
    }
    fill_random(before, offset);
    fill_random(after, tail);
    const char *path = temp_path("image.bin");
    if (write_file(path, before, offset, db, db_size, after, tail)) {
        bp_result *result = parse(path, true);
        CHECK(result != NULL);
        signatures scanned = collect(result);
        size_t jobs = 0, wrong = 0;
        for (size_t i = 0; i < scanned.count; i++) {
            jobs++;
            if (!has(carved, scanned.items[i])) {
                wrong++;
                fprintf(stderr, "%s at %zu: scanned job not as carved:\n  %s\n", label, offset, scanned.items[i]);
            }
        }
        size_t missing = 0;
        for (size_t i = 0; every_job && i < carved->count; i++)
            if (!has(&scanned, carved->items[i])) {
                missing++;
                fprintf(stderr, "%s at %zu: carved job not scanned:\n  %s\n", label, offset, carved->items[i]);
            }
        printf("%-22s offset %8zu: %zu job records scanned, %zu differ from --carve, %zu not found\n", label,
               offset, jobs, wrong, missing);
        CHECK(jobs > 0);
        CHECK_U64(wrong, 0);
        CHECK_U64(missing, 0);
        release(&scanned);
        bp_result_free(result);
    }
    unlink(path);
    free(before);
    free(after);
}

static void check_database(const char *label, const uint8_t *db, size_t db_size, uint32_t page_size, bool every_job)
{
    const char *bare = temp_path("bare.qmgr.db");
    if (!write_file(bare, db, db_size, NULL, 0, NULL, 0))
        return;
    bp_result *result = parse(bare, false);
    CHECK(result != NULL);
    signatures carved = collect(result);
    unlink(bare);
    CHECK(carved.count > 0);
    size_t offsets[] = {
        0,                                        /* recognised as a queue: read live, then carved */
        (size_t)64 * KIB,                         /* page-aligned for every page size */
        1237,                                     /* the example */
        4 * MIB - db_size / 2 - 777,              /* across the first 4 MiB block boundary */
        (size_t)(next_random() % (3 * page_size)) | 1,
        (size_t)(next_random() % 200000) + 1,
    };
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        check_embedded(label, db, db_size, &carved, offsets[i], every_job);
    release(&carved);
    bp_result_free(result);
}

/* Jobs whose blobs span one, two and three long-value chunks (the
 * description's length sets the blob size), one of them deleted. */
static char *description_json(void)
{
    static const char *const ids[] = {
        "3f1c2a9e-0b44-4c5e-9a61-2d7e8f90a1b2", "a7d5e3c1-6f28-4b9a-8e07-15c3d2b4f6a8",
        "c2b8f4e6-1a3d-4f70-b5c9-e8d7a6b5c4d3", "e9a1b3c5-d7f9-4e2b-8c4d-6f8a0b2c4e6f",
    };
    static const size_t description_units[] = {40, 2600, 5200, 3900};
    static const char *const creators[] = {  /* JSON text: backslashes escaped */
        "C:\\\\Windows\\\\System32\\\\svchost.exe",
        "C:\\\\Program Files\\\\Microsoft Office\\\\root\\\\Office16\\\\OUTLOOK.EXE",
        "C:\\\\Users\\\\bob\\\\AppData\\\\Local\\\\Temp\\\\dropper.exe",
        "C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe",
    };
    size_t size = 64 * KIB;
    char *json = malloc(size);
    if (!json)
        return NULL;
    size_t n = (size_t)snprintf(json, size, "{\"os_build\": 19045, \"jobs\": [");
    for (size_t j = 0; j < 4; j++) {
        char *text = malloc(description_units[j] + 1);
        if (!text)
            break;
        for (size_t i = 0; i < description_units[j]; i++)
            text[i] = (char)('a' + (i * 7 + j) % 26);
        text[description_units[j]] = '\0';
        n += (size_t)snprintf(json + n, size - n,
                              "%s{\"id\": \"%s\", \"owner_sid\": \"S-1-5-21-1079689790-2336414676-942872339-100%zu\","
                              " \"created\": \"2024-03-14T08:41:%02zu.5581203Z\", \"name\": \"job %zu\","
                              " \"description\": \"%s\", \"creator_program\": \"%s\", \"max_download_time\": %zu,"
                              " \"cost_flags\": \"0x8000006F\", \"deleted\": %s, \"files\": [{\"id\":"
                              " \"%08zx-1111-4222-8333-444455556666\", \"local_path\": \"C:\\\\Temp\\\\f%zu.bin\","
                              " \"remote_url\": \"https://example.org/f%zu.bin\", \"bytes_total\": %zu}]}",
                              j ? ", " : "", ids[j], j, j * 3, j, text, creators[j], 7776000 + j, j == 3 ? "true" : "false",
                              j + 1, j, j, 1000 * (j + 1));
        free(text);
    }
    snprintf(json + n, size - n, "]}");
    return json;
}

static void check_generated(uint32_t page_size)
{
    char *json = description_json();
    CHECK(json != NULL);
    if (!json)
        return;
    mk_description d;
    char err[256];
    bool ok = mk_description_parse(json, &d, err, sizeof err);
    if (!ok)
        fprintf(stderr, "description: %s\n", err);
    CHECK(ok);
    free(json);
    if (!ok)
        return;
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.page_size = page_size;
    cli.lid_size = 8;
    cli.reserved_tags = -1;
    cli.clean = -1;
    cli.lv_page_per_value = -1;
    ok = mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err);
    CHECK(ok);
    if (ok) {
        mk_buffer image = {NULL, 0, 0};
        mk_layout layout;
        mk_build_database(&d, &resolved, &image, &layout);
        char label[64];
        snprintf(label, sizeof label, "mkqmgr %u KiB pages", page_size / 1024);
        check_database(label, image.data, image.size, page_size, true);
        mk_buffer_free(&image);
    }
    mk_description_free(&d);
}

static void check_shared(const char *relative)
{
    const char *path = shared_path(relative);
    size_t size;
    unsigned char *db = read_whole_file(path, &size);
    if (!db)
        CHECK_SKIP("shared test data unreadable");
    check_database(relative, db, size, 16384, false);
    free(db);
}

int main(void)
{
    shared_path("testdata/ese/win10-19045.qmgr.db");  /* skips the test when the shared data is missing */
    shared_path("testdata/ese/win11-22000.qmgr.db");
    snprintf(folder, sizeof folder, "%s/scan_embedded_XXXXXX", BP_BINARY_DIR);
    if (!mkdtemp(folder)) {
        fprintf(stderr, "cannot make a temporary folder\n");
        return 1;
    }
    check_generated(4096);
    check_generated(8192);
    check_generated(16384);
    check_generated(32768);
    check_shared("testdata/ese/win10-19045.qmgr.db");
    check_shared("testdata/ese/win11-22000.qmgr.db");
    rmdir(folder);
    return check_exit();
}
