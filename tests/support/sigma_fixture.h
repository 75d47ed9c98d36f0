/* Shared by the Sigma unit tests: load one rule from its detection block and
 * run it on one hand-made event. */
#ifndef BP_TESTS_SIGMA_FIXTURE_H
#define BP_TESTS_SIGMA_FIXTURE_H

#include <stdarg.h>
#include <stdio.h>

#include "check.h"
#include "detect/sigma.h"

/* A bits-client rule around `detection` (indented by 4 spaces per line). */
static detect_document *sigma_rule_text(const char *detection, char *error, size_t error_size)
{
    char text[8192];
    snprintf(text, sizeof text,
             "title: Test rule\n"
             "id: 0a0b0c0d-test\n"
             "author: Tester\n"
             "logsource:\n"
             "    product: windows\n"
             "    service: bits-client\n"
             "detection:\n"
             "%s"
             "level: high\n",
             detection);
    bool skipped = false;
    return sigma_load(text, strlen(text), "rule.yml", error, error_size, &skipped);
}

/* Event `event_id` with name/value pairs (NULL-terminated list of strings). */
static bool sigma_hit(const detect_document *document, uint32_t event_id, ...)
{
    bp_event_data data[16];
    size_t count = 0;
    va_list args;
    va_start(args, event_id);
    for (const char *name; count < 16 && (name = va_arg(args, const char *)) != NULL; count++)
        data[count] = (bp_event_data){name, va_arg(args, const char *)};
    va_end(args);
    sigma_event event = {event_id, data, count};
    util_arena scratch;
    util_arena_init(&scratch);
    bool hit = sigma_rule_matches_event(document->rules[0]->sigma, &event, &scratch);
    util_arena_free(&scratch);
    return hit;
}

#endif
