/* The ECC + XOR block checksum (ese-format §4.2): the XOR-only fast way
 * against the word-by-word reference on pseudo-random 4 and 8 KiB blocks
 * (with and without the first block's excluded words, then with every single
 * bit of a block flipped in turn), exact values for blocks with one odd word
 * at every index, and the known answers of the real Windows 10 queue's page
 * 31. */
#include "check.h"
#include "ese/block_checksum.h"
#include "ese/page.h"

#include <stdint.h>

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static void fill(uint8_t *out, size_t size, uint64_t seed)
{
    for (size_t i = 0; i < size; i++)
        out[i] = (uint8_t)(xorshift(&seed) >> 24);
}

/* Expected checksum of a block whose only set word is word i (value 1). */
static uint64_t one_odd_word(uint32_t words, uint32_t i, uint32_t pgno)
{
    uint32_t m = words - 1;
    uint32_t ecc = ((~i & m) << 21) | (31u << 16) | ((i & m) << 5);  /* cp 0: only bit 0 of colpar */
    return ((uint64_t)ecc << 32) | (1u ^ pgno);
}

int main(void)
{
    static uint8_t block[8192];
    size_t mismatches = 0;
    const size_t sizes[] = {4096, 8192, 64, 128, 1000};  /* the last three: the reference loop, or the smallest group */
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (uint64_t seed = 1; seed <= 20; seed++) {
            fill(block, sizes[s], seed * 0x9E3779B97F4A7C15u);
            for (int first = 0; first < 2; first++) {
                uint32_t pgno = (uint32_t)(seed * 7919);
                if (ese_block_checksum(block, sizes[s], pgno, first) !=
                    ese_block_checksum_reference(block, sizes[s], pgno, first))
                    mismatches++;
            }
        }
    }
    CHECK_U64(mismatches, 0);

    /* every single bit flipped: each index bit and column bit must move the ECC the same way */
    fill(block, 4096, 42);
    for (size_t bit = 0; bit < 4096 * 8; bit++) {
        block[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (ese_block_checksum(block, 4096, 5, bit % 3 == 0) != ese_block_checksum_reference(block, 4096, 5, bit % 3 == 0))
            mismatches++;
        block[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    CHECK_U64(mismatches, 0);

    /* one word with odd parity at each index: rp = i, rq = ~i, colpar = 1 */
    memset(block, 0, sizeof block);
    for (uint32_t i = 0; i < 2048; i++) {
        block[4 * i] = 1;
        if (i < 1024 && ese_block_checksum(block, 4096, 9, false) != one_odd_word(1024, i, 9))
            mismatches++;
        if (ese_block_checksum(block, 8192, 9, false) != one_odd_word(2048, i, 9))
            mismatches++;
        if (i >= 2 && ese_block_checksum(block, 8192, 9, true) != one_odd_word(2048, i, 9))
            mismatches++;
        block[4 * i] = 0;
    }
    CHECK_U64(mismatches, 0);
    CHECK_U64(ese_block_checksum(block, 4096, 1, true), 1);  /* all zero: the page number, ECC 0 */
    CHECK_U64(ese_block_checksum(block, 4096, 0x1f, false), 0x1f);

    /* the real Windows 10 queue, page 31 (ese-format §4.2 known answers) */
    char path[1024];
    snprintf(path, sizeof path, "%s/testdata/ese/win10-19045.qmgr.db", BP_SHARED_DIR);
    size_t size = 0;
    unsigned char *db = read_whole_file(path, &size);
    if (!db) {
        check_exit();
        if (check_failures)
            return 1;
        CHECK_SKIP("synthetic checks passed; shared sample testdata/ese/win10-19045.qmgr.db not found");
    }
    const uint32_t page_size = 16384;
    CHECK(size >= 33u * page_size);
    if (size >= 33u * page_size) {
        uint64_t sums[4];
        CHECK_U64(ese_page_compute_checksums(page_size, db + 32u * page_size, 31, sums), 4);
        CHECK_U64(sums[0], 0x263b263b0c15ae5eu);
        CHECK_U64(sums[1], 0x7a0a05f5ae09d627u);
        CHECK_U64(sums[2], 0x000000000000001fu);
        CHECK_U64(sums[3], 0x00d300d306ba000fu);
    }
    free(db);
    return check_exit();
}
