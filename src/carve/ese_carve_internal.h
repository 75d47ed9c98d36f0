/* What the two halves of the qmgr.db carver share: the carver state, the
 * small sets it keeps, and the map of the file (which pages the trees reach,
 * where a byte sits, long values with deleted chunks): ese_carve_map.c; the
 * four carving steps: ese_carve.c. */
#ifndef BP_CARVE_ESE_CARVE_INTERNAL_H
#define BP_CARVE_ESE_CARVE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "carve/carve.h"
#include "carve/marker_finder.h"
#include "ese/database.h"
#include "ese/long_value.h"
#include "ese/page.h"

enum {
    PAGE_LOADED = 0x1,     /* non-zero page with a usable header */
    PAGE_REACHED = 0x2,    /* some tree of the catalog reaches it */
    PAGE_EMPTY = 0x4,      /* flag 0x8: emptied page */
};

typedef struct byte_range {
    size_t start, end;
    size_t reach;              /* largest end of this range and those before it in its list */
} byte_range;

typedef struct range_list {
    byte_range *items;
    size_t count, capacity;
} range_list;

typedef struct lid_set {
    uint64_t *lids;
    size_t count, capacity;
    bool sorted;               /* lids sorted (lookups are binary searches) */
} lid_set;

typedef struct ese_carver {
    carve_session *session;
    ese_db *db;
    const char *label;
    util_arena scratch;
    util_arena value;            /* the long value read last (read_long_value) */
    uint8_t *pages;            /* PAGE_* per page number */
    /* Byte ranges taken (claim / claimed). They come in any order while the
     * trees are walked, then in increasing order during each scan: those go
     * to `recent` as they come, the others wait in `pending` until the next
     * lookup sorts everything into `settled`. A lookup is a binary search in
     * `settled` and `recent`; nothing is moved per claim. */
    range_list settled, recent, pending;
    ese_table *jobs, *files;
    lid_set live_lids[2];      /* [0] Jobs, [1] Files: long values live records own */
    lid_set deleted_lids[2];   /* long values named by records flagged deleted */
    carve_finder finder;
    struct {
        uint32_t objid;
        const char *name;
    } names[64];               /* objidFDP -> tree name, cached */
    size_t name_count;
} ese_carver;

typedef struct spot {
    uint32_t pgno;             /* 0: outside the database pages */
    uint32_t tag;              /* tag or stale slot holding it, 0 none */
    bool stale_tag;
    size_t node_end;           /* file offset where that node ends (0: unknown) */
    size_t page_end;           /* file offset where the page ends */
    const char *table;
} spot;

void carve_ese_lid_add(lid_set *set, uint64_t lid);
bool carve_ese_lid_has(lid_set *set, uint64_t lid);
void carve_ese_claim(ese_carver *c, size_t start, size_t end);
bool carve_ese_claimed(ese_carver *c, size_t offset);
void carve_ese_scratch_reset(ese_carver *c);
void carve_ese_classify_pages(ese_carver *c);
const char *carve_ese_table_name_of(ese_carver *c, uint32_t objid);
spot carve_ese_locate(ese_carver *c, size_t offset);
carve_how carve_ese_how_of_blob(const ese_carver *c, const spot *where);
carve_how carve_ese_how_of_record(const ese_carver *c, const spot *where);
carve_place carve_ese_make_place(const ese_carver *c, carve_how how, const spot *where, size_t offset, size_t size);
size_t carve_ese_offset_in_file(const ese_carver *c, const uint8_t *p);
/* A job or file blob whose extent is known (a long value, the inline blob of a
 * record flagged deleted), as carve_session_add_job / _add_file: bytes that are
 * a carved version already add one more place undecoded; others are decoded
 * once, into the result, checked and handed over with that decode. `problem`
 * (may be NULL) says why the bytes may be incomplete: a blob that looks whole
 * is then partial, and with problem_is_missing the problem is what its warning
 * names as missing when the checks name nothing. Returns the verdict;
 * CARVE_REJECT when nothing was added. */
carve_verdict carve_ese_offer(ese_carver *c, bool is_job, const uint8_t *bytes, size_t size, const char *problem,
                              bool problem_is_missing, const char *file_id, const carve_place *place);
bool carve_ese_read_long_value(ese_carver *c, ese_table *table, uint64_t lid, const uint8_t **data, size_t *size,
                               const char **problem);
bool carve_ese_job_reference(ese_carver *c, uint64_t lid, const char *id, const carve_place *place);

#endif
