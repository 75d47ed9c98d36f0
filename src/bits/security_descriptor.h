/* Decoder of a self-relative Windows SECURITY_DESCRIPTOR (bits-format §4.6):
 * owner and group SIDs, control, and the DACL and SACL ACEs as bp_ace. */
#ifndef BP_BITS_SECURITY_DESCRIPTOR_H
#define BP_BITS_SECURITY_DESCRIPTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "bits/enum_names.h"
#include "util/arena.h"
#include "util/reader.h"

#define BITS_SE_SELF_RELATIVE 0x8000u

typedef struct bits_security_descriptor {
    uint32_t size;               /* bytes handed to the decoder */
    uint8_t revision;
    uint16_t control;            /* SECURITY_DESCRIPTOR_CONTROL */
    const char *owner_sid;       /* "" when absent or unreadable */
    const char *group_sid;
    bp_ace *aces;                /* the ACEs of both ACLs, in the order stored (by offset) */
    size_t ace_count;
    const char **sids;           /* distinct SIDs (owner, group, trustees) in stored order; NULL */
    size_t sid_count;
    bool has_integrity_label;    /* a SACL mandatory label S-1-16-RID was found */
    uint32_t integrity_rid;
} bits_security_descriptor;

/* Decode the descriptor held by `sd` (a reader over exactly its bytes). Every
 * problem becomes a warning "<where>: ... at offset 0x..", offsets counted from
 * base_offset (where the descriptor starts in the enclosing blob). Whatever
 * decodes is kept. Returns false when the header itself is unusable (too short
 * or not self-relative); *out is then still valid (empty strings, no ACEs). */
bool bits_decode_security_descriptor(util_arena *arena, util_reader sd, size_t base_offset,
                                     const char *where, bp_note_list *warnings,
                                     bits_security_descriptor *out);

/* Binary SID at r's position -> "S-1-..." (the reader advances past it). NULL
 * when truncated (r->failed set) or invalid (revision not 1, more than 15
 * sub-authorities; r->failed clear) or out of memory. */
char *bits_read_sid(util_arena *arena, util_reader *r);

/* "AccessAllowed", "AccessDenied", "SystemAudit", "MandatoryLabel" ...; "UNKNOWN". */
const char *bits_ace_type_name(uint8_t ace_type);

/* ACE flag names joined with "|": ObjectInherit, ContainerInherit,
 * NoPropagateInherit, InheritOnly, Inherited, Critical, SuccessfulAccess,
 * FailedAccess; "" for none. Returns out. */
const char *bits_ace_flags_text(uint8_t flags, char out[BITS_FLAGS_TEXT_SIZE]);

/* Access right names joined with "|". For mandatory label ACEs the policy bits
 * (NoWriteUp, NoReadUp, NoExecuteUp); otherwise the object-specific bits as
 * Specific0x1 ... Specific0x8000, then Delete, ReadControl, WriteDac,
 * WriteOwner, Synchronize, AccessSystemSecurity, MaximumAllowed, GenericAll,
 * GenericExecute, GenericWrite, GenericRead. Returns out. */
const char *bits_access_mask_text(uint32_t mask, uint8_t ace_type, char out[BITS_FLAGS_TEXT_SIZE]);

#endif
