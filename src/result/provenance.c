/* Provenance of the records (issue 19): every input file read is remembered
 * with the system root it was found under and its sha256; records get them
 * through their source path once an input is done, carved records included
 * (they are added after the live ones, by carve_finish_input). */
#include <string.h>

#include "result/result.h"
#include "util/growable.h"

static const char *copy(bp_result *result, const char *text)
{
    return util_arena_strdup(&result->arena, text ? text : "");
}

void result_note_input(bp_result *result, const char *path, const char *root, const char *sha256)
{
    result_input_origin origin = {.path = path, .root = root, .sha256 = sha256};
    result_note_origin(result, &origin);
}

void result_note_origin(bp_result *result, const result_input_origin *from)
{
    if (!util_grow((void **)&result->inputs, &result->input_capacity, result->input_count, sizeof(result_input_origin)))
        return;  /* out of memory: the records keep "" */
    result_input_origin origin = *from;
    origin.path = copy(result, from->path);
    origin.root = copy(result, from->root);
    origin.sha256 = copy(result, from->sha256);
    origin.image = copy(result, from->image);
    origin.volume_path = copy(result, from->volume_path);
    if (!origin.path || !origin.root || !origin.sha256 || !origin.image || !origin.volume_path)
        return;
    size_t index = result->input_count++;
    result->inputs[index] = origin;
    util_string_map_set(&result->input_by_path, origin.path, index);
    if (origin.sha256[0])
        util_string_map_add(&result->input_by_sha256, origin.sha256, index);
}

const char *result_input_with_sha256(const bp_result *result, const char *sha256)
{
    size_t index;
    return util_string_map_get(&result->input_by_sha256, sha256, &index) ? result->inputs[index].path : NULL;
}

/* Fill a source not filled yet (root NULL); returns its input, NULL when unknown. */
static const result_input_origin *fill_source(const bp_result *result, bp_source *source)
{
    if (source->root)
        return NULL;
    size_t index;
    const result_input_origin *origin = source->path && util_string_map_get(&result->input_by_path, source->path, &index)
                                        ? &result->inputs[index] : NULL;
    source->root = origin ? origin->root : "";
    source->sha256 = origin ? origin->sha256 : "";
    source->image = origin ? origin->image : "";
    source->partition = origin ? origin->partition : 0;
    source->partition_offset = origin ? origin->partition_offset : 0;
    source->volume_path = origin ? origin->volume_path : "";
    source->mft_entry = origin ? origin->mft_entry : 0;
    source->found = !origin || !origin->image[0] ? "" : origin->found ? origin->found
                    : origin->deleted ? "deleted" : "allocated";
    source->cluster = origin && origin->cluster_size && source->offset >= origin->partition_offset
                          ? (source->offset - origin->partition_offset) / origin->cluster_size : 0;
    return origin;
}

void result_fill_record_provenance(const bp_result *result, bp_record *record)
{
    const result_input_origin *job = fill_source(result, &record->job_source);
    const result_input_origin *file = fill_source(result, &record->file_source);
    if (!record->carved && ((job && job->deleted) || (file && file->deleted))) {
        /* a deleted file still named in the MFT: what it holds is carved */
        record->carved = true;
        record->recovered_from = "deleted file (MFT entry still naming it)";
    }
}

void result_fill_provenance(bp_result *result)
{
    for (size_t i = 0; i < result->count; i++)
        result_fill_record_provenance(result, &result->records[i]);
}
