/* The Sigma rule files a --sigma PATH names: the file itself, or every
 * *.yml / *.yaml file under a folder (recursively, in name order; hidden
 * entries and symbolic links to folders are not followed). Folders more
 * than SIGMA_FILES_MAX_DEPTH levels below PATH are not read; they are
 * counted, and the first one named, for the caller to warn about. */
#ifndef BP_CLI_SIGMA_FILES_H
#define BP_CLI_SIGMA_FILES_H

#include <stddef.h>

#define SIGMA_FILES_MAX_DEPTH 16   /* SigmaHQ's tree is 5 deep; bounds a looping mount */

typedef struct sigma_files {
    char **paths;   /* malloc'ed strings */
    size_t count;
    size_t capacity;
    size_t too_deep;        /* folders not read: deeper than SIGMA_FILES_MAX_DEPTH */
    char *first_too_deep;   /* malloc'ed; NULL when too_deep is 0 or out of memory */
} sigma_files;

/* Append the files of path to list. Returns 0, or -1 with why (errno text). */
int sigma_files_collect(const char *path, sigma_files *list, const char **why);
void sigma_files_free(sigma_files *list);

#endif
