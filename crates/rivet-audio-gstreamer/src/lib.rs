//! The gstreamer audio backend: `-audiodev gstreamer,id=ID[,pipeline=DESC]`
//! plays the guest's frames through a GStreamer pipeline, by default
//! `appsrc name=src ! audioconvert ! audioresample ! autoaudiosink`.  A
//! pipeline of one's own starts from an `appsrc name=src`, e.g.
//! `appsrc name=src ! wavenc ! filesink location=out.wav`.  docs/audio.md.
//!
//! GStreamer is reached through its C API (c-bridge/gst-sys, bound by
//! bindgen from the headers Meson's dependency() finds), wrapped safely in
//! [`gst`].

use std::ffi::CStr;
use std::time::Duration;

use rivet_audio::{AudioDev, Backend, Format};
use rivet_util::error::{Error, Result};

pub mod gst;

/// The pipeline when `pipeline=` is not given: the host's audio output.
pub const DEFAULT_PIPELINE: &str = "appsrc name=src ! audioconvert ! audioresample ! autoaudiosink";

/// How long the end of the stream may take beyond the audio still to play.
const FINISH_SLACK: Duration = Duration::from_secs(10);

/// One `-audiodev gstreamer`.
pub struct Gstreamer {
    pipeline: gst::Pipeline,
    format: Option<Format>,
    frames: u64, // pushed so far: the next buffer's timestamp
    bytes: Vec<u8>,
}

/// The instant of frame `n` at `rate`, in ns.
fn frame_ns(n: u64, rate: u32) -> u64 {
    u64::try_from(u128::from(n) * 1_000_000_000 / u128::from(rate)).unwrap_or(u64::MAX)
}

impl Backend for Gstreamer {
    const NAME: &'static CStr = c"gstreamer";
    const DESC: &'static CStr = c"plays through a GStreamer pipeline: pipeline=DESC (from appsrc name=src; default: the host's audio output)";
    const KEYS: &'static [(&'static CStr, bool)] = &[(c"pipeline", false)];

    fn open(dev: &AudioDev) -> Result<Self> {
        let desc = dev
            .option("pipeline")
            .unwrap_or_else(|| DEFAULT_PIPELINE.into());
        Ok(Self {
            pipeline: gst::Pipeline::new(&desc)?,
            format: None,
            frames: 0,
            bytes: Vec::new(),
        })
    }

    fn start(&mut self, format: Format) -> Result<()> {
        self.pipeline.start(format.rate, format.channels)?;
        self.format = Some(format);
        Ok(())
    }

    fn write(&mut self, samples: &[i16]) -> Result<()> {
        let format = self
            .format
            .ok_or_else(|| Error::new("write before start"))?;
        self.bytes.clear();
        self.bytes
            .extend(samples.iter().flat_map(|s| s.to_le_bytes()));
        let end = self.frames + (samples.len() / format.channels as usize) as u64;
        let (pts, end_ns) = (
            frame_ns(self.frames, format.rate),
            frame_ns(end, format.rate),
        );
        self.frames = end;
        self.pipeline.push(&self.bytes, pts, end_ns - pts)
    }

    fn close(mut self, complete: bool) -> Result<()> {
        // A stream never started has nothing for its sink to finish.
        if complete && self.format.is_some() {
            self.pipeline.finish(FINISH_SLACK)?;
        }
        Ok(())
    }
}

rivet_qom::module_init! {
    // Only fails for a second registration of the name, which this
    // constructor, run once, cannot make.
    let _ = rivet_audio::register::<Gstreamer>();
}

#[cfg(test)]
mod tests;
