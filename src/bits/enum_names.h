/* Names of BITS flag sets and levels (bits-format §4.2). The single-value enum
 * names (bp_job_type_name ...) are declared in bitsparse/bitsparse.h. Flag sets
 * are written into a caller buffer of BITS_FLAGS_TEXT_SIZE bytes as names joined
 * with "|"; bits without a name are appended as one hex number ("0x40"). */
#ifndef BP_BITS_ENUM_NAMES_H
#define BP_BITS_ENUM_NAMES_H

#include <stddef.h>
#include <stdint.h>

/* Large enough for every name of every table below plus a hex remainder. */
#define BITS_FLAGS_TEXT_SIZE 512

typedef struct bits_flag_name {
    uint32_t bit;
    const char *name;
} bits_flag_name;

/* Names of the set bits of `value` in table order joined with "|", unnamed bits
 * as one "0x…" at the end; "" for 0. Never writes more than `size` bytes (a
 * too-small buffer truncates). Returns out. */
const char *bits_flags_text(uint32_t value, const bits_flag_name *names, size_t count, char *out,
                            size_t size);

/* BG_NOTIFY_* names, e.g. 3 -> "BG_NOTIFY_JOB_TRANSFERRED|BG_NOTIFY_JOB_ERROR". */
const char *bits_notify_flags_text(uint32_t flags, char out[BITS_FLAGS_TEXT_SIZE]);

/* BG_COPY_FILE_* names (file ACL flags), e.g. 5 -> "BG_COPY_FILE_OWNER|BG_COPY_FILE_DACL". */
const char *bits_copy_file_flags_text(uint32_t flags, char out[BITS_FLAGS_TEXT_SIZE]);

/* BITS_COST_STATE_* / BITS_COST_OPTION_* names of the transfer cost flags. */
const char *bits_cost_flags_text(uint32_t flags, char out[BITS_FLAGS_TEXT_SIZE]);

/* The Microsoft name of a predefined cost set ("BITS_COST_STATE_TRANSFER_STANDARD"
 * for 0x80000067 ...), "" when the value is not one of them. */
const char *bits_cost_set_name(uint32_t flags);

/* Integrity level of a mandatory-label RID: 0x2000 -> "Medium", 0x2100 ->
 * "MediumPlus" ...; "UNKNOWN" for other values. */
const char *bits_integrity_level_name(uint32_t rid);

#endif
