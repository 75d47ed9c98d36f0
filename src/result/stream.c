/* Records written as they are finished (docs/design.md "Streaming"): instead
 * of keeping every record until the end of the run, a parser marks the points
 * where the records it added are final, and they go to the sink in batches.
 * Each record is first given what the end of an input gives the records kept
 * (input/parse.c, bp_parse_path_ex): "" for an unset generation and its
 * provenance; the sink then runs the detections and writes it. After a batch
 * the records array is reused and the window arena holding their data freed,
 * so memory stays bounded by one batch, not by the size of the queue. */
#include "result/result.h"

void result_stream_to(bp_result *result, result_sink sink, void *context)
{
    result->stream.sink = sink;
    result->stream.context = context;
}

void result_stream_observe(bp_result *result, result_observer observer, void *context)
{
    result->stream.observer = observer;
    result->stream.observer_context = context;
}

util_arena *result_record_arena(bp_result *result)
{
    return result->stream.sink ? &result->stream.window : &result->arena;
}

static bool has_warnings(const bp_record *record)
{
    return record->warnings.count || (record->job && record->job->warnings.count) ||
           (record->file && record->file->warnings.count);
}

/* What parse_memory and bp_parse_path_ex do to the records kept at the end of
 * an input, done to a record handed over early. */
static void finish(bp_result *result, bp_record *record)
{
    if (!record->job_source.generation)
        record->job_source.generation = "";
    if (!record->file_source.generation)
        record->file_source.generation = "";
    if (has_warnings(record))
        result->stream.warned++;
    result_fill_record_provenance(result, record);
}

void result_stream_flush(bp_result *result)
{
    if (!result || !result->stream.sink || result->count == 0)
        return;
    for (size_t i = 0; i < result->count; i++)
        finish(result, &result->records[i]);
    if (result->stream.observer)
        result->stream.observer(result, result->records, result->count, result->stream.observer_context);
    result->stream.sink(result, result->records, result->count, result->stream.context);
    result->stream.streamed += result->count;
    result->count = 0;
    util_arena_reset(&result->stream.window);
}

void result_stream_point(bp_result *result)
{
    if (result->stream.sink && result->count >= RESULT_STREAM_BATCH)
        result_stream_flush(result);
}
