/* Searching the subfolders of a folder given as input, at any depth, for BITS
 * sources by name (docs/design.md, Data flow): collection trees, mounted
 * volumes, case folders holding several systems. */
#ifndef BP_INPUT_TREE_H
#define BP_INPUT_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "carve/carve.h"
#include "result/result.h"

/* Folders deeper than this below the input are not searched (a warning). */
#define TREE_MAX_DEPTH 64

typedef struct tree_folder_id {
    dev_t device;
    ino_t inode;
} tree_folder_id;

typedef struct tree_walk {
    bp_result *result;
    carve_session *carve;
    util_string_map visited;         /* "device:inode" of every folder listed: each read once */
    tree_folder_id ancestors[TREE_MAX_DEPTH + 2];  /* the folders being listed, to tell a loop */
    size_t read;                   /* files read */
    int worst, best;               /* bp_status of the files read */
} tree_walk;

void tree_walk_init(tree_walk *walk, bp_result *result, carve_session *carve);
void tree_walk_free(tree_walk *walk);

/* Remember the folder an input names (depth 0), so a link back to it is a loop. */
void tree_walk_enter_top(tree_walk *walk, const char *folder);

/* Search `folder`, depth levels below the input, and everything below it. */
void tree_search(tree_walk *walk, const char *folder, size_t depth);

/* The same for a subfolder met while listing a folder: checked for loops and
 * for a second way to a folder searched already, then searched. */
void tree_search_folder(tree_walk *walk, const char *folder, size_t depth);

#endif
