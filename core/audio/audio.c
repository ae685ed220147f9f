/*
 * The audio core (include/audio/audio.h): the backend registry, the
 * -audiodev list, and the `none` backend.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "audio-internal.h"
#include "util/keyval.h"

#define AUDIO_BACKENDS_MAX 8
#define AUDIODEV_MAX 8
#define AUDIODEV_KEYS_MAX 8

/* The C backends are always there; others (Rust) register at start-up. */
static const AudioBackend *backends[AUDIO_BACKENDS_MAX] = {
    &audio_none_backend,
    &audio_wav_backend,
};
static size_t nr_backends = 2;

struct AudioDev {
    char *id;
    const AudioBackend *backend;
    char *keys[AUDIODEV_KEYS_MAX];
    char *values[AUDIODEV_KEYS_MAX];
    size_t nr_keys;
    void *opaque;
    bool opened;
    bool started;
    bool failed; /* a backend error was reported: write no more */
    AudioFormat format;
    uint64_t frames;
};

static AudioDev *audiodevs[AUDIODEV_MAX];
static size_t nr_audiodevs;

/* Backends that exist in some builds only, and what building them takes. */
static const struct {
    const char *name;
    const char *needs;
} optional_backends[] = {
    {"gstreamer", "Rust and GStreamer's development packages: Meson option "
                  "gstreamer, docs/audio.md"},
};

bool audio_backend_register(const AudioBackend *backend)
{
    if (audio_backend_find(backend->name) ||
        nr_backends == AUDIO_BACKENDS_MAX) {
        return false;
    }
    backends[nr_backends++] = backend;
    return true;
}

const AudioBackend *audio_backend_find(const char *name)
{
    for (size_t i = 0; i < nr_backends; i++) {
        if (!strcmp(backends[i]->name, name)) {
            return backends[i];
        }
    }
    return NULL;
}

void audio_print_backends(FILE *out)
{
    fprintf(out, "Audio backends (-audiodev TYPE,id=ID[,KEY=VALUE...]):\n");
    for (size_t i = 0; i < nr_backends; i++) {
        fprintf(out, "  %-10s %s\n", backends[i]->name, backends[i]->desc);
    }
    for (size_t i = 0;
         i < sizeof(optional_backends) / sizeof(optional_backends[0]); i++) {
        if (!audio_backend_find(optional_backends[i].name)) {
            fprintf(out, "  %-10s not built (needs %s)\n",
                    optional_backends[i].name, optional_backends[i].needs);
        }
    }
}

static void audiodev_free(AudioDev *dev)
{
    free(dev->id);
    for (size_t i = 0; i < dev->nr_keys; i++) {
        free(dev->keys[i]);
        free(dev->values[i]);
    }
    free(dev);
}

static bool backend_takes(const AudioBackend *backend, const char *key)
{
    for (size_t i = 0; backend->keys && backend->keys[i]; i++) {
        if (!strcmp(backend->keys[i], key)) {
            return true;
        }
    }
    return false;
}

/* The backend's keys, "path, pipeline", for messages. */
static void backend_key_list(const AudioBackend *backend, char *buf,
                             size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "id");
    for (size_t i = 0; backend->keys && backend->keys[i] && used < size; i++) {
        used +=
            (size_t)snprintf(buf + used, size - used, ", %s", backend->keys[i]);
    }
}

static bool audiodev_item(void *opaque, const char *key, const char *value,
                          Error **errp)
{
    AudioDev *dev = opaque;
    if (!strcmp(key, "id")) {
        return keyval_set_once(&dev->id, key, value, errp);
    }
    if (!backend_takes(dev->backend, key)) {
        char keys[256];
        backend_key_list(dev->backend, keys, sizeof(keys));
        error_setg(errp, "the %s backend has no key '%s' (it takes %s)",
                   dev->backend->name, key, keys);
        return false;
    }
    for (size_t i = 0; i < dev->nr_keys; i++) {
        if (!strcmp(dev->keys[i], key)) {
            error_setg(errp, "%s= given twice", key);
            return false;
        }
    }
    if (dev->nr_keys == AUDIODEV_KEYS_MAX) {
        error_setg(errp, "more than %d keys", AUDIODEV_KEYS_MAX);
        return false;
    }
    char *copy = NULL;
    if (!keyval_set_once(&copy, key, value, errp)) {
        return false;
    }
    dev->keys[dev->nr_keys] = strdup(key);
    dev->values[dev->nr_keys++] = copy;
    return true;
}

/* The TYPE of spec: known, or named as not built, or unknown. */
static const AudioBackend *audiodev_backend(const char *spec, size_t len,
                                            Error **errp)
{
    char *name = strndup(spec, len);
    const AudioBackend *backend = audio_backend_find(name);
    if (!backend) {
        const char *needs = NULL;
        for (size_t i = 0;
             i < sizeof(optional_backends) / sizeof(optional_backends[0]);
             i++) {
            if (!strcmp(optional_backends[i].name, name)) {
                needs = optional_backends[i].needs;
            }
        }
        if (needs) {
            error_setg(errp,
                       "-audiodev %s: this rivet was built without the %s "
                       "backend (it needs %s)",
                       spec, name, needs);
        } else {
            char names[256] = "";
            size_t used = 0;
            for (size_t i = 0; i < nr_backends && used < sizeof(names); i++) {
                used +=
                    (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
                                     i ? ", " : "", backends[i]->name);
            }
            error_setg(errp,
                       "-audiodev %s: unknown backend '%s' (this rivet has "
                       "%s; -audiodev help lists them)",
                       spec, name, names);
        }
    }
    free(name);
    return backend;
}

bool audiodev_add(const char *spec, Error **errp)
{
    if (nr_audiodevs == AUDIODEV_MAX) {
        error_setg(errp, "-audiodev %s: more than %d audio devices", spec,
                   AUDIODEV_MAX);
        return false;
    }
    size_t type_len = strcspn(spec, ",");
    const AudioBackend *backend = audiodev_backend(spec, type_len, errp);
    if (!backend) {
        return false;
    }
    AudioDev *dev = calloc(1, sizeof(*dev));
    dev->backend = backend;
    if (spec[type_len] == ',' &&
        !keyval_for_each("-audiodev", spec, spec + type_len + 1, audiodev_item,
                         dev, errp)) {
        audiodev_free(dev);
        return false;
    }
    if (!dev->id) {
        error_setg(errp, "-audiodev %s: id=ID is missing", spec);
        audiodev_free(dev);
        return false;
    }
    for (size_t i = 0; backend->keys && backend->keys[i]; i++) {
        if (backend->required[i] && !audiodev_option(dev, backend->keys[i])) {
            error_setg(errp, "-audiodev %s: the %s backend needs %s=", spec,
                       backend->name, backend->keys[i]);
            audiodev_free(dev);
            return false;
        }
    }
    if (audiodev_find(dev->id)) {
        error_setg(errp,
                   "-audiodev %s: an audiodev with id '%s' exists already",
                   spec, dev->id);
        audiodev_free(dev);
        return false;
    }
    audiodevs[nr_audiodevs++] = dev;
    return true;
}

bool audiodev_open_all(Error **errp)
{
    for (size_t i = 0; i < nr_audiodevs; i++) {
        AudioDev *dev = audiodevs[i];
        if (!dev->backend->open(dev, errp)) {
            error_prepend(errp, "audiodev %s: ", dev->id);
            audiodev_close_all(false);
            return false;
        }
        dev->opened = true;
    }
    return true;
}

bool audiodev_close_all(bool complete)
{
    bool ok = true;
    for (size_t i = 0; i < nr_audiodevs; i++) {
        AudioDev *dev = audiodevs[i];
        Error *err = NULL;
        if (dev->opened &&
            !dev->backend->close(dev, complete && !dev->failed, &err)) {
            error_prepend(&err, "audiodev %s: ", dev->id);
            error_report_err_output_lost(err);
            ok = false;
        }
        audiodev_free(dev);
        audiodevs[i] = NULL;
    }
    nr_audiodevs = 0;
    return ok;
}

AudioDev *audiodev_find(const char *id)
{
    for (size_t i = 0; i < nr_audiodevs; i++) {
        if (!strcmp(audiodevs[i]->id, id)) {
            return audiodevs[i];
        }
    }
    return NULL;
}

const char *audiodev_id(const AudioDev *dev)
{
    return dev->id;
}

const char *audiodev_option(const AudioDev *dev, const char *key)
{
    for (size_t i = 0; i < dev->nr_keys; i++) {
        if (!strcmp(dev->keys[i], key)) {
            return dev->values[i];
        }
    }
    return NULL;
}

void *audiodev_opaque(const AudioDev *dev)
{
    return dev->opaque;
}

void audiodev_set_opaque(AudioDev *dev, void *opaque)
{
    dev->opaque = opaque;
}

bool audiodev_start(AudioDev *dev, const AudioFormat *fmt, Error **errp)
{
    if (fmt->rate < AUDIO_RATE_MIN || fmt->rate > AUDIO_RATE_MAX ||
        fmt->channels == 0 || fmt->channels > AUDIO_CHANNELS_MAX) {
        error_setg(errp,
                   "audiodev %s: no stream of %" PRIu32 " Hz, %" PRIu32
                   " channels (%d..%d Hz, 1..%d channels)",
                   dev->id, fmt->rate, fmt->channels, AUDIO_RATE_MIN,
                   AUDIO_RATE_MAX, AUDIO_CHANNELS_MAX);
        return false;
    }
    if (dev->started) {
        if (dev->format.rate == fmt->rate &&
            dev->format.channels == fmt->channels) {
            return true;
        }
        error_setg(errp,
                   "audiodev %s: the stream plays %" PRIu32 " Hz, %" PRIu32
                   " channels; %" PRIu32 " Hz, %" PRIu32
                   " channels refused (one format per audiodev)",
                   dev->id, dev->format.rate, dev->format.channels, fmt->rate,
                   fmt->channels);
        return false;
    }
    if (!dev->opened) {
        error_setg(errp, "audiodev %s: not open", dev->id);
        return false;
    }
    if (!dev->backend->start(dev, fmt, errp)) {
        error_prepend(errp, "audiodev %s: ", dev->id);
        return false;
    }
    dev->format = *fmt;
    dev->started = true;
    return true;
}

void audiodev_write(AudioDev *dev, const int16_t *samples, size_t frames)
{
    dev->frames += frames;
    if (dev->failed || !dev->started || frames == 0) {
        return;
    }
    Error *err = NULL;
    if (!dev->backend->write(dev, samples, frames, &err)) {
        dev->failed = true;
        error_prepend(&err, "audiodev %s: ", dev->id);
        error_report_err_output_lost(err);
    }
}

uint64_t audiodev_frames(const AudioDev *dev)
{
    return dev->frames;
}

const AudioFormat *audiodev_format(const AudioDev *dev)
{
    return dev->started ? &dev->format : NULL;
}

/* `none`: plays nothing; the core counts the frames. */
static bool none_open(AudioDev *dev, Error **errp)
{
    (void)dev;
    (void)errp;
    return true;
}

static bool none_start(AudioDev *dev, const AudioFormat *fmt, Error **errp)
{
    (void)dev;
    (void)fmt;
    (void)errp;
    return true;
}

static bool none_write(AudioDev *dev, const int16_t *samples, size_t frames,
                       Error **errp)
{
    (void)dev;
    (void)samples;
    (void)frames;
    (void)errp;
    return true;
}

static bool none_close(AudioDev *dev, bool complete, Error **errp)
{
    (void)dev;
    (void)complete;
    (void)errp;
    return true;
}

const AudioBackend audio_none_backend = {
    .name = "none",
    .desc = "discards the frames (the device still plays them in time)",
    .open = none_open,
    .start = none_start,
    .write = none_write,
    .close = none_close,
};
