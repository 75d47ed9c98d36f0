/* The flag fields (flags, acl_flags, cost_flags): record_fields.c keeps the
 * last flag texts it built and copies them (test_flag_texts_repeated_and_
 * interleaved). Every value, whether built or copied, equals the naming
 * function's own text, stays right after later values are computed (each
 * is a copy in the scratch arena), and no flags give "". */
#include <string.h>

#include "bits/enum_names.h"
#include "check.h"
#include "fields/record_fields.h"

static util_arena arena;

static const fields_field *field_named(const char *name)
{
    for (size_t i = 0; i < fields_record_field_count(); i++)
        if (strcmp(fields_record_field(i)->name, name) == 0 && !fields_record_field(i)->group)
            return fields_record_field(i);
    return NULL;
}

static const char *value_of(const char *name, const bp_job *job)
{
    const fields_field *field = field_named(name);
    CHECK(field != NULL);
    if (!field)
        return "(no field)";
    bp_record record = {.job = (bp_job *)job};
    fields_field_value value;
    if (!fields_record_field_value(field, &record, &arena, &value))
        return "(out of memory)";
    CHECK_U64(value.kind, FIELDS_FIELD_TEXT);
    return value.text;
}

static void test_flag_texts_repeated_and_interleaved(void)
{
    /* more distinct (function, flags) pairs than are kept, in an order that
     * hits, misses after being pushed out, and mixes the three fields */
    static const struct { const char *field; uint32_t flags; } order[] = {
        {"flags", 3}, {"cost_flags", 0x8000003F}, {"flags", 3}, {"acl_flags", 1}, {"flags", 1},
        {"cost_flags", 1}, {"acl_flags", 15}, {"flags", 3}, {"cost_flags", 0x8000003F}, {"flags", 0},
        {"acl_flags", 1}, {"flags", 2}, {"cost_flags", 0x8000003F}, {"flags", 3}, {"cost_flags", 0},
    };
    enum { COUNT = sizeof order / sizeof order[0] };
    const char *got[COUNT];
    for (size_t i = 0; i < COUNT; i++) {
        bp_job job = {0};
        if (strcmp(order[i].field, "flags") == 0)
            job.notify_flags = order[i].flags;
        else if (strcmp(order[i].field, "cost_flags") == 0)
            job.cost_flags = order[i].flags;
        else
            job.acl_flags = order[i].flags;
        got[i] = value_of(order[i].field, &job);
    }
    for (size_t i = 0; i < COUNT; i++) {  /* checked after all were computed */
        char buf[BITS_FLAGS_TEXT_SIZE];
        const char *want = "";
        if (order[i].flags && strcmp(order[i].field, "flags") == 0)
            want = bits_notify_flags_text(order[i].flags, buf);
        else if (order[i].flags && strcmp(order[i].field, "cost_flags") == 0)
            want = bits_cost_flags_text(order[i].flags, buf);
        else if (order[i].flags)
            want = bits_copy_file_flags_text(order[i].flags, buf);
        CHECK_STR(got[i], want);
    }
    CHECK_STR(got[0], "BG_NOTIFY_JOB_TRANSFERRED|BG_NOTIFY_JOB_ERROR");
    CHECK_STR(got[2], "BG_NOTIFY_JOB_TRANSFERRED|BG_NOTIFY_JOB_ERROR");
    CHECK(got[0] != got[2]);  /* each value its own copy */
    CHECK_STR(got[12], "BITS_COST_STATE_UNRESTRICTED|BITS_COST_STATE_CAPPED_USAGE_UNKNOWN|BITS_COST_STATE_BELOW_CAP|"
                       "BITS_COST_STATE_NEAR_CAP|BITS_COST_STATE_OVERCAP_CHARGED|BITS_COST_STATE_OVERCAP_THROTTLED|"
                       "BITS_COST_OPTION_IGNORE_CONGESTION");
    CHECK_STR(got[9], "");
    CHECK_STR(got[14], "");
}

int main(void)
{
    util_arena_init(&arena);
    test_flag_texts_repeated_and_interleaved();
    util_arena_free(&arena);
    return check_exit();
}
