/* Regression (code review, finding 2): the row for a file id that only stale
 * Files records name said "long value 0x0 holds another file or nothing"
 * when the record's blob was inline and did not decode (ese_carve.c passes
 * such a record with lid 0), and looked only at the first record of the id.
 * Now the long value is named only when a record of the id gives one (any of
 * them), else the warning says the inline blob does not decode.
 * Built on the carve session directly: id A is named by an inline record
 * (lid 0) and then by one naming long value 0x8000000080000012; id B only by
 * an inline record. No job lists either, so each is an orphan row. */
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "carve/carve.h"
#include "check.h"

#define FILE_A "c3d4e5f6-0001-4a7b-8c9d-0e1f2a3b4c01"
#define FILE_B "c3d4e5f6-0002-4a7b-8c9d-0e1f2a3b4c02"

static carve_place stale_record(uint32_t page, uint64_t offset, uint64_t lid)
{
    carve_place place;
    memset(&place, 0, sizeof(place));
    place.how = CARVE_HOW_STALE_RECORD;
    place.path = "fixture.qmgr.db";
    place.format = "ese";
    place.table = "Files";
    place.page = page;
    place.offset = offset;
    place.lid = lid;
    return place;
}

static const bp_record *row_of(const bp_result *result, const char *file_id)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (r->file && strcmp(r->file->file_id, file_id) == 0)
            return r;
    }
    return NULL;
}

static bool has_warning(const bp_record *r, const char *text)
{
    for (const bp_note *n = r->warnings.head; n; n = n->next)
        if (strcmp(n->text, text) == 0)
            return true;
    return false;
}

int main(void)
{
    bp_result *result = result_new();
    carve_session *session = carve_session_new(result, NULL);
    CHECK(result && session);
    if (!result || !session)
        return check_exit();
    carve_place inline_a = stale_record(20, 81920 + 100, 0);
    carve_place separated_a = stale_record(21, 86016 + 200, 0x8000000080000012ull);
    carve_place inline_b = stale_record(22, 90112 + 300, 0);
    carve_session_file_id(session, FILE_A, &inline_a);
    carve_session_file_id(session, FILE_A, &separated_a);
    carve_session_file_id(session, FILE_B, &inline_b);
    CHECK_U64(carve_session_finish(session), 2);

    const bp_record *a = row_of(result, FILE_A);
    CHECK(a != NULL);
    if (a) {
        CHECK(!a->job);
        CHECK_U64(a->warnings.count, 2);
        CHECK(has_warning(a, "only the file id is known: a stale Files record names it, but no file blob found "
                             "carries it (long value 0x8000000080000012 holds another file or nothing)"));
        CHECK(has_warning(a, "orphan file: no job found lists this file"));
    }
    const bp_record *b = row_of(result, FILE_B);
    CHECK(b != NULL);
    if (b) {
        CHECK(!b->job);
        CHECK_U64(b->warnings.count, 2);
        CHECK(has_warning(b, "only the file id is known: a stale Files record names it, but its inline blob does "
                             "not decode and no file blob found carries it"));
        CHECK(has_warning(b, "orphan file: no job found lists this file"));
        for (const bp_note *n = b->warnings.head; n; n = n->next)
            CHECK(!strstr(n->text, "long value 0x0"));
    }
    bp_result_free(result);
    return check_exit();
}
