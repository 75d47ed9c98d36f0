/* Recognising BITS sources by name inside collection trees and volumes, with
 * the encodings collectors apply to names (collector_names.h). */
#include "input/collector_names.h"

#include <string.h>
#include <strings.h>

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void input_collector_decode(const char *name, size_t length, char *out, size_t capacity)
{
    size_t used = 0;
    for (size_t i = 0; i < length && used + 1 < capacity; i++) {
        int high = name[i] == '%' && i + 2 < length ? hex_digit(name[i + 1]) : -1;
        int low = high >= 0 ? hex_digit(name[i + 2]) : -1;
        if (high >= 0 && low >= 0 && (high || low)) {  /* never decode to a NUL */
            out[used++] = (char)(high * 16 + low);
            i += 2;
        } else {
            out[used++] = name[i];
        }
    }
    if (capacity)
        out[used] = '\0';
}

bool input_is_queue_name(const char *decoded)
{
    size_t n = strlen(decoded);
    bool has_qmgr = false;
    for (size_t i = 0; i + 4 <= n && !has_qmgr; i++)
        has_qmgr = strncasecmp(decoded + i, "qmgr", 4) == 0;
    return has_qmgr && ((n > 3 && strcasecmp(decoded + n - 3, ".db") == 0) ||
                        (n > 4 && strcasecmp(decoded + n - 4, ".dat") == 0));
}

bool input_is_bits_client_log_name(const char *decoded)
{
    return strcasecmp(decoded, "Microsoft-Windows-Bits-Client%4Operational.evtx") == 0;
}

/* The folders below a system root that hold BITS sources, one component each. */
static const char *const anchors[][9] = {
    {"ProgramData", "Microsoft", "Network", "Downloader", NULL},
    {"Documents and Settings", "All Users", "Application Data", "Microsoft", "Network", "Downloader", NULL},
    {"Windows", "System32", "winevt", "Logs", NULL},
};

#define ROOT_MAX_COMPONENTS 512
#define NAME_MAX_DECODED 1024

/* Does the component starting at path[start] (length len) decode to want? */
static bool component_is(const char *path, size_t start, size_t len, const char *want)
{
    char decoded[NAME_MAX_DECODED];
    input_collector_decode(path + start, len, decoded, sizeof decoded);
    return strcasecmp(decoded, want) == 0;
}

const char *input_system_root(util_arena *arena, const char *path)
{
    size_t starts[ROOT_MAX_COMPONENTS], lengths[ROOT_MAX_COMPONENTS], count = 0;
    for (size_t i = 0; path[i] && count < ROOT_MAX_COMPONENTS;) {
        while (path[i] == '/')
            i++;
        if (!path[i])
            break;
        size_t start = i;
        while (path[i] && path[i] != '/')
            i++;
        starts[count] = start;
        lengths[count++] = i - start;
    }
    for (size_t c = 0; c < count; c++) {
        for (size_t a = 0; a < sizeof anchors / sizeof anchors[0]; a++) {
            size_t k = 0;
            while (anchors[a][k] && c + k < count && component_is(path, starts[c + k], lengths[c + k], anchors[a][k]))
                k++;
            if (anchors[a][k])
                continue;
            if (c == 0)
                return util_arena_strdup(arena, path[0] == '/' ? "/" : ".");
            size_t end = starts[c - 1] + lengths[c - 1];
            char *root = util_arena_alloc(arena, end + 1);
            if (root)
                memcpy(root, path, end);
            return root;
        }
    }
    return util_arena_strdup(arena, "");
}
