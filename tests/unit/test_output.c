/* Output writers (JSON, JSONL, CSV) on hand-built records with awkward values,
 * and the all-or-nothing output file. */
#define _XOPEN_SOURCE 700 /* mkdtemp, symlink, link */

#include <dirent.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "check.h"
#include "output_text.h"
#include "result/result.h"
#include "output/output_file.h"
#include "fields/field_text.h"
#include "fields/record_fields.h"

/* ---- fixtures ----------------------------------------------------------- */

#define OWNER "S-1-5-21-1-2-3-1001"
#define TRICKY_NAME "Say \"hi\", then\nbye"
#define UTF8_TEXT "Gr\xC3\xBC\xC3\x9F" "e \xE2\x80\x93 \xE6\x97\xA5\xE6\x9C\xAC"
#define LOCAL_PATH "C:\\Users\\bob\\a,b.txt"

static bp_job *full_job(util_arena *a)
{
    bp_job *job = util_arena_alloc(a, sizeof(*job));
    job->job_id = "266504ac-d974-446c-96ad-2be13a5665b0";
    job->marker = "e10956a1-af43-42c9-92e6-6f9856eba7f6";
    job->job_type = 0;
    job->priority = 2;
    job->state = 6;
    job->header_decoded = true;
    job->name = TRICKY_NAME;
    job->description = UTF8_TEXT;
    job->notify_program = "C:\\Windows\\System32\\cmd.exe";
    job->notify_arguments = "/c echo \"x\"";
    job->owner_sid = OWNER;
    job->notify_flags = 3;
    job->owner_integrity = 0x2000;
    job->sd_owner_sid = OWNER;
    job->sd_group_sid = OWNER;
    job->ace_count = 3;
    job->aces = util_arena_array(a, 3, sizeof(bp_ace));
    job->aces[0] = (bp_ace){.acl = "DACL", .ace_type = "AccessDenied", .flags = "", .mask = 0xF003F,
                            .rights = "FULL", .sid = "S-1-5-7", .account = "ANONYMOUS LOGON"};
    job->aces[1] = (bp_ace){.acl = "DACL", .ace_type = "AccessAllowed", .flags = "INHERITED",
                            .mask = 0xF003F, .rights = "FULL", .sid = OWNER, .account = ""};
    job->aces[2] = (bp_ace){.acl = "SACL", .ace_type = "MandatoryLabel", .flags = "", .mask = 1,
                            .rights = "NO_WRITE_UP", .sid = "S-1-16-8192", .account = "Medium"};
    job->has_error = true;
    job->error_count = 1;
    job->error_hresult = 0x80072EE7;
    job->error_context = 5;
    job->transient_error_count = 2;
    job->retry_delay = 60;
    job->no_progress_timeout = 86400;
    job->created = 133160626831204654ULL;  /* 2022-12-21T02:18:03.1204654Z */
    job->inactivity_timer.deadline = 133238387234087920ULL;
    job->proxy_usage = 0;
    job->proxy_usage_decoded = true;
    job->proxy_list = "";
    job->proxy_bypass_list = "";
    job->acl_flags = 5;
    job->has_custom_headers = true;
    job->max_download_time = 7776000;
    job->cost_flags = 0;
    job->creator_program = "C:\\Program Files\\app.exe";
    job->http_method = "GET";
    job->package_family_name = "Microsoft.OutlookForWindows_8wekyb3d8bbwe";
    job->package_app_id = "!Microsoft.OutlookforWindows";
    util_notes_add(a, &job->warnings, "footer missing");
    return job;
}

static bp_file *full_file(util_arena *a)
{
    bp_file *file = util_arena_alloc(a, sizeof(*file));
    file->file_id = "95d6889c-b2d3-4748-8eb1-9da0650cb892";
    file->local_path = LOCAL_PATH;
    file->remote_url = "http://example.test/a?b=1,2";
    file->temp_path = "C:\\Users\\bob\\BIT1.tmp";
    file->bytes_transferred = UINT64_MAX;
    file->bytes_total = UINT64_MAX;
    file->drive = "C:\\";
    file->volume = "\\\\?\\Volume{08542f90-0000-0000-0000-501f00000000}\\";
    file->file_size = -1;
    file->remote_file_time = 0;
    util_notes_add(a, &file->warnings, "range list cut");
    return file;
}

/* Record 0: job + file, record 1: job without files, record 2: orphan file. */
static bp_result *sample_result(void)
{
    bp_result *result = result_new();
    util_arena *a = &result->arena;
    bp_job *job = full_job(a);

    bp_record *r = result_add(result);
    r->job = job;
    r->file = full_file(a);
    r->job_source = (bp_source){.path = "/evidence/qmgr.db", .format = "ese", .table = "Jobs",
                                .page = 31, .tag = 2, .long_value_id = 0x800000008000000cULL,
                                .offset = 507904, .blob_size = 2055};
    r->file_source = (bp_source){.path = "/evidence/qmgr.db", .format = "ese", .table = "Files",
                                 .page = 32, .tag = 1, .blob_size = 1072};
    util_notes_add(a, &r->warnings, "file record missing, \"carved\"");

    r = result_add(result);
    r->job = job;
    r->job_source = (bp_source){.path = "/evidence/qmgr.db", .format = "ese", .table = "Jobs"};

    r = result_add(result);
    bp_file *orphan = full_file(a);
    orphan->bytes_transferred = 4782;
    orphan->bytes_total = 4782;
    orphan->file_size = 4782;
    orphan->local_path = "/tmp/unix/name";
    r->file = orphan;
    r->carved = true;
    r->file_source = (bp_source){.path = "/evidence/blob.bin", .format = "blob", .offset = 77};
    return result;
}

/* ---- helpers ------------------------------------------------------------ */

static const char *str(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static double num(const cJSON *object, const char *key)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(object, key);
    return cJSON_IsNumber(item) ? item->valuedouble : -12345.0;
}

static const char *const expected_keys[] = {
    "job_id", "file_id", "owner_sid", "created", "modified", "completed", "expiration",
    "bytes_downloaded", "bytes_transferred", "job_name", "job_description", "job_command",
    "job_arguments", "error_count", "job_type", "job_state", "priority", "flags", "http_method",
    "full_path", "filename", "target_path", "volume", "url", "carved", "transient_error_count",
    "acls", "timeout", "retry_delay", "additional_sids", "drive", "tmp_fullpath", "listed_file_ids", "bytes_total",
    "file_size", "remote_file_time", "notify_flags", "error_hresult", "error_context",
    "proxy_usage", "proxy_list", "proxy_bypass_list", "owner_integrity", "owner_account",
    "creator_program", "package_family_name", "package_app_id", "max_download_time", "cost_flags",
    "acl_flags", "custom_headers",
    "job_marker", "recovered_from", "copies", "locations", "events", "source",
    "warnings", "detections",
};
static const char *const expected_source_keys[] = {
    "path", "format", "job_table", "job_page", "job_tag", "job_long_value_id", "job_blob_size",
    "file_page", "file_tag", "file_long_value_id", "file_blob_size", "offset", "generation", "root", "sha256",
    "image", "partition", "partition_offset", "volume_path", "mft_entry", "found", "cluster",
};
#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static void check_key_order(const cJSON *object, const char *const *keys, size_t count)
{
    size_t i = 0;
    for (const cJSON *item = object->child; item; item = item->next, i++) {
        CHECK(i < count);
        if (i < count)
            CHECK_STR(item->string, keys[i]);
    }
    CHECK_U64(i, count);
}

/* ---- JSON --------------------------------------------------------------- */

static void test_json_full_record(const cJSON *o)
{
    check_key_order(o, expected_keys, COUNT_OF(expected_keys));
    CHECK_STR(str(o, "job_id"), "266504ac-d974-446c-96ad-2be13a5665b0");
    CHECK_STR(str(o, "file_id"), "95d6889c-b2d3-4748-8eb1-9da0650cb892");
    CHECK_STR(str(o, "owner_sid"), OWNER);
    CHECK_STR(str(o, "created"), "2022-12-21T02:18:03.1204654Z");
    CHECK_STR(str(o, "modified"), "");
    CHECK_STR(str(o, "expiration"), "2023-03-21T02:18:43.4087920Z");
    CHECK_STR(str(o, "job_name"), TRICKY_NAME);
    CHECK_STR(str(o, "job_description"), UTF8_TEXT);
    CHECK_STR(str(o, "job_command"), "C:\\Windows\\System32\\cmd.exe");
    CHECK_STR(str(o, "job_arguments"), "/c echo \"x\"");
    CHECK(num(o, "error_count") == 1);
    CHECK_STR(str(o, "job_type"), "BG_JOB_TYPE_DOWNLOAD");
    CHECK_STR(str(o, "job_state"), "BG_JOB_STATE_TRANSFERRED");
    CHECK_STR(str(o, "priority"), "BG_JOB_PRIORITY_NORMAL");
    CHECK_STR(str(o, "flags"), "BG_NOTIFY_JOB_TRANSFERRED|BG_NOTIFY_JOB_ERROR");
    CHECK_STR(str(o, "full_path"), LOCAL_PATH);
    CHECK_STR(str(o, "filename"), "a,b.txt");
    CHECK_STR(str(o, "target_path"), "C:\\Program Files\\app.exe");
    CHECK_STR(str(o, "url"), "http://example.test/a?b=1,2");
    CHECK(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(o, "carved")));
    CHECK(num(o, "transient_error_count") == 2);
    CHECK(num(o, "timeout") == 86400);
    CHECK(num(o, "retry_delay") == 60);
    CHECK_STR(str(o, "tmp_fullpath"), "C:\\Users\\bob\\BIT1.tmp");
    CHECK(num(o, "bytes_total") == -1);
    CHECK(num(o, "file_size") == -1);
    CHECK_STR(str(o, "remote_file_time"), "");
    CHECK(num(o, "notify_flags") == 3);
    CHECK_STR(str(o, "error_hresult"), "0x80072EE7");
    CHECK_STR(str(o, "error_context"), "BG_ERROR_CONTEXT_REMOTE_FILE");
    CHECK_STR(str(o, "proxy_usage"), "BG_JOB_PROXY_USAGE_PRECONFIG");
    CHECK_STR(str(o, "owner_integrity"), "Medium");
    CHECK_STR(str(o, "package_family_name"), "Microsoft.OutlookForWindows_8wekyb3d8bbwe");
    CHECK_STR(str(o, "package_app_id"), "!Microsoft.OutlookforWindows");
    CHECK(num(o, "max_download_time") == 7776000);
    CHECK_STR(str(o, "cost_flags"), "");
    CHECK_STR(str(o, "acl_flags"), "BG_COPY_FILE_OWNER|BG_COPY_FILE_DACL");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "custom_headers")));
    CHECK_STR(str(o, "job_marker"), "e10956a1-af43-42c9-92e6-6f9856eba7f6");

    const cJSON *acls = cJSON_GetObjectItemCaseSensitive(o, "acls");
    CHECK(cJSON_GetArraySize(acls) == 3);
    const cJSON *ace = cJSON_GetArrayItem(acls, 1);
    static const char *const ace_keys[] = {"acl", "ace_type", "flags", "mask", "rights", "sid",
                                           "account"};
    if (ace) {
        check_key_order(ace, ace_keys, COUNT_OF(ace_keys));
        CHECK_STR(str(ace, "ace_type"), "AccessAllowed");
        CHECK_STR(str(ace, "flags"), "INHERITED");
        CHECK(num(ace, "mask") == 0xF003F);
        CHECK_STR(str(ace, "sid"), OWNER);
    }

    const cJSON *sids = cJSON_GetObjectItemCaseSensitive(o, "additional_sids");
    CHECK(cJSON_GetArraySize(sids) == 3);
    CHECK_STR(cJSON_GetArrayItem(sids, 0)->valuestring, OWNER);
    CHECK_STR(cJSON_GetArrayItem(sids, 1)->valuestring, "S-1-5-7");
    CHECK_STR(cJSON_GetArrayItem(sids, 2)->valuestring, "S-1-16-8192");

    const cJSON *source = cJSON_GetObjectItemCaseSensitive(o, "source");
    CHECK(cJSON_IsObject(source));
    if (source) {
        check_key_order(source, expected_source_keys, COUNT_OF(expected_source_keys));
        CHECK_STR(str(source, "path"), "/evidence/qmgr.db");
        CHECK_STR(str(source, "format"), "ese");
        CHECK_STR(str(source, "job_table"), "Jobs");
        CHECK(num(source, "job_page") == 31);
        CHECK_STR(str(source, "job_long_value_id"), "0x800000008000000c");
        CHECK(num(source, "job_blob_size") == 2055);
        CHECK(num(source, "file_page") == 32);
        CHECK_STR(str(source, "file_long_value_id"), "");
        CHECK(num(source, "offset") == 507904);
    }

    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(o, "warnings");
    CHECK(cJSON_GetArraySize(warnings) == 3);
    CHECK_STR(cJSON_GetArrayItem(warnings, 0)->valuestring, "file record missing, \"carved\"");
    CHECK_STR(cJSON_GetArrayItem(warnings, 1)->valuestring, "job: footer missing");
    CHECK_STR(cJSON_GetArrayItem(warnings, 2)->valuestring, "file: range list cut");
}

static void test_json_partial_records(const cJSON *no_file, const cJSON *orphan)
{
    check_key_order(no_file, expected_keys, COUNT_OF(expected_keys));
    CHECK_STR(str(no_file, "file_id"), "");
    CHECK_STR(str(no_file, "url"), "");
    CHECK_STR(str(no_file, "filename"), "");
    CHECK(num(no_file, "bytes_transferred") == 0);
    CHECK(num(no_file, "bytes_downloaded") == 0);
    CHECK(num(no_file, "bytes_total") == 0);
    CHECK(num(no_file, "file_size") == 0);
    CHECK_STR(str(no_file, "job_name"), TRICKY_NAME);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(no_file, "warnings")) == 1);

    check_key_order(orphan, expected_keys, COUNT_OF(expected_keys));
    CHECK_STR(str(orphan, "job_id"), "");
    CHECK_STR(str(orphan, "job_type"), "");
    CHECK_STR(str(orphan, "job_state"), "");
    CHECK_STR(str(orphan, "priority"), "");
    CHECK_STR(str(orphan, "proxy_usage"), "");
    CHECK_STR(str(orphan, "owner_integrity"), "");
    CHECK_STR(str(orphan, "error_hresult"), "");
    CHECK_STR(str(orphan, "created"), "");
    CHECK_STR(str(orphan, "expiration"), "");
    CHECK(num(orphan, "error_count") == 0);
    CHECK(num(orphan, "bytes_transferred") == 4782);
    CHECK(num(orphan, "bytes_downloaded") == 0);  /* job type unknown */
    CHECK(num(orphan, "bytes_total") == 4782);
    CHECK(num(orphan, "file_size") == 4782);
    CHECK_STR(str(orphan, "filename"), "name");
    CHECK(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(orphan, "carved")));
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(orphan, "acls")) == 0);
    CHECK(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(orphan, "additional_sids")) == 0);
    const cJSON *source = cJSON_GetObjectItemCaseSensitive(orphan, "source");
    CHECK_STR(str(source, "path"), "/evidence/blob.bin");
    CHECK_STR(str(source, "format"), "blob");
    CHECK_STR(str(source, "job_table"), "");
    CHECK(num(source, "offset") == 77);
    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(orphan, "warnings");
    CHECK(cJSON_GetArraySize(warnings) == 1);
    CHECK_STR(cJSON_GetArrayItem(warnings, 0)->valuestring, "file: range list cut");
}

static void test_json(const bp_result *result)
{
    char *text = output_text(result, BP_FORMAT_JSON);
    cJSON *root = cJSON_Parse(text);
    CHECK(cJSON_IsArray(root));
    CHECK(cJSON_GetArraySize(root) == 3);
    if (cJSON_GetArraySize(root) == 3) {
        test_json_full_record(cJSON_GetArrayItem(root, 0));
        test_json_partial_records(cJSON_GetArrayItem(root, 1), cJSON_GetArrayItem(root, 2));
    }
    /* cJSON reads numbers as doubles: check the u64 in the text itself */
    CHECK(strstr(text, "\"bytes_transferred\":\t18446744073709551615,") != NULL);
    CHECK(strstr(text, "\"bytes_downloaded\":\t18446744073709551615,") != NULL);
    /* non-ASCII stays as UTF-8, not \u escapes */
    CHECK(strstr(text, UTF8_TEXT) != NULL);
    cJSON_Delete(root);
    free(text);
}

static void test_jsonl(const bp_result *result)
{
    char *text = output_text(result, BP_FORMAT_JSONL);
    size_t lines = 0;
    for (char *line = text, *end; line && *line; line = end ? end + 1 : NULL, lines++) {
        end = strchr(line, '\n');
        CHECK(end != NULL);  /* every line ends with a newline */
        if (end)
            *end = '\0';
        cJSON *object = cJSON_Parse(line);
        CHECK(cJSON_IsObject(object));
        if (object)
            check_key_order(object, expected_keys, COUNT_OF(expected_keys));
        cJSON_Delete(object);
        if (!end)
            break;
    }
    CHECK_U64(lines, 3);
    free(text);

    text = output_text(result, BP_FORMAT_JSONL);
    CHECK(strstr(text, "\"bytes_transferred\":18446744073709551615,") != NULL);
    free(text);
}

/* ---- CSV ---------------------------------------------------------------- */

static const char expected_header[] =
    "job_id,file_id,owner_sid,created,modified,completed,expiration,bytes_downloaded,"
    "bytes_transferred,job_name,job_description,job_command,job_arguments,error_count,job_type,"
    "job_state,priority,flags,http_method,full_path,filename,target_path,volume,url,carved,"
    "transient_error_count,acls,timeout,retry_delay,additional_sids,drive,tmp_fullpath,listed_file_ids,"
    "bytes_total,file_size,remote_file_time,notify_flags,error_hresult,error_context,proxy_usage,"
    "proxy_list,proxy_bypass_list,owner_integrity,owner_account,creator_program,package_family_name,"
    "package_app_id,max_download_time,"
    "cost_flags,acl_flags,custom_headers,job_marker,recovered_from,copies,locations,events,source_path,source_format,source_job_table,"
    "source_job_page,source_job_tag,source_job_long_value_id,source_job_blob_size,"
    "source_file_page,source_file_tag,source_file_long_value_id,source_file_blob_size,"
    "source_offset,source_generation,source_root,source_sha256,source_image,source_partition,source_partition_offset,source_volume_path,source_mft_entry,source_found,source_cluster,warnings,detections\r\n";

/* A small RFC 4180 reader: splits text into rows of cells, so the test can
 * compare decoded cells with the original values. */
typedef struct csv_rows {
    char *cells[8][80];
    size_t cell_count[8];
    size_t row_count;
    bool malformed;
} csv_rows;

static void csv_read(const char *text, csv_rows *rows)
{
    memset(rows, 0, sizeof(*rows));
    const char *p = text;
    while (*p && rows->row_count < 8) {
        size_t row = rows->row_count++;
        for (;;) {
            char *cell = malloc(strlen(p) + 1), *c = cell;
            if (*p == '"') {
                for (p++;; p++) {
                    if (*p == '\0') {
                        rows->malformed = true;
                        break;
                    }
                    if (*p == '"' && p[1] == '"')
                        *c++ = *p++;
                    else if (*p == '"') {
                        p++;
                        break;
                    } else
                        *c++ = *p;
                }
            } else {
                while (*p && *p != ',' && *p != '\r' && *p != '\n') {
                    if (*p == '"')
                        rows->malformed = true;
                    *c++ = *p++;
                }
            }
            *c = '\0';
            if (rows->cell_count[row] < 80)
                rows->cells[row][rows->cell_count[row]++] = cell;
            else
                free(cell);
            if (*p == ',') {
                p++;
                continue;
            }
            if (p[0] == '\r' && p[1] == '\n')
                p += 2;
            else
                rows->malformed = true;  /* CRLF required */
            break;
        }
    }
}

static void csv_free(csv_rows *rows)
{
    for (size_t r = 0; r < 8; r++)
        for (size_t c = 0; c < rows->cell_count[r]; c++)
            free(rows->cells[r][c]);
}

static const char *csv_cell(const csv_rows *rows, size_t row, const char *column)
{
    for (size_t c = 0; c < rows->cell_count[0]; c++)
        if (strcmp(rows->cells[0][c], column) == 0)
            return c < rows->cell_count[row] ? rows->cells[row][c] : NULL;
    return NULL;
}

static void test_csv(const bp_result *result)
{
    char *text = output_text(result, BP_FORMAT_CSV);
    CHECK(strncmp(text, expected_header, strlen(expected_header)) == 0);
    /* exact encodings of the awkward cells */
    CHECK(strstr(text, ",\"Say \"\"hi\"\", then\nbye\",") != NULL);
    CHECK(strstr(text, ",\"C:\\Users\\bob\\a,b.txt\",\"a,b.txt\",") != NULL);
    CHECK(strstr(text, ",18446744073709551615,18446744073709551615,") != NULL);
    CHECK(strstr(text, ",\"/c echo \"\"x\"\"\",") != NULL);

    csv_rows rows;
    csv_read(text, &rows);
    CHECK(!rows.malformed);
    CHECK_U64(rows.row_count, 4);
    for (size_t r = 0; r < rows.row_count; r++)
        CHECK_U64(rows.cell_count[r], COUNT_OF(expected_keys) - 1 + COUNT_OF(expected_source_keys));
    CHECK_STR(csv_cell(&rows, 1, "job_name"), TRICKY_NAME);
    CHECK_STR(csv_cell(&rows, 1, "job_description"), UTF8_TEXT);
    CHECK_STR(csv_cell(&rows, 1, "acls"),
              "DACL:AccessDenied:S-1-5-7(ANONYMOUS LOGON):0x000F003F:FULL; "
              "DACL:AccessAllowed:" OWNER ":0x000F003F:FULL:INHERITED; "
              "SACL:MandatoryLabel:S-1-16-8192(Medium):0x00000001:NO_WRITE_UP");
    CHECK_STR(csv_cell(&rows, 1, "additional_sids"), OWNER "|S-1-5-7|S-1-16-8192");
    CHECK_STR(csv_cell(&rows, 1, "warnings"),
              "file record missing, \"carved\"|job: footer missing|file: range list cut");
    CHECK_STR(csv_cell(&rows, 1, "carved"), "false");
    CHECK_STR(csv_cell(&rows, 1, "custom_headers"), "true");
    CHECK_STR(csv_cell(&rows, 1, "bytes_total"), "-1");
    CHECK_STR(csv_cell(&rows, 1, "source_path"), "/evidence/qmgr.db");
    CHECK_STR(csv_cell(&rows, 1, "source_job_long_value_id"), "0x800000008000000c");
    CHECK_STR(csv_cell(&rows, 2, "file_id"), "");
    CHECK_STR(csv_cell(&rows, 2, "acls"), csv_cell(&rows, 1, "acls"));
    CHECK_STR(csv_cell(&rows, 3, "job_id"), "");
    CHECK_STR(csv_cell(&rows, 3, "acls"), "");
    CHECK_STR(csv_cell(&rows, 3, "carved"), "true");
    CHECK_STR(csv_cell(&rows, 3, "source_format"), "blob");
    csv_free(&rows);
    free(text);
}

/* ---- empty results and the field table ----------------------------------- */

/* The CSV ACE cell is put together without printf: a SID without an account
 * name and an ACE without flags leave out their parts, the mask is eight
 * upper-case hex digits. */
static void test_csv_ace_text_parts(void)
{
    util_arena scratch;
    util_arena_init(&scratch);
    bp_ace aces[2];
    memset(aces, 0, sizeof aces);
    aces[0] = (bp_ace){.acl = "DACL", .ace_type = "AccessAllowed", .sid = "S-1-5-21-1-2-3-1001",
                       .account = "", .mask = 0xDEADBEEF, .rights = "X", .flags = ""};
    aces[1] = (bp_ace){.acl = "SACL", .ace_type = "MandatoryLabel", .sid = "S-1-16-4096",
                       .account = "Low", .mask = 0x7, .rights = "", .flags = "OBJECT_INHERIT"};
    CHECK_STR(fields_csv_aces_text(&scratch, aces, 2),
              "DACL:AccessAllowed:S-1-5-21-1-2-3-1001:0xDEADBEEF:X; "
              "SACL:MandatoryLabel:S-1-16-4096(Low):0x00000007::OBJECT_INHERIT");
    CHECK_STR(fields_csv_aces_text(&scratch, aces, 0), "");
    util_arena_free(&scratch);
}

static void test_empty(void)
{
    bp_result *empty = result_new();
    char *text = output_text(empty, BP_FORMAT_JSON);
    CHECK_STR(text, "[]\n");
    free(text);
    text = output_text(empty, BP_FORMAT_JSONL);
    CHECK_STR(text, "");
    free(text);
    text = output_text(empty, BP_FORMAT_CSV);
    CHECK_STR(text, expected_header);
    free(text);
    /* no result at all writes the same as an empty one */
    text = output_text(NULL, BP_FORMAT_JSON);
    CHECK_STR(text, "[]\n");
    free(text);
    bp_result_free(empty);

    FILE *sink = fopen("/dev/null", "w");
    CHECK(bp_write(sink, NULL, (bp_format)99) == -1);
    fclose(sink);
}

static void test_field_table(void)
{
    /* JSON nests "source"; every other field is one top-level key */
    CHECK_U64(fields_record_field_count(), COUNT_OF(expected_keys) - 1 + COUNT_OF(expected_source_keys));
    CHECK(fields_record_field(fields_record_field_count()) == NULL);
}

/* ---- output file -------------------------------------------------------- */

static size_t entries_in(const char *folder)
{
    DIR *dir = opendir(folder);
    size_t count = 0;
    for (struct dirent *e; dir && (e = readdir(dir));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            count++;
    if (dir)
        closedir(dir);
    return count;
}

static void test_output_file(void)
{
    char folder[] = "/tmp/bp-output-test-XXXXXX";
    CHECK(mkdtemp(folder) != NULL);
    char path[256], other[256], link_path[256], hard_path[256];
    snprintf(path, sizeof path, "%s/out.json", folder);
    snprintf(other, sizeof other, "%s/other.json", folder);
    snprintf(link_path, sizeof link_path, "%s/link.json", folder);
    snprintf(hard_path, sizeof hard_path, "%s/hard.json", folder);

    /* aborted: nothing left behind */
    out_file file;
    CHECK(out_file_open(&file, path) == 0);
    fputs("partial", file.stream);
    CHECK_U64(entries_in(folder), 1);  /* the temporary file */
    out_file_abort(&file);
    CHECK_U64(entries_in(folder), 0);

    /* committed: exactly the destination, with the content */
    CHECK(out_file_open(&file, path) == 0);
    fputs("complete\n", file.stream);
    CHECK(out_file_commit(&file) == 0);
    CHECK_U64(entries_in(folder), 1);
    size_t size = 0;
    unsigned char *content = read_whole_file(path, &size);
    CHECK(content && size == 9 && memcmp(content, "complete\n", 9) == 0);
    free(content);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0400));

    /* replacing keeps the old content until the commit */
    CHECK(out_file_open(&file, path) == 0);
    fputs("new", file.stream);
    content = read_whole_file(path, &size);
    CHECK(content && size == 9);
    free(content);
    out_file_abort(&file);
    CHECK_U64(entries_in(folder), 1);

    /* a commit that cannot rename (destination is a folder) leaves no temp file */
    char sub[256];
    snprintf(sub, sizeof sub, "%s/sub", folder);
    CHECK(mkdir(sub, 0700) == 0);
    CHECK(out_file_open(&file, sub) == 0);
    fputs("x", file.stream);
    CHECK(out_file_commit(&file) == -1);
    CHECK_U64(entries_in(folder), 2);  /* out.json and sub */
    CHECK_U64(entries_in(sub), 0);
    rmdir(sub);

    /* a missing folder fails at open */
    char missing[256];
    snprintf(missing, sizeof missing, "%s/no/such/out.json", folder);
    CHECK(out_file_open(&file, missing) == -1);
    out_file_abort(&file);  /* harmless after a failed open */

    /* same-file detection */
    CHECK(symlink(path, link_path) == 0);
    CHECK(link(path, hard_path) == 0);
    CHECK(out_file_is_input(path, path));
    CHECK(out_file_is_input(link_path, path));
    CHECK(out_file_is_input(hard_path, path));
    CHECK(!out_file_is_input(other, path));  /* does not exist */
    FILE *f = fopen(other, "w");
    fclose(f);
    CHECK(!out_file_is_input(other, path));
    /* an existing file in an input folder counts as an input; a new one does not */
    CHECK(out_file_is_input(path, folder));
    CHECK(!out_file_is_input(missing, folder));
    CHECK(!out_file_is_input(folder, path));

    unlink(link_path);
    unlink(hard_path);
    unlink(other);
    unlink(path);
    CHECK(rmdir(folder) == 0);
}

int main(void)
{
    bp_result *result = sample_result();
    test_field_table();
    test_json(result);
    test_jsonl(result);
    test_csv(result);
    test_empty();
    test_csv_ace_text_parts();
    test_output_file();
    bp_result_free(result);
    return check_exit();
}
