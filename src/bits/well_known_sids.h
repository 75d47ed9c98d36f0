/* Offline names of well-known SIDs. Only fixed, machine-independent SIDs are
 * known (plus the well-known RIDs of domain/machine SIDs S-1-5-21-x-y-z-RID);
 * nothing is ever looked up on the running system. */
#ifndef BP_BITS_WELL_KNOWN_SIDS_H
#define BP_BITS_WELL_KNOWN_SIDS_H

#include <stdbool.h>

/* Account name of a textual SID: "S-1-5-18" -> "SYSTEM", "S-1-5-32-544" ->
 * "Administrators", "S-1-16-8192" -> "Medium Mandatory Level"; "" when the SID
 * is not well known (or NULL). */
const char *bits_well_known_sid_name(const char *sid);

/* The authority shown before the name by Windows ("NT AUTHORITY", "BUILTIN",
 * "Mandatory Label", "APPLICATION PACKAGE AUTHORITY"); "" when there is none,
 * when it depends on the machine (S-1-5-21-…) or the SID is not well known. */
const char *bits_well_known_sid_domain(const char *sid);

/* For tests: whether the table is in the order its binary search needs. */
bool bits_well_known_sids_sorted(void);

#endif
