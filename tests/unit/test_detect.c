/* Detection engine: every default rule fires on a hand-built record made to
 * trigger it and stays silent on a benign one; each operator of the rule
 * language; rule file errors with their LINE:COLUMN; the rule set API. */
#include <stdbool.h>

#include "bitsparse/detect.h"
#include "check.h"
#include "result/result.h"
#include "detect/detect_internal.h"

/* ---- fixtures ----------------------------------------------------------- */

#define USER_SID "S-1-5-21-1-2-3-1001"

/* A job as a well-behaved application creates it: nothing any rule flags. */
static bp_job *benign_job(util_arena *a)
{
    bp_job *job = util_arena_alloc(a, sizeof(*job));
    job->job_id = "11111111-2222-3333-4444-555555555555";
    job->marker = "";
    job->job_type = 0;   /* download */
    job->priority = 2;
    job->state = 6;      /* transferred */
    job->header_decoded = true;
    job->name = "Vendor updater";
    job->description = "";
    job->notify_program = "";
    job->notify_arguments = "";
    job->owner_sid = USER_SID;
    job->notify_flags = 3;
    job->sd_owner_sid = USER_SID;
    job->sd_group_sid = USER_SID;
    job->proxy_list = "";
    job->proxy_bypass_list = "";
    job->creator_program = "C:\\Program Files\\Vendor\\updater.exe";
    job->http_method = "GET";
    job->field54_guid = job->package_family_name = job->package_app_id = "";
    job->extra_string = "";
    job->created = 133160626831204654ULL;
    job->blob_size = 1911;
    job->complete = true;
    return job;
}

static bp_file *benign_file(util_arena *a)
{
    bp_file *file = util_arena_alloc(a, sizeof(*file));
    file->file_id = "66666666-7777-8888-9999-000000000000";
    file->local_path = "C:\\Program Files\\Vendor\\cache\\update.cab";
    file->remote_url = "https://download.windowsupdate.com/c/msdownload/update/update.cab";
    file->temp_path = "C:\\Program Files\\Vendor\\cache\\BIT1.tmp";
    file->drive = "C:\\";
    file->volume = "";
    file->file_size = -1;
    file->bytes_total = UINT64_MAX;
    return file;
}

typedef struct fixture {
    bp_result *result;
    bp_job *job;
    bp_file *file;
} fixture;

static fixture new_fixture(void)
{
    fixture f;
    f.result = result_new();
    f.job = benign_job(&f.result->arena);
    f.file = benign_file(&f.result->arena);
    bp_record *r = result_add(f.result);
    r->job = f.job;
    r->file = f.file;
    return f;
}

static bp_ruleset *default_rules(void)
{
    char error[512] = "";
    bp_ruleset *rules = bp_ruleset_new();
    CHECK(rules != NULL);
    CHECK(bp_ruleset_add_default(rules, error, sizeof error) == 0);
    if (error[0])
        fprintf(stderr, "default rules: %s\n", error);
    return rules;
}

/* The ids of a record's detections joined with ",", "" for none. */
static const char *ids_of(const bp_record *record)
{
    static char buf[512];
    buf[0] = '\0';
    for (size_t i = 0; i < record->detection_count; i++) {
        if (i)
            strcat(buf, ",");
        strcat(buf, record->detections[i].id);
    }
    return buf;
}

/* Run the default rules on a one-record fixture; returns its detection ids. */
static const char *run_default(const bp_ruleset *rules, fixture *f)
{
    CHECK(bp_detect(rules, f->result, BP_SEVERITY_INFORMATIONAL) >= 0);
    return ids_of(bp_result_record(f->result, 0));
}

/* ---- default rules ------------------------------------------------------ */

static void test_default_rule_set(const bp_ruleset *rules)
{
    static const char *const ids[] = {"BITS-001", "BITS-002", "BITS-003", "BITS-004", "BITS-005",
                                      "BITS-006", "BITS-007", "BITS-008", "BITS-009", "BITS-010",
                                      "BITS-011", "BITS-012", "BITS-013", "BITS-014", "BITS-015"};
    static const bp_severity severities[] = {
        BP_SEVERITY_MEDIUM, BP_SEVERITY_HIGH,   BP_SEVERITY_HIGH,     BP_SEVERITY_MEDIUM,
        BP_SEVERITY_LOW,    BP_SEVERITY_LOW,    BP_SEVERITY_MEDIUM,   BP_SEVERITY_HIGH,
        BP_SEVERITY_MEDIUM, BP_SEVERITY_HIGH,   BP_SEVERITY_CRITICAL, BP_SEVERITY_INFORMATIONAL,
        BP_SEVERITY_MEDIUM, BP_SEVERITY_HIGH,   BP_SEVERITY_MEDIUM};
    CHECK_U64(bp_ruleset_count(rules), 15);
    for (size_t i = 0; i < 15 && i < bp_ruleset_count(rules); i++) {
        const bp_rule_info *rule = bp_ruleset_rule(rules, i);
        CHECK_STR(rule->id, ids[i]);
        CHECK_U64(rule->severity, severities[i]);
        CHECK(*rule->title != '\0');
        CHECK(strlen(rule->description) > 40);
        CHECK(rule->mitre_count >= 1);
        bool t1197 = false;
        for (size_t m = 0; m < rule->mitre_count; m++)
            t1197 = t1197 || strcmp(rule->mitre[m], "T1197") == 0;
        CHECK(t1197 || strcmp(rule->id, "BITS-005") == 0 || strcmp(rule->id, "BITS-006") == 0 ||
              strcmp(rule->id, "BITS-008") == 0 || strcmp(rule->id, "BITS-009") == 0 ||
              strcmp(rule->id, "BITS-004") == 0 || strcmp(rule->id, "BITS-007") == 0);
        CHECK(strncmp(rule->origin, "default_rules.yaml:", 19) == 0);
    }
    CHECK(bp_ruleset_rule(rules, 15) == NULL);
    size_t size = 0;
    const char *text = bp_default_rules_text(&size);
    CHECK(size > 1000 && strlen(text) == size);
    CHECK(strstr(text, "id: BITS-011") != NULL);
}

static void test_benign_is_silent(const bp_ruleset *rules)
{
    fixture f = new_fixture();
    CHECK_STR(run_default(rules, &f), "");
    CHECK(bp_result_record(f.result, 0)->detections == NULL);
    /* Chrome- and Firefox-like updater jobs: only the low staging-folder rule */
    f.file->remote_url = "http://edgedl.me.gvt1.com/edgedl/release2/chrome_component/x.crx3";
    f.file->local_path = "C:\\Users\\bob\\AppData\\Local\\Temp\\chrome_BITS_1\\x.crx3";
    CHECK_STR(run_default(rules, &f), "BITS-006");
    f.file->remote_url = "https://download-installer.cdn.mozilla.net/pub/firefox/update.mar";
    f.file->local_path = "C:\\ProgramData\\Mozilla-1de4\\updates\\update.mar";
    CHECK_STR(run_default(rules, &f), "BITS-006");
    f.file->remote_url = "http://msedge.b.tlu.dl.delivery.mp.microsoft.com/filestreamingservice/files/abc?P1=2";
    f.file->local_path = "C:\\Program Files\\Vendor\\430ce39a";
    CHECK_STR(run_default(rules, &f), "");
    /* a job without files and an orphan file without a job */
    bp_record *r = &f.result->records[0];
    r->file = NULL;
    CHECK_STR(run_default(rules, &f), "");
    r->file = f.file;
    r->job = NULL;
    CHECK_STR(run_default(rules, &f), "");
    bp_result_free(f.result);
}

static void test_notify_rules(const bp_ruleset *rules)
{
    fixture f = new_fixture();
    /* BITS-001: any notify command */
    f.job->notify_program = "C:\\Program Files\\Vendor\\notify.exe";
    CHECK_STR(run_default(rules, &f), "BITS-001");
    f.job->notify_arguments = "--done";
    CHECK_STR(run_default(rules, &f), "BITS-001");

    /* BITS-002: shells and proxy binaries by base name, any case, with or without .exe */
    static const char *const lolbins[] = {
        "C:\\Windows\\System32\\cmd.exe",
        "cmd",
        "\"C:\\Windows\\System32\\CMD.EXE\"",
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
        "PowerShell",
        "C:\\Program Files\\PowerShell\\7\\pwsh.exe",
        "c:\\windows\\system32\\rundll32.exe",
        "regsvr32",
        "C:/Windows/System32/mshta.exe",
        "wscript.exe",
        "CSCRIPT",
        "C:\\Windows\\System32\\bitsadmin.exe",
    };
    for (size_t i = 0; i < sizeof lolbins / sizeof lolbins[0]; i++) {
        f.job->notify_program = lolbins[i];
        const char *ids = run_default(rules, &f);
        if (strcmp(ids, "BITS-001,BITS-002") != 0)
            fprintf(stderr, "  notify program: %s\n", lolbins[i]);
        CHECK_STR(ids, "BITS-001,BITS-002");
    }
    static const char *const not_lolbins[] = {
        "C:\\tools\\cmdx.exe", "C:\\cmd\\app.exe", "C:\\Program Files\\Vendor\\powershell-helper.exe",
        "C:\\Windows\\System32\\cmd.exe.bak"};
    for (size_t i = 0; i < sizeof not_lolbins / sizeof not_lolbins[0]; i++) {
        f.job->notify_program = not_lolbins[i];
        CHECK_STR(run_default(rules, &f), "BITS-001");
    }

    /* BITS-010: owned by SYSTEM (or a service account) with a notify command */
    f.job->notify_program = "C:\\Program Files\\Vendor\\notify.exe";
    f.job->owner_sid = "S-1-5-18";
    CHECK_STR(run_default(rules, &f), "BITS-001,BITS-010");
    f.job->owner_sid = "S-1-5-20";
    CHECK_STR(run_default(rules, &f), "BITS-001,BITS-010");
    f.job->notify_program = "";
    CHECK_STR(run_default(rules, &f), "");  /* SYSTEM without a command is normal */
    f.job->owner_sid = USER_SID;

    /* BITS-011: in error, with a command and error notifications on */
    f.job->notify_program = "C:\\Program Files\\Vendor\\notify.exe";
    f.job->state = 4;  /* BG_JOB_STATE_ERROR */
    f.job->notify_flags = 3;
    CHECK_STR(run_default(rules, &f), "BITS-001,BITS-011");
    f.job->notify_flags = 2;
    CHECK_STR(run_default(rules, &f), "BITS-001,BITS-011");
    f.job->notify_flags = 1;  /* transferred only: the command does not run on error */
    CHECK_STR(run_default(rules, &f), "BITS-001");
    f.job->notify_flags = 2 | 4;  /* BG_NOTIFY_DISABLE */
    CHECK_STR(run_default(rules, &f), "BITS-001");
    f.job->notify_flags = 3;
    f.job->state = 5;  /* transient error: no notification */
    CHECK_STR(run_default(rules, &f), "BITS-001");
    f.job->state = 4;
    f.job->notify_program = "";
    CHECK_STR(run_default(rules, &f), "");
    f.job->state = 6;

    /* BITS-014: notify program in a user-writable folder */
    f.job->notify_program = "C:\\Users\\Public\\run.exe";
    CHECK_STR(run_default(rules, &f), "BITS-001,BITS-014");
    f.job->notify_program = "c:\\users\\bob\\appdata\\roaming\\x.exe";
    CHECK_STR(run_default(rules, &f), "BITS-001,BITS-014");

    /* everything at once: the Windows 7 persistence sample's shape */
    f.job->owner_sid = "S-1-5-18";
    f.job->notify_program = "c:\\windows\\system32\\cmd.exe";
    f.job->state = 4;
    f.file->remote_url = "http://mirror.example.org/vlc-2.2.4-win64.exe";
    f.file->local_path = "c:\\temp\\_bits2\\vlc3.exe";
    CHECK_STR(run_default(rules, &f), "BITS-001,BITS-002,BITS-006,BITS-007,BITS-010,BITS-011,BITS-012");
    bp_result_free(f.result);
}

static void test_url_rules(const bp_ruleset *rules)
{
    fixture f = new_fixture();
    /* BITS-003: bare IP addresses, in every form */
    static const char *const ip_urls[] = {
        "http://10.1.2.3/update.cab",
        "http://192.168.10.254:80/update.cab",
        "https://user:pw@172.16.0.1:8443/update.cab",
        "http://[2001:db8::1]:8080/update.cab",
        "http://[::ffff:10.0.0.1]/update.cab",
        "http://3232235777/update.cab",
        "http://0xC0A80101/update.cab",
        "http://0300.0250.1.1/update.cab",
        "http://10.1/update.cab",
        "\\\\192.168.1.5\\share\\update.cab",
    };
    for (size_t i = 0; i < sizeof ip_urls / sizeof ip_urls[0]; i++) {
        f.file->remote_url = ip_urls[i];
        const char *ids = run_default(rules, &f);
        if (strcmp(ids, "BITS-003,BITS-012") != 0)
            fprintf(stderr, "  url: %s\n", ip_urls[i]);
        CHECK_STR(ids, "BITS-003,BITS-012");
    }
    f.file->remote_url = "http://10.1.2.3.example.com/update.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012");
    f.file->remote_url = "http://1e100.net/update.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012");

    /* BITS-004: file sharing, paste and tunnel hosts */
    static const char *const sharing[] = {
        "https://a.uguu.se/Hv0bgvgHGNeH_Bin.7z",
        "https://uguu.se/x.7z",
        "https://pastebin.com/raw/abc",
        "https://PASTE.EE/r/abc",
        "https://transfer.sh/abc/x.cab",
        "https://mega.nz/file/abc",
        "https://www.dropbox.com/s/abc/x.cab?dl=1",
        "https://dl.dropboxusercontent.com/s/abc/x.cab",
        "https://raw.githubusercontent.com/u/r/main/x.txt",
        "https://gist.githubusercontent.com/u/abc/raw/x.txt",
        "https://cdn.discordapp.com/attachments/1/2/x.cab",
        "https://abcd-1-2-3-4.ngrok-free.app/x.cab",
        "https://abc.ngrok.io/x.cab",
        "https://anonfiles.com/abc/x.cab",
    };
    for (size_t i = 0; i < sizeof sharing / sizeof sharing[0]; i++) {
        f.file->remote_url = sharing[i];
        const char *ids = run_default(rules, &f);
        if (strcmp(ids, "BITS-004,BITS-012") != 0)
            fprintf(stderr, "  url: %s\n", sharing[i]);
        CHECK_STR(ids, "BITS-004,BITS-012");
    }
    f.file->remote_url = "https://notpastebin.com/x.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012");
    f.file->remote_url = "https://github.com/u/r/releases/download/v1/x.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012");

    /* BITS-005: uncommon top-level domains */
    static const char *const tlds[] = {"https://update.example.xyz/x.cab", "http://a.b.TOP/x.cab",
                                       "http://host.tk:8080/x.cab", "https://x.ru/x.cab",
                                       "https://files.zip/x.cab", "http://a.su./x.cab"};
    for (size_t i = 0; i < sizeof tlds / sizeof tlds[0]; i++) {
        f.file->remote_url = tlds[i];
        const char *ids = run_default(rules, &f);
        if (strcmp(ids, "BITS-005,BITS-012") != 0)
            fprintf(stderr, "  url: %s\n", tlds[i]);
        CHECK_STR(ids, "BITS-005,BITS-012");
    }
    f.file->remote_url = "https://xyz.example.com/x.cab";  /* xyz as a label, not the TLD */
    CHECK_STR(run_default(rules, &f), "BITS-012");

    /* BITS-012 alone: a third-party host; Microsoft and the known updaters are not reported */
    f.file->remote_url = "https://downloads.vendor.example/app.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012");
    static const char *const allowed[] = {
        "http://download.windowsupdate.com/d/msdownload/x.cab",
        "http://7.tlu.dl.delivery.mp.microsoft.com/filestreamingservice/files/abc",
        "https://officecdn.microsoft.com/pr/x.cab",
        "http://edgedl.me.gvt1.com/edgedl/x.crx3",
        "https://dl.google.com/update2/x.cab",
        "https://download-installer.cdn.mozilla.net/pub/x.mar",
        "https://archive.mozilla.org/pub/x.mar",
        "https://msedge.f.dl.delivery.mp.microsoft.com/x",
        "https://oneclient.sfx.ms/Win/Prod/x.cab",
    };
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++) {
        f.file->remote_url = allowed[i];
        const char *ids = run_default(rules, &f);
        if (*ids)
            fprintf(stderr, "  url: %s\n", allowed[i]);
        CHECK_STR(ids, "");
    }
    /* BITS-015: the "remote" file is a local path (the file-copy persistence setup) */
    static const char *const local[] = {"C:\\Windows\\system32\\calc.cab", "c:/temp/x.cab",
                                        "file:///C:/x.cab", "\\\\?\\C:\\x.cab"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++) {
        f.file->remote_url = local[i];
        const char *ids = run_default(rules, &f);
        if (strcmp(ids, "BITS-015") != 0)
            fprintf(stderr, "  url: %s\n", local[i]);
        CHECK_STR(ids, "BITS-015");
    }
    f.file->remote_url = "C:\\Windows\\system32\\cmd.exe";  /* the Windows 7 event-log sample */
    CHECK_STR(run_default(rules, &f), "BITS-007,BITS-015");
    f.file->remote_url = "\\\\fileserver\\share\\x.cab";  /* SMB share: a remote host */
    CHECK_STR(run_default(rules, &f), "BITS-012");
    f.file->remote_url = "https://microsoft.com.evil.example/x.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012");
    f.file->remote_url = "https://evilmicrosoft.com/x.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012");
    bp_result_free(f.result);
}

static void test_file_and_job_rules(const bp_ruleset *rules)
{
    fixture f = new_fixture();
    /* BITS-006: staging folders */
    static const char *const staging[] = {
        "C:\\Users\\bob\\AppData\\Local\\Temp\\x.cab",
        "C:\\Users\\Public\\x.cab",
        "C:\\ProgramData\\x\\x.cab",
        "C:\\Windows\\Temp\\x.cab",
        "c:\\temp\\x.cab",
        "D:\\Temp\\x.cab",
        "C:\\Users\\bob\\Downloads\\x.cab",
        "\\\\?\\C:\\Users\\bob\\appdata\\roaming\\x.cab",
    };
    for (size_t i = 0; i < sizeof staging / sizeof staging[0]; i++) {
        f.file->local_path = staging[i];
        const char *ids = run_default(rules, &f);
        if (strcmp(ids, "BITS-006") != 0)
            fprintf(stderr, "  path: %s\n", staging[i]);
        CHECK_STR(ids, "BITS-006");
    }
    f.file->local_path = "C:\\Program Files\\Temperature\\x.cab";
    CHECK_STR(run_default(rules, &f), "");

    /* BITS-007: executable or script, by local name or URL path */
    static const char *const programs[] = {"C:\\Program Files\\Vendor\\setup.EXE",
                                           "C:\\Program Files\\Vendor\\a.dll",
                                           "C:\\Program Files\\Vendor\\a.ps1",
                                           "C:\\Program Files\\Vendor\\a.hta",
                                           "C:\\Program Files\\Vendor\\a.vbs",
                                           "C:\\Program Files\\Vendor\\a.msi"};
    for (size_t i = 0; i < sizeof programs / sizeof programs[0]; i++) {
        f.file->local_path = programs[i];
        CHECK_STR(run_default(rules, &f), "BITS-007");
    }
    f.file->local_path = "C:\\Program Files\\Vendor\\BIT12.tmp";
    f.file->remote_url = "https://download.windowsupdate.com/payload.ps1?x=1";
    CHECK_STR(run_default(rules, &f), "BITS-007");
    f.file->remote_url = "https://download.windowsupdate.com/payload.cab?name=a.exe";
    CHECK_STR(run_default(rules, &f), "");  /* the extension is in the query, not the path */
    f.file->local_path = "C:\\Program Files\\Vendor\\a.exe.cab";
    CHECK_STR(run_default(rules, &f), "");
    f.file->local_path = "C:\\Program Files\\Vendor\\update.cab";
    f.file->remote_url = "https://download.windowsupdate.com/c/update.cab";

    /* BITS-008 / BITS-009: uploads */
    f.job->job_type = 1;
    CHECK_STR(run_default(rules, &f), "BITS-008");
    f.job->job_type = 2;
    CHECK_STR(run_default(rules, &f), "BITS-009");
    f.job->job_type = 0;

    /* BITS-013: created by bitsadmin, PowerShell, a script host, desktopimgdownldr */
    static const char *const creators[] = {"C:\\Windows\\System32\\bitsadmin.exe",
                                           "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                                           "C:\\Windows\\System32\\desktopimgdownldr.exe",
                                           "C:\\Windows\\SysWOW64\\WScript.exe"};
    for (size_t i = 0; i < sizeof creators / sizeof creators[0]; i++) {
        f.job->creator_program = creators[i];
        CHECK_STR(run_default(rules, &f), "BITS-013");
    }
    f.job->creator_program = "C:\\Program Files\\Google\\Update\\GoogleUpdate.exe";
    CHECK_STR(run_default(rules, &f), "");
    bp_result_free(f.result);
}

/* A LOLBin download like the desktopimgdownldr sample, and the raw-IP bitsadmin one. */
static void test_combinations(const bp_ruleset *rules)
{
    fixture f = new_fixture();
    f.job->creator_program = "C:\\Windows\\System32\\desktopimgdownldr.exe";
    f.file->remote_url = "https://a.uguu.se/Hv0bgvgHGNeH_Bin.7z";
    f.file->local_path = "C:\\Users\\IEUser\\AppData\\Local\\Temp\\Bin.7z";
    CHECK_STR(run_default(rules, &f), "BITS-004,BITS-006,BITS-012,BITS-013");
    f.job->creator_program = "C:\\Windows\\System32\\bitsadmin.exe";
    f.file->remote_url = "http://192.168.10.254:80/calc.exe";
    f.file->local_path = "C:\\Users\\Administrator\\calc.exe";
    CHECK_STR(run_default(rules, &f), "BITS-003,BITS-007,BITS-012,BITS-013");

    /* --min-severity */
    CHECK(bp_detect(rules, f.result, BP_SEVERITY_HIGH) == 1);
    CHECK_STR(ids_of(&f.result->records[0]), "BITS-003");
    const bp_detection *d = &f.result->records[0].detections[0];
    CHECK_STR(d->title, "Transfer from or to a bare IP address");
    CHECK_STR(d->severity, "high");
    CHECK(bp_detect(rules, f.result, BP_SEVERITY_CRITICAL) == 0);
    CHECK(f.result->records[0].detections == NULL);
    CHECK_U64(f.result->records[0].detection_count, 0);
    CHECK(bp_detect(rules, f.result, BP_SEVERITY_INFORMATIONAL) == 4);
    /* a NULL rule set clears */
    CHECK(bp_detect(NULL, f.result, BP_SEVERITY_INFORMATIONAL) == 0);
    CHECK_U64(f.result->records[0].detection_count, 0);
    CHECK(bp_detect(rules, NULL, BP_SEVERITY_INFORMATIONAL) == 0);
    bp_result_free(f.result);
}

/* Detections live in the result's arena: the rule set may go first. */
static void test_lifetime(void)
{
    fixture f = new_fixture();
    f.job->notify_program = "cmd.exe";
    bp_ruleset *rules = default_rules();
    CHECK(bp_detect(rules, f.result, BP_SEVERITY_INFORMATIONAL) == 2);
    bp_ruleset_free(rules);
    CHECK_STR(ids_of(&f.result->records[0]), "BITS-001,BITS-002");
    CHECK_STR(f.result->records[0].detections[1].title,
              "Notify command starts a shell, script host or proxy binary");
    bp_result_free(f.result);
}

/* ---- the rule language -------------------------------------------------- */

/* Load one rule "match" block (YAML lines indented by six spaces) and run it
 * on the fixture; returns 1 when it matched, 0 when not, -1 when refused. */
static int try_match(fixture *f, const char *match_yaml)
{
    char text[4096];
    snprintf(text, sizeof text,
             "rules:\n"
             "  - id: T-1\n"
             "    title: test\n"
             "    severity: low\n"
             "    match:\n"
             "%s",
             match_yaml);
    char error[512];
    bp_ruleset *rules = bp_ruleset_new();
    if (bp_ruleset_add_memory(rules, text, strlen(text), "t.yaml", error, sizeof error) != 0) {
        fprintf(stderr, "  refused: %s\n", error);
        bp_ruleset_free(rules);
        return -1;
    }
    long n = bp_detect(rules, f->result, BP_SEVERITY_INFORMATIONAL);
    bp_ruleset_free(rules);
    return n < 0 ? -1 : n > 0;
}

static void test_operators(void)
{
    fixture f = new_fixture();
    f.job->name = "Say Hello";
    f.job->notify_flags = 3;
    f.job->notify_program = "\"C:\\Windows\\System32\\CMD.exe\"";
    f.result->records[0].carved = true;
    util_notes_add(&f.result->arena, &f.result->records[0].warnings, "first warning");
    util_notes_add(&f.result->arena, &f.job->warnings, "footer missing");
    f.result->records[0].job_source = (bp_source){.path = "/evidence/qmgr.db", .format = "ese",
                                                  .table = "Jobs", .page = 31};

    /* equals / in: whole value, case ignored unless case_sensitive */
    CHECK(try_match(&f, "      field: job_name\n      equals: say hello\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      equals: Say\n") == 0);
    CHECK(try_match(&f, "      field: job_name\n      equals: say hello\n      case_sensitive: true\n") == 0);
    CHECK(try_match(&f, "      field: job_name\n      equals: Say Hello\n      case_sensitive: true\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      equals: [x, SAY HELLO]\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      in: [x, y]\n") == 0);
    CHECK(try_match(&f, "      field: job_name\n      in:\n        - x\n        - say hello\n") == 1);
    /* contains / starts_with / ends_with */
    CHECK(try_match(&f, "      field: job_name\n      contains: Y HEL\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      contains: [zz, yy]\n") == 0);
    CHECK(try_match(&f, "      field: job_name\n      starts_with: say\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      starts_with: Hello\n") == 0);
    CHECK(try_match(&f, "      field: job_name\n      ends_with: HELLO\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      ends_with: hello\n      case_sensitive: true\n") == 0);
    /* regex: POSIX extended, case ignored by default */
    CHECK(try_match(&f, "      field: job_name\n      regex: '^say +h[a-z]+o$'\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      regex: '^say'\n      case_sensitive: true\n") == 0);
    CHECK(try_match(&f, "      field: job_name\n      regex: ['^x', 'l{2}']\n") == 1);
    /* empty */
    CHECK(try_match(&f, "      field: job_description\n      empty: true\n") == 1);
    CHECK(try_match(&f, "      field: job_name\n      empty: true\n") == 0);
    CHECK(try_match(&f, "      field: job_name\n      empty: no\n") == 1);
    /* numbers and booleans are tested as their output text */
    CHECK(try_match(&f, "      field: notify_flags\n      equals: '3'\n") == 1);
    CHECK(try_match(&f, "      field: carved\n      equals: true\n") == 1);
    CHECK(try_match(&f, "      field: error_count\n      equals: 0\n") == 1);
    /* grouped fields by their CSV name */
    CHECK(try_match(&f, "      field: source_path\n      ends_with: qmgr.db\n") == 1);
    CHECK(try_match(&f, "      field: source_job_page\n      equals: 31\n") == 1);
    /* list fields: any entry */
    CHECK(try_match(&f, "      field: warnings\n      equals: 'job: footer missing'\n") == 1);
    CHECK(try_match(&f, "      field: warnings\n      starts_with: 'file:'\n") == 0);
    CHECK(try_match(&f, "      field: additional_sids\n      in: [S-1-5-18, " USER_SID "]\n") == 1);
    CHECK(try_match(&f, "      field: detections\n      empty: true\n") == -1);
    CHECK(try_match(&f, "      field: acls\n      empty: true\n") == -1);
    /* derived fields */
    CHECK(try_match(&f, "      field: job_command_name\n      equals: cmd.exe\n      case_sensitive: true\n") == 0);
    CHECK(try_match(&f, "      field: job_command_name\n      equals: CMD.exe\n      case_sensitive: true\n") == 1);
    CHECK(try_match(&f, "      field: creator_program_name\n      equals: updater.exe\n") == 1);
    CHECK(try_match(&f, "      field: url_host\n      equals: download.windowsupdate.com\n") == 1);
    CHECK(try_match(&f, "      field: url_scheme\n      equals: https\n") == 1);
    /* hosts */
    CHECK(try_match(&f, "      field: url\n      host_in: [windowsupdate.com]\n") == 1);
    CHECK(try_match(&f, "      field: url\n      host_in: ['*.windowsupdate.com']\n") == 1);
    CHECK(try_match(&f, "      field: url\n      host_in: ['*.download.windowsupdate.com']\n") == 0);
    CHECK(try_match(&f, "      field: url\n      host_in: [Download.WindowsUpdate.com.]\n") == 1);
    CHECK(try_match(&f, "      field: url\n      host_in: [dowsupdate.com]\n") == 0);
    CHECK(try_match(&f, "      field: url\n      tld_in: [com]\n") == 1);
    CHECK(try_match(&f, "      field: url\n      tld_in: ['.windowsupdate.com']\n") == 1);
    CHECK(try_match(&f, "      field: url\n      tld_in: [net, org]\n") == 0);
    CHECK(try_match(&f, "      field: url\n      is_ip: false\n") == 1);
    CHECK(try_match(&f, "      field: url\n      is_ip: true\n") == 0);
    CHECK(try_match(&f, "      field: url_host\n      host_in: [windowsupdate.com]\n") == 1);
    /* not / all_of / any_of, nested */
    CHECK(try_match(&f, "      not:\n        field: job_name\n        equals: x\n") == 1);
    CHECK(try_match(&f, "      all_of:\n        - field: job_name\n          contains: say\n"
                        "        - field: job_type\n          equals: BG_JOB_TYPE_DOWNLOAD\n") == 1);
    CHECK(try_match(&f, "      all_of:\n        - field: job_name\n          contains: say\n"
                        "        - field: job_type\n          equals: BG_JOB_TYPE_UPLOAD\n") == 0);
    CHECK(try_match(&f, "      any_of:\n        - field: job_name\n          contains: nope\n"
                        "        - not:\n            any_of:\n              - field: url\n"
                        "                is_ip: true\n") == 1);
    CHECK(try_match(&f, "      any_of:\n        - field: job_name\n          contains: nope\n"
                        "        - field: job_state\n          equals: BG_JOB_STATE_ERROR\n") == 0);
    /* an orphan file: job fields are empty, never an error */
    f.result->records[0].job = NULL;
    CHECK(try_match(&f, "      field: job_name\n      empty: true\n") == 1);
    CHECK(try_match(&f, "      field: job_command_name\n      regex: '^cmd'\n") == 0);
    bp_result_free(f.result);
}

/* The 24H2 package identity (field 54b) is testable: the app behind a host
 * creator program such as msedgewebview2.exe; "" on a job without one. */
static void test_package_identity_rule(void)
{
    fixture f = new_fixture();
    CHECK(try_match(&f, "      field: package_family_name\n      equals: ''\n") == 1);
    CHECK(try_match(&f, "      field: package_app_id\n      starts_with: '!'\n") == 0);
    f.job->creator_program = "C:\\Program Files (x86)\\Microsoft\\EdgeWebView\\Application\\"
                             "msedgewebview2.exe";
    f.job->package_family_name = "Microsoft.OutlookForWindows_8wekyb3d8bbwe";
    f.job->package_app_id = "!Microsoft.OutlookforWindows";
    CHECK(try_match(&f, "      field: package_family_name\n"
                        "      equals: microsoft.outlookforwindows_8wekyb3d8bbwe\n") == 1);
    CHECK(try_match(&f, "      field: package_family_name\n      starts_with: MicrosoftWindows.Client.\n") == 0);
    CHECK(try_match(&f, "      all_of:\n"
                        "        - field: creator_program_name\n          equals: msedgewebview2.exe\n"
                        "        - field: package_app_id\n          equals: '!Microsoft.OutlookforWindows'\n"
                        "          case_sensitive: true\n") == 1);
    bp_result_free(f.result);
}

static void test_hosts(void)
{
    util_arena a;
    util_arena_init(&a);
    static const char *const cases[][2] = {
        {"http://Example.COM/x", "example.com"},
        {"https://user:pw@host.example:8443/p?q#f", "host.example"},
        {"http://[2001:DB8::1]:80/x", "2001:db8::1"},
        {"http://[fe80::1%25eth0]/x", "fe80::1"},
        {"\\\\server\\share\\x", "server"},
        {"\\\\?\\UNC\\server2\\share\\x", "server2"},
        {"\\\\?\\C:\\x", ""},
        {"C:\\Windows\\cmd.exe", ""},
        {"d:/x", ""},
        {"file:///C:/x", ""},
        {"file://server/share/x", "server"},
        {"example.org.", "example.org"},
        {"  http://a.b/  ", "a.b"},
        {"ftp://a.b\\c", "a.b"},
        {"", ""},
        /* the one pass over the authority: the last '@' starts the host,
         * colons and '%' count from there */
        {"http://u@v@Host.example:1/x", "host.example"},
        {"http://a:b@h:1:2/x", "h:1:2"},
        {"http://fe80::1%eth0/x", "fe80::1"},
        {"http://h%41st/x", "h%41st"},
        {"http://u:p%40@h.example/", "h.example"},
        {"http://u%3a:p:q@h.example:80%1/", "h.example"},
        {"http://h.example:80%1/", "h.example"},
        {"http://a::b%z@c::d%e/", "c::d"},
        {"http://h..:8/", "h"},
        {"http://@/", ""},
        {"http://[::1%lo]:9/", "::1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(detect_host_of(cases[i][0], &a), cases[i][1]);
    CHECK_STR(detect_scheme_of("HTTPS://x", &a), "https");
    CHECK_STR(detect_scheme_of("C:\\x", &a), "");
    CHECK_STR(detect_program_name("\"C:\\Program Files\\a b\\x.exe\" /c", &a), "x.exe");
    CHECK_STR(detect_program_name("  C:/w/cmd  ", &a), "cmd");
    CHECK_STR(detect_program_name("", &a), "");
    CHECK_STR(detect_program_name("C:\\a/b\\c.exe", &a), "c.exe");  /* the last separator of either kind */
    CHECK_STR(detect_program_name("dir\\", &a), "");
    CHECK_STR(detect_program_name("\\x", &a), "x");
    CHECK_STR(detect_program_name("plain.exe", &a), "plain.exe");
    CHECK_STR(detect_program_name("\"C:\\q\\\" tail\\y", &a), "");  /* the quoted part ends at the separator */

    static const char *const ips[] = {"1.2.3.4", "10.1", "3232235777", "0x7f.1", "0300.0250.1.1",
                                      "::1", "2001:db8::1", "::ffff:10.0.0.1"};
    for (size_t i = 0; i < sizeof ips / sizeof ips[0]; i++)
        CHECK(detect_is_ip_literal(ips[i]));
    static const char *const not_ips[] = {"", "1.2.3.4.5", "1..2", "a.b.c.d", "1.2.3.x", "0x",
                                          "example.com", "1e100.net", "::g", ":"};
    for (size_t i = 0; i < sizeof not_ips / sizeof not_ips[0]; i++)
        CHECK(!detect_is_ip_literal(not_ips[i]));
    CHECK(detect_host_matches("a.example.com", "example.com"));
    CHECK(detect_host_matches("example.com", "example.com"));
    CHECK(!detect_host_matches("badexample.com", "example.com"));
    CHECK(!detect_host_matches("example.com", ".example.com"));
    CHECK(detect_host_matches("a.example.com", ".example.com"));
    CHECK(detect_tld_matches("a.co.uk", "co.uk"));
    CHECK(!detect_tld_matches("co.uk", "co.uk"));
    CHECK(!detect_tld_matches("1.2.3.4", "4"));
    util_arena_free(&a);
}

/* A plain host is its own host, so host_in on url_host skips a second
 * extraction (match.c); what extracts differently is never plain. */
static void test_plain_host_is_own_host(void)
{
    util_arena a;
    util_arena_init(&a);
    static const char *const plain[] = {"example.com", "a-b_c.example.org", "10.0.0.1", "x", ""};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        CHECK(detect_is_plain_host(plain[i]));
        CHECK_STR(detect_host_of(plain[i], &a), plain[i]);
    }
    static const char *const not_plain[][2] = {
        {"Example.com", "example.com"}, {"example.org.", "example.org"}, {"a:", ""},
        {"a:b", "a"}, {"[a", "a"}, {"h@x", "x"}, {"fe80::1%eth0", "fe80::1"}, {" x", "x"},
        {"x/y", "x"}, {"c:\\w", ""},
    };
    for (size_t i = 0; i < sizeof not_plain / sizeof not_plain[0]; i++) {
        CHECK(!detect_is_plain_host(not_plain[i][0]));
        CHECK_STR(detect_host_of(not_plain[i][0], &a), not_plain[i][1]);
    }
    CHECK(!detect_is_plain_host(NULL));
    util_arena_free(&a);
}

/* Verdicts of host and regex tests are remembered per distinct host or value
 * for a whole run (match.c): records that share a host but not a URL, that
 * repeat a URL, or come after the memo is full must each still get their own
 * answer. 17 000 records pass DETECT_VERDICTS_MAX (16 384). */
static void test_verdict_memo(void)
{
    static const char rules_text[] =
        "rules:\n"
        "  - id: T-HOST\n"
        "    title: host\n"
        "    severity: low\n"
        "    match:\n"
        "      field: url\n"
        "      host_in: [bad.example]\n"
        "  - id: T-NAME\n"
        "    title: name\n"
        "    severity: low\n"
        "    match:\n"
        "      field: job_name\n"
        "      regex: '7$'\n";
    char error[512] = "";
    bp_ruleset *rules = bp_ruleset_new();
    CHECK(bp_ruleset_add_memory(rules, rules_text, strlen(rules_text), "memo.yaml", error,
                                sizeof error) == 0);
    if (error[0])
        fprintf(stderr, "  memo rules: %s\n", error);
    bp_result *result = result_new();
    enum { RECORDS = 17000 };
    for (int i = 0; i < RECORDS; i++) {
        bp_job *job = benign_job(&result->arena);
        bp_file *file = benign_file(&result->arena);
        job->name = util_arena_printf(&result->arena, "job %d", i);
        /* hosts alternate; every URL differs but records 0..9 repeat one */
        file->remote_url = util_arena_printf(&result->arena, "https://%s/p/%d",
                                           i % 3 == 1 ? "BAD.example" : "good.example",
                                           i < 10 ? 0 : i);
        bp_record *r = result_add(result);
        r->job = job;
        r->file = file;
    }
    CHECK(bp_detect(rules, result, BP_SEVERITY_INFORMATIONAL) >= 0);
    int wrong = 0;
    for (int i = 0; i < RECORDS; i++) {
        char expected[32] = "";
        if (i % 3 == 1)
            strcat(expected, "T-HOST");
        if (i % 10 == 7)
            strcat(expected, expected[0] ? ",T-NAME" : "T-NAME");
        if (strcmp(ids_of(bp_result_record(result, (size_t)i)), expected) != 0 && wrong++ < 3)
            fprintf(stderr, "  record %d: %s, expected %s\n", i,
                    ids_of(bp_result_record(result, (size_t)i)), expected);
    }
    CHECK(wrong == 0);
    CHECK_STR(ids_of(bp_result_record(result, 16998)), "");
    CHECK_STR(ids_of(bp_result_record(result, 16997)), "T-NAME");
    CHECK_STR(ids_of(bp_result_record(result, 16996)), "T-HOST");
    bp_result_free(result);
    bp_ruleset_free(rules);
}

/* ---- rule file errors ---------------------------------------------------- */

static void expect_error(const char *text, const char *expected)
{
    char error[512] = "";
    bp_ruleset *rules = bp_ruleset_new();
    int rc = bp_ruleset_add_memory(rules, text, strlen(text), "bad.yaml", error, sizeof error);
    CHECK(rc == -1);
    CHECK_U64(bp_ruleset_count(rules), 0);
    if (strncmp(error, expected, strlen(expected)) != 0) {
        check_failures++;
        fprintf(stderr, "error message\n   got: %s\n  want: %s...\n", error, expected);
    }
    check_count++;
    bp_ruleset_free(rules);
}

#define RULE_HEAD "rules:\n  - id: X-1\n    title: t\n    severity: low\n"

static void test_errors(void)
{
    expect_error("", "bad.yaml:1:1: empty rule file");
    expect_error("# only a comment\n", "bad.yaml:1:1: empty rule file");
    expect_error("rules: [\n", "bad.yaml:2:1: YAML syntax error: ");
    expect_error("rules:\n  - id: a\n   title: b\n", "bad.yaml:3:4: YAML syntax error: ");
    expect_error("rules:\n\t- id: a\n", "bad.yaml:2:1: YAML syntax error: ");
    expect_error("- a\n- b\n", "bad.yaml:1:1: a rule file must be a mapping, not a list");
    expect_error("version: 1\n", "bad.yaml:1:1: no 'rules' list in the rule file");
    expect_error("version: 2\nrules: []\n", "bad.yaml:1:10: unsupported rule file version '2'");
    expect_error("rule: []\n", "bad.yaml:1:1: unknown key 'rule' at the top of a rule file");
    expect_error("rules: {}\n", "bad.yaml:1:8: 'rules' must be a list of rules, not a mapping");
    expect_error("rules: []\nrules: []\n", "bad.yaml:2:1: duplicate key 'rules' (first at line 1)");
    expect_error("rules: []\n---\nrules: []\n", "bad.yaml:2:1: a rule file holds one YAML document");
    expect_error("x: &a [1]\nrules: *a\n", "bad.yaml:2:8: YAML aliases (*a) are not allowed");
    expect_error("rules:\n  - id: X-1\n    title: t\n    match: {field: url, empty: true}\n",
                 "bad.yaml:2:5: rule without 'severity'");
    expect_error("rules:\n  - title: t\n", "bad.yaml:2:5: rule without 'id'");
    expect_error(RULE_HEAD "    match: {field: url, empty: true}\n    sevrity: low\n",
                 "bad.yaml:6:5: unknown key 'sevrity' in a rule");
    expect_error("rules:\n  - id: X 1\n    title: t\n    severity: low\n    match: {field: url, empty: true}\n",
                 "bad.yaml:2:9: rule id 'X 1' must be 1 to 64 letters");
    expect_error("rules:\n  - id: X-1\n    title: t\n    severity: severe\n    match: {field: url, empty: true}\n",
                 "bad.yaml:4:15: unknown severity 'severe'");
    expect_error(RULE_HEAD "    mitre: [T1197, 1197]\n    match: {field: url, empty: true}\n",
                 "bad.yaml:5:20: '1197' is not a MITRE ATT&CK id");
    expect_error(RULE_HEAD "    match: {field: url, empty: true}\n"
                           "  - id: X-1\n    title: u\n    severity: low\n    match: {field: url, empty: false}\n",
                 "bad.yaml:6:5: duplicate rule id 'X-1' (first defined at bad.yaml:2)");
    expect_error(RULE_HEAD "    match: {field: uri, equals: x}\n",
                 "bad.yaml:5:20: 'uri' is not a field");
    expect_error(RULE_HEAD "    match: {field: acls, equals: x}\n", "bad.yaml:5:20: 'acls' cannot be tested");
    expect_error(RULE_HEAD "    match: {field: url, equal: x}\n", "bad.yaml:5:25: unknown key 'equal' in a condition");
    expect_error(RULE_HEAD "    match: {field: url}\n",
                 "bad.yaml:5:12: a condition on a field needs one operator");
    expect_error(RULE_HEAD "    match: {equals: x}\n", "bad.yaml:5:12: a condition needs 'field'");
    expect_error(RULE_HEAD "    match: {field: url, equals: x, contains: y}\n",
                 "bad.yaml:5:36: one operator per condition ('equals' and 'contains')");
    expect_error(RULE_HEAD "    match:\n      field: url\n      regex: '(unclosed'\n",
                 "bad.yaml:7:14: bad regex '(unclosed': ");
    expect_error(RULE_HEAD "    match: {field: url, is_ip: maybe}\n",
                 "bad.yaml:5:32: the operand of 'is_ip' must be true or false, not 'maybe'");
    expect_error(RULE_HEAD "    match: {field: url, is_ip: true, case_sensitive: true}\n",
                 "bad.yaml:5:54: case_sensitive applies to equals");
    expect_error(RULE_HEAD "    match: {field: url, in: x}\n", "bad.yaml:5:29: the operand of 'in' must be a list");
    expect_error(RULE_HEAD "    match: {field: url, equals: []}\n", "bad.yaml:5:33: the operand of 'equals' is an empty list");
    expect_error(RULE_HEAD "    match: {field: url, equals: {a: b}}\n",
                 "bad.yaml:5:33: the operand of 'equals' must be a single value, not a mapping");
    expect_error(RULE_HEAD "    match: {field: url, host_in: ['http://x.com/']}\n",
                 "bad.yaml:5:35: 'http://x.com/' is not a host name");
    expect_error(RULE_HEAD "    match: {all_of: {field: url, empty: true}}\n",
                 "bad.yaml:5:21: 'all_of' takes a list of conditions, not a mapping");
    expect_error(RULE_HEAD "    match: {any_of: []}\n", "bad.yaml:5:21: 'any_of' has an empty list of conditions");
    expect_error(RULE_HEAD "    match: {not: {field: url, empty: true}, field: url}\n",
                 "bad.yaml:5:12: 'not' must be the only key of its condition");
    expect_error(RULE_HEAD "    match: [a]\n", "bad.yaml:5:12: a condition must be a mapping, not a list");
    expect_error(RULE_HEAD "    match: {}\n", "bad.yaml:5:12: empty condition");
    expect_error(RULE_HEAD "    match: {field: url, empty: true, field: job_name}\n",
                 "bad.yaml:5:38: duplicate key 'field' (first at line 5)");
    expect_error(RULE_HEAD "    title: again\n    match: {field: url, empty: true}\n",
                 "bad.yaml:5:5: duplicate key 'title'");
    expect_error("rules:\n  - id: X-1\n    title: \"two\\nlines\"\n    severity: low\n    match: {field: url, empty: true}\n",
                 "bad.yaml:3:12: 'title' must be one non-empty line");
    expect_error("rules:\n  - id: \"X\\0\"\n    title: t\n    severity: low\n    match: {field: url, empty: true}\n",
                 "bad.yaml:2:9: 'id' holds a NUL character");
    expect_error("rules: [\xff]\n", "bad.yaml:1:9: YAML syntax error: invalid ");

    /* nesting deeper than 32 levels */
    char deep[8192];
    strcpy(deep, RULE_HEAD "    match:");
    for (int i = 0; i < 40; i++)
        strcat(deep, " {not:");
    strcat(deep, " {field: url, empty: true}");
    for (int i = 0; i < 40; i++)
        strcat(deep, "}");
    strcat(deep, "\n");
    expect_error(deep, "bad.yaml:5:");
    char error[512];
    bp_ruleset *rules = bp_ruleset_new();
    CHECK(bp_ruleset_add_memory(rules, deep, strlen(deep), "bad.yaml", error, sizeof error) == -1);
    CHECK(strstr(error, "nested more than 32 levels deep") != NULL);
    /* a small error buffer is truncated, never overrun; size 0 is allowed */
    char tiny[12];
    memset(tiny, 'x', sizeof tiny);
    CHECK(bp_ruleset_add_memory(rules, "x", 1, "bad.yaml", tiny, sizeof tiny) == -1);
    CHECK(strlen(tiny) == sizeof tiny - 1);
    CHECK(bp_ruleset_add_memory(rules, "x", 1, "bad.yaml", NULL, 0) == -1);
    /* files */
    CHECK(bp_ruleset_add_file(rules, "/nonexistent/rules.yaml", error, sizeof error) == -1);
    CHECK(strncmp(error, "/nonexistent/rules.yaml:1:1: cannot read the rule file: ", 56) == 0);
    CHECK(bp_ruleset_add_file(rules, BP_SOURCE_DIR "/src/detect/default_rules.yaml", error,
                              sizeof error) == 0);
    CHECK_U64(bp_ruleset_count(rules), 15);
    bp_ruleset_free(rules);
}

/* ---- rule sets ------------------------------------------------------------ */

static void test_ruleset(void)
{
    char error[512];
    bp_ruleset *rules = default_rules();
    /* a user rule with a default id replaces it where it stands; new ids are appended */
    const char *user = "version: 1\n"
                       "rules:\n"
                       "  - id: BITS-012\n"
                       "    title: Host outside my allow-list\n"
                       "    severity: low\n"
                       "    description: site-specific\n"
                       "    mitre: T1197\n"
                       "    references: https://example.test/wiki\n"
                       "    match:\n"
                       "      all_of:\n"
                       "        - {field: url, empty: false}\n"
                       "        - not: {field: url, host_in: [microsoft.com, vendor.example]}\n"
                       "  - id: SITE-1\n"
                       "    title: Job named like ours\n"
                       "    severity: HIGH\n"
                       "    match: {field: job_name, starts_with: vendor}\n";
    CHECK(bp_ruleset_add_memory(rules, user, strlen(user), "site.yaml", error, sizeof error) == 0);
    CHECK_U64(bp_ruleset_count(rules), 16);
    const bp_rule_info *replaced = bp_ruleset_rule(rules, 11);
    CHECK_STR(replaced->id, "BITS-012");
    CHECK_STR(replaced->title, "Host outside my allow-list");
    CHECK_U64(replaced->severity, BP_SEVERITY_LOW);
    CHECK_STR(replaced->description, "site-specific");
    CHECK_U64(replaced->mitre_count, 1);
    CHECK_U64(replaced->reference_count, 1);
    CHECK_STR(replaced->references[0], "https://example.test/wiki");
    CHECK_STR(replaced->origin, "site.yaml:3");
    const bp_rule_info *added = bp_ruleset_rule(rules, 15);
    CHECK_STR(added->id, "SITE-1");
    CHECK_U64(added->severity, BP_SEVERITY_HIGH);
    CHECK_STR(added->description, "");
    CHECK_U64(added->mitre_count, 0);
    CHECK_U64(added->reference_count, 0);

    fixture f = new_fixture();
    f.file->remote_url = "https://cdn.vendor.example/x.cab";
    CHECK_STR(run_default(rules, &f), "SITE-1");
    f.file->remote_url = "https://cdn.other.example/x.cab";
    CHECK_STR(run_default(rules, &f), "BITS-012,SITE-1");
    CHECK_STR(bp_result_record(f.result, 0)->detections[0].severity, "low");

    /* a failed add changes nothing */
    const char *broken = "rules:\n  - id: NEW-1\n    title: t\n    severity: low\n"
                         "    match: {field: url, empty: true}\n  - id: NEW-2\n";
    CHECK(bp_ruleset_add_memory(rules, broken, strlen(broken), "broken.yaml", error, sizeof error) == -1);
    CHECK_U64(bp_ruleset_count(rules), 16);
    CHECK_STR(run_default(rules, &f), "BITS-012,SITE-1");
    /* an empty list is a valid, empty document */
    CHECK(bp_ruleset_add_memory(rules, "rules: []\n", 10, "empty.yaml", error, sizeof error) == 0);
    CHECK_U64(bp_ruleset_count(rules), 16);
    bp_result_free(f.result);
    bp_ruleset_free(rules);

    /* severities */
    bp_severity s = BP_SEVERITY_LOW;
    CHECK(bp_severity_parse("Critical", &s) && s == BP_SEVERITY_CRITICAL);
    CHECK(bp_severity_parse("informational", &s) && s == BP_SEVERITY_INFORMATIONAL);
    CHECK(!bp_severity_parse("info", &s));
    CHECK(!bp_severity_parse(NULL, &s));
    CHECK_STR(bp_severity_name(BP_SEVERITY_MEDIUM), "medium");
    CHECK(bp_severity_name((bp_severity)9) == NULL);
    CHECK(bp_ruleset_count(NULL) == 0);
    CHECK(bp_ruleset_rule(NULL, 0) == NULL);
    bp_ruleset_free(NULL);
}

/* "LABEL:LINE:COLUMN: message" with positive numbers and a message. */
static bool well_formed_error(const char *error, const char *label)
{
    size_t n = strlen(label);
    if (strncmp(error, label, n) != 0 || error[n] != ':')
        return false;
    const char *p = error + n + 1;
    for (int part = 0; part < 2; part++) {
        char *end;
        long number = strtol(p, &end, 10);
        if (end == p || number < 1 || *end != ':')
            return false;
        p = end + 1;
    }
    return p[0] == ' ' && p[1] != '\0';
}

/* Truncated and bit-flipped copies of the default rule file: each is either
 * loaded or refused with a well-formed message, never a crash (run under ASan
 * and UBSan in CI). */
static void test_hostile_rule_text(void)
{
    size_t size = 0;
    const char *original = bp_default_rules_text(&size);
    char *copy = malloc(size + 1);
    char error[512];
    size_t loaded = 0, refused = 0, bad_messages = 0;
    for (size_t cut = 0; cut < size; cut += 5) {
        bp_ruleset *rules = bp_ruleset_new();
        if (bp_ruleset_add_memory(rules, original, cut, "cut.yaml", error, sizeof error) == 0)
            loaded++;
        else if (refused++, !well_formed_error(error, "cut.yaml") && bad_messages++ < 5)
            fprintf(stderr, "  bad message: %s\n", error);
        bp_ruleset_free(rules);
    }
    uint32_t seed = 12345;
    for (int round = 0; round < 1500; round++) {
        memcpy(copy, original, size + 1);
        for (int flips = 0; flips < 1 + round % 4; flips++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % size;
            seed = seed * 1103515245u + 12345u;
            copy[at] = (char)(copy[at] ^ (1u << ((seed >> 16) % 8)));
        }
        bp_ruleset *rules = bp_ruleset_new();
        if (bp_ruleset_add_memory(rules, copy, size, "flip.yaml", error, sizeof error) == 0)
            loaded++;
        else if (refused++, !well_formed_error(error, "flip.yaml") && bad_messages++ < 5)
            fprintf(stderr, "  bad message: %s\n", error);
        if (bp_ruleset_count(rules)) {  /* whatever loaded must also evaluate */
            fixture f = new_fixture();
            CHECK(bp_detect(rules, f.result, BP_SEVERITY_INFORMATIONAL) >= 0);
            bp_result_free(f.result);
        }
        bp_ruleset_free(rules);
    }
    printf("hostile rule texts: %zu loaded, %zu refused\n", loaded, refused);
    CHECK(loaded > 0 && refused > 0);
    CHECK_U64(bad_messages, 0);
    free(copy);
}

int main(void)
{
    bp_ruleset *rules = default_rules();
    test_default_rule_set(rules);
    test_benign_is_silent(rules);
    test_notify_rules(rules);
    test_url_rules(rules);
    test_file_and_job_rules(rules);
    test_combinations(rules);
    bp_ruleset_free(rules);
    test_lifetime();
    test_operators();
    test_package_identity_rule();
    test_hosts();
    test_plain_host_is_own_host();
    test_verdict_memo();
    test_errors();
    test_ruleset();
    test_hostile_rule_text();
    return check_exit();
}
