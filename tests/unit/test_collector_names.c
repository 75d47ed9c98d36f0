/* Collector name encodings and system roots (src/input/collector_names.c):
 * Velociraptor's URL encoding decoded, KAPE's literal "%4" kept, "%00" never
 * decoded to a NUL, a cut name stays terminated; the root before each of the
 * three anchors, any case, with encoded components; none in other paths. */
#include "check.h"
#include "input/collector_names.h"

static const char *decode(const char *name)
{
    static char out[256];
    input_collector_decode(name, strlen(name), out, sizeof out);
    return out;
}

int main(void)
{
    CHECK_STR(decode("Microsoft-Windows-Bits-Client%254Operational.evtx"),
              "Microsoft-Windows-Bits-Client%4Operational.evtx");
    CHECK_STR(decode("Microsoft-Windows-Bits-Client%4Operational.evtx"),
              "Microsoft-Windows-Bits-Client%4Operational.evtx");
    CHECK_STR(decode("%5C%5C.%5CC%3A"), "\\\\.\\C:");
    CHECK_STR(decode("%2Egit"), ".git");
    CHECK_STR(decode("a%00b"), "a%00b");
    CHECK_STR(decode("end%2"), "end%2");
    CHECK_STR(decode("end%"), "end%");
    char small[4];
    input_collector_decode("qmgr.db", 7, small, sizeof small);
    CHECK_STR(small, "qmg");

    CHECK(input_is_queue_name("qmgr.db") && input_is_queue_name("QMGR0.DAT") && input_is_queue_name("host1-qmgr.db"));
    CHECK(!input_is_queue_name("qmgr.jfm") && !input_is_queue_name("edb.log") && !input_is_queue_name(".db"));
    CHECK(input_is_bits_client_log_name("microsoft-windows-bits-client%4operational.evtx"));
    CHECK(!input_is_bits_client_log_name("Security.evtx"));

    util_arena arena;
    util_arena_init(&arena);
    CHECK_STR(input_system_root(&arena, "/case/host1/C/ProgramData/Microsoft/Network/Downloader/qmgr.db"),
              "/case/host1/C");
    CHECK_STR(input_system_root(&arena, "case//host1/C/programdata/MICROSOFT/network/downloader/qmgr.db"),
              "case//host1/C");
    CHECK_STR(input_system_root(&arena, "/c/uploads/auto/C%3A/ProgramData/Microsoft/Network/Downloader/qmgr.db"),
              "/c/uploads/auto/C%3A");
    CHECK_STR(input_system_root(&arena, "/x/uploads/ntfs/%5C%5C.%5CC%3A/Windows/System32/winevt/Logs/"
                                     "Microsoft-Windows-Bits-Client%254Operational.evtx"),
              "/x/uploads/ntfs/%5C%5C.%5CC%3A");
    CHECK_STR(input_system_root(&arena, "/mnt/xp/Documents%20and%20Settings/All Users/Application Data/Microsoft/"
                                     "Network/Downloader/qmgr0.dat"),
              "/mnt/xp");
    CHECK_STR(input_system_root(&arena, "ProgramData/Microsoft/Network/Downloader/qmgr.db"), ".");
    CHECK_STR(input_system_root(&arena, "/ProgramData/Microsoft/Network/Downloader/qmgr.db"), "/");
    CHECK_STR(input_system_root(&arena, "/case/ProgramData/Microsoft/Network/qmgr.db"), "");
    CHECK_STR(input_system_root(&arena, "testdata/typical-win10.qmgr.db"), "");
    util_arena_free(&arena);
    return check_exit();
}
