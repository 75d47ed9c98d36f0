/* The Sleuth Kit, loaded at run time (dlopen) in its own symbol scope.
 *
 * Why: libevtx (linked for event logs), libbfio, libewf, libvmdk and libvhdi
 * each carry and export their own copy of libcdata/libbfio, of different
 * versions. Linked into one process normally, libewf's calls land in
 * libevtx's copies and closing an E01 image frees memory twice. Loaded with
 * RTLD_DEEPBIND, libtsk and the image libraries it brings resolve their own
 * copies first. AddressSanitizer refuses RTLD_DEEPBIND: sanitizer builds load
 * it without and decline E01/Ex01 images (tsk_loader_can_read_ewf). */
#ifndef BP_INPUT_TSK_LOADER_H
#define BP_INPUT_TSK_LOADER_H

#include <stdbool.h>
#include <tsk/libtsk.h>

typedef struct tsk_api {
    TSK_IMG_INFO *(*img_open)(const char *, TSK_IMG_TYPE_ENUM, unsigned int);
    void (*img_close)(TSK_IMG_INFO *);
    TSK_VS_INFO *(*vs_open)(TSK_IMG_INFO *, TSK_DADDR_T, TSK_VS_TYPE_ENUM);
    void (*vs_close)(TSK_VS_INFO *);
    const TSK_VS_PART_INFO *(*vs_part_get)(const TSK_VS_INFO *, TSK_PNUM_T);
    TSK_FS_INFO *(*fs_open_img)(TSK_IMG_INFO *, TSK_OFF_T, TSK_FS_TYPE_ENUM);
    void (*fs_close)(TSK_FS_INFO *);
    uint8_t (*fs_dir_walk)(TSK_FS_INFO *, TSK_INUM_T, TSK_FS_DIR_WALK_FLAG_ENUM, TSK_FS_DIR_WALK_CB, void *);
    TSK_FS_FILE *(*fs_file_open_meta)(TSK_FS_INFO *, TSK_FS_FILE *, TSK_INUM_T);
    ssize_t (*fs_file_read)(TSK_FS_FILE *, TSK_OFF_T, char *, size_t, TSK_FS_FILE_READ_FLAG_ENUM);
    void (*fs_file_close)(TSK_FS_FILE *);
    uint8_t (*fs_block_walk)(TSK_FS_INFO *, TSK_DADDR_T, TSK_DADDR_T, TSK_FS_BLOCK_WALK_FLAG_ENUM, TSK_FS_BLOCK_WALK_CB,
                             void *);
    ssize_t (*img_read)(TSK_IMG_INFO *, TSK_OFF_T, char *, size_t);
    uint8_t (*fs_file_walk)(TSK_FS_FILE *, TSK_FS_FILE_WALK_FLAG_ENUM, TSK_FS_FILE_WALK_CB, void *);
    const char *(*error_get)(void);
    void (*error_reset)(void);
} tsk_api;

/* The library's functions, loaded once; NULL (with *why set) when libtsk
 * cannot be loaded. */
const tsk_api *tsk_loader_get(const char **why);

/* false in sanitizer builds, where E01/Ex01 cannot be read safely (above). */
bool tsk_loader_can_read_ewf(void);

#endif
