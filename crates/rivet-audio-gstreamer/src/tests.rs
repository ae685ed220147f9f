//! The backend through the C core, with real pipelines: what a wavenc
//! file holds, and the refusals of bad pipelines (GStreamer's base and
//! good plugins must be installed, as scripts/setup does).

use std::ffi::CString;
use std::path::PathBuf;

use rivet_audio::bindings as sys;

use super::*;

fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("rivet-gst-test-{}-{name}", std::process::id()))
}

fn add_and_open(spec: &str) -> Result<()> {
    let spec = CString::new(spec).unwrap();
    // SAFETY: a NUL-terminated spec; errp from Error::with_errp.
    unsafe { Error::with_errp(|errp| sys::audiodev_add(spec.as_ptr(), errp)) }?;
    // SAFETY: errp from Error::with_errp.
    unsafe { Error::with_errp(|errp| sys::audiodev_open_all(errp)) }?;
    Ok(())
}

fn open_error(pipeline: &str) -> String {
    let err = add_and_open(&format!("gstreamer,id=g,pipeline={pipeline}"))
        .unwrap_err()
        .to_string();
    // Opened and failed: the core forgot it again.
    // SAFETY: a NUL-terminated id.
    assert!(unsafe { sys::audiodev_find(c"g".as_ptr()) }.is_null());
    err
}

/// The samples of the data chunk of a WAV file (wavenc may add chunks).
fn wav_samples(path: &PathBuf) -> Vec<i16> {
    let bytes = std::fs::read(path).unwrap();
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let size = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        if &bytes[at..at + 4] == b"data" {
            return bytes[at + 8..at + 8 + size]
                .chunks(2)
                .map(|c| i16::from_le_bytes([c[0], c[1]]))
                .collect();
        }
        at += 8 + size + size % 2;
    }
    panic!("no data chunk in {}", path.display());
}

#[test]
fn wavenc_gets_every_frame_in_order() {
    let path = scratch("out.wav");
    add_and_open(&format!(
        "gstreamer,id=g,pipeline=appsrc name=src ! wavenc ! filesink location={}",
        path.display()
    ))
    .unwrap();
    // SAFETY: a NUL-terminated id.
    let dev = unsafe { sys::audiodev_find(c"g".as_ptr()) };
    let fmt = sys::AudioFormat {
        rate: 8000,
        channels: 2,
    };
    let samples: Vec<i16> = (0..2000)
        .map(|i: i32| (i * 37 % 65536 - 32768) as i16)
        .collect();
    // SAFETY: a live AudioDev; chunks of whole stereo frames.
    unsafe {
        assert!(sys::audiodev_start(
            dev,
            &raw const fmt,
            std::ptr::null_mut()
        ));
        for chunk in samples.chunks(16) {
            sys::audiodev_write(dev, chunk.as_ptr(), chunk.len() / 2);
        }
        assert!(sys::audiodev_close_all(true));
    }
    assert_eq!(wav_samples(&path), samples);
    std::fs::remove_file(path).unwrap();
}

#[test]
fn a_bad_pipeline_is_refused_at_open() {
    let err = open_error("appsrc name=src ! nosuchelement ! fakesink");
    assert!(
        err.starts_with("audiodev g: pipeline 'appsrc name=src ! nosuchelement ! fakesink': "),
        "{err}"
    );
    assert!(err.contains("nosuchelement"), "{err}");
}

#[test]
fn a_pipeline_without_src_is_refused() {
    let err = open_error("audiotestsrc ! fakesink");
    assert!(
        err.contains("has no element named src (start it with appsrc name=src)"),
        "{err}"
    );
    let err = open_error("fakesrc name=src ! fakesink");
    assert!(err.contains("its element src is not an appsrc"), "{err}");
    let err = open_error("appsrc name=src");
    assert!(err.contains("is a single element"), "{err}");
}

#[test]
fn an_unwritable_file_sink_is_refused_at_open() {
    let err = open_error("appsrc name=src ! wavenc ! filesink location=/nonexistent/dir/out.wav");
    assert!(err.starts_with("audiodev g: GStreamer: "), "{err}");
    assert!(err.contains("/nonexistent/dir/out.wav"), "{err}");
}

#[test]
fn frame_instants_do_not_drift() {
    assert_eq!(frame_ns(3, 44100), 68_027);
    assert_eq!(frame_ns(44100, 44100), 1_000_000_000);
    assert_eq!(frame_ns(u64::MAX, 1000), u64::MAX);
}
