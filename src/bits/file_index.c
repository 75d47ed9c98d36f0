/* The Files index's order and its search by id (file_index.h). */
#include "bits/file_index.h"

#include <stdlib.h>
#include <string.h>

int bits_file_entry_order(const file_entry *x, bool has_id, const uint8_t key[16])
{
    if (x->has_id != has_id)
        return x->has_id ? 1 : -1;
    return has_id ? memcmp(x->key, key, 16) : 0;
}

int bits_file_entry_compare(const void *a, const void *b)
{
    const file_entry *x = a, *y = b;
    int order = bits_file_entry_order(x, y->has_id, y->key);
    if (order)
        return order;
    return x->walk_index < y->walk_index ? -1 : x->walk_index > y->walk_index;
}

size_t bits_file_bucket_of(bool has_id, const uint8_t key[16])
{
    return has_id ? 1u + ((size_t)key[0] << 4 | (size_t)(key[1] >> 4)) : 0u;
}

uint64_t bits_file_key_prefix(const uint8_t key[16])
{
    uint64_t prefix = 0;
    for (int i = 0; i < 8; i++)
        prefix = prefix << 8 | key[i];
    return prefix;
}

typedef struct id_key {
    bool has_id;
    uint8_t key[16];
} id_key;

static int compare_key(const void *key, const void *entry)
{
    const id_key *k = key;
    return -bits_file_entry_order(entry, k->has_id, k->key);
}

/* The order of the key against entry i: different prefixes order two keys
 * as their whole keys do (an entry without an id has an all-zero key and
 * sorts first), so only equal prefixes read the entry. */
static int order_at(const bits_file_lookup *index, const id_key *key, uint64_t prefix, size_t i)
{
    uint64_t at = index->prefixes[i];
    return prefix != at ? (prefix < at ? -1 : 1) : compare_key(key, &index->entries[i]);
}

/* glibc's bsearch step for step: among equal ids the same entry. */
static const file_entry *search_all(const bits_file_lookup *index, const id_key *key, uint64_t prefix)
{
    size_t low = 0, high = index->count;
    while (low < high) {
        size_t middle = (low + high) / 2;
        int order = order_at(index, key, prefix, middle);
        if (order < 0)
            high = middle;
        else if (order > 0)
            low = middle + 1;
        else
            return &index->entries[middle];
    }
    return NULL;
}

const file_entry *bits_file_index_find(const bits_file_lookup *index, bool has_id, const uint8_t key[16])
{
    id_key k = {has_id, {0}};
    if (has_id)
        memcpy(k.key, key, 16);
    if (index->count == 0)
        return NULL;  /* bsearch must not see a NULL array */
    if (!index->prefixes)
        return bsearch(&k, index->entries, index->count, sizeof(file_entry), compare_key);
    uint64_t prefix = bits_file_key_prefix(k.key);
    if (!index->starts)
        return search_all(index, &k, prefix);
    /* the first entry of the bucket not below the key; an equal one can only
     * be in this bucket (the bucket is a function of the key) */
    size_t bucket = bits_file_bucket_of(has_id, k.key);
    size_t low = index->starts[bucket], high = index->starts[bucket + 1];
    size_t end = high;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (order_at(index, &k, prefix, middle) > 0)
            low = middle + 1;
        else
            high = middle;
    }
    if (low == end || order_at(index, &k, prefix, low) != 0)
        return NULL;  /* no entry holds the id */
    if (low + 1 < end && order_at(index, &k, prefix, low + 1) == 0)
        return search_all(index, &k, prefix);  /* several do: the one bsearch picks */
    return &index->entries[low];
}
