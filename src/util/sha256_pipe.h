/* SHA-256 of an input computed on a second thread while the reading thread
 * searches it (issue 21): the reader hands over each block it has read, in
 * file order, and goes on; the hasher reads the same bytes from the reader's
 * own buffers, so nothing is read or copied twice.
 *
 * The caller owns the buffers: bytes fed stay unchanged until the hasher is
 * past them. util_sha256_pipe_drain(pipe, n) waits until at most the last n
 * blocks fed are still being hashed, so a reader that alternates between
 * two buffers calls drain(pipe, 1) before writing into one again.
 * When no thread can be started the blocks are hashed as they are fed (same
 * digest, just not in parallel). */
#ifndef BP_UTIL_SHA256_PIPE_H
#define BP_UTIL_SHA256_PIPE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/sha256.h"

#define UTIL_SHA256_PIPE_DEPTH 4  /* blocks that may wait for the hasher */

typedef struct util_sha256_pipe {
    util_sha256 hash;
    bool threaded;                /* false: fed blocks are hashed at once */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;       /* a block was fed, hashed, or the end was said */
    struct {
        const void *data;
        size_t size;
    } queue[UTIL_SHA256_PIPE_DEPTH];
    size_t head;                  /* next block to hash */
    size_t count;                 /* blocks fed and not yet hashed (the one being hashed included) */
    bool ending;                  /* no more blocks: the hasher stops once the queue is empty */
} util_sha256_pipe;

/* Start hashing; a hasher thread when one can be started. */
void util_sha256_pipe_start(util_sha256_pipe *pipe);
/* For tests: the same without a thread (the fallback). */
void util_sha256_pipe_start_unthreaded(util_sha256_pipe *pipe);
/* Hand over the next `size` bytes of the input (0 is allowed); waits when
 * UTIL_SHA256_PIPE_DEPTH blocks are queued already. */
void util_sha256_pipe_feed(util_sha256_pipe *pipe, const void *data, size_t size);
/* Wait until at most the last `pending` blocks fed are not hashed yet. */
void util_sha256_pipe_drain(util_sha256_pipe *pipe, size_t pending);
/* Wait for the hasher, stop it and write the digest as hex (hex may be NULL:
 * stop only, as when the input could not be read to its end). */
void util_sha256_pipe_finish(util_sha256_pipe *pipe, char hex[UTIL_SHA256_HEX_SIZE]);

#endif
