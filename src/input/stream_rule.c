/* The inputs half of the streaming rule (docs/design.md "Streaming"): only
 * qmgr.db files given by name. Checked before anything is parsed, from the
 * first 64 KiB of each file, through the same recognition bp_parse_path
 * uses, so a file that streams is one parse_memory reads as an ESE database. */
#include "input/stream_rule.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "carve/carve.h"
#include "input/parse_internal.h"

static bool is_ese_file(const char *path)
{
    struct stat st;
    if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
        return false;
    size_t size = 0;
    uint8_t *head = carve_read_head(path, &size);
    bool ese = head && input_is_ese_input(head, size);
    free(head);
    return ese;
}

bool input_inputs_allow_streaming(char *const *paths, int count)
{
    for (int i = 0; i < count; i++)
        if (!is_ese_file(paths[i]))
            return false;
    return count > 0;
}
