/* Reading a NUL-terminated text 16 bytes at a time, as the writers do to
 * find its end while copying, escaping or comparing it (json_emit.c,
 * csv_writer.c, ace_memo.c). A text is readable up to its NUL, and so is
 * the rest of the 4 KiB page that NUL lies in: a 16-byte load that stays
 * inside the page of its first byte cannot fault, even past the NUL (what
 * strlen itself does). Such loads read bytes past the text that
 * AddressSanitizer would report, so the functions making them carry
 * OUT_TEXT_BLOCK_READER, which leaves their loads unchecked; the loads must
 * be written in such a function itself (a helper that is not inlined, as at
 * -O0, would be checked). */
#ifndef BP_OUTPUT_TEXT_BLOCK_H
#define BP_OUTPUT_TEXT_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define OUT_TEXT_BLOCK_READER __attribute__((no_sanitize_address))

/* Whether the 16 bytes at text lie in one 4 KiB page (pages are never
 * smaller, so this holds for larger pages too). */
static inline bool out_text_block_in_page(const char *text) { return ((uintptr_t)text & 4095) <= 4096 - 16; }

#endif
