/* The hasher thread of util_sha256_pipe (sha256_pipe.h): a queue of at most
 * UTIL_SHA256_PIPE_DEPTH blocks under one mutex. A block stays counted while
 * it is hashed, so drain() returns only once the hasher is past its bytes. */
#include "util/sha256_pipe.h"

#include <signal.h>

static void *hasher_main(void *argument)
{
    util_sha256_pipe *pipe = argument;
    pthread_mutex_lock(&pipe->lock);
    for (;;) {
        while (pipe->count == 0 && !pipe->ending)
            pthread_cond_wait(&pipe->changed, &pipe->lock);
        if (pipe->count == 0)
            break;  /* ending and nothing left */
        const void *data = pipe->queue[pipe->head].data;
        size_t size = pipe->queue[pipe->head].size;
        pthread_mutex_unlock(&pipe->lock);
        util_sha256_update(&pipe->hash, data, size);  /* only this thread touches the hash now */
        pthread_mutex_lock(&pipe->lock);
        pipe->head = (pipe->head + 1) % UTIL_SHA256_PIPE_DEPTH;
        pipe->count--;
        pthread_cond_broadcast(&pipe->changed);
    }
    pthread_mutex_unlock(&pipe->lock);
    return NULL;
}

void util_sha256_pipe_start_unthreaded(util_sha256_pipe *pipe)
{
    util_sha256_init(&pipe->hash);
    pipe->threaded = false;
    pipe->head = 0;
    pipe->count = 0;
    pipe->ending = false;
}

void util_sha256_pipe_start(util_sha256_pipe *pipe)
{
    util_sha256_pipe_start_unthreaded(pipe);
    if (pthread_mutex_init(&pipe->lock, NULL) != 0)
        return;
    if (pthread_cond_init(&pipe->changed, NULL) != 0) {
        pthread_mutex_destroy(&pipe->lock);
        return;
    }
    /* the hasher takes no signals: they stay with the threads that expect them */
    sigset_t all, before;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &before);
    pipe->threaded = pthread_create(&pipe->thread, NULL, hasher_main, pipe) == 0;
    pthread_sigmask(SIG_SETMASK, &before, NULL);
    if (!pipe->threaded) {  /* hashed on this thread instead: same digest */
        pthread_cond_destroy(&pipe->changed);
        pthread_mutex_destroy(&pipe->lock);
    }
}

void util_sha256_pipe_feed(util_sha256_pipe *pipe, const void *data, size_t size)
{
    if (size == 0)
        return;
    if (!pipe->threaded) {
        util_sha256_update(&pipe->hash, data, size);
        return;
    }
    pthread_mutex_lock(&pipe->lock);
    while (pipe->count == UTIL_SHA256_PIPE_DEPTH)
        pthread_cond_wait(&pipe->changed, &pipe->lock);
    size_t slot = (pipe->head + pipe->count) % UTIL_SHA256_PIPE_DEPTH;
    pipe->queue[slot].data = data;
    pipe->queue[slot].size = size;
    pipe->count++;
    pthread_cond_broadcast(&pipe->changed);
    pthread_mutex_unlock(&pipe->lock);
}

void util_sha256_pipe_drain(util_sha256_pipe *pipe, size_t pending)
{
    if (!pipe->threaded)
        return;
    pthread_mutex_lock(&pipe->lock);
    while (pipe->count > pending)
        pthread_cond_wait(&pipe->changed, &pipe->lock);
    pthread_mutex_unlock(&pipe->lock);
}

void util_sha256_pipe_finish(util_sha256_pipe *pipe, char hex[UTIL_SHA256_HEX_SIZE])
{
    if (pipe->threaded) {
        pthread_mutex_lock(&pipe->lock);
        pipe->ending = true;
        pthread_cond_broadcast(&pipe->changed);
        pthread_mutex_unlock(&pipe->lock);
        pthread_join(pipe->thread, NULL);  /* the hasher's writes to the hash happen before this */
        pthread_cond_destroy(&pipe->changed);
        pthread_mutex_destroy(&pipe->lock);
        pipe->threaded = false;
    }
    if (hex)
        util_sha256_hex(&pipe->hash, hex);
}
