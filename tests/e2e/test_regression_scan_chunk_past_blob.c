/* Regression (code review, finding 4): when --scan decoded a blob from a long
 * value, it marked every continuation chunk of the value as taken, also those
 * past the blob's decoded end, and ignored later marker hits in them: a blob
 * whose header sits in such a chunk was never found. Only the chunk bytes the
 * blob used are marked now.
 * A generated qmgr.db (4 KiB pages, 512-byte long-value chunks) whose big
 * job's long value is overwritten, chunk by chunk, with a whole copy of the
 * small job's blob and, from the next chunk on, a copy of the small job's file
 * blob (page checksums restored); embedded at offset 1237 of an image, so the
 * scanner reads it. Both copies must be found at those offsets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "blob_encoders.h"
#include "check.h"
#include "database_writer.h"
#include "description.h"
#include "ese/page.h"

#define PAGE 4096u
#define CHUNK 512u
#define PAD 1237u
#define BIG_JOB "3f1c2a9e-0b44-4c5e-9a61-2d7e8f90a1b2"
#define SMALL_JOB "a7d5e3c1-6f28-4b9a-8e07-15c3d2b4f6a8"

static char *description_json(void)
{
    size_t size = 16384;
    char *json = malloc(size);
    if (!json)
        return NULL;
    char text[3001];
    for (size_t i = 0; i < 3000; i++)
        text[i] = (char)('a' + (i * 7) % 26);
    text[3000] = '\0';
    snprintf(json, size,
             "{\"os_build\": 19045, \"options\": {\"page_size\": %u, \"chunk_size\": %u}, \"jobs\": ["
             "{\"id\": \"" BIG_JOB "\", \"owner_sid\": \"S-1-5-18\", \"created\": \"2024-03-14T08:41:00Z\","
             " \"name\": \"big\", \"description\": \"%s\", \"files\": [{\"id\": \"00000001-1111-4222-8333-444455556666\","
             " \"local_path\": \"C:\\\\Temp\\\\big.bin\", \"remote_url\": \"https://example.org/big.bin\"}]},"
             "{\"id\": \"" SMALL_JOB "\", \"owner_sid\": \"S-1-5-18\", \"created\": \"2024-03-14T08:42:00Z\","
             " \"name\": \"small\", \"files\": [{\"id\": \"00000002-1111-4222-8333-444455556666\","
             " \"local_path\": \"C:\\\\Temp\\\\small.bin\", \"remote_url\": \"https://example.org/small.bin\"}]}]}",
             PAGE, CHUNK, text);
    return json;
}

static size_t find(const uint8_t *data, size_t size, const uint8_t *needle, size_t length)
{
    for (size_t i = 0; i + length <= size; i++)
        if (memcmp(data + i, needle, length) == 0)
            return i;
    return SIZE_MAX;
}

/* Write bytes over the chunks at[first...] (CHUNK bytes each); false when they do not fit. */
static bool write_over_chunks(mk_buffer *image, const size_t *at, size_t chunks, size_t first, const mk_buffer *bytes)
{
    for (size_t done = 0, c = first; done < bytes->size; c++) {
        if (c >= chunks)
            return false;
        size_t take = bytes->size - done < CHUNK ? bytes->size - done : CHUNK;
        memcpy(image->data + at[c], bytes->data + done, take);
        done += take;
    }
    return true;
}

static const bp_record *record_at(const bp_result *result, uint64_t offset, bool job)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t k = 0; k < r->location_count; k++)
            if (r->locations[k].offset == offset && strcmp(r->locations[k].item, job ? "job" : "file") == 0)
                return r;
    }
    return NULL;
}

int main(void)
{
    char *json = description_json();
    mk_description d;
    char err[256];
    CHECK(json && mk_description_parse(json, &d, err, sizeof err));
    free(json);
    mk_options cli, resolved;
    memset(&cli, 0, sizeof cli);
    cli.reserved_tags = -1;
    cli.clean = -1;
    cli.lv_page_per_value = -1;
    CHECK(mk_resolve_options(&d.options, &cli, &resolved, err, sizeof err));
    mk_buffer db = {NULL, 0, 0}, big = {NULL, 0, 0}, small = {NULL, 0, 0}, file = {NULL, 0, 0};
    mk_layout layout;
    mk_build_database(&d, &resolved, &db, &layout);
    mk_encode_job_blob(&d, &d.jobs[0], &big);
    mk_encode_job_blob(&d, &d.jobs[1], &small);
    mk_encode_file_blob(&d.files[1], &file);

    /* the big job's chunks, in value order */
    size_t chunks = (big.size + CHUNK - 1) / CHUNK, at[64];
    CHECK(chunks <= 64);
    bool found = chunks <= 64;
    for (size_t c = 0; found && c < chunks; c++) {
        size_t length = big.size - c * CHUNK < CHUNK ? big.size - c * CHUNK : CHUNK;
        at[c] = find(db.data, db.size, big.data + c * CHUNK, length);
        found = at[c] != SIZE_MAX;
    }
    CHECK(found);
    size_t small_chunks = (small.size + CHUNK - 1) / CHUNK;
    CHECK(small.size % CHUNK != 0);   /* the file copy starts in a chunk of its own */
    if (found) {
        CHECK(write_over_chunks(&db, at, chunks, 0, &small));
        CHECK(write_over_chunks(&db, at, chunks, small_chunks, &file));
        for (size_t c = 0; c < chunks; c++) {
            size_t page = at[c] / PAGE * PAGE;
            ese_page_store_checksums(PAGE, db.data + page, (uint32_t)(page / PAGE - 1));
        }
    }

    size_t size = PAD + db.size + PAGE;
    uint8_t *image = calloc(1, size);
    CHECK(image != NULL);
    if (image && found) {
        memcpy(image + PAD, db.data, db.size);
        bp_parse_options options;
        memset(&options, 0, sizeof options);
        options.scan = true;
        bp_result *result = NULL;
        bp_parse_memory_ex(image, size, "image.raw", &options, &result);
        CHECK(result != NULL);
        const bp_record *job = result ? record_at(result, PAD + at[0], true) : NULL;
        CHECK(job != NULL);
        if (job) {
            CHECK_STR(job->job->job_id, SMALL_JOB);
            CHECK_STR(job->job->name, "small");
        }
        const bp_record *copy = result ? record_at(result, PAD + at[small_chunks], false) : NULL;
        CHECK(copy != NULL);   /* was skipped: its chunk was marked taken by the job copy */
        if (copy && copy->file) {
            CHECK(copy->carved);
            CHECK_STR(copy->file->remote_url, "https://example.org/small.bin");
            CHECK_STR(copy->file->local_path, "C:\\Temp\\small.bin");
        }
        bp_result_free(result);
    }
    free(image);
    mk_buffer_free(&db);
    mk_buffer_free(&big);
    mk_buffer_free(&small);
    mk_buffer_free(&file);
    mk_description_free(&d);
    return check_exit();
}
