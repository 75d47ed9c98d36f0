#include "util/growable.h"

#include <stdint.h>
#include <stdlib.h>

bool bp_grow(void **items, size_t *capacity, size_t count, size_t element_size)
{
    if (count < *capacity)
        return true;
    size_t next = *capacity ? *capacity * 2 : 64;
    if (next < *capacity || next > SIZE_MAX / element_size)
        return false;
    void *grown = realloc(*items, next * element_size);
    if (!grown)
        return false;
    *items = grown;
    *capacity = next;
    return true;
}
