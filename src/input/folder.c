/* A folder given as input (bp_parse_path): its entries, sorted by name, are
 * recognised by their content, not their name (docs/design.md, Data flow). */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "carve/carve.h"
#include "input/collector_names.h"
#include "input/parse_internal.h"
#include "result/result.h"
#include "input/tree.h"
#include "util/growable.h"

/* BITS names its queue files qmgr.db, qmgr0.dat and qmgr1.dat; examiners often
 * prefix copies with a host name. A folder entry named so (any name containing
 * "qmgr", any case, ending in .db or .dat), or *.evtx, is read whatever its
 * content: a queue damaged beyond recognition then gets its warning, and with
 * --carve is searched for records. */
static bool is_queue_file_name(const char *name)
{
    size_t n = strlen(name);
    return input_is_queue_name(name) || (n > 5 && strcasecmp(name + n - 5, ".evtx") == 0);
}

/* Files of an ESE queue that are not queues themselves: the checkpoint (edb.chk),
 * the flush map (qmgr.jfm), the transaction and reserve logs (edb*.log,
 * edbres*.jrs). A folder holding a queue holds them too; without --carve they
 * are passed over without a note (carving reads the logs, carve_folder_entry). */
static bool is_ese_companion_name(const char *name)
{
    size_t n = strlen(name);
    return carve_is_log_name(name) || (n > 4 && (strcasecmp(name + n - 4, ".chk") == 0 ||
                                                 strcasecmp(name + n - 4, ".jfm") == 0));
}

typedef enum folder_entry {
    ENTRY_READ,       /* a BITS input by its content, or one carving reads */
    ENTRY_PASS_OVER,  /* not a regular file, or an ESE companion */
    ENTRY_FOLDER,     /* a subfolder: searched by name after the files (tree.c) */
    ENTRY_NOT_BITS,   /* a regular file whose content is no BITS input: skipped with a note */
} folder_entry;

/* What to do with one folder entry: besides the names above, its first 64 KiB
 * decide (sniff), so copies renamed by an examiner or a tool are read too. */
static folder_entry classify_entry(const char *folder, const char *name, const char *full, carve_session *carve)
{
    struct stat st;
    if (stat(full, &st) != 0)
        return ENTRY_READ;  /* parse_file reports why it cannot be read */
    if (S_ISDIR(st.st_mode))
        return ENTRY_FOLDER;
    if (!S_ISREG(st.st_mode))
        return carve && carve_folder_entry(carve, folder, name) ? ENTRY_READ : ENTRY_PASS_OVER;
    if (is_queue_file_name(name) || (carve && carve_folder_entry(carve, folder, name)))
        return ENTRY_READ;  /* queue names; transaction logs; with --scan every file */
    size_t head_size = 0;
    uint8_t *head = carve_read_head(full, &head_size);
    if (!head)
        return ENTRY_READ;  /* cannot open: parse_file says why */
    bool bits = input_is_bits_input(head, head_size);
    free(head);
    if (bits)
        return ENTRY_READ;
    return is_ese_companion_name(name) ? ENTRY_PASS_OVER : ENTRY_NOT_BITS;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Entries of one folder considered at most; more are reported, not dropped silently. */
#define FOLDER_MAX_ENTRIES 65536

int input_parse_folder(const char *path, bp_result *result, carve_session *carve)
{
    DIR *dir = opendir(path);
    if (!dir) {
        util_notes_addf(&result->arena, &result->warnings, "%s: cannot open folder: %s", path, strerror(errno));
        return BP_STATUS_UNREADABLE;
    }
    char **names = NULL;
    size_t count = 0, capacity = 0;
    bool capped = false, out_of_memory = false;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        if (count >= FOLDER_MAX_ENTRIES) {
            capped = true;
            break;
        }
        char *name = strdup(entry->d_name);
        if (!name || !util_grow((void **)&names, &capacity, count, sizeof(char *))) {
            free(name);
            out_of_memory = true;
            break;
        }
        names[count++] = name;
    }
    closedir(dir);
    if (count)
        qsort(names, count, sizeof(char *), compare_names);
    if (capped)
        util_notes_addf(&result->arena, &result->warnings,
                      "%s: more than %d entries; only the first %d the folder listing gave were considered", path,
                      FOLDER_MAX_ENTRIES, FOLDER_MAX_ENTRIES);
    if (out_of_memory)
        util_notes_addf(&result->arena, &result->warnings, "%s: out of memory listing the folder; only %zu entries "
                      "were considered", path, count);
    char **subfolders = NULL;  /* searched after the folder's own files */
    size_t subfolder_count = 0, subfolder_capacity = 0;
    int worst = capped || out_of_memory ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
    int best = BP_STATUS_UNREADABLE;
    size_t read = 0;
    for (size_t i = 0; i < count; i++) {
        char *full = util_arena_printf(&result->arena, "%s/%s", path, names[i]);
        folder_entry what = full ? classify_entry(path, names[i], full, carve) : ENTRY_PASS_OVER;
        if (what == ENTRY_NOT_BITS) {
            util_notes_addf(&result->arena, &result->warnings,
                          "%s: skipped: not a BITS input (no ESE database, legacy state file, job or file blob "
                          "or event log)", full);
            worst = worst > BP_STATUS_WARNINGS ? worst : BP_STATUS_WARNINGS;
        }
        if (what == ENTRY_FOLDER && full &&
            util_grow((void **)&subfolders, &subfolder_capacity, subfolder_count, sizeof(char *)))
            subfolders[subfolder_count++] = full;
        free(names[i]);
        if (what != ENTRY_READ)
            continue;
        read++;
        size_t warnings_before = result->warnings.count;
        int status = input_parse_file(full, result, carve);
        if (status == BP_STATUS_UNREADABLE && result->warnings.count == warnings_before)
            util_notes_addf(&result->arena, &result->warnings, "%s: not a BITS queue (nothing could be read)", full);
        if (status > worst)
            worst = status;
        if (status < best)
            best = status;
    }
    free(names);
    tree_walk walk;
    tree_walk_init(&walk, result, carve);
    tree_walk_enter_top(&walk, path);
    for (size_t i = 0; i < subfolder_count; i++) {
        struct stat st;  /* linked subfolders after the real ones, as below (tree.c) */
        if (lstat(subfolders[i], &st) == 0 && !S_ISLNK(st.st_mode))
            tree_search_folder(&walk, subfolders[i], 1);
    }
    for (size_t i = 0; i < subfolder_count; i++) {
        struct stat st;
        if (lstat(subfolders[i], &st) == 0 && S_ISLNK(st.st_mode))
            tree_search_folder(&walk, subfolders[i], 1);
    }
    free(subfolders);
    tree_walk_free(&walk);
    read += walk.read;
    worst = walk.worst > worst ? walk.worst : worst;
    best = walk.best < best ? walk.best : best;
    if (!read) {
        util_notes_addf(&result->arena, &result->warnings,
                      "%s: no BITS input in this folder (a qmgr.db, qmgr*.dat, job or file blob or event log) nor "
                      "below it (searched at any depth for qmgr*.db, qmgr*.dat and "
                      "Microsoft-Windows-Bits-Client%%4Operational.evtx, as in ProgramData/Microsoft/Network/"
                      "Downloader, Documents and Settings/All Users/Application Data/Microsoft/Network/Downloader "
                      "and Windows/System32/winevt/Logs, names URL-decoded as Velociraptor stores them)", path);
        return BP_STATUS_UNREADABLE;
    }
    /* some file of the folder read: the folder as a whole is not unreadable */
    if (worst == BP_STATUS_UNREADABLE && best < BP_STATUS_UNREADABLE)
        worst = BP_STATUS_WARNINGS;
    return worst;
}
