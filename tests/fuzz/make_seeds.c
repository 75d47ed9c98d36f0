/* Build the seed corpora of the fuzz targets from the real samples, at run
 * time, into a scratch folder (never into the repository):
 *
 *   make_seeds SHARED-DIR OUT-DIR
 *
 * writes OUT-DIR/<target>/<name> for the targets parse_memory, ese_qmgr,
 * ese_walk, job_blob, file_blob, decompress, carve, binxml_values and sigma:
 *  - the two qmgr.db files, the job and file blobs, the legacy fragments,
 *    three small event logs;
 *  - the project's generated queues of testdata/ (deleted jobs, detection
 *    samples, 4 and 32 KiB pages) when present;
 *  - the generic ESE databases, gunzipped, for ese_walk (large.edb cut to
 *    its first 8 pages: 24 MiB would make every fuzz iteration slow; the
 *    qmgr.db files, 16 KiB pages, are ese_qmgr's seeds); trailing all-zero
 *    pages are cut from every ESE file;
 *  - every Jobs.Blob and Files.Blob value of both qmgr.db files;
 *  - every long-value chunk that starts with a compression scheme byte, and a
 *    few small 7-bit and Xpress values built here;
 *  - the first records of every chunk of the shared event logs, each as its
 *    offset in the chunk (u16) followed by the chunk (binxml_values);
 *  - the shared SigmaHQ rules and the project's testdata/sigma rules (sigma).
 * Exit status 0, 1 when something could not be written, 77 when the shared
 * data is missing. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "ese/btree.h"
#include "ese/compression.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "ese/record.h"

static const char *out_dir;
static int failures;
static size_t written;

static const char *const targets[] = {"parse_memory", "ese_qmgr", "ese_walk", "job_blob", "file_blob",
                                      "decompress", "carve", "binxml_values", "sigma"};

static void write_seed(const char *target, const char *name, const uint8_t *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        fprintf(stderr, "make_seeds: cannot write %s: %s\n", path, strerror(errno));
        failures++;
        return;
    }
    written++;
}

static uint8_t *load(const char *shared, const char *relative, size_t *size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", shared, relative);
    gzFile gz = gzopen(path, "rb"); /* reads plain files as they are */
    if (!gz) {
        fprintf(stderr, "make_seeds: cannot open %s\n", path);
        failures++;
        return NULL;
    }
    size_t capacity = 1 << 20, n = 0;
    uint8_t *data = malloc(capacity);
    for (;;) {
        if (n == capacity) {
            capacity *= 2;
            uint8_t *grown = realloc(data, capacity);
            if (!grown)
                break;
            data = grown;
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

/* An ESE file without its trailing never-written (all-zero) pages: the same
 * database for the reader, and a smaller input for the fuzzer. */
static size_t trimmed_ese_size(const uint8_t *data, size_t size)
{
    if (size < 240 || data[4] != 0xEF || data[5] != 0xCD || data[6] != 0xAB || data[7] != 0x89)
        return size;
    uint32_t page = (uint32_t)data[236] | (uint32_t)data[237] << 8 | (uint32_t)data[238] << 16 |
                    (uint32_t)data[239] << 24;
    if (page != 4096 && page != 8192 && page != 16384 && page != 32768)
        return size;
    size_t pages = size / page;
    while (pages > 2) {
        const uint8_t *p = data + (pages - 1) * page;
        size_t i = 0;
        while (i < page && !p[i])
            i++;
        if (i < page)
            break;
        pages--;
    }
    return pages * page;
}

/* ---- blobs and compressed chunks found through the ESE reader ------------------------- */

typedef struct harvest {
    ese_db *db;
    ese_table *table;
    const char *prefix;
    const char *target;
    uint32_t blob_column;
    size_t count;
} harvest;

static bool harvest_blob(const ese_page *page, const ese_node *node, void *context)
{
    (void)page;
    harvest *h = context;
    ese_record record;
    ese_column_value value;
    const char *problem;
    if (!ese_record_open(&record, node->data, node->data_size) ||
        !ese_record_get(h->db, h->table, &record, h->blob_column, &value, &problem) || !value.present ||
        value.values[0].problem)
        return true;
    char name[256];
    snprintf(name, sizeof name, "%s-%zu.blob", h->prefix, h->count++);
    write_seed(h->target, name, value.values[0].data, value.values[0].size);
    write_seed("parse_memory", name, value.values[0].data, value.values[0].size);
    return true;
}

static void harvest_table_blobs(ese_db *db, const char *table_name, const char *prefix, const char *target)
{
    ese_table *table = ese_catalog_find(&db->catalog, table_name);
    const ese_column *blob = table ? ese_table_column_named(table, "Blob") : NULL;
    if (!blob)
        return;
    harvest h = {db, table, prefix, target, blob->id, 0};
    ese_btree_walk(db, table->root_pgno, table->objid, false, harvest_blob, &h, NULL);
}

static void harvest_compressed_chunks(ese_db *db, const char *prefix)
{
    size_t count = 0;
    for (size_t t = 0; t < db->catalog.table_count && count < 64; t++) {
        const ese_lv_store *store = ese_table_lv_store(db, &db->catalog.tables[t]);
        for (size_t i = 0; store && i < store->chunk_count && count < 64; i++) {
            const ese_lv_chunk *c = &store->chunks[i];
            unsigned scheme = ese_compression_scheme_of(c->data, c->size);
            if (scheme < 1 || scheme > 3 || c->size < 2)
                continue;
            char name[256];
            snprintf(name, sizeof name, "%s-lv-%zu.bin", prefix, count++);
            write_seed("decompress", name, c->data, c->size);
        }
    }
}

static void harvest_database(const uint8_t *data, size_t size, const char *prefix)
{
    util_arena arena;
    util_arena_init(&arena);
    bp_note_list warnings = {NULL, NULL, 0};
    ese_db db;
    if (ese_db_open(&db, data, size, &arena, &warnings)) {
        char name[256];
        snprintf(name, sizeof name, "%s-job", prefix);
        harvest_table_blobs(&db, "Jobs", name, "job_blob");
        snprintf(name, sizeof name, "%s-file", prefix);
        harvest_table_blobs(&db, "Files", name, "file_blob");
        harvest_compressed_chunks(&db, prefix);
    }
    util_arena_free(&arena);
}

/* ---- small synthetic compressed values ----------------------------------------------- */

static void seed_7bit(const char *name, const char *text, bool wide)
{
    uint8_t out[256];
    size_t n = strlen(text), bits = 0, w = 1;
    memset(out, 0, sizeof out);
    for (size_t i = 0; i < n && w < sizeof out - 1; i++) {
        for (int b = 0; b < 7; b++, bits++) {
            if ((text[i] >> b) & 1)
                out[1 + bits / 8] |= (uint8_t)(1u << (bits % 8));
        }
    }
    w = 1 + (bits + 7) / 8;
    size_t in_last = bits - 8 * (w - 2);
    out[0] = (uint8_t)(((wide ? 2u : 1u) << 3) | (unsigned)(in_last - 1));
    write_seed("decompress", name, out, w);
}

static void seed_xpress(void)
{
    /* "abcabcabc...", 24 bytes: three literals, then a match of offset 3, length 21 */
    uint8_t out[32] = {0x18, 24, 0};
    size_t w = 3;
    uint32_t flags = 0x10000000u; /* read from bit 31 down: literal x3, then a match */
    for (int i = 0; i < 4; i++)
        out[w++] = (uint8_t)(flags >> (8 * i));
    out[w++] = 'a', out[w++] = 'b', out[w++] = 'c';
    uint16_t match = (uint16_t)(((3 - 1) << 3) | 7); /* offset 3, length from the nibble */
    out[w++] = (uint8_t)match, out[w++] = (uint8_t)(match >> 8);
    out[w++] = 11; /* length nibble n: 21 = n + 7 + 3 */
    write_seed("decompress", "synthetic-xpress.bin", out, w);
}

/* ---- event records and Sigma rules ------------------------------------------------------ */

#define EVTX_HEADER 4096u
#define EVTX_CHUNK 65536u
#define EVTX_RECORDS_PER_CHUNK 4 /* the first few: every record of a chunk has the same shape */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* binxml_values seeds: for the first records of every "ElfChnk" chunk of a
 * log, the record's offset in the chunk (u16 LE) and the whole chunk. */
static void seed_event_records(const char *shared, const char *log)
{
    char relative[512];
    snprintf(relative, sizeof relative, "testdata/evtx/%s", log);
    size_t size;
    uint8_t *data = load(shared, relative, &size);
    if (!data)
        return;
    uint8_t *seed = malloc(2 + EVTX_CHUNK);
    for (size_t start = EVTX_HEADER, k = 0; seed && start + EVTX_CHUNK <= size; start += EVTX_CHUNK, k++) {
        const uint8_t *chunk = data + start;
        if (memcmp(chunk, "ElfChnk", 8) != 0)
            continue;
        memcpy(seed + 2, chunk, EVTX_CHUNK);
        size_t record = 512; /* after the chunk header and its string and template tables */
        for (int n = 0; n < EVTX_RECORDS_PER_CHUNK && record + 28 <= EVTX_CHUNK; n++) {
            uint32_t record_size = le32(chunk + record + 4);
            if (le32(chunk + record) != 0x00002a2a || record_size < 28 || record_size > EVTX_CHUNK - record)
                break;
            seed[0] = (uint8_t)record, seed[1] = (uint8_t)(record >> 8);
            char name[600];
            snprintf(name, sizeof name, "%s-chunk%zu-record%zu.bin", log, k, record);
            write_seed("binxml_values", name, seed, 2 + EVTX_CHUNK);
            record += record_size;
        }
    }
    free(seed);
    free(data);
}

/* sigma seeds: every *.yml of a folder, as it is. */
static void seed_sigma_rules(const char *folder, const char *prefix)
{
    DIR *dir = opendir(folder);
    if (!dir)
        return; /* optional */
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        size_t n = strlen(entry->d_name);
        if (n < 5 || strcmp(entry->d_name + n - 4, ".yml") != 0)
            continue;
        char path[4096], name[600];
        snprintf(path, sizeof path, "%s/%s", folder, entry->d_name);
        size_t size;
        uint8_t *data = load("/", path, &size);
        if (!data)
            continue;
        snprintf(name, sizeof name, "%s-%s", prefix, entry->d_name);
        write_seed("sigma", name, data, size);
        free(data);
    }
    closedir(dir);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: make_seeds SHARED-DIR OUT-DIR\n");
        return 2;
    }
    const char *shared = argv[1];
    out_dir = argv[2];
    char probe[4096];
    struct stat st;
    snprintf(probe, sizeof probe, "%s/testdata/ese", shared);
    if (stat(probe, &st) != 0) {
        printf("SKIPPED: shared test data not found: %s\n", probe);
        return 77;
    }
    mkdir(out_dir, 0777);
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        snprintf(probe, sizeof probe, "%s/%s", out_dir, targets[i]);
        mkdir(probe, 0777);
    }

    static const struct {
        const char *path, *name, *targets;
    } files[] = {
        {"testdata/ese/win10-19045.qmgr.db", "win10.qmgr.db", "parse_memory ese_qmgr carve"},
        {"testdata/ese/win11-22000.qmgr.db", "win11.qmgr.db", "parse_memory ese_qmgr carve"},
        {"testdata/blobs/win10-19045.job.blob", "win10.job.blob", "parse_memory job_blob carve"},
        {"testdata/blobs/win10-19045.file.blob", "win10.file.blob", "parse_memory file_blob carve"},
        {"testdata/legacy/win10early-empty.qmgr0.dat", "win10early-empty.qmgr0.dat", "parse_memory carve"},
        {"testdata/legacy/win10early-job-record.bin", "win10early-job-record.bin", "parse_memory job_blob carve"},
        {"testdata/legacy/win7-job-record.bin", "win7-job-record.bin", "parse_memory job_blob carve"},
        {"testdata/legacy/win81-file-list.bin", "win81-file-list.bin", "parse_memory file_blob carve"},
        {"testdata/evtx/win7-persist-bitsadmin.evtx", "win7-bitsadmin.evtx", "parse_memory carve"},
        {"testdata/evtx/win10-desktopimgdownldr.evtx", "win10-desktopimgdownldr.evtx", "parse_memory"},
        {"testdata/evtx/server-dc-t1197.evtx", "server-dc-t1197.evtx", "parse_memory"},
        {"testdata/ese-generic/basic.edb.gz", "basic.edb", "ese_walk parse_memory"},
        {"testdata/ese-generic/binary.edb.gz", "binary.edb", "ese_walk"},
        {"testdata/ese-generic/text.edb.gz", "text.edb", "ese_walk"},
        {"testdata/ese-generic/multi.edb.gz", "multi.edb", "ese_walk"},
        {"testdata/ese-generic/default.edb.gz", "default.edb", "ese_walk"},
        {"testdata/ese-generic/index.edb.gz", "index.edb", "ese_walk"},
        {"testdata/ese-generic/large.edb.gz", "large-8pages.edb", "ese_walk"},
        {"testdata/ese-generic/SRUDB.dat.gz", "SRUDB.dat", "ese_walk"},
        {"testdata/ese-generic/Current.mdb.gz", "Current.mdb", "ese_walk"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        size_t size;
        uint8_t *data = load(shared, files[i].path, &size);
        if (!data)
            continue;
        if (strncmp(files[i].name, "large-", 6) == 0 && size > 8u * 32768u)
            size = 8u * 32768u;
        size = trimmed_ese_size(data, size);
        char list[128];
        snprintf(list, sizeof list, "%s", files[i].targets);
        for (char *save = NULL, *t = strtok_r(list, " ", &save); t; t = strtok_r(NULL, " ", &save))
            write_seed(t, files[i].name, data, size);
        if (size >= 8 && data[4] == 0xEF && data[5] == 0xCD)
            harvest_database(data, size, files[i].name);
        free(data);
    }
    /* the project's own generated queues (testdata/, written by tests/tools/mkqmgr) */
    static const struct {
        const char *name, *targets;
    } generated[] = {
        {"deleted-jobs.qmgr.db", "carve ese_qmgr"},
        {"malicious.qmgr.db", "parse_memory carve"},
        {"page4k.qmgr.db", "ese_qmgr ese_walk"},
        {"page32k.qmgr.db", "ese_qmgr"},
    };
    for (size_t i = 0; i < sizeof generated / sizeof generated[0]; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/testdata/%s", BP_SOURCE_DIR, generated[i].name);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue; /* optional */
        fclose(f);
        size_t size;
        uint8_t *data = load("/", path, &size);
        if (!data)
            continue;
        size = trimmed_ese_size(data, size);
        char list[128];
        snprintf(list, sizeof list, "%s", generated[i].targets);
        for (char *save = NULL, *t = strtok_r(list, " ", &save); t; t = strtok_r(NULL, " ", &save))
            write_seed(t, generated[i].name, data, size);
        free(data);
    }
    seed_7bit("synthetic-7bit-ascii.bin", "test compressed text, seven bits per character", false);
    seed_7bit("synthetic-7bit-unicode.bin", "Unicode text stored as 7-bit values", true);
    seed_xpress();
    static const char *const logs[] = {"server-dc-t1197.evtx", "win10-19043-rathbunvm.evtx",
                                       "win10-19044-aptsimulator.evtx", "win10-desktopimgdownldr.evtx",
                                       "win10-openvpn.evtx", "win7-persist-bitsadmin.evtx"};
    for (size_t i = 0; i < sizeof logs / sizeof logs[0]; i++)
        seed_event_records(shared, logs[i]);
    char folder[4096];
    snprintf(folder, sizeof folder, "%s/testdata/sigma", shared);
    seed_sigma_rules(folder, "sigmahq");
    seed_sigma_rules(BP_SOURCE_DIR "/testdata/sigma", "bitsparse");
    printf("make_seeds: %zu seed files in %s\n", written, out_dir);
    return failures ? 1 : 0;
}
