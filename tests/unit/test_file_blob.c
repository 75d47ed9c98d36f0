/* File blob decoder (bits-format §5): the real Windows 10 blob field by field
 * (§8.2 / EXPECTED.md), damaged copies, and synthetic blobs with ranges and
 * with an unknown tail. */
#include <stdbool.h>
#include <stdint.h>

#include "check.h"
#include "random_stream.h"

#include "bits/file_blob.h"
#include "bits/markers.h"
#include "util/text.h"

#define REAL_FILE_SIZE 1072
#define REAL_LOCAL                                                                                 \
    "C:\\Users\\bob\\AppData\\Local\\Temp\\chrome_BITS_9548_1667050988\\"                          \
    "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3"

static const char *find_note(const bp_note_list *list, const char *needle)
{
    for (const bp_note *note = list->head; note; note = note->next)
        if (strstr(note->text, needle))
            return note->text;
    return NULL;
}

static bool file_is_sane(const bp_file *file)
{
    const char *strings[] = {file->file_id, file->local_path, file->remote_url, file->temp_path,
                             file->drive, file->volume};
    for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
        if (!strings[i])
            return false;
    size_t notes = 0;
    for (const bp_note *note = file->warnings.head; note; note = note->next, notes++)
        if (!note->text)
            return false;
    return notes == file->warnings.count && (!file->complete || file->tail_decoded);
}

static void check_real_file(const bp_file *file)
{
    char text[32];
    CHECK_STR(file->file_id, "");
    CHECK_STR(file->local_path, REAL_LOCAL);
    CHECK_STR(file->remote_url,
              "http://edgedl.me.gvt1.com/edgedl/release2/chrome_component/"
              "i73exzs4s3qvwnxxzwp6zdbtbe_372/"
              "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3");
    CHECK_STR(file->temp_path,
              "C:\\Users\\bob\\AppData\\Local\\Temp\\chrome_BITS_9548_1667050988\\BITAC67.tmp");
    CHECK_U64(file->bytes_transferred, 4782);
    CHECK_U64(file->bytes_total, 4782);
    CHECK_STR(file->drive, "C:\\");
    CHECK_STR(file->volume, "\\\\?\\Volume{08542f90-0000-0000-0000-501f00000000}\\");
    CHECK_U64(file->volume_serial, 0xD49D126F);
    CHECK_U64(file->file_size, 4782);
    CHECK_U64(file->remote_file_time, 0x01D913D607448380ULL);
    util_filetime_format(file->remote_file_time, text);
    CHECK_STR(text, "2022-12-19T18:16:35.0000000Z");
    CHECK(file->tail_decoded);
    CHECK(file->complete);
    CHECK_U64(file->blob_size, REAL_FILE_SIZE);
    CHECK_U64(file->warnings.count, 0);
}

static void check_truncations(const uint8_t *blob, size_t size)
{
    int not_sane = 0, wrongly_complete = 0, silent = 0, path_lost = 0, volume_lost = 0;
    for (size_t length = 0; length <= size; length++) {
        uint8_t *copy = malloc(length ? length : 1);
        memcpy(copy, blob, length);
        util_arena arena;
        util_arena_init(&arena);
        bp_file *file = bits_decode_file(&arena, copy, length);
        CHECK(file != NULL);
        if (file) {
            not_sane += !file_is_sane(file);
            wrongly_complete += length < size && file->complete;
            silent += length < size && file->warnings.count == 0;
            path_lost += length >= 0x124 && strcmp(file->local_path, REAL_LOCAL) != 0;
            volume_lost += length >= 0x38D && file->volume[0] == '\0';  /* fields 2-9 decoded */
        }
        util_arena_free(&arena);
        free(copy);
    }
    CHECK_U64(not_sane, 0);
    CHECK_U64(wrongly_complete, 0);
    CHECK_U64(silent, 0);
    CHECK_U64(path_lost, 0);
    CHECK_U64(volume_lost, 0);
}

static uint32_t next_random(uint32_t *state)
{
    return random_next32(state);
}

static void decode_copy_and_check(const uint8_t *copy, size_t size, int *failures)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_file *file = bits_decode_file(&arena, copy, size);
    *failures += !file || !file_is_sane(file);
    util_arena_free(&arena);
}

static void check_damage(const uint8_t *blob, size_t size)
{
    uint8_t *copy = malloc(size);
    uint32_t seed = 0xB175u;
    int failures = 0;
    for (int round = 0; round < 400; round++) {
        memcpy(copy, blob, size);
        int flips = 1 + (int)(next_random(&seed) % 4);
        for (int i = 0; i < flips; i++)
            copy[next_random(&seed) % size] ^= (uint8_t)(1 + next_random(&seed) % 255);
        decode_copy_and_check(copy, size, &failures);
    }
    for (size_t at = 0; at + 4 <= size; at++) {
        memcpy(copy, blob, size);
        memset(copy + at, 0xFF, 4);
        decode_copy_and_check(copy, size, &failures);
        memset(copy + at, 0x00, 4);
        decode_copy_and_check(copy, size, &failures);
    }
    CHECK_U64(failures, 0);
    free(copy);
}

static void check_hostile_fields(const uint8_t *blob, size_t size)
{
    static const struct {
        size_t offset;
        uint32_t value;
        const char *warning;
    } cases[] = {
        {0x10, 0x7FFFFFFF, "local path at offset 0x10 claims"},
        {0x124, 0x8000, "truncated at offset 0x124 while reading the remote URL (32768 units"},
        {0x3A1, 0xFFFFFFF0, "unknown section 1 (field 14) count 4294967280 at offset 0x3a1"},
        {0x3A6, 0x10000000, "unknown section 2 (field 16) count 268435456 at offset 0x3a6"},
        {0x3F0, 0x7FFFFFFF, "range count 2147483647 does not fit"},
        {0x3D6, 0, "first range marker (field 22) not found at offset 0x3d6"},
    };
    uint8_t *copy = malloc(size);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memcpy(copy, blob, size);
        for (int k = 0; k < 4; k++)
            copy[cases[i].offset + (size_t)k] = (uint8_t)(cases[i].value >> (8 * k));
        util_arena arena;
        util_arena_init(&arena);
        bp_file *file = bits_decode_file(&arena, copy, size);
        CHECK(file && file_is_sane(file));
        CHECK(!file->complete);
        CHECK(find_note(&file->warnings, cases[i].warning) != NULL);
        if (!find_note(&file->warnings, cases[i].warning)) {
            fprintf(stderr, "  wanted a warning containing \"%s\"\n", cases[i].warning);
            for (const bp_note *note = file->warnings.head; note; note = note->next)
                fprintf(stderr, "    warning: %s\n", note->text);
        }
        if (cases[i].offset >= 0x38D)  /* the prefix is untouched */
            CHECK_STR(file->local_path, REAL_LOCAL);
        util_arena_free(&arena);
    }
    free(copy);
}

/* ---- synthetic blobs ----------------------------------------------------------------------- */

typedef struct builder {
    uint8_t data[2048];
    size_t size;
} builder;

static void put_bytes(builder *b, const void *bytes, size_t n)
{
    if (b->size + n > sizeof b->data)
        abort();
    memcpy(b->data + b->size, bytes, n);
    b->size += n;
}

static void put_zeros(builder *b, size_t n)
{
    static const uint8_t zeros[32];
    while (n) {
        size_t step = n < sizeof zeros ? n : sizeof zeros;
        put_bytes(b, zeros, step);
        n -= step;
    }
}

static void put_u8(builder *b, uint8_t v) { put_bytes(b, &v, 1); }

static void put_u32(builder *b, uint32_t v)
{
    uint8_t bytes[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put_bytes(b, bytes, 4);
}

static void put_u64(builder *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_wstr(builder *b, const char *text)
{
    size_t n = strlen(text) + 1;
    put_u32(b, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        put_u8(b, (uint8_t)text[i]);
        put_u8(b, 0);
    }
}

/* An unfinished download of unknown size with two ranges and non-empty sections 14/16. */
static void build_file(builder *b, bool known_tail)
{
    b->size = 0;
    put_bytes(b, bits_file_marker, 16);
    put_wstr(b, "c:\\temp\\vlc.exe");
    put_wstr(b, "http://get.videolan.org/vlc/2.2.4/win64/vlc-2.2.4-win64.exe");
    put_wstr(b, "c:\\temp\\BITFFC1.tmp");
    put_u64(b, 9985);
    put_u64(b, UINT64_MAX);
    put_u8(b, 0);
    put_wstr(b, "C:\\");
    put_wstr(b, "\\\\?\\Volume{9a222d92-399d-11e5-8e3a-806e6f6e6963}\\");
    put_u32(b, 3);
    put_u32(b, 0x4290933E);
    put_u64(b, UINT64_MAX);  /* size unknown */
    put_u32(b, 0x80);
    put_u32(b, 5);
    put_bytes(b, "abcde", 5);
    put_u8(b, 0);
    put_u32(b, 1);
    put_zeros(b, 16);
    put_u64(b, 0x01D1BC0E8F4DAC00ULL);
    put_zeros(b, 16);
    put_u32(b, 0);
    put_u64(b, 9985);
    put_u64(b, 0);
    if (!known_tail) {
        put_zeros(b, 40);  /* a layout we do not know */
        return;
    }
    put_bytes(b, bits_file_tail_marker, 16);
    put_u32(b, 1);
    put_zeros(b, 6);
    put_u32(b, 2);
    put_zeros(b, 12);
    put_u64(b, 0);
    put_u64(b, 4096);
    put_u64(b, 4096);
    put_u64(b, 5889);
    put_bytes(b, bits_file_tail_marker, 16);
    put_bytes(b, bits_file_marker, 16);
}

static void check_synthetic(void)
{
    builder b;
    util_arena arena;
    util_arena_init(&arena);
    build_file(&b, true);
    bp_file *file = bits_decode_file(&arena, b.data, b.size);
    CHECK_STR(file->local_path, "c:\\temp\\vlc.exe");
    CHECK_STR(file->remote_url, "http://get.videolan.org/vlc/2.2.4/win64/vlc-2.2.4-win64.exe");
    CHECK_STR(file->temp_path, "c:\\temp\\BITFFC1.tmp");
    CHECK_U64(file->bytes_transferred, 9985);
    CHECK_U64(file->bytes_total, UINT64_MAX);
    CHECK_STR(file->volume, "\\\\?\\Volume{9a222d92-399d-11e5-8e3a-806e6f6e6963}\\");
    CHECK_U64(file->volume_serial, 0x4290933E);
    CHECK(file->file_size == -1);
    CHECK_U64(file->remote_file_time, 0x01D1BC0E8F4DAC00ULL);
    CHECK(file->tail_decoded);
    CHECK(file->complete);
    CHECK_U64(file->warnings.count, 0);

    build_file(&b, false);
    file = bits_decode_file(&arena, b.data, b.size);
    CHECK_STR(file->local_path, "c:\\temp\\vlc.exe");
    CHECK_U64(file->remote_file_time, 0x01D1BC0E8F4DAC00ULL);
    CHECK(file->tail_decoded);  /* fields 10-21 decoded */
    CHECK(!file->complete);
    CHECK(find_note(&file->warnings, "first range marker (field 22) not found") != NULL);

    file = bits_decode_file(&arena, NULL, 0);
    CHECK(file && file_is_sane(file));
    CHECK(file->file_size == -1);
    CHECK(find_note(&file->warnings, "truncated at offset 0x0 while reading the file marker") != NULL);
    util_arena_free(&arena);
}

static void check_unknown_marker_and_bad_utf16(const uint8_t *blob, size_t size)
{
    uint8_t *copy = malloc(size);
    memcpy(copy, blob, size);
    copy[0] ^= 0xFF;
    copy[0x14] = 0x01;  /* the path's first unit becomes a lone high surrogate */
    copy[0x15] = 0xD8;
    util_arena arena;
    util_arena_init(&arena);
    bp_file *file = bits_decode_file(&arena, copy, size);
    CHECK(find_note(&file->warnings, "unknown file marker at offset 0x0") != NULL);
    CHECK(find_note(&file->warnings, "local path at offset 0x10 holds invalid UTF-16") != NULL);
    CHECK(strncmp(file->local_path, "\xEF\xBF\xBD:\\Users", 10) == 0);
    CHECK(file->complete);  /* the footer is still the file marker */
    util_arena_free(&arena);
    free(copy);
}

int main(void)
{
    check_synthetic();

    if (check_failures)  /* report synthetic failures even without the shared data */
        return check_exit();
    size_t size = 0;
    uint8_t *blob = read_whole_file(shared_path("testdata/blobs/win10-19045.file.blob"), &size);
    CHECK(blob != NULL);
    CHECK_U64(size, REAL_FILE_SIZE);
    if (!blob || size != REAL_FILE_SIZE)
        return check_exit();
    util_arena arena;
    util_arena_init(&arena);
    check_real_file(bits_decode_file(&arena, blob, size));
    util_arena_free(&arena);
    check_truncations(blob, size);
    check_damage(blob, size);
    check_hostile_fields(blob, size);
    check_unknown_marker_and_bad_utf16(blob, size);
    free(blob);
    return check_exit();
}
