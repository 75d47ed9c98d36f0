#include "util/text.h"

#include <stdio.h>
#include <string.h>

#include "util/reader.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static size_t put_utf8(uint32_t cp, char *out)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

char *util_utf16le_to_utf8(util_arena *arena, const uint8_t *bytes, size_t units, bool *lossy)
{
    if (units > SIZE_MAX / 4 - 1)
        return NULL;
    char *out = util_arena_text(arena, units * 3);  /* not zeroed: every byte up to the NUL is written */
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < units; i++) {
#ifdef __SSE2__
        /* eight ASCII units at once where SSE2 is part of the base set */
        while (units - i >= 8) {
            __m128i eight = _mm_loadu_si128((const __m128i *)(const void *)(bytes + 2 * i));
            __m128i zero = _mm_setzero_si128();
            __m128i ascii = _mm_cmpeq_epi16(_mm_and_si128(eight, _mm_set1_epi16((short)0xFF80)), zero);
            __m128i ends = _mm_cmpeq_epi16(eight, zero);
            if (_mm_movemask_epi8(ascii) != 0xFFFF || _mm_movemask_epi8(ends) != 0)
                break;  /* a unit above 0x7F, or a terminating zero */
            _mm_storel_epi64((__m128i *)(void *)(out + n), _mm_packus_epi16(eight, eight));
            n += 8;
            i += 8;
        }
#endif
        /* four ASCII units at once: most names, paths and URLs are ASCII */
        while (units - i >= 4) {
            uint64_t four = util_le64(bytes + 2 * i);
            const uint64_t ones = 0x0001000100010001ull, highs = 0x8000800080008000ull;
            if ((four & 0xFF80FF80FF80FF80ull) || ((four - ones) & ~four & highs))
                break;  /* a unit above 0x7F, or a terminating zero */
            out[n] = (char)four;
            out[n + 1] = (char)(four >> 16);
            out[n + 2] = (char)(four >> 32);
            out[n + 3] = (char)(four >> 48);
            n += 4;
            i += 4;
        }
        if (i == units)
            break;
        uint32_t cu = util_le16(bytes + 2 * i);
        if (cu == 0)
            break;
        uint32_t cp = cu;
        if (cu >= 0xD800 && cu <= 0xDBFF && i + 1 < units) {
            uint32_t low = util_le16(bytes + 2 * (i + 1));
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cu - 0xD800) << 10) + (low - 0xDC00);
                i++;
            } else {
                cp = 0xFFFD;
            }
        } else if (cu >= 0xD800 && cu <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (cp == 0xFFFD && cu != 0xFFFD && lossy)
            *lossy = true;
        /* a surrogate pair needs 4 bytes for 2 units, within the 3-per-unit budget */
        n += put_utf8(cp, out + n);
    }
    out[n] = '\0';
    return out;
}

char *util_latin1_to_utf8(util_arena *arena, const uint8_t *bytes, size_t length)
{
    if (length > SIZE_MAX / 2 - 1)
        return NULL;
    char *out = util_arena_alloc(arena, length * 2 + 1);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < length; i++)
        n += put_utf8(bytes[i], out + n);
    out[n] = '\0';
    return out;
}

/* Drop a multi-byte sequence that the end of `text` cut short. */
static void trim_cut_sequence(char *text)
{
    size_t end = strlen(text), start = end, continuation = 0;
    while (start > 0 && continuation < 3 && ((unsigned char)text[start - 1] & 0xC0) == 0x80) {
        start--;
        continuation++;
    }
    if (start == 0)
        return;
    unsigned char lead = (unsigned char)text[start - 1];
    size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
    if (lead >= 0xC0 && length > continuation + 1)
        text[start - 1] = '\0';
}

void util_utf8_vformat(char *out, size_t size, const char *format, va_list args)
{
    if (!out || size == 0)
        return;
    int length = vsnprintf(out, size, format, args);
    if (length < 0)
        out[0] = '\0';
    else if ((size_t)length >= size)
        trim_cut_sequence(out);
}

void util_guid_format(const uint8_t g[16], char out[37])
{
    /* Data1..3 are little-endian, Data4 is a byte string (bits-format §2);
     * each byte's two digits at a fixed place (80 000 ids a 10 000-job run) */
    static const uint8_t order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    static const uint8_t place[16] = {0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34};
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++) {
        uint8_t byte = g[order[i]];
        out[place[i]] = digits[byte >> 4];
        out[place[i] + 1] = digits[byte & 15];
    }
    out[8] = out[13] = out[18] = out[23] = '-';
    out[36] = '\0';
}

char *util_guid_string(util_arena *arena, const uint8_t guid[16])
{
    char *text = util_arena_text(arena, 36);
    if (text)
        util_guid_format(guid, text);
    return text;
}

bool util_guid_is_zero(const uint8_t guid[16])
{
    for (int i = 0; i < 16; i++)
        if (guid[i])
            return false;
    return true;
}

char *util_hex_string(util_arena *arena, const uint8_t *bytes, size_t length)
{
    static const char digits[] = "0123456789abcdef";
    if (length > SIZE_MAX / 2 - 1)
        return NULL;
    char *out = util_arena_alloc(arena, length * 2 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < length; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    return out;
}

/* Days from 1970-01-01 to the civil date (proleptic Gregorian), inverse form. */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t year = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = year + (*m <= 2);
}

/* Two decimal digits of value (< 100) into out: a table look-up, no division. */
static inline void put_two(char *out, uint32_t value)
{
    static const char pairs[] = "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
                                "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
    out[0] = pairs[value * 2];
    out[1] = pairs[value * 2 + 1];
}

/* The times formatted last on this thread with their texts: a record's
 * times repeat (created = a file's remote time, modified = completed) and
 * so do a job's across its files' records, so most formats are a copy. */
enum { FILETIME_MEMO_SIZE = 4 };
typedef struct filetime_memo {
    uint64_t times[FILETIME_MEMO_SIZE];
    char texts[FILETIME_MEMO_SIZE][32];
    unsigned next;  /* replaced next (oldest first) */
} filetime_memo;
static _Thread_local filetime_memo formatted;

static void format_filetime(uint64_t filetime, char out[32]);

/* bp_format_filetime's contract: out holds 29 bytes (28 characters and the
 * NUL); exactly those are copied. */
enum { FILETIME_TEXT_BYTES = 29 };

void util_filetime_format(uint64_t filetime, char out[32])
{
    filetime_memo *memo = &formatted;
    for (unsigned i = 0; i < FILETIME_MEMO_SIZE; i++) {
        /* an entry never set holds 0 and "", which is 0's text */
        if (memo->times[i] == filetime) {
            memcpy(out, memo->texts[i], FILETIME_TEXT_BYTES);
            return;
        }
    }
    unsigned slot = memo->next;
    memo->next = (slot + 1) % FILETIME_MEMO_SIZE;
    memo->times[slot] = filetime;
    format_filetime(filetime, memo->texts[slot]);
    memcpy(out, memo->texts[slot], FILETIME_TEXT_BYTES);
}

static void format_filetime(uint64_t filetime, char out[32])
{
    out[0] = '\0';
    /* 2650467743999999999 = 9999-12-31T23:59:59.9999999Z */
    if (filetime == 0 || filetime > 2650467743999999999ULL)
        return;
    uint32_t ticks = (uint32_t)(filetime % 10000000ULL);
    int64_t seconds = (int64_t)(filetime / 10000000ULL) - 11644473600LL;
    int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
    uint32_t rem = (uint32_t)(seconds - days * 86400);
    int64_t year;
    unsigned month, day;
    civil_from_days(days, &year, &month, &day);
    /* digits placed directly, two by table look-up, in 32-bit arithmetic
     * (every value here is below 10^7): this runs for every time of every
     * record; the text is always 28 characters for years 1601..9999 */
    put_two(out, (uint32_t)year / 100);
    put_two(out + 2, (uint32_t)year % 100);
    out[4] = '-';
    put_two(out + 5, month);
    out[7] = '-';
    put_two(out + 8, day);
    out[10] = 'T';
    put_two(out + 11, rem / 3600);
    out[13] = ':';
    put_two(out + 14, rem / 60 % 60);
    out[16] = ':';
    put_two(out + 17, rem % 60);
    out[19] = '.';
    out[20] = (char)('0' + ticks / 1000000);
    uint32_t below_second = ticks % 1000000;
    put_two(out + 21, below_second / 10000);
    put_two(out + 23, below_second / 100 % 100);
    put_two(out + 25, below_second % 100);
    out[27] = 'Z';
    out[28] = '\0';
}

void bp_format_filetime(uint64_t filetime, char buf[32]) { util_filetime_format(filetime, buf); }
