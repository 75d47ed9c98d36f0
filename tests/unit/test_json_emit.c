/* The streaming JSON emitter (src/output/json_emit.c) against cJSON, whose
 * layout the JSON and timeline outputs kept when they moved off it: the same
 * documents printed both ways, pretty and compact, must be the same bytes.
 * Covers every byte value in strings (escaping), nesting of objects in
 * arrays in objects, empty containers, numbers at their limits. */
/* MAP_ANONYMOUS is not in POSIX 2008; glibc shows it under _DEFAULT_SOURCE */
#define _DEFAULT_SOURCE
#include <cjson/cJSON.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "fields/record_fields.h"
#include "output/json_emit.h"

/* Every byte 0x01..0xFF once (not valid UTF-8, but both sides copy bytes
 * >= 0x20 through unchanged, so it tests the escaping of every value). */
static void all_bytes(char out[256])
{
    for (int i = 1; i < 256; i++)
        out[i - 1] = (char)i;
    out[255] = '\0';
}

/* {"name": TEXT, "n": 18446744073709551615, "s": -1, "ok": true,
 *  "list": ["a", "", TEXT], "empty_list": [], "empty": {},
 *  "aces": [{"sid": "S-1-5-18", "mask": 0}, {}], "group": {"x": false}} */
static void emit_document(out_json *json, const char *text)
{
    out_json_begin_object(json);
    out_json_key(json, "name");
    out_json_string(json, text);
    out_json_key(json, "n");
    out_json_unsigned(json, UINT64_MAX);
    out_json_key(json, "s");
    out_json_signed(json, -1);
    out_json_key(json, "ok");
    out_json_bool(json, true);
    out_json_key(json, "list");
    out_json_begin_array(json);
    out_json_string(json, "a");
    out_json_string(json, NULL);
    out_json_string(json, text);
    out_json_end_array(json);
    out_json_key(json, "empty_list");
    out_json_begin_array(json);
    out_json_end_array(json);
    out_json_key(json, "empty");
    out_json_begin_object(json);
    out_json_end_object(json);
    out_json_key(json, "aces");
    out_json_begin_array(json);
    out_json_begin_object(json);
    out_json_key(json, "sid");
    out_json_string(json, "S-1-5-18");
    out_json_key(json, "mask");
    out_json_unsigned(json, 0);
    out_json_end_object(json);
    out_json_begin_object(json);
    out_json_end_object(json);
    out_json_end_array(json);
    out_json_key(json, text);  /* keys are escaped like values */
    out_json_begin_object(json);
    out_json_key(json, "x");
    out_json_bool(json, false);
    out_json_end_object(json);
    out_json_end_object(json);
}

static cJSON *cjson_document(const char *text)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddItemToObject(root, "name", cJSON_CreateString(text));
    cJSON_AddItemToObject(root, "n", cJSON_CreateRaw("18446744073709551615"));
    cJSON_AddItemToObject(root, "s", cJSON_CreateRaw("-1"));
    cJSON_AddItemToObject(root, "ok", cJSON_CreateBool(1));
    cJSON *list = cJSON_CreateArray();
    cJSON_AddItemToArray(list, cJSON_CreateString("a"));
    cJSON_AddItemToArray(list, cJSON_CreateString(""));
    cJSON_AddItemToArray(list, cJSON_CreateString(text));
    cJSON_AddItemToObject(root, "list", list);
    cJSON_AddItemToObject(root, "empty_list", cJSON_CreateArray());
    cJSON_AddItemToObject(root, "empty", cJSON_CreateObject());
    cJSON *aces = cJSON_CreateArray();
    cJSON *ace = cJSON_CreateObject();
    cJSON_AddItemToObject(ace, "sid", cJSON_CreateString("S-1-5-18"));
    cJSON_AddItemToObject(ace, "mask", cJSON_CreateRaw("0"));
    cJSON_AddItemToArray(aces, ace);
    cJSON_AddItemToArray(aces, cJSON_CreateObject());
    cJSON_AddItemToObject(root, "aces", aces);
    cJSON *group = cJSON_CreateObject();
    cJSON_AddItemToObject(group, "x", cJSON_CreateBool(0));
    cJSON_AddItemToObject(root, text, group);
    return root;
}

static void test_same_bytes_as_cjson(bool pretty)
{
    char text[256];
    all_bytes(text);
    out_json json;
    out_json_init(&json, pretty, 0);
    emit_document(&json, text);
    CHECK(!json.failed);
    cJSON *root = cjson_document(text);
    char *expected = pretty ? cJSON_Print(root) : cJSON_PrintUnformatted(root);
    CHECK(expected != NULL);
    if (expected && json.text) {
        CHECK_U64(json.length, strlen(expected));
        CHECK(strcmp(json.text, expected) == 0);
    }
    /* and the text parses back to the same string */
    cJSON *parsed = cJSON_Parse(json.text);
    CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(parsed, "name")), text);
    cJSON_Delete(parsed);
    cJSON_free(expected);
    cJSON_Delete(root);
    out_json_free(&json);
}

static void test_escapes(void)
{
    out_json json;
    out_json_init(&json, false, 0);
    out_json_string(&json, "a\"b\\c\n\t\x01\x1f\x7f\xc3\xa9");
    CHECK_STR(json.text, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\x7f\xc3\xa9\"");
    out_json_free(&json);
}

/* Strings are checked for bytes to escape eight at a time: a byte to
 * escape is found in every lane of a word and in the tail, and bytes >= 0x80
 * next to it do not hide it or raise a false alarm. */
static void test_escape_in_every_position(void)
{
    const char specials[] = {'"', '\\', '\x01', '\x1f', '\n'};
    const char *escaped[] = {"\\\"", "\\\\", "\\u0001", "\\u001f", "\\n"};
    for (size_t k = 0; k < sizeof specials; k++) {
        for (size_t at = 0; at < 21; at++) {
            char text[22], expected[40];
            memset(text, (int)(at % 2 ? 'x' : 0xc3), 21);
            text[21] = '\0';
            text[at] = specials[k];
            out_json json;
            out_json_init(&json, false, 0);
            out_json_string(&json, text);
            size_t n = 0;
            expected[n++] = '"';
            memcpy(expected + n, text, at);
            n += at;
            memcpy(expected + n, escaped[k], strlen(escaped[k]));
            n += strlen(escaped[k]);
            memcpy(expected + n, text + at + 1, 20 - at);
            n += 20 - at;
            expected[n++] = '"';
            expected[n] = '\0';
            CHECK_STR(json.text, expected);
            out_json_free(&json);
        }
    }
    out_json json;
    out_json_init(&json, false, 0);
    out_json_string(&json, "\xff\xa0\x80\xe2\x82\xac plain text over eight bytes");
    CHECK_STR(json.text, "\"\xff\xa0\x80\xe2\x82\xac plain text over eight bytes\"");
    out_json_free(&json);
}

/* Numbers are written without printf: every limit and digit-count edge, and
 * the key fast path (nothing to escape: one block with quotes and ":\t")
 * next to a key that needs escaping. */
static void test_numbers_and_keys(void)
{
    out_json json;
    out_json_init(&json, false, 0);
    out_json_begin_array(&json);
    out_json_unsigned(&json, 0);
    out_json_unsigned(&json, 9);
    out_json_unsigned(&json, 10);
    out_json_unsigned(&json, 99);
    out_json_unsigned(&json, 100);
    out_json_unsigned(&json, 101);
    out_json_unsigned(&json, 999);
    out_json_unsigned(&json, 1000);
    out_json_unsigned(&json, 983103);
    out_json_unsigned(&json, 4294967295u);
    out_json_unsigned(&json, UINT64_MAX);
    out_json_signed(&json, 0);
    out_json_signed(&json, -1);
    out_json_signed(&json, -10);
    out_json_signed(&json, INT64_MAX);
    out_json_signed(&json, INT64_MIN);
    out_json_end_array(&json);
    CHECK_STR(json.text, "[0,9,10,99,100,101,999,1000,983103,4294967295,18446744073709551615,0,-1,-10,"
                         "9223372036854775807,-9223372036854775808]");
    out_json_free(&json);

    out_json_init(&json, true, 0);
    out_json_begin_object(&json);
    out_json_key(&json, "plain_key");
    out_json_string(&json, "v");
    out_json_key(&json, "odd\"key\n");
    out_json_string(&json, "");
    out_json_end_object(&json);
    CHECK_STR(json.text, "{\n\t\"plain_key\":\t\"v\",\n\t\"odd\\\"key\\n\":\t\"\"\n}");
    out_json_free(&json);
}

/* Pretty output with an indent: every line one tab further in, as the JSON
 * array output places records. */
static void test_indent(void)
{
    out_json json;
    out_json_init(&json, true, 1);
    out_json_begin_object(&json);
    out_json_key(&json, "a");
    out_json_begin_array(&json);
    out_json_begin_object(&json);
    out_json_key(&json, "b");
    out_json_unsigned(&json, 1);
    out_json_end_object(&json);
    out_json_end_array(&json);
    out_json_end_object(&json);
    CHECK_STR(json.text, "{\n\t\t\"a\":\t[{\n\t\t\t\t\"b\":\t1\n\t\t\t}]\n\t}");
    out_json_free(&json);
}

/* Misuse is reported, never written past: nesting deeper than the limit, a
 * key inside an array, closing what is not open. */
static void test_misuse_fails(void)
{
    out_json json;
    out_json_init(&json, false, 0);
    for (int i = 0; i < OUT_JSON_MAX_DEPTH + 4; i++)
        out_json_begin_array(&json);
    CHECK(json.failed);
    out_json_clear(&json);
    CHECK(!json.failed);
    out_json_begin_array(&json);
    out_json_key(&json, "k");
    CHECK(json.failed);
    out_json_clear(&json);
    out_json_end_object(&json);
    CHECK(json.failed);
    out_json_free(&json);
}

/* The buffer is reused across documents and grows for long values. */
static void test_reuse_and_growth(void)
{
    out_json json;
    out_json_init(&json, false, 0);
    char *big = malloc(100001);
    CHECK(big != NULL);
    if (!big)
        return;
    memset(big, 'x', 100000);
    big[100000] = '\0';
    out_json_string(&json, big);
    CHECK_U64(json.length, 100002);
    out_json_clear(&json);
    out_json_string(&json, "short");
    CHECK_STR(json.text, "\"short\"");
    free(big);
    out_json_free(&json);
}

/* Long strings are checked sixteen bytes at a time where SSE2 exists: a byte
 * to escape at every position of every length up to 48 (whole blocks, the
 * overlapping last block, the eight-byte words below 16) is found, with
 * bytes >= 0x80 around it (0xc3 is negative as a signed byte). */
static void test_escape_long_strings(void)
{
    const char specials[] = {'"', '\\', '\x01', '\x1f'};
    const char *escaped[] = {"\\\"", "\\\\", "\\u0001", "\\u001f"};
    size_t mismatches = 0;
    for (size_t k = 0; k < sizeof specials; k++) {
        for (size_t length = 1; length <= 48; length++) {
            for (size_t at = 0; at < length; at++) {
                char text[49], expected[64];
                for (size_t i = 0; i < length; i++)
                    text[i] = (char)(i % 3 ? 'x' : 0xc3);
                text[length] = '\0';
                text[at] = specials[k];
                size_t n = 0;
                expected[n++] = '"';
                memcpy(expected + n, text, at);
                n += at;
                memcpy(expected + n, escaped[k], strlen(escaped[k]));
                n += strlen(escaped[k]);
                memcpy(expected + n, text + at + 1, length - at - 1);
                n += length - at - 1;
                expected[n++] = '"';
                expected[n] = '\0';
                out_json json;
                out_json_init(&json, false, 0);
                out_json_string(&json, text);
                if (!json.text || strcmp(json.text, expected) != 0)
                    mismatches++;
                out_json_free(&json);
            }
        }
    }
    CHECK_U64(mismatches, 0);
    out_json json;
    out_json_init(&json, false, 0);
    out_json_string(&json, "\x7f\x80\xff 0123456789 abcdefghijklmnopqrstuvwxyz \xe2\x82\xac");
    CHECK_STR(json.text, "\"\x7f\x80\xff 0123456789 abcdefghijklmnopqrstuvwxyz \xe2\x82\xac\"");
    out_json_free(&json);
}

/* Keys of known length (the field table's names and groups, literals) go
 * through out_json_plain_key without a scan: every one of them must come out
 * as out_json_key writes it, pretty and compact, and its recorded length must
 * be its strlen. */
static void test_plain_keys(void)
{
    for (int pretty = 0; pretty < 2; pretty++) {
        out_json scanned, plain;
        out_json_init(&scanned, pretty, 1);
        out_json_init(&plain, pretty, 1);
        out_json_begin_object(&scanned);
        out_json_begin_object(&plain);
        for (size_t i = 0; i < fields_record_field_count(); i++) {
            const fields_field *field = fields_record_field(i);
            CHECK_U64(field->name_length, strlen(field->name));
            CHECK_U64(field->group_length, field->group ? strlen(field->group) : 0);
            if (field->group) {
                out_json_key(&scanned, field->group);
                out_json_plain_key(&plain, field->group, field->group_length);
                out_json_unsigned(&scanned, i);
                out_json_unsigned(&plain, i);
            }
            out_json_key(&scanned, field->name);
            out_json_plain_key(&plain, field->name, field->name_length);
            out_json_unsigned(&scanned, i);
            out_json_unsigned(&plain, i);
        }
        out_json_key(&scanned, "acl");
        OUT_JSON_LITERAL_KEY(&plain, "acl");
        out_json_bool(&scanned, true);
        out_json_bool(&plain, true);
        out_json_end_object(&scanned);
        out_json_end_object(&plain);
        CHECK(!plain.failed);
        CHECK_STR(plain.text, scanned.text);
        out_json_free(&scanned);
        out_json_free(&plain);
    }
    out_json json;
    out_json_init(&json, true, 0);
    out_json_begin_object(&json);
    OUT_JSON_LITERAL_KEY(&json, "job_id");
    out_json_string(&json, "x");
    OUT_JSON_LITERAL_KEY(&json, "source");
    out_json_begin_object(&json);
    OUT_JSON_LITERAL_KEY(&json, "path");
    out_json_string(&json, "p");
    out_json_end_object(&json);
    out_json_end_object(&json);
    CHECK_STR(json.text, "{\n\t\"job_id\":\t\"x\",\n\t\"source\":\t{\n\t\t\"path\":\t\"p\"\n\t}\n}");
    out_json_clear(&json);
    out_json_begin_array(&json);
    OUT_JSON_LITERAL_KEY(&json, "k");  /* a key inside an array is misuse */
    CHECK(json.failed);
    out_json_free(&json);
}

/* The reference: one byte at a time. */
static size_t escape_slowly(char *out, const char *text, size_t length)
{
    size_t n = 0;
    out[n++] = '"';
    for (size_t i = 0; i < length; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') {
            out[n++] = '\\';
            out[n++] = (char)c;
        } else if (c == '\n') {
            memcpy(out + n, "\\n", 2);
            n += 2;
        } else if (c < 0x20) {
            n += (size_t)sprintf(out + n, "\\u%04x", c);
        } else {
            out[n++] = (char)c;
        }
    }
    out[n++] = '"';
    out[n] = '\0';
    return n;
}

/* Strings are escaped while their end is found, 16 bytes at a time, loading
 * past the NUL only inside the text's own page. Texts that end on the last
 * byte before an unreadable page (a guard page: a read across it would
 * crash the test), at every length up to 80 with an escape at every place
 * (or none), through out_json_string and out_json_prepared_string, come out
 * as a byte-at-a-time escaper writes them. */
static void test_text_ending_before_unreadable_page(void)
{
    long page = sysconf(_SC_PAGESIZE);
    char *pages = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(pages != MAP_FAILED);
    if (pages == MAP_FAILED)
        return;
    CHECK(mprotect(pages + page, (size_t)page, PROT_NONE) == 0);
    out_json json;
    out_json_init(&json, false, 0);
    out_json_prepared_key key;
    CHECK(out_json_prepare_key(&json, 1, "k", 1, &key));
    size_t cases = 0, mismatches = 0;
    for (size_t length = 0; length <= 80; length++) {
        for (size_t place = 0; place <= length; place++) {  /* place == length: no escape */
            char *text = pages + page - 1 - length;
            for (size_t i = 0; i < length; i++)
                text[i] = (char)('a' + (char)(i % 26));
            if (place < length)
                text[place] = (char)(place % 3 == 0 ? '\\' : place % 3 == 1 ? '"' : '\x1f');
            text[length] = '\0';
            char expected[81 * 6 + 16];
            escape_slowly(expected, text, length);
            out_json_clear(&json);
            out_json_begin_array(&json);
            out_json_string(&json, text);
            out_json_end_array(&json);
            char want[sizeof expected + 16];
            snprintf(want, sizeof want, "[%s]", expected);
            cases++;
            if (json.failed || strcmp(json.text, want) != 0)
                mismatches++;
            out_json_clear(&json);
            out_json_begin_object(&json);
            out_json_prepared_string(&json, &key, text);
            out_json_end_object(&json);
            snprintf(want, sizeof want, "{\"k\":%s}", expected);
            if (json.failed || strcmp(json.text, want) != 0)
                mismatches++;
        }
    }
    CHECK_U64(cases, 3321);  /* (length + 1) summed over 0..80 */
    CHECK_U64(mismatches, 0);
    out_json_prepared_key_free(&key);
    out_json_free(&json);
    munmap(pages, (size_t)page * 2);
}

/* Whole 16-byte blocks are stored before they are looked at, and the last
 * partial block is written as the 16 bytes ending the text only when they
 * are all clean: two escapes at every pair of places in texts of every
 * length up to 48 (one of them just before the tail, so the overlap holds
 * an escape) come out as a byte-at-a-time escaper writes them. */
static void test_two_escapes_every_pair(void)
{
    size_t mismatches = 0, cases = 0;
    out_json json;
    out_json_init(&json, false, 0);
    for (size_t length = 2; length <= 48; length++) {
        for (size_t a = 0; a < length; a++) {
            for (size_t b = a + 1; b < length; b++) {
                char text[49], expected[49 * 6 + 3];
                for (size_t i = 0; i < length; i++)
                    text[i] = (char)(i % 5 ? 'a' + (char)(i % 26) : 0xc3);
                text[length] = '\0';
                text[a] = '"';
                text[b] = (char)(b % 2 ? '\x02' : '\n');
                escape_slowly(expected, text, length);
                out_json_clear(&json);
                out_json_string(&json, text);
                cases++;
                if (!json.text || strcmp(json.text, expected) != 0)
                    mismatches++;
            }
        }
    }
    CHECK_U64(cases, 18424);  /* length * (length - 1) / 2 summed over 2..48 */
    CHECK_U64(mismatches, 0);
    out_json_free(&json);
}

/* Prepared keys (written once per writer, copied in 16-byte blocks), alone
 * or with a string value in one step, come out as out_json_plain_key (and
 * out_json_string) write them: first and later members, top level and
 * nested, pretty with an indent and compact, names of every length up to
 * past two blocks. A key used at another depth than prepared fails the
 * document instead of writing wrong tabs; a name needing escapes is refused. */
static void test_prepared_keys(void)
{
    static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";
    for (int pretty = 0; pretty < 2; pretty++) {
        out_json plain, fast;
        out_json_init(&plain, pretty, 1);
        out_json_init(&fast, pretty, 1);
        out_json_prepared_key keys[2][sizeof letters];
        for (unsigned depth = 1; depth <= 2; depth++)
            for (size_t length = 1; length < sizeof letters; length++)
                CHECK(out_json_prepare_key(&fast, depth, letters, length, &keys[depth - 1][length]));
        out_json_begin_object(&plain);
        out_json_begin_object(&fast);
        for (size_t length = 1; length < sizeof letters; length++) {
            out_json_plain_key(&plain, letters, length);
            out_json_put_prepared_key(&fast, &keys[0][length]);
            out_json_unsigned(&plain, length);
            out_json_unsigned(&fast, length);
            OUT_JSON_LITERAL_KEY(&plain, "group");
            OUT_JSON_LITERAL_KEY(&fast, "group");
            out_json_begin_object(&plain);
            out_json_begin_object(&fast);
            static const char *const values[] = {"v", NULL, "", "tab\there \"quoted\" \\ and a long run of text",
                                                 "\xc3\xa9\x01"};
            for (size_t inner = length, v = 0; inner < sizeof letters; inner += 7, v++) {
                out_json_plain_key(&plain, letters, inner);
                out_json_string(&plain, values[v % 5]);
                if (v % 2) {
                    out_json_put_prepared_key(&fast, &keys[1][inner]);
                    out_json_string(&fast, values[v % 5]);
                } else {  /* key and value in one step */
                    out_json_prepared_string(&fast, &keys[1][inner], values[v % 5]);
                }
            }
            out_json_end_object(&plain);
            out_json_end_object(&fast);
        }
        out_json_end_object(&plain);
        out_json_end_object(&fast);
        CHECK(!fast.failed);
        CHECK_U64(fast.length, plain.length);
        CHECK_STR(fast.text, plain.text);
        out_json_clear(&fast);
        out_json_begin_object(&fast);
        out_json_put_prepared_key(&fast, &keys[1][3]);  /* prepared for depth 2, used at 1 */
        CHECK(fast.failed);
        for (unsigned depth = 0; depth < 2; depth++)
            for (size_t length = 1; length < sizeof letters; length++)
                out_json_prepared_key_free(&keys[depth][length]);
        out_json_free(&plain);
        out_json_free(&fast);
    }
    out_json json;
    out_json_init(&json, false, 0);
    out_json_prepared_key key;
    CHECK(!out_json_prepare_key(&json, 1, "odd\"key", 7, &key));
    CHECK(key.text == NULL);
    CHECK(!out_json_prepare_key(&json, 0, "top", 3, &key));
    out_json_begin_object(&json);
    CHECK(out_json_prepare_key(&json, 1, "id", 2, &key));
    out_json_put_prepared_key(&json, &key);
    out_json_unsigned(&json, 7);
    out_json_put_prepared_key(&json, &key);
    out_json_bool(&json, false);
    out_json_prepared_unsigned(&json, &key, 18446744073709551615ULL);
    out_json_prepared_unsigned(&json, &key, 0);
    out_json_end_object(&json);
    CHECK_STR(json.text, "{\"id\":7,\"id\":false,\"id\":18446744073709551615,\"id\":0}");
    out_json_prepared_key_free(&key);
    out_json_free(&json);
}

/* A prepared key with an unsigned number copies the digits as whole 16-byte
 * blocks (two past 16 digits): three numbers of every digit count from 1 to 20 (10...0,
 * 13...3, 99...9 and the largest value) come out as out_json_unsigned
 * writes them. */
static void test_prepared_unsigned_every_width(void)
{
    out_json plain, fast;
    out_json_init(&plain, false, 0);
    out_json_init(&fast, false, 0);
    out_json_prepared_key key;
    CHECK(out_json_prepare_key(&fast, 1, "n", 1, &key));
    out_json_begin_object(&plain);
    out_json_begin_object(&fast);
    uint64_t power = 1;
    for (int digits = 1; digits <= 20; digits++) {
        uint64_t values[] = {power, power + power / 3, digits == 20 ? UINT64_MAX : power * 10 - 1};
        for (size_t v = 0; v < 3; v++) {
            OUT_JSON_LITERAL_KEY(&plain, "n");
            out_json_unsigned(&plain, values[v]);
            out_json_prepared_unsigned(&fast, &key, values[v]);
        }
        if (digits < 20)
            power *= 10;
    }
    out_json_end_object(&plain);
    out_json_end_object(&fast);
    CHECK(!fast.failed);
    CHECK_STR(fast.text, plain.text);
    CHECK(strstr(fast.text, "\"n\":18446744073709551615}") != NULL);
    out_json_prepared_key_free(&key);
    out_json_free(&plain);
    out_json_free(&fast);
}

int main(void)
{
    test_prepared_keys();
    test_prepared_unsigned_every_width();
    test_two_escapes_every_pair();
    test_text_ending_before_unreadable_page();
    test_same_bytes_as_cjson(true);
    test_same_bytes_as_cjson(false);
    test_escapes();
    test_plain_keys();
    test_escape_long_strings();
    test_indent();
    test_numbers_and_keys();
    test_escape_in_every_position();
    test_misuse_fails();
    test_reuse_and_growth();
    return check_exit();
}
