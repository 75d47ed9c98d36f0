/* Carving (bp_parse_memory_ex with carve) over hostile ESE structures built
 * from the real win10 qmgr.db. Each input is placed so that it ends right
 * before an inaccessible page: a read past its end crashes in every build,
 * not only under AddressSanitizer. Each parse runs in a child process, so a
 * crash is reported as a failed check instead of ending the test.
 *
 * Regression of fuzz finding "carve-node-end-overread" (fuzz_carve, found by
 * the parse_memory corpus on its first pass; fixed): a live page tag whose
 * size runs past the page gave the raw marker scan a search bound past the end
 * of the input, and the footer search (src/carve/candidate.c find16) read
 * beyond the file. A node now ends at its page at the latest
 * (src/carve/ese_carve.c locate) and every search bound is clamped to the
 * input. The finding itself carries sample bytes, so it is rebuilt here. */
/* MAP_ANONYMOUS is not in POSIX 2008; glibc shows it under _DEFAULT_SOURCE */
#define _DEFAULT_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "bitsparse/bitsparse.h"
#include "ese/btree.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "ese/page.h"
#include "ese/record.h"

#define WIN10 "testdata/ese/win10-19045.qmgr.db"

/* `size` bytes ending exactly where a PROT_NONE page begins. On failure
 * nothing stays mapped and data is NULL: callers must not parse then (a
 * Release build warned that data could be used uninitialized). */
typedef struct guarded {
    uint8_t *base;
    size_t mapped;
    uint8_t *data;
} guarded;

static bool guarded_copy(guarded *g, const uint8_t *bytes, size_t size)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (size + page - 1) / page * page;
    g->base = NULL;
    g->data = NULL;
    g->mapped = span + page;
    uint8_t *base = mmap(NULL, g->mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
        return false;
    if (mprotect(base + span, page, PROT_NONE) != 0) {
        munmap(base, g->mapped);
        return false;
    }
    g->base = base;
    g->data = g->base + span - size;
    memcpy(g->data, bytes, size);
    return true;
}

static void guarded_free(guarded *g)
{
    if (g->base)
        munmap(g->base, g->mapped);
}

/* Carved copies read straight from the input (not reassembled from long-value
 * chunks) lie inside it: a search bound past the input would show here. */
static bool locations_inside(const bp_result *result, size_t size)
{
    static const char *const contiguous[] = {"stale-record", "stale-tag", "empty-page", "unreachable-page",
                                             "raw-marker"};
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *record = bp_result_record(result, i);
        for (size_t k = 0; k < record->location_count; k++) {
            const bp_location *l = &record->locations[k];
            bool straight = false;
            for (size_t h = 0; h < sizeof contiguous / sizeof contiguous[0]; h++)
                straight |= strcmp(l->how, contiguous[h]) == 0;
            if (straight && (l->offset > size || l->size > size - l->offset)) {
                printf("%s copy at %llu, %u bytes, runs past the %zu-byte input\n", l->how,
                       (unsigned long long)l->offset, (unsigned)l->size, size);
                return false;
            }
        }
    }
    return true;
}

/* Parse in a child: true when it finished normally with status 0, 1 or 3 and
 * every carved copy read straight from the input lies inside it. */
static bool parses_safely(const uint8_t *data, size_t size, bool carve, const char *what)
{
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid == 0) {
        bp_parse_options options;
        memset(&options, 0, sizeof options);
        options.carve = carve;
        bp_result *result = NULL;
        int status = bp_parse_memory_ex(data, size, what, &options, &result);
        printf("%s: status %d, %zu records\n", what, status, bp_result_count(result));
        bool inside = !result || locations_inside(result, size);
        fflush(stdout);
        bp_result_free(result);
        _exit((status == 0 || status == 1 || status == 3) && inside ? 0 : 1);
    }
    int wstatus = 0;
    if (pid < 0 || waitpid(pid, &wstatus, 0) != pid)
        return false;
    if (WIFSIGNALED(wstatus))
        printf("%s: killed by signal %d\n", what, WTERMSIG(wstatus));
    else if (WEXITSTATUS(wstatus) != 0)
        printf("%s: exit %d\n", what, WEXITSTATUS(wstatus));
    return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

/* Page and tag of the first chunk (offset 0) of a blob of `table`'s long
 * values that starts with `marker` (its first two bytes). */
static bool find_blob_chunk(const uint8_t *data, size_t size, const char *table, const uint8_t marker[2],
                            uint32_t *pgno, uint16_t *itag, uint32_t *page_size)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    bool found = false;
    if (ese_db_open(&db, data, size, &arena, &warnings)) {
        ese_table *t = ese_catalog_find(&db.catalog, table);
        const ese_lv_store *store = t ? ese_table_lv_store(&db, t) : NULL;
        for (size_t i = 0; store && i < store->chunk_count && !found; i++) {
            const ese_lv_chunk *chunk = &store->chunks[i];
            if (chunk->offset == 0 && chunk->size >= 16 && chunk->data[0] == marker[0] &&
                chunk->data[1] == marker[1]) {
                *pgno = chunk->pgno;
                *itag = chunk->itag;
                *page_size = db.page_size;
                found = true;
            }
        }
    }
    util_arena_free(&arena);
    return found;
}

static void test_tag_past_page_at_end_of_file(const char *table, const uint8_t marker[2])
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(WIN10), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    uint32_t pgno = 0, page_size = 0;
    uint16_t itag = 0;
    CHECK(find_blob_chunk(data, size, table, marker, &pgno, &itag, &page_size));
    if (!pgno) {
        free(data);
        return;
    }
    /* A database of one page: the two header pages, then that long-value page
     * as page 1, its chunk's tag claiming 32767 bytes, and 3 stray bytes. No
     * catalog, so nothing claims the blob and the raw marker scan finds it. */
    size_t cut = 3u * page_size + 3;
    uint8_t *crafted = calloc(1, cut);
    CHECK(crafted != NULL);
    if (!crafted) {
        free(data);
        return;
    }
    memcpy(crafted, data, 2u * page_size);
    uint8_t *page = crafted + 2u * page_size;
    memcpy(page, data + ((size_t)pgno + 1) * page_size, page_size);
    put16(page + page_size - 4u * (itag + 1u), 0x7FFF);
    ese_page_store_checksums(page_size, page, 1);
    free(data);
    data = crafted;
    guarded g;
    bool copied = guarded_copy(&g, data, cut);
    CHECK(copied);
    if (!copied) {
        free(data);
        return;
    }
    printf("%s blob chunk of page %u tag %u, as the only page of a %zu-byte file\n", table, pgno, (unsigned)itag,
           cut);
    char what[96];
    snprintf(what, sizeof what, "%s blob tag past its page, no carving", table);
    CHECK(parses_safely(g.data, cut, false, what));
    snprintf(what, sizeof what, "%s blob tag past its page, carving", table);
    CHECK(parses_safely(g.data, cut, true, what));
    guarded_free(&g);
    free(data);
}

/* The intact sample and a few cuts of it, carved, in guarded memory. */
static void test_carve_cuts(void)
{
    size_t size;
    uint8_t *data = read_whole_file(shared_path(WIN10), &size);
    CHECK(data != NULL);
    if (!data)
        return;
    static const size_t cuts[] = {0, 16, 4096, 16384, 32768 + 7, 5 * 16384, 52 * 16384 + 1000, 1310720};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        size_t cut = cuts[i] < size ? cuts[i] : size;
        guarded g;
        bool copied = guarded_copy(&g, data, cut);
        CHECK(copied);
        if (!copied)
            continue;
        char what[64];
        snprintf(what, sizeof what, "win10 cut to %zu bytes, carving", cut);
        CHECK(parses_safely(g.data, cut, true, what));
        guarded_free(&g);
    }
    free(data);
}

int main(void)
{
    test_carve_cuts();
    static const uint8_t job_marker[2] = {0xA1, 0x56};  /* ESE-era job marker */
    static const uint8_t file_marker[2] = {0xE4, 0xCF}; /* file blob marker */
    test_tag_past_page_at_end_of_file("Jobs", job_marker);
    /* the same page layout with the file blob did not happen to read past the
     * end (the fuzzer did reach the bug through carve_try_ese_file too) */
    test_tag_past_page_at_end_of_file("Files", file_marker);
    return check_exit();
}
