/* Damaged-input sweep over the generic ESE samples (the .gz files of ese-generic, gunzipped
 * in memory): truncation every 512 bytes, seeded bit flips and byte stomps,
 * zeroed pages, swapped adjacent pages. These databases hold no BITS queue, so
 * besides bp_parse_memory (which must answer 0, 1 or 3 and keep its promises,
 * fuzz_check_result) every run walks the whole database through the src/ese
 * API (tests/fuzz/ese_walk.h: every table, record, column, index and long
 * value) and compares its records with those of the intact file:
 *  - after truncation, zeroed or swapped pages: every record must be one of
 *    the intact records, column by column; columns flagged as not fully
 *    readable ("?", "!") and columns missing from the damaged record are
 *    allowed (a "prefix" of the intact record);
 *  - whenever the walk reports no warning and no unreadable value, its
 *    records must be exactly the intact ones (damage is never silent),
 *    unless every page the damage touched still passes its checksum: ESE's
 *    XOR + ECC page checksum cannot see every multi-byte change (a run of
 *    equal bytes flipping words in pairs, for instance); such runs are
 *    counted and printed, not failed.
 * The time of each run is measured and reported (not asserted).
 *
 * Density: the 4 KiB-page files are truncated every 512 bytes up to one page
 * past their last written page and at every page boundary after it (beyond
 * that the file holds only never-written pages), get 300 flips and stomps,
 * and every written page zeroed and swapped with the next. large.edb (24 MiB
 * of 32 KiB pages, 130166 records; one walk costs ~0.1 s) is sampled: every
 * 512 bytes in its first 2 pages, every 96th page boundary, 8 flips, every
 * 128th page zeroed and swapped. BITSPARSE_SWEEP_FULL=1 in the environment
 * sweeps much denser (3000 flips per file; large.edb: 512-byte steps over 36
 * pages, every 8th page boundary, 150 flips, every 8th page zeroed and
 * swapped). Under AddressSanitizer (10-20x slower per run) the default sweep
 * truncates every 2048 bytes, makes 120 flips per file and touches large.edb
 * only at a few points. Pass file names (e.g. basic.edb) to sweep only those. */
#include <zlib.h>

#include "check.h"
#include "sweep.h"
#include "../fuzz/fuzz_targets.h"
#include "util/reader.h"

static uint64_t rng_state = 0xe5e5eed;

static uint8_t *gunzip_shared(const char *relative, size_t *size)
{
    gzFile gz = gzopen(shared_path(relative), "rb");
    if (!gz)
        return NULL;
    size_t capacity = 1 << 20, n = 0;
    uint8_t *data = malloc(capacity);
    for (;;) {
        if (n == capacity) {
            capacity *= 2;
            data = realloc(data, capacity);
        }
        int got = gzread(gz, data + n, (unsigned)(capacity - n));
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    gzclose(gz);
    *size = n;
    return data;
}

/* ---- the records of one walk ------------------------------------------------------------ */

typedef struct line_list {
    char **items;
    size_t count, capacity;
} line_list;

static void collect_line(const char *line, size_t length, size_t problems, void *context)
{
    (void)problems;
    line_list *list = context;
    if (list->count == list->capacity) {
        list->capacity = list->capacity ? list->capacity * 2 : 256;
        list->items = realloc(list->items, list->capacity * sizeof(char *));
    }
    list->items[list->count++] = strndup(line, length);
}

static void line_list_free(line_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    memset(list, 0, sizeof(*list));
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk status in bp_status terms: 3 not opened, 1 anything warned or unreadable, else 0. */
static int walk_status(const ese_walk_summary *s)
{
    if (!s->opened)
        return BP_STATUS_UNREADABLE;
    return s->db_warnings || s->value_problems || s->long_value_problems ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
}

/* Value of column `id` in a line ("\t<id>=<value>"), its length in *length; NULL when absent. */
static const char *column_value(const char *line, const char *id_token, size_t *length)
{
    const char *at = strstr(line, id_token);
    if (!at)
        return NULL;
    at += strlen(id_token);
    *length = strcspn(at, "\t");
    return at;
}

/* Is damaged line d compatible with intact line c: same table, and every
 * column of d that is readable equal to c's column of the same id? */
static bool line_compatible(const char *d, const char *c)
{
    size_t table_length = strcspn(d, "\t");
    if (strncmp(d, c, table_length) != 0 || (c[table_length] != '\t' && c[table_length] != '\0'))
        return false;
    if (strstr(d, "\t!header"))
        return true; /* flagged as unreadable: visible damage, whatever its table */
    const char *p = d + table_length;
    while (*p == '\t') {
        p++;
        size_t id_length = strcspn(p, "=\t");
        if (p[id_length] != '=')
            return false; /* not "<id>=<value>" */
        const char *value = p + id_length + 1;
        size_t value_length = strcspn(value, "\t");
        bool flagged = (value_length == 1 && (value[0] == '?' || value[0] == '!')) || memchr(value, '?', value_length);
        if (!flagged) {
            char token[32];
            snprintf(token, sizeof token, "\t%.*s=", (int)(id_length < 20 ? id_length : 20), p);
            size_t want_length;
            const char *want = column_value(c, token, &want_length);
            if (want && (want_length != value_length || memcmp(want, value, value_length) != 0))
                return false;
            /* a column the intact record lacks: only when its catalog row came from damage */
            if (!want)
                return false;
        }
        p = value + value_length;
    }
    return true;
}

typedef struct ese_sweep {
    const char *name;
    const uint8_t *original;
    size_t size;
    uint32_t page_size;
    line_list intact;      /* walk order */
    char **intact_sorted;
    char *intact_render;   /* bp_parse_memory JSONL of the intact file */
    sweep_timing timing;
    size_t clean_walks, violations, foreign_records, checksum_collisions;
} ese_sweep;

static bool known_record(const ese_sweep *s, const char *line)
{
    if (bsearch(&line, s->intact_sorted, s->intact.count, sizeof(char *), compare_strings))
        return true;
    if (strstr(line, "\t!header"))
        return true;
    /* Fast path: intact records with the same table and the same first column
     * (a range of the sorted list); the full scan below covers the rest, e.g.
     * a damaged record that lost its first column. */
    const char *tab = strchr(line, '\t');
    const char *next = tab ? strchr(tab + 1, '\t') : NULL;
    size_t prefix = next ? (size_t)(next - line) : strlen(line);
    size_t lo = 0, hi = s->intact.count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strncmp(s->intact_sorted[mid], line, prefix) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < s->intact.count && strncmp(s->intact_sorted[i], line, prefix) == 0; i++)
        if (line_compatible(line, s->intact_sorted[i]))
            return true;
    for (size_t i = 0; i < s->intact.count; i++)
        if (line_compatible(line, s->intact.items[i]))
            return true;
    return false;
}

static char *render(bp_result *result)
{
    size_t size;
    return fuzz_render(result, BP_FORMAT_JSONL, &size);
}

/* Does every page the damage touched still pass its checksum (header pages:
 * the header checksum)? Then the damage is invisible to ESE's checksums: the
 * XOR + ECC page checksum misses, for instance, a run of equal bytes whose
 * words change in pairs with even parity. */
static bool damage_passes_checksums(const ese_sweep *s, const uint8_t *data, size_t size)
{
    ese_db geometry;
    memset(&geometry, 0, sizeof geometry);
    geometry.page_size = s->page_size;
    geometry.large_pages = s->page_size > 8192;
    for (size_t p = 0; (p + 1) * s->page_size <= size; p++) {
        const uint8_t *page = data + p * s->page_size;
        if (memcmp(page, s->original + p * s->page_size, s->page_size) == 0)
            continue;
        bool ok = p < 2 ? util_le32(page) == ese_header_checksum(page, s->page_size)
                        : ese_page_checksum_ok(&geometry, page, (uint32_t)(p - 1));
        if (!ok)
            return false;
    }
    return true;
}

/* subset: the damage only removed or moved data (truncation, zeroed or swapped pages). */
static void run_one(ese_sweep *s, const uint8_t *data, size_t size, bool subset, const char *what)
{
    double start = sweep_now();
    bp_result *result = NULL;
    int status = bp_parse_memory(data, size, "damaged", &result);
    fuzz_check_result(result, status); /* aborts on a broken promise */
    CHECK(status == BP_STATUS_CLEAN || status == BP_STATUS_WARNINGS || status == BP_STATUS_UNREADABLE);
    if (status == BP_STATUS_CLEAN) {
        char *text = render(result);
        if (!text || strcmp(text, s->intact_render) != 0) {
            s->violations++;
            fprintf(stderr, "%s: bp_parse_memory clean status but records differ\n", what);
        }
        free(text);
    }
    bp_result_free(result);

    line_list lines = {NULL, 0, 0};
    ese_walk_summary summary;
    ese_walk_database(data, size, collect_line, &lines, SIZE_MAX, &summary);
    double took = sweep_now() - start;
    sweep_timing_add(&s->timing, took, what);
    bool clean = walk_status(&summary) == BP_STATUS_CLEAN;
    bool collision = false;
    if (clean) {
        s->clean_walks++;
        bool same = lines.count == s->intact.count;
        for (size_t i = 0; same && i < lines.count; i++)
            same = strcmp(lines.items[i], s->intact.items[i]) == 0;
        if (!same && !subset && size == s->size && damage_passes_checksums(s, data, size)) {
            collision = true; /* undetectable by design of the format: counted, not failed */
            s->checksum_collisions++;
        } else if (!same) {
            s->violations++;
            fprintf(stderr, "%s: walk reports no problem but its %zu records differ from the %zu intact ones\n",
                    what, lines.count, s->intact.count);
        }
    }
    if (subset || (clean && !collision)) {
        size_t foreign = 0;
        for (size_t i = 0; i < lines.count; i++) {
            if (known_record(s, lines.items[i]))
                continue;
            if (!foreign++)
                fprintf(stderr, "%s: record not in the intact file: %.200s\n", what, lines.items[i]);
        }
        if (foreign) {
            s->violations++;
            s->foreign_records += foreign;
        }
    }
    line_list_free(&lines);
}

/* Offset just past the last page holding a non-zero byte. */
static size_t written_end(const uint8_t *data, size_t size, uint32_t page_size)
{
    size_t pages = size / page_size;
    while (pages > 0) {
        const uint8_t *p = data + (pages - 1) * page_size;
        size_t i = 0;
        while (i < page_size && !p[i])
            i++;
        if (i < page_size)
            break;
        pages--;
    }
    return pages * page_size;
}

static bool page_is_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void sweep_file(const char *name, bool large)
{
    char relative[256];
    snprintf(relative, sizeof relative, "testdata/ese-generic/%s.gz", name);
    ese_sweep s;
    memset(&s, 0, sizeof s);
    s.name = name;
    uint8_t *original = gunzip_shared(relative, &s.size);
    CHECK(original && s.size > 2 * 4096);
    if (!original || s.size <= 2 * 4096)
        return;
    s.original = original;
    s.page_size = util_le32(original + 236);
    CHECK(s.page_size == 4096 || s.page_size == 32768);

    ese_walk_summary summary;
    ese_walk_database(original, s.size, collect_line, &s.intact, SIZE_MAX, &summary);
    CHECK(summary.opened && s.intact.count > 0);
    s.intact_sorted = malloc(s.intact.count * sizeof(char *) + 1);
    memcpy(s.intact_sorted, s.intact.items, s.intact.count * sizeof(char *));
    qsort(s.intact_sorted, s.intact.count, sizeof(char *), compare_strings);
    bp_result *intact = NULL;
    int intact_status = bp_parse_memory(original, s.size, "damaged", &intact);
    s.intact_render = render(intact);
    bp_result_free(intact);
    printf("%s: %zu bytes, page size %u, %zu records in %zu tables, walk status %d, bp_parse_memory status %d\n",
           name, s.size, s.page_size, s.intact.count, summary.tables, walk_status(&summary), intact_status);

    bool full = getenv("BITSPARSE_SWEEP_FULL") && strcmp(getenv("BITSPARSE_SWEEP_FULL"), "1") == 0;
    size_t used = written_end(original, s.size, s.page_size);
    size_t dense_end = large ? (full ? 36u : 2u) * s.page_size : used + s.page_size;
    size_t page_step = large ? (full ? 8u : 96u) * s.page_size : s.page_size;
    size_t cut_step = 512;
    if (SWEEP_SANITIZED && !full) { /* 10-20x slower per run: a sparser sweep */
        cut_step = 2048;
        page_step *= large ? 4 : 1;
    }
    uint8_t *copy = malloc(s.size);
    char what[160];

    for (size_t cut = 0; cut < s.size; cut += cut < dense_end ? cut_step : page_step) {
        /* an allocation of exactly `cut` bytes, so AddressSanitizer sees any read past the cut */
        uint8_t *exact = malloc(cut ? cut : 1);
        snprintf(what, sizeof what, "%s cut to %zu bytes", name, cut);
        memcpy(exact, original, cut);
        run_one(&s, exact, cut, true, what);
        free(exact);
    }
    size_t truncations = s.timing.runs;

    int flips = large ? (full ? 150 : 8) : (full ? 3000 : 300);
    if (SWEEP_SANITIZED && !full)
        flips = large ? 2 : 120;
    for (int i = 0; i < flips; i++) {
        memcpy(copy, original, s.size);
        /* nine in ten inside the written pages, where the data is */
        size_t at = sweep_random(&rng_state) % (i % 10 ? used : s.size);
        sweep_flip_or_stomp(&rng_state, copy, s.size, at, i);
        snprintf(what, sizeof what, "%s damage %d at %zu", name, i, at);
        run_one(&s, copy, s.size, false, what);
    }

    size_t pages = s.size / s.page_size;
    size_t step = large ? (full ? 8 : 128) : 1;
    if (SWEEP_SANITIZED && !full && large)
        step = 384;
    for (size_t p = 0; p < pages; p += step) {
        const uint8_t *page = original + p * s.page_size;
        bool zero = page_is_zero(page, s.page_size);
        if (!zero) {
            memcpy(copy, original, s.size);
            memset(copy + p * s.page_size, 0, s.page_size);
            snprintf(what, sizeof what, "%s file page %zu zeroed", name, p);
            run_one(&s, copy, s.size, true, what);
        }
        if (p + 1 < pages && !(zero && page_is_zero(page + s.page_size, s.page_size))) {
            memcpy(copy, original, s.size);
            memcpy(copy + p * s.page_size, page + s.page_size, s.page_size);
            memcpy(copy + (p + 1) * s.page_size, page, s.page_size);
            snprintf(what, sizeof what, "%s file pages %zu and %zu swapped", name, p, p + 1);
            run_one(&s, copy, s.size, true, what);
        }
    }
    printf("%s: %zu damaged runs (%zu truncations), %zu walks without any warning (%zu of them with changed "
           "records that every page checksum still accepts), %zu invariant violations (%zu foreign records); "
           "time per run: mean %.2f ms, max %.2f ms (%s)\n",
           name, s.timing.runs, truncations, s.clean_walks, s.checksum_collisions, s.violations, s.foreign_records,
           1000.0 * s.timing.total_seconds / (double)s.timing.runs, 1000.0 * s.timing.max_seconds, s.timing.slowest);
    CHECK_U64(s.violations, 0);
    free(copy);
    free(s.intact_sorted);
    line_list_free(&s.intact);
    free(s.intact_render);
    free(original);
}

int main(int argc, char **argv)
{
    static const char *const files[] = {"basic.edb", "binary.edb", "text.edb", "multi.edb", "default.edb",
                                        "index.edb", "SRUDB.dat", "Current.mdb", "large.edb"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        bool wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            wanted |= strcmp(argv[a], files[i]) == 0;
        if (wanted)
            sweep_file(files[i], strcmp(files[i], "large.edb") == 0);
    }
    return check_exit();
}
