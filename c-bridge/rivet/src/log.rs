//! Logging under the `-d` items of the C core: `guest_errors` for bad guest
//! behaviour (an unknown register, a bad access size), `unimp` for device
//! features rivet does not model.  Nothing is printed unless the item is
//! enabled, and the test is a single load, as in C.

use std::ffi::CString;

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
/// rivet::log::guest_error(|| format!("pl011: read of unknown register {:#x}", 0x50));
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
