/* Inputs mapped instead of read whole (issue 21). For every kind of input —
 * ESE queue, legacy state file, legacy job record and file list, job and file
 * blob, event log — the records bp_parse_path reads through the mapping are
 * the records bp_parse_memory reads from the same bytes in memory (written as
 * JSON Lines and compared byte for byte, source.sha256 aside, which only a
 * file has), plain and with --carve; source.sha256 is the file's digest. A
 * generated queue of 2000 jobs (5.2 MiB, more regions than may stay
 * resident, so its mapping is trimmed while it is read and carved) and a
 * 12 MiB non-queue file with job blobs embedded across the carve's search
 * windows and the mapping's regions give the same records mapped as in
 * memory too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "output_text.h"
#include "database_writer.h"
#include "description.h"
#include "util/sha256.h"

#define MIB ((size_t)1 << 20)

static char folder[] = "/tmp/bitsparse-mapped-input-XXXXXX";

/* Empty every `"sha256":"<digest>"` of the output (in place). */
static void without_digest(char *text, const char *digest)
{
    char needle[UTIL_SHA256_HEX_SIZE + 16];
    snprintf(needle, sizeof needle, "\"sha256\":\"%s\"", digest);
    size_t prefix = strlen("\"sha256\":\"");
    for (char *at = strstr(text, needle); at; at = strstr(at + 1, needle))
        memmove(at + prefix, at + prefix + 64, strlen(at + prefix + 64) + 1);
}

static void digest_of(const uint8_t *bytes, size_t size, char hex[UTIL_SHA256_HEX_SIZE])
{
    util_sha256 hash;
    util_sha256_init(&hash);
    util_sha256_update(&hash, bytes, size);
    util_sha256_hex(&hash, hex);
}

/* Parse `path` mapped and its bytes in memory; same records, right digest. */
static void same_records(const char *path, const uint8_t *bytes, size_t size, bool carve, size_t want_records)
{
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.carve = carve;
    bp_result *mapped = NULL, *memory = NULL;
    int mapped_status = bp_parse_path_ex(path, &options, &mapped);
    int memory_status = bp_parse_memory_ex(bytes, size, path, &options, &memory);
    CHECK_U64(mapped_status, memory_status);
    CHECK_U64(bp_result_count(mapped), bp_result_count(memory));
    CHECK_U64(bp_result_count(mapped), want_records);
    char digest[UTIL_SHA256_HEX_SIZE];
    digest_of(bytes, size, digest);
    for (size_t i = 0; i < bp_result_count(mapped); i++) {
        const bp_record *r = bp_result_record(mapped, i);
        const bp_source *source = r->job ? &r->job_source : &r->file_source;
        if (!r->carved)
            CHECK_STR(source->sha256, digest);
    }
    char *a = output_text(mapped, BP_FORMAT_JSONL), *b = output_text(memory, BP_FORMAT_JSONL);
    CHECK(a && b);
    if (a && b) {
        without_digest(a, digest);
        bool same = strcmp(a, b) == 0;
        if (!same)
            fprintf(stderr, "%s%s: mapped and in-memory records differ\n", path, carve ? " (--carve)" : "");
        CHECK(same);
    }
    free(a);
    free(b);
    bp_result_free(mapped);
    bp_result_free(memory);
}

/* One shared sample: its records plain and with --carve. */
static void shared_kind(const char *relative, size_t plain_records, size_t carve_records)
{
    const char *path = shared_path(relative);
    size_t size = 0;
    uint8_t *bytes = read_whole_file(path, &size);
    CHECK(bytes != NULL);
    if (!bytes)
        return;
    same_records(path, bytes, size, false, plain_records);
    same_records(path, bytes, size, true, carve_records);
    free(bytes);
}

static bool write_file(const char *path, const uint8_t *bytes, size_t size)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return false;
    bool ok = fwrite(bytes, 1, size, f) == size;
    CHECK(ok);
    fclose(f);
    return ok;
}

/* `jobs` jobs of one file each (mkqmgr description). */
static char *description_json(size_t jobs)
{
    size_t capacity = jobs * 700 + 64, used = 0;
    char *json = malloc(capacity);
    if (!json)
        return NULL;
    used += (size_t)snprintf(json + used, capacity - used, "{\"jobs\":[");
    for (size_t i = 0; i < jobs; i++)
        used += (size_t)snprintf(json + used, capacity - used,
                                 "%s{\"id\":\"%08zx-1111-4222-8333-%012zx\",\"name\":\"mapped job %zu\","
                                 "\"state\":\"TRANSFERRED\",\"owner_sid\":\"S-1-5-18\","
                                 "\"created\":\"2024-03-01T12:00:00.0000000Z\","
                                 "\"creator_program\":\"C:\\\\Program Files\\\\Example\\\\updater.exe\","
                                 "\"files\":[{\"id\":\"%08zx-2222-4333-8444-%012zx\","
                                 "\"local_path\":\"C:\\\\Temp\\\\part%zu.bin\","
                                 "\"remote_url\":\"https://updates.example.com/%zu/part.bin\"}]}",
                                 i ? "," : "", i + 1, i * 7919, i, i + 1, i * 104729, i, i);
    snprintf(json + used, capacity - used, "]}");
    return json;
}

static void generated_queue(void)
{
    char *json = description_json(2000);
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
    cli.page_size = 16384;
    cli.lid_size = 8;
    cli.reserved_tags = -1;
    cli.clean = -1;
    cli.lv_page_per_value = -1;
    CHECK(mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err));
    mk_buffer image = {NULL, 0, 0};
    mk_layout layout;
    mk_build_database(&d, &resolved, &image, &layout);
    CHECK(image.size > 5 * MIB);  /* three 2 MiB regions: more than the two that may stay resident */
    char path[256];
    snprintf(path, sizeof path, "%s/qmgr.db", folder);
    if (write_file(path, image.data, image.size)) {
        same_records(path, image.data, image.size, false, 2000);
        same_records(path, image.data, image.size, true, 2000);  /* nothing deleted */
    }
    mk_buffer_free(&image);
    mk_description_free(&d);
}

/* Job blobs inside 12 MiB of patterned bytes: at the start of a search window,
 * across a window boundary, across a 2 MiB region boundary, and near the end. */
static void carved_big_input(void)
{
    size_t blob_size = 0;
    uint8_t *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &blob_size);
    CHECK(blob != NULL);
    if (!blob)
        return;
    size_t size = 12 * MIB;
    uint8_t *bytes = malloc(size);
    CHECK(bytes != NULL);
    if (!bytes) {
        free(blob);
        return;
    }
    uint64_t state = 0x2545F4914F6CDD1Dull;
    for (size_t i = 0; i < size; i++) {
        state ^= state << 13, state ^= state >> 7, state ^= state << 17;
        bytes[i] = (uint8_t)state;
    }
    const size_t at[] = {1 * MIB, 3 * MIB - 1000, 4 * MIB - 700, 9 * MIB + 4321, size - blob_size - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++)
        memcpy(bytes + at[i], blob, blob_size);
    char path[256];
    snprintf(path, sizeof path, "%s/unallocated.bin", folder);
    if (write_file(path, bytes, size))
        same_records(path, bytes, size, true, 1);  /* the five copies are one version */
    free(bytes);
    free(blob);
}

int main(void)
{
    shared_path("testdata/ese/win10-19045.qmgr.db");  /* skips when the shared data is missing */
    if (!mkdtemp(folder)) {
        CHECK(false);
        return check_exit();
    }
    shared_kind("testdata/ese/win10-19045.qmgr.db", 1, 180);
    shared_kind("testdata/ese/win11-22000.qmgr.db", 4, 33);
    shared_kind("testdata/legacy/win10early-empty.qmgr0.dat", 0, 0);
    shared_kind("testdata/legacy/win7-job-record.bin", 1, 1);
    shared_kind("testdata/legacy/win81-file-list.bin", 1, 1);
    shared_kind("testdata/blobs/win10-19045.job.blob", 1, 1);
    shared_kind("testdata/blobs/win10-19045.file.blob", 1, 1);
    shared_kind("testdata/evtx/win10-desktopimgdownldr.evtx", 1, 1);
    shared_kind("testdata/evtx/win10-openvpn.evtx", 256, 256);
    generated_queue();
    carved_big_input();
    char command[320];
    snprintf(command, sizeof command, "rm -rf '%s'", folder);
    CHECK(system(command) == 0);
    return check_exit();
}
