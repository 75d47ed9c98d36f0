/* Well-known SID names (bits/well_known_sids.c), found by binary search: the
 * table must stay in strcmp order, and its first, last and middle entries,
 * SIDs that sort between entries, and the domain-relative RIDs must all give
 * their names. */
#include "bits/well_known_sids.h"
#include "check.h"

int main(void)
{
    CHECK(bits_well_known_sids_sorted());
    CHECK_STR(bits_well_known_sid_name("S-1-0-0"), "NULL SID");
    CHECK_STR(bits_well_known_sid_name("S-1-5-9"), "ENTERPRISE DOMAIN CONTROLLERS");
    CHECK_STR(bits_well_known_sid_name("S-1-5-18"), "SYSTEM");
    CHECK_STR(bits_well_known_sid_domain("S-1-5-18"), "NT AUTHORITY");
    CHECK_STR(bits_well_known_sid_name("S-1-5-32-544"), "Administrators");
    CHECK_STR(bits_well_known_sid_domain("S-1-5-32-544"), "BUILTIN");
    CHECK_STR(bits_well_known_sid_name("S-1-5-32-583"), "Device Owners");
    CHECK_STR(bits_well_known_sid_name("S-1-16-8192"), "Medium Mandatory Level");
    CHECK_STR(bits_well_known_sid_domain("S-1-16-8192"), "Mandatory Label");
    CHECK_STR(bits_well_known_sid_name("S-1-15-2-2"), "ALL RESTRICTED APPLICATION PACKAGES");
    CHECK_STR(bits_well_known_sid_name("S-1-5-80-0"), "ALL SERVICES");
    CHECK_STR(bits_well_known_sid_domain("S-1-5-80-0"), "NT SERVICE");
    CHECK_STR(bits_well_known_sid_name("S-1-5-21-1-2-3-500"), "Administrator");
    CHECK_STR(bits_well_known_sid_name("S-1-5-21-3623811015-3361044348-30300820-1013"), "");
    CHECK_STR(bits_well_known_sid_domain("S-1-5-21-1-2-3-500"), "");
    /* between entries, before the first, after the last, prefixes of entries */
    CHECK_STR(bits_well_known_sid_name("S-1-5-32-553"), "");
    CHECK_STR(bits_well_known_sid_name("S-1-0"), "");
    CHECK_STR(bits_well_known_sid_name("S-1-9"), "");
    CHECK_STR(bits_well_known_sid_name("S-1-5-1"), "DIALUP");
    CHECK_STR(bits_well_known_sid_name("S-1-5-18-1"), "");
    CHECK_STR(bits_well_known_sid_name(""), "");
    CHECK_STR(bits_well_known_sid_name(NULL), "");
    return check_exit();
}
