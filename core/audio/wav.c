/*
 * The WAV writer (wav.h) and the `wav` audio backend:
 * -audiodev wav,id=ID,path=FILE.
 *
 * The file is written the way a snapshot is (core/machine/snapshot.c):
 * beside FILE under a temporary name, synced, renamed over FILE and the
 * directory synced, at exit.  So an older FILE stays whole until the new
 * one is complete, a failed start or write leaves nothing, and a written
 * FILE survives a host crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio-internal.h"
#include "util/output-file.h"
#include "wav.h"

/* A stream never started (the guest played nothing) is an empty file of
 * this format, so that FILE is still a valid WAV. */
static const AudioFormat wav_empty_format = {.rate = 8000, .channels = 1};

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    put_le16(p, (uint16_t)v);
    put_le16(p + 2, (uint16_t)(v >> 16));
}

static bool wav_put(WavWriter *w, const void *data, size_t len, Error **errp)
{
    if (fwrite(data, 1, len, w->file) != len) {
        error_setg_errno(errp, errno ? errno : EIO, "cannot write '%s'",
                         w->name);
        return false;
    }
    return true;
}

static bool wav_put_header(WavWriter *w, Error **errp)
{
    uint8_t h[WAV_HEADER_SIZE];
    uint32_t block_align = w->format.channels * 2;
    memcpy(h, "RIFF", 4);
    put_le32(h + 4, (uint32_t)(WAV_HEADER_SIZE - 8 + w->data_bytes));
    memcpy(h + 8, "WAVEfmt ", 8);
    put_le32(h + 16, 16); /* fmt chunk size */
    put_le16(h + 20, 1);  /* PCM */
    put_le16(h + 22, (uint16_t)w->format.channels);
    put_le32(h + 24, w->format.rate);
    put_le32(h + 28, w->format.rate * block_align); /* bytes per second */
    put_le16(h + 32, (uint16_t)block_align);
    put_le16(h + 34, 16); /* bits per sample */
    memcpy(h + 36, "data", 4);
    put_le32(h + 40, (uint32_t)w->data_bytes);
    return wav_put(w, h, sizeof(h), errp);
}

bool wav_writer_begin(WavWriter *w, FILE *file, const char *name,
                      const AudioFormat *fmt, Error **errp)
{
    *w = (WavWriter){.file = file, .name = name, .format = *fmt};
    return wav_put_header(w, errp);
}

bool wav_writer_write(WavWriter *w, const int16_t *samples, size_t frames,
                      Error **errp)
{
    size_t count = frames * w->format.channels;
    if (w->data_bytes + count * 2 > WAV_DATA_MAX) {
        error_setg(errp,
                   "cannot write '%s': a WAV file holds at most %u "
                   "bytes of samples",
                   w->name, (unsigned)WAV_DATA_MAX);
        return false;
    }
    uint8_t buf[512];
    for (size_t done = 0; done < count;) {
        size_t n =
            count - done < sizeof(buf) / 2 ? count - done : sizeof(buf) / 2;
        for (size_t i = 0; i < n; i++) {
            put_le16(buf + 2 * i, (uint16_t)samples[done + i]);
        }
        if (!wav_put(w, buf, n * 2, errp)) {
            return false;
        }
        done += n;
    }
    w->data_bytes += count * 2;
    return true;
}

bool wav_writer_finish(WavWriter *w, Error **errp)
{
    if (fflush(w->file) != 0) {
        error_setg_errno(errp, errno, "cannot write '%s'", w->name);
        return false;
    }
    if (fseek(w->file, 0, SEEK_SET) != 0) {
        error_setg_errno(errp, errno, "cannot rewind '%s'", w->name);
        return false;
    }
    if (!wav_put_header(w, errp)) {
        return false;
    }
    if (fflush(w->file) != 0) {
        error_setg_errno(errp, errno, "cannot write '%s'", w->name);
        return false;
    }
    return true;
}

typedef struct WavBackend {
    const char *path; /* the audiodev's option */
    char *tmp;        /* what is written until the rename */
    FILE *file;
    WavWriter writer;
    bool begun;
} WavBackend;

static bool wav_open(AudioDev *dev, Error **errp)
{
    const char *path = audiodev_option(dev, "path");
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        error_setg(errp,
                   "'%s' exists and is not a regular file; refusing to "
                   "replace it with a WAV file",
                   path);
        return false;
    }
    WavBackend *b = calloc(1, sizeof(*b));
    b->path = path;
    if (asprintf(&b->tmp, "%s.tmp%ld", path, (long)getpid()) < 0) {
        free(b);
        error_setg(errp, "out of memory");
        return false;
    }
    /* O_EXCL: never write through something already at that name. */
    int fd = open(b->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    b->file = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!b->file) {
        error_setg_errno(errp, errno, "cannot create '%s'", path);
        if (fd >= 0) {
            close(fd);
            unlink(b->tmp);
        }
        free(b->tmp);
        free(b);
        return false;
    }
    audiodev_set_opaque(dev, b);
    return true;
}

static bool wav_start(AudioDev *dev, const AudioFormat *fmt, Error **errp)
{
    WavBackend *b = audiodev_opaque(dev);
    b->begun = wav_writer_begin(&b->writer, b->file, b->path, fmt, errp);
    return b->begun;
}

static bool wav_write(AudioDev *dev, const int16_t *samples, size_t frames,
                      Error **errp)
{
    WavBackend *b = audiodev_opaque(dev);
    return wav_writer_write(&b->writer, samples, frames, errp);
}

/* Complete: header sizes, data on disk, rename, directory synced. */
static bool wav_complete(WavBackend *b, Error **errp)
{
    if (!b->begun && !wav_writer_begin(&b->writer, b->file, b->path,
                                       &wav_empty_format, errp)) {
        return false;
    }
    if (!wav_writer_finish(&b->writer, errp)) {
        return false;
    }
    if (fdatasync(fileno(b->file)) != 0) {
        error_setg_errno(errp, errno, "cannot write '%s'", b->path);
        return false;
    }
    if (fclose(b->file) != 0) {
        b->file = NULL;
        error_setg_errno(errp, errno, "cannot write '%s'", b->path);
        return false;
    }
    b->file = NULL;
    if (rename(b->tmp, b->path) != 0) {
        error_setg_errno(errp, errno, "cannot create '%s'", b->path);
        return false;
    }
    return output_file_sync_directory("WAV file", b->path, errp);
}

static bool wav_close(AudioDev *dev, bool complete, Error **errp)
{
    WavBackend *b = audiodev_opaque(dev);
    bool ok = !complete || wav_complete(b, errp);
    if (b->file) {
        fclose(b->file);
    }
    if (!complete || !ok) {
        unlink(b->tmp); /* gone already when the rename was done */
    }
    free(b->tmp);
    free(b);
    audiodev_set_opaque(dev, NULL);
    return ok;
}

static const char *const wav_keys[] = {"path", NULL};
static const bool wav_required[] = {true};

const AudioBackend audio_wav_backend = {
    .name = "wav",
    .desc = "writes a RIFF/WAVE file of 16-bit PCM: path=FILE (written "
            "whole at exit)",
    .keys = wav_keys,
    .required = wav_required,
    .open = wav_open,
    .start = wav_start,
    .write = wav_write,
    .close = wav_close,
};
