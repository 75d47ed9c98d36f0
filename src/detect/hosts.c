/* Text and host tests of the rule operators: ASCII case folding, URL host
 * and scheme extraction, IP literals, domain and TLD suffixes. Everything is
 * locale independent: evidence text is compared byte for byte, with only
 * A-Z folded to a-z when a test ignores case. */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "detect/detect_internal.h"

static char fold(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static bool same_bytes(const char *a, const char *b, size_t length, bool case_sensitive)
{
    if (case_sensitive)
        return memcmp(a, b, length) == 0;
    for (size_t i = 0; i < length; i++)
        if (fold(a[i]) != fold(b[i]))
            return false;
    return true;
}

bool detect_text_equals(const char *text, const char *needle, bool case_sensitive)
{
    size_t length = strlen(text);
    return length == strlen(needle) && same_bytes(text, needle, length, case_sensitive);
}

bool detect_text_starts_with(const char *text, const char *needle, bool case_sensitive)
{
    size_t length = strlen(needle);
    return strlen(text) >= length && same_bytes(text, needle, length, case_sensitive);
}

bool detect_text_ends_with(const char *text, const char *needle, bool case_sensitive)
{
    size_t text_length = strlen(text), length = strlen(needle);
    return text_length >= length &&
           same_bytes(text + text_length - length, needle, length, case_sensitive);
}

bool detect_text_contains(const char *text, const char *needle, bool case_sensitive)
{
    size_t text_length = strlen(text), length = strlen(needle);
    for (size_t i = 0; i + length <= text_length; i++)
        if (same_bytes(text + i, needle, length, case_sensitive))
            return true;
    return false;
}

/* ---- URLs --------------------------------------------------------------- */

static bool is_hex(char c) { return detect_is_digit(c) || (fold(c) >= 'a' && fold(c) <= 'f'); }
static bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

static const char *skip_blanks(const char *p)
{
    while (is_blank(*p))
        p++;
    return p;
}

/* Length of a URL scheme at p followed by "://", 0 when there is none. */
static size_t scheme_length(const char *p)
{
    if (!detect_is_letter(p[0]))
        return 0;
    size_t n = 1;
    while (detect_is_letter(p[n]) || detect_is_digit(p[n]) || p[n] == '+' || p[n] == '-' || p[n] == '.')
        n++;
    return strncmp(p + n, "://", 3) == 0 ? n : 0;
}

static char *lower_copy(util_arena *scratch, const char *start, size_t length)
{
    char *copy = util_arena_text(scratch, length);
    if (copy)
        for (size_t i = 0; i < length; i++)
            copy[i] = fold(start[i]);
    return copy;
}

const char *detect_scheme_of(const char *value, util_arena *scratch)
{
    const char *p = skip_blanks(value ? value : "");
    size_t n = scheme_length(p);
    return n ? lower_copy(scratch, p, n) : "";
}

/* Start of the authority (host part) of value, or NULL when it has none. */
static const char *authority_start(const char *p)
{
    if (detect_is_letter(p[0]) && p[1] == ':' && (p[2] == '\\' || p[2] == '/' || p[2] == '\0'))
        return NULL;  /* a local path "C:\..." */
    size_t n = scheme_length(p);
    if (n)
        return p + n + 3;
    if (p[0] == '\\' && p[1] == '\\') {
        /* \\?\UNC\host\share is a UNC path; \\?\C:\ and \\.\device are local */
        if ((p[2] == '?' || p[2] == '.') && p[3] == '\\')
            return detect_text_starts_with(p + 4, "UNC\\", false) ? p + 8 : NULL;
        return p + 2;
    }
    return p;  /* the value is itself a host name */
}

/* First index of c in text[from, to), or `to` when absent. */
static size_t find(const char *text, size_t from, size_t to, char c)
{
    while (from < to && text[from] != c)
        from++;
    return from;
}

/* A path, query or fragment begins (compared inline: this runs per byte of
 * every URL). */
static bool ends_authority(char c) { return c == '/' || c == '\\' || c == '?' || c == '#'; }

const char *detect_host_of(const char *value, util_arena *scratch)
{
    const char *text = authority_start(skip_blanks(value ? value : ""));
    if (!text)
        return "";
    /* One pass (this runs per URL; five scans of the authority before):
     * its end, its last '@' (dropping user:password@), and from there the
     * first ':', whether a second follows, and the first '%'. */
    size_t start = 0, end = 0, colon = SIZE_MAX, zone = SIZE_MAX;
    bool colons = false;
    for (char c; (c = text[end]) && !ends_authority(c) && !is_blank(c); end++) {
        if (c == '@') {
            start = end + 1;
            colon = zone = SIZE_MAX;
            colons = false;
        } else if (c == ':') {
            colons = colon != SIZE_MAX;
            if (colon == SIZE_MAX)
                colon = end;
        } else if (c == '%' && zone == SIZE_MAX) {
            zone = end;
        }
    }
    if (start < end && text[start] == '[') {  /* [IPv6]:port */
        start++;
        end = find(text, start, end, ']');
        zone = find(text, start, end, '%');  /* fe80::1%eth0, %25 in URLs */
        if (zone < end && find(text, start, end, ':') < end)
            end = zone;
    } else if (colon != SIZE_MAX && !colons) {
        end = colon;  /* host:port (a '%' before it is part of the name) */
    } else if (colons && zone != SIZE_MAX) {
        end = zone;  /* several colons: a bare IPv6 address, its zone dropped */
    }
    while (end > start && text[end - 1] == '.')
        end--;
    return lower_copy(scratch, text + start, end - start);
}

bool detect_is_plain_host(const char *text)
{
    if (!text)
        return false;
    size_t n = 0;
    for (char c = text[0]; c; c = text[++n])
        if (!(c >= 'a' && c <= 'z') && !detect_is_digit(c) && c != '.' && c != '-' && c != '_')
            return false;
    return n == 0 || text[n - 1] != '.';
}

const char *detect_program_name(const char *path, util_arena *scratch)
{
    const char *start = skip_blanks(path ? path : "");
    const char *end;
    if (*start == '"') {
        start++;
        end = strchr(start, '"');
        if (!end)
            end = start + strlen(start);
    } else {
        end = start + strlen(start);
    }
    for (const char *c = end; c > start; c--) {  /* from the end: the name is the short part */
        if (c[-1] == '\\' || c[-1] == '/') {
            start = c;
            break;
        }
    }
    while (end > start && (is_blank(end[-1]) || end[-1] == '"'))
        end--;
    return util_arena_strndup(scratch, start, (size_t)(end - start));
}

/* ---- IP literals -------------------------------------------------------- */

/* One part of an IPv4 literal: decimal, octal (leading 0) or hex (0x...).
 * Windows and browsers accept all three; the value is not range checked, a
 * numeric host is suspicious either way. */
static bool is_ipv4_part(const char *p, size_t length)
{
    if (length == 0)
        return false;
    if (length > 2 && p[0] == '0' && fold(p[1]) == 'x') {
        for (size_t i = 2; i < length; i++)
            if (!is_hex(p[i]))
                return false;
        return true;
    }
    for (size_t i = 0; i < length; i++)
        if (!detect_is_digit(p[i]))
            return false;
    return true;
}

static bool is_ipv4_literal(const char *host)
{
    size_t parts = 0;
    const char *part = host;
    for (;;) {
        const char *dot = strchr(part, '.');
        size_t length = dot ? (size_t)(dot - part) : strlen(part);
        if (!is_ipv4_part(part, length) || ++parts > 4)
            return false;
        if (!dot)
            return true;
        part = dot + 1;
    }
}

bool detect_is_ip_literal(const char *host)
{
    if (!host || !*host || strlen(host) > 63)
        return false;
    if (!strchr(host, ':'))
        return is_ipv4_literal(host);
    unsigned char address[16];
    return inet_pton(AF_INET6, host, address) == 1;
}

/* ---- domains ------------------------------------------------------------ */

bool detect_host_matches(const char *host, const char *pattern)
{
    if (!*host || !*pattern)
        return false;
    size_t host_length = strlen(host), length = strlen(pattern);
    if (pattern[0] == '.')  /* subdomains only */
        return host_length > length && memcmp(host + host_length - length, pattern, length) == 0;
    if (host_length == length)
        return memcmp(host, pattern, length) == 0;
    return host_length > length && host[host_length - length - 1] == '.' &&
           memcmp(host + host_length - length, pattern, length) == 0;
}

bool detect_tld_matches(const char *host, const char *tld)
{
    size_t host_length = strlen(host), length = strlen(tld);
    if (!*tld || host_length <= length + 1 || detect_is_ip_literal(host))
        return false;
    return host[host_length - length - 1] == '.' &&
           memcmp(host + host_length - length, tld, length) == 0;
}
