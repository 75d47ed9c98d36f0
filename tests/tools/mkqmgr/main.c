/* mkqmgr: write a Windows 10/11 BITS queue (qmgr.db, an ESE database) from a
 * JSON description, for tests and fixtures. Deterministic: the same
 * description and options always give the same bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "database_writer.h"
#include "description.h"

static void usage(FILE *to)
{
    fputs("usage: mkqmgr [options] DESCRIPTION.json -o OUTPUT.db\n"
          "  --page-size N       4096, 8192, 16384 (default) or 32768\n"
          "  --lid 4|8           long-value id size (default 8; libesedb reads only 4)\n"
          "  --reserved-tags     Windows 11 24H2 page layout (2 reserved tags per page)\n"
          "  --state clean|dirty database state (default dirty, as a live system copy)\n"
          "  --delete JOBID      write the job, then delete it (repeatable): its record stays\n"
          "                      flagged deleted, its long values stay with refcount 0\n"
          "  --chunk-size N      long-value chunk size (default 4050; page size - 82 on small pages)\n"
          "  --fill PERCENT      how full pages are packed (default 100; lower = deeper trees)\n"
          "  --lv-page-per-value start each long value on its own leaf page (the only layout\n"
          "                      whose blobs libesedb 20181229 finds; see README.md)\n"
          "  --layout            print the page layout to stdout\n"
          "Options given on the command line override the description's \"options\".\n",
          to);
}

static bool number_arg(const char *text, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno || end == text || *end || v > UINT32_MAX)
        return false;
    *out = (uint32_t)v;
    return true;
}

int main(int argc, char **argv)
{
    mk_options cli;
    memset(&cli, 0, sizeof cli);
    cli.reserved_tags = cli.clean = cli.lv_page_per_value = -1;
    const char *input = NULL, *output = NULL;
    const char **deletes = calloc((size_t)argc, sizeof(char *));
    size_t delete_count = 0;
    bool print_layout = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok = true;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--reserved-tags")) {
            cli.reserved_tags = 1;
        } else if (!strcmp(a, "--lv-page-per-value")) {
            cli.lv_page_per_value = 1;
        } else if (!strcmp(a, "--layout")) {
            print_layout = true;
        } else if (!value && a[0] == '-') {
            ok = false;
        } else if (!strcmp(a, "-o")) {
            output = argv[++i];
        } else if (!strcmp(a, "--page-size")) {
            ok = number_arg(argv[++i], &cli.page_size);
        } else if (!strcmp(a, "--lid")) {
            ok = number_arg(argv[++i], &cli.lid_size);
        } else if (!strcmp(a, "--chunk-size")) {
            ok = number_arg(argv[++i], &cli.chunk_size);
        } else if (!strcmp(a, "--fill")) {
            ok = number_arg(argv[++i], &cli.fill_percent);
        } else if (!strcmp(a, "--state")) {
            i++;
            ok = !strcmp(value, "clean") || !strcmp(value, "dirty");
            cli.clean = !strcmp(value, "clean");
        } else if (!strcmp(a, "--delete")) {
            deletes[delete_count++] = argv[++i];
        } else if (a[0] == '-' || input) {
            ok = false;
        } else {
            input = a;
        }
        if (!ok) {
            fprintf(stderr, "mkqmgr: bad argument: %s\n", a);
            usage(stderr);
            free(deletes);
            return 2;
        }
    }
    if (!input || !output) {
        usage(stderr);
        free(deletes);
        return 2;
    }

    char err[512];
    mk_description d;
    mk_options options;
    int status = 2;
    mk_buffer image = {NULL, 0, 0};
    if (!mk_description_load(input, &d, err, sizeof err)) {
        fprintf(stderr, "mkqmgr: %s: %s\n", input, err);
        goto done;
    }
    for (size_t i = 0; i < delete_count; i++) {
        if (!mk_description_delete_job(&d, deletes[i])) {
            fprintf(stderr, "mkqmgr: --delete %s: no such job in %s\n", deletes[i], input);
            goto done;
        }
    }
    if (!mk_resolve_options(&d.options, &cli, &options, err, sizeof err)) {
        fprintf(stderr, "mkqmgr: %s\n", err);
        goto done;
    }

    mk_layout layout;
    mk_build_database(&d, &options, &image, &layout);
    FILE *f = fopen(output, "wb");
    if (!f || fwrite(image.data, 1, image.size, f) != image.size || fclose(f) != 0) {
        fprintf(stderr, "mkqmgr: cannot write %s: %s\n", output, strerror(errno));
        status = 3;
        goto done;
    }
    if (print_layout)
        printf("%s: %u pages of %u bytes; Jobs root %u (%zu levels), LV %u (%zu levels); "
               "Files root %u (%zu levels), LV %u (%zu levels)\n",
               output, layout.page_count + 2, options.page_size, layout.jobs_root, layout.jobs_levels,
               layout.jobs_lv_root, layout.jobs_lv_levels, layout.files_root, layout.files_levels,
               layout.files_lv_root, layout.files_lv_levels);
    status = 0;
done:
    mk_buffer_free(&image);
    mk_description_free(&d);
    free(deletes);
    return status;
}
