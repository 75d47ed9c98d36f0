/* Scanning (bp_parse_path_ex with scan, src/carve/scan.c): a synthetic raw
 * image with real blobs at unaligned offsets, around the 4 MiB block
 * boundaries, a whole qmgr.db, legacy pieces, a cut copy and a damaged copy;
 * an ESE transaction log whose blobs cross segment boundaries; a folder with
 * a qmgr.db and its log (carve). */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "random_stream.h"
#include "check.h"

#define MIB ((size_t)1 << 20)

static uint64_t rng_state = 0x7197;

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        random_next(&rng_state);
        p[i] = (uint8_t)(rng_state >> 11);
    }
}

static unsigned char *load(const char *relative, size_t *size)
{
    unsigned char *bytes = read_whole_file(shared_path(relative), size);
    if (!bytes)
        CHECK_SKIP("shared test data unreadable");
    return bytes;
}

static char folder[256];

static const char *temp_path(const char *name)
{
    static char paths[8][512];
    static int next;
    char *path = paths[next++ % 8];
    snprintf(path, 512, "%s/%s", folder, name);
    return path;
}

static void write_file(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        CHECK(fwrite(data, 1, size, f) == size);
        fclose(f);
    }
}

typedef struct progress_log {
    uint64_t last_done, total;
    size_t calls;
    bool monotonic;
} progress_log;

static void on_progress(uint64_t done, uint64_t total, void *context)
{
    progress_log *p = context;
    if (done < p->last_done)
        p->monotonic = false;
    p->last_done = done;
    p->total = total;
    p->calls++;
}

static const bp_record *find_job(const bp_result *result, const char *job_id)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->job && strcmp(r->job->job_id, job_id) == 0)
            return r;
    }
    return NULL;
}

static bool location_at(const bp_record *r, const char *item, uint64_t offset, bool partial)
{
    for (size_t i = 0; i < r->location_count; i++)
        if (strcmp(r->locations[i].item, item) == 0 && r->locations[i].offset == offset &&
            r->locations[i].partial == partial)
            return true;
    return false;
}

static void test_raw_image(void)
{
    size_t job_size, file_size, win7_size, list_size, db_size;
    unsigned char *job = load("testdata/blobs/win10-19045.job.blob", &job_size);
    unsigned char *file = load("testdata/blobs/win10-19045.file.blob", &file_size);
    unsigned char *win7 = load("testdata/legacy/win7-job-record.bin", &win7_size);
    unsigned char *list = load("testdata/legacy/win81-file-list.bin", &list_size);
    unsigned char *db = load("testdata/ese/win11-22000.qmgr.db", &db_size);
    size_t size = 9 * MIB + 12345;
    uint8_t *image = malloc(size);
    fill_random(image, size);
    memset(image + 512 * 1024, 0, 300 * 1024); /* a zero run */

    /* four whole copies of the live job blob: one near the start, one that
     * crosses the first 4 MiB block, one in the block overlap, one at the end */
    const size_t job_at[4] = {1001, 4 * MIB - 700, 4 * MIB + 64 * 1024 + 30, size - job_size - 5};
    for (int i = 0; i < 4; i++)
        memcpy(image + job_at[i], job, job_size);
    /* a copy cut after 1500 bytes, and one with an all-zero job id */
    const size_t cut_at = 7 * MIB + 999, zero_at = 7 * MIB + 50000;
    memcpy(image + cut_at, job, 1500);
    memcpy(image + zero_at, job, job_size);
    memset(image + zero_at + 0x20, 0, 16);
    /* the file blob behind an inline Files record naming it 95d6889c-... */
    static const uint8_t record[26] = {0x01, 0x7F, 0x15, 0x00, 0x9c, 0x88, 0xd6, 0x95, 0xd3, 0xb2, 0x48, 0x47, 0x8e,
                                       0xb1, 0x9d, 0xa0, 0x65, 0x0c, 0xb8, 0x92, 0xFE, 0x00, 0x01, 0x04, 0x00, 0x01};
    const size_t file_at = 2 * MIB + 5;
    memcpy(image + file_at - 26, record, sizeof(record));
    memcpy(image + file_at, file, file_size);
    /* legacy pieces and a whole Windows 11 qmgr.db */
    const size_t win7_at = 3 * MIB + 17, list_at = 5 * MIB + 33, db_at = 5 * MIB + 300000 + 1;
    memcpy(image + win7_at, win7, win7_size);
    memcpy(image + list_at, list, list_size);
    memcpy(image + db_at, db, db_size);
    const char *path = temp_path("image.raw");
    write_file(path, image, size);

    bp_result *result = NULL;
    progress_log progress = {0, 0, 0, true};
    bp_parse_options options = {.scan = true, .progress = on_progress, .progress_context = &progress};
    int status = bp_parse_path_ex(path, &options, &result);
    CHECK(status == BP_STATUS_WARNINGS); /* the cut copies warn */
    CHECK(progress.calls >= 3);
    CHECK(progress.monotonic);
    CHECK_U64(progress.last_done, size);
    CHECK_U64(progress.total, size);

    /* identical copies: one record, every location; the cut copy joins them */
    const bp_record *live = find_job(result, "266504ac-d974-446c-96ad-2be13a5665b0");
    CHECK(live != NULL);
    if (live) {
        CHECK(live->carved);
        CHECK_STR(live->recovered_from, "raw-marker");
        CHECK_STR(live->job_source.format, "raw");
        CHECK_U64(live->copies, 4);
        for (int i = 0; i < 4; i++)
            CHECK(location_at(live, "job", job_at[i], false));
        CHECK(location_at(live, "job", cut_at, true));
        CHECK_STR(live->job->name, "Chrome Component Updater");
        CHECK(live->job->complete);
        /* linked to the carved file through the inline record's id */
        CHECK(live->file != NULL);
        if (live->file) {
            CHECK_STR(live->file->file_id, "95d6889c-b2d3-4748-8eb1-9da0650cb892");
            CHECK_U64(live->file->bytes_transferred, 4782);
            CHECK(location_at(live, "file", file_at, false));
        }
    }
    /* the damaged copy gave nothing: no zero job id anywhere */
    CHECK(find_job(result, "00000000-0000-0000-0000-000000000000") == NULL);
    const bp_record *legacy = find_job(result, "81120ac0-35b5-49ef-9c1a-0ee3d5572ffc");
    CHECK(legacy != NULL);
    if (legacy) {
        CHECK_STR(legacy->job_source.format, "legacy");
        CHECK_U64(legacy->job_source.offset, win7_at);
        CHECK_STR(legacy->job->name, "TTT");
        CHECK_STR(legacy->job->notify_program, "c:\\windows\\system32\\cmd.exe");
        CHECK(legacy->file && strcmp(legacy->file->remote_url,
                                     "http://mirror.isoc.org.il/pub/videolan/vlc/2.2.4/win64/vlc-2.2.4-win64.exe") == 0);
    }
    bool list_file = false;
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (!r->job && r->file && strncmp(r->file->remote_url, "http://msedge.b.tlu.dl.delivery.mp.microsoft.com/", 49) == 0 &&
            r->file_source.offset == list_at + 20) {
            list_file = true;
            CHECK_U64(r->file->bytes_transferred, 3226443);
            CHECK(r->file->warnings.count >= 1);
        }
    }
    CHECK(list_file);
    /* the embedded Windows 11 database: its four live jobs and five deleted ones */
    static const char *const win11_ids[] = {
        "5c26fc39-0647-43cf-bd6b-2ca3125c7fb3", "8e4f897b-f5b3-433e-8864-87c44edaf7d0",
        "364e3f0d-0423-459b-919d-ac6ea17b4101", "c54f0fa1-7435-4369-94ca-d57cf8e63e80",
        "90156032-17bb-485e-aaeb-80f1ebaff120", "819683cf-4a48-4735-af5f-ea51b5abd8dc",
        "5256dab3-3240-42d9-9130-45ad2316a348", "69902036-f0d6-4bce-9290-79c1fd0d8abd",
        "e49b321c-0087-4df9-b17a-840478ef71d7",
    };
    for (size_t i = 0; i < sizeof(win11_ids) / sizeof(win11_ids[0]); i++) {
        const bp_record *r = find_job(result, win11_ids[i]);
        CHECK(r != NULL);
        if (r)
            CHECK(r->job_source.offset > db_at && r->job_source.offset < db_at + db_size);
    }
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        CHECK(r->carved);
        CHECK((r->job && r->job->job_id[0]) || (r->file && r->file->remote_url[0]));
    }
    bp_result_free(result);
    if (!getenv("KEEP_IMAGE"))
        unlink(path);
    free(image);
    free(job);
    free(file);
    free(win7);
    free(list);
    free(db);
}

/* A 64 KiB ESE log: header page, then 4 KiB segments of a 40-byte header
 * (checksum, LGPOS with the segment number, time, flags) and log data. The
 * job blob crosses the boundary at 8 KiB, the file blob the one at 12 KiB,
 * continued after a fragment record header (type 77, u16 size). */
static uint8_t *make_log(const unsigned char *job, size_t job_size, const unsigned char *file, size_t file_size,
                         size_t *size, size_t *job_at, size_t *file_at)
{
    enum { SEGMENT = 4096, HEADER = 40 };
    *size = 16 * SEGMENT;
    uint8_t *log = calloc(1, *size);
    log[4] = 7;                       /* generation */
    log[8] = 0x00, log[9] = 0x10;     /* sector size 4096 */
    log[10] = 1;
    log[12] = 16;
    log[14] = 0x00, log[15] = 0x40;   /* database page size 16384 */
    log[667] = 3;                     /* file type: log */
    for (int k = 1; k < 16; k++) {
        uint8_t *h = log + k * SEGMENT;
        fill_random(h, 8);
        h[10] = (uint8_t)k;           /* LGPOS: ib 0, isec k, generation 7 */
        h[12] = 7;
        fill_random(h + HEADER, SEGMENT - HEADER);
    }
    /* job: starts 1000 bytes before the boundary at 8192 */
    *job_at = 2 * SEGMENT - 1000;
    memcpy(log + *job_at, job, 1000);
    memcpy(log + 2 * SEGMENT + HEADER, job + 1000, job_size - 1000);
    /* file: 500 bytes before the boundary at 12288, continued after a fragment header */
    *file_at = 3 * SEGMENT - 500;
    memcpy(log + *file_at, file, 500);
    uint8_t *after = log + 3 * SEGMENT + HEADER;
    after[0] = 77;
    after[1] = (uint8_t)(file_size - 500);
    after[2] = (uint8_t)((file_size - 500) >> 8);
    memcpy(after + 3, file + 500, file_size - 500);
    return log;
}

static void test_log(void)
{
    size_t job_size, file_size, log_size, job_at, file_at;
    unsigned char *job = load("testdata/blobs/win10-19045.job.blob", &job_size);
    unsigned char *file = load("testdata/blobs/win10-19045.file.blob", &file_size);
    uint8_t *log = make_log(job, job_size, file, file_size, &log_size, &job_at, &file_at);
    const char *path = temp_path("edb00001.log");
    write_file(path, log, log_size);
    for (int scan = 0; scan < 2; scan++) {
        bp_result *result = NULL;
        bp_parse_options options = {.carve = true, .scan = scan == 1};
        bp_parse_path_ex(path, &options, &result);
        const bp_record *r = find_job(result, "266504ac-d974-446c-96ad-2be13a5665b0");
        CHECK(r != NULL);
        if (r) {
            CHECK_STR(r->recovered_from, "log");
            CHECK_STR(r->job_source.format, "log");
            CHECK_U64(r->job_source.offset, job_at);
            CHECK_U64(r->job_source.blob_size, 2055);  /* the segment header is not part of it */
            CHECK(r->job->complete);
            CHECK_U64(r->job->warnings.count, 0);
            CHECK_STR(r->job->creator_program, "C:\\Program Files\\Chromium\\Application\\chrome.exe");
            CHECK_U64(r->job->security_descriptor_size, 1220);
            CHECK_U64(r->job->ace_count, 6);
        }
        bool found_file = false;
        for (size_t i = 0; i < bp_result_count(result); i++) {
            const bp_record *f = bp_result_record(result, i);
            if (f->file && f->file_source.offset == file_at) {
                found_file = true;
                CHECK(f->file->complete);
                CHECK_U64(f->file_source.blob_size, 1072);
                CHECK_U64(f->file->bytes_total, 4782);
                CHECK_U64(f->file->warnings.count, 0);
            }
        }
        CHECK(found_file);
        bp_result_free(result);
    }
    unlink(path);
    free(log);
    free(job);
    free(file);
}

/* A folder with --carve: the database and its log. A log copy of the live
 * blob adds nothing; a job only the log holds comes out as "log". */
static void test_folder_with_log(void)
{
    size_t db_size, job_size, file_size, log_size, job_at, file_at;
    unsigned char *db = load("testdata/ese/win10-19045.qmgr.db", &db_size);
    unsigned char *job = load("testdata/blobs/win10-19045.job.blob", &job_size);
    unsigned char *file = load("testdata/blobs/win10-19045.file.blob", &file_size);
    char sub[512];
    snprintf(sub, sizeof sub, "%s/Downloader", folder);
    CHECK(mkdir(sub, 0700) == 0);
    char db_path[600], log_path[600], other_log[600];
    snprintf(db_path, sizeof db_path, "%s/qmgr.db", sub);
    snprintf(log_path, sizeof log_path, "%s/edb.log", sub);
    snprintf(other_log, sizeof other_log, "%s/edb0000A.log", sub);
    write_file(db_path, db, db_size);
    uint8_t *log = make_log(job, job_size, file, file_size, &log_size, &job_at, &file_at);
    write_file(log_path, log, log_size);
    /* a second log holding a job of another id (job id bytes changed) */
    unsigned char *other = malloc(job_size);
    memcpy(other, job, job_size);
    other[0x20] ^= 0x5A;
    uint8_t *log2 = make_log(other, job_size, file, file_size, &log_size, &job_at, &file_at);
    write_file(other_log, log2, log_size);

    bp_result *plain = NULL, *carved = NULL;
    bp_parse_path_ex(sub, NULL, &plain);
    bp_parse_options options = {.carve = true};
    bp_parse_path_ex(sub, &options, &carved);
    CHECK_U64(bp_result_count(plain), 1);
    const bp_record *first = bp_result_record(carved, 0);
    CHECK(first && !first->carved && strcmp(first->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0") == 0);
    size_t from_log = 0;
    for (size_t i = 1; i < bp_result_count(carved); i++) {
        const bp_record *r = bp_result_record(carved, i);
        CHECK(r->carved);
        /* the live job's blob, also in both logs, is not carved again */
        CHECK(!(r->job && strcmp(r->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0") == 0 &&
                r->job_source.blob_size == 2055));
        if (r->recovered_from && strcmp(r->recovered_from, "log") == 0) {
            from_log++;
            CHECK(r->job && strcmp(r->job->job_id, "266504ac-d974-446c-96ad-2be13a5665b0") != 0);
            CHECK(r->job && strcmp(r->job->name, "Chrome Component Updater") == 0);
            CHECK(strstr(r->job_source.path, "edb0000A.log") != NULL);
            /* the live file (same id as the job lists) is its partner */
            CHECK(r->file && strcmp(r->file->file_id, "95d6889c-b2d3-4748-8eb1-9da0650cb892") == 0);
        }
    }
    CHECK_U64(from_log, 1);
    bp_result_free(plain);
    bp_result_free(carved);
    unlink(db_path);
    unlink(log_path);
    unlink(other_log);
    rmdir(sub);
    free(log);
    free(log2);
    free(other);
    free(db);
    free(job);
    free(file);
}

int main(void)
{
    shared_path("testdata/blobs/win10-19045.job.blob");
    snprintf(folder, sizeof folder, "/tmp/bitsparse-carve-XXXXXX");
    if (!mkdtemp(folder))
        CHECK_SKIP("cannot create a temporary folder");
    test_raw_image();
    test_log();
    test_folder_with_log();
    rmdir(folder);
    return check_exit();
}
