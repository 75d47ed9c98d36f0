/* The text times of libevtx's XML (TimeCreated/@SystemTime) as FILETIMEs. */
#include "evtx/evtx_log.h"

#include <stdbool.h>
#include <stdint.h>

/* ---- time text ---------------------------------------------------------- */

static bool take_digits(const char **p, int count, int *value)
{
    *value = 0;
    for (int i = 0; i < count; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return false;
        *value = *value * 10 + (c - '0');
    }
    *p += count;
    return true;
}

static bool take_char(const char **p, char c)
{
    if (**p != c)
        return false;
    (*p)++;
    return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t days_from_civil(int64_t year, unsigned month, unsigned day)
{
    year -= month <= 2;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    unsigned yoe = (unsigned)(year - era * 400);
    unsigned doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

bool evtx_parse_time(const char *text, uint64_t *filetime)
{
    static const int month_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const char *p = text;
    int year, month, day, hour, minute, second;
    if (!p || !take_digits(&p, 4, &year) || !take_char(&p, '-') || !take_digits(&p, 2, &month) ||
        !take_char(&p, '-') || !take_digits(&p, 2, &day) || !take_char(&p, 'T') ||
        !take_digits(&p, 2, &hour) || !take_char(&p, ':') || !take_digits(&p, 2, &minute) ||
        !take_char(&p, ':') || !take_digits(&p, 2, &second))
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (year < 1601 || month < 1 || month > 12 || day < 1 || day > month_days[month - 1] ||
        (month == 2 && day == 29 && !leap) || hour > 23 || minute > 59 || second > 59)
        return false;
    uint64_t ticks = 0;
    if (*p == '.') {
        p++;
        int digits = 0;
        for (; *p >= '0' && *p <= '9'; p++, digits++)
            if (digits < 7)
                ticks = ticks * 10 + (uint64_t)(*p - '0');
        if (digits == 0)
            return false;
        for (; digits < 7; digits++)
            ticks *= 10;
    }
    if (!take_char(&p, 'Z') || *p != '\0')
        return false;
    int64_t days = days_from_civil(year, (unsigned)month, (unsigned)day) + 134774;  /* since 1601 */
    uint64_t seconds = (uint64_t)days * 86400 + (uint64_t)(hour * 3600 + minute * 60 + second);
    *filetime = seconds * 10000000ULL + ticks;
    return true;
}

