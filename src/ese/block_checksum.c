/* ESE block checksum (ese-format §4.2). The reference loop looks at each
 * 32-bit word i: XOR it into colpar and, when it has odd parity, XOR i into
 * rp (and ~i into rq). That costs a parity and a branch per word, and every
 * page of every database is checked once.
 *
 * The fast way gets the same numbers from XORs alone. Bit k of rp is the
 * parity of the number of odd-parity words whose index has bit k set, which
 * is the parity of the XOR of those words. So it is enough to XOR together,
 * for every index bit, the words whose index has that bit, and take one
 * parity at the end. Words are read in pairs as 64-bit values (the parity of
 * a pair's XOR is the parity of both words), eight pairs to a group: index
 * bit 0 is the pair's high half, bits 1-3 the pair's place in its group, the
 * higher bits the group number, whose XORs are differences of a running XOR
 * over groups. rq is rp inverted when the number of odd-parity words is odd,
 * which is the parity of colpar; cp and cq follow from colpar likewise. */
#include "ese/block_checksum.h"

#include "util/reader.h"

#define PAIRS_PER_GROUP 8
#define GROUP_BYTES (PAIRS_PER_GROUP * 8)
#define MAX_GROUPS 128  /* 8 KiB blocks (32 KiB pages); larger ones take the reference loop */

static uint32_t parity32(uint32_t x) { return (uint32_t)__builtin_parity(x); }
static uint32_t parity64(uint64_t x) { return (uint32_t)__builtin_parityll(x); }

static uint64_t combine(uint32_t colpar, uint32_t rp, uint32_t rq, uint32_t words, uint32_t pgno)
{
    uint32_t cp = 0, cq = 0;
    /* bit c of cp: parity of colpar's bits whose position has bit c set */
    static const uint32_t position_bit[5] = {0xAAAAAAAAu, 0xCCCCCCCCu, 0xF0F0F0F0u, 0xFF00FF00u, 0xFFFF0000u};
    for (unsigned c = 0; c < 5; c++)
        cp |= parity32(colpar & position_bit[c]) << c;
    cq = parity32(colpar) ? ~cp : cp;
    uint32_t m = words - 1;
    uint32_t ecc = ((rq & m) << 21) | ((cq & 31) << 16) | ((rp & m) << 5) | (cp & 31);
    return ((uint64_t)ecc << 32) | (uint64_t)(colpar ^ pgno);
}

uint64_t ese_block_checksum_reference(const uint8_t *block, size_t block_size, uint32_t pgno, bool first)
{
    util_reader r = util_reader_make(block, block_size);
    uint32_t words = (uint32_t)(block_size / 4);
    uint32_t colpar = 0, rp = 0, rq = 0;
    for (uint32_t i = 0; i < words; i++) {
        uint32_t w = util_read_u32(&r);
        if (first && i < 2)
            continue;
        colpar ^= w;
        if (parity32(w)) {
            rp ^= i;
            rq ^= ~i;
        }
    }
    return combine(colpar, rp, rq, words, pgno);
}

uint64_t ese_block_checksum(const uint8_t *block, size_t block_size, uint32_t pgno, bool first)
{
    size_t groups = block_size / GROUP_BYTES;
    if (block_size % GROUP_BYTES || groups > MAX_GROUPS || (groups & (groups - 1)) || groups == 0)
        return ese_block_checksum_reference(block, block_size, pgno, first);
    util_reader r = util_reader_make(block, block_size);
    const uint8_t *bytes = util_read_bytes(&r, block_size);
    if (!bytes)
        return ese_block_checksum_reference(block, block_size, pgno, first);

    /* by_bit[b]: XOR of the pairs whose index within the group has bit b;
     * running[g]: XOR of groups 0..g-1 */
    uint64_t by_bit[3] = {0, 0, 0};
    uint64_t running[MAX_GROUPS + 1];
    running[0] = 0;
    for (size_t g = 0; g < groups; g++) {
        const uint8_t *p = bytes + g * GROUP_BYTES;
        uint64_t x0 = util_le64(p), x1 = util_le64(p + 8), x2 = util_le64(p + 16), x3 = util_le64(p + 24);
        uint64_t x4 = util_le64(p + 32), x5 = util_le64(p + 40), x6 = util_le64(p + 48), x7 = util_le64(p + 56);
        uint64_t odd = x1 ^ x3 ^ x5 ^ x7;
        uint64_t upper = x4 ^ x5 ^ x6 ^ x7;
        by_bit[0] ^= odd;
        by_bit[1] ^= x2 ^ x3 ^ x6 ^ x7;
        by_bit[2] ^= upper;
        running[g + 1] = running[g] ^ odd ^ x0 ^ x2 ^ x4 ^ x6;
    }
    uint64_t all = running[groups];
    if (first)  /* words 0 and 1 (pair 0 of group 0) are left out; they only reach `all` */
        all ^= util_le64(bytes);

    uint32_t words = (uint32_t)(block_size / 4);
    uint32_t colpar = (uint32_t)all ^ (uint32_t)(all >> 32);
    uint32_t rp = parity32((uint32_t)(all >> 32));  /* index bit 0: the odd words, high halves */
    for (unsigned b = 0; b < 3; b++)
        rp |= parity64(by_bit[b]) << (b + 1);
    /* index bit 4 + c: groups whose number has bit c, in runs of 2^c groups */
    unsigned bit = 4;
    for (size_t run = 1; run < groups; run *= 2, bit++) {
        uint64_t x = 0;
        for (size_t start = run; start < groups; start += 2 * run)
            x ^= running[start + run] ^ running[start];
        rp |= parity64(x) << bit;
    }
    uint32_t rq = parity32(colpar) ? ~rp : rp;
    return combine(colpar, rp, rq, words, pgno);
}
