/* Decoder of the ESE-era job blob (Jobs.Blob; bits-format §4). */
#ifndef BP_BITS_JOB_BLOB_H
#define BP_BITS_JOB_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "bitsparse/bitsparse.h"
#include "bits/security_descriptor_cache.h"
#include "util/arena.h"

/* Decode a job blob. Always returns a job (NULL only when out of memory):
 * whatever decodes is kept, and what does not becomes a warning on the job. */
bp_job *bits_decode_job(util_arena *arena, const uint8_t *blob, size_t size);
/* The same, the security descriptor through `sd_cache` (the jobs of one queue
 * share a few descriptors); the job may point into the cache's arena. */
bp_job *bits_decode_job_cached(util_arena *arena, const uint8_t *blob, size_t size, bits_sd_cache *sd_cache);

#endif
