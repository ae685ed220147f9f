//! The part of GStreamer the backend uses, made safe: a pipeline parsed
//! from its text description, its `appsrc` named `src`, its bus.  Every
//! object is owned (one reference, dropped with its unref).

use std::ffi::{c_char, c_void, CStr, CString};
use std::ptr::{self, NonNull};
use std::time::Duration;

use gst_sys as sys;
use rivet_util::error::{Error, Result};

/// `GST_CLOCK_TIME_NONE` (a macro, not bound).
const CLOCK_TIME_NONE: u64 = u64::MAX;

/// Takes a `GError` (frees it) and returns its message.
///
/// # Safety
///
/// `err` must be NULL or a `GError` nothing else frees.
unsafe fn take_gerror(err: *mut sys::GError) -> String {
    if err.is_null() {
        return "unknown error".into();
    }
    // SAFETY: a valid GError (caller); its message is NUL-terminated.
    let msg = unsafe { CStr::from_ptr((*err).message) }
        .to_string_lossy()
        .into_owned();
    // SAFETY: the caller gave it to us to free.
    unsafe { sys::g_error_free(err) };
    msg
}

/// Initialises GStreamer (once per process; later calls are no-ops).
pub fn init() -> Result<()> {
    let mut err: *mut sys::GError = ptr::null_mut();
    // SAFETY: NULL argc/argv are allowed; err is a valid GError **.
    if unsafe { sys::gst_init_check(ptr::null_mut(), ptr::null_mut(), &raw mut err) } != 0 {
        return Ok(());
    }
    // SAFETY: gst_init_check set err, ours to free.
    let why = unsafe { take_gerror(err) };
    Err(Error::new(format!("cannot initialise GStreamer: {why}")))
}

/// A GStreamer object reference, unreffed on drop.
struct Object(NonNull<c_void>);

impl Object {
    fn as_ptr<T>(&self) -> *mut T {
        self.0.as_ptr().cast()
    }

    /// Whether it is an instance of `gtype` (or derived from it).
    fn is_a(&self, gtype: sys::GType) -> bool {
        // SAFETY: a live GObject instance.
        unsafe { sys::g_type_check_instance_is_a(self.as_ptr(), gtype) != 0 }
    }
}

impl Drop for Object {
    fn drop(&mut self) {
        // SAFETY: we own one reference.
        unsafe { sys::gst_object_unref(self.0.as_ptr()) };
    }
}

/// A message popped from a bus, unreffed on drop.
struct Message(NonNull<sys::GstMessage>);

impl Message {
    fn is(&self, kind: sys::GstMessageType) -> bool {
        // SAFETY: a live message; type_ is its GST_MESSAGE_TYPE.
        unsafe { (*self.0.as_ptr()).type_ == kind }
    }

    /// The text of an ERROR message, with the element that posted it.
    fn error_text(&self) -> String {
        let mut err: *mut sys::GError = ptr::null_mut();
        let mut debug: *mut c_char = ptr::null_mut();
        // SAFETY: an ERROR message (callers check); both outputs are ours.
        unsafe { sys::gst_message_parse_error(self.0.as_ptr(), &raw mut err, &raw mut debug) };
        // SAFETY: debug is NULL or a string to g_free.
        unsafe { sys::g_free(debug.cast()) };
        // SAFETY: err was set by parse_error, ours to free.
        let why = unsafe { take_gerror(err) };
        format!("GStreamer: {why}")
    }
}

impl Drop for Message {
    fn drop(&mut self) {
        // SAFETY: we own one reference (gst_message_unref is an inline
        // wrapper of this).
        unsafe { sys::gst_mini_object_unref(self.0.as_ptr().cast()) };
    }
}

/// A pipeline with an `appsrc` to push S16LE frames into.
pub struct Pipeline {
    // Dropped in this order: the source and bus before the pipeline.
    src: Object,
    bus: Object,
    pipeline: Object,
    pushed_ns: u64,
}

impl Pipeline {
    /// Parses `desc` (gst-launch syntax); its element named `src` must be
    /// an `appsrc`.  The pipeline is made ready to play (PAUSED), so a sink
    /// that cannot open its device or file fails here.
    pub fn new(desc: &str) -> Result<Self> {
        init()?;
        let cdesc =
            CString::new(desc).map_err(|_| Error::new("a pipeline cannot hold a NUL byte"))?;
        let mut err: *mut sys::GError = ptr::null_mut();
        // SAFETY: a NUL-terminated description, no context, a valid err.
        let element = unsafe {
            sys::gst_parse_launch_full(
                cdesc.as_ptr(),
                ptr::null_mut(),
                sys::GstParseFlags::GST_PARSE_FLAG_FATAL_ERRORS,
                &raw mut err,
            )
        };
        let Some(element) = NonNull::new(element.cast::<c_void>()) else {
            // SAFETY: a failed parse sets err, ours to free.
            let why = unsafe { take_gerror(err) };
            return Err(Error::new(format!("pipeline '{desc}': {why}")));
        };
        let pipeline = Object(element);
        // SAFETY: plain type queries.
        let (bin_type, appsrc_type) =
            unsafe { (sys::gst_bin_get_type(), sys::gst_app_src_get_type()) };
        if !pipeline.is_a(bin_type) {
            return Err(Error::new(format!(
                "pipeline '{desc}' is a single element: it needs appsrc name=src ! ... ! a sink"
            )));
        }
        // SAFETY: a bin and a NUL-terminated name; the result is a new
        // reference or NULL.
        let src = unsafe { sys::gst_bin_get_by_name(pipeline.as_ptr(), c"src".as_ptr()) };
        let Some(src) = NonNull::new(src.cast::<c_void>()).map(Object) else {
            return Err(Error::new(format!(
                "pipeline '{desc}' has no element named src (start it with appsrc name=src)"
            )));
        };
        if !src.is_a(appsrc_type) {
            return Err(Error::new(format!(
                "pipeline '{desc}': its element src is not an appsrc"
            )));
        }
        // SAFETY: an appsrc has the GstFormat property "format"; the list
        // ends with NULL.
        unsafe {
            sys::g_object_set(
                src.as_ptr(),
                c"format".as_ptr(),
                sys::GstFormat::GST_FORMAT_TIME.0,
                ptr::null::<c_char>(),
            );
        }
        // SAFETY: an element; the bus comes as a new reference.
        let bus = unsafe { sys::gst_element_get_bus(pipeline.as_ptr()) };
        let bus = Object(
            NonNull::new(bus.cast::<c_void>())
                .ok_or_else(|| Error::new("the pipeline has no bus"))?,
        );
        let p = Self {
            src,
            bus,
            pipeline,
            pushed_ns: 0,
        };
        p.set_state(sys::GstState::GST_STATE_PAUSED)?;
        Ok(p)
    }

    fn set_state(&self, state: sys::GstState) -> Result<()> {
        // SAFETY: a live element.
        let ret = unsafe { sys::gst_element_set_state(self.pipeline.as_ptr(), state) };
        if ret == sys::GstStateChangeReturn::GST_STATE_CHANGE_FAILURE {
            return Err(self
                .pending_error()
                .unwrap_or_else(|| Error::new("GStreamer: the pipeline refused to start")));
        }
        Ok(())
    }

    /// An ERROR the pipeline posted, if any (does not wait).
    fn pending_error(&self) -> Option<Error> {
        // SAFETY: a live bus; the message is a new reference or NULL.
        let msg = unsafe {
            sys::gst_bus_pop_filtered(self.bus.as_ptr(), sys::GstMessageType::GST_MESSAGE_ERROR)
        };
        NonNull::new(msg).map(|m| Error::new(Message(m).error_text()))
    }

    /// Sets the caps of the frames (S16LE, interleaved) and plays.
    pub fn start(&mut self, rate: u32, channels: u32) -> Result<()> {
        let caps = CString::new(format!(
            "audio/x-raw,format=S16LE,layout=interleaved,rate={rate},channels={channels}"
        ))
        .expect("no NUL in caps");
        // SAFETY: a NUL-terminated caps description; a new reference or NULL.
        let caps = unsafe { sys::gst_caps_from_string(caps.as_ptr()) };
        if caps.is_null() {
            return Err(Error::new("GStreamer: cannot make the caps"));
        }
        // SAFETY: an appsrc and caps it refs itself; ours is dropped after.
        unsafe {
            sys::gst_app_src_set_caps(self.src.as_ptr(), caps);
            sys::gst_mini_object_unref(caps.cast());
        }
        self.set_state(sys::GstState::GST_STATE_PLAYING)
    }

    /// Pushes one buffer of `bytes`, played from `pts_ns` for `duration_ns`.
    pub fn push(&mut self, bytes: &[u8], pts_ns: u64, duration_ns: u64) -> Result<()> {
        if let Some(e) = self.pending_error() {
            return Err(e);
        }
        // gsize is C's size_t, as wide as usize.
        let len = bytes.len() as sys::gsize;
        // SAFETY: a new buffer of bytes.len() bytes (NULL allocator:
        // the default one), or NULL.
        let buf = unsafe { sys::gst_buffer_new_allocate(ptr::null_mut(), len, ptr::null_mut()) };
        if buf.is_null() {
            return Err(Error::new("GStreamer: cannot allocate a buffer"));
        }
        // SAFETY: the buffer holds bytes.len() bytes; we own it until the
        // push, so its timestamps are ours to set.
        unsafe {
            sys::gst_buffer_fill(buf, 0, bytes.as_ptr().cast(), len);
            (*buf).pts = pts_ns;
            (*buf).dts = CLOCK_TIME_NONE;
            (*buf).duration = duration_ns;
        }
        self.pushed_ns = pts_ns.saturating_add(duration_ns);
        // SAFETY: an appsrc; the push takes our buffer reference.
        let ret = unsafe { sys::gst_app_src_push_buffer(self.src.as_ptr(), buf) };
        if ret != sys::GstFlowReturn::GST_FLOW_OK {
            return Err(self.pending_error().unwrap_or_else(|| {
                Error::new(format!(
                    "GStreamer: the appsrc refused a buffer (flow {})",
                    ret.0
                ))
            }));
        }
        Ok(())
    }

    /// Ends the stream and waits for the pipeline to finish it (a file
    /// sink writes its last bytes), at most what was pushed plus `slack`.
    pub fn finish(&mut self, slack: Duration) -> Result<()> {
        // SAFETY: an appsrc.
        unsafe { sys::gst_app_src_end_of_stream(self.src.as_ptr()) };
        let timeout = self
            .pushed_ns
            .saturating_add(u64::try_from(slack.as_nanos()).unwrap_or(u64::MAX));
        let kinds = sys::GstMessageType::GST_MESSAGE_EOS | sys::GstMessageType::GST_MESSAGE_ERROR;
        // SAFETY: a live bus; the message is a new reference or NULL.
        let msg = unsafe { sys::gst_bus_timed_pop_filtered(self.bus.as_ptr(), timeout, kinds) };
        match NonNull::new(msg).map(Message) {
            Some(m) if m.is(sys::GstMessageType::GST_MESSAGE_EOS) => Ok(()),
            Some(m) => Err(Error::new(m.error_text())),
            None => Err(Error::new(format!(
                "GStreamer: no end-of-stream from the pipeline within {} s",
                timeout / 1_000_000_000
            ))),
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        // NULL: stops the streaming threads before the last references go.
        // SAFETY: a live element.
        unsafe {
            sys::gst_element_set_state(self.pipeline.as_ptr(), sys::GstState::GST_STATE_NULL)
        };
    }
}
