/* Decoding a carving candidate at a marker hit (src/carve/candidate.c): the
 * blob's end is found by its footer, footer hits and garbage are refused, a
 * blob cut short is kept as partial and trimmed to what decoded, the inline
 * Files record in front of a file blob gives its id, and legacy records and
 * file lists are found with the legacy decoder. */
#include "bits/markers.h"
#include "random_stream.h"
#include "carve/carve.h"
#include "check.h"

static uint64_t rng_state = 0x51ED;

static void fill_random(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        random_next(&rng_state);
        p[i] = (uint8_t)rng_state;
    }
}

static unsigned char *load(const char *relative, size_t *size)
{
    unsigned char *bytes = read_whole_file(shared_path(relative), size);
    CHECK(bytes != NULL);
    return bytes;
}

static void test_job_in_noise(void)
{
    size_t job_size;
    unsigned char *job = load("testdata/blobs/win10-19045.job.blob", &job_size);
    enum { SIZE = 20000, AT = 3001 };
    uint8_t *buf = malloc(SIZE);
    fill_random(buf, SIZE);
    memcpy(buf + AT, job, job_size);
    /* a second copy right behind the first: the first blob ends at its own footer */
    memcpy(buf + AT + job_size, job, job_size);
    util_arena scratch;
    util_arena_init(&scratch);
    carve_candidate c;
    CHECK(carve_try_ese_job(&scratch, buf, SIZE, AT, &c));
    CHECK(c.verdict == CARVE_FULL);
    CHECK_U64(c.start, AT);
    CHECK_U64(c.length, 2055);
    CHECK(!c.legacy);
    /* the footer of the first copy is not a job (what follows it is the next header) */
    CHECK(!carve_try_ese_job(&scratch, buf, SIZE, AT + job_size - 16, &c));
    /* cut short by the end of the data: partial, trimmed to where decoding stopped */
    CHECK(carve_try_ese_job(&scratch, buf, AT + 1500, AT, &c));
    CHECK(c.verdict == CARVE_PARTIAL);
    CHECK(c.length <= 1500);
    CHECK(c.length > 0x40);
    CHECK(strstr(c.missing, "footer") != NULL);
    /* only the header fits: rejected */
    CHECK(!carve_try_ese_job(&scratch, buf, AT + 0x20, AT, &c));
    /* a marker followed by noise */
    memcpy(buf + 10000, bits_job_markers[0].bytes, 16);
    CHECK(!carve_try_ese_job(&scratch, buf, SIZE, 10000, &c));
    util_arena_free(&scratch);
    free(buf);
    free(job);
}

static void test_file_and_inline_record(void)
{
    size_t file_size;
    unsigned char *file = load("testdata/blobs/win10-19045.file.blob", &file_size);
    static const uint8_t record_head[4] = {0x01, 0x7F, 0x15, 0x00};
    static const uint8_t record_tail[6] = {0xFE, 0x00, 0x01, 0x04, 0x00, 0x01};
    /* Id 5fbecf0f-2637-42b5-b452-b5eb765cd0e1 in on-disk order */
    static const uint8_t id[16] = {0x0f, 0xcf, 0xbe, 0x5f, 0x37, 0x26, 0xb5, 0x42,
                                   0xb4, 0x52, 0xb5, 0xeb, 0x76, 0x5c, 0xd0, 0xe1};
    enum { SIZE = 8000, AT = 1000 };
    uint8_t *buf = malloc(SIZE);
    fill_random(buf, SIZE);
    memcpy(buf + AT - 26, record_head, 4);
    memcpy(buf + AT - 22, id, 16);
    memcpy(buf + AT - 6, record_tail, 6);
    memcpy(buf + AT, file, file_size);
    util_arena scratch;
    util_arena_init(&scratch);
    carve_candidate c;
    CHECK(carve_try_ese_file(&scratch, buf, SIZE, AT, &c));
    CHECK(c.verdict == CARVE_FULL);
    CHECK_U64(c.length, 1072);
    CHECK_STR(c.file_id, "5fbecf0f-2637-42b5-b452-b5eb765cd0e1");
    /* without the record header the Id must look like a random (v4) GUID: it does */
    fill_random(buf + AT - 26, 4);
    CHECK(carve_try_ese_file(&scratch, buf, SIZE, AT, &c));
    CHECK_STR(c.file_id, "5fbecf0f-2637-42b5-b452-b5eb765cd0e1");
    /* ... and a version-2 "GUID" made of marker bytes does not */
    buf[AT - 22 + 7] = 0x26;
    CHECK(carve_try_ese_file(&scratch, buf, SIZE, AT, &c));
    CHECK_STR(c.file_id, "");
    /* the footer hit is refused */
    CHECK(!carve_try_ese_file(&scratch, buf, SIZE, AT + 1072 - 16, &c));
    /* cut inside the URL: no URL, refused */
    CHECK(!carve_try_ese_file(&scratch, buf, AT + 300, AT, &c));
    util_arena_free(&scratch);
    free(buf);
    free(file);
}

typedef struct list_files {
    size_t starts[8], lengths[8];
    carve_verdict verdicts[8];
    size_t count;
} list_files;

static void take_file(void *context, size_t start, size_t length, carve_verdict verdict, const char *missing)
{
    (void)missing;
    list_files *l = context;
    if (l->count < 8) {
        l->starts[l->count] = start;
        l->lengths[l->count] = length;
        l->verdicts[l->count] = verdict;
        l->count++;
    }
}

static void test_legacy(void)
{
    size_t size;
    unsigned char *record = load("testdata/legacy/win7-job-record.bin", &size);
    enum { SIZE = 12000, AT = 777 };
    uint8_t *buf = malloc(SIZE);
    fill_random(buf, SIZE);
    memcpy(buf + AT, record, size);
    util_arena scratch;
    util_arena_init(&scratch);
    carve_candidate c;
    CHECK(carve_try_legacy_job(&scratch, buf, SIZE, AT, &c));
    CHECK(c.legacy);
    CHECK(c.verdict == CARVE_FULL);
    CHECK_U64(c.length, size);
    free(record);

    /* the win81 file list fragment: one file, cut before its file size */
    unsigned char *list = load("testdata/legacy/win81-file-list.bin", &size);
    fill_random(buf, SIZE);
    memcpy(buf + AT, list, size);
    list_files found = {.count = 0};
    size_t taken = carve_try_legacy_file_list(&scratch, buf, SIZE, AT, take_file, &found);
    CHECK(taken > 0);
    CHECK_U64(found.count, 1);
    CHECK_U64(found.starts[0], AT + 20);
    CHECK(found.verdicts[0] == CARVE_PARTIAL);
    /* trimmed to the record's completed fields, whatever follows the fragment */
    size_t first_length = found.lengths[0];
    CHECK(first_length < size - 20);
    fill_random(buf + AT + size, 200);
    found.count = 0;
    carve_try_legacy_file_list(&scratch, buf, SIZE, AT, take_file, &found);
    CHECK_U64(found.count, 1);
    CHECK_U64(found.lengths[0], first_length);
    /* an ESE-era job's transfer marker is not a legacy file list */
    size_t job_size;
    unsigned char *job = load("testdata/blobs/win10-19045.job.blob", &job_size);
    memcpy(buf + AT, job, job_size);
    found.count = 0;
    CHECK_U64(carve_try_legacy_file_list(&scratch, buf, SIZE, AT + 0x64E, take_file, &found), 0);
    CHECK_U64(found.count, 0);
    free(job);
    free(list);
    util_arena_free(&scratch);
    free(buf);
}

int main(void)
{
    test_job_in_noise();
    test_file_and_inline_record();
    test_legacy();
    return check_exit();
}
