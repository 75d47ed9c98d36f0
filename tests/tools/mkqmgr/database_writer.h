/* Assembles a whole qmgr.db from a description: blobs, Jobs/Files records,
 * their long-value trees, the catalog, space trees, and the two header pages. */
#ifndef MKQMGR_DATABASE_WRITER_H
#define MKQMGR_DATABASE_WRITER_H

#include <stdbool.h>
#include <stddef.h>

#include "byte_buffer.h"
#include "description.h"

/* Combine the description's options with the command line's (which win) and
 * apply defaults. Returns false with a message when a value is not allowed. */
bool mk_resolve_options(const mk_options *description, const mk_options *command_line, mk_options *out, char *err,
                        size_t err_size);

/* Default long-value chunk size for a page size (4050 as qmgr uses on 16 KiB). */
uint32_t mk_default_chunk_size(uint32_t page_size);

/* Object ids and page numbers as laid out; handy for tests. */
typedef struct mk_layout {
    uint32_t page_count;       /* database pages (file = page_count + 2 pages) */
    uint32_t jobs_root, jobs_lv_root, files_root, files_lv_root;
    size_t jobs_levels, jobs_lv_levels, files_levels, files_lv_levels;
} mk_layout;

/* Write the database into out (replacing its contents). Same description and
 * options give the same bytes. */
void mk_build_database(const mk_description *d, const mk_options *resolved, mk_buffer *out, mk_layout *layout);

#endif
