/* Validation of carved candidates (src/carve/validate.c, bits-format §7.3):
 * the real win10 blobs pass, cut copies are partial with what is missing,
 * and the garbage other tools print (zero GUIDs, JobType 8196, 1601 dates,
 * broken UTF-16) is rejected. */
#include "bits/file_blob.h"
#include "bits/job_blob.h"
#include "carve/validate.h"
#include "check.h"

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static void test_primitives(void)
{
    CHECK(carve_filetime_ok(0));
    CHECK(!carve_filetime_ok(1));                         /* 1601 */
    CHECK(carve_filetime_ok(0x01D914E27457A12Eull));       /* 2022-12-21, the live job's creation */
    CHECK(!carve_filetime_ok(CARVE_FILETIME_MIN - 1));     /* 1989 */
    CHECK(carve_filetime_ok(CARVE_FILETIME_MIN));
    CHECK(!carve_filetime_ok(CARVE_FILETIME_MAX));          /* 2100 */
    CHECK(carve_guid_text_ok("9a54c35a-c02f-4923-a7cc-53f4e41f165e"));
    CHECK(!carve_guid_text_ok("00000000-0000-0000-0000-000000000000"));
    CHECK(!carve_guid_text_ok("ffffffff-ffff-ffff-ffff-ffffffffffff"));
    CHECK(!carve_guid_text_ok(""));
    CHECK(carve_sid_text_ok("S-1-5-18"));
    CHECK(carve_sid_text_ok("S-1-5-21-1079689790-2336414676-942872339-1001"));
    CHECK(!carve_sid_text_ok("S-1-"));
    CHECK(!carve_sid_text_ok("S-1-5-"));
    CHECK(!carve_sid_text_ok("S-1-5--18"));
    CHECK(!carve_sid_text_ok("S-2-5-18"));
    CHECK(!carve_sid_text_ok("S-1-5-18x"));
    CHECK(!carve_sid_text_ok(""));
}

static void test_strings(void)
{
    /* "ab" (3 units incl. NUL), then "" (1 unit) */
    uint8_t good[] = {3, 0, 0, 0, 'a', 0, 'b', 0, 0, 0, 1, 0, 0, 0, 0, 0};
    bool cut;
    size_t end;
    CHECK(carve_strings_ok(good, sizeof(good), 0, 2, &cut, &end));
    CHECK(!cut);
    CHECK_U64(end, sizeof(good));
    /* the data ends inside the second string: still right, but cut */
    CHECK(carve_strings_ok(good, sizeof(good) - 1, 0, 2, &cut, &end));
    CHECK(cut);
    CHECK_U64(end, 10);
    /* zero units, a NUL inside, no final NUL, too long: wrong */
    uint8_t zero[] = {0, 0, 0, 0};
    CHECK(!carve_strings_ok(zero, sizeof(zero), 0, 1, &cut, &end));
    uint8_t inner_nul[] = {3, 0, 0, 0, 'a', 0, 0, 0, 0, 0};
    CHECK(!carve_strings_ok(inner_nul, sizeof(inner_nul), 0, 1, &cut, &end));
    uint8_t no_nul[] = {2, 0, 0, 0, 'a', 0, 'b', 0};
    CHECK(!carve_strings_ok(no_nul, sizeof(no_nul), 0, 1, &cut, &end));
    uint8_t huge[] = {0x01, 0x80, 0, 0, 'a', 0};
    CHECK(!carve_strings_ok(huge, sizeof(huge), 0, 1, &cut, &end));
    /* surrogates: a pair is fine, a lone one is not */
    uint8_t pair[] = {3, 0, 0, 0, 0x3D, 0xD8, 0x00, 0xDE, 0, 0};
    CHECK(carve_strings_ok(pair, sizeof(pair), 0, 1, &cut, &end) && !cut);
    uint8_t lone_high[] = {3, 0, 0, 0, 0x3D, 0xD8, 'a', 0, 0, 0};
    CHECK(!carve_strings_ok(lone_high, sizeof(lone_high), 0, 1, &cut, &end));
    uint8_t lone_low[] = {2, 0, 0, 0, 0x00, 0xDE, 0, 0};
    CHECK(!carve_strings_ok(lone_low, sizeof(lone_low), 0, 1, &cut, &end));
}

static void test_real_job(void)
{
    size_t size;
    unsigned char *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &size);
    CHECK(blob && size == 2055);
    util_arena arena;
    util_arena_init(&arena);
    char missing[160];
    bp_job *job = bits_decode_job(&arena, blob, size);
    CHECK(carve_check_job(job, blob, size, missing, sizeof(missing)) == CARVE_FULL);
    CHECK_STR(missing, "");

    /* cut copies: partial while the header holds, with what is missing */
    job = bits_decode_job(&arena, blob, 1000);
    CHECK(carve_check_job(job, blob, 1000, missing, sizeof(missing)) == CARVE_PARTIAL);
    CHECK(strstr(missing, "file list") != NULL);
    CHECK(strstr(missing, "times") != NULL);
    CHECK(strstr(missing, "footer") != NULL);
    job = bits_decode_job(&arena, blob, 0x40);
    CHECK(carve_check_job(job, blob, 0x40, missing, sizeof(missing)) == CARVE_PARTIAL);
    CHECK(strstr(missing, "names and owner") != NULL);
    job = bits_decode_job(&arena, blob, 0x2F);
    CHECK(carve_check_job(job, blob, 0x2F, missing, sizeof(missing)) == CARVE_REJECT);

    /* the garbage other tools print */
    unsigned char *bad = malloc(size);
    memcpy(bad, blob, size);
    memset(bad + 0x20, 0, 16); /* all-zero job id */
    job = bits_decode_job(&arena, bad, size);
    CHECK(carve_check_job(job, bad, size, missing, sizeof(missing)) == CARVE_REJECT);
    memcpy(bad, blob, size);
    put_u32(bad + 0x1C, 8196); /* JobType 8196 (and field 2 not a type either) */
    put_u32(bad + 0x10, 8196);
    job = bits_decode_job(&arena, bad, size);
    CHECK(carve_check_job(job, bad, size, missing, sizeof(missing)) == CARVE_REJECT);
    memcpy(bad, blob, size);
    put_u32(bad + 0x18, 168624128); /* JobState 168624128 */
    job = bits_decode_job(&arena, bad, size);
    CHECK(carve_check_job(job, bad, size, missing, sizeof(missing)) == CARVE_REJECT);
    memcpy(bad, blob, size);
    memset(bad + 0x692, 0, 8); /* created = 1601-01-01 00:00:00.0000001 */
    bad[0x692] = 1;
    job = bits_decode_job(&arena, bad, size);
    CHECK(carve_check_job(job, bad, size, missing, sizeof(missing)) == CARVE_REJECT);
    memcpy(bad, blob, size);
    bad[0x34] = 0x00;  /* name "Chrome ..." gets a NUL at its first unit */
    bad[0x35] = 0x00;
    job = bits_decode_job(&arena, bad, size);
    CHECK(carve_check_job(job, bad, size, missing, sizeof(missing)) == CARVE_REJECT);
    memcpy(bad, blob, size);
    bad[0x34] = 0x00;  /* a lone surrogate in the name */
    bad[0x35] = 0xDC;
    job = bits_decode_job(&arena, bad, size);
    CHECK(carve_check_job(job, bad, size, missing, sizeof(missing)) == CARVE_REJECT);
    free(bad);
    util_arena_free(&arena);
    free(blob);
}

static void test_real_file(void)
{
    size_t size;
    unsigned char *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.file.blob"), &size);
    CHECK(blob && size == 1072);
    util_arena arena;
    util_arena_init(&arena);
    char missing[160];
    bp_file *file = bits_decode_file(&arena, blob, size);
    CHECK(carve_check_file(file, blob, size, 16, missing, sizeof(missing)) == CARVE_FULL);
    file = bits_decode_file(&arena, blob, 900);
    CHECK(carve_check_file(file, blob, 900, 16, missing, sizeof(missing)) == CARVE_PARTIAL);
    CHECK(strstr(missing, "footer") != NULL);
    /* cut inside the URL: no URL, no row */
    file = bits_decode_file(&arena, blob, 400);
    CHECK(carve_check_file(file, blob, 400, 16, missing, sizeof(missing)) == CARVE_REJECT);
    /* more transferred than the known total */
    unsigned char *bad = malloc(size);
    memcpy(bad, blob, size);
    bad[0x308] = 0xFF;
    bad[0x309] = 0xFF;
    file = bits_decode_file(&arena, bad, size);
    CHECK(carve_check_file(file, bad, size, 16, missing, sizeof(missing)) == CARVE_REJECT);
    free(bad);
    util_arena_free(&arena);
    free(blob);
}

int main(void)
{
    test_primitives();
    test_strings();
    test_real_job();
    test_real_file();
    return check_exit();
}
