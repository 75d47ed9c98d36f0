#include "util/growable.h"

#include <stdint.h>
#include <stdlib.h>

bool util_grow_to(void **items, size_t *capacity, size_t needed, size_t element_size)
{
    if (needed <= *capacity)
        return true;
    size_t next = *capacity ? *capacity : 64;
    while (next < needed) {
        if (next > SIZE_MAX / 2)
            return false;
        next *= 2;
    }
    if (next > SIZE_MAX / element_size)
        return false;
    void *grown = realloc(*items, next * element_size);
    if (!grown)
        return false;
    *items = grown;
    *capacity = next;
    return true;
}
