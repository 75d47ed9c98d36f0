/* The result of a parse: an arena that owns everything, the records in
 * output order, and input-level warnings. */
#ifndef BP_RESULT_RESULT_H
#define BP_RESULT_RESULT_H

#include "bitsparse/bitsparse.h"
#include "util/arena.h"
#include "util/string_map.h"

/* An input file read into the result, for its records' provenance
 * (source.root, source.sha256) and to read the same bytes only once. */
typedef struct result_input_origin {
    const char *path;     /* as its records' source.path (arena) */
    const char *root;     /* system root it was found under, "" when none */
    const char *sha256;   /* hex digest, "" when not read whole */
    /* a file out of a disk image (bp_source), else NULL / 0 */
    const char *image;
    uint32_t partition;
    uint64_t partition_offset;
    const char *volume_path;
    uint64_t mft_entry;
    bool deleted;
    /* areas of an image streamed by --carve: source.found (a literal, not
     * copied) and the volume's cluster size (source.cluster); NULL / 0 else */
    const char *found;
    uint32_t cluster_size;
} result_input_origin;

/* Records written as they are finished (result/stream.c, docs/design.md
 * "Streaming"): the sink gets each batch of finished records, in output
 * order, and may change them (detections) before writing them; afterwards
 * they and everything in `window` are gone. */
typedef void (*result_sink)(bp_result *result, bp_record *records, size_t count, void *context);
/* Sees each batch before the sink, read-only: a carve session keeps the few
 * facts of the live records its finish needs (carve/session_live.c). */
typedef void (*result_observer)(bp_result *result, const bp_record *records, size_t count, void *context);

/* A batch is handed over once it holds this many records, at the next point
 * where a record may be finished (after a job and its files). */
#define RESULT_STREAM_BATCH 256

typedef struct result_stream {
    result_sink sink;   /* NULL: every record is kept (the library API) */
    void *context;
    result_observer observer;  /* NULL: none */
    void *observer_context;
    util_arena window;       /* what the held records point to; freed after each batch */
    size_t streamed;       /* records handed to the sink */
    size_t warned;         /* of them, records with warnings (the input's status) */
} result_stream;

struct bp_result {
    util_arena arena;
    bp_record *records;   /* malloc'ed, grows */
    size_t count;
    size_t capacity;
    bp_note_list warnings;
    int status;           /* worst bp_status seen so far */
    struct result_parser_state *parser_states;  /* result_result_parser_state: what parsers keep across inputs */
    bp_database_info *databases;  /* malloc'ed, grows: ESE databases read, in order */
    size_t database_count;
    size_t database_capacity;
    result_input_origin *inputs;      /* malloc'ed, grows: every input file read, in order */
    size_t input_count;
    size_t input_capacity;
    util_string_map input_by_path;  /* path -> index in inputs */
    util_string_map input_by_sha256;
    bool no_hash;                   /* bp_parse_options.no_hash of the input being read */
    util_string_map input_by_file;  /* no_hash: (device, inode) of files read -> index in inputs */
    result_stream stream;
    size_t held_max;      /* most records held at once (tests of streaming) */
};

bp_result *result_new(void);
/* Append a zeroed record and return it (NULL when out of memory). */
bp_record *result_add(bp_result *result);
/* Remember an ESE database and its header state (bp_result_database). path
 * must live in the result's arena; state_name is the ESE layer's static name
 * of the state (passed in, so this layer stays below ese/). false when out of
 * memory. */
bool result_add_database(bp_result *result, const char *path, uint32_t state, const char *state_name);
/* Raise the result's status to at least `status`. */
void result_note_status(bp_result *result, int status);

/* State a parser keeps across the inputs of one result (the pairs of legacy
 * state files: bits/legacy_generation.c), so the result needs no member for
 * any one parser. Found by `key`, an address the parser owns; zeroed and
 * arena-allocated on first use. NULL when out of memory. */
void *result_result_parser_state(bp_result *result, const void *key, size_t size);
/* The same without creating it: NULL when never asked for. */
void *result_find_parser_state(const bp_result *result, const void *key);

/* result/stream.c. Hand every finished record to `sink` instead of keeping
 * it; set before anything is parsed into the result. Only for runs where no
 * later input can change a record already finished (main.c, design.md). */
void result_stream_to(bp_result *result, result_sink sink, void *context);
/* Show every batch to `observer` before the sink gets it (NULL: stop). */
void result_stream_observe(bp_result *result, result_observer observer, void *context);
/* Where a parser puts what a record points to (decoded jobs and files, their
 * warnings): the stream's window when streaming, else the result's arena. */
util_arena *result_record_arena(bp_result *result);
/* The records held so far are finished (a parser between two jobs): handed
 * to the sink once there are RESULT_STREAM_BATCH of them. */
void result_stream_point(bp_result *result);
/* Hand every held record to the sink now (the end of an input). */
void result_stream_flush(bp_result *result);

/* result/provenance.c. Remember an input file read (strings copied). */
void result_note_input(bp_result *result, const char *path, const char *root, const char *sha256);
/* The same with every provenance field (a file out of a disk image). */
void result_note_origin(bp_result *result, const result_input_origin *origin);
/* The path of an input already read with these bytes, NULL when none. */
const char *result_input_with_sha256(const bp_result *result, const char *sha256);
/* Give every record whose source has no root yet the root and sha256 of the
 * input named by its source path ("" when unknown). */
void result_fill_provenance(bp_result *result);
/* The same for one record. */
void result_fill_record_provenance(const bp_result *result, bp_record *record);

#endif
