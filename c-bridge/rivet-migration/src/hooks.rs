//! The trampolines through which the C core calls a description's Rust
//! hooks (`pre_save`, `post_load`, `needed`); `#[derive(VMState)]` expands
//! to calls of them.

use std::ffi::{c_int, c_void};

use rivet_util::error::{Error, Result};

/// Runs a `pre_save` hook for the C core.
///
/// # Safety
///
/// `opaque` must point to a live `S` (the object registered with the
/// description), `errp` follow the C error convention.
#[doc(hidden)]
pub unsafe fn call_pre_save<S>(
    opaque: *mut c_void,
    errp: *mut *mut util_sys::Error,
    hook: fn(&S) -> Result<()>,
) -> bool {
    // SAFETY: opaque is a live S (caller).
    let result = hook(unsafe { &*opaque.cast::<S>() });
    // SAFETY: errp as the caller gives it.
    unsafe { Error::report(result, errp) }
}

/// Runs a `post_load` hook for the C core.
///
/// # Safety
///
/// As [`call_pre_save`].
#[doc(hidden)]
pub unsafe fn call_post_load<S>(
    opaque: *mut c_void,
    version_id: c_int,
    errp: *mut *mut util_sys::Error,
    hook: fn(&S, i32) -> Result<()>,
) -> bool {
    // SAFETY: opaque is a live S (caller).
    let result = hook(unsafe { &*opaque.cast::<S>() }, version_id);
    // SAFETY: errp as the caller gives it.
    unsafe { Error::report(result, errp) }
}

/// Runs a subsection's `needed` test for the C core.
///
/// # Safety
///
/// `opaque` must point to a live `S`.
#[doc(hidden)]
pub unsafe fn call_needed<S>(opaque: *mut c_void, hook: fn(&S) -> bool) -> bool {
    // SAFETY: opaque is a live S (caller).
    hook(unsafe { &*opaque.cast::<S>() })
}
