/* The Sigma rule files a --sigma PATH names: the file itself, or every
 * *.yml / *.yaml file under a folder (recursively, in name order; hidden
 * entries and symbolic links to folders are not followed). */
#ifndef BP_CLI_SIGMA_FILES_H
#define BP_CLI_SIGMA_FILES_H

#include <stddef.h>

typedef struct sigma_files {
    char **paths;   /* malloc'ed strings */
    size_t count;
    size_t capacity;
} sigma_files;

/* Append the files of path to list. Returns 0, or -1 with why (errno text). */
int sigma_files_collect(const char *path, sigma_files *list, const char **why);
void sigma_files_free(sigma_files *list);

#endif
