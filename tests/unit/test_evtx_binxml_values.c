/* The values' own types from a record's binary XML (src/evtx/binxml_values.c):
 * the EventData items of real records, paired with their substitution
 * values; and hostile bytes (every offset of a log, every cut of a record,
 * flipped bytes) never read outside the buffer and never pair wrongly sized
 * items. */
#include <stdlib.h>

#include "check.h"
#include "evtx/binxml_values.h"

static const char *const log_path = "testdata/evtx/win10-desktopimgdownldr.evtx";

static void test_event3(const uint8_t *data, size_t size)
{
    /* record 2774 (event 3) at 4608: jobTitle, jobId, jobOwner, processPath, processId */
    binxml_value values[16];
    size_t count = 0;
    CHECK(binxml_event_data_values(data, size, 4608, values, 16, &count, NULL));
    CHECK_U64(count, 5);
    static const uint8_t types[] = {0x01, 0x0f, 0x01, 0x01, 0x08};
    static const uint16_t sizes[] = {50, 16, 36, 82, 4};
    for (size_t i = 0; i < 5 && i < count; i++) {
        CHECK_U64(values[i].type, types[i]);
        CHECK_U64(values[i].size, sizes[i]);
    }
    if (count == 5) {
        /* ff819706-9ff9-490b-ade5-b069232c5d23, "Download LockScreen Image", pid 1996 */
        static const uint8_t guid[16] = {0x06, 0x97, 0x81, 0xff, 0xf9, 0x9f, 0x0b, 0x49,
                                         0xad, 0xe5, 0xb0, 0x69, 0x23, 0x2c, 0x5d, 0x23};
        CHECK(memcmp(values[1].bytes, guid, 16) == 0);
        CHECK(memcmp(values[0].bytes, "D\0o\0w\0n\0l\0o\0a\0d\0", 16) == 0);
        CHECK_U64(values[4].bytes[0] | values[4].bytes[1] << 8, 1996);
    }
    CHECK(!binxml_event_data_values(data, size, 4608, values, 4, &count, NULL));  /* more items than room */
    CHECK_U64(count, 0);
}

static void test_event60(const uint8_t *data, size_t size)
{
    /* record 2777 (event 60) at 8408: 17 items, transferId and Id GUIDs */
    binxml_value values[32];
    size_t count = 0;
    CHECK(binxml_event_data_values(data, size, 8408, values, 32, &count, NULL));
    CHECK_U64(count, 17);
    if (count == 17) {
        CHECK_U64(values[0].type, 0x0f);
        CHECK_U64(values[2].type, 0x0f);
        CHECK_U64(values[3].type, 0x01);  /* url */
    }
}

static void test_hostile(const uint8_t *data, size_t size)
{
    binxml_value values[64];
    size_t count = 0, paired = 0;
    /* every 8-byte aligned offset of the used part of the chunk */
    for (size_t at = 0; at < 12288; at += 8)
        paired += binxml_event_data_values(data, size, at, values, 64, &count, NULL);
    CHECK_U64(paired, 5);  /* exactly the five records */
    /* the record at 4608 cut short, in a buffer of exactly that size */
    for (size_t cut = 4608; cut < 4608 + 2064; cut += 7) {
        uint8_t *exact = malloc(cut);
        memcpy(exact, data, cut);
        count = 99;
        bool ok = binxml_event_data_values(exact, cut, 4608, values, 64, &count, NULL);
        CHECK(!ok && count == 0);
        free(exact);
    }
    /* every byte of the record flipped in turn: never more items than room, sizes within the buffer */
    uint8_t *copy = malloc(size);
    for (size_t at = 4608; at < 4608 + 2064; at++) {
        memcpy(copy, data, size);
        copy[at] ^= 0xff;
        if (binxml_event_data_values(copy, size, 4608, values, 64, &count, NULL)) {
            CHECK(count <= 64);
            for (size_t i = 0; i < count; i++)
                CHECK(!values[i].size || (values[i].bytes >= copy && values[i].bytes + values[i].size <= copy + size));
        }
    }
    free(copy);
    CHECK(!binxml_event_data_values(NULL, 0, 4608, values, 64, &count, NULL));
    CHECK(!binxml_event_data_values(data, size, size + 100, values, 64, &count, NULL));
}

int main(void)
{
    size_t size = 0;
    uint8_t *data = read_whole_file(shared_path(log_path), &size);
    CHECK(data != NULL);
    if (data) {
        test_event3(data, size);
        test_event60(data, size);
        test_hostile(data, size);
    }
    free(data);
    return check_exit();
}
