/* The database header page and its shadow copy (ese-format §2). */
#ifndef BP_ESE_DB_HEADER_H
#define BP_ESE_DB_HEADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "util/arena.h"

#define ESE_SIGNATURE 0x89ABCDEFu

typedef struct ese_db_header {
    uint32_t checksum;
    uint32_t format_version;
    uint32_t format_revision;
    uint32_t page_size;
    uint32_t state;            /* 2 dirty shutdown, 3 clean shutdown ... */
    uint64_t dbtime;
    uint32_t os_major, os_minor, os_build;
    uint32_t last_object_id;
    uint32_t copy_used;        /* 0 primary, 1 shadow */
    bool primary_valid, shadow_valid;
    bool degraded;             /* neither copy passed its checksum */
} ese_db_header;

/* Checksum of a header page: 0x89ABCDEF XOR every u32 after the first, over
 * the whole page. */
uint32_t ese_header_checksum(const uint8_t *page, size_t page_size);

/* Find the page size and elect a header copy. Returns false when neither copy
 * carries the signature. Warnings name the copy that failed and why. */
bool ese_db_header_read(ese_db_header *header, const uint8_t *data, size_t size, util_arena *arena,
                        bp_note_list *warnings);

const char *ese_db_state_name(uint32_t state);

#endif
