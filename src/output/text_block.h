/* Reading a NUL-terminated text 16 bytes at a time, as the writers do to
 * find its end while copying, escaping or comparing it (json_emit.c,
 * csv_writer.c, ace_memo.c). A text is readable up to its NUL, and so is
 * the rest of the 4 KiB page that NUL lies in: a 16-byte load that stays
 * inside the page of its first byte cannot fault, even past the NUL (what
 * strlen itself does). Such a load reads bytes past the text that
 * AddressSanitizer would report, so it goes through out_text_block_load
 * alone: under AddressSanitizer that load is an asm instruction, which the
 * sanitizer does not check, and everything else in the writers (every store
 * into their buffers above all) stays checked. */
#ifndef BP_OUTPUT_TEXT_BLOCK_H
#define BP_OUTPUT_TEXT_BLOCK_H

#include <stdbool.h>
#include <stdint.h>

/* Whether the 16 bytes at text lie in one 4 KiB page (pages are never
 * smaller, so this holds for larger pages too). */
static inline bool out_text_block_in_page(const char *text) { return ((uintptr_t)text & 4095) <= 4096 - 16; }

#ifdef __SSE2__
#include <emmintrin.h>

#if defined(__SANITIZE_ADDRESS__)  /* gcc */
#define OUT_TEXT_BLOCK_UNCHECKED 1
#elif defined(__has_feature)  /* clang */
#if __has_feature(address_sanitizer)
#define OUT_TEXT_BLOCK_UNCHECKED 1
#endif
#endif

/* The 16 bytes at text; the caller has checked out_text_block_in_page. */
static inline __m128i out_text_block_load(const char *text)
{
#ifdef OUT_TEXT_BLOCK_UNCHECKED
    __m128i bytes;
    __asm__("movdqu %1, %0" : "=x"(bytes) : "m"(*(const char(*)[16])(const void *)text));
    return bytes;
#else
    return _mm_loadu_si128((const __m128i *)(const void *)text);
#endif
}
#endif

#endif
