#include "core/input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t *bp_input_read(const char *path, size_t *size, const char **error)
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
    if ((uint64_t)st.st_size > BP_INPUT_MAX_SIZE) {
        *error = "file larger than 2 GiB";
        close(fd);
        return NULL;
    }
    size_t capacity = (size_t)st.st_size;
    uint8_t *data = malloc(capacity ? capacity : 1);
    size_t done = 0;
    while (data && done < capacity) {
        ssize_t got = read(fd, data + done, capacity - done);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break; /* the file shrank: keep what was read */
        done += (size_t)got;
    }
    close(fd);
    if (!data)
        *error = "out of memory";
    *size = done;
    return data;
}
