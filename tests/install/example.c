/* A small program using an installed libbitsparse, as an examiner's own tool
 * would: parse every PATH, run the built-in detection rules, and print one
 * line per record, the ESE databases' states and the library version. Built
 * by test_install.sh once with pkg-config and once with find_package. */
#include <stdio.h>
#include <string.h>

#include <bitsparse/bitsparse.h>
#include <bitsparse/detect.h>

int main(int argc, char **argv)
{
    if (strcmp(bp_version(), BITSPARSE_VERSION) != 0) {
        fprintf(stderr, "header %s, library %s\n", BITSPARSE_VERSION, bp_version());
        return 2;
    }
    bp_result *result = NULL;
    int worst = BP_STATUS_CLEAN;
    for (int i = 1; i < argc; i++) {
        int status = bp_parse_path(argv[i], &result);
        if (status > worst)
            worst = status;
    }
    char error[256];
    bp_ruleset *rules = bp_ruleset_new();
    if (!rules || bp_ruleset_add_default(rules, error, sizeof error) != 0 ||
        bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) < 0) {
        fprintf(stderr, "detection rules failed\n");
        bp_ruleset_free(rules);
        bp_result_free(result);
        return 3;
    }
    bp_ruleset_free(rules);
    printf("bitsparse %s\n", bp_version());
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *record = bp_result_record(result, i);
        char created[32] = "";
        if (record->job)
            bp_format_filetime(record->job->created, created);
        printf("job %s \"%s\" %s created %s url %s detections %zu\n", record->job ? record->job->job_id : "-",
               record->job ? record->job->name : "", record->job ? bp_job_state_name(record->job->state) : "-",
               created, record->file ? record->file->remote_url : "-", record->detection_count);
    }
    for (size_t i = 0; i < bp_result_database_count(result); i++)
        printf("database %s: %s\n", bp_result_database(result, i)->path, bp_result_database(result, i)->state_name);
    bp_result_free(result);
    return worst;
}
