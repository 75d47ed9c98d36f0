/* Windows 11 24H2/25H2 pages keep extra reserved tags before the data nodes,
 * counted in bits 12-14 of the tag-state word. We have no such database, so
 * this test rewrites the real Windows 11 sample into that layout (one extra
 * empty reserved tag on every page, checksums recomputed) and requires the
 * same records to come out. */
#include "bitsparse/bitsparse.h"
#include "check.h"
#include "output_text.h"
#include "ese/page.h"
#include "util/reader.h"

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Insert an empty reserved tag at index 1; returns false when the page has no
 * room for one more tag or is unused. */
static bool add_reserved_tag(uint8_t *page, uint32_t page_size, uint32_t pgno)
{
    util_reader r = util_reader_make(page, page_size);
    util_reader_seek(&r, 32);
    uint16_t first_free = util_read_u16(&r);
    uint16_t tag_state = util_read_u16(&r);
    uint16_t tags = tag_state & 0x0FFF;
    if (tags == 0 || (tag_state >> 12) != 0)
        return false;
    uint32_t header = page_size > 8192 ? 80 : 40;
    if (header + first_free + 4u * (tags + 1u) > page_size)
        return false;
    /* tags sit backwards from the end: move tags 1..n-1 one slot down */
    uint8_t *tag0 = page + page_size - 4;
    memmove(tag0 - 4 * tags, tag0 - 4 * (tags - 1), 4u * (tags - 1u));
    memset(tag0 - 4, 0, 4);
    put16(page + 34, (uint16_t)((tags + 1) | (2u << 12)));
    ese_page_store_checksums(page_size, page, pgno);
    return true;
}

int main(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path("testdata/ese/win11-22000.qmgr.db"), &size);
    CHECK(data != NULL);
    if (!data)
        return check_exit();
    bp_result *before = NULL;
    CHECK_U64(bp_parse_memory(data, size, "sample", &before), BP_STATUS_CLEAN);
    /* the inserted reserved tag moves every data node one tag up */
    for (size_t i = 0; i < bp_result_count(before); i++) {
        bp_record *record = (bp_record *)bp_result_record(before, i);
        record->job_source.tag++;
        record->file_source.tag++;
    }
    char *expected = output_text(before, BP_FORMAT_JSONL);

    const uint32_t page_size = 16384;
    size_t rewritten = 0;
    for (uint32_t pgno = 1; (pgno + 2) * (size_t)page_size <= size; pgno++)
        rewritten += add_reserved_tag(data + (pgno + 1) * (size_t)page_size, page_size, pgno);
    CHECK(rewritten >= 25);

    bp_result *after = NULL;
    CHECK_U64(bp_parse_memory(data, size, "sample", &after), BP_STATUS_CLEAN);
    CHECK_U64(bp_result_count(after), 4);
    char *actual = output_text(after, BP_FORMAT_JSONL);
    for (const bp_note *n = bp_result_warnings(after)->head; n; n = n->next)
        fprintf(stderr, "unexpected warning: %s\n", n->text);
    CHECK(strcmp(expected, actual) == 0);
    if (strcmp(expected, actual) != 0)
        fprintf(stderr, "before:\n%s\nafter:\n%s\n", expected, actual);
    const bp_record *first = bp_result_record(after, 0);
    CHECK_STR(first && first->job ? first->job->job_id : "", "5c26fc39-0647-43cf-bd6b-2ca3125c7fb3");
    printf("%zu pages rewritten with 2 reserved tags\n", rewritten);
    free(expected);
    free(actual);
    bp_result_free(before);
    bp_result_free(after);
    free(data);
    return check_exit();
}
