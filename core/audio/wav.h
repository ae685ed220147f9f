/*
 * RIFF/WAVE files of signed 16-bit little-endian PCM, the `wav` audio
 * backend's format: a 44-byte header whose two sizes are filled in by
 * wav_writer_finish(), then the interleaved samples.
 */
#ifndef RIVET_CORE_AUDIO_WAV_H
#define RIVET_CORE_AUDIO_WAV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "audio/audio.h"
#include "util/error.h"

#define WAV_HEADER_SIZE 44
/* The RIFF size fields are 32 bits: the data the header can describe. */
#define WAV_DATA_MAX (UINT32_MAX - (WAV_HEADER_SIZE - 8))

typedef struct WavWriter {
    FILE *file;
    const char *name; /* for messages */
    AudioFormat format;
    uint64_t data_bytes;
} WavWriter;

/* Writes the header (sizes 0 until finish) at the start of file. */
bool wav_writer_begin(WavWriter *w, FILE *file, const char *name,
                      const AudioFormat *fmt, Error **errp);
/* Appends frames (host byte order in, little-endian out). */
bool wav_writer_write(WavWriter *w, const int16_t *samples, size_t frames,
                      Error **errp);
/* Fills in the sizes and flushes; the caller closes the file. */
bool wav_writer_finish(WavWriter *w, Error **errp);

#endif /* RIVET_CORE_AUDIO_WAV_H */
