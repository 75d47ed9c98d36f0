/* Regression (issue 18): --scan of ../shared/testdata/ese/win10-19045.qmgr.db
 * after 1237 random bytes decoded the Outlook Offline Address Book job
 * versions whose blobs span three long-value chunks by reading straight
 * through the page end: blob sizes 11068/9173/9525/8247, max_download_time
 * 4030300179, cost_flags with undefined bits, an empty creator program.
 * Read chunk by chunk they are what --carve gives: 8272, 8216, 8216 and 8218
 * bytes, 7776000, 0x8000006F, ...\Office16\OUTLOOK.EXE. And when the image
 * ends after the page holding a blob's first chunk, or the page holding its
 * continuation is missing, the blob is a cut copy (partial) that shows only
 * fields whose bytes were found. */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#include "random_stream.h"

#define PAD 1237
#define PAGE 16384
#define OUTLOOK "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"

static uint64_t rng_state = 0x1237;

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        random_next(&rng_state);
        p[i] = (uint8_t)(rng_state >> 11);
    }
}

/* PAD random bytes, db[0, db_size), 3000 random bytes: scanned. */
static bp_result *scan_embedded(const uint8_t *db, size_t db_size, const char *name)
{
    size_t size = PAD + db_size + 3000;
    uint8_t *image = malloc(size);
    CHECK(image != NULL);
    if (!image)
        return NULL;
    fill_random(image, PAD);
    memcpy(image + PAD, db, db_size);
    fill_random(image + PAD + db_size, 3000);
    char path[512];
    snprintf(path, sizeof path, "%s/%s", BP_BINARY_DIR, name);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    bool written = f && fwrite(image, 1, size, f) == size;
    if (f)
        fclose(f);
    free(image);
    CHECK(written);
    bp_parse_options options;
    memset(&options, 0, sizeof options);
    options.scan = true;
    bp_result *result = NULL;
    bp_parse_path_ex(path, &options, &result);
    unlink(path);
    return result;
}

/* The carved job record whose job copy lies at `offset` of the image. */
static const bp_record *job_at(const bp_result *result, uint64_t offset, const bp_location **where)
{
    for (size_t i = 0; result && i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t k = 0; r->job && k < r->location_count; k++)
            if (strcmp(r->locations[k].item, "job") == 0 && r->locations[k].offset == offset) {
                *where = &r->locations[k];
                return r;
            }
    }
    return NULL;
}

static void check_outlook_job(const bp_result *result, const char *job_id, uint64_t db_offset, uint32_t size,
                              uint32_t pgno, uint64_t lid)
{
    const bp_location *where = NULL;
    const bp_record *r = job_at(result, PAD + db_offset, &where);
    CHECK(r != NULL);
    if (!r)
        return;
    CHECK_STR(r->job->job_id, job_id);
    CHECK_U64(r->job_source.blob_size, size);
    CHECK_U64(where->size, size);
    CHECK(!where->partial);
    CHECK_U64(where->page, pgno);
    CHECK_U64(where->long_value_id, lid);
    CHECK_U64(r->job->max_download_time, 7776000);
    CHECK_U64(r->job->cost_flags, 0x8000006F);
    CHECK_STR(r->job->creator_program, OUTLOOK);
    CHECK(r->job->complete);
    CHECK_U64(r->job->warnings.count, 0);
}

/* LID 0x11 (job 3a817b5d) without its continuation: a cut copy of at most
 * its first chunk (4050 bytes from the marker), no field from beyond it. */
static void check_cut_outlook(const bp_result *result, const char *what)
{
    const bp_location *where = NULL;
    const bp_record *r = job_at(result, PAD + 992676, &where);
    CHECK(r != NULL);
    if (!r)
        return;
    printf("%s: cut copy of %u bytes\n", what, where->size);
    CHECK_STR(r->job->job_id, "3a817b5d-6a87-4d0c-b41e-7f7c6a9fae64");
    bool said_cut = false;
    for (const bp_note *n = r->job->warnings.head; n; n = n->next)
        said_cut |= strncmp(n->text, "carved copy is cut short after", 30) == 0;
    CHECK(said_cut);
    CHECK(where->size > 0 && where->size <= 4050);
    CHECK_U64(where->page, 59);
    CHECK_U64(where->long_value_id, 0x11);
    CHECK(!r->job->complete);
    CHECK(!r->job->tail_decoded);
    CHECK_U64(r->job->max_download_time, 0);
    CHECK_U64(r->job->cost_flags, 0);
    CHECK_STR(r->job->creator_program, "");
    CHECK_STR(r->job->name, "Microsoft Outlook Offline Address Book 7c6f3756af5d974890e647b5338169d0");
}

int main(void)
{
    size_t db_size;
    uint8_t *db = read_whole_file(shared_path("testdata/ese/win10-19045.qmgr.db"), &db_size);
    if (!db)
        CHECK_SKIP("shared test data unreadable");

    /* the whole database: each version as --carve reads it (offsets in the
     * database: EXPECTED by `bitsparse --carve`, page and LID of the first chunk) */
    bp_result *result = scan_embedded(db, db_size, "regression_cross_page.bin");
    check_outlook_job(result, "3a817b5d-6a87-4d0c-b41e-7f7c6a9fae64", 992676, 8272, 59, 0x11);
    check_outlook_job(result, "f0762654-e1b8-4345-8f57-5c3e1d0a531d", 961747, 8216, 57, 0xa);
    check_outlook_job(result, "f0762654-e1b8-4345-8f57-5c3e1d0a531d", 970929, 8216, 58, 0xb);
    check_outlook_job(result, "81be6087-edb5-4077-aa84-b76af8232df4", 945013, 8218, 56, 0x6);
    /* and no version of these jobs with values the page end produced */
    size_t versions = 0;
    for (size_t i = 0; result && i < bp_result_count(result); i++) {
        const bp_job *job = bp_result_record(result, i)->job;
        if (!job || !(strncmp(job->job_id, "3a817b5d", 8) == 0 || strncmp(job->job_id, "f0762654", 8) == 0 ||
                      strncmp(job->job_id, "81be6087", 8) == 0))
            continue;
        versions++;
        CHECK_U64(job->max_download_time, 7776000);
        CHECK(job->cost_flags == 0x8000006F || job->cost_flags == 0x80000067);
        CHECK_STR(job->creator_program, OUTLOOK);
        CHECK_U64(job->warnings.count, 0);
    }
    CHECK(versions >= 15);
    bp_result_free(result);

    /* the image ends after page 59, which holds the first chunk of LID 0x11
     * (its last node, ending where the page's data ends): the continuation is
     * gone, so the copy is cut and decoded from that chunk's bytes only */
    size_t cut = (size_t)(59 + 2) * PAGE;
    CHECK(cut + 2 * PAGE < db_size);
    if (cut + 2 * PAGE >= db_size) {
        free(db);
        return check_exit();
    }
    result = scan_embedded(db, cut, "regression_cross_page_cut.bin");
    check_cut_outlook(result, "image ending after page 59");
    bp_result_free(result);

    /* the same with page 60, which holds the continuation chunks, left out:
     * a valid page follows, but not the chunk at offset 4050 */
    uint8_t *holed = malloc(db_size - PAGE);
    CHECK(holed != NULL);
    if (holed) {
        memcpy(holed, db, cut);
        memcpy(holed + cut, db + cut + PAGE, db_size - cut - PAGE);
        result = scan_embedded(holed, db_size - PAGE, "regression_cross_page_hole.bin");
        check_cut_outlook(result, "page 60 left out");
        bp_result_free(result);
        free(holed);
    }
    free(db);
    return check_exit();
}
