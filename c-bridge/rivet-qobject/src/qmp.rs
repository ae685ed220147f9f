//! What the generated C-callable marshallers of the QMP commands written
//! in Rust call (crates/rivet-qmp, docs/qapi.md).  The C marshaller has
//! already checked the arguments against the schema, with QEMU's
//! messages; [`marshal`] deserializes them into the command's generated
//! argument type, runs the command and serializes its result.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{bindings as sys, from_qobject, to_qobject, util_bindings, QObject};
use rivet_util::error::Error;

/// What a QMP command written in Rust returns: its result, or the error
/// the client gets, in its class (GenericError unless the command says
/// otherwise with [`Error::with_class`]).
pub type CommandResult<T> = Result<T, Error>;

/// The arguments of a command that takes none.
pub type NoArgs = serde::de::IgnoredAny;

/// The result of a command that returns nothing: QMP answers `{}`.
#[derive(Debug, Serialize)]
pub struct Empty {}

/// Run `command` on `args` for a C marshaller: sets `*ret` to its result
/// (a new reference) and returns true, or sets `*errp` and returns false.
///
/// # Safety
///
/// `args` is a valid QDict, `ret` a valid pointer, `errp` NULL or valid
/// and pointing to NULL.
pub unsafe fn marshal<A: DeserializeOwned, R: Serialize>(
    args: *mut sys::QDict,
    ret: *mut *mut sys::QObject,
    errp: *mut *mut util_bindings::Error,
    command: impl FnOnce(A) -> CommandResult<R>,
) -> bool {
    // SAFETY: args is a valid QDict (caller), whose first member is its
    // QObject header.
    let args = unsafe { QObject::from_borrowed(args.cast()) };
    let result = from_qobject::<A>(&args)
        .map_err(|e| {
            Error::new(format!(
                "arguments the schema accepted do not deserialize: {e}"
            ))
        })
        .and_then(command)
        .and_then(|value| to_qobject(&value));
    match result {
        Ok(obj) => {
            // SAFETY: ret is valid (caller); C takes the reference.
            unsafe { *ret = obj.into_raw() };
            true
        }
        Err(e) => {
            // SAFETY: errp is NULL or valid and NULL (caller).
            unsafe { e.to_errp(errp) };
            false
        }
    }
}
