/* The whole output of a result in one format, as a user gets it from the
 * writers: a NUL-terminated malloc'ed text (NULL when no memory stream). Needs
 * check.h first. */
#ifndef BP_TESTS_OUTPUT_TEXT_H
#define BP_TESTS_OUTPUT_TEXT_H

#include <stdio.h>

#include "bitsparse/bitsparse.h"

static char *output_text(const bp_result *result, bp_format format)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    CHECK(out != NULL);
    if (!out)
        return NULL;
    CHECK(bp_write(out, result, format) == 0);
    fclose(out);
    return text;
}

#endif
