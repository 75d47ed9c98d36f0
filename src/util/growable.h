/* Growth of malloc'ed arrays that are appended to (tree-walk stacks, table
 * rows, byte buffers filled piece by piece). */
#ifndef BP_UTIL_GROWABLE_H
#define BP_UTIL_GROWABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Make room for needed elements: doubles *capacity (from 64) until it holds
 * them. Returns false, leaving the array intact, when memory runs out or the
 * size would overflow. */
bool util_grow_to(void **items, size_t *capacity, size_t needed, size_t element_size);

/* Make room for one more element: doubles *capacity (from 64) when
 * count == *capacity. Returns false, leaving the array intact, when memory
 * runs out or the size would overflow. Inline, so that the common case (room
 * left) is one comparison at the caller. */
static inline bool util_grow(void **items, size_t *capacity, size_t count, size_t element_size)
{
    return count < *capacity || (count < SIZE_MAX && util_grow_to(items, capacity, count + 1, element_size));
}

#endif
