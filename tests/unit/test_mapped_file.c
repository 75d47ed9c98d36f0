/* util/mapped_file.c (issue 21): a regular file mapped instead of read. Known
 * answers: the bytes and the SHA-256 of a small file and of an empty one
 * (FIPS 180-4 "abc" and empty-message digests); the bytes stay readable and
 * unchanged after trims, whichever regions were announced; a trim comes when
 * one more region than the limit is announced and not before; a file that
 * grows while mapped is noticed by the hash; FIFOs and folders are refused
 * (without blocking), and so is a missing file; lookups find the mapping only
 * for ranges inside it, never for heap memory or after it is closed. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "util/mapped_file.h"

static char folder[] = "/tmp/bitsparse-mapped-XXXXXX";

static const char *temp_path(const char *name)
{
    static char path[256];
    snprintf(path, sizeof path, "%s/%s", folder, name);
    return path;
}

static void write_bytes(const char *path, const void *bytes, size_t size, const char *mode)
{
    FILE *f = fopen(path, mode);
    CHECK(f != NULL);
    if (!f)
        return;
    if (size)
        CHECK(fwrite(bytes, 1, size, f) == size);
    fclose(f);
}

static void small_file(void)
{
    const char *path = temp_path("abc");
    write_bytes(path, "abc", 3, "wb");
    util_mapped_file m;
    CHECK(util_mapped_open(&m, path));
    CHECK_U64(m.size, 3);
    CHECK(memcmp(m.data, "abc", 3) == 0);
    char hex[UTIL_SHA256_HEX_SIZE];
    CHECK(util_mapped_sha256(&m, hex));
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(memcmp(m.data, "abc", 3) == 0);  /* hashing dropped the pages, not the bytes */
    CHECK(util_mapped_find(m.data, 3) == &m);
    CHECK(util_mapped_find(m.data + 1, 2) == &m);
    CHECK(util_mapped_find(m.data, m.mapped + 1) == NULL);
    char *heap = malloc(3);
    CHECK(util_mapped_find(heap, 3) == NULL);
    util_mapped_release(heap, 3);  /* no mapping: left alone */
    free(heap);
    const uint8_t *was = m.data;
    util_mapped_close(&m);
    CHECK(util_mapped_find(was, 1) == NULL);
}

static void empty_file(void)
{
    const char *path = temp_path("empty");
    write_bytes(path, "", 0, "wb");
    util_mapped_file m;
    CHECK(util_mapped_open(&m, path));
    CHECK_U64(m.size, 0);
    CHECK_U64(m.mapped, 0);
    CHECK(m.data != NULL);
    char hex[UTIL_SHA256_HEX_SIZE];
    CHECK(util_mapped_sha256(&m, hex));
    CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(util_mapped_find(m.data, 0) == NULL);  /* nothing mapped: never trimmed */
    util_mapped_close(&m);
}

/* Byte i of the patterned file. */
static uint8_t pattern(size_t i) { return (uint8_t)(i * 131 + (i >> 12) * 7); }

static void trims_keep_the_bytes(void)
{
    const char *path = temp_path("pattern");
    size_t region = 0;
    {
        util_mapped_file probe;
        write_bytes(path, "x", 1, "wb");
        CHECK(util_mapped_open(&probe, path));
        region = (size_t)1 << probe.region_shift;
        CHECK(probe.region_limit >= 1);
        util_mapped_close(&probe);
    }
    /* one region more than may stay resident, plus a partial one */
    util_mapped_file m;
    CHECK(util_mapped_open(&m, path));
    size_t regions = m.region_limit + 2;
    util_mapped_close(&m);
    size_t size = region * (regions - 1) + 12345;
    uint8_t *bytes = malloc(size);
    CHECK(bytes != NULL);
    if (!bytes)
        return;
    for (size_t i = 0; i < size; i++)
        bytes[i] = pattern(i);
    write_bytes(path, bytes, size, "wb");
    CHECK(util_mapped_open(&m, path));
    CHECK_U64(m.size, size);
    /* the limit's worth of regions: noted, no trim */
    for (size_t r = 0; r < m.region_limit; r++)
        util_mapped_touched(&m, m.data + r * region + 100, 16);
    CHECK_U64(m.region_count, m.region_limit);
    util_mapped_touched(&m, m.data + 100, 4096);  /* a region already noted: nothing changes */
    CHECK_U64(m.region_count, m.region_limit);
    /* one more region: a trim, then only it is noted */
    util_mapped_touched(&m, m.data + m.region_limit * region, 16);
    CHECK_U64(m.region_count, 1);
    CHECK_U64(m.regions[0], m.region_limit);
    /* a read across a region boundary notes both regions */
    util_mapped_trim(&m);
    util_mapped_touched(&m, m.data + region - 8, 16);
    CHECK_U64(m.region_count, 2);
    CHECK_U64(m.regions[0], 0);
    CHECK_U64(m.regions[1], 1);
    /* every byte is still the file's byte after all these trims */
    size_t wrong = 0;
    for (size_t i = 0; i < size; i += 4093) {
        util_mapped_touched(&m, m.data + i, 1);
        wrong += m.data[i] != pattern(i);
    }
    CHECK_U64(wrong, 0);
    CHECK(memcmp(m.data, bytes, size) == 0);
    util_mapped_release(m.data + 5, 10);
    CHECK_U64(m.region_count, 0);
    CHECK(memcmp(m.data + size - 12345, bytes + size - 12345, 12345) == 0);
    util_mapped_close(&m);
    free(bytes);
}

static void growing_file(void)
{
    const char *path = temp_path("growing");
    write_bytes(path, "abc", 3, "wb");
    util_mapped_file m;
    CHECK(util_mapped_open(&m, path));
    write_bytes(path, "def", 3, "ab");  /* another process appends */
    char hex[UTIL_SHA256_HEX_SIZE];
    CHECK(!util_mapped_sha256(&m, hex));  /* the caller reads it again instead */
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    util_mapped_close(&m);
}

static void refused(void)
{
    util_mapped_file m;
    CHECK(!util_mapped_open(&m, temp_path("missing")));
    CHECK(!util_mapped_open(&m, folder));
    const char *fifo = temp_path("fifo");
    CHECK(mkfifo(fifo, 0600) == 0);
    CHECK(!util_mapped_open(&m, fifo));  /* returns at once: no writer is waited for */
    CHECK(m.data == NULL);
    unlink(fifo);
}

int main(void)
{
    if (!mkdtemp(folder)) {
        CHECK(false);
        return check_exit();
    }
    small_file();
    empty_file();
    trims_keep_the_bytes();
    growing_file();
    refused();
    char command[320];
    snprintf(command, sizeof command, "rm -rf '%s'", folder);
    CHECK(system(command) == 0);
    return check_exit();
}
