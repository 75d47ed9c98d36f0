/* A FILETIME as the output writes it (bp_format_filetime), for comparing with
 * known answers. The text lives in one of eight rotating buffers, so a few
 * can be used in one expression. */
#ifndef BP_TEST_TIME_TEXT_H
#define BP_TEST_TIME_TEXT_H

#include <stdint.h>

#include "bitsparse/bitsparse.h"

static inline const char *time_text(uint64_t filetime)
{
    static char buffers[8][32];
    static int next;
    char *buf = buffers[next++ % 8];
    bp_format_filetime(filetime, buf);
    return buf;
}

#endif
