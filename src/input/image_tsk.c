/* Disk images through The Sleuth Kit (image_tsk.h). TSK opens the image
 * container (libewf, libvmdk, libvhdi in Debian's build), the partition table
 * and each NTFS volume; a walk of the directory tree (names and MFT entries
 * only, as `fls -r`) lists the wanted files, which are then read one by one
 * into memory (at most UTIL_INPUT_MAX_SIZE each), hashed as they are read, and
 * parsed like files given on the command line. With --carve, each NTFS
 * volume's unallocated clusters and every byte outside the NTFS volumes are
 * streamed through the scanner (carve_feed), in 4 MiB reads: the BITS files
 * themselves are carved as they are parsed, allocated files of other programs
 * are not searched. */
#include "input/image_tsk.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input/collector_names.h"
#include "util/file_read.h"
#include "input/parse_internal.h"
#include "input/tsk_loader.h"
#include "util/growable.h"
#include "util/sha256_pipe.h"

/* A sanity bound on the files one volume contributes (a warning beyond). */
#define IMAGE_MAX_FILES 4096
#define IMAGE_READ_CHUNK ((size_t)1 << 20)
#define IMAGE_CARVE_CHUNK ((size_t)4 << 20)   /* bytes read from the image at a time by --carve */
#define IMAGE_MAX_VOLUMES 128                 /* NTFS volumes left out of the raw scan; more are scanned raw */

static bool has_prefix_at(const uint8_t *head, size_t size, size_t at, const char *text, size_t length)
{
    return size >= at + length && memcmp(head + at, text, length) == 0;
}

bool image_is_ewf(const uint8_t *head, size_t size)
{
    return has_prefix_at(head, size, 0, "EVF\x09\x0d\x0a\xff\x00", 8) || has_prefix_at(head, size, 0, "EVF2\x0d\x0a\x81", 7);
}

bool image_looks_like(const char *path, const uint8_t *head, size_t size)
{
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".001") == 0)
        return true;  /* split raw: only the name tells */
    if (image_is_ewf(head, size) || has_prefix_at(head, size, 0, "KDMV", 4) || has_prefix_at(head, size, 0, "# Disk DescriptorFile", 21) ||
        has_prefix_at(head, size, 0, "vhdxfile", 8) || has_prefix_at(head, size, 0, "conectix", 8))
        return true;
    if (has_prefix_at(head, size, 3, "NTFS    ", 8) || has_prefix_at(head, size, 512, "EFI PART", 8))
        return true;
    if (size >= 512 && head[510] == 0x55 && head[511] == 0xAA)
        for (size_t entry = 0; entry < 4; entry++)  /* an MBR with a partition type set */
            if (head[446 + 16 * entry + 4] != 0)
                return true;
    return false;
}

typedef struct wanted_file {
    TSK_INUM_T entry;
    char *volume_path;   /* malloc'ed: "/" + TSK's parent path + name */
    bool deleted;
} wanted_file;

typedef struct volume_walk {
    wanted_file *files;
    size_t count, capacity;
    bool capped;
    bool with_logs;      /* --carve: transaction logs next to a queue */
} volume_walk;

static bool already_listed(const volume_walk *walk, TSK_INUM_T entry)
{
    for (size_t i = 0; i < walk->count; i++)
        if (walk->files[i].entry == entry)
            return true;
    return false;
}

/* Is the folder (TSK's path: "ProgramData/Microsoft/Network/Downloader/") a Downloader folder? */
static bool is_downloader_folder(const char *parent)
{
    size_t n = strlen(parent);
    static const char tail[] = "Microsoft/Network/Downloader/";
    return n >= sizeof tail - 1 && strcasecmp(parent + n - (sizeof tail - 1), tail) == 0;
}

static TSK_WALK_RET_ENUM on_name(TSK_FS_FILE *file, const char *parent, void *context)
{
    volume_walk *walk = context;
    if (!file->name || !file->name->name || !file->meta || file->meta->type != TSK_FS_META_TYPE_REG)
        return TSK_WALK_CONT;
    const char *name = file->name->name;
    bool wanted = input_is_queue_name(name) || input_is_bits_client_log_name(name) ||
                  (walk->with_logs && carve_is_log_name(name) && is_downloader_folder(parent));
    bool deleted = (file->name->flags & TSK_FS_NAME_FLAG_UNALLOC) != 0;
    /* a deleted name whose MFT entry was reused names another file now: not read */
    if (!wanted || (deleted && !(file->meta->flags & TSK_FS_META_FLAG_UNALLOC)) ||
        already_listed(walk, file->name->meta_addr))
        return TSK_WALK_CONT;
    if (walk->count >= IMAGE_MAX_FILES) {
        walk->capped = true;
        return TSK_WALK_STOP;
    }
    size_t length = strlen(parent) + strlen(name) + 2;
    char *volume_path = malloc(length);
    if (!volume_path || !util_grow((void **)&walk->files, &walk->capacity, walk->count, sizeof(wanted_file))) {
        free(volume_path);
        return TSK_WALK_STOP;
    }
    snprintf(volume_path, length, "/%s%s", parent, name);
    walk->files[walk->count++] = (wanted_file){file->name->meta_addr, volume_path, deleted};
    return TSK_WALK_CONT;
}

/* Read one file of the volume whole, hashing it as it is read (not when
 * sha256 is NULL: --no-hash): on a second thread while TSK reads the next
 * chunk (each chunk stays in place, so the hasher needs no wait but the last). */
static uint8_t *read_volume_file(const tsk_api *tsk, TSK_FS_INFO *fs, TSK_INUM_T entry, size_t *size, char sha256[UTIL_SHA256_HEX_SIZE],
                                 const char **error)
{
    *size = 0;
    TSK_FS_FILE *file = tsk->fs_file_open_meta(fs, NULL, entry);
    if (!file || !file->meta) {
        *error = "TSK cannot open its MFT entry";
        tsk->fs_file_close(file);
        tsk->error_reset();
        return NULL;
    }
    TSK_OFF_T length = file->meta->size;
    if (length < 0 || (uint64_t)length > UTIL_INPUT_MAX_SIZE) {
        *error = "file larger than 2 GiB";
        tsk->fs_file_close(file);
        return NULL;
    }
    uint8_t *data = malloc(length ? (size_t)length : 1);
    if (!data) {
        *error = "out of memory";
        tsk->fs_file_close(file);
        return NULL;
    }
    util_sha256_pipe hash;
    if (sha256)
        util_sha256_pipe_start(&hash);
    size_t done = 0;
    while (done < (size_t)length) {
        size_t want = (size_t)length - done < IMAGE_READ_CHUNK ? (size_t)length - done : IMAGE_READ_CHUNK;
        ssize_t got = tsk->fs_file_read(file, (TSK_OFF_T)done, (char *)data + done, want, TSK_FS_FILE_READ_FLAG_NONE);
        if (got <= 0)
            break;  /* unreadable clusters (a deleted file's, reused): keep what was read */
        if (sha256)
            util_sha256_pipe_feed(&hash, data + done, (size_t)got);
        done += (size_t)got;
    }
    tsk->error_reset();
    tsk->fs_file_close(file);
    if (sha256)
        util_sha256_pipe_finish(&hash, sha256);
    *size = done;
    return data;
}

typedef struct volume_span {
    uint64_t start, end;       /* bytes of the image an NTFS volume covers */
} volume_span;

typedef struct image_run {
    const tsk_api *tsk;
    const char *image;
    bp_result *result;
    carve_session *carve;
    size_t volumes;
    size_t read;
    int worst, best;
    uint8_t *chunk;            /* --carve: IMAGE_CARVE_CHUNK bytes read from the image */
    volume_span spans[IMAGE_MAX_VOLUMES];
    size_t span_count;
    size_t unreadable;         /* --carve: areas the image could not give */
} image_run;

/* Image bytes [offset, offset + size) to the scanner, IMAGE_CARVE_CHUNK at a
 * time; an area the image cannot give is skipped (counted, warned once). */
static void feed_image_bytes(image_run *run, TSK_IMG_INFO *img, carve_feed *feed, uint64_t offset, uint64_t size)
{
    while (size) {
        size_t want = size < IMAGE_CARVE_CHUNK ? (size_t)size : IMAGE_CARVE_CHUNK;
        ssize_t got = run->tsk->img_read(img, (TSK_OFF_T)offset, (char *)run->chunk, want);
        if (got <= 0) {
            run->tsk->error_reset();
            run->unreadable++;
            return;
        }
        carve_feed_bytes(feed, offset, run->chunk, (size_t)got);
        offset += (uint64_t)got;
        size -= (uint64_t)got;
    }
}

/* Unallocated clusters of one volume, coalesced into runs of contiguous
 * clusters (at most IMAGE_CARVE_CHUNK bytes each, contiguous runs stay one
 * run for the scanner). */
typedef struct unalloc_walk {
    image_run *run;
    TSK_IMG_INFO *img;
    carve_feed *feed;
    uint64_t volume_offset;
    uint64_t cluster_size;
    TSK_DADDR_T first, count;  /* the run being gathered */
} unalloc_walk;

static void feed_clusters(unalloc_walk *walk)
{
    if (walk->count)
        feed_image_bytes(walk->run, walk->img, walk->feed, walk->volume_offset + walk->first * walk->cluster_size,
                         walk->count * walk->cluster_size);
    walk->count = 0;
}

static TSK_WALK_RET_ENUM on_unallocated_cluster(const TSK_FS_BLOCK *block, void *context)
{
    unalloc_walk *walk = context;
    if (walk->count && block->addr == walk->first + walk->count &&
        (walk->count + 1) * walk->cluster_size <= IMAGE_CARVE_CHUNK) {
        walk->count++;
        return TSK_WALK_CONT;
    }
    feed_clusters(walk);
    walk->first = block->addr;
    walk->count = 1;
    return TSK_WALK_CONT;
}

/* --carve: the volume's unallocated clusters through the scanner; what is
 * found there has source.found "unallocated" and its cluster. */
static void carve_unallocated(image_run *run, TSK_IMG_INFO *img, TSK_FS_INFO *fs, uint32_t partition, uint64_t offset)
{
    const char *label = util_arena_printf(&run->result->arena, "%s:p%u:unallocated", run->image, partition);
    const char *root = util_arena_printf(&run->result->arena, "%s:p%u", run->image, partition);
    if (!label || !root || !fs->block_size)
        return;
    result_input_origin origin = {.path = label, .root = root, .sha256 = "", .image = run->image, .partition = partition,
                              .partition_offset = offset, .volume_path = "", .found = "unallocated",
                              .cluster_size = fs->block_size};
    result_note_origin(run->result, &origin);
    carve_feed *feed = carve_feed_new(run->carve, label);
    if (!feed)
        return;
    unalloc_walk walk = {run, img, feed, offset, fs->block_size, 0, 0};
    if (run->tsk->fs_block_walk(fs, fs->first_block, fs->last_block_act,
                                TSK_FS_BLOCK_WALK_FLAG_UNALLOC | TSK_FS_BLOCK_WALK_FLAG_AONLY, on_unallocated_cluster,
                                &walk) != 0) {
        util_notes_addf(&run->result->arena, &run->result->warnings,
                      "%s: partition %u: the walk of unallocated clusters stopped early: %s", run->image, partition,
                      run->tsk->error_get() ? run->tsk->error_get() : "unknown error");
        run->tsk->error_reset();
    }
    feed_clusters(&walk);
    carve_feed_free(feed);
}

/* --carve: every byte of the image outside its NTFS volumes (partition gaps,
 * other file systems) through the scanner, as --scan reads a file. */
static void carve_outside_volumes(image_run *run, TSK_IMG_INFO *img)
{
    /* volumes in image order (few: insertion sort) */
    for (size_t i = 1; i < run->span_count; i++)
        for (size_t j = i; j > 0 && run->spans[j].start < run->spans[j - 1].start; j--) {
            volume_span t = run->spans[j];
            run->spans[j] = run->spans[j - 1];
            run->spans[j - 1] = t;
        }
    result_input_origin origin = {.path = run->image, .root = "", .sha256 = "", .image = run->image, .volume_path = "",
                              .found = "outside NTFS volumes"};
    result_note_origin(run->result, &origin);
    carve_feed *feed = carve_feed_new(run->carve, run->image);
    if (!feed)
        return;
    uint64_t size = img->size > 0 ? (uint64_t)img->size : 0;
    uint64_t at = 0;
    for (size_t i = 0; i <= run->span_count && at < size; i++) {
        uint64_t gap_end = i < run->span_count ? run->spans[i].start : size;
        if (gap_end > size)
            gap_end = size;
        if (gap_end > at)
            feed_image_bytes(run, img, feed, at, gap_end - at);
        if (i < run->span_count && run->spans[i].end > at)
            at = run->spans[i].end;
    }
    carve_feed_free(feed);
}

/* --carve: the slack of one BITS file read from a volume (the bytes between
 * its end and the end of its last cluster), in a feed of its own so nothing is
 * decoded across files. Resident data and sizes that are cluster multiples
 * have none. */
typedef struct last_cluster {
    TSK_DADDR_T addr;
    bool found;
} last_cluster;

static TSK_WALK_RET_ENUM on_file_cluster(TSK_FS_FILE *file, TSK_OFF_T at, TSK_DADDR_T addr, char *buf, size_t len,
                                         TSK_FS_BLOCK_FLAG_ENUM flags, void *context)
{
    (void)file, (void)at, (void)buf, (void)len;
    last_cluster *last = context;
    if (flags & TSK_FS_BLOCK_FLAG_RES) {
        last->found = false;  /* resident in the MFT: no clusters, no slack */
        return TSK_WALK_STOP;
    }
    if (!(flags & TSK_FS_BLOCK_FLAG_SPARSE)) {
        last->addr = addr;
        last->found = true;
    }
    return TSK_WALK_CONT;
}

static void carve_file_slack(image_run *run, TSK_IMG_INFO *img, TSK_FS_INFO *fs, uint32_t partition, uint64_t offset,
                             const wanted_file *want, const char *label, const char *root)
{
    uint64_t cluster_size = fs->block_size;
    TSK_FS_FILE *file = run->tsk->fs_file_open_meta(fs, NULL, want->entry);
    if (!file || !file->meta || file->meta->size <= 0 || !cluster_size ||
        (uint64_t)file->meta->size % cluster_size == 0) {
        run->tsk->fs_file_close(file);
        run->tsk->error_reset();
        return;
    }
    uint64_t used = (uint64_t)file->meta->size % cluster_size;
    last_cluster last = {0, false};
    if (run->tsk->fs_file_walk(file, TSK_FS_FILE_WALK_FLAG_AONLY | TSK_FS_FILE_WALK_FLAG_SLACK, on_file_cluster,
                               &last) != 0)
        last.found = false;  /* a broken run list: no slack rather than the wrong cluster's */
    run->tsk->error_reset();
    run->tsk->fs_file_close(file);
    const char *path = util_arena_printf(&run->result->arena, "%s (slack)", label);
    if (!last.found || !path || (uint64_t)last.addr >= (uint64_t)fs->block_count)
        return;
    result_input_origin origin = {.path = path, .root = root, .sha256 = "", .image = run->image, .partition = partition,
                              .partition_offset = offset, .volume_path = want->volume_path, .mft_entry = want->entry,
                              .deleted = want->deleted, .found = "slack", .cluster_size = fs->block_size};
    result_note_origin(run->result, &origin);
    carve_feed *feed = carve_feed_new(run->carve, path);
    if (!feed)
        return;
    feed_image_bytes(run, img, feed, offset + (uint64_t)last.addr * cluster_size + used, cluster_size - used);
    carve_feed_free(feed);
}

static void read_volume(image_run *run, TSK_IMG_INFO *img, uint32_t partition, uint64_t offset)
{
    const tsk_api *tsk = run->tsk;
    TSK_FS_INFO *fs = tsk->fs_open_img(img, (TSK_OFF_T)offset, TSK_FS_TYPE_NTFS_DETECT);
    if (!fs) {
        tsk->error_reset();
        return;  /* not NTFS (or unreadable): BITS lives on NTFS volumes only */
    }
    run->volumes++;
    if (run->carve) {
        if (run->span_count < IMAGE_MAX_VOLUMES)
            run->spans[run->span_count++] = (volume_span){offset, offset + (uint64_t)fs->block_count * fs->block_size};
        carve_unallocated(run, img, fs, partition, offset);
    }
    volume_walk walk = {.with_logs = run->carve != NULL};
    if (tsk->fs_dir_walk(fs, fs->root_inum,
                        TSK_FS_DIR_WALK_FLAG_ALLOC | TSK_FS_DIR_WALK_FLAG_UNALLOC | TSK_FS_DIR_WALK_FLAG_RECURSE |
                            TSK_FS_DIR_WALK_FLAG_NOORPHAN,
                        on_name, &walk) != 0) {
        util_notes_addf(&run->result->arena, &run->result->warnings,
                      "%s: partition %u at byte %llu: the folder walk stopped early: %s", run->image, partition,
                      (unsigned long long)offset, tsk->error_get() ? tsk->error_get() : "unknown error");
        tsk->error_reset();
        run->worst = run->worst > BP_STATUS_WARNINGS ? run->worst : BP_STATUS_WARNINGS;
    }
    if (walk.capped)
        util_notes_addf(&run->result->arena, &run->result->warnings,
                      "%s: partition %u: more than %d BITS files; only the first %d were read", run->image, partition,
                      IMAGE_MAX_FILES, IMAGE_MAX_FILES);
    for (size_t i = 0; i < walk.count; i++) {
        const wanted_file *want = &walk.files[i];
        char *label = util_arena_printf(&run->result->arena, "%s:p%u:%s%s", run->image, partition, want->volume_path,
                                      want->deleted ? " (deleted)" : "");
        char *root = util_arena_printf(&run->result->arena, "%s:p%u", run->image, partition);
        size_t size;
        char sha256[UTIL_SHA256_HEX_SIZE] = "";
        const char *error = NULL;
        uint8_t *data = label && root ? read_volume_file(run->tsk, fs, want->entry, &size,
                                                         run->result->no_hash ? NULL : sha256, &error) : NULL;
        int status;
        if (!data) {
            util_notes_addf(&run->result->arena, &run->result->warnings, "%s: cannot read: %s", label ? label : "",
                          error ? error : "out of memory");
            status = BP_STATUS_UNREADABLE;
        } else {
            result_input_origin origin = {.path = label, .root = root, .sha256 = sha256, .image = run->image,
                                      .partition = partition, .partition_offset = offset,
                                      .volume_path = want->volume_path, .mft_entry = want->entry,
                                      .deleted = want->deleted};
            status = input_parse_bytes(data, size, &origin, run->result, run->carve);
            free(data);
            if (run->carve)
                carve_file_slack(run, img, fs, partition, offset, want, label, root);
        }
        run->read++;
        run->worst = status > run->worst ? status : run->worst;
        run->best = status < run->best ? status : run->best;
        free(walk.files[i].volume_path);
    }
    free(walk.files);
    tsk->fs_close(fs);
}

/* The container by its signature: TSK is told the type, so it does not try
 * every library on the input (its detection leaves a handle of each library
 * that declined it unfreed). A fixed VHD is a raw disk with a footer. */
static TSK_IMG_TYPE_ENUM container_type(const uint8_t *head, size_t size)
{
    if (image_is_ewf(head, size))
        return TSK_IMG_TYPE_EWF_EWF;
    if (has_prefix_at(head, size, 0, "KDMV", 4) || has_prefix_at(head, size, 0, "# Disk DescriptorFile", 21))
        return TSK_IMG_TYPE_VMDK_VMDK;
    if (has_prefix_at(head, size, 0, "vhdxfile", 8) || has_prefix_at(head, size, 0, "conectix", 8))
        return TSK_IMG_TYPE_VHD_VHD;
    return TSK_IMG_TYPE_RAW;
}

int image_parse(const char *path, const uint8_t *head, size_t head_size, bp_result *result, carve_session *carve,
                bool *opened)
{
    TSK_IMG_TYPE_ENUM type = container_type(head, head_size);
    bool is_ewf = type == TSK_IMG_TYPE_EWF_EWF;
    *opened = false;
    const char *why = NULL;
    const tsk_api *tsk = tsk_loader_get(&why);
    if (!tsk) {
        util_notes_addf(&result->arena, &result->warnings, "%s: looks like a disk image, but %s", path, why);
        return BP_STATUS_UNREADABLE;
    }
    if (is_ewf && !tsk_loader_can_read_ewf()) {
        util_notes_addf(&result->arena, &result->warnings, "%s: E01/Ex01 images are not read by sanitizer builds "
                      "(libewf and libevtx cannot share a process without RTLD_DEEPBIND)", path);
        return BP_STATUS_UNREADABLE;
    }
    TSK_IMG_INFO *img = tsk->img_open(path, type, 0);
    if (!img) {
        tsk->error_reset();
        return BP_STATUS_UNREADABLE;
    }
    uint8_t *chunk = carve ? malloc(IMAGE_CARVE_CHUNK) : NULL;
    if (carve && !chunk) {
        tsk->img_close(img);
        return BP_STATUS_UNREADABLE;
    }
    image_run run = {tsk, util_arena_strdup(&result->arena, path), result, carve, 0, 0, BP_STATUS_CLEAN,
                     BP_STATUS_UNREADABLE, chunk, {{0, 0}}, 0, 0};
    /* GPT first, then MBR: TSK's own detection tries MBR on a GPT disk's protective MBR and
       leaves what it allocated unfreed; Windows disks use no other partition table */
    TSK_VS_INFO *vs = tsk->vs_open(img, 0, TSK_VS_TYPE_GPT);
    if (!vs) {
        tsk->error_reset();
        vs = tsk->vs_open(img, 0, TSK_VS_TYPE_DOS);
    }
    if (vs) {
        for (TSK_PNUM_T i = 0; i < vs->part_count; i++) {
            const TSK_VS_PART_INFO *part = tsk->vs_part_get(vs, i);
            if (part && (part->flags & TSK_VS_PART_FLAG_ALLOC))
                read_volume(&run, img, (uint32_t)part->addr, (uint64_t)part->start * vs->block_size);
        }
        tsk->vs_close(vs);
    } else {
        tsk->error_reset();
        read_volume(&run, img, 0, 0);  /* a bare volume */
    }
    if (carve && run.volumes)
        carve_outside_volumes(&run, img);
    if (run.unreadable)
        util_notes_addf(&result->arena, &result->warnings, "%s: --carve: %zu area(s) of the image could not be read",
                      path, run.unreadable);
    free(chunk);
    tsk->img_close(img);
    if (!run.volumes)
        return BP_STATUS_UNREADABLE;
    *opened = true;
    if (!run.read) {
        util_notes_addf(&result->arena, &result->warnings,
                      "%s: no BITS source on its %zu NTFS volume(s) (looked for qmgr*.db, qmgr*.dat and "
                      "Microsoft-Windows-Bits-Client%%4Operational.evtx at any path)", path, run.volumes);
        return BP_STATUS_UNREADABLE;
    }
    if (run.worst == BP_STATUS_UNREADABLE && run.best < BP_STATUS_UNREADABLE)
        run.worst = BP_STATUS_WARNINGS;
    return run.worst;
}
