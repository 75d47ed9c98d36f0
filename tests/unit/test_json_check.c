/* The fuzz harness's JSON syntax check (tests/fuzz/json_check.h): RFC 8259
 * cases it must take and refuse, and agreement with cJSON on the writers' real
 * output (the project's deleted-jobs.qmgr.db carved: live and carved records,
 * JSON and every timeline line); the harness's reused render buffer gives the
 * bytes fuzz_render gives, also when the output outgrows it. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bitsparse/bitsparse.h"
#include "check.h"
#define FUZZ_RENDER_BUFFER_START 64 /* so that the first render outgrows it */
#include "fuzz_targets.h"  /* fuzz_render, fuzz_render_reused, and json_check.h */

static bool valid(const char *text, char kind, size_t *members)
{
    return json_check(text, strlen(text), kind, members);
}

static void test_grammar(void)
{
    size_t n = 99;
    CHECK(valid("[]", '[', &n));
    CHECK_U64(n, 0);
    CHECK(valid(" [ 1 , -0 , 2.50 , 1e9 , -3.5E-7 , 0.0e+1 ] \n", '[', &n));
    CHECK_U64(n, 6);
    CHECK(valid("[{\"a\":[true,false,null]},{},\"x\"]", '[', &n));
    CHECK_U64(n, 3);
    CHECK(valid("{\"k\":\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\ud83d\\ude00\",\"e\":\"\"}", '{', &n));
    CHECK_U64(n, 2);
    CHECK(valid("{\"\xc3\xa9\":1}", '{', &n));  /* raw UTF-8 is not this check's business */

    const char *refused[] = {
        "", "[", "]", "[1,]", "[,1]", "[01]", "[1.]", "[.5]", "[+1]", "[1e]", "[-]", "[0x10]",
        "[\"\x01\"]", "[\"a]", "[\"\\x\"]", "[\"\\u12\"]", "[\"\\ud800\"]", "[\"\\udc00\"]",
        "[\"\\ud800\\u0041\"]", "[tru]", "[nul]", "[True]", "{\"a\"}", "{\"a\":1,}", "{a:1}",
        "{\"a\":1 \"b\":2}", "[] []", "[]x", "[1] ,", "{\"a\":1}}",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        bool taken = valid(refused[i], refused[i][0] == '{' ? '{' : '[', &n);
        if (taken)
            fprintf(stderr, "taken although malformed: %s\n", refused[i]);
        CHECK(!taken);
    }
    CHECK(valid("{}", '{', &n));
    CHECK(!valid("{}", '[', &n));  /* not the kind asked for */
    CHECK(!valid("[]", '{', &n));

    /* nesting: 64 levels are fine, 65 are refused (bounded recursion) */
    char deep[200];
    for (int levels = 64; levels <= 65; levels++) {
        memset(deep, '[', (size_t)levels);
        memset(deep + levels, ']', (size_t)levels);
        deep[2 * levels] = '\0';
        CHECK(valid(deep, '[', &n) == (levels <= 64));
    }
    /* a scalar at the deepest level does not count as a level */
    memset(deep, '[', 64);
    deep[64] = '1';
    memset(deep + 65, ']', 64);
    deep[129] = '\0';
    CHECK(valid(deep, '[', &n));
}

static void test_real_output(void)
{
    bp_parse_options options;
    memset(&options, 0, sizeof(options));
    options.carve = true;
    bp_result *result = NULL;
    int status = bp_parse_path_ex(BP_SOURCE_DIR "/testdata/deleted-jobs.qmgr.db", &options, &result);
    CHECK(result != NULL && status != BP_STATUS_UNREADABLE);
    if (!result)
        return;
    size_t records = bp_result_count(result);
    CHECK(records >= 3);

    size_t size = 0, members = 0;
    char *json = fuzz_render(result, BP_FORMAT_JSON, &size);
    CHECK(json != NULL);
    if (json) {
        CHECK(json_check(json, size, '[', &members));
        CHECK_U64(members, records);
        cJSON *parsed = cJSON_ParseWithLength(json, size);
        CHECK(cJSON_IsArray(parsed) && (size_t)cJSON_GetArraySize(parsed) == records);
        cJSON_Delete(parsed);
        /* a cut anywhere inside the text is refused */
        size_t refused = 0;
        for (size_t cut = 0; cut + 1 < size; cut += 97)
            refused += !json_check(json, cut, '[', &members);
        CHECK_U64(refused, (size - 2) / 97 + 1);
        free(json);
    }

    char *timeline = fuzz_render(result, BP_FORMAT_TIMELINE, &size);
    CHECK(timeline != NULL);
    size_t lines = 0, agree = 0;
    for (char *line = timeline, *end; timeline && line < timeline + size; line = end + 1) {
        end = memchr(line, '\n', (size_t)(timeline + size - line));
        if (!end)
            end = timeline + size;
        if (end == line)
            continue;
        lines++;
        bool ours = json_check(line, (size_t)(end - line), '{', &members);
        cJSON *object = cJSON_ParseWithLength(line, (size_t)(end - line));
        agree += ours && cJSON_IsObject(object);
        cJSON_Delete(object);
    }
    CHECK(lines > records);
    CHECK_U64(agree, lines);
    free(timeline);

    /* the reused buffer: the first JSON render does not fit in 64 bytes (the
     * writer's failure is retried through fuzz_render and the buffer grows),
     * the second fits; both equal fuzz_render's bytes, as do CSV and timeline */
    bp_format formats[] = {BP_FORMAT_JSON, BP_FORMAT_JSON, BP_FORMAT_CSV, BP_FORMAT_TIMELINE};
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        size_t fresh_size = 0, reused_size = 1;
        char *fresh = fuzz_render(result, formats[i], &fresh_size);
        const char *reused = fuzz_render_reused(result, formats[i], &reused_size);
        CHECK(fresh != NULL && reused != NULL);
        CHECK(fresh_size > 64);
        CHECK_U64(reused_size, fresh_size);
        CHECK(fresh && reused && reused_size == fresh_size && memcmp(fresh, reused, fresh_size + 1) == 0);
        free(fresh);
    }
    bp_result_free(result);
}

int main(void)
{
    test_grammar();
    test_real_output();
    return check_exit();
}
