/* realpath() is an XSI function; glibc hides it under plain _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Keep the temporary name well under NAME_MAX however long the destination's name is. */
#define TEMP_BASE_MAX 64

static void clear(out_file *file)
{
    free(file->path);
    free(file->temp_path);
    file->stream = NULL;
    file->path = NULL;
    file->temp_path = NULL;
}

/* "<folder>/.<name>.XXXXXX": same folder (so rename is atomic, same file
 * system) and hidden, so a half-written file is not mistaken for output. */
static char *temp_template(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t folder_length = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + folder_length;
    size_t base_length = strlen(base);
    if (base_length > TEMP_BASE_MAX)
        base_length = TEMP_BASE_MAX;
    size_t size = folder_length + 1 + base_length + sizeof(".XXXXXX");
    char *name = malloc(size);
    if (name)
        snprintf(name, size, "%.*s.%.*s.XXXXXX", (int)folder_length, path, (int)base_length, base);
    return name;
}

/* mkstemp creates mode 0600. Give the file the mode a plain `> file` would:
 * the replaced file's mode, or 0666 minus the umask for a new file. umask can
 * only be read by setting it, so it is put back at once. */
static void set_mode(int fd, const char *path)
{
    struct stat existing;
    mode_t mode;
    if (stat(path, &existing) == 0 && S_ISREG(existing.st_mode)) {
        mode = existing.st_mode & 07777;
    } else {
        mode_t mask = umask(022);
        umask(mask);
        mode = 0666 & ~mask;
    }
    (void)fchmod(fd, mode);  /* a private 0600 file is still a correct result */
}

/* What -o does with what already exists at its path. */
typedef enum destination {
    DESTINATION_REPLACE,        /* nothing yet, a regular file or a folder: temp file + rename */
    DESTINATION_WRITE_THROUGH,  /* FIFO or character device: renaming would replace it */
    DESTINATION_UNSUPPORTED,    /* socket or block device */
} destination;

/* Destinations written straight through: FIFOs, terminals and the memory
 * devices that hold nothing (/dev/null, /dev/zero, /dev/full). Any other
 * character device may be storage (a raw disk on the BSDs, /dev/mem, a tape)
 * and is refused, like block devices and sockets. Numbers are Linux's. */
static bool writes_through(const struct stat *st)
{
    if (S_ISFIFO(st->st_mode))
        return true;
    if (!S_ISCHR(st->st_mode))
        return false;
    unsigned int kind = major(st->st_rdev), unit = minor(st->st_rdev);
    return (kind == 1 && (unit == 3 || unit == 5 || unit == 7)) || kind == 4 || kind == 5 ||
           (kind >= 136 && kind <= 143);
}

/* For DESTINATION_REPLACE, *target (malloc'ed) is the path to rename onto:
 * the path itself, or a symbolic link's resolved target, so that a link such
 * as /dev/stdout is never replaced by a regular file. A folder stays a
 * replacement: the rename fails on it, leaving it as it was. */
static int classify(const char *path, destination *kind, char **target)
{
    struct stat link_stat, st;
    *target = NULL;
    if (lstat(path, &link_stat) != 0) {
        if (errno != ENOENT)
            return -1;
        *kind = DESTINATION_REPLACE;  /* a new file (a missing folder fails at mkstemp) */
    } else {
        if (stat(path, &st) != 0)
            return -1;  /* a dangling link: no target to write to */
        if (writes_through(&st)) {
            *kind = DESTINATION_WRITE_THROUGH;
            return 0;
        }
        if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
            *kind = DESTINATION_UNSUPPORTED;
            return 0;
        }
        *kind = DESTINATION_REPLACE;
        if (S_ISLNK(link_stat.st_mode))
            return (*target = realpath(path, NULL)) ? 0 : -1;
    }
    *target = strdup(path);
    if (!*target)
        errno = ENOMEM;
    return *target ? 0 : -1;
}

/* Open a FIFO or character device as `> path` would, minus O_CREAT/O_TRUNC:
 * nothing is created, and a device has no length to cut. The path is opened
 * as given (not resolved) so that /dev/stdout reaches a pipe through
 * /proc/self/fd. */
static int open_write_through(out_file *file, const char *path)
{
    file->path = strdup(path);
    if (!file->path) {
        errno = ENOMEM;
        return -1;
    }
    int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
    struct stat st;
    int saved = errno;
    if (fd >= 0 && (fstat(fd, &st) != 0 || !writes_through(&st))) {
        /* replaced since it was looked at: writing into a regular file
         * without the temp file and rename would leave it half-overwritten */
        saved = EAGAIN;
        close(fd);
        fd = -1;
    }
    if (fd >= 0)
        file->stream = fdopen(fd, "wb");
    if (!file->stream) {
        if (fd >= 0) {
            saved = errno;
            close(fd);
        }
        clear(file);
        errno = saved;
        return -1;
    }
    return 0;
}

int out_file_open(out_file *file, const char *path)
{
    memset(file, 0, sizeof(*file));
    destination kind;
    char *target;
    if (classify(path, &kind, &target) != 0)
        return -1;
    if (kind == DESTINATION_WRITE_THROUGH)
        return open_write_through(file, path);
    if (kind == DESTINATION_UNSUPPORTED) {
        errno = ENOTSUP;
        return -1;
    }
    file->path = target;
    file->temp_path = temp_template(target);
    if (!file->temp_path) {
        clear(file);
        errno = ENOMEM;
        return -1;
    }
    int fd = mkstemp(file->temp_path);
    if (fd < 0) {
        int saved = errno;
        clear(file);
        errno = saved;
        return -1;
    }
    set_mode(fd, target);
    file->stream = fdopen(fd, "wb");
    if (!file->stream) {
        int saved = errno;
        close(fd);
        unlink(file->temp_path);
        clear(file);
        errno = saved;
        return -1;
    }
    return 0;
}

/* After the rename, sync the folder too so the new name itself survives a crash.
 * Best effort: the data is already safe and some file systems refuse this. */
static void sync_folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *folder = slash ? strndup(path, (size_t)(slash - path) + 1) : strdup(".");
    if (!folder)
        return;
    int fd = open(folder, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(folder);
}

int out_file_commit(out_file *file)
{
    if (!file->stream) {
        errno = EBADF;
        return -1;
    }
    /* fsync fails (EINVAL) on pipes and most devices, and there is no file to keep */
    bool through = !file->temp_path;
    int failed = fflush(file->stream) == EOF || ferror(file->stream) ||
                 (!through && fsync(fileno(file->stream)) != 0);
    int saved = errno;
    if (fclose(file->stream) == EOF && !failed) {
        failed = 1;
        saved = errno;
    }
    file->stream = NULL;
    if (through) {
        clear(file);
        if (failed)
            errno = saved ? saved : EIO;
        return failed ? -1 : 0;
    }
    if (!failed && rename(file->temp_path, file->path) != 0) {
        failed = 1;
        saved = errno;
    }
    if (failed) {
        unlink(file->temp_path);
        clear(file);
        errno = saved ? saved : EIO;
        return -1;
    }
    sync_folder(file->path);
    clear(file);
    return 0;
}

void out_file_abort(out_file *file)
{
    if (file->stream)
        fclose(file->stream);
    if (file->temp_path)
        unlink(file->temp_path);
    clear(file);
}

/* Is `path` (resolved) inside the folder `folder` (resolved), at any depth? */
static bool is_under(const char *path, const char *folder)
{
    size_t length = strlen(folder);
    if (length == 1 && folder[0] == '/')
        return true;
    return strncmp(path, folder, length) == 0 && path[length] == '/';
}

bool out_file_is_input(const char *output, const char *input)
{
    struct stat out_stat, in_stat;
    if (stat(output, &out_stat) != 0 || stat(input, &in_stat) != 0)
        return false;  /* an output that does not exist yet cannot be an input */
    if (out_stat.st_dev == in_stat.st_dev && out_stat.st_ino == in_stat.st_ino)
        return true;
    /* Compare resolved paths too (file systems with unreliable inode numbers),
     * and treat an existing file anywhere in an input folder as an input: the
     * folder may be read recursively. */
    char *out_real = realpath(output, NULL);
    char *in_real = out_real ? realpath(input, NULL) : NULL;
    bool same = out_real && in_real &&
                (strcmp(out_real, in_real) == 0 ||
                 (S_ISDIR(in_stat.st_mode) && is_under(out_real, in_real)));
    free(out_real);
    free(in_real);
    return same;
}

/* The folder an entry named `path` would be created in, as spelled: "a/b/c"
 * gives "a/b", "c" gives ".", "/c" gives "/". */
static char *parent_folder(const char *path)
{
    size_t length = strlen(path);
    while (length > 1 && path[length - 1] == '/')
        length--;  /* "a/b/" names b, in a */
    while (length > 0 && path[length - 1] != '/')
        length--;
    while (length > 1 && path[length - 1] == '/')
        length--;
    if (length == 0)
        return strdup(".");
    return strndup(path, length);
}

bool out_file_in_folder(const char *output, const char *input)
{
    struct stat in_stat, st;
    if (stat(input, &in_stat) != 0 || !S_ISDIR(in_stat.st_mode))
        return false;
    char *parent = parent_folder(output);
    /* A parent that cannot be resolved does not exist: nothing can be created there. */
    char *parent_real = parent ? realpath(parent, NULL) : NULL;
    char *in_real = parent_real ? realpath(input, NULL) : NULL;
    bool inside = parent_real && in_real &&
                  (strcmp(parent_real, in_real) == 0 || is_under(parent_real, in_real));
    /* Also compare each folder from the parent up to "/" by inode: the input
     * may be reachable under another resolved path (a bind mount). */
    while (parent_real && !inside) {
        if (stat(parent_real, &st) == 0 && st.st_dev == in_stat.st_dev && st.st_ino == in_stat.st_ino)
            inside = true;
        char *slash = strrchr(parent_real, '/');
        if (!slash || parent_real[1] == '\0')
            break;  /* "/" was the last */
        if (slash == parent_real)
            slash[1] = '\0';  /* "/a" -> "/" */
        else
            *slash = '\0';  /* "/a/b" -> "/a" */
    }
    free(parent);
    free(parent_real);
    free(in_real);
    return inside;
}

bool out_file_unsupported(const char *output)
{
    size_t length = strlen(output);
    if (length && output[length - 1] == '/')
        return true;  /* names a folder, existing or not */
    struct stat st;
    return stat(output, &st) == 0 && !S_ISREG(st.st_mode) && !writes_through(&st);
}
