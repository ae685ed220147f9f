//! The safe Rust API of rivet's C chardev library (include/chardev/):
//! character-device frontends, the host side of a UART.  The device holds
//! a [`ChardevLink`] property (`chardev=...`) and a [`CharFrontend`]; input
//! is flow-controlled through [`CharHandlers::can_receive`], so a full FIFO
//! leaves bytes in the host file descriptor instead of dropping them.
//! Output is flow-controlled too: [`CharFrontend::write`] never waits for a
//! socket peer that does not read; while [`CharFrontend::can_write`] is
//! false the device shows a full transmit FIFO, and
//! [`CharHandlers::write_ready`] tells it when the backend takes bytes
//! again.

use std::cell::Cell;
use std::ffi::{c_int, c_void, CStr};

use chardev_sys as sys;
use qom_sys::PropType;
use rivet_qom::PropertyType;
use rivet_util::cell::Opaque;
use rivet_util::error::{Error, Result};

/// The raw bindings of `chardev-sys`, for what the safe API does not cover
/// yet.  Using them needs `unsafe` and a `// SAFETY:` comment.
pub use chardev_sys as bindings;

/// What a UART crate needs from this crate.
pub mod prelude {
    pub use crate::{CharFrontend, CharHandlers, ChardevLink};
}

pub use chardev_sys::ChardevEvent;

/// A `chardev` link property field: the backend the board connects, or
/// null (output is then discarded).
#[repr(transparent)]
#[derive(Debug)]
pub struct ChardevLink(Cell<*mut sys::Chardev>);

// Written out: `*mut T: Default` only exists from Rust 1.88, above our
// MSRV.
impl Default for ChardevLink {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: a link property field is an Object pointer (Chardev begins with
// Object), in a Cell; the C core checks the target is a chardev.
unsafe impl PropertyType for ChardevLink {
    const TYPE: PropType = PropType::PROP_TYPE_LINK;
    const LINK_TYPE: Option<&'static CStr> = Some(sys::TYPE_CHARDEV);
}

impl ChardevLink {
    /// No backend (the board may set one through the property).
    ///
    /// ```
    /// assert!(!rivet_chardev::ChardevLink::new().is_set());
    /// ```
    pub const fn new() -> Self {
        Self(Cell::new(core::ptr::null_mut()))
    }

    /// Whether a backend is set.
    pub fn is_set(&self) -> bool {
        !self.0.get().is_null()
    }
}

/// What the frontend's device does with input.
pub trait CharHandlers: 'static {
    /// How many bytes the device can take now (0: none; the backend keeps
    /// them until [`CharFrontend::accept_input`]).
    fn can_receive(&self) -> u32;
    /// Bytes from the backend, at most what `can_receive` allowed.
    fn receive(&self, buf: &[u8]);
    /// The backend opened or closed.
    fn event(&self, _event: ChardevEvent) {}
    /// The backend takes output again after [`CharFrontend::can_write`]
    /// was false.
    fn write_ready(&self) {}
}

/// # Safety
///
/// `opaque` must be the handler given to [`CharFrontend::init`].
unsafe extern "C" fn can_receive_cb<T: CharHandlers>(opaque: *mut c_void) -> c_int {
    // SAFETY: opaque is a live T (init's contract).
    let n = unsafe { &*opaque.cast::<T>() }.can_receive();
    c_int::try_from(n).unwrap_or(c_int::MAX)
}

/// # Safety
///
/// `opaque` as above; `buf` holds `size` bytes.
unsafe extern "C" fn receive_cb<T: CharHandlers>(opaque: *mut c_void, buf: *const u8, size: c_int) {
    let len = usize::try_from(size).unwrap_or(0);
    let bytes = if len == 0 {
        &[][..]
    } else {
        // SAFETY: the backend passes a buffer of `size` bytes.
        unsafe { std::slice::from_raw_parts(buf, len) }
    };
    // SAFETY: opaque is a live T (init's contract).
    unsafe { &*opaque.cast::<T>() }.receive(bytes);
}

/// # Safety
///
/// `opaque` must be the handler given to [`CharFrontend::init`].
unsafe extern "C" fn event_cb<T: CharHandlers>(opaque: *mut c_void, event: ChardevEvent) {
    // SAFETY: opaque is a live T (init's contract).
    unsafe { &*opaque.cast::<T>() }.event(event);
}

/// # Safety
///
/// `opaque` must be the handler given to [`CharFrontend::init`].
unsafe extern "C" fn write_ready_cb<T: CharHandlers>(opaque: *mut c_void) {
    // SAFETY: opaque is a live T (init's contract).
    unsafe { &*opaque.cast::<T>() }.write_ready();
}

/// A device's connection to its backend.
#[repr(transparent)]
#[derive(Debug)]
pub struct CharFrontend(Opaque<sys::CharFrontend>);

impl Default for CharFrontend {
    fn default() -> Self {
        Self::new()
    }
}

/// A frontend is detached when it is dropped (its device is finalized), so
/// the backend never calls into freed memory.
impl Drop for CharFrontend {
    fn drop(&mut self) {
        self.deinit();
    }
}

impl CharFrontend {
    /// A frontend attached to nothing (all zeroes, as C expects before
    /// `char_fe_init`).
    pub const fn new() -> Self {
        // SAFETY: a zeroed CharFrontend has no backend and no handlers.
        Self(unsafe { Opaque::zeroed() })
    }

    /// Attach to the backend in `link` (if any) and install `handlers`.
    ///
    /// # Errors
    ///
    /// When the backend already has a frontend (another device uses it).
    ///
    /// # Safety
    ///
    /// The frontend and `handlers` must not move or be freed while
    /// attached: embed both in the device, call this from `realize`, and
    /// [`deinit`](Self::deinit) in `unrealize` (dropping the frontend at
    /// finalize detaches it too).
    pub unsafe fn init<T: CharHandlers>(&self, link: &ChardevLink, handlers: &T) -> Result<()> {
        // SAFETY: self stays valid (caller); the link is null or a chardev.
        unsafe {
            Error::with_errp(|errp| sys::char_fe_init(self.0.as_mut_ptr(), link.0.get(), errp))
        }?;
        // SAFETY: self and handlers stay valid (caller).
        unsafe {
            sys::char_fe_set_handlers(
                self.0.as_mut_ptr(),
                Some(can_receive_cb::<T>),
                Some(receive_cb::<T>),
                Some(event_cb::<T>),
                Some(write_ready_cb::<T>),
                std::ptr::from_ref(handlers).cast_mut().cast(),
            );
        }
        Ok(())
    }

    /// Detach from the backend.
    pub fn deinit(&self) {
        // SAFETY: an initialised or zeroed frontend.
        unsafe { sys::char_fe_deinit(self.0.as_mut_ptr()) };
    }

    /// Write what the backend takes now and return how many bytes that
    /// was: fewer than `buf.len()` when a socket peer is not reading (the
    /// rest is the caller's to keep or drop).  Without a backend the bytes
    /// are discarded and all count as taken.
    ///
    /// # Errors
    ///
    /// When the backend's write fails.
    pub fn write(&self, buf: &[u8]) -> Result<usize> {
        // The C API counts in int: a longer buffer is taken in part.
        let len = c_int::try_from(buf.len()).unwrap_or(c_int::MAX);
        // SAFETY: buf is valid for len bytes; the frontend is live.
        let n = unsafe { sys::char_fe_write(self.0.as_mut_ptr(), buf.as_ptr(), len) };
        usize::try_from(n).map_err(|_| Error::new("chardev: write to the backend failed"))
    }

    /// Whether [`write`](Self::write) would take at least one byte now;
    /// after it was false, [`CharHandlers::write_ready`] runs once it is
    /// true again.
    pub fn can_write(&self) -> bool {
        // SAFETY: an initialised or zeroed frontend.
        unsafe { sys::char_fe_can_write(self.0.as_ptr()) }
    }

    /// Tell the backend the device has room again (e.g. after a FIFO read).
    pub fn accept_input(&self) {
        // SAFETY: a live frontend.
        unsafe { sys::char_fe_accept_input(self.0.as_mut_ptr()) };
    }

    /// Whether a peer is connected to the backend.
    pub fn is_connected(&self) -> bool {
        // SAFETY: a live frontend.
        unsafe { sys::char_fe_backend_connected(self.0.as_mut_ptr()) }
    }
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::ffi::CString;

    use super::*;

    /// A device side that records what the frontend hands it.
    #[derive(Default)]
    struct Uart {
        room: Cell<u32>,
        received: RefCell<Vec<u8>>,
        events: RefCell<Vec<ChardevEvent>>,
    }

    impl CharHandlers for Uart {
        fn can_receive(&self) -> u32 {
            self.room.get()
        }
        fn receive(&self, buf: &[u8]) {
            self.room.set(self.room.get() - buf.len() as u32);
            self.received.borrow_mut().extend_from_slice(buf);
        }
        fn event(&self, event: ChardevEvent) {
            self.events.borrow_mut().push(event);
        }
    }

    /// Runs the C main loop until nothing more is ready.
    fn poll() {
        // SAFETY: main_loop_poll dispatches the handlers of the fds the
        // live backends registered; it waits at most 50 ms.
        while unsafe { rivet_util::bindings::main_loop_poll(50) } {}
    }

    /// A started backend from a `-serial` style spec.
    fn backend(label: &str, spec: &str) -> ChardevLink {
        let label = CString::new(label).unwrap();
        let spec = CString::new(spec).unwrap();
        // SAFETY: valid C strings; errp follows the C convention.
        let chr = unsafe {
            Error::with_errp(|errp| sys::chardev_new_from_spec(label.as_ptr(), spec.as_ptr(), errp))
        }
        .unwrap();
        assert!(!chr.is_null());
        // SAFETY: a backend just made by chardev_new_from_spec.
        unsafe { Error::with_errp(|errp| sys::chardev_start(chr, errp)) }.unwrap();
        let link = ChardevLink::new();
        link.0.set(chr);
        link
    }

    #[test]
    fn without_a_backend_output_is_discarded_and_counted() {
        let uart = Box::new(Uart::default());
        let fe = Box::new(CharFrontend::new());
        let link = ChardevLink::new();
        // SAFETY: fe and uart are boxed and outlive the frontend's use.
        unsafe { fe.init(&link, &*uart) }.unwrap();
        assert!(fe.can_write());
        assert_eq!(fe.write(b"lost"), Ok(4));
        assert!(!fe.is_connected());
    }

    #[test]
    fn writes_reach_a_file_backend() {
        let path = std::env::temp_dir().join(format!("rivet-chardev-test-{}", std::process::id()));
        let link = backend("test-file", &format!("file:{}", path.display()));
        assert!(link.is_set());
        let uart = Box::new(Uart::default());
        let fe = Box::new(CharFrontend::new());
        // SAFETY: fe and uart are boxed and outlive the frontend's use.
        unsafe { fe.init(&link, &*uart) }.unwrap();
        assert!(fe.can_write());
        assert_eq!(fe.write(b"hello, "), Ok(7));
        assert_eq!(fe.write(b"world"), Ok(5));
        assert_eq!(std::fs::read(&path).unwrap(), b"hello, world");

        // The backend serves one frontend: a second device is refused.
        let other = Box::new(CharFrontend::new());
        // SAFETY: as above.
        let err = unsafe { other.init(&link, &*uart) }.unwrap_err();
        assert_eq!(
            err.message(),
            "chardev 'test-file' is already used by another device"
        );
        drop(other);

        drop(fe);
        // SAFETY: the backend is no longer attached to anything.
        unsafe { sys::chardev_destroy(link.0.get()) };
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn socket_input_is_flow_controlled_by_the_handlers() {
        use std::io::{Read, Write};
        use std::os::unix::net::UnixStream;

        let path = std::env::temp_dir().join(format!("rivet-chardev-sock-{}", std::process::id()));
        let link = backend("test-sock", &format!("unix:{},server", path.display()));
        let uart = Box::new(Uart::default());
        let fe = Box::new(CharFrontend::new());
        // SAFETY: fe and uart are boxed and outlive the frontend's use.
        unsafe { fe.init(&link, &*uart) }.unwrap();
        assert!(!fe.is_connected());

        let mut client = UnixStream::connect(&path).unwrap();
        // A lost byte fails the test instead of hanging it.
        client
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        poll();
        assert!(fe.is_connected());
        assert_eq!(*uart.events.borrow(), [ChardevEvent::CHR_EVENT_OPENED]);

        // No room: the bytes stay in the socket.
        client.write_all(b"abcde").unwrap();
        poll();
        assert!(uart.received.borrow().is_empty());
        // Room for three: the device gets three, the rest waits.
        uart.room.set(3);
        fe.accept_input();
        poll();
        assert_eq!(*uart.received.borrow(), b"abc");
        uart.room.set(16);
        fe.accept_input();
        poll();
        assert_eq!(*uart.received.borrow(), b"abcde");

        assert_eq!(fe.write(b"out"), Ok(3));
        poll();
        let mut out = [0; 3];
        client.read_exact(&mut out).unwrap();
        assert_eq!(&out, b"out");

        drop(client);
        poll();
        assert_eq!(
            *uart.events.borrow(),
            [
                ChardevEvent::CHR_EVENT_OPENED,
                ChardevEvent::CHR_EVENT_CLOSED
            ]
        );
        drop(fe);
        // SAFETY: the backend is no longer attached to anything.
        unsafe { sys::chardev_destroy(link.0.get()) };
        let _ = std::fs::remove_file(&path);
    }
}
