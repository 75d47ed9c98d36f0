/* An output file that appears all at once or not at all: data goes to a
 * temporary file beside the destination, which is fsync'ed and renamed into
 * place only when everything was written. A crash or a failed write never
 * leaves a truncated file under the requested name.
 *
 * A destination that is not a regular file is never replaced: a FIFO or a
 * character device (a pipeline, /dev/stdout, /dev/null) is written to directly,
 * and a symbolic link to a regular file has its target replaced, not the link. */
#ifndef BP_OUTPUT_OUTPUT_FILE_H
#define BP_OUTPUT_OUTPUT_FILE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct out_file {
    FILE *stream;     /* write here between open and commit/abort */
    char *path;       /* the destination (a symbolic link's target when replacing) */
    char *temp_path;  /* the temporary file in the destination's folder; NULL when
                       * writing straight to a FIFO or character device */
} out_file;

/* Create the temporary file, or open a FIFO or character device for writing
 * (this waits for a FIFO's reader). 0, or -1 with errno set (nothing left
 * behind); ENOTSUP for a socket or block device. */
int out_file_open(out_file *file, const char *path);

/* Flush, fsync and rename into place (flush and close only when writing
 * through). 0, or -1 with errno set; on failure the temporary file is removed
 * and the destination is left as it was. */
int out_file_commit(out_file *file);

/* Give up: close and remove the temporary file. Safe after a failed open. */
void out_file_abort(out_file *file);

/* True when writing `output` would replace `input`: the same inode or resolved
 * path (`-o` naming the evidence file itself or a link to it), or, when input
 * is a folder, an existing file somewhere inside it. */
bool out_file_is_input(const char *output, const char *input);

/* True when `input` is a folder and `output` would be created in it or in any
 * folder below it (its parent folder, resolved, is or lies inside `input`):
 * a new entry changes the evidence folder. */
bool out_file_in_folder(const char *output, const char *input);

/* True when `output` names something the output cannot go to (symbolic
 * links followed): a folder (or a path ending in '/'), a socket, a block
 * device, or a character device other than a terminal, /dev/null, /dev/zero
 * or /dev/full. Checked before the parse, so a long run does not end in a
 * failed rename. */
bool out_file_unsupported(const char *output);

#endif
