/*
 * The audio core: host audio backends by name, and the audio devices of
 * the command line (-audiodev TYPE,id=ID[,KEY=VALUE...]) that guest
 * devices play through.  docs/audio.md.
 *
 * A backend plays one stream of signed 16-bit little-endian PCM frames
 * (interleaved channels) at one format.  Its life, driven by the core:
 *   open   when the command line has been read, before the guest runs:
 *          check the options, create what it writes to;
 *   start  when the guest device first plays: the format (rate, channels);
 *   write  the frames, in order, as the device consumes them on the
 *          virtual clock (so the stream is exact and reproducible);
 *   close  at exit: complete (flush, finish the file) or, when the start
 *          of rivet failed, abandon (leave nothing behind); frees all.
 * Each may fail with an Error; the core prefixes "audiodev ID: ".
 */
#ifndef RIVET_AUDIO_AUDIO_H
#define RIVET_AUDIO_AUDIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/error.h"

/* The formats a stream may have (every backend takes all of them). */
#define AUDIO_RATE_MIN 1000
#define AUDIO_RATE_MAX 192000
#define AUDIO_CHANNELS_MAX 8

typedef struct AudioFormat {
    uint32_t rate;     /* frames per second */
    uint32_t channels; /* samples per frame, interleaved */
} AudioFormat;

typedef struct AudioDev AudioDev;

typedef struct AudioBackend {
    const char *name; /* the TYPE of -audiodev */
    const char *desc; /* one line for -audiodev help */
    /* The keys it takes besides id, NULL-terminated; keys[i] is required
     * when required[i] is true. */
    const char *const *keys;
    const bool *required;
    bool (*open)(AudioDev *dev, Error **errp);
    bool (*start)(AudioDev *dev, const AudioFormat *fmt, Error **errp);
    /* frames * channels samples, host byte order. */
    bool (*write)(AudioDev *dev, const int16_t *samples, size_t frames,
                  Error **errp);
    bool (*close)(AudioDev *dev, bool complete, Error **errp);
} AudioBackend;

/* Backends register themselves before main() (a constructor, as QOM
 * types do).  False when the name is taken. */
bool audio_backend_register(const AudioBackend *backend);
const AudioBackend *audio_backend_find(const char *name);
/* -audiodev help: the registered backends, one line each. */
void audio_print_backends(FILE *out);

/* Records one -audiodev argument: the backend exists (one not built
 * into this rivet is named as such), id= is given once and not taken,
 * every key is the backend's and every required one is there. */
bool audiodev_add(const char *spec, Error **errp);
/* Opens every recorded audiodev (backend open), in command-line order;
 * on failure closes those opened, abandoning them. */
bool audiodev_open_all(Error **errp);
/* Closes every audiodev and forgets them all: complete (at exit) or
 * abandon (a failed start).  Each failure is reported as lost output
 * (error_report_err_output_lost); false when there was one. */
bool audiodev_close_all(bool complete);

AudioDev *audiodev_find(const char *id);
const char *audiodev_id(const AudioDev *dev);
/* The value of key on the command line, NULL when not given. */
const char *audiodev_option(const AudioDev *dev, const char *key);
/* The backend's own state, set by its open. */
void *audiodev_opaque(const AudioDev *dev);
void audiodev_set_opaque(AudioDev *dev, void *opaque);

/* For the guest devices.  Start the stream at fmt; a second start with
 * the same format is a no-op, another format is refused (a backend plays
 * one format).  False with *errp set (prefixed "audiodev ID: "). */
bool audiodev_start(AudioDev *dev, const AudioFormat *fmt, Error **errp);
/* Hands frames to the backend.  A backend failure is reported once, as
 * lost output (the exit status then says so), and the stream stops: later
 * frames are counted, not written. */
void audiodev_write(AudioDev *dev, const int16_t *samples, size_t frames);
/* Frames handed over since start (written or not). */
uint64_t audiodev_frames(const AudioDev *dev);
/* The started format, NULL before start. */
const AudioFormat *audiodev_format(const AudioDev *dev);

#endif /* RIVET_AUDIO_AUDIO_H */
