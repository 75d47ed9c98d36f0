/* realpath() is an XSI function; glibc hides it under plain _POSIX_C_SOURCE. */
#define _XOPEN_SOURCE 700

#include "output/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Keep the temporary name well under NAME_MAX however long the destination's name is. */
#define TEMP_BASE_MAX 64

static void clear(bp_output_file *file)
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

int bp_output_file_open(bp_output_file *file, const char *path)
{
    memset(file, 0, sizeof(*file));
    file->path = strdup(path);
    file->temp_path = temp_template(path);
    if (!file->path || !file->temp_path) {
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
    set_mode(fd, path);
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

int bp_output_file_commit(bp_output_file *file)
{
    if (!file->stream) {
        errno = EBADF;
        return -1;
    }
    int failed = fflush(file->stream) == EOF || ferror(file->stream) ||
                 fsync(fileno(file->stream)) != 0;
    int saved = errno;
    if (fclose(file->stream) == EOF && !failed) {
        failed = 1;
        saved = errno;
    }
    file->stream = NULL;
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

void bp_output_file_abort(bp_output_file *file)
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

bool bp_output_file_is_input(const char *output, const char *input)
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
