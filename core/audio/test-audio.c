/*
 * Unit tests of the audio core: -audiodev parsing and its refusals, the
 * WAV writer's header and sizes, a failed write, and the wav backend's
 * file life (written whole at close, nothing left when abandoned).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/audio.h"
#include "unit-test.h"
#include "wav.h"

static char scratch[] = "/tmp/rivet-test-audio-XXXXXX";

/* The message of a refused audiodev_add, "" when it was accepted. */
static char *add_error(const char *spec)
{
    static char text[512];
    Error *err = NULL;
    text[0] = '\0';
    if (!audiodev_add(spec, &err)) {
        snprintf(text, sizeof(text), "%s", error_get_message(err));
        error_free(err);
    }
    return text;
}

static uint32_t le32(const uint8_t *p)
{
    return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

/* The whole file into buf; its size, -1 when it does not exist. */
static long read_file(const char *path, uint8_t *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        return -1;
    }
    long n = (long)fread(buf, 1, size, f);
    fclose(f);
    return n;
}

static size_t files_in_scratch(void)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "ls -A %s | wc -l", scratch);
    FILE *p = popen(cmd, "r");
    unsigned long n = 0;
    if (!p || fscanf(p, "%lu", &n) != 1) {
        n = 999;
    }
    if (p) {
        pclose(p);
    }
    return n;
}

UNIT_TEST(refuses_bad_audiodev_specs)
{
    CHECK(strstr(add_error("alsa,id=a"), "unknown backend 'alsa'"));
    CHECK(strstr(add_error("alsa,id=a"), "none, wav"));
    CHECK(strstr(add_error("none"), "id=ID is missing"));
    CHECK(strstr(add_error("wav,id=w"), "the wav backend needs path="));
    CHECK(strstr(add_error("none,id=a,path=x"),
                 "the none backend has no key 'path' (it takes id)"));
    CHECK(strstr(add_error("wav,id=w,path=a,path=b"), "path= given twice"));
    CHECK(strstr(add_error("wav,id=w,path"), "'path' is not key=value"));
    CHECK(strstr(add_error("none,id="), "id= is empty"));
    CHECK_STREQ(add_error("none,id=a"), "");
    CHECK(strstr(add_error("none,id=a"),
                 "an audiodev with id 'a' exists already"));
    CHECK(audiodev_find("a") != NULL);
    CHECK(audiodev_close_all(false));
    CHECK(audiodev_find("a") == NULL);
}

UNIT_TEST(a_double_comma_is_a_comma_in_a_value)
{
    CHECK_STREQ(add_error("wav,id=c,path=a,,b.wav,,"), "");
    CHECK_STREQ(audiodev_option(audiodev_find("c"), "path"), "a,b.wav,");
    CHECK(audiodev_close_all(false));
}

UNIT_TEST(names_a_backend_this_build_may_lack)
{
    if (audio_backend_find("gstreamer")) {
        return; /* built with it: nothing to refuse */
    }
    CHECK(strstr(add_error("gstreamer,id=g"),
                 "this rivet was built without the gstreamer backend"));
}

UNIT_TEST(none_counts_the_frames)
{
    CHECK_STREQ(add_error("none,id=n"), "");
    CHECK(audiodev_open_all(NULL));
    AudioDev *dev = audiodev_find("n");
    const AudioFormat fmt = {.rate = 8000, .channels = 2};
    CHECK(audiodev_start(dev, &fmt, NULL));
    int16_t samples[8] = {0};
    audiodev_write(dev, samples, 4);
    audiodev_write(dev, samples, 3);
    CHECK_EQ_U64(audiodev_frames(dev), 7);
    CHECK(audiodev_close_all(true));
}

UNIT_TEST(refuses_a_second_format_and_bad_ones)
{
    CHECK_STREQ(add_error("none,id=n"), "");
    CHECK(audiodev_open_all(NULL));
    AudioDev *dev = audiodev_find("n");
    Error *err = NULL;
    const AudioFormat bad = {.rate = 8000, .channels = 0};
    CHECK(!audiodev_start(dev, &bad, &err));
    CHECK(strstr(error_get_message(err), "audiodev n: no stream of 8000 Hz"));
    error_free(err);
    err = NULL;
    const AudioFormat fmt = {.rate = 8000, .channels = 1};
    const AudioFormat other = {.rate = 16000, .channels = 1};
    CHECK(audiodev_start(dev, &fmt, NULL));
    CHECK(audiodev_start(dev, &fmt, NULL));
    CHECK(!audiodev_start(dev, &other, &err));
    CHECK(strstr(error_get_message(err), "one format per audiodev"));
    error_free(err);
    CHECK(audiodev_close_all(true));
}

UNIT_TEST(wav_header_and_sizes_after_finish)
{
    FILE *f = tmpfile();
    WavWriter w;
    const AudioFormat fmt = {.rate = 22050, .channels = 2};
    CHECK(wav_writer_begin(&w, f, "t.wav", &fmt, NULL));
    const int16_t samples[6] = {1, -1, 0x1234, -32768, 32767, 0};
    CHECK(wav_writer_write(&w, samples, 3, NULL));
    CHECK(wav_writer_finish(&w, NULL));
    uint8_t buf[128];
    rewind(f);
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    CHECK_EQ_U64(n, WAV_HEADER_SIZE + 12);
    CHECK(!memcmp(buf, "RIFF", 4));
    CHECK_EQ_U64(le32(buf + 4), n - 8);
    CHECK(!memcmp(buf + 8, "WAVEfmt ", 8));
    CHECK_EQ_U64(le32(buf + 16), 16);
    CHECK_EQ_U64(le16(buf + 20), 1);
    CHECK_EQ_U64(le16(buf + 22), 2);
    CHECK_EQ_U64(le32(buf + 24), 22050);
    CHECK_EQ_U64(le32(buf + 28), 22050 * 4);
    CHECK_EQ_U64(le16(buf + 32), 4);
    CHECK_EQ_U64(le16(buf + 34), 16);
    CHECK(!memcmp(buf + 36, "data", 4));
    CHECK_EQ_U64(le32(buf + 40), 12);
    for (int i = 0; i < 6; i++) {
        CHECK_EQ_I64((int16_t)le16(buf + 44 + 2 * i), samples[i]);
    }
}

UNIT_TEST(wav_write_error_is_reported)
{
    FILE *f = fopen("/dev/full", "wb");
    if (!f) {
        printf("# no /dev/full: skipped\n");
        return;
    }
    WavWriter w;
    const AudioFormat fmt = {.rate = 8000, .channels = 1};
    Error *err = NULL;
    int16_t samples[4096] = {0};
    /* stdio buffers: the error shows at a write or at the flush. */
    bool ok = wav_writer_begin(&w, f, "full.wav", &fmt, &err) &&
              wav_writer_write(&w, samples, 4096, &err) &&
              wav_writer_finish(&w, &err);
    fclose(f);
    CHECK(!ok);
    CHECK(strstr(error_get_message(err), "cannot write 'full.wav'"));
    CHECK(strstr(error_get_message(err), "No space left on device"));
    error_free(err);
}

UNIT_TEST(wav_backend_writes_the_file_at_close)
{
    char path[128], spec[160];
    snprintf(path, sizeof(path), "%s/out.wav", scratch);
    snprintf(spec, sizeof(spec), "wav,id=w,path=%s", path);
    CHECK_STREQ(add_error(spec), "");
    CHECK(audiodev_open_all(NULL));
    AudioDev *dev = audiodev_find("w");
    const AudioFormat fmt = {.rate = 8000, .channels = 1};
    CHECK(audiodev_start(dev, &fmt, NULL));
    const int16_t samples[5] = {10, 20, 30, 40, 50};
    audiodev_write(dev, samples, 5);
    CHECK(access(path, F_OK) != 0); /* not before it is complete */
    CHECK(audiodev_close_all(true));
    uint8_t buf[128];
    CHECK_EQ_I64(read_file(path, buf, sizeof(buf)), WAV_HEADER_SIZE + 10);
    CHECK_EQ_U64(le32(buf + 40), 10);
    CHECK_EQ_U64(le16(buf + 44 + 8), 50);
    CHECK_EQ_U64(files_in_scratch(), 1); /* no temporary left */
    unlink(path);
}

UNIT_TEST(wav_backend_never_started_is_an_empty_wav)
{
    char path[128], spec[160];
    snprintf(path, sizeof(path), "%s/empty.wav", scratch);
    snprintf(spec, sizeof(spec), "wav,id=w,path=%s", path);
    CHECK_STREQ(add_error(spec), "");
    CHECK(audiodev_open_all(NULL));
    CHECK(audiodev_close_all(true));
    uint8_t buf[128];
    CHECK_EQ_I64(read_file(path, buf, sizeof(buf)), WAV_HEADER_SIZE);
    CHECK_EQ_U64(le32(buf + 40), 0);
    unlink(path);
}

UNIT_TEST(wav_backend_abandoned_leaves_the_old_file)
{
    char path[128], spec[160];
    snprintf(path, sizeof(path), "%s/keep.wav", scratch);
    FILE *old = fopen(path, "w");
    fputs("old", old);
    fclose(old);
    snprintf(spec, sizeof(spec), "wav,id=w,path=%s", path);
    CHECK_STREQ(add_error(spec), "");
    CHECK(audiodev_open_all(NULL));
    CHECK(audiodev_close_all(false));
    uint8_t buf[16];
    CHECK_EQ_I64(read_file(path, buf, sizeof(buf)), 3);
    CHECK_EQ_U64(files_in_scratch(), 1);
    unlink(path);
}

UNIT_TEST(wav_backend_refuses_an_unwritable_path)
{
    char spec[160];
    snprintf(spec, sizeof(spec), "wav,id=w,path=%s/no/such/dir.wav", scratch);
    CHECK_STREQ(add_error(spec), "");
    Error *err = NULL;
    CHECK(!audiodev_open_all(&err));
    CHECK(strstr(error_get_message(err), "audiodev w: cannot create '"));
    CHECK(strstr(error_get_message(err), "No such file or directory"));
    error_free(err);
    CHECK(audiodev_find("w") == NULL); /* closed and forgotten */
    snprintf(spec, sizeof(spec), "wav,id=w,path=%s", scratch);
    CHECK_STREQ(add_error(spec), "");
    err = NULL;
    CHECK(!audiodev_open_all(&err));
    CHECK(strstr(error_get_message(err), "is not a regular file"));
    error_free(err);
}

int main(void)
{
    if (!mkdtemp(scratch)) {
        perror("mkdtemp");
        return 1;
    }
    int status = unit_run_all();
    rmdir(scratch);
    return status;
}
