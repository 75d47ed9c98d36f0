/* ZIP collections through libarchive (archive_zip.h). A member's name is its
 * path in the collection (uploads/auto/C%3A/ProgramData/…); it is chosen by
 * its last component, URL-decoded, as in a tree (tree.c), and its system root
 * comes from its path (collector_names.c). */
#include "input/archive_zip.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/collector_names.h"
#include "util/file_read.h"
#include "util/growable.h"
#include "util/sha256_pipe.h"
#include "input/parse_internal.h"

bool zip_looks_like(const uint8_t *head, size_t size)
{
    return size >= 4 && memcmp(head, "PK\x03\x04", 4) == 0;
}

/* The folder part of a member's name ends in Microsoft/Network/Downloader (decoded)? */
static bool in_downloader_folder(const char *member)
{
    const char *slash = strrchr(member, '/');
    if (!slash)
        return false;
    char decoded[1024];
    input_collector_decode(member, (size_t)(slash - member), decoded, sizeof decoded);
    size_t n = strlen(decoded);
    static const char tail[] = "Microsoft/Network/Downloader";
    return n >= sizeof tail - 1 && strcasecmp(decoded + n - (sizeof tail - 1), tail) == 0;
}

static bool wanted_member(const char *member, bool with_logs)
{
    const char *slash = strrchr(member, '/');
    const char *name = slash ? slash + 1 : member;
    char decoded[256];
    input_collector_decode(name, strlen(name), decoded, sizeof decoded);
    return input_is_queue_name(decoded) || input_is_bits_client_log_name(decoded) ||
           (with_logs && carve_is_log_name(decoded) && in_downloader_folder(member));
}

/* Doubling from 64 KiB reaches the limit exactly, so a member is never cut
 * below it. */
_Static_assert((UTIL_INPUT_MAX_SIZE & (UTIL_INPUT_MAX_SIZE - 1)) == 0, "UTIL_INPUT_MAX_SIZE is a power of two");

/* The current member's bytes, hashed as they are read unless sha256 is NULL
 * (--no-hash; at most UTIL_INPUT_MAX_SIZE): on a second thread while libarchive
 * inflates the next piece; the buffer moves only once the hasher is past it. */
static uint8_t *read_member(struct archive *zip, size_t *size, char sha256[UTIL_SHA256_HEX_SIZE], const char **error)
{
    util_sha256_pipe hash;
    if (sha256)
        util_sha256_pipe_start(&hash);
    size_t capacity = 1 << 16, done = 0;
    uint8_t *data = malloc(capacity);
    while (data) {
        if (done == capacity) {
            if (sha256)
                util_sha256_pipe_drain(&hash, 0);  /* growing may move the bytes being hashed */
            if (capacity >= UTIL_INPUT_MAX_SIZE) {
                *error = "member larger than 2 GiB";
                if (sha256)
                    util_sha256_pipe_finish(&hash, NULL);
                free(data);
                return NULL;
            }
            if (!util_grow((void **)&data, &capacity, done, 1))
                break;
        }
        la_ssize_t got = archive_read_data(zip, data + done, capacity - done);
        if (got < 0) {
            *error = archive_error_string(zip) ? archive_error_string(zip) : "damaged member";
            break;  /* keep what was read: a damaged member still gives its readable part */
        }
        if (got == 0)
            break;
        if (sha256)
            util_sha256_pipe_feed(&hash, data + done, (size_t)got);
        done += (size_t)got;
    }
    if (sha256)
        util_sha256_pipe_finish(&hash, data ? sha256 : NULL);
    if (!data) {
        *error = "out of memory";
        return NULL;
    }
    *size = done;
    return data;
}

int zip_parse(const char *path, bp_result *result, carve_session *carve)
{
    struct archive *zip = archive_read_new();
    if (!zip)
        return BP_STATUS_UNREADABLE;
    archive_read_support_format_zip(zip);
    if (archive_read_open_filename(zip, path, 1 << 16) != ARCHIVE_OK) {
        util_notes_addf(&result->arena, &result->warnings, "%s: cannot open the ZIP: %s", path,
                      archive_error_string(zip) ? archive_error_string(zip) : "unknown error");
        archive_read_free(zip);
        return BP_STATUS_UNREADABLE;
    }
    int worst = BP_STATUS_CLEAN, best = BP_STATUS_UNREADABLE;
    size_t read = 0;
    struct archive_entry *entry;
    int header;
    while ((header = archive_read_next_header(zip, &entry)) == ARCHIVE_OK || header == ARCHIVE_WARN) {
        const char *member = archive_entry_pathname(entry);
        if (!member || archive_entry_filetype(entry) != AE_IFREG || !wanted_member(member, carve != NULL))
            continue;  /* libarchive skips the data of a member not read */
        char *label = util_arena_printf(&result->arena, "%s:%s", path, member);
        const char *member_root = input_system_root(&result->arena, member);
        char *root = member_root && member_root[0] ? util_arena_printf(&result->arena, "%s:%s", path, member_root)
                                                   : util_arena_strdup(&result->arena, "");
        size_t size = 0;
        char sha256[UTIL_SHA256_HEX_SIZE] = "";
        const char *error = NULL;
        uint8_t *data = label && root ? read_member(zip, &size, result->no_hash ? NULL : sha256, &error) : NULL;
        int status;
        if (error)
            util_notes_addf(&result->arena, &result->warnings, "%s: %s", label ? label : path, error);
        if (!data) {
            status = BP_STATUS_UNREADABLE;
        } else {
            result_input_origin origin = {.path = label, .root = root, .sha256 = sha256};
            status = input_parse_bytes(data, size, &origin, result, carve);
            free(data);
        }
        read++;
        worst = status > worst ? status : worst;
        best = status < best ? status : best;
    }
    if (header != ARCHIVE_EOF) {
        util_notes_addf(&result->arena, &result->warnings, "%s: the ZIP could not be read to its end: %s", path,
                      archive_error_string(zip) ? archive_error_string(zip) : "unknown error");
        worst = worst > BP_STATUS_WARNINGS ? worst : BP_STATUS_WARNINGS;
    }
    archive_read_free(zip);
    if (!read) {
        util_notes_addf(&result->arena, &result->warnings,
                      "%s: no BITS source in this ZIP (looked for members named qmgr*.db, qmgr*.dat and "
                      "Microsoft-Windows-Bits-Client%%4Operational.evtx, names URL-decoded)", path);
        return BP_STATUS_UNREADABLE;
    }
    if (worst == BP_STATUS_UNREADABLE && best < BP_STATUS_UNREADABLE)
        worst = BP_STATUS_WARNINGS;
    return worst;
}
