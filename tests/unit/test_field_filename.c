/* The filename field: what follows the last separator of either kind in the
 * file's local path (record_fields.c takes the later of the last '\\' and the
 * last '/'). */
#include "check.h"
#include "fields/record_fields.h"

static util_arena arena;

static const char *filename_of(const char *local_path)
{
    const fields_field *field = NULL;
    for (size_t i = 0; i < fields_record_field_count(); i++)
        if (strcmp(fields_record_field(i)->name, "filename") == 0)
            field = fields_record_field(i);
    if (!field)
        return "(no field)";
    bp_file file = {.local_path = local_path};
    bp_record record = {.file = local_path ? &file : NULL};
    fields_field_value value;
    if (!fields_record_field_value(field, &record, &arena, &value))
        return "(out of memory)";
    CHECK_U64(value.kind, FIELDS_FIELD_TEXT);
    return value.text;
}

int main(void)
{
    util_arena_init(&arena);
    CHECK_STR(filename_of("C:\\Users\\dana\\AppData\\Local\\Temp\\part0.bin"), "part0.bin");
    CHECK_STR(filename_of("C:\\dir/sub\\name.txt"), "name.txt");
    CHECK_STR(filename_of("C:\\dir\\sub/name.txt"), "name.txt");
    CHECK_STR(filename_of("/var/tmp/x"), "x");
    CHECK_STR(filename_of("nosep.dat"), "nosep.dat");
    CHECK_STR(filename_of("C:\\dir\\"), "");
    CHECK_STR(filename_of("\\"), "");
    CHECK_STR(filename_of(""), "");
    CHECK_STR(filename_of(NULL), "");
    util_arena_free(&arena);
    return check_exit();
}
