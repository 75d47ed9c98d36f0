#include "ese/database.h"

#include <string.h>

#include "ese/page.h"

const uint8_t *ese_db_page_bytes(const ese_db *db, uint32_t pgno)
{
    if (pgno == 0 || pgno > db->page_count)
        return NULL;
    size_t offset = ((size_t)pgno + 1) * db->page_size;
    if (offset > db->size || db->size - offset < db->page_size)
        return NULL;
    if (db->mapping)
        util_mapped_touched(db->mapping, db->data + offset, db->page_size);
    return db->data + offset;
}

bool ese_db_open(ese_db *db, const uint8_t *data, size_t size, util_arena *arena, bp_note_list *warnings)
{
    memset(db, 0, sizeof(*db));
    db->data = data;
    db->size = size;
    db->arena = arena;
    db->warnings = warnings;
    db->mapping = util_mapped_find(data, size);
    if (!ese_db_header_read(&db->header, data, size, arena, warnings))
        return false;
    db->page_size = db->header.page_size;
    db->large_pages = db->page_size > 8192;
    size_t file_pages = size / db->page_size;
    db->page_count = file_pages > 2 ? (uint32_t)(file_pages - 2 > UINT32_MAX ? UINT32_MAX : file_pages - 2) : 0;
    if (size % db->page_size)
        util_notes_addf(arena, warnings, "ESE file size %zu is not a multiple of the page size %u (truncated?)",
                      size, db->page_size);
    db->page_state = util_arena_alloc(arena, (size_t)db->page_count + 1);
    if (!db->page_state)
        return false;
    ese_catalog_load(db, &db->catalog);
    return true;
}
