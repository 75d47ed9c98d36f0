#include "bits/enum_names.h"

#include <stdio.h>
#include <string.h>

#include "bitsparse/bitsparse.h"

#define COUNT_OF(array) (sizeof(array) / sizeof((array)[0]))

static const char *name_at(const char *const *names, size_t count, uint32_t value)
{
    return value < count ? names[value] : "UNKNOWN";
}

const char *bp_job_type_name(uint32_t value)
{
    static const char *const names[] = {"BG_JOB_TYPE_DOWNLOAD", "BG_JOB_TYPE_UPLOAD",
                                        "BG_JOB_TYPE_UPLOAD_REPLY"};
    return name_at(names, COUNT_OF(names), value);
}

const char *bp_job_state_name(uint32_t value)
{
    static const char *const names[] = {
        "BG_JOB_STATE_QUEUED",          "BG_JOB_STATE_CONNECTING", "BG_JOB_STATE_TRANSFERRING",
        "BG_JOB_STATE_SUSPENDED",       "BG_JOB_STATE_ERROR",      "BG_JOB_STATE_TRANSIENT_ERROR",
        "BG_JOB_STATE_TRANSFERRED",     "BG_JOB_STATE_ACKNOWLEDGED", "BG_JOB_STATE_CANCELLED",
    };
    return name_at(names, COUNT_OF(names), value);
}

const char *bp_job_priority_name(uint32_t value)
{
    static const char *const names[] = {"BG_JOB_PRIORITY_FOREGROUND", "BG_JOB_PRIORITY_HIGH",
                                        "BG_JOB_PRIORITY_NORMAL", "BG_JOB_PRIORITY_LOW"};
    return name_at(names, COUNT_OF(names), value);
}

const char *bp_error_context_name(uint32_t value)
{
    static const char *const names[] = {
        "BG_ERROR_CONTEXT_NONE",
        "BG_ERROR_CONTEXT_UNKNOWN",
        "BG_ERROR_CONTEXT_GENERAL_QUEUE_MANAGER",
        "BG_ERROR_CONTEXT_QUEUE_MANAGER_NOTIFICATION",
        "BG_ERROR_CONTEXT_LOCAL_FILE",
        "BG_ERROR_CONTEXT_REMOTE_FILE",
        "BG_ERROR_CONTEXT_GENERAL_TRANSPORT",
        "BG_ERROR_CONTEXT_REMOTE_APPLICATION",
        "BG_ERROR_CONTEXT_SERVER_CERTIFICATE_CALLBACK",
    };
    return name_at(names, COUNT_OF(names), value);
}

const char *bp_proxy_usage_name(uint32_t value)
{
    static const char *const names[] = {"BG_JOB_PROXY_USAGE_PRECONFIG", "BG_JOB_PROXY_USAGE_NO_PROXY",
                                        "BG_JOB_PROXY_USAGE_OVERRIDE", "BG_JOB_PROXY_USAGE_AUTODETECT"};
    return name_at(names, COUNT_OF(names), value);
}

/* Append "|name" (or "name" first) at out[*used] without ever writing past
 * out[size - 1]; *used counts the bytes so far, so nothing is measured twice. */
static void append_name(char *out, size_t size, size_t *used, const char *name)
{
    size_t length = strlen(name);
    size_t need = (*used ? 1 : 0) + length;
    if (*used + need >= size)
        return;
    if (*used)
        out[(*used)++] = '|';
    memcpy(out + *used, name, length + 1);
    *used += length;
}

const char *bits_flags_text(uint32_t value, const bits_flag_name *names, size_t count, char *out,
                            size_t size)
{
    if (!out || size == 0)
        return "";
    out[0] = '\0';
    size_t used = 0;
    uint32_t unnamed = value;
    for (size_t i = 0; i < count; i++) {
        if (names[i].bit && (value & names[i].bit) == names[i].bit) {
            append_name(out, size, &used, names[i].name);
            unnamed &= ~names[i].bit;
        }
    }
    if (unnamed) {
        char hex[16];
        snprintf(hex, sizeof hex, "0x%x", unnamed);
        append_name(out, size, &used, hex);
    }
    return out;
}

const char *bits_notify_flags_text(uint32_t flags, char out[BITS_FLAGS_TEXT_SIZE])
{
    static const bits_flag_name names[] = {
        {0x01, "BG_NOTIFY_JOB_TRANSFERRED"},  {0x02, "BG_NOTIFY_JOB_ERROR"},
        {0x04, "BG_NOTIFY_DISABLE"},          {0x08, "BG_NOTIFY_JOB_MODIFICATION"},
        {0x10, "BG_NOTIFY_FILE_TRANSFERRED"}, {0x20, "BG_NOTIFY_FILE_RANGES_TRANSFERRED"},
    };
    return bits_flags_text(flags, names, COUNT_OF(names), out, BITS_FLAGS_TEXT_SIZE);
}

const char *bits_copy_file_flags_text(uint32_t flags, char out[BITS_FLAGS_TEXT_SIZE])
{
    static const bits_flag_name names[] = {
        {0x1, "BG_COPY_FILE_OWNER"},
        {0x2, "BG_COPY_FILE_GROUP"},
        {0x4, "BG_COPY_FILE_DACL"},
        {0x8, "BG_COPY_FILE_SACL"},
    };
    return bits_flags_text(flags, names, COUNT_OF(names), out, BITS_FLAGS_TEXT_SIZE);
}

const char *bits_cost_flags_text(uint32_t flags, char out[BITS_FLAGS_TEXT_SIZE])
{
    static const bits_flag_name names[] = {
        {0x01, "BITS_COST_STATE_UNRESTRICTED"},
        {0x02, "BITS_COST_STATE_CAPPED_USAGE_UNKNOWN"},
        {0x04, "BITS_COST_STATE_BELOW_CAP"},
        {0x08, "BITS_COST_STATE_NEAR_CAP"},
        {0x10, "BITS_COST_STATE_OVERCAP_CHARGED"},
        {0x20, "BITS_COST_STATE_OVERCAP_THROTTLED"},
        {0x40, "BITS_COST_STATE_USAGE_BASED"},
        {0x80, "BITS_COST_STATE_ROAMING"},
        {0x40000000, "BITS_COST_STATE_RESERVED"},
        {0x80000000, "BITS_COST_OPTION_IGNORE_CONGESTION"},
    };
    return bits_flags_text(flags, names, COUNT_OF(names), out, BITS_FLAGS_TEXT_SIZE);
}

const char *bits_cost_set_name(uint32_t flags)
{
    switch (flags) {
    case 0x80000067:
        return "BITS_COST_STATE_TRANSFER_STANDARD";
    case 0x8000006F:
        return "BITS_COST_STATE_TRANSFER_NO_SURCHARGE";
    case 0x8000007F:
        return "BITS_COST_STATE_TRANSFER_NOT_ROAMING";
    case 0x80000021:
        return "BITS_COST_STATE_TRANSFER_UNRESTRICTED";
    case 0x800000FF:
        return "BITS_COST_STATE_TRANSFER_ALWAYS";
    default:
        return "";
    }
}

const char *bits_integrity_level_name(uint32_t rid)
{
    switch (rid) {
    case 0x0000:
        return "Untrusted";
    case 0x1000:
        return "Low";
    case 0x2000:
        return "Medium";
    case 0x2100:
        return "MediumPlus";
    case 0x3000:
        return "High";
    case 0x4000:
        return "System";
    case 0x5000:
        return "Protected";
    default:
        return "UNKNOWN";
    }
}
