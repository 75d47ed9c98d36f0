/* FILETIME text (util_filetime_format, src/util/text.c), written digit pair
 * by digit pair, against an independent reference: gmtime_r and snprintf
 * of the same instant. Every day from 1601-01-01 to 9999-12-31 at a time of
 * day and a fraction that change with the day, the first and last tick of
 * every year, leap days, and the edges: 0 and past 9999 give "". The last
 * few texts are kept and copied (test_filetime_memo_repeats): repeated and
 * interleaved times, and a 29-byte buffer, are checked too. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "util/text.h"

#define TICKS_PER_SECOND 10000000ULL
#define EPOCH_SECONDS 11644473600ULL /* 1601-01-01 to 1970-01-01 */
#define LAST_FILETIME 2650467743999999999ULL /* 9999-12-31T23:59:59.9999999Z */

static void reference(uint64_t filetime, char out[64])
{
    time_t seconds = (time_t)((int64_t)(filetime / TICKS_PER_SECOND) - (int64_t)EPOCH_SECONDS);
    struct tm tm;
    gmtime_r(&seconds, &tm);
    snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d.%07uZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
             tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(filetime % TICKS_PER_SECOND));
}

static size_t mismatches;

static void check_one(uint64_t filetime)
{
    char got[32], want[64];
    util_filetime_format(filetime, got);
    reference(filetime, want);
    if (strcmp(got, want) != 0) {
        if (mismatches++ < 5)
            fprintf(stderr, "filetime %llu: got %s want %s\n", (unsigned long long)filetime, got, want);
    }
}

/* Times seen again while kept, after being pushed out, interleaved with 0
 * and with a time past 9999 (both ""); only 29 bytes are written. */
static void test_filetime_memo_repeats(void)
{
    static const uint64_t times[6] = {133536384000000000ULL, 133536387000000000ULL, 0,
                                      133536384000000001ULL, LAST_FILETIME + 1, 1};
    static const char *const texts[6] = {"2024-02-29T00:00:00.0000000Z", "2024-02-29T00:05:00.0000000Z", "",
                                         "2024-02-29T00:00:00.0000001Z", "", "1601-01-01T00:00:00.0000001Z"};
    /* orders that hit, miss after eviction, and alternate */
    static const unsigned order[] = {0, 1, 1, 0, 2, 3, 4, 5, 0, 5, 1, 1, 3, 2, 0, 4, 4, 5, 1, 0};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        char buffer[40];
        memset(buffer, '#', sizeof buffer);
        util_filetime_format(times[order[i]], buffer);
        CHECK_STR(buffer, texts[order[i]]);
        CHECK(buffer[29] == '#');  /* bp_format_filetime's buffer holds 29 bytes */
    }
}

int main(void)
{
    test_filetime_memo_repeats();
    const uint64_t day = 86400 * TICKS_PER_SECOND;
    size_t days = 0;
    for (uint64_t start = 0; start <= LAST_FILETIME; start += day, days++) {
        /* a time of day and a fraction that move with the day */
        uint64_t within = (days * 7919 % 86400) * TICKS_PER_SECOND + days * 104729 % TICKS_PER_SECOND;
        if (start + within > 0)    /* 0 is "no time": checked below */
            check_one(start + within);
        if (start > 0)
            check_one(start);          /* midnight */
        check_one(start + day - 1);    /* the day's last tick */
    }
    CHECK_U64(days, 3067671);  /* 1601-01-01 .. 9999-12-31 */
    CHECK_U64(mismatches, 0);
    char text[32];
    util_filetime_format(0, text);
    CHECK_STR(text, "");
    util_filetime_format(LAST_FILETIME + 1, text);
    CHECK_STR(text, "");
    util_filetime_format(LAST_FILETIME, text);
    CHECK_STR(text, "9999-12-31T23:59:59.9999999Z");
    util_filetime_format(1, text);
    CHECK_STR(text, "1601-01-01T00:00:00.0000001Z");
    util_filetime_format(133536384000000000ULL, text);  /* a leap day */
    CHECK_STR(text, "2024-02-29T00:00:00.0000000Z");
    util_filetime_format(133536384000000000ULL + 123456789ULL, text);
    CHECK_STR(text, "2024-02-29T00:00:12.3456789Z");
    return check_exit();
}
