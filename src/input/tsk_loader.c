/* Loading libtsk at run time in its own symbol scope (tsk_loader.h). */
#define _GNU_SOURCE  /* RTLD_DEEPBIND */
#include "input/tsk_loader.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
#define INPUT_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define INPUT_SANITIZED 1
#endif
#endif

#ifdef INPUT_SANITIZED
#define TSK_DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL)
#else
#define TSK_DLOPEN_FLAGS (RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND)
#endif

/* The soname of Debian 12's libtsk 4.11 (package libtsk19). */
#define TSK_LIBRARY "libtsk.so.19"

static tsk_api api;
static const char *load_error;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *symbol(void *handle, const char *name, bool *ok)
{
    void *address = dlsym(handle, name);
    if (!address)
        *ok = false;
    return address;
}

static void load(void)
{
    void *handle = dlopen(TSK_LIBRARY, TSK_DLOPEN_FLAGS);
    if (!handle) {
        load_error = "libtsk.so.19 (The Sleuth Kit, Debian package libtsk19) cannot be loaded";
        return;
    }
    bool ok = true;
    /* POSIX dlsym returns object pointers; converting them to function pointers is how dlsym is used */
#define LOAD(field, name) *(void **)&api.field = symbol(handle, name, &ok)
    LOAD(img_open, "tsk_img_open_utf8_sing");
    LOAD(img_close, "tsk_img_close");
    LOAD(vs_open, "tsk_vs_open");
    LOAD(vs_close, "tsk_vs_close");
    LOAD(vs_part_get, "tsk_vs_part_get");
    LOAD(fs_open_img, "tsk_fs_open_img");
    LOAD(fs_close, "tsk_fs_close");
    LOAD(fs_dir_walk, "tsk_fs_dir_walk");
    LOAD(fs_file_open_meta, "tsk_fs_file_open_meta");
    LOAD(fs_file_read, "tsk_fs_file_read");
    LOAD(fs_file_close, "tsk_fs_file_close");
    LOAD(fs_block_walk, "tsk_fs_block_walk");
    LOAD(img_read, "tsk_img_read");
    LOAD(fs_file_walk, "tsk_fs_file_walk");
    LOAD(error_get, "tsk_error_get");
    LOAD(error_reset, "tsk_error_reset");
#undef LOAD
    if (!ok) {
        memset(&api, 0, sizeof api);
        load_error = "libtsk.so.19 lacks a function bitsparse uses";
        dlclose(handle);
    }
}

const tsk_api *tsk_loader_get(const char **why)
{
    pthread_once(&once, load);
    if (load_error) {
        *why = load_error;
        return NULL;
    }
    return &api;
}

bool tsk_loader_can_read_ewf(void)
{
#ifdef INPUT_SANITIZED
    return false;
#else
    return true;
#endif
}
