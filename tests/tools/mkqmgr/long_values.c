#include "long_values.h"

#include <stdlib.h>
#include <string.h>

uint64_t mk_lid(unsigned lid_size, uint32_t n)
{
    /* the samples' LID64 values look like 0x80000000800000NN */
    return lid_size == 8 ? 0x8000000080000000ULL + n : n;
}

static void put_lid(mk_buffer *b, unsigned lid_size, uint64_t lid)
{
    if (lid_size == 8)
        mk_put_u64be(b, lid);
    else
        mk_put_u32be(b, (uint32_t)lid);
}

void mk_lv_build(const mk_lv_value *values, size_t count, unsigned lid_size, uint32_t chunk_size, bool page_per_value,
                 mk_lv_tree *t)
{
    memset(t, 0, sizeof(*t));
    size_t nodes = 0;
    for (size_t i = 0; i < count; i++)
        nodes += 1 + (values[i].size + chunk_size - 1) / chunk_size;
    t->nodes = mk_alloc(nodes * sizeof(mk_node));
    size_t *offsets = mk_alloc(nodes * sizeof(size_t));
    /* first pass: keys (and root data) into storage; pointers are set after,
     * once the storage has stopped moving */
    for (size_t i = 0; i < count; i++) {
        const mk_lv_value *v = &values[i];
        mk_node *root = &t->nodes[t->count];
        offsets[t->count++] = t->storage.size;
        put_lid(&t->storage, lid_size, v->lid);
        mk_put_u32(&t->storage, v->refcount);
        mk_put_u32(&t->storage, (uint32_t)v->size);
        root->key_size = (uint16_t)lid_size;
        root->page_break = page_per_value;
        root->data_size = 8;
        for (size_t offset = 0; offset < v->size; offset += chunk_size) {
            mk_node *chunk = &t->nodes[t->count];
            offsets[t->count++] = t->storage.size;
            put_lid(&t->storage, lid_size, v->lid);
            mk_put_u32be(&t->storage, (uint32_t)offset);
            chunk->key_size = (uint16_t)(lid_size + 4);
            chunk->data = v->bytes + offset;
            chunk->data_size = (uint32_t)(v->size - offset < chunk_size ? v->size - offset : chunk_size);
        }
    }
    for (size_t i = 0; i < t->count; i++) {
        t->nodes[i].key = t->storage.data + offsets[i];
        if (!t->nodes[i].data) /* a root: its data follows its key */
            t->nodes[i].data = t->storage.data + offsets[i] + t->nodes[i].key_size;
    }
    free(offsets);
}

void mk_lv_free(mk_lv_tree *t)
{
    free(t->nodes);
    mk_buffer_free(&t->storage);
    memset(t, 0, sizeof(*t));
}
