/* Listing of the rule files behind --sigma PATH (sigma_files.h). */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/sigma_files.h"
#include "util/growable.h"

static bool has_rule_suffix(const char *name)
{
    size_t n = strlen(name);
    return (n > 4 && strcmp(name + n - 4, ".yml") == 0) ||
           (n > 5 && strcmp(name + n - 5, ".yaml") == 0);
}

static int add(sigma_files *list, const char *path)
{
    if (!util_grow((void **)&list->paths, &list->capacity, list->count, sizeof(*list->paths)))
        return -1;
    char *copy = strdup(path);
    if (!copy)
        return -1;
    list->paths[list->count++] = copy;
    return 0;
}

static int walk(const char *folder, sigma_files *list, int depth, const char **why)
{
    struct dirent **entries = NULL;
    int n = scandir(folder, &entries, NULL, alphasort);
    if (n < 0) {
        *why = strerror(errno);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = entries[i]->d_name;
        if (rc == 0 && name[0] != '.') {
            char *path = malloc(strlen(folder) + strlen(name) + 2);
            struct stat link, target;
            if (!path) {
                *why = strerror(ENOMEM);
                rc = -1;
            } else {
                sprintf(path, "%s/%s", folder, name);
                bool is_folder = lstat(path, &link) == 0 && S_ISDIR(link.st_mode);
                if (is_folder && depth < SIGMA_FILES_MAX_DEPTH)
                    rc = walk(path, list, depth + 1, why);
                else if (is_folder) {
                    /* not read, but never silently: the caller names it */
                    if (list->too_deep++ == 0)
                        list->first_too_deep = strdup(path);
                } else if (stat(path, &target) == 0 && S_ISREG(target.st_mode) &&
                         has_rule_suffix(name) && add(list, path) != 0) {
                    *why = strerror(ENOMEM);
                    rc = -1;
                }
                free(path);
            }
        }
        free(entries[i]);
    }
    free(entries);
    return rc;
}

int sigma_files_collect(const char *path, sigma_files *list, const char **why)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        *why = strerror(errno);
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return walk(path, list, 0, why);
    if (add(list, path) != 0) {
        *why = strerror(ENOMEM);
        return -1;
    }
    return 0;
}

void sigma_files_free(sigma_files *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->paths[i]);
    free(list->paths);
    free(list->first_too_deep);
    list->paths = NULL;
    list->first_too_deep = NULL;
    list->count = list->capacity = list->too_deep = 0;
}
