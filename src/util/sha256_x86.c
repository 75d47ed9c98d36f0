/* SHA-256 blocks on the x86 SHA extensions, written from the instructions'
 * definitions in the Intel SDM:
 *   SHA256RNDS2 dst, src, xmm0: two rounds. dst holds C,D,G,H and src holds
 *     A,B,E,F (from the top lane down); the low two lanes of xmm0 hold W+K for
 *     the two rounds; the result is the new A,B,E,F.
 *   SHA256MSG1 a, b: lane i = W[i] + sigma0(W[i+1]) for W[0..3] in a and W[4]
 *     in b's lowest lane.
 *   SHA256MSG2 a, b: adds sigma1 of W[14], W[15] (b's top two lanes) to a's
 *     low lanes, then of the two words just made to its high lanes.
 * Only the functions below are compiled for those instructions; sha256.c
 * calls them after CPUID said the CPU has them, so the rest of the build
 * stays generic. */
#include "util/sha256_x86.h"

#ifdef UTIL_SHA256_X86

#include <cpuid.h>
#include <immintrin.h>

#define CPUID_LEAF1_ECX_SSSE3 (1u << 9)
#define CPUID_LEAF1_ECX_SSE41 (1u << 19)
#define CPUID_LEAF7_EBX_SHA (1u << 29)

bool util_sha256_x86_supported(void)
{
    unsigned eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
        return false;
    if (!(ecx & CPUID_LEAF1_ECX_SSSE3) || !(ecx & CPUID_LEAF1_ECX_SSE41))
        return false;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx))
        return false;
    return (ebx & CPUID_LEAF7_EBX_SHA) != 0;
}

#define SHA_TARGET __attribute__((target("sha,sse4.1,ssse3")))

/* How far ahead of the block being hashed its input is requested from
 * memory. The rounds are one chain of SHA256RNDS2 (~32 ns a block here) and
 * the message schedule has no slack against it, so a cache miss on a block's
 * first load stalls both; the hardware prefetcher did not hide that on a
 * 37 MB input (47 ns a block, 32 ns when the input is in L1). 512..4096
 * bytes measured the same; 16 blocks stay mostly within the mapped pages. */
#define PREFETCH_BLOCKS 16

/* Four big-endian message words of a block as lanes 0..3. */
SHA_TARGET static __m128i load_words(const uint8_t *bytes)
{
    const __m128i byte_swap = _mm_set_epi8(12, 13, 14, 15, 8, 9, 10, 11, 4, 5, 6, 7, 0, 1, 2, 3);
    return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)bytes), byte_swap);
}

SHA_TARGET void util_sha256_x86_compress(uint32_t state[8], const uint8_t *data, size_t blocks)
{
    /* a..d and e..h as lanes 0..3, rearranged into the instruction's
     * A,B,E,F and C,D,G,H (lane 3 down to lane 0). */
    __m128i abcd = _mm_loadu_si128((const __m128i *)(const void *)state);
    __m128i efgh = _mm_loadu_si128((const __m128i *)(const void *)(state + 4));
    __m128i b_a_d_c = _mm_shuffle_epi32(abcd, 0xB1);  /* lanes 0..3 */
    __m128i h_g_f_e = _mm_shuffle_epi32(efgh, 0x1B);
    __m128i abef = _mm_alignr_epi8(b_a_d_c, h_g_f_e, 8);
    __m128i cdgh = _mm_blend_epi16(h_g_f_e, b_a_d_c, 0xF0);

    for (size_t block = 0; block < blocks; block++, data += 64) {
        __m128i saved_abef = abef, saved_cdgh = cdgh;
        /* near the end the last block is requested again: no address past the input */
        size_t ahead = blocks - 1 - block < PREFETCH_BLOCKS ? blocks - 1 - block : PREFETCH_BLOCKS;
        _mm_prefetch((const char *)(const void *)(data + 64 * ahead), _MM_HINT_T0);
        __m128i words[4];  /* the last 16 schedule words, four per entry */
        for (int group = 0; group < 16; group++) {
            __m128i w;
            if (group < 4) {
                w = load_words(data + 16 * group);
            } else {
                /* W[t] = W[t-16] + sigma0(W[t-15]) + W[t-7] + sigma1(W[t-2]) */
                __m128i older = _mm_sha256msg1_epu32(words[group % 4], words[(group + 1) % 4]);
                __m128i minus7 = _mm_alignr_epi8(words[(group + 3) % 4], words[(group + 2) % 4], 4);
                w = _mm_sha256msg2_epu32(_mm_add_epi32(older, minus7), words[(group + 3) % 4]);
            }
            words[group % 4] = w;
            __m128i wk = _mm_add_epi32(w, _mm_loadu_si128((const __m128i *)(const void *)(util_sha256_round_constants + 4 * group)));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(wk, 0x0E));
        }
        abef = _mm_add_epi32(abef, saved_abef);
        cdgh = _mm_add_epi32(cdgh, saved_cdgh);
    }

    /* Back to a..h; the names give lanes 0..3. */
    __m128i a_b_e_f = _mm_shuffle_epi32(abef, 0x1B);
    __m128i g_h_c_d = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128((__m128i *)(void *)state, _mm_blend_epi16(a_b_e_f, g_h_c_d, 0xF0));
    _mm_storeu_si128((__m128i *)(void *)(state + 4), _mm_alignr_epi8(g_h_c_d, a_b_e_f, 8));
}

#endif
