/*
 * bindgen input of gst-sys: GStreamer's core and app library.  Only the
 * functions and types the gstreamer audio backend uses are bound (see
 * bindgen.args), with what they need.
 */
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
