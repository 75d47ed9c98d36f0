/* An output file that appears all at once or not at all: data goes to a
 * temporary file beside the destination, which is fsync'ed and renamed into
 * place only when everything was written. A crash or a failed write never
 * leaves a truncated file under the requested name. */
#ifndef BP_OUTPUT_OUTPUT_FILE_H
#define BP_OUTPUT_OUTPUT_FILE_H

#include <stdbool.h>
#include <stdio.h>

typedef struct bp_output_file {
    FILE *stream;     /* write here between open and commit/abort */
    char *path;       /* the destination */
    char *temp_path;  /* the temporary file in the destination's folder */
} bp_output_file;

/* Create the temporary file. 0, or -1 with errno set (nothing left behind). */
int bp_output_file_open(bp_output_file *file, const char *path);

/* Flush, fsync and rename into place. 0, or -1 with errno set; on failure the
 * temporary file is removed and the destination is left as it was. */
int bp_output_file_commit(bp_output_file *file);

/* Give up: close and remove the temporary file. Safe after a failed open. */
void bp_output_file_abort(bp_output_file *file);

/* True when writing `output` would replace `input`: the same inode or resolved
 * path (`-o` naming the evidence file itself or a link to it), or, when input
 * is a folder, an existing file somewhere inside it. */
bool bp_output_file_is_input(const char *output, const char *input);

#endif
