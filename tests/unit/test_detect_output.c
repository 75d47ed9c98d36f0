/* The detections field in JSON, JSONL and CSV, and the timeline writer
 * (-f timeline), on hand-built records. */
#include <stdbool.h>

#include <cjson/cJSON.h>

#include "bitsparse/detect.h"
#include "check.h"
#include "output_text.h"
#include "result/result.h"

#define T_CREATED 133160626831204654ULL     /* 2022-12-21T02:18:03.1204654Z */
#define T_MODIFIED 133160627234087920ULL    /* 2022-12-21T02:18:43.4087920Z */
#define T_EXPIRATION 133238387234087920ULL  /* 2023-03-21T02:18:43.4087920Z */
#define T_REMOTE 133159473950000000ULL      /* 2022-12-19T18:16:35.0000000Z */
#define T_UPLOAD 133160700000000000ULL      /* 2022-12-21T04:20:00Z */
#define T_ORPHAN 133100000000000000ULL      /* 2022-10-11T22:13:20Z */

static const bp_detection two_detections[] = {
    {"BITS-001", "Job has a notify command line", "medium", ""},
    {"BITS-002", "Notify command starts a shell, script host or proxy binary", "high", ""},
};

static bp_job *make_job(util_arena *a, const char *name, uint32_t type)
{
    bp_job *job = util_arena_alloc(a, sizeof(*job));
    job->job_id = "266504ac-d974-446c-96ad-2be13a5665b0";
    job->marker = "";
    job->job_type = type;
    job->state = 6;
    job->header_decoded = true;
    job->name = name;
    job->description = "";
    job->notify_program = "";
    job->notify_arguments = "";
    job->owner_sid = "S-1-5-18";
    job->sd_owner_sid = "S-1-5-18";
    job->sd_group_sid = "S-1-5-18";
    job->proxy_list = "";
    job->proxy_bypass_list = "";
    job->creator_program = "";
    job->http_method = "GET";
    job->ace_count = 1;
    job->aces = util_arena_array(a, 1, sizeof(bp_ace));
    job->aces[0] = (bp_ace){.acl = "DACL", .ace_type = "AccessAllowed", .flags = "", .mask = 0xF003F,
                            .rights = "FULL", .sid = "S-1-5-18", .account = "SYSTEM"};
    return job;
}

static bp_file *make_file(util_arena *a, const char *url, const char *path)
{
    bp_file *file = util_arena_alloc(a, sizeof(*file));
    file->file_id = "95d6889c-b2d3-4748-8eb1-9da0650cb892";
    file->local_path = path;
    file->remote_url = url;
    file->temp_path = "";
    file->drive = "C:\\";
    file->volume = "";
    file->file_size = -1;
    file->bytes_total = UINT64_MAX;
    return file;
}

/* 0: download job + file, notify command, two detections, five times (two equal)
 * 1: upload job + file, created only
 * 2: orphan file with a remote time
 * 3: job without files whose only time is past year 9999 (not printable) */
static bp_result *sample_result(void)
{
    bp_result *result = result_new();
    util_arena *a = &result->arena;

    bp_record *r = result_add(result);
    bp_job *job = make_job(a, "Evil\njob\t1", 0);
    job->notify_program = "C:\\Windows\\System32\\cmd.exe";
    job->notify_arguments = "/c start x.exe";
    job->created = T_CREATED;
    job->modified = T_MODIFIED;
    job->completed = T_MODIFIED;
    job->inactivity_timer.deadline = T_EXPIRATION;
    r->job = job;
    bp_file *file = make_file(a, "http://10.0.0.1/x.exe", "C:\\Users\\Public\\x.exe");
    file->remote_file_time = T_REMOTE;
    r->file = file;
    r->job_source = (bp_source){.path = "/evidence/qmgr.db", .format = "ese", .table = "Jobs"};
    r->detections = two_detections;
    r->detection_count = 2;

    r = result_add(result);
    job = make_job(a, "", 1);
    job->job_id = "11111111-1111-1111-1111-111111111111";
    job->created = T_UPLOAD;
    r->job = job;
    r->file = make_file(a, "https://exfil.example/up", "C:\\secret.zip");

    r = result_add(result);
    file = make_file(a, "https://a.example/o.cab", "C:\\o.cab");
    file->remote_file_time = T_ORPHAN;
    r->file = file;
    r->carved = true;

    r = result_add(result);
    job = make_job(a, "far future", 0);
    job->created = 0x7FFFFFFFFFFFFFFFULL;
    r->job = job;
    return result;
}

static const char *str(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

/* ---- JSON / JSONL / CSV -------------------------------------------------- */

static void test_json(const bp_result *result)
{
    char *text = output_text(result, BP_FORMAT_JSON);
    cJSON *root = cJSON_Parse(text);
    CHECK(cJSON_GetArraySize(root) == 4);
    const cJSON *first = cJSON_GetArrayItem(root, 0);
    /* right after warnings (fields added later may follow) */
    const cJSON *key = first ? first->child : NULL;
    while (key && strcmp(key->string, "warnings") != 0)
        key = key->next;
    CHECK(key && key->next && strcmp(key->next->string, "detections") == 0);
    const cJSON *detections = cJSON_GetObjectItemCaseSensitive(first, "detections");
    CHECK(cJSON_GetArraySize(detections) == 2);
    const cJSON *d = cJSON_GetArrayItem(detections, 1);
    if (d) {
        CHECK_STR(d->child->string, "id");
        CHECK_STR(d->child->next->string, "title");
        CHECK_STR(d->child->next->next->string, "severity");
        CHECK(d->child->next->next->next == NULL);
        CHECK_STR(str(d, "id"), "BITS-002");
        CHECK_STR(str(d, "title"), "Notify command starts a shell, script host or proxy binary");
        CHECK_STR(str(d, "severity"), "high");
    }
    const cJSON *none = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(root, 1), "detections");
    CHECK(cJSON_IsArray(none) && cJSON_GetArraySize(none) == 0);
    cJSON_Delete(root);
    free(text);

    text = output_text(result, BP_FORMAT_JSONL);
    CHECK(strstr(text, "\"detections\":[{\"id\":\"BITS-001\",\"title\":\"Job has a notify command "
                       "line\",\"severity\":\"medium\"},{\"id\":\"BITS-002\",") != NULL);
    CHECK(strstr(text, "\"warnings\":[],\"detections\":[]") != NULL);
    free(text);
}

/* Cell `column` (0-based) of a CSV line without quoted commas. */
static const char *cell(const char *line, size_t column, char *out, size_t size)
{
    for (size_t c = 0; c < column && line; c++) {
        line = strpbrk(line, ",\r");
        line = line && *line == ',' ? line + 1 : NULL;
    }
    if (!line)
        return NULL;
    size_t length = strcspn(line, ",\r");
    snprintf(out, size, "%.*s", (int)(length < size ? length : size - 1), line);
    return out;
}

static void test_csv(const bp_result *result)
{
    char *text = output_text(result, BP_FORMAT_CSV);
    CHECK(strstr(text, ",warnings,detections") != NULL);
    size_t column = 0;
    char buf[128];
    while (cell(text, column, buf, sizeof buf) && strcmp(buf, "detections") != 0)
        column++;
    char *row1 = strstr(text, "\r\n");
    char *row2 = row1 ? strstr(row1 + 2, "\r\n") : NULL;
    CHECK(row1 && row2);
    if (row1 && row2) {
        CHECK_STR(cell(row1 + 2, column, buf, sizeof buf), "BITS-001|BITS-002");
        CHECK_STR(cell(row2 + 2, column, buf, sizeof buf), "");  /* no detections */
    }
    free(text);
}

/* ---- timeline ------------------------------------------------------------ */

static void check_datetime_shape(const char *datetime)
{
    /* 2022-12-21T02:18:03.120465+00:00 */
    bool ok = datetime && strlen(datetime) == 32 && datetime[4] == '-' && datetime[10] == 'T' &&
              datetime[19] == '.' && strcmp(datetime + 26, "+00:00") == 0;
    if (!ok)
        fprintf(stderr, "bad datetime: %s\n", datetime ? datetime : "(null)");
    CHECK(ok);
}

static void test_timeline(const bp_result *result)
{
    char *text = output_text(result, BP_FORMAT_TIMELINE);
    cJSON *lines[16] = {0};
    size_t count = 0;
    for (char *line = text, *end; *line && count < 16; line = end + 1) {
        end = strchr(line, '\n');
        CHECK(end != NULL);
        if (!end)
            break;
        *end = '\0';
        lines[count] = cJSON_Parse(line);
        CHECK(cJSON_IsObject(lines[count]));
        count++;
    }
    /* record 0: 5 times, record 1: 1, record 2: 1, record 3: none printable */
    CHECK_U64(count, 7);
    static const char *const first_keys[] = {"datetime", "timestamp", "timestamp_desc", "message",
                                             "data_type", "job_id"};
    for (size_t i = 0; i < count; i++) {
        const cJSON *o = lines[i];
        if (!o)
            continue;
        const cJSON *key = o->child;
        for (size_t k = 0; k < 6; k++, key = key ? key->next : NULL)
            CHECK(key && strcmp(key->string, first_keys[k]) == 0);
        check_datetime_shape(str(o, "datetime"));
        CHECK(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, "timestamp")));
        const char *message = str(o, "message");
        CHECK(message && !strchr(message, '\n') && !strchr(message, '\t'));
        /* flattened like CSV */
        CHECK(cJSON_GetObjectItemCaseSensitive(o, "source") == NULL);
        CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "source_path")));
        CHECK(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "acls")));
        CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "additional_sids")));
        CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "warnings")));
        CHECK(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(o, "detections")));
        if (i > 0)  /* sorted by time */
            CHECK(strcmp(str(lines[i - 1], "datetime"), str(o, "datetime")) <= 0);
    }
    if (count == 7) {
        static const char *const order[][2] = {
            {"2022-10-11T22:13:20.000000+00:00", "BITS remote file modified"},
            {"2022-12-19T18:16:35.000000+00:00", "BITS remote file modified"},
            {"2022-12-21T02:18:03.120465+00:00", "BITS job created"},
            {"2022-12-21T02:18:43.408792+00:00", "BITS job modified"},
            {"2022-12-21T02:18:43.408792+00:00", "BITS job completed"},
            {"2022-12-21T04:20:00.000000+00:00", "BITS job created"},
            {"2023-03-21T02:18:43.408792+00:00", "BITS job expiration"},
        };
        for (size_t i = 0; i < 7; i++) {
            CHECK_STR(str(lines[i], "datetime"), order[i][0]);
            CHECK_STR(str(lines[i], "timestamp_desc"), order[i][1]);
        }
        const cJSON *created = lines[2];
        CHECK(cJSON_GetObjectItemCaseSensitive(created, "timestamp")->valuedouble == 1671589083120465.0);
        CHECK_STR(str(created, "message"),
                  "BITS job \"Evil job 1\" (BG_JOB_STATE_TRANSFERRED): http://10.0.0.1/x.exe -> "
                  "C:\\Users\\Public\\x.exe; notify: C:\\Windows\\System32\\cmd.exe /c start x.exe; "
                  "detections: BITS-001 (medium), BITS-002 (high)");
        CHECK_STR(str(created, "data_type"), "windows:bits:job");
        CHECK_STR(str(created, "created"), "2022-12-21T02:18:03.1204654Z");  /* full precision kept */
        CHECK_STR(str(created, "acls"), "DACL:AccessAllowed:S-1-5-18(SYSTEM):0x000F003F:FULL");
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(created, "detections");
        CHECK(cJSON_GetArraySize(ids) == 2);
        CHECK_STR(cJSON_GetArrayItem(ids, 1)->valuestring, "BITS-002");
        /* upload: local path -> URL; no name: the job id */
        CHECK_STR(str(lines[5], "message"),
                  "BITS job 11111111-1111-1111-1111-111111111111 (BG_JOB_STATE_TRANSFERRED): "
                  "C:\\secret.zip -> https://exfil.example/up");
        /* orphan file */
        CHECK_STR(str(lines[0], "message"), "BITS file without a job: https://a.example/o.cab -> C:\\o.cab");
        CHECK_STR(str(lines[0], "data_type"), "windows:bits:file");
        CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lines[0], "carved")));
    }
    for (size_t i = 0; i < count; i++)
        cJSON_Delete(lines[i]);
    free(text);

    /* a job without files */
    bp_result *single = result_new();
    bp_record *r = result_add(single);
    bp_job *job = make_job(&single->arena, "Lonely", 0);
    job->created = T_CREATED;
    r->job = job;
    text = output_text(single, BP_FORMAT_TIMELINE);
    CHECK(strstr(text, "\"message\":\"BITS job \\\"Lonely\\\" (BG_JOB_STATE_TRANSFERRED): no files\"") != NULL);
    free(text);
    bp_result_free(single);

    /* only a URL known (event logs): no arrow */
    single = result_new();
    r = result_add(single);
    job = make_job(&single->arena, "Half", 0);
    job->created = T_CREATED;
    r->job = job;
    r->file = make_file(&single->arena, "https://a.example/x.cab", "");
    text = output_text(single, BP_FORMAT_TIMELINE);
    CHECK(strstr(text, "\"message\":\"BITS job \\\"Half\\\" (BG_JOB_STATE_TRANSFERRED): https://a.example/x.cab\"") != NULL);
    free(text);
    bp_result_free(single);

    /* nothing: empty output */
    bp_result *empty = result_new();
    text = output_text(empty, BP_FORMAT_TIMELINE);
    CHECK_STR(text, "");
    free(text);
    bp_result_free(empty);
    text = output_text(NULL, BP_FORMAT_TIMELINE);
    CHECK_STR(text, "");
    free(text);
}

int main(void)
{
    bp_result *result = sample_result();
    test_json(result);
    test_csv(result);
    test_timeline(result);
    bp_result_free(result);
    return check_exit();
}
