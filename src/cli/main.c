/* bitsparse command line: argument handling only. Parsing, output formats and
 * the atomic output file all live in the library. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libevtx.h>
#include <yaml.h>

#include "bitsparse/bitsparse.h"
#include "bitsparse/detect.h"
#include "build_info.h"
#include "cli/sigma_files.h"
#include "cli/summary.h"
#include "detect/detector.h"
#include "input/stream_rule.h"
#include "output/output_file.h"
#include "output/record_writer.h"
#include "result/result.h"

static const char usage_text[] =
    "Usage: bitsparse [options] PATH...\n"
    "Read Windows BITS queues and print one record per job and file.\n"
    "PATH is a qmgr.db, a legacy qmgr0.dat/qmgr1.dat, a job or file blob, a\n"
    "Bits-Client .evtx event log, or a folder of such files (each file\n"
    "recognised by its content; other files are skipped with a warning; its\n"
    "subfolders searched at any depth for qmgr*.db, qmgr*.dat and the Bits-Client\n"
    "log: collections, mounted volumes), a collection ZIP, a disk image (raw, split\n"
    ".001, E01, VMDK, VHD, VHDX: every NTFS volume, through The Sleuth Kit), or -\n"
    "(standard input).\n"
    "Inputs are only ever opened for reading.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE    write to FILE instead of standard output; FILE appears\n"
    "                       only when complete (temporary file, then rename); a FIFO,\n"
    "                       a terminal or /dev/null (/dev/stdout) is written to\n"
    "                       directly; it may not be an input (PATH or --rules file),\n"
    "                       lie in an input folder, or be a folder, a socket, a block\n"
    "                       device or another device\n"
    "  -f, --format FORMAT  json (default), jsonl, csv or timeline (JSON Lines, one\n"
    "                       line per time, for Timesketch); without -f the format\n"
    "                       follows the extension of -o (.json, .jsonl, .csv)\n"
    "      --csv-excel      CSV for spreadsheets: a UTF-8 byte order mark, and text\n"
    "                       cells starting with = + - @ tab or CR get a leading '\n"
    "                       (no formula from a job name or URL runs); implies CSV\n"
    "  -q, --quiet          do not print input warnings on standard error\n"
    "      --summary        print a run summary on standard error: one line per\n"
    "                       input and a total (records live and carved, jobs,\n"
    "                       detections per severity, warnings, ESE database state);\n"
    "                       printed anyway when standard error is a terminal,\n"
    "                       unless --quiet\n"
    "      --fail-on LEVEL  exit with status 4 when any record has a detection of\n"
    "                       at least LEVEL (the output is written first)\n"
    "      --carve          also recover deleted jobs and files: from a qmgr.db its\n"
    "                       deleted records, stale records and tags, orphaned long\n"
    "                       values, emptied and unreachable pages; in a folder also\n"
    "                       the transaction logs (edb*.log, edb*.jrs); any other\n"
    "                       input is searched for BITS data. Carved records come\n"
    "                       after the live ones (\"carved\": true, \"recovered_from\").\n"
    "                       From an event log also its Bits-Client records in free\n"
    "                       space (events marked \"recovered\": true)\n"
    "      --scan           carve inputs of any size and kind (disk and memory\n"
    "                       images, pagefiles, logs) by streaming them; a folder's\n"
    "                       files are scanned one by one; implies --carve\n"
    "      --no-hash        do not compute the SHA-256 of inputs (source.sha256 is\n"
    "                       \"\"); faster on large images; the same file given twice\n"
    "                       is still read once, a copy of it is read again\n"
    "\n"
    "Detections (T1197 rules, docs/detections.md; matches go to each record's\n"
    "\"detections\" field):\n"
    "      --rules FILE     add the rules of a YAML file to the built-in ones (may\n"
    "                       be repeated; a rule with a built-in id replaces it)\n"
    "      --no-default-rules  do not load the built-in rules (only --rules files)\n"
    "      --min-severity LEVEL  report only detections of at least LEVEL:\n"
    "                       informational, low, medium, high, critical\n"
    "      --no-detections  evaluate no rules (\"detections\" stays empty)\n"
    "      --sigma PATH     add SigmaHQ-format rules: a .yml file or a folder of\n"
    "                       them (may be repeated); rules whose logsource is not\n"
    "                       bits-client are skipped with one note\n"
    "      --list-rules     print the rules in use (id, severity, title, and the\n"
    "                       author of Sigma rules) and exit\n"
    "\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Exit status:\n"
    "  0  every input read, no warnings\n"
    "  1  output written, but with warnings or unreadable parts (see the\n"
    "     records' \"warnings\" field and standard error)\n"
    "  2  usage error (unknown option, no PATH, bad format, -o names an input,\n"
    "     a path in an input folder, a folder or a device it will not write to,\n"
    "     a rule file or Sigma rule with an error: FILE:LINE:COLUMN: message)\n"
    "  3  nothing written: no input was readable, or the output could not be\n"
    "     written (no partial -o file is left behind)\n"
    "  4  --fail-on LEVEL: output written, and a record has a detection of at\n"
    "     least LEVEL (takes precedence over 1)\n";

typedef struct cli_options {
    const char *output;  /* NULL = standard output */
    bp_format format;
    bool quiet;
    bool carve;          /* --carve */
    bool scan;           /* --scan */
    bool no_hash;        /* --no-hash */
    char **paths;
    int path_count;
    const char *rule_files[32];  /* --rules, in command-line order */
    int rule_file_count;
    const char *sigma_paths[32];  /* --sigma, in command-line order */
    int sigma_path_count;
    bool no_default_rules;
    bool no_detections;
    bool list_rules;
    bool min_severity_given;
    bp_severity min_severity;
    bool csv_excel;      /* --csv-excel */
    bool summary;        /* --summary */
    bool fail_on_given;  /* --fail-on LEVEL */
    bp_severity fail_on;
} cli_options;

enum { OPT_RULES = 256, OPT_NO_DEFAULT_RULES, OPT_NO_DETECTIONS, OPT_LIST_RULES, OPT_MIN_SEVERITY };

enum { OPT_CARVE = 512, OPT_SCAN, OPT_NO_HASH };

enum { OPT_CSV_EXCEL = 768, OPT_SUMMARY, OPT_FAIL_ON };

enum { OPT_SIGMA = 1024 };

/* Scan progress on standard error, only when it is a terminal and only for
 * inputs large enough to take a moment. */
typedef struct progress_bar {
    const char *path;
    int last_permille;
    bool drawn;
} progress_bar;

static void draw_progress(uint64_t done, uint64_t total, void *context)
{
    progress_bar *bar = context;
    if (total < ((uint64_t)256 << 20) && !bar->drawn)
        return;
    int permille = total ? (int)(done * 1000 / total) : 0;
    if (bar->drawn && permille == bar->last_permille && done < total)
        return;
    bar->last_permille = permille;
    bar->drawn = true;
    int filled = permille / 25;
    fprintf(stderr, "\rbitsparse: scanning [%-40.*s] %3d.%d%% %llu MiB", filled,
            "########################################", permille / 10, permille % 10,
            (unsigned long long)(done >> 20));
    if (done >= total)
        fputc('\n', stderr);
    fflush(stderr);
}

/* Version, build and the versions of the libraries linked, for bug reports
 * and for examiners documenting their tools. */
static void print_version(void)
{
    printf("bitsparse %s\n", bp_version());
    if (strcmp(BITSPARSE_GIT_COMMIT, "unknown") == 0)
        printf("git commit: unknown (not built from a git checkout)\n");
    else
        printf("git commit: %s\n", BITSPARSE_GIT_COMMIT);
    printf("build type: %s\n", BITSPARSE_BUILD_TYPE);
    printf("libyaml: %s\n", yaml_get_version_string());
    printf("libevtx: %s\n", libevtx_get_version());
}

static bool format_by_name(const char *name, bp_format *format)
{
    if (strcmp(name, "json") == 0)
        *format = BP_FORMAT_JSON;
    else if (strcmp(name, "jsonl") == 0)
        *format = BP_FORMAT_JSONL;
    else if (strcmp(name, "csv") == 0)
        *format = BP_FORMAT_CSV;
    else if (strcmp(name, "timeline") == 0)
        *format = BP_FORMAT_TIMELINE;
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

/* -o may not replace anything bitsparse reads (the PATHs, anything at any
 * depth in a PATH folder, the --rules files), nor add an entry to an input
 * folder, nor go to a socket or block device (JSON written over a disk could
 * destroy evidence). Returns -1 to go on, or 2. */
static int check_output(const cli_options *options)
{
    const char *output = options->output;
    for (int i = 0; i < options->path_count; i++)
        if (out_file_is_input(output, options->paths[i]))
            return usage_error("refusing to write the output over an input: ", options->paths[i]);
    for (int i = 0; i < options->rule_file_count; i++)
        if (out_file_is_input(output, options->rule_files[i]))
            return usage_error("refusing to write the output over an input (a --rules file): ",
                               options->rule_files[i]);
    for (int i = 0; i < options->sigma_path_count; i++)
        if (out_file_is_input(output, options->sigma_paths[i]) ||
            out_file_in_folder(output, options->sigma_paths[i]))
            return usage_error("refusing to write the output over or into a --sigma input: ",
                               options->sigma_paths[i]);
    for (int i = 0; i < options->path_count; i++)
        if (out_file_in_folder(output, options->paths[i]))
            return usage_error("refusing to write the output inside an input folder: ",
                               options->paths[i]);
    if (out_file_unsupported(output))
        return usage_error("refusing to write the output to a folder, a socket, a block device or a device "
                           "other than a terminal, /dev/null, /dev/zero or /dev/full: ", output);
    return -1;
}

/* Returns -1 to go on, or the exit status when done (help, version, usage error). */
static int parse_options(int argc, char **argv, cli_options *options)
{
    static const struct option long_options[] = {
        {"output", required_argument, NULL, 'o'}, {"format", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"carve", no_argument, NULL, OPT_CARVE},
        {"scan", no_argument, NULL, OPT_SCAN},
        {"no-hash", no_argument, NULL, OPT_NO_HASH},
        {"rules", required_argument, NULL, OPT_RULES},
        {"sigma", required_argument, NULL, OPT_SIGMA},
        {"no-default-rules", no_argument, NULL, OPT_NO_DEFAULT_RULES},
        {"no-detections", no_argument, NULL, OPT_NO_DETECTIONS},
        {"list-rules", no_argument, NULL, OPT_LIST_RULES},
        {"min-severity", required_argument, NULL, OPT_MIN_SEVERITY},
        {"csv-excel", no_argument, NULL, OPT_CSV_EXCEL},
        {"summary", no_argument, NULL, OPT_SUMMARY},
        {"fail-on", required_argument, NULL, OPT_FAIL_ON},
        {NULL, 0, NULL, 0},
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
            print_version();
            return BP_STATUS_CLEAN;
        case OPT_CARVE:
            options->carve = true;
            break;
        case OPT_SCAN:
            options->scan = true;
            break;
        case OPT_NO_HASH:
            options->no_hash = true;
            break;
        case OPT_RULES:
            if (options->rule_file_count == 32)  /* the size of rule_files[] */
                return usage_error("too many --rules files (at most 32)", NULL);
            options->rule_files[options->rule_file_count++] = optarg;
            break;
        case OPT_SIGMA:
            if (options->sigma_path_count == 32)  /* the size of sigma_paths[] */
                return usage_error("too many --sigma paths (at most 32)", NULL);
            options->sigma_paths[options->sigma_path_count++] = optarg;
            break;
        case OPT_NO_DEFAULT_RULES:
            options->no_default_rules = true;
            break;
        case OPT_NO_DETECTIONS:
            options->no_detections = true;
            break;
        case OPT_LIST_RULES:
            options->list_rules = true;
            break;
        case OPT_MIN_SEVERITY:
            if (!bp_severity_parse(optarg, &options->min_severity))
                return usage_error("unknown severity (use informational, low, medium, high or "
                                   "critical): ", optarg);
            options->min_severity_given = true;
            break;
        case OPT_CSV_EXCEL:
            options->csv_excel = true;
            break;
        case OPT_SUMMARY:
            options->summary = true;
            break;
        case OPT_FAIL_ON:
            if (!bp_severity_parse(optarg, &options->fail_on))
                return usage_error("unknown severity (use informational, low, medium, high or "
                                   "critical): ", optarg);
            options->fail_on_given = true;
            break;
        case ':':
            return usage_error("option needs an argument: ", offending_option(argv));
        default:
            return usage_error("unknown option: ", offending_option(argv));
        }
    }
    if (options->output && !*options->output)
        return usage_error("-o needs a file name", NULL);
    if (format_name && !format_by_name(format_name, &options->format))
        return usage_error("unknown format (use json, jsonl, csv or timeline): ", format_name);
    if (options->no_detections && (options->rule_file_count || options->sigma_path_count ||
                                   options->no_default_rules ||
                                   options->list_rules || options->min_severity_given ||
                                   options->fail_on_given))
        return usage_error("--no-detections cannot be combined with --rules, --sigma, --no-default-rules, "
                           "--list-rules, --min-severity or --fail-on", NULL);
    if (options->list_rules)
        return -1;  /* no PATH needed */
    if (!format_name)
        options->format = options->csv_excel ? BP_FORMAT_CSV : format_by_extension(options->output);
    if (options->csv_excel) {
        if (options->format != BP_FORMAT_CSV)
            return usage_error("--csv-excel writes CSV; it cannot be combined with -f ", format_name);
        options->format = BP_FORMAT_CSV_EXCEL;
    }
    options->paths = argv + optind;
    options->path_count = argc - optind;
    if (options->path_count == 0)
        return usage_error("no PATH given", NULL);
    return options->output ? check_output(options) : -1;
}

static bool notes_present(const bp_note_list *notes) { return notes && notes->head; }

static int write_output(const cli_options *options, const bp_result *result)
{
    if (!options->output) {
        if (bp_write(stdout, result, options->format) == 0)
            return 0;
        fprintf(stderr, "bitsparse: cannot write to standard output: %s\n", strerror(errno));
        return -1;
    }
    /* checked again: a parse can take hours, and the paths may have changed
     * since the options were read (a link swapped, a folder mounted) */
    if (check_output(options) != -1)
        return -1;
    out_file file;
    if (out_file_open(&file, options->output) != 0) {
        fprintf(stderr, "bitsparse: cannot create %s: %s\n", options->output, strerror(errno));
        return -1;
    }
    if (bp_write(file.stream, result, options->format) != 0) {
        int saved = errno;
        out_file_abort(&file);
        fprintf(stderr, "bitsparse: cannot write %s: %s\n", options->output, strerror(saved));
        return -1;
    }
    if (out_file_commit(&file) != 0) {
        fprintf(stderr, "bitsparse: cannot write %s: %s\n", options->output, strerror(errno));
        return -1;
    }
    return 0;
}

/* A run that writes records as they are finished (docs/design.md
 * "Streaming"): the output is opened before parsing, every batch of finished
 * records is detected, counted and written, and the -o file is committed (or
 * removed) at the end. */
typedef struct stream_run {
    out_file file;         /* -o; stdout otherwise */
    bool to_file;
    out_record_writer *writer;
    detect_detector *detector;       /* NULL: --no-detections */
    cli_summary *summary;
    bool detect_failed;
    bool write_failed;
    int write_errno;
} stream_run;

/* The result's sink: detections, counts, output, in that order (as for a
 * result kept whole: bp_detect, bp_write, the summary). */
static void stream_records(bp_result *result, bp_record *records, size_t count, void *context)
{
    stream_run *run = context;
    if (run->detector && !run->detect_failed && detect_detector_run(run->detector, result, records, count) < 0)
        run->detect_failed = true;
    cli_summary_add(run->summary, records, count);
    for (size_t i = 0; i < count && !run->write_failed && !run->detect_failed; i++) {
        if (out_record_writer_put(run->writer, &records[i]) != 0) {
            run->write_failed = true;
            run->write_errno = errno;
        }
    }
}

/* Streaming when no later input can change a finished record: only qmgr.db
 * files by name (with --carve too: the carve session keeps what its finish
 * needs of the live records, carve/session_live.c), not --scan, and a format
 * written in record order (the timeline is sorted). */
static bool can_stream(const cli_options *options)
{
    return !options->scan && options->format != BP_FORMAT_TIMELINE &&
           input_inputs_allow_streaming(options->paths, options->path_count);
}

/* Open the output and set the result's sink; false (nothing changed) when the
 * output cannot be opened now: the run then keeps its records and reports the
 * error where it always did, after parsing. */
static bool stream_begin(const cli_options *options, const bp_ruleset *rules, stream_run *run, bp_result *result)
{
    FILE *out = stdout;
    if (options->output) {
        if (out_file_open(&run->file, options->output) != 0)
            return false;
        run->to_file = true;
        out = run->file.stream;
    }
    run->writer = out_record_writer_new(out, options->format);
    run->detector = rules ? detect_detector_new(rules, options->min_severity) : NULL;
    if (!run->writer || (rules && !run->detector)) {
        out_record_writer_free(run->writer);
        detect_detector_free(run->detector);
        if (run->to_file)
            out_file_abort(&run->file);
        run->writer = NULL;
        run->detector = NULL;
        run->to_file = false;
        return false;
    }
    result_stream_to(result, stream_records, run);
    return true;
}

/* Close the output of a streamed run: `keep` false removes the -o file
 * (nothing readable, or detection failed). 0, or -1 after the message. */
static int stream_end(const cli_options *options, stream_run *run, bool keep)
{
    int rc = 0;
    if (!keep) {
        if (run->to_file)
            out_file_abort(&run->file);
    } else if (run->write_failed || out_record_writer_end(run->writer) != 0) {
        int saved = run->write_failed ? run->write_errno : errno;
        if (run->to_file) {
            out_file_abort(&run->file);
            fprintf(stderr, "bitsparse: cannot write %s: %s\n", options->output, strerror(saved));
        } else {
            fprintf(stderr, "bitsparse: cannot write to standard output: %s\n", strerror(saved));
        }
        rc = -1;
    } else if (run->to_file && out_file_commit(&run->file) != 0) {
        fprintf(stderr, "bitsparse: cannot write %s: %s\n", options->output, strerror(errno));
        rc = -1;
    }
    out_record_writer_free(run->writer);
    detect_detector_free(run->detector);
    run->writer = NULL;
    run->detector = NULL;
    return rc;
}

/* The --sigma rules into set. Rules for other logsources are skipped with one
 * note for all of them. Returns 0, or -1 after printing the error. */
static int load_sigma(const cli_options *options, bp_ruleset *set)
{
    char error[1024];
    size_t skipped = 0;
    char first_skipped[1024] = "";
    for (int i = 0; i < options->sigma_path_count; i++) {
        sigma_files files = {0};
        const char *why = NULL;
        if (sigma_files_collect(options->sigma_paths[i], &files, &why) != 0) {
            fprintf(stderr, "bitsparse: cannot read the Sigma rules %s: %s\n",
                    options->sigma_paths[i], why);
            sigma_files_free(&files);
            return -1;
        }
        if (files.too_deep)
            fprintf(stderr, "bitsparse: warning: %zu Sigma rule folder%s deeper than %d levels not read "
                    "(first: %s)\n", files.too_deep, files.too_deep == 1 ? "" : "s", SIGMA_FILES_MAX_DEPTH,
                    files.first_too_deep ? files.first_too_deep : "?");
        if (files.count == 0)
            fprintf(stderr, "bitsparse: note: no Sigma rule file (*.yml, *.yaml) in %s\n",
                    options->sigma_paths[i]);
        for (size_t f = 0; f < files.count; f++) {
            int rc = bp_ruleset_add_sigma_file(set, files.paths[f], error, sizeof error);
            if (rc < 0) {
                fprintf(stderr, "%s\n", error);  /* FILE:LINE:COLUMN: message */
                sigma_files_free(&files);
                return -1;
            }
            if (rc == 1 && skipped++ == 0)
                snprintf(first_skipped, sizeof first_skipped, "%s", files.paths[f]);
        }
        sigma_files_free(&files);
    }
    if (skipped)
        fprintf(stderr, "bitsparse: note: %zu Sigma rule%s skipped: logsource is not "
                "windows/bits-client (first: %s)\n", skipped, skipped == 1 ? "" : "s",
                first_skipped);
    return 0;
}

/* The rule set the options ask for (NULL with --no-detections). Returns -1 to
 * go on, or the exit status: 2 for a rule file with an error. */
static int load_rules(const cli_options *options, bp_ruleset **rules)
{
    *rules = NULL;
    if (options->no_detections)
        return -1;
    char error[1024];
    bp_ruleset *set = bp_ruleset_new();
    if (!set ||
        (!options->no_default_rules && bp_ruleset_add_default(set, error, sizeof error) != 0)) {
        fprintf(stderr, "bitsparse: cannot load the built-in rules: %s\n",
                set ? error : "out of memory");
        bp_ruleset_free(set);
        return BP_STATUS_UNREADABLE;
    }
    for (int i = 0; i < options->rule_file_count; i++) {
        if (bp_ruleset_add_file(set, options->rule_files[i], error, sizeof error) != 0) {
            fprintf(stderr, "%s\n", error);  /* FILE:LINE:COLUMN: message */
            bp_ruleset_free(set);
            return BP_STATUS_USAGE;
        }
    }
    if (load_sigma(options, set) != 0) {
        bp_ruleset_free(set);
        return BP_STATUS_USAGE;
    }
    *rules = set;
    return -1;
}

/* --list-rules: the rules that would run, aligned columns. */
static void list_rules(const bp_ruleset *rules, bp_severity min_severity)
{
    int width = 2;
    for (size_t i = 0; i < bp_ruleset_count(rules); i++)
        if ((int)strlen(bp_ruleset_rule(rules, i)->id) > width)
            width = (int)strlen(bp_ruleset_rule(rules, i)->id);
    for (size_t i = 0; i < bp_ruleset_count(rules); i++) {
        const bp_rule_info *rule = bp_ruleset_rule(rules, i);
        if (rule->severity >= min_severity)
            printf("%-*s  %-13s  %s%s%s\n", width, rule->id, bp_severity_name(rule->severity),
                   rule->title, *rule->author ? "  author: " : "", rule->author);
    }
}

int main(int argc, char **argv)
{
    cli_options options = {0};
    int status = parse_options(argc, argv, &options);
    if (status >= 0)
        return status;
    bp_ruleset *rules = NULL;
    status = load_rules(&options, &rules);
    if (status >= 0)
        return status;
    if (options.list_rules) {
        list_rules(rules, options.min_severity);
        bp_ruleset_free(rules);
        return fflush(stdout) == 0 && !ferror(stdout) ? BP_STATUS_CLEAN : BP_STATUS_UNREADABLE;
    }

    bp_result *result = result_new();
    cli_summary *summary = cli_summary_new(options.paths, options.path_count);
    /* input-level warnings of each input, for the summary */
    size_t *warnings_per_input = calloc((size_t)options.path_count, sizeof(*warnings_per_input));
    if (!result || !summary || !warnings_per_input) {
        bp_ruleset_free(rules);
        bp_result_free(result);
        cli_summary_free(summary);
        free(warnings_per_input);
        fprintf(stderr, "bitsparse: out of memory\n");
        return BP_STATUS_UNREADABLE;
    }
    stream_run stream = {.summary = summary};
    bool streaming = can_stream(&options) && stream_begin(&options, rules, &stream, result);
    int worst = BP_STATUS_CLEAN;
    bool all_unreadable = true;
    for (int i = 0; i < options.path_count; i++) {
        size_t warnings_before = bp_result_warnings(result)->count;
        progress_bar bar = {options.paths[i], -1, false};
        bp_parse_options input_options = {.carve = options.carve || options.scan, .scan = options.scan,
                                          .progress_context = &bar, .no_hash = options.no_hash};
        if (!options.quiet && isatty(STDERR_FILENO))
            input_options.progress = draw_progress;
        int input_status = bp_parse_path_ex(options.paths[i], &input_options, &result);
        if (input_status > worst)
            worst = input_status;
        if (input_status != BP_STATUS_UNREADABLE)
            all_unreadable = false;
        /* never fail silently, even if the library had nothing to say */
        size_t warnings_after = bp_result_warnings(result)->count;
        warnings_per_input[i] = warnings_after - warnings_before;
        if (input_status == BP_STATUS_UNREADABLE && warnings_after == warnings_before && !options.quiet)
            fprintf(stderr, "bitsparse: %s: nothing readable\n", options.paths[i]);
    }

    const bp_note_list *input_warnings = bp_result_warnings(result);
    if (!options.quiet && input_warnings)
        for (const bp_note *n = input_warnings->head; n; n = n->next)
            fprintf(stderr, "bitsparse: %s\n", n->text ? n->text : "");

    long detected = 0;
    if (!streaming) {  /* the records were kept: detected, counted and written now */
        detected = rules ? bp_detect(rules, result, options.min_severity) : 0;
        if (bp_result_count(result))
            cli_summary_add(summary, bp_result_record(result, 0), bp_result_count(result));
    } else if (stream.detect_failed) {
        detected = -1;
    }
    bp_ruleset_free(rules);
    bool nothing = all_unreadable && cli_summary_records(summary) == 0;
    if (nothing) {
        status = BP_STATUS_UNREADABLE;  /* nothing to write: leave no output behind */
    } else if (detected < 0) {
        fprintf(stderr, "bitsparse: out of memory evaluating the detection rules\n");
        status = BP_STATUS_UNREADABLE;
    } else if (streaming ? stream_end(&options, &stream, true) != 0 : write_output(&options, result) != 0) {
        status = BP_STATUS_UNREADABLE;
    } else {
        bool warned = worst != BP_STATUS_CLEAN || notes_present(input_warnings) ||
                      cli_summary_any_record_warning(summary);
        status = warned ? BP_STATUS_WARNINGS : BP_STATUS_CLEAN;
        if (options.fail_on_given && cli_summary_detection_at_least(summary, options.fail_on))
            status = BP_STATUS_DETECTED;
    }
    if (streaming && stream.writer)  /* not written: the -o file removed */
        stream_end(&options, &stream, false);
    if (options.summary || (!options.quiet && isatty(STDERR_FILENO)))
        cli_summary_write(stderr, summary, result, warnings_per_input);
    free(warnings_per_input);
    cli_summary_free(summary);
    bp_result_free(result);
    return status;
}
