/* Reading an input file: opened read-only, read whole into memory. */
#ifndef BP_UTIL_FILE_READ_H
#define BP_UTIL_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "util/sha256.h"

/* Largest input read at once (qmgr.db files are a few MiB). */
#define UTIL_INPUT_MAX_SIZE ((size_t)2 << 30)

/* Read `path` (O_RDONLY). Returns a malloc'ed buffer or NULL with *error set
 * to a static description (errno text is added by the caller). */
uint8_t *util_input_read(const char *path, size_t *size, const char **error);

/* The same, hashing the bytes as they arrive: sha256 receives the hex digest
 * of what was read (source.sha256) when the buffer is returned. */
uint8_t *util_input_read_hashed(const char *path, size_t *size, const char **error, char sha256[UTIL_SHA256_HEX_SIZE]);

/* Read a stream (standard input given as "-") to its end, at most
 * UTIL_INPUT_MAX_SIZE bytes, hashing as it goes (not when sha256 is NULL). */
uint8_t *util_input_read_stream(int fd, size_t *size, const char **error, char sha256[UTIL_SHA256_HEX_SIZE]);

#endif
