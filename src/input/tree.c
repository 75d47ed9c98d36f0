/* Subfolders of a folder input, searched at any depth (tree.h). Below the
 * folder given, files are chosen by name, not by content: a mounted volume
 * or a collection holds hundreds of thousands of files, and only the queue
 * files (qmgr*.db, qmgr*.dat), the Bits-Client log and, with --carve, the
 * transaction logs next to a queue are BITS sources. Names are decoded as
 * collectors encode them (collector_names.h). Every folder is listed whole
 * and sorted, so what is read never depends on directory order. */
#include "input/tree.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "input/collector_names.h"
#include "input/parse_internal.h"
#include "util/growable.h"

void tree_walk_init(tree_walk *walk, bp_result *result, carve_session *carve)
{
    memset(walk, 0, sizeof(*walk));
    walk->result = result;
    walk->carve = carve;
    walk->worst = BP_STATUS_CLEAN;
    walk->best = BP_STATUS_UNREADABLE;
}

void tree_walk_free(tree_walk *walk) { util_string_map_free(&walk->visited); }

/* Note a folder as listed; false when it was listed already. */
static bool first_visit(tree_walk *walk, const struct stat *st)
{
    char *key = util_arena_printf(&walk->result->arena, "%" PRIuMAX ":%" PRIuMAX, (uintmax_t)st->st_dev,
                                (uintmax_t)st->st_ino);
    return !key || util_string_map_add(&walk->visited, key, 0);
}

void tree_walk_enter_top(tree_walk *walk, const char *folder)
{
    struct stat st;
    if (stat(folder, &st) != 0)
        return;
    first_visit(walk, &st);
    walk->ancestors[0] = (tree_folder_id){st.st_dev, st.st_ino};
}

static void warn(tree_walk *walk, const char *path, const char *why, const char *detail)
{
    util_notes_addf(&walk->result->arena, &walk->result->warnings, "%s: %s%s", path, why, detail);
    if (walk->worst < BP_STATUS_WARNINGS)
        walk->worst = BP_STATUS_WARNINGS;
}

static void read_file(tree_walk *walk, const char *path)
{
    walk->read++;
    int status = input_parse_file(path, walk->result, walk->carve);
    if (status > walk->worst)
        walk->worst = status;
    if (status < walk->best)
        walk->best = status;
}

/* folder/name in a malloc'ed buffer: paths of a whole volume are not kept in the arena */
static char *join(const char *folder, const char *name)
{
    size_t a = strlen(folder), b = strlen(name);
    char *full = malloc(a + b + 2);
    if (full) {
        memcpy(full, folder, a);
        full[a] = '/';
        memcpy(full + a + 1, name, b + 1);
    }
    return full;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of a folder, sorted; NULL (and a warning) when it cannot be listed. */
static char **list_folder(tree_walk *walk, const char *folder, size_t *count)
{
    *count = 0;
    DIR *dir = opendir(folder);
    if (!dir) {
        warn(walk, folder, "not searched: cannot open folder: ", strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t capacity = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
            continue;
        char *name = strdup(entry->d_name);
        if (!name || !util_grow((void **)&names, &capacity, *count, sizeof(char *))) {
            free(name);
            warn(walk, folder, "out of memory listing the folder; only part of it was searched", "");
            break;
        }
        names[(*count)++] = name;
    }
    closedir(dir);
    if (*count)
        qsort(names, *count, sizeof(char *), compare_names);
    if (!names)
        names = calloc(1, sizeof(char *));  /* an empty folder: listed, nothing in it */
    return names;
}

typedef enum tree_entry { TREE_SKIP, TREE_FILE, TREE_FOLDER, TREE_LINKED_FOLDER } tree_entry;

static tree_entry classify(tree_walk *walk, const char *full, const char *decoded, bool with_logs)
{
    struct stat st;
    if (lstat(full, &st) != 0)
        return TREE_SKIP;
    bool link = S_ISLNK(st.st_mode);
    if (link && stat(full, &st) != 0)
        return TREE_SKIP;  /* a dangling link */
    if (S_ISDIR(st.st_mode))
        return link ? TREE_LINKED_FOLDER : TREE_FOLDER;
    if (!S_ISREG(st.st_mode))
        return TREE_SKIP;
    if (input_is_queue_name(decoded) || input_is_bits_client_log_name(decoded))
        return TREE_FILE;
    return with_logs && walk->carve && carve_is_log_name(decoded) ? TREE_FILE : TREE_SKIP;
}

/* Descend into a subfolder unless it was listed already: a link back to a folder
 * being listed is a loop (a warning); a second way to a folder read already
 * (a junction such as "Documents and Settings" mounted as a link) is quiet. */
void tree_search_folder(tree_walk *walk, const char *full, size_t depth)
{
    struct stat st;
    if (stat(full, &st) != 0)
        return;
    for (size_t i = 0; i < depth && i < TREE_MAX_DEPTH + 1; i++)
        if (walk->ancestors[i].device == st.st_dev && walk->ancestors[i].inode == st.st_ino) {
            warn(walk, full, "not followed: leads back to a folder it is inside (a link loop)", "");
            return;
        }
    if (!first_visit(walk, &st))
        return;
    if (depth > TREE_MAX_DEPTH) {
        warn(walk, full, "not searched: more than 64 folder levels below the input", "");
        return;
    }
    walk->ancestors[depth] = (tree_folder_id){st.st_dev, st.st_ino};
    tree_search(walk, full, depth);
}

void tree_search(tree_walk *walk, const char *folder, size_t depth)
{
    size_t count = 0;
    char **names = list_folder(walk, folder, &count);
    if (!names)
        return;
    /* decoded names, and whether a queue lies here (its transaction logs are read with it) */
    char (*decoded)[256] = count ? malloc(count * sizeof(*decoded)) : NULL;
    bool with_logs = false;
    for (size_t i = 0; decoded && i < count; i++) {
        input_collector_decode(names[i], strlen(names[i]), decoded[i], sizeof(decoded[i]));
        with_logs = with_logs || input_is_queue_name(decoded[i]);
    }
    if (count && !decoded)
        warn(walk, folder, "not searched: out of memory", "");
    tree_entry *kinds = decoded ? calloc(count, sizeof(tree_entry)) : NULL;
    for (size_t i = 0; kinds && i < count; i++) {
        char *full = join(folder, names[i]);
        kinds[i] = full ? classify(walk, full, decoded[i], with_logs) : TREE_SKIP;
        if (kinds[i] == TREE_FILE)
            read_file(walk, full);
        free(full);
    }
    /* real folders before linked ones, so a volume's own path names what is read */
    for (int pass = 0; pass < 2 && kinds; pass++)
        for (size_t i = 0; i < count; i++)
            if (kinds[i] == (pass == 0 ? TREE_FOLDER : TREE_LINKED_FOLDER)) {
                char *full = join(folder, names[i]);
                if (full)
                    tree_search_folder(walk, full, depth + 1);
                free(full);
            }
    free(kinds);
    free(decoded);
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(names);
}
