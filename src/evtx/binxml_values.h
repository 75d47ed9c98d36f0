/* The types of an event record's EventData values, read from its binary XML
 * (docs/format-evtx.md §2a). libevtx hands out the values as text only, and
 * renders a value by the type its template expects: bytes of another type
 * (UTF-16 text where a GUID belongs) come out looking like a valid GUID.
 * This reader finds, for each EventData/Data item in order, the substitution
 * value the template puts there, with the type and size the record itself
 * declares for it and its bytes. */
#ifndef BP_EVTX_BINXML_VALUES_H
#define BP_EVTX_BINXML_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BINXML_TYPE_STRING 0x01
#define BINXML_TYPE_GUID 0x0f
#define BINXML_TYPE_BINXML 0x21

typedef struct binxml_value {
    uint8_t type;             /* the record's value type (0 = no value: an empty optional substitution) */
    uint16_t size;            /* bytes the record gives it */
    const uint8_t *bytes;     /* inside the log's data; NULL when size is 0 */
} binxml_value;

/* The work one record took: token steps over all its fragments (each
 * nested fragment walks its template again), and whether the budget of
 * BINXML_MAX_STEPS ran out, which gives up on the record (false). */
#define BINXML_MAX_STEPS 100000
typedef struct binxml_cost {
    size_t steps;
    bool over_budget;
} binxml_cost;

/* The EventData values of the record at `offset` of a log (`data`, `size`:
 * the whole file, 64 KiB chunks from 4096). Fills out[0..*count) (at most
 * `max`) and returns true when every Data item of EventData holds exactly
 * one substitution; false (count 0) when the record's XML cannot be followed
 * that far, or not within BINXML_MAX_STEPS steps. `cost` (may be NULL) says
 * what it took. Reads only through the bounds-checked reader. */
bool binxml_event_data_values(const uint8_t *data, size_t size, uint64_t offset, binxml_value *out, size_t max,
                              size_t *count, binxml_cost *cost);

#endif
