#include "bits/well_known_sids.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

typedef struct well_known_sid {
    const char *sid;
    const char *domain;
    const char *name;
} well_known_sid;

#define NT "NT AUTHORITY"
#define BUILTIN "BUILTIN"
#define LABEL "Mandatory Label"

/* Sorted by strcmp order (byte order of the SID text) for a binary search:
 * every ACE of every job is named here. test_well_known_sids checks the
 * order. */
static const well_known_sid fixed_sids[] = {
    {"S-1-0-0", "", "NULL SID"},
    {"S-1-1-0", "", "Everyone"},
    {"S-1-15-2-1", "APPLICATION PACKAGE AUTHORITY", "ALL APPLICATION PACKAGES"},
    {"S-1-15-2-2", "APPLICATION PACKAGE AUTHORITY", "ALL RESTRICTED APPLICATION PACKAGES"},
    {"S-1-16-0", LABEL, "Untrusted Mandatory Level"},
    {"S-1-16-12288", LABEL, "High Mandatory Level"},
    {"S-1-16-16384", LABEL, "System Mandatory Level"},
    {"S-1-16-20480", LABEL, "Protected Process Mandatory Level"},
    {"S-1-16-28672", LABEL, "Secure Process Mandatory Level"},
    {"S-1-16-4096", LABEL, "Low Mandatory Level"},
    {"S-1-16-8192", LABEL, "Medium Mandatory Level"},
    {"S-1-16-8448", LABEL, "Medium Plus Mandatory Level"},
    {"S-1-2-0", "", "LOCAL"},
    {"S-1-2-1", "", "CONSOLE LOGON"},
    {"S-1-3-0", "", "CREATOR OWNER"},
    {"S-1-3-1", "", "CREATOR GROUP"},
    {"S-1-3-2", "", "CREATOR OWNER SERVER"},
    {"S-1-3-3", "", "CREATOR GROUP SERVER"},
    {"S-1-3-4", "", "OWNER RIGHTS"},
    {"S-1-5-1", NT, "DIALUP"},
    {"S-1-5-10", NT, "SELF"},
    {"S-1-5-1000", NT, "Other Organization"},
    {"S-1-5-11", NT, "Authenticated Users"},
    {"S-1-5-113", NT, "Local account"},
    {"S-1-5-114", NT, "Local account and member of Administrators group"},
    {"S-1-5-12", NT, "RESTRICTED"},
    {"S-1-5-13", NT, "TERMINAL SERVER USER"},
    {"S-1-5-14", NT, "REMOTE INTERACTIVE LOGON"},
    {"S-1-5-15", NT, "This Organization"},
    {"S-1-5-17", NT, "IUSR"},
    {"S-1-5-18", NT, "SYSTEM"},
    {"S-1-5-19", NT, "LOCAL SERVICE"},
    {"S-1-5-2", NT, "NETWORK"},
    {"S-1-5-20", NT, "NETWORK SERVICE"},
    {"S-1-5-3", NT, "BATCH"},
    {"S-1-5-32-544", BUILTIN, "Administrators"},
    {"S-1-5-32-545", BUILTIN, "Users"},
    {"S-1-5-32-546", BUILTIN, "Guests"},
    {"S-1-5-32-547", BUILTIN, "Power Users"},
    {"S-1-5-32-548", BUILTIN, "Account Operators"},
    {"S-1-5-32-549", BUILTIN, "Server Operators"},
    {"S-1-5-32-550", BUILTIN, "Print Operators"},
    {"S-1-5-32-551", BUILTIN, "Backup Operators"},
    {"S-1-5-32-552", BUILTIN, "Replicator"},
    {"S-1-5-32-554", BUILTIN, "Pre-Windows 2000 Compatible Access"},
    {"S-1-5-32-555", BUILTIN, "Remote Desktop Users"},
    {"S-1-5-32-556", BUILTIN, "Network Configuration Operators"},
    {"S-1-5-32-558", BUILTIN, "Performance Monitor Users"},
    {"S-1-5-32-559", BUILTIN, "Performance Log Users"},
    {"S-1-5-32-562", BUILTIN, "Distributed COM Users"},
    {"S-1-5-32-568", BUILTIN, "IIS_IUSRS"},
    {"S-1-5-32-569", BUILTIN, "Cryptographic Operators"},
    {"S-1-5-32-573", BUILTIN, "Event Log Readers"},
    {"S-1-5-32-574", BUILTIN, "Certificate Service DCOM Access"},
    {"S-1-5-32-575", BUILTIN, "RDS Remote Access Servers"},
    {"S-1-5-32-576", BUILTIN, "RDS Endpoint Servers"},
    {"S-1-5-32-577", BUILTIN, "RDS Management Servers"},
    {"S-1-5-32-578", BUILTIN, "Hyper-V Administrators"},
    {"S-1-5-32-579", BUILTIN, "Access Control Assistance Operators"},
    {"S-1-5-32-580", BUILTIN, "Remote Management Users"},
    {"S-1-5-32-581", BUILTIN, "System Managed Accounts Group"},
    {"S-1-5-32-582", BUILTIN, "Storage Replica Administrators"},
    {"S-1-5-32-583", BUILTIN, "Device Owners"},
    {"S-1-5-33", NT, "WRITE RESTRICTED"},
    {"S-1-5-4", NT, "INTERACTIVE"},
    {"S-1-5-6", NT, "SERVICE"},
    {"S-1-5-64-10", NT, "NTLM Authentication"},
    {"S-1-5-64-14", NT, "SChannel Authentication"},
    {"S-1-5-64-21", NT, "Digest Authentication"},
    {"S-1-5-7", NT, "ANONYMOUS LOGON"},
    {"S-1-5-8", NT, "PROXY"},
    {"S-1-5-80-0", "NT SERVICE", "ALL SERVICES"},
    {"S-1-5-9", NT, "ENTERPRISE DOMAIN CONTROLLERS"},
};

/* Well-known RIDs relative to a machine or domain SID (S-1-5-21-a-b-c-RID). */
static const struct {
    unsigned long rid;
    const char *name;
} relative_rids[] = {
    {500, "Administrator"},      {501, "Guest"},
    {502, "krbtgt"},             {503, "DefaultAccount"},
    {504, "WDAGUtilityAccount"}, {512, "Domain Admins"},
    {513, "Domain Users"},       {514, "Domain Guests"},
    {515, "Domain Computers"},   {516, "Domain Controllers"},
    {517, "Cert Publishers"},    {518, "Schema Admins"},
    {519, "Enterprise Admins"},  {520, "Group Policy Creator Owners"},
};

static int compare_sid(const void *key, const void *entry)
{
    return strcmp(key, ((const well_known_sid *)entry)->sid);
}

static const well_known_sid *find_fixed(const char *sid)
{
    return bsearch(sid, fixed_sids, sizeof(fixed_sids) / sizeof(fixed_sids[0]), sizeof(fixed_sids[0]), compare_sid);
}

bool bits_well_known_sids_sorted(void)
{
    for (size_t i = 1; i < sizeof(fixed_sids) / sizeof(fixed_sids[0]); i++)
        if (strcmp(fixed_sids[i - 1].sid, fixed_sids[i].sid) >= 0)
            return false;
    return true;
}

/* Parses "S-1-5-21-a-b-c-RID" exactly (three decimal sub-authorities, then the RID). */
static bool relative_rid(const char *sid, unsigned long *rid)
{
    static const char prefix[] = "S-1-5-21-";
    if (strncmp(sid, prefix, sizeof prefix - 1) != 0)
        return false;
    const char *p = sid + sizeof prefix - 1;
    unsigned long value = 0;
    for (int part = 0; part < 4; part++) {
        if (*p < '0' || *p > '9')
            return false;
        char *end;
        value = strtoul(p, &end, 10);
        if (part < 3 && *end != '-')
            return false;
        if (part == 3 && *end != '\0')
            return false;
        p = end + (part < 3);
    }
    *rid = value;
    return true;
}

const char *bits_well_known_sid_name(const char *sid)
{
    if (!sid)
        return "";
    const well_known_sid *known = find_fixed(sid);
    if (known)
        return known->name;
    unsigned long rid;
    if (relative_rid(sid, &rid))
        for (size_t i = 0; i < sizeof(relative_rids) / sizeof(relative_rids[0]); i++)
            if (relative_rids[i].rid == rid)
                return relative_rids[i].name;
    return "";
}

const char *bits_well_known_sid_domain(const char *sid)
{
    if (!sid)
        return "";
    const well_known_sid *known = find_fixed(sid);
    return known ? known->domain : "";
}
