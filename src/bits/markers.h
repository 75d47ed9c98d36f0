/* Byte signatures and limits of the BITS queue formats (bits-format §4.3, §5,
 * §6.1, §6.3, §7.1). All GUIDs are given as their 16 on-disk bytes (Windows
 * memory order), so callers compare them with memcmp against blob bytes. */
#ifndef BP_BITS_MARKERS_H
#define BP_BITS_MARKERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BITS_GUID_SIZE 16

/* Generous limits for untrusted counts (bits-format §7.3). */
#define BITS_WSTR_MAX_UNITS 32768u       /* counted string, code units incl. the NUL */
/* No limit on the files of a job: Windows applies MaxFilesPerJob (200 by default) to users
   only, not to administrators and services, and before Vista to nobody. A file count is
   bounded by the bytes that must hold its entries. */
#define BITS_SD_MAX_SIZE 65536u          /* security descriptor length */

/* Documented BITS default of the maximum download time (90 days, §4.1 #48). */
#define BITS_DEFAULT_MAX_DOWNLOAD_TIME 7776000u

/* Which serializer generation uses a job marker. */
typedef enum bits_marker_era {
    BITS_ERA_ESE = 0,     /* Jobs.Blob of qmgr.db (Windows 10/11) */
    BITS_ERA_LEGACY = 1,  /* job record of qmgr0.dat / qmgr1.dat */
} bits_marker_era;

typedef struct bits_job_marker {
    uint8_t bytes[BITS_GUID_SIZE];
    bits_marker_era era;
    const char *note;     /* what is known about it (and who says so) */
} bits_job_marker;

/* Every known job marker (header = footer of a job blob or record). */
extern const bits_job_marker bits_job_markers[];
extern const size_t bits_job_marker_count;

/* ESE-era file blob header and footer {519ECFE4-D946-4397-B73E-268513051AB2}. */
extern const uint8_t bits_file_marker[BITS_GUID_SIZE];
/* Around a job's file list {7756DA36-516F-435A-ACAC-44A248FFF34D}. */
extern const uint8_t bits_transfer_marker[BITS_GUID_SIZE];
/* Twice near the end of every ESE-era file blob {7AADB02E-8BCF-4D2E-B82F-4319D2FB5F75}. */
extern const uint8_t bits_file_tail_marker[BITS_GUID_SIZE];
/* The constant 03 00 00 00 12 00 00 00 03 00 00 00 13 00 00 00 that sits between the
 * creator program and the HTTP method of an ESE-era job blob (§4.1 #57). */
extern const uint8_t bits_job_tail_anchor[BITS_GUID_SIZE];
/* DPAPI provider {DF9D8CD0-1501-11D1-8C7A-00C04FC297EB} of the custom-headers blob. */
extern const uint8_t bits_dpapi_provider[BITS_GUID_SIZE];

/* Legacy state file framing (§6.1). */
extern const uint8_t bits_legacy_file_header[BITS_GUID_SIZE];   /* {C82BF713-...} */
extern const uint8_t bits_legacy_queue_header[BITS_GUID_SIZE];  /* {005F4447-...} */
extern const uint8_t bits_legacy_version_win7[BITS_GUID_SIZE];  /* {2B196AF5-...} */
extern const uint8_t bits_legacy_version_win10[BITS_GUID_SIZE]; /* {09ED3228-...} */

/* The table entry of a known job marker, NULL when `bytes` (16 bytes) is none. */
const bits_job_marker *bits_find_job_marker(const uint8_t bytes[BITS_GUID_SIZE]);

/* True when the 16 bytes are any known job marker, ESE-era or legacy. */
bool bits_is_job_marker(const uint8_t bytes[BITS_GUID_SIZE]);

#endif
