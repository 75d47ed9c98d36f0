#include "util/file_read.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Fill data[0..capacity) from fd, hashing each piece as it is read (one pass
 * over the input for both). Returns the bytes read; a short read keeps what came. */
static size_t read_hashing(int fd, uint8_t *data, size_t capacity, util_sha256 *hash)
{
    size_t done = 0;
    while (done < capacity) {
        ssize_t got = read(fd, data + done, capacity - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* the file shrank: keep what was read */
        if (hash)
            util_sha256_update(hash, data + done, (size_t)got);
        done += (size_t)got;
    }
    return done;
}

static uint8_t *read_path(const char *path, size_t *size, const char **error, util_sha256 *hash)
{
    *size = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *error = strerror(errno);
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *error = "not a regular file";
        close(fd);
        return NULL;
    }
    if ((uint64_t)st.st_size > UTIL_INPUT_MAX_SIZE) {
        *error = "file larger than 2 GiB";
        close(fd);
        return NULL;
    }
    size_t capacity = (size_t)st.st_size;
    uint8_t *data = malloc(capacity ? capacity : 1);
    size_t done = data ? read_hashing(fd, data, capacity, hash) : 0;
    close(fd);
    if (!data)
        *error = "out of memory";
    *size = done;
    return data;
}

uint8_t *util_input_read(const char *path, size_t *size, const char **error)
{
    return read_path(path, size, error, NULL);
}

uint8_t *util_input_read_hashed(const char *path, size_t *size, const char **error, char sha256[UTIL_SHA256_HEX_SIZE])
{
    util_sha256 hash;
    util_sha256_init(&hash);
    uint8_t *data = read_path(path, size, error, &hash);
    if (data)
        util_sha256_hex(&hash, sha256);
    return data;
}

uint8_t *util_input_read_stream(int fd, size_t *size, const char **error, char sha256[UTIL_SHA256_HEX_SIZE])
{
    util_sha256 hash;
    util_sha256_init(&hash);
    util_sha256 *hashing = sha256 ? &hash : NULL;  /* NULL: not hashed (--no-hash) */
    *size = 0;
    size_t capacity = 1 << 20, done = 0;
    uint8_t *data = malloc(capacity);
    while (data) {
        size_t got = read_hashing(fd, data + done, capacity - done, hashing);
        done += got;
        if (done < capacity)
            break;  /* end of the stream */
        if (capacity >= UTIL_INPUT_MAX_SIZE) {
            uint8_t probe;
            if (read(fd, &probe, 1) > 0) {
                free(data);
                *error = "input larger than 2 GiB";
                return NULL;
            }
            break;
        }
        size_t bigger = capacity * 2 > UTIL_INPUT_MAX_SIZE ? UTIL_INPUT_MAX_SIZE : capacity * 2;
        uint8_t *grown = realloc(data, bigger);
        if (!grown) {
            free(data);
            data = NULL;
            break;
        }
        data = grown;
        capacity = bigger;
    }
    if (!data) {
        *error = "out of memory";
        return NULL;
    }
    if (sha256)
        util_sha256_hex(&hash, sha256);
    *size = done;
    return data;
}
