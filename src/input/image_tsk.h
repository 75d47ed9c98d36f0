/* Disk images (raw, split raw, E01, VMDK, VHD/VHDX) read through The Sleuth
 * Kit without mounting or extracting (issue 19 part 2, docs/design.md). */
#ifndef BP_INPUT_IMAGE_TSK_H
#define BP_INPUT_IMAGE_TSK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carve/carve.h"
#include "result/result.h"
#include "input/tsk_loader.h"

/* Do the first bytes of path (head, already known to be no BITS input) look
 * like a disk image: an E01/Ex01, VMDK, VHD or VHDX signature, a partition
 * table (MBR, GPT), an NTFS boot sector; or a first split raw segment (.001)? */
bool image_looks_like(const char *path, const uint8_t *head, size_t size);

/* An EnCase image (E01 or Ex01 signature)? */
bool image_is_ewf(const uint8_t *head, size_t size);

/* Read every BITS source of every NTFS volume in the image: the queue files
 * (qmgr*.db, qmgr*.dat) anywhere, allocated or deleted while their MFT entry
 * still holds them, the Bits-Client operational log, and with --carve the
 * transaction logs next to a queue. Discovery reads only file system
 * metadata. Sets *opened to false when TSK finds no NTFS volume (the caller
 * then reads the input as before). head: the input's first bytes (its
 * container type). Returns a bp_status. */
int image_parse(const char *path, const uint8_t *head, size_t head_size, bp_result *result, carve_session *carve,
                bool *opened);

#endif
