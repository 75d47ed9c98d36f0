#define _DEFAULT_SOURCE  /* madvise and its MADV_* advice: POSIX's posix_madvise may ignore DONTNEED (glibc does) */
#include "util/mapped_file.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Hashing reads the mapping this much at a time: the chunk ahead is asked for
 * (read-ahead), the chunk behind dropped. A multiple of every page size. */
#define HASH_CHUNK ((size_t)4 << 20)

/* Mappings of this thread, newest first: parsing one input at a time keeps
 * this list at one entry, and each thread parses its own inputs. */
static _Thread_local util_mapped_file *live_mappings;

static const uint8_t empty_file[1];

/* A page table holds page_size / 8 entries: one fault maps at most that many
 * pages, all inside one such aligned region. */
static void set_regions(util_mapped_file *m)
{
    long page = sysconf(_SC_PAGESIZE);
    size_t region = page > 0 ? (size_t)page * ((size_t)page / 8) : (size_t)2 << 20;
    m->region_shift = 0;
    while (((size_t)1 << (m->region_shift + 1)) <= region)
        m->region_shift++;
    region = (size_t)1 << m->region_shift;
    m->region_limit = UTIL_MAPPED_RESIDENT_MAX / region;
    if (m->region_limit < 1)
        m->region_limit = 1;
    if (m->region_limit > UTIL_MAPPED_REGIONS_MAX)
        m->region_limit = UTIL_MAPPED_REGIONS_MAX;
    m->last_region = SIZE_MAX;
}

bool util_mapped_open(util_mapped_file *m, const char *path)
{
    memset(m, 0, sizeof(*m));
    m->fd = -1;
    /* O_NONBLOCK: a FIFO must not block here; it is refused below and read as a stream by the caller */
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return false;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size > SIZE_MAX) {
        close(fd);
        return false;
    }
    m->size = (size_t)st.st_size;
    m->file_size = (int64_t)st.st_size;
    if (m->size == 0) {
        m->data = empty_file;  /* mmap refuses a length of 0 */
    } else {
        void *map = mmap(NULL, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            close(fd);
            return false;
        }
        m->data = map;
        m->mapped = m->size;
    }
    m->fd = fd;
    set_regions(m);
    m->next = live_mappings;
    live_mappings = m;
    return true;
}

bool util_mapped_sha256(util_mapped_file *m, char sha256[UTIL_SHA256_HEX_SIZE])
{
    util_sha256 hash;
    util_sha256_init(&hash);
    uint8_t *base = (uint8_t *)(uintptr_t)m->data;
    if (m->mapped)
        madvise(base, m->mapped, MADV_SEQUENTIAL);
    for (size_t at = 0; at < m->size; at += HASH_CHUNK) {
        size_t length = m->size - at < HASH_CHUNK ? m->size - at : HASH_CHUNK;
        if (m->size - at > HASH_CHUNK) {
            size_t ahead = m->size - at - HASH_CHUNK;
            madvise(base + at + HASH_CHUNK, ahead < HASH_CHUNK ? ahead : HASH_CHUNK, MADV_WILLNEED);
        }
        util_sha256_update(&hash, m->data + at, length);
        madvise(base + at, length, MADV_DONTNEED);
    }
    if (m->mapped)
        madvise(base, m->mapped, MADV_NORMAL);
    m->region_count = 0;
    m->last_region = SIZE_MAX;
    util_sha256_hex(&hash, sha256);
    struct stat st;
    return fstat(m->fd, &st) == 0 && (int64_t)st.st_size == m->file_size;
}

void util_mapped_note_regions(util_mapped_file *m, size_t first, size_t last)
{
    for (size_t region = first; region <= last; region++) {
        bool noted = false;
        for (size_t i = 0; i < m->region_count && !noted; i++)
            noted = m->regions[i] == region;
        if (noted)
            continue;
        if (m->region_count >= m->region_limit)
            util_mapped_trim(m);
        m->regions[m->region_count++] = region;
    }
    m->last_region = last;
}

void util_mapped_trim(util_mapped_file *m)
{
    m->region_count = 0;
    m->last_region = SIZE_MAX;
    if (m->mapped)
        madvise((void *)(uintptr_t)m->data, m->mapped, MADV_DONTNEED);
}

util_mapped_file *util_mapped_find(const void *data, size_t size)
{
    uintptr_t start = (uintptr_t)data;
    for (util_mapped_file *m = live_mappings; m; m = m->next) {
        uintptr_t base = (uintptr_t)m->data;
        if (m->mapped && start >= base && start - base <= m->mapped && size <= m->mapped - (start - base))
            return m;
    }
    return NULL;
}

void util_mapped_release(const void *data, size_t size)
{
    util_mapped_file *m = util_mapped_find(data, size);
    if (m)
        util_mapped_trim(m);
}

void util_mapped_close_fd(util_mapped_file *m)
{
    if (m->fd >= 0)
        close(m->fd);
    m->fd = -1;
}

void util_mapped_close(util_mapped_file *m)
{
    for (util_mapped_file **link = &live_mappings; *link; link = &(*link)->next) {
        if (*link == m) {
            *link = m->next;
            break;
        }
    }
    if (m->mapped)
        munmap((void *)(uintptr_t)m->data, m->mapped);
    if (m->fd >= 0)
        close(m->fd);
    memset(m, 0, sizeof(*m));
    m->fd = -1;
}
