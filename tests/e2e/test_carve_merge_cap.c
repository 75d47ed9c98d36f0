/* Regression carve-merge-cap (docs/hardening.md): a cut copy of a job blob is
 * merged into the first complete version of the same job whose bytes it
 * begins. Each cut copy was compared with every version of its job; a crafted
 * input holding thousands of versions of one job made that quadratic. Now a
 * cut copy is compared with the first 4096 versions of its job only, and the
 * input gets a warning when one was not compared with all.
 * Built on the carve session directly from the real win10 job blob
 * ("Chrome Component Updater", 266504ac-...): 5000 versions differing in the
 * first characters of the name, a cut copy (1000 bytes) of version 100,
 * merged as before, and one of version 4999, beyond the bound: listed as a
 * version of its own, with the warning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "carve/carve.h"
#include "check.h"

#define JOB_BLOB "testdata/blobs/win10-19045.job.blob"
#define JOB_ID "266504ac-d974-446c-96ad-2be13a5665b0"
#define VERSIONS 5000
#define NAME_AT 52   /* UTF-16LE "Chrome Component Updater" */
#define CUT 1000

/* Version i: the name's first four characters spell i in base 26. */
static void make_version(uint8_t *blob, const uint8_t *original, size_t size, unsigned i)
{
    memcpy(blob, original, size);
    for (int k = 0; k < 4; k++) {
        blob[NAME_AT + 2 * k] = (uint8_t)('A' + i % 26);
        blob[NAME_AT + 2 * k + 1] = 0;
        i /= 26;
    }
}

static carve_place place_at(uint64_t offset, uint32_t size)
{
    carve_place place;
    memset(&place, 0, sizeof(place));
    place.how = CARVE_HOW_RAW_MARKER;
    place.path = "image.raw";
    place.format = "raw";
    place.table = "";
    place.offset = offset;
    place.size = size;
    return place;
}

/* The carved record holding a location at `offset`, NULL when none. */
static const bp_record *record_at(const bp_result *result, uint64_t offset, const bp_location **location)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        for (size_t k = 0; k < r->location_count; k++)
            if (r->locations[k].offset == offset) {
                *location = &r->locations[k];
                return r;
            }
    }
    return NULL;
}

int main(void)
{
    size_t size;
    uint8_t *original = read_whole_file(shared_path(JOB_BLOB), &size);
    CHECK(original != NULL && size == 2055);
    if (!original || size != 2055)
        return check_exit();
    bp_result *result = result_new();
    carve_session *session = carve_session_new(result, NULL);
    CHECK(result && session);
    if (!result || !session)
        return check_exit();
    uint8_t *blob = malloc(size);
    size_t added = 0;
    for (unsigned i = 0; i < VERSIONS; i++) {
        make_version(blob, original, size, i);
        carve_place place = place_at((uint64_t)i * 4096, (uint32_t)size);
        added += carve_session_add_job(session, blob, size, false, CARVE_FULL, "", &place);
    }
    CHECK_U64(added, VERSIONS);
    make_version(blob, original, size, 100);
    carve_place near = place_at(100000000, CUT);
    CHECK(carve_session_add_job(session, blob, CUT, false, CARVE_PARTIAL, "the end of the blob", &near));
    make_version(blob, original, size, VERSIONS - 1);
    carve_place far = place_at(200000000, CUT);
    CHECK(carve_session_add_job(session, blob, CUT, false, CARVE_PARTIAL, "the end of the blob", &far));
    free(blob);

    /* every version is one record (no files listed are found); the far cut copy one more */
    CHECK_U64(carve_session_finish(session), VERSIONS + 1);
    CHECK_U64(bp_result_count(result), VERSIONS + 1);

    const bp_location *location = NULL;
    const bp_record *merged = record_at(result, 100000000, &location);
    CHECK(merged != NULL);
    if (merged) {
        CHECK_STR(merged->job->job_id, JOB_ID);
        CHECK_STR(merged->job->name, "WDAAme Component Updater");  /* 100 = 22 + 3 * 26 */
        CHECK(location->partial);
        CHECK_U64(merged->location_count, 2);
        CHECK_U64(merged->locations[0].offset, 100u * 4096u);
    }
    const bp_record *alone = record_at(result, 200000000, &location);
    CHECK(alone != NULL);
    if (alone) {
        CHECK_STR(alone->job->job_id, JOB_ID);
        CHECK_U64(alone->location_count, 1);
        CHECK_STR(alone->recovered_from, "raw-marker");
    }
    const bp_note *note = bp_result_warnings(result)->head;
    CHECK(note != NULL);
    if (note)
        CHECK_STR(note->text, "cut copies compared only with the first 4096 versions of their job or file: 1; a "
                              "copy that belongs to a later version is listed as a version of its own");
    bp_result_free(result);
    free(original);
    return check_exit();
}
