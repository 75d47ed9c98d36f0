/* What the parts of the field table share (record_fields.h is the outside
 * view): small setters (record_fields.c) and the provenance fields, carving
 * and source.* (source_fields.c). */
#ifndef BP_FIELDS_FIELDS_INTERNAL_H
#define BP_FIELDS_FIELDS_INTERNAL_H

#include "fields/record_fields.h"

const char *fields_or_empty(const char *text);
bool fields_set_text(fields_field_value *value, const char *text);
bool fields_set_unsigned(fields_field_value *value, uint64_t number);
const char *fields_hex_id(util_arena *scratch, uint64_t id);
const bp_source *fields_main_source(const bp_record *r);

/* source_fields.c: one getter per field, as in the table */
bool fields_recovered_from(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_copies(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_locations(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_root(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_sha256(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_image(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_partition(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_partition_offset(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_volume_path(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_mft_entry(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_found(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_cluster(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_path(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_format(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_job_table(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_job_page(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_job_tag(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_job_long_value_id(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_job_blob_size(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_file_page(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_file_tag(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_file_long_value_id(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_file_blob_size(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_offset(const bp_record *r, util_arena *s, fields_field_value *v);
bool fields_source_generation(const bp_record *r, util_arena *s, fields_field_value *v);

#endif
