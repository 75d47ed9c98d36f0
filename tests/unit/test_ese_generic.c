/* Known answers of the generic ESE vectors (../shared/testdata/ese-generic,
 * EXPECTED.md there): fixed, variable, tagged, multi-valued, default, long,
 * compressed values; 4 KiB and 32 KiB pages; real SRUM and UAL databases. */
#include "ese_fixture.h"
#include "ese/db_header.h"
#include "ese/page.h"
#include "util/reader.h"
#include "util/text.h"

#define FOX "\xF0\x9F\xA6\x8A"

static char *utf16(ese_fixture *f, const ese_column_value *v, size_t index)
{
    if (!v->present || index >= v->count)
        return "(null)";
    return util_utf16le_to_utf8(&f->arena, v->values[index].data, v->values[index].size / 2, NULL);
}

static char *latin1(ese_fixture *f, const ese_column_value *v, size_t index)
{
    if (!v->present || index >= v->count)
        return "(null)";
    return util_latin1_to_utf8(&f->arena, v->values[index].data, v->values[index].size);
}

static char *text_a(ese_fixture *f, const char *prefix, size_t count)
{
    size_t size;
    unsigned char *bytes = repeat_text(prefix, 'a', count, &size);
    char *s = util_arena_strndup(&f->arena, (char *)bytes, size);
    free(bytes);
    return s;
}

static uint32_t u32_of(const ese_column_value *v)
{
    return v->present ? util_le32(v->values[0].data) : 0xFFFFFFFFu;
}

static void test_basic(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/basic.edb.gz");
    CHECK(f.opened);
    CHECK_U64(f.db.header.checksum, 0x98a810d4);
    CHECK_U64(f.db.page_size, 4096);
    CHECK_U64(f.db.page_count, 254);
    CHECK_U64(f.db.header.state, 3);
    CHECK_U64(f.db.header.format_revision, 20);
    CHECK_U64(f.db.catalog.entries, 87);
    CHECK(f.db.header.primary_valid && f.db.header.shadow_valid);
    record_list r = table_records(&f, "basic");
    CHECK_U64(r.count, 2);
    if (r.count == 2) {
        ese_column_value v = column(&f, "basic", &r.items[0], "Id");
        CHECK_U64(u32_of(&v), 1);
        v = column(&f, "basic", &r.items[0], "Bit");
        CHECK(value_is(&v, 0, "\x00", 1));
        v = column(&f, "basic", &r.items[0], "UnsignedByte");
        CHECK(v.present && v.values[0].data[0] == 213);
        v = column(&f, "basic", &r.items[0], "Short");
        CHECK(v.present && (int16_t)util_le16(v.values[0].data) == -1337);
        v = column(&f, "basic", &r.items[0], "Long");
        CHECK(v.present && (int32_t)util_le32(v.values[0].data) == -13371337);
        v = column(&f, "basic", &r.items[0], "Currency");
        CHECK(v.present && le_i64(&v, 0) == 1337133713371337LL);
        v = column(&f, "basic", &r.items[0], "IEEEDouble");
        CHECK(value_is(&v, 0, "\x43\x61\x47\x24\xf9\x80\x69\x41", 8));
        v = column(&f, "basic", &r.items[0], "DateTime");
        CHECK(v.present && le_i64(&v, 0) == 4675210852477960192LL);
        v = column(&f, "basic", &r.items[0], "UnsignedLong");
        CHECK_U64(u32_of(&v), 13371337);
        v = column(&f, "basic", &r.items[0], "GUID");
        char guid[37] = "";
        if (v.present && v.values[0].size == 16)
            util_guid_format(v.values[0].data, guid);
        CHECK_STR(guid, "3f360af1-6766-46dc-9af2-0dacf295c2a1");
        v = column(&f, "basic", &r.items[0], "UnsignedShort");
        CHECK(v.present && util_le16(v.values[0].data) == 1337);
        /* record 2: columns past its last fixed id are NULL */
        v = column(&f, "basic", &r.items[1], "Id");
        CHECK_U64(u32_of(&v), 2);
        v = column(&f, "basic", &r.items[1], "Currency");
        CHECK(v.present && le_i64(&v, 0) == -1339133913391339LL);
        v = column(&f, "basic", &r.items[1], "UnsignedLong");
        CHECK(!v.present);
        v = column(&f, "basic", &r.items[1], "GUID");
        CHECK(!v.present);
    }
    /* page checksum known answer (ese-format §4.2): text.edb page 1 is checked
     * in test_text; here every page read must have checked out */
    CHECK_U64(f.warnings.count, 0);
    record_list_free(&r);
    fixture_free(&f);
}

static void test_binary(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/binary.edb.gz");
    CHECK(f.opened);
    record_list r = table_records(&f, "binary");
    CHECK_U64(r.count, 1);
    CHECK(r.count && r.pages[0] == 33);
    if (r.count == 1) {
        const ese_record *rec = &r.items[0];
        ese_column_value v = column(&f, "binary", rec, "FixedBinary");
        CHECK(v.present && v.values[0].size == 255 && memcmp(v.values[0].data, "test fixed binary data", 22) == 0 &&
              v.values[0].data[22] == 0 && v.values[0].data[254] == 0);
        v = column(&f, "binary", rec, "NullableFixedBinary");
        CHECK(!v.present);
        v = column(&f, "binary", rec, "Binary");
        CHECK(value_is(&v, 0, "test binary data", 16));
        v = column(&f, "binary", rec, "NullableBinary");
        CHECK(!v.present);
        v = column(&f, "binary", rec, "MaxBinary");
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "test max binary data ", 70));
        v = column(&f, "binary", rec, "TaggedBinary");
        CHECK(value_is(&v, 0, "test tagged binary data", 23));
        v = column(&f, "binary", rec, "NullableTaggedBinary");
        CHECK(!v.present);
        v = column(&f, "binary", rec, "LongBinary");
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "test long binary data ", 1000));
        v = column(&f, "binary", rec, "LongCompressedBinary");
        CHECK(v.present && v.values[0].separated && v.values[0].lid == 1);
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "test long compressed binary data ", 1000));
        v = column(&f, "binary", rec, "MaxLongBinary");
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "test max long binary data ", 900));
        v = column(&f, "binary", rec, "MaxLongCompressedBinary");
        CHECK(v.present && v.values[0].compressed);
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "test max long compressed binary data ", 900));
    }
    record_list_free(&r);
    fixture_free(&f);
}

static void test_text(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/text.edb.gz");
    CHECK(f.opened);
    /* ECC page checksum known answer for a 4 KiB page */
    const uint8_t *page1 = ese_db_page_bytes(&f.db, 1);
    CHECK(page1 && util_le64(page1) == 0x7fdf7fdf0001a77cULL);
    CHECK(page1 && ese_page_checksum_ok(&f.db, page1, 1));
    record_list r = table_records(&f, "text");
    CHECK_U64(r.count, 1);
    if (r.count == 1) {
        const ese_record *rec = &r.items[0];
        ese_column_value v = column(&f, "text", rec, "FixedASCII");
        CHECK(v.present && v.values[0].size == 255 && memcmp(v.values[0].data, "Fixed ASCII text ", 17) == 0);
        v = column(&f, "text", rec, "FixedUnicode");
        CHECK(v.present && v.values[0].size == 255);
        CHECK(strncmp(utf16(&f, &v, 0), "Fixed Unicode text " FOX "  ", 25) == 0);
        v = column(&f, "text", rec, "NullableFixedUnicode");
        CHECK(!v.present);
        v = column(&f, "text", rec, "ASCII");
        CHECK_STR(latin1(&f, &v, 0), "Simple ASCII text");
        v = column(&f, "text", rec, "Unicode");
        CHECK_STR(utf16(&f, &v, 0), "Simple Unicode text " FOX);
        v = column(&f, "text", rec, "NullableASCII");
        CHECK(!v.present);
        v = column(&f, "text", rec, "MaxUnicode");
        CHECK_STR(utf16(&f, &v, 0), "Max Unicode text that can't be that long " FOX);
        v = column(&f, "text", rec, "TaggedUnicode");
        CHECK_STR(utf16(&f, &v, 0), "Tagged Unicode text " FOX);
        v = column(&f, "text", rec, "NullableTaggedASCII");
        CHECK(!v.present);
        v = column(&f, "text", rec, "LongASCII");
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "Long ASCII text ", 1024));
        v = column(&f, "text", rec, "LongUnicode");
        CHECK_STR(utf16(&f, &v, 0), text_a(&f, "Long Unicode text " FOX " ", 1024));
        v = column(&f, "text", rec, "LongCompressedASCII");
        CHECK(v.present && v.values[0].lid == 3);
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "Long compressed ASCII text ", 1024));
        v = column(&f, "text", rec, "LongCompressedUnicode");
        CHECK_STR(utf16(&f, &v, 0), text_a(&f, "Long compressed Unicode text " FOX " ", 1024));
        v = column(&f, "text", rec, "LongTinyUnicode");
        CHECK_STR(utf16(&f, &v, 0), "Tiny " FOX);
        v = column(&f, "text", rec, "LongTinyCompressedASCII");
        CHECK_STR(latin1(&f, &v, 0), "Tiny c ASCII");
        v = column(&f, "text", rec, "MaxLongUnicode");
        CHECK_STR(utf16(&f, &v, 0), text_a(&f, "Max long Unicode text that can be a bit longer " FOX " ", 900));
        v = column(&f, "text", rec, "MaxLongCompressedASCII");
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "Max long compressed ASCII text that can be a bit longer ", 900));
        v = column(&f, "text", rec, "MaxLongCompressedUnicode");
        CHECK(v.present && v.values[0].lid == 6 && v.values[0].size == 1922);
        CHECK_STR(utf16(&f, &v, 0),
                  text_a(&f, "Max long compressed Unicode text that can be a bit longer " FOX " ", 900));
    }
    record_list_free(&r);
    fixture_free(&f);
}

static void test_multi(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/multi.edb.gz");
    CHECK(f.opened);
    record_list r = table_records(&f, "multi");
    CHECK_U64(r.count, 2);
    if (r.count == 2) {
        const ese_record *rec = &r.items[0];
        ese_column_value v = column(&f, "multi", rec, "Bit");
        CHECK(v.count == 2 && value_is(&v, 0, "\x00", 1) && value_is(&v, 1, "\xff", 1));
        v = column(&f, "multi", rec, "Long");
        CHECK(v.count == 3 && (int32_t)util_le32(v.values[1].data) == -2147483647 &&
              (int32_t)util_le32(v.values[2].data) == 2147483647);
        v = column(&f, "multi", rec, "DateTime");
        CHECK(v.count == 3 && le_i64(&v, 0) == -4542644417712532139LL && le_i64(&v, 2) == 4686992367961855317LL);
        v = column(&f, "multi", rec, "ASCII");
        CHECK(v.count == 3);
        CHECK_STR(latin1(&f, &v, 2), "Some ASCII text that has multiple values, this is value 3");
        v = column(&f, "multi", rec, "Unicode");
        CHECK_STR(utf16(&f, &v, 1), "Some Unicode text that has multiple values, this is value 2 " FOX FOX);
        v = column(&f, "multi", rec, "LongBinary");
        CHECK(v.count == 3 && v.values[1].separated && v.values[1].lid == 2);
        CHECK_STR(latin1(&f, &v, 1),
                  text_a(&f, "Some very long binary data that has multiple values, this is value 2 ", 1024));
        v = column(&f, "multi", rec, "LongCompressedASCII");
        CHECK(v.count == 3 && v.values[2].lid == 15);
        CHECK_STR(latin1(&f, &v, 2),
                  text_a(&f, "Some very long compressed ASCII text that has multiple values, this is value 3 ",
                         1024));
        v = column(&f, "multi", rec, "LongCompressedUnicode");
        CHECK_STR(utf16(&f, &v, 0),
                  text_a(&f,
                         "Some very long compressed Unicode text that has multiple values, this is value 1 " FOX
                         " ",
                         1024));
        v = column(&f, "multi", rec, "UnsignedLong");
        CHECK(v.count == 2 && util_le32(v.values[1].data) == 4294967295u);
        v = column(&f, "multi", rec, "GUID");
        char guid[37] = "";
        if (v.count == 3)
            util_guid_format(v.values[1].data, guid);
        CHECK_STR(guid, "09b589e3-a92b-4936-bbc4-bb9dff334bf3");

        rec = &r.items[1];
        v = column(&f, "multi", rec, "Bit");
        CHECK(!v.present);
        v = column(&f, "multi", rec, "LongASCII");
        CHECK(v.count == 2);
        CHECK_STR(latin1(&f, &v, 1), "Tiny ASCII 2");
        v = column(&f, "multi", rec, "LongUnicode");
        CHECK_STR(utf16(&f, &v, 2), "Tiny " FOX FOX FOX);
        v = column(&f, "multi", rec, "LongCompressedASCII");
        CHECK(v.count == 3);
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "", 41));
        CHECK_STR(latin1(&f, &v, 1), "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
    }
    record_list_free(&r);
    fixture_free(&f);
}

static void test_default(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/default.edb.gz");
    CHECK(f.opened);
    record_list r = table_records(&f, "default");
    CHECK_U64(r.count, 1);
    if (r.count == 1) {
        ese_column_value v = column(&f, "default", &r.items[0], "Long");
        CHECK_U64(u32_of(&v), 0x12345678);
        v = column(&f, "default", &r.items[0], "Unicode");
        CHECK_STR(utf16(&f, &v, 0), "Short default Unicode " FOX);
        /* the record holds no tagged data: these come from the catalog default */
        v = column(&f, "default", &r.items[0], "LongBinary");
        CHECK(v.from_default);
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "Long default binary ", 200));
        v = column(&f, "default", &r.items[0], "LongUnicode");
        CHECK_STR(utf16(&f, &v, 0), text_a(&f, "Long default Unicode " FOX " ", 64));
    }
    record_list_free(&r);
    fixture_free(&f);
}

static void test_index(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/index.edb.gz");
    CHECK(f.opened);
    ese_table *table = ese_catalog_find(&f.db.catalog, "index");
    CHECK(table && table->index_count == 19 && table->lv_root_pgno == 59);
    record_list r = table_records(&f, "index");
    CHECK_U64(r.count, 1);
    if (r.count == 1) {
        ese_column_value v = column(&f, "index", &r.items[0], "LongASCII");
        CHECK(v.present && v.values[0].lid == 1);
        CHECK_STR(latin1(&f, &v, 0), text_a(&f, "Long ASCII text ", 1024));
        v = column(&f, "index", &r.items[0], "LongUnicode");
        CHECK_STR(utf16(&f, &v, 0), text_a(&f, "Long Unicode text " FOX " ", 1024));
    }
    record_list_free(&r);
    fixture_free(&f);
}

static void test_large(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/large.edb.gz");
    CHECK(f.opened);
    CHECK_U64(f.db.page_size, 32768);
    CHECK_U64(f.db.page_count, 766);
    CHECK_U64(f.db.header.checksum, 0x93349835);
    CHECK_U64(f.db.catalog.entries, 65068);
    const uint8_t *page1 = ese_db_page_bytes(&f.db, 1);
    CHECK(page1 && util_le64(page1) == 0x01310131001a28c0ULL && ese_page_checksum_ok(&f.db, page1, 1));
    ese_table *table = ese_catalog_find(&f.db.catalog, "large");
    CHECK(table && table->column_count == 64994);
    record_list r = table_records(&f, "large");
    CHECK_U64(r.count, 16);
    static const uint32_t leaf_pages[4] = {32, 33, 34, 385};
    for (size_t k = 0; k < r.count && k < 4; k++)
        CHECK_U64(r.pages[k], leaf_pages[k]);
    size_t wrong = 0, checked = 0;
    for (size_t k = 0; k < r.count; k++) {
        ese_column_value v = column(&f, "large", &r.items[k], "Id");
        CHECK_U64(u32_of(&v), k + 1);
        /* spot-check a spread of the record's 4096 columns */
        for (uint32_t j = 0; j < 4096; j += 97) {
            uint32_t i = (uint32_t)k * 4096 + j;
            if (i > 64992)
                break;
            char name[32];
            snprintf(name, sizeof name, "Column%u", i);
            v = column(&f, "large", &r.items[k], name);
            checked++;
            if (!v.present || v.values[0].size != 2 || util_le16(v.values[0].data) != (uint16_t)i)
                wrong++;
        }
    }
    CHECK(checked > 600);
    CHECK_U64(wrong, 0);
    if (r.count == 16) {
        ese_column_value v = column(&f, "large", &r.items[15], "Column64992");
        CHECK(v.present && util_le16(v.values[0].data) == 64992);
        v = column(&f, "large", &r.items[15], "Column61439");
        CHECK(!v.present);
    }
    record_list_free(&r);
    fixture_free(&f);
}

static size_t count_records(ese_fixture *f, const char *name)
{
    record_list r = table_records(f, name);
    size_t n = r.count;
    record_list_free(&r);
    return n;
}

static void test_srudb(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/SRUDB.dat.gz");
    CHECK(f.opened);
    CHECK_U64(f.db.catalog.entries, 161);
    static const char *tables[] = {"{17F4D97B-F26A-5E79-3A82-90040A47D13D}", "{841A7317-3805-518B-C2EA-AD224CB4AF84}",
                                   "{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}", "{DC3D3B50-BB90-5066-FA4E-A5F90DD8B677}",
                                   "{DD6636C4-8929-4683-974E-22C046A43763}", "{EEE2F477-0659-5C47-EF03-6D6BEFD441B3}"};
    size_t total = 0;
    for (size_t i = 0; i < 6; i++)
        total += count_records(&f, tables[i]);
    CHECK_U64(total, 220);
    CHECK_U64(count_records(&f, "SruDbIdMapTable"), 106);
    record_list r = table_records(&f, "{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}");
    CHECK_U64(r.count, 203);
    if (r.count == 203) {
        ese_column_value v = column(&f, "{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}", &r.items[0], "AutoIncId");
        CHECK_U64(u32_of(&v), 55);
        v = column(&f, "{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}", &r.items[0], "FaceTime");
        CHECK(v.present && le_i64(&v, 0) == 157506984);
        v = column(&f, "{D10CA2FE-6FCF-4F6D-848E-B2E99266FA89}", &r.items[202], "AutoIncId");
        CHECK_U64(u32_of(&v), 54);
    }
    record_list_free(&r);
    r = table_records(&f, "SruDbIdMapTable");
    size_t sid_blobs = 0;
    for (size_t i = 0; i < r.count; i++) {
        ese_column_value v = column(&f, "SruDbIdMapTable", &r.items[i], "IdIndex");
        if (u32_of(&v) != 106)
            continue;
        v = column(&f, "SruDbIdMapTable", &r.items[i], "IdBlob");
        sid_blobs += value_is(&v, 0, "\x01\x03\x00\x00\x00\x00\x00\x05\x05\x00\x00\x00\x00\x00\x00\x00\x89\xee\x2c\x00", 20);
    }
    CHECK_U64(sid_blobs, 1);
    record_list_free(&r);
    fixture_free(&f);
}

static void test_current_mdb(void)
{
    ese_fixture f;
    fixture_load(&f, "testdata/ese-generic/Current.mdb.gz");
    CHECK(f.opened);
    CHECK_U64(count_records(&f, "CLIENTS"), 19);
    CHECK_U64(count_records(&f, "ROLE_ACCESS"), 3);
    CHECK_U64(count_records(&f, "VIRTUALMACHINES"), 0);
    CHECK(ese_catalog_find(&f.db.catalog, "SYSTEM_IDENTITY") == NULL);
    record_list r = table_records(&f, "DNS");
    CHECK_U64(r.count, 12);
    if (r.count == 12) {
        ese_column_value v = column(&f, "DNS", &r.items[0], "Address");
        CHECK_STR(utf16(&f, &v, 0), "10.199.5.144");
        v = column(&f, "DNS", &r.items[0], "HostName");
        CHECK_STR(utf16(&f, &v, 0), "gc");
        v = column(&f, "DNS", &r.items[0], "LastSeen");
        CHECK(v.present && le_i64(&v, 0) == 132767929493700000LL);
        v = column(&f, "DNS", &r.items[6], "HostName");
        CHECK_STR(utf16(&f, &v, 0), "CBTH-WS-1");
        v = column(&f, "DNS", &r.items[11], "Address");
        CHECK_STR(utf16(&f, &v, 0), "10.10.10.100");
    }
    record_list_free(&r);
    r = table_records(&f, "ROLE_ACCESS");
    if (r.count == 3) {
        ese_column_value v = column(&f, "ROLE_ACCESS", &r.items[0], "RoleGuid");
        char guid[37] = "";
        if (v.present)
            util_guid_format(v.values[0].data, guid);
        CHECK_STR(guid, "ad495fc3-0eaa-413d-ba7d-8b13fa7ec598");
        v = column(&f, "ROLE_ACCESS", &r.items[0], "FirstSeen");
        CHECK(v.present && le_i64(&v, 0) == 132715098549345395LL);
    }
    record_list_free(&r);
    fixture_free(&f);
}

int main(void)
{
    test_basic();
    test_binary();
    test_text();
    test_multi();
    test_default();
    test_index();
    test_large();
    test_srudb();
    test_current_mdb();
    return check_exit();
}
