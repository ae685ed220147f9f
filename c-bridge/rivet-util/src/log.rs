//! Logging under the `-d` items of the C core: `guest_errors` for bad guest
//! behaviour (an unknown register, a bad access size), `unimp` for device
//! features rivet does not model.  Nothing is printed unless the item is
//! enabled, and the test is a single load, as in C.

use std::ffi::CString;
use std::fmt;

use util_sys as sys;

/// Whether `-d guest_errors` is on.
pub fn guest_errors_enabled() -> bool {
    // SAFETY: log_item_enabled only reads the global item mask.
    unsafe { sys::log_item_enabled(sys::LogItem::LOG_ITEM_GUEST_ERROR) }
}

/// Whether `-d unimp` is on.
pub fn unimp_enabled() -> bool {
    // SAFETY: log_item_enabled only reads the global item mask.
    unsafe { sys::log_item_enabled(sys::LogItem::LOG_ITEM_UNIMP) }
}

fn log_line(item: sys::LogItem, msg: &str) {
    let msg = CString::new(msg.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: the format is a literal "%s" taking one C string; log_item
    // adds the newline.
    unsafe { sys::log_item(item, c"%s".as_ptr(), msg.as_ptr()) };
}

/// Log a guest error (under `-d guest_errors`).  The message is built only
/// when the item is enabled.
///
/// ```
/// rivet_util::log::guest_error(|| format!("pl011: read of unknown register {:#x}", 0x50));
/// ```
pub fn guest_error(msg: impl FnOnce() -> String) {
    if guest_errors_enabled() {
        log_line(sys::LogItem::LOG_ITEM_GUEST_ERROR, &msg());
    }
}

/// Log use of an unimplemented feature (under `-d unimp`).
pub fn unimplemented(msg: impl FnOnce() -> String) {
    if unimp_enabled() {
        log_line(sys::LogItem::LOG_ITEM_UNIMP, &msg());
    }
}

/// Report a host-side problem the user must see whatever `-d` says (a
/// disk image that fails to read): one line `rivet: <msg>` on stderr, as
/// the C core's `error_report`.  Devices report such an error once, not
/// for every guest request that meets it.
pub fn error_report(msg: &str) {
    let msg = CString::new(msg.replace('\0', "\\0")).unwrap_or_default();
    // SAFETY: the format is a literal "%s" taking one C string.
    unsafe { sys::error_report(c"%s".as_ptr(), msg.as_ptr()) };
}

/// The `-d` item a device message belongs to, for device models that log
/// through a host trait instead of calling this module directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogItem {
    /// Bad guest behaviour (`-d guest_errors`): unknown offsets, bad sizes.
    GuestError,
    /// A feature the model does not implement (`-d unimp`).
    Unimp,
}

/// Log `args` under `item`; formatted only when the item is enabled.
///
/// ```
/// rivet_util::log::log(rivet_util::log::LogItem::Unimp, format_args!("pl011: DMA"));
/// ```
pub fn log(item: LogItem, args: fmt::Arguments<'_>) {
    match item {
        LogItem::GuestError => guest_error(|| args.to_string()),
        LogItem::Unimp => unimplemented(|| args.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::ffi::CString;

    use super::*;
    use crate::error::Error;

    fn enable(items: &std::ffi::CStr) {
        let mut help_shown = false;
        // SAFETY: a valid item list; errp follows the C convention.
        let r = unsafe {
            Error::with_errp(|errp| sys::log_parse_items(items.as_ptr(), &raw mut help_shown, errp))
        };
        assert_eq!(r, Ok(true));
    }

    #[test]
    fn messages_are_built_and_written_only_for_enabled_items() {
        let path = std::env::temp_dir().join(format!("rivet-util-log-{}", std::process::id()));
        let cpath = CString::new(path.to_str().unwrap()).unwrap();
        // SAFETY: a valid path; errp follows the C convention.
        unsafe { Error::with_errp(|errp| sys::log_set_file(cpath.as_ptr(), errp)) }.unwrap();

        enable(c"guest_errors");
        assert!(guest_errors_enabled() && !unimp_enabled());
        guest_error(|| format!("pl011: read of unknown register {:#x}", 0x50));
        unimplemented(|| panic!("built although unimp is off"));
        enable(c"unimp");
        assert!(unimp_enabled() && !guest_errors_enabled());
        log(LogItem::Unimp, format_args!("pl011: DMA"));
        log(LogItem::GuestError, format_args!("not written"));

        // SAFETY: closes the file log_set_file opened.
        unsafe { sys::log_close() };
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(text, "pl011: read of unknown register 0x50\npl011: DMA\n");
    }
}
