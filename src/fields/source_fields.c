/* The provenance fields of a record: how and where a carved record was
 * recovered, and its source.* (docs/output-schema.md). */
#include "fields/fields_internal.h"
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "bits/enum_names.h"
#include "util/text.h"

/* ---- carving provenance (src/carve/carve.h) ----------------------------- */

bool fields_recovered_from(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->carved ? r->recovered_from : "");
}

bool fields_copies(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->carved && r->copies ? r->copies : 1);
}

/* One line per place a carved job or file was found. */
bool fields_locations(const bp_record *r, util_arena *s, fields_field_value *v)
{
    v->texts = NULL;
    v->text_count = 0;
    if (!r->carved || !r->locations || !r->location_count)
        return true;
    const char **list = util_arena_array(s, r->location_count, sizeof(*list));
    if (!list)
        return false;
    for (size_t i = 0; i < r->location_count; i++) {
        const bp_location *l = &r->locations[i];
        char size[48] = "", page[96] = "", tag[24] = "", lid[48] = "";
        bool table = l->table && l->table[0];
        if (l->size)
            snprintf(size, sizeof size, " (%" PRIu32 " bytes%s)", l->size, l->partial ? ", cut copy" : "");
        if (l->tag)
            snprintf(tag, sizeof tag, " tag %" PRIu32, l->tag);
        if (l->page)
            snprintf(page, sizeof page, "; page %" PRIu32 "%s%s%s%s", l->page, tag, table ? " (" : "",
                     table ? l->table : "", table ? ")" : "");
        if (l->long_value_id)
            snprintf(lid, sizeof lid, "; long value 0x%" PRIx64, l->long_value_id);
        list[i] = util_arena_printf(s, "%s: %s at offset %" PRIu64 "%s of %s%s%s", fields_or_empty(l->item),
                                                                                                 fields_or_empty(l->how), l->offset, size, fields_or_empty(l->path), page, lid);
        if (!list[i])
            return false;
    }
    v->texts = list;
    v->text_count = r->location_count;
    return true;
}

/* ---- source (provenance) ------------------------------------------------ */

bool fields_source_root(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->root);
}

bool fields_source_sha256(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->sha256);
}

bool fields_source_image(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->image);
}

bool fields_source_partition(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, fields_main_source(r)->partition);
}

bool fields_source_partition_offset(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, fields_main_source(r)->partition_offset);
}

bool fields_source_volume_path(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->volume_path);
}

bool fields_source_mft_entry(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, fields_main_source(r)->mft_entry);
}

bool fields_source_found(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->found);
}

bool fields_source_cluster(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, fields_main_source(r)->cluster);
}

bool fields_source_path(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->path);
}

bool fields_source_format(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->format);
}

bool fields_source_job_table(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, r->job_source.table);
}

bool fields_source_job_page(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job_source.page);
}

bool fields_source_job_tag(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job_source.tag);
}

bool fields_source_job_long_value_id(const bp_record *r, util_arena *s, fields_field_value *v)
{
    v->text = fields_hex_id(s, r->job_source.long_value_id);
    return v->text != NULL;
}

bool fields_source_job_blob_size(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->job_source.blob_size);
}

bool fields_source_file_page(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->file_source.page);
}

bool fields_source_file_tag(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->file_source.tag);
}

bool fields_source_file_long_value_id(const bp_record *r, util_arena *s, fields_field_value *v)
{
    v->text = fields_hex_id(s, r->file_source.long_value_id);
    return v->text != NULL;
}

bool fields_source_file_blob_size(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, r->file_source.blob_size);
}

bool fields_source_offset(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_unsigned(v, fields_main_source(r)->offset);
}

/* Legacy state files read as a pair: "current", "previous", "unknown"; else "". */
bool fields_source_generation(const bp_record *r, util_arena *s, fields_field_value *v)
{
    (void)s;
    return fields_set_text(v, fields_main_source(r)->generation);
}

