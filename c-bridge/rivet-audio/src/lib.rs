//! The safe Rust API of rivet's C audio library (`include/audio/`): a host
//! audio backend written in Rust implements [`Backend`] and is registered
//! with [`register`], before `main()` (`rivet_qom::module_init!`).  The C
//! core then drives it as it drives its own: `open` when the command line
//! is read, `start` at the guest's format, `write` as the guest device
//! plays, `close` at exit.  docs/audio.md.

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr::NonNull;

use audio_sys as sys;
use rivet_util::error::{Error, Result};

/// The raw bindings of `audio-sys`, for what the safe API does not cover.
pub use audio_sys as bindings;

/// The format of a stream: signed 16-bit little-endian samples,
/// `channels` interleaved per frame, `rate` frames per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Format {
    /// Frames per second.
    pub rate: u32,
    /// Samples per frame.
    pub channels: u32,
}

/// One `-audiodev` of the command line, as a backend's open sees it.
pub struct AudioDev {
    ptr: NonNull<sys::AudioDev>,
}

impl AudioDev {
    /// Its `id=`.
    pub fn id(&self) -> String {
        // SAFETY: ptr is a live AudioDev (the core calls open with one);
        // its id is a NUL-terminated string it owns.
        unsafe { CStr::from_ptr(sys::audiodev_id(self.ptr.as_ptr())) }
            .to_string_lossy()
            .into_owned()
    }

    /// The value of `key=` on the command line, `None` when not given.
    pub fn option(&self, key: &str) -> Option<String> {
        let key = CString::new(key).ok()?;
        // SAFETY: a live AudioDev and a NUL-terminated key; the result is
        // NULL or a string the AudioDev owns, copied at once.
        let value = unsafe { sys::audiodev_option(self.ptr.as_ptr(), key.as_ptr()) };
        if value.is_null() {
            return None;
        }
        // SAFETY: non-NULL: a NUL-terminated string (see above).
        let value = unsafe { CStr::from_ptr(value) };
        Some(value.to_string_lossy().into_owned())
    }
}

/// A host audio backend: one value per `-audiodev` of its type.
///
/// A backend that keeps the loudest sample it is given, registered as
/// `-audiodev peak,id=ID`:
///
/// ```
/// use std::ffi::CStr;
///
/// use rivet_audio::{register, AudioDev, Backend, Format};
/// use rivet_util::error::Result;
///
/// struct Peak {
///     loudest: i16,
/// }
///
/// impl Backend for Peak {
///     const NAME: &'static CStr = c"peak";
///     const DESC: &'static CStr = c"prints the loudest sample at exit";
///     const KEYS: &'static [(&'static CStr, bool)] = &[];
///
///     fn open(_dev: &AudioDev) -> Result<Self> {
///         Ok(Peak { loudest: 0 })
///     }
///     fn start(&mut self, _format: Format) -> Result<()> {
///         Ok(())
///     }
///     fn write(&mut self, samples: &[i16]) -> Result<()> {
///         for &s in samples {
///             self.loudest = self.loudest.max(s.saturating_abs());
///         }
///         Ok(())
///     }
///     fn close(self, _complete: bool) -> Result<()> {
///         println!("peak: {}", self.loudest);
///         Ok(())
///     }
/// }
///
/// register::<Peak>()?;
/// // One backend per name: a second registration is refused.
/// assert!(register::<Peak>().is_err());
///
/// let mut peak = Peak { loudest: 0 };
/// peak.start(Format { rate: 8000, channels: 1 })?;
/// peak.write(&[3, -7, 5])?;
/// assert_eq!(peak.loudest, 7);
/// # Ok::<(), rivet_util::error::Error>(())
/// ```
pub trait Backend: Sized + 'static {
    /// The TYPE of `-audiodev TYPE,...`.
    const NAME: &'static CStr;
    /// One line for `-audiodev help`.
    const DESC: &'static CStr;
    /// The keys it takes besides `id`, each with whether it is required.
    const KEYS: &'static [(&'static CStr, bool)];

    /// Checks the options and prepares what the stream goes to, before the
    /// guest runs.
    ///
    /// # Errors
    ///
    /// When it cannot play (the core prefixes `audiodev ID: `).
    fn open(dev: &AudioDev) -> Result<Self>;
    /// The stream starts at `format`; called once.
    ///
    /// # Errors
    ///
    /// When the backend cannot play that format.
    fn start(&mut self, format: Format) -> Result<()>;
    /// `samples` holds whole frames of the started format, interleaved.
    ///
    /// # Errors
    ///
    /// When the frames could not be played; the core stops the stream.
    fn write(&mut self, samples: &[i16]) -> Result<()>;
    /// Finishes the stream (`complete`) or drops it (rivet failed to start).
    ///
    /// # Errors
    ///
    /// When what was played could not be finished.
    fn close(self, complete: bool) -> Result<()>;
}

/// The backend value the core keeps for `dev`.
///
/// # Safety
///
/// `dev` must be a live AudioDev whose opaque was set by `open_fn::<B>`
/// and not yet taken by `close_fn::<B>`.
unsafe fn state<'a, B: Backend>(dev: *mut sys::AudioDev) -> &'a mut B {
    // SAFETY: the opaque is the Box<B> open_fn leaked, alive until close.
    unsafe { &mut *sys::audiodev_opaque(dev).cast::<B>() }
}

unsafe extern "C" fn open_fn<B: Backend>(
    dev: *mut sys::AudioDev,
    errp: *mut *mut util_sys::Error,
) -> bool {
    let Some(ptr) = NonNull::new(dev) else {
        return false;
    };
    match B::open(&AudioDev { ptr }) {
        Ok(b) => {
            // SAFETY: a live AudioDev; the Box is taken back by close_fn.
            unsafe { sys::audiodev_set_opaque(dev, Box::into_raw(Box::new(b)).cast::<c_void>()) };
            true
        }
        // SAFETY: errp as the core passes it (NULL or pointing to NULL).
        Err(e) => unsafe { Error::report(Err(e), errp) },
    }
}

unsafe extern "C" fn start_fn<B: Backend>(
    dev: *mut sys::AudioDev,
    fmt: *const sys::AudioFormat,
    errp: *mut *mut util_sys::Error,
) -> bool {
    // SAFETY: the core passes a valid format and an opened dev.
    let format = unsafe {
        Format {
            rate: (*fmt).rate,
            channels: (*fmt).channels,
        }
    };
    // SAFETY: dev was opened by open_fn::<B>; errp as the core passes it.
    unsafe { Error::report(state::<B>(dev).start(format), errp) }
}

unsafe extern "C" fn write_fn<B: Backend>(
    dev: *mut sys::AudioDev,
    samples: *const i16,
    frames: usize,
    errp: *mut *mut util_sys::Error,
) -> bool {
    // SAFETY: write follows a successful start, so the format is set.
    let channels = unsafe { (*sys::audiodev_format(dev)).channels } as usize;
    let samples = if frames == 0 {
        &[][..]
    } else {
        // SAFETY: the core passes frames * channels samples.
        unsafe { std::slice::from_raw_parts(samples, frames * channels) }
    };
    // SAFETY: dev was opened by open_fn::<B>; errp as the core passes it.
    unsafe { Error::report(state::<B>(dev).write(samples), errp) }
}

unsafe extern "C" fn close_fn<B: Backend>(
    dev: *mut sys::AudioDev,
    complete: bool,
    errp: *mut *mut util_sys::Error,
) -> bool {
    // SAFETY: the opaque is the Box<B> of open_fn; the core closes once.
    let b = unsafe { Box::from_raw(sys::audiodev_opaque(dev).cast::<B>()) };
    // SAFETY: a live AudioDev.
    unsafe { sys::audiodev_set_opaque(dev, std::ptr::null_mut()) };
    // SAFETY: errp as the core passes it.
    unsafe { Error::report(b.close(complete), errp) }
}

/// Registers `B` with the core, which then accepts `-audiodev B::NAME,...`.
/// Call it once, before `main()` reads the command line.
///
/// # Errors
///
/// When a backend of that name exists or the registry is full.
pub fn register<B: Backend>() -> Result<()> {
    let mut keys: Vec<*const c_char> = B::KEYS.iter().map(|(k, _)| k.as_ptr()).collect();
    keys.push(std::ptr::null());
    let keys = keys.into_boxed_slice();
    let required: Box<[bool]> = B::KEYS.iter().map(|(_, r)| *r).collect();
    let backend = Box::into_raw(Box::new(sys::AudioBackend {
        name: B::NAME.as_ptr(),
        desc: B::DESC.as_ptr(),
        keys: keys.as_ptr(),
        required: required.as_ptr(),
        open: Some(open_fn::<B>),
        start: Some(start_fn::<B>),
        write: Some(write_fn::<B>),
        close: Some(close_fn::<B>),
    }));
    // SAFETY: a backend whose strings live for the process (B's constants),
    // whose arrays are kept below when the core takes it, and whose
    // callbacks have the core's signatures.
    if unsafe { sys::audio_backend_register(backend) } {
        // The core keeps pointers to the backend and its arrays for the
        // life of the process.
        std::mem::forget(keys);
        std::mem::forget(required);
        Ok(())
    } else {
        // Refused: the core kept nothing, so all of it is freed here
        // (LeakSanitizer found every refused registration leaked).
        // SAFETY: the Box made above, which the core did not keep.
        drop(unsafe { Box::from_raw(backend) });
        Err(Error::new(format!(
            "audio backend {} is registered already (or too many backends)",
            B::NAME.to_string_lossy()
        )))
    }
}

#[cfg(test)]
mod tests;
