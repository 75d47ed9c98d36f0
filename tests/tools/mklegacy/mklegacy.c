/* mklegacy: write a legacy BITS state file (or a bare job record or file list)
 * from a JSON description (README.md). Test fixture generator; never run on
 * evidence.
 *
 *   mklegacy DESCRIPTION.json OUTPUT     ("-" = standard input / output) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "legacy_writer.h"

static char *read_text(const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t size = 0, capacity = 4096;
    char *text = malloc(capacity);
    while (text) {
        size_t got = fread(text + size, 1, capacity - size - 1, f);
        size += got;
        if (got == 0)
            break;
        if (size + 1 == capacity) {
            char *grown = realloc(text, capacity * 2);
            if (!grown) {
                free(text);
                text = NULL;
                break;
            }
            text = grown;
            capacity *= 2;
        }
    }
    if (text)
        text[size] = '\0';
    if (f != stdin)
        fclose(f);
    return text;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: mklegacy DESCRIPTION.json OUTPUT   (\"-\" = stdin / stdout)\n");
        return 2;
    }
    char *json = read_text(argv[1]);
    if (!json) {
        fprintf(stderr, "mklegacy: cannot read %s\n", argv[1]);
        return 1;
    }
    char error[256];
    size_t size = 0;
    uint8_t *bytes = mklegacy_build_text(json, &size, error, sizeof error);
    free(json);
    if (!bytes) {
        fprintf(stderr, "mklegacy: %s\n", error);
        return 1;
    }
    FILE *out = strcmp(argv[2], "-") == 0 ? stdout : fopen(argv[2], "wb");
    int status = 0;
    if (!out || fwrite(bytes, 1, size, out) != size || (out != stdout && fclose(out) != 0)) {
        fprintf(stderr, "mklegacy: cannot write %s\n", argv[2]);
        status = 1;
    }
    free(bytes);
    return status;
}
