/* Flag names joined with '|' (bits/enum_names.c), appended with the count of
 * bytes used kept rather than measured again: exact texts, a name that does
 * not fit whole is left out (never cut) while a later shorter one may still
 * fit, unnamed bits as hex, and every buffer size from 1 to 40 against the
 * plain way that measures the text before each name. */
#include "bits/enum_names.h"
#include "check.h"

static const bits_flag_name names[] = {
    {0x1, "ObjectInherit"}, {0x2, "CI"}, {0x6, "Both"}, {0x8, ""}, {0x10, "Inherited"},
};

/* The rule as first written: measure, skip what does not fit, else append. */
static void reference(uint32_t value, char *out, size_t size)
{
    out[0] = '\0';
    uint32_t unnamed = value;
    for (size_t i = 0; i <= sizeof names / sizeof names[0]; i++) {
        char hex[16];
        const char *name;
        if (i < sizeof names / sizeof names[0]) {
            if (!names[i].bit || (value & names[i].bit) != names[i].bit)
                continue;
            name = names[i].name;
            unnamed &= ~names[i].bit;
        } else {
            if (!unnamed)
                break;
            snprintf(hex, sizeof hex, "0x%x", unnamed);
            name = hex;
        }
        size_t used = strlen(out), length = strlen(name);
        if (used + (used ? 1 : 0) + length >= size)
            continue;
        if (used)
            out[used++] = '|';
        memcpy(out + used, name, length + 1);
    }
}

int main(void)
{
    char text[64];
    const size_t count = sizeof names / sizeof names[0];
    CHECK_STR(bits_flags_text(0x13, names, count, text, sizeof text), "ObjectInherit|CI|Inherited");
    CHECK_STR(bits_flags_text(0x7, names, count, text, sizeof text), "ObjectInherit|CI|Both");
    CHECK_STR(bits_flags_text(0x101, names, count, text, sizeof text), "ObjectInherit|0x100");
    CHECK_STR(bits_flags_text(0, names, count, text, sizeof text), "");
    CHECK_STR(bits_flags_text(0x12, names, count, text, 13), "CI|Inherited");    /* exactly fits */
    CHECK_STR(bits_flags_text(0x12, names, count, text, 12), "CI");              /* Inherited left out */
    CHECK_STR(bits_flags_text(0x3, names, count, text, 14), "ObjectInherit");    /* "|CI" does not fit */
    CHECK_STR(bits_flags_text(0x11, names, count, text, 10), "Inherited");       /* the first left out */
    size_t mismatches = 0;
    for (size_t size = 1; size <= 40; size++) {
        for (uint32_t value = 0; value < 0x40; value++) {
            char got[64], want[64];
            memset(got, 'x', sizeof got);
            bits_flags_text(value | (value & 0x20 ? 0x80000000u : 0), names, count, got, size);
            reference(value | (value & 0x20 ? 0x80000000u : 0), want, size);
            if (strcmp(got, want) != 0 || strlen(got) >= size)
                mismatches++;
        }
    }
    CHECK_U64(mismatches, 0);
    return check_exit();
}
