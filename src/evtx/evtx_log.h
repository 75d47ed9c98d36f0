/* A Windows XML event log (.evtx) read through Debian's libevtx: every record
 * of one provider is handed to a callback with its event id, time and event
 * data (value and, when the XML names them, the name of each item). The file
 * is read from memory (a libbfio memory range), never reopened by path.
 * docs/format-evtx.md describes what is taken from where. */
#ifndef BP_EVTX_EVTX_LOG_H
#define BP_EVTX_EVTX_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "evtx/binxml_values.h"
#include "util/arena.h"

/* Caps on what one record may announce (libevtx already bounds a record by
 * its 64 KiB chunk; these bound what is copied out of it). */
#define EVTX_MAX_DATA_ITEMS 256
#define EVTX_MAX_XML_SIZE ((size_t)4 << 20)

/* One event record as the callback sees it. Everything points into a scratch
 * arena that is reset after the callback returns: copy what must be kept. */
typedef struct evtx_event {
    uint64_t record_id;       /* EventRecordID */
    uint64_t offset;          /* file offset of the record */
    bool recovered;           /* found in free space (libevtx's recovered records) */
    uint32_t event_id;
    uint32_t version;         /* System/Version, 0 when absent */
    uint64_t time;            /* System/TimeCreated/@SystemTime, else the written time (FILETIME) */
    uint64_t written_time;    /* the record header's written time */
    const char *provider;     /* System/Provider/@Name */
    const char *channel;      /* System/Channel, "" when absent */
    size_t data_count;        /* event data items (EventData/Data), in order */
    const char *const *values;  /* their values, never NULL */
    const char *const *names;   /* their Name attributes ("" when unnamed); NULL when the
                                 XML did not give one name per value */
    const binxml_value *raw;    /* the record's own type, size and bytes of each value; NULL
                                 when its binary XML could not be followed that far */
} evtx_event;

/* What the reader saw, for the caller's notes. */
typedef struct evtx_log_stats {
    size_t records;           /* records libevtx lists */
    size_t delivered;         /* records of the wanted provider handed to the callback */
    size_t other_provider;    /* records of other providers, skipped */
    size_t unreadable;        /* records libevtx could not return or decode */
    size_t recovered;         /* records libevtx finds in free space ("recovered" records) */
    size_t recovered_delivered;   /* of those, wanted-provider records handed to the callback */
    size_t recovered_other;       /* of those, records of other providers */
    size_t recovered_unreadable;  /* of those, records libevtx cannot return or decode */
    size_t free_space_readable;   /* records in the chunks' free space that name the provider and
                                     whose EventData bitsparse's own reader follows (counted
                                     without libevtx, with or without free_space) */
    size_t binxml_over_budget;    /* records whose binary XML took too many steps to follow
                                     (value types unknown: raw NULL) */
    bool dirty;               /* the header says the log was not closed cleanly */
} evtx_log_stats;

/* Return false to stop (out of memory). */
typedef bool (*evtx_event_fn)(const evtx_event *event, void *context);

/* "ElfFile\0" at offset 0. */
bool evtx_is_log(const uint8_t *data, size_t size);

/* Read every record whose provider is `provider` (ASCII case ignored) and hand
 * it to fn: the records of the chunks, then, only when `free_space` is set,
 * those libevtx recovers from free space (event->recovered set). libevtx's
 * decoding of free space is its most fragile path, so without `free_space` it
 * is not run at all; stats->free_space_readable still says how many there are.
 * Problems with single records, and damage the walk over the chunks finds
 * (CRC32s, missing or moved chunks, a cut), become notes in *warnings
 * (allocated in `arena`), at most a few each, then a count. Returns false
 * when libevtx cannot open the file at all (the reason is added to
 * *warnings). */
bool evtx_log_read(const uint8_t *data, size_t size, const char *provider, bool free_space, evtx_event_fn fn,
                   void *context, util_arena *arena, bp_note_list *warnings, evtx_log_stats *stats);

/* Tests only: the reader process kills itself when it reaches record `index`
 * (0-based; -1 = never), as libevtx does when a damaged record crashes it. */
void evtx_log_simulate_crash(int index);

/* "YYYY-MM-DDTHH:MM:SS[.fraction]Z" (the form event logs write times in) to a
 * FILETIME; fraction digits past the seventh are dropped. false when the text
 * is not such a time or lies before 1601. 1601-01-01T00:00:00Z gives 0. */
bool evtx_parse_time(const char *text, uint64_t *filetime);

#endif
