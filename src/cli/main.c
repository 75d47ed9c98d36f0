/* bitsparse command line: argument handling only. Parsing, output formats and
 * the atomic output file all live in the library. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bitsparse/bitsparse.h"
#include "output/output_file.h"

static const char usage_text[] =
    "Usage: bitsparse [options] PATH...\n"
    "Read Windows BITS queues and print one record per job and file.\n"
    "PATH is a qmgr.db, a job or file blob, or a folder holding BITS queue files.\n"
    "Inputs are only ever opened for reading.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE    write to FILE instead of standard output; FILE appears\n"
    "                       only when complete (temporary file, then rename); it may\n"
    "                       not be an input, nor an existing file in an input folder\n"
    "  -f, --format FORMAT  json (default), jsonl or csv; without -f the format\n"
    "                       follows the extension of -o (.json, .jsonl, .csv)\n"
    "  -q, --quiet          do not print input warnings on standard error\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Exit status:\n"
    "  0  every input read, no warnings\n"
    "  1  output written, but with warnings or unreadable parts (see the\n"
    "     records' \"warnings\" field and standard error)\n"
    "  2  usage error (unknown option, no PATH, bad format, -o names an input)\n"
    "  3  nothing written: no input was readable, or the output could not be\n"
    "     written (no partial -o file is left behind)\n";

typedef struct cli_options {
    const char *output;  /* NULL = standard output */
    bp_format format;
    bool quiet;
    char **paths;
    int path_count;
} cli_options;

static bool format_by_name(const char *name, bp_format *format)
{
    if (strcmp(name, "json") == 0)
        *format = BP_FORMAT_JSON;
    else if (strcmp(name, "jsonl") == 0)
        *format = BP_FORMAT_JSONL;
    else if (strcmp(name, "csv") == 0)
        *format = BP_FORMAT_CSV;
    else
        return false;
    return true;
}

static bp_format format_by_extension(const char *path)
{
    const char *dot = path ? strrchr(path, '.') : NULL;
    if (dot && strcasecmp(dot, ".jsonl") == 0)
        return BP_FORMAT_JSONL;
    if (dot && strcasecmp(dot, ".csv") == 0)
        return BP_FORMAT_CSV;
    return BP_FORMAT_JSON;
}

static int usage_error(const char *message, const char *detail)
{
    fprintf(stderr, "bitsparse: %s%s\nTry 'bitsparse --help'.\n", message, detail ? detail : "");
    return BP_STATUS_USAGE;
}

/* The option getopt just rejected: a short one by its letter (it may sit in a
 * group like -qx), a long one by its argument. */
static const char *offending_option(char **argv)
{
    static char short_option[3] = "-?";
    if (optopt > 0 && optopt < 128) {
        short_option[1] = (char)optopt;
        return short_option;
    }
    return argv[optind - 1];
}

/* Returns -1 to go on, or the exit status when done (help, version, usage error). */
static int parse_options(int argc, char **argv, cli_options *options)
{
    static const struct option long_options[] = {
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},      {NULL, 0, NULL, 0},
    };
    const char *format_name = NULL;
    opterr = 0;  /* report problems in our own words and with our exit status */
    int c;
    while ((c = getopt_long(argc, argv, ":o:f:qhV", long_options, NULL)) != -1) {
        switch (c) {
        case 'o':
            options->output = optarg;
            break;
        case 'f':
            format_name = optarg;
            break;
        case 'q':
            options->quiet = true;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return BP_STATUS_CLEAN;
        case 'V':
            puts("bitsparse " BITSPARSE_VERSION);
            return BP_STATUS_CLEAN;
        case ':':
            return usage_error("option needs an argument: ", offending_option(argv));
        default:
            return usage_error("unknown option: ", offending_option(argv));
        }
    }
    if (options->output && !*options->output)
        return usage_error("-o needs a file name", NULL);
    if (format_name && !format_by_name(format_name, &options->format))
        return usage_error("unknown format (use json, jsonl or csv): ", format_name);
    if (!format_name)
        options->format = format_by_extension(options->output);
    options->paths = argv + optind;
    options->path_count = argc - optind;
    if (options->path_count == 0)
        return usage_error("no PATH given", NULL);
    for (int i = 0; options->output && i < options->path_count; i++)
        if (bp_output_file_is_input(options->output, options->paths[i]))
            return usage_error("refusing to write the output over an input: ", options->paths[i]);
    return -1;
}

static bool notes_present(const bp_note_list *notes) { return notes && notes->head; }

static bool any_record_warning(const bp_result *result)
{
    for (size_t i = 0; i < bp_result_count(result); i++) {
        const bp_record *r = bp_result_record(result, i);
        if (notes_present(&r->warnings) || (r->job && notes_present(&r->job->warnings)) ||
            (r->file && notes_present(&r->file->warnings)))
            return true;
    }
    return false;
}

static int write_output(const cli_options *options, const bp_result *result)
{
    if (!options->output) {
        if (bp_write(stdout, result, options->format) == 0)
            return 0;
        fprintf(stderr, "bitsparse: cannot write to standard output: %s\n", strerror(errno));
        return -1;
    }
    bp_output_file file;
    if (bp_output_file_open(&file, options->output) != 0) {
        fprintf(stderr, "bitsparse: cannot create %s: %s\n", options->output, strerror(errno));
        return -1;
    }
    if (bp_write(file.stream, result, options->format) != 0) {
        int saved = errno;
        bp_output_file_abort(&file);
        fprintf(stderr, "bitsparse: cannot write %s: %s\n", options->output, strerror(saved));
        return -1;
    }
    if (bp_output_file_commit(&file) != 0) {
        fprintf(stderr, "bitsparse: cannot write %s: %s\n", options->output, strerror(errno));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_options options = {0};
    int status = parse_options(argc, argv, &options);
    if (status >= 0)
        return status;

    bp_result *result = NULL;
    int worst = BP_STATUS_CLEAN;
    bool all_unreadable = true;
    for (int i = 0; i < options.path_count; i++) {
        size_t warnings_before = result ? bp_result_warnings(result)->count : 0;
        int input_status = bp_parse_path(options.paths[i], &result);
        if (input_status > worst)
            worst = input_status;
        if (input_status != BP_STATUS_UNREADABLE)
            all_unreadable = false;
        /* never fail silently, even if the library had nothing to say */
        size_t warnings_after = result ? bp_result_warnings(result)->count : 0;
        if (input_status == BP_STATUS_UNREADABLE && warnings_after == warnings_before && !options.quiet)
            fprintf(stderr, "bitsparse: %s: nothing readable\n", options.paths[i]);
    }

    const bp_note_list *input_warnings = bp_result_warnings(result);
    if (!options.quiet && input_warnings)
        for (const bp_note *n = input_warnings->head; n; n = n->next)
            fprintf(stderr, "bitsparse: %s\n", n->text ? n->text : "");

    if (all_unreadable && bp_result_count(result) == 0) {
        status = BP_STATUS_UNREADABLE;  /* nothing to write: leave no output behind */
    } else if (write_output(&options, result) != 0) {
        status = BP_STATUS_UNREADABLE;
    } else {
        bool warned = worst != BP_STATUS_CLEAN || notes_present(input_warnings) ||
                      any_record_warning(result);
        status = warned ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
    }
    bp_result_free(result);
    return status;
}
