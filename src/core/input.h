/* Reading an input file: opened read-only, read whole into memory. */
#ifndef BP_CORE_INPUT_H
#define BP_CORE_INPUT_H

#include <stddef.h>
#include <stdint.h>

/* Largest input read at once (qmgr.db files are a few MiB). */
#define BP_INPUT_MAX_SIZE ((size_t)2 << 30)

/* Read `path` (O_RDONLY). Returns a malloc'ed buffer or NULL with *error set
 * to a static description (errno text is added by the caller). */
uint8_t *bp_input_read(const char *path, size_t *size, const char **error);

#endif
