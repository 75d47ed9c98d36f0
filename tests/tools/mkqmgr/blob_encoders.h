/* Encoders of the ESE-era BITS blobs: Jobs.Blob (bits-format §4.1, with its
 * self-relative security descriptor §4.6) and Files.Blob (§5.1). Fields the
 * format notes mark unknown get the values the real samples carry. */
#ifndef MKQMGR_BLOB_ENCODERS_H
#define MKQMGR_BLOB_ENCODERS_H

#include "byte_buffer.h"
#include "description.h"

void mk_encode_job_blob(const mk_description *d, const mk_job *job, mk_buffer *out);
void mk_encode_file_blob(const mk_file *file, mk_buffer *out);

/* Binary SID of "S-1-…" (false when the text is not a SID). */
bool mk_encode_sid(const char *text, mk_buffer *out);

#endif
