/* Names as collectors store them (issue 19): KAPE keeps Windows names under a
 * drive-letter folder (C/ProgramData/…, "%4" kept); Velociraptor URL-encodes
 * every name ("%25" for "%", "%2E" for a leading dot, "C%3A" for the volume). */
#ifndef BP_INPUT_COLLECTOR_NAMES_H
#define BP_INPUT_COLLECTOR_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#include "util/arena.h"

/* Decode %XX (two hex digits) in one name into out (capacity bytes, NUL
 * terminated, cut when too long); anything else, a lone "%4" included, is
 * copied unchanged. */
void input_collector_decode(const char *name, size_t length, char *out, size_t capacity);

/* A queue file name, decoded: qmgr*.db or qmgr*.dat, any case. */
bool input_is_queue_name(const char *decoded);

/* The Bits-Client operational log, decoded: Microsoft-Windows-Bits-Client%4Operational.evtx. */
bool input_is_bits_client_log_name(const char *decoded);

/* The system root of a path: the part before ProgramData/Microsoft/Network/
 * Downloader, Documents and Settings/All Users/Application Data/Microsoft/
 * Network/Downloader or Windows/System32/winevt/Logs (components decoded,
 * any case); "." when the path starts there, "" when it holds none of them.
 * The string is in the arena (NULL when out of memory). */
const char *input_system_root(util_arena *arena, const char *path);

#endif
