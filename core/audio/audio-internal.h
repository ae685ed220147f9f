/*
 * The audio core's own backends, built into every rivet (core/audio/).
 */
#ifndef RIVET_CORE_AUDIO_INTERNAL_H
#define RIVET_CORE_AUDIO_INTERNAL_H

#include "audio/audio.h"

extern const AudioBackend audio_none_backend;
extern const AudioBackend audio_wav_backend;

#endif /* RIVET_CORE_AUDIO_INTERNAL_H */
