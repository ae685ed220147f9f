//! Errors: a Rust error type that crosses into the C core's `Error **errp`
//! convention (fallible C functions return false/NULL and set `*errp`).

use std::ffi::{CStr, CString};
use std::fmt;
use std::ptr;

use util_sys as sys;

/// What kind of failure an error is, for QMP clients (C's `ErrorClass`,
/// QEMU's five classes); almost every error is `ERROR_CLASS_GENERIC_ERROR`.
pub use util_sys::ErrorClass;

/// An error with a one-line, human-readable message and a class, as C's
/// `Error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    msg: String,
    class: ErrorClass,
}

/// Result with rivet's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error with this message (say what was wrong and, if there is one,
    /// the fix).
    ///
    /// ```
    /// let e = rivet_util::error::Error::new("chardev: no such backend");
    /// assert_eq!(e.to_string(), "chardev: no such backend");
    /// ```
    pub fn new(msg: impl Into<String>) -> Self {
        Self::with_class(ErrorClass::ERROR_CLASS_GENERIC_ERROR, msg)
    }

    /// An error of another class than the generic one, for the few that
    /// QMP clients tell apart (a missing device: `DEVICE_NOT_FOUND`).
    pub fn with_class(class: ErrorClass, msg: impl Into<String>) -> Self {
        Self {
            msg: msg.into(),
            class,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.msg
    }

    /// The class.
    pub fn class(&self) -> ErrorClass {
        self.class
    }

    /// Take the C error `err` (which may be NULL), freeing it.
    ///
    /// # Safety
    ///
    /// `err` must be NULL or a valid `Error *` that nothing else frees.
    pub unsafe fn from_c(err: *mut sys::Error) -> Option<Self> {
        if err.is_null() {
            return None;
        }
        // SAFETY: err is valid (caller); the message lives until error_free.
        let msg = unsafe { CStr::from_ptr(sys::error_get_message(err)) }
            .to_string_lossy()
            .into_owned();
        // SAFETY: err is valid (caller).
        let class = unsafe { sys::error_get_class(err) };
        // SAFETY: err is valid and owned by us (caller).
        unsafe { sys::error_free(err) };
        Some(Self { msg, class })
    }

    /// Store this error into a C `Error **errp` (a no-op when errp is
    /// NULL), as a fallible C callback must before returning false.
    ///
    /// # Safety
    ///
    /// `errp` must be NULL or point to a `*mut Error` that is NULL.
    pub unsafe fn to_errp(&self, errp: *mut *mut sys::Error) {
        // Interior NULs cannot reach C's printf: replace them.
        let msg = CString::new(self.msg.replace('\0', "\\0")).unwrap_or_default();
        // SAFETY: errp is NULL or valid (caller); the format is a literal
        // "%s" taking one C string.
        unsafe { sys::error_set(errp, self.class, c"%s".as_ptr(), msg.as_ptr()) };
    }

    /// What a fallible C callback returns for `result`: true when it is
    /// `Ok`, else false with the error stored into `errp` (`to_errp`).
    ///
    /// # Safety
    ///
    /// As `to_errp`: `errp` must be NULL or point to a `*mut Error` that is
    /// NULL.
    pub unsafe fn report(result: Result<()>, errp: *mut *mut sys::Error) -> bool {
        match result {
            Ok(()) => true,
            Err(e) => {
                // SAFETY: errp as the caller gives it.
                unsafe { e.to_errp(errp) };
                false
            }
        }
    }

    /// Run a C function that takes a trailing `Error **errp` and turn its
    /// error, if any, into a Rust one.
    ///
    /// # Safety
    ///
    /// `f` must follow the C convention: set the pointer it is given to a
    /// valid `Error *` or leave it NULL.
    pub unsafe fn with_errp<T>(f: impl FnOnce(*mut *mut sys::Error) -> T) -> Result<T> {
        let mut err: *mut sys::Error = ptr::null_mut();
        let v = f(&raw mut err);
        // SAFETY: f set err to NULL or a valid, unowned error (caller).
        match unsafe { Self::from_c(err) } {
            Some(e) => Err(e),
            None => Ok(v),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(msg: String) -> Self {
        Self::new(msg)
    }
}

impl From<&str> for Error {
    fn from(msg: &str) -> Self {
        Self::new(msg)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_crosses_into_c_and_back_with_its_message() {
        // SAFETY: to_errp stores into the errp with_errp gives it.
        let r = unsafe { Error::with_errp(|errp| Error::new("pl011: bad baud 0").to_errp(errp)) };
        assert_eq!(r, Err(Error::new("pl011: bad baud 0")));
        // An interior NUL cannot cut the C message short.
        // SAFETY: as above.
        let r = unsafe { Error::with_errp(|errp| Error::new("a\0b").to_errp(errp)) };
        assert_eq!(r.unwrap_err().message(), "a\\0b");
    }

    #[test]
    fn the_class_crosses_into_c_and_back() {
        let e = Error::with_class(
            ErrorClass::ERROR_CLASS_DEVICE_NOT_FOUND,
            "Device '/x' not found",
        );
        // SAFETY: to_errp stores into the errp with_errp gives it.
        let back = unsafe { Error::with_errp(|errp| e.to_errp(errp)) }.unwrap_err();
        assert_eq!(back.class(), ErrorClass::ERROR_CLASS_DEVICE_NOT_FOUND);
        assert_eq!(back, e);
        assert_eq!(
            Error::new("x").class(),
            ErrorClass::ERROR_CLASS_GENERIC_ERROR
        );
    }

    #[test]
    fn report_is_a_c_callbacks_return() {
        // SAFETY: report stores into the errp with_errp gives it.
        let ok = unsafe { Error::with_errp(|errp| Error::report(Ok(()), errp)) };
        assert_eq!(ok, Ok(true));
        // SAFETY: as above.
        let failed = unsafe { Error::with_errp(|errp| Error::report(Err(Error::new("no")), errp)) };
        assert_eq!(failed, Err(Error::new("no")));
    }

    #[test]
    fn no_c_error_is_success() {
        // SAFETY: NULL is no error.
        assert_eq!(unsafe { Error::from_c(ptr::null_mut()) }, None);
        // SAFETY: the closure leaves errp alone.
        assert_eq!(unsafe { Error::with_errp(|_| 7) }, Ok(7));
        // SAFETY: a NULL errp makes to_errp a no-op.
        unsafe { Error::new("ignored").to_errp(ptr::null_mut()) };
    }

    #[test]
    fn conversions_keep_the_message() {
        assert_eq!(Error::from("x").to_string(), "x");
        assert_eq!(Error::from(String::from("y")).message(), "y");
    }
}
