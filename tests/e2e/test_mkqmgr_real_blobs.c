/* mkqmgr's blob encoders against real bytes: describing the live job and file
 * of the Windows 10 sample (bits-format §8.1, §8.2) must give the sample's
 * blobs: the file blob byte for byte, the job blob except the two fields the
 * notes cannot explain (#17 per-owner constant, #49). Skipped without the
 * shared samples. */
#include "blob_encoders.h"
#include "check.h"
#include "description.h"

static const char *const win10_live =
    "{\"machine_guid\":\"7befb604-85b2-4191-b7bd-c5f5a263cb7b\",\"jobs\":[{"
    "\"id\":\"266504ac-d974-446c-96ad-2be13a5665b0\",\"name\":\"Chrome Component Updater\","
    "\"description\":\"lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3\","
    "\"owner_sid\":\"S-1-5-21-1079689790-2336414676-942872339-1001\",\"priority\":\"NORMAL\","
    "\"state\":\"TRANSFERRED\",\"notify_flags\":3,\"retry_delay\":60,\"no_progress_timeout\":86400,"
    "\"created\":\"2022-12-21T02:18:03.1204654Z\",\"modified\":\"2022-12-21T02:18:43.4087920Z\","
    "\"cost_flags\":\"0x80000065\",\"creator_program\":\"C:\\\\Program Files\\\\Chromium\\\\Application\\\\chrome.exe\","
    "\"files\":[{\"id\":\"95d6889c-b2d3-4748-8eb1-9da0650cb892\","
    "\"local_path\":\"C:\\\\Users\\\\bob\\\\AppData\\\\Local\\\\Temp\\\\chrome_BITS_9548_1667050988\\\\"
    "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3\","
    "\"remote_url\":\"http://edgedl.me.gvt1.com/edgedl/release2/chrome_component/i73exzs4s3qvwnxxzwp6zdbtbe_372/"
    "lmelglejhemejginpboagddgdfbepgmp_372_all_ZZ_djv5ss66g7sivnpz6ljtwr2zji.crx3\","
    "\"temp_path\":\"C:\\\\Users\\\\bob\\\\AppData\\\\Local\\\\Temp\\\\chrome_BITS_9548_1667050988\\\\BITAC67.tmp\","
    "\"bytes_transferred\":4782,\"bytes_total\":4782,\"drive\":\"C:\\\\\","
    "\"volume\":\"\\\\\\\\?\\\\Volume{08542f90-0000-0000-0000-501f00000000}\\\\\","
    "\"volume_serial\":\"0xD49D126F\",\"remote_file_time\":\"2022-12-19T18:16:35.0000000Z\"}]}]}";

/* Byte ranges of the job blob mkqmgr cannot know (offsets of the live job). */
static bool unexplained(size_t offset)
{
    return (offset >= 0x182 && offset < 0x186) /* #17 per-owner constant */ || offset == 0x6FE /* #49 */;
}

int main(void)
{
    size_t job_size = 0, file_size = 0;
    unsigned char *real_job = read_whole_file(shared_path("testdata/blobs/win10-19045.job.blob"), &job_size);
    unsigned char *real_file = read_whole_file(shared_path("testdata/blobs/win10-19045.file.blob"), &file_size);
    mk_description d;
    char err[256];
    CHECK(mk_description_parse(win10_live, &d, err, sizeof err));
    CHECK(real_job && real_file && d.job_count == 1 && d.file_count == 1);
    if (!real_job || !real_file || d.job_count != 1 || d.file_count != 1)
        return check_exit();

    mk_buffer job = {NULL, 0, 0}, file = {NULL, 0, 0};
    mk_encode_job_blob(&d, &d.jobs[0], &job);
    mk_encode_file_blob(&d.files[0], &file);
    CHECK_U64(job.size, 2055);
    CHECK_U64(job.size, job_size);
    size_t differing = 0, unexplained_bytes = 0;
    for (size_t i = 0; i < job.size && i < job_size; i++) {
        if (job.data[i] == real_job[i])
            continue;
        if (unexplained(i)) {
            unexplained_bytes++;
        } else {
            differing++;
            fprintf(stderr, "job blob differs at 0x%zx: 0x%02x, real 0x%02x\n", i, job.data[i], real_job[i]);
        }
    }
    CHECK_U64(differing, 0);
    CHECK_U64(file.size, 1072);
    CHECK(file.size == file_size && memcmp(file.data, real_file, file_size) == 0);
    printf("job blob: %zu bytes, %zu differ in the unexplained fields #17 and #49; file blob: %zu bytes, identical\n",
           job.size, unexplained_bytes, file.size);
    mk_buffer_free(&job);
    mk_buffer_free(&file);
    mk_description_free(&d);
    free(real_job);
    free(real_file);
    return check_exit();
}
