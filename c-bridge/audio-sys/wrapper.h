/*
 * bindgen input of audio-sys: host audio backends and the -audiodev list
 * (the WAV writer, core/audio/wav.h, is the C wav backend's own). Only
 * include/audio/ items are bound here (see bindgen.args); lower layers' types
 * come from their own -sys crates.
 */
#include "audio/audio.h"
